"""One function per code cell of ``book/cohort.md``: what the cell displays (and glues)."""

from __future__ import annotations

from IPython.display import HTML, Markdown
from myst_nb import glue

from analysis.chapters.cohort import figures, narrative, tables
from analysis.chapters.cohort.chapter import CohortResults
from analysis.chapters.cohort.cox import COX_MODELS
from analysis.chapters.cohort.data import OUTCOMES
from analysis.core.display import html_table, note, show_figure
from analysis.core.i18n import Text, fmt_estimate, fmt_int, t
from analysis.core.reproduction import table as reproduction_table


def _glue(name: str, text: str) -> None:
    glue(name, Text(text), display=False)


def banner(lang: str) -> Markdown:
    """The synthetic-data warning at the top of the page."""
    return note(t("common.synthetic_banner", lang, how=t("cohort.synthetic_how", lang)), "warning")


def employees(results: CohortResults, lang: str) -> HTML:
    """Glue the cohort size; Table 1."""
    _glue("cohort_n", fmt_int(results.n, lang))
    _glue("cohort_n_coordinator", fmt_int(results.n_coordinator, lang))
    _glue("cohort_n_programmes", fmt_int(results.n_programmes, lang))
    table_note = (
        t("cohort.table1.note", lang, threshold=results.suppress_below)
        if results.suppress_below
        else t("cohort.table1.note_off", lang)
    )
    return html_table(tables.table1(results, lang), t("cohort.table1.caption", lang), table_note)


def time_to_rtw(results: CohortResults, lang: str) -> list[Markdown | HTML]:
    """Per outcome the Kaplan–Meier figure and the median table by coordinator; glue the
    follow-up and the log-rank sentences."""
    days = results.follow_up_days
    _glue("cohort_follow_up", fmt_int(days, lang))
    shown = []
    for outcome in OUTCOMES:
        comparison = results.outcomes[outcome].by_coordinator
        shown.append(
            show_figure(
                figures.km_figure(comparison, lang, results.suppress_below),
                f"cohort-km-{outcome}-{lang}",
                t("cohort.km.caption", lang, outcome=t(f"cohort.outcome.{outcome}", lang)),
                t(
                    "cohort.km.alt",
                    lang,
                    days=days,
                    summary=narrative.km_alt_summary(comparison, days, lang),
                ),
            )
        )
        shown.append(
            html_table(
                tables.median_table(comparison, lang),
                t(
                    "cohort.medians.caption",
                    lang,
                    outcome=t(f"cohort.outcome_in_text.{outcome}", lang),
                ),
                t("cohort.medians.note", lang),
            )
        )
        _glue(f"cohort_logrank_{outcome}", narrative.logrank_text(comparison.logrank, lang))
    return shown


def cox(results: CohortResults, lang: str) -> list[HTML]:
    """The Cox tables per outcome; glue the first-RTW hazard ratios of the three blocks."""
    for model in COX_MODELS:
        fit = results.outcomes["first_rtw"].cox[model].efron
        _glue(f"cohort_hr_{model}", fmt_estimate(fit.hr, fit.ci_low, fit.ci_high, lang))
    return [
        html_table(
            tables.cox_table(results, outcome, lang),
            t("cohort.cox.caption", lang, outcome=t(f"cohort.outcome.{outcome}", lang)),
            t("cohort.cox.note", lang),
        )
        for outcome in OUTCOMES
    ]


def proportional_hazards(results: CohortResults, lang: str) -> list[Markdown | HTML]:
    """The proportional-hazards tests and the Schoenfeld residual figure."""
    return [
        html_table(tables.ph_table(results, lang), t("cohort.ph.caption", lang)),
        show_figure(
            figures.schoenfeld_figure(results, lang),
            f"cohort-schoenfeld-{lang}",
            t("cohort.schoenfeld.caption", lang),
            t("cohort.schoenfeld.alt", lang),
        ),
    ]


def programme_types(results: CohortResults, lang: str) -> list[Markdown | HTML]:
    """Kaplan–Meier by programme type, the programme table and the RTW-rate figure; glue the
    log-rank test and the odds ratio."""
    days = results.follow_up_days
    comparison = results.by_programme_type
    rates = {level: group.rtw_rate for level, group in results.programme_types.items()}
    _glue("cohort_logrank_type", narrative.logrank_text(comparison.logrank, lang))
    _glue("cohort_or", narrative.odds_ratio_text(results.coordinator_odds_ratio, lang))
    return [
        show_figure(
            figures.km_figure(comparison, lang, results.suppress_below),
            f"cohort-km-programme-type-{lang}",
            t("cohort.km_type.caption", lang),
            t(
                "cohort.km_type.alt",
                lang,
                days=days,
                summary=narrative.km_alt_summary(comparison, days, lang),
            ),
        ),
        html_table(
            tables.programme_table(results, lang),
            t("cohort.programme.caption", lang),
            t("cohort.medians.note", lang),
        ),
        show_figure(
            figures.rtw_rate_figure(results, lang),
            f"cohort-rtw-rates-{lang}",
            t("cohort.rates.caption", lang, days=days),
            t("cohort.rates.alt", lang, summary=narrative.rates_alt_summary(rates, lang)),
        ),
    ]


def reproduction(results: CohortResults, lang: str) -> list[HTML]:
    """The reproduction rows; those that hold by construction in a closed block."""
    rows = results.reproduction
    constructed = [row for row in rows if row["status"] == "exact_by_construction"]
    others = [row for row in rows if row["status"] != "exact_by_construction"]
    caption = t("cohort.repro.caption", lang)
    return [
        html_table(reproduction_table(others, lang, component="cohort"), caption),
        html_table(
            reproduction_table(constructed, lang, component="cohort"),
            caption,
            collapsed=t("cohort.repro.constructed", lang, n=len(constructed)),
        ),
    ]
