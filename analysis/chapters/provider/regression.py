"""Multivariable logistic regression of a declared outcome on declared items.

The model is R's ``glm(outcome ~ items, family = binomial)`` on the programmes that answered
the outcome and every item (complete cases, R's ``na.omit``), fitted with statsmodels'
``GLM(Binomial)`` (IRLS, the logit link). Each item enters as indicators of its levels against
its first, reference level. Per coefficient: the estimate (log odds ratio), its standard error
from the inverse information, Wald z and p (R's ``summary.glm``), the Wald 95 % interval
(``confint.default``) and the profile-likelihood 95 % interval. The profile interval is the
one published: it follows the likelihood rather than a symmetric approximation of it, so it
keeps the right coverage with the few programmes and lopsided answers of a provider survey and
it is the same whether computed for the log odds ratio or the odds ratio; R 4.4 and later give
it by default (``confint()``). Its limits are the exact roots (Brent, to 1e-12) of the signed
square root of the deviance difference, the other coefficients refitted at each point; R's
``confint()`` interpolates a spline over a grid of that profile instead, about 1e-4 from the
roots.

Not estimable (no coefficient is reported, the reason code says why), checked in this order:

- :data:`COLLINEAR`: the indicators are linearly dependent (an item repeats another, or one
  of its levels has no programme); R gives ``NA`` for the aliased terms.
- :data:`COMPLETE_SEPARATION`, :data:`QUASI_COMPLETE_SEPARATION`: some combination of the
  items predicts the outcome perfectly (for all programmes, or for all but ties), so the
  maximum-likelihood estimates are infinite. Detected with Konis's (2007) linear programmes
  (as R's ``safeBinaryRegression`` and ``detectseparation``): with s = 2y − 1, separation
  exists iff some β ≠ 0 has s·Xβ ≥ 0 for every programme, complete separation iff some β
  has s·Xβ > 0 for all; the items whose coefficients can move within that cone are named.
  R's ``glm`` only warns, and not always, of fitted probabilities of 0 or 1. Under
  quasi-complete separation the terms outside that cone keep finite estimates: the limits R's
  ``glm`` converges to while it drives the separated ones to infinity. They are the fit
  without the separated terms on the programmes no separating direction predicts perfectly
  (s·Xβ = 0 for every β of the cone; the others' likelihood is 1 in the limit), reported with
  the separated terms named as not estimable (:attr:`LogisticModel.not_estimable`), when that
  fit has an intercept, is of full rank, is not separated itself and passes the output check.
- the output-checking rule for models (:func:`analysis.core.output_checks.statistic_withheld`):
  every cell of an item's level by the outcome (the groups the model compares) reaches the
  threshold (:data:`~analysis.core.disclosure.SMALL_GROUP`), and so do the residual degrees of
  freedom, programmes minus parameters (:data:`~analysis.core.output_checks.FEW_DF`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from math import exp, sqrt

import numpy as np
import pandas as pd
from scipy.optimize import brentq, linprog
from scipy.special import expit
from scipy.stats import norm
from statsmodels.genmod.families import Binomial
from statsmodels.genmod.generalized_linear_model import GLM, GLMResults

from analysis.core.output_checks import statistic_withheld

Z95 = float(norm.isf(0.025))
COLLINEAR = "collinear"
COMPLETE_SEPARATION = "complete_separation"
QUASI_COMPLETE_SEPARATION = "quasi_complete_separation"
TOLERANCE = 1e-12  # IRLS convergence (deviance) and the profile limits' roots
LP_TOLERANCE = 1e-7  # an LP optimum above this is a separating direction


# A column of the model: (item, level, reference), all None for the intercept.
Term = tuple[str | None, str | None, str | None]


@dataclass(frozen=True)
class Coefficient:
    """One term: ``level`` of ``item`` against its ``reference`` level (all three None for the
    intercept), on the log-odds scale."""

    item: str | None
    level: str | None
    reference: str | None
    estimate: float
    se: float
    z: float
    p: float
    wald_low: float
    wald_high: float
    profile_low: float
    profile_high: float

    @property
    def odds_ratio(self) -> float:
        """The estimate as an odds ratio."""
        return exp(self.estimate)

    @property
    def term(self) -> Term:
        """The model column this is the coefficient of."""
        return (self.item, self.level, self.reference)

    def to_json(self) -> dict:
        """The coefficient in ``provider.json``: log odds and odds ratios with both intervals."""
        return {
            "item": self.item,
            "level": self.level,
            "reference": self.reference,
            "estimate": self.estimate,
            "se": self.se,
            "z": self.z,
            "p": self.p,
            "odds_ratio": self.odds_ratio,
            "or_profile_ci": [exp(self.profile_low), exp(self.profile_high)],
            "or_wald_ci": [exp(self.wald_low), exp(self.wald_high)],
        }


@dataclass(frozen=True)
class LogisticModel:
    """The fitted model, or why it is not estimable (``reason``; then no coefficients).

    ``n``: programmes in the model (complete cases); ``excluded``: programmes left out for a
    missing answer; ``events``: programmes with the outcome; ``threshold``: the smallest cell
    and residual degrees of freedom the output check allowed; ``separated``: the items whose
    estimates are infinite under separation (every item under complete separation, where
    every coefficient can move)."""

    outcome: str
    items: tuple[str, ...]
    n: int
    excluded: int
    events: int
    parameters: int
    threshold: int
    reason: str | None
    separated: tuple[str, ...] = ()
    coefficients: tuple[Coefficient, ...] = ()
    deviance: float | None = None
    not_estimable: tuple[Term, ...] = ()
    predicted: int = 0
    design: tuple[Term, ...] = ()  # the model's columns, in order

    @property
    def terms(self) -> tuple[Coefficient, ...]:
        """The coefficients of the items (the intercept left out)."""
        return tuple(c for c in self.coefficients if c.item is not None)

    @property
    def rows(self) -> tuple[tuple[Term, Coefficient | None], ...]:
        """Each term of the items in the model's order with its coefficient (None: not
        estimable, under quasi-complete separation), as the table and the figure show them."""
        fitted = {coefficient.term: coefficient for coefficient in self.terms}
        return tuple((term, fitted.get(term)) for term in self.design if term[0] is not None)

    @property
    def partial(self) -> bool:
        """True when only some terms are estimable (quasi-complete separation): the others'
        limits are the ``coefficients``, the separated terms ``not_estimable``, and
        ``predicted`` programmes, predicted perfectly, add nothing to them."""
        return self.reason is not None and bool(self.coefficients)

    def to_json(self) -> dict:
        """The model in ``provider.json``."""
        return {
            "outcome": self.outcome,
            "items": list(self.items),
            "n": self.n,
            "excluded": self.excluded,
            "events": self.events,
            "parameters": self.parameters,
            "threshold": self.threshold,
            "reason": self.reason,
            "separated": list(self.separated),
            "not_estimable": [
                {"item": item, "level": level, "reference": reference}
                for item, level, reference in self.not_estimable
            ],
            "predicted_perfectly": self.predicted,
            "deviance": self.deviance,
            "confidence_interval": "profile_likelihood",
            "coefficients": [c.to_json() for c in self.coefficients],
        }


def design(
    frame: pd.DataFrame, items: Mapping[str, Sequence[str]]
) -> tuple[np.ndarray, list[Term]]:
    """The model matrix (an intercept, then each item's indicators of its levels after the
    first) and what each column is: (item, level, reference)."""
    columns = [np.ones(len(frame))]
    terms: list[Term] = [(None, None, None)]
    for item, levels in items.items():
        for level in levels[1:]:
            columns.append((frame[item] == level).to_numpy(dtype=float))
            terms.append((item, level, levels[0]))
    return np.column_stack(columns), terms


def separation(X: np.ndarray, y: np.ndarray) -> tuple[str | None, list[int]]:
    """Konis's linear programmes on a full-rank ``X``: the kind of separation
    (:data:`COMPLETE_SEPARATION`, :data:`QUASI_COMPLETE_SEPARATION` or None) and the columns
    whose coefficients are infinite."""
    signed = (2 * y - 1)[:, None] * X
    total = signed.sum(axis=0)
    signed = np.unique(signed, axis=0)  # programmes alike in answers and outcome: one row
    rows, k = signed.shape
    box = [(-1.0, 1.0)] * k

    best = partial(_cone_maximum, signed)
    if best(total) <= LP_TOLERANCE:
        return None, []
    # max t subject to s·Xβ ≥ t, |β| ≤ 1, 0 ≤ t ≤ 1
    strict = linprog(
        np.r_[np.zeros(k), -1.0],
        A_ub=np.c_[-signed, np.ones(rows)],
        b_ub=np.zeros(rows),
        bounds=[*box, (0.0, 1.0)],
    )
    kind = COMPLETE_SEPARATION if -strict.fun > LP_TOLERANCE else QUASI_COMPLETE_SEPARATION
    unit = np.eye(k)
    infinite = [j for j in range(k) if max(best(unit[j]), best(-unit[j])) > LP_TOLERANCE]
    return kind, infinite


def _cone_maximum(signed: np.ndarray, objective: np.ndarray) -> float:
    """max objective·β subject to s·Xβ ≥ 0 and |β| ≤ 1 (``signed``: s·X)."""
    rows, k = signed.shape
    solved = linprog(-objective, A_ub=-signed, b_ub=np.zeros(rows), bounds=[(-1.0, 1.0)] * k)
    return -solved.fun


def predicted_perfectly(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The programmes some separating direction predicts perfectly (s·Xβ > 0 for a β with
    s·Xβ ≥ 0 for all): their likelihood is 1 in the limit of a separated fit."""
    signed = (2 * y - 1)[:, None] * X
    # One programme for the programmes alike in answers and outcome (their rows of s·X).
    rows, row_of = np.unique(signed, axis=0, return_inverse=True)
    perfect = np.array([_cone_maximum(rows, row) > LP_TOLERANCE for row in rows])
    return perfect[row_of.ravel()]


def deviance(
    X: np.ndarray, y: np.ndarray, beta: np.ndarray, offset: float | np.ndarray = 0.0
) -> float:
    """The binomial deviance of 0/1 outcomes at ``beta``: 2 Σ log(1 + exp(−s·η)), s = 2y − 1."""
    return float(2 * np.logaddexp(0.0, -(2 * y - 1) * (X @ beta + offset)).sum())


def _refit(
    X: np.ndarray, y: np.ndarray, offset: np.ndarray, start: np.ndarray
) -> tuple[np.ndarray, float]:
    """The β and the smallest deviance with a fixed ``offset``: one point of a profile.
    Newton–Raphson from ``start``, halving a step that raises the deviance, to steps below
    :data:`TOLERANCE`; plain numpy, since a statsmodels fit per point took seconds per limit."""
    beta, current = start.copy(), deviance(X, y, start, offset)
    for _ in range(100):
        fitted = expit(X @ beta + offset)
        information = X.T @ ((fitted * (1 - fitted))[:, None] * X)
        step = np.linalg.lstsq(information, X.T @ (y - fitted), rcond=None)[0]
        while (trial := deviance(X, y, beta + step, offset)) > current and (
            np.abs(step).max() > TOLERANCE
        ):
            step /= 2
        beta, current = beta + step, trial
        if np.abs(step).max() < TOLERANCE:
            break
    return beta, current


def profile_limit(X: np.ndarray, y: np.ndarray, fitted: GLMResults, j: int, side: int) -> float:
    """The lower (``side`` −1) or upper (+1) profile-likelihood 95 % limit of coefficient
    ``j``: where the signed root of the deviance difference reaches ∓z (R's ``confint()``
    profiles the same function)."""
    estimate, se = fitted.params[j], fitted.bse[j]
    others = np.delete(X, j, axis=1)
    start = np.delete(fitted.params, j)
    lowest = deviance(X, y, fitted.params)

    def signed_root(value: float) -> float:
        nonlocal start  # each point starts from the last one, which the search keeps near
        start, profiled = _refit(others, y, value * X[:, j], start)
        root = sqrt(max(profiled - lowest, 0.0))
        return float(np.sign(value - estimate)) * root - side * Z95

    far = estimate + side * 2 * Z95 * se
    while signed_root(far) * side < 0:
        far += side * Z95 * se
    low, high = sorted((estimate, far))
    return brentq(signed_root, low, high, xtol=TOLERANCE, rtol=4 * np.finfo(float).eps)


def logistic_regression(
    frame: pd.DataFrame,
    outcome: str,
    event: str,
    items: Mapping[str, Sequence[str]],
    threshold: int,
) -> LogisticModel:
    """Regress ``outcome == event`` on ``items`` (each with its levels, the reference first;
    values compared as text) over the rows that answered all of them; not estimable with a
    reason when the design is collinear, the outcome separated, or the output-checking rule
    at ``threshold`` withholds the model (0 turns the rule off)."""
    columns = [outcome, *items]
    answered = frame[columns].notna().all(axis=1)
    used = frame.loc[answered, columns].astype(str)
    y = (used[outcome] == event).to_numpy(dtype=float)
    X, terms = design(used, items)
    common = {
        "outcome": outcome,
        "items": tuple(items),
        "n": len(used),
        "excluded": int((~answered).sum()),
        "events": int(y.sum()),
        "parameters": X.shape[1],
        "threshold": threshold,
        "design": tuple(terms),
    }
    if len(used) == 0 or np.linalg.matrix_rank(X) < X.shape[1]:
        return LogisticModel(**common, reason=COLLINEAR)
    kind, infinite = separation(X, y)
    if kind:
        named = dict.fromkeys(terms[j][0] for j in infinite if terms[j][0] is not None)
        separated = LogisticModel(**common, reason=kind, separated=tuple(named))
        if kind == COMPLETE_SEPARATION or 0 in infinite:
            return separated
        return _finite_terms(separated, used, y, X, terms, infinite) or separated
    withheld = _withheld(used, y, items, X.shape[1], threshold)
    if withheld:
        return LogisticModel(**common, reason=withheld)
    coefficients, fitted_deviance = _fit(X, y, terms)
    return LogisticModel(**common, reason=None, coefficients=coefficients, deviance=fitted_deviance)


def _withheld(
    used: pd.DataFrame,
    y: np.ndarray,
    items: Mapping[str, Sequence[str]],
    parameters: int,
    threshold: int,
) -> str | None:
    """Why the output check withholds a model of ``items`` on these programmes (None: shown):
    a cell of an item's level by the outcome, or the residual degrees of freedom, small."""
    cells = [
        int(((used[item] == level).to_numpy() & (y == value)).sum())
        for item, levels in items.items()
        for level in levels
        for value in (0, 1)
    ]
    return statistic_withheld(cells, threshold, len(used), parameters)


def _fit(X: np.ndarray, y: np.ndarray, terms: list[Term]) -> tuple[tuple[Coefficient, ...], float]:
    """The maximum-likelihood fit: each term's coefficient with both intervals, the deviance."""
    fitted = GLM(y, X, family=Binomial()).fit(tol=TOLERANCE, maxiter=100)
    limits = [
        (profile_limit(X, y, fitted, j, -1), profile_limit(X, y, fitted, j, 1))
        for j in range(X.shape[1])
    ]
    coefficients = tuple(
        Coefficient(
            *term,
            estimate=float(b),
            se=float(se),
            z=float(b / se),
            p=float(2 * norm.sf(abs(b / se))),
            wald_low=float(b - Z95 * se),
            wald_high=float(b + Z95 * se),
            profile_low=float(low),
            profile_high=float(high),
        )
        for term, b, se, (low, high) in zip(terms, fitted.params, fitted.bse, limits, strict=True)
    )
    return coefficients, float(fitted.deviance)


def _finite_terms(
    separated: LogisticModel,
    used: pd.DataFrame,
    y: np.ndarray,
    X: np.ndarray,
    terms: list[Term],
    infinite: list[int],
) -> LogisticModel | None:
    """Under quasi-complete separation, the model with the limits of the finite terms: the
    fit without the ``infinite`` columns on the programmes not predicted perfectly (None when
    that fit has no item term, is collinear, separated itself, or withheld by the output check,
    whose cells are its programmes' answers to the items with a finite term)."""
    kept = ~predicted_perfectly(X, y)
    finite = [j for j in range(X.shape[1]) if j not in infinite]
    reduced, outcome = X[np.ix_(kept, finite)], y[kept]
    if (
        len(finite) == 1  # the intercept alone: no item has an odds ratio
        or np.linalg.matrix_rank(reduced) < len(finite)
        or separation(reduced, outcome)[0]
    ):
        return None
    remaining: dict[str, list[str]] = {}  # each item's reference and its finite levels
    for item, level, reference in (terms[j] for j in finite[1:]):
        remaining.setdefault(item, [reference]).append(level)
    if _withheld(used[kept], outcome, remaining, len(finite), separated.threshold):
        return None
    coefficients, fitted_deviance = _fit(reduced, outcome, [terms[j] for j in finite])
    return replace(
        separated,
        coefficients=coefficients,
        deviance=fitted_deviance,
        not_estimable=tuple(terms[j] for j in infinite),
        predicted=int((~kept).sum()),
    )
