"""The cohort input: ``cohort.csv``, one row per employee; its schema, validation and the
analysis frame (follow-up censoring, age groups, collapsed diagnosis)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from analysis.chapters.cohort import spells
from analysis.core.settings import DUCKDB, FOLLOW_UP_DAYS, Engine
from analysis.core.study import (
    Described,
    LangText,
    OutcomeDescription,
    Study,
    StudyDescription,
    bilingual,
    key,
    load_study,
    publication_of,
)
from analysis.core.validation import (
    Field,
    InputError,
    Message,
    Notes,
    Problem,
    Schema,
    located,
    read_table,
    table_file,
    validate_frame,
)

OUTCOMES = ("first_rtw", "full_rtw")
YES_NO = ("yes", "no")
PROGRAMME_TYPES = ("occupational_rehabilitation", "treatment", "follow_up")
LEVELS: dict[str, tuple[str, ...]] = {
    "coordinator": YES_NO,
    "programme_type": PROGRAMME_TYPES,
    "sex": ("female", "male"),
    "marital_status": ("partner", "no_partner"),
    "education": ("elementary", "upper_secondary", "university_short", "university_long"),
    "diagnosis": ("musculoskeletal", "psychiatric", "cancer", "other", "unspecific", "none"),
    "pain_rest": YES_NO,
    "pain_activity": YES_NO,
    "depressive_mood": YES_NO,
    "anxiety": YES_NO,
    "prior_sick_leave": YES_NO,
    "sector": ("public", "private"),
    "household_income": ("low", "middle", "high"),
}
AGE_GROUPS = ("30-", "31-49", "50+")
DIAGNOSIS_GROUPS = ("musculoskeletal", "psychiatric", "cancer", "other")
SYMPTOMS = ("pain_rest", "pain_activity", "depressive_mood", "anxiety")
COLUMNS = (
    "id",
    "programme_id",
    "coordinator",
    "programme_type",
    "days_to_first_rtw",
    "first_rtw",
    "days_to_full_rtw",
    "full_rtw",
    "sex",
    "age",
    "marital_status",
    "education",
    "diagnosis",
    *SYMPTOMS,
    "prior_sick_leave",
    "sector",
    "household_income",
)
SCHEMA = Schema(
    "cohort.csv",
    (
        Field("id", "text", unique=True),
        Field("programme_id", "text"),
        Field("coordinator", "category", YES_NO),
        Field("programme_type", "category", PROGRAMME_TYPES, nullable=True),
        *(
            outcome_field
            for outcome in OUTCOMES
            for outcome_field in (
                Field(f"days_to_{outcome}", "integer", minimum=0),
                Field(outcome, "binary"),
            )
        ),
        Field("age", "integer", nullable=True, minimum=15, maximum=80),
        *(
            Field(
                name,
                "category",
                levels,
                nullable=True,
                required=name != "household_income",
                description_key="contract.cohort.symptom" if name in SYMPTOMS else None,
            )
            for name, levels in LEVELS.items()
            if name not in ("coordinator", "programme_type")
        ),
    ),
)
SCHEMAS: tuple[Schema, ...] = (SCHEMA,)
OUTCOMES = ("first_rtw", "full_rtw")  # the outcomes the chapter analyses


class SpellRules(Described):
    """How a register extract's spells become the cohort (``spells.Derivation``)."""

    bridge_days: int | None = key(None, 14, "cohort.description.bridge_days", ge=0)


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


class CohortDescription(StudyDescription):
    """``cohort.study.yaml``: read in "This chapter analyses the <design>: 326 <population> who
    started one of 43 <setting> in <period>, followed for 360 days <follow_up>"."""

    publications = publication_of(Path(__file__).with_name("published.yaml"))

    design: LangText | None = key("after_the", bilingual("cohort study", "kohortstudien"))
    population: LangText | None = key(
        "plural_noun",
        bilingual("employees on full-time sick leave", "arbeidstakere på full sykmelding"),
    )
    setting: LangText | None = key(
        "plural_noun",
        bilingual("return-to-work programmes", "tilbud om raskere tilbakeføring"),
    )
    facts: CohortFacts | None = key(
        None, {"question": bilingual("The question is whether …", "Spørsmålet er om …")}
    )
    spells: SpellRules | None = key(None, {"bridge_days": 14}, "cohort.description.spells")
    outcomes: dict[Literal[OUTCOMES], OutcomeDescription] | None = key(
        None,
        {
            "first_rtw": {
                "direction": "beneficial",
                "name": bilingual("first return to work", "første tilbakeføring"),
            }
        },
    )


DESCRIPTION = CohortDescription


@dataclass(frozen=True)
class CohortData:
    """The validated cohort as read (one row per employee, typed columns) and its study
    description (``cohort.study.yaml``; neutral when the data folder has none)."""

    frame: pd.DataFrame
    study: Study = field(default_factory=Study)
    derivation: spells.Derivation | None = None  # the rules, when derived from spells


def register_extract(data_dir: Path) -> tuple[Path, Path] | None:
    """The persons and spells of ``register/`` when the cohort comes from a register extract:
    there is no ``cohort.csv`` (or ``.xlsx``) beside it (None otherwise)."""
    return None if table_file(data_dir, SCHEMA) else spells.register_files(data_dir)


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
    derivation = None
    if extract := register_extract(data_dir):
        persons, spells_file = extract
        declared = study.description.spells if study.description else None
        derivation = spells.Derivation(
            **(declared.model_dump(exclude_none=True) if declared else {}),
            persons=persons.relative_to(data_dir).as_posix(),
            spells=spells_file.relative_to(data_dir).as_posix(),
        )
        name = spells.shown(persons, data_dir.resolve())
        with tempfile.TemporaryDirectory() as work:
            text = spells.cohort_frame(data_dir.resolve(), derivation, Path(work), engine=engine)
        frame = validate_frame(text, SCHEMA, name, Notes() if notes is None else notes)
    else:
        frame = read_table(data_dir, SCHEMA, notes)
        name = f"{data_dir.resolve().name}/{SCHEMA.file}"
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
    return CohortData(frame, study, derivation)


def prepare(frame: pd.DataFrame, follow_up_days: int = FOLLOW_UP_DAYS) -> pd.DataFrame:
    """Analysis frame: censor at ``follow_up_days``; add age group and collapsed diagnosis;
    text columns as categories."""
    data = frame.copy()
    for outcome in OUTCOMES:
        days = data[f"days_to_{outcome}"].astype(float)
        data[outcome] = ((data[outcome] == 1) & (days <= follow_up_days)).astype(int)
        data[f"days_to_{outcome}"] = days.clip(upper=follow_up_days)
    age = data["age"].astype(float)
    data["age_group"] = (
        pd.Series(
            np.select([age <= 30, age <= 49, age >= 50], AGE_GROUPS, default=""), index=data.index
        )
        .replace("", pd.NA)
        .astype("string")
    )
    data["diagnosis_group"] = (
        data["diagnosis"].replace({"unspecific": "other", "none": "other"}).astype("string")
    )
    # Categories (of the values present) make comparisons and missing-value checks on a
    # register-sized cohort cheap; the values read as before.
    for column in (*LEVELS, "programme_id", "age_group", "diagnosis_group"):
        if column in data:
            data[column] = data[column].astype("category")
    return data


def group_levels(data: pd.DataFrame, by: str) -> list[str]:
    """The levels of ``by`` present in the data, in contract order."""
    return [level for level in LEVELS[by] if (data[by] == level).any()]
