"""One function per code cell of ``book/cohort.md``: what the cell displays (and glues)."""

from __future__ import annotations

from functools import partial

from IPython.display import HTML, Markdown

from analysis.chapters.cohort import figures, narrative, tables
from analysis.chapters.cohort.chapter import CohortResults
from analysis.chapters.cohort.data import OUTCOMES
from analysis.chapters.cohort.survival import KMComparison
from analysis.core.display import (
    FigureFolder,
    figure_source,
    glue_md,
    glue_text,
    glue_title,
    html_table,
    note,
    reproduction_frame,
    section_heading,
    show_figure,
    status_badges,
)
from analysis.core.i18n import fmt_int, t


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
    (``cohort_title``): the study's title, else a neutral one; the headings of the sections
    on the cohort, by exposure and by subgroup, and what time zero is, worded from the
    analysis plan."""
    study = results.study
    glue_title("cohort", study.text("title", lang), lang)
    names = tables.plan_names(results, lang)
    glue_text(
        "cohort_heading_exposure",
        t(tables.plan_key(results, "cohort.heading.exposure"), lang, **names),
    )
    subgroup = t(tables.plan_key(results, "cohort.heading.subgroup"), lang)
    if not results.paper_plan and len(results.subgroups) == 1:
        subgroup = tables.variable_label(
            results, next(iter(results.subgroups.values())).variable, lang
        )
    glue_text("cohort_heading_subgroup", subgroup)
    glue_text("cohort_heading_persons", t(tables.plan_key(results, "cohort.heading.persons"), lang))
    glue_md("cohort_time_zero", t(tables.plan_key(results, "cohort.text.time_zero"), lang))
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
            _caption(results, "cohort.table1.caption", lang)
            if results.paper_plan
            else _caption(
                results,
                "cohort.table1.caption_plan",
                lang,
                exposure=tables.exposure_name(results, lang),
            ),
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
    glue_text("cohort_follow_up", fmt_int(days, lang))
    glue_md("cohort_ci_intro", narrative.ci_intro(results, lang))
    glue_md("cohort_ci_end", narrative.optional(results.compared, "cohort.text.ci_end_paper", lang))
    shown = []
    for outcome in OUTCOMES:
        comparison = results.outcomes[outcome].by_coordinator
        caption = t(
            tables.plan_key(results, "cohort.km.caption"),
            lang,
            outcome=t(f"cohort.outcome.{outcome}", lang),
            **tables.plan_names(results, lang),
        )
        name = f"cohort-km-{outcome}-{lang}"
        shown += _km(results, comparison, name, caption, "cohort.km.alt", lang, figure_folder)
        shown.append(
            html_table(
                tables.median_table(comparison, results.plan, lang),
                _caption(
                    results,
                    "cohort.medians.caption",
                    lang,
                    outcome=t(f"cohort.outcome_in_text.{outcome}", lang),
                ),
                _medians_note(results, comparison, lang),
            )
        )
        glue_text(f"cohort_logrank_{outcome}", narrative.logrank_text(comparison.logrank, lang))
    return shown


def _km(
    results: CohortResults,
    comparison: KMComparison,
    name: str,
    caption: str,
    alt: str,
    lang: str,
    figure_folder: FigureFolder,
    **names: str,
) -> list[Markdown]:
    """The Kaplan–Meier figure of the groups shown (none when no group is), its caption
    saying which groups are not shown and why."""
    days, threshold, plan = results.follow_up_days, results.suppress_below, results.plan
    if not comparison.curves:
        return [Markdown(narrative.withheld(plan, comparison.by, comparison.withheld, lang))]
    return [
        show_figure(
            partial(figures.km_figure, comparison, plan, lang),
            name,
            _joined(caption, narrative.withheld(plan, comparison.by, comparison.withheld, lang)),
            t(
                alt,
                lang,
                curves=narrative.curves(comparison, lang),
                days=days,
                summary=narrative.km_alt_summary(comparison, plan, days, threshold, lang),
                **names,
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
    note_text = narrative.cox_note(results, lang)
    return [
        *(
            html_table(
                tables.cox_table(results, outcome, lang),
                _caption(
                    results,
                    tables.plan_key(results, "cohort.cox.caption"),
                    lang,
                    **tables.plan_names(results, lang),
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
        "cohort_ph_terms",
        t(
            tables.plan_key(results, "cohort.text.ph_terms"),
            lang,
            **tables.plan_names(results, lang),
        ),
    )
    glue_md(
        "cohort_ph_shapes", narrative.optional(results.generated, "cohort.text.ph_shapes", lang)
    )
    return [
        html_table(
            tables.ph_table(results, lang),
            _caption(
                results,
                tables.plan_key(results, "cohort.ph.caption"),
                lang,
                **tables.plan_names(results, lang),
            ),
            narrative.ph_not_estimable(results, lang) or None,
        ),
        show_figure(
            partial(figures.schoenfeld_figure, results, lang),
            f"cohort-schoenfeld-{lang}",
            t(
                tables.plan_key(results, "cohort.schoenfeld.caption"),
                lang,
                **tables.plan_names(results, lang),
            ),
            t("cohort.schoenfeld.alt", lang),
            figure_folder,
            source=_source(results, lang),
        ),
    ]


def programme_types(
    results: CohortResults, lang: str, figure_folder: FigureFolder
) -> list[Markdown | HTML]:
    """The subgroup analysis of the plan (the paper's: by programme type) under the page's
    heading; several, each in a section of its own headed by its variable (under the page's
    "Subgroups"); that there is none when the plan declares none."""
    if not results.subgroups:
        return [Markdown(t("cohort.text.no_subgroup", lang))]
    shown = []
    for index, (name, subgroup) in enumerate(results.subgroups.items()):
        if len(results.subgroups) > 1:
            heading = tables.variable_label(results, subgroup.variable, lang)
            shown.append(Markdown(section_heading(heading, f"subgroup-{name}", 3)))
        shown += _subgroup_analysis(results, name, index, lang, figure_folder)
    return shown


def _subgroup_analysis(
    results: CohortResults, name: str, index: int, lang: str, figure_folder: FigureFolder
) -> list[Markdown | HTML]:
    """Kaplan–Meier by programme type, the programme table, the RTW-rate figure, and whether
    the types differ and which had more coordinators (for a declared plan, the same by the
    variable of its subgroup analysis ``name``, the ``index``-th, after what the analysis
    compares); groups whose size is hidden are named as not shown."""
    days = results.follow_up_days
    subgroup = results.subgroups[name]
    comparison = subgroup.comparison
    # The figures of the first analysis keep their names (the paper's programme types).
    suffix = f"-{name}" if index else ""
    rates = {
        tables.group_label(results.plan, comparison.by, level, lang): group.rtw_rate
        for level, group in subgroup.groups.items()
        if group.rtw_rate is not None
    }
    if results.paper_plan:
        keys = {
            "km": "cohort.km_type.caption",
            "alt": "cohort.km_type.alt",
            "table": "cohort.programme.caption",
            "rates": "cohort.rates.caption",
            "rates_alt": "cohort.rates.alt",
            "left_out": "cohort.count.left_out",
        }
        names = {}
    else:
        keys = {
            "km": "cohort.km_subgroup.caption",
            "alt": "cohort.km_subgroup.alt",
            "table": "cohort.subgroup.caption",
            "rates": "cohort.rates.caption_subgroup",
            "rates_alt": "cohort.rates.alt_subgroup",
            "left_out": "cohort.count.subgroup_left_out",
        }
        names = {
            "by": tables.subgroup_name(results, subgroup, lang),
            "group": narrative.exposed_group(results, lang),
        }
    intro = [] if results.paper_plan else [Markdown(t("cohort.text.subgroup_intro", lang, **names))]
    left_out = narrative.left_out(subgroup, keys["left_out"], lang, **names)
    not_shown = narrative.withheld(results.plan, comparison.by, comparison.withheld, lang)
    shown = intro + _km(
        results,
        comparison,
        f"cohort-km-programme-type{suffix}-{lang}",
        t(keys["km"], lang, left_out=left_out, **names),
        keys["alt"],
        lang,
        figure_folder,
        **names,
    )
    shown.append(
        html_table(
            tables.programme_table(results, subgroup, lang),
            _caption(results, keys["table"], lang, **names),
            _joined(_medians_note(results, comparison, lang), not_shown),
        )
    )
    if rates:
        shown.append(
            show_figure(
                partial(figures.rtw_rate_figure, rates, days, lang),
                f"cohort-rtw-rates{suffix}-{lang}",
                t(
                    keys["rates"],
                    lang,
                    **names,
                    days=days,
                    paper_figure=narrative.optional(
                        results.compared, "cohort.text.paper_figure", lang
                    ),
                ),
                t(
                    keys["rates_alt"],
                    lang,
                    summary=narrative.rates_alt_summary(rates, lang),
                    **names,
                ),
                figure_folder,
                source=_source(results, lang),
            )
        )
    return [*shown, Markdown(narrative.programme_types(results, name, lang))]


def declared_analyses(
    results: CohortResults, lang: str, figure_folder: FigureFolder
) -> list[Markdown | HTML]:
    """A section per competing outcome the study description declares (what it is, the
    cumulative incidence figure with its risk table, the incidence table and the
    cause-specific tests), then one on the restricted mean times; nothing when none is
    declared."""
    shown = []
    source = _source(results, lang)
    for name, result in results.declared.competing.items():
        outcome = tables.outcome_name(results, name, lang)
        shown.append(
            Markdown(
                section_heading(
                    t("cohort.competing.title", lang, outcome=outcome), f"competing-{name}", 2
                )
                + "\n"
                + narrative.competing_intro(results, name, lang)
            )
        )
        if result.incidence:
            shown.append(
                show_figure(
                    partial(figures.incidence_figure, results, name, lang),
                    f"cohort-cif-{name}-{lang}",
                    t("cohort.competing.caption", lang, outcome=outcome),
                    t("cohort.competing.alt", lang, outcome=outcome),
                    figure_folder,
                    source=source,
                )
            )
            shown.append(
                html_table(
                    tables.incidence_table(results, name, lang),
                    _caption(results, "cohort.competing.table_caption", lang, outcome=outcome),
                    t("cohort.competing.table_note", lang),
                )
            )
        shown.append(
            html_table(
                tables.cause_specific_table(results, name, lang),
                _caption(results, "cohort.competing.tests_caption", lang, outcome=outcome),
                t("cohort.competing.tests_note", lang),
            )
        )
        shown.append(Markdown(narrative.competing_results(results, name, lang)))
    if results.declared.restricted_means:
        shown.append(
            Markdown(
                section_heading(t("cohort.rmst.title", lang), "rmst", 2)
                + "\n"
                + narrative.rmst_text(results, lang)
            )
        )
        shown.append(
            html_table(
                tables.rmst_table(results, lang),
                _caption(results, "cohort.rmst.caption", lang),
                t("cohort.rmst.note", lang),
            )
        )
        if any(result.means for result in results.declared.restricted_means.values()):
            shown.append(
                show_figure(
                    partial(figures.rmst_figure, results, lang),
                    f"cohort-rmst-{lang}",
                    t("cohort.rmst.figure_caption", lang),
                    t("cohort.rmst.alt", lang),
                    figure_folder,
                    source=source,
                )
            )
    return shown


def reproduction_section(results: CohortResults, lang: str) -> list[HTML | Markdown]:
    """Why some published numbers differ, and the reproduction rows (those that hold by
    construction in a closed block); nothing when nothing is compared (the page then has no
    such section)."""
    if not results.compared:
        return []
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
