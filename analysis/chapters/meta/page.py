"""One function per code cell of ``book/meta.md``: what the cell displays, in ``lang``.

A section whose input file the data leave out shows one sentence saying so; sentences that
are true only of the review the shipped data reproduce show only when the results are
compared with it.
"""

from __future__ import annotations

from functools import partial

from IPython.display import HTML, Markdown

from analysis.chapters.meta import figures, narrative, tables
from analysis.chapters.meta.chapter import MetaResults
from analysis.core.display import (
    FigureFolder,
    figure_source,
    glue_title,
    html_table,
    note,
    reproduction_frame,
    show_figure,
    status_badges,
)
from analysis.core.i18n import t, tn
from analysis.core.reproduction import named


def _markdown(text: str) -> list[Markdown]:
    """A paragraph, or nothing for an empty text."""
    return [Markdown(text)] if text else []


def opening(results: MetaResults, lang: str) -> list[Markdown]:
    """What the data are, how they were made when they are not the trials' own, and the
    pooled risk ratios. Glues the page title: the study's, else a neutral one."""
    study = results.study
    glue_title("meta", study.text("title", lang), lang)
    shown = [Markdown(narrative.opening(results, lang))]
    provenance_note = study.text("provenance_note", lang)
    if not study.observed and provenance_note:
        shown.append(note(provenance_note, "warning"))
    return [*shown, Markdown(narrative.summary(results, lang))]


def prisma(results: MetaResults, lang: str, figure_folder: FigureFolder) -> list[Markdown]:
    """How the studies were found and the PRISMA flow diagram."""
    if results.data.prisma is None:
        return [Markdown(t("meta.missing.prisma", lang))]
    return [
        Markdown(t("meta.text.prisma", lang)),
        show_figure(
            partial(
                figures.prisma_figure,
                results.data.prisma,
                narrative.prisma_included(results, lang),
                lang,
            ),
            f"meta-prisma-{lang}",
            t("meta.fig.prisma.caption", lang),
            narrative.prisma_alt(results, lang),
            figure_folder,
            source=figure_source(results.study, lang),
        ),
    ]


def characteristics(results: MetaResults, lang: str) -> list[Markdown | HTML]:
    """How many studies were included, and their characteristics."""
    shown: list[Markdown | HTML] = [Markdown(narrative.included(results, lang))]
    if results.data.characteristics is not None:
        setting, arms = tables.characteristics_tables(results, lang)
        shown += [
            html_table(setting, t("meta.table.characteristics_setting", lang)),
            html_table(arms, t("meta.table.characteristics_arms", lang)),
        ]
    return shown


def risk_of_bias(
    results: MetaResults, lang: str, figure_folder: FigureFolder
) -> list[Markdown | HTML]:
    """The risk-of-bias judgements: a sentence, the summary figure and its counts table."""
    rob = results.data.risk_of_bias
    if rob is None:
        return [Markdown(t("meta.missing.risk_of_bias", lang))]
    return [
        Markdown(narrative.risk_of_bias(results, lang)),
        show_figure(
            partial(figures.rob_figure, rob, lang),
            f"meta-rob-{lang}",
            t("meta.fig.rob.caption", lang),
            t(
                "meta.fig.rob.alt",
                lang,
                publications=tn("meta.count.publication", len(rob), lang),
            ),
            figure_folder,
            source=figure_source(results.study, lang),
        ),
        html_table(tables.rob_table(results, lang), t("meta.table.rob", lang)),
    ]


def forest_plots(
    results: MetaResults, lang: str, figure_folder: FigureFolder
) -> list[Markdown | HTML]:
    """One forest plot per analysis: its numbers as a table, the intervals as a figure, and
    the reconstructed-data warning under them."""
    shown: list[Markdown | HTML] = list(_markdown(narrative.forest_intro(results, lang)))
    for analysis_id, result in results.analyses.items():
        label = narrative.analysis_label(results.data.analyses, analysis_id, lang)
        method = t(f"meta.method.{result.headline}", lang)
        warning = narrative.reconstructed_warning(results, result, lang)
        shown += [
            html_table(
                tables.forest_table(result, lang),
                t(
                    "meta.table.forest" if result.ratio else "meta.table.forest_continuous",
                    lang,
                    analysis=label,
                    method=method,
                    measure=t(f"meta.measure.{result.measure}", lang),
                ),
                notes=(
                    narrative.heterogeneity_text(result.pooled, lang),
                    narrative.overall_text(result.pooled, lang),
                ),
            ),
            show_figure(
                partial(figures.forest_plot, result, lang),
                f"meta-forest-{analysis_id}-{lang}",
                narrative.forest_caption(results, analysis_id, lang),
                narrative.forest_alt(result, lang),
                figure_folder,
                source=figure_source(results.study, lang),
            ),
            *([note(warning, "warning")] if warning else []),
        ]
    return shown


def summary_of_findings(results: MetaResults, lang: str) -> list[Markdown | HTML]:
    """How absolute effects are made, the GRADE summary-of-findings table and the judgements
    per domain."""
    outcome = narrative.outcome_name(results.study, lang)
    title = (
        t("meta.table.sof_outcome", lang, outcome=outcome) if outcome else t("meta.table.sof", lang)
    )
    return [
        Markdown(narrative.sof_intro(results, lang)),
        html_table(
            tables.sof_table(results, lang),
            title,
            note=tables.sof_note(results, lang),
            group=t("meta.sof.comparison", lang),
        ),
        html_table(tables.grade_profile(results, lang), t("meta.table.grade", lang)),
    ]


def models_review(results: MetaResults, lang: str) -> list[Markdown]:
    """What the review says about its model (nothing unless compared)."""
    return _markdown(narrative.models_intro(results, lang))


def models(results: MetaResults, lang: str) -> HTML:
    """Every pooled model side by side."""
    return html_table(
        tables.models_table(results, lang),
        t("meta.table.models", lang),
        note=tables.models_note(results, lang),
        group=t("meta.col.analysis", lang),
    )


def narrative_results(results: MetaResults, lang: str) -> list[Markdown | HTML]:
    """Results the review reports without pooling."""
    if results.data.narrative is None:
        return [Markdown(t("meta.missing.narrative", lang))]
    return [
        Markdown(narrative.narrative_intro(results, lang)),
        html_table(
            tables.narrative_table(results, lang),
            t("meta.table.narrative", lang),
            note=t("meta.table.narrative_note", lang),
            group=t("meta.sof.comparison", lang),
        ),
    ]


def reproduction_table(results: MetaResults, lang: str) -> list[Markdown | HTML]:
    """The review's published values beside the computed ones; nothing when nothing is
    compared (the page then has no such section)."""
    if not results.compared:
        return []
    return [
        Markdown(t("meta.repro.intro", lang)),
        html_table(
            reproduction_frame(named(results.reproduction, results.subjects), lang, "meta"),
            t("meta.table.repro", lang),
            badges=status_badges(lang),
        ),
    ]


def current_methods(results: MetaResults, lang: str) -> list[Markdown | HTML]:
    """The review's random-effects model beside the current Cochrane default, and how studies
    without an estimable risk ratio are treated."""
    return [
        html_table(
            tables.current_table(results, lang),
            t("meta.table.current", lang),
            note=" ".join(
                [t("meta.current.note", lang)]
                + ([t("meta.current.reproduces", lang)] if results.compared else [])
            ),
            group=t("meta.col.analysis", lang),
        ),
        Markdown(narrative.zero_cells_text(results, lang)),
    ]


def sensitivity(
    results: MetaResults, lang: str, figure_folder: FigureFolder
) -> list[Markdown | HTML]:
    """Leave-one-out per analysis with three or more studies, Egger's test and a funnel plot
    per analysis with ten or more, and why the others have none."""
    shown: list[Markdown | HTML] = []
    for analysis_id, methods in results.current.items():
        if not methods.leave_one_out:
            continue
        label = narrative.analysis_label(results.data.analyses, analysis_id, lang)
        shown.append(
            html_table(
                tables.leave_one_out_table(results, analysis_id, lang),
                t("meta.table.loo", lang, analysis=label),
                note=t("meta.loo.note", lang),
            )
        )
    shown += _markdown(narrative.leave_one_out_missing(results, lang))
    shown += [Markdown(text) for text in narrative.small_study_texts(results, lang)]
    for analysis_id, methods in results.current.items():
        if methods.funnel is None:
            continue
        label = narrative.analysis_label(results.data.analyses, analysis_id, lang)
        measure = results.analyses[analysis_id].measure
        shown.append(
            show_figure(
                partial(figures.funnel_plot, methods.funnel, measure, lang),
                f"meta-funnel-{analysis_id}-{lang}",
                t("meta.fig.funnel.caption", lang, analysis=label),
                t(
                    "meta.fig.funnel.alt" if measure == "RR" else "meta.fig.funnel.alt_difference",
                    lang,
                    studies=tn("meta.count.study", len(methods.funnel.yi), lang),
                    measure=t(f"meta.measure.{measure}", lang),
                ),
                figure_folder,
                source=figure_source(results.study, lang),
            )
        )
    return shown


def subgroups(
    results: MetaResults, lang: str, figure_folder: FigureFolder
) -> list[Markdown | HTML]:
    """Per analysis that declares subgroups: each subgroup's pooled estimate with the test
    for subgroup differences under it, and the subgroup forest plot; else why there is none."""
    shown: list[Markdown | HTML] = []
    for analysis_id, methods in results.current.items():
        if methods.subgroups is None:
            continue
        result = results.analyses[analysis_id]
        label = narrative.analysis_label(results.data.analyses, analysis_id, lang)
        shown += [
            html_table(
                tables.subgroup_table(results, analysis_id, lang),
                t("meta.table.subgroups", lang, analysis=label),
                note=" ".join(
                    [
                        narrative.subgroup_test_text(methods.subgroups, lang),
                        t("meta.subgroups.note", lang),
                    ]
                ),
            ),
            show_figure(
                partial(figures.subgroup_forest_plot, result, methods.subgroups, lang),
                f"meta-subgroups-{analysis_id}-{lang}",
                t("meta.fig.subgroups.caption", lang, analysis=label),
                t(
                    "meta.fig.subgroups.alt",
                    lang,
                    subgroups=tn("meta.count.subgroup", len(methods.subgroups.subgroups), lang),
                    test=narrative.subgroup_test_text(methods.subgroups, lang),
                ),
                figure_folder,
                source=figure_source(results.study, lang),
            ),
        ]
    return [*shown, *_markdown(narrative.subgroups_missing(results, lang))]
