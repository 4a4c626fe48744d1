"""The cohort chapter's figures: drawing only, from the results (no fitting here)."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from analysis.chapters.cohort.chapter import CohortResults
from analysis.chapters.cohort.competing import Incidence
from analysis.chapters.cohort.data import OUTCOMES, PAPER_PLAN
from analysis.chapters.cohort.plan import EXPOSURE, AnalysisPlan
from analysis.chapters.cohort.survival import KMComparison
from analysis.chapters.cohort.tables import cause_name, group_label, outcome_name
from analysis.core.display import legend_above, wrap_label
from analysis.core.i18n import axis_formatter, fmt_int, fmt_p, fmt_pct, t

COLOURS = ("#1b6ca8", "#d1495b", "#3a7d44", "#7a5195")
WIDE = 6  # inches: a figure at least this wide sets two panels side by side
LABEL_CHARACTERS = 4  # characters per line of a bar label, per inch of the figure's width
Y_LABEL = 24  # characters per line of the Kaplan–Meier axis label in a narrow figure
SCHOENFELD_LABEL = 32  # characters per line of the Schoenfeld panels' axis label


def _characters(width: float) -> int:
    """Characters per line of a label in a figure ``width`` inches wide."""
    return round(LABEL_CHARACTERS * width)


HIDDEN_MARK = "\u2013"  # an en dash: a count in the risk table that disclosure control hides


def _count(count: int | None, lang: str) -> str:
    """A count of a risk table under a figure, or the dash of a hidden count (the word would
    not fit between two counts on a phone)."""
    return HIDDEN_MARK if count is None else fmt_int(count, lang)


def _risk_title(key: str, any_hidden: bool, lang: str) -> str:
    """The risk table's title, saying what the dash means if a count is hidden."""
    title = t(key, lang)
    return (
        t("cohort.fig.at_risk_with_hidden", lang, title=title, mark=HIDDEN_MARK)
        if any_hidden
        else title
    )


def _days_label(plan: AnalysisPlan, lang: str) -> str:
    """The time axis' label: days since the start of the programme in the paper's plan, of
    follow-up in any other (the default plan's included)."""
    return t("cohort.fig.days" if plan == PAPER_PLAN else "cohort.fig.days_plan", lang)


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
    at_risk = comparison.at_risk.loc[[curve.level for curve in curves], comparison.ticks]
    for position, (colour, curve) in enumerate(zip(COLOURS, curves, strict=False)):
        for tick in comparison.ticks:
            text = _count(at_risk.loc[curve.level, tick], lang)
            table_ax.text(tick, position, text, ha="center", va="center", color=colour)
    title = _risk_title("cohort.fig.at_risk", at_risk.isna().any(axis=None), lang)
    table_ax.set_yticks(range(len(curves)), names)
    table_ax.set_title(
        wrap_label(title, 2 * _characters(width)),
        loc="left",
        fontsize="medium",
    )
    table_ax.tick_params(axis="y", length=0, pad=16)
    for side in ("top", "right", "left"):
        table_ax.spines[side].set_visible(False)
    table_ax.set_xticks(comparison.ticks)
    table_ax.xaxis.set_major_formatter(axis_formatter(lang))
    table_ax.set_xlabel(_days_label(plan, lang))
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
        ax.set_xlabel(_days_label(results.plan, lang))
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


RISK_ROWS = ("at_risk", "events", "ended_otherwise")  # label cohort.fig.risk.<row>


def _steps(curve: Incidence, end: float) -> tuple[np.ndarray, ...]:
    """A cumulative incidence's published steps from day 0 (0) to ``end`` as times, estimate
    and band (0 where the band does not exist)."""
    times = np.concatenate([[0.0], curve.times, [end]])
    values = (
        np.nan_to_num(np.concatenate([[0.0], v, v[-1:] if len(v) else [0.0]]))
        for v in (curve.estimate, curve.ci_low, curve.ci_high)
    )
    return (times, *values)


def _spread(ticks: tuple[float, ...], width: float) -> list[float]:
    """The ticks of a risk table that leave room for their numbers in a figure ``width``
    inches wide: a tick closer to the last one kept than an eighth of the axis (a phone's)
    or a sixteenth (a column's) is left out."""
    gap = (ticks[-1] - ticks[0]) / (8 if width < WIDE else 16)
    kept = [ticks[0]]
    for tick in ticks[1:]:
        if tick - kept[-1] >= gap:
            kept.append(tick)
    return kept


def incidence_figure(results: CohortResults, name: str, lang: str, width: float) -> plt.Figure:
    """The cumulative incidence of each end of a competing outcome (one panel per end, named
    on its axis; the published steps) by exposure group with its 95 % band, and under them
    the KMunicate risk table: per group (its colour) the number at risk, the events of interest
    and those who ended otherwise or were censored, hidden columns marked, at the declared
    days that leave room for the numbers; ``width`` inches wide."""
    result = results.declared.competing[name]
    levels = list(result.incidence)
    characters = Y_LABEL if width < WIDE else 2 * Y_LABEL
    rows = [(level, row) for level in levels for row in RISK_ROWS]
    heights = [2.2] * len(result.causes) + [0.5 + 0.2 * len(rows)]
    figure, axes = plt.subplots(
        len(heights),
        1,
        figsize=(width, sum(heights) + 0.8),
        sharex=True,
        gridspec_kw={"height_ratios": heights},
    )
    *panels, table_ax = axes
    end = result.times[-1]
    for k, (ax, cause) in enumerate(zip(panels, result.causes, strict=True)):
        for colour, level in zip(COLOURS, levels, strict=False):
            times, estimate, low, high = _steps(result.incidence[level][k], end)
            label = group_label(results.plan, EXPOSURE, level, lang)
            ax.plot(times, estimate, drawstyle="steps-post", color=colour, label=label)
            ax.fill_between(times, low, high, step="post", color=colour, alpha=0.15, lw=0)
        cause_label = cause_name(results, name, cause, lang)
        ax.set_ylabel(wrap_label(cause_label[:1].upper() + cause_label[1:], characters))
        ax.set_ylim(0, None)
        ax.yaxis.set_major_formatter(axis_formatter(lang, percent=True))
    panels[0].set_xlim(0, end)
    legend_above(panels[0])
    table_ax.set_ylim(-0.5, len(rows) - 0.5)
    table_ax.invert_yaxis()
    ticks = _spread(result.times, width)
    any_hidden = False
    for position, (level, row) in enumerate(rows):
        colour = COLOURS[levels.index(level) % len(COLOURS)]
        table = result.risk_tables[level]
        counts = dict(zip(RISK_ROWS, (table.at_risk, table.events, table.censored), strict=True))
        for tick, count in zip(result.times, counts[row], strict=True):
            if tick in ticks:
                any_hidden |= count is None
                table_ax.text(
                    tick, position, _count(count, lang), ha="center", va="center", color=colour
                )
    table_ax.set_yticks(range(len(rows)), [t(f"cohort.fig.risk.{row}", lang) for _, row in rows])
    for label, (level, _) in zip(table_ax.get_yticklabels(), rows, strict=True):
        label.set_color(COLOURS[levels.index(level) % len(COLOURS)])
    table_ax.set_title(
        wrap_label(_risk_title("cohort.fig.risk_table", any_hidden, lang), 2 * _characters(width)),
        loc="left",
        fontsize="medium",
    )
    table_ax.tick_params(axis="y", length=0, pad=18)
    for side in ("top", "right", "left"):
        table_ax.spines[side].set_visible(False)
    table_ax.set_xticks(ticks)
    table_ax.xaxis.set_major_formatter(axis_formatter(lang))
    table_ax.set_xlabel(_days_label(results.plan, lang))
    figure.tight_layout()
    return figure


def rmst_figure(results: CohortResults, lang: str, width: float) -> plt.Figure:
    """The restricted mean time before each outcome with an RMST (named once for its bars,
    with its horizon) by exposure group (colour, legend), as bars with their 95 % intervals
    in days, ``width`` inches wide."""
    declared = {
        name: result for name, result in results.declared.restricted_means.items() if result.means
    }
    levels = list(dict.fromkeys(level for r in declared.values() for level in r.means))
    figure, ax = plt.subplots(
        figsize=(width, 1.5 + 0.75 * sum(len(r.means) for r in declared.values()))
    )
    ticks, names, position = [], [], 0.0
    for name, result in declared.items():
        first = position
        for level, mean in result.means.items():
            ax.barh(
                position,
                mean.estimate,
                xerr=[[mean.estimate - mean.ci_low], [mean.ci_high - mean.estimate]],
                color=COLOURS[levels.index(level) % len(COLOURS)],
                capsize=3,
                label=group_label(results.plan, EXPOSURE, level, lang),
            )
            position += 1
        ticks.append((first + position - 1) / 2)
        outcome = outcome_name(results, name, lang)
        label = t("cohort.fig.rmst_bar", lang, outcome=outcome, days=fmt_int(result.horizon, lang))
        names.append(wrap_label(label[:1].upper() + label[1:], _characters(width)))
        position += 0.5
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    legend_above(ax, unique.values(), unique.keys())
    ax.set_yticks(ticks, names)
    ax.invert_yaxis()
    ax.set_xlim(0, None)
    ax.xaxis.set_major_formatter(axis_formatter(lang))
    ax.set_xlabel(t("cohort.fig.rmst", lang))
    figure.tight_layout()
    return figure
