"""What each code cell of ``book/interviews.md`` displays, from the kept results."""

from __future__ import annotations

from functools import partial

from IPython.display import HTML, Markdown

from analysis.chapters.interviews import figures, narrative, tables
from analysis.chapters.interviews.chapter import InterviewsResults
from analysis.core.display import (
    FigureFolder,
    figure_source,
    glue_md,
    glue_title,
    html_table,
    note,
    reproduction_frame,
    show_figure,
    status_badges,
)
from analysis.core.i18n import t


def opening(results: InterviewsResults, lang: str) -> Markdown:
    """What the data are: the study when described, else the files. Glues the page title
    (``interviews_title``): the study's title, else a neutral one."""
    glue_title("interviews", results.study.text("title", lang), lang)
    return Markdown(
        narrative.opening(
            results.study,
            results.characteristics.n_participants,
            len(results.themes),
            len(results.codebook),
            results.contributions.n_segments,
            lang,
        )
    )


def banners(results: InterviewsResults, lang: str) -> list[Markdown]:
    """The notes at the top: where the data come from (if the study description says) and
    whether the excerpts are illustrative or coded text that must be checked."""
    provenance = narrative.provenance(results.study, lang)
    excerpts = narrative.excerpts_note(results.study, lang)
    if results.illustrative:
        return [note(provenance, "important"), note(excerpts, "note")]
    return [note(text, "important") for text in [provenance] if text] + [note(excerpts, "warning")]


def participants(results: InterviewsResults, lang: str) -> list[Markdown | HTML]:
    """The sample sentence and the characteristics table."""
    people = results.characteristics
    return [
        Markdown(narrative.sample(people, lang)),
        html_table(
            tables.characteristics(people, lang), t("interviews.table.characteristics", lang)
        ),
    ]


def codebook(results: InterviewsResults, lang: str) -> list[Markdown | HTML]:
    """What a segment is, the size of the coding and the codebook table."""
    text = narrative.coding(len(results.themes), len(results.codebook), results.contributions, lang)
    return [
        Markdown(narrative.codebook_intro(results.compared, lang)),
        Markdown(text),
        html_table(tables.codebook(results.codebook, lang), t("interviews.table.codebook", lang)),
    ]


def contributions(
    results: InterviewsResults, lang: str, figure_folder: FigureFolder
) -> list[Markdown]:
    """The participant × theme heatmap and the bar chart of segments per code, or why disclosure
    control does not show them (the heatmap has a row per person; a code's count is hidden)."""
    matrix = results.matrix
    threshold = results.characteristics.suppress_below
    shown = [
        note(t("interviews.figure.matrix.withheld", lang, threshold=threshold), "note")
        if matrix is None
        else show_figure(
            partial(figures.theme_matrix, matrix, results.themes, lang),
            f"interviews-matrix-{lang}",
            t("interviews.figure.matrix.caption", lang),
            narrative.matrix_alt(
                len(matrix), matrix.shape[1], results.contributions.n_covered, lang
            ),
            figure_folder,
            source=figure_source(results.study, lang),
        )
    ]
    if results.top_code_id is None:
        return [
            *shown,
            note(t("interviews.figure.counts.withheld", lang, threshold=threshold), "note"),
        ]
    return [
        *shown,
        show_figure(
            partial(figures.code_counts, results.codebook, results.themes, lang),
            f"interviews-codes-{lang}",
            t("interviews.figure.counts.caption", lang),
            narrative.counts_alt(results.codebook, results.top_code_id, lang),
            figure_folder,
            source=figure_source(results.study, lang),
        ),
    ]


def themes(results: InterviewsResults, lang: str) -> list[Markdown]:
    """Each theme with its codes and excerpts (the note on the excerpts is at the top of the
    page); glues the sentence on their order (``interviews_excerpt_order``)."""
    glue_md("interviews_excerpt_order", narrative.excerpt_order(results, lang))
    return [
        Markdown(
            narrative.theme(
                theme_id,
                results.themes,
                results.codebook,
                results.contributions.themes[theme_id],
                results.excerpts[theme_id],
                lang,
            )
        )
        for theme_id in results.themes.index
    ]


def negative_cases(results: InterviewsResults, lang: str) -> list[Markdown]:
    """The negative and divergent codes with one excerpt each."""
    return [
        Markdown(narrative.negative_intro(results.compared, lang)),
        Markdown(narrative.negative_cases(results.negative_cases, results.negative_examples, lang)),
    ]


def agreement(results: InterviewsResults, lang: str) -> list[Markdown | HTML]:
    """Whether κ applies and, if it does, κ per code."""
    shown = [Markdown(narrative.agreement(results.agreement, results.study, lang))]
    if results.agreement.per_code is not None:
        shown.append(
            html_table(
                tables.kappa(results.agreement, results.codebook, lang),
                t("interviews.table.kappa", lang),
            )
        )
    return shown


def published_facts(results: InterviewsResults, lang: str) -> list[Markdown | HTML]:
    """The published facts beside the computed values; nothing when nothing is compared (the
    page then has no such section)."""
    if not results.compared:
        return []
    return [
        Markdown(narrative.reproduction_intro(results.illustrative, lang)),
        html_table(
            reproduction_frame(results.reproduction, lang, "interviews"),
            t("interviews.table.repro", lang),
            badges=status_badges(lang),
        ),
    ]
