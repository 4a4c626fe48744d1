"""Statistical disclosure control: with :mod:`analysis.core.output_checks` (figures, survival
curves, extremes, models), the one layer every output from person-level data passes.

Pure rules, no labels and no formatting. The statistics layer calls these functions and keeps
only what they allow to be shown; pages, reproduction rows and the results JSON are made from
that, so a hidden value is never at hand to be printed.

Terms (``threshold`` is the build's ``suppress_below``; 0 turns control off):

- **primary**: a count from 1 to ``threshold - 1``; in a two-way table also every cell of a row or
  column whose total is such a count (the spread of a small group is itself withheld).
- **secondary**: a count hidden only so that no primary count can be worked out.
- **small group**: a table or group of fewer than ``threshold`` persons: none of its cells and
  none of its statistics (median, range, percentages, CIs) are shown; only its size is.

**Protection rule.** A reader knows every shown cell and total, that every cell is a whole
number of at least 0, and nothing about a hidden cell beyond that (pages show every hidden cell
with the same marker and the results JSON gives the same reason for all of them, so primary and
secondary cells cannot be told apart). For each hidden cell, the values consistent with this
form an interval ``[low, high]`` (:func:`feasible_ranges`, a linear programme per cell; the
tables are network tables, so the bounds are whole numbers and attained). A suppression is safe
when

- every primary cell has ``low == 0`` and ``high >= threshold``: the published table is consistent
  both with nobody and with at least ``threshold`` persons in that cell; and
- every other hidden cell has ``low < high``: no hidden cell can be recovered.

:func:`protect` hides the primary cells, then adds secondary cells (single cells, or for two-way
tables the other three corners of a rectangle, or a whole row or column with its total) until
the rule holds, and finally shows again every secondary cell that is not needed. Hiding more
only widens the intervals, and with every cell hidden but the grand total the rule holds for
any table of at least ``threshold`` persons, so :func:`protect` always ends safe.

**Linked tables.** Tables built from the same persons (Table 1 by coordinator, a table by
programme type, numbers returned per group) share totals, so a count hidden in one can follow
from the others. :func:`protect_linked` takes them as one system: the never-published joint
cells and every published count as a sum of them, and hides more (secondary) until the rule
above holds for every hidden count of the whole system.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
    from highspy import Highs

PRIMARY = "primary"
SECONDARY = "secondary"
SMALL_GROUP = "small_group"
# The reason the results JSON gives for a hidden count: primary and secondary cells are not
# told apart (that would narrow what a hidden primary cell can be).
COUNT = "count"

K = TypeVar("K", bound=Hashable)


def is_suppressed(count: int, threshold: int) -> bool:
    """True if ``count`` is a primary count at this threshold (1 to ``threshold - 1``)."""
    return threshold > 0 and 0 < count < threshold


def too_small(n: int, threshold: int) -> bool:
    """True if a group of ``n`` persons is below the minimum size: its statistics are withheld."""
    return threshold > 0 and n < threshold


def public_reason(reason: str) -> str:
    """The reason published for a hidden cell: ``count`` for primary and secondary alike."""
    return SMALL_GROUP if reason == SMALL_GROUP else COUNT


# --- tables as linear systems ------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """Counts and the sums a table publishes: each ``(total, parts)`` says
    ``values[total] == sum(values[part] for part in parts)``. ``fixed`` cells are never hidden
    (the grand total, the number of persons)."""

    values: tuple[int, ...]
    sums: tuple[tuple[int, tuple[int, ...]], ...]
    fixed: frozenset[int]
    # Groups of cells worth hiding together (two-way tables), each with the primary cell it
    # serves (None: any).
    moves: tuple[tuple[int | None, frozenset[int]], ...] = ()


def one_way(counts: Sequence[int]) -> Table:
    """Cells ``0..k-1`` and their total at index ``k`` (fixed)."""
    k = len(counts)
    values = (*map(int, counts), int(sum(counts)))
    return Table(values, ((k, tuple(range(k))),), frozenset({k}))


def two_way(counts: np.ndarray) -> Table:
    """Cells row by row, then the row totals, the column totals and the grand total (fixed)."""
    counts = np.asarray(counts, dtype=int)
    rows, cols = counts.shape
    cell = np.arange(rows * cols).reshape(rows, cols)
    row_total = rows * cols + np.arange(rows)
    col_total = rows * cols + rows + np.arange(cols)
    grand = rows * cols + rows + cols
    values = (
        *counts.ravel().tolist(),
        *counts.sum(axis=1).tolist(),
        *counts.sum(axis=0).tolist(),
        int(counts.sum()),
    )
    sums = (
        *((int(row_total[i]), tuple(cell[i].tolist())) for i in range(rows)),
        *((int(col_total[j]), tuple(cell[:, j].tolist())) for j in range(cols)),
        (grand, tuple(row_total.tolist())),
        (grand, tuple(col_total.tolist())),
    )
    moves = [
        (int(cell[i, j]), frozenset({int(cell[i, l]), int(cell[k, j]), int(cell[k, l])}))
        for i in range(rows)
        for j in range(cols)
        for k in range(rows)
        for l in range(cols)  # noqa: E741
        if k != i and l != j
    ]
    moves += [(None, frozenset({*cell[i].tolist(), int(row_total[i])})) for i in range(rows)]
    moves += [(None, frozenset({*cell[:, j].tolist(), int(col_total[j])})) for j in range(cols)]
    return Table(values, sums, frozenset({grand}), tuple(moves))


# Within this of a whole number, a feasible point attains it (solutions are floating point).
_TOLERANCE = 1e-9


class _Polytope:
    """The values of a table's hidden cells consistent with what it shows: each bound is a
    linear programme, solved only when no cheaper argument gives the same number. A cell that
    is the only unknown of a sum is determined; the true table and every solution found are
    feasible points, so a point where a cell is 0 gives its least value (0) and one where it
    reaches ``threshold`` shows that its greatest value does too (the bounds are whole
    numbers, :func:`feasible_ranges`). The points of ``seed`` (the same table with other cells
    hidden) that hold the true value of every cell shown here are feasible points here too.
    The sums taken one at a time give each cell bounds that hold for every feasible point
    (:func:`_propagated`): a feasible point at such a bound shows it is the least or greatest
    value, and a total shortfall these bounds already put above a limit needs no programme."""

    def __init__(self, table: Table, hidden: Iterable[int], seed: _Polytope | None = None) -> None:
        self.table = table
        self.hidden = sorted(set(hidden))
        self.column = {cell: position for position, cell in enumerate(self.hidden)}
        rows, rhs, unknowns = [], [], []
        for total, parts in table.sums:
            row, known = np.zeros(len(self.hidden)), 0.0
            for cell, sign in ((total, -1.0), *((part, 1.0) for part in parts)):
                if cell in self.column:
                    row[self.column[cell]] += sign
                else:
                    known += sign * table.values[cell]
            if row.any():
                rows.append(row)
                rhs.append(-known)
                unknowns.append({self.hidden[i] for i in np.flatnonzero(row)})
        self.a_eq = np.array(rows) if rows else None
        self.b_eq = np.array(rhs) if rows else None
        self.determined = _determined(unknowns)
        self.truth = np.array([table.values[cell] for cell in self.hidden], dtype=float)
        self.points = [self.truth] + ([] if seed is None else self._points_of(seed))
        self.bounds: dict[tuple[int, float], float] = {}

    @functools.cached_property
    def limits(self) -> dict[float, list[float]]:
        """Per hidden cell (by position), a bound every feasible point keeps: the least
        (key 1) and the greatest (key -1) value the sums allow one at a time."""
        if self.a_eq is None:
            return {1.0: [0.0] * len(self.hidden), -1.0: [math.inf] * len(self.hidden)}
        low, high = _propagated(self.a_eq, self.b_eq)
        return {1.0: low, -1.0: high}

    def _points_of(self, seed: _Polytope) -> list[np.ndarray]:
        """The feasible points of ``seed`` that are feasible here, in this polytope's cells."""
        shown = [seed.column[c] for c in seed.hidden if c not in self.column]
        shared = [(self.column[c], seed.column[c]) for c in seed.hidden if c in self.column]
        points = []
        for point in seed.points[1:]:
            if np.all(np.abs(point[shown] - seed.truth[shown]) <= _TOLERANCE):
                here = self.truth.copy()
                for position, seed_position in shared:
                    here[position] = point[seed_position]
                points.append(here)
        return points

    def bound(self, cell: int, sign: float) -> float:
        """The least (``sign`` 1) or greatest (-1) value of ``cell``."""
        if cell in self.determined:
            return float(self.table.values[cell])
        if sign > 0 and self.reaches(cell, 0.0, sign):
            return 0.0
        if (cell, sign) not in self.bounds:
            limit = self.limits[sign][self.column[cell]]
            whole = math.isfinite(limit) and limit == round(limit)
            attained = whole and self.reaches(cell, limit, sign)
            self.bounds[cell, sign] = float(limit) if attained else self._solve(cell, sign)
        return self.bounds[cell, sign]

    @functools.cached_property
    def _solver(self) -> Highs:
        """The polytope as a HiGHS model (``highspy``, the solver scipy's ``linprog`` wraps),
        passed once: each bound only changes the objective and starts from the last solution's
        basis. ``linprog`` has no way to keep a model between calls, and setting the same
        problem up again per bound cost ten times the solving."""
        import highspy as highs  # only when a table is checked: keeps i18n light

        solver = highs.Highs()
        solver.setOptionValue("output_flag", False)
        count = len(self.hidden)
        solver.addVars(count, np.zeros(count), np.full(count, highs.kHighsInf))
        if self.a_eq is not None:  # else no sum holds a hidden cell
            rows, columns = np.nonzero(self.a_eq)
            starts = np.searchsorted(rows, np.arange(len(self.b_eq))).astype(np.int32)
            values, indices = self.a_eq[rows, columns], columns.astype(np.int32)
            solver.addRows(len(self.b_eq), self.b_eq, self.b_eq, len(rows), starts, indices, values)
        return solver

    def _solve(self, cell: int, sign: float) -> float:
        import highspy as highs

        solver = self._solver
        count = len(self.hidden)
        objective = np.zeros(count)
        objective[self.column[cell]] = sign
        solver.changeColsCost(count, np.arange(count, dtype=np.int32), objective)
        solver.run()
        status = solver.getModelStatus()
        if status == highs.HighsModelStatus.kUnbounded:
            return math.inf
        if status != highs.HighsModelStatus.kOptimal:
            message = solver.modelStatusToString(status)
            raise ValueError(f"the published table is inconsistent ({message})")
        self.points.append(np.array(solver.getSolution().col_value))
        return round(sign * solver.getInfo().objective_function_value, 6)

    def reaches(self, cell: int, value: float, sign: float) -> bool:
        """True if a known feasible point has ``cell`` at most (``sign`` 1) or at least (-1)
        ``value``."""
        position = self.column[cell]
        return any(sign * (point[position] - value) <= _TOLERANCE for point in self.points)

    def shortfall(self, cell: int, threshold: int) -> float:
        """How far the interval of ``cell`` is from ``[0, threshold]`` (0 when protected)."""
        low = self.bound(cell, 1.0)
        if cell not in self.determined and self.reaches(cell, threshold, -1.0):
            return low
        return low + max(0.0, threshold - self.bound(cell, -1.0))

    def shortfalls(self, primary: Iterable[int], threshold: int) -> dict[int, float]:
        """Per hidden primary cell, its :meth:`shortfall`."""
        cells = sorted(set(primary) & set(self.hidden))
        return {cell: self.shortfall(cell, threshold) for cell in cells}

    def least_shortfall(self, cell: int, threshold: int) -> float:
        """A lower bound of :meth:`shortfall` from :attr:`limits`, without a programme."""
        position = self.column[cell]
        low, high = self.limits[1.0][position], self.limits[-1.0][position]
        return max(0.0, low - _TOLERANCE) + max(0.0, threshold - high - _TOLERANCE)

    def total_shortfall(self, primary: Iterable[int], threshold: int, limit: float) -> float:
        """The sum of :meth:`shortfalls`, or a number above ``limit`` as soon as the sum is
        known to be above it (the shortfalls so far plus the :meth:`least_shortfall` of the
        rest: the shortfalls are never negative)."""
        cells = sorted(set(primary) & set(self.hidden))
        least = [self.least_shortfall(cell, threshold) for cell in cells]
        total = 0.0
        for position, cell in enumerate(cells):
            if (at_least := total + sum(least[position:])) > limit:
                return at_least
            total += self.shortfall(cell, threshold)
        return total


def _propagated(a_eq: np.ndarray, b_eq: np.ndarray) -> tuple[list[float], list[float]]:
    """Least and greatest values of the unknowns of ``a_eq @ x == b_eq, x >= 0`` that follow
    from one equation at a time (each unknown is its right-hand side less the others, each at
    its own bound), tightened until no bound moves. Every feasible point keeps them."""
    rows = [
        ([(k, float(a)) for k, a in enumerate(row) if a], float(b))
        for row, b in zip(a_eq, b_eq, strict=True)
    ]
    low, high = [0.0] * a_eq.shape[1], [math.inf] * a_eq.shape[1]
    for _ in range(len(low) + len(rows)):  # bounds hold at every step: a cap only stops early
        moved = False
        for terms, b in rows:
            least = _others([a * (low[k] if a > 0 else high[k]) for k, a in terms])
            most = _others([a * (high[k] if a > 0 else low[k]) for k, a in terms])
            for (k, a), others_least, others_most in zip(terms, least, most, strict=True):
                # a * x_k lies between b less the others' greatest and b less their least.
                ends = sorted(((b - others_most) / a, (b - others_least) / a))
                if ends[0] > low[k]:
                    low[k], moved = ends[0], True
                if ends[1] < high[k]:
                    high[k], moved = ends[1], True
        if not moved:
            break
    return low, high


def _others(terms: list[float]) -> list[float]:
    """For each of ``terms``, the sum of the other terms (infinite terms have one sign)."""
    finite = sum(term for term in terms if math.isfinite(term))
    infinite = [term for term in terms if not math.isfinite(term)]
    others = []
    for term in terms:
        if math.isfinite(term):
            others.append(infinite[0] if infinite else finite - term)
        else:
            others.append(infinite[0] if len(infinite) > 1 else finite)
    return others


def _determined(unknowns: list[set[int]]) -> set[int]:
    """The cells fixed by the sums whose unknowns are ``unknowns``: a sum with one unknown
    fixes it, which may leave another sum with one."""
    determined: set[int] = set()
    while single := {
        cell for cells in unknowns if len(left := cells - determined) == 1 for cell in left
    }:
        determined |= single
    return determined


def feasible_ranges(
    table: Table, hidden: Iterable[int], cells: Iterable[int] | None = None
) -> dict[int, tuple[float, float]]:
    """For each hidden cell (or each of ``cells``), the least and greatest value consistent
    with the shown cells, the sums and non-negative cells (``math.inf`` when unbounded)."""
    polytope = _Polytope(table, hidden)
    chosen = polytope.hidden if cells is None else sorted(set(cells) & set(polytope.hidden))
    return {cell: (polytope.bound(cell, 1.0), polytope.bound(cell, -1.0)) for cell in chosen}


def unsafe(
    table: Table,
    hidden: Iterable[int],
    primary: Iterable[int],
    threshold: int,
    cells: Iterable[int] | None = None,
) -> dict[int, tuple[float, float]]:
    """The hidden cells (or those of ``cells``) that break the protection rule, with their
    intervals (empty: safe)."""
    primary = set(primary)
    return {
        cell: (low, high)
        for cell, (low, high) in feasible_ranges(table, hidden, cells).items()
        if (low > 0 or high < threshold if cell in primary else high - low < 1)
    }


def primary_cells(table: Table, threshold: int) -> set[int]:
    """Counts from 1 to ``threshold - 1`` and every part of a total that is such a count."""
    primary = {
        cell
        for cell, value in enumerate(table.values)
        if cell not in table.fixed and is_suppressed(value, threshold)
    }
    for total, parts in table.sums:
        if total in primary:
            primary.update(part for part in parts if part not in table.fixed)
    return primary


def protect(table: Table, threshold: int) -> dict[int, str]:
    """The cells to hide and why (:data:`PRIMARY`, :data:`SECONDARY`, :data:`SMALL_GROUP`), so
    that the protection rule of this module holds."""
    return dict(_protection(table, threshold))


@functools.lru_cache(maxsize=256)
def _polytopes(table: Table) -> dict[frozenset[int], _Polytope]:
    """The polytopes of ``table`` made so far, per set of hidden cells. Their bounds and
    feasible points do not depend on the threshold: protecting one table at several thresholds
    (as the tests do) solves each programme once."""
    return {}


@functools.lru_cache(maxsize=4096)
def _protection(table: Table, threshold: int) -> dict[int, str]:
    """:func:`protect`, worked out once per table and threshold (a process analyses the same
    data at the same thresholds again and again: tests, the book's chapters and pages)."""
    size = max((table.values[cell] for cell in table.fixed), default=max(table.values))
    if threshold <= 0 or size == 0:
        return {}
    if too_small(size, threshold):
        return {cell: SMALL_GROUP for cell in range(len(table.values)) if cell not in table.fixed}
    primary = primary_cells(table, threshold)
    hidden = set(primary)
    polytopes = _polytopes(table)

    def polytope(cells: set[int]) -> _Polytope:
        """The polytope of ``cells`` hidden, made once, seeded with that of ``hidden``."""
        key = frozenset(cells)
        if key not in polytopes:
            polytopes[key] = _Polytope(table, key, polytopes.get(frozenset(hidden)))
        return polytopes[key]

    while open_cells := {
        c for c, s in polytope(hidden).shortfalls(primary, threshold).items() if s
    }:
        shown = [c for c in range(len(table.values)) if c not in hidden | table.fixed]
        moves = {frozenset({cell}) for cell in shown} | {
            move - hidden
            for anchor, move in table.moves
            if (anchor is None or anchor in open_cells) and move - hidden
        }
        # The move with the least shortfall, ties to the smallest (fewest cells, fewest
        # persons, then the first cells): tried in that order, a move needs strictly less.
        best, chosen = math.inf, frozenset()
        for move in sorted(
            (move for move in moves if not move & table.fixed),
            key=lambda move: (len(move), sum(table.values[c] for c in move), sorted(move)),
        ):
            score = polytope(hidden | move).total_shortfall(primary, threshold, limit=best)
            if score < best:
                best, chosen = score, move
            if best == 0:
                break
        hidden |= chosen
    changed = True
    while changed:  # show again what is not needed (also every secondary cell that is implied)
        changed = False
        for cell in sorted(hidden - primary, key=lambda c: (-table.values[c], c)):
            if polytope(hidden - {cell}).total_shortfall(primary, threshold, limit=0.0) == 0:
                hidden.discard(cell)
                changed = True
    return {cell: PRIMARY if cell in primary else SECONDARY for cell in sorted(hidden)}


def protect_linked(
    table: Table,
    latent: Iterable[int],
    hidden: Iterable[int],
    candidates: Sequence[int],
    threshold: int,
    together: Mapping[int, Iterable[int]] | None = None,
) -> set[int]:
    """Tables built from the same persons, protected as one system. ``table`` holds the joint
    cells, which are never published (``latent``), and every published count as a sum of them;
    ``hidden`` are the counts the tables hide by themselves. Returns the ``candidates`` to hide
    as well (secondary), so that every hidden count from 1 to ``threshold - 1`` may be 0 and
    may be ``threshold`` or more, and no other hidden count is pinned to one value. A
    candidate is hidden with the cells ``together`` gives it (e.g. the count of those without,
    which the total would give away), and they are returned with it."""
    latent, hidden = set(latent), set(hidden)
    primary = {cell for cell in hidden if is_suppressed(table.values[cell], threshold)}

    def with_partners(cell: int) -> set[int]:
        return {cell, *(together or {}).get(cell, ())}

    checked: dict[frozenset[int], int] = {}  # the search asks again about sets it has seen

    def broken(cells: set[int]) -> int:
        key = frozenset(cells)
        if key not in checked:
            checked[key] = len(unsafe(table, cells | latent, primary, threshold, cells))
        return checked[key]

    added: set[int] = set()
    while threshold > 0 and broken(hidden | added):
        options = [cell for cell in candidates if cell not in hidden | added]
        if not options:
            break
        added |= with_partners(
            min(
                options,
                key=lambda c: (broken(hidden | added | with_partners(c)), table.values[c], c),
            )
        )
    shown_again = [cell for cell in candidates if cell in added]
    for cell in sorted(shown_again, key=lambda c: (-table.values[c], c)):  # what is not needed
        if not broken(hidden | added - with_partners(cell)):
            added -= with_partners(cell)
    return added


# --- keyed tables --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suppressed(Generic[K]):
    """What a table may show: ``values`` has None where a count is hidden, ``hidden`` says why
    (kept private; publish :meth:`reasons`). The hidden counts themselves are not kept."""

    threshold: int
    values: dict[K, int | None]
    hidden: dict[K, str]

    def reasons(self) -> dict[K, str]:
        """Where counts are hidden, with the reason the results may publish."""
        return {key: public_reason(reason) for key, reason in self.hidden.items()}


def suppress_counts(counts: Mapping[K, int], threshold: int) -> Suppressed[K]:
    """A one-way table (categories of one group, whose total is shown)."""
    keys = list(counts)
    hidden = protect(one_way([counts[key] for key in keys]), threshold)
    return Suppressed(
        threshold,
        {key: None if i in hidden else int(counts[key]) for i, key in enumerate(keys)},
        {keys[i]: reason for i, reason in hidden.items()},
    )


def suppress_crosstab(counts: pd.DataFrame, threshold: int) -> Suppressed:
    """A two-way table (a DataFrame of counts) with its totals. Keys are ``(row, column)``;
    ``(row, None)`` is a row total, ``(None, column)`` a column total and ``(None, None)`` the
    grand total, which is always shown."""
    rows, cols = list(counts.index), list(counts.columns)
    keys = [
        *((r, c) for r in rows for c in cols),
        *((r, None) for r in rows),
        *((None, c) for c in cols),
        (None, None),
    ]
    table = two_way(counts.to_numpy())
    hidden = protect(table, threshold)
    return Suppressed(
        threshold,
        {key: None if i in hidden else table.values[i] for i, key in enumerate(keys)},
        {keys[i]: reason for i, reason in hidden.items()},
    )


# --- statistics of groups ------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Median and range of a group as far as they may be shown. ``exact`` ranges are the
    observed minimum and maximum; otherwise ``low``–``high`` are the edges of the bands that hold
    them (or None). ``withheld`` says why the median is not given."""

    n: int
    median: float | None
    low: float | None
    high: float | None
    exact: bool
    withheld: str | None


def summarise(values: Sequence[float], threshold: int, band: int | None = None) -> Summary:
    """Median and range. Under control (``threshold`` > 0) the minimum and maximum are never
    exact (each is one person's value: output checking's extremes rule) and the median is
    withheld for a group below ``threshold``; ``band`` (e.g. 10 years) gives the range as whole
    bands (38 and 51 -> 30–59) instead of nothing. With control off, exact."""
    data = np.asarray(values)
    n = len(data)
    if n == 0:
        return Summary(0, None, None, None, False, SMALL_GROUP)
    small = too_small(n, threshold)
    median = None if small else float(np.median(data))
    if threshold <= 0:
        return Summary(n, median, data.min().item(), data.max().item(), True, None)
    reason = SMALL_GROUP if small else None
    if band is None:
        return Summary(n, median, None, None, False, reason)
    low = band * math.floor(data.min() / band)
    high = band * math.floor(data.max() / band) + band - 1
    return Summary(n, median, low, high, False, reason)


def withheld(n: int, threshold: int) -> str | None:
    """Why a statistic (share, CI, median) of a group of ``n`` is withheld, or None if shown."""
    return SMALL_GROUP if too_small(n, threshold) else None


# --- the disclosure report -----------------------------------------------------------------------


def report(
    threshold: int, suppressed: Mapping[str, str], checks: Sequence[dict] | None = None
) -> dict:
    """A chapter's disclosure report for its results JSON: the threshold and, per JSON path of
    a value set to null, the public reason (``count`` or ``small_group``); with ``checks``, the
    decisions of output checking (:func:`analysis.core.output_checks.decision`)."""
    made = {"threshold": threshold, "suppressed": dict(suppressed)}
    return made if checks is None else made | {"checks": list(checks)}


def gather(payloads: Mapping[str, dict], chapters: Iterable[str]) -> dict[str, dict | None]:
    """``results/disclosure.json``: the report of each of ``chapters`` (the person-level ones)
    from its results JSON, None where a chapter reports none."""
    return {name: payloads[name].get("disclosure") for name in chapters if name in payloads}


def summary_line(chapter: str, chapter_report: dict | None) -> str:
    """One line for the build log about a chapter's report."""
    if chapter_report is None:
        return f"{chapter}: no disclosure report"
    threshold, hidden = chapter_report["threshold"], chapter_report["suppressed"]
    if threshold <= 0:
        return f"{chapter}: disclosure control off"
    if not hidden:
        return f"{chapter}: threshold {threshold}, nothing suppressed"
    return f"{chapter}: threshold {threshold}, {len(hidden)} value(s) suppressed"
