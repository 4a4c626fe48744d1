"""Statistical disclosure control for person-level results: which counts may be shown.

Pure rules, no formatting: the statistics layer decides what is hidden, and the pages show a
hidden count as ``<threshold`` (:func:`analysis.core.i18n.fmt_count`).
"""

from __future__ import annotations


def is_suppressed(count: int, threshold: int) -> bool:
    """True if ``count`` must not be shown at this threshold (0 turns control off)."""
    return threshold > 0 and 0 < count < threshold
