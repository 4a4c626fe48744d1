"""Cohort survival chapter: coordinator and time to first and to full return to work (RTW).

Input: ``data/cohort.csv``, one row per employee (see ``SCHEMA``). The shipped file is synthetic
(``analysis/cohort_synth.py``); a register extract with the same columns runs unchanged.

Statistics:

* Kaplan–Meier (lifelines) by coordinator and by programme type; median = smallest t with
  S(t) ≤ 0.5, with two 95 % intervals: SPSS style (median ± 1.96·SE, SE from Collett's
  density estimate, :func:`spss_median_se`) and Brookmeyer–Crowley (inverting lifelines'
  log(−log) pointwise CI of S(t));
* log-rank tests (lifelines);
* Cox models in blocks (unadjusted; all confounders but programme type; fully adjusted),
  complete cases, lifelines with Efron ties as the main engine, statsmodels ``PHReg`` with
  Breslow ties (as SPSS) as a sensitivity, cluster-robust SEs by programme, and the scaled
  Schoenfeld residual test of proportional hazards;
* by programme type: 360-day RTW rates, share with a coordinator and the odds ratio of having
  one (logistic regression, statsmodels).
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import statsmodels.api as sm
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.statistics import logrank_test, multivariate_logrank_test, proportional_hazard_test
from lifelines.utils import median_survival_times
from scipy.stats import chi2, norm
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.nonparametric.smoothers_lowess import lowess

from analysis.core import reproduction
from analysis.core.disclosure import is_suppressed, suppress_count
from analysis.core.i18n import LANGS, axis_formatter, fmt_estimate, fmt_int, fmt_num, fmt_p, fmt_pct, t
from analysis.core.validation import Field, InputError, Problem, Schema, read_table

OUTCOMES = ("first_rtw", "full_rtw")
YES_NO = ("yes", "no")
PROGRAMME_TYPES = ("occupational_rehabilitation", "treatment", "follow_up")
LEVELS: dict[str, tuple[str, ...]] = {
    "coordinator": YES_NO,
    "programme_type": PROGRAMME_TYPES,
    "sex": ("female", "male"),
    "marital_status": ("partner", "no_partner"),
    "education": ("elementary", "upper_secondary", "university_short", "university_long"),
    "diagnosis": ("musculoskeletal", "psychiatric", "cancer", "other", "unspecific", "none"),
    "pain_rest": YES_NO,
    "pain_activity": YES_NO,
    "depressive_mood": YES_NO,
    "anxiety": YES_NO,
    "prior_sick_leave": YES_NO,
    "sector": ("public", "private"),
    "household_income": ("low", "middle", "high"),
}
AGE_GROUPS = ("30-", "31-49", "50+")
DIAGNOSIS_GROUPS = ("musculoskeletal", "psychiatric", "cancer", "other")
SYMPTOMS = ("pain_rest", "pain_activity", "depressive_mood", "anxiety")
COLUMNS = (
    "id", "programme_id", "coordinator", "programme_type", "days_to_first_rtw", "first_rtw",
    "days_to_full_rtw", "full_rtw", "sex", "age", "marital_status", "education", "diagnosis",
    *SYMPTOMS, "prior_sick_leave", "sector", "household_income",
)
SCHEMA = Schema(
    "cohort.csv",
    (
        Field("id", "text", unique=True),
        Field("programme_id", "text"),
        Field("coordinator", "category", YES_NO),
        Field("programme_type", "category", PROGRAMME_TYPES, nullable=True),
        *(
            field
            for outcome in OUTCOMES
            for field in (Field(f"days_to_{outcome}", "integer", minimum=0),
                          Field(outcome, "binary"))
        ),
        Field("age", "integer", nullable=True, minimum=15, maximum=80),
        *(
            Field(name, "category", levels, nullable=True, required=name != "household_income")
            for name, levels in LEVELS.items()
            if name not in ("coordinator", "programme_type")
        ),
    ),
)

# Published numbers of the cohort paper (seeds/cohort-coordinator-and-rtw.txt), as printed.
# Table 1 counts per level; "no" counts of yes/no items and coordinator are n − yes − missing.
PUBLISHED_TABLE1: dict = {
    "n": 326,
    "sex": {"female": 232, "male": 94},
    "age_group": {"30-": 27, "31-49": 175, "50+": 123},
    "marital_status": {"partner": 219, "no_partner": 105},
    "education": {"elementary": 38, "upper_secondary": 154, "university_short": 93,
                  "university_long": 35},
    "diagnosis": {"musculoskeletal": 185, "psychiatric": 45, "other": 35, "cancer": 32,
                  "none": 16, "unspecific": 13},
    "pain_rest": {"yes": 267, "no": 49},
    "pain_activity": {"yes": 277, "no": 34},
    "depressive_mood": {"yes": 244, "no": 71},
    "anxiety": {"yes": 191, "no": 125},
    "programme_type": {"occupational_rehabilitation": 206, "treatment": 84, "follow_up": 32},
    "coordinator": {"yes": 237, "no": 89},
    "sector": {"public": 148, "private": 158},
    "prior_sick_leave": {"yes": 314, "no": 12},
}
PUBLISHED_TABLE1_PCT: dict = {
    "sex": {"female": "71", "male": "29"},
    "age_group": {"30-": "8", "31-49": "54", "50+": "38"},
    "marital_status": {"partner": "68", "no_partner": "32"},
    "education": {"elementary": "12", "upper_secondary": "48", "university_short": "29",
                  "university_long": "11"},
    "diagnosis": {"musculoskeletal": "57", "psychiatric": "14", "other": "11", "cancer": "10",
                  "none": "5", "unspecific": "4"},
    "pain_rest": {"yes": "85"}, "pain_activity": {"yes": "89"},
    "depressive_mood": {"yes": "78"}, "anxiety": {"yes": "60"},
    "programme_type": {"occupational_rehabilitation": "64", "treatment": "26", "follow_up": "10"},
    "coordinator": {"yes": "73"},
    "sector": {"public": "48", "private": "52"},
    "prior_sick_leave": {"yes": "96"},
}
PUBLISHED_MISSING = {"age_group": 1, "marital_status": 2, "education": 6, "pain_rest": 10,
                     "pain_activity": 15, "depressive_mood": 11, "anxiety": 10,
                     "programme_type": 4, "sector": 20}
# Kaplan–Meier medians (95 % CI as printed, SPSS style), days.
PUBLISHED_MEDIANS = {
    ("first_rtw", "coordinator", "yes"): ("128", "80", "176"),
    ("first_rtw", "coordinator", "no"): ("61", "43", "79"),
    ("full_rtw", "coordinator", "yes"): ("185", "137", "233"),
    ("full_rtw", "coordinator", "no"): ("128", "72", "184"),
    ("first_rtw", "programme_type", "occupational_rehabilitation"): ("109", "52", "166"),
    ("first_rtw", "programme_type", "treatment"): ("55", "37", "73"),
    ("first_rtw", "programme_type", "follow_up"): ("238", "192", "284"),
}
# Cox HRs for coordinator yes vs no: (hr, ci_low, ci_high, p); p None where not printed.
PUBLISHED_COX = {
    ("first_rtw", "cox_unadjusted"): ("0.70", "0.53", "0.94", "0.02"),
    ("first_rtw", "cox_without_programme_type"): ("0.72", "0.52", "0.99", None),
    ("first_rtw", "cox_adjusted"): ("0.75", "0.51", "1.10", "0.14"),
    ("full_rtw", "cox_unadjusted"): ("0.83", "0.62", "1.13", "0.24"),
    ("full_rtw", "cox_adjusted"): ("0.82", "0.55", "1.22", "0.32"),
}
PUBLISHED_RTW360 = {"occupational_rehabilitation": "63", "treatment": "88", "follow_up": "63"}
PUBLISHED_COORDINATOR_SHARE = {"occupational_rehabilitation": "72.4", "treatment": "50",
                               "follow_up": "76"}
PUBLISHED_OR = ("2.7", "1.3", "5.5")
# Calibration tolerances of the synthetic cohort (issue 3): medians ±10 %, HRs ±0.05.
MEDIAN_TOLERANCE = 0.10
HR_TOLERANCE = 0.05
COX_MODELS = ("cox_unadjusted", "cox_without_programme_type", "cox_adjusted")
Z95 = norm.ppf(0.975)


# ---------------------------------------------------------------------------------------------
# Input


def load(data_dir: Path | str) -> pd.DataFrame:
    """Read and validate ``cohort.csv``: schema, then the cross-column rules (all reported)."""
    frame = read_table(Path(data_dir), SCHEMA)
    name = f"{Path(data_dir).resolve().name}/{SCHEMA.file}"
    problems = []
    rules = (
        ("days_to_full_rtw", frame["days_to_full_rtw"] < frame["days_to_first_rtw"],
         "full RTW is earlier than first RTW",
         "days_to_full_rtw must be at least days_to_first_rtw (a full return is also a return)"),
        ("full_rtw", (frame["full_rtw"] == 1) & (frame["first_rtw"] == 0),
         "full RTW is recorded but first RTW is censored",
         "set first_rtw to 1 (with its day) or full_rtw to 0"),
    )
    for column, failing, message, fix in rules:
        problems += [Problem(name, column, int(i) + 1, message, fix)
                     for i in failing.index[failing.fillna(False)]]
    if problems:
        raise InputError(problems)
    return frame


def prepare(frame: pd.DataFrame, follow_up_days: int = 360) -> pd.DataFrame:
    """Analysis frame: censor at ``follow_up_days``; add age group and collapsed diagnosis."""
    data = frame.copy()
    for outcome in OUTCOMES:
        days = data[f"days_to_{outcome}"].astype(float)
        data[outcome] = ((data[outcome] == 1) & (days <= follow_up_days)).astype(int)
        data[f"days_to_{outcome}"] = days.clip(upper=follow_up_days)
    age = data["age"].astype(float)
    data["age_group"] = pd.Series(
        np.select([age <= 30, age <= 49, age >= 50], AGE_GROUPS, default=""), index=data.index
    ).replace("", pd.NA).astype("string")
    data["diagnosis_group"] = data["diagnosis"].replace(
        {"unspecific": "other", "none": "other"}).astype("string")
    return data


# ---------------------------------------------------------------------------------------------
# Table 1


def level_label(variable: str, level: str, lang: str) -> str:
    """The display name of one level of a variable."""
    return t(f"cohort.level.{variable}.{level}", lang)


TABLE1_VARIABLES = ("sex", "age_group", "marital_status", "education", "diagnosis", *SYMPTOMS,
                    "programme_type", "sector", "prior_sick_leave", "household_income")


def table1_counts(data: pd.DataFrame) -> pd.DataFrame:
    """Counts per variable and level (``""`` = missing) overall and by coordinator."""
    records = []
    groups = {"total": data, "yes": data[data["coordinator"] == "yes"],
              "no": data[data["coordinator"] == "no"]}
    variables = [v for v in TABLE1_VARIABLES if v in data and data[v].notna().any()]
    for variable in variables:
        levels = AGE_GROUPS if variable == "age_group" else LEVELS[variable]
        for level in (*levels, ""):
            record = {"variable": variable, "level": level}
            for name, group in groups.items():
                values = group[variable]
                record[name] = int(values.isna().sum() if level == "" else (values == level).sum())
            records.append(record)
    return pd.DataFrame(records)


def table1(data: pd.DataFrame, lang: str, suppress_below: int = 0) -> pd.DataFrame:
    """Table 1 for display: n (% of those with a known value), small counts suppressed."""
    counts = table1_counts(data)
    groups = ("total", "yes", "no")
    headers = {
        "total": t("common.total", lang),
        "yes": t("cohort.group.coordinator.yes", lang),
        "no": t("cohort.group.coordinator.no", lang),
    }
    rows = [{t("cohort.table1.variable", lang): t("cohort.table1.n_row", lang),
             **{headers[g]: fmt_int(int(counts[counts.variable == "sex"][g].sum()), lang)
                for g in groups}}]
    for variable, block in counts.groupby("variable", sort=False):
        known = block[block.level != ""][list(groups)].sum()
        rows.append({t("cohort.table1.variable", lang): t(f"cohort.var.{variable}", lang),
                     **{headers[g]: "" for g in groups}})
        for _, item in block.iterrows():
            if item.level == "" and not any(item[g] for g in groups):
                continue
            name = t("common.missing", lang) if item.level == "" else level_label(
                variable, item.level, lang)
            cells = {}
            for g in groups:
                count = int(item[g])
                if is_suppressed(count, suppress_below):
                    cells[headers[g]] = suppress_count(count, suppress_below, lang)
                elif item.level == "" or known[g] == 0:
                    cells[headers[g]] = fmt_int(count, lang)
                else:
                    share = fmt_pct(count / known[g], lang)
                    cells[headers[g]] = f"{fmt_int(count, lang)} ({share})"
            rows.append({t("cohort.table1.variable", lang): f"\u2003{name}", **cells})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Kaplan–Meier and medians


def km_fit(durations: pd.Series, events: pd.Series, label: str = "") -> KaplanMeierFitter:
    """A lifelines Kaplan–Meier fit (log(−log) pointwise 95 % CI)."""
    return KaplanMeierFitter().fit(durations.astype(float), events.astype(int), label=label)


def km_steps(durations: pd.Series, events: pd.Series) -> pd.DataFrame:
    """Event times with at risk, events, S(t) and its Greenwood standard error."""
    table = km_fit(durations, events).event_table
    table = table[table["observed"] > 0]
    at_risk, observed = table["at_risk"].to_numpy(float), table["observed"].to_numpy(float)
    survival = np.cumprod(1 - observed / at_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(observed / (at_risk * (at_risk - observed)))
    return pd.DataFrame({"time": table.index.to_numpy(float), "at_risk": at_risk,
                         "events": observed, "survival": survival,
                         "se": survival * np.sqrt(greenwood)})


def km_quantile_time(steps: pd.DataFrame, level: float = 0.5) -> float:
    """Smallest event time with S(t) ≤ ``level`` (inf if S never gets there)."""
    hit = steps.loc[steps["survival"] <= level + 1e-12, "time"]
    return float(hit.iloc[0]) if len(hit) else math.inf


def spss_median_se(steps: pd.DataFrame, epsilon: float = 0.05) -> float:
    """Standard error of the KM median as SPSS KM reports it (Collett's estimator).

    ``SE = se_G(Ŝ(m)) / f̂(m)`` with ``se_G`` Greenwood's SE of Ŝ at the median ``m`` and the
    density ``f̂(m) = (Ŝ(u) − Ŝ(l)) / (l − u)``, where ``u`` is the largest event time with
    ``Ŝ(u) ≥ 0.5 + ε`` (time 0, Ŝ = 1, if none) and ``l`` the smallest with ``Ŝ(l) ≤ 0.5 − ε``,
    ε = 0.05. NaN when the median or ``l`` is not reached.
    """
    median = km_quantile_time(steps)
    lower = steps[steps["survival"] <= 0.5 - epsilon + 1e-12]
    if math.isinf(median) or lower.empty:
        return math.nan
    upper = steps[steps["survival"] >= 0.5 + epsilon - 1e-12]
    u_time, u_surv = ((0.0, 1.0) if upper.empty
                      else (upper["time"].iloc[-1], upper["survival"].iloc[-1]))
    l_time, l_surv = lower["time"].iloc[0], lower["survival"].iloc[0]
    density = (u_surv - l_surv) / (l_time - u_time)
    se_at_median = float(steps.loc[steps["time"] == median, "se"].iloc[0])
    return se_at_median / density


def median_summary(durations: pd.Series, events: pd.Series) -> dict:
    """Median with the SPSS-style interval and the Brookmeyer–Crowley interval."""
    steps = km_steps(durations, events)
    median = km_quantile_time(steps)
    se = spss_median_se(steps)
    ci = median_survival_times(km_fit(durations, events).confidence_interval_)
    bc_low, bc_high = (float(x) for x in ci.iloc[0])
    finite = math.isfinite(median)
    return {
        "n": len(durations),
        "events": int(events.sum()),
        "estimate": median if finite else None,
        "se_spss": se,
        "spss": {"estimate": median if finite else None,
                 "ci_low": median - Z95 * se if finite else None,
                 "ci_high": median + Z95 * se if finite else None},
        "bc": {"estimate": median if finite else None,
               "ci_low": bc_low if math.isfinite(bc_low) else None,
               "ci_high": bc_high if math.isfinite(bc_high) else None},
    }


def group_levels(data: pd.DataFrame, by: str) -> list[str]:
    """The levels of ``by`` present in the data, in contract order."""
    return [level for level in LEVELS[by] if (data[by] == level).any()]


def logrank(data: pd.DataFrame, outcome: str, by: str) -> dict:
    """Log-rank test of ``outcome`` across the levels of ``by`` (rows with ``by`` missing out)."""
    rows = data[data[by].notna()]
    durations, events = rows[f"days_to_{outcome}"], rows[outcome]
    levels = group_levels(rows, by)
    if len(levels) == 2:
        a, b = (rows[by] == level for level in levels)
        result = logrank_test(durations[a], durations[b], events[a], events[b])
    else:
        result = multivariate_logrank_test(durations, rows[by].astype(str), events)
    return {"chi2": float(result.test_statistic), "df": len(levels) - 1,
            "p": float(result.p_value)}


def at_risk_counts(data: pd.DataFrame, outcome: str, by: str, times: list[float]) -> pd.DataFrame:
    """Numbers at risk (still not returned and not censored) at each time, by group."""
    durations = data[f"days_to_{outcome}"]
    return pd.DataFrame(
        {level: [int((durations[data[by] == level] >= time).sum()) for time in times]
         for level in group_levels(data, by)},
        index=times,
    ).T


# ---------------------------------------------------------------------------------------------
# Cox models


def covariates(model: str, data: pd.DataFrame) -> list[str]:
    """The covariates of a model block (household income only when the data have it)."""
    if model == "cox_unadjusted":
        return ["coordinator"]
    confounders = ["age_group", "sex", "marital_status", "education", "diagnosis_group",
                   *SYMPTOMS, "prior_sick_leave"]
    if "household_income" in data and data["household_income"].notna().any():
        confounders.append("household_income")
    if model == "cox_adjusted":
        confounders.append("programme_type")
    return ["coordinator", *confounders]


def _reference_levels(variable: str) -> tuple[str, ...]:
    if variable == "age_group":
        return AGE_GROUPS
    if variable == "diagnosis_group":
        return DIAGNOSIS_GROUPS
    if LEVELS[variable] == YES_NO:
        return ("no", "yes")  # yes/no items: indicator of "yes"
    return LEVELS[variable]


def design(data: pd.DataFrame, outcome: str, variables: list[str]) -> pd.DataFrame:
    """Complete-case design matrix: duration, event, programme and dummy-coded covariates."""
    rows = data.dropna(subset=variables)
    out = pd.DataFrame({"duration": rows[f"days_to_{outcome}"].astype(float),
                        "event": rows[outcome].astype(int),
                        "programme_id": rows["programme_id"].astype(str)})
    for variable in variables:
        levels = _reference_levels(variable)
        for level in levels[1:]:
            column = "coordinator" if variable == "coordinator" else f"{variable}={level}"
            out[column] = (rows[variable] == level).astype(float)
    # A level absent from the complete cases would make the model singular: drop it.
    return out.loc[:, (out != 0).any() | out.columns.isin(["event"])]


def _hr(coef: float, se: float, p: float, n: int) -> dict:
    return {"hr": math.exp(coef), "ci_low": math.exp(coef - Z95 * se),
            "ci_high": math.exp(coef + Z95 * se), "p": p, "n": n}


def cox_lifelines(frame: pd.DataFrame, cluster: bool = False) -> CoxPHFitter:
    """lifelines Cox fit (Efron ties); cluster-robust sandwich SEs by programme if asked."""
    fit_frame = frame if cluster else frame.drop(columns="programme_id")
    return CoxPHFitter().fit(fit_frame, "duration", "event",
                             cluster_col="programme_id" if cluster else None)


def cox_statsmodels(frame: pd.DataFrame, ties: str = "breslow"):
    """statsmodels ``PHReg`` fit on the same design matrix."""
    exog = frame.drop(columns=["duration", "event", "programme_id"])
    return PHReg(frame["duration"], exog, status=frame["event"], ties=ties).fit()


def cox_coordinator(data: pd.DataFrame, outcome: str, model: str) -> dict:
    """Coordinator HR of one block with every engine: Efron, Breslow, cluster-robust."""
    frame = design(data, outcome, covariates(model, data))
    n = len(frame)
    efron = cox_lifelines(frame).summary.loc["coordinator"]
    robust = cox_lifelines(frame, cluster=True).summary.loc["coordinator"]
    breslow = cox_statsmodels(frame, "breslow")
    index = list(breslow.model.exog_names).index("coordinator")
    return {
        "efron": _hr(efron["coef"], efron["se(coef)"], efron["p"], n),
        "breslow": _hr(breslow.params[index], breslow.bse[index], breslow.pvalues[index], n),
        "robust": _hr(robust["coef"], robust["se(coef)"], robust["p"], n),
    }


def ph_test(data: pd.DataFrame, outcome: str, model: str) -> dict:
    """Scaled Schoenfeld residual test (rank time) for coordinator and all terms (global)."""
    frame = design(data, outcome, covariates(model, data)).drop(columns="programme_id")
    fitted = CoxPHFitter().fit(frame, "duration", "event")
    result = proportional_hazard_test(fitted, frame, time_transform="rank")
    summary = result.summary
    statistic = float(summary["test_statistic"].sum())
    return {"coordinator_p": float(summary.loc["coordinator", "p"]),
            "global_chi2": statistic, "global_df": len(summary),
            "global_p": float(chi2.sf(statistic, len(summary)))}


# ---------------------------------------------------------------------------------------------
# Programme types


def programme_type_summary(data: pd.DataFrame) -> dict:
    """Per programme type: n, first RTW within follow-up, share with coordinator, median."""
    summary = {}
    for level in PROGRAMME_TYPES:
        rows = data[data["programme_type"] == level]
        if rows.empty:
            continue
        summary[level] = {
            "n": len(rows),
            "returned": int(rows["first_rtw"].sum()),
            "rtw_rate": float(rows["first_rtw"].mean()),
            "coordinated": int((rows["coordinator"] == "yes").sum()),
            "coordinator_share": float((rows["coordinator"] == "yes").mean()),
            "median_days": median_summary(rows["days_to_first_rtw"], rows["first_rtw"]),
        }
    return summary


def coordinator_odds_ratio(data: pd.DataFrame) -> dict:
    """OR of having a coordinator, occupational rehabilitation or follow-up vs treatment.

    Crude logistic regression (statsmodels ``Logit``) with a Wald 95 % CI.
    """
    rows = data[data["programme_type"].notna()]
    exposed = (rows["programme_type"] != "treatment").astype(float)
    outcome = (rows["coordinator"] == "yes").astype(float)
    fit = sm.Logit(outcome, sm.add_constant(exposed.rename("exposed"))).fit(disp=0)
    low, high = fit.conf_int().loc["exposed"]
    return {"or": math.exp(fit.params["exposed"]), "ci_low": math.exp(low),
            "ci_high": math.exp(high), "p": float(fit.pvalues["exposed"]), "n": len(rows)}


# ---------------------------------------------------------------------------------------------
# All results


def _median_pair(data: pd.DataFrame, outcome: str) -> dict:
    return {level: median_summary(data.loc[data.coordinator == level, f"days_to_{outcome}"],
                                  data.loc[data.coordinator == level, outcome])
            for level in YES_NO}


def analyse(data: pd.DataFrame, follow_up_days: int = 360) -> dict:
    """Every number of the chapter from a prepared frame (the ``cohort.json`` payload)."""
    names = {"yes": "coordinator", "no": "no_coordinator"}
    outcomes = {}
    for outcome in OUTCOMES:
        medians = _median_pair(data, outcome)
        cox = {model: cox_coordinator(data, outcome, model) for model in COX_MODELS}
        outcomes[outcome] = {
            "median_days": {names[k]: v["spss"] for k, v in medians.items()},
            "median_days_bc": {names[k]: v["bc"] for k, v in medians.items()},
            "median_se_spss": {names[k]: v["se_spss"] for k, v in medians.items()},
            "events": {names[k]: v["events"] for k, v in medians.items()},
            "logrank": logrank(data, outcome, "coordinator"),
            "cox_unadjusted": cox["cox_unadjusted"]["efron"],
            "cox_unadjusted_breslow": cox["cox_unadjusted"]["breslow"],
            "cox_without_programme_type": cox["cox_without_programme_type"]["efron"],
            "cox_adjusted": cox["cox_adjusted"]["efron"],
            "cox_all_engines": cox,
            "ph_test": {model: ph_test(data, outcome, model)
                        for model in ("cox_unadjusted", "cox_adjusted")},
        }
    types = programme_type_summary(data)
    return {
        "n": len(data),
        "n_coordinator": int((data["coordinator"] == "yes").sum()),
        "n_programmes": int(data["programme_id"].nunique()),
        "follow_up_days": int(follow_up_days),
        "outcomes": outcomes,
        "programme_type": {
            "groups": types,
            "logrank_first_rtw": logrank(data, "first_rtw", "programme_type"),
            "coordinator_odds_ratio": coordinator_odds_ratio(data),
        },
    }


# ---------------------------------------------------------------------------------------------
# Reproduction rows


def _names(codes: dict[str, str], lang: str) -> dict[str, str]:
    """Display names in ``lang`` for the codes that fill a reproduction label."""
    names = {}
    for name, code in codes.items():
        if name == "level":
            names[name] = level_label(codes.get("variable", "programme_type"), code, lang)
        elif name == "variable":
            names[name] = t(f"cohort.var.{code}", lang)
        else:
            names[name] = t(f"cohort.{name}.{code}", lang)
    return names


def _row(key: str, published: str, computed: float | None, status: str,
         reason: str | None = None, **codes: str) -> dict:
    item = reproduction.row(key, published, computed, status, reason, **_names(codes, "en"))
    item["quantity"] = {lang: t(key, lang, **_names(codes, lang)) for lang in LANGS}
    return item


def _fixed_row(key: str, published: str, computed: float, synthetic: bool, **codes: str) -> dict:
    """A value the synthetic data hit by construction (a plain comparison on other data)."""
    if reproduction.within_rounding(computed, published):
        return _row(key, published, computed,
                    "exact_by_construction" if synthetic else "matches", **codes)
    return _row(key, published, computed, "differs", "cohort.reason.other_data", **codes)


def _outcome_row(key: str, published: str, computed: float | None, synthetic: bool,
                 tolerance: float | None = None, **codes: str) -> dict:
    """A value that depends on synthetic outcomes: calibrated, or differs with the reason."""
    if computed is None:
        return _row(key, published, None, "differs", "cohort.reason.not_reached", **codes)
    if not synthetic:
        if reproduction.within_rounding(computed, published):
            return _row(key, published, computed, "matches", **codes)
        return _row(key, published, computed, "differs", "cohort.reason.other_data", **codes)
    if tolerance is not None and abs(computed - float(published)) > tolerance:
        return _row(key, published, computed, "differs", "cohort.reason.outside_tolerance",
                    **codes)
    return _row(key, published, computed, "calibrated", **codes)


def reproduction_rows(data: pd.DataFrame, results: dict, synthetic: bool = True) -> list[dict]:
    """Every published number of the paper beside the computed one, with its status."""
    rows = []
    for variable, levels in PUBLISHED_TABLE1.items():
        if variable == "n":
            rows.append(_fixed_row("cohort.repro.n", str(levels), len(data), synthetic))
            continue
        column = "age" if variable == "age_group" else variable
        known = int(data[column].notna().sum())
        for level, published in levels.items():
            computed = int((data[variable] == level).sum())
            codes = {"variable": variable, "level": level}
            rows.append(_fixed_row("cohort.repro.table1_n", str(published), computed, synthetic,
                                   **codes))
            pct = PUBLISHED_TABLE1_PCT.get(variable, {}).get(level)
            if pct is None:
                continue
            share = 100 * computed / known
            if reproduction.within_rounding(share, pct):
                rows.append(_row("cohort.repro.table1_pct", pct, share, "matches", **codes))
            else:
                reason = ("cohort.reason.symptom_pct" if synthetic and variable in SYMPTOMS
                          else "cohort.reason.other_data")
                rows.append(_row("cohort.repro.table1_pct", pct, share, "differs", reason,
                                 **codes))
        if variable in PUBLISHED_MISSING:
            rows.append(_fixed_row("cohort.repro.table1_missing",
                                   str(PUBLISHED_MISSING[variable]),
                                   int(data[column].isna().sum()), synthetic,
                                   variable=variable))
    ages = data["age"].dropna().astype(float)
    for stat, published, computed in (("median", "46", ages.median()), ("min", "21", ages.min()),
                                      ("max", "67", ages.max())):
        rows.append(_fixed_row(f"cohort.repro.age_{stat}", published, float(computed),
                               synthetic))
    rows.append(_fixed_row("cohort.repro.n_programmes", "43", results["n_programmes"],
                           synthetic))

    groups = results["programme_type"]["groups"]
    for (outcome, by, level), (est, low, high) in PUBLISHED_MEDIANS.items():
        if by == "coordinator":
            median = results["outcomes"][outcome]["median_days"][
                "coordinator" if level == "yes" else "no_coordinator"]
        else:
            median = groups.get(level, {}).get("median_days", {}).get("spss", {})
        codes = {"outcome": outcome, "group": f"{by}.{level}"}
        rows.append(_outcome_row("cohort.repro.median", est, median.get("estimate"), synthetic,
                                 MEDIAN_TOLERANCE * float(est), **codes))
        for bound, published in (("ci_low", low), ("ci_high", high)):
            rows.append(_outcome_row(f"cohort.repro.median_{bound}", published,
                                     median.get(bound), synthetic, **codes))
    for (outcome, model), (hr, low, high, p) in PUBLISHED_COX.items():
        fit = results["outcomes"][outcome][model]
        codes = {"outcome": outcome, "model": model}
        rows.append(_outcome_row("cohort.repro.hr", hr, fit["hr"], synthetic, HR_TOLERANCE,
                                 **codes))
        for name, published in (("ci_low", low), ("ci_high", high), ("p", p)):
            if published is not None:
                rows.append(_outcome_row(f"cohort.repro.hr_{name}", published, fit[name],
                                         synthetic, **codes))
    for level, published in PUBLISHED_RTW360.items():
        if level in groups:
            rows.append(_outcome_row("cohort.repro.rtw360", published,
                                     100 * groups[level]["rtw_rate"], synthetic, 5.0,
                                     level=level))
    if "treatment" in groups:
        rows.append(_outcome_row("cohort.repro.rtw360_n", "74", groups["treatment"]["returned"],
                                 synthetic, 4.0, level="treatment"))
    for level, published in PUBLISHED_COORDINATOR_SHARE.items():
        if level in groups:
            rows.append(_row("cohort.repro.coordinator_share", published,
                             100 * groups[level]["coordinator_share"], "differs",
                             "cohort.reason.coordinator_share", level=level))
    odds = results["programme_type"]["coordinator_odds_ratio"]
    rows.append(_fixed_row("cohort.repro.or", PUBLISHED_OR[0], odds["or"], synthetic))
    for name, published in zip(("ci_low", "ci_high"), PUBLISHED_OR[1:], strict=True):
        rows.append(_row(f"cohort.repro.or_{name}", published, odds[name], "differs",
                         "cohort.reason.or_ci"))
    for key, published in (("cohort.repro.provider_median_yes", "102"),
                           ("cohort.repro.provider_median_no", "79"),
                           ("cohort.repro.provider_p", "0.25")):
        rows.append(_row(key, published, None, "not_reproducible",
                         "cohort.reason.provider_item"))
    return rows


# ---------------------------------------------------------------------------------------------
# Display tables (bilingual)


def group_label(by: str, level: str, lang: str) -> str:
    """Legend/column name of a group (coordinator yes/no or a programme type)."""
    return t(f"cohort.group.{by}.{level}", lang)


def _days(value: float | None, lang: str) -> str:
    return fmt_num(value, lang, 0)


def _day_range(interval: dict, lang: str) -> str:
    return f"{_days(interval['ci_low'], lang)}–{_days(interval['ci_high'], lang)}"


def median_table(data: pd.DataFrame, outcome: str, by: str, lang: str) -> pd.DataFrame:
    """Median days with both 95 % intervals, by group, side by side."""
    records = []
    for level in group_levels(data, by):
        rows = data[data[by] == level]
        summary = median_summary(rows[f"days_to_{outcome}"], rows[outcome])
        spss, bc = summary["spss"], summary["bc"]
        records.append({
            t("cohort.col.group", lang): group_label(by, level, lang),
            t("common.n", lang): fmt_int(summary["n"], lang),
            t("cohort.col.events", lang): fmt_int(summary["events"], lang),
            t("cohort.col.median", lang): _days(summary["estimate"], lang),
            t("cohort.col.ci_spss", lang): _day_range(spss, lang),
            t("cohort.col.ci_bc", lang): _day_range(bc, lang),
        })
    return pd.DataFrame(records)


def cox_table(results: dict, outcome: str, lang: str) -> pd.DataFrame:
    """Coordinator HR per model block: Efron (main), Breslow and cluster-robust columns."""
    records = []
    engines = results["outcomes"][outcome]["cox_all_engines"]
    for model in COX_MODELS:
        fits = engines[model]
        records.append({
            t("cohort.col.model", lang): t(f"cohort.model.{model}", lang),
            t("common.n", lang): fmt_int(fits["efron"]["n"], lang),
            t("cohort.col.hr_efron", lang): fmt_estimate(
                fits["efron"]["hr"], fits["efron"]["ci_low"], fits["efron"]["ci_high"], lang),
            t("cohort.col.p", lang): fmt_p(fits["efron"]["p"], lang, with_symbol=False),
            t("cohort.col.hr_breslow", lang): fmt_estimate(
                fits["breslow"]["hr"], fits["breslow"]["ci_low"], fits["breslow"]["ci_high"],
                lang),
            t("cohort.col.ci_robust", lang): (
                f"{fmt_num(fits['robust']['ci_low'], lang)}–"
                f"{fmt_num(fits['robust']['ci_high'], lang)}"
                f" ({fmt_p(fits['robust']['p'], lang)})"),
        })
    return pd.DataFrame(records)


def ph_table(results: dict, lang: str) -> pd.DataFrame:
    """Scaled Schoenfeld residual tests for coordinator and globally."""
    records = []
    for outcome in OUTCOMES:
        for model, test in results["outcomes"][outcome]["ph_test"].items():
            records.append({
                t("cohort.col.outcome", lang): t(f"cohort.outcome.{outcome}", lang),
                t("cohort.col.model", lang): t(f"cohort.model.{model}", lang),
                t("cohort.col.ph_coordinator", lang): fmt_p(test["coordinator_p"], lang,
                                                            with_symbol=False),
                t("cohort.col.ph_global", lang): (
                    f"χ² = {fmt_num(test['global_chi2'], lang)}, df = {test['global_df']}, "
                    f"{fmt_p(test['global_p'], lang)}"),
            })
    return pd.DataFrame(records)


def programme_table(results: dict, lang: str, suppress_below: int = 0) -> pd.DataFrame:
    """Per programme type: n, RTW within follow-up, coordinator share, median (two CIs)."""
    records = []
    for level, group in results["programme_type"]["groups"].items():
        median = group["median_days"]

        def count_share(count: int, total: int) -> str:
            if is_suppressed(count, suppress_below):
                return suppress_count(count, suppress_below, lang)
            return f"{fmt_int(count, lang)}/{fmt_int(total, lang)} ({fmt_pct(count / total, lang)})"

        records.append({
            t("cohort.col.programme_type", lang): group_label("programme_type", level, lang),
            t("cohort.col.rtw_within", lang, days=results["follow_up_days"]): count_share(
                group["returned"], group["n"]),
            t("cohort.col.coordinator_share", lang): count_share(group["coordinated"],
                                                                 group["n"]),
            t("cohort.col.median", lang): _days(median["estimate"], lang),
            t("cohort.col.ci_spss", lang): _day_range(median["spss"], lang),
            t("cohort.col.ci_bc", lang): _day_range(median["bc"], lang),
        })
    return pd.DataFrame(records)


# ---------------------------------------------------------------------------------------------
# Figures

COLOURS = ("#1b6ca8", "#d1495b", "#3a7d44", "#7a5195")


def km_figure(data: pd.DataFrame, outcome: str, by: str, lang: str,
              suppress_below: int = 0, step: int = 60) -> plt.Figure:
    """Cumulative proportion returned to work by group, censor marks, median lines, log-rank p
    and a numbers-at-risk table under the axis."""
    rows = data[data[by].notna()]
    levels = group_levels(rows, by)
    follow_up = int(rows[f"days_to_{outcome}"].max())
    ticks = list(range(0, follow_up + 1, step))
    figure, (ax, table_ax) = plt.subplots(
        2, 1, figsize=(8, 5.6 + 0.25 * len(levels)), sharex=True,
        gridspec_kw={"height_ratios": [5, 0.55 + 0.3 * len(levels)]})
    for colour, level in zip(COLOURS, levels, strict=False):
        group = rows[rows[by] == level]
        fit = km_fit(group[f"days_to_{outcome}"], group[outcome],
                     label=group_label(by, level, lang))
        fit.plot_cumulative_density(ax=ax, ci_show=False, show_censors=True, color=colour,
                                    censor_styles={"marker": "|", "ms": 7})
        median = km_quantile_time(km_steps(group[f"days_to_{outcome}"], group[outcome]))
        if math.isfinite(median):
            ax.plot([median, median], [0, 0.5], ls=":", color=colour, lw=1)
    ax.axhline(0.5, ls=":", color="grey", lw=1)
    test = logrank(rows, outcome, by)
    ax.text(0.98, 0.04, f"{t('cohort.fig.logrank', lang)}: {fmt_p(test['p'], lang)}",
            transform=ax.transAxes, ha="right", va="bottom")
    ax.set_ylim(0, 1)
    ax.set_xlim(0, follow_up)
    ax.set_ylabel(t("cohort.fig.cumulative", lang))
    ax.yaxis.set_major_formatter(axis_formatter(lang, percent=True))
    ax.legend(loc="upper left", frameon=False)
    ax.set_xlabel("")
    counts = at_risk_counts(rows, outcome, by, ticks)
    table_ax.set_ylim(-0.5, len(levels) - 0.5)
    table_ax.invert_yaxis()
    for position, (colour, level) in enumerate(zip(COLOURS, levels, strict=False)):
        for tick in ticks:
            table_ax.text(tick, position, suppress_count(int(counts.loc[level, tick]),
                                                         suppress_below, lang),
                          ha="center", va="center", color=colour, fontsize=9)
    table_ax.set_yticks(range(len(levels)), [group_label(by, lv, lang) for lv in levels],
                        fontsize=9)
    table_ax.set_title(t("cohort.fig.at_risk", lang), loc="left", fontsize=9)
    table_ax.tick_params(axis="y", length=0, pad=16)
    for side in ("top", "right", "left"):
        table_ax.spines[side].set_visible(False)
    table_ax.set_xticks(ticks)
    table_ax.xaxis.set_major_formatter(axis_formatter(lang))
    table_ax.set_xlabel(t("cohort.fig.days", lang))
    figure.tight_layout()
    return figure


def schoenfeld_figure(data: pd.DataFrame, lang: str) -> plt.Figure:
    """Scaled Schoenfeld residuals of coordinator (unadjusted model) against time, with lowess."""
    figure, axes = plt.subplots(1, 2, figsize=(9, 3.8), sharey=True)
    for ax, outcome in zip(axes, OUTCOMES, strict=True):
        frame = design(data, outcome, ["coordinator"]).drop(columns="programme_id")
        fitted = CoxPHFitter().fit(frame, "duration", "event")
        residuals = fitted.compute_residuals(frame, "scaled_schoenfeld")["coordinator"]
        times = frame.loc[residuals.index, "duration"]
        ax.scatter(times, residuals, s=8, alpha=0.4, color=COLOURS[0])
        smooth = lowess(residuals.to_numpy(), times.to_numpy(), frac=0.5, it=0)
        ax.plot(smooth[:, 0], smooth[:, 1], color=COLOURS[1], lw=2)
        ax.axhline(fitted.params_["coordinator"], ls="--", color="grey", lw=1)
        ax.set_title(t(f"cohort.outcome.{outcome}", lang))
        ax.set_xlabel(t("cohort.fig.days", lang))
        ax.xaxis.set_major_formatter(axis_formatter(lang))
        ax.yaxis.set_major_formatter(axis_formatter(lang, decimals=1))
    axes[0].set_ylabel(t("cohort.fig.schoenfeld", lang))
    figure.tight_layout()
    return figure


def rtw_rate_figure(results: dict, lang: str) -> plt.Figure:
    """Share with a first RTW within follow-up by programme type (the paper's Figure 3)."""
    groups = results["programme_type"]["groups"]
    figure, ax = plt.subplots(figsize=(6.5, 3.2))
    names = [group_label("programme_type", level, lang) for level in groups]
    rates = [group["rtw_rate"] for group in groups.values()]
    bars = ax.barh(names, rates, color=COLOURS[0])
    for bar, rate in zip(bars, rates, strict=True):
        ax.text(rate + 0.01, bar.get_y() + bar.get_height() / 2, fmt_pct(rate, lang),
                va="center")
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(axis_formatter(lang, percent=True))
    ax.set_xlabel(t("cohort.fig.rtw_within", lang, days=results["follow_up_days"]))
    figure.tight_layout()
    return figure
