"""Provider survey input: ``providers.csv``, one row per programme."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core.study import Study, load_study, study_file
from analysis.core.validation import (
    Field,
    InputError,
    Message,
    Notes,
    Problem,
    Schema,
    one_of,
    read_table,
)

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
    plan = study.logistic_regression
    if plan is None:
        return None
    fields = {f.name: f for f in PROVIDERS.fields if f.kind in ("category", "binary")}
    usable = {name: f for name, f in fields.items() if name in columns}
    two_valued = tuple(name for name, f in usable.items() if len(levels(f)) == 2)
    outcome = plan.get("outcome") if isinstance(plan, dict) else None
    items = plan.get("items") if isinstance(plan, dict) else None
    if not (isinstance(items, list) and items and all(isinstance(i, str) for i in items)):
        raise InputError(
            [
                Problem(
                    file,
                    PLAN,
                    None,
                    Message("provider.input.plan_shape"),
                    Message(
                        "provider.input.fix.plan_shape",
                        example=f"{PLAN}: {{outcome: permanent_coordinator, items: [finance]}}",
                    ),
                )
            ]
        )
    problems = []
    if outcome not in two_valued:
        problems.append(
            Problem(
                file,
                f"{PLAN}.outcome",
                None,
                Message("provider.input.plan_outcome", value=repr(outcome)),
                one_of(two_valued),
            )
        )
    problems += [
        Problem(
            file,
            f"{PLAN}.items",
            None,
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
    study = load_study(data_dir, "provider")
    plan = regression_plan(study, frame.columns, study_file(data_dir, "provider").name)
    return ProviderData(frame, study, plan)
