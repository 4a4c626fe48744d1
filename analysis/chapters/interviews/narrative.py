"""Sentences and Markdown of the interview chapter, composed from the results with labels."""

from __future__ import annotations

import re

import pandas as pd

from analysis.chapters.interviews.chapter import InterviewsResults
from analysis.chapters.interviews.stats import Agreement, Characteristics, Contributions
from analysis.core.display import section_heading
from analysis.core.i18n import fmt_int, fmt_pct, t, tn
from analysis.core.study import Study

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~$])")


def escape(text: str) -> str:
    """Plain text made safe for MyST Markdown."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def named(identifier: str, name: str) -> str:
    """``"T1 Name"``, or the id alone when it already ends with the name (a Taguette tag is
    both: ``support`` / ``support``, ``support.employer`` / ``employer``)."""
    return identifier if identifier.endswith(name) else f"{identifier} {name}"


def counted(key: str, n: int | None, lang: str) -> str:
    """``n`` with the noun of the count label ``interviews.count.<key>``, or the wording of
    ``interviews.hidden_count.<key>`` when disclosure control hides ``n``."""
    if n is None:
        return t(f"interviews.hidden_count.{key}", lang)
    return tn(f"interviews.count.{key}", n, lang)


def shown_int(n: int | None, lang: str) -> str:
    """A count, or the marker of a hidden count."""
    return t("common.hidden", lang) if n is None else fmt_int(n, lang)


def opening(
    study: Study,
    n_participants: int,
    n_themes: int,
    n_codes: int,
    n_segments: int | None,
    lang: str,
) -> str:
    """What the data are: the study's setting and design when described, else the files."""
    setting, design = study.text("setting", lang), study.text("design", lang)
    if setting or design:
        authors = (
            f"{{cite:t}}`{study.citation}`"
            if study.citation
            else t("interviews.text.researchers", lang)
        )
        parts = [setting, design and f"{authors} {design}."]
        parts.append(
            t("interviews.text.rebuilds" if study.reproduces else "interviews.text.presents", lang)
        )
    else:
        parts = [
            t(
                "interviews.text.opening_file",
                lang,
                participants=tn("interviews.count.participants", n_participants, lang),
                themes=tn("interviews.count.themes", n_themes, lang),
                codes=tn("interviews.count.codes", n_codes, lang),
                segments=counted("coded_segments", n_segments, lang),
            )
        ]
    parts.append(t("interviews.text.rerun", lang))
    return " ".join(filter(None, parts))


def provenance(study: Study, lang: str) -> str | None:
    """The note on made-up or reconstructed data, worded by the study description."""
    how = study.text("provenance_note", lang)
    if study.synthetic:
        return t("common.synthetic_banner", lang, how=how or "").strip()
    return how


def excerpts_note(study: Study, lang: str) -> str:
    """Whether the excerpts are illustrative (and how they were written) or coded text."""
    if not study.synthetic:
        return t("interviews.excerpts.verbatim", lang)
    how = study.facts.get("excerpts")
    return " ".join(filter(None, [t("interviews.excerpts.illustrative", lang), how and how[lang]]))


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
        took_part=tn("interviews.count.took_part", people.n_participants, lang),
        invited=invited,
        threshold=fmt_int(people.suppress_below, lang),
    )


def excerpt_order(results: InterviewsResults, lang: str) -> str:
    """How the excerpts under a theme are ordered: quoted ones first when any is marked (the
    article's quotes when compared with it)."""
    if results.compared:
        return t("interviews.text.excerpt_order.compared", lang)
    quoted = any(results.quoted.values())
    return t(f"interviews.text.excerpt_order.{'quoted' if quoted else 'none'}", lang)


def codebook_intro(compared: bool, lang: str) -> str:
    """What a segment is; with the published study, how its codebook was made."""
    parts = [t("interviews.text.codebook_article", lang)] if compared else []
    return " ".join([*parts, t("interviews.text.segment", lang)])


def coding(n_themes: int, n_codes: int, shown: Contributions, lang: str) -> str:
    """The size of the codebook and of the coded material; under disclosure control, which
    counts of participants and segments are hidden and why."""
    text = t(
        "interviews.text.coding",
        lang,
        themes=tn("interviews.count.themes", n_themes, lang),
        codes=tn("interviews.count.codes", n_codes, lang),
        segments=counted("segments", shown.n_segments, lang),
        participants=counted("participants", shown.n_contributing, lang),
        covered=counted("of_whom_all", shown.n_covered, lang),
    )
    if shown.suppress_below <= 0:
        return text
    control = t(
        "interviews.text.coding_control", lang, threshold=fmt_int(shown.suppress_below, lang)
    )
    return f"{text} {control}"


def _excerpt_box(row: pd.Series, code_label: str, lang: str) -> str:
    title = t("interviews.excerpt.title", lang, participant=row["participant_id"], code=code_label)
    return (
        f"```{{admonition}} {escape(title)}\n:class: tip\n\n{escape(row[f'excerpt_{lang}'])}\n```\n"
    )


def _described(code: pd.Series, lang: str) -> str:
    """A code's description in ``lang``, empty where the codebook leaves it empty (missing)."""
    description = code[f"description_{lang}"]
    return description if isinstance(description, str) else ""


def theme(
    theme_id: str,
    themes: pd.DataFrame,
    codes: pd.DataFrame,
    counts: dict[str, int | None],
    excerpts: pd.DataFrame,
    lang: str,
) -> str:
    """A theme as MyST Markdown: its name as a heading (a section of the page, its id the
    theme's id in every language), definition, codes and excerpt boxes."""
    row = themes.loc[theme_id]
    codes = codes[codes["theme_id"] == theme_id]
    name = row[f"theme_{lang}"]
    title = (
        theme_id
        if theme_id.endswith(name)
        else t("interviews.theme.title", lang, theme_id=theme_id, name=name)
    )
    parts = [
        section_heading(escape(title), f"theme-{theme_id}"),
        t(
            "interviews.theme.lead",
            lang,
            participants=shown_int(counts["n_participants"], lang),
            segments=shown_int(counts["n_segments"], lang),
        ),
    ]
    definition = row.get(f"theme_description_{lang}")
    if isinstance(definition, str) and definition:
        parts.append(escape(definition))
    parts.append(
        "\n".join(
            f"- **{escape(code[f'code_{lang}'])}**"
            + ("" if code["code_id"] == code[f"code_{lang}"] else f" ({code['code_id']})")
            + (f": {escape(described)}" if (described := _described(code, lang)) else "")
            for _, code in codes.iterrows()
        )
    )
    labels = codes.set_index("code_id")[f"code_{lang}"]
    parts += [
        _excerpt_box(segment, labels[segment["code_id"]], lang)
        for _, segment in excerpts.iterrows()
    ]
    return "\n\n".join(parts) + "\n"


def negative_intro(compared: bool, lang: str) -> str:
    """Which codes follow; with the published study, what the article reports against the
    main picture."""
    parts = [t("interviews.text.negative_article", lang)] if compared else []
    return " ".join([*parts, t("interviews.text.negative", lang)])


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
                participants=shown_int(code["n_participants"], lang),
                description=escape(_described(code, lang)),
            )
        )
        parts += [
            _excerpt_box(segment, code[f"code_{lang}"], lang)
            for _, segment in examples[code["code_id"]].iterrows()
        ]
    return "\n\n".join(parts) + "\n"


def agreement(result: Agreement, study: Study, lang: str) -> str:
    """Whether κ applies, and if so between whom and over how many segments; without coders,
    who coded in the study if its description says so."""
    if result.not_applicable is not None:
        coding = study.facts.get("coding")
        return t(
            f"interviews.kappa.{result.not_applicable}",
            lang,
            n=fmt_int(len(result.coders), lang),
            coding=f" ({coding[lang]})" if coding else "",
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
        participants=tn("interviews.count.participants", n_participants, lang),
        themes=tn("interviews.count.themes", n_themes, lang),
        covered=tn("interviews.count.all_themes", n_covered, lang),
    )


def counts_alt(codes: pd.DataFrame, top_code_id: str, lang: str) -> str:
    """Alt text of the bar chart of segments per code."""
    top = codes.set_index("code_id").loc[top_code_id]
    return t(
        "interviews.figure.counts.alt",
        lang,
        codes=tn("interviews.count.codes", len(codes), lang),
        top=named(top_code_id, top[f"code_{lang}"]),
        top_n=tn("interviews.count.segments", top["n_segments"], lang),
    )


def reproduction_intro(constructed: bool, lang: str) -> str:
    """What the reproduction table compares."""
    parts = [t("interviews.text.repro", lang)]
    if constructed:
        parts.append(t("interviews.text.repro_constructed", lang))
    return " ".join(parts)
