"""What each code cell of ``book/interviews.md`` displays, from the kept results."""

from __future__ import annotations

from IPython.display import HTML, Markdown

from analysis.chapters.interviews import figures, narrative, tables
from analysis.chapters.interviews.chapter import InterviewsResults
from analysis.core.display import html_table, note, show_figure
from analysis.core.i18n import t


def _excerpts_note(results: InterviewsResults, lang: str) -> str:
    kind = "illustrative" if results.illustrative else "verbatim"
    return t(f"interviews.excerpts.{kind}", lang)


def banners(results: InterviewsResults, lang: str) -> list[Markdown]:
    """The notes at the top: synthetic data and illustrative excerpts, or verbatim excerpts."""
    if results.illustrative:
        how = t("interviews.synthetic_how", lang)
        return [
            note(t("common.synthetic_banner", lang, how=how), "important"),
            note(_excerpts_note(results, lang), "note"),
        ]
    return [note(_excerpts_note(results, lang), "warning")]


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
    """The size of the coding and the codebook table."""
    text = narrative.coding(
        len(results.themes),
        len(results.codebook),
        results.n_segments,
        results.n_contributing,
        results.n_covered,
        lang,
    )
    return [
        Markdown(text),
        html_table(tables.codebook(results.codebook, lang), t("interviews.table.codebook", lang)),
    ]


def contributions(results: InterviewsResults, lang: str) -> list[Markdown]:
    """The participant × theme heatmap and the bar chart of segments per code."""
    matrix = results.matrix
    return [
        show_figure(
            figures.theme_matrix(matrix, results.themes, lang),
            f"interviews-matrix-{lang}",
            t("interviews.figure.matrix.caption", lang),
            narrative.matrix_alt(len(matrix), matrix.shape[1], results.n_covered, lang),
        ),
        show_figure(
            figures.code_counts(results.codebook, results.themes, lang),
            f"interviews-codes-{lang}",
            t("interviews.figure.counts.caption", lang),
            narrative.counts_alt(results.codebook, results.top_code_id, lang),
        ),
    ]


def themes(results: InterviewsResults, lang: str) -> list[Markdown]:
    """The note on the excerpts, then each theme with its codes and excerpts."""
    return [note(_excerpts_note(results, lang), "note")] + [
        Markdown(
            narrative.theme(
                theme_id,
                results.themes,
                results.codebook,
                results.theme_counts[theme_id],
                results.excerpts[theme_id],
                lang,
            )
        )
        for theme_id in results.themes.index
    ]


def negative_cases(results: InterviewsResults, lang: str) -> Markdown:
    """The negative and divergent codes with one excerpt each."""
    return Markdown(
        narrative.negative_cases(results.negative_cases, results.negative_examples, lang)
    )


def agreement(results: InterviewsResults, lang: str) -> list[Markdown | HTML]:
    """Whether κ applies and, if it does, κ per code."""
    shown = [Markdown(narrative.agreement(results.agreement, lang))]
    if results.agreement.per_code is not None:
        shown.append(
            html_table(
                tables.kappa(results.agreement, results.codebook, lang),
                t("interviews.table.kappa", lang),
            )
        )
    return shown


def reproduction(results: InterviewsResults, lang: str) -> HTML:
    """The published facts beside the computed values."""
    return html_table(
        tables.published(results.reproduction, lang), t("interviews.table.repro", lang)
    )
