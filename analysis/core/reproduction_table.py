"""Reproduction rows (:mod:`analysis.core.reproduction`) written in a page's language."""

from __future__ import annotations

import pandas as pd

from analysis.core.i18n import fmt_num, t
from analysis.core.reproduction import STATUSES, printed_decimals


def fmt_published(published: str | None, lang: str) -> str:
    """A printed number in the page's number style, at its printed precision (a dash where
    it is withheld)."""
    if published is None:
        return fmt_num(None, lang)
    try:
        return fmt_num(float(published), lang, printed_decimals(published))
    except ValueError:
        return published


def table(rows: list[dict], lang: str, component: str | None = None) -> pd.DataFrame:
    """Reproduction rows as a display table in ``lang``."""
    records = []
    for item in rows:
        reason = item["reason"]
        record = {}
        if component is None:
            record[t("repro.col.component", lang)] = t(f"repro.component.{item['component']}", lang)
        record |= {
            t("repro.col.quantity", lang): item["quantity"].text(lang),
            t("repro.col.published", lang): fmt_published(item["published"], lang),
            t("repro.col.computed", lang): fmt_num(item["computed"], lang, item["decimals"]),
            t("repro.col.status", lang): t(f"repro.status.{item['status']}", lang),
            t("repro.col.reason", lang): "" if reason is None else reason.text(lang),
        }
        records.append(record)
    return pd.DataFrame(records)


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
