"""Reproduction rows: each published number beside the one computed from ``data/``.

A chapter's results carry ``reproduction`` rows (also in its results JSON); the overview page
gathers them. A row keeps its texts in both languages so the page needs no chapter code.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import pandas as pd

from analysis.core.i18n import fmt_num, t, translations

STATUSES = (
    "matches",
    "exact_by_construction",
    "calibrated",
    "reconstructed",
    "differs",
    "not_reproducible",
    "withheld",  # the computed value exists but disclosure control does not show it
)


def printed_decimals(published: str) -> int:
    """How many decimals a printed number has (``"4.562"`` -> 3, ``"0,99"`` -> 2)."""
    exponent = Decimal(published.replace(",", ".")).as_tuple().exponent
    return max(0, -int(exponent))


def within_rounding(computed: float, published: str) -> bool:
    """True if ``computed`` rounds to the printed value at the printed precision."""
    value = float(published.replace(",", "."))
    half_unit = 0.5 * 10 ** -printed_decimals(published)
    return abs(computed - value) <= half_unit + 1e-12


def fmt_published(published: str, lang: str) -> str:
    """A printed number in the page's number style, at its printed precision."""
    try:
        return fmt_num(float(published), lang, printed_decimals(published))
    except ValueError:
        return published


def row(
    quantity_key: str,
    published: str,
    computed: float | None,
    status: str,
    reason_key: str | None = None,
    decimals: int | None = None,
    **values: object,
) -> dict:
    """One reproduction row; ``quantity_key`` and ``reason_key`` are label keys filled by
    ``values``."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    if status == "differs" and reason_key is None:
        raise ValueError(f"a differing value needs a reason: {quantity_key}")
    return {
        "quantity": translations(quantity_key, **values),
        "published": published,
        "computed": computed,
        "decimals": printed_decimals(published) if decimals is None else decimals,
        "status": status,
        "reason": None if reason_key is None else translations(reason_key, **values),
    }


def compare(
    quantity_key: str,
    published: str,
    computed: float,
    reason_key: str | None = None,
    match_status: str = "matches",
    **values: object,
) -> dict:
    """A row whose status is ``match_status`` if ``computed`` matches the printed value, else
    ``differs`` (use ``exact_by_construction`` for counts the shipped data were built to meet)."""
    status = match_status if within_rounding(computed, published) else "differs"
    return row(
        quantity_key,
        published,
        computed,
        status,
        reason_key if status == "differs" else None,
        **values,
    )


def table(rows: list[dict], lang: str, component: str | None = None) -> pd.DataFrame:
    """Reproduction rows as a display table in ``lang``."""
    records = []
    for item in rows:
        record = {}
        if component is None:
            record[t("repro.col.component", lang)] = t(f"repro.component.{item['component']}", lang)
        record |= {
            t("repro.col.quantity", lang): item["quantity"][lang],
            t("repro.col.published", lang): fmt_published(item["published"], lang),
            t("repro.col.computed", lang): fmt_num(item["computed"], lang, item["decimals"]),
            t("repro.col.status", lang): t(f"repro.status.{item['status']}", lang),
            t("repro.col.reason", lang): (item["reason"] or {}).get(lang, ""),
        }
        records.append(record)
    return pd.DataFrame(records)


NEEDS_ATTENTION = ("differs", "not_reproducible")


def legend(lang: str) -> str:
    """What each status word means (the note under a reproduction table)."""
    return t("repro.legend", lang)


def gather(rows_by_chapter: Mapping[str, list[dict]]) -> list[dict]:
    """All chapters' rows in the order given, each tagged with its chapter (``component``)."""
    return [
        {**item, "component": chapter} for chapter, rows in rows_by_chapter.items() for item in rows
    ]


def by_component(rows: list[dict]) -> dict[str, list[dict]]:
    """Rows grouped by component, in the order they come."""
    groups: dict[str, list[dict]] = {}
    for item in rows:
        groups.setdefault(item["component"], []).append(item)
    return groups


def summary(rows: list[dict], lang: str) -> pd.DataFrame:
    """Counts of rows per status (rows) and chapter (columns), with totals, in ``lang``."""
    frame = pd.DataFrame(
        [(item["component"], item["status"]) for item in rows], columns=["component", "status"]
    )
    counts = pd.crosstab(frame["status"], frame["component"]).reindex(
        index=[status for status in STATUSES if status in set(frame["status"])],
        columns=list(dict.fromkeys(frame["component"])),
        fill_value=0,
    )
    counts.loc["total"] = counts.sum()
    counts[t("common.total", lang)] = counts.sum(axis=1)
    counts.columns = [
        t(f"repro.component.{name}", lang) if name in set(frame["component"]) else name
        for name in counts.columns
    ]
    counts.index = [
        t("common.total", lang) if status == "total" else t(f"repro.status.{status}", lang)
        for status in counts.index
    ]
    return counts.rename_axis(t("repro.col.status", lang)).reset_index()
