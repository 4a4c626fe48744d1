"""One function per code cell of ``book/cohort.md``: what the cell displays (and glues)."""

from __future__ import annotations

from functools import partial

from IPython.display import HTML, Markdown
from myst_nb import glue

from analysis.chapters.cohort import figures, narrative, tables
from analysis.chapters.cohort.chapter import CohortResults
from analysis.chapters.cohort.data import OUTCOMES
from analysis.chapters.cohort.survival import KMComparison
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
from analysis.core.i18n import fmt_int, t


def _glue(name: str, text: str) -> None:
    """Glue a formatted text for ``{glue:text}`` (a plain ``str``, whose quoted repr myst-nb
    reads back as the text, never as a number or a tuple)."""
    glue(name, str(text), display=False)


def _caption(results: CohortResults, key: str, lang: str, **values: object) -> str:
    """A table's caption, marked as synthetic data when the study description says so
    (a figure's caption says it in its source sentence, ``figure_source``)."""
    caption = t(key, lang, **values)
    if results.study.synthetic:
        caption = f"{caption} {t('cohort.caption.synthetic', lang)}"
    return caption


def _source(results: CohortResults, lang: str) -> str:
    """The data and provenance sentence of every figure's caption (it says when the data are
    synthetic)."""
    return figure_source(results.study, lang)


def _joined(*texts: str) -> str:
    return " ".join(text for text in texts if text)


def opening(results: CohortResults, lang: str) -> list[Markdown]:
    """What the data are; the provenance warning, and how the generator made the data when the
    study description says they are its synthetic data. Glues the page title
    (``cohort_title``): the study's title, else a neutral one."""
    study = results.study
    glue_title("cohort", study.text("title", lang), lang)
    shown = [Markdown(narrative.opening(results, lang))]
    how = study.text("provenance_note", lang)
    if study.synthetic:
        shown.append(note(t("common.synthetic_banner", lang, how=how or ""), "warning"))
    elif not study.observed and how:
        shown.append(note(how))
    if results.generated:
        shown.append(Markdown(narrative.generator(results, lang)))
    if results.derivation is not None:
        shown.append(Markdown(narrative.register(results, lang)))
    return shown


def employees(results: CohortResults, lang: str) -> list[Markdown | HTML]:
    """The cohort size; Table 1."""
    table_note = (
        t("cohort.table1.note", lang, threshold=results.suppress_below)
        if results.suppress_below
        else t("cohort.table1.note_off", lang)
    )
    return [
        Markdown(narrative.employees(results, lang)),
        html_table(
            tables.table1(results, lang),
            _caption(results, "cohort.table1.caption", lang),
            table_note,
            group="variable",
        ),
    ]


def time_to_rtw(
    results: CohortResults, lang: str, figure_folder: FigureFolder
) -> list[Markdown | HTML]:
    """Per outcome the Kaplan–Meier figure and the median table by coordinator; glue the
    follow-up, the log-rank sentences and the paper's part of the next section."""
    days = results.follow_up_days
    _glue("cohort_follow_up", fmt_int(days, lang))
    glue_md("cohort_ci_intro", narrative.ci_intro(results, lang))
    glue_md("cohort_ci_end", narrative.optional(results.compared, "cohort.text.ci_end_paper", lang))
    shown = []
    for outcome in OUTCOMES:
        comparison = results.outcomes[outcome].by_coordinator
        caption = t("cohort.km.caption", lang, outcome=t(f"cohort.outcome.{outcome}", lang))
        name = f"cohort-km-{outcome}-{lang}"
        shown += _km(results, comparison, name, caption, "cohort.km.alt", lang, figure_folder)
        shown.append(
            html_table(
                tables.median_table(comparison, lang),
                _caption(
                    results,
                    "cohort.medians.caption",
                    lang,
                    outcome=t(f"cohort.outcome_in_text.{outcome}", lang),
                ),
                _medians_note(results, comparison, lang),
            )
        )
        _glue(f"cohort_logrank_{outcome}", narrative.logrank_text(comparison.logrank, lang))
    return shown


def _km(
    results: CohortResults,
    comparison: KMComparison,
    name: str,
    caption: str,
    alt: str,
    lang: str,
    figure_folder: FigureFolder,
) -> list[Markdown]:
    """The Kaplan–Meier figure of the groups shown (none when no group is), its caption
    saying which groups are not shown and why."""
    days, threshold = results.follow_up_days, results.suppress_below
    if not comparison.curves:
        return [Markdown(narrative.withheld(comparison.by, comparison.withheld, lang))]
    return [
        show_figure(
            partial(figures.km_figure, comparison, lang),
            name,
            _joined(caption, narrative.withheld(comparison.by, comparison.withheld, lang)),
            t(
                alt,
                lang,
                curves=narrative.curves(comparison, lang),
                days=days,
                summary=narrative.km_alt_summary(comparison, days, threshold, lang),
            ),
            figure_folder,
            source=_source(results, lang),
        )
    ]


def _medians_note(results: CohortResults, comparison: KMComparison, lang: str) -> str:
    """How the medians of ``comparison`` and their intervals are read, and what the mark of a
    median read off the coarsened curve means where one is."""
    coarsened = any(
        curve.median.coarsened and curve.median.estimate is not None for curve in comparison.curves
    )
    return _joined(
        t(
            "cohort.medians.note",
            lang,
            as_in_paper=narrative.optional(results.compared, "cohort.text.as_in_paper", lang),
        ),
        t("cohort.medians.coarsened_note", lang, threshold=results.suppress_below)
        if coarsened
        else "",
    )


def cox(results: CohortResults, lang: str) -> list[HTML | Markdown]:
    """The Cox tables per outcome, then how the hazard ratio moves across the blocks and what
    the ties and clustering columns show; glue the blocks sentence of the section's start."""
    glue_md("cohort_blocks", narrative.blocks(results, lang))
    note_text = t("cohort.cox.note", lang, confounders=narrative.confounders(results, lang))
    return [
        *(
            html_table(
                tables.cox_table(results, outcome, lang),
                _caption(
                    results,
                    "cohort.cox.caption",
                    lang,
                    outcome=t(f"cohort.outcome.{outcome}", lang),
                ),
                _joined(note_text, narrative.cox_not_estimable(results, outcome, lang)),
            )
            for outcome in OUTCOMES
        ),
        Markdown(narrative.hazard_ratio_shift(results, lang)),
        Markdown(narrative.ties(results, lang)),
    ]


def proportional_hazards(
    results: CohortResults, lang: str, figure_folder: FigureFolder
) -> list[Markdown | HTML]:
    """The proportional-hazards tests and the Schoenfeld residual figure; glue the paper's and
    the synthetic file's parts of the next paragraph."""
    glue_md("cohort_ph_paper", narrative.optional(results.compared, "cohort.text.ph_paper", lang))
    glue_md(
        "cohort_ph_shapes", narrative.optional(results.generated, "cohort.text.ph_shapes", lang)
    )
    return [
        html_table(
            tables.ph_table(results, lang),
            _caption(results, "cohort.ph.caption", lang),
            narrative.ph_not_estimable(results, lang) or None,
        ),
        show_figure(
            partial(figures.schoenfeld_figure, results, lang),
            f"cohort-schoenfeld-{lang}",
            t("cohort.schoenfeld.caption", lang),
            t("cohort.schoenfeld.alt", lang),
            figure_folder,
            source=_source(results, lang),
        ),
    ]


def programme_types(
    results: CohortResults, lang: str, figure_folder: FigureFolder
) -> list[Markdown | HTML]:
    """Kaplan–Meier by programme type, the programme table, the RTW-rate figure, and whether
    the types differ and which had more coordinators; groups whose size is hidden are named
    as not shown."""
    days = results.follow_up_days
    comparison = results.by_programme_type
    rates = {
        level: group.rtw_rate
        for level, group in results.programme_types.items()
        if group.rtw_rate is not None
    }
    left_out = narrative.left_out(results, "cohort.count.left_out", lang)
    not_shown = narrative.withheld(comparison.by, comparison.withheld, lang)
    shown = _km(
        results,
        comparison,
        f"cohort-km-programme-type-{lang}",
        t("cohort.km_type.caption", lang, left_out=left_out),
        "cohort.km_type.alt",
        lang,
        figure_folder,
    )
    shown.append(
        html_table(
            tables.programme_table(results, lang),
            _caption(results, "cohort.programme.caption", lang),
            _joined(_medians_note(results, comparison, lang), not_shown),
        )
    )
    if rates:
        shown.append(
            show_figure(
                partial(figures.rtw_rate_figure, rates, days, lang),
                f"cohort-rtw-rates-{lang}",
                t(
                    "cohort.rates.caption",
                    lang,
                    days=days,
                    paper_figure=narrative.optional(
                        results.compared, "cohort.text.paper_figure", lang
                    ),
                ),
                t("cohort.rates.alt", lang, summary=narrative.rates_alt_summary(rates, lang)),
                figure_folder,
                source=_source(results, lang),
            )
        )
    return [*shown, Markdown(narrative.programme_types(results, lang))]


def reproduction_section(results: CohortResults, lang: str) -> list[HTML | Markdown]:
    """Why some published numbers differ, and the reproduction rows (those that hold by
    construction in a closed block); or a sentence that there is nothing to compare with."""
    if not results.compared:
        return [Markdown(t("common.not_compared", lang))]
    rows = results.reproduction
    constructed = [row for row in rows if row["status"] == "exact_by_construction"]
    others = [row for row in rows if row["status"] != "exact_by_construction"]
    synthetic = results.study.synthetic
    caption = t("cohort.repro.caption_synthetic" if synthetic else "cohort.repro.caption", lang)
    shown = [
        Markdown(narrative.errata(results, lang)),
        html_table(reproduction_frame(others, lang, "cohort"), caption, badges=status_badges(lang)),
    ]
    if constructed:
        shown.append(
            html_table(
                reproduction_frame(constructed, lang, "cohort"),
                caption,
                collapsed=t("cohort.repro.constructed", lang, n=len(constructed)),
                badges=status_badges(lang),
            )
        )
    return shown
