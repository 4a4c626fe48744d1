"""Cohorts that meet the data contract but leave statistics undefined: each such statistic is
not estimable with a reason (null + "reason" in the JSON, a note on the page in both languages)
and the rest of the chapter is still computed and rendered."""

from __future__ import annotations

import functools
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from analysis.chapters.cohort.chapter import CohortResults, analyse
from analysis.chapters.cohort.data import OUTCOMES, load
from analysis.core.display import FigureFolder
from analysis.core.i18n import t
from tests.conftest import share_build
from tests.helpers import SHIPPED_DATA, cohort_page_text

SHIPPED = pd.read_csv(SHIPPED_DATA / "cohort.csv", dtype=str, keep_default_na=False)


def _no_returns(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(
        first_rtw="0", full_rtw="0", days_to_first_rtw="360", days_to_full_rtw="360"
    )


def _no_returns_without_coordinator(frame: pd.DataFrame) -> pd.DataFrame:
    without = frame["coordinator"] == "no"
    frame = frame.copy()
    for outcome in OUTCOMES:
        frame.loc[without, outcome] = "0"
        frame.loc[without, f"days_to_{outcome}"] = "360"
    return frame


def _separation(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.loc[frame["programme_type"] == "treatment", "coordinator"] = "no"
    return frame


def _everyone_back_on_day_one(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(first_rtw="1", full_rtw="1", days_to_first_rtw="1", days_to_full_rtw="1")


CASES: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "one_row": lambda frame: frame.head(1),
    "three_rows": lambda frame: frame.head(3),
    "five_rows": lambda frame: frame.head(5),
    "one_programme_type": lambda frame: frame.assign(programme_type="treatment"),
    "everyone_back_on_day_one": _everyone_back_on_day_one,
    "no_returns": _no_returns,
    "everyone_with_coordinator": lambda frame: frame.assign(coordinator="yes"),
    "sex_empty": lambda frame: frame.assign(sex=""),
    "no_returns_without_coordinator": _no_returns_without_coordinator,
    "separation": _separation,
}


def _data(tmp_path: Path, case: str) -> Path:
    directory = tmp_path / case
    directory.mkdir(parents=True)
    CASES[case](SHIPPED).to_csv(directory / "cohort.csv", index=False)
    # The shipped description: the chapter compares its results with the paper.
    shutil.copy(SHIPPED_DATA / "cohort.study.yaml", directory)
    return directory


def _reasons(payload: object) -> list[str]:
    """Every reason code next to a null value in the results JSON (a reproduction row's
    reason is a text in each language, not a code)."""
    if isinstance(payload, dict):
        found = [payload["reason"]] if isinstance(payload.get("reason"), str) else []
        return found + [r for value in payload.values() for r in _reasons(value)]
    if isinstance(payload, list):
        return [r for value in payload for r in _reasons(value)]
    return []


def _render(results: CohortResults, monkeypatch: pytest.MonkeyPatch) -> str:
    """The page in both languages, its figures made but not drawn: drawing takes most of the
    time (:func:`test_every_figure_of_a_degenerate_cohort_is_drawn` draws them)."""
    return "\n".join(cohort_page_text(results, monkeypatch, lang) for lang in ("en", "nb"))


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], CohortResults]:
    """``analysed(case)``: the results of a case, analysed once per module."""
    folder = tmp_path_factory.mktemp("cases")
    return functools.cache(lambda case: analyse(load(_data(folder, case))))


EXPECTED = {
    "one_row": {"one_group", "or_undefined"},
    "three_rows": {"or_undefined"},
    "five_rows": {"or_undefined"},
    "one_programme_type": {"one_group"},
    "everyone_back_on_day_one": {"one_event_day"},
    "no_returns": {"no_events"},
    "everyone_with_coordinator": {"one_group", "or_undefined"},
    "sex_empty": {"no_complete_cases"},
    "no_returns_without_coordinator": {"no_events_in_group"},
    "separation": {"or_infinite"},
}


@pytest.mark.parametrize("case", list(CASES))
def test_degenerate_cohort_is_analysed_with_reasons(
    analysed: Callable[[str], CohortResults], case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = analysed(case)
    payload = json.loads(json.dumps(results.to_json(), default=float))
    reasons = set(_reasons(payload))
    assert EXPECTED[case] <= reasons, reasons
    text = _render(results, monkeypatch)
    for reason in reasons:
        for lang in ("en", "nb"):
            assert t(f"cohort.ne_reason.{reason}", lang) in text, (case, reason, lang)
    for outcome in payload["outcomes"].values():
        for key in ("cox_unadjusted", "cox_adjusted", "cox_unadjusted_cluster"):
            fit = outcome[key]
            assert (fit["hr"] is None) == bool(fit.get("reason"))
        adjusted = outcome["ph_test"]["cox_adjusted"]
        assert (adjusted["global_chi2"] is None) == bool(adjusted.get("reason"))


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_every_figure_of_a_degenerate_cohort_is_drawn(
    analysed: Callable[[str], CohortResults],
    case: str,
    monkeypatch: pytest.MonkeyPatch,
    figure_folder: FigureFolder,
) -> None:
    """The page's figures are drawn (in English; in Norwegian they differ only in words)."""
    cohort_page_text(analysed(case), monkeypatch, "en", figure_folder)
    drawn = list((figure_folder.book_dir / "figures").glob("*.svg"))
    assert drawn and all(b"<svg" in path.read_bytes() for path in drawn), drawn


def test_no_events_in_one_group_is_not_a_number_but_a_reason(
    analysed: Callable[[str], CohortResults],
) -> None:
    results = analysed("no_returns_without_coordinator")
    fit = results.outcomes["first_rtw"].cox["cox_unadjusted"]
    assert fit.efron.hr is None and fit.efron.reason == "no_events_in_group"
    assert results.outcomes["first_rtw"].by_coordinator.logrank.p is not None  # still a test


share_build("degenerate", "cohort", lambda folder: _data(folder, "everyone_with_coordinator"))


def test_a_degenerate_cohort_builds(shared_book) -> None:
    out = shared_book("degenerate")
    payload = json.loads((out / "results" / "cohort.json").read_text(encoding="utf-8"))
    first = payload["outcomes"]["first_rtw"]
    assert first["cox_unadjusted"]["hr"] is None
    assert first["cox_unadjusted"]["reason"] == "one_group"
    assert first["logrank"]["reason"] == "one_group"
    for lang in ("en", "nb"):
        html = (out / "html" / lang / "cohort.html").read_text(encoding="utf-8")
        assert t("cohort.ne_reason.one_group", lang) in html
