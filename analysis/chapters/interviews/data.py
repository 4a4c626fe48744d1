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

from analysis.core.study import LANGUAGES, Study, load_study, study_file
from analysis.core.validation import Field, InputError, Problem, Schema, read_table, require

FOLDER = "interviews"
CHAPTER = "interviews"
FACT_TEXTS = ("excerpts", "coding")  # facts of the study description that are texts
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
            for lang in ("en", "nb")
        ),
        *(
            Field(
                f"description_{lang}",
                "text",
                nullable=True,
                description_key="contract.interviews.codebook.description",
            )
            for lang in ("en", "nb")
        ),
        *(
            Field(
                f"theme_description_{lang}",
                "text",
                required=False,
                nullable=True,
                description_key="contract.interviews.codebook.theme_description",
            )
            for lang in ("en", "nb")
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
            for lang in ("en", "nb")
        ),
        Field("quoted", "binary", required=False, nullable=True),
        Field("coder", "text", required=False),
    ),
)
SCHEMAS: tuple[Schema, ...] = (PARTICIPANTS, CODEBOOK, SEGMENTS)
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
            name,
            column,
            "the same theme_id has different theme names",
            f"give every row of a theme the same {column}",
        )


def _check_segments(
    segments: pd.DataFrame, participants: pd.DataFrame, codebook: pd.DataFrame, name: str
) -> None:
    require(
        segments["participant_id"].isin(set(participants["participant_id"])),
        name,
        "participant_id",
        "the participant is not in participants.csv",
        "add the participant to participants.csv or correct the id",
    )
    require(
        segments["code_id"].isin(set(codebook["code_id"])),
        name,
        "code_id",
        "the code is not in codebook.csv",
        "add the code to codebook.csv or correct the id",
    )
    require(
        ~segments.duplicated(["segment_id", "code_id", "coder"], keep="first"),
        name,
        "segment_id",
        "the same segment has the same code twice (for the same coder)",
        "remove the duplicate row",
    )
    for column in ("participant_id", "excerpt_en", "excerpt_nb"):
        same = segments.groupby("segment_id")[column].transform("nunique").eq(1)
        require(
            same,
            name,
            column,
            f"rows of the same segment_id differ in {column}",
            "a segment is one passage of one interview: give all its rows the same "
            f"{column}, or give different passages different segment ids",
        )


def _optional(frame: pd.DataFrame, column: str, default: object, dtype: str) -> pd.Series:
    """``frame[column]`` with missing cells set to ``default``; all ``default`` if absent."""
    if column in frame:
        return frame[column].fillna(default)
    return pd.Series(default, index=frame.index, dtype=dtype)


def _study_problem(data_dir: Path, key: str | None, message: str, fix: str) -> Problem:
    return Problem(study_file(data_dir, CHAPTER).name, key, None, message, fix)


def _check_study(data_dir: Path, study: Study, n_participants: int) -> None:
    """The facts of the study description this chapter reads, and no leftover ``study.csv``."""
    problems = []
    if (data_dir / LEGACY_STUDY).is_file():
        problems.append(
            Problem(
                _name(data_dir, LEGACY_STUDY),
                None,
                None,
                "is no longer read: the study description replaces it",
                f"write the number invited into {study_file(data_dir, CHAPTER).name} as "
                "'facts: {n_invited: 40}' (and 'provenance: illustrative' if the excerpts "
                "are made up), then delete study.csv",
            )
        )
    invited = study.facts.get("n_invited")
    if invited is not None and (
        isinstance(invited, bool) or not isinstance(invited, int) or invited < n_participants
    ):
        problems.append(
            _study_problem(
                data_dir,
                "facts.n_invited",
                f"is not a whole number of at least the {n_participants} participants "
                "in participants.csv",
                "give the number of people invited to an interview, or leave it out",
            )
        )
    problems += [
        _study_problem(
            data_dir,
            f"facts.{key}",
            "is not a text in both languages",
            f"write it as {key}: {{en: '…', nb: '…'}}",
        )
        for key in FACT_TEXTS
        if key in study.facts
        and not (
            isinstance(study.facts[key], dict)
            and all(isinstance(study.facts[key].get(lang), str) for lang in LANGUAGES)
        )
    ]
    if problems:
        raise InputError(problems)


def load(data_dir: Path) -> Interviews:
    """Read and validate the three input files, the rules that link them and the facts of the
    study description."""
    data_dir = Path(data_dir)
    participants, codebook, segments = (read_table(data_dir, s) for s in SCHEMAS)
    study = load_study(data_dir, CHAPTER)
    codebook["negative_case"] = _optional(codebook, "negative_case", 0, "Int64")
    segments["quoted"] = _optional(segments, "quoted", 0, "Int64")
    segments["coder"] = _optional(segments, "coder", "", "string")
    _check_codebook(codebook, _name(data_dir, CODEBOOK.file))
    _check_segments(segments, participants, codebook, _name(data_dir, SEGMENTS.file))
    _check_study(data_dir, study, len(participants))
    first = segments["coder"].iloc[0]
    return Interviews(
        participants=participants,
        codebook=codebook,
        segments=segments[segments["coder"] == first].reset_index(drop=True),
        coded=segments,
        study=study,
    )
