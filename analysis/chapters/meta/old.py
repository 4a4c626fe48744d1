"""Meta-analysis of risk ratios: the FHI review of work-oriented rehabilitation.

Reads ``data/meta/*.csv``, pools risk ratios the way RevMan 5 and R's metafor do
(Mantel–Haenszel and inverse-variance fixed effect, DerSimonian–Laird random effects with
Q around the inverse-variance or the Mantel–Haenszel estimate, Hartung–Knapp–Sidik–Jonkman,
prediction interval) and draws the chapter's forest plots, GRADE summary-of-findings tables,
characteristics table, risk-of-bias summary, PRISMA flow diagram and narrative-results table.
GRADE judgements are data (``analyses.csv``); nothing here grades evidence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import FancyBboxPatch, Polygon
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects, effectsize_2proportions

from analysis.core import reproduction
from analysis.core.i18n import EN_DASH, MINUS, fmt_ci, fmt_int, fmt_num, fmt_p, t
from analysis.core.validation import Field, InputError, Problem, Schema, read_table

Z95 = float(stats.norm.isf(0.025))
ZERO_CELL_CORRECTION = 0.5
SOURCES = ("primary", "derived", "reconstructed")
JUDGEMENTS = ("not_serious", "serious", "very_serious")
CERTAINTY = ("high", "moderate", "low", "very_low")
DOMAINS = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")
ROB_DOMAINS = ("randomisation", "allocation", "blinding_participants", "blinding_outcome",
               "attrition", "selective_reporting", "other")
ROB_LEVELS = ("low", "unclear", "high")
COUNTRIES = ("denmark", "netherlands", "norway", "sweden", "other")
PRISMA_STEPS = ("records_database", "records_other", "records_screened", "excluded_screening",
                "fulltext_assessed", "excluded_fulltext", "included_studies",
                "included_publications", "included_reviews")
MODELS = ("fixed_mh", "fixed_iv", "random", "random_revman", "hksj")

_TEXT_PAIR = ("en", "nb")


def _bilingual(name: str, nullable: bool = False, required: bool = True) -> tuple[Field, ...]:
    return tuple(Field(f"{name}_{lang}", "text", nullable=nullable, required=required)
                 for lang in _TEXT_PAIR)


STUDIES = Schema("meta/studies.csv", (
    Field("analysis_id", "text", description="the analysis the row belongs to (analyses.csv)"),
    Field("study", "text", description="study label shown in the forest plot"),
    Field("year", "integer", minimum=1900, maximum=2100),
    Field("events_intervention", "integer", nullable=True, minimum=0),
    Field("n_intervention", "integer", nullable=True, minimum=1),
    Field("events_control", "integer", nullable=True, minimum=0),
    Field("n_control", "integer", nullable=True, minimum=1),
    Field("follow_up_months", "number", nullable=True, required=False, minimum=0),
    Field("measure", "category", levels=("RR",), nullable=True, required=False),
    Field("estimate", "number", nullable=True, required=False, minimum=0),
    Field("ci_low", "number", nullable=True, required=False, minimum=0),
    Field("ci_high", "number", nullable=True, required=False, minimum=0),
    Field("source", "category", levels=SOURCES),
    Field("source_detail", "text", nullable=True, required=False),
))

ANALYSES = Schema("meta/analyses.csv", (
    Field("analysis_id", "text", unique=True),
    *_bilingual("comparison"),
    *_bilingual("outcome"),
    Field("follow_up_months", "number", nullable=True, minimum=0),
    Field("control_risk_per_100", "number", minimum=0, maximum=100),
    *(Field(domain, "category", levels=JUDGEMENTS) for domain in DOMAINS),
    *(field for domain in DOMAINS for field in _bilingual(f"{domain}_note", nullable=True)),
    Field("certainty", "category", levels=CERTAINTY),
))

CHARACTERISTICS = Schema("meta/characteristics.csv", (
    Field("study", "text", unique=True),
    Field("year", "integer", minimum=1900, maximum=2100),
    Field("country", "category", levels=COUNTRIES),
    Field("n_participants", "integer", minimum=1),
    *_bilingual("population"),
    *_bilingual("intervention"),
    *_bilingual("comparator"),
    Field("follow_up_months", "number", nullable=True, minimum=0),
    *_bilingual("outcomes"),
))

RISK_OF_BIAS = Schema("meta/risk_of_bias.csv", (
    Field("publication", "text", unique=True),
    *(Field(domain, "category", levels=ROB_LEVELS) for domain in ROB_DOMAINS),
))

PRISMA = Schema("meta/prisma.csv", (
    Field("step", "category", levels=PRISMA_STEPS, unique=True),
    Field("count", "integer", minimum=0),
))

NARRATIVE = Schema("meta/narrative.csv", (
    *_bilingual("comparison"),
    Field("study", "text"),
    *_bilingual("outcome"),
    Field("follow_up_months", "number", nullable=True, minimum=0),
    Field("n_participants", "integer", nullable=True, minimum=1),
    *_bilingual("result"),
    Field("certainty", "category", levels=CERTAINTY, nullable=True),
))

SCHEMAS = (STUDIES, ANALYSES, CHARACTERISTICS, RISK_OF_BIAS, PRISMA, NARRATIVE)


@dataclass(frozen=True)
class MetaData:
    """Every validated input table of the chapter."""

    studies: pd.DataFrame
    analyses: pd.DataFrame
    characteristics: pd.DataFrame
    risk_of_bias: pd.DataFrame
    prisma: pd.Series
    narrative: pd.DataFrame


# --------------------------------------------------------------------------- loading


def _study_problems(studies: pd.DataFrame, analyses: pd.DataFrame) -> list[Problem]:
    """Cross-column and cross-file rules of studies.csv."""
    name = STUDIES.file
    counts = ["events_intervention", "n_intervention", "events_control", "n_control"]
    generic = ["measure", "estimate", "ci_low", "ci_high"]
    problems = []
    known = set(analyses["analysis_id"])
    for i, record in studies.iterrows():
        row = int(i) + 1
        if record["analysis_id"] not in known:
            problems.append(Problem(
                name, "analysis_id", row,
                f"analysis {record['analysis_id']!r} is not in {ANALYSES.file}",
                f"add a row for it to {ANALYSES.file} or correct the id"))
        has_counts = [pd.notna(record[c]) for c in counts]
        has_generic = [c in record and pd.notna(record[c]) for c in generic]
        if any(has_counts) and not all(has_counts):
            missing = counts[has_counts.index(False)]
            problems.append(Problem(name, missing, row, "only some of the four counts are given",
                                    "give events and totals for both arms, or none of them"))
        elif not any(has_counts) and not all(has_generic):
            problems.append(Problem(
                name, "estimate", row, "the row has neither counts nor a risk ratio with its CI",
                "give the four counts, or measure=RR with estimate, ci_low and ci_high"))
        if all(has_counts):
            for events, total in (("events_intervention", "n_intervention"),
                                  ("events_control", "n_control")):
                if record[events] > record[total]:
                    problems.append(Problem(
                        name, events, row,
                        f"{record[events]} events is more than the {record[total]} "
                        f"participants in '{total}'",
                        f"events cannot exceed '{total}'; check both numbers"))
        elif all(has_generic) and not (0 < record["ci_low"] <= record["estimate"]
                                       <= record["ci_high"]):
            problems.append(Problem(name, "ci_low", row,
                                    "the estimate is not inside a positive confidence interval",
                                    "use 0 < ci_low <= estimate <= ci_high on the ratio scale"))
    duplicated = studies.duplicated(["analysis_id", "study"], keep="first")
    problems += [Problem(name, "study", int(i) + 1, f"study {studies.at[i, 'study']!r} appears "
                         f"twice in analysis {studies.at[i, 'analysis_id']!r}",
                         "give each study one row per analysis")
                 for i in duplicated.index[duplicated]]
    return problems


def _prisma_problems(prisma: pd.Series) -> list[Problem]:
    """The flow numbers must add up from one box to the next."""
    rules = (
        ("records_screened", ("records_database", "records_other"), ()),
        ("fulltext_assessed", ("records_screened",), ("excluded_screening",)),
        ("included_publications", ("fulltext_assessed",), ("excluded_fulltext",
                                                           "included_reviews")),
    )
    problems = []
    missing = [step for step in PRISMA_STEPS if step not in prisma.index]
    if missing:
        return [Problem(PRISMA.file, "step", None, f"step {step!r} is missing",
                        "add a row for every step") for step in missing]
    for target, plus, minus in rules:
        expected = sum(int(prisma[s]) for s in plus) - sum(int(prisma[s]) for s in minus)
        if int(prisma[target]) != expected:
            problems.append(Problem(
                PRISMA.file, "count", int(list(prisma.index).index(target)) + 1,
                f"{target} is {prisma[target]} but the boxes before it give {expected}",
                "correct the flow numbers so each box follows from the previous ones"))
    return problems


def load(data_dir: Path | str) -> MetaData:
    """Read and validate every input file of the chapter (raises ``InputError``)."""
    data_dir = Path(data_dir)
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    for schema in SCHEMAS:
        try:
            tables[schema.file] = read_table(data_dir, schema)
        except InputError as error:
            problems += error.problems
    if problems:
        raise InputError(problems)
    studies, analyses = tables[STUDIES.file], tables[ANALYSES.file]
    prisma = tables[PRISMA.file].set_index("step")["count"]
    problems = _study_problems(studies, analyses) + _prisma_problems(prisma)
    if problems:
        raise InputError(problems)
    return MetaData(studies, analyses, tables[CHARACTERISTICS.file],
                    tables[RISK_OF_BIAS.file], prisma, tables[NARRATIVE.file])


# --------------------------------------------------------------------------- statistics


def study_effects(studies: pd.DataFrame) -> pd.DataFrame:
    """Per-study log risk ratio and variance (Cochrane rules for zero cells).

    0.5 is added to all four cells of a study with a zero cell (statsmodels applies the
    correction only to such studies); a study with no events in either arm is not estimable.
    Rows without counts use their reported RR and 95 % CI (generic inverse variance).
    """
    frame = studies.reset_index(drop=True).copy()
    has_counts = frame["n_intervention"].notna().to_numpy()
    a = frame["events_intervention"].astype(float).to_numpy()
    n1 = frame["n_intervention"].astype(float).to_numpy()
    c = frame["events_control"].astype(float).to_numpy()
    n2 = frame["n_control"].astype(float).to_numpy()
    double_zero = has_counts & (a == 0) & (c == 0)
    zero_cell = has_counts & ~double_zero & ((a == 0) | (c == 0) | (a == n1) | (c == n2))
    log_rr = np.full(len(frame), np.nan)
    var = np.full(len(frame), np.nan)
    use = has_counts & ~double_zero
    if use.any():
        # statsmodels' own float zero_correction adds it to the events of every study but
        # to the totals of zero-cell studies only, so the correction is applied here.
        add = ZERO_CELL_CORRECTION * zero_cell[use]
        log_rr[use], var[use] = effectsize_2proportions(
            a[use] + add, n1[use] + 2 * add, c[use] + add, n2[use] + 2 * add,
            statistic="risk-ratio")
    if (~has_counts).any():
        generic = frame.loc[~has_counts]
        log_rr[~has_counts] = np.log(generic["estimate"].to_numpy(float))
        width = np.log(generic["ci_high"].to_numpy(float)) - np.log(
            generic["ci_low"].to_numpy(float))
        var[~has_counts] = (width / (2 * Z95)) ** 2
    se = np.sqrt(var)
    frame["log_rr"], frame["var"] = log_rr, var
    frame["rr"] = np.exp(log_rr)
    frame["rr_low"], frame["rr_high"] = np.exp(log_rr - Z95 * se), np.exp(log_rr + Z95 * se)
    frame["estimable"] = ~double_zero
    frame["zero_corrected"] = zero_cell
    frame["has_counts"] = has_counts
    return frame


def mantel_haenszel_rr(a: np.ndarray, n1: np.ndarray, c: np.ndarray,
                       n2: np.ndarray) -> tuple[float, float]:
    """Mantel–Haenszel log risk ratio and its Greenland–Robins (1985) standard error.

    Uses the raw counts (no zero-cell correction), as RevMan 5 and metafor's ``rma.mh`` do.
    Returns NaNs when no study has events in one of the arms.
    """
    a, n1, c, n2 = (np.asarray(x, dtype=float) for x in (a, n1, c, n2))
    total = n1 + n2
    r = a * n2 / total
    s = c * n1 / total
    if r.sum() == 0 or s.sum() == 0:
        return math.nan, math.nan
    p = (n1 * n2 * (a + c) - a * c * total) / total**2
    return float(np.log(r.sum() / s.sum())), float(np.sqrt(p.sum() / (r.sum() * s.sum())))


def _summary(log_est: float, se: float, crit: float = Z95,
             dist: stats.rv_continuous | None = None) -> dict:
    """A pooled log estimate as RR with CI and two-sided p."""
    if not math.isfinite(log_est) or not math.isfinite(se) or se <= 0:
        return {"estimate": math.exp(log_est) if math.isfinite(log_est) else math.nan,
                "ci_low": math.nan, "ci_high": math.nan, "p": math.nan,
                "log_estimate": log_est, "se": se, "z": math.nan}
    z = log_est / se
    p = 2 * (dist or stats.norm).sf(abs(z))
    return {"estimate": math.exp(log_est), "ci_low": math.exp(log_est - crit * se),
            "ci_high": math.exp(log_est + crit * se), "p": float(p),
            "log_estimate": log_est, "se": se, "z": z}


def _combine(y: np.ndarray, v: np.ndarray):
    """statsmodels' fixed-effect combination (its k = 1 warnings about τ² are irrelevant here)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return combine_effects(y, v, method_re="chi2")


def random_effects(y: np.ndarray, v: np.ndarray, centre: float | None = None) -> dict:
    """DerSimonian–Laird random effects, τ² truncated at 0, with a 95 % prediction interval.

    Q is taken around ``centre`` (the inverse-variance fixed estimate when None, as in
    metafor's ``rma(method="DL")``; the Mantel–Haenszel estimate for the RevMan 5 variant).
    The prediction interval uses t with k − 2 df (Higgins, Thompson & Spiegelhalter 2009)
    and is defined for k ≥ 3.
    """
    y, v = np.asarray(y, dtype=float), np.asarray(v, dtype=float)
    k = len(y)
    fixed = _combine(y, v)
    w = fixed.weights_fe
    if centre is None:
        centre = fixed.mean_effect_fe
    q = float((w * (y - centre) ** 2).sum())
    df = k - 1
    tau2 = max(0.0, (q - df) / fixed.c) if k > 1 else 0.0
    w_re = 1 / (v + tau2)
    mu = float((w_re * y).sum() / w_re.sum())
    se = float(1 / np.sqrt(w_re.sum()))
    result = _summary(mu, se)
    if k >= 3:
        half = stats.t.isf(0.025, k - 2) * math.sqrt(tau2 + se**2)
        pi_low, pi_high = math.exp(mu - half), math.exp(mu + half)
    else:
        pi_low = pi_high = math.nan
    result |= {
        "tau2": tau2, "q": q, "q_df": df,
        "q_p": float(stats.chi2.sf(q, df)) if df > 0 else math.nan,
        "i2": max(0.0, (q - df) / q) if q > 0 else 0.0,
        "pi_low": pi_low, "pi_high": pi_high,
        "weights": w_re / w_re.sum(),
    }
    return result


def hartung_knapp(y: np.ndarray, v: np.ndarray, tau2: float) -> dict:
    """Hartung–Knapp–Sidik–Jonkman CI and test (t, k − 1 df; no ad hoc floor, as metafor)."""
    y, v = np.asarray(y, dtype=float), np.asarray(v, dtype=float)
    k = len(y)
    w = 1 / (v + tau2)
    mu = float((w * y).sum() / w.sum())
    if k < 2:
        return _summary(mu, math.nan)
    se = math.sqrt(float((w * (y - mu) ** 2).sum() / ((k - 1) * w.sum())))
    return _summary(mu, se, crit=float(stats.t.isf(0.025, k - 1)), dist=stats.t(k - 1))


def pool(studies: pd.DataFrame) -> dict:
    """All pooled models of one analysis (rows of ``study_effects`` for one analysis_id).

    Returns ``k`` (studies pooled), ``n_participants``, the five models (risk-ratio scale)
    and the per-study weights (%) of the RevMan random-effects model. Mantel–Haenszel
    needs counts: with any generic-inverse-variance row its two models are NaN.
    """
    used = studies[studies["estimable"]]
    y, v = used["log_rr"].to_numpy(float), used["var"].to_numpy(float)
    counts = used["has_counts"].all()
    n = studies[["n_intervention", "n_control"]].astype(float).sum().sum()
    if counts:
        log_mh, se_mh = mantel_haenszel_rr(used["events_intervention"], used["n_intervention"],
                                           used["events_control"], used["n_control"])
    else:
        log_mh = se_mh = math.nan
    random = random_effects(y, v)
    revman = (random_effects(y, v, centre=log_mh) if math.isfinite(log_mh)
              else {key: math.nan for key in random} | {"weights": np.full(len(y), np.nan)})
    fixed = _combine(y, v)
    return {
        "k": len(used),
        "n_participants": int(n) if math.isfinite(n) else None,
        "fixed_mh": _summary(log_mh, se_mh),
        "fixed_iv": _summary(float(fixed.mean_effect_fe), float(fixed.sd_eff_w_fe)),
        "random": random,
        "random_revman": revman,
        "hksj": hartung_knapp(y, v, random["tau2"]),
        "weights": pd.Series(100 * revman["weights"], index=used.index),
    }


def analyse(data: MetaData) -> dict[str, dict]:
    """Every analysis of ``analyses.csv`` that has studies: effects and pooled models."""
    effects = study_effects(data.studies)
    out = {}
    for analysis_id in data.analyses["analysis_id"]:
        rows = effects[effects["analysis_id"] == analysis_id]
        if not rows.empty:
            out[str(analysis_id)] = {"effects": rows, **pool(rows)}
    return out


CONTRACT_KEYS = ("estimate", "ci_low", "ci_high", "p")
HETEROGENEITY_KEYS = ("tau2", "i2", "q", "q_p", "pi_low", "pi_high")


def results_payload(results: dict[str, dict]) -> dict:
    """The ``analyses`` part of ``meta.json`` (the contract in the issue)."""
    payload = {}
    for analysis_id, result in results.items():
        entry = {"k": result["k"], "n_participants": result["n_participants"]}
        for model in MODELS:
            keys = CONTRACT_KEYS + (HETEROGENEITY_KEYS if model.startswith("random") else ())
            entry[model] = {key: result[model][key] for key in keys}
        payload[analysis_id] = entry
    return payload


def headline(result: dict) -> tuple[str, dict]:
    """The model the review reports (RevMan 5 M-H random), or DL when M-H is not possible."""
    if math.isfinite(result["random_revman"]["estimate"]):
        return "random_revman", result["random_revman"]
    return "random", result["random"]


def reconstructed(result: dict) -> bool:
    """True when any study of the analysis has reconstructed counts."""
    return bool((result["effects"]["source"] == "reconstructed").any())


# --------------------------------------------------------------------------- display helpers


def rr_text(estimate: float, low: float, high: float, lang: str) -> str:
    if not math.isfinite(estimate):
        return t("meta.not_estimable", lang)
    return f"{fmt_num(estimate, lang, 2)} ({fmt_ci(low, high, lang, 2)})"


def analysis_label(analyses: pd.DataFrame, analysis_id: str, lang: str) -> str:
    row = analyses.set_index("analysis_id").loc[analysis_id]
    return t("meta.analysis_label", lang, comparison=row[f"comparison_{lang}"],
             outcome=row[f"outcome_{lang}"], months=fmt_num(row["follow_up_months"], lang, 0))


def _method_label(model: str, lang: str) -> str:
    return t(f"meta.method.{model}", lang)


# --------------------------------------------------------------------------- forest plot


def forest_plot(result: dict, lang: str) -> plt.Figure:
    """A RevMan-style forest plot of one analysis (headline random-effects model)."""
    model, pooled = headline(result)
    effects = result["effects"]
    weights = result["weights"] if model == "random_revman" else pd.Series(
        100 * pooled["weights"], index=effects.index[effects["estimable"]])
    k = len(effects)
    n_rows = k + 5
    fig = plt.figure(figsize=(11, 0.36 * n_rows + 1.4))
    height = 0.36 * n_rows / (0.36 * n_rows + 1.4)
    bottom = 1 - height - 0.02
    text_ax = fig.add_axes((0.0, bottom, 0.66, height))
    plot_height = height * (k + 2.9) / (n_rows + 0.7)
    plot_ax = fig.add_axes((0.68, bottom + height - plot_height, 0.3, plot_height))
    text_ax.set_xlim(0, 1)
    text_ax.set_ylim(n_rows - 0.5, -1.2)
    text_ax.axis("off")
    columns = {"study": (0.0, "left"), "ie": (0.33, "right"), "in": (0.41, "right"),
               "ce": (0.54, "right"), "cn": (0.62, "right"), "w": (0.73, "right"),
               "rr": (1.0, "right")}

    def put(y: float, column: str, text: str, **kwds: object) -> None:
        x, ha = columns[column]
        text_ax.text(x, y, text, ha=ha, va="center", fontsize=9, **kwds)

    bold = {"fontweight": "bold"}
    text_ax.text(0.37, -0.8, t("meta.forest.intervention", lang), ha="center", fontsize=9, **bold)
    text_ax.text(0.58, -0.8, t("meta.forest.control", lang), ha="center", fontsize=9, **bold)
    put(0, "study", t("meta.forest.study", lang), **bold)
    for column in ("ie", "ce"):
        put(0, column, t("meta.forest.events", lang), **bold)
    for column in ("in", "cn"):
        put(0, column, t("meta.forest.total", lang), **bold)
    put(0, "w", t("meta.forest.weight", lang), **bold)
    header = t("meta.forest.rr_header", lang, method=t(f"meta.forest.method.{model}", lang))
    put(-0.3, "rr", header, **bold)
    plot_ax.set_title(header, fontsize=9, fontweight="bold", loc="center", pad=4)
    text_ax.axhline(0.5, color="black", linewidth=0.6)

    limits = [1.0]
    for y, (index, study) in enumerate(effects.iterrows(), start=1):
        put(y, "study", str(study["study"]))
        if study["has_counts"]:
            put(y, "ie", fmt_int(int(study["events_intervention"]), lang))
            put(y, "in", fmt_int(int(study["n_intervention"]), lang))
            put(y, "ce", fmt_int(int(study["events_control"]), lang))
            put(y, "cn", fmt_int(int(study["n_control"]), lang))
        if not study["estimable"]:
            put(y, "rr", t("meta.not_estimable", lang))
            continue
        weight = float(weights.get(index, math.nan))
        put(y, "w", fmt_num(weight, lang, 1) + "%" if lang == "en"
            else fmt_num(weight, lang, 1) + "\u00a0%")
        put(y, "rr", rr_text(study["rr"], study["rr_low"], study["rr_high"], lang))
        plot_ax.plot([study["rr_low"], study["rr_high"]], [y, y], color="black", linewidth=1)
        plot_ax.plot(study["rr"], y, marker="s", color="#1f4e79", linestyle="none",
                     markersize=4 + 10 * math.sqrt(max(weight, 0) / 100))
        limits += [study["rr_low"], study["rr_high"]]

    total_y = k + 1
    text_ax.axhline(total_y - 0.5, color="black", linewidth=0.6)
    counts = effects[effects["has_counts"]]
    put(total_y, "study", t("meta.forest.total_ci", lang), **bold)
    put(total_y + 1, "study", t("meta.forest.total_events", lang))
    if not counts.empty:
        put(total_y, "in", fmt_int(int(counts["n_intervention"].sum()), lang), **bold)
        put(total_y, "cn", fmt_int(int(counts["n_control"].sum()), lang), **bold)
        put(total_y + 1, "ie", fmt_int(int(counts["events_intervention"].sum()), lang))
        put(total_y + 1, "ce", fmt_int(int(counts["events_control"].sum()), lang))
    put(total_y, "w", "100" + ("%" if lang == "en" else "\u00a0%"), **bold)
    put(total_y, "rr", rr_text(pooled["estimate"], pooled["ci_low"], pooled["ci_high"], lang),
        **bold)
    if math.isfinite(pooled["ci_low"]):
        diamond = Polygon([(pooled["ci_low"], total_y), (pooled["estimate"], total_y - 0.3),
                           (pooled["ci_high"], total_y), (pooled["estimate"], total_y + 0.3)],
                          closed=True, color="black")
        plot_ax.add_patch(diamond)
        limits += [pooled["ci_low"], pooled["ci_high"]]
    text_ax.text(0.0, total_y + 2, heterogeneity_text(pooled, lang), ha="left", va="center",
                 fontsize=8.5)
    text_ax.text(0.0, total_y + 3, overall_text(pooled, lang), ha="left", va="center",
                 fontsize=8.5)

    finite = [x for x in limits if math.isfinite(x) and x > 0]
    span = max(abs(math.log10(x)) for x in finite)
    ticks = [v for v in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)]
    edge = next((v for v in ticks if v > 1 and math.log10(v) >= span * 1.05), 100)
    plot_ax.set_xscale("log")
    plot_ax.set_xlim(1 / edge, edge)
    shown = [v for v in ticks if 1 / edge <= v <= edge]
    plot_ax.set_xticks(shown)
    plot_ax.set_xticklabels([fmt_num(v, lang, 2 if v < 0.1 else 1 if v < 1 else 0)
                             for v in shown], fontsize=8)
    plot_ax.minorticks_off()
    plot_ax.axvline(1, color="black", linewidth=0.8)
    for side in ("left", "right", "top"):
        plot_ax.spines[side].set_visible(False)
    plot_ax.tick_params(axis="y", left=False, labelleft=False)
    plot_ax.spines["bottom"].set_bounds(1 / edge, edge)
    plot_ax.set_ylim(k + 1.7, -1.2)
    plot_ax.text(0.25, -0.16, t("meta.forest.favours_control", lang), transform=plot_ax.transAxes,
                 ha="center", va="top", fontsize=8.5)
    plot_ax.text(0.75, -0.16, t("meta.forest.favours_intervention", lang),
                 transform=plot_ax.transAxes, ha="center", va="top", fontsize=8.5)
    return fig


def heterogeneity_text(pooled: dict, lang: str) -> str:
    """``Heterogeneity: Tau² = …; Chi² = …, df = … (P = …); I² = …%`` as RevMan prints it."""
    if not math.isfinite(pooled["q"]) or pooled["q_df"] < 1:
        return t("meta.forest.heterogeneity_na", lang)
    return t("meta.forest.heterogeneity", lang, tau2=fmt_num(pooled["tau2"], lang, 2),
             chi2=fmt_num(pooled["q"], lang, 2), df=fmt_int(pooled["q_df"], lang),
             p=fmt_p(pooled["q_p"], lang, with_symbol=False),
             i2=fmt_num(100 * pooled["i2"], lang, 0))


def overall_text(pooled: dict, lang: str) -> str:
    """``Test for overall effect: Z = … (P = …)``."""
    return t("meta.forest.overall", lang, z=fmt_num(abs(pooled["z"]), lang, 2),
             p=fmt_p(pooled["p"], lang, with_symbol=False))


# --------------------------------------------------------------------------- GRADE tables

CERTAINTY_SYMBOLS = {"high": "⨁⨁⨁⨁", "moderate": "⨁⨁⨁◯", "low": "⨁⨁◯◯", "very_low": "⨁◯◯◯"}


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
                texts.append(f"{letter}) {note}")
    return marks, texts


def absolute_effects(control_per_100: float, pooled: dict) -> dict:
    """Corresponding intervention risk and risk difference per 100 (control risk × RR)."""
    risk = {key: control_per_100 * pooled[key] for key in ("estimate", "ci_low", "ci_high")}
    return {"risk": risk, "difference": {key: value - control_per_100
                                         for key, value in risk.items()}}


def _difference_text(value: float, lang: str) -> str:
    rounded = round(value)
    if rounded == 0:
        return t("meta.sof.no_difference", lang)
    key = "meta.sof.more" if rounded > 0 else "meta.sof.fewer"
    return t(key, lang, n=fmt_int(abs(rounded), lang))


def sof_table(data: MetaData, results: dict[str, dict], lang: str) -> pd.DataFrame:
    """GRADE summary of findings: one row per analysis with pooled results."""
    marks, _ = _footnotes(data.analyses, lang)
    records = []
    for _, row in data.analyses.iterrows():
        analysis_id = str(row["analysis_id"])
        if analysis_id not in results:
            continue
        result = results[analysis_id]
        _, pooled = headline(result)
        control = float(row["control_risk_per_100"])
        absolute = absolute_effects(control, pooled)
        letters = ",".join(marks[(analysis_id, d)] for d in DOMAINS if (analysis_id, d) in marks)
        certainty = (f"{CERTAINTY_SYMBOLS[row['certainty']]} "
                     f"{t('meta.certainty.' + row['certainty'], lang)}")
        risk, diff = absolute["risk"], absolute["difference"]
        records.append({
            t("meta.sof.outcome", lang): t("meta.sof.outcome_value", lang,
                                           outcome=row[f"outcome_{lang}"],
                                           months=fmt_num(row["follow_up_months"], lang, 0)),
            t("meta.sof.comparison", lang): row[f"comparison_{lang}"],
            t("meta.sof.control_risk", lang): fmt_num(control, lang, 0),
            t("meta.sof.intervention_risk", lang): t(
                "meta.sof.range", lang, est=fmt_num(risk["estimate"], lang, 0),
                low=fmt_num(risk["ci_low"], lang, 0), high=fmt_num(risk["ci_high"], lang, 0)),
            t("meta.sof.difference", lang): t(
                "meta.sof.range", lang, est=_difference_text(diff["estimate"], lang),
                low=_difference_text(diff["ci_low"], lang),
                high=_difference_text(diff["ci_high"], lang)),
            t("meta.sof.relative", lang): "RR " + rr_text(pooled["estimate"], pooled["ci_low"],
                                                           pooled["ci_high"], lang),
            t("meta.sof.participants", lang): t("meta.sof.participants_value", lang,
                                                n=fmt_int(result["n_participants"], lang),
                                                k=fmt_int(result["k"], lang)),
            t("meta.sof.certainty", lang): certainty + (f" ({letters})" if letters else ""),
        })
    return pd.DataFrame(records)


def sof_note(data: MetaData, lang: str) -> str:
    """Explanation and footnotes under the summary-of-findings table."""
    _, texts = _footnotes(data.analyses, lang)
    return " ".join([t("meta.sof.note", lang), *texts])


def grade_profile(data: MetaData, lang: str) -> pd.DataFrame:
    """The GRADE judgements per domain as recorded in analyses.csv (never computed)."""
    marks, _ = _footnotes(data.analyses, lang)
    records = []
    for _, row in data.analyses.iterrows():
        analysis_id = str(row["analysis_id"])
        record = {t("meta.sof.outcome", lang): analysis_label(data.analyses, analysis_id, lang)}
        for domain in DOMAINS:
            mark = marks.get((analysis_id, domain))
            record[t(f"meta.domain.{domain}", lang)] = (
                t(f"meta.judgement.{row[domain]}", lang) + (f" ({mark})" if mark else ""))
        record[t("meta.sof.certainty", lang)] = t(f"meta.certainty.{row['certainty']}", lang)
        records.append(record)
    return pd.DataFrame(records)


def models_table(data: MetaData, results: dict[str, dict], lang: str) -> pd.DataFrame:
    """Every pooled model of every analysis side by side."""
    records = []
    for analysis_id, result in results.items():
        for model in MODELS:
            pooled = result[model]
            hetero = model.startswith("random")
            records.append({
                t("meta.col.analysis", lang): analysis_label(data.analyses, analysis_id, lang),
                t("meta.col.model", lang): _method_label(model, lang),
                t("meta.col.rr", lang): rr_text(pooled["estimate"], pooled["ci_low"],
                                                 pooled["ci_high"], lang),
                t("meta.col.p", lang): fmt_p(pooled["p"], lang, with_symbol=False),
                t("meta.col.tau2", lang): fmt_num(pooled["tau2"], lang, 3) if hetero else "",
                t("meta.col.q", lang): (t("meta.q_value", lang, q=fmt_num(pooled["q"], lang, 2),
                                          df=fmt_int(pooled["q_df"], lang),
                                          p=fmt_p(pooled["q_p"], lang, with_symbol=False))
                                        if hetero and math.isfinite(pooled["q"]) else ""),
                t("meta.col.i2", lang): (fmt_num(100 * pooled["i2"], lang, 0)
                                         if hetero and math.isfinite(pooled["i2"]) else ""),
                t("meta.col.pi", lang): (fmt_ci(pooled["pi_low"], pooled["pi_high"], lang, 2)
                                         if hetero and math.isfinite(pooled["pi_low"]) else ""),
            })
    return pd.DataFrame(records)


# --------------------------------------------------------------------------- other tables


def characteristics_table(data: MetaData, lang: str) -> pd.DataFrame:
    """The review's Table 1: one row per included study."""
    frame = data.characteristics
    return pd.DataFrame({
        t("meta.col.study", lang): frame["study"],
        t("meta.col.country", lang): [t(f"meta.country.{c}", lang) for c in frame["country"]],
        t("meta.col.n", lang): [fmt_int(int(n), lang) for n in frame["n_participants"]],
        t("meta.col.population", lang): frame[f"population_{lang}"],
        t("meta.col.intervention", lang): frame[f"intervention_{lang}"],
        t("meta.col.comparator", lang): frame[f"comparator_{lang}"],
        t("meta.col.follow_up", lang): [fmt_num(m, lang, 0) if pd.notna(m) else EN_DASH
                                        for m in frame["follow_up_months"]],
        t("meta.col.outcomes", lang): frame[f"outcomes_{lang}"],
    })


def narrative_table(data: MetaData, lang: str) -> pd.DataFrame:
    """Return-to-work results the review reports only in words (not pooled)."""
    frame = data.narrative
    return pd.DataFrame({
        t("meta.sof.comparison", lang): frame[f"comparison_{lang}"],
        t("meta.col.study", lang): frame["study"],
        t("meta.sof.outcome", lang): frame[f"outcome_{lang}"],
        t("meta.col.follow_up", lang): [fmt_num(m, lang, 0) if pd.notna(m) else EN_DASH
                                        for m in frame["follow_up_months"]],
        t("meta.col.n", lang): [fmt_int(int(n), lang) if pd.notna(n) else EN_DASH
                                for n in frame["n_participants"]],
        t("meta.col.result", lang): frame[f"result_{lang}"],
        t("meta.sof.certainty", lang): [t(f"meta.certainty.{c}", lang) if pd.notna(c) else EN_DASH
                                        for c in frame["certainty"]],
    })


# --------------------------------------------------------------------------- figures

ROB_STYLE = {"low": ("#3a923a", "+"), "unclear": ("#e6b800", "?"), "high": ("#c0392b", MINUS)}


def rob_figure(data: MetaData, lang: str) -> plt.Figure:
    """Risk-of-bias summary: one row per assessed publication, one column per domain."""
    frame = data.risk_of_bias
    n = len(frame)
    fig, ax = plt.subplots(figsize=(7.5, 0.3 * n + 2.4))
    for y, (_, row) in enumerate(frame.iterrows()):
        for x, domain in enumerate(ROB_DOMAINS):
            colour, symbol = ROB_STYLE[row[domain]]
            ax.scatter(x, y, s=210, color=colour, edgecolor="white", zorder=2)
            ax.text(x, y, symbol, ha="center", va="center", color="white", fontsize=9,
                    fontweight="bold", zorder=3)
    ax.set_xticks(range(len(ROB_DOMAINS)))
    ax.set_xticklabels([t(f"meta.rob.{d}", lang) for d in ROB_DOMAINS], rotation=40,
                       ha="left", fontsize=8.5)
    ax.xaxis.tick_top()
    ax.set_yticks(range(n))
    ax.set_yticklabels(frame["publication"], fontsize=8.5)
    ax.set_xlim(-0.6, len(ROB_DOMAINS) - 0.4)
    ax.set_ylim(n - 0.5, -0.5)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    handles = [plt.Line2D([], [], marker="o", linestyle="none", markersize=9, color=colour,
                          label=t(f"meta.rob.level.{level}", lang))
               for level, (colour, _) in ROB_STYLE.items()]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=3,
              frameon=False, fontsize=8.5)
    return fig


def rob_counts(data: MetaData) -> pd.DataFrame:
    """Number of publications per domain and judgement."""
    frame = data.risk_of_bias
    return pd.DataFrame({level: [(frame[d] == level).sum() for d in ROB_DOMAINS]
                         for level in ROB_LEVELS}, index=list(ROB_DOMAINS))


def rob_table(data: MetaData, lang: str) -> pd.DataFrame:
    """Counts of publications per domain and judgement, for readers who cannot see colour."""
    counts = rob_counts(data)
    return pd.DataFrame({
        t("meta.rob.domain", lang): [t(f"meta.rob.{d}", lang) for d in counts.index],
        **{t(f"meta.rob.level.{level}", lang): [fmt_int(int(v), lang) for v in counts[level]]
           for level in ROB_LEVELS},
    })


def prisma_figure(data: MetaData, lang: str) -> plt.Figure:
    """PRISMA flow diagram drawn from the flow numbers in prisma.csv."""
    flow = {step: fmt_int(int(count), lang) for step, count in data.prisma.items()}
    fig, ax = plt.subplots(figsize=(9, 7))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.axis("off")

    def box(x: float, y: float, width: float, key: str, **values: str) -> None:
        ax.add_patch(FancyBboxPatch((x, y), width, 1.2, boxstyle="round,pad=0.05",
                                    facecolor="#eef3f8", edgecolor="#1f4e79"))
        ax.text(x + width / 2, y + 0.6, t(key, lang, **values), ha="center", va="center",
                fontsize=9, wrap=True)

    def arrow(x0: float, y0: float, x1: float, y1: float) -> None:
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops={"arrowstyle": "->", "color": "#1f4e79"})

    box(0.3, 8.5, 4.2, "meta.prisma.database", n=flow["records_database"])
    box(5.5, 8.5, 4.2, "meta.prisma.other", n=flow["records_other"])
    box(1.5, 6.2, 4.2, "meta.prisma.screened", n=flow["records_screened"])
    box(6.6, 6.2, 3.2, "meta.prisma.excluded_screening", n=flow["excluded_screening"])
    box(1.5, 3.9, 4.2, "meta.prisma.fulltext", n=flow["fulltext_assessed"])
    box(6.6, 3.9, 3.2, "meta.prisma.excluded_fulltext", n=flow["excluded_fulltext"])
    box(1.0, 1.2, 5.2, "meta.prisma.included", studies=flow["included_studies"],
        publications=flow["included_publications"], reviews=flow["included_reviews"])
    arrow(2.4, 8.45, 3.2, 7.45)
    arrow(7.6, 8.45, 4.6, 7.45)
    arrow(3.6, 6.15, 3.6, 5.15)
    arrow(5.75, 6.8, 6.55, 6.8)
    arrow(3.6, 3.85, 3.6, 2.45)
    arrow(5.75, 4.5, 6.55, 4.5)
    return fig


# --------------------------------------------------------------------------- reproduction

# The review's printed numbers (FHI 2021, Tabell 4 and 6, Figur 1 and 3-4, discussion), as
# comparison targets only. Absolute differences are as printed ("30 fewer" -> "-30").
PUBLISHED = {
    "mr_uc_12": {"rr": ("1.01", "0.70", "1.48"), "participants": "321", "studies": "3",
                 "i2_above": 80, "control_risk": "72", "risk": ("73", "50", "107"),
                 "difference": ("1", "-30", "48")},
    "mr_active_12": {"rr": ("1.04", "0.86", "1.25"), "participants": "851", "studies": "4",
                     "i2_above": 50, "control_risk": "59", "risk": ("61", "51", "74"),
                     "difference": ("3", "-14", "25")},
    "mr_active_24": {"rr": ("0.94", "0.84", "1.05"), "participants": "635", "studies": "2",
                     "i2_above": None, "control_risk": "63", "risk": ("59", None, None),
                     "difference": ("-4", "-16", "5")},
}
PUBLISHED_STUDY_RR = {("mr_active_12", "Gismervik 2020"): ("1.50", "1.08", "2.08")}
PUBLISHED_FLOW = {"records_screened": "7186", "fulltext_assessed": "201",
                  "fulltext_in_summary": "200", "included": "38", "participants": "5753",
                  "rob_weak_publications": "5"}


def _labelled(item: dict, prefix: dict[str, str]) -> dict:
    """A reproduction row whose quantity text starts with a bilingual prefix."""
    item["quantity"] = {lang: f"{prefix[lang]}: {text}" for lang, text in item["quantity"].items()}
    return item


def _target_row(key: str, published: str, computed: float, is_reconstructed: bool,
                reason_key: str, prefix: dict[str, str]) -> dict:
    matched = reproduction.within_rounding(computed, published)
    if matched:
        status = "reconstructed" if is_reconstructed else "matches"
        item = reproduction.row(key, published, computed, status)
    else:
        item = reproduction.row(key, published, computed, "differs", reason_key)
    return _labelled(item, prefix)


def reproduction_rows(data: MetaData, results: dict[str, dict]) -> list[dict]:
    """Published numbers beside the computed ones, for every analysis present in the data."""
    rows = []
    analyses = data.analyses.set_index("analysis_id")
    for analysis_id, target in PUBLISHED.items():
        if analysis_id not in results:
            continue
        result = results[analysis_id]
        _, pooled = headline(result)
        rebuilt = reconstructed(result)
        prefix = {lang: analysis_label(data.analyses, analysis_id, lang) for lang in ("en", "nb")}
        control = float(analyses.at[analysis_id, "control_risk_per_100"])
        absolute = absolute_effects(control, pooled)
        effects = result["effects"]
        observed = 100 * effects["events_control"].sum() / effects["n_control"].sum()
        for key, published, computed, reason in (
            ("meta.q.rr", target["rr"][0], pooled["estimate"], "meta.reason.inputs"),
            ("meta.q.ci_low", target["rr"][1], pooled["ci_low"], "meta.reason.inputs"),
            ("meta.q.ci_high", target["rr"][2], pooled["ci_high"], "meta.reason.inputs"),
            ("meta.q.participants", target["participants"], result["n_participants"],
             "meta.reason.inputs"),
            ("meta.q.control_risk", target["control_risk"], observed, "meta.reason.control_risk"),
        ):
            rows.append(_target_row(key, published, computed, rebuilt, reason, prefix))
        rows.append(_labelled(reproduction.compare("meta.q.studies", target["studies"],
                                                   result["k"], "meta.reason.inputs"),
                             prefix))
        if target["i2_above"] is not None:
            i2 = 100 * pooled["i2"]
            above = i2 > target["i2_above"]
            status = ("reconstructed" if rebuilt else "matches") if above else "differs"
            rows.append(_labelled(reproduction.row(
                "meta.q.i2", f"> {target['i2_above']}", i2, status,
                None if above else "meta.reason.i2", decimals=0), prefix))
        for part, key in zip(("estimate", "ci_low", "ci_high"),
                             ("meta.q.risk", "meta.q.risk_low", "meta.q.risk_high"),
                             strict=True):
            published = target["risk"][("estimate", "ci_low", "ci_high").index(part)]
            if published is not None:
                rows.append(_target_row(key, published, absolute["risk"][part], rebuilt,
                                        "meta.reason.risk", prefix))
        for part, key, published in zip(
                ("estimate", "ci_low", "ci_high"),
                ("meta.q.difference", "meta.q.difference_low", "meta.q.difference_high"),
                target["difference"], strict=True):
            rows.append(_target_row(key, published, absolute["difference"][part], rebuilt,
                                    "meta.reason.absolute", prefix))
    effects = pd.concat([r["effects"] for r in results.values()]) if results else pd.DataFrame()
    for (analysis_id, study), values in PUBLISHED_STUDY_RR.items():
        match = effects[(effects.get("analysis_id") == analysis_id)
                        & (effects.get("study") == study)] if len(effects) else effects
        if match.empty:
            continue
        first = match.iloc[0]
        for key, published, computed in zip(("meta.q.rr", "meta.q.ci_low", "meta.q.ci_high"),
                                            values, (first["rr"], first["rr_low"],
                                                     first["rr_high"]), strict=True):
            rows.append(_labelled(reproduction.compare(key, published, computed),
                                  {"en": study, "nb": study}))
    flow = data.prisma.astype(int)
    screened = flow["records_database"] + flow["records_other"]
    fulltext = screened - flow["excluded_screening"]
    rows += [
        reproduction.compare("meta.q.flow_screened", PUBLISHED_FLOW["records_screened"],
                             screened),
        reproduction.compare("meta.q.flow_fulltext", PUBLISHED_FLOW["fulltext_assessed"],
                             fulltext),
        reproduction.compare("meta.q.flow_fulltext_summary",
                             PUBLISHED_FLOW["fulltext_in_summary"], fulltext,
                             "meta.reason.fulltext"),
        reproduction.compare("meta.q.flow_included", PUBLISHED_FLOW["included"],
                             fulltext - flow["excluded_fulltext"]),
        reproduction.compare("meta.q.participants_total", PUBLISHED_FLOW["participants"],
                             int(data.characteristics["n_participants"].sum()),
                             "meta.reason.participants"),
        reproduction.compare("meta.q.rob_weak", PUBLISHED_FLOW["rob_weak_publications"],
                             weak_publications(data)),
    ]
    return rows


def weak_publications(data: MetaData) -> int:
    """Publications judged unclear or high risk in four or more of the seven domains."""
    frame = data.risk_of_bias[list(ROB_DOMAINS)]
    return int(((frame != "low").sum(axis=1) >= 4).sum())


def chapter_results(data: MetaData, results: dict[str, dict]) -> dict:
    """The payload of ``meta.json``: the contract's ``analyses`` plus reproduction rows."""
    return {"analyses": results_payload(results),
            "reproduction": reproduction_rows(data, results)}
