"""Provider survey input: ``providers.csv``, one row per programme."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import pandas as pd

from analysis.core.problems import Problem
from analysis.core.settings import LANGS
from analysis.core.study import (
    Described,
    LangText,
    Study,
    StudyDescription,
    bilingual,
    check_claim,
    example_of,
    key,
    key_problem,
    load_study,
    publication_of,
    study_file,
    yaml_inline,
)
from analysis.core.validation import (
    Field,
    InputError,
    Message,
    Notes,
    Schema,
    one_of,
    read_raw,
    read_table,
)
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

KINDS = ("single", "multiple", "yes_no")  # the kinds of question a survey's plan declares
ANSWERS = ("binary", "yes_no")  # how a multiple-choice column marks a ticked option: 1 or yes
ID_COLUMN = "programme_id"


class ItemKeys(Described):
    """One question of the survey: a single-choice column with its codes, a yes/no column, or
    a multiple-choice question with one column per option."""

    kind: Literal[KINDS] = key(None, "single", "provider.description.kind", required=True)
    label: LangText = key(
        "noun_phrase",
        bilingual("health region", "helseregion"),
        "provider.description.label",
        required=True,
    )
    column: str | None = key(None, "region", "provider.description.column")
    codes: dict[str, LangText] | None = key(
        "title",
        {"1": bilingual("North", "Nord"), "2": bilingual("South", "Sør")},
        "provider.description.codes",
        entries="description.kind.per_code",
    )
    columns: dict[str, LangText] | None = key(
        "title",
        {"aim_work": bilingual("Return to work", "Tilbake i arbeid")},
        "provider.description.columns",
        entries="description.kind.per_column",
    )
    answers: Literal[ANSWERS] | None = key(None, "yes_no", "provider.description.answers")
    may_be_empty: bool | None = key(None, True, "provider.description.may_be_empty")
    optional: bool | None = key(None, True, "provider.description.optional")


class CrossTableKeys(Described):
    """One cross-table of answers by the grouping variable."""

    label: LangText = key(
        "title",
        bilingual("Programme size", "Tilbudets størrelse"),
        "provider.description.table_label",
        required=True,
    )
    rows: list[str] = key(None, ["size"], "provider.description.rows", required=True, min_length=1)
    sum_row: bool | None = key(None, True, "provider.description.sum_row")
    note: LangText | None = key(
        "sentences",
        bilingual("A programme can cover several types.", "Et tilbud kan dekke flere typer."),
        "provider.description.table_note",
    )
    figure: Literal["stacked", "grouped"] | None = key(
        None, "grouped", "provider.description.figure"
    )


class OddsRatioKeys(Described):
    """One exposure tested against the outcome in a 2×2 table."""

    label: LangText = key(
        "title",
        bilingual("Large or very large", "Stort eller svært stort"),
        "provider.description.exposure_label",
        required=True,
    )
    item: str = key(None, "size", "provider.description.exposure_item", required=True)
    codes: list[str] | None = key(
        None, ["large", "very_large"], "provider.description.exposure_codes"
    )
    column: str | None = key(None, "aim_work", "provider.description.exposure_column")


class PlanKeys(Described):
    """The survey's analysis plan: its questions, the grouping variable, the yes/no outcome,
    the cross-tables and the 2×2 tables with odds ratios to report."""

    items: dict[str, ItemKeys] = key(
        None,
        {
            "region": {
                "kind": "single",
                "label": bilingual("health region", "helseregion"),
                "column": "region",
                "codes": {"1": bilingual("North", "Nord"), "2": bilingual("South", "Sør")},
            }
        },
        "provider.description.plan_items",
        required=True,
        entries="description.kind.per_item",
    )
    question: LangText | None = key(
        "sentences",
        bilingual(
            "The question is which programmes give their participants a coordinator.",
            "Spørsmålet er hvilke tilbud som gir deltakerne en koordinator.",
        ),
        "provider.description.question",
    )
    group: str = key(None, "region", "provider.description.group", required=True)
    outcome: str = key(None, "plan", "provider.description.plan_outcome", required=True)
    cross_tables: dict[str, CrossTableKeys] | None = key(
        None,
        {"sizes": {"label": bilingual("Programme size", "Tilbudets størrelse"), "rows": ["size"]}},
        "provider.description.cross_tables",
        entries="description.kind.per_table",
    )
    odds_ratios: dict[str, OddsRatioKeys] | None = key(
        None,
        {
            "large": {
                "label": bilingual("Large or very large", "Stort eller svært stort"),
                "item": "size",
                "codes": ["large", "very_large"],
            }
        },
        "provider.description.odds_ratios",
        entries="description.kind.per_exposure",
    )


DEFAULT_PLAN = Path(__file__).with_name("plan.yaml")


@cache
def default_plan() -> PlanKeys:
    """The plan without a description (``plan.yaml``): the 2015 questionnaire's questions,
    grouped by finance, the permanent coordinator as the outcome, Table 1's three sections and
    the six 2×2 tables, each code and option named by itself."""
    return PlanKeys.model_validate(read_yaml(DEFAULT_PLAN))


def item_columns(item: ItemKeys) -> tuple[str, ...]:
    """The columns of ``providers.csv`` that hold an item's answers."""
    return tuple(item.columns or ()) if item.kind == "multiple" else (item.column,)


def item_codes(item: ItemKeys) -> tuple[str, ...]:
    """The values a column of the item holds: its codes, yes/no, or 0/1 for options ticked
    with 1."""
    if item.kind == "single":
        return tuple(item.codes or ())
    if item.kind == "multiple" and (item.answers or "binary") == "binary":
        return ("0", "1")
    return YES_NO


def ticked(item: ItemKeys) -> object:
    """The value of an item's column that says yes: 1 for a 0/1 option, else ``yes``."""
    return 1 if item_codes(item) == ("0", "1") else "yes"


def item_fields(item: ItemKeys) -> tuple[Field, ...]:
    """The contract of an item's columns; several columns share one description."""
    binary = item_codes(item) == ("0", "1")
    return tuple(
        Field(
            column,
            "binary" if binary else "category",
            () if binary else item_codes(item),
            required=not item.optional,
            nullable=bool(item.may_be_empty),
            description_key=f"contract.providers.{item.kind}",
            label=item.label.model_dump(),
        )
        for column in item_columns(item)
    )


def schema(plan: PlanKeys) -> Schema:
    """``providers.csv`` as the plan declares it: the programme id and each item's columns."""
    return Schema(
        "providers.csv",
        (
            Field(ID_COLUMN, "text", unique=True),
            *(field for item in plan.items.values() for field in item_fields(item)),
        ),
    )


PROVIDERS = schema(default_plan())
SCHEMAS = (PROVIDERS,)


PLAN = "logistic_regression"  # the study description's key declaring the model
PLAN_KEY = "plan"  # the key declaring the survey's analysis plan


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
    <design> about 120 programmes in <setting>", its analysis plan (today's when it declares
    none) and the logistic regression to report."""

    publications = publication_of(PUBLISHED)

    design: LangText | None = key(
        "plural_noun", bilingual("telephone interviews", "telefonintervjuer")
    )
    plan: PlanKeys | None = key(
        None,
        {
            "items": {
                "region": {
                    "kind": "single",
                    "label": bilingual("health region", "helseregion"),
                    "column": "region",
                    "codes": {"1": bilingual("North", "Nord"), "2": bilingual("South", "Sør")},
                },
                "plan": {
                    "kind": "yes_no",
                    "label": bilingual("written plan", "skriftlig plan"),
                    "column": "return_plan",
                },
            },
            "group": "region",
            "outcome": "plan",
        },
        "provider.description.plan",
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
    """The validated programmes, the description of the study they come from, its analysis
    plan and the logistic regression it declares (None when it declares none)."""

    frame: pd.DataFrame
    study: Study
    regression: RegressionPlan | None = None
    plan: PlanKeys = dataclasses.field(default_factory=default_plan)


def levels(field: Field) -> tuple[str, ...]:
    """A column's values as a model codes them, the reference first: "no" before "yes", 0
    before 1, else the contract's order."""
    if field.kind == "binary":
        return ("0", "1")
    return tuple(sorted(field.levels, key=lambda level: level != "no"))


def regression_plan(
    study: Study, fields: tuple[Field, ...], columns: pd.Index, file: str
) -> RegressionPlan | None:
    """The study description's ``logistic_regression`` checked against the columns of
    ``providers.csv`` (``fields``, as the plan declares them): an outcome with two values and
    distinct items with levels (problems name the description ``file`` and the key)."""
    plan = study.description.logistic_regression if study.description else None
    if plan is None:
        return None
    fields_by_name = {f.name: f for f in fields if f.kind in ("category", "binary")}
    usable = {name: f for name, f in fields_by_name.items() if name in columns}
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
        outcome,
        levels(fields_by_name[outcome])[1],
        {item: levels(fields_by_name[item]) for item in items},
    )


# The keys each kind of question needs, and those it may have besides its kind and label.
NEEDS = {"single": ("column", "codes"), "yes_no": ("column",), "multiple": ("columns",)}
MAY_HAVE = {
    "single": ("may_be_empty",),
    "yes_no": ("may_be_empty",),
    "multiple": ("answers", "may_be_empty", "optional"),
}


def _write_as(part: type[Described], name: str) -> Message:
    """The fix "write it as <key>: <example>" for the key ``name`` of a part of the plan."""
    example = yaml_inline(example_of(part.model_fields[name]))
    return Message("input.study.fix.write_as", example=f"{name}: {example}")


def _item_problems(file: str, name: str, item: ItemKeys) -> list[Problem]:
    """The keys a question of its kind lacks, or has but does not use."""
    where = f"{PLAN_KEY}.items.{name}"
    problems = [
        key_problem(
            file,
            f"{where}.{needed}",
            Message("provider.input.plan_needs", kind=item.kind),
            _write_as(ItemKeys, needed),
        )
        for needed in NEEDS[item.kind]
        if getattr(item, needed) is None
    ]
    allowed = {"kind", "label", *NEEDS[item.kind], *MAY_HAVE[item.kind]}
    problems += [
        key_problem(
            file,
            f"{where}.{extra}",
            Message("provider.input.plan_unused", kind=item.kind),
            Message("input.study.fix.remove"),
        )
        for extra in item.model_fields_set - allowed
    ]
    if item.kind == "single" and item.codes is not None and len(item.codes) < 2:
        problems.append(
            key_problem(
                file,
                f"{where}.codes",
                Message("provider.input.plan_codes"),
                _write_as(ItemKeys, "codes"),
            )
        )
    return problems


def _name_problem(file: str, where: str, value: str, known: tuple[str, ...]) -> Problem:
    """A plan's reference ``value`` at ``where`` that names none of ``known``."""
    return key_problem(
        file, where, Message("provider.input.plan_unknown", value=repr(value)), one_of(known)
    )


def _reference_problems(file: str, plan: PlanKeys) -> list[Problem]:
    """The grouping variable, the outcome, the cross-tables' rows and the exposures, each
    checked against the questions they name."""
    items = plan.items
    problems = []
    grouping = tuple(name for name, item in items.items() if item.kind in ("single", "yes_no"))
    if plan.group not in grouping:
        problems.append(_name_problem(file, f"{PLAN_KEY}.group", plan.group, grouping))
    yes_no = tuple(name for name, item in items.items() if item.kind == "yes_no")
    if plan.outcome not in yes_no:
        problems.append(_name_problem(file, f"{PLAN_KEY}.outcome", plan.outcome, yes_no))
    problems += [
        _name_problem(file, f"{PLAN_KEY}.cross_tables.{name}.rows", row, tuple(items))
        for name, table in (plan.cross_tables or {}).items()
        for row in table.rows
        if row not in items
    ]
    for name, exposure in (plan.odds_ratios or {}).items():
        where = f"{PLAN_KEY}.odds_ratios.{name}"
        item = items.get(exposure.item)
        if item is None or exposure.item == plan.outcome:
            known = tuple(other for other in items if other != plan.outcome)
            problems.append(_name_problem(file, f"{where}.item", exposure.item, known))
            continue
        wanted = {"single": "codes", "multiple": "column", "yes_no": None}[item.kind]
        if wanted == "codes":
            codes = tuple(item.codes or ())
            problems += [
                _name_problem(file, f"{where}.codes", code, codes)
                for code in exposure.codes or ()
                if code not in codes
            ]
        if wanted == "column" and exposure.column not in item_columns(item):
            problems.append(
                _name_problem(file, f"{where}.column", str(exposure.column), item_columns(item))
            )
        if wanted and getattr(exposure, wanted) is None:
            problems.append(
                key_problem(
                    file,
                    f"{where}.{wanted}",
                    Message("provider.input.plan_needs", kind=item.kind),
                    _write_as(OddsRatioKeys, wanted),
                )
            )
        problems += [
            key_problem(
                file,
                f"{where}.{extra}",
                Message("provider.input.plan_unused", kind=item.kind),
                Message("input.study.fix.remove"),
            )
            for extra in sorted({"codes", "column"} - {wanted})
            if getattr(exposure, extra) is not None
        ]
    return problems


def _column_problems(file: str, plan: PlanKeys, header: pd.Index) -> list[Problem]:
    """Each column the plan names that ``providers.csv`` lacks (an optional one may be
    absent), or that two questions claim."""
    present = {str(column).strip().lower() for column in header}
    claimed: set[str] = set()
    problems = []
    for name, item in plan.items.items():
        where = f"{PLAN_KEY}.items.{name}.{'columns' if item.kind == 'multiple' else 'column'}"
        for column in item_columns(item):
            if column in claimed or column == ID_COLUMN:
                problems.append(
                    key_problem(
                        file,
                        where,
                        Message("provider.input.plan_claimed", value=repr(column)),
                        Message("provider.input.fix.plan_claimed"),
                    )
                )
            elif column.lower() not in present and not item.optional:
                known = tuple(str(c) for c in header if str(c).lower() != ID_COLUMN)
                problems.append(
                    key_problem(
                        file,
                        where,
                        Message("provider.input.plan_column", value=repr(column)),
                        one_of(known),
                    )
                )
            claimed.add(column)
    return problems


def _texts_dropped(value: object) -> object:
    """A dumped plan's part without its texts."""
    if isinstance(value, dict):
        if set(value) == set(LANGS):
            return None
        return {name: _texts_dropped(child) for name, child in value.items()}
    if isinstance(value, list):
        return [_texts_dropped(child) for child in value]
    return value


def plan_shape(plan: PlanKeys) -> object:
    """A plan without its texts: what it analyses, not what it calls things."""
    return _texts_dropped(plan.model_dump())


def survey_plan(study: Study, data_dir: Path, file: str) -> PlanKeys:
    """The study description's analysis plan (today's when it declares none), checked: each
    question has the keys of its kind, every name it refers to is declared, each column a
    declared plan names is in ``providers.csv``, and a description that says the data
    reproduce the thesis keeps the thesis's plan (problems name the description ``file`` and
    the key)."""
    declared = study.description.plan if study.description else None
    plan = declared or default_plan()
    problems = [
        problem for name, item in plan.items.items() for problem in _item_problems(file, name, item)
    ]
    problems = problems or _reference_problems(file, plan)
    if problems:
        raise InputError(problems)
    if declared:  # today's plan leaves its missing columns to the file's own check
        header = read_raw(Path(data_dir) / PROVIDERS.file, Path(data_dir), Notes()).columns
        if problems := _column_problems(file, plan, header):
            raise InputError(problems)
    if study.reproduces and plan_shape(plan) != plan_shape(default_plan()):
        raise InputError(
            [
                key_problem(
                    file,
                    "reproduces",
                    Message("provider.input.reproduces_plan", value=repr(study.reproduces)),
                    Message("provider.input.fix.reproduces_plan"),
                )
            ]
        )
    return plan


def load(data_dir: Path, notes: Notes | None = None) -> ProviderData:
    """Read and validate the study description, its analysis plan, ``providers.csv`` as the
    plan declares it and the regression the description declares; how the file was read goes
    to ``notes`` (when given)."""
    study = load_study(data_dir, "provider", DESCRIPTION)
    file = study_file(data_dir, "provider").name
    plan = survey_plan(study, data_dir, file)
    contract = schema(plan)
    frame = read_table(Path(data_dir), contract, notes)
    model = regression_plan(study, contract.fields, frame.columns, file)
    check_claim(
        study,
        data_dir,
        "provider",
        "provider.claim.coordinators",
        read_yaml(PUBLISHED)["coordinator_types"],
        frame.columns,
    )
    return ProviderData(frame, study, model, plan)


def schemas(data_dir: Path) -> tuple[Schema, ...]:
    """The contract of the files in ``data_dir``: ``providers.csv`` as the study description's
    plan declares it (today's when it declares none or cannot be read)."""
    try:
        study = load_study(data_dir, "provider", DESCRIPTION)
    except InputError:
        return SCHEMAS
    declared = study.description.plan if study.description else None
    return (schema(declared),) if declared else SCHEMAS
