"""The reproduction overview page (``book/reproduction.md``): every chapter's comparisons
with its published source, gathered from the results of this build."""

from __future__ import annotations

from IPython.display import HTML, Markdown

from analysis.chapters import CHAPTERS
from analysis.core import reproduction
from analysis.core.display import html_table, note
from analysis.core.i18n import t
from analysis.core.results import load_all_states


def rows(state_dir: str) -> list[dict]:
    """The reproduction rows of every chapter built, in book order."""
    states = load_all_states(state_dir, list(CHAPTERS))
    return reproduction.gather({name: state.reproduction for name, state in states.items()})


def summary(all_rows: list[dict], lang: str) -> HTML | Markdown:
    """Counts of published values by chapter and status (or a note that there are none)."""
    if not all_rows:
        return note(t("repro.none", lang), "warning")
    return html_table(reproduction.summary(all_rows, lang), t("repro.summary.caption", lang))


def differences(all_rows: list[dict], lang: str) -> list[HTML]:
    """Every value that differs or cannot be reproduced, with its reason."""
    attention = [row for row in all_rows if row["status"] in reproduction.NEEDS_ATTENTION]
    if not attention:
        return []
    return [html_table(reproduction.table(attention, lang), t("repro.differs.caption", lang))]


def per_chapter(all_rows: list[dict], lang: str) -> list[HTML]:
    """One collapsed table per chapter with every published value."""
    tables = []
    for chapter, chapter_rows in reproduction.by_component(all_rows).items():
        name = t(f"repro.component.{chapter}", lang)
        tables.append(
            html_table(
                reproduction.table(chapter_rows, lang, component=chapter),
                t("repro.component.caption", lang, name=name),
                collapsed=t("repro.component.open", lang, name=name, n=len(chapter_rows)),
            )
        )
    return tables
