"""The reproduction overview page (``book/reproduction.md``): every chapter's comparisons
with its published source, gathered from the results of this build."""

from __future__ import annotations

from IPython.display import HTML, Markdown

from analysis.chapters import CHAPTERS
from analysis.core import reproduction, reproduction_table
from analysis.core.display import html_table, note, status_badges
from analysis.core.i18n import t
from analysis.core.results import load_all_states


def states(state_dir: str) -> dict[str, object]:
    """The results of every chapter of this build, in book order."""
    return load_all_states(state_dir, list(CHAPTERS))


def rows(chapters: dict[str, object]) -> list[dict]:
    """The reproduction rows of the chapters that were compared with a publication, each
    named by its chapter's ``subjects`` where it is about one of several things."""
    return reproduction.gather(
        {
            name: reproduction.named(state.reproduction, getattr(state, "subjects", {}))
            for name, state in chapters.items()
        }
    )


def summary(chapters: dict[str, object], lang: str) -> list[HTML | Markdown]:
    """Counts of published values by chapter and status, and which chapters were not
    compared with any publication."""
    all_rows = rows(chapters)
    shown: list[HTML | Markdown] = []
    if all_rows:
        shown.append(
            html_table(
                reproduction_table.summary(all_rows, lang),
                t("repro.summary.caption", lang),
                badges=status_badges(lang),
            )
        )
    uncompared = [
        t(f"repro.component.{name}", lang) for name, s in chapters.items() if not s.compared
    ]
    if uncompared:
        shown.append(Markdown(t("repro.not_compared", lang, names=", ".join(uncompared))))
    if not shown:
        shown.append(note(t("repro.none", lang), "warning"))
    return shown


def differences(all_rows: list[dict], lang: str) -> list[HTML | Markdown]:
    """Every value that differs or cannot be reproduced, with its reason (or a sentence
    saying that none does, or that nothing was compared)."""
    attention = [row for row in all_rows if row["status"] in reproduction.NEEDS_ATTENTION]
    if not attention:
        return [Markdown(t("repro.differs.none" if all_rows else "repro.values.none", lang))]
    return [
        html_table(
            reproduction_table.table(attention, lang),
            t("repro.differs.caption", lang),
            badges=status_badges(lang),
        )
    ]


def per_chapter(all_rows: list[dict], lang: str) -> list[HTML | Markdown]:
    """One collapsed table per chapter with every published value (or a sentence saying that
    nothing was compared)."""
    tables = []
    for chapter, chapter_rows in reproduction.by_component(all_rows).items():
        name = t(f"repro.component.{chapter}", lang)
        tables.append(
            html_table(
                reproduction_table.table(chapter_rows, lang, component=chapter),
                t("repro.component.caption", lang, name=name),
                collapsed=t("repro.component.open", lang, name=name, n=len(chapter_rows)),
                badges=status_badges(lang),
            )
        )
    return tables or [Markdown(t("repro.values.none", lang))]
