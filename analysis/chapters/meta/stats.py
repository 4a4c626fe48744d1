"""Pooling of risk ratios (and of mean differences) the way RevMan 5 and R's metafor do.

Mantel–Haenszel fixed effect as RevMan 5 (0.5 added to all four cells of a study with a zero
cell, as R's ``meta`` package with ``MH.exact = FALSE``) and exact, as metafor's ``rma.mh``
(raw counts); inverse-variance fixed effect; DerSimonian–Laird random effects with Q around
the inverse-variance estimate (metafor's ``rma(method = "DL")``) or around the RevMan 5
Mantel–Haenszel estimate (RevMan 5); Hartung–Knapp–Sidik–Jonkman (``test = "knha"``) and the
prediction interval (t with k − 2 df, metafor's ``predict(pi.type = "riley")``; metafor's
default uses the normal quantile). An MD or SMD analysis (``effects.continuous_effects``) has
the inverse-variance models only (fixed, DerSimonian–Laird, HKSJ; RevMan 5's random-effects
model for continuous outcomes is DerSimonian–Laird). Per-study rows for the forest plots,
absolute effects for the summary of findings, and risk-of-bias counts. A statistic that
cannot be computed is NaN with the reason next to it (see ``REASONS``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.meta_analysis import (
    CombineResults,
    combine_effects,
    effectsize_2proportions,
)

from analysis.chapters.meta.data import BINARY_MEASURE, ROB_DOMAINS, ROB_LEVELS, MetaData
from analysis.chapters.meta.effects import RATIO_MEASURES, continuous_effects, from_scale
from analysis.chapters.meta.pooling import Fit, rma

Z95 = float(stats.norm.isf(0.025))
ZERO_CELL_CORRECTION = 0.5
MODELS = ("fixed_mh", "fixed_mh_exact", "fixed_iv", "random", "random_revman", "hksj")
INVERSE_VARIANCE_MODELS = ("fixed_iv", "random", "hksj")  # the models of an MD or SMD analysis
# The keys of each kind of model in the results JSON (``Pooled.contract``).
CONTRACT_KEYS = ("estimate", "ci_low", "ci_high", "p")  # the estimate's, with ``reason``
FIXED_KEYS = (*CONTRACT_KEYS, "reason")
# The fields ``Pooled`` shares with ``pooling.Heterogeneity``.
HETEROGENEITY_PARTS = (
    "tau2", "tau2_low", "tau2_high", "q", "q_df", "q_p", "i2", "i2_low", "i2_high",
)  # fmt: skip
RANDOM_KEYS = (
    *FIXED_KEYS, "tau2", "i2", "q", "q_p", "pi_low", "pi_high", "heterogeneity_reason",
    "pi_reason",
)  # fmt: skip
# Why a statistic is not estimable (the "reason" fields of the results JSON).
NO_STUDIES = "no_estimable_studies"  # every study double-zero or all-events
NEEDS_COUNTS = "needs_counts"  # Mantel–Haenszel with a study given only as RR and CI
NO_EVENTS_IN_ONE_ARM = "no_events_in_one_arm"  # exact M-H: no events in one arm of every study
SINGLE_STUDY = "single_study"  # heterogeneity and Hartung–Knapp need two or more studies
FEWER_THAN_THREE = "fewer_than_three_studies"  # the prediction interval needs k ≥ 3
REASONS = (NO_STUDIES, NEEDS_COUNTS, NO_EVENTS_IN_ONE_ARM, SINGLE_STUDY, FEWER_THAN_THREE)


def is_random(model: str) -> bool:
    """True for the random-effects models, which carry heterogeneity statistics."""
    return model.startswith("random")


@dataclass(frozen=True)
class Pooled:
    """One pooled model on the measure's scale, the one result type of the chapter's models,
    RevMan 5's (``pool``) and the current default's (``current``: the whole analysis, each
    study left out, each subgroup).

    ``estimate`` and its CI and prediction interval are on the measure's scale (a risk ratio,
    or a mean difference), ``scale_estimate``, ``se`` and ``z`` on the analysis scale (log RR,
    MD or SMD); ``k`` the studies pooled (None where the model does not report it). Optional
    parts, NaN unless computed: τ², Q and I² (a proportion) of a random-effects model; the
    Q-profile CI of τ² and the I² CI it implies and the Hartung–Knapp–Sidik–Jonkman CI and p
    (the current default; RevMan 5's HKSJ is the separate model ``hksj``). Statistics that
    are not estimable are NaN, with the reason: ``reason`` for the estimate, CI and p,
    ``heterogeneity_reason`` for τ², Q, I² and HKSJ, ``pi_reason`` for the prediction
    interval (None when estimable). ``contract(keys)`` picks the results JSON's keys."""

    estimate: float
    ci_low: float
    ci_high: float
    p: float
    scale_estimate: float
    se: float
    z: float
    k: int | None = None
    tau2: float = math.nan
    tau2_low: float = math.nan
    tau2_high: float = math.nan
    q: float = math.nan
    q_df: int = 0
    q_p: float = math.nan
    i2: float = math.nan
    i2_low: float = math.nan
    i2_high: float = math.nan
    hksj_low: float = math.nan
    hksj_high: float = math.nan
    hksj_p: float = math.nan
    pi_low: float = math.nan
    pi_high: float = math.nan
    reason: str | None = None
    heterogeneity_reason: str | None = None
    pi_reason: str | None = None

    @property
    def estimable(self) -> bool:
        """Whether the model has a pooled estimate."""
        return math.isfinite(self.estimate)

    @classmethod
    def from_fit(
        cls, fit: Fit, measure: str, heterogeneity: bool = False, **parts: float | str | None
    ) -> Self:
        """A metafor-style fit (``pooling.Fit``, analysis scale) on the measure's scale, with
        its τ², Q and I² and their intervals if ``heterogeneity`` (``pooling.Heterogeneity``),
        and the optional ``parts`` (HKSJ, prediction interval, reasons, a subclass's name)."""
        if heterogeneity:
            het = fit.heterogeneity
            parts = {key: getattr(het, key) for key in HETEROGENEITY_PARTS} | parts
        return cls(
            from_scale(measure, fit.estimate), from_scale(measure, fit.ci_low),
            from_scale(measure, fit.ci_high), fit.p, fit.estimate, fit.se, fit.statistic, fit.k,
            **parts,
        )  # fmt: skip

    def contract(self, keys: Sequence[str]) -> dict[str, float | int | str | None]:
        """The model's part of the results JSON: ``keys`` in their order (``FIXED_KEYS``,
        ``RANDOM_KEYS`` with τ², I², Q and the prediction interval, or the current
        default's)."""
        return {key: getattr(self, key) for key in keys}


def not_estimable(reason: str, k: int | None = None) -> Pooled:
    """A model none of whose statistics can be computed."""
    nan = math.nan
    return Pooled(nan, nan, nan, nan, nan, nan, nan, k, reason=reason,
                  heterogeneity_reason=reason, pi_reason=reason)  # fmt: skip


# GRADE's convention: absolute effects per 1,000 when the control risk is below 10 %.
PER_1000_BELOW = 10.0


@dataclass(frozen=True)
class AbsoluteEffects:
    """Control risk, risk with intervention and risk difference per ``per`` people (100, or
    1,000 when the control risk is below 10 %), the last two as (estimate, low, high)."""

    control: float
    risk: tuple[float, float, float]
    difference: tuple[float, float, float]
    per: int = 100


@dataclass(frozen=True)
class AnalysisResult:
    """Every pooled model of one analysis (``MODELS`` for risk ratios, the inverse-variance
    ones for MD and SMD) and the per-study rows of its forest plot.

    ``effects`` holds one row per study (``study_effects``) plus ``weight``: its weight in %
    in the headline model (NaN when not estimable). ``k`` and ``n_participants`` count every
    study of the analysis, a double-zero or all-events study included (it is shown but
    not pooled), so the two always describe the same studies.
    """

    effects: pd.DataFrame
    k: int
    n_participants: int | None
    models: Mapping[str, Pooled]
    headline: str
    absolute: AbsoluteEffects | None = None
    direction: str = "beneficial"  # beneficial: more events (higher values) favour the intervention
    measure: str = BINARY_MEASURE

    @property
    def pooled(self) -> Pooled:
        """The headline model: the one the review reports."""
        return self.models[self.headline]

    @property
    def ratio(self) -> bool:
        """Whether the measure is a ratio (log scale, null value 1) rather than a difference."""
        return self.measure in RATIO_MEASURES

    @property
    def k_pooled(self) -> int:
        """Studies that enter the pooling (``k`` without the double-zero and all-events
        studies)."""
        return int(self.effects["estimable"].astype(bool).sum())

    @property
    def not_estimable(self) -> list[str]:
        """Studies counted in ``k`` but left out of the pooling (no events in either arm, or
        events in every participant of both arms)."""
        return self.effects.loc[~self.effects["estimable"].astype(bool), "study"].tolist()

    @property
    def zero_cell_studies(self) -> list[str]:
        """Studies with a zero cell (0.5 added to their four cells)."""
        return self.effects.loc[self.effects["zero_corrected"].astype(bool), "study"].tolist()

    @property
    def reconstructed_studies(self) -> list[str]:
        """Studies of the analysis whose counts are reconstructed."""
        return self.effects.loc[self.effects["source"] == "reconstructed", "study"].tolist()

    @property
    def observed_control_risk(self) -> float:
        """Pooled observed risk per 100 in the control arms."""
        return float(100 * self.effects["events_control"].sum() / self.effects["n_control"].sum())

    @property
    def observed_control_mean(self) -> float:
        """Mean of an MD or SMD analysis' control arms, weighted by their size (the control
        column of the summary of findings)."""
        sizes = self.effects["n_control"].astype(float)
        return float((self.effects["mean_control"].astype(float) * sizes).sum() / sizes.sum())

    def contract(self) -> dict:
        """The analysis' part of the results JSON."""
        return {
            "measure": self.measure,
            "k": self.k,
            "k_pooled": self.k_pooled,
            "n_participants": self.n_participants,
            **{
                model: pooled.contract(RANDOM_KEYS if is_random(model) else FIXED_KEYS)
                for model, pooled in self.models.items()
            },
        }


def study_effects(studies: pd.DataFrame, measure: str = BINARY_MEASURE) -> pd.DataFrame:
    """Per-study effect ``yi`` on the analysis scale (log RR, MD or SMD) with its variance
    ``vi``, and ``effect`` with its 95 % CI on the measure's scale (RR, MD or SMD).

    Risk ratios (Cochrane rules for zero cells): 0.5 is added to all four cells of a study
    with a zero cell (as metafor's ``escalc(add = 1/2, to = "only0")`` and RevMan 5;
    statsmodels applies the correction only to such studies); a study with no events in
    either arm, or with events in every participant of both arms, is not estimable
    (``drop00 = TRUE``, which drops both; R's ``meta`` with ``allstudies = FALSE`` too).
    Rows without counts use their reported RR and 95 % CI (generic inverse variance).
    MD and SMD (Hedges' g) from the means, SDs and sizes of both arms
    (``effects.continuous_effects``, metafor's ``escalc``).
    """
    frame = studies.reset_index(drop=True).copy()
    if measure == BINARY_MEASURE:
        yi, vi, estimable, zero_cell, has_counts = _risk_ratios(frame)
    else:
        arms = [
            frame[column].to_numpy(float)
            for column in (
                "mean_intervention", "sd_intervention", "n_intervention",
                "mean_control", "sd_control", "n_control",
            )
        ]  # fmt: skip
        effects = continuous_effects(*arms, measure)
        yi, vi = effects.yi, effects.vi
        estimable = np.ones(len(frame), dtype=bool)
        zero_cell = has_counts = np.zeros(len(frame), dtype=bool)
    se = np.sqrt(vi)
    frame["yi"], frame["vi"] = yi, vi
    frame["effect"] = from_scale(measure, yi)
    frame["effect_low"] = from_scale(measure, yi - Z95 * se)
    frame["effect_high"] = from_scale(measure, yi + Z95 * se)
    frame["estimable"] = estimable
    frame["zero_corrected"] = zero_cell
    frame["has_counts"] = has_counts
    return frame


def _risk_ratios(
    frame: pd.DataFrame,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Log risk ratio and variance per row (see ``study_effects``), whether it is estimable,
    whether it had a zero cell and whether it gave counts."""
    has_counts = frame["n_intervention"].notna().to_numpy()
    a = frame["events_intervention"].astype(float).to_numpy()
    n1 = frame["n_intervention"].astype(float).to_numpy()
    c = frame["events_control"].astype(float).to_numpy()
    n2 = frame["n_control"].astype(float).to_numpy()
    dropped = has_counts & (((a == 0) & (c == 0)) | ((a == n1) & (c == n2)))
    zero_cell = has_counts & ~dropped & ((a == 0) | (c == 0) | (a == n1) | (c == n2))
    log_rr = np.full(len(frame), np.nan)
    var = np.full(len(frame), np.nan)
    use = has_counts & ~dropped
    if use.any():
        # statsmodels' own float zero_correction adds it to the events of every study but
        # to the totals of zero-cell studies only, so the correction is applied here.
        add = ZERO_CELL_CORRECTION * zero_cell[use]
        log_rr[use], var[use] = effectsize_2proportions(
            a[use] + add,
            n1[use] + 2 * add,
            c[use] + add,
            n2[use] + 2 * add,
            statistic="risk-ratio",
        )
    if (~has_counts).any():
        generic = frame.loc[~has_counts]
        log_rr[~has_counts] = np.log(generic["estimate"].to_numpy(float))
        width = np.log(generic["ci_high"].to_numpy(float)) - np.log(
            generic["ci_low"].to_numpy(float)
        )
        var[~has_counts] = (width / (2 * Z95)) ** 2
    return log_rr, var, ~dropped, zero_cell, has_counts


def mantel_haenszel_rr(
    a: np.ndarray,
    n1: np.ndarray,
    c: np.ndarray,
    n2: np.ndarray,
    zero_cell: np.ndarray | None = None,
) -> tuple[float, float]:
    """Mantel–Haenszel log risk ratio and its Greenland–Robins (1985) standard error.

    Without ``zero_cell`` the raw counts are used (exact, as metafor's ``rma.mh``); with it
    0.5 is added to all four cells of the studies it marks (RevMan 5; R's ``meta`` package
    with ``MH.exact = FALSE``). Returns NaNs when no study has events in one of the arms.
    """
    a, n1, c, n2 = (np.asarray(x, dtype=float) for x in (a, n1, c, n2))
    if zero_cell is not None:
        add = ZERO_CELL_CORRECTION * np.asarray(zero_cell, dtype=float)
        a, n1, c, n2 = a + add, n1 + 2 * add, c + add, n2 + 2 * add
    total = n1 + n2
    r = a * n2 / total
    s = c * n1 / total
    if r.sum() == 0 or s.sum() == 0:
        return math.nan, math.nan
    p = (n1 * n2 * (a + c) - a * c * total) / total**2
    return float(np.log(r.sum() / s.sum())), float(np.sqrt(p.sum() / (r.sum() * s.sum())))


def summary(
    scale_estimate: float,
    se: float,
    crit: float = Z95,
    dist: stats.rv_continuous | None = None,
    measure: str = BINARY_MEASURE,
    **extra: float | str | None,
) -> Pooled:
    """A pooled estimate on the analysis scale as the measure (RR, MD, SMD) with CI and
    two-sided p (``extra``: heterogeneity statistics and reasons)."""
    if not math.isfinite(scale_estimate) or not math.isfinite(se) or se <= 0:
        finite = math.isfinite(scale_estimate)
        estimate = from_scale(measure, scale_estimate) if finite else math.nan
        return Pooled(estimate, math.nan, math.nan, math.nan, scale_estimate, se, math.nan, **extra)
    z = scale_estimate / se
    p = float(2 * (dist or stats.norm).sf(abs(z)))
    return Pooled(
        from_scale(measure, scale_estimate),
        from_scale(measure, scale_estimate - crit * se),
        from_scale(measure, scale_estimate + crit * se),
        p,
        scale_estimate,
        se,
        z,
        **extra,
    )


def _combine(y: np.ndarray, v: np.ndarray) -> CombineResults:
    """statsmodels' fixed-effect combination (its k = 1 warnings about τ² are irrelevant here)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return combine_effects(y, v, method_re="chi2")


def random_effects(
    y: np.ndarray, v: np.ndarray, centre: float | None = None, measure: str = BINARY_MEASURE
) -> tuple[Pooled, np.ndarray]:
    """DerSimonian–Laird random effects, τ² truncated at 0, with a 95 % prediction interval,
    and the study weights (summing to 1).

    Q is taken around ``centre`` (the inverse-variance fixed estimate when None, as in
    metafor's ``rma(method="DL")``; the Mantel–Haenszel estimate for the RevMan 5 variant).
    The prediction interval uses t with k − 2 df (Higgins, Thompson & Spiegelhalter 2009;
    metafor's ``predict(pi.type = "riley")``) and is defined for k ≥ 3. With one study τ²,
    Q and I² are not estimable and the estimate is the study's own (τ² taken as 0).
    """
    y, v = np.asarray(y, dtype=float), np.asarray(v, dtype=float)
    k = len(y)
    if k == 0:
        return not_estimable(NO_STUDIES), np.array([])
    fixed = _combine(y, v)
    w = fixed.weights_fe
    if centre is None:
        centre = fixed.mean_effect_fe
    df = k - 1
    q = float((w * (y - centre) ** 2).sum()) if k > 1 else math.nan
    tau2 = max(0.0, (q - df) / fixed.c) if k > 1 else 0.0
    w_re = 1 / (v + tau2)
    mu = float((w_re * y).sum() / w_re.sum())
    se = float(1 / np.sqrt(w_re.sum()))
    if k >= 3:
        half = stats.t.isf(0.025, k - 2) * math.sqrt(tau2 + se**2)
        pi_low, pi_high = from_scale(measure, mu - half), from_scale(measure, mu + half)
    else:
        pi_low = pi_high = math.nan
    pooled = summary(
        mu,
        se,
        measure=measure,
        tau2=tau2 if k > 1 else math.nan,
        q=q,
        q_df=df,
        q_p=float(stats.chi2.sf(q, df)) if k > 1 else math.nan,
        i2=(max(0.0, (q - df) / q) if q > 0 else 0.0) if k > 1 else math.nan,
        pi_low=pi_low,
        pi_high=pi_high,
        heterogeneity_reason=None if k > 1 else SINGLE_STUDY,
        pi_reason=None if k >= 3 else FEWER_THAN_THREE,
    )
    return pooled, w_re / w_re.sum()


def hartung_knapp(
    y: np.ndarray, v: np.ndarray, tau2: float, measure: str = BINARY_MEASURE
) -> Pooled:
    """Hartung–Knapp–Sidik–Jonkman CI and test with the random-effects model's τ² (t, k − 1
    df; no ad hoc floor, as metafor's ``rma(tau2 = tau2, test = "knha")``); with one study
    only the estimate (no df for the interval)."""
    if len(y) < 2:
        own = rma(y, v, "FE").estimate
        return summary(own, math.nan, measure=measure, reason=SINGLE_STUDY)
    return Pooled.from_fit(rma(y, v, "DL", "knha", interval=False, tau2=tau2), measure)


def absolute_effects(control_per_100: float, pooled: Pooled) -> AbsoluteEffects:
    """Corresponding intervention risk and risk difference (control risk × RR), per 100, or
    per 1,000 when the control risk is below 10 %."""
    per = 1000 if control_per_100 < PER_1000_BELOW else 100
    control = control_per_100 * per / 100
    risk = tuple(control * x for x in (pooled.estimate, pooled.ci_low, pooled.ci_high))
    return AbsoluteEffects(control, risk, tuple(x - control for x in risk), per)


def _mantel_haenszel_models(used: pd.DataFrame) -> tuple[Pooled, Pooled]:
    """The RevMan 5 and the exact Mantel–Haenszel models, on the estimable studies: the exact
    one is metafor's ``rma.mh(drop00 = c(TRUE, TRUE))`` (its default ``c(TRUE, FALSE)`` keeps
    all-events studies in the M-H sums, where they pull a risk ratio towards 1)."""
    if not used["has_counts"].all():
        return not_estimable(NEEDS_COUNTS), not_estimable(NEEDS_COUNTS)
    counts = [
        used[column]
        for column in ("events_intervention", "n_intervention", "events_control", "n_control")
    ]
    revman = mantel_haenszel_rr(*counts, zero_cell=used["zero_corrected"].to_numpy(bool))
    exact = mantel_haenszel_rr(*counts)
    return (
        summary(*revman),
        summary(*exact) if math.isfinite(exact[0]) else not_estimable(NO_EVENTS_IN_ONE_ARM),
    )


def pool(
    effects: pd.DataFrame,
    control_per_100: float | None = None,
    direction: str = "beneficial",
    measure: str = BINARY_MEASURE,
) -> AnalysisResult:
    """All pooled models of one analysis (rows of ``study_effects`` for one analysis_id).

    Risk ratios: Mantel–Haenszel needs counts: with any generic-inverse-variance row its
    models are not estimable and the headline model is DerSimonian–Laird instead of RevMan
    5's M-H random effects. With no study left after the double-zero and all-events ones
    every model is not estimable. MD and SMD: the inverse-variance models only
    (``INVERSE_VARIANCE_MODELS``), DerSimonian–Laird the headline, as in RevMan 5.
    With ``control_per_100`` (the assumed control risk of a risk-ratio analysis) the absolute
    effects are added; ``direction`` is the outcome's (harmful: fewer events, or lower
    values, favour the intervention).
    """
    estimable = effects["estimable"].to_numpy(bool)
    used = effects[estimable]
    y, v = used["yi"].to_numpy(float), used["vi"].to_numpy(float)
    n = effects[["n_intervention", "n_control"]].astype(float).sum().sum()
    names = MODELS if measure == BINARY_MEASURE else INVERSE_VARIANCE_MODELS
    if used.empty:
        models = {model: not_estimable(NO_STUDIES) for model in names}
        headline = "random_revman" if effects["has_counts"].all() else "random"
        weights = np.full(len(effects), np.nan)
    else:
        random, random_weights = random_effects(y, v, measure=measure)
        fixed = _combine(y, v)
        inverse_variance = {
            "fixed_iv": summary(
                float(fixed.mean_effect_fe), float(fixed.sd_eff_w_fe), measure=measure
            ),
            "random": random,
            "hksj": hartung_knapp(y, v, random.tau2, measure),
        }
        if measure == BINARY_MEASURE:
            fixed_mh, fixed_mh_exact = _mantel_haenszel_models(used)
            if fixed_mh.estimable:
                revman, revman_weights = random_effects(y, v, centre=fixed_mh.scale_estimate)
            else:
                revman, revman_weights = not_estimable(fixed_mh.reason), np.full(len(y), np.nan)
            every = inverse_variance | {
                "fixed_mh": fixed_mh,
                "fixed_mh_exact": fixed_mh_exact,
                "random_revman": revman,
            }
        else:
            every, revman = inverse_variance, None
        models = {model: every[model] for model in names}
        headline = "random_revman" if revman is not None and revman.estimable else "random"
        weights = np.full(len(effects), np.nan)
        weights[estimable] = 100 * (
            revman_weights if headline == "random_revman" else random_weights
        )
    return AnalysisResult(
        effects=effects.assign(weight=weights),
        k=len(effects),
        n_participants=int(n) if math.isfinite(n) else None,
        models=models,
        headline=headline,
        absolute=None
        if control_per_100 is None or measure != BINARY_MEASURE
        else absolute_effects(control_per_100, models[headline]),
        direction=direction,
        measure=measure,
    )


def pool_analyses(data: MetaData) -> dict[str, AnalysisResult]:
    """Every analysis of ``analyses.csv`` that has studies, in the file's order, each with
    its measure."""
    out = {}
    for _, row in data.analyses.iterrows():
        rows = data.studies[data.studies["analysis_id"] == row["analysis_id"]]
        if rows.empty:
            continue
        measure = str(row["measure"])
        control = row["control_risk_per_100"]
        out[str(row["analysis_id"])] = pool(
            study_effects(rows, measure),
            None if pd.isna(control) else float(control),
            str(row["direction"]),
            measure,
        )
    return out


def included_studies(data: MetaData) -> int:
    """Number of included studies: rows of characteristics.csv, else the flow diagram's
    included studies, else the distinct studies of studies.csv."""
    if data.characteristics is not None:
        return len(data.characteristics)
    if data.prisma is not None:
        return int(data.prisma["included_studies"])
    return int(data.studies["study"].nunique())


def included_publications(data: MetaData) -> int | None:
    """Number of included publications: the flow diagram's, else the publications assessed
    for risk of bias, else unknown (None)."""
    if data.prisma is not None:
        return int(data.prisma["included_publications"])
    if data.risk_of_bias is not None:
        return len(data.risk_of_bias)
    return None


@dataclass(frozen=True)
class Comparisons:
    """Comparisons of the review: ``total`` (with a pooled analysis or a result reported
    without pooling) and ``unpooled`` (only results reported without pooling)."""

    total: int
    unpooled: int


def comparisons(data: MetaData, pooled: Mapping[str, AnalysisResult]) -> Comparisons:
    """Count the comparisons, told apart by their ``comparison_id`` (the same in analyses.csv
    and narrative.csv)."""
    analyses = data.analyses[data.analyses["analysis_id"].isin(list(pooled))]
    with_pooling = set(analyses["comparison_id"])
    reported = set() if data.narrative is None else set(data.narrative["comparison_id"])
    return Comparisons(len(with_pooling | reported), len(reported - with_pooling))


def rob_counts(risk_of_bias: pd.DataFrame) -> pd.DataFrame:
    """Number of publications per domain (rows) and judgement (columns)."""
    return pd.DataFrame(
        {
            level: [int((risk_of_bias[d] == level).sum()) for d in ROB_DOMAINS]
            for level in ROB_LEVELS
        },
        index=list(ROB_DOMAINS),
    )


def weak_publications(risk_of_bias: pd.DataFrame) -> int:
    """Publications judged unclear or high risk in four or more of the seven domains."""
    frame = risk_of_bias[list(ROB_DOMAINS)]
    return int(((frame != "low").sum(axis=1) >= 4).sum())
