"""Input files of the interview chapter, their validation and the loaded data.

``data/interviews/``: ``participants.csv`` (one row per interview, pseudonymous id),
``codebook.csv`` (one row per code, grouped into themes), ``segments.csv`` (one row per coded
segment × code; optional ``coder`` and ``quoted`` columns) and ``study.csv`` (one row: the
number invited, which no row can give, and whether the excerpts are illustrative).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core.validation import Field, InputError, Problem, Schema, read_table, require

FOLDER = "interviews"
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
STUDY = Schema(
    f"{FOLDER}/study.csv",
    (
        Field("n_invited", "integer", nullable=True, minimum=1),
        Field("illustrative", "binary"),
    ),
)
SCHEMAS: tuple[Schema, ...] = (PARTICIPANTS, CODEBOOK, SEGMENTS, STUDY)


@dataclass(frozen=True)
class Interviews:
    """The validated inputs. ``segments`` holds the first coder's rows; ``coded`` all rows."""

    participants: pd.DataFrame
    codebook: pd.DataFrame
    segments: pd.DataFrame
    coded: pd.DataFrame
    n_invited: int | None
    illustrative: bool

    def themes(self) -> pd.DataFrame:
        """One row per theme, in codebook order."""
        return self.codebook.drop_duplicates("theme_id").set_index("theme_id")

    def coded_segments(self) -> pd.DataFrame:
        """The first coder's segments joined with their theme."""
        return self.segments.merge(self.codebook[["code_id", "theme_id"]], on="code_id")


def _name(data_dir: Path, schema: Schema) -> str:
    return f"{Path(data_dir).name}/{schema.file}"


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


def load(data_dir: Path) -> Interviews:
    """Read and validate the four input files and the rules that link them."""
    data_dir = Path(data_dir)
    participants, codebook, segments, study = (read_table(data_dir, s) for s in SCHEMAS)
    if len(study) != 1:
        raise InputError(
            [
                Problem(
                    _name(data_dir, STUDY),
                    None,
                    None,
                    f"the file has {len(study)} data rows",
                    "keep exactly one row with n_invited and illustrative",
                )
            ]
        )
    codebook["negative_case"] = _optional(codebook, "negative_case", 0, "Int64")
    segments["quoted"] = _optional(segments, "quoted", 0, "Int64")
    segments["coder"] = _optional(segments, "coder", "", "string")
    _check_codebook(codebook, _name(data_dir, CODEBOOK))
    _check_segments(segments, participants, codebook, _name(data_dir, SEGMENTS))
    n_invited = study["n_invited"].iloc[0]
    n_invited = None if pd.isna(n_invited) else int(n_invited)
    require(
        pd.Series([n_invited is None or n_invited >= len(participants)]),
        _name(data_dir, STUDY),
        "n_invited",
        f"fewer invited than the {len(participants)} participants in participants.csv",
        "give the number of people invited to an interview, or leave it empty",
    )
    first = segments["coder"].iloc[0]
    return Interviews(
        participants=participants,
        codebook=codebook,
        segments=segments[segments["coder"] == first].reset_index(drop=True),
        coded=segments,
        n_invited=n_invited,
        illustrative=bool(study["illustrative"].iloc[0]),
    )
