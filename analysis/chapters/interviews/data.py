"""Input files of the interview chapter, their validation and the loaded data.

``data/interviews/``: ``participants.csv`` (one row per interview, pseudonymous id),
``codebook.csv`` (one row per code, grouped into themes), ``segments.csv`` (one row per coded
segment × code; optional ``coder`` and ``quoted`` columns). The study description
``data/interviews.study.yaml`` (optional) says what the study was and where the data come from;
its ``facts`` may give ``n_invited`` (the number invited, which no row can give), and the texts
``excerpts`` (how illustrative excerpts were written) and ``coding`` (who coded).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core.settings import COLUMN_LANGS
from analysis.core.study import (
    Described,
    LangText,
    Study,
    StudyDescription,
    bilingual,
    check_claim,
    key,
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
    read_table,
    require,
)
from analysis.core.yamlfile import read_yaml

FOLDER = "interviews"
CHAPTER = "interviews"
PUBLISHED = Path(__file__).with_name("published.yaml")  # the article's facts
SEXES = ("female", "male")
DIAGNOSES = ("mental", "musculoskeletal", "other")


PARTICIPANTS = Schema(
    f"{FOLDER}/participants.csv",
    (
        Field("participant_id", "text", unique=True),
        Field("sex", "category", SEXES),
        Field("age", "integer", minimum=16, maximum=80),
        Field("diagnosis_group", "category", DIAGNOSES),
        Field("sick_leave_pct", "integer", minimum=1, maximum=100),
    ),
)
CODEBOOK = Schema(
    f"{FOLDER}/codebook.csv",
    (
        Field("theme_id", "text"),
        Field("code_id", "text", unique=True),
        *(
            Field(f"{name}_{lang}", "text", description_key=f"contract.interviews.codebook.{name}")
            for name in ("theme", "code")
            for lang in COLUMN_LANGS
        ),
        *(
            Field(
                f"description_{lang}",
                "text",
                nullable=True,
                description_key="contract.interviews.codebook.description",
            )
            for lang in COLUMN_LANGS
        ),
        *(
            Field(
                f"theme_description_{lang}",
                "text",
                required=False,
                nullable=True,
                description_key="contract.interviews.codebook.theme_description",
            )
            for lang in COLUMN_LANGS
        ),
        Field("negative_case", "binary", required=False, nullable=True),
    ),
)
SEGMENTS = Schema(
    f"{FOLDER}/segments.csv",
    (
        Field("segment_id", "text"),
        Field("participant_id", "text"),
        Field("code_id", "text"),
        *(
            Field(f"excerpt_{lang}", "text", description_key="contract.interviews.segments.excerpt")
            for lang in COLUMN_LANGS
        ),
        Field("quoted", "binary", required=False, nullable=True),
        Field("coder", "text", required=False),
    ),
)
SCHEMAS: tuple[Schema, ...] = (PARTICIPANTS, CODEBOOK, SEGMENTS)


class InterviewFacts(Described):
    """The facts of an interview study that no data file holds."""

    n_invited: int | None = key(None, 40, "interviews.description.n_invited", ge=0)
    excerpts: LangText | None = key(
        "sentences",
        bilingual(
            "The excerpts are short paraphrases written for this book.",
            "Utdragene er korte omskrivinger skrevet for denne boka.",
        ),
        "interviews.description.excerpts",
    )
    coding: LangText | None = key(
        "prepositional",
        bilingual("in the study, one author did the coding", "i studien kodet én forfatter"),
        "interviews.description.coding",
    )


class InterviewsDescription(StudyDescription):
    """``interviews.study.yaml``: read in "<setting> <citation> <design>."."""

    publications = publication_of(PUBLISHED)

    setting: LangText | None = key(
        "sentences",
        bilingual(
            "People on long-term sick leave were offered two early follow-up sessions with a"
            " NAV caseworker.",
            "Langtidssykmeldte fikk tilbud om to tidlige oppfølgingssamtaler med en veileder i"
            " NAV.",
        ),
    )
    population: LangText | None = key(
        "plural_noun",
        bilingual(
            "sick-listed workers offered the sessions", "sykmeldte som fikk tilbud om samtalene"
        ),
    )
    design: LangText | None = key(
        "clause",
        bilingual(
            "interviewed some of them afterwards and analysed the transcripts with reflexive"
            " thematic analysis",
            "intervjuet noen av dem etterpå og analyserte intervjuene med refleksiv tematisk"
            " analyse",
        ),
    )
    facts: InterviewFacts | None = key(None, {"n_invited": 40})


DESCRIPTION = InterviewsDescription
LEGACY_STUDY = f"{FOLDER}/study.csv"  # replaced by the study description


@dataclass(frozen=True)
class Interviews:
    """The validated inputs. ``segments`` holds the first coder's rows; ``coded`` all rows."""

    participants: pd.DataFrame
    codebook: pd.DataFrame
    segments: pd.DataFrame
    coded: pd.DataFrame
    study: Study

    @property
    def n_invited(self) -> int | None:
        """The number invited to an interview, if the study description gives it."""
        return self.study.facts.get("n_invited")

    @property
    def illustrative(self) -> bool:
        """True when the study description says the excerpts are made up, not coded text."""
        return self.study.synthetic

    def themes(self) -> pd.DataFrame:
        """One row per theme, in codebook order."""
        return self.codebook.drop_duplicates("theme_id").set_index("theme_id")

    def coded_segments(self) -> pd.DataFrame:
        """The first coder's segments joined with their theme."""
        return self.segments.merge(self.codebook[["code_id", "theme_id"]], on="code_id")


def _name(data_dir: Path, file: str) -> str:
    return f"{Path(data_dir).name}/{file}"


def _check_codebook(codebook: pd.DataFrame, name: str) -> None:
    for column in ("theme_en", "theme_nb"):
        labels = codebook.groupby("theme_id")[column].transform("nunique")
        require(
            labels.eq(1),
            codebook,
            name,
            column,
            Message("interviews.input.theme_names_differ"),
            Message("interviews.input.fix.theme_names_differ", column=column),
        )


def _check_segments(
    segments: pd.DataFrame, participants: pd.DataFrame, codebook: pd.DataFrame, name: str
) -> None:
    require(
        segments["participant_id"].isin(set(participants["participant_id"])),
        segments,
        name,
        "participant_id",
        Message("interviews.input.participant_unknown"),
        Message("interviews.input.fix.participant_unknown"),
    )
    require(
        segments["code_id"].isin(set(codebook["code_id"])),
        segments,
        name,
        "code_id",
        Message("interviews.input.code_unknown"),
        Message("interviews.input.fix.code_unknown"),
    )
    require(
        ~segments.duplicated(["segment_id", "code_id", "coder"], keep="first"),
        segments,
        name,
        "segment_id",
        Message("interviews.input.code_twice"),
        Message("interviews.input.fix.code_twice"),
    )
    for column in ("participant_id", "excerpt_en", "excerpt_nb"):
        same = segments.groupby("segment_id")[column].transform("nunique").eq(1)
        require(
            same,
            segments,
            name,
            column,
            Message("interviews.input.segment_differs", column=column),
            Message("interviews.input.fix.segment_differs", column=column),
        )


def _optional(frame: pd.DataFrame, column: str, default: object, dtype: str) -> pd.Series:
    """``frame[column]`` with missing cells set to ``default``; all ``default`` if absent."""
    if column in frame:
        return frame[column].fillna(default)
    return pd.Series(default, index=frame.index, dtype=dtype)


def _legacy_invited(data_dir: Path) -> str:
    """The number invited that a leftover ``study.csv`` gives (``N`` when it gives none)."""
    try:
        values = pd.read_csv(data_dir / LEGACY_STUDY, dtype=str)["n_invited"].dropna()
    except (KeyError, ValueError, OSError, pd.errors.ParserError):
        return "N"
    return values.iloc[0].strip() if len(values) == 1 else "N"


def _check_study(data_dir: Path, study: Study, n_participants: int) -> None:
    """The facts of the study description this chapter reads, and no leftover ``study.csv``."""
    name = study_file(data_dir, CHAPTER).name
    problems = []
    if (data_dir / LEGACY_STUDY).is_file():
        problems.append(
            Problem(
                _name(data_dir, LEGACY_STUDY),
                None,
                None,
                Message("interviews.input.legacy_study"),
                Message(
                    "interviews.input.fix.legacy_study",
                    file=study_file(data_dir, CHAPTER).name,
                    facts=f"'facts: {{n_invited: {_legacy_invited(data_dir)}}}'",
                    provenance="'provenance: illustrative'",
                ),
            )
        )
    invited = study.facts.get("n_invited")
    if invited is not None and invited < n_participants:
        problems.append(
            Problem(
                name,
                None,
                None,
                Message("interviews.input.n_invited", n=n_participants),
                Message("interviews.input.fix.n_invited"),
                key="facts.n_invited",
            )
        )
    if problems:
        raise InputError(problems)


def load(data_dir: Path, notes: Notes | None = None) -> Interviews:
    """Read and validate the three input files, the rules that link them and the facts of the
    study description; how the files were read goes to ``notes`` (when given)."""
    data_dir = Path(data_dir)
    participants, codebook, segments = (read_table(data_dir, s, notes) for s in SCHEMAS)
    study = load_study(data_dir, CHAPTER, DESCRIPTION)
    codebook["negative_case"] = _optional(codebook, "negative_case", 0, "Int64")
    segments["quoted"] = _optional(segments, "quoted", 0, "Int64")
    segments["coder"] = _optional(segments, "coder", "", "string")
    _check_codebook(codebook, _name(data_dir, CODEBOOK.file))
    _check_segments(segments, participants, codebook, _name(data_dir, SEGMENTS.file))
    _check_study(data_dir, study, len(participants))
    check_claim(
        study,
        data_dir,
        CHAPTER,
        "interviews.claim.themes",
        read_yaml(PUBLISHED)["quoted"],
        codebook["theme_id"],
    )
    first = segments["coder"].iloc[0]
    return Interviews(
        participants=participants,
        codebook=codebook,
        segments=segments[segments["coder"] == first].reset_index(drop=True),
        coded=segments,
        study=study,
    )
