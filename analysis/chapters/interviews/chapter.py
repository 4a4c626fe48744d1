"""Entry point of the interview chapter for the build: load, analyse once, results."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.chapters.interviews import reproduction, stats
from analysis.chapters.interviews.data import SCHEMAS, Interviews, load
from analysis.chapters.interviews.stats import Agreement, Characteristics, Contributions
from analysis.core.disclosure import COUNT, report
from analysis.core.output_checks import (
    BY_CONSTRUCTION,
    LINKED_TABLES,
    PERSON_LEVEL,
    POINTS,
    decision,
)
from analysis.core.reproduction import rows_to_json
from analysis.core.study import Study

__all__ = ["SCHEMAS", "InterviewsResults", "analyse", "load"]


@dataclass(frozen=True)
class InterviewsResults:
    """Everything the interview page shows, computed once per build.

    ``codebook`` is the codebook with ``n_participants`` and ``n_segments`` per code as
    disclosure control shows them (None: hidden, see ``contributions``); ``themes`` one codebook
    row per theme (indexed by ``theme_id``); ``matrix`` the participant × theme matrix, None
    under control (one row per person); ``top_code_id`` the code with the most segments, None
    when a code's counts are hidden; ``excerpts`` the segments shown per theme and
    ``negative_examples`` the one shown per negative or divergent code.
    ``compared`` is True when the data declare the publication of ``published.yaml`` and the
    build compares; only then are there ``reproduction`` rows.
    """

    study: Study
    compared: bool
    characteristics: Characteristics
    codebook: pd.DataFrame
    themes: pd.DataFrame
    contributions: Contributions
    matrix: pd.DataFrame | None
    top_code_id: str | None
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
        hidden = people.suppressed() | self.contributions.suppressed()
        suppressed = hidden | {
            f"reproduction[{i}].{side}": hidden[row["source"]]
            for i, row in enumerate(self.reproduction)
            for side in ("computed", "published")
            if row.get("suppressed") and (side == "computed" or row.get("unpaired"))
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
            "themes": self.contributions.themes,
            "codes": self.contributions.codes_json(),
            "coding": self.contributions.to_json(),
            "reproduction": rows_to_json(self.reproduction),
            "compared": self.compared,
            "disclosure": report(people.suppress_below, suppressed, self.checks()),
        }

    def checks(self) -> list[dict]:
        """What output checking decided for the disclosure report: the counts of participants
        per theme (with those contributing and those in every theme) and each theme's code
        counts as linked tables, the participant × theme matrix (one row per person: not shown
        under control), the chart of segments per code (not shown when a code's counts
        are hidden) and the reproduction rows whose published value is withheld beside a
        withheld value of illustrative data."""
        shown = self.contributions
        themes = [
            theme for theme, counts in shown.themes.items() if counts["n_participants"] is None
        ]
        coding = [key for key, value in shown.to_json().items() if value is None]
        made = [decision("themes", LINKED_TABLES, hidden=themes + coding)]
        made += [
            decision(
                f"codes.{theme}",
                LINKED_TABLES,
                COUNT
                if any(shown.codes[code]["n_participants"] is None for code in codes)
                else None,
            )
            for theme, codes in self.codebook.groupby("theme_id", sort=False)["code_id"]
        ]
        made.append(
            decision("figure.matrix", POINTS, PERSON_LEVEL if self.matrix is None else None)
        )
        made.append(
            decision("figure.codes", LINKED_TABLES, COUNT if self.top_code_id is None else None)
        )
        hidden = self.characteristics.suppressed()
        made += [
            decision(f"reproduction[{i}].published", BY_CONSTRUCTION, hidden[row["source"]])
            for i, row in enumerate(self.reproduction)
            if row.get("unpaired")
        ]
        return made


def analyse(data: Interviews, compare: bool = True, suppress_below: int = 0) -> InterviewsResults:
    """Counts, disclosure decisions, theme matrix, excerpts, κ and, when ``compare`` and the
    data reproduce the published study, the reproduction rows."""
    people = stats.characteristics(data, suppress_below)
    shown = stats.contributions(data, suppress_below)
    codebook = shown.codebook(data.codebook)
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
        contributions=shown,
        matrix=None if suppress_below > 0 else stats.theme_matrix(data),
        top_code_id=(
            None
            if shown.hidden_codes
            else str(codebook.loc[codebook["n_segments"].astype(int).idxmax(), "code_id"])
        ),
        excerpts={theme: stats.excerpts(data, theme) for theme in themes.index},
        negative_cases=stats.negative_cases(codebook),
        negative_examples=stats.negative_examples(data),
        agreement=stats.agreement(data.coded),
        quoted=quoted,
        reproduction=(
            reproduction.rows(people, len(themes), n_quoted, quoted, data.illustrative)
            if compared
            else []
        ),
    )
