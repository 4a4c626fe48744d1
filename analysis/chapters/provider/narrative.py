"""Provider sentences composed from the results, in one language."""

from __future__ import annotations

from analysis.chapters.provider.chapter import ProviderResults
from analysis.core.i18n import fmt_int, fmt_pct, t


def summary(results: ProviderResults, lang: str) -> str:
    """How many programmes answered, and how many of them have a permanent coordinator."""
    yes, valid = int(results.coordinator["yes"].sum()), int(results.coordinator["valid"].sum())
    return t(
        "provider.text.summary",
        lang,
        n=fmt_int(results.n_programmes, lang),
        valid=fmt_int(valid, lang),
        yes=fmt_int(yes, lang),
        share=fmt_pct(yes / valid, lang),
    )
