"""Rendering helpers for notebooks: captioned HTML tables and captioned figures with alt text."""

from __future__ import annotations

import os
from html import escape
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, Markdown

from analysis.core.results import FIGURE_DIR_VARIABLE


def html_table(
    frame: pd.DataFrame, caption: str, note: str | None = None, collapsed: str | None = None
) -> HTML:
    """A table with a caption (and an optional note under it), index hidden; with ``collapsed``
    the table sits in a closed ``<details>`` block whose summary line is that text."""
    body = frame.to_html(index=False, escape=True, border=0, classes="table rtw-table", na_rep="")
    body = body.replace(">\n  <thead>", f">\n  <caption>{escape(caption)}</caption>\n  <thead>", 1)
    footer = f'<p class="rtw-table-note">{escape(note)}</p>' if note else ""
    html = f'<div class="rtw-table-wrap">{body}{footer}</div>'
    if collapsed:
        html = f"<details><summary>{escape(collapsed)}</summary>{html}</details>"
    return HTML(html)


def show_figure(figure: plt.Figure, name: str, caption: str, alt: str) -> Markdown:
    """Save ``figure`` as ``figures/<name>.png`` and return a MyST figure with caption and alt."""
    folder = Path(os.environ.get(FIGURE_DIR_VARIABLE, "figures"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    figure.savefig(path, dpi=150, bbox_inches="tight")
    plt.close(figure)
    alt_text = " ".join(alt.split()).replace('"', "'")
    return Markdown(
        f"```{{figure}} {path.as_posix()}\n:name: fig-{name}\n:alt: {alt_text}\n:width: 100%\n\n"
        f"{caption}\n```\n"
    )


def note(text: str, kind: str = "note") -> Markdown:
    """An admonition box (``note``, ``warning``, ``important``) holding ``text``."""
    return Markdown(f"```{{{kind}}}\n{text}\n```\n")
