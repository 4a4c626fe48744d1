"""Cohort chapter: statistics against hand calculations and statsmodels, validation, calibration."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter, KaplanMeierFitter
from scipy.stats import chi2
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from analysis.chapters.cohort import cox, coxph, figures, survival, tables
from analysis.chapters.cohort.chapter import CohortResults, analyse
from analysis.chapters.cohort.data import DEFAULT_PLAN, OUTCOMES, YES_NO, load, prepare
from analysis.chapters.cohort.descriptives import table1
from analysis.chapters.cohort.programmes import coordinator_odds_ratio
from analysis.chapters.cohort.reproduction import published
from analysis.core.display import COLUMN_WIDTH
from analysis.core.validation import InputError
from analysis.generators import cohort as generator
from tests.helpers import SHIPPED_DATA, Shipped, table1_truth


@pytest.fixture(scope="module")
def prepared(shipped: Shipped) -> pd.DataFrame:
    """The shipped cohort as the statistics take it."""
    return prepare(shipped.data("cohort").frame)


@pytest.fixture(scope="module")
def shipped_results(shipped: Shipped) -> CohortResults:
    return shipped.results("cohort")


def _write(frame: pd.DataFrame, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    frame.to_csv(directory / "cohort.csv", index=False)
    return directory


# --- Kaplan–Meier, medians and log-rank against hand calculations -------------------------------

# Seven employees: returns on days 2, 3, 5, 8, 9; censored on days 3 and 6.
SMALL_DAYS = pd.Series([2, 3, 3, 5, 6, 8, 9])
SMALL_EVENTS = pd.Series([1, 1, 0, 1, 0, 1, 1])


def test_small_km_by_hand() -> None:
    steps = survival.km_steps(SMALL_DAYS, SMALL_EVENTS).set_index("time")
    # S(2) = 6/7, S(3) = 6/7·5/6, S(5) = 5/7·3/4 (4 at risk), S(8) = 15/28·1/2, S(9) = 0
    expected = {2: 6 / 7, 3: 5 / 7, 5: 15 / 28, 8: 15 / 56, 9: 0.0}
    assert steps["survival"].to_dict() == pytest.approx(expected)
    assert steps["at_risk"].tolist() == [7, 6, 4, 2, 1]
    greenwood_8 = 1 / (7 * 6) + 1 / (6 * 5) + 1 / (4 * 3) + 1 / (2 * 1)
    assert steps.loc[8, "se"] == pytest.approx(15 / 56 * math.sqrt(greenwood_8))


def test_small_median_and_spss_interval_by_hand() -> None:
    summary = survival.median_summary(SMALL_DAYS, SMALL_EVENTS)
    assert summary.estimate == 8  # first day with S <= 0.5
    # Collett/SPSS: u = 3 (last S >= 0.55, S = 5/7), l = 8 (first S <= 0.45, S = 15/56)
    density = (5 / 7 - 15 / 56) / (8 - 3)
    se_s = 15 / 56 * math.sqrt(1 / 42 + 1 / 30 + 1 / 12 + 1 / 2)
    assert summary.se_spss == pytest.approx(se_s / density)
    assert summary.spss.ci_low == pytest.approx(8 - 1.959964 * se_s / density, rel=1e-6)
    assert summary.spss.ci_high == pytest.approx(8 + 1.959964 * se_s / density, rel=1e-6)


def test_median_is_smallest_time_with_survival_at_most_half() -> None:
    # S(2) = 0.5 exactly: SPSS and this book take 2 (R's survfit would print 2.5).
    steps = survival.km_steps(pd.Series([1, 2, 3, 4]), pd.Series([1, 1, 1, 1]))
    assert survival.km_quantile_time(steps) == 2
    never = survival.km_steps(pd.Series([1, 5, 5, 5]), pd.Series([1, 0, 0, 0]))
    assert math.isinf(survival.km_quantile_time(never))
    assert math.isnan(survival.spss_median_se(never))


def test_small_logrank_by_hand() -> None:
    frame = pd.DataFrame(
        {
            "days_to_first_rtw": [1, 3, 4, 2, 5, 6],
            "first_rtw": [1, 1, 1, 1, 0, 1],
            "coordinator": ["yes", "yes", "yes", "no", "no", "no"],
        }
    )
    # Event days 1, 2, 3, 4, 6 with (at risk yes, at risk no, events yes, events total):
    table = [(3, 3, 1, 1), (2, 3, 0, 1), (2, 2, 1, 1), (1, 2, 1, 1), (0, 1, 0, 1)]
    observed = expected = variance = 0.0
    for n_yes, n_no, d_yes, d in table:
        n = n_yes + n_no
        observed += d_yes
        expected += d * n_yes / n
        variance += n_yes * n_no * d * (n - d) / (n**2 * (n - 1)) if n > 1 else 0.0
    statistic = (observed - expected) ** 2 / variance
    result = survival.logrank(frame, "first_rtw", "coordinator")
    assert result.chi2 == pytest.approx(statistic)
    assert result.p == pytest.approx(chi2.sf(statistic, 1))
    # by hand: O − E = 3 − 26/15, V = 1/4 + 6/25 + 1/4 + 2/9
    assert statistic == pytest.approx((3 - 26 / 15) ** 2 / (1 / 4 + 6 / 25 + 1 / 4 + 2 / 9))


# --- lifelines against statsmodels on the same data ---------------------------------------------


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_km_and_logrank_agree_with_statsmodels(prepared: pd.DataFrame, outcome: str) -> None:
    for level in YES_NO:
        rows = prepared[prepared.coordinator == level]
        durations, events = rows[f"days_to_{outcome}"], rows[outcome]
        steps = survival.km_steps(durations, events)
        reference = SurvfuncRight(durations.to_numpy(float), events.to_numpy(int))
        assert steps["survival"].to_numpy() == pytest.approx(reference.surv_prob)
        assert steps["se"].to_numpy() == pytest.approx(reference.surv_prob_se)
        assert survival.km_quantile_time(steps) == reference.quantile(0.5)
    statistic, p = survdiff(
        prepared[f"days_to_{outcome}"].to_numpy(float),
        prepared[outcome].to_numpy(int),
        prepared["coordinator"].to_numpy(),
    )
    result = survival.logrank(prepared, outcome, "coordinator")
    assert result.chi2 == pytest.approx(statistic)
    assert result.p == pytest.approx(p)


@pytest.mark.parametrize("model", DEFAULT_PLAN.models)
def test_cox_engine_equals_lifelines_and_statsmodels(prepared: pd.DataFrame, model: str) -> None:
    frame = cox.design(prepared, "first_rtw", cox.covariates(model, prepared))
    x = frame.drop(columns=list(cox.DESIGN_COLUMNS))
    names = list(x.columns)
    efron = coxph.fit(frame["duration"], frame["event"], x, names, "efron")
    lifelines_fit = CoxPHFitter().fit(
        frame.drop(columns=["programme_id", "weight"]),
        "duration",
        "event",
        fit_options={"precision": 1e-12, "max_steps": 100},
    )
    assert efron.coef == pytest.approx(lifelines_fit.params_[names].to_numpy(), rel=1e-6)
    assert efron.se == pytest.approx(lifelines_fit.standard_errors_[names].to_numpy(), rel=1e-6)
    for ties in coxph.TIES:
        ours = coxph.fit(frame["duration"], frame["event"], x, names, ties)
        reference = PHReg(frame["duration"], x, status=frame["event"], ties=ties).fit()
        assert ours.coef == pytest.approx(reference.params, rel=1e-5)
        assert ours.se == pytest.approx(reference.bse, rel=1e-5)


def test_breslow_differs_little_from_efron_and_robust_changes_only_the_interval(
    shipped_results: dict,
) -> None:
    for outcome in OUTCOMES:
        for fits in shipped_results.outcomes[outcome].cox.values():
            assert fits.breslow.hr == pytest.approx(fits.efron.hr, abs=0.02)
            assert fits.breslow.hr != fits.efron.hr
            assert fits.robust.hr == pytest.approx(fits.efron.hr)
            assert fits.robust.ci_low != pytest.approx(fits.efron.ci_low)


def test_odds_ratio_equals_cross_product(prepared: pd.DataFrame, shipped_results: dict) -> None:
    rows = prepared[prepared.programme_type.notna()]
    exposed = rows.programme_type != "treatment"
    yes = rows.coordinator == "yes"
    a, b = (exposed & yes).sum(), (exposed & ~yes).sum()
    c, d = (~exposed & yes).sum(), (~exposed & ~yes).sum()
    # The statistic itself (the page withholds it while a programme type's size is hidden).
    odds = coordinator_odds_ratio(prepared, DEFAULT_PLAN.subgroups["programme_type"])
    assert odds.odds_ratio == pytest.approx(a * d / (b * c))
    woolf = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    assert odds.ci_low == pytest.approx(a * d / (b * c) * math.exp(-1.959964 * woolf), rel=1e-5)


# --- numbers at risk ---------------------------------------------------------------------------


def test_numbers_at_risk_match_the_data_and_the_figure(
    prepared: pd.DataFrame, shipped_results: CohortResults
) -> None:
    ticks = [0, 60, 120, 180, 240, 300, 360]
    counts = survival.at_risk_counts(prepared, "first_rtw", "coordinator", ticks)
    comparison = shipped_results.outcomes["first_rtw"].by_coordinator
    assert list(comparison.ticks) == ticks
    # At 5 only the two last numbers without a coordinator are hidden: 21 at day 240, then
    # 20 and 19 would tell that one person, then two, left the risk set.
    assert comparison.at_risk.loc["yes"].tolist() == counts.loc["yes"].tolist()
    assert comparison.at_risk.loc["no"].tolist() == [89, 46, 35, 27, 21, None, None]
    for level in YES_NO:
        rows = prepared[prepared.coordinator == level]
        table = KaplanMeierFitter().fit(rows.days_to_first_rtw, rows.first_rtw).event_table
        for tick in ticks:  # n minus everyone removed (returned or censored) before the tick
            expected = len(rows) - table.loc[table.index < tick, "removed"].sum()
            assert counts.loc[level, tick] == expected
    assert counts.loc["yes", 0] == 237 and counts.loc["no", 0] == 89
    # At a threshold of 30 the 19 without a coordinator who never returned are a hidden count;
    # every number at risk of that group is at least that count, and its curve ends at the
    # share returned, so the group's curve and numbers at risk are withheld with it.
    comparison = survival.km_comparison(prepared, "first_rtw", "coordinator", suppress_below=30)
    assert comparison.withheld == ("no",)
    assert [curve.level for curve in comparison.curves] == ["yes"]
    assert list(comparison.at_risk.index) == ["yes"]
    # Shown where at least 30 left since the number shown before (237, 151, 121, 85).
    assert comparison.at_risk.loc["yes"].tolist() == [237, 151, 121, None, None, 85, None]
    figure = figures.km_figure(comparison, DEFAULT_PLAN, "en", COLUMN_WIDTH)
    shown = {text.get_text() for text in figure.axes[1].texts}
    assert "19" not in shown and "79" not in shown and str(counts.loc["yes", 300]) in shown


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "row", "value", "words"),
    [
        ("days_to_first_rtw", 3, "-4", "below the minimum"),
        ("days_to_full_rtw", 5, "12.5", "not a whole number"),
        ("first_rtw", 7, "2", "not 0 or 1"),
        ("coordinator", 2, "maybe", "not one of the allowed values"),
        ("programme_type", 9, "surgery", "not one of the allowed values"),
        ("id", 4, "E0001", "appears more than once"),
    ],
)
def test_bad_cells_are_reported_with_file_column_row(
    tmp_path: Path, column: str, row: int, value: str, words: str
) -> None:
    frame = pd.read_csv(SHIPPED_DATA / "cohort.csv", dtype=str, keep_default_na=False)
    frame.loc[row - 1, column] = value
    with pytest.raises(InputError) as error:
        load(_write(frame, tmp_path / "data"))
    problems = [p for p in error.value.problems if p.column == column and p.row == row]
    assert problems, str(error.value)
    assert words in problems[0].message
    assert problems[0].file.endswith("cohort.csv")


def test_full_before_first_and_full_without_first_are_rejected(tmp_path: Path) -> None:
    frame = pd.read_csv(SHIPPED_DATA / "cohort.csv", dtype=str, keep_default_na=False)
    returned = frame.index[(frame.first_rtw == "1") & (frame.days_to_first_rtw.astype(int) > 5)]
    early, orphan = int(returned[0]), int(returned[1])
    frame.loc[early, "days_to_full_rtw"] = "3"
    frame.loc[orphan, "first_rtw"] = "0"
    frame.loc[orphan, "full_rtw"] = "1"
    with pytest.raises(InputError) as error:
        load(_write(frame, tmp_path / "data"))
    found = {(p.column, p.row) for p in error.value.problems}
    assert ("days_to_full_rtw", early + 1) in found
    assert ("full_rtw", orphan + 1) in found
    assert all(p.file == "data/cohort.csv" for p in error.value.problems)


def test_follow_up_parameter_censors_later_returns(shipped: Shipped) -> None:
    raw = shipped.data("cohort").frame
    short = prepare(raw, follow_up_days=90)
    assert short.days_to_first_rtw.max() == 90
    later = raw.days_to_first_rtw > 90
    assert (short.loc[later, "first_rtw"] == 0).all()
    assert (short.loc[~later, "first_rtw"] == raw.loc[~later, "first_rtw"]).all()


# --- Table 1 and disclosure control --------------------------------------------------------------


def test_table1_suppresses_small_counts(
    prepared: pd.DataFrame, shipped_results: CohortResults
) -> None:
    counts = table1_truth(prepared)
    small = counts[["total", "yes", "no"]].to_numpy()
    assert ((small > 0) & (small < 5)).any()
    for threshold in (0, 5):
        results = dataclasses.replace(shipped_results, table1=table1(prepared, threshold))
        table = tables.table1(results, "en")
        cells = table.drop(columns=table.columns[0]).to_numpy().ravel().tolist()
        assert any(cell == "hidden" for cell in cells) == (threshold == 5)
        assert not any(cell.startswith("<") for cell in cells)  # one marker, not "<5"
    norwegian = tables.table1(shipped_results, "nb")
    assert "Kjønn" in norwegian.iloc[:, 0].tolist()
    assert "232 (71\u00a0%)" in norwegian["Totalt (n = 326)"].tolist()
    assert "skjult" in norwegian["Totalt (n = 326)"].tolist()


# --- the synthetic cohort: exact margins, calibration, other seeds -------------------------------


def test_shipped_file_is_the_generator_output(tmp_path: Path) -> None:
    path = generator.write(tmp_path / "cohort.csv")
    assert path.read_bytes() == (SHIPPED_DATA / "cohort.csv").read_bytes()


def test_shipped_margins_are_exact(prepared: pd.DataFrame) -> None:
    pub = published()
    assert len(prepared) == pub["table1"]["n"]
    for variable, levels in pub["table1"].items():
        if variable != "n":
            assert prepared[variable].value_counts().to_dict() == levels, variable
    column = {"age_group": "age"}
    for variable, missing in pub["table1_missing"].items():
        assert prepared[column.get(variable, variable)].isna().sum() == missing, variable
    ages = prepared.age.dropna()
    assert (ages.median(), ages.min(), ages.max()) == (46, 21, 67)
    assert prepared.programme_id.nunique() == 43
    assert not prepared.id.str.fullmatch(r"\d{11}").any()
    assert not prepared.programme_id.str.fullmatch(r"\d{11}").any()


def test_shipped_cohort_meets_the_calibration_tolerances(shipped: Shipped) -> None:
    # Calibration is a property of the data: checked with disclosure control off, so that
    # no group's statistics are withheld.
    shipped_results = shipped.results("cohort", suppress_below=0)
    assert shipped_results.generated  # the study description says synthetic
    outcome_rows = [
        row for row in shipped_results.reproduction if row["status"] in ("calibrated", "differs")
    ]
    assert not [
        row["quantity"]
        for row in outcome_rows
        if row["reason"] and row["reason"].key == "cohort.reason.outside_tolerance"
    ]
    outcomes = shipped_results.outcomes
    programmes = shipped_results.subgroups["programme_type"].groups
    for item in published()["medians"]:
        outcome, level, target = item["outcome"], item["level"], float(item["estimate"])
        if item["by"] == "coordinator":
            computed = outcomes[outcome].by_coordinator.curve(level).median.estimate
        else:
            computed = programmes[level].median_days.estimate
        assert abs(computed - target) <= 0.10 * target, (outcome, level)
    for item in published()["cox"]:
        fit = outcomes[item["outcome"]].cox[item["model"]].efron
        assert abs(fit.hr - float(item["hr"])) <= 0.05, (item["outcome"], item["model"])
    for level, rate in published()["rtw360"].items():
        assert abs(100 * programmes[level].rtw_rate - float(rate)) <= 5, level
    assert round(shipped_results.subgroups["programme_type"].odds_ratio.odds_ratio, 1) == 2.7


@pytest.mark.slow  # the generator, and a whole chapter on what it made
def test_another_seed_gives_a_different_correct_cohort(
    tmp_path: Path, shipped_results: CohortResults, shipped: Shipped
) -> None:
    data_dir = generator.write(tmp_path / "data" / "cohort.csv", seed=7).parent
    raw = load(data_dir)
    assert not raw.frame.equals(shipped.data("cohort").frame)
    other = prepare(raw.frame)
    results = analyse(raw, suppress_below=0)  # every median, as the references compute it
    assert not results.generated  # no study description: observed data
    first = results.outcomes["first_rtw"]
    assert (
        first.cox["cox_unadjusted"].efron.hr
        != shipped_results.outcomes["first_rtw"].cox["cox_unadjusted"].efron.hr
    )
    # margins still exact, numbers still right: medians from statsmodels, Cox from statsmodels
    assert other.diagnosis.value_counts().to_dict() == published()["table1"]["diagnosis"]
    for level in YES_NO:
        rows = other[other.coordinator == level]
        reference = SurvfuncRight(
            rows.days_to_first_rtw.to_numpy(float), rows.first_rtw.to_numpy(int)
        )
        assert first.by_coordinator.curve(level).median.spss.estimate == reference.quantile(0.5)
    frame = cox.design(other, "first_rtw", cox.covariates("cox_adjusted", other))
    exog = frame.drop(columns=list(cox.DESIGN_COLUMNS))
    efron = PHReg(frame["duration"], exog, status=frame["event"], ties="efron").fit()
    index = list(efron.model.exog_names).index("coordinator")
    adjusted = first.cox["cox_adjusted"].efron
    assert adjusted.hr == pytest.approx(math.exp(efron.params[index]), rel=1e-5)
    assert (
        adjusted.n
        == len(frame)
        == int(other.dropna(subset=cox.covariates("cox_adjusted", other)).shape[0])
    )
    statuses = {row["status"] for row in results.reproduction}
    assert statuses <= {"matches", "differs", "not_reproducible"}


def test_generator_is_fast_and_deterministic() -> None:
    first, again = generator.generate(11), generator.generate(11)
    assert first.equals(again)
    assert not first.equals(generator.generate(12))
    assert np.isin(first.first_rtw, [0, 1]).all()
    assert (first.days_to_full_rtw >= first.days_to_first_rtw).all()
