"""Kaplan–Meier curves and medians, log-rank tests and numbers at risk (numpy, one pass per
group; checked against R's ``survfit``, ``quantile.survfit`` and ``survdiff``).

Median = smallest t with S(t) ≤ 0.5 (as SPSS; R's ``quantile.survfit`` takes the midpoint of
a flat stretch where S is exactly 0.5). Three 95 % intervals:

* SPSS style, median ± 1.96·SE with Collett's SE (:func:`spss_median_se`);
* Brookmeyer–Crowley with the log(−log) pointwise band of S(t), R's
  ``survfit(..., conf.type = "log-log")`` (lifelines' only band); the page's "Brookmeyer–Crowley"
  column;
* Brookmeyer–Crowley with the log band, R's default ``conf.type = "log"`` (in the JSON).

The Brookmeyer–Crowley interval runs from the first day the band's lower limit is ≤ 0.5 to the
first day its upper limit is; as in R, the band is undefined where S(t) is 0, so a limit that
only that day would give is not reached.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from analysis.chapters.cohort.collapsed import WEIGHT, case_weights, weights_of
from analysis.chapters.cohort.data import group_levels
from analysis.core.disclosure import COUNT, suppress_counts
from analysis.core.inference import Z95, chi2_p
from analysis.core.output_checks import (
    at_risk_published,
    published_steps,
    risk_table_published,
    statistic_withheld,
)

Weights = pd.Series | np.ndarray | None
AT_RISK_STEP = 60
CONF_TYPES = ("log-log", "log")


@dataclass(frozen=True)
class Interval:
    """A median with a 95 % interval (None where not reached within follow-up, or where output
    checking withholds it: then its name is in ``withheld``). ``coarsened``: the median is
    read off the published, coarsened curve (:func:`coarsened_median`)."""

    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    withheld: tuple[str, ...] = ()
    coarsened: bool = False

    def to_json(self) -> dict:
        return {
            "estimate": self.estimate,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "coarsened_curve": self.coarsened,
        }


@dataclass(frozen=True)
class MedianSummary:
    """Median days of one group with the SPSS-style and the two Brookmeyer–Crowley intervals
    (``bc``: log(−log) band, ``bc_log``: log band); ``coarsened``: the median is the one of the
    published, coarsened curve and the intervals are withheld (:func:`coarsened_median`)."""

    n: int
    events: int | None
    estimate: float | None
    se_spss: float | None
    spss: Interval
    bc: Interval
    bc_log: Interval
    coarsened: bool = False

    @property
    def withheld(self) -> dict[str, tuple[str, ...]]:
        """Per JSON key of an outcome (``median_days``, …), the values output checking
        withholds (``estimate``, ``ci_low``, ``ci_high``; ``se`` for the SE)."""
        made = {
            key: interval.withheld
            for key, interval in (
                ("median_days", self.spss),
                ("median_days_bc", self.bc),
                ("median_days_bc_log", self.bc_log),
            )
            if interval.withheld
        }
        if self.se_spss is None:  # withheld (an SE that does not exist is NaN)
            made["median_se_spss"] = ("se",)
        return made

    @property
    def estimate_withheld(self) -> bool:
        """True when output checking withholds the median (None is then not "not reached")."""
        return "estimate" in self.bc.withheld

    def withheld_paths(self) -> list[str]:
        """The paths in :meth:`to_json` of the values output checking withholds."""
        names = {"median_days": "spss", "median_days_bc": "bc", "median_days_bc_log": "bc_log"}
        paths = [
            f"{names[key]}.{name}"
            for key, withheld in self.withheld.items()
            if key in names
            for name in withheld
        ]
        if self.estimate_withheld:
            paths.append("estimate")
        if self.se_spss is None:
            paths.append("se_spss")
        return paths

    @property
    def share_returned(self) -> float | None:
        """Share of the group with an event within follow-up (None when the count is hidden)."""
        return None if self.events is None else self.events / self.n

    def shown(self, suppress_below: int) -> MedianSummary:
        """This summary with the number returned passed through disclosure control (as a
        one-way table of returned and not returned, whose total ``n`` is shown)."""
        counts = {"returned": self.events, "not_returned": self.n - self.events}
        return replace(self, events=suppress_counts(counts, suppress_below).values["returned"])

    def to_json(self) -> dict:
        return {
            "n": self.n,
            "events": self.events,
            "estimate": self.estimate,
            "se_spss": self.se_spss,
            "spss": self.spss.to_json(),
            "bc": self.bc.to_json(),
            "bc_log": self.bc_log.to_json(),
            "coarsened_curve": self.coarsened,
        }


@dataclass(frozen=True)
class LogRank:
    """Log-rank test across the levels of a grouping (None with a ``reason`` code when it
    does not exist: one group, or no events)."""

    chi2: float | None
    df: int
    p: float | None
    reason: str | None = None

    def to_json(self) -> dict:
        values = {"chi2": self.chi2, "df": self.df, "p": self.p}
        if self.reason:
            values["reason"] = self.reason
        return values


@dataclass(frozen=True)
class KMCurve:
    """One group's cumulative proportion returned (1 − S) as a step function, with censor marks."""

    level: str
    times: np.ndarray
    cumulative: np.ndarray
    censor_times: np.ndarray
    censor_cumulative: np.ndarray
    median: MedianSummary


@dataclass(frozen=True)
class KMComparison:
    """Kaplan–Meier curves of one outcome by a grouping, its log-rank test and numbers at risk.

    Only groups whose size is shown have a curve; ``withheld`` are the groups whose size
    disclosure control hides (their curve, median and numbers at risk are not kept). The
    log-rank test is over every group. ``at_risk`` is shown groups × ``ticks``, with None where
    output checking hides a number (:func:`analysis.core.output_checks.at_risk_published`).
    Employees with the grouping missing are left out.
    """

    outcome: str
    by: str
    curves: tuple[KMCurve, ...]
    logrank: LogRank
    follow_up: int
    ticks: tuple[int, ...]
    at_risk: pd.DataFrame
    withheld: tuple[str, ...] = ()

    def suppressed(self, path: str, names: Mapping[str, str]) -> dict[str, str]:
        """JSON paths (``<path>.<name>``) of the withheld groups' medians, with the reason."""
        return {f"{path}.{names[level]}": COUNT for level in self.withheld}

    def curve(self, level: str) -> KMCurve:
        """The curve of ``level``."""
        return next(curve for curve in self.curves if curve.level == level)


def _counts(
    durations: pd.Series, events: pd.Series, weights: Weights = None
) -> tuple[np.ndarray, ...]:
    """Unique times with numbers at risk, events and censorings (rows counted ``weights``
    times, :mod:`~analysis.chapters.cohort.collapsed`)."""
    times, inverse = np.unique(np.asarray(durations, float), return_inverse=True)
    weight = case_weights(weights, len(inverse))
    observed = np.bincount(inverse, np.asarray(events, float) * weight, minlength=len(times))
    total = np.bincount(inverse, weight, minlength=len(times))
    at_risk = np.cumsum(total[::-1])[::-1]
    return times, at_risk, observed, total - observed


def km_steps(durations: pd.Series, events: pd.Series, weights: Weights = None) -> pd.DataFrame:
    """Event times with at risk, events, S(t), its Greenwood standard error and the Greenwood
    sum ``var_log`` (the variance of log S, R's ``std.err``²); rows counted ``weights`` times
    (R's ``survfit(..., weights = w)`` with integer case weights gives the same)."""
    times, at_risk, observed, _ = _counts(durations, events, weights)
    keep = observed > 0
    return _steps(times[keep], at_risk[keep], observed[keep])


def _steps(times: np.ndarray, at_risk: np.ndarray, observed: np.ndarray) -> pd.DataFrame:
    """:func:`km_steps` of these times (a time without events keeps S and its variance)."""
    survival = np.cumprod(1 - observed / at_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(observed / (at_risk * (at_risk - observed)))
        se = np.where(survival > 0, survival * np.sqrt(greenwood), np.nan)
    return pd.DataFrame(
        {
            "time": times,
            "at_risk": at_risk,
            "events": observed,
            "survival": survival,
            "se": se,
            "var_log": greenwood,
        }
    )


def km_band(steps: pd.DataFrame, conf_type: str = "log-log") -> tuple[np.ndarray, np.ndarray]:
    """Pointwise 95 % band of S(t) at the event times, as R's ``survfit(conf.type = …)``:
    undefined (NaN) where S(t) is 0, so no median limit is read off there."""
    survival, sigma = steps["survival"].to_numpy(), np.sqrt(steps["var_log"].to_numpy())
    with np.errstate(divide="ignore", invalid="ignore"):
        if conf_type == "log":
            lower, upper = (
                survival * np.exp(-Z95 * sigma),
                np.minimum(survival * np.exp(Z95 * sigma), 1),
            )
        elif conf_type == "log-log":
            log_s = np.log(survival)
            lower = np.exp(-np.exp(np.log(-log_s) - Z95 * sigma / log_s))
            upper = np.exp(-np.exp(np.log(-log_s) + Z95 * sigma / log_s))
        else:
            raise ValueError(f"conf_type must be one of {CONF_TYPES}")
    zero = survival == 0
    return np.where(zero, np.nan, lower), np.where(zero, np.nan, upper)


def _first_at_most(times: np.ndarray, values: np.ndarray, level: float = 0.5) -> float:
    hit = np.flatnonzero(values <= level + 1e-12)
    return float(times[hit[0]]) if len(hit) else math.inf


def km_quantile_time(steps: pd.DataFrame, level: float = 0.5) -> float:
    """Smallest event time with S(t) ≤ ``level`` (inf if S never gets there)."""
    return _first_at_most(steps["time"].to_numpy(), steps["survival"].to_numpy(), level)


def spss_median_se(steps: pd.DataFrame, epsilon: float = 0.05) -> float:
    """Standard error of the KM median as SPSS KM reports it (Collett's estimator).

    ``SE = se_G(Ŝ(m)) / f̂(m)`` with ``se_G`` Greenwood's SE of Ŝ at the median ``m`` and the
    density ``f̂(m) = (Ŝ(u) − Ŝ(l)) / (l − u)``, where ``u`` is the largest event time with
    ``Ŝ(u) ≥ 0.5 + ε`` (time 0, Ŝ = 1, if none) and ``l`` the smallest with ``Ŝ(l) ≤ 0.5 − ε``,
    ε = 0.05. NaN when the median or ``l`` is not reached.
    """
    median = km_quantile_time(steps)
    lower = steps[steps["survival"] <= 0.5 - epsilon + 1e-12]
    if math.isinf(median) or lower.empty:
        return math.nan
    upper = steps[steps["survival"] >= 0.5 + epsilon - 1e-12]
    u_time, u_surv = (
        (0.0, 1.0) if upper.empty else (upper["time"].iloc[-1], upper["survival"].iloc[-1])
    )
    l_time, l_surv = lower["time"].iloc[0], lower["survival"].iloc[0]
    density = (u_surv - l_surv) / (l_time - u_time)
    se_at_median = float(steps.loc[steps["time"] == median, "se"].iloc[0])
    return se_at_median / density


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def brookmeyer_crowley(steps: pd.DataFrame, conf_type: str = "log-log") -> Interval:
    """Median with the interval of days where the pointwise band of S(t) includes 0.5."""
    times = steps["time"].to_numpy()
    lower, upper = km_band(steps, conf_type)
    return Interval(
        _finite(km_quantile_time(steps)),
        _finite(_first_at_most(times, lower)),
        _finite(_first_at_most(times, upper)),
    )


def published_km_steps(
    durations: pd.Series, events: pd.Series, suppress_below: int = 0, weights: Weights = None
) -> pd.DataFrame:
    """:func:`km_steps` at the times the published curve has a point (the last day of each
    pooled step, which may be a day of censorings only; every event time when 0), as the
    curve is drawn (:func:`analysis.core.output_checks.published_steps`); rows count
    ``weights`` times."""
    if suppress_below <= 0:
        return km_steps(durations, events, weights)
    times, at_risk, observed, censored = _counts(durations, events, weights)
    shown = published_steps(observed, censored, suppress_below)
    return _steps(times, at_risk, observed).iloc[shown].reset_index(drop=True)


def median_summary(
    durations: pd.Series, events: pd.Series, suppress_below: int = 0, weights: Weights = None
) -> MedianSummary:
    """Median with the SPSS-style interval and both Brookmeyer–Crowley intervals (rows counted
    ``weights`` times); under output checking (``suppress_below`` > 0) the median of the
    published curve, without intervals (:func:`coarsened_median`)."""
    weight = case_weights(weights, len(durations))
    n, observed = int(weight.sum()), int(np.asarray(events, float) @ weight)
    if suppress_below > 0:
        published = published_km_steps(durations, events, suppress_below, weight)
        return coarsened_median(published, n, observed)
    return _median_summary(km_steps(durations, events, weight), n, observed)


def coarsened_median(published: pd.DataFrame, n: int, events: int) -> MedianSummary:
    """The median of the published, coarsened curve (``published``: its points, as
    :func:`published_km_steps` gives them): the first published day at which S is 0.5 or lower.

    It reveals nothing the published curve does not: it is a function of the curve's points
    alone (their days and heights, both drawn), so anyone holding the figure reads the same
    day off it, and whether it is read off the coarsened curve (``coarsened``) depends only on
    the build's threshold, not on the data. Where the published curve does not reach one half
    the median is withheld rather than "not reached": the curve leaves out its last run of
    fewer than ``threshold`` exits, and whether the raw curve reaches one half there would be
    a fact about those few persons.

    The intervals and the SPSS SE are withheld: they rest on Greenwood's variance, a sum over
    every day with an event of its number at risk and of events, and the published curve
    carries neither for the days it pools (that is what the pooling hides: a step of height
    d/n gives n away), so they cannot be computed from what is published, and the raw ones
    would read a day, or a slope, inside a pooled step."""
    estimate = _finite(km_quantile_time(published))
    withheld = ("ci_low", "ci_high") if estimate is not None else ("estimate", "ci_low", "ci_high")
    interval = Interval(estimate, None, None, withheld, coarsened=True)
    return MedianSummary(n, events, estimate, None, interval, interval, interval, coarsened=True)


def _median_summary(steps: pd.DataFrame, n: int, events: int) -> MedianSummary:
    """:func:`median_summary` read off the curve of ``steps``."""
    median = km_quantile_time(steps)
    se = spss_median_se(steps)
    estimate = _finite(median)
    return MedianSummary(
        n=n,
        events=events,
        estimate=estimate,
        se_spss=se,
        spss=Interval(
            estimate,
            None if estimate is None else median - Z95 * se,
            None if estimate is None else median + Z95 * se,
        ),
        bc=brookmeyer_crowley(steps, "log-log"),
        bc_log=brookmeyer_crowley(steps, "log"),
    )


def logrank(data: pd.DataFrame, outcome: str, by: str) -> LogRank:
    """Log-rank test of ``outcome`` across the levels of ``by`` (rows with ``by`` missing out,
    rows counted by their case weights), as R's ``survdiff``."""
    rows = data[data[by].notna()]
    return logrank_test(
        rows[f"days_to_{outcome}"],
        rows[outcome],
        rows[by],
        group_levels(rows, by),
        weights_of(rows),
    )


def logrank_test(
    durations: pd.Series | np.ndarray,
    events: pd.Series | np.ndarray,
    groups: pd.Series | np.ndarray,
    levels: Sequence[str],
    weights: Weights = None,
) -> LogRank:
    """Log-rank test of the ``events`` (1 event, 0 censored) across the ``levels`` of
    ``groups`` (every row in one of them), as R's ``survdiff``; rows counted ``weights``
    times (as R's ``survdiff`` on the replicated rows)."""
    df = len(levels) - 1
    if df < 1:
        return LogRank(None, max(df, 0), None, "one_group")
    times, time_index = np.unique(np.asarray(durations, float), return_inverse=True)
    group = pd.Categorical(np.asarray(groups, object), categories=levels).codes
    weight = case_weights(weights, len(time_index))
    shape = (len(levels), len(times))
    total = np.zeros(shape)
    died = np.zeros(shape)
    np.add.at(total, (group, time_index), weight)
    np.add.at(died, (group, time_index), np.asarray(events, float) * weight)
    at_risk = np.cumsum(total[:, ::-1], axis=1)[:, ::-1]
    n, d = at_risk.sum(axis=0), died.sum(axis=0)
    keep = d > 0
    at_risk, died, n, d = at_risk[:, keep], died[:, keep], n[keep], d[keep]
    if not keep.any():
        return LogRank(None, df, None, "no_events")
    observed_minus_expected = (died - at_risk * d / n).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n > 1, d * (n - d) / (n**2 * (n - 1)), 0.0)
    variance = np.diag((at_risk * n * factor).sum(axis=1)) - (at_risk * factor) @ at_risk.T
    u, v = observed_minus_expected[:-1], variance[:-1, :-1]
    try:
        statistic = float(u @ np.linalg.solve(v, u))
    except np.linalg.LinAlgError:
        return LogRank(None, df, None, "no_events")
    return LogRank(statistic, df, chi2_p(statistic, df))


def at_risk_counts(data: pd.DataFrame, outcome: str, by: str, times: list[float]) -> pd.DataFrame:
    """Numbers at risk (still not returned and not censored) at each time, by group (rows
    counted by their case weights): each group's :func:`risk_table`, unchecked."""
    durations = data[f"days_to_{outcome}"].to_numpy(float)
    returned = data[outcome].to_numpy()
    groups = data[by].to_numpy(object)
    weight = weights_of(data)
    counts = {}
    for level in group_levels(data, by):
        group = groups == level
        table = risk_table(durations[group], returned[group], times, level, 0, weight[group])
        counts[level] = list(table.at_risk)
    return pd.DataFrame(counts, index=times).T


@dataclass(frozen=True)
class RiskTable:
    """One group's KMunicate risk table at ``times``: the number at risk (time ≥ t), and the
    cumulative numbers of events and of censored persons (time ≤ t), None in the time columns
    output checking hides; every number None with a ``reason`` when the group is withheld."""

    level: str
    times: tuple[float, ...]
    at_risk: tuple[int | None, ...]
    events: tuple[int | None, ...]
    censored: tuple[int | None, ...]
    reason: str | None = None


def risk_table(
    durations: pd.Series | np.ndarray,
    events: pd.Series | np.ndarray,
    times: Sequence[float],
    level: str = "",
    suppress_below: int = 0,
    weights: Weights = None,
) -> RiskTable:
    """The risk table of one group (R's ``summary(survfit, times, extend = TRUE)``: ``n.risk``
    and the running sums of ``n.event`` and ``n.censor``). Output checking at
    ``suppress_below``: a group smaller than that is withheld
    (:func:`~analysis.core.output_checks.statistic_withheld`), and a time column is shown only
    as :func:`~analysis.core.output_checks.risk_table_published` allows."""
    durations = np.asarray(durations, float)
    returned = np.asarray(events, bool)
    weight = case_weights(weights, len(durations))
    ticks = np.asarray(times, float)
    n = int(weight.sum())
    reason = statistic_withheld((n,), suppress_below)
    if reason is not None:
        missing = (None,) * len(ticks)
        return RiskTable(level, tuple(times), missing, missing, missing, reason)

    order = np.argsort(durations, kind="stable")
    ordered, ordered_weight, ordered_returned = durations[order], weight[order], returned[order]

    def persons(counted: np.ndarray, side: str) -> np.ndarray:
        """Persons of ``counted`` (per ordered row) with time < (``left``) or ≤ each tick."""
        cumulative = np.concatenate([[0.0], np.cumsum(counted)])
        return cumulative[np.searchsorted(ordered, ticks, side=side)].astype(int)

    rows = (
        (n - persons(ordered_weight, "left")).tolist(),
        persons(ordered_weight * ordered_returned, "right").tolist(),
        persons(ordered_weight * ~ordered_returned, "right").tolist(),
    )
    shown = risk_table_published(n, *rows, suppress_below)

    def kept(counts: list[int]) -> tuple[int | None, ...]:
        return tuple(count if ok else None for count, ok in zip(counts, shown, strict=True))

    return RiskTable(level, tuple(times), *(kept(counts) for counts in rows))


def km_curve(
    durations: pd.Series,
    events: pd.Series,
    level: str,
    suppress_below: int = 0,
    weights: Weights = None,
) -> KMCurve:
    """The step curve of 1 − S(t) from time 0, its censor marks and the median of one group.
    Output checking at ``suppress_below`` (:func:`analysis.core.output_checks.published_steps`):
    the curve has a point only where at least that many persons have left the risk set since
    the previous point (every day with an event when 0), and a censor mark at such a point
    when censorings are among them (at every censored day when 0). Rows count ``weights``
    times."""
    times, at_risk, observed, censored = _counts(durations, events, weights)
    survival = np.cumprod(1 - observed / at_risk)
    shown = published_steps(observed, censored, suppress_below)
    if suppress_below > 0:
        runs = np.split(censored, shown + 1)[: len(shown)]
        marked = shown[[run.sum() > 0 for run in runs]]
    else:
        marked = np.flatnonzero(censored > 0)
    return KMCurve(
        level=level,
        times=np.concatenate([[0.0], times[shown]]),
        cumulative=np.concatenate([[0.0], 1 - survival[shown]]),
        censor_times=times[marked],
        censor_cumulative=1 - survival[marked],
        median=median_summary(durations, events, suppress_below, weights),
    )


def km_comparison(
    data: pd.DataFrame,
    outcome: str,
    by: str,
    suppress_below: int = 0,
    sizes: Mapping[str, int | None] | None = None,
) -> KMComparison:
    """Curves, medians, log-rank test and numbers at risk (every ``AT_RISK_STEP`` days) of
    the groups whose size ``sizes`` shows (every group when None); the number returned and
    the numbers at risk pass disclosure control at ``suppress_below``. A group withheld by
    disclosure control has no curve and is left out of the log-rank test."""
    columns = [f"days_to_{outcome}", outcome, by, *([WEIGHT] if WEIGHT in data.columns else [])]
    rows = data.loc[data[by].notna(), columns]  # not a copy of every column
    durations, events = rows[f"days_to_{outcome}"].to_numpy(), rows[outcome].to_numpy()
    groups = rows[by].to_numpy(object)
    follow_up = int(durations.max())
    ticks = list(range(0, follow_up + 1, AT_RISK_STEP))
    levels = group_levels(rows, by)
    shown = [level for level in levels if sizes is None or sizes.get(level) is not None]
    counts = at_risk_counts(rows, outcome, by, ticks).loc[shown]
    at_risk = counts.to_numpy(dtype=object)
    for row, values in enumerate(counts.to_numpy(int)):
        at_risk[row, ~np.array(at_risk_published(values.tolist(), suppress_below))] = None
    curves = []
    weight = weights_of(rows)
    for level in shown:
        in_group = groups == level
        curve = km_curve(
            durations[in_group], events[in_group], level, suppress_below, weight[in_group]
        )
        curves.append(replace(curve, median=curve.median.shown(suppress_below)))
    # A curve ends at the share returned: where the number returned is hidden, the curve
    # (and what is read off it) is withheld with the group.
    curves = [curve for curve in curves if curve.median.events is not None]
    drawn = {curve.level for curve in curves}
    counts = counts.loc[[level for level in shown if level in drawn]]
    at_risk = at_risk[[shown.index(level) for level in counts.index]]
    withheld = tuple(level for level in levels if level not in drawn)
    # The test compares the groups shown: a withheld group's data enter none of the comparison.
    test = logrank(rows[rows[by].isin(drawn)], outcome, by)
    if test.reason == "one_group" and len(levels) > 1:  # the data have groups to compare
        test = replace(test, reason="too_few_shown")
    return KMComparison(
        outcome=outcome,
        by=by,
        curves=tuple(curves),
        logrank=test,
        follow_up=follow_up,
        ticks=tuple(ticks),
        at_risk=pd.DataFrame(at_risk, index=counts.index, columns=counts.columns),
        withheld=withheld,
    )
