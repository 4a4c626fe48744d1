"""Provider figures, drawn from the results in one language."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from analysis.chapters.provider.chapter import ProviderResults
from analysis.chapters.provider.data import PlanKeys
from analysis.chapters.provider.regression import LogisticModel
from analysis.chapters.provider.tables import (
    capitalised,
    group_name,
    group_names,
    outcome_name,
    row_names,
    term_name,
)
from analysis.core.display import legend_above, ratio_axis, wrap_label
from analysis.core.i18n import axis_formatter, fmt_int, t

COLOURS = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#9d755d")
WIDE = 6  # inches: a figure at least this wide has its legend in a row, a narrower in a column
LABEL_CHARACTERS = 4  # characters per line of a bar label, per inch of the figure's width
TERM_CHARACTERS = 3  # characters per line of a term's label, per inch of the figure's width
MARGIN = 1.25  # the odds-ratio axis reaches this factor beyond the outermost limits


def outcome_share(results: ProviderResults, lang: str, width: float) -> plt.Figure:
    """Share answering yes to the outcome per group, with 95 % CIs, ``width`` inches wide."""
    shares = results.shares
    figure, ax = plt.subplots(figsize=(width, 3.8))
    positions = np.arange(len(shares))
    ax.bar(positions, shares["share"], color=COLOURS[0], width=0.6)
    ax.errorbar(
        positions,
        shares["share"],
        yerr=[shares["share"] - shares["ci_low"], shares["ci_high"] - shares["share"]],
        fmt="none",
        ecolor="black",
        capsize=5,
    )
    for x, (_, row) in zip(positions, shares.iterrows(), strict=True):
        ax.text(
            x,
            0.03,
            f"{fmt_int(row['yes'], lang)}/{fmt_int(row['valid'], lang)}",
            ha="center",
            color="white",
            fontsize=10,
        )
    names = group_names(results.plan, lang)
    ax.set_xticks(
        positions,
        [wrap_label(names[group], round(width * 12 / len(shares))) for group in shares.index],
    )
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(axis_formatter(lang, percent=True))
    ax.set_ylabel(
        wrap_label(
            t("provider.fig.share_outcome", lang, outcome=outcome_name(results.plan, lang)), 40
        )
    )
    ax.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return figure


def grouped(results: ProviderResults, section: str, lang: str, width: float) -> plt.Figure:
    """Programmes per group for each row of a cross-table (counts), stacked or side by side
    as the plan says, ``width`` inches wide; the legend stands above the bars, never on them."""
    plan: PlanKeys = results.plan
    groups = group_names(plan, lang)
    counts = results.sections[section][list(groups)].copy()
    names = row_names(plan, lang)
    counts.index = [
        wrap_label(names[name], round(LABEL_CHARACTERS * width)) for name in counts.index
    ]
    counts.columns = list(groups.values())
    lines = sum(label.count("\n") + 1 for label in counts.index)
    figure, ax = plt.subplots(figsize=(width, 1.4 + 0.3 * max(lines, 1.5 * len(counts))))
    stacked = plan.cross_tables[section].figure == "stacked"
    # Side by side, the first group's bar is drawn at the top, in the order of the legend.
    shown = counts.iloc[::-1] if stacked else counts.iloc[::-1, ::-1]
    colours = [COLOURS[i % len(COLOURS)] for i in range(len(groups))]
    colours = colours if stacked else colours[::-1]
    shown.plot.barh(ax=ax, stacked=stacked, color=colours, width=0.75, legend=False)
    handles, labels = ax.get_legend_handles_labels()
    if not stacked:
        handles, labels = handles[::-1], labels[::-1]
    ax.xaxis.set_major_formatter(axis_formatter(lang))
    ax.set_xlabel(t("provider.fig.programmes", lang))
    ax.set_ylabel("")
    legend_above(
        ax,
        handles,
        labels,
        title=capitalised(group_name(plan, lang)),
        ncol=len(groups) if width >= WIDE else 1,
        alignment="left",
    )
    ax.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return figure


def odds_ratios(results: ProviderResults, lang: str, width: float) -> plt.Figure:
    """The model's adjusted odds ratios with their profile-likelihood 95 % CIs, one row per
    term (each level against its item's reference) on a log axis with the line of no
    association at 1; a term that is not estimable (quasi-complete separation) is a row
    without a point that says so; ``width`` inches wide."""
    model: LogisticModel = results.regression
    rows = model.rows
    labels = [
        wrap_label(term_name(results.plan, term, lang), round(TERM_CHARACTERS * width))
        for term, _ in rows
    ]
    lines = sum(label.count("\n") + 1 for label in labels)
    figure, ax = plt.subplots(figsize=(width, 1.3 + 0.3 * max(lines, 1.5 * len(rows))))
    positions = np.arange(len(rows))[::-1]
    shown = [(y, term) for y, (_, term) in zip(positions, rows, strict=True) if term is not None]
    at = np.array([y for y, _ in shown])
    lows = np.exp([term.profile_low for _, term in shown])
    highs = np.exp([term.profile_high for _, term in shown])
    estimates = np.array([term.odds_ratio for _, term in shown])
    ax.hlines(at, lows, highs, color="black", linewidth=1)
    ax.plot(estimates, at, marker="s", color=COLOURS[0], linestyle="none", markersize=7)
    ax.axvline(1, color="black", linewidth=0.8)
    # From the lowest limit to the highest, 1 always in view, with a margin for the caps.
    low, high = min(lows.min(), 1) / MARGIN, max(highs.max(), 1) * MARGIN
    for y, (_, term) in zip(positions, rows, strict=True):
        if term is None:  # in the middle of the log axis, over the line of no association
            ax.text(
                np.sqrt(low * high),
                y,
                t("provider.regression.term_not_estimable", lang),
                ha="center",
                va="center",
                style="italic",
                fontsize=9,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
            )
    ratio_axis(ax, low, high, lang)
    ax.set_xlim(low, high)
    ax.set_yticks(positions, labels)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel(
        wrap_label(t("provider.fig.adjusted_or", lang), round(LABEL_CHARACTERS * 2 * width))
    )
    ax.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return figure
