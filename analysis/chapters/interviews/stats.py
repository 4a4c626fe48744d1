"""Statistics of the interview chapter: counts with disclosure decisions, the theme matrix,
the excerpts shown per theme and per negative case, and Cohen's κ between two coders."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.stats.inter_rater import cohens_kappa

from analysis.chapters.interviews.data import DIAGNOSES, SEXES, Interviews
from analysis.core.disclosure import (
    SMALL_GROUP,
    Summary,
    Suppressed,
    summarise,
    suppress_counts,
)
from analysis.core.output_checks import EXTREME

EXCERPTS_PER_THEME = 3


# --- participants ------------------------------------------------------------------------------

AGE_BAND = 10  # years: the age range of a group below the threshold is given in whole bands


@dataclass(frozen=True)
class Characteristics:
    """What may be shown of the participants: counts per sex and diagnosis group with the
    hidden ones None (:func:`analysis.core.disclosure.suppress_counts`, the number of
    participants shown), and age and sick-leave grade as summaries that a group below the
    threshold gets only in bands (age) or not at all (grade)."""

    n_participants: int
    n_invited: int | None
    sex: Suppressed[str]
    diagnosis_group: Suppressed[str]
    age: Summary
    sick_leave: Summary
    suppress_below: int

    @property
    def response(self) -> float | None:
        """Share of the invited who took part (None when the number invited is unknown)."""
        return self.n_participants / self.n_invited if self.n_invited else None

    def suppressed(self) -> dict[str, str]:
        """Where values are hidden or withheld, by their key in ``interviews.json``, with the
        reason the results may publish."""
        hidden = {
            f"{group}.{key}": reason
            for group, counts in (("sex", self.sex), ("diagnosis_group", self.diagnosis_group))
            for key, reason in counts.reasons().items()
        }
        if not self.age.exact:  # a small group, or extremes under output checking
            reason = self.age.withheld or EXTREME
            hidden |= {key: reason for key in ("age_min", "age_max")}
        if self.age.withheld:
            hidden["age.median"] = SMALL_GROUP
        if not self.sick_leave.exact:
            reason = self.sick_leave.withheld or EXTREME
            hidden |= {key: reason for key in ("sick_leave.low", "sick_leave.high")}
        return hidden


def characteristics(data: Interviews, suppress_below: int = 0) -> Characteristics:
    """The participants as far as disclosure control at ``suppress_below`` lets them be shown."""
    people = data.participants
    sex = {sex: int(people["sex"].eq(sex).sum()) for sex in SEXES}
    diagnosis = {dx: int(people["diagnosis_group"].eq(dx).sum()) for dx in DIAGNOSES}
    return Characteristics(
        n_participants=len(people),
        n_invited=data.n_invited,
        sex=suppress_counts(sex, suppress_below),
        diagnosis_group=suppress_counts(diagnosis, suppress_below),
        age=summarise(people["age"], suppress_below, band=AGE_BAND),
        sick_leave=summarise(people["sick_leave_pct"], suppress_below),
        suppress_below=suppress_below,
    )


# --- themes and codes --------------------------------------------------------------------------


def code_counts(data: Interviews) -> pd.DataFrame:
    """The codebook (codebook order) with the number of participants and of segments per code."""
    counts = data.segments.groupby("code_id").agg(
        n_participants=("participant_id", "nunique"), n_segments=("segment_id", "nunique")
    )
    frame = data.codebook.set_index("code_id").join(counts)
    columns = ["n_participants", "n_segments"]
    frame[columns] = frame[columns].fillna(0).astype(int)
    return frame.reset_index()


def theme_counts(data: Interviews) -> dict[str, dict[str, int]]:
    """Per theme: participants who contributed and distinct segments coded in it."""
    grouped = data.coded_segments().groupby("theme_id")
    counts = {
        "n_participants": grouped["participant_id"].nunique(),
        "n_segments": grouped["segment_id"].nunique(),
    }
    return {
        theme: {key: int(series.get(theme, 0)) for key, series in counts.items()}
        for theme in data.themes().index
    }


def theme_matrix(data: Interviews) -> pd.DataFrame:
    """Participants × themes: number of segments each participant contributed to each theme."""
    coded = data.coded_segments()
    matrix = pd.crosstab(coded["participant_id"], coded["theme_id"])
    return matrix.reindex(
        index=data.participants["participant_id"].tolist(),
        columns=data.themes().index.tolist(),
        fill_value=0,
    )


def coverage(matrix: pd.DataFrame) -> tuple[int, int]:
    """Participants with a segment in any theme, and those with a segment in every theme."""
    return int((matrix.sum(axis=1) > 0).sum()), int((matrix > 0).all(axis=1).sum())


# --- excerpts ----------------------------------------------------------------------------------


def _quoted_first(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.sort_values(["quoted", "segment_id"], ascending=[False, True], kind="stable")


def excerpts(data: Interviews, theme_id: str, n: int = EXCERPTS_PER_THEME) -> pd.DataFrame:
    """Up to ``n`` segments of a theme: quoted ones first, then one per participant."""
    coded = data.coded_segments()
    rows = _quoted_first(coded[coded["theme_id"] == theme_id])
    return rows.drop_duplicates("participant_id").head(n)


def negative_cases(data: Interviews) -> pd.DataFrame:
    """Codes flagged as negative or divergent cases, with their counts."""
    return code_counts(data).query("negative_case == 1").reset_index(drop=True)


def negative_examples(data: Interviews) -> dict[str, pd.DataFrame]:
    """Per negative or divergent code: its first segment, quoted ones first (may be empty)."""
    segments = data.segments
    return {
        code: _quoted_first(segments[segments["code_id"] == code]).head(1)
        for code in negative_cases(data)["code_id"]
    }


def quote_index(data: Interviews) -> dict[str, tuple[str, ...]]:
    """Per theme: the participants with a segment marked as quoted in the publication."""
    coded = data.coded_segments()
    quoted = coded[coded["quoted"] == 1]
    return {
        theme: tuple(sorted(set(quoted.loc[quoted["theme_id"] == theme, "participant_id"])))
        for theme in data.themes().index
    }


# --- agreement between two coders --------------------------------------------------------------


def coders(coded: pd.DataFrame) -> list[str]:
    """The coders named in ``coded``, in order of first appearance."""
    return [coder for coder in dict.fromkeys(coded["coder"]) if coder]


def shared_segments(coded: pd.DataFrame) -> list[str]:
    """The segments coded by both of the first two coders."""
    first, second = (
        set(coded.loc[coded["coder"] == coder, "segment_id"]) for coder in coders(coded)[:2]
    )
    return sorted(first & second)


def kappa_not_applicable(coded: pd.DataFrame) -> str | None:
    """Why κ does not apply (``no_coder``, ``not_two``, ``no_overlap``), or None when it does."""
    names = coders(coded)
    if not names:
        return "no_coder"
    if len(names) != 2:
        return "not_two"
    if not shared_segments(coded):
        return "no_overlap"
    return None


def kappa_per_code(coded: pd.DataFrame) -> pd.DataFrame:
    """Cohen's κ per code over the segments both coders coded (code applied: yes/no).

    κ is missing (NaN) where both coders gave every shared segment the same answer, so
    chance-corrected agreement is undefined. Codes neither coder used are left out.
    """
    shared = shared_segments(coded)
    rows = []
    for code in dict.fromkeys(coded["code_id"]):
        a, b = (
            np.isin(
                shared,
                coded.loc[(coded["coder"] == coder) & (coded["code_id"] == code), "segment_id"],
            ).astype(int)
            for coder in coders(coded)
        )
        if not (a.any() or b.any()):
            continue
        undefined = (a == b).all() and len(set(a)) == 1
        table = np.zeros((2, 2))
        np.add.at(table, (a, b), 1)  # rows: first coder (no, yes); columns: second coder
        rows.append(
            {
                "code_id": code,
                "n_segments": len(shared),
                "n_first": int(a.sum()),
                "n_second": int(b.sum()),
                "agreement": float((a == b).mean()),
                "kappa": np.nan if undefined else float(cohens_kappa(table, return_results=False)),
            }
        )
    return pd.DataFrame(
        rows, columns=["code_id", "n_segments", "n_first", "n_second", "agreement", "kappa"]
    )


@dataclass(frozen=True)
class Agreement:
    """Agreement between coders: why κ does not apply, or κ per code between two coders."""

    coders: tuple[str, ...]
    not_applicable: str | None
    n_shared: int
    per_code: pd.DataFrame | None


def agreement(coded: pd.DataFrame) -> Agreement:
    """κ per code when exactly two coders coded some of the same segments."""
    reason = kappa_not_applicable(coded)
    if reason is not None:
        return Agreement(tuple(coders(coded)), reason, 0, None)
    return Agreement(tuple(coders(coded)), None, len(shared_segments(coded)), kappa_per_code(coded))
