"""Display tables of the interview chapter, in the reader's language, from the results."""

from __future__ import annotations

import pandas as pd

from analysis.chapters.interviews.data import DIAGNOSES, SEXES
from analysis.chapters.interviews.narrative import named, shown_int
from analysis.chapters.interviews.stats import AGE_BAND, Agreement, Characteristics
from analysis.core.disclosure import Summary, Suppressed
from analysis.core.i18n import EN_DASH, fmt_int, fmt_num, fmt_pct, t


def _count_cells(counts: Suppressed[str], total: int, lang: str) -> list[str]:
    """``n (share)``, or "hidden" for every count disclosure control hides (all alike)."""
    return [
        t("common.hidden", lang)
        if n is None
        else f"{fmt_int(n, lang)} ({fmt_pct(n / total, lang)})"
        for n in counts.values.values()
    ]


def _age(age: Summary, threshold: int, lang: str) -> str:
    """``median (min–max)``; under control the median with the range in whole bands (a small
    group: the bands only), or why it is withheld."""
    if age.exact:
        return (
            f"{fmt_num(age.median, lang, 0)} "
            f"({fmt_int(age.low, lang)}{EN_DASH}{fmt_int(age.high, lang)})"
        )
    if age.low is None:
        return t("interviews.char.withheld", lang, threshold=threshold)
    if age.median is not None:  # the youngest and oldest are not shown, only their bands
        return t(
            "interviews.char.age_median_band",
            lang,
            median=fmt_num(age.median, lang, 0),
            low=fmt_int(age.low, lang),
            high=fmt_int(age.high, lang),
            band=AGE_BAND,
        )
    return t(
        "interviews.char.age_band",
        lang,
        low=fmt_int(age.low, lang),
        high=fmt_int(age.high, lang),
        band=AGE_BAND,
        threshold=threshold,
    )


def _grade(grade: Summary, threshold: int, lang: str) -> str:
    """The range of sick-leave grades, or why it is withheld (the lowest and highest grade
    are persons' own values: not shown under control)."""
    if grade.withheld:
        return t("interviews.char.withheld", lang, threshold=threshold)
    if not grade.exact:
        return t("interviews.char.extremes_withheld", lang)
    return f"{fmt_int(grade.low, lang)}{EN_DASH}{fmt_pct(grade.high / 100, lang)}"


def characteristics(people: Characteristics, lang: str) -> pd.DataFrame:
    """Aggregate participant characteristics, as far as disclosure control shows them."""
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
        _count_cells(people.sex, n, lang),
        strict=True,
    )
    rows.append((t("interviews.char.age", lang), _age(people.age, threshold, lang)))
    rows += zip(
        [t(f"interviews.dx.{dx}", lang) for dx in DIAGNOSES],
        _count_cells(people.diagnosis_group, n, lang),
        strict=True,
    )
    rows.append((t("interviews.char.sick_leave", lang), _grade(people.sick_leave, threshold, lang)))
    return pd.DataFrame(
        rows, columns=[t("interviews.col.characteristic", lang), t("interviews.col.value", lang)]
    )


def _counts(series: pd.Series, lang: str) -> pd.Series:
    return series.map(lambda n: shown_int(None if pd.isna(n) else int(n), lang))


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
