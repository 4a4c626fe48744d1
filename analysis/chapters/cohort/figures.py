"""The cohort chapter's figures: drawing only, from the results (no fitting here)."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt

from analysis.chapters.cohort.chapter import CohortResults
from analysis.chapters.cohort.data import OUTCOMES
from analysis.chapters.cohort.plan import AnalysisPlan
from analysis.chapters.cohort.survival import KMComparison
from analysis.chapters.cohort.tables import group_label, hidden
from analysis.core.display import legend_above, wrap_label
from analysis.core.i18n import axis_formatter, fmt_p, fmt_pct, t

COLOURS = ("#1b6ca8", "#d1495b", "#3a7d44", "#7a5195")
WIDE = 6  # inches: a figure at least this wide sets two panels side by side
LABEL_CHARACTERS = 4  # characters per line of a bar label, per inch of the figure's width
Y_LABEL = 24  # characters per line of the Kaplan–Meier axis label in a narrow figure
SCHOENFELD_LABEL = 32  # characters per line of the Schoenfeld panels' axis label


def _characters(width: float) -> int:
    """Characters per line of a label in a figure ``width`` inches wide."""
    return round(LABEL_CHARACTERS * width)


def km_figure(comparison: KMComparison, plan: AnalysisPlan, lang: str, width: float) -> plt.Figure:
    """Cumulative proportion returned to work by the groups shown, censor marks, median
    lines, log-rank p and a numbers-at-risk table under the axis (hidden counts marked),
    ``width`` inches wide."""
    curves = comparison.curves
    narrow = width < WIDE
    names = [
        wrap_label(group_label(plan, comparison.by, curve.level, lang), _characters(width))
        if narrow
        else group_label(plan, comparison.by, curve.level, lang)
        for curve in curves
    ]
    row = 0.05 + 0.17 * max(max(name.count("\n") + 1 for name in names), 1.5)  # inches
    figure, (ax, table_ax) = plt.subplots(
        2,
        1,
        figsize=(width, 4.4 + row * len(curves)),
        sharex=True,
        gridspec_kw={"height_ratios": [4, 0.55 + row * len(curves)]},
    )
    for colour, curve, name in zip(COLOURS, curves, names, strict=False):
        ax.plot(
            curve.censor_times,
            curve.censor_cumulative,
            linestyle="None",
            color=colour,
            marker="|",
            ms=7,
            mew=1,
        )
        ax.plot(
            curve.times,
            curve.cumulative,
            drawstyle="steps-post",
            color=colour,
            label=name,
        )
        median = curve.median.estimate
        if median is not None and math.isfinite(median):
            ax.plot([median, median], [0, 0.5], ls=":", color=colour, lw=1)
    ax.axhline(0.5, ls=":", color="grey", lw=1)
    ax.text(
        0.98,
        0.04,
        f"{t('cohort.fig.logrank', lang)}: {fmt_p(comparison.logrank.p, lang)}",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
    )
    ax.set_ylim(0, 1)
    ax.set_xlim(0, comparison.follow_up)
    cumulative = t("cohort.fig.cumulative", lang)
    ax.set_ylabel(wrap_label(cumulative, Y_LABEL) if narrow else cumulative)
    ax.yaxis.set_major_formatter(axis_formatter(lang, percent=True))
    if narrow:
        legend_above(ax)
    else:
        ax.legend(loc="upper left", frameon=False)
    ax.set_xlabel("")
    table_ax.set_ylim(-0.5, len(curves) - 0.5)
    table_ax.invert_yaxis()
    for position, (colour, curve) in enumerate(zip(COLOURS, curves, strict=False)):
        for tick in comparison.ticks:
            text = hidden(comparison.at_risk.loc[curve.level, tick], lang)
            table_ax.text(tick, position, text, ha="center", va="center", color=colour)
    table_ax.set_yticks(range(len(curves)), names)
    table_ax.set_title(
        wrap_label(t("cohort.fig.at_risk", lang), 2 * _characters(width)),
        loc="left",
        fontsize="medium",
    )
    table_ax.tick_params(axis="y", length=0, pad=16)
    for side in ("top", "right", "left"):
        table_ax.spines[side].set_visible(False)
    table_ax.set_xticks(comparison.ticks)
    table_ax.xaxis.set_major_formatter(axis_formatter(lang))
    table_ax.set_xlabel(t("cohort.fig.days", lang))
    figure.tight_layout()
    return figure


def schoenfeld_figure(results: CohortResults, lang: str, width: float) -> plt.Figure:
    """β + scaled Schoenfeld residuals of coordinator (unadjusted model) against time as bin
    means with their 95 % intervals (no residual of one person), their lowess smooth and β, all
    on the scale of the log hazard ratio; one panel per outcome, side by side in a wide figure,
    else one above the other."""
    if width >= WIDE:
        figure, axes = plt.subplots(1, 2, figsize=(width, 3.4), sharey=True)
    else:
        figure, axes = plt.subplots(2, 1, figsize=(width, 6.4), sharey=True)
    for ax, outcome in zip(axes, OUTCOMES, strict=True):
        residuals = results.outcomes[outcome].schoenfeld
        ax.set_title(t(f"cohort.outcome.{outcome}", lang))
        ax.set_xlabel(t("cohort.fig.days", lang))
        if residuals.reason:
            reason = t(f"cohort.ne_reason.{residuals.reason}", lang)
            ax.text(
                0.5,
                0.5,
                t("cohort.fig.not_estimable", lang, reason=reason),
                ha="center",
                va="center",
                wrap=True,
                transform=ax.transAxes,
            )
            continue
        ax.errorbar(  # each bin's mean with its 95 % interval: the band
            residuals.bin_times,
            residuals.bin_means,
            yerr=residuals.bin_half_widths,
            fmt="o",
            ms=4,
            lw=1,
            capsize=0,  # no cap marks: one marker per bin
            color=COLOURS[0],
        )
        ax.plot(residuals.smooth_times, residuals.smooth, color=COLOURS[1], lw=2)
        ax.axhline(residuals.log_hr, ls="--", color="grey", lw=1)
        ax.xaxis.set_major_formatter(axis_formatter(lang))
        ax.yaxis.set_major_formatter(axis_formatter(lang, decimals=1))
    for ax in axes if width < WIDE else axes[:1]:
        ax.set_ylabel(wrap_label(t("cohort.fig.schoenfeld", lang), SCHOENFELD_LABEL))
    figure.tight_layout()
    return figure


def rtw_rate_figure(rates: dict[str, float], days: int, lang: str, width: float) -> plt.Figure:
    """Share with a first RTW within follow-up by subgroup level (the paper's Figure 3: by
    programme type), ``rates`` by the name of each level whose share is shown, ``width``
    inches wide."""
    names = [wrap_label(name, _characters(width)) for name in rates]
    lines = sum(name.count("\n") + 1 for name in names)
    figure, ax = plt.subplots(figsize=(width, 1.4 + 0.45 * max(len(rates), 0.6 * lines)))
    rates = list(rates.values())
    bars = ax.barh(names, rates, color=COLOURS[0])
    for bar, rate in zip(bars, rates, strict=True):
        ax.text(rate + 0.01, bar.get_y() + bar.get_height() / 2, fmt_pct(rate, lang), va="center")
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(axis_formatter(lang, percent=True))
    ax.set_xlabel(t("cohort.fig.rtw_within", lang, days=days))
    figure.tight_layout()
    return figure
