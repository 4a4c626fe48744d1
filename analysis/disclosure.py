"""Statistical disclosure control for person-level tables."""

from __future__ import annotations

from analysis.i18n import fmt_int, t


def suppress_count(count: int, threshold: int, lang: str) -> str:
    """``count`` formatted, or ``<threshold`` when 0 < count < threshold (0 turns control off)."""
    if is_suppressed(count, threshold):
        return t("common.suppressed", lang, threshold=threshold)
    return fmt_int(count, lang)


def is_suppressed(count: int, threshold: int) -> bool:
    """True if ``count`` must not be shown at this threshold."""
    return threshold > 0 and 0 < count < threshold
