"""The provider page, one function per notebook cell of ``book/provider.md``."""

from __future__ import annotations

from functools import partial

from babel.lists import format_list
from IPython.display import HTML, Markdown

from analysis.chapters.provider import figures, narrative, tables
from analysis.chapters.provider.chapter import ProviderResults
from analysis.core.display import (
    FigureFolder,
    figure_source,
    glue_md,
    glue_text,
    glue_title,
    html_table,
    note,
    reproduction_frame,
    show_figure,
    status_badges,
)
from analysis.core.i18n import babel_locale, fmt_int, fmt_pct, t, tn


def _source(results: ProviderResults, lang: str) -> str:
    """The data and provenance sentence of every figure's caption."""
    return figure_source(results.study, lang)


def opening(results: ProviderResults, lang: str) -> list[Markdown]:
    """What the data are, how they were made when they are not the survey's answers, and the
    plan's question when it states one. Glues the page title (the study's, else a neutral
    one), the headings of the sections that follow the plan and the software sentence of the
    paragraph on the tests."""
    plan = results.plan
    glue_title("provider", results.study.text("title", lang), lang)
    glue_md("provider_software", narrative.software(results, lang))
    glue_text(
        "provider_by_group",
        t("provider.heading.groups", lang, group=tables.group_name(plan, lang)),
    )
    glue_text(
        "provider_who_answers_yes",
        t(
            "provider.heading.outcome",
            lang,
            outcome=tables.capitalised(tables.outcome_name(plan, lang)),
        ),
    )
    shown = [Markdown(narrative.opening(results, lang))]
    note_text = results.study.text("provenance_note", lang)
    if not results.study.observed and note_text:
        shown.append(note(note_text))
    if plan.question:
        shown.append(Markdown(getattr(plan.question, lang)))
    return shown


def outcome_summary(results: ProviderResults, lang: str) -> Markdown:
    """How many programmes answered the outcome's question, and how many said yes."""
    return Markdown(narrative.summary(results, lang))


def frequency_tables(results: ProviderResults, lang: str) -> list[HTML]:
    """The plan's cross-tables, one table each; the caption says that a programme may give
    several answers where its rows are a multiple-choice question's or several questions'."""
    plan = results.plan
    shown = []
    for section in results.sections:
        table = plan.cross_tables[section]
        several = len(table.rows) > 1 or plan.items[table.rows[0]].kind == "multiple"
        caption = t(
            "provider.table.frequencies",
            lang,
            section=getattr(table.label, lang),
            group=tables.group_name(plan, lang),
        )
        if several:
            caption += " " + t("provider.table.several_answers", lang)
        note_text = getattr(table.note, lang) if table.note else None
        shown.append(html_table(tables.frequency_table(results, section, lang), caption, note_text))
    return shown


def grouped_figures(
    results: ProviderResults, lang: str, figure_folder: FigureFolder
) -> list[Markdown]:
    """The cross-tables the plan draws, as bars per group."""
    plan = results.plan
    named = {"group": tables.group_name(plan, lang)}
    return [
        show_figure(
            partial(figures.grouped, results, section, lang),
            f"provider-{section}-{lang}",
            t(
                f"provider.figure.{table.figure}.caption",
                lang,
                table=getattr(table.label, lang),
                **named,
            ),
            t(
                f"provider.figure.{table.figure}.alt",
                lang,
                table=getattr(table.label, lang),
                **named,
            ),
            figure_folder,
            source=_source(results, lang),
        )
        for section, table in (plan.cross_tables or {}).items()
        if table.figure
    ]


def outcome_figure(results: ProviderResults, lang: str, figure_folder: FigureFolder) -> Markdown:
    """Share answering yes to the outcome per group."""
    names = tables.group_names(results.plan, lang)
    shares = format_list(
        [
            f"{names[group]} {fmt_pct(share, lang)}"
            for group, share in results.shares["share"].items()
        ],
        locale=babel_locale(lang),
    )
    named = {
        "outcome": tables.outcome_name(results.plan, lang),
        "group": tables.group_name(results.plan, lang),
    }
    return show_figure(
        partial(figures.outcome_share, results, lang),
        f"provider-shares-{lang}",
        t("provider.figure.share.caption", lang, **named),
        t("provider.figure.share.alt", lang, shares=shares, **named),
        figure_folder,
        source=_source(results, lang),
    )


def tests_table(results: ProviderResults, lang: str) -> HTML:
    """The 2×2 tables and their tests, with notes on those that are not estimable and on
    odds ratios with the zero-cell correction."""
    plan = results.plan
    missing = [
        tables.exposure_name(plan, name, lang)
        for name, test in results.tests.items()
        if test.reason
    ]
    corrected = [
        tables.exposure_name(plan, name, lang)
        for name, test in results.tests.items()
        if test.or_correction
    ]
    notes = [
        *([t("provider.not_estimable", lang, names=", ".join(missing))] if missing else []),
        *(
            [t("provider.zero_cell", lang, mark=tables.CORRECTED_MARK, names=", ".join(corrected))]
            if corrected
            else []
        ),
    ]
    return html_table(
        tables.tests_table(results, lang),
        t("provider.table.tests", lang, outcome=tables.outcome_name(plan, lang)),
        " ".join(notes) or None,
    )


def reproduction_tables(results: ProviderResults, lang: str) -> list[HTML | Markdown]:
    """Published statistics beside the computed ones, the counts in a collapsed table; nothing
    when nothing is compared (the page then has no such section)."""
    if not results.compared:
        return []
    constructed = not results.study.observed
    intro = t("provider.repro.intro_constructed" if constructed else "provider.repro.intro", lang)
    return [
        Markdown(intro),
        html_table(
            reproduction_frame(results.statistic_rows, lang, "provider"),
            t("provider.table.repro_stats", lang),
            badges=status_badges(lang),
        ),
        html_table(
            reproduction_frame(results.count_rows, lang, "provider"),
            t("provider.table.repro_counts", lang),
            collapsed=t("provider.table.repro_counts_open", lang, n=len(results.count_rows)),
            badges=status_badges(lang),
        ),
    ]


def regression(
    results: ProviderResults, lang: str, figure_folder: FigureFolder
) -> list[HTML | Markdown]:
    """The logistic regression the study description declares: the odds ratios adjusted for
    the other items in a table and a figure, or why the model is not estimable (nothing
    without a declaration)."""
    model, plan = results.regression, results.plan
    if model is None:
        return []
    named = {
        "outcome": tables.item_name(plan, model.outcome, lang),
        "items": format_list(
            [tables.item_name(plan, item, lang) for item in model.items], locale=babel_locale(lang)
        ),
    }
    separated = format_list(
        [tables.item_name(plan, item, lang) for item in model.separated], locale=babel_locale(lang)
    )
    if model.reason and not model.partial:
        reason = t(
            f"provider.regression.reason.{model.reason}",
            lang,
            names=separated,
            threshold=fmt_int(model.threshold, lang),
            df=fmt_int(model.n - model.parameters, lang),
        )
        return [Markdown(t("provider.regression.not_estimable", lang, reason=reason, **named))]
    programmes = tn("provider.count.programmes", model.n, lang)
    intro = t("provider.regression.intro", lang, n=programmes, **named)
    if model.excluded:
        excluded = tn("provider.count.programmes", model.excluded, lang)
        intro += " " + t("provider.regression.excluded", lang, excluded=excluded)
    if model.partial:
        terms = [tables.term_name(plan, term, lang) for term in model.not_estimable]
        intro += " " + t(
            "provider.regression.partial",
            lang,
            names=separated,
            terms=format_list(terms, locale=babel_locale(lang)),
            kept=tn("provider.count.programmes", model.n - model.predicted, lang),
            predicted=fmt_int(model.predicted, lang),
        )
    caption = t(
        "provider.table.regression",
        lang,
        outcome=named["outcome"],
        n=programmes,
        events=fmt_int(model.events, lang),
    )
    return [
        Markdown(intro),
        html_table(tables.regression_table(plan, model, lang), caption),
        _regression_figure(results, lang, figure_folder),
    ]


def _regression_figure(
    results: ProviderResults, lang: str, figure_folder: FigureFolder
) -> Markdown:
    """The fitted model's adjusted odds ratios with their 95 % CIs on a log axis."""
    model, plan = results.regression, results.plan
    outcome = tables.item_name(plan, model.outcome, lang)
    terms = "; ".join(
        f"{tables.term_name(plan, term, lang)}: {tables.odds_ratio_text(coefficient, lang)}"
        for term, coefficient in model.rows
    )
    return show_figure(
        partial(figures.odds_ratios, results, lang),
        f"provider-regression-{lang}",
        t("provider.figure.regression.caption", lang, outcome=outcome),
        t("provider.figure.regression.alt", lang, outcome=outcome, terms=terms),
        figure_folder,
        source=_source(results, lang),
    )
