"""Reproduction rows: each published number beside the one computed from ``data/``.

A chapter's results carry ``reproduction`` rows (also in its results JSON); the overview page
gathers them. A row holds label keys, codes and numbers only: its ``quantity`` and ``reason``
are messages (:class:`~analysis.core.problems.Message`, a label key and its values), which
only the rendering (:mod:`analysis.core.reproduction_table`) writes in a language; a row
about one of several things of the data (an analysis, a study) has its code as ``subject``,
named in the chapter's results (``subjects``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from analysis.core.problems import Message

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
    ``values`` (numbers, codes, or a :class:`Message` where a value is itself a label)."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    if status == "differs" and reason_key is None:
        raise ValueError(f"a differing value needs a reason: {quantity_key}")
    return {
        "quantity": Message(quantity_key, **values),
        "published": published,
        "computed": computed,
        "decimals": printed_decimals(published) if decimals is None else decimals,
        "status": status,
        "reason": None if reason_key is None else Message(reason_key, **values),
    }


def unpaired(row: dict) -> dict:
    """A withheld row of data built to meet the publication, without its published value: a
    page that says the data meet the published values by construction (or are calibrated to
    its results) would otherwise print the hidden value, or one close to it, beside it (the
    published value may still be stated as the paper's, never paired with the data's)."""
    return {**row, "published": None, "unpaired": True}


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


NEEDS_ATTENTION = ("differs", "not_reproducible")


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


def named(rows: list[dict], subjects: Mapping[str, Message]) -> list[dict]:
    """The rows, each quantity of a row about something (its ``subject``, a code) preceded by
    the name ``subjects`` gives that code (else by the code itself), for display."""
    shown = []
    for item in rows:
        if "subject" in item:
            subject = subjects.get(item["subject"], item["subject"])
            quantity = Message("repro.of", subject=subject, quantity=item["quantity"])
            item = {**item, "quantity": quantity}
        shown.append(item)
    return shown


def rows_to_json(rows: list[dict]) -> list[dict]:
    """Rows for a results JSON: each ``quantity`` and ``reason`` as ``{"key", "values"}``."""
    return [
        {
            **item,
            "quantity": item["quantity"].to_json(),
            "reason": None if item["reason"] is None else item["reason"].to_json(),
        }
        for item in rows
    ]
