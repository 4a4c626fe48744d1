"""Display tables of the interview chapter, in the reader's language, from the results."""

from __future__ import annotations

import pandas as pd

from analysis.chapters.interviews.data import DIAGNOSES, SEXES
from analysis.chapters.interviews.narrative import named
from analysis.chapters.interviews.stats import Agreement, Characteristics
from analysis.core import reproduction
from analysis.core.disclosure import is_suppressed
from analysis.core.i18n import EN_DASH, fmt_count, fmt_int, fmt_num, fmt_pct, t


def _count_cells(
    counts: dict[str, int], hide: frozenset[str], total: int, threshold: int, lang: str
) -> list[str]:
    """``n (share)``, ``<threshold`` for a small count, or "hidden" for its complement."""
    return [
        (
            fmt_count(n, lang, threshold)
            if is_suppressed(n, threshold)
            else t("interviews.suppressed_secondary", lang)
        )
        if key in hide
        else f"{fmt_int(n, lang)} ({fmt_pct(n / total, lang)})"
        for key, n in counts.items()
    ]


def characteristics(people: Characteristics, lang: str) -> pd.DataFrame:
    """Aggregate participant characteristics, with the hidden counts hidden."""
    n = people.n_participants
    threshold = people.suppress_below
    rows = [(t("interviews.char.n", lang), fmt_int(n, lang))]
    if people.n_invited:
        took_part = t("interviews.char.took_part", lang, share=fmt_pct(people.response, lang))
        rows.append(
            (t("interviews.char.invited", lang), f"{fmt_int(people.n_invited, lang)} ({took_part})")
        )
    rows += zip(
        [t(f"interviews.sex.{sex}", lang) for sex in SEXES],
        _count_cells(people.sex, people.hidden_sex, n, threshold, lang),
        strict=True,
    )
    rows.append(
        (
            t("interviews.char.age", lang),
            f"{fmt_num(people.age_median, lang, 0)} "
            f"({fmt_int(people.age_min, lang)}{EN_DASH}{fmt_int(people.age_max, lang)})",
        )
    )
    rows += zip(
        [t(f"interviews.dx.{dx}", lang) for dx in DIAGNOSES],
        _count_cells(people.diagnosis_group, people.hidden_diagnosis, n, threshold, lang),
        strict=True,
    )
    rows.append(
        (
            t("interviews.char.sick_leave", lang),
            f"{fmt_int(people.sick_leave_min, lang)}{EN_DASH}"
            f"{fmt_pct(people.sick_leave_max / 100, lang)}",
        )
    )
    return pd.DataFrame(
        rows, columns=[t("interviews.col.characteristic", lang), t("interviews.col.value", lang)]
    )


def _counts(series: pd.Series, lang: str) -> pd.Series:
    return series.map(lambda n: fmt_int(n, lang))


def _named(ids: pd.Series, names: pd.Series) -> pd.Series:
    return pd.Series(map(named, ids, names), index=ids.index, dtype=object)


def codebook(codes: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Themes → codes with definitions and counts."""
    first = ~codes["theme_id"].duplicated()
    return pd.DataFrame(
        {
            t("interviews.col.theme", lang): _named(
                codes["theme_id"], codes[f"theme_{lang}"]
            ).where(first, ""),
            t("interviews.col.code", lang): _named(codes["code_id"], codes[f"code_{lang}"]),
            t("interviews.col.definition", lang): codes[f"description_{lang}"].fillna(""),
            t("interviews.col.participants", lang): _counts(codes["n_participants"], lang),
            t("interviews.col.segments", lang): _counts(codes["n_segments"], lang),
        }
    )


def kappa(agreement: Agreement, codes: pd.DataFrame, lang: str) -> pd.DataFrame:
    """κ per code between the two coders."""
    frame = agreement.per_code.merge(codes[["code_id", f"code_{lang}"]], on="code_id")
    first, second = agreement.coders
    return pd.DataFrame(
        {
            t("interviews.col.code", lang): _named(frame["code_id"], frame[f"code_{lang}"]),
            t("interviews.col.shared", lang): _counts(frame["n_segments"], lang),
            t("interviews.col.by_coder", lang, coder=first): _counts(frame["n_first"], lang),
            t("interviews.col.by_coder", lang, coder=second): _counts(frame["n_second"], lang),
            t("interviews.col.agreement", lang): frame["agreement"].map(lambda x: fmt_pct(x, lang)),
            t("interviews.col.kappa", lang): frame["kappa"].map(lambda x: fmt_num(x, lang, 2)),
        }
    )


def published(rows: list[dict], lang: str) -> pd.DataFrame:
    """The reproduction rows of the chapter."""
    return reproduction.table(rows, lang, component="interviews")
