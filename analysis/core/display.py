"""Rendering helpers for notebooks: captioned HTML tables and captioned figures with alt text.

Tables are written cell by cell so that they read well in a narrow column: a column whose
cells are mostly numbers is right-aligned under a right-aligned header, every number is
right-aligned wherever it is, a short cell with a
number never wraps, long text wraps, and a label repeated in every row can be shown once as a
group row. The styles are inline, so a table looks the same wherever it is shown.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from docutils.nodes import make_id
from IPython.display import HTML, Markdown
from matplotlib.legend import Legend
from matplotlib.transforms import blended_transform_factory
from myst_nb import glue

from analysis.core import reproduction, reproduction_table
from analysis.core.i18n import fmt_num, is_number, t
from analysis.core.settings import OUTPUT_SECTION_CLASS, PHONE_FIGURE_SUFFIX
from analysis.core.study import Study

DIGIT = re.compile(r"\d")
NOWRAP_LENGTH = 24  # a cell with a number and at most this many characters never wraps
TABLE_STYLE = "width:100%;font-size:0.85rem;line-height:1.35"
CELL_STYLE = "vertical-align:top;padding:0.3rem 0.35rem;overflow-wrap:break-word;hyphens:manual"
NUMBER_STYLE = "white-space:nowrap;font-variant-numeric:tabular-nums"
CAPTION_STYLE = "max-width:calc(100vw - 2.5rem)"  # wraps on a phone when the table scrolls
GROUP_STYLE = "text-align:left;font-weight:600;padding-top:0.6rem"
BADGE_COLOURS = {
    "good": ("#e3f1e3", "#1d5b1d"),
    "info": ("#e4ecf6", "#1f3f66"),
    "warn": ("#fbefd5", "#6b4a00"),
    "bad": ("#f8dcdc", "#7a1616"),
}
STATUS_KINDS = {
    "matches": "good",
    "exact_by_construction": "good",
    "calibrated": "info",
    "reconstructed": "info",
    "differs": "warn",
    "not_reproducible": "bad",
    "withheld": "info",
}
BADGE_STYLE = (
    "display:inline-block;padding:0 0.4em;border-radius:0.6em;font-size:0.8rem;"
    "line-height:1.5;background:{background};color:{colour}"
)


PERCENT_STYLE = {
    "en": (re.compile(r"(\d)[ \u00a0\u2009]%"), r"\1%"),
    "nb": (re.compile(r"(\d)%"), "\\1\u00a0%"),
}


def percent_style(text: str, lang: str) -> str:
    """``text`` with its percentages in the page's style: ``57%`` in English, ``57 %`` (no-break
    space) in bokmål; for texts that come from data files or results."""
    pattern, replacement = PERCENT_STYLE[lang]
    return pattern.sub(replacement, text)


def status_badges(lang: str) -> dict[str, str]:
    """Badge kinds of the reproduction statuses, keyed by their text in ``lang`` (for the
    ``badges`` of ``html_table``)."""
    return {
        t(f"repro.status.{status}", lang): STATUS_KINDS[status] for status in reproduction.STATUSES
    }


def reproduction_frame(rows: list[dict], lang: str, component: str | None = None) -> pd.DataFrame:
    """``reproduction_table.table`` with the texts in the page's percent style."""
    table = reproduction_table.table(rows, lang, component)
    return table.map(lambda text: percent_style(text, lang) if isinstance(text, str) else text)


def _badge(text: str, kind: str) -> str:
    background, colour = BADGE_COLOURS[kind]
    style = BADGE_STYLE.format(background=background, colour=colour)
    return f'<span class="rtw-badge rtw-badge-{kind}" style="{style}">{escape(text)}</span>'


def _mostly_numbers(cells: Sequence[str]) -> bool:
    """A column of numbers: at least half of its filled cells are numbers (the others are
    words such as "not reached" in place of a number)."""
    filled = [text for text in cells if text]
    return bool(filled) and 2 * sum(map(is_number, filled)) >= len(filled)


def _cell(tag: str, text: str, align: str, badges: Mapping[str, str], scope: str = "") -> str:
    if tag == "td" and is_number(text):
        align = "right"  # a number lines up with the numbers above and below it
    styles = [CELL_STYLE, f"text-align:{align}"]
    if tag == "td" and DIGIT.search(text) and (len(text) <= NOWRAP_LENGTH or is_number(text)):
        styles.append(NUMBER_STYLE)
    content = _badge(text, badges[text]) if text in badges else escape(text)
    scope_attribute = f' scope="{scope}"' if scope else ""
    return f'<{tag}{scope_attribute} style="{";".join(styles)}">{content}</{tag}>'


def _legend(shown: list[str], badges: Mapping[str, str]) -> str:
    return '<p class="rtw-table-legend">' + " ".join(_badge(b, badges[b]) for b in shown) + "</p>"


def html_table(
    frame: pd.DataFrame,
    caption: str,
    note: str | None = None,
    collapsed: str | None = None,
    *,
    group: str | None = None,
    badges: Mapping[str, str] | None = None,
    notes: tuple[str, ...] = (),
) -> HTML:
    """A table with a caption (and an optional note under it), index hidden; with ``collapsed``
    the table sits in a closed ``<details>`` block whose summary line is that text.

    ``group`` names a column whose value is shown once, as a row above the rows that share it;
    ``badges`` maps cell texts to a badge kind (``good``, ``info``, ``warn``, ``bad``), and the
    badges shown are repeated as a legend under the table; ``notes`` are further paragraphs
    under the table (after ``note``).
    """
    badges = badges or {}
    cells = frame.astype(object).where(frame.notna(), "").astype(str)
    records = cells.to_numpy().tolist()
    position = {column: i for i, column in enumerate(cells.columns)}
    columns = [c for c in cells.columns if c != group]
    numeric = {c for c in columns if _mostly_numbers([r[position[c]] for r in records])}
    align = {c: "right" if c in numeric else "left" for c in columns}
    # A line break between cells, rows and the parts of the table, so that the page's text (its
    # search summaries, its search index) keeps the words of neighbouring cells apart.
    header = "\n".join(_cell("th", str(c), align[c], {}, "col") for c in columns)
    rows: list[str] = []
    current: str | None = None
    for record in records:
        if group is not None and record[position[group]] != current:
            current = record[position[group]]
            rows.append(
                f'<tr class="rtw-group"><th colspan="{len(columns)}" scope="colgroup" '
                f'style="{GROUP_STYLE}">{escape(current)}</th></tr>'
            )
        row = "\n".join(_cell("td", record[position[c]], align[c], badges) for c in columns)
        rows.append(f"<tr>{row}</tr>")
    texts = set(cells[columns].to_numpy().ravel().tolist())
    shown = [b for b in badges if b in texts]
    body_rows = "\n".join(rows)
    body = (
        f'<table class="table rtw-table" style="{TABLE_STYLE}">\n'
        f'<caption style="{CAPTION_STYLE}">{escape(caption)}</caption>\n'
        f"<thead><tr>\n{header}\n</tr></thead>\n"
        f"<tbody>\n{body_rows}\n</tbody></table>"
    )
    footer = [f'<p class="rtw-table-note">{escape(text)}</p>' for text in (note, *notes) if text]
    if shown:
        footer.append(_legend(shown, badges))
    html = "\n".join(['<div class="rtw-table-wrap">', body, *footer, "</div>"])
    if collapsed:
        html = f"<details><summary>{escape(collapsed)}</summary>\n{html}\n</details>"
    return HTML(html)


# Figures are drawn in inches for a column of text; every text of a figure is at least 10 pt
# (matplotlib's default size), so it is shown at 10 px or more wherever the figure is at least
# as many px wide as it was drawn in pt (72 per inch).
COLUMN_WIDTH = 7.4  # a screen's: 533 pt; a figure's box is 553 px or wider above a phone
PHONE_WIDTH = 4.2  # a phone's: 302 pt; a figure's box is 342 px on a 390-px phone (vw − 48)


RATIO_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)


def ratio_axis(ax: plt.Axes, low: float, high: float, lang: str) -> None:
    """A log-scale x axis for ratios, ticked at the round ratios from ``low`` to ``high``
    (1 when none is in between), in the language's number style."""
    ax.set_xscale("log")
    shown = [v for v in RATIO_TICKS if low <= v <= high] or [1]
    ax.set_xticks(shown)
    ax.set_xticklabels([fmt_num(v, lang, 2 if v < 0.1 else 1 if v < 1 else 0) for v in shown])
    ax.minorticks_off()


def wrap_label(text: str, characters: int) -> str:
    """A figure's label in lines of at most ``characters`` characters, broken between words
    (and after hyphens) only: a word longer than a line keeps its line."""
    return textwrap.fill(text, characters, break_long_words=False)


def legend_above(ax: plt.Axes, *args: object, **options: object) -> Legend:
    """The legend of ``ax`` above it, from the figure's left edge: clear of the data, and as
    wide as the figure (the axes of a figure with long labels start far to the right)."""
    return ax.legend(
        *args,
        loc="lower left",
        bbox_to_anchor=(0, 1),
        bbox_transform=blended_transform_factory(ax.figure.transFigure, ax.transAxes),
        frameon=False,
        **options,
    )


@dataclass(frozen=True)
class FigureFolder:
    """Where a page saves its figures: ``figure_dir``, relative to ``book_dir``, the folder the
    page is in (the page names its figures relative to itself). The build gives each page a
    folder of its own (so that its figures are cached with it); a page run by hand in its own
    folder saves them to ``figures/``."""

    book_dir: str | Path = "."
    figure_dir: str | Path = "figures"


def figure_source(study: Study, lang: str) -> str:
    """The sentence that ends a figure's caption: what, as the chapter's study description
    says, the data are (its ``provenance``) and which publication they follow. It names no
    file: a chapter's data may come from a CSV file, a workbook or a register extract."""
    if not study.described:
        return t("figure.source.undescribed", lang)
    citation = f" {{cite:p}}`{study.citation}`" if study.citation else ""
    kind = study.provenance or "observed"  # not said: the data are taken as observed
    provenance = t(f"figure.provenance.{kind}", lang, citation=citation)
    return t("figure.source", lang, provenance=provenance)


def show_figure(
    draw: Callable[[float], plt.Figure],
    name: str,
    caption: str,
    alt: str,
    folder: FigureFolder,
    *,
    source: str,
) -> Markdown:
    """Draw a figure for a screen's column (``draw(COLUMN_WIDTH)``, saved as ``<name>.svg`` in
    ``folder``) and for a phone's (``draw(PHONE_WIDTH)``, as ``<name>-phone.svg``, which the
    book shows on a narrow screen); their texts stay text: sharp, selectable and read at the
    size they are drawn. Returns a MyST figure with alt text whose caption says what it shows,
    then ``source`` (:func:`figure_source`)."""
    relative = Path(folder.figure_dir) / f"{name}.svg"
    draw_renditions(draw, Path(folder.book_dir) / relative)
    alt_text = " ".join(alt.split()).replace('"', "'")
    return Markdown(
        f"```{{figure}} {relative.as_posix()}\n:name: fig-{name}\n:alt: {alt_text}\n"
        f":width: 100%\n\n{caption} {source}\n```\n"
    )


def draw_renditions(draw: Callable[[float], plt.Figure], path: Path) -> None:
    """Save ``draw(COLUMN_WIDTH)`` as ``path`` (an SVG) and ``draw(PHONE_WIDTH)`` beside it with
    the phone suffix; the figure's name salts the SVG ids so that the file is reproducible."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for width, suffix in ((COLUMN_WIDTH, ""), (PHONE_WIDTH, PHONE_FIGURE_SUFFIX)):
        figure = draw(width)
        with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": path.stem}):
            figure.savefig(
                path.with_stem(f"{path.stem}{suffix}"), bbox_inches="tight", metadata={"Date": None}
            )
        plt.close(figure)


def section_heading(title: str, key: str, level: int = 3) -> str:
    """A MyST heading for a cell's Markdown output that becomes a section of the page, listed in
    its contents, whose id is ``key`` (the same in every language)."""
    return f"{{#{make_id(key)} .{OUTPUT_SECTION_CLASS}}}\n{'#' * level} {title}\n"


def note(text: str, kind: str = "note") -> Markdown:
    """An admonition box (``note``, ``warning``, ``important``) holding ``text``."""
    return Markdown(f"```{{{kind}}}\n{text}\n```\n")


def glue_title(chapter: str, title: str | None, lang: str) -> None:
    """Glue a chapter page's title (``<chapter>_title``, the page's ``# {glue:text}`…```):
    the study description's title, else the chapter's neutral ``<chapter>.title`` label."""
    glue(f"{chapter}_title", title or t(f"{chapter}.title", lang), display=False)


def glue_text(name: str, text: str) -> None:
    """Glue a plain text for a page's ``{glue:text}`…``` (a heading's, say): a ``str``, whose
    quoted repr myst-nb reads back as the text, never as a number or a tuple."""
    glue(name, str(text), display=False)


def glue_md(name: str, text: str) -> None:
    """Glue a Markdown fragment for a page's ``{glue:md}`…``` (empty to leave it out)."""
    glue(name, Markdown(text), display=False)
