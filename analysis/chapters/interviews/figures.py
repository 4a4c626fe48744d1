"""Figures of the interview chapter: drawing only, from the results."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from analysis.chapters.interviews.narrative import named
from analysis.core.i18n import axis_formatter, t

WIDTH = 7.4  # inches: the width of the text column, so text is drawn at its size
SMALL = 8  # points: the smallest text (cell numbers, tick labels, legend)


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width))


def _theme_label(themes: pd.DataFrame, theme: str, lang: str, width: int) -> str:
    return _wrap(named(theme, themes.at[theme, f"theme_{lang}"]), width)


def _relative_luminance(colour: tuple[float, ...]) -> float:
    """WCAG relative luminance of an sRGB colour (components 0–1)."""
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in colour[:3]]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def text_colour(background: tuple[float, ...]) -> str:
    """Black or white, whichever contrasts more with ``background`` (at least 4.5:1 for any
    colour)."""
    luminance = _relative_luminance(background)
    return "black" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "white"


def theme_matrix(matrix: pd.DataFrame, themes: pd.DataFrame, lang: str) -> plt.Figure:
    """Heatmap of the participant × theme matrix (pseudonyms only), drawn for the column;
    each number in black or white, whichever contrasts more with its cell."""
    figure, ax = plt.subplots(figsize=(WIDTH, 1.6 + 0.26 * len(matrix)))
    top = max(int(matrix.to_numpy().max()), 1)
    sns.heatmap(
        matrix,
        annot=False,
        cmap="Blues",
        vmin=0,
        vmax=top,
        linewidths=0.5,
        linecolor="white",
        cbar_kws={
            "label": t("interviews.figure.segments", lang),
            "format": axis_formatter(lang, 0),
            "ticks": range(top + 1),
        },
        ax=ax,
    )
    cmap = plt.get_cmap("Blues")
    for row, values in enumerate(matrix.to_numpy()):
        for column, value in enumerate(values):
            ax.text(
                column + 0.5,
                row + 0.5,
                str(int(value)),
                ha="center",
                va="center",
                fontsize=SMALL,
                color=text_colour(cmap(value / top)),
            )
    ax.set_xticklabels(
        [_theme_label(themes, theme, lang, 18) for theme in matrix.columns],
        rotation=0,
        fontsize=SMALL,
    )
    ax.set_yticklabels(matrix.index, rotation=0, fontsize=SMALL)
    ax.set_xlabel(t("interviews.figure.theme", lang))
    ax.set_ylabel(t("interviews.figure.participant", lang))
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    figure.tight_layout()
    return figure


def code_counts(codes: pd.DataFrame, themes: pd.DataFrame, lang: str) -> plt.Figure:
    """Horizontal bars: segments per code, coloured by theme."""
    frame = codes.iloc[::-1]
    order = themes.index.tolist()
    colours = dict(zip(order, sns.color_palette("colorblind", len(order)), strict=True))
    figure, ax = plt.subplots(figsize=(WIDTH, 1.0 + 0.3 * len(frame)))
    ax.barh(
        list(map(named, frame["code_id"], frame[f"code_{lang}"])),
        frame["n_segments"],
        color=frame["theme_id"].map(colours),
    )
    ax.xaxis.set_major_formatter(axis_formatter(lang, 0))
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel(t("interviews.figure.segments", lang))
    ax.tick_params(axis="y", labelsize=SMALL)
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[theme]) for theme in order]
    ax.legend(
        handles,
        [_theme_label(themes, theme, lang, 40) for theme in order],
        loc="upper right",  # beside the first theme's short bars, clear of the longest
        fontsize=SMALL,
        frameon=False,
    )
    ax.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return figure
