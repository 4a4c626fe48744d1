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

from analysis import reproduction
from analysis.i18n import EN_DASH, MINUS, fmt_ci, fmt_int, fmt_num, fmt_p, t
from analysis.validation import Field, InputError, Problem, Schema, read_table

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


def random_effects(y: np.ndarray, v: np.ndarray, centre: float | None = None) -> dict:
    """DerSimonian–Laird random effects, τ² truncated at 0, with a 95 % prediction interval.

    Q is taken around ``centre`` (the inverse-variance fixed estimate when None, as in
    metafor's ``rma(method="DL")``; the Mantel–Haenszel estimate for the RevMan 5 variant).
    The prediction interval uses t with k − 2 df (Higgins, Thompson & Spiegelhalter 2009)
    and is defined for k ≥ 3.
    """
    y, v = np.asarray(y, dtype=float), np.asarray(v, dtype=float)
    k = len(y)
    fixed = combine_effects(y, v, method_re="chi2")
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
    fixed = combine_effects(y, v, method_re="chi2")
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
