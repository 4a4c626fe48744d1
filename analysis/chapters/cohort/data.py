"""The cohort input: ``cohort.csv``, one row per employee; its schema from the analysis plan
(:mod:`analysis.chapters.cohort.plan`), validation and the analysis frame (follow-up
censoring, the plan's exposure and cluster in their roles, banded and merged variables)."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from pydantic import model_validator
from pydantic_core import PydanticCustomError

from analysis.chapters.cohort import extract
from analysis.chapters.cohort.collapsed import WEIGHT
from analysis.chapters.cohort.plan import (
    CLUSTER,
    EXPOSED,
    EXPOSURE,
    ID,
    REFERENCE,
    RESULT_KEYS,
    AnalysisPlan,
    Variable,
)
from analysis.core.settings import DUCKDB, FOLLOW_UP_DAYS, LANGS, Engine
from analysis.core.study import (
    Described,
    LangText,
    OutcomeDescription,
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
from analysis.core.validation import (
    Field,
    InputError,
    Message,
    Notes,
    Problem,
    Schema,
    harmonise,
    located,
    per_distinct,
    read_table,
    table_file,
    typed_columns,
)
from analysis.core.yamlfile import read_yaml

if TYPE_CHECKING:  # Ibis loads only where a register extract is read
    import ibis.expr.types as ir

PUBLISHED = Path(__file__).with_name("published.yaml")  # the publication's numbers
OUTCOMES = ("first_rtw", "full_rtw")  # the outcomes the chapter analyses
YES_NO = ("yes", "no")
SYMPTOMS = ("pain_rest", "pain_activity", "depressive_mood", "anxiety")
# The confounders of the paper's adjusted models (household income where the data have it).
CONFOUNDERS = [
    "age_group",
    "sex",
    "marital_status",
    "education",
    "diagnosis_group",
    *SYMPTOMS,
    "prior_sick_leave",
    "household_income",
]


def _levels(*codes: str) -> dict[str, None]:
    """Levels labelled by the catalog (``cohort.level.<variable>.<level>``)."""
    return dict.fromkeys(codes)


# The plan of the 2019 paper, as the shipped description declares it (its levels labelled by
# the catalog, in the paper's words; the sentences of the page then name its coordinator,
# confounder blocks and programme types).
PAPER_PLAN = AnalysisPlan.model_validate(
    {
        "exposure": {"column": "coordinator", "levels": _levels(*YES_NO), "reference": "no"},
        "cluster": CLUSTER,
        "horizon_days": FOLLOW_UP_DAYS,
        "variables": {
            "programme_type": {
                "levels": _levels("occupational_rehabilitation", "treatment", "follow_up")
            },
            "age_group": {
                "column": "age",
                "bands": [
                    {"level": "30-", "up_to": 30},
                    {"level": "31-49", "up_to": 49},
                    {"level": "50+"},
                ],
                "minimum": 15,
                "maximum": 80,
            },
            "sex": {"levels": _levels("female", "male")},
            "marital_status": {"levels": _levels("partner", "no_partner")},
            "education": {
                "levels": _levels(
                    "elementary", "upper_secondary", "university_short", "university_long"
                )
            },
            "diagnosis": {
                "levels": _levels(
                    "musculoskeletal", "psychiatric", "cancer", "other", "unspecific", "none"
                )
            },
            "diagnosis_group": {
                "column": "diagnosis",
                "levels": _levels("musculoskeletal", "psychiatric", "cancer", "other"),
                "merge": {"unspecific": "other", "none": "other"},
            },
            **{name: {"levels": _levels(*YES_NO), "reference": "no"} for name in SYMPTOMS},
            "prior_sick_leave": {"levels": _levels(*YES_NO), "reference": "no"},
            "sector": {"levels": _levels("public", "private")},
            "household_income": {"levels": _levels("low", "middle", "high"), "optional": True},
        },
        "table1": [
            "sex",
            "age_group",
            "marital_status",
            "education",
            "diagnosis",
            *SYMPTOMS,
            "programme_type",
            "sector",
            "prior_sick_leave",
            "household_income",
        ],
        "models": {
            "cox_unadjusted": {"covariates": [], "ph_test": True},
            "cox_without_programme_type": {"covariates": CONFOUNDERS},
            "cox_adjusted": {"covariates": [*CONFOUNDERS, "programme_type"], "ph_test": True},
        },
        "subgroups": {
            "programme_type": {"variable": "programme_type", "odds_ratio_reference": "treatment"}
        },
    }
)


def _code(code: str) -> dict[str, str]:
    """A level named by its code in every language."""
    return dict.fromkeys(LANGS, code)


# The levels whose catalog labels state the paper's own categories (its programme types, its
# grouping of diagnoses, its country's school years), named as the contract names them.
NEUTRAL_LEVELS = {
    "programme_type": {
        code: _code(code) for code in ("occupational_rehabilitation", "treatment", "follow_up")
    },
    "diagnosis": {"other": {"en": "Other", "nb": "Annet"}},
    "education": {
        "elementary": {"en": "Elementary school", "nb": "Grunnskole"},
        "upper_secondary": {"en": "Upper secondary school", "nb": "Videregående skole"},
        "university_short": {"en": "University, short", "nb": "Universitet/høgskole, kort"},
        "university_long": {"en": "University, long", "nb": "Universitet/høgskole, lang"},
    },
}


def _in_neutral_words(plan: AnalysisPlan) -> AnalysisPlan:
    """``plan`` with the levels of :data:`NEUTRAL_LEVELS` labelled as it says."""
    dumped = plan.model_dump()
    for name, labels in NEUTRAL_LEVELS.items():
        dumped["variables"][name]["levels"].update(labels)
    return AnalysisPlan.model_validate(dumped)


# The plan of a cohort without a description: the paper's, the contract of such data, in
# neutral words (its page is worded as for any declared plan).
DEFAULT_PLAN = _in_neutral_words(PAPER_PLAN)


def _declared_field(plan: AnalysisPlan, column: str, role: str | None = None) -> str | None:
    """The contract label of a plan's column: the shipped one where the catalog has it (the
    default plan's), else the one of a column the plan declares (``role``: exposure, cluster)."""
    if column in SYMPTOMS:
        return "contract.cohort.symptom"
    if Message(f"contract.cohort.{column}").known:
        return None
    return f"contract.cohort.declared_{role or 'variable'}"


def schema(plan: AnalysisPlan) -> Schema:
    """The columns ``plan`` reads: the id, the cluster, the exposure, the subgroup variables,
    the outcomes, then the other variables' columns in the order the plan declares them."""
    variables = plan.variables or {}
    subgroups = [s.variable for s in (plan.subgroups or {}).values() if s.variable in variables]
    fields: dict[str, Field] = {}
    for name in [*subgroups, *variables]:
        variable = variables[name]
        column = variable.column or name
        if column in fields:
            continue
        if variable.bands is not None:
            kind = {"kind": "integer", "minimum": variable.minimum, "maximum": variable.maximum}
        else:
            kind = {"kind": "category", "levels": (*variable.codes, *(variable.merge or {}))}
        fields[column] = Field(
            column,
            nullable=True,
            required=not variable.optional,
            description_key=_declared_field(plan, column),
            **kind,
        )
    exposure, cluster = plan.exposure, plan.cluster or CLUSTER
    outcome_fields = [
        outcome_field
        for outcome in OUTCOMES
        for outcome_field in (
            Field(f"days_to_{outcome}", "integer", minimum=0),
            Field(outcome, "binary"),
        )
    ]
    subgroup_fields = [fields.pop(variables[name].column or name) for name in subgroups]
    return Schema(
        "cohort.csv",
        (
            Field(ID, "text", unique=True),
            Field(cluster, "text", description_key=_declared_field(plan, cluster, "cluster")),
            Field(
                exposure.column,
                "category",
                exposure.codes,
                description_key=_declared_field(plan, exposure.column, "exposure"),
            ),
            *subgroup_fields,
            *outcome_fields,
            *fields.values(),
        ),
    )


SCHEMA = schema(DEFAULT_PLAN)
SCHEMAS: tuple[Schema, ...] = (SCHEMA,)
COLUMNS = tuple(field.name for field in SCHEMA.fields)


class CompetingEvent(Described):
    """One competing end of follow-up: its code in the event-type column and its name."""

    code: str = key(None, "aap", "cohort.description.competing_code", required=True, min_length=1)
    name: LangText = key(
        "noun_phrase",
        bilingual("work assessment allowance", "arbeidsavklaringspenger"),
        "cohort.description.competing_name",
        required=True,
    )


class OutcomeCodes(Described):
    """The codes of a competing outcome's event-type column: the event of interest, censoring
    and each competing event with its name in every language."""

    event: str = key(None, "rtw", "cohort.description.code_event", required=True, min_length=1)
    censored: str = key(
        None, "censored", "cohort.description.code_censored", required=True, min_length=1
    )
    competing: list[CompetingEvent] = key(
        None,
        [
            {
                "code": "aap",
                "name": bilingual("work assessment allowance", "arbeidsavklaringspenger"),
            }
        ],
        "cohort.description.code_competing",
        required=True,
        min_length=1,
    )

    def names(self) -> tuple[str, ...]:
        """Every code: the event, censoring, then the competing events in declared order."""
        return (self.event, self.censored, *(event.code for event in self.competing))


class RestrictedMeanPlan(Described):
    """The restricted mean time to an outcome (RMST) the chapter reports."""

    horizon_days: int | None = key(None, 180, "cohort.description.rmst_horizon_days", gt=0)


class CohortOutcome(OutcomeDescription):
    """``first_rtw`` or ``full_rtw`` (their time and event columns are the data contract's),
    and whether to report its RMST."""

    rmst: RestrictedMeanPlan | None = key(None, {"horizon_days": 180}, "cohort.description.rmst")


class CompetingOutcome(CohortOutcome):
    """An outcome with competing ends, read from a time column and an event-type column whose
    ``codes`` say which end each person had (or censoring)."""

    time: str = key(
        None, "days_to_end", "cohort.description.outcome_time", required=True, min_length=1
    )
    event_type: str = key(
        None, "end_type", "cohort.description.event_type", required=True, min_length=1
    )
    codes: OutcomeCodes = key(
        None,
        {
            "event": "rtw",
            "censored": "censored",
            "competing": [
                {
                    "code": "aap",
                    "name": bilingual("work assessment allowance", "arbeidsavklaringspenger"),
                }
            ],
        },
        "cohort.description.codes",
        required=True,
    )
    times: list[int] | None = key(None, [90, 180, 360], "cohort.description.times", min_length=1)


END_ROLES = ("censored", "competing")  # what death or emigration is to a derived end


class RegisterEnds(Described):
    """Each person's end derived from the spells (``extract.Ends``), for ``competing_outcomes``:
    which return is the event, and whether death and emigration compete or censor."""

    event: Literal[extract.RETURNS] = key(
        None, "full_rtw", "cohort.description.ends_event", required=True
    )
    death: Literal[END_ROLES] | None = key(None, "censored", "cohort.description.ends_death")
    emigration: Literal[END_ROLES] | None = key(
        None, "competing", "cohort.description.ends_emigration"
    )


class SpellRules(Described):
    """How a register extract's spells become the cohort (``extract.Derivation``)."""

    bridge_days: int | None = key(None, 14, "cohort.description.bridge_days", ge=0)
    sustainable_days: int | None = key(None, 28, "cohort.description.sustainable_days", gt=0)
    ends: RegisterEnds | None = key(None, {"event": "full_rtw"}, "cohort.description.ends")


class CohortFacts(Described):
    """The facts of a cohort study that no data file holds."""

    question: LangText | None = key(
        "sentences",
        bilingual(
            "The question is whether employees with a coordinator returned to work sooner.",
            "Spørsmålet er om arbeidstakere med koordinator kom raskere tilbake i arbeid.",
        ),
        "cohort.description.question",
    )


GENDERS = ("masculine", "feminine", "neuter")  # of a bokmål noun


class UnitForm(Described):
    """The singular of the setting's unit in one language, read after "the same"."""

    one: str = key(None, "clinic", "cohort.description.unit_one", required=True, min_length=1)


class GenderedUnitForm(UnitForm):
    """The bokmål singular of the setting's unit (definite: "klinikken") and its gender,
    which gives "én av 23 klinikker" or "ett av 23 tilbud"."""

    one: str = key(None, "klinikken", "cohort.description.unit_one", required=True, min_length=1)
    gender: Literal[GENDERS] = key(None, "masculine", "cohort.description.gender", required=True)


class SettingUnit(Described):
    """The forms of the unit the setting's noun names, per language."""

    en: UnitForm = key(None, {"one": "clinic"}, "description.lang.en", required=True)
    nb: GenderedUnitForm = key(
        None, {"one": "klinikken", "gender": "masculine"}, "description.lang.nb", required=True
    )


class NounForms(Described):
    """A countable noun in one language, without article: its CLDR plural forms (``one``:
    "patient", "pasient"; ``other``: "patients", "pasienter")."""

    one: str = key(None, "patient", "cohort.description.noun_one", required=True, min_length=1)
    other: str = key(None, "patients", "cohort.description.noun_other", required=True, min_length=1)


class Noun(Described):
    """A countable noun of the page in every language (who the rows are, what the clusters
    are), read after a count ("400 patients in 16 clinics") and in "in the same clinic"."""

    en: NounForms = key(
        None, {"one": "patient", "other": "patients"}, "description.lang.en", required=True
    )
    nb: NounForms = key(
        None, {"one": "pasient", "other": "pasienter"}, "description.lang.nb", required=True
    )


class CohortDescription(StudyDescription):
    """``cohort.study.yaml``: read in "This chapter analyses the <design>: 326 <population> who
    started one of 43 <setting> in <period>, followed for 360 days <follow_up>"."""

    publications = publication_of(PUBLISHED)

    design: LangText | None = key("after_the", bilingual("cohort study", "kohortstudien"))
    population: LangText | None = key(
        "plural_noun",
        bilingual("employees on full-time sick leave", "arbeidstakere på full sykmelding"),
    )
    setting: LangText | None = key(
        "plural_noun", bilingual("return-to-work clinics", "klinikker for retur til arbeid")
    )
    setting_unit: SettingUnit | None = key(
        None,
        {"en": {"one": "clinic"}, "nb": {"one": "klinikken", "gender": "masculine"}},
        "cohort.description.setting_unit",
    )
    persons: Noun | None = key(
        None,
        {
            "en": {"one": "patient", "other": "patients"},
            "nb": {"one": "pasient", "other": "pasienter"},
        },
        "cohort.description.persons",
    )
    units: Noun | None = key(
        None,
        {
            "en": {"one": "clinic", "other": "clinics"},
            "nb": {"one": "klinikk", "other": "klinikker"},
        },
        "cohort.description.units",
    )
    facts: CohortFacts | None = key(
        None, {"question": bilingual("The question is whether …", "Spørsmålet er om …")}
    )
    spells: SpellRules | None = key(None, {"bridge_days": 14}, "cohort.description.spells")
    outcomes: dict[Literal[OUTCOMES], CohortOutcome] | None = key(
        None,
        {
            "first_rtw": {
                "direction": "beneficial",
                "name": bilingual("first return to work", "første tilbakeføring"),
            }
        },
    )
    plan: AnalysisPlan | None = key(
        None,
        {"exposure": {"column": "arm", "reference": "control"}, "models": {"…": "…"}},
        "cohort.description.plan",
    )

    competing_outcomes: dict[str, CompetingOutcome] | None = key(
        None,
        {
            "leaving_sick_leave": {
                "name": bilingual("return to work", "tilbakeføring til arbeid"),
                "time": "days_to_end",
                "event_type": "end_type",
            }
        },
        "cohort.description.competing_outcomes",
    )

    @model_validator(mode="after")
    def _unit_with_setting(self) -> CohortDescription:
        if self.setting is not None and self.setting_unit is None:
            raise PydanticCustomError("required_with", "required", {"key": "setting_unit"})
        return self


DESCRIPTION = CohortDescription


@dataclass(frozen=True)
class CohortData:
    """The validated cohort as read (one row per employee, typed columns; from a register
    extract one row per pattern with its ``weight``, :func:`_patterns`) and its study
    description (``cohort.study.yaml``; neutral when the data folder has none)."""

    frame: pd.DataFrame
    study: Study = field(default_factory=Study)
    derivation: extract.Derivation | None = None  # the rules, when derived from spells
    plan: AnalysisPlan = DEFAULT_PLAN  # the description's, else the default


def plan_of(study: Study) -> AnalysisPlan:
    """The analysis plan of a study description (the default when it declares none)."""
    declared = study.description.plan if study.description else None
    return declared or DEFAULT_PLAN


def _problem(where: str, issue: str, **values: object) -> Problem:
    """A problem with the key ``plan.<where>`` of ``cohort.study.yaml``: label
    ``cohort.input.plan.<issue>`` and its fix."""
    return key_problem(
        "cohort.study.yaml",
        f"plan.{where}",
        Message(f"cohort.input.plan.{issue}", **values),
        Message(f"cohort.input.plan.fix.{issue}", **values),
    )


def _label_problems(plan: AnalysisPlan) -> list[Problem]:
    """Levels and variables of Table 1, exposure levels and models with neither a label in
    the plan nor one in the catalog."""

    def known(key: str) -> bool:
        return Message(key).known

    exposure = plan.exposure
    missing = [
        (f"exposure.levels.{code}", code)
        for code, text in exposure.levels.items()
        if text is None and not known(f"cohort.group.{exposure.column}.{code}")
    ]
    for name in plan.table1 or ():  # only Table 1 and the subgroup analysis show labels
        variable = (plan.variables or {})[name]
        if variable.label is None and not known(f"cohort.var.{name}"):
            missing.append((f"variables.{name}.label", name))
        missing += [
            (f"variables.{name}.levels.{code}", code)
            for code, text in variable.labels().items()
            if text is None and not known(f"cohort.level.{name}.{code}")
        ]
    missing += [
        (f"models.{name}.label", name)
        for name, model in plan.models.items()
        if model.label is None and not known(f"cohort.model.{name}")
    ]
    example = "{en: '…', nb: '…'}"
    return [_problem(where, "no_label", name=name, example=example) for where, name in missing]


def plan_problems(plan: AnalysisPlan) -> list[Problem]:
    """What is wrong with a plan by itself: an exposure without two levels, a variable with
    both or neither of levels and bands, names it uses but does not declare, references
    and merges to levels a variable does not have, model blocks that are not nested (each
    adds covariates to the one before, the first has none), missing labels."""
    variables = plan.variables or {}
    declared = ", ".join(variables) or "–"
    exposure = plan.exposure
    problems = [
        _problem(f"variables.{name}", "reserved", name=name)
        for name in variables
        if name in (EXPOSURE, CLUSTER) and name != exposure.column
    ]
    if len(exposure.levels) != 2:
        example = "levels: {intervention: …, control: …}"
        problems.append(_problem("exposure.levels", "two_levels", example=example))
    elif exposure.reference not in exposure.levels:
        problems.append(
            _problem(
                "exposure.reference",
                "unknown_level",
                level=exposure.reference,
                levels=", ".join(exposure.levels),
            )
        )
    for name, variable in variables.items():
        if (variable.levels is None) == (variable.bands is None):
            problems.append(_problem(f"variables.{name}", "levels_or_bands"))
        codes = variable.codes
        if variable.reference is not None and variable.reference not in codes:
            problems.append(
                _problem(
                    f"variables.{name}.reference",
                    "unknown_level",
                    level=variable.reference,
                    levels=", ".join(codes),
                )
            )
        problems += [
            _problem(
                f"variables.{name}.merge.{code}",
                "unknown_level",
                level=target,
                levels=", ".join(codes),
            )
            for code, target in (variable.merge or {}).items()
            if target not in codes
        ]
    strata = plan.strata
    if strata is not None and strata not in variables:
        problems.append(_problem("strata", "undeclared", name=strata, declared=declared))
    problems += [
        _problem(f"models.{name}.covariates", "strata_covariate", name=strata)
        for name, model in plan.models.items()
        if strata is not None and strata in model.covariates
    ]
    problems += [
        _problem("table1", "undeclared", name=name, declared=declared)
        for name in plan.table1 or ()
        if name not in variables
    ]
    before: list[str] | None = None
    for model_name, model in plan.models.items():
        where = f"models.{model_name}.covariates"
        problems += [
            _problem(where, "undeclared", name=name, declared=declared)
            for name in model.covariates
            if name not in variables
        ]
        if (before is None and model.covariates) or (
            before is not None and not set(before) < set(model.covariates)
        ):
            problems.append(_problem(where, "not_nested"))
        before = model.covariates
    analysed: dict[str, str] = {}  # subgroup variable → the first analysis by it
    for name, subgroup in (plan.subgroups or {}).items():
        where = f"subgroups.{name}"
        if subgroup.variable in analysed:
            problems.append(
                _problem(
                    f"{where}.variable",
                    "repeated_subgroup",
                    name=subgroup.variable,
                    other=analysed[subgroup.variable],
                )
            )
        analysed.setdefault(subgroup.variable, name)
        if name in RESULT_KEYS:  # its results would take the place of others in cohort.json
            problems.append(_problem(where, "reserved_subgroup", name=name))
        if subgroup.variable not in (plan.table1 or ()):
            problems.append(_problem(f"{where}.variable", "not_in_table1", name=subgroup.variable))
        elif subgroup.variable in variables and subgroup.odds_ratio_reference not in (
            None,
            *variables[subgroup.variable].codes,
        ):
            problems.append(
                _problem(
                    f"{where}.odds_ratio_reference",
                    "unknown_level",
                    level=subgroup.odds_ratio_reference,
                    levels=", ".join(variables[subgroup.variable].codes),
                )
            )
    return problems or _label_problems(plan)


def schemas(data_dir: Path) -> tuple[Schema, ...]:
    """The input schemas of the analysis plan in ``data_dir``'s study description (the
    paper's without one): the data contract of a book built from that folder."""
    study = load_study(Path(data_dir), "cohort", DESCRIPTION)
    return (outcome_schema(study.description, schema(plan_of(study))),)


def outcome_problems(description: CohortDescription | None, file: str) -> list[Problem]:
    """A competing outcome whose codes repeat one another (one code meaning two things)."""
    declared = (description.competing_outcomes or {}) if description else {}
    return [
        key_problem(
            file,
            f"competing_outcomes.{name}.codes",
            Message("cohort.input.codes_repeated"),
            Message("cohort.input.fix.codes_repeated"),
        )
        for name, outcome in declared.items()
        if len(set(outcome.codes.names())) < len(outcome.codes.names())
    ]


def outcome_schema(description: CohortDescription | None, base: Schema) -> Schema:
    """``base`` (the plan's schema of ``cohort.csv``) with the columns of the declared competing
    outcomes: a time in days and an event type, one of the outcome's codes."""
    declared = (description.competing_outcomes or {}) if description else {}
    fields = {
        column.name: column
        for outcome in declared.values()
        for column in (
            Field(
                outcome.time,
                "integer",
                minimum=0,
                description_key="contract.cohort.competing_time",
            ),
            Field(
                outcome.event_type,
                "category",
                outcome.codes.names(),
                description_key="contract.cohort.competing_event_type",
            ),
        )
    }
    known = {field.name for field in base.fields}
    added = [column for name, column in fields.items() if name not in known]
    return Schema(base.file, (*base.fields, *added)) if added else base


def ends_of(declared: RegisterEnds) -> extract.Ends:
    """The derived ends that the description's ``spells.ends`` declares."""
    return extract.Ends(**declared.model_dump(exclude_none=True))


def derivation_of(
    declared: SpellRules | None, persons: str, spells_file: str
) -> extract.Derivation:
    """The derivation the description's ``spells`` declares, from the files ``persons`` and
    ``spells_file`` (named within the data folder)."""
    rules = declared.model_dump(exclude_none=True, exclude={"ends"}) if declared else {}
    ends = declared.ends if declared else None
    return extract.Derivation(
        **rules,
        ends=ends_of(ends) if ends else None,
        persons=persons,
        spells=spells_file,
    )


def register_problems(description: CohortDescription | None, file: str) -> list[Problem]:
    """What a register extract cannot give that the description declares: a sustainable
    return without ``spells.sustainable_days``, a competing outcome without ``spells.ends``, or
    with other columns or codes than the derived ends'."""
    rules = description.spells if description else None
    ends = rules.ends if rules else None
    problems = []

    def problem(where: str, issue: str, **values: object) -> None:
        problems.append(
            key_problem(
                file,
                where,
                Message(f"cohort.input.spell.{issue}", **values),
                Message(f"cohort.input.spell.fix.{issue}", **values),
            )
        )

    if ends is not None and ends.event == "sustainable_rtw" and rules.sustainable_days is None:
        problem("spells.ends.event", "sustainable_days")
    declared = (description.competing_outcomes or {}) if description else {}
    if declared and ends is None:
        problem("spells.ends", "ends_missing", outcomes=", ".join(declared))
        return problems
    for name, outcome in declared.items():
        for part, column in (("time", extract.END_TIME), ("event_type", extract.END_TYPE)):
            if getattr(outcome, part) != column:
                problem(f"competing_outcomes.{name}.{part}", "end_column", column=column)
        derived = ends_of(ends)
        codes = outcome.codes
        competing = {event.code for event in codes.competing}
        if (codes.event, codes.censored) != (
            extract.RETURNED,
            extract.CENSORED,
        ) or competing != set(derived.competing()):
            problem(
                f"competing_outcomes.{name}.codes",
                "end_codes",
                event=extract.RETURNED,
                censored=extract.CENSORED,
                competing=", ".join(derived.competing()),
            )
    return problems


def register_schema(base: Schema, derivation: extract.Derivation) -> Schema:
    """``base`` with the derived columns of a sustainable return, when the derivation has one."""
    if derivation.sustainable_days is None:
        return base
    return Schema(
        base.file,
        (
            *base.fields,
            Field("days_to_sustainable_rtw", "integer", minimum=0),
            Field("sustainable_rtw", "binary"),
        ),
    )


def register_extract(data_dir: Path) -> tuple[Path, Path] | None:
    """The persons and spells of ``register/`` when the cohort comes from a register extract:
    there is no ``cohort.csv`` (or ``.xlsx``) beside it (None otherwise)."""
    return None if table_file(data_dir, SCHEMA) else extract.register_files(data_dir)


def input_files(data_dir: Path) -> list[Path]:
    """The files the cohort is read from: ``cohort.csv`` (or its workbook), else a register
    extract's persons and spells (none when there is neither)."""
    table = table_file(data_dir, SCHEMA)
    return [table] if table else list(register_extract(data_dir) or ())


def load(data_dir: Path | str, notes: Notes | None = None, engine: Engine = DUCKDB) -> CohortData:
    """Read and validate ``cohort.csv`` (schema, then the cross-column rules, all reported) and
    the study description; how the file was read goes to ``notes`` (when given). Without a
    ``cohort.csv``, a register extract in ``register/`` gives the cohort (see ``spells``),
    derived in ``engine``."""
    data_dir = Path(data_dir)
    study = load_study(data_dir, "cohort", DESCRIPTION)
    plan = plan_of(study)
    if problems := plan_problems(plan):
        raise InputError(problems)
    if problems := outcome_problems(study.description, study_file(data_dir, "cohort").name):
        raise InputError(problems)
    columns = outcome_schema(study.description, schema(plan))
    derivation = None
    if files := register_extract(data_dir):
        persons, spells_file = files
        description = study.description
        if problems := register_problems(description, study_file(data_dir, "cohort").name):
            raise InputError(problems)
        derivation = derivation_of(
            description.spells if description else None,
            persons.relative_to(data_dir).as_posix(),
            spells_file.relative_to(data_dir).as_posix(),
        )
        name = extract.shown(persons, data_dir.resolve())
        # Ibis and DuckDB (or Spark) load here, only when a register extract is read.
        from analysis.chapters.cohort import spells

        columns = register_schema(columns, derivation)
        with tempfile.TemporaryDirectory() as work:
            con = spells.connect(engine, temp_directory=Path(work))
            cohort = spells.derived_cohort(
                con, data_dir.resolve(), derivation, persons_schema=persons_schema(plan)
            )
            check_strata(cohort, plan, name)
            frame = _patterns(cohort, columns, plan, name, Notes() if notes is None else notes)
    else:
        frame = read_table(data_dir, columns, notes)
        _check_rows(frame, plan, f"{data_dir.resolve().name}/{columns.file}")
    check_claim(
        study,
        data_dir,
        "cohort",
        "cohort.claim.programme_types",
        read_yaml(PUBLISHED)["table1"]["programme_type"],
        frame["programme_type"].dropna() if "programme_type" in frame else (),
    )
    return CohortData(frame, study, derivation, plan)


def persons_schema(plan: AnalysisPlan) -> Schema:
    """The columns of a register extract's persons file: those of ``cohort.csv`` under
    ``plan`` but the outcomes, which the spells give."""
    base = schema(plan)
    derived = {name for outcome in OUTCOMES for name in (outcome, f"days_to_{outcome}")}
    return Schema("register/persons.csv", tuple(f for f in base.fields if f.name not in derived))


def check_strata(cohort: ir.Table, plan: AnalysisPlan, name: str, shown_limit: int = 20) -> None:
    """Every person of a register extract has a stratum when the plan has strata (the first
    ``shown_limit`` without one named), checked in the engine."""
    if plan.strata is None:
        return
    column = plan.variables[plan.strata].column or plan.strata
    if column not in cohort.columns:  # the persons check named the missing column
        return
    rows = (
        cohort.filter(cohort[column].isnull())
        .order_by("_row")
        .select("_row")
        .limit(shown_limit)
        .to_pyarrow()
        .column("_row")
        .to_pylist()
    )
    if rows:
        raise InputError([_stratum_missing(name, column, row) for row in rows])


def _patterns(
    cohort: ir.Table, columns: Schema, plan: AnalysisPlan, name: str, notes: Notes
) -> pd.DataFrame:
    """The derived cohort of a register extract collapsed in its engine: one row per distinct
    pattern of the columns of ``columns`` the chapter reads (all but the id; a banded numeric
    column as its bands, under the variable's name), typed as the rows are, with ``weight``
    the number of persons of each. Numbers of a person (the minimum or maximum age) do not
    reach Python. How values were read (Norwegian category words, a column in another case)
    goes to ``notes``: the patterns hold every distinct value of the persons file."""
    bands = {
        variable_name: (
            variable.column or variable_name,
            tuple((band.level, band.up_to) for band in variable.bands),
        )
        for variable_name, variable in (plan.variables or {}).items()
        if variable.bands is not None
    }
    banded = {column.lower() for column, _ in bands.values()}
    named = {field.name.lower(): field for field in columns.fields if field.name != ID}
    kept = tuple(c for c in cohort.columns if c.lower() in named and c.lower() not in banded)
    present = {column.lower(): column for column in cohort.columns}
    bands = {v: (present[c.lower()], b) for v, (c, b) in bands.items() if c.lower() in present}
    from analysis.chapters.cohort.spells import cohort_patterns  # Ibis: only for an extract

    text = cohort_patterns(cohort, kept, bands)
    weight = text.pop(WEIGHT)
    fields = tuple(named[c.lower()] for c in kept)
    read = Schema(columns.file, fields)  # checked in the engine: typed only
    frame = typed_columns(harmonise(text, read, name, notes).replace("", None), read)
    frame[WEIGHT] = weight
    return frame


def _stratum_missing(name: str, column: str, row: int) -> Problem:
    """The problem of a person without a stratum, in ``row`` of the file ``name``."""
    return Problem(
        name,
        column,
        row,
        Message("cohort.input.plan.stratum_missing"),
        Message("cohort.input.plan.fix.stratum_missing"),
    )


def _check_rows(frame: pd.DataFrame, plan: AnalysisPlan, name: str) -> None:
    """The cross-column rules of the rows of ``cohort.csv``: every person with a stratum (every
    model is fitted on everyone with one), no full return before the first."""
    if plan.strata is not None:
        column = plan.variables[plan.strata].column or plan.strata
        problems = [
            _stratum_missing(name, column, int(i) + 1) for i in frame.index[frame[column].isna()]
        ]
        if problems:
            raise InputError(located(problems, frame))
    rules = (
        (
            "days_to_full_rtw",
            frame["days_to_full_rtw"] < frame["days_to_first_rtw"],
            "full_before_first",
        ),
        (
            "full_rtw",
            (frame["full_rtw"] == 1) & (frame["first_rtw"] == 0),
            "full_without_first",
        ),
    )
    problems = [
        Problem(
            name,
            column,
            int(i) + 1,
            Message(f"cohort.input.{rule}"),
            Message(f"cohort.input.fix.{rule}"),
        )
        for column, failing, rule in rules
        for i in failing.index[failing.fillna(False)]
    ]
    if problems:
        raise InputError(located(problems, frame))


def horizon(plan: AnalysisPlan, follow_up_days: int | None = None) -> int:
    """The follow-up horizon in days: ``follow_up_days`` when given, else the plan's."""
    return int(follow_up_days or plan.horizon_days or FOLLOW_UP_DAYS)


def _variable(frame: pd.DataFrame, variable: Variable, column: str) -> pd.Series:
    """A declared variable from its column: the banded numbers, or the levels with the
    merged ones joined to the level they are merged into."""
    values = frame[column]
    if variable.bands is None:
        return values.replace(variable.merge) if variable.merge else values
    numbers = values.astype(float)
    conditions = [
        numbers <= band.up_to if band.up_to is not None else numbers.notna()
        for band in variable.bands
    ]
    banded = np.select(conditions, variable.codes, default="")
    return pd.Series(banded, index=frame.index).replace("", pd.NA).astype("string")


def prepare(
    frame: pd.DataFrame, follow_up_days: int | None = None, plan: AnalysisPlan = DEFAULT_PLAN
) -> pd.DataFrame:
    """Analysis frame: censor at the horizon (``follow_up_days``, else the plan's); the
    exposure as its role ``coordinator`` (``yes``: the compared level, ``no``: the
    reference), the cluster as ``programme_id``; every variable of the plan (bands of a
    numeric column, merged levels; a collapsed cohort has its bands already); categories in
    the plan's order. A collapsed cohort's ``weight`` stays beside."""
    data = frame.copy()
    days_limit = horizon(plan, follow_up_days)
    for outcome in OUTCOMES:
        days = data[f"days_to_{outcome}"].astype(float)
        data[outcome] = ((data[outcome] == 1) & (days <= days_limit)).astype(int)
        data[f"days_to_{outcome}"] = days.clip(upper=days_limit)
    exposure = plan.exposure
    data[EXPOSURE] = per_distinct(frame[exposure.column], exposure.role)
    data[CLUSTER] = frame[plan.cluster or CLUSTER]
    levels = {EXPOSURE: (EXPOSED, REFERENCE)}
    for name, variable in (plan.variables or {}).items():
        column = variable.column or name
        if column in frame:
            data[name] = _variable(frame, variable, column)
            levels[name] = variable.codes
        elif variable.bands is not None and name in frame:  # banded in the engine
            levels[name] = variable.codes
    # Categories make comparisons and missing-value checks on a register-sized cohort cheap;
    # the values read as before, the categories in the plan's order.
    for name, codes in levels.items():
        data[name] = data[name].astype(pd.CategoricalDtype(codes))
    data[CLUSTER] = data[CLUSTER].astype("category")
    return data


def level_positions(values: pd.Series, levels: Sequence[str], missing: int = -1) -> np.ndarray:
    """Each value's position in ``levels`` (−1 for a value not among them, ``missing`` for a
    missing one), read off the category codes of a column of the analysis frame
    (:func:`prepare`) instead of comparing the values level by level."""
    array = values.array
    position = {level: i for i, level in enumerate(levels)}
    lookup = [*(position.get(category, -1) for category in array.categories), missing]
    return np.array(lookup, dtype=np.intp)[array.codes]


def group_levels(data: pd.DataFrame, by: str) -> list[str]:
    """The levels of ``by`` present in the analysis frame, in the plan's order (of the
    paper's plan for a frame that :func:`prepare` did not make)."""
    values = data[by]
    if isinstance(values.dtype, pd.CategoricalDtype):
        order = tuple(values.cat.categories)
    else:
        order = (EXPOSED, REFERENCE) if by == EXPOSURE else DEFAULT_PLAN.variables[by].codes
    present = set(values.dropna().unique())
    return [level for level in order if level in present]
