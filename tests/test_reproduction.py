"""Reproduction rows hold label keys, codes and numbers; only rendering writes them in a
language."""

from __future__ import annotations

import json

import pytest

from analysis.chapters import CHAPTERS
from analysis.core import reproduction
from analysis.core.problems import Message
from analysis.core.reproduction_table import table
from analysis.core.settings import LANGS
from tests.helpers import Shipped


def test_a_row_holds_keys_and_its_json_nests_them():
    row = reproduction.compare(
        "provider.repro.count",
        "12",
        12,
        exposure=Message("provider.exposure.finance_nav"),
        cell="a",
        source=Message("provider.source.printed"),
    )
    assert row["quantity"] == Message(
        "provider.repro.count",
        exposure=Message("provider.exposure.finance_nav"),
        cell="a",
        source=Message("provider.source.printed"),
    )
    (plain,) = reproduction.rows_to_json([row])
    assert plain["quantity"] == {
        "key": "provider.repro.count",
        "values": {
            "exposure": {"key": "provider.exposure.finance_nav", "values": {}},
            "cell": "a",
            "source": {"key": "provider.source.printed", "values": {}},
        },
    }
    assert plain["reason"] is None and json.loads(json.dumps(plain)) == plain


def test_a_row_about_a_subject_is_shown_with_its_name():
    rows = [
        {**reproduction.row("meta.q.rr", "1.01", 1.01, "matches"), "subject": "a1"},
        {**reproduction.row("meta.q.rr", "0.90", 0.91, "matches"), "subject": "Berg 2015"},
        reproduction.row("meta.q.flow_included", "20", 20, "matches"),
    ]
    names = {"a1": Message("meta.analysis_label_no_months", comparison="X vs Y", outcome="RTW")}
    shown = table(reproduction.named(rows, names), "en", component="meta").iloc[:, 0].tolist()
    assert shown == [
        "X vs Y, RTW: risk ratio",
        "Berg 2015: risk ratio",
        "Flow diagram: publications and reviews included",
    ]


@pytest.fixture(scope="module")
def shipped_results(shipped: Shipped) -> dict[str, object]:
    return {name: shipped.results(name, **chapter.parameters) for name, chapter in CHAPTERS.items()}


@pytest.mark.parametrize("name", list(CHAPTERS))
def test_every_row_of_the_shipped_data_reads_in_every_language(shipped_results, name):
    results = shipped_results[name]
    rows = reproduction.named(results.reproduction, getattr(results, "subjects", {}))
    assert rows
    for lang in LANGS:
        shown = table(rows, lang, component=name)
        assert shown.notna().all().all() and (shown.iloc[:, 0] != "").all()
