"""A vectorised Cox proportional-hazards engine that agrees with R's ``survival::coxph``.

Used for every Cox fit of the chapter, Efron and Breslow alike (lifelines and statsmodels
``PHReg`` only cross-check it in the tests): identical rows (same time, event and covariates)
enter once with their count, one sort, then every risk-set sum is a cumulative sum over the
sorted rows and every tied-event sum a sum per event day, so a fit of a million employees
takes seconds (numpy only, no loop per person). Ties: Efron (R's default) or Breslow (SPSS,
statsmodels' default). Newton–Raphson with step halving to a relative change of the log
partial likelihood below 1e-13 (R's ``coxph.control(eps = 1e-9)`` stops a little earlier,
lifelines' default precision earlier still: veteran, all covariates, treatment HR 1.342596
instead of R's 1.342593).

Stratified fits (R's ``+ strata(s)``): the rows are sorted by stratum, then time, and each
risk set stops at the end of its stratum; ``cox.zph`` on such a fit pools the strata for g(t)
and sums the score and information over them, as R does (checked on three data sets).

Also from the same sums:

* score residuals exactly as R's ``residuals(fit, "score")`` (with Efron the ``d`` tied events
  of a day each carry ``1/d`` of every Efron step and ``1 − l/d`` of its hazard), hence the
  ``dfbeta`` residuals and the robust sandwich variance ``D'D`` with ``D`` the dfbeta summed
  per cluster (R's ``coxph(..., cluster = id)``; no small-sample factor). lifelines is not
  used for this: its score residuals treat tied events as if they were untied, so its robust
  SEs differ from R's whenever days are tied (lung, age + sex + ECOG, ECOG: lifelines
  0.126220 vs R 0.126192; with time in 30-day units 0.130042 vs R 0.126674);
* the proportional-hazards test of survival ≥ 3.0 ``cox.zph``: the score test, at the fitted
  β, for adding ``x·g(t)`` with ``g`` the centred transformed time (``"km"``: one minus the
  left-continuous Kaplan–Meier estimate of all rows, R's default; ``"rank"``: ranks of all
  times, ties averaged), per term (a factor's dummies together) and globally as one quadratic
  form in the full ``2p``-dimensional information matrix, not a sum of 1-df tests (lifelines'
  ``proportional_hazard_test``, and survival < 3.0, test each column on its own);
* scaled Schoenfeld residuals ``β + d·I⁻¹·s`` (R's ``cox.zph(...)$y``), with the Efron mean
  of a tied day averaged over its ``d`` Efron steps.

Case weights (collapsed data, :mod:`~analysis.chapters.cohort.collapsed`): ``weights`` are
counts of persons, and every result is that of the rows replicated, one per person (tests:
equal to 1e-10). R agrees for Breslow: ``coxph(..., weights = w, ties = "breslow")`` equals the
replicated-row fit (coefficients, variance, log-likelihood; survival 3.5-3, checked in
``tests/reference/collapsed.R``). R's Efron does not: it takes the ``d`` of a tied day as the
number of tied *rows*, each carrying the day's mean weight, not as the number of persons, so
its weighted Efron fit differs from the replicated one (there, a coefficient of −0.697 against
−0.713); this engine keeps to replication. Robust SEs count persons, not rows: without clusters
each person is their own cluster (``Σ_i w_i·dfbeta_i²``, as on the replicated rows), whereas
R's weighted ``robust = TRUE`` sums ``(w_i·dfbeta_i)²`` (each collapsed row one cluster); with
clusters the scores are summed per cluster over its persons, which R's weighted ``cluster =
id`` also does. R's ``cox.zph`` of a weighted fit is not that of the replicated fit either;
this engine's is.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from analysis.chapters.cohort.collapsed import case_weights
from analysis.core.inference import Z95, chi2_p, two_sided_p

TIES = ("efron", "breslow")
TRANSFORMS = ("km", "rank")
MAX_ITERATIONS = 60
TOLERANCE = 1e-13
# |β|·SD(x) beyond this means a hazard ratio per SD above e^25: the likelihood is monotone
# (no finite estimate, as when one group has no events).
MONOTONE_LIMIT = 25.0
# … and so does an SE·SD(x) above this (the information of that term has vanished).
MONOTONE_SE = 100.0
# Efron steps (one per event) held at a time: the memory of a fit is that of its distinct rows
# and event days, whatever the number of persons.
STEP_CHUNK = 1 << 18
# R's cholesky2 (survival): a pivot below this share of the information's largest diagonal
# element makes its column singular (coxph.control's toler.chol = .Machine$double.eps^0.75).
SINGULAR_TOLERANCE = np.finfo(float).eps ** 0.75


class NotEstimable(ValueError):
    """The statistic does not exist for these data; ``reason`` is a short code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CoxFit:
    """A fitted Cox model: coefficients, observed information and log partial likelihood,
    with the sorted data (``sums``) for residuals and tests without a second sort."""

    names: tuple[str, ...]
    coef: np.ndarray
    information: np.ndarray
    loglik: float
    ties: str
    n: int
    events: int
    iterations: int
    sums: _Sums = field(repr=False, compare=False)

    @property
    def vcov(self) -> np.ndarray:
        """Model-based covariance (inverse information)."""
        return np.linalg.inv(self.information)

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.diag(self.vcov))

    def index(self, name: str) -> int:
        return self.names.index(name)


@dataclass(frozen=True)
class ZPHTest:
    """``cox.zph``: χ², df and p per term and globally, and the scaled Schoenfeld residuals
    (columns as the fit's) at the event times, one row per distinct event row with its
    ``counts`` (``np.repeat`` gives one row per event)."""

    transform: str
    terms: dict[str, tuple[float, int, float]]
    global_test: tuple[float, int, float]
    times: np.ndarray
    scaled: np.ndarray
    counts: np.ndarray


def _patterns(time: np.ndarray, event: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows identical in time, event and covariates: a pattern code per row and the first row
    of each pattern. Rows are keyed by a random linear combination of their values and the
    grouping is then checked value by value (one pattern per row if two rows ever shared a
    key without being identical)."""
    weights = np.random.default_rng(20240601).uniform(1, 2, x.shape[1] + 2)
    key = x @ weights[2:] + weights[0] * time + weights[1] * event
    codes, uniques = pd.factorize(key)
    first = np.empty(len(uniques), dtype=np.intp)
    first[codes[::-1]] = np.arange(len(codes))[::-1]
    rows = first[codes]
    same = np.array_equal(time, time[rows]) and np.array_equal(event, event[rows])
    if not (same and _same_rows(x, rows)):
        return np.arange(len(time)), np.arange(len(time))
    return codes, first


def _same_rows(x: np.ndarray, rows: np.ndarray) -> bool:
    """True when every row of ``x`` equals the row ``rows`` names, compared ``STEP_CHUNK``
    rows at a time (whole rows are copied faster than columns; the copy stays small)."""
    return all(
        np.array_equal(x[start : start + STEP_CHUNK], x[rows[start : start + STEP_CHUNK]])
        for start in range(0, len(x), STEP_CHUNK)
    )


class _Sums:
    """The data as distinct rows (patterns) with their counts, sorted by stratum and time, and
    the index arrays of the risk sets and of the tied events.

    Identical rows enter once with a frequency weight; every sum is that of the rows one by
    one (the Efron steps of a day still run over its individual events), so the fit is the
    same as on the rows themselves, only faster (a million employees with day-resolution times
    have far fewer distinct rows). With strata, an event day is a time in one stratum, and its
    risk set holds that stratum's rows only: rows are ordered by a key, the time shifted by a
    multiple of the time span per stratum (the time itself without strata).
    """

    def __init__(
        self,
        time: np.ndarray,
        event: np.ndarray,
        x: np.ndarray,
        ties: str,
        strata: np.ndarray | None = None,
        weights: np.ndarray | None = None,
    ) -> None:
        if ties not in TIES:
            raise ValueError(f"ties must be one of {TIES}")
        time = np.asarray(time, float)
        event = np.asarray(event, bool)
        x = np.asarray(x, float).reshape(len(time), -1)
        stratum = np.zeros(len(time), np.intp) if strata is None else pd.factorize(strata)[0]
        span = time.max() - time.min() + 1.0
        key = time + stratum * span
        codes, first = _patterns(key, event, x)
        self.input_weight = case_weights(weights, len(time))  # persons per input row
        count = np.bincount(codes, self.input_weight, minlength=len(first))
        order = np.argsort(key[first], kind="stable")
        rank = np.empty(len(order), dtype=np.intp)
        rank[order] = np.arange(len(order))
        self.row = rank[codes]  # each input row's pattern in sorted order
        self.weight = count[order]
        self.time = time[first][order]
        self.key = key[first][order]
        self.event = event[first][order]
        # centred on the persons' mean, as R (β unchanged)
        self.x = x[first][order] - self.input_weight @ x / self.input_weight.sum()
        self.dead = np.flatnonzero(self.event)  # sorted patterns with an event
        self.x_dead = self.x[self.dead]
        self.w_dead = self.weight[self.dead]
        self.event_days = np.unique(self.key[self.dead])
        days = len(self.event_days)
        # first sorted pattern at risk on each event day (same stratum, time ≥ t_k) …
        self.start = np.searchsorted(self.key, self.event_days, side="left")
        self.k_dead = np.searchsorted(self.event_days, self.key[self.dead])  # their day
        # … and the first pattern after the day's stratum (the end of its risk set)
        sorted_stratum = stratum[first][order]
        self.stratified = sorted_stratum[-1] > 0
        stratum_end = np.searchsorted(sorted_stratum, sorted_stratum, side="right")
        self.stop = stratum_end[self.start]
        # the first event day of each pattern's stratum
        self.first_day = np.searchsorted(
            self.event_days, time.min() + sorted_stratum * span, side="left"
        )
        self.first_dead = np.searchsorted(self.k_dead, np.arange(days))
        self.deaths = np.bincount(self.k_dead, self.w_dead, minlength=days).round().astype(int)
        self.efron = ties == "efron"
        self.events = int(self.deaths.sum())
        # the Efron steps come in chunks of whole days, about STEP_CHUNK steps each
        reached = np.searchsorted(
            np.cumsum(self.deaths), np.arange(STEP_CHUNK, self.events, STEP_CHUNK), side="left"
        )
        self.day_bounds = np.unique(np.concatenate([[0], reached + 1, [days]]).clip(0, days))
        # last event day at or before each pattern's time (−1 if none)
        self.k_row = np.searchsorted(self.event_days, self.key, side="right") - 1

    def efron_steps(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The Efron steps, one per event (person), ``l = 0..d−1`` within its day, in chunks of
        whole days (memory bounded whatever the number of persons): each step's day and
        ``a = l/d``."""
        for first, end in itertools.pairwise(self.day_bounds):
            deaths = self.deaths[first:end]
            day = np.repeat(np.arange(first, end), deaths)
            within = np.arange(len(day)) - np.repeat(np.cumsum(deaths) - deaths, deaths)
            yield day, within / np.repeat(deaths, deaths)

    def suffix(self, values: np.ndarray) -> np.ndarray:
        """Sums over the risk set of each event day of per-row ``values``."""
        segments = np.add.reduceat(values, self.start, axis=0)  # rows from day k to day k+1
        from_start = np.cumsum(segments[::-1], axis=0)[::-1]  # rows from day k to the end
        if not self.stratified:
            return from_start
        tail = np.cumsum(values[::-1], axis=0)[::-1]
        padded = np.concatenate([tail, np.zeros((1, *tail.shape[1:]))])
        return from_start - padded[self.stop]  # less the rows of later strata

    def per_day(self, values: np.ndarray) -> np.ndarray:
        """Sums over the events of each day of per-event ``values`` (sorted event order)."""
        return np.add.reduceat(values, self.first_dead, axis=0)

    def up_to_row(self, per_day: np.ndarray) -> np.ndarray:
        """Per row, the cumulative sum of ``per_day`` over the days of its stratum up to the
        row's time."""
        cumulative = np.cumsum(per_day, axis=0)
        padded = np.concatenate([np.zeros((1, *cumulative.shape[1:])), cumulative])
        if not self.stratified:
            return padded[self.k_row + 1]
        return padded[self.k_row + 1] - padded[self.first_day]


@dataclass(frozen=True)
class _State:
    """Everything at one β: risk scores and the Efron/Breslow day sums."""

    eta: np.ndarray
    risk: np.ndarray
    s0: np.ndarray
    s1: np.ndarray
    d0: np.ndarray
    d1: np.ndarray
    c0: np.ndarray  # Σ_l 1/den_l
    c1: np.ndarray  # Σ_l a_l/den_l
    q0: np.ndarray  # Σ_l 1/den_l²
    q1: np.ndarray  # Σ_l a_l/den_l²
    q2: np.ndarray  # Σ_l a_l²/den_l²
    loglik: float
    score: np.ndarray


def _step_sums(
    sums: _Sums, s0: np.ndarray, d0: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    """Per event day the sums over its steps ``l`` of ``1/den_l``, ``a_l/den_l``,
    ``1/den_l²``, ``a_l/den_l²`` and ``a_l²/den_l²``, and ``Σ log den_l`` over every step, with
    ``den_l = s0 − a_l·d0``. Breslow's steps of a day all have ``a = 0`` and ``den = s0``: its
    sums are the day's count of events times that step's (no pass over the events)."""
    days = len(sums.event_days)
    if not sums.efron:
        inverse = 1 / s0
        zero = np.zeros(days)
        c0, q0 = sums.deaths * inverse, sums.deaths * inverse**2
        return c0, zero, q0, zero, zero, float(sums.deaths @ np.log(s0))
    c0, c1, q0, q1, q2 = np.zeros((5, days))
    log_den = 0.0
    for k, a in sums.efron_steps():
        den = s0[k] - a * d0[k]
        inverse = 1 / den
        squared = inverse * inverse
        for total, values in zip(
            (c0, c1, q0, q1, q2),
            (inverse, a * inverse, squared, a * squared, a * a * squared),
            strict=True,
        ):
            total += np.bincount(k, values, minlength=days)
        log_den += np.log(den).sum()
    return c0, c1, q0, q1, q2, log_den


def _state(sums: _Sums, beta: np.ndarray) -> _State:
    x, x_dead, dead = sums.x, sums.x_dead, sums.dead
    eta = x @ beta
    shift = eta.max()
    risk = np.exp(eta - shift)
    weighted = sums.weight * risk
    s0 = sums.suffix(weighted)
    s1 = sums.suffix(weighted[:, None] * x)
    d0 = sums.per_day(weighted[dead])
    d1 = sums.per_day(weighted[dead, None] * x_dead)
    c0, c1, q0, q1, q2, log_den = _step_sums(sums, s0, d0)
    loglik = float(sums.w_dead @ eta[dead] - log_den - shift * sums.events)
    score = sums.w_dead @ x_dead - (s1 * c0[:, None] - d1 * c1[:, None]).sum(axis=0)
    return _State(eta, risk, s0, s1, d0, d1, c0, c1, q0, q1, q2, loglik, score)


def _weighted_cross(x: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """x' diag(w) x (as a symmetric rank-k update when w ≥ 0, half the work)."""
    if (weight >= 0).all():
        root = x * np.sqrt(weight)[:, None]
        return root.T @ root
    return (x * weight[:, None]).T @ x


def _information(sums: _Sums, state: _State, weight: np.ndarray | None = None) -> np.ndarray:
    """Σ_k w_k V_k, V_k the Efron (or Breslow) variance of x on event day k (w = 1 if None)."""
    w = np.ones(len(sums.event_days)) if weight is None else weight
    row_weight = sums.weight * state.risk * sums.up_to_row(w * state.c0)
    dead_weight = sums.w_dead * state.risk[sums.dead] * (w * state.c1)[sums.k_dead]
    second = _weighted_cross(sums.x, row_weight) - _weighted_cross(sums.x_dead, dead_weight)
    s1, d1 = state.s1, state.d1
    cross = (s1 * (w * state.q1)[:, None]).T @ d1
    first = (
        (s1 * (w * state.q0)[:, None]).T @ s1
        - cross
        - cross.T
        + (d1 * (w * state.q2)[:, None]).T @ d1
    )
    return second - first


def _has_singular_pivot(information: np.ndarray) -> bool:
    """Whether R's cholesky2 would set a column of this information aside as singular: the
    pivots of its Cholesky elimination against the tolerance times its largest diagonal."""
    remaining = np.array(information, float)
    least = SINGULAR_TOLERANCE * np.max(np.diag(remaining))
    for i in range(len(remaining)):
        pivot = remaining[i, i]
        if not (np.isfinite(pivot) and pivot > least):
            return True
        rest = remaining[i + 1 :, i]
        remaining[i + 1 :, i + 1 :] -= np.outer(rest, rest) / pivot
    return False


def fit(
    time: np.ndarray,
    event: np.ndarray,
    x: np.ndarray,
    names: Sequence[str],
    ties: str = "efron",
    start: np.ndarray | None = None,
    strata: np.ndarray | None = None,
    weights: pd.Series | np.ndarray | None = None,
) -> CoxFit:
    """Newton–Raphson fit from ``start`` (zero if None), stratified by ``strata`` (one code per
    row; R's ``+ strata(s)``: a baseline hazard per stratum, risk sets within strata) if
    given, each row counted ``weights`` times (the persons of a collapsed row);
    :class:`NotEstimable` without events, with a singular design, or when the likelihood is
    monotone (an infinite hazard ratio)."""
    x = np.asarray(x, float).reshape(len(time), -1)
    event = np.asarray(event, bool)
    weight = case_weights(weights, len(time))
    if not event.any():
        raise NotEstimable("no_events")
    if x.shape[1] == 0 or weight.sum() <= x.shape[1]:
        raise NotEstimable("too_few_rows")
    sums = _Sums(np.asarray(time, float), event, x, ties, strata, weight)
    beta = np.zeros(x.shape[1]) if start is None else np.asarray(start, float).copy()
    state = _state(sums, beta)
    information = _information(sums, state)
    if _has_singular_pivot(information):
        # A covariate constant within every risk set of an event, or a combination of others
        # there (R: coefficient NA): its information is zero but for rounding, whose sign
        # would decide what solve() does.
        raise NotEstimable("singular")
    iterations = 0
    while True:
        iterations += 1
        if iterations > MAX_ITERATIONS:
            raise NotEstimable("did_not_converge")
        try:
            step = np.linalg.solve(information, state.score)
        except np.linalg.LinAlgError as error:
            raise NotEstimable("singular") from error
        # A step too far (towards an infinite hazard ratio) can overflow the risk sums: its
        # likelihood is then not finite and the step is halved, so numpy need not warn.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            candidate = _state(sums, beta + step)
            halvings = 0
            while (
                not candidate.loglik >= state.loglik - 1e-12 * abs(state.loglik) and halvings < 30
            ):
                step /= 2
                halvings += 1
                candidate = _state(sums, beta + step)
        if not np.isfinite(candidate.loglik):
            # Thirty halvings of the step still overflow: the information has all but vanished
            # in a direction where the likelihood keeps rising.
            raise NotEstimable("infinite_estimate")
        beta, previous = beta + step, state.loglik
        state = candidate
        information = _information(sums, state)
        if abs(state.loglik - previous) <= TOLERANCE * max(abs(previous), 1.0):
            break
    spread = sums.x.std(axis=0)
    scale = np.sqrt(np.abs(np.diag(information)))
    if not np.all(scale > 0) or np.linalg.cond(information / np.outer(scale, scale)) > 1e12:
        raise NotEstimable("singular")
    variances = np.diag(np.linalg.inv(information))
    if not np.all(np.isfinite(variances) & (variances > 0)):
        # The information of a likelihood still rising towards an infinite coefficient (R's
        # "coefficient may be infinite"), too far out to be inverted: no SE exists.
        raise NotEstimable("infinite_estimate")
    se = np.sqrt(variances)
    if (
        not np.all(np.isfinite(beta))
        or np.any(np.abs(beta) * spread > MONOTONE_LIMIT)
        or np.any(se * spread > MONOTONE_SE)
    ):
        raise NotEstimable("infinite_estimate")
    return CoxFit(
        tuple(names),
        beta,
        information,
        state.loglik,
        ties,
        int(weight.sum()),
        sums.events,
        iterations,
        sums,
    )


def _score_residuals(model: CoxFit) -> np.ndarray:
    """Score residuals, as R's ``residuals(fit, type = "score")``, of each distinct row
    (sorted order; a row's own residual is that of its pattern)."""
    sums = model.sums
    state = _state(sums, model.coef)
    x, risk, dead, k = sums.x, state.risk, sums.dead, sums.k_dead
    c0, c1, q0, q1, q2 = state.c0, state.c1, state.q0, state.q1, state.q2
    s1, d1 = state.s1, state.d1
    m0 = s1 * q0[:, None] - d1 * q1[:, None]  # Σ_l x̄_l / den_l
    # Every row at risk on day k loses r·Σ_l (x − x̄_l)/den_l …
    residuals = -risk[:, None] * (x * sums.up_to_row(c0)[:, None] - sums.up_to_row(m0))
    # … except that an event of day k carries 1/d of each step and (1 − a_l) of its hazard.
    c0_dead = c0 - c1
    m0_dead = s1 * (q0 - q1)[:, None] - d1 * (q1 - q2)[:, None]
    mean = (s1 * c0[:, None] - d1 * c1[:, None]) / sums.deaths[:, None]  # mean of the x̄_l
    xd, rd = x[dead], risk[dead, None]
    residuals[dead] += (
        xd - mean[k] - rd * (xd * c0_dead[k, None] - m0_dead[k]) + rd * (xd * c0[k, None] - m0[k])
    )
    return residuals


def robust_se(model: CoxFit, cluster: np.ndarray | None = None) -> np.ndarray:
    """Sandwich SEs: dfbeta residuals summed per cluster (input order; each person their own
    cluster if None), ``D'D``; a row of weight w adds w persons' dfbeta to its cluster."""
    sums = model.sums
    dfbeta = _score_residuals(model) @ model.vcov  # one row per distinct row
    if cluster is None:
        return np.sqrt(sums.weight @ dfbeta**2)
    codes, clusters = pd.factorize(np.asarray(cluster))
    members = sparse.coo_matrix(
        (sums.input_weight, (codes, sums.row)), shape=(len(clusters), len(sums.time))
    ).tocsr()  # clusters × distinct rows, with counts of persons
    return cluster_robust_se(members @ dfbeta)


def input_dfbeta(model: CoxFit) -> np.ndarray:
    """One person's dfbeta residuals per input row of the fit (rows × coefficients): summed
    per cluster over the persons, wherever they are (in a database engine too), they give
    :func:`cluster_robust_se`."""
    return (_score_residuals(model) @ model.vcov)[model.sums.row]


def cluster_robust_se(summed: np.ndarray) -> np.ndarray:
    """Sandwich SEs from the dfbeta residuals summed per cluster (clusters × coefficients)."""
    return np.sqrt(np.einsum("ij,ij->j", summed, summed))


def wald(coef: float, se: float) -> tuple[float, float, float, float]:
    """Hazard ratio, Wald 95 % interval and two-sided p from a log hazard ratio and its SE."""
    return (
        float(np.exp(coef)),
        float(np.exp(coef - Z95 * se)),
        float(np.exp(coef + Z95 * se)),
        two_sided_p(coef / se),
    )


def _transformed_time(sums: _Sums, transform: str) -> np.ndarray:
    """g(t) per sorted pattern before centring: 1 − left-continuous KM, or the average rank
    of the time, among all rows (strata pooled, as R)."""
    _, inverse = np.unique(sums.time, return_inverse=True)
    counts = np.bincount(inverse, sums.weight)
    if transform == "rank":
        ends = np.cumsum(counts)
        return ((ends - counts + 1 + ends) / 2)[inverse]
    if transform != "km":
        raise ValueError(f"transform must be one of {TRANSFORMS}")
    at_risk = np.cumsum(counts[::-1])[::-1]
    surv = np.cumprod(1 - np.bincount(inverse, sums.weight * sums.event) / at_risk)
    return 1 - np.concatenate([[1.0], surv])[inverse]  # S at the time before


def zph(
    model: CoxFit,
    terms: Mapping[str, Sequence[int]] | None = None,
    transform: str = "km",
) -> ZPHTest:
    """The proportional-hazards test of survival ≥ 3.0 ``cox.zph(fit, transform)``.

    ``terms`` maps a term name to its columns (a factor's dummies together); default one term
    per column. The score for ``x·g(t)`` is tested at the fitted β with the score for β set to
    zero, as in R. :class:`NotEstimable` when every event falls on one day (g(t) is then
    constant and there is no time trend to test) or the information is singular.
    """
    sums = model.sums
    if len(np.unique(sums.time[sums.dead])) < 2:
        raise NotEstimable("one_event_day")
    state = _state(sums, model.coef)
    p = len(model.coef)
    g_rows = _transformed_time(sums, transform)
    g_rows = g_rows - sums.w_dead @ g_rows[sums.dead] / sums.events
    g = g_rows[sums.dead][sums.first_dead]  # one value per event day
    info = np.block(
        [
            [_information(sums, state), _information(sums, state, g)],
            [_information(sums, state, g), _information(sums, state, g**2)],
        ]
    )
    # Schoenfeld residuals: x of each event minus the mean of the day's Efron means.
    mean = (state.s1 * state.c0[:, None] - state.d1 * state.c1[:, None]) / sums.deaths[:, None]
    schoenfeld = sums.x[sums.dead] - mean[sums.k_dead]
    u = np.concatenate([np.zeros(p), (sums.w_dead * g[sums.k_dead]) @ schoenfeld])
    terms = terms or {name: [j] for j, name in enumerate(model.names)}

    def test(columns: Sequence[int]) -> tuple[float, int, float]:
        keep = [*range(p), *(p + j for j in columns)]
        try:
            statistic = float(u[keep] @ np.linalg.solve(info[np.ix_(keep, keep)], u[keep]))
        except np.linalg.LinAlgError as error:
            raise NotEstimable("singular") from error
        return statistic, len(columns), chi2_p(statistic, len(columns))

    scaled = schoenfeld @ np.linalg.inv(model.information) * sums.events + model.coef
    return ZPHTest(
        transform=transform,
        terms={name: test(columns) for name, columns in terms.items()},
        global_test=test(range(p)),
        times=sums.time[sums.dead],
        scaled=scaled,
        counts=sums.w_dead.astype(int),
    )
