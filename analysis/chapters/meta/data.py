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
    check_claim,
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
from analysis.core.yamlfile import read_yaml

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
# Mean and SD of both arms of a continuous outcome (the sizes are n_intervention, n_control).
CONTINUOUS_COLUMNS = ("mean_intervention", "sd_intervention", "mean_control", "sd_control")
ARM_SIZES = ("n_intervention", "n_control")
# The measure an analysis pools: risk ratios of 2×2 counts, or mean differences or
# standardised mean differences (Hedges' g) of means and SDs.
BINARY_MEASURE = "RR"
CONTINUOUS_MEASURES = ("MD", "SMD")
ANALYSIS_MEASURES = (BINARY_MEASURE, *CONTINUOUS_MEASURES)


def _bilingual(
    file_key: str, name: str, nullable: bool = False, required: bool = True
) -> tuple[Field, ...]:
    """A text column in English and in Norwegian, sharing one contract description."""
    return tuple(
        Field(
            f"{name}_{lang}",
            "text",
            nullable=nullable,
            required=required,
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
        *(
            Field(
                column,
                "number",
                nullable=True,
                required=False,
                minimum=0 if column.startswith("sd_") else None,
                description_key=_shared("studies", "continuous"),
            )
            for column in CONTINUOUS_COLUMNS
        ),
        *_bilingual("studies", "subgroup", nullable=True, required=False),
        Field("source", "category", levels=SOURCES),
        Field("source_detail", "text", nullable=True, required=False),
    ),
)

ANALYSES = Schema(
    "meta/analyses.csv",
    (
        Field("analysis_id", "text", unique=True),
        Field("comparison_id", "text"),
        *_bilingual("analyses", "comparison"),
        *_bilingual("analyses", "outcome"),
        Field("follow_up_months", "number", nullable=True, minimum=0),
        Field("measure", "category", levels=ANALYSIS_MEASURES, nullable=True, required=False),
        Field("control_risk_per_100", "number", nullable=True, minimum=0, maximum=100),
        *_bilingual("analyses", "subgroups", nullable=True, required=False),
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
        Field("comparison_id", "text"),
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


PUBLISHED = Path(__file__).with_name("published.yaml")  # the review's printed numbers


class MetaFacts(Described):
    """The facts of a review that no data file holds."""

    randomised: bool | None = key(None, True, "meta.description.randomised")


class MetaDescription(StudyDescription):
    """``meta.study.yaml``: read in "This chapter re-analyses <reference>", "The review is about
    <population> (<period>)" and "<n> <design>"."""

    publications = publication_of(PUBLISHED)

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
    period: LangText | None = key(
        "period_note",
        bilingual("literature search completed May 2020", "litteratursøk avsluttet mai 2020"),
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
    study description's outcome when it describes exactly one, else ``beneficial``;
    ``analyses["measure"]`` too: the file's value, else ``RR``.
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
    row = analyses.loc[analyses["analysis_id"].to_numpy() == analysis_id].iloc[0]
    names = {
        part: {lang: row[f"{part}_{lang}"] for lang in COLUMN_LANGS}
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


def _given(record: pd.Series, column: str) -> bool:
    """Whether a row has a value in ``column`` (an optional column may be absent)."""
    return column in record and pd.notna(record[column])


def _binary_row_problems(record: pd.Series, row: int) -> list[Problem]:
    """The rules of a row of a risk-ratio analysis: four counts or a reported RR with its CI,
    events within their arm, no means or SDs."""
    name, counts = STUDIES.file, list(COUNT_COLUMNS)
    has_counts = [_given(record, c) for c in counts]
    has_generic = [_given(record, c) for c in GENERIC_COLUMNS]
    problems = []
    means = [column for column in CONTINUOUS_COLUMNS if _given(record, column)]
    if means:
        problems.append(
            Problem(
                name,
                means[0],
                row,
                Message("meta.input.continuous_in_binary", measure=BINARY_MEASURE),
                Message("meta.input.fix.continuous_in_binary"),
            )
        )
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
    elif all(has_generic) and not (0 < record["ci_low"] <= record["estimate"] <= record["ci_high"]):
        problems.append(
            Problem(
                name,
                "ci_low",
                row,
                Message("meta.input.ci_outside"),
                Message("meta.input.fix.ci_outside"),
            )
        )
    return problems


def _continuous_row_problems(record: pd.Series, row: int, measure: str) -> list[Problem]:
    """The rules of a row of an MD or SMD analysis: mean, SD (above 0) and size of both arms,
    and no events or reported ratio."""
    name = STUDIES.file
    needed = (*CONTINUOUS_COLUMNS, *ARM_SIZES)
    problems = []
    missing = [column for column in needed if not _given(record, column)]
    if missing:
        problems.append(
            Problem(
                name,
                missing[0],
                row,
                Message("meta.input.continuous_missing", measure=measure),
                Message("meta.input.fix.continuous_missing"),
            )
        )
    problems += [
        Problem(
            name,
            column,
            row,
            Message("meta.input.sd_zero"),
            Message("meta.input.fix.sd_zero"),
        )
        for column in ("sd_intervention", "sd_control")
        if _given(record, column) and record[column] <= 0
    ]
    extra = [
        column
        for column in ("events_intervention", "events_control", *GENERIC_COLUMNS)
        if _given(record, column)
    ]
    if extra:
        problems.append(
            Problem(
                name,
                extra[0],
                row,
                Message("meta.input.binary_in_continuous", measure=measure),
                Message("meta.input.fix.binary_in_continuous"),
            )
        )
    return problems


def _study_problems(studies: pd.DataFrame, analyses: pd.DataFrame) -> list[Problem]:
    """Cross-column and cross-file rules of studies.csv: each row as its analysis' measure
    needs, and a subgroup (in every language) for each row of an analysis that declares
    subgroups."""
    name = STUDIES.file
    problems = []
    declared = analyses.set_index("analysis_id")
    for i, record in studies.iterrows():
        row = int(i) + 1
        if record["analysis_id"] not in declared.index:
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
            continue
        analysis = declared.loc[record["analysis_id"]]
        measure = str(analysis["measure"])
        if measure == BINARY_MEASURE:
            problems += _binary_row_problems(record, row)
        else:
            problems += _continuous_row_problems(record, row, measure)
        if _given(analysis, "subgroups_en"):
            problems += [
                Problem(
                    name,
                    f"subgroup_{lang}",
                    row,
                    Message("meta.input.subgroup_missing", analysis=repr(record["analysis_id"])),
                    Message("meta.input.fix.subgroup_missing", file=ANALYSES.file),
                )
                for lang in COLUMN_LANGS
                if not _given(record, f"subgroup_{lang}")
            ]
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


def _analysis_problems(analyses: pd.DataFrame) -> list[Problem]:
    """A risk-ratio analysis needs the assumed control risk of its summary of findings."""
    return [
        Problem(
            ANALYSES.file,
            "control_risk_per_100",
            int(i) + 1,
            Message("meta.input.control_risk_missing", measure=BINARY_MEASURE),
            Message("meta.input.fix.control_risk_missing"),
        )
        for i, record in analyses.iterrows()
        if record["measure"] == BINARY_MEASURE and pd.isna(record["control_risk_per_100"])
    ]


def _comparison_problems(analyses: pd.DataFrame, narrative: pd.DataFrame | None) -> list[Problem]:
    """One name per language for each ``comparison_id``, in analyses.csv and narrative.csv
    alike: a row naming a comparison differently from its first row is a problem (in the
    file of that row; rows of analyses.csv count first)."""
    files = [(ANALYSES.file, analyses)]
    if narrative is not None:
        files.append((NARRATIVE.file, narrative))
    first: dict[tuple[str, str], tuple[str, str, int]] = {}
    problems = []
    for name, frame in files:
        for i, record in frame.iterrows():
            for lang in COLUMN_LANGS:
                column = f"comparison_{lang}"
                key = (str(record["comparison_id"]), lang)
                seen = first.setdefault(key, (str(record[column]), name, int(i) + 1))
                if str(record[column]) != seen[0]:
                    problems.append(
                        Problem(
                            name,
                            column,
                            int(i) + 1,
                            Message(
                                "meta.input.comparison_renamed",
                                comparison=repr(key[0]),
                                name=repr(str(record[column])),
                                first=repr(seen[0]),
                                file=seen[1],
                                row=seen[2],
                            ),
                            Message("meta.input.fix.comparison_renamed", column=column),
                        )
                    )
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


def _measures(analyses: pd.DataFrame) -> pd.Series:
    """Each analysis' measure: the file's value, else RR."""
    given = analyses["measure"] if "measure" in analyses else pd.Series(pd.NA, analyses.index)
    return given.fillna(BINARY_MEASURE).astype("string")


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
    analyses = analyses.assign(direction=_directions(analyses, study), measure=_measures(analyses))
    flow = tables[PRISMA.file]
    prisma = None if flow is None else flow.set_index("step")["count"]
    problems = located(_study_problems(studies, analyses), studies)
    problems += located(_analysis_problems(analyses), analyses)
    comparison_problems = _comparison_problems(analyses, tables[NARRATIVE.file])
    for schema in (ANALYSES, NARRATIVE):
        problems += located(
            [p for p in comparison_problems if p.file == schema.file], tables[schema.file]
        )
    if prisma is not None:
        problems += located(_prisma_problems(prisma), flow)
    if problems:
        raise InputError(problems)
    check_claim(
        study,
        data_dir,
        "meta",
        "meta.claim.analyses",
        read_yaml(PUBLISHED)["analyses"],
        analyses["analysis_id"],
    )
    return MetaData(
        studies,
        analyses,
        tables[CHARACTERISTICS.file],
        tables[RISK_OF_BIAS.file],
        prisma,
        tables[NARRATIVE.file],
        study,
    )
