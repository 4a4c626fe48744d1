"""Figures of the meta-analysis chapter (matplotlib drawing only, from the results)."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import FancyBboxPatch, Polygon

from analysis.chapters.meta.data import ROB_DOMAINS
from analysis.chapters.meta.narrative import (
    heterogeneity_text,
    overall_text,
    pooled_text,
    rr_text,
)
from analysis.chapters.meta.stats import AnalysisResult
from analysis.core.i18n import MINUS, NBSP, fmt_int, fmt_num, t

ROB_STYLE = {"low": ("#3a923a", "+"), "unclear": ("#e6b800", "?"), "high": ("#c0392b", MINUS)}
TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)
FOREST_COLUMNS = {
    "study": (0.0, "left"),
    "ie": (0.33, "right"),
    "in": (0.41, "right"),
    "ce": (0.54, "right"),
    "cn": (0.62, "right"),
    "w": (0.73, "right"),
    "rr": (1.0, "right"),
}


def _percent(text: str, lang: str) -> str:
    return text + ("%" if lang == "en" else f"{NBSP}%")


def forest_plot(result: AnalysisResult, lang: str) -> plt.Figure:
    """A RevMan-style forest plot of one analysis (headline random-effects model)."""
    model, pooled, effects = result.headline, result.pooled, result.effects
    k = len(effects)
    n_rows = k + 5
    fig = plt.figure(figsize=(11, 0.36 * n_rows + 1.4))
    height = 0.36 * n_rows / (0.36 * n_rows + 1.4)
    bottom = 1 - height - 0.02
    text_ax = fig.add_axes((0.0, bottom, 0.66, height))
    plot_height = height * (k + 2.9) / (n_rows + 0.7)
    plot_ax = fig.add_axes((0.68, bottom + height - plot_height, 0.3, plot_height))
    text_ax.set_xlim(0, 1)
    text_ax.set_ylim(n_rows - 0.5, -1.2)
    text_ax.axis("off")

    def put(y: float, column: str, text: str, **kwds: object) -> None:
        x, ha = FOREST_COLUMNS[column]
        text_ax.text(x, y, text, ha=ha, va="center", fontsize=9, **kwds)

    bold = {"fontweight": "bold"}
    text_ax.text(0.37, -0.8, t("meta.forest.intervention", lang), ha="center", fontsize=9, **bold)
    text_ax.text(0.58, -0.8, t("meta.forest.control", lang), ha="center", fontsize=9, **bold)
    put(0, "study", t("meta.forest.study", lang), **bold)
    for column in ("ie", "ce"):
        put(0, column, t("meta.forest.events", lang), **bold)
    for column in ("in", "cn"):
        put(0, column, t("meta.forest.total", lang), **bold)
    put(0, "w", t("meta.forest.weight", lang), **bold)
    header = t("meta.forest.rr_header", lang, method=t(f"meta.forest.method.{model}", lang))
    put(-0.3, "rr", header, **bold)
    plot_ax.set_title(header, fontsize=9, fontweight="bold", loc="center", pad=4)
    text_ax.axhline(0.5, color="black", linewidth=0.6)

    limits = [1.0]
    for y, (_, study) in enumerate(effects.iterrows(), start=1):
        put(y, "study", str(study["study"]))
        if study["has_counts"]:
            put(y, "ie", fmt_int(int(study["events_intervention"]), lang))
            put(y, "in", fmt_int(int(study["n_intervention"]), lang))
            put(y, "ce", fmt_int(int(study["events_control"]), lang))
            put(y, "cn", fmt_int(int(study["n_control"]), lang))
        if not study["estimable"]:
            put(y, "rr", t("meta.not_estimable", lang))
            continue
        weight = float(study["weight"])
        put(y, "w", _percent(fmt_num(weight, lang, 1), lang))
        put(y, "rr", rr_text(study["rr"], study["rr_low"], study["rr_high"], lang))
        plot_ax.plot([study["rr_low"], study["rr_high"]], [y, y], color="black", linewidth=1)
        plot_ax.plot(
            study["rr"],
            y,
            marker="s",
            color="#1f4e79",
            linestyle="none",
            markersize=4 + 10 * math.sqrt(max(weight, 0) / 100),
        )
        limits += [study["rr_low"], study["rr_high"]]

    total_y = k + 1
    text_ax.axhline(total_y - 0.5, color="black", linewidth=0.6)
    counts = effects[effects["has_counts"]]
    put(total_y, "study", t("meta.forest.total_ci", lang), **bold)
    put(total_y + 1, "study", t("meta.forest.total_events", lang))
    if not counts.empty:
        put(total_y, "in", fmt_int(int(counts["n_intervention"].sum()), lang), **bold)
        put(total_y, "cn", fmt_int(int(counts["n_control"].sum()), lang), **bold)
        put(total_y + 1, "ie", fmt_int(int(counts["events_intervention"].sum()), lang))
        put(total_y + 1, "ce", fmt_int(int(counts["events_control"].sum()), lang))
    if pooled.estimable:
        put(total_y, "w", _percent("100", lang), **bold)
    put(total_y, "rr", pooled_text(pooled, lang), **bold)
    if math.isfinite(pooled.ci_low):
        diamond = Polygon(
            [
                (pooled.ci_low, total_y),
                (pooled.estimate, total_y - 0.3),
                (pooled.ci_high, total_y),
                (pooled.estimate, total_y + 0.3),
            ],
            closed=True,
            color="black",
        )
        plot_ax.add_patch(diamond)
        limits += [pooled.ci_low, pooled.ci_high]
    for offset, text in ((2, heterogeneity_text(pooled, lang)), (3, overall_text(pooled, lang))):
        text_ax.text(0.0, total_y + offset, text, ha="left", va="center", fontsize=8.5)

    span = max(abs(math.log10(x)) for x in limits if math.isfinite(x) and x > 0)
    edge = next((v for v in TICKS if v > 1 and math.log10(v) >= span * 1.05), 100)
    plot_ax.set_xscale("log")
    plot_ax.set_xlim(1 / edge, edge)
    shown = [v for v in TICKS if 1 / edge <= v <= edge]
    plot_ax.set_xticks(shown)
    plot_ax.set_xticklabels(
        [fmt_num(v, lang, 2 if v < 0.1 else 1 if v < 1 else 0) for v in shown], fontsize=8
    )
    plot_ax.minorticks_off()
    plot_ax.axvline(1, color="black", linewidth=0.8)
    for side in ("left", "right", "top"):
        plot_ax.spines[side].set_visible(False)
    plot_ax.tick_params(axis="y", left=False, labelleft=False)
    plot_ax.spines["bottom"].set_bounds(1 / edge, edge)
    plot_ax.set_ylim(k + 1.7, -1.2)
    # A risk ratio above 1 favours the intervention when more events are better.
    sides = ("control", "intervention")
    if result.direction == "harmful":
        sides = sides[::-1]
    for x, side in zip((0.25, 0.75), sides, strict=True):
        plot_ax.text(
            x,
            -0.16,
            t(f"meta.forest.favours_{side}", lang),
            transform=plot_ax.transAxes,
            ha="center",
            va="top",
            fontsize=8.5,
        )
    return fig


def rob_figure(risk_of_bias: pd.DataFrame, lang: str) -> plt.Figure:
    """Risk-of-bias summary: one row per assessed publication, one column per domain."""
    n = len(risk_of_bias)
    fig, ax = plt.subplots(figsize=(7.5, 0.3 * n + 2.4))
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
                fontsize=9,
                fontweight="bold",
                zorder=3,
            )
    ax.set_xticks(range(len(ROB_DOMAINS)))
    ax.set_xticklabels(
        [t(f"meta.rob.{d}", lang) for d in ROB_DOMAINS], rotation=40, ha="left", fontsize=8.5
    )
    ax.xaxis.tick_top()
    ax.set_yticks(range(n))
    ax.set_yticklabels(risk_of_bias["publication"], fontsize=8.5)
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
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.01),
        ncol=3,
        frameon=False,
        fontsize=8.5,
    )
    return fig


def prisma_figure(prisma: pd.Series, included: str, lang: str) -> plt.Figure:
    """PRISMA flow diagram drawn from the flow numbers (count per step); ``included`` is the
    text of the last box."""
    flow = {step: fmt_int(int(count), lang) for step, count in prisma.items()}
    fig, ax = plt.subplots(figsize=(9, 7))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.axis("off")

    def box(x: float, y: float, width: float, text: str) -> None:
        ax.add_patch(
            FancyBboxPatch(
                (x, y),
                width,
                1.2,
                boxstyle="round,pad=0.05",
                facecolor="#eef3f8",
                edgecolor="#1f4e79",
            )
        )
        ax.text(
            x + width / 2,
            y + 0.6,
            text,
            ha="center",
            va="center",
            fontsize=9,
            wrap=True,
        )

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
