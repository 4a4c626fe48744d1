"""A median that is not a number is said in words, never printed as the missing-value dash: a
Kaplan–Meier figure's alt text says "median not shown" with the reason where output checking
withholds it, "median not reached" where the curve does not reach one half, and marks a median
read off the coarsened curve; the built cohort page has no lone dash in any alt text, caption or
sentence (a dash for a withheld value belongs in table cells only)."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from analysis.chapters.cohort import narrative, survival
from analysis.chapters.cohort.data import DEFAULT_PLAN
from analysis.core.i18n import EN_DASH, t
from tests.helpers import Shipped

LANGS = ("en", "nb")
# 9 persons: 4 return, 1 is censored, then the last 4 return: at threshold 5 the published
# curve (one point, S = 5/9) never reaches one half, though the raw curve does (day 50).
TAIL_DAYS = pd.Series([10, 20, 30, 40, 45, 50, 51, 52, 53])
TAIL_EVENTS = pd.Series([1, 1, 1, 1, 0, 1, 1, 1, 1])
# A lone dash: a missing value printed where a word or number belongs.
LONE_DASH = re.compile(rf"(?:^|\s){EN_DASH}(?=\s|[.,;:)]|$)")


@pytest.fixture(scope="module")
def comparison(shipped: Shipped) -> survival.KMComparison:
    """The shipped cohort's first-RTW comparison by coordinator at threshold 5."""
    return shipped.results("cohort", suppress_below=5).outcomes["first_rtw"].by_coordinator


def _with_median(comparison: survival.KMComparison, median: survival.MedianSummary):
    """The comparison with its first curve's median replaced (its share returned kept)."""
    first = comparison.curves[0]
    median = replace(median, n=first.median.n, events=first.median.events)
    return replace(comparison, curves=(replace(first, median=median), *comparison.curves[1:]))


@pytest.mark.parametrize("lang", LANGS)
def test_a_withheld_median_is_not_shown_with_its_reason(comparison, lang: str) -> None:
    withheld = survival.km_curve(TAIL_DAYS, TAIL_EVENTS, "yes", suppress_below=5).median
    assert withheld.estimate_withheld
    summary = narrative.km_alt_summary(
        _with_median(comparison, withheld), DEFAULT_PLAN, 360, 5, lang
    )
    reason = t("cohort.reason.median_withheld", lang, threshold=5)
    assert t("cohort.km.alt_median_withheld", lang, reason=reason) in summary
    assert not LONE_DASH.search(summary), summary


@pytest.mark.parametrize("lang", LANGS)
def test_an_unreached_median_is_said_in_words(comparison, lang: str) -> None:
    unreached = survival.median_summary(pd.Series([10, 20, 30]), pd.Series([1, 0, 0]))
    assert unreached.estimate is None and not unreached.estimate_withheld
    summary = narrative.km_alt_summary(
        _with_median(comparison, unreached), DEFAULT_PLAN, 360, 0, lang
    )
    assert t("cohort.km.alt_median_not_reached", lang) in summary
    assert not LONE_DASH.search(summary), summary


@pytest.mark.parametrize("lang", LANGS)
def test_a_coarsened_median_is_marked_in_the_alt_text(comparison, lang: str) -> None:
    summary = narrative.km_alt_summary(comparison, DEFAULT_PLAN, 360, 5, lang)
    days = [curve.median.estimate for curve in comparison.curves]
    assert all(day is not None for day in days)
    for curve in comparison.curves:
        assert narrative.alt_median(curve.median, 5, lang) in summary
    marked = t("cohort.km.alt_median_coarsened", lang, days="138").split("138")[1]
    assert summary.count(marked) == len(days)
    assert not LONE_DASH.search(summary)


def test_the_dash_check_finds_a_placeholder() -> None:
    assert LONE_DASH.search(f"Coordinator: median {EN_DASH} days.")
    assert not LONE_DASH.search(f"Kaplan{EN_DASH}Meier, 31{EN_DASH}49 years")


def _texts(page: str) -> list[str]:
    """Every alt text, and the page's text outside its tables (captions and sentences)."""
    alts = [html.unescape(alt) for alt in re.findall(r'\balt="([^"]*)"', page)]
    body = re.sub(r"<table\b.*?</table>", " ", page, flags=re.S)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    sentences = [html.unescape(text) for text in re.split(r"<[^>]+>", body)]
    return [text for text in (*alts, *sentences) if text.strip()]


@pytest.mark.book
@pytest.mark.parametrize("lang", LANGS)
def test_no_alt_text_caption_or_sentence_prints_a_dash_for_a_value(
    built_book: Path, lang: str
) -> None:
    page = (built_book / "html" / lang / "cohort.html").read_text(encoding="utf-8")
    texts = _texts(page)
    assert any("median" in text for text in texts)
    assert [text for text in texts if LONE_DASH.search(text)] == []
