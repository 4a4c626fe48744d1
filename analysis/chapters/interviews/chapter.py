"""Entry point of the interview chapter for the build: load, analyse once, results."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.chapters.interviews import reproduction, stats
from analysis.chapters.interviews.data import SCHEMAS, Interviews, load
from analysis.chapters.interviews.stats import Agreement, Characteristics
from analysis.core.disclosure import report
from analysis.core.reproduction import rows_to_json
from analysis.core.study import Study

__all__ = ["SCHEMAS", "InterviewsResults", "analyse", "load"]


@dataclass(frozen=True)
class InterviewsResults:
    """Everything the interview page shows, computed once per build.

    ``codebook`` is the codebook with ``n_participants`` and ``n_segments`` per code;
    ``themes`` one codebook row per theme (indexed by ``theme_id``); ``excerpts`` the segments
    shown per theme and ``negative_examples`` the one shown per negative or divergent code.
    ``compared`` is True when the data declare the publication of ``published.yaml`` and the
    build compares; only then are there ``reproduction`` rows.
    """

    study: Study
    compared: bool
    characteristics: Characteristics
    codebook: pd.DataFrame
    themes: pd.DataFrame
    theme_counts: dict[str, dict[str, int]]
    matrix: pd.DataFrame
    n_segments: int
    n_contributing: int
    n_covered: int
    top_code_id: str
    excerpts: dict[str, pd.DataFrame]
    negative_cases: pd.DataFrame
    negative_examples: dict[str, pd.DataFrame]
    agreement: Agreement
    quoted: dict[str, tuple[str, ...]]
    reproduction: list[dict]

    @property
    def illustrative(self) -> bool:
        """True when the excerpts are made up (the study description says so), not coded text."""
        return self.study.synthetic

    def to_json(self) -> dict:
        """``interviews.json``: counts per the data contract. A value disclosure control hides
        or withholds is ``null`` and its key is listed in ``disclosure.suppressed`` with the
        reason (``count``: a small count or one hidden with it, never told apart;
        ``small_group``: a statistic of fewer participants than the threshold); reproduction
        rows whose computed value is hidden also carry ``"suppressed": true``."""
        people = self.characteristics
        age, grade = people.age, people.sick_leave
        hidden = people.suppressed()
        suppressed = hidden | {
            f"reproduction[{i}].computed": hidden[row["source"]]
            for i, row in enumerate(self.reproduction)
            if row.get("suppressed")
        }
        return {
            "n_participants": people.n_participants,
            "n_invited": people.n_invited,
            "sex": people.sex.values,
            "age_min": age.low if age.exact else None,
            "age_max": age.high if age.exact else None,
            "age": {"median": age.median, "low": age.low, "high": age.high, "exact": age.exact},
            "sick_leave": {"low": grade.low, "high": grade.high},
            "diagnosis_group": people.diagnosis_group.values,
            "themes": self.theme_counts,
            "reproduction": rows_to_json(self.reproduction),
            "compared": self.compared,
            "disclosure": report(people.suppress_below, suppressed),
        }


def analyse(data: Interviews, compare: bool = True, suppress_below: int = 0) -> InterviewsResults:
    """Counts, disclosure decisions, theme matrix, excerpts, κ and, when ``compare`` and the
    data reproduce the published study, the reproduction rows."""
    people = stats.characteristics(data, suppress_below)
    codebook = stats.code_counts(data)
    matrix = stats.theme_matrix(data)
    n_contributing, n_covered = stats.coverage(matrix)
    quoted = stats.quote_index(data)
    themes = data.themes()
    n_quoted = int(data.segments["quoted"].sum())
    compared = compare and reproduction.reproduces(data.study)
    return InterviewsResults(
        study=data.study,
        compared=compared,
        characteristics=people,
        codebook=codebook,
        themes=themes,
        theme_counts=stats.theme_counts(data),
        matrix=matrix,
        n_segments=int(data.segments["segment_id"].nunique()),
        n_contributing=n_contributing,
        n_covered=n_covered,
        top_code_id=str(codebook.loc[codebook["n_segments"].idxmax(), "code_id"]),
        excerpts={theme: stats.excerpts(data, theme) for theme in themes.index},
        negative_cases=stats.negative_cases(data),
        negative_examples=stats.negative_examples(data),
        agreement=stats.agreement(data.coded),
        quoted=quoted,
        reproduction=(
            reproduction.rows(people, len(themes), n_quoted, quoted, data.illustrative)
            if compared
            else []
        ),
    )
