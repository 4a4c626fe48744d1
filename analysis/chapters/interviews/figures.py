"""Figures of the interview chapter: drawing only, from the results."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from analysis.chapters.interviews.narrative import named
from analysis.core.display import legend_above, wrap_label
from analysis.core.i18n import axis_formatter, t

WIDE = 6  # inches: a narrower figure names the themes above the matrix and the codes above
# their bars, and has the legend of the code counts above them
LABEL_CHARACTERS = 4  # characters per line of a bar or legend label, per inch of figure width
THEME_CHARACTERS = 2.5  # characters per line of a theme's column label, per inch
LABEL_LINE = 0.19  # inches: a line of a code's label (10 pt and its spacing)
BAR = 0.22  # inches: the height of a code's bar


def _theme_label(themes: pd.DataFrame, theme: str, lang: str, width: int) -> str:
    return wrap_label(named(theme, themes.at[theme, f"theme_{lang}"]), width)


def _relative_luminance(colour: tuple[float, ...]) -> float:
    """WCAG relative luminance of an sRGB colour (components 0–1)."""
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in colour[:3]]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def text_colour(background: tuple[float, ...]) -> str:
    """Black or white, whichever contrasts more with ``background`` (at least 4.5:1 for any
    colour)."""
    luminance = _relative_luminance(background)
    return "black" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "white"


def theme_matrix(matrix: pd.DataFrame, themes: pd.DataFrame, lang: str, width: float) -> plt.Figure:
    """Heatmap of the participant × theme matrix (pseudonyms only), ``width`` inches wide;
    each number in black or white, whichever contrasts more with its cell."""
    figure, ax = plt.subplots(figsize=(width, 1.6 + 0.26 * len(matrix)))
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
                color=text_colour(cmap(value / top)),
            )
    if width >= WIDE:
        characters = round(THEME_CHARACTERS * width)
        ax.set_xticklabels(
            [_theme_label(themes, theme, lang, characters) for theme in matrix.columns],
            rotation=0,
        )
        ax.set_xlabel(t("interviews.figure.theme", lang))
    else:  # the columns by their ids, the themes' names above them across the figure
        ax.set_xticklabels(matrix.columns, rotation=0)
        names = [
            _theme_label(themes, theme, lang, round(LABEL_CHARACTERS * width * 2))
            for theme in matrix.columns
        ]
        ax.set_xlabel("\n".join([t("interviews.figure.theme", lang), *names]), loc="left")
    ax.set_yticklabels(matrix.index, rotation=0)
    ax.set_ylabel(t("interviews.figure.participant", lang))
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    figure.tight_layout()
    return figure


def code_counts(codes: pd.DataFrame, themes: pd.DataFrame, lang: str, width: float) -> plt.Figure:
    """Horizontal bars: segments per code, coloured by theme, ``width`` inches wide; in a
    narrow figure each code's name stands above its bar, across the whole width."""
    order = themes.index.tolist()
    colours = dict(zip(order, sns.color_palette("colorblind", len(order)), strict=True))
    wide = width >= WIDE
    characters = round(LABEL_CHARACTERS * width * (1 if wide else 2))
    labels = [
        wrap_label(named(code_id, code), characters)
        for code_id, code in zip(codes["code_id"], codes[f"code_{lang}"], strict=True)
    ]
    lines = [label.count("\n") + 1 for label in labels]
    if wide:  # one row per code, as tall as its label
        rows = [max(0.3, LABEL_LINE * count + 0.06) for count in lines]
        bars = [row / 2 for row in rows]
    else:  # the label, then the bar under it
        rows = [LABEL_LINE * count + BAR + 0.1 for count in lines]
        bars = [row - BAR / 2 - 0.05 for row in rows]
    tops = np.cumsum([0, *rows[:-1]])
    centres = tops + np.array(bars)
    figure, ax = plt.subplots(figsize=(width, 1.2 + sum(rows) + (0 if wide else 1.2)))
    ax.barh(centres, codes["n_segments"], height=BAR, color=codes["theme_id"].map(colours))
    ax.set_ylim(sum(rows), 0)
    if wide:
        ax.set_yticks(centres, labels)
    else:
        ax.set_yticks([])
        for top, label in zip(tops, labels, strict=True):
            ax.text(0, top + 0.03, label, va="top", ha="left")
        ax.spines["left"].set_visible(False)
    ax.xaxis.set_major_formatter(axis_formatter(lang, 0))
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel(t("interviews.figure.segments", lang))
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[theme]) for theme in order]
    names = [_theme_label(themes, theme, lang, characters) for theme in order]
    if wide:  # beside the first theme's short bars, clear of the longest
        ax.legend(handles, names, loc="upper right", frameon=False)
    else:
        legend_above(ax, handles, names)
    ax.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return figure
