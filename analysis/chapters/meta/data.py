"""Input files of the meta-analysis chapter (``data/meta/*.csv``): schemas and validated loading.

GRADE judgements, risk-of-bias judgements and the PRISMA flow are data; nothing here grades
evidence. ``studies.csv`` and ``analyses.csv`` are required; the files of ``OPTIONAL`` may be
left out (or hold a header only), and the page then leaves out their sections. The study
description ``meta.study.yaml`` is optional too (:mod:`analysis.core.study`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.core.settings import COLUMN_LANGS
from analysis.core.study import (
    DIRECTIONS,
    Described,
    LangText,
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
    require,
)

SOURCES = ("primary", "derived", "reconstructed")
JUDGEMENTS = ("not_serious", "serious", "very_serious")
CERTAINTY = ("high", "moderate", "low", "very_low")
DOMAINS = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")
ROB_DOMAINS = (
    "randomisation",
    "allocation",
    "blinding_participants",
    "blinding_outcome",
    "attrition",
    "selective_reporting",
    "other",
)
ROB_LEVELS = ("low", "unclear", "high")
COUNTRIES = ("denmark", "netherlands", "norway", "sweden", "other")
PRISMA_STEPS = (
    "records_database",
    "records_other",
    "records_screened",
    "excluded_screening",
    "fulltext_assessed",
    "excluded_fulltext",
    "included_studies",
    "included_publications",
    "included_reviews",
)
COUNT_COLUMNS = ("events_intervention", "n_intervention", "events_control", "n_control")
GENERIC_COLUMNS = ("measure", "estimate", "ci_low", "ci_high")


def _bilingual(file_key: str, name: str, nullable: bool = False) -> tuple[Field, ...]:
    """A text column in English and in Norwegian, sharing one contract description."""
    return tuple(
        Field(
            f"{name}_{lang}",
            "text",
            nullable=nullable,
            description_key=f"contract.meta.{file_key}.{name}",
        )
        for lang in COLUMN_LANGS
    )


def _shared(file_key: str, name: str) -> str:
    return f"contract.meta.{file_key}.{name}"


STUDIES = Schema(
    "meta/studies.csv",
    (
        Field("analysis_id", "text"),
        Field("study", "text"),
        Field("year", "integer", minimum=1900, maximum=2100),
        *(
            Field(
                column,
                "integer",
                nullable=True,
                minimum=1 if column.startswith("n_") else 0,
                description_key=_shared("studies", "counts"),
            )
            for column in COUNT_COLUMNS
        ),
        Field("follow_up_months", "number", nullable=True, required=False, minimum=0),
        Field(
            "measure",
            "category",
            levels=("RR",),
            nullable=True,
            required=False,
            description_key=_shared("studies", "generic"),
        ),
        *(
            Field(
                column,
                "number",
                nullable=True,
                required=False,
                minimum=0,
                description_key=_shared("studies", "generic"),
            )
            for column in GENERIC_COLUMNS[1:]
        ),
        Field("source", "category", levels=SOURCES),
        Field("source_detail", "text", nullable=True, required=False),
    ),
)

ANALYSES = Schema(
    "meta/analyses.csv",
    (
        Field("analysis_id", "text", unique=True),
        *_bilingual("analyses", "comparison"),
        *_bilingual("analyses", "outcome"),
        Field("follow_up_months", "number", nullable=True, minimum=0),
        Field("control_risk_per_100", "number", minimum=0, maximum=100),
        Field("direction", "category", levels=DIRECTIONS, nullable=True, required=False),
        *(
            Field(
                domain,
                "category",
                levels=JUDGEMENTS,
                description_key=_shared("analyses", "judgement"),
            )
            for domain in DOMAINS
        ),
        *(
            Field(
                f"{domain}_note_{lang}",
                "text",
                nullable=True,
                description_key=_shared("analyses", "note"),
            )
            for domain in DOMAINS
            for lang in COLUMN_LANGS
        ),
        Field("certainty", "category", levels=CERTAINTY),
    ),
)

CHARACTERISTICS = Schema(
    "meta/characteristics.csv",
    (
        Field("study", "text", unique=True),
        Field("year", "integer", minimum=1900, maximum=2100),
        Field("country", "category", levels=COUNTRIES),
        Field("n_participants", "integer", minimum=1),
        *_bilingual("characteristics", "population"),
        *_bilingual("characteristics", "intervention"),
        *_bilingual("characteristics", "comparator"),
        Field("follow_up_months", "number", nullable=True, minimum=0),
        *_bilingual("characteristics", "outcomes"),
    ),
)

RISK_OF_BIAS = Schema(
    "meta/risk_of_bias.csv",
    (
        Field("publication", "text", unique=True),
        *(
            Field(
                domain,
                "category",
                levels=ROB_LEVELS,
                description_key=_shared("risk_of_bias", "domain"),
            )
            for domain in ROB_DOMAINS
        ),
    ),
)

PRISMA = Schema(
    "meta/prisma.csv",
    (
        Field("step", "category", levels=PRISMA_STEPS, unique=True),
        Field("count", "integer", minimum=0),
    ),
)

NARRATIVE = Schema(
    "meta/narrative.csv",
    (
        *_bilingual("narrative", "comparison"),
        Field("study", "text"),
        *_bilingual("narrative", "outcome"),
        Field("follow_up_months", "number", nullable=True, minimum=0),
        Field("n_participants", "integer", nullable=True, minimum=1),
        *_bilingual("narrative", "result"),
        Field("certainty", "category", levels=CERTAINTY, nullable=True),
    ),
)

SCHEMAS: tuple[Schema, ...] = (STUDIES, ANALYSES, CHARACTERISTICS, RISK_OF_BIAS, PRISMA, NARRATIVE)


class MetaFacts(Described):
    """The facts of a review that no data file holds."""

    randomised: bool | None = key(None, True, "meta.description.randomised")


class MetaDescription(StudyDescription):
    """``meta.study.yaml``: read in "This chapter re-analyses <reference>" and "<n> <design>"."""

    publications = publication_of(Path(__file__).with_name("published.yaml"))

    reference: LangText | None = key(
        "definite",
        bilingual(
            "the systematic review of return-to-work programmes by the Norwegian Institute of"
            " Public Health",
            "Folkehelseinstituttets systematiske oversikt over tilbakeføringsprogrammer",
        ),
    )
    population: LangText | None = key(
        "plural_noun", bilingual("people on long-term sick leave", "langtidssykmeldte")
    )
    design: LangText | None = key(
        "plural_noun", bilingual("randomised trials", "randomiserte studier")
    )
    facts: MetaFacts | None = key(None, {"randomised": True})


DESCRIPTION = MetaDescription
# Files a review may leave out: ``load`` gives None for them when absent or without rows.
OPTIONAL: tuple[Schema, ...] = (CHARACTERISTICS, RISK_OF_BIAS, PRISMA, NARRATIVE)


@dataclass(frozen=True)
class MetaData:
    """Every validated input table of the chapter (``prisma`` is the count per step), None
    for an optional file the data leave out, and the study description.

    ``analyses["direction"]`` is always filled: the file's value, else the direction of the
    study description's outcome when it describes exactly one, else ``beneficial``.
    """

    studies: pd.DataFrame
    analyses: pd.DataFrame
    characteristics: pd.DataFrame | None
    risk_of_bias: pd.DataFrame | None
    prisma: pd.Series | None
    narrative: pd.DataFrame | None
    study: Study = field(default_factory=Study)


def analysis_parts(
    analyses: pd.DataFrame, analysis_id: str
) -> tuple[dict[str, dict[str, str]], float | None]:
    """The comparison and outcome names of an analysis of analyses.csv in every language, and
    its follow-up in months (None when not given)."""
    row = analyses.set_index("analysis_id").loc[analysis_id]
    names = {
        part: {lang: row[f"{part}_{lang}"] for lang in ("en", "nb")}
        for part in ("comparison", "outcome")
    }
    months = row["follow_up_months"]
    return names, None if pd.isna(months) else float(months)


def analysis_name(analyses: pd.DataFrame, analysis_id: str) -> Message:
    """``Comparison, outcome, 12 months`` of an analysis (no months when not given), the name
    of the reproduction rows about it; the page's sentences count the months
    (``narrative.analysis_label``)."""
    names, months = analysis_parts(analyses, analysis_id)
    if months is None:
        return Message("meta.analysis_label_no_months", **names)
    # The reproduced review's follow-ups are whole numbers of months, never one.
    given = int(months) if months.is_integer() else months
    months_text = Message("meta.count.months.other", n=given)
    return Message("meta.analysis_label", **names, months=months_text)


def _study_problems(studies: pd.DataFrame, analyses: pd.DataFrame) -> list[Problem]:
    """Cross-column and cross-file rules of studies.csv."""
    name = STUDIES.file
    counts = list(COUNT_COLUMNS)
    problems = []
    known = set(analyses["analysis_id"])
    for i, record in studies.iterrows():
        row = int(i) + 1
        if record["analysis_id"] not in known:
            problems.append(
                Problem(
                    name,
                    "analysis_id",
                    row,
                    Message(
                        "meta.input.analysis_unknown",
                        analysis=repr(record["analysis_id"]),
                        file=ANALYSES.file,
                    ),
                    Message("meta.input.fix.analysis_unknown", file=ANALYSES.file),
                )
            )
        has_counts = [pd.notna(record[c]) for c in counts]
        has_generic = [c in record and pd.notna(record[c]) for c in GENERIC_COLUMNS]
        if any(has_counts) and not all(has_counts):
            missing = counts[has_counts.index(False)]
            problems.append(
                Problem(
                    name,
                    missing,
                    row,
                    Message("meta.input.partial_counts"),
                    Message("meta.input.fix.partial_counts"),
                )
            )
        elif not any(has_counts) and not all(has_generic):
            problems.append(
                Problem(
                    name,
                    "estimate",
                    row,
                    Message("meta.input.no_estimate"),
                    Message("meta.input.fix.no_estimate"),
                )
            )
        if all(has_counts):
            for events, total in (
                ("events_intervention", "n_intervention"),
                ("events_control", "n_control"),
            ):
                if record[events] > record[total]:
                    problems.append(
                        Problem(
                            name,
                            events,
                            row,
                            Message(
                                "meta.input.events_exceed",
                                events=record[events],
                                total=record[total],
                                column=total,
                            ),
                            Message("meta.input.fix.events_exceed", column=total),
                        )
                    )
        elif all(has_generic) and not (
            0 < record["ci_low"] <= record["estimate"] <= record["ci_high"]
        ):
            problems.append(
                Problem(
                    name,
                    "ci_low",
                    row,
                    Message("meta.input.ci_outside"),
                    Message("meta.input.fix.ci_outside"),
                )
            )
    duplicated = studies.duplicated(["analysis_id", "study"], keep="first")
    problems += [
        Problem(
            name,
            "study",
            int(i) + 1,
            Message(
                "meta.input.duplicate_study",
                study=repr(studies.at[i, "study"]),
                analysis=repr(studies.at[i, "analysis_id"]),
            ),
            Message("meta.input.fix.duplicate_study"),
        )
        for i in duplicated.index[duplicated]
    ]
    return problems


def _prisma_problems(prisma: pd.Series) -> list[Problem]:
    """The flow numbers must add up from one box to the next."""
    rules = (
        ("records_screened", ("records_database", "records_other"), ()),
        ("fulltext_assessed", ("records_screened",), ("excluded_screening",)),
        (
            "included_publications",
            ("fulltext_assessed",),
            ("excluded_fulltext", "included_reviews"),
        ),
    )
    missing = [step for step in PRISMA_STEPS if step not in prisma.index]
    if missing:
        return [
            Problem(
                PRISMA.file,
                "step",
                None,
                Message("meta.input.step_missing", step=repr(step)),
                Message("meta.input.fix.step_missing"),
            )
            for step in missing
        ]
    problems = []
    for target, plus, minus in rules:
        expected = sum(int(prisma[s]) for s in plus) - sum(int(prisma[s]) for s in minus)
        if int(prisma[target]) != expected:
            problems.append(
                Problem(
                    PRISMA.file,
                    "count",
                    list(prisma.index).index(target) + 1,
                    Message(
                        "meta.input.flow",
                        step=target,
                        count=prisma[target],
                        expected=expected,
                    ),
                    Message("meta.input.fix.flow"),
                )
            )
    return problems


def _left_out(data_dir: Path, schema: Schema) -> bool:
    """True for an optional file that is absent or has a header but no rows."""
    if schema not in OPTIONAL:
        return False
    path = data_dir / schema.file
    if not path.is_file():
        return True
    try:
        return pd.read_csv(path, dtype=str, nrows=1).empty
    except (pd.errors.ParserError, UnicodeDecodeError):
        return False  # read_table reports it


def _directions(analyses: pd.DataFrame, study: Study) -> pd.Series:
    """Each analysis' outcome direction (see :class:`MetaData`): its ``direction`` cell, else
    the direction of the described outcome it names (by key or English name), else the one
    described outcome's, else ``beneficial``. With several described outcomes an analysis
    that names none of them and gives no direction is an input error."""
    named = {}
    for name, outcome in study.outcomes.items():
        named[name.casefold()] = named[outcome.name["en"].strip().casefold()] = outcome.direction
    given = analyses["direction"] if "direction" in analyses else pd.Series(pd.NA, analyses.index)
    described = analyses["outcome_en"].str.strip().str.casefold().map(named)
    directions = given.astype("string").fillna(described.astype("string"))
    if len(study.outcomes) > 1:
        require(
            directions.notna(),
            analyses,
            ANALYSES.file,
            "outcome_en",
            Message("meta.input.outcome_undescribed", file="meta.study.yaml"),
            Message(
                "meta.input.fix.outcome_undescribed",
                outcomes=", ".join(o.name["en"] for o in study.outcomes.values()),
            ),
        )
    only = [outcome.direction for outcome in study.outcomes.values()]
    return directions.fillna(only[0] if len(only) == 1 else "beneficial").astype("string")


def load(data_dir: Path | str, notes: Notes | None = None) -> MetaData:
    """Read and validate every input file of the chapter (raises ``InputError``); how the
    files were read goes to ``notes`` (when given)."""
    data_dir = Path(data_dir)
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame | None] = {}
    for schema in SCHEMAS:
        if _left_out(data_dir, schema):
            tables[schema.file] = None
            continue
        try:
            tables[schema.file] = read_table(data_dir, schema, notes)
        except InputError as error:
            problems += error.problems
    if problems:
        raise InputError(problems)
    study = load_study(data_dir, "meta", DESCRIPTION)
    studies, analyses = tables[STUDIES.file], tables[ANALYSES.file]
    analyses = analyses.assign(direction=_directions(analyses, study))
    flow = tables[PRISMA.file]
    prisma = None if flow is None else flow.set_index("step")["count"]
    problems = located(_study_problems(studies, analyses), studies)
    if prisma is not None:
        problems += located(_prisma_problems(prisma), flow)
    if problems:
        raise InputError(problems)
    return MetaData(
        studies,
        analyses,
        tables[CHARACTERISTICS.file],
        tables[RISK_OF_BIAS.file],
        prisma,
        tables[NARRATIVE.file],
        study,
    )
