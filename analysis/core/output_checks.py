"""Output checking: one pure rule per kind of artefact made from person-level data.

:mod:`analysis.core.disclosure` protects count tables (primary and secondary suppression). The
rules here cover what else a page, a figure or the results JSON can carry (SACRO/ACRO and
τ-ARGUS practice); ``threshold`` is the build's ``suppress_below`` and 0 turns every rule off.

- **points** (:func:`point_bins`): no mark per person in a figure; points are pooled into
  consecutive bins of at least ``threshold`` persons each and only bin means are kept, or the
  figure is not shown (:data:`PERSON_LEVEL`, e.g. a matrix with one row per participant).
- **linked tables** (:data:`LINKED_TABLES`): counts of the same persons in several tables are
  protected as one system (:func:`analysis.core.disclosure.protect_linked`).
- **survival curves** (:func:`published_steps`): a step of height d/n gives n away, so a curve
  is published only at times where at least ``threshold`` persons have left the risk set
  (returned or censored) since the previous published time; smaller steps are merged.
- **numbers at risk** (:func:`at_risk_published`): a number at risk is shown only when it is 0
  or at least ``threshold`` and at least ``threshold`` persons (or nobody) left the risk set
  since the previous number shown: the difference of two shown numbers is never a small count.
- **risk tables** (:func:`risk_table_published`): a KMunicate column (at risk, cumulative
  events, cumulative censored at one time) is shown whole when each number passes the
  numbers-at-risk rule against the last column shown and the persons the column counts twice
  (those leaving at exactly that time) are 0 or at least ``threshold``; otherwise not at all.
- **extremes** (:func:`extreme`): a minimum or maximum is one person's value; never published.
- **by construction** (:data:`BY_CONSTRUCTION`): on synthetic data built to meet a
  publication's counts and calibrated to its results, a withheld computed value is not printed
  beside the published one it is known to equal (or lie near); the published value of that
  reproduction row is withheld too.
- **models and statistics** (:func:`statistic_withheld`): an estimate is shown only when every
  group it compares has at least ``threshold`` persons and, for a model, the residual degrees
  of freedom (persons minus parameters) reach ``threshold``.

Each rule returns what may be shown or a reason code (:data:`SMALL_GROUP`, :data:`FEW_DF`,
:data:`EXTREME`); the statistics layer keeps only what passes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analysis.core.disclosure import SMALL_GROUP, too_small

# The rules, as the disclosure report names them.
POINTS = "points"
# Counts of the same persons in several tables, protected as one system
# (:func:`analysis.core.disclosure.protect_linked`).
LINKED_TABLES = "linked_tables"
SURVIVAL_CURVE = "survival_curve"
AT_RISK = "at_risk"
RISK_TABLE = "risk_table"
MODEL = "model"
STATISTIC = "statistic"
# A withheld reproduction row of synthetic data (its published value is withheld too).
BY_CONSTRUCTION = "by_construction"
# A model whose residual degrees of freedom (persons minus parameters) are below the threshold.
FEW_DF = "few_df"
# A display with one row or mark per person (the reason a figure is not shown).
PERSON_LEVEL = "person_level"
# A minimum or maximum: the value of one person (a rule and the reason it gives).
EXTREME = "extreme"


def point_bins(count: int, threshold: int, most: int) -> list[np.ndarray]:
    """Positions ``0..count-1`` of ordered points (e.g. events in time order) split into at most
    ``most`` consecutive bins of at least ``max(threshold, 1)`` points each (no bins when there
    are fewer points than that)."""
    smallest = max(threshold, 1)
    bins = min(most, count // smallest)
    return np.array_split(np.arange(count), bins) if bins else []


def published_steps(events: Sequence[int], censored: Sequence[int], threshold: int) -> np.ndarray:
    """Positions of the (ordered) times at which a survival curve may be published: each one
    closes a run of at least ``threshold`` persons leaving the risk set (events plus
    censorings) since the previous published time, with at least one event in it. The last
    run of fewer than ``threshold`` is not published (the curve stays at the previous level).
    With control off, every time with an event."""
    events, censored = np.asarray(events), np.asarray(censored)
    if threshold <= 0:
        return np.flatnonzero(events > 0)
    shown, left, returned = [], 0, 0
    for position, (died, lost) in enumerate(zip(events, censored, strict=True)):
        left, returned = left + died + lost, returned + died
        if returned and left >= threshold:
            shown.append(position)
            left, returned = 0, 0
    return np.asarray(shown, dtype=int)


def _count_passes(value: int, previous: int | None, threshold: int) -> bool:
    """A count of a sequence is 0 or at least ``threshold``, and 0 or at least ``threshold``
    away from the previous count shown (``previous`` None: none shown yet)."""
    change = None if previous is None else abs(previous - value)
    return (value == 0 or value >= threshold) and (change in (None, 0) or change >= threshold)


def at_risk_published(at_risk: Sequence[int], threshold: int) -> list[bool]:
    """Which of a group's numbers at risk (at increasing times, the first the group's size)
    may be shown: 0 or at least ``threshold``, and 0 or at least ``threshold`` fewer than the
    previous number shown."""
    shown, previous = [], None
    for value in at_risk:
        ok = threshold <= 0 or _count_passes(value, previous, threshold)
        shown.append(ok)
        if ok:
            previous = value
    return shown


def risk_table_published(
    size: int,
    at_risk: Sequence[int],
    events: Sequence[int],
    censored: Sequence[int],
    threshold: int,
) -> list[bool]:
    """Which time columns of a group's risk table (KMunicate: at risk at t, events and censored
    up to and including t, at increasing times) may be shown. The three numbers of a column
    are linked (at risk + events + censored = group ``size`` + those leaving at exactly t), so a
    column is shown whole or not at all: when each of its numbers passes the at-risk rule
    against the last column shown, and the number leaving at exactly t is 0 or at least
    ``threshold`` too."""
    shown: list[bool] = []
    previous: tuple[int, int, int] | None = None
    for column in zip(at_risk, events, censored, strict=True):
        leaving_at_t = sum(column) - size
        ok = threshold <= 0 or (
            all(
                _count_passes(value, None if previous is None else previous[row], threshold)
                for row, value in enumerate(column)
            )
            and (leaving_at_t == 0 or leaving_at_t >= threshold)
        )
        shown.append(ok)
        if ok:
            previous = column
    return shown


def extreme(value: float, threshold: int) -> float | None:
    """A minimum or maximum of persons' values as it may be shown: never under control."""
    return value if threshold <= 0 else None


def statistic_withheld(
    groups: Sequence[int], threshold: int, n: int | None = None, parameters: int = 0
) -> str | None:
    """Why a statistic comparing ``groups`` (their sizes) is withheld, or None: a group below
    ``threshold`` (:data:`SMALL_GROUP`), or for a model of ``n`` persons with ``parameters``
    estimated, residual degrees of freedom below ``threshold`` (:data:`FEW_DF`)."""
    if any(too_small(size, threshold) for size in groups):
        return SMALL_GROUP
    if n is not None and too_small(n - parameters, threshold):
        return FEW_DF
    return None


def decision(artefact: str, rule: str, withheld: str | None = None, **facts: object) -> dict:
    """One entry of a chapter's disclosure report: which artefact (a JSON path or a figure's
    name) was checked by which rule, whether it is shown, why not (the reason code under
    ``withheld``), and what was kept."""
    made = {"artefact": artefact, "rule": rule, "shown": withheld is None, "withheld": withheld}
    return made | facts
