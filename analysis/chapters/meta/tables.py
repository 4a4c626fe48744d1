"""Display tables of the meta-analysis chapter, per language, from the results only."""

from __future__ import annotations

import math

import pandas as pd

from analysis.chapters.meta.chapter import MetaResults
from analysis.chapters.meta.data import DOMAINS, ROB_LEVELS
from analysis.chapters.meta.narrative import (
    analysis_label,
    effect_header,
    estimate_text,
    interval_text,
    labelled_text,
    only_risk_ratios,
    pooled_text,
    study_noun,
)
from analysis.chapters.meta.stats import FEWER_THAN_THREE, AnalysisResult, Pooled, is_random
from analysis.core.display import percent_style
from analysis.core.i18n import (
    EN_DASH,
    decimals_of,
    fmt_ci,
    fmt_int,
    fmt_num,
    fmt_p,
    fmt_pct,
    t,
    tn,
    with_percent,
)

CERTAINTY_SYMBOLS = {"high": "⨁⨁⨁⨁", "moderate": "⨁⨁⨁◯", "low": "⨁⨁◯◯", "very_low": "⨁◯◯◯"}


def _months(value: float, lang: str) -> str:
    return fmt_num(value, lang, decimals_of(value)) if pd.notna(value) else EN_DASH


def _footnotes(analyses: pd.DataFrame, lang: str) -> tuple[dict[tuple[str, str], str], list[str]]:
    """Letters for every GRADE footnote, in table order, and the list of footnote texts."""
    marks: dict[tuple[str, str], str] = {}
    texts: list[str] = []
    for _, row in analyses.iterrows():
        for domain in DOMAINS:
            note = row[f"{domain}_note_{lang}"]
            if pd.notna(note) and str(note).strip():
                letter = "abcdefghijklmnopqrstuvwxyz"[len(texts) % 26]
                marks[(str(row["analysis_id"]), domain)] = letter
                texts.append(f"{letter}) {percent_style(str(note), lang)}")
    return marks, texts


def _difference_text(value: float, lang: str) -> str:
    if not math.isfinite(value):
        return EN_DASH
    rounded = round(value)
    if rounded == 0:
        return t("meta.sof.no_difference", lang)
    key = "meta.sof.more" if rounded > 0 else "meta.sof.fewer"
    return t(key, lang, n=fmt_int(abs(rounded), lang))


def _per(results: MetaResults, lang: str) -> tuple[str, bool]:
    """The "per …" of the summary-of-findings headers, and whether the scale differs between
    rows (then every cell names its own)."""
    pers = {r.absolute.per for r in results.analyses.values() if r.absolute is not None}
    if len(pers) > 1:
        return t("meta.sof.per_mixed", lang), True
    return fmt_int(pers.pop() if pers else 100, lang), False


def _signed(value: float, lang: str) -> str:
    """``2.10 higher`` or ``0.50 lower`` (Cochrane's wording of a mean difference)."""
    key = "meta.sof.higher" if value >= 0 else "meta.sof.lower"
    return t(key, lang, n=fmt_num(abs(value), lang, 2))


def _continuous_cells(result: AnalysisResult, lang: str) -> list[str]:
    """The control, intervention, difference and relative cells of an MD or SMD row, as
    Cochrane's template shows them: the mean with control (MD only; the participants'
    mean of the control means) and the difference in the measure's units; no relative
    effect."""
    pooled = result.pooled
    control = (
        t("meta.sof.control_mean", lang, mean=fmt_num(result.observed_control_mean, lang, 2))
        if result.measure == "MD"
        else EN_DASH
    )
    if not pooled.estimable:
        return [control, EN_DASH, t("meta.not_estimable", lang), EN_DASH]
    difference = t(
        "meta.sof.continuous_difference",
        lang,
        measure=t(f"meta.measure_abbr.{result.measure}", lang),
        est=_signed(pooled.estimate, lang),
        low=_signed(pooled.ci_low, lang),
        high=_signed(pooled.ci_high, lang),
    )
    return [control, EN_DASH, difference, EN_DASH]


def _binary_cells(result: AnalysisResult, lang: str, mixed: bool) -> list[str]:
    """The control risk, risk with intervention, risk difference and relative effect of a
    risk-ratio row (each cell naming its "per" when the rows' scales differ)."""
    absolute = result.absolute
    risk = [fmt_num(value, lang, 0) for value in absolute.risk]
    difference = [_difference_text(value, lang) for value in absolute.difference]
    cells = [
        fmt_num(absolute.control, lang, 0),
        t("meta.sof.range", lang, est=risk[0], low=risk[1], high=risk[2]),
        t("meta.sof.range", lang, est=difference[0], low=difference[1], high=difference[2]),
    ]
    if mixed:
        own = fmt_int(absolute.per, lang)
        cells = [t("meta.sof.per_cell", lang, value=cell, per=own) for cell in cells]
    return [*cells, "RR " + pooled_text(result.pooled, lang)]


def sof_table(results: MetaResults, lang: str) -> pd.DataFrame:
    """GRADE summary of findings: one row per analysis with pooled results, absolute effects
    per 100 (per 1,000 where the control risk is below 10 %) for risk ratios, the mean
    difference or SMD for continuous outcomes."""
    analyses = results.data.analyses
    marks, _ = _footnotes(analyses, lang)
    per, mixed = _per(results, lang)
    # Risks per 100 (or 1,000) with any risk-ratio row, else means and differences.
    scale = "risk" if any(r.absolute is not None for r in results.analyses.values()) else "means"
    noun = study_noun(results.study).removeprefix("meta.count.")
    records = []
    for _, row in analyses.iterrows():
        analysis_id = str(row["analysis_id"])
        if analysis_id not in results.analyses:
            continue
        result = results.analyses[analysis_id]
        letters = ",".join(marks[(analysis_id, d)] for d in DOMAINS if (analysis_id, d) in marks)
        certainty = (
            f"{CERTAINTY_SYMBOLS[row['certainty']]} {t('meta.certainty.' + row['certainty'], lang)}"
        )
        cells = (
            _binary_cells(result, lang, mixed)
            if result.absolute is not None
            else _continuous_cells(result, lang)
        )
        outcome = row[f"outcome_{lang}"]
        if pd.notna(row["follow_up_months"]):
            outcome = t(
                "meta.sof.outcome_value",
                lang,
                outcome=outcome,
                months=tn("meta.count.months", row["follow_up_months"], lang),
            )
        k = result.k
        records.append(
            {
                t("meta.sof.outcome", lang): outcome,
                t("meta.sof.comparison", lang): row[f"comparison_{lang}"],
                t(f"meta.sof.control_{scale}", lang, per=per): cells[0],
                t(f"meta.sof.intervention_{scale}", lang, per=per): cells[1],
                t(f"meta.sof.difference_{scale}", lang, per=per): cells[2],
                t("meta.sof.relative", lang): cells[3],
                t("meta.sof.participants", lang): t(
                    f"meta.sof.participants_value.{noun}.{'one' if k == 1 else 'other'}",
                    lang,
                    participants=fmt_int(result.n_participants, lang),
                    n=fmt_int(k, lang),
                ),
                t("meta.sof.certainty", lang): certainty + (f" ({letters})" if letters else ""),
            }
        )
    return pd.DataFrame(records)


def sof_note(results: MetaResults, lang: str) -> str:
    """Explanation and footnotes under the summary-of-findings table, and which studies had
    no events in either arm."""
    _, texts = _footnotes(results.data.analyses, lang)
    double_zero = [s for result in results.analyses.values() for s in result.not_estimable]
    if double_zero:
        texts.append(t("meta.sof.not_estimable", lang, studies=", ".join(double_zero)))
    standing = [t("meta.sof.note", lang)]
    if not only_risk_ratios(results):
        standing.append(t("meta.sof.note_continuous", lang))
    return " ".join([*standing, *texts])


def grade_profile(results: MetaResults, lang: str) -> pd.DataFrame:
    """The GRADE judgements per domain as recorded in analyses.csv (never computed)."""
    analyses = results.data.analyses
    marks, _ = _footnotes(analyses, lang)
    records = []
    for _, row in analyses.iterrows():
        analysis_id = str(row["analysis_id"])
        record = {t("meta.sof.outcome", lang): analysis_label(analyses, analysis_id, lang)}
        for domain in DOMAINS:
            mark = marks.get((analysis_id, domain))
            record[t(f"meta.domain.{domain}", lang)] = t(f"meta.judgement.{row[domain]}", lang) + (
                f" ({mark})" if mark else ""
            )
        record[t("meta.sof.certainty", lang)] = t(f"meta.certainty.{row['certainty']}", lang)
        records.append(record)
    return pd.DataFrame(records)


def models_table(results: MetaResults, lang: str) -> pd.DataFrame:
    """Every pooled model of every analysis side by side (the analysis column is shown once
    per analysis, as a group row)."""
    records = []
    for analysis_id, result in results.analyses.items():
        for model, pooled in result.models.items():
            hetero = is_random(model)
            records.append(
                {
                    t("meta.col.analysis", lang): analysis_label(
                        results.data.analyses, analysis_id, lang
                    ),
                    t("meta.col.model", lang): t(f"meta.method.{model}", lang),
                    effect_header(results, lang): labelled_text(
                        results, result.measure, pooled_text(pooled, lang), lang
                    ),
                    t("meta.col.p", lang): fmt_p(pooled.p, lang, with_symbol=False),
                    t("meta.col.tau2", lang): fmt_num(pooled.tau2, lang, 3) if hetero else "",
                    t("meta.col.q", lang): t(
                        "meta.q_value",
                        lang,
                        q=fmt_num(pooled.q, lang, 2),
                        df=fmt_int(pooled.q_df, lang),
                        p=fmt_p(pooled.q_p, lang, with_symbol=False),
                    )
                    if hetero and math.isfinite(pooled.q)
                    else "",
                    t("meta.col.i2", lang): fmt_num(100 * pooled.i2, lang, 0)
                    if hetero and math.isfinite(pooled.i2)
                    else "",
                    t("meta.col.pi", lang): interval_text(pooled.pi_low, pooled.pi_high, lang)
                    if hetero and math.isfinite(pooled.pi_low)
                    else "",
                }
            )
    return pd.DataFrame(records)


def models_note(results: MetaResults, lang: str) -> str:
    """The conventions of the models table and, per analysis, what is not estimable and why
    (the prediction interval's need of three studies is part of the standing note)."""
    texts = [t("meta.table.models_note", lang), t("meta.table.models_note_mh", lang)]
    if not only_risk_ratios(results):
        texts.append(t("meta.table.models_note_continuous", lang))
    for analysis_id, result in results.analyses.items():
        missing: dict[str, list[str]] = {}
        for model, pooled in result.models.items():
            if pooled.reason:
                missing.setdefault(pooled.reason, []).append(t(f"meta.method.{model}", lang))
            elif is_random(model) and pooled.heterogeneity_reason:
                missing.setdefault(pooled.heterogeneity_reason, []).append(
                    f"{t(f'meta.method.{model}', lang)} ({t('meta.na.heterogeneity', lang)})"
                )
        label = analysis_label(results.data.analyses, analysis_id, lang)
        texts += [
            t(
                "meta.table.models_not_estimable",
                lang,
                analysis=label,
                models="; ".join(models),
                reason=t(f"meta.na.{reason}", lang),
            )
            for reason, models in missing.items()
            if reason != FEWER_THAN_THREE
        ]
    return " ".join(texts)


def forest_table(result: AnalysisResult, lang: str) -> pd.DataFrame:
    """The numbers of a forest plot: events and totals of both arms, weight and risk ratio
    per study, then the total row (participants, 100 %, pooled risk ratio) and the total
    events. An MD or SMD analysis shows mean, SD and size of both arms instead
    (``_continuous_forest_table``)."""
    if not result.ratio:
        return _continuous_forest_table(result, lang)
    method = t(f"meta.forest.method.{result.headline}", lang)
    columns = {
        "study": t("meta.forest.study", lang),
        "events_intervention": t("meta.forest.col.events_intervention", lang),
        "n_intervention": t("meta.forest.col.total_intervention", lang),
        "events_control": t("meta.forest.col.events_control", lang),
        "n_control": t("meta.forest.col.total_control", lang),
        "weight": t("meta.forest.weight", lang),
        "rr": t("meta.forest.col.rr", lang, method=method),
    }
    counts = ("events_intervention", "n_intervention", "events_control", "n_control")
    effects = result.effects
    records = []
    for _, study in effects.iterrows():
        record = {"study": str(study["study"])}
        if study["has_counts"]:
            record |= {column: fmt_int(int(study[column]), lang) for column in counts}
        if study["estimable"]:
            record["weight"] = with_percent(fmt_num(float(study["weight"]), lang, 1), lang)
        record["rr"] = estimate_text(
            study["effect"], study["effect_low"], study["effect_high"], lang
        )
        records.append(record)
    with_counts = effects[effects["has_counts"].astype(bool)]
    sums = {column: fmt_int(int(with_counts[column].sum()), lang) for column in counts}
    total = {"study": t("meta.forest.total_ci", lang), "rr": pooled_text(result.pooled, lang)}
    if not with_counts.empty:
        total |= {"n_intervention": sums["n_intervention"], "n_control": sums["n_control"]}
    if result.pooled.estimable:
        total["weight"] = with_percent("100", lang)
    records.append(total)
    if not with_counts.empty:
        records.append(
            {
                "study": t("meta.forest.total_events", lang),
                "events_intervention": sums["events_intervention"],
                "events_control": sums["events_control"],
            }
        )
    return pd.DataFrame(records, columns=list(columns)).rename(columns=columns)


def _continuous_forest_table(result: AnalysisResult, lang: str) -> pd.DataFrame:
    """The numbers of an MD or SMD forest plot: mean, SD and size of both arms, weight and
    estimate per study, then the total row (participants, 100 %, pooled estimate)."""
    method = t(f"meta.forest.method.{result.headline}", lang)
    arms = {
        f"{part}_{arm}": t(f"meta.forest.col.{part}_{arm}", lang)
        for arm in ("intervention", "control")
        for part in ("mean", "sd", "n")
    }
    columns = {
        "study": t("meta.forest.study", lang),
        **arms,
        "weight": t("meta.forest.weight", lang),
        "estimate": t(
            "meta.forest.col.difference",
            lang,
            measure=t(f"meta.measure_title.{result.measure}", lang),
            method=method,
        ),
    }
    effects = result.effects
    records = []
    for _, study in effects.iterrows():
        record = {
            column: fmt_int(int(study[column]), lang)
            if column.startswith("n_")
            else fmt_num(float(study[column]), lang, 2)
            for column in arms
        }
        records.append(
            {
                "study": str(study["study"]),
                **record,
                "weight": with_percent(fmt_num(float(study["weight"]), lang, 1), lang),
                "estimate": estimate_text(
                    study["effect"], study["effect_low"], study["effect_high"], lang
                ),
            }
        )
    total = {
        "study": t("meta.forest.total_ci", lang),
        **{arm: fmt_int(int(effects[arm].sum()), lang) for arm in ("n_intervention", "n_control")},
        "weight": with_percent("100", lang),
        "estimate": pooled_text(result.pooled, lang),
    }
    records.append(total)
    return pd.DataFrame(records, columns=list(columns)).rename(columns=columns)


def characteristics_tables(results: MetaResults, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The review's Table 1, one row per included study, in two tables that fit the column:
    setting and population, then intervention, comparator and outcomes."""
    frame = results.data.characteristics
    study = {t("meta.col.study", lang): frame["study"]}
    setting = {
        t("meta.col.country", lang): [t(f"meta.country.{c}", lang) for c in frame["country"]],
        t("meta.col.n", lang): [fmt_int(int(n), lang) for n in frame["n_participants"]],
        t("meta.col.follow_up", lang): [_months(m, lang) for m in frame["follow_up_months"]],
        t("meta.col.population", lang): frame[f"population_{lang}"],
    }
    arms = {
        t("meta.col.intervention", lang): frame[f"intervention_{lang}"],
        t("meta.col.comparator", lang): frame[f"comparator_{lang}"],
        t("meta.col.outcomes", lang): frame[f"outcomes_{lang}"],
    }
    return pd.DataFrame(study | setting), pd.DataFrame(study | arms)


def narrative_table(results: MetaResults, lang: str) -> pd.DataFrame:
    """Return-to-work results the review reports only in words (not pooled)."""
    frame = results.data.narrative
    return pd.DataFrame(
        {
            t("meta.sof.comparison", lang): frame[f"comparison_{lang}"],
            t("meta.col.study", lang): frame["study"],
            t("meta.sof.outcome", lang): frame[f"outcome_{lang}"],
            t("meta.col.follow_up", lang): [_months(m, lang) for m in frame["follow_up_months"]],
            t("meta.col.n", lang): [
                fmt_int(int(n), lang) if pd.notna(n) else EN_DASH for n in frame["n_participants"]
            ],
            t("meta.col.result", lang): [
                percent_style(str(r), lang) for r in frame[f"result_{lang}"]
            ],
            t("meta.sof.certainty", lang): [
                t(f"meta.certainty.{c}", lang) if pd.notna(c) else EN_DASH
                for c in frame["certainty"]
            ],
        }
    )


def rob_table(results: MetaResults, lang: str) -> pd.DataFrame:
    """Counts of publications per domain and judgement, for readers who cannot see colour."""
    counts = results.rob_counts
    return pd.DataFrame(
        {
            t("meta.rob.domain", lang): [t(f"meta.rob.{d}", lang) for d in counts.index],
            **{
                t(f"meta.rob.level.{level}", lang): [fmt_int(int(v), lang) for v in counts[level]]
                for level in ROB_LEVELS
            },
        }
    )


def _with_ci(value: str, low: float, high: float, lang: str, decimals: int) -> str:
    """``value (low–high)``, or the value alone when the interval is not estimable."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return value
    return f"{value} ({fmt_ci(low, high, lang, decimals)})"


def _percent_ci(share: float, low: float, high: float, lang: str) -> str:
    """A share as a percentage with its interval, ``45% (0%–90%)``."""
    if not math.isfinite(share):
        return EN_DASH
    if not (math.isfinite(low) and math.isfinite(high)):
        return fmt_pct(share, lang)
    return f"{fmt_pct(share, lang)} ({fmt_pct(low, lang)}{EN_DASH}{fmt_pct(high, lang)})"


def _interval_or_dash(low: float, high: float, lang: str) -> str:
    """An interval, or a dash when the model does not report it."""
    return interval_text(low, high, lang) if math.isfinite(low) else EN_DASH


def _current_row(
    model: str, pooled: Pooled, results: MetaResults, measure: str, lang: str
) -> dict[str, str]:
    """One model's row of ``current_table``: what the model does not report (HKSJ, the
    intervals of τ² and I², the prediction interval) is a dash or left out."""
    return {
        "model": model,
        "rr": labelled_text(results, measure, pooled_text(pooled, lang), lang),
        "hksj": _interval_or_dash(pooled.hksj_low, pooled.hksj_high, lang),
        "tau2": _with_ci(fmt_num(pooled.tau2, lang, 3), pooled.tau2_low, pooled.tau2_high, lang, 3),
        "i2": _percent_ci(pooled.i2, pooled.i2_low, pooled.i2_high, lang),
        "pi": _interval_or_dash(pooled.pi_low, pooled.pi_high, lang),
    }


def current_table(results: MetaResults, lang: str) -> pd.DataFrame:
    """Per analysis, the review's random-effects model (RevMan 5) above the current Cochrane
    default (REML with Q-profile intervals, Hartung–Knapp CI, t(k − 2) prediction interval)."""
    cols = {
        "analysis": t("meta.col.analysis", lang),
        "model": t("meta.col.model", lang),
        "rr": effect_header(results, lang),
        "hksj": t("meta.current.col.hksj", lang),
        "tau2": t("meta.current.col.tau2", lang),
        "i2": t("meta.current.col.i2", lang),
        "pi": t("meta.col.pi", lang),
    }
    records = []
    for analysis_id, result in results.analyses.items():
        label = analysis_label(results.data.analyses, analysis_id, lang)
        models = (
            (t(f"meta.current.model.{result.headline}", lang), result.pooled),
            (t("meta.current.default", lang), results.current[analysis_id].default),
        )
        records += [
            {cols[key]: value for key, value in ({"analysis": label} | row).items()}
            for row in (
                _current_row(model, pooled, results, result.measure, lang)
                for model, pooled in models
            )
        ]
    return pd.DataFrame(records)


def leave_one_out_table(results: MetaResults, analysis_id: str, lang: str) -> pd.DataFrame:
    """The current default with every study, then without each study in turn."""
    full = results.current[analysis_id].default
    left_out = results.current[analysis_id].leave_one_out
    measure = results.analyses[analysis_id].measure
    rows = [(t("meta.loo.none", lang), full), *((row.study, row) for row in left_out)]
    return pd.DataFrame(
        {
            t("meta.loo.col.left_out", lang): name,
            t(f"meta.col.estimate.{measure}", lang): pooled_text(fit, lang),
            t("meta.col.tau2", lang): fmt_num(fit.tau2, lang, 3),
            t("meta.col.i2", lang): fmt_num(100 * fit.i2, lang, 0),
        }
        for name, fit in rows
    )


def subgroup_table(results: MetaResults, analysis_id: str, lang: str) -> pd.DataFrame:
    """Each subgroup's studies, pooled estimate (current default, REML, its own τ²), τ² and
    I², named in ``lang`` as studies.csv names it."""
    result = results.analyses[analysis_id]
    names = dict(
        zip(result.effects["subgroup_en"], result.effects[f"subgroup_{lang}"], strict=True)
    )
    declared = results.data.analyses.set_index("analysis_id").loc[analysis_id, f"subgroups_{lang}"]
    return pd.DataFrame(
        {
            str(declared): names[row.subgroup],
            t("meta.subgroups.col.k", lang): fmt_int(row.k, lang),
            t(f"meta.col.estimate.{result.measure}", lang): pooled_text(row, lang),
            t("meta.col.tau2", lang): fmt_num(row.tau2, lang, 3),
            t("meta.col.i2", lang): fmt_num(100 * row.i2, lang, 0),
        }
        for row in results.current[analysis_id].subgroups.subgroups
    )
