"""Disclosure control: every suppressed table is checked by a solver of its own, working only
from what the table publishes (shown cells, shown totals, non-negative whole numbers)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from analysis.core import disclosure
from analysis.core.disclosure import (
    COUNT,
    PRIMARY,
    SECONDARY,
    SMALL_GROUP,
    one_way,
    protect,
    summarise,
    suppress_counts,
    suppress_crosstab,
    unsafe,
)
from tests.helpers import attack_one_way, attack_two_way, check_rule


def published_one_way(counts: list[int], threshold: int) -> list[int | None]:
    result = suppress_counts(dict(enumerate(counts)), threshold)
    assert all(
        result.values[i] == (None if i in result.hidden else n) for i, n in enumerate(counts)
    )
    return [result.values[i] for i in range(len(counts))]


def audit_one_way(counts: list[int], threshold: int) -> list[int | None]:
    shown = published_one_way(counts, threshold)
    total = sum(counts)
    if 0 < total < threshold:
        assert shown == [None] * len(counts)  # a small group shows no cell
    sensitive = {i for i, n in enumerate(counts) if 0 < n < threshold}
    assert sensitive <= {i for i, v in enumerate(shown) if v is None}
    ranges = attack_one_way(shown, total)
    check_rule(ranges, sensitive if total >= threshold else set(), threshold)
    if total >= threshold:
        assert all(high >= threshold for high in (r[1] for r in ranges.values())) or not sensitive
    return shown


def audit_two_way(counts: np.ndarray, threshold: int) -> pd.DataFrame:
    rows, cols = counts.shape
    frame = pd.DataFrame(counts)
    result = suppress_crosstab(frame, threshold)
    grand = int(counts.sum())
    assert result.values[(None, None)] == grand and (None, None) not in result.hidden
    shown = pd.DataFrame(
        index=[*range(rows), "total"], columns=[*range(cols), "total"], dtype=object
    )
    for (r, c), v in result.values.items():
        shown.loc["total" if r is None else r, "total" if c is None else c] = v
    shown.loc["total", "total"] = grand
    true = pd.DataFrame(counts).copy()
    true["total"] = counts.sum(axis=1)
    true.loc["total"] = [*counts.sum(axis=0), grand]
    for key in itertools.product(shown.index, shown.columns):
        if shown.loc[key] is not None and not pd.isna(shown.loc[key]):
            assert shown.loc[key] == true.loc[key]
    small = {
        key for key in itertools.product(true.index, true.columns) if 0 < true.loc[key] < threshold
    }
    small -= {("total", "total")}
    small |= {
        (r, c) for r in range(rows) for c in range(cols) if 0 < true.loc[r, "total"] < threshold
    }
    small |= {
        (r, c) for r in range(rows) for c in range(cols) if 0 < true.loc["total", c] < threshold
    }
    ranges = attack_two_way(shown, grand)
    assert small <= set(ranges)
    check_rule(ranges, small if grand >= threshold else set(), threshold)
    return shown


# --- one-way tables ------------------------------------------------------------------------------


def test_hidden_cells_summing_to_a_small_number_are_not_solvable():
    # 24 / <5 / <5 of 26: hiding the two small ones would give 1 and 1 away.
    assert unsafe(one_way([24, 1, 1]), {1, 2}, {1, 2}, 5)
    assert attack_one_way([24, None, None], 26) == {1: (0, 2), 2: (0, 2)}
    assert audit_one_way([24, 1, 1], 5) == [None, None, None]


@pytest.mark.parametrize(
    "counts",
    [[2, 1], [3, 0], [1, 1, 1], [19, 7], [7, 19], [11, 8, 7], [19, 4, 3], [20, 3, 0, 3],
     [4, 1], [25, 1], [0, 0, 26], [5, 5, 1], [1, 4, 30, 30], [0, 1, 9]],
)  # fmt: skip
def test_hostile_one_way_tables(counts):
    audit_one_way(counts, 5)


def test_three_participants_show_nothing_but_their_number():
    result = suppress_counts({"female": 2, "male": 1}, 5)
    assert result.values == {"female": None, "male": None}
    assert result.reasons() == {"female": SMALL_GROUP, "male": SMALL_GROUP}


@pytest.mark.parametrize("threshold", [2, 3, 5, 10])
def test_random_one_way_tables(threshold: int, quick: bool) -> None:
    rng = np.random.default_rng(threshold)
    for _ in range(20 if quick else 60):  # --quick: the first twenty of the same sixty
        k = int(rng.integers(2, 5))
        counts = rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 24], size=k).tolist()
        audit_one_way(counts, threshold)


def test_control_off_and_nothing_small():
    assert suppress_counts({"a": 1, "b": 2}, 0).values == {"a": 1, "b": 2}
    assert suppress_counts({"a": 0, "b": 9}, 5).hidden == {}


def test_public_reasons_do_not_tell_primary_from_secondary():
    result = suppress_counts({"a": 24, "b": 1, "c": 1}, 5)
    assert set(result.hidden.values()) == {PRIMARY, SECONDARY}
    assert set(result.reasons().values()) == {COUNT}


# --- two-way tables ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "counts",
    [
        [[1, 9], [9, 11]],
        [[3, 40], [20, 30]],
        [[0, 2, 12], [14, 3, 4], [13, 6, 4]],
        [[2, 1], [0, 1]],  # a small group: all hidden
        [[1, 0, 0], [0, 12, 9], [8, 7, 10]],
        [[24, 1, 1], [20, 9, 8]],
        [[3, 0], [0, 30], [12, 12]],  # a row of three: its zero is hidden too
    ],
)
def test_hostile_two_way_tables(counts):
    audit_two_way(np.array(counts), 5)


def test_random_two_way_tables(quick: bool):
    rng = np.random.default_rng(7)
    for _ in range(5 if quick else 15):  # --quick: the first five of the same fifteen
        shape = (int(rng.integers(2, 5)), int(rng.integers(2, 4)))
        counts = rng.choice([0, 1, 2, 3, 5, 8, 13], size=shape)
        audit_two_way(counts, 5)


def test_crosstab_keys_and_grand_total():
    frame = pd.DataFrame([[1, 9], [9, 11]], index=["a", "b"], columns=["x", "y"])
    result = suppress_crosstab(frame, 5)
    assert set(result.values) == {
        ("a", "x"), ("a", "y"), ("b", "x"), ("b", "y"),
        ("a", None), ("b", None), (None, "x"), (None, "y"), (None, None),
    }  # fmt: skip
    assert result.values[("a", "x")] is None and result.values[(None, None)] == 30


def test_protect_is_minimal_where_it_can_be():
    # One small cell in a one-way table with a large partner: exactly one complement is hidden,
    # the smallest that protects it.
    hidden = protect(one_way([30, 12, 6, 2]), 5)
    assert hidden == {3: PRIMARY, 2: SECONDARY}


# --- statistics of small groups ------------------------------------------------------------------


def test_three_ages_give_only_a_band():
    summary = summarise([38, 44, 51], 5, band=10)
    assert summary.median is None and summary.withheld == SMALL_GROUP
    assert (summary.low, summary.high, summary.exact) == (30, 59, False)
    assert summarise([38, 44, 51], 5).low is None


def test_extremes_are_exact_only_with_control_off():
    ages = [31, 40, 44, 50, 61]
    # The youngest and oldest are persons' own ages: under control only their bands.
    assert summarise(ages, 5, band=10) == disclosure.Summary(5, 44.0, 30, 69, False, None)
    assert summarise(ages, 5) == disclosure.Summary(5, 44.0, None, None, False, None)
    assert summarise(ages, 0) == disclosure.Summary(5, 44.0, 31, 61, True, None)
    assert summarise([38, 44, 51], 0, band=10).median == 44
    assert summarise([], 5).withheld == SMALL_GROUP


def test_withheld_statistics():
    assert disclosure.withheld(4, 5) == SMALL_GROUP
    assert disclosure.withheld(5, 5) is None and disclosure.withheld(1, 0) is None


def test_report_and_build_line():
    report = disclosure.report(5, {"sex.male": COUNT})
    assert report == {"threshold": 5, "suppressed": {"sex.male": "count"}}
    assert disclosure.summary_line("interviews", report) == (
        "interviews: threshold 5, 1 value(s) suppressed"
    )
    assert "nothing" in disclosure.summary_line("x", disclosure.report(5, {}))
    assert "off" in disclosure.summary_line("x", disclosure.report(0, {}))
    assert math.isfinite(disclosure.feasible_ranges(one_way([3, 4]), {0, 1})[0][1])


def test_gather_reports_person_level_chapters_only():
    payloads = {"interviews": {"disclosure": {"threshold": 5, "suppressed": {}}}, "cohort": {}}
    assert disclosure.gather(payloads, ["interviews", "cohort"]) == {
        "interviews": {"threshold": 5, "suppressed": {}},
        "cohort": None,
    }
    assert disclosure.summary_line("cohort", None) == "cohort: no disclosure report"
