"""Sentences and Markdown of the interview chapter, composed from the results with labels."""

from __future__ import annotations

import re

import pandas as pd

from analysis.chapters.interviews.stats import Agreement, Characteristics
from analysis.core.i18n import fmt_int, fmt_pct, t

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~$])")


def escape(text: str) -> str:
    """Plain text made safe for MyST Markdown."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def sample(people: Characteristics, lang: str) -> str:
    """How many took part (of how many invited), and whether small counts are hidden."""
    invited = (
        t(
            "interviews.text.invited",
            lang,
            invited=fmt_int(people.n_invited, lang),
            share=fmt_pct(people.response, lang),
        )
        if people.n_invited
        else ""
    )
    key = "interviews.text.sample" if people.suppress_below > 0 else "interviews.text.sample_open"
    return t(
        key,
        lang,
        n=fmt_int(people.n_participants, lang),
        invited=invited,
        threshold=people.suppress_below,
    )


def coding(
    n_themes: int, n_codes: int, n_segments: int, n_contributing: int, n_covered: int, lang: str
) -> str:
    """The size of the codebook and of the coded material."""
    return t(
        "interviews.text.coding",
        lang,
        themes=fmt_int(n_themes, lang),
        codes=fmt_int(n_codes, lang),
        segments=fmt_int(n_segments, lang),
        participants=fmt_int(n_contributing, lang),
        covered=fmt_int(n_covered, lang),
    )


def _excerpt_box(row: pd.Series, code_label: str, lang: str) -> str:
    title = t("interviews.excerpt.title", lang, participant=row["participant_id"], code=code_label)
    return (
        f"```{{admonition}} {escape(title)}\n:class: tip\n\n{escape(row[f'excerpt_{lang}'])}\n```\n"
    )


def theme(
    theme_id: str,
    themes: pd.DataFrame,
    codes: pd.DataFrame,
    counts: dict[str, int],
    excerpts: pd.DataFrame,
    lang: str,
) -> str:
    """A theme's name, definition, codes and excerpt boxes as MyST Markdown (no headings)."""
    row = themes.loc[theme_id]
    codes = codes[codes["theme_id"] == theme_id]
    parts = [
        t(
            "interviews.theme.lead",
            lang,
            theme_id=theme_id,
            name=escape(row[f"theme_{lang}"]),
            participants=fmt_int(counts["n_participants"], lang),
            segments=fmt_int(counts["n_segments"], lang),
        )
    ]
    definition = row.get(f"theme_description_{lang}")
    if isinstance(definition, str) and definition:
        parts.append(escape(definition))
    parts.append(
        "\n".join(
            f"- **{escape(code[f'code_{lang}'])}** ({code['code_id']}): "
            f"{escape(code[f'description_{lang}'] or '')}"
            for _, code in codes.iterrows()
        )
    )
    labels = codes.set_index("code_id")[f"code_{lang}"]
    parts += [
        _excerpt_box(segment, labels[segment["code_id"]], lang)
        for _, segment in excerpts.iterrows()
    ]
    return "\n\n".join(parts) + "\n"


def negative_cases(cases: pd.DataFrame, examples: dict[str, pd.DataFrame], lang: str) -> str:
    """One paragraph and one excerpt box per negative or divergent code."""
    if cases.empty:
        return t("interviews.negative.none", lang) + "\n"
    parts = []
    for _, code in cases.iterrows():
        parts.append(
            t(
                "interviews.negative.lead",
                lang,
                code=escape(code[f"code_{lang}"]),
                code_id=code["code_id"],
                theme_id=code["theme_id"],
                participants=fmt_int(code["n_participants"], lang),
                description=escape(code[f"description_{lang}"] or ""),
            )
        )
        parts += [
            _excerpt_box(segment, code[f"code_{lang}"], lang)
            for _, segment in examples[code["code_id"]].iterrows()
        ]
    return "\n\n".join(parts) + "\n"


def agreement(result: Agreement, lang: str) -> str:
    """Whether κ applies, and if so between whom and over how many segments."""
    if result.not_applicable is not None:
        return t(
            f"interviews.kappa.{result.not_applicable}", lang, n=fmt_int(len(result.coders), lang)
        )
    first, second = result.coders
    return t(
        "interviews.kappa.applies",
        lang,
        first=first,
        second=second,
        shared=fmt_int(result.n_shared, lang),
    )


def matrix_alt(n_participants: int, n_themes: int, n_covered: int, lang: str) -> str:
    """Alt text of the participant × theme heatmap."""
    return t(
        "interviews.figure.matrix.alt",
        lang,
        participants=fmt_int(n_participants, lang),
        themes=fmt_int(n_themes, lang),
        covered=fmt_int(n_covered, lang),
    )


def counts_alt(codes: pd.DataFrame, top_code_id: str, lang: str) -> str:
    """Alt text of the bar chart of segments per code."""
    top = codes.set_index("code_id").loc[top_code_id]
    return t(
        "interviews.figure.counts.alt",
        lang,
        codes=fmt_int(len(codes), lang),
        top=f"{top_code_id} {top[f'code_{lang}']}",
        top_n=fmt_int(top["n_segments"], lang),
    )
