"""The results JSON of the shipped data stays as it was to at least 4 significant digits.

``tests/fixtures/pinned/<chapter>.json`` holds the results of the shipped data as the book
computed them when this test was written. A chapter may add keys; every pinned key must keep
its value (numbers to a relative 1e-4, other values exactly). Only a deliberate change may
move one, and then the fixture is updated in the same commit with the reason.
"""

from __future__ import annotations

import json
import math

import pytest

from analysis.chapters import CHAPTERS
from analysis.core.results import to_plain
from tests.helpers import FIXTURES, Shipped

PINNED = FIXTURES / "pinned"


def differences(pinned: object, current: object, path: str = "") -> list[str]:
    """Where ``current`` does not keep a value of ``pinned`` (numbers to 4 significant digits)."""
    if isinstance(pinned, dict):
        if not isinstance(current, dict):
            return [f"{path}: expected an object"]
        return [
            problem
            for key, value in pinned.items()
            for problem in (
                differences(value, current[key], f"{path}.{key}")
                if key in current
                else [f"{path}.{key}: missing"]
            )
        ]
    if isinstance(pinned, list):
        if not isinstance(current, list) or len(current) != len(pinned):
            return [f"{path}: expected a list of {len(pinned)}"]
        return [
            problem
            for index, (a, b) in enumerate(zip(pinned, current, strict=True))
            for problem in differences(a, b, f"{path}[{index}]")
        ]
    if isinstance(pinned, bool) or not isinstance(pinned, int | float):
        return [] if pinned == current else [f"{path}: {current!r} != {pinned!r}"]
    if not isinstance(current, int | float) or not math.isclose(
        current, pinned, rel_tol=1e-4, abs_tol=1e-12
    ):
        return [f"{path}: {current!r} != {pinned!r}"]
    return []


def test_the_comparison_notices_a_changed_digit():
    assert differences({"a": [1.0, {"b": 2.5}]}, {"a": [1.0, {"b": 2.5}], "new": 1}) == []
    assert differences({"a": 1.2345}, {"a": 1.2365}) == [".a: 1.2365 != 1.2345"]
    assert differences({"a": "x"}, {}) == [".a: missing"]


@pytest.mark.parametrize("name", list(CHAPTERS))
def test_results_of_the_shipped_data_are_unchanged(name, shipped: Shipped):
    results = shipped.results(name, **CHAPTERS[name].parameters)
    current = json.loads(json.dumps(to_plain(results.to_json())))
    pinned = json.loads((PINNED / f"{name}.json").read_text(encoding="utf-8"))
    assert differences(pinned, current) == []
