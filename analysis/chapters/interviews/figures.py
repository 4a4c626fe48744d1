"""Figures of the interview chapter: drawing only, from the results."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from analysis.chapters.interviews.narrative import named
from analysis.core.i18n import axis_formatter, t


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width))


def _theme_label(themes: pd.DataFrame, theme: str, lang: str, width: int) -> str:
    return _wrap(named(theme, themes.at[theme, f"theme_{lang}"]), width)


def theme_matrix(matrix: pd.DataFrame, themes: pd.DataFrame, lang: str) -> plt.Figure:
    """Heatmap of the participant × theme matrix (pseudonyms only)."""
    figure, ax = plt.subplots(figsize=(2.2 + 1.6 * matrix.shape[1], 1.2 + 0.28 * len(matrix)))
    sns.heatmap(
        matrix,
        annot=True,
        fmt="d",
        cmap="Blues",
        linewidths=0.5,
        linecolor="white",
        cbar_kws={
            "label": t("interviews.figure.segments", lang),
            "format": axis_formatter(lang, 0),
            "ticks": range(int(matrix.to_numpy().max()) + 1),
        },
        ax=ax,
    )
    ax.set_xticklabels(
        [_theme_label(themes, theme, lang, 20) for theme in matrix.columns], rotation=0, fontsize=8
    )
    ax.set_yticklabels(matrix.index, rotation=0, fontsize=8)
    ax.set_xlabel(t("interviews.figure.theme", lang))
    ax.set_ylabel(t("interviews.figure.participant", lang))
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    return figure


def code_counts(codes: pd.DataFrame, themes: pd.DataFrame, lang: str) -> plt.Figure:
    """Horizontal bars: segments per code, coloured by theme."""
    frame = codes.iloc[::-1]
    order = themes.index.tolist()
    colours = dict(zip(order, sns.color_palette("colorblind", len(order)), strict=True))
    figure, ax = plt.subplots(figsize=(7.5, 1.0 + 0.27 * len(frame)))
    ax.barh(
        list(map(named, frame["code_id"], frame[f"code_{lang}"])),
        frame["n_segments"],
        color=frame["theme_id"].map(colours),
    )
    ax.xaxis.set_major_formatter(axis_formatter(lang, 0))
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel(t("interviews.figure.segments", lang))
    ax.tick_params(axis="y", labelsize=8)
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[theme]) for theme in order]
    ax.legend(
        handles,
        [_theme_label(themes, theme, lang, 40) for theme in order],
        loc="lower right",
        fontsize=7,
        frameon=False,
    )
    ax.spines[["top", "right"]].set_visible(False)
    return figure
