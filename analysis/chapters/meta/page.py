"""One function per code cell of ``book/meta.md``: what the cell displays, in ``lang``."""

from __future__ import annotations

from IPython.display import HTML, Markdown

from analysis.chapters.meta import figures, narrative, tables
from analysis.chapters.meta.chapter import MetaResults
from analysis.core import reproduction
from analysis.core.display import html_table, note, show_figure
from analysis.core.i18n import fmt_int, t


def summary(results: MetaResults, lang: str) -> Markdown:
    """The opening sentence with the pooled risk ratios."""
    return Markdown(narrative.summary(results.data.analyses, results.analyses, lang))


def prisma(results: MetaResults, lang: str) -> Markdown:
    """The PRISMA flow diagram."""
    flow = results.data.prisma
    return show_figure(
        figures.prisma_figure(flow, lang),
        f"meta-prisma-{lang}",
        t("meta.fig.prisma.caption", lang),
        t(
            "meta.fig.prisma.alt",
            lang,
            screened=fmt_int(int(flow["records_screened"]), lang),
            fulltext=fmt_int(int(flow["fulltext_assessed"]), lang),
            studies=fmt_int(int(flow["included_studies"]), lang),
            reviews=fmt_int(int(flow["included_reviews"]), lang),
        ),
    )


def characteristics(results: MetaResults, lang: str) -> HTML:
    """Characteristics of the included studies."""
    return html_table(
        tables.characteristics_table(results, lang), t("meta.table.characteristics", lang)
    )


def risk_of_bias(results: MetaResults, lang: str) -> list[Markdown | HTML]:
    """The risk-of-bias summary figure and its counts table."""
    return [
        show_figure(
            figures.rob_figure(results.data.risk_of_bias, lang),
            f"meta-rob-{lang}",
            t("meta.fig.rob.caption", lang),
            t("meta.fig.rob.alt", lang, n=fmt_int(len(results.data.risk_of_bias), lang)),
        ),
        html_table(tables.rob_table(results, lang), t("meta.table.rob", lang)),
    ]


def forest_plots(results: MetaResults, lang: str) -> list[Markdown]:
    """One forest plot per analysis, each followed by its reconstructed-data warning."""
    shown = []
    for analysis_id, result in results.analyses.items():
        label = narrative.analysis_label(results.data.analyses, analysis_id, lang)
        warning = narrative.reconstructed_warning(result, lang)
        caption = t(
            "meta.fig.forest.caption",
            lang,
            analysis=label,
            method=t(f"meta.method.{result.headline}", lang),
        )
        shown.append(
            show_figure(
                figures.forest_plot(result, lang),
                f"meta-forest-{analysis_id}-{lang}",
                f"{caption} {warning}".strip(),
                t(
                    "meta.fig.forest.alt",
                    lang,
                    k=fmt_int(result.k, lang),
                    rr=narrative.pooled_text(result.pooled, lang),
                ),
            )
        )
        if warning:
            shown.append(note(warning, "warning"))
    return shown


def summary_of_findings(results: MetaResults, lang: str) -> list[HTML]:
    """The GRADE summary-of-findings table and the judgements per domain."""
    return [
        html_table(
            tables.sof_table(results, lang),
            t("meta.table.sof", lang),
            note=tables.sof_note(results, lang),
        ),
        html_table(tables.grade_profile(results, lang), t("meta.table.grade", lang)),
    ]


def models(results: MetaResults, lang: str) -> HTML:
    """Every pooled model side by side."""
    return html_table(
        tables.models_table(results, lang),
        t("meta.table.models", lang),
        note=t("meta.table.models_note", lang),
    )


def narrative_results(results: MetaResults, lang: str) -> HTML:
    """Results the review reports without pooling."""
    return html_table(
        tables.narrative_table(results, lang),
        t("meta.table.narrative", lang),
        note=t("meta.table.narrative_note", lang),
    )


def reproduction_table(results: MetaResults, lang: str) -> HTML:
    """The review's published values beside the computed ones."""
    return html_table(
        reproduction.table(results.reproduction, lang, component="meta"),
        t("meta.table.repro", lang),
    )
