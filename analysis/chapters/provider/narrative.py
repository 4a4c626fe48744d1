"""Provider sentences composed from the results and the study description, in one language."""

from __future__ import annotations

from analysis.chapters.provider.chapter import ProviderResults
from analysis.chapters.provider.tables import outcome_name
from analysis.core.i18n import fmt_int, fmt_pct, t, tn


def opening(results: ProviderResults, lang: str) -> str:
    """What the data are: the study's design and setting when described, else the file."""
    study = results.study
    programmes = tn("provider.count.programmes", results.n_programmes, lang)
    if not (study.design and study.setting):
        return t("provider.text.opening_file", lang, programmes=programmes)
    described = {
        "design": study.text("design", lang),
        "setting": study.text("setting", lang),
        "programmes": programmes,
    }
    if not study.citation:
        return t("provider.text.opening_design", lang, **described)
    verb = t(f"provider.text.verb.{'compared' if results.compared else 'analysed'}", lang)
    citation = f"{{cite:t}}`{study.citation}`"
    return t("provider.text.opening_study", lang, verb=verb, citation=citation, **described)


def summary(results: ProviderResults, lang: str) -> str:
    """How many programmes answered the outcome's question, and how many of them said yes."""
    yes, valid = int(results.shares["yes"].sum()), int(results.shares["valid"].sum())
    return t(
        "provider.text.summary",
        lang,
        outcome=outcome_name(results.plan, lang),
        n=tn("provider.count.programmes", results.n_programmes, lang),
        valid=fmt_int(valid, lang),
        yes=fmt_int(yes, lang),
        share=fmt_pct(yes / valid, lang) if valid else fmt_pct(None, lang),
    )


def software(results: ProviderResults, lang: str) -> str:
    """Which χ² test the table's first p is: the publication's software when compared."""
    return t(f"provider.text.software{'_compared' if results.compared else ''}", lang)
