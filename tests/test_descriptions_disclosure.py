"""Self-disclosure by the page, through the study descriptions: the shipped descriptions are
shown on the pages (provenance notes and details), and on data built to meet a paper they once
printed values the results withhold (the programme types' 32 and 26 of 32, the youngest and
oldest ages). No number in a shipped description may be a value the results withhold at the
default threshold: a hidden Table 1 count of 10 or more, or a youngest or oldest value (small
counts are left out: single digits occur in any text and say nothing by themselves)."""

from __future__ import annotations

import json
import re

import yaml

from analysis.chapters.cohort.data import prepare
from analysis.chapters.cohort.descriptives import GROUP_NAMES, MISSING
from analysis.chapters.interviews import stats
from analysis.core.results import to_plain
from analysis.core.settings import SUPPRESS_BELOW
from analysis.core.yamlfile import read_yaml
from tests.helpers import SHIPPED_DATA, Shipped, table1_truth

COLUMNS = {"total": "total", **{name: level for level, name in GROUP_NAMES.items()}}


def numbers(chapter: str) -> set[int]:
    """The whole numbers written in a shipped study description as counts or values (not
    parts of decimals, nor percentages: the paper's rates); the analysis plan's numbers (age
    bands, the horizon) define the analysis and are left out."""
    description = read_yaml(SHIPPED_DATA / f"{chapter}.study.yaml")
    description.pop("plan", None)
    text = yaml.safe_dump(description, allow_unicode=True, width=10_000)
    return {int(token) for token in re.findall(r"(?<![\d.,])\d+(?![\d.,]\d|\s?%)", text)}


def test_the_cohort_description_prints_no_withheld_value(shipped: Shipped) -> None:
    results = shipped.results("cohort", suppress_below=SUPPRESS_BELOW)
    payload = json.loads(json.dumps(to_plain(results.to_json())))
    frame = prepare(shipped.data("cohort").frame)
    counts = table1_truth(frame).set_index(["variable", "level"])
    withheld = {int(frame["age"].min()), int(frame["age"].max())}
    for variable, levels in payload["table1"].items():
        for level, row in levels.items():
            key = (variable, MISSING if level == "missing" else level)
            withheld |= {
                int(counts.loc[key, COLUMNS[column]])
                for column, shown in row.items()
                if shown is None and column in COLUMNS
            }
    assert {32, 21, 67} <= withheld  # the values the description once printed
    assert numbers("cohort") & {value for value in withheld if value >= 10} == set()


def test_the_interviews_description_prints_no_extreme(shipped: Shipped) -> None:
    people = stats.characteristics(shipped.data("interviews"))  # the data's own values
    extremes = {people.age.low, people.age.high, people.sick_leave.low, people.sick_leave.high}
    assert extremes == {31, 61, 50, 100}
    assert numbers("interviews") & extremes == set()
