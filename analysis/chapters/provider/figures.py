"""Provider figures, drawn from the results in one language."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from analysis.chapters.provider.chapter import ProviderResults
from analysis.chapters.provider.data import FINANCE
from analysis.core.display import legend_above, wrap_label
from analysis.core.i18n import axis_formatter, fmt_int, t

COLOURS = ("#4c78a8", "#f58518", "#54a24b")
WIDE = 6  # inches: a figure at least this wide has its legend in a row, a narrower in a column
LABEL_CHARACTERS = 4  # characters per line of a bar label, per inch of the figure's width


def finance_labels(lang: str) -> list[str]:
    """The finance groups' names in ``lang``, in table order."""
    return [t(f"provider.finance.{finance}", lang) for finance in FINANCE]


def coordinator_share(results: ProviderResults, lang: str, width: float) -> plt.Figure:
    """Share of programmes with a permanent coordinator per finance group, with 95 % CIs,
    ``width`` inches wide."""
    shares = results.coordinator
    figure, ax = plt.subplots(figsize=(width, 3.8))
    positions = np.arange(len(FINANCE))
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
    ax.set_xticks(positions, finance_labels(lang))
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(axis_formatter(lang, percent=True))
    ax.set_ylabel(t("provider.fig.share_pc", lang))
    ax.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return figure


def grouped(results: ProviderResults, section: str, lang: str, width: float) -> plt.Figure:
    """Programmes per finance group for each diagnosis group or programme type (counts),
    ``width`` inches wide; the legend stands above the bars, never on them."""
    counts = results.sections[section][list(FINANCE)].copy()
    counts.index = [
        wrap_label(t(f"provider.label.{name}", lang), round(LABEL_CHARACTERS * width))
        for name in counts.index
    ]
    counts.columns = finance_labels(lang)
    lines = sum(label.count("\n") + 1 for label in counts.index)
    figure, ax = plt.subplots(figsize=(width, 1.4 + 0.3 * max(lines, 1.5 * len(counts))))
    stacked = section == "types"
    # Side by side, the first group's bar is drawn at the top, in the order of the legend.
    shown = counts.iloc[::-1] if stacked else counts.iloc[::-1, ::-1]
    colours = COLOURS if stacked else COLOURS[::-1]
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
        title=t("provider.fig.finance", lang),
        ncol=len(FINANCE) if width >= WIDE else 1,
        alignment="left",
    )
    ax.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return figure
