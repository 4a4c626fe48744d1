"""Statistics of the interview chapter: counts with disclosure decisions, the theme matrix,
the excerpts shown per theme and per negative case, and Cohen's κ between two coders."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.stats.inter_rater import cohens_kappa

from analysis.chapters.interviews.data import DIAGNOSES, SEXES, Interviews
from analysis.core.disclosure import (
    COUNT,
    SMALL_GROUP,
    Summary,
    Suppressed,
    Table,
    is_suppressed,
    protect_linked,
    summarise,
    suppress_counts,
    too_small,
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


# Themes up to which the counts of participants per theme, of those contributing and of those
# in every theme are protected as one system (2**themes patterns of themes); with more themes
# under control the last two are not shown.
LINKED_THEMES = 8


@dataclass(frozen=True)
class Contributions:
    """The counts of the coding as disclosure control shows them (None: hidden). Participants
    per theme and per code are persons, and so are those contributing (to any theme) and those
    in every theme; segments per code and theme are hidden with the participants they bound
    (a code's segments are at least its participants)."""

    themes: dict[str, dict[str, int | None]]
    codes: dict[str, dict[str, int | None]]
    n_segments: int | None
    n_contributing: int | None
    n_covered: int | None
    suppress_below: int
    reason: str = COUNT

    def suppressed(self) -> dict[str, str]:
        """The keys of ``interviews.json`` set to null, with the public reason (``count``, or
        ``small_group`` for fewer participants than the threshold)."""
        hidden = {
            f"themes.{theme}.{count}": self.reason
            for theme, counts in self.themes.items()
            for count, value in counts.items()
            if value is None
        }
        hidden |= {
            f"codes[{i}].{count}": self.reason
            for i, counts in enumerate(self.codes.values())
            for count, value in counts.items()
            if value is None
        }
        hidden |= {
            f"coding.{key}": self.reason for key, value in self.to_json().items() if value is None
        }
        return hidden

    @property
    def hidden_codes(self) -> bool:
        """True when a code's counts are hidden (its bar is not drawn)."""
        return any(counts["n_participants"] is None for counts in self.codes.values())

    def codebook(self, codebook: pd.DataFrame) -> pd.DataFrame:
        """``codebook`` with each code's ``n_participants`` and ``n_segments`` as shown."""
        shown = codebook.copy()
        for count in ("n_participants", "n_segments"):
            shown[count] = [self.codes[code][count] for code in shown["code_id"]]
        return shown

    def codes_json(self) -> list[dict]:
        """The counts per code, in codebook order (code ids may hold dots: a list, not keys)."""
        return [{"code_id": code} | counts for code, counts in self.codes.items()]

    def to_json(self) -> dict:
        """The counts of the coding as a whole: segments, contributing, in every theme."""
        return {
            "n_segments": self.n_segments,
            "n_contributing": self.n_contributing,
            "n_covered": self.n_covered,
        }


def _small_either_way(count: int, n: int, threshold: int) -> bool:
    """A count of persons is primary if it or the number without it (of ``n``) is small."""
    return is_suppressed(count, threshold) or is_suppressed(n - count, threshold)


def _hidden_theme_counts(matrix: pd.DataFrame, threshold: int) -> tuple[set[str], bool, bool]:
    """Which themes' numbers of participants are hidden, and whether the number contributing and
    the number in every theme are, so that no count or count of those without (the number of
    participants is shown) from 1 to ``threshold - 1`` can be worked out from the others
    (:func:`analysis.core.disclosure.protect_linked` over the patterns of themes)."""
    themes = list(matrix.columns)
    n = len(matrix)
    if threshold <= 0 or n == 0:
        return set(), False, False
    if len(themes) > LINKED_THEMES:
        hidden = {
            theme
            for theme in themes
            if _small_either_way(int((matrix[theme] > 0).sum()), n, threshold)
        }
        return hidden, True, True
    present = (matrix > 0).to_numpy()
    masks = present @ (1 << np.arange(len(themes)))
    patterns = list(range(1 << len(themes)))
    values = [int((masks == mask).sum()) for mask in patterns]
    full = patterns[-1]
    # Published counts (and the counts of those without), each a set of patterns.
    shown = {
        f"theme.{theme}": {m for m in patterns if m >> i & 1} for i, theme in enumerate(themes)
    }
    shown |= {"contributing": set(patterns[1:]), "covered": {full}}
    cells, sums = list(values), []
    for parts in shown.values():
        for members in (parts, set(patterns) - parts):
            cells.append(sum(values[m] for m in members))
            sums.append((len(cells) - 1, tuple(sorted(members))))
    everyone = len(cells)
    cells.append(n)
    sums.append((everyone, tuple(patterns)))
    # Each published count's cell, followed by that of those without it (its partner).
    index = {name: len(values) + 2 * k for k, name in enumerate(shown)}
    without = {cell: (cell + 1,) for cell in index.values()}
    table = Table(tuple(cells), tuple(sums), frozenset({everyone}))
    hidden = set()
    for cell in index.values():
        if _small_either_way(cells[cell], n, threshold):
            hidden |= {cell, *without[cell]}
    hidden |= protect_linked(
        table, range(len(values)), hidden, list(index.values()), threshold, without
    )
    return (
        {theme for theme in themes if index[f"theme.{theme}"] in hidden},
        index["contributing"] in hidden,
        index["covered"] in hidden,
    )


def contributions(data: Interviews, suppress_below: int = 0) -> Contributions:
    """Participants and segments per theme and per code, those contributing and those in every
    theme, as disclosure control at ``suppress_below`` shows them. Under control: the counts of
    the themes and of those contributing and in every theme are protected as one system; a
    theme whose count is hidden hides its segments, its codes' counts and the number of
    segments (which would bound it); a theme with a code of fewer than ``suppress_below``
    participants (or fewer than that without it) hides every code's counts (its codes share
    its participants and segments, so one hidden code would follow from the others)."""
    matrix = theme_matrix(data)
    themes = theme_counts(data)
    codes = code_counts(data)
    n_contributing, n_covered = coverage(matrix)
    n = len(matrix)
    small = too_small(n, suppress_below)
    hidden_themes, contributing_hidden, covered_hidden = (
        (set(themes), True, True) if small else _hidden_theme_counts(matrix, suppress_below)
    )
    hidden_blocks = set(hidden_themes) | {
        theme
        for theme, code in zip(codes["theme_id"], codes["n_participants"], strict=True)
        if suppress_below > 0 and _small_either_way(int(code), n, suppress_below)
    }
    code_values = {
        code: {
            "n_participants": None if theme in hidden_blocks else int(people),
            "n_segments": None if theme in hidden_blocks else int(segments),
        }
        for code, theme, people, segments in codes[
            ["code_id", "theme_id", "n_participants", "n_segments"]
        ].itertuples(index=False)
    }
    theme_values = {
        theme: {key: None if theme in hidden_themes else value for key, value in counts.items()}
        for theme, counts in themes.items()
    }
    return Contributions(
        themes=theme_values,
        codes=code_values,
        n_segments=None if hidden_themes else int(data.segments["segment_id"].nunique()),
        n_contributing=None if contributing_hidden else n_contributing,
        n_covered=None if covered_hidden else n_covered,
        suppress_below=suppress_below,
        reason=SMALL_GROUP if small else COUNT,
    )


# --- excerpts ----------------------------------------------------------------------------------


def _quoted_first(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.sort_values(["quoted", "segment_id"], ascending=[False, True], kind="stable")


def excerpts(data: Interviews, theme_id: str, n: int = EXCERPTS_PER_THEME) -> pd.DataFrame:
    """Up to ``n`` segments of a theme: quoted ones first, then one per participant."""
    coded = data.coded_segments()
    rows = _quoted_first(coded[coded["theme_id"] == theme_id])
    return rows.drop_duplicates("participant_id").head(n)


def negative_cases(codebook: pd.DataFrame) -> pd.DataFrame:
    """The codes of ``codebook`` flagged as negative or divergent cases, with their counts."""
    return codebook.query("negative_case == 1").reset_index(drop=True)


def negative_examples(data: Interviews) -> dict[str, pd.DataFrame]:
    """Per negative or divergent code: its first segment, quoted ones first (may be empty)."""
    segments = data.segments
    return {
        code: _quoted_first(segments[segments["code_id"] == code]).head(1)
        for code in negative_cases(data.codebook)["code_id"]
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
