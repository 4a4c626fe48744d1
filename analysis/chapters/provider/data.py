"""Provider survey input: ``providers.csv``, one row per programme."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core.study import (
    Described,
    LangText,
    Study,
    StudyDescription,
    bilingual,
    check_claim,
    key,
    key_problem,
    load_study,
    publication_of,
    study_file,
)
from analysis.core.validation import Field, InputError, Message, Notes, Schema, one_of, read_table
from analysis.core.yamlfile import read_yaml

PUBLISHED = Path(__file__).with_name("published.yaml")  # the publication's numbers
FINANCE = ("rha", "nav", "both")
YES_NO = ("yes", "no")
DIAGNOSES = ("dx_musculoskeletal", "dx_mental", "dx_unspecific")
TYPES = (
    "type_medical_surgical",
    "type_somatic_rehabilitation",
    "type_psychiatric",
    "type_institution_rehabilitation",
    "type_follow_up",
    "type_work_clarification",
    "type_occupational_rehabilitation",
    "type_treatment",
)
COORDINATOR_TYPES = (
    "coord_random_professional",
    "coord_patient",
    "coord_employer",
    "coord_nav",
    "coord_gp",
    "coord_other",
    "coord_no_need",
)

PROVIDERS = Schema(
    "providers.csv",
    (
        Field("programme_id", "text", unique=True),
        Field("finance", "category", FINANCE),
        Field("permanent_coordinator", "category", YES_NO, nullable=True),
        *(
            Field(name, "category", YES_NO, nullable=True, description_key="contract.providers.dx")
            for name in DIAGNOSES
        ),
        *(Field(name, "binary", description_key="contract.providers.type") for name in TYPES),
        *(
            Field(
                name,
                "binary",
                required=False,
                nullable=True,
                description_key="contract.providers.coord",
            )
            for name in COORDINATOR_TYPES
        ),
    ),
)
SCHEMAS = (PROVIDERS,)


PLAN = "logistic_regression"  # the study description's key declaring the model


@dataclass(frozen=True)
class RegressionPlan:
    """The declared logistic regression: ``outcome`` (a yes/no column; ``event`` is its value
    modelled) on ``items``, each with its levels, the reference level first."""

    outcome: str
    event: str
    items: dict[str, tuple[str, ...]]


class RegressionKeys(Described):
    """The declared model: a yes/no outcome column on item columns of ``providers.csv``."""

    outcome: str = key(None, "permanent_coordinator", "provider.description.outcome", required=True)
    items: list[str] = key(
        None, ["finance", "dx_mental"], "provider.description.items", required=True, min_length=1
    )


class ProviderDescription(StudyDescription):
    """``provider.study.yaml``: the survey's design and setting, read in "This chapter analyses
    <design> about 120 programmes in <setting>"."""

    publications = publication_of(PUBLISHED)

    design: LangText | None = key(
        "plural_noun", bilingual("telephone interviews", "telefonintervjuer")
    )
    logistic_regression: RegressionKeys | None = key(
        None,
        {"outcome": "permanent_coordinator", "items": ["finance", "dx_mental"]},
        "provider.description.logistic_regression",
    )
    setting: LangText | None = key(
        "definite",
        bilingual("the Raskere tilbake (faster return) scheme", "Raskere tilbake-ordningen"),
    )


DESCRIPTION = ProviderDescription


@dataclass(frozen=True)
class ProviderData:
    """The validated programmes, the description of the study they come from and the
    logistic regression it declares (None when it declares none)."""

    frame: pd.DataFrame
    study: Study
    regression: RegressionPlan | None = None


def levels(field: Field) -> tuple[str, ...]:
    """A column's values as a model codes them, the reference first: "no" before "yes", 0
    before 1, else the contract's order."""
    if field.kind == "binary":
        return ("0", "1")
    return tuple(sorted(field.levels, key=lambda level: level != "no"))


def regression_plan(study: Study, columns: pd.Index, file: str) -> RegressionPlan | None:
    """The study description's ``logistic_regression`` checked against the columns of
    ``providers.csv``: an outcome with two values and distinct items with levels (problems
    name the description ``file`` and the key)."""
    plan = study.description.logistic_regression if study.description else None
    if plan is None:
        return None
    fields = {f.name: f for f in PROVIDERS.fields if f.kind in ("category", "binary")}
    usable = {name: f for name, f in fields.items() if name in columns}
    two_valued = tuple(name for name, f in usable.items() if len(levels(f)) == 2)
    outcome, items = plan.outcome, plan.items
    problems = []
    if outcome not in two_valued:
        problems.append(
            key_problem(
                file,
                f"{PLAN}.outcome",
                Message("provider.input.plan_outcome", value=repr(outcome)),
                one_of(two_valued),
            )
        )
    problems += [
        key_problem(
            file,
            f"{PLAN}.items",
            Message("provider.input.plan_item", value=repr(item)),
            one_of(tuple(name for name in usable if name != outcome)),
        )
        for position, item in enumerate(items)
        if item not in usable or item == outcome or item in items[:position]
    ]
    if problems:
        raise InputError(problems)
    return RegressionPlan(
        outcome, levels(fields[outcome])[1], {item: levels(fields[item]) for item in items}
    )


def load(data_dir: Path, notes: Notes | None = None) -> ProviderData:
    """Read and validate ``providers.csv``, its study description and the regression the
    description declares; how the file was read goes to ``notes`` (when given)."""
    frame = read_table(Path(data_dir), PROVIDERS, notes)
    study = load_study(data_dir, "provider", DESCRIPTION)
    plan = regression_plan(study, frame.columns, study_file(data_dir, "provider").name)
    published = read_yaml(PUBLISHED)
    check_claim(
        study,
        data_dir,
        "provider",
        "provider.claim.coordinators",
        published["coordinator_types"],
        frame.columns,
    )
    return ProviderData(frame, study, plan)
