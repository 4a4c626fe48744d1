"""Cohort chapter under disclosure control: every block of Table 1 is attacked with a solver over
what the results publish (its cells, the Total column, the coordinator group sizes and the number
of employees), at thresholds 5 and 10; the other places that show the same people (programme
table, model sizes, odds ratio) give nothing more away; a programme type of three shows nothing
but its name; every hidden value is null in the JSON, marked on the page with one neutral marker
and withheld in the reproduction rows."""

from __future__ import annotations

import itertools
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.chapters.cohort import tables
from analysis.chapters.cohort.chapter import CohortResults, analyse
from analysis.chapters.cohort.data import CohortData, load, prepare
from analysis.core import reproduction_table
from analysis.core.disclosure import COUNT
from analysis.core.i18n import t
from analysis.core.output_checks import EXTREME, SURVIVAL_CURVE
from analysis.core.results import to_plain
from tests.helpers import (
    SHIPPED_DATA,
    THRESHOLDS,
    Shipped,
    attack_two_way,
    check_rule,
    cohort_page_text,
    table1_truth,
)

HIDDEN = {"en": "hidden", "nb": "skjult"}
COLUMNS = {"coordinator": "yes", "no_coordinator": "no", "total": "total"}
SHIPPED = pd.read_csv(SHIPPED_DATA / "cohort.csv", dtype=str, keep_default_na=False)


def _payload(results: CohortResults) -> dict:
    return json.loads(json.dumps(to_plain(results.to_json())))


def _truth(data: CohortData) -> dict[str, pd.DataFrame]:
    """Per variable: the true counts, levels (``missing``) × coordinator, no_coordinator, total."""
    counts = table1_truth(prepare(data.frame))
    counts["level"] = counts["level"].replace("", "missing")
    return {
        variable: block.set_index("level")[["yes", "no", "total"]].set_axis(list(COLUMNS), axis=1)
        for variable, block in counts.groupby("variable", sort=False)
    }


def attack_table1(payload: dict, truth: dict[str, pd.DataFrame], threshold: int) -> int:
    """Solve each published block for its hidden cells; the protection rule must hold. Returns
    the number of hidden cells."""
    n, with_coordinator = payload["n"], payload["n_coordinator"]
    hidden = 0
    for variable, levels in payload["table1"].items():
        true = truth[variable].loc[list(levels)]
        shown = pd.DataFrame(index=[*levels, "total"], columns=list(COLUMNS), dtype=object)
        for level, cells in levels.items():
            for column, value in cells.items():
                shown.loc[level, column] = value
                path = f"table1.{variable}.{level}.{column}"
                assert (value is None) == (path in payload["disclosure"]["suppressed"]), path
                assert value is None or value == true.loc[level, column], path
        shown.loc["total"] = [
            with_coordinator,
            None if with_coordinator is None else n - with_coordinator,
            n,
        ]
        small = {
            (level, column)
            for level in true.index
            for column in ("coordinator", "no_coordinator", "total")
            if 0 < true.loc[level, column] < threshold or 0 < true.loc[level, "total"] < threshold
        }
        assert all(pd.isna(shown.loc[key]) for key in small), variable
        hidden += int(shown.isna().sum().sum())
        ranges = attack_two_way(shown, n)
        check_rule(ranges, small if n >= threshold else set(), threshold)
    return hidden


@pytest.mark.parametrize("threshold", [5, 10])
def test_no_hidden_count_of_table1_can_be_worked_out(shipped: Shipped, threshold: int) -> None:
    results = shipped.results("cohort", suppress_below=threshold)
    payload = _payload(results)
    assert attack_table1(payload, _truth(shipped.data("cohort")), threshold) > 0
    # The page hides exactly the cells the JSON hides, with one marker for all of them.
    for lang in ("en", "nb"):
        table = tables.table1(results, lang)
        cells = table.iloc[:, 2:].to_numpy().ravel().tolist()
        marked = sum(cell == HIDDEN[lang] for cell in cells)
        nulls = sum(
            value is None
            for levels in payload["table1"].values()
            for cells in levels.values()
            for value in cells.values()
        )
        assert marked == nulls
        assert not any(cell.startswith("<") for cell in cells)


@pytest.mark.parametrize("threshold", [5, 10])
def test_other_tables_give_no_hidden_count_away(shipped: Shipped, threshold: int) -> None:
    payload = _payload(shipped.results("cohort", suppress_below=threshold))
    block = payload["table1"]["programme_type"]
    groups = payload["programme_type"]["groups"]
    for level, group in groups.items():
        # The programme table shows the sizes and coordinator counts Table 1 shows, no more.
        assert group["n"] == block[level]["total"]
        if group["n"] is None:
            assert all(value is None for value in group.values()), level
        else:
            assert group["coordinated"] == block[level]["coordinator"]
    missing = block.get("missing", {"total": 0})["total"]
    odds_n = payload["programme_type"]["coordinator_odds_ratio"]["n"]
    assert (odds_n is None) == (missing is None)  # its n would be everyone minus the missing
    # The models' n: whatever differences can be worked out are 0 or at least the threshold.
    for outcome in payload["outcomes"].values():
        sizes = [
            outcome[model]["n"]
            for model in ("cox_unadjusted", "cox_without_programme_type", "cox_adjusted")
        ]
        shown = [size for size in sizes if size is not None]
        for before, after in itertools.pairwise(shown):
            assert not 0 < before - after < threshold, sizes


def test_reproduction_rows_show_only_what_the_layer_shows(shipped: Shipped) -> None:
    payload = _payload(shipped.results("cohort", suppress_below=5))
    suppressed = payload["disclosure"]["suppressed"]
    flagged = [row for row in payload["reproduction"] if row.get("suppressed")]
    assert flagged
    for i, row in enumerate(payload["reproduction"]):
        if row.get("suppressed"):
            assert row["computed"] is None and row["status"] == "withheld"
            # one person's value, or a day inside a step of the published curve: no value in
            # the JSON behind it
            if row.get("rule") in (EXTREME, SURVIVAL_CURVE):
                assert suppressed[f"reproduction[{i}].computed"] == row["rule"]
                assert row["source"] is None
                continue
            assert suppressed[f"reproduction[{i}].computed"] == COUNT
            assert row["source"] in suppressed
            assert row["published"] is None  # synthetic data: see the next test
    for path in suppressed:
        value = payload
        for part in re.findall(r"[^.\[\]]+", path):
            value = value[int(part)] if part.isdigit() else value[part]
        assert value is None, path


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_no_withheld_count_is_paired_with_the_count_it_is_built_to_meet(
    shipped: Shipped, threshold: int
) -> None:
    # The shipped data are synthetic: built so that Table 1 and the ages meet the paper and
    # calibrated to its results. A published value beside a withheld computed one would be the
    # hidden value (or close to it), so neither is shown.
    assert shipped.data("cohort").study.provenance == "generated"
    results = shipped.results("cohort", suppress_below=threshold)
    payload = _payload(results)
    rows = payload["reproduction"]
    unpaired = [i for i, row in enumerate(rows) if row["status"] == "withheld"]
    assert any(rows[i]["quantity"]["key"] == "cohort.repro.table1_n" for i in unpaired)
    checked = {check["artefact"] for check in payload["disclosure"]["checks"]}
    for i in unpaired:
        assert rows[i]["published"] is None
        assert f"reproduction[{i}].published" in payload["disclosure"]["suppressed"]
        assert f"reproduction[{i}].published" in checked
    for lang in ("en", "nb"):
        table = reproduction_table.table(results.reproduction, lang, "cohort")
        published = table[t("repro.col.published", lang)]
        computed = table[t("repro.col.computed", lang)]
        for i, row in enumerate(results.reproduction):
            if row["status"] == "withheld":
                assert published[i] == computed[i] == "\u2013", (i, published[i])


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped cohort with only three employees in follow-up programmes (the others moved
    to occupational rehabilitation); all three returned, one had a coordinator."""
    frame = SHIPPED.copy()
    follow_up = frame.index[frame["programme_type"] == "follow_up"]
    returned = follow_up[frame.loc[follow_up, "first_rtw"] == "1"]
    with_coordinator = returned[frame.loc[returned, "coordinator"] == "yes"][:1]
    without = returned[frame.loc[returned, "coordinator"] == "no"][:2]
    keep = with_coordinator.union(without)
    frame.loc[follow_up.difference(keep), "programme_type"] = "occupational_rehabilitation"
    folder = tmp_path_factory.mktemp("three")
    frame.to_csv(folder / "cohort.csv", index=False)
    shutil.copy(SHIPPED_DATA / "cohort.study.yaml", folder)
    return folder


def test_a_programme_type_of_three_shows_nothing_but_its_name(
    three: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = load(three)
    frame = prepare(data.frame)
    group = frame[frame["programme_type"] == "follow_up"]
    assert len(group) == 3 and group["first_rtw"].sum() == 3
    days = sorted(int(day) for day in group["days_to_first_rtw"])
    results = analyse(data, suppress_below=5)
    payload = _payload(results)
    attack_table1(payload, _truth(data), 5)
    follow_up = payload["programme_type"]["groups"]["follow_up"]
    assert all(value is None for value in follow_up.values())
    by_type = results.subgroups["programme_type"]
    assert "follow_up" in by_type.comparison.withheld
    assert [c.level for c in by_type.comparison.curves] == [
        "occupational_rehabilitation",
        "treatment",
    ]
    for lang in ("en", "nb"):
        text = cohort_page_text(results, monkeypatch, lang)
        row = tables.programme_table(results, by_type, lang).iloc[-1].tolist()
        assert row[1] == HIDDEN[lang] and len(set(row[2:])) == 1, row  # n hidden, nothing else
        assert "100" not in " ".join(row)
        assert "0/1" not in text and "(0%)" not in text and "(0\u00a0%)" not in text
        withheld = {"en": "Not shown: Follow-up", "nb": "Vises ikke: Oppfølging"}[lang]
        assert withheld in text
        # The three return days appear as no median or interval of the group.
        assert f"{days[1]} " not in " ".join(row)
        # The odds ratio is hidden, not impossible to estimate, and the page says which.
        odds = {"en": "programmes is not shown:", "nb": "behandlingstilbud vises ikke:"}[lang]
        assert odds in text and "not estimable" not in text and "kan ikke estimeres" not in text
        # The log-rank test compares the two types shown, and the page says two.
        two = {"en": "The two programme types", "nb": "De to typene tilbud"}[lang]
        assert two in text
    assert by_type.comparison.logrank.df == 1


def test_a_comparison_with_one_group_left_has_no_test_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three employees without a coordinator: that group is withheld (and the other with it, as
    # its size and the total would give the three away).
    frame = SHIPPED[SHIPPED["coordinator"] == "yes"]
    frame = pd.concat([frame, SHIPPED[SHIPPED["coordinator"] == "no"][:3]])
    frame.to_csv(tmp_path / "cohort.csv", index=False)
    results = analyse(load(tmp_path), suppress_below=5)
    comparison = results.outcomes["first_rtw"].by_coordinator
    assert "no" in comparison.withheld and comparison.logrank.reason == "too_few_shown"
    assert comparison.logrank.chi2 is None
    assert "fewer than two groups are left to compare" in cohort_page_text(
        results, monkeypatch, "en"
    )
