"""Figures of the meta-analysis chapter (matplotlib drawing only, from the results)."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import FancyBboxPatch, Polygon
from matplotlib.ticker import MaxNLocator

from analysis.chapters.meta.current import Subgroup, Subgroups
from analysis.chapters.meta.data import ROB_DOMAINS
from analysis.chapters.meta.effects import RATIO_MEASURES, from_scale
from analysis.chapters.meta.narrative import publication
from analysis.chapters.meta.sensitivity import FunnelData
from analysis.chapters.meta.stats import AnalysisResult, Pooled
from analysis.core.display import RATIO_TICKS, ratio_axis, wrap_label
from analysis.core.i18n import MINUS, axis_formatter, fmt_int, t

ROB_STYLE = {"low": ("#3a923a", "+"), "unclear": ("#e6b800", "?"), "high": ("#c0392b", MINUS)}
WIDE = 6  # inches: a figure at least this wide slants its column labels, a narrower one
# turns them upright
FAVOURS_CHARACTERS = 3  # characters per line of a "favours" label, per inch of figure width
CHARACTERS_PER_INCH = 9  # of 10-pt text, with a margin: how a flow-diagram box's text wraps
LINE_HEIGHT = 0.25  # of that text in a flow diagram, in the diagram's units (a tenth of 7.5 in)


def _estimate_axis(ax: plt.Axes, ratio: bool, limits: list[float], lang: str) -> None:
    """The x axis of a forest plot: log scale with round ratios around 1 for a ratio, linear
    around 0 for a difference; the line of no effect."""
    finite = [x for x in limits if math.isfinite(x) and (x > 0 or not ratio)]
    if ratio:
        span = max(abs(math.log10(x)) for x in finite)
        edge = next((v for v in RATIO_TICKS if v > 1 and math.log10(v) >= span * 1.05), 100)
        ratio_axis(ax, 1 / edge, edge, lang)
        ax.set_xlim(1 / edge, edge)
    else:
        edge = 1.05 * max(abs(x) for x in finite) or 1.0
        ax.set_xlim(-edge, edge)
        _linear_ticks(ax, edge, lang)
    ax.axvline(1 if ratio else 0, color="black", linewidth=0.8)


def _linear_ticks(ax: plt.Axes, span: float, lang: str) -> None:
    """Round ticks (steps of 1, 2 or 5 times a power of ten) on a linear x axis, with the
    decimals they need."""
    ax.xaxis.set_major_locator(MaxNLocator(nbins=7, steps=[1, 2, 5, 10]))
    ax.xaxis.set_major_formatter(axis_formatter(lang, 2 if span < 0.5 else 1))


def _favours(ax: plt.Axes, direction: str, lang: str, width: float) -> None:
    """ "Favours control" and "Favours intervention" above the halves of the axis: an
    estimate above the null favours the intervention when more events (higher values) are
    better; the labels wrapped for a figure ``width`` inches wide."""
    sides = ("control", "intervention")
    if direction == "harmful":
        sides = sides[::-1]
    for x, side in zip((0.25, 0.75), sides, strict=True):
        ax.text(
            x,
            1.01,
            wrap_label(t(f"meta.forest.favours_{side}", lang), round(FAVOURS_CHARACTERS * width)),
            transform=ax.transAxes,
            ha="center",
            va="bottom",
        )


def _diamond(ax: plt.Axes, y: float, pooled: Pooled) -> list[float]:
    """Draw a pooled estimate as a diamond at ``y``; returns its CI's bounds (for the axis)."""
    estimate, low, high = pooled.estimate, pooled.ci_low, pooled.ci_high
    diamond = [(low, y), (estimate, y - 0.3), (high, y), (estimate, y + 0.3)]
    ax.add_patch(Polygon(diamond, closed=True, color="black"))
    return [low, high]


def _axis_label(result: AnalysisResult, lang: str) -> str:
    method = t(f"meta.forest.method.{result.headline}", lang)
    if result.ratio:
        return t("meta.forest.axis", lang, method=method)
    title = t(f"meta.measure_title.{result.measure}", lang)
    return t("meta.forest.axis_difference", lang, measure=title, method=method)


def _rows(ax: plt.Axes, labels: list[str], bold: list[int]) -> None:
    """Row labels top down, the bold ones (totals, subgroup headings) in bold."""
    n = len(labels)
    ax.set_yticks(range(n), labels)
    for i in bold:
        ax.get_yticklabels()[i].set_fontweight("bold")
    ax.set_ylim(n - 0.3, -0.7)
    ax.tick_params(axis="y", length=0, labelsize=10)
    ax.tick_params(axis="x", labelsize=9)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)


def forest_plot(result: AnalysisResult, lang: str, width: float) -> plt.Figure:
    """The intervals of a forest plot (headline model): each study's estimate (RR on a log
    axis, MD or SMD on a linear one) and 95 % CI, squares sized by weight, and the pooled
    diamond; the numbers are in the table above it; ``width`` inches wide."""
    pooled, effects = result.pooled, result.effects
    k = len(effects)
    fig, ax = plt.subplots(figsize=(width, 0.3 * (k + 1) + 1.3))
    labels = [str(study) for study in effects["study"]] + [t("meta.forest.total_ci", lang)]
    limits = [1.0 if result.ratio else 0.0]
    null = limits[0]
    for y, (_, study) in enumerate(effects.iterrows()):
        if not study["estimable"]:
            ax.text(null, y, t("meta.not_estimable", lang), ha="center", va="center", fontsize=9)
            continue
        ax.plot([study["effect_low"], study["effect_high"]], [y, y], color="black", linewidth=1)
        weight = max(float(study["weight"]), 0)
        size = 4 + 10 * math.sqrt(weight / 100)
        ax.plot(study["effect"], y, marker="s", color="#1f4e79", linestyle="none", markersize=size)
        limits += [study["effect_low"], study["effect_high"]]
    if math.isfinite(pooled.ci_low):
        limits += _diamond(ax, k, pooled)
    _estimate_axis(ax, result.ratio, limits, lang)
    _rows(ax, labels, [k])
    ax.set_xlabel(wrap_label(_axis_label(result, lang), round(8 * width)), fontsize=9.5)
    _favours(ax, result.direction, lang, width)
    fig.tight_layout()
    return fig


def subgroup_forest_plot(
    result: AnalysisResult, subgroups: Subgroups, lang: str, width: float
) -> plt.Figure:
    """A subgroup forest plot: under each subgroup's name its studies' estimates and 95 % CIs
    (equal squares) and the subgroup's pooled diamond (REML, its own τ²); the numbers and the
    test for subgroup differences are in the table above it; ``width`` inches wide."""
    names = dict(
        zip(result.effects["subgroup_en"], result.effects[f"subgroup_{lang}"], strict=True)
    )
    used = result.effects[result.effects["estimable"].astype(bool)]
    labels: list[str] = []
    bold: list[int] = []
    null = 1.0 if result.ratio else 0.0
    limits = [null]
    points: list[tuple[int, float, float, float]] = []
    diamonds: list[tuple[int, Subgroup]] = []
    for row in subgroups.subgroups:
        bold.append(len(labels))
        labels.append(names[row.subgroup])
        for _, study in used[used["subgroup_en"] == row.subgroup].iterrows():
            points.append((len(labels), study["effect"], study["effect_low"], study["effect_high"]))
            labels.append(str(study["study"]))
        diamonds.append((len(labels), row))
        labels.append(t("meta.subgroups.subtotal", lang))
    fig, ax = plt.subplots(figsize=(width, 0.3 * len(labels) + 1.3))
    for y, estimate, low, high in points:
        ax.plot([low, high], [y, y], color="black", linewidth=1)
        ax.plot(estimate, y, marker="s", color="#1f4e79", linestyle="none", markersize=6)
        limits += [low, high]
    for y, row in diamonds:
        limits += _diamond(ax, y, row)
    _estimate_axis(ax, result.ratio, limits, lang)
    _rows(ax, labels, bold)
    axis = t(
        "meta.subgroups.axis",
        lang,
        measure=t(f"meta.measure_title.{result.measure}", lang),
        scale=t("meta.subgroups.log_scale", lang) if result.ratio else "",
    )
    ax.set_xlabel(wrap_label(axis, round(8 * width)), fontsize=9.5)
    _favours(ax, result.direction, lang, width)
    fig.tight_layout()
    return fig


def rob_figure(risk_of_bias: pd.DataFrame, lang: str, width: float) -> plt.Figure:
    """Risk-of-bias summary, ``width`` inches wide: one row per assessed publication, one
    column per domain."""
    n = len(risk_of_bias)
    fig, ax = plt.subplots(figsize=(width, 0.3 * n + 2.4))
    for y, (_, row) in enumerate(risk_of_bias.iterrows()):
        for x, domain in enumerate(ROB_DOMAINS):
            colour, symbol = ROB_STYLE[row[domain]]
            ax.scatter(x, y, s=210, color=colour, edgecolor="white", zorder=2)
            ax.text(
                x,
                y,
                symbol,
                ha="center",
                va="center",
                color="white",
                fontweight="bold",
                zorder=3,
            )
    ax.set_xticks(range(len(ROB_DOMAINS)))
    domains = [t(f"meta.rob.{d}", lang) for d in ROB_DOMAINS]
    if width >= WIDE:
        ax.set_xticklabels(domains, rotation=40, ha="left")
    else:
        ax.set_xticklabels(
            [wrap_label(d, 20) for d in domains],
            rotation=90,
            ha="center",
        )
    ax.xaxis.tick_top()
    ax.set_yticks(range(n))
    ax.set_yticklabels([publication(p, lang) for p in risk_of_bias["publication"]])
    ax.set_xlim(-0.6, len(ROB_DOMAINS) - 0.4)
    ax.set_ylim(n - 0.5, -0.5)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    handles = [
        plt.Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            markersize=9,
            color=colour,
            label=t(f"meta.rob.level.{level}", lang),
        )
        for level, (colour, _) in ROB_STYLE.items()
    ]
    ax.legend(  # below the grid: in a row on a wide figure, in a column on a narrow one
        handles=handles,
        loc="upper center" if width >= WIDE else "upper left",
        bbox_to_anchor=(0.5 if width >= WIDE else 0, -0.01),
        ncol=3 if width >= WIDE else 1,
        frameon=False,
    )
    fig.tight_layout()
    return fig


def prisma_figure(prisma: pd.Series, included: str, lang: str, width: float) -> plt.Figure:
    """PRISMA flow diagram drawn from the flow numbers (count per step), ``width`` inches
    wide, each box's text wrapped to its width; ``included`` is the text of the last box."""
    flow = {step: fmt_int(int(count), lang) for step, count in prisma.items()}
    fig, ax = plt.subplots(figsize=(width, 7.5))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.axis("off")

    def box(x: float, y: float, box_width: float, text: str) -> None:
        """A box whose top is at ``y + 1.2``, as tall as its wrapped text needs (at least 1.2)."""
        inches = box_width * width / 10  # the axes run from 0 to 10
        characters = round(CHARACTERS_PER_INCH * inches)
        wrapped = "\n".join(wrap_label(line, characters) for line in text.split("\n"))
        height = max(1.2, LINE_HEIGHT * (wrapped.count("\n") + 1) + 0.2)
        bottom = y + 1.2 - height
        ax.add_patch(
            FancyBboxPatch(
                (x, bottom),
                box_width,
                height,
                boxstyle="round,pad=0.05",
                facecolor="#eef3f8",
                edgecolor="#1f4e79",
            )
        )
        ax.text(x + box_width / 2, bottom + height / 2, wrapped, ha="center", va="center")

    def arrow(x0: float, y0: float, x1: float, y1: float) -> None:
        ax.annotate(
            "", xy=(x1, y1), xytext=(x0, y0), arrowprops={"arrowstyle": "->", "color": "#1f4e79"}
        )

    box(0.3, 8.5, 4.2, t("meta.prisma.database", lang, n=flow["records_database"]))
    box(5.5, 8.5, 4.2, t("meta.prisma.other", lang, n=flow["records_other"]))
    box(1.5, 6.2, 4.2, t("meta.prisma.screened", lang, n=flow["records_screened"]))
    box(6.6, 6.2, 3.2, t("meta.prisma.excluded_screening", lang, n=flow["excluded_screening"]))
    box(1.5, 3.9, 4.2, t("meta.prisma.fulltext", lang, n=flow["fulltext_assessed"]))
    box(6.6, 3.9, 3.2, t("meta.prisma.excluded_fulltext", lang, n=flow["excluded_fulltext"]))
    box(1.0, 1.2, 5.2, included)
    arrow(2.4, 8.45, 3.2, 7.45)
    arrow(7.6, 8.45, 4.6, 7.45)
    arrow(3.6, 6.15, 3.6, 5.15)
    arrow(5.75, 6.8, 6.55, 6.8)
    arrow(3.6, 3.85, 3.6, 2.45)
    arrow(5.75, 4.5, 6.55, 4.5)
    return fig


def funnel_plot(funnel: FunnelData, measure: str, lang: str, width: float) -> plt.Figure:
    """Each study's estimate (a risk ratio on a log scale, an MD or SMD on a linear one)
    against its standard error on the analysis scale, the SE axis reversed, with the
    fixed-effect estimate and its pseudo 95 % limits; ``width`` inches wide."""
    fig, ax = plt.subplots(figsize=(width, 4.6))
    top = 1.05 * float(funnel.sei.max())
    se = np.linspace(0, top, 50)
    low, high = funnel.limits(se)
    ax.plot(from_scale(measure, low), se, color="#555555", linestyle="--", linewidth=1)
    ax.plot(from_scale(measure, high), se, color="#555555", linestyle="--", linewidth=1)
    ax.axvline(from_scale(measure, funnel.centre), color="black", linewidth=0.8)
    ax.plot(
        from_scale(measure, funnel.yi), funnel.sei, marker="o", linestyle="none", color="#1f4e79"
    )
    if measure in RATIO_MEASURES:
        edges = np.exp([min(low.min(), funnel.yi.min()), max(high.max(), funnel.yi.max())])
        ratio_axis(ax, edges[0], edges[1], lang)
        x_label, y_label = t("meta.fig.funnel.x", lang), t("meta.fig.funnel.y", lang)
    else:
        _linear_ticks(ax, float(np.ptp(ax.get_xlim())) / 2, lang)
        name = t(f"meta.measure.{measure}", lang)
        x_label = t(f"meta.measure_title.{measure}", lang)
        y_label = t("meta.fig.funnel.y_difference", lang, measure=name)
    ax.set_ylim(top, 0)
    ax.set_xlabel(x_label, fontsize=10)
    ax.set_ylabel(y_label, fontsize=10)
    ax.yaxis.set_major_formatter(axis_formatter(lang, 2))
    ax.tick_params(labelsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
