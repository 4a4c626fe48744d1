"""Meta-analysis chapter: statistics against metafor/Stata reference values, edge cases,
validation of bad input, the review's published numbers, and a re-run on other data."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats
from statsmodels.stats.contingency_tables import StratifiedTable

from analysis.chapters.meta import narrative, page, stats, tables
from analysis.chapters.meta.chapter import MetaResults, analyse
from analysis.chapters.meta.data import SCHEMAS, MetaData, load
from analysis.core.contracts import contract_markdown
from analysis.core.display import FigureFolder
from analysis.core.reproduction import named
from analysis.core.validation import InputError
from tests.helpers import SHIPPED_DATA, Shipped, figures_undrawn

# metafor's dat.bcg (13 BCG vaccine trials): tpos, tneg, cpos, cneg.
BCG = np.array(
    [
        [4, 119, 11, 128],
        [6, 300, 29, 274],
        [3, 228, 11, 209],
        [62, 13536, 248, 12619],
        [33, 5036, 47, 5761],
        [180, 1361, 372, 1079],
        [8, 2537, 10, 619],
        [505, 87886, 499, 87892],
        [29, 7470, 45, 7232],
        [17, 1699, 65, 1600],
        [186, 50448, 141, 27197],
        [5, 2493, 3, 2338],
        [27, 16886, 29, 17825],
    ]
)


def frame(rows: list[tuple[int, int, int, int]], analysis_id: str = "x") -> pd.DataFrame:
    """A studies table from (events_i, n_i, events_c, n_c) rows."""
    records = [
        {
            "analysis_id": analysis_id,
            "study": f"s{i}",
            "events_intervention": a,
            "n_intervention": n1,
            "events_control": c,
            "n_control": n2,
            "source": "primary",
        }
        for i, (a, n1, c, n2) in enumerate(rows)
    ]
    out = pd.DataFrame(records)
    for column in ("events_intervention", "n_intervention", "events_control", "n_control"):
        out[column] = out[column].astype("Int64")
    return out


@pytest.fixture(scope="module")
def bcg() -> dict[str, stats.Pooled]:
    rows = [(a, a + b, c, c + d) for a, b, c, d in BCG]
    return stats.pool(stats.study_effects(frame(rows))).models


# --- reference values: metafor's tests compare rma()/rma.mh() on dat.bcg with Stata metan
#     (tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r and ..._rma.mh_...r).


def test_inverse_variance_fixed_matches_metafor(bcg: dict[str, stats.Pooled]) -> None:
    fixed = bcg["fixed_iv"]
    assert fixed.scale_estimate == pytest.approx(-0.4303, abs=5e-5)
    assert fixed.z == pytest.approx(-10.6247, abs=5e-4)
    assert (fixed.estimate, fixed.ci_low, fixed.ci_high) == pytest.approx(
        (0.6503, 0.6007, 0.7040), abs=5e-5
    )
    assert bcg["random"].q == pytest.approx(152.2330, abs=5e-4)


def test_dersimonian_laird_matches_metafor(bcg: dict[str, stats.Pooled]) -> None:
    random = bcg["random"]
    assert random.scale_estimate == pytest.approx(-0.7141, abs=5e-5)
    assert math.log(random.ci_low) == pytest.approx(-1.0644, abs=5e-5)
    assert math.log(random.ci_high) == pytest.approx(-0.3638, abs=5e-5)
    assert random.z == pytest.approx(-3.9952, abs=5e-4)
    assert random.tau2 == pytest.approx(0.3088, abs=5e-5)
    assert 100 * random.i2 == pytest.approx(92.1173, abs=5e-4)
    assert (random.estimate, random.ci_low, random.ci_high) == pytest.approx(
        (0.4896, 0.3449, 0.6950), abs=5e-5
    )


def test_mantel_haenszel_matches_metafor(bcg: dict[str, stats.Pooled]) -> None:
    mh = bcg["fixed_mh"]
    assert mh.scale_estimate == pytest.approx(-0.4537, abs=5e-5)
    assert math.log(mh.ci_low) == pytest.approx(-0.5308, abs=5e-5)
    assert math.log(mh.ci_high) == pytest.approx(-0.3766, abs=5e-5)
    assert mh.z == pytest.approx(-11.5338, abs=5e-4)
    assert (mh.estimate, mh.ci_low, mh.ci_high) == pytest.approx((0.6353, 0.5881, 0.6862), abs=5e-5)
    # rma.mh's QE is Cochran's Q around the M-H estimate: the RevMan 5 heterogeneity statistic.
    assert bcg["random_revman"].q == pytest.approx(152.5676, abs=5e-4)


def test_mantel_haenszel_point_estimate_equals_statsmodels() -> None:
    tables = [np.array([[a, b], [c, d]]) for a, b, c, d in BCG]
    log_rr, _ = stats.mantel_haenszel_rr(
        BCG[:, 0], BCG[:, 0] + BCG[:, 1], BCG[:, 2], BCG[:, 2] + BCG[:, 3]
    )
    assert math.exp(log_rr) == pytest.approx(StratifiedTable(tables).riskratio_pooled, rel=1e-12)


def test_greenland_robins_variance_by_hand() -> None:
    """Two strata computed from the Greenland–Robins (1985) formula written out."""
    a, n1, c, n2 = np.array([12, 7]), np.array([40, 30]), np.array([6, 9]), np.array([38, 31])
    n = n1 + n2
    r, s = a * n2 / n, c * n1 / n
    p = (n1 * n2 * (a + c) - a * c * n) / n**2
    log_rr, se = stats.mantel_haenszel_rr(a, n1, c, n2)
    assert log_rr == pytest.approx(math.log(r.sum() / s.sum()), rel=1e-12)
    assert se == pytest.approx(math.sqrt(p.sum() / (r.sum() * s.sum())), rel=1e-12)


def test_hartung_knapp_matches_metafor_reml_example() -> None:
    """metafor's rma(yi, vi, data=dat.bcg, test="knha") (REML, τ² = 0.3132): -0.7145,
    se 0.1808, CI -1.1084 to -0.3206, p 0.0019 (metafor documentation)."""
    effects = stats.study_effects(frame([(a, a + b, c, c + d) for a, b, c, d in BCG]))
    result = stats.hartung_knapp(effects["yi"], effects["vi"], tau2=0.3132)
    assert result.scale_estimate == pytest.approx(-0.7145, abs=5e-5)
    assert result.se == pytest.approx(0.1808, abs=5e-5)
    assert math.log(result.ci_low) == pytest.approx(-1.1084, abs=2e-4)
    assert math.log(result.ci_high) == pytest.approx(-0.3206, abs=2e-4)
    assert result.p == pytest.approx(0.0019, abs=5e-5)


def test_prediction_interval_and_revman_tau2_by_hand(bcg: dict[str, stats.Pooled]) -> None:
    effects = stats.study_effects(frame([(a, a + b, c, c + d) for a, b, c, d in BCG]))
    y, v = effects["yi"].to_numpy(), effects["vi"].to_numpy()
    w = 1 / v
    c = w.sum() - (w**2).sum() / w.sum()
    tau2 = (152.5676 - 12) / c
    assert bcg["random_revman"].tau2 == pytest.approx(tau2, abs=1e-5)
    random = bcg["random"]
    w_re = 1 / (v + random.tau2)
    mu, se = (w_re * y).sum() / w_re.sum(), 1 / math.sqrt(w_re.sum())
    half = scipy_stats.t.ppf(0.975, 11) * math.sqrt(random.tau2 + se**2)
    assert (random.pi_low, random.pi_high) == pytest.approx(
        (math.exp(mu - half), math.exp(mu + half)), rel=1e-10
    )


def test_tau2_truncated_at_zero() -> None:
    result = stats.pool(
        stats.study_effects(frame([(20, 100, 20, 100), (21, 100, 20, 100), (19, 100, 20, 100)]))
    ).models
    assert result["random"].tau2 == 0.0
    assert result["random"].i2 == 0.0
    assert result["random"].estimate == pytest.approx(result["fixed_iv"].estimate)


# --- zero cells, double zeros, a single study


def test_zero_cell_gets_half_added_to_all_four_cells() -> None:
    effects = stats.study_effects(frame([(0, 20, 5, 20), (3, 30, 6, 30)]))
    zero, plain = effects.iloc[0], effects.iloc[1]
    assert zero["zero_corrected"] and not plain["zero_corrected"]
    assert zero["yi"] == pytest.approx(math.log((0.5 / 21) / (5.5 / 21)))
    assert zero["vi"] == pytest.approx(1 / 0.5 - 1 / 21 + 1 / 5.5 - 1 / 21)
    # a study without zero cells is left exactly as it is
    assert plain["yi"] == pytest.approx(math.log((3 / 30) / (6 / 30)))
    assert plain["vi"] == pytest.approx(1 / 3 - 1 / 30 + 1 / 6 - 1 / 30)


def test_double_zero_study_is_not_estimable_and_not_pooled() -> None:
    rows = [(0, 25, 0, 25), (4, 40, 8, 40), (6, 50, 9, 50)]
    effects = stats.study_effects(frame(rows))
    assert not effects.iloc[0]["estimable"]
    assert math.isnan(effects.iloc[0]["effect"])
    with_zero = stats.pool(effects)
    without = stats.pool(stats.study_effects(frame(rows[1:])))
    for model in stats.MODELS:
        assert with_zero.models[model].estimate == pytest.approx(without.models[model].estimate)
    # Studies and participants describe the same studies: the double-zero one counts in both.
    assert (with_zero.k, with_zero.n_participants) == (3, 50 + 80 + 100)
    assert with_zero.not_estimable == ["s0"]


def test_single_study_pools_to_itself() -> None:
    result = stats.pool(stats.study_effects(frame([(50, 86, 31, 80)])))
    assert result.k == 1
    rr = (50 / 86) / (31 / 80)
    se = math.sqrt(1 / 50 - 1 / 86 + 1 / 31 - 1 / 80)
    z = scipy_stats.norm.ppf(0.975)
    for model in ("fixed_mh", "fixed_iv", "random", "random_revman"):
        pooled = result.models[model]
        assert (pooled.estimate, pooled.ci_low, pooled.ci_high) == pytest.approx(
            (rr, rr * math.exp(-z * se), rr * math.exp(z * se)), rel=1e-9
        )
    # Heterogeneity needs two studies and the prediction interval three: not estimable, with
    # the reason, never a τ² of 0 that looks measured.
    random = result.models["random"]
    assert math.isnan(random.tau2) and math.isnan(random.q) and math.isnan(random.i2)
    assert math.isnan(random.q_p) and math.isnan(random.pi_low)
    assert (random.heterogeneity_reason, random.pi_reason) == (
        stats.SINGLE_STUDY,
        stats.FEWER_THAN_THREE,
    )
    hksj = result.models["hksj"]
    assert math.isnan(hksj.ci_low) and hksj.reason == stats.SINGLE_STUDY


def test_generic_inverse_variance_row() -> None:
    studies = frame([(50, 86, 31, 80)])
    generic = pd.DataFrame(
        [
            {
                "analysis_id": "x",
                "study": "g",
                "events_intervention": pd.NA,
                "n_intervention": pd.NA,
                "events_control": pd.NA,
                "n_control": pd.NA,
                "measure": "RR",
                "estimate": 0.86,
                "ci_low": 0.65,
                "ci_high": 1.15,
                "source": "primary",
            }
        ]
    )
    both = pd.concat([studies.astype(object), generic.astype(object)], ignore_index=True)
    effects = stats.study_effects(both)
    se = (math.log(1.15) - math.log(0.65)) / (2 * scipy_stats.norm.ppf(0.975))
    assert effects.iloc[1]["vi"] == pytest.approx(se**2)
    result = stats.pool(effects)
    assert math.isnan(result.models["fixed_mh"].estimate)
    assert result.models["fixed_mh"].reason == stats.NEEDS_COUNTS
    assert result.headline == "random"


# --- the review's numbers from the shipped data


@pytest.fixture(scope="module")
def review(shipped: Shipped) -> tuple[MetaData, MetaResults]:
    """The shipped review's data and results."""
    return shipped.data("meta"), shipped.results("meta")


@pytest.mark.parametrize(
    ("analysis_id", "rr", "n", "k"),
    [
        ("mr_uc_12", ("1.01", "0.70", "1.48"), 321, 3),
        ("mr_active_12", ("1.04", "0.86", "1.25"), 851, 4),
        ("mr_active_24", ("0.94", "0.84", "1.05"), 635, 2),
    ],
)
def test_review_pooled_results(review: tuple, analysis_id: str, rr: tuple, n: int, k: int) -> None:
    _, results = review
    result = results.analyses[analysis_id]
    pooled = result.models["random_revman"]
    assert result.pooled is pooled
    assert [f"{x:.2f}" for x in (pooled.estimate, pooled.ci_low, pooled.ci_high)] == list(rr)
    assert (result.n_participants, result.k) == (n, k)


def test_review_summary_of_findings(review: tuple) -> None:
    _, results = review
    table = tables.sof_table(results, "en")
    risks = table["Risk with intervention (per 100, 95% CI)"].tolist()
    assert risks[0] == "73 (50 to 107)"
    assert risks[1] == "61 (51 to 74)"
    assert risks[2].startswith("59 ")
    assert table["Risk with control (per 100)"].tolist() == ["72", "59", "63"]
    assert table["Participants (studies)"].tolist() == [
        "321 (3 RCTs)",
        "851 (4 RCTs)",
        "635 (2 RCTs)",
    ]
    assert (
        table["Certainty of the evidence (GRADE)"]
        .str.startswith(("⨁◯◯◯ Very low", "⨁◯◯◯ Very low", "⨁⨁⨁◯ Moderate"))
        .all()
    )
    nb = tables.sof_table(results, "nb")
    assert nb.iloc[0, 3] == "73 (50 til 107)"
    assert "RR 1,01 (0,70–1,48)" in nb.iloc[0].tolist()


def test_heterogeneity_bands_and_control_risk(review: tuple) -> None:
    _, results = review
    assert results.analyses["mr_uc_12"].models["random_revman"].i2 > 0.80
    assert results.analyses["mr_active_12"].models["random_revman"].i2 > 0.50
    for analysis_id, risk in (("mr_uc_12", 72), ("mr_active_12", 59)):
        result = results.analyses[analysis_id]
        effects = result.effects
        observed = 100 * effects["events_control"].sum() / effects["n_control"].sum()
        assert round(observed) == risk
        assert result.observed_control_risk == pytest.approx(observed)


def test_forest_weights_are_those_of_the_headline_model(review: tuple) -> None:
    _, results = review
    for result in results.analyses.values():
        assert result.effects["weight"].sum() == pytest.approx(100)
    result = stats.pool(
        stats.study_effects(frame([(4, 40, 8, 40), (6, 50, 9, 50), (0, 20, 0, 20)]))
    )
    assert math.isnan(result.effects["weight"].iloc[2])


def _risk_ratios(rows: list[dict]) -> list[tuple[str, dict]]:
    """The risk-ratio rows with what each is about: an analysis id or a study name."""
    return [(row["subject"], row) for row in rows if row["quantity"].key == "meta.q.rr"]


def test_reproduction_rows_are_honest(review: tuple) -> None:
    _, results = review
    rows = results.reproduction
    by_quantity = {row["quantity"].key: row for row in rows}
    risk_ratios = _risk_ratios(rows)
    assert [row["status"] for name, row in risk_ratios if name == "Gismervik 2020"] == ["matches"]
    pooled = [row for subject, row in risk_ratios if subject in results.analyses]
    assert pooled and {row["status"] for row in pooled} == {"reconstructed"}
    # Shown, a row about an analysis is named by it, one about a study by the study.
    shown = {
        row["subject"]: named_row["quantity"].text("en")
        for row, named_row in zip(rows, named(rows, results.subjects), strict=True)
        if row["quantity"].key == "meta.q.rr"
    }
    label = narrative.analysis_label(results.data.analyses, "mr_uc_12", "en")
    assert shown["mr_uc_12"] == f"{label}: risk ratio"
    assert shown["Gismervik 2020"] == "Gismervik 2020: risk ratio"
    differs = [row for row in rows if row["status"] == "differs"]
    assert differs and all(row["reason"] for row in differs)
    assert by_quantity["meta.q.participants_total"]["computed"] == 5142
    assert by_quantity["meta.q.flow_fulltext_summary"]["status"] == "differs"


def test_results_payload_follows_contract(review: tuple) -> None:
    _, results = review
    payload = results.to_json()["analyses"]
    assert set(payload) == {"mr_uc_12", "mr_active_12", "mr_active_24"}
    for entry in payload.values():
        keys = {"measure", "k", "k_pooled", "n_participants", "current", *stats.MODELS}
        assert set(entry) == keys
        assert entry["measure"] == "RR"
        assert set(entry["current"]) == {
            "current_default", "leave_one_out", "egger", "egger_min_k", "dropped_studies"
        }  # fmt: skip
        assert set(entry["current"]["current_default"]) >= {"tau2_low", "i2_high", "hksj_low"}
        for model in stats.MODELS:
            expected = {"estimate", "ci_low", "ci_high", "p", "reason"}
            if model.startswith("random"):
                expected |= {"tau2", "i2", "q", "q_p", "pi_low", "pi_high"}
                expected |= {"heterogeneity_reason", "pi_reason"}
            assert set(entry[model]) == expected


def test_displays_build_in_both_languages(review: tuple) -> None:
    data, results = review
    for lang in ("en", "nb"):
        assert [len(table) for table in tables.characteristics_tables(results, lang)] == [20, 20]
        assert len(tables.narrative_table(results, lang)) == len(data.narrative)
        assert len(tables.models_table(results, lang)) == 3 * len(stats.MODELS)
        assert tables.rob_table(results, lang).shape == (7, 4)
    revman = results.analyses["mr_uc_12"].models["random_revman"]
    assert "I² = 85\u00a0%" in narrative.heterogeneity_text(revman, "nb")
    assert results.weak_publications == 5


def test_every_page_cell_renders(
    review: tuple, figure_folder: FigureFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, results = review
    figures_undrawn(monkeypatch)  # drawn by test_every_figure_of_the_page_is_drawn
    for lang in ("en", "nb"):
        assert "RR" in page.opening(results, lang)[-1].data
        assert len(page.prisma(results, lang, figure_folder)) == 2
        assert len(page.characteristics(results, lang)) == 3
        assert len(page.risk_of_bias(results, lang, figure_folder)) == 3
        # the sentence on RevMan 5, then per analysis its table, the plot of its intervals and
        # its reconstructed-data warning
        assert len(page.forest_plots(results, lang, figure_folder)) == 1 + 3 * len(results.analyses)
        assert len(page.summary_of_findings(results, lang)) == 3
        assert len(page.models_review(results, lang)) == 1
        page.models(results, lang)
        assert len(page.narrative_results(results, lang)) == 2
        assert "Gismervik 2020" in page.reproduction_table(results, lang)[-1].data
    # per language each figure for a screen's column and for a phone's
    assert len(list((figure_folder.book_dir / "figures").glob("*.svg"))) == 2 * 2 * (
        2 + len(results.analyses)
    )


@pytest.mark.slow
def test_every_figure_of_the_page_is_drawn(review: tuple, figure_folder: FigureFolder) -> None:
    """In English; in Norwegian the figures differ only in their words."""
    _, results = review
    for cell in (page.prisma, page.risk_of_bias, page.forest_plots):
        cell(results, "en", figure_folder)
    drawn = list((figure_folder.book_dir / "figures").glob("*.svg"))
    assert len(drawn) == 2 * (2 + len(results.analyses))  # for a screen's column and a phone's
    assert all(b"<svg" in path.read_bytes() for path in drawn), drawn


def test_data_contract_has_every_description() -> None:
    for lang in ("en", "nb"):
        markdown = contract_markdown("meta", SCHEMAS, lang)
        assert markdown.count("`meta/") == len(SCHEMAS)


# --- bad input


def copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(SHIPPED_DATA / "meta", target / "meta")
    shutil.copy(SHIPPED_DATA / "meta.study.yaml", target)
    return target


def edit(path: Path, row: int, column: str, value: str) -> None:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table.loc[row, column] = value
    table.to_csv(path, index=False)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("events_intervention", "60", "more than the 55 participants"),
        ("events_control", "-3", "below the minimum"),
        ("analysis_id", "no_such_analysis", "is not in meta/analyses.csv"),
        ("n_control", "", "only some of the four counts"),
    ],
)
def test_bad_studies_rejected(tmp_path: Path, column: str, value: str, message: str) -> None:
    data_dir = copy_data(tmp_path)
    edit(data_dir / "meta" / "studies.csv", 0, column, value)
    with pytest.raises(InputError) as error:
        load(data_dir)
    problem = next(p for p in error.value.problems if message in p.message)
    assert problem.file.endswith("studies.csv")
    assert problem.row == 1
    assert problem.column == column
    assert message in str(error.value)


def test_bad_grade_and_flow_rejected(tmp_path: Path) -> None:
    data_dir = copy_data(tmp_path)
    edit(data_dir / "meta" / "analyses.csv", 1, "certainty", "dreadful")
    edit(data_dir / "meta" / "prisma.csv", 4, "count", "199")
    with pytest.raises(InputError) as error:
        load(data_dir)
    problems = {(p.file.split("/")[-1], p.column, p.row) for p in error.value.problems}
    assert ("analyses.csv", "certainty", 2) in problems
    data_dir = copy_data(tmp_path / "again")
    edit(data_dir / "meta" / "prisma.csv", 4, "count", "199")
    with pytest.raises(InputError, match="fulltext_assessed is 199"):
        load(data_dir)


def test_comparison_id_is_required(tmp_path: Path) -> None:
    data_dir = copy_data(tmp_path)
    path = data_dir / "meta" / "analyses.csv"
    pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns="comparison_id").to_csv(
        path, index=False
    )
    with pytest.raises(InputError) as error:
        load(data_dir)
    (problem,) = error.value.problems
    assert problem.file.endswith("meta/analyses.csv") and problem.column == "comparison_id"


def test_a_comparison_named_two_ways_is_rejected(tmp_path: Path) -> None:
    """The third result of narrative.csv keeps mr_active's id but gets another name."""
    data_dir = copy_data(tmp_path)
    path = data_dir / "meta" / "narrative.csv"
    edit(path, 2, "comparison_nb", "Et annet navn")
    with pytest.raises(InputError) as error:
        load(data_dir)
    (problem,) = error.value.problems
    assert (problem.file, problem.column, problem.row) == (
        "meta/narrative.csv",
        "comparison_nb",
        3,
    )
    assert "'mr_active'" in problem.message and "meta/analyses.csv, row 2" in problem.message
    assert "Et annet navn" in problem.text("nb") and "rad 2" in problem.text("nb")


def test_comparisons_are_told_apart_by_their_id(tmp_path: Path) -> None:
    """Renaming a comparison everywhere changes nothing; giving one narrative result a new id
    adds a comparison reported only without pooling."""
    data_dir = copy_data(tmp_path)
    before = analyse(load(data_dir)).comparisons
    for name in ("analyses.csv", "narrative.csv"):
        path = data_dir / "meta" / name
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        table["comparison_en"] = "One name"
        table["comparison_nb"] = "Ett navn"
        table.to_csv(path, index=False)
    assert analyse(load(data_dir)).comparisons == before
    edit(data_dir / "meta" / "narrative.csv", 0, "comparison_id", "new_comparison")
    after = analyse(load(data_dir)).comparisons
    assert (after.total, after.unpooled) == (before.total + 1, before.unpooled + 1)


def test_rerun_on_other_studies(tmp_path: Path) -> None:
    """A review team's update: other counts, a zero cell and a double-zero study."""
    data_dir = copy_data(tmp_path)
    studies = pd.DataFrame(
        [
            ["mr_uc_12", "Alpha 2021", 2021, 30, 60, 20, 60, "primary"],
            ["mr_uc_12", "Beta 2022", 2022, 0, 40, 4, 40, "primary"],
            ["mr_uc_12", "Gamma 2023", 2023, 0, 30, 0, 30, "primary"],
            ["mr_active_12", "Delta 2020", 2020, 45, 90, 40, 88, "primary"],
        ],
        columns=[
            "analysis_id",
            "study",
            "year",
            "events_intervention",
            "n_intervention",
            "events_control",
            "n_control",
            "source",
        ],
    )
    studies.to_csv(data_dir / "meta" / "studies.csv", index=False)
    results = analyse(load(data_dir))
    assert set(results.analyses) == {"mr_uc_12", "mr_active_12"}
    assert results.analyses["mr_uc_12"].k == 3  # the double-zero study counts, not pooled
    assert results.analyses["mr_uc_12"].n_participants == 120 + 80 + 60
    expected = stats.pool(stats.study_effects(frame([(30, 60, 20, 60), (0, 40, 4, 40)])))
    assert results.analyses["mr_uc_12"].models["random_revman"].estimate == pytest.approx(
        expected.models["random_revman"].estimate
    )
    rows = results.reproduction
    pooled = [(s, r) for s, r in _risk_ratios(rows) if s in results.analyses]
    assert {subject for subject, _ in pooled} == {"mr_uc_12", "mr_active_12"}
    assert all(r["status"] in ("matches", "differs") for _, r in pooled)
