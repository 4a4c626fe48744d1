"""The published facts of the interview study (``published.yaml``) beside the computed ones."""

from __future__ import annotations

import re
from functools import cache

from analysis.chapters.interviews.data import DIAGNOSES, PUBLISHED, SEXES
from analysis.chapters.interviews.stats import Characteristics
from analysis.core import reproduction
from analysis.core.output_checks import EXTREME
from analysis.core.study import Study
from analysis.core.yamlfile import read_yaml

REASON = "interviews.reason.not_study_data"


@cache
def published() -> dict:
    """The published values, as printed."""
    return read_yaml(PUBLISHED)


def reproduces(study: Study) -> bool:
    """True when the study description declares the publication of ``published.yaml``."""
    return study.reproduces == published()["publication"]


def interview_number(participant_id: str) -> int | None:
    """The article's interview number of a pseudonym (``P05`` -> 5), if it has digits."""
    digits = re.sub(r"\D", "", participant_id)
    return int(digits) if digits else None


def rows(
    stats: Characteristics,
    n_themes: int,
    n_quoted: int,
    quoted: dict[str, tuple[str, ...]],
    constructed: bool,
) -> list[dict]:
    """The reproduction rows: sample, themes, quotations and the quote index per theme.
    A match is "exact by construction" on data ``constructed`` to meet the published facts.
    The computed side shows only what disclosure control lets the chapter show: a hidden or
    withheld value is None, marked ``suppressed`` with its ``source`` (its key in the results
    JSON), with a status that does not depend on it; on ``constructed`` data its published
    value is withheld too (:func:`analysis.core.reproduction.unpaired`): printed beside a
    withheld value of data built to meet it, it would be that value."""
    pub = published()
    match = "exact_by_construction" if constructed else "matches"

    def _count(key: str, published_value: str, computed: float | None) -> dict:
        if computed is None:
            return reproduction.row(
                key, published_value, None, "differs", "interviews.reason.missing"
            )
        return reproduction.compare(key, published_value, computed, REASON, match_status=match)

    def _shown(key: str, published_value: str, computed: float | None, source: str) -> dict:
        if source in hidden:
            extreme = hidden[source] == EXTREME
            withheld = reproduction.row(
                key,
                published_value,
                None,
                "withheld",
                "interviews.reason.extreme" if extreme else "interviews.reason.suppressed",
                threshold=stats.suppress_below,
            )
            withheld = {**withheld, "suppressed": True, "source": source}
            return reproduction.unpaired(withheld) if constructed else withheld
        return _count(key, published_value, computed)

    age, grade, hidden = stats.age, stats.sick_leave, stats.suppressed()
    result = [
        _count("interviews.repro.invited", pub["n_invited"], stats.n_invited),
        _count("interviews.repro.participants", pub["n_participants"], stats.n_participants),
    ]
    if stats.response is not None:
        result.append(
            reproduction.compare(
                "interviews.repro.response", pub["response_pct"], 100 * stats.response, REASON
            )
        )
    result += [
        _shown(f"interviews.repro.sex.{sex}", pub["sex"][sex], stats.sex.values[sex], f"sex.{sex}")
        for sex in SEXES
    ]
    result += [
        _shown("interviews.repro.age_min", pub["age_min"], age.low, "age_min"),
        _shown("interviews.repro.age_max", pub["age_max"], age.high, "age_max"),
    ]
    result += [
        _shown(
            f"interviews.repro.dx.{dx}",
            pub["diagnosis_group"][dx],
            stats.diagnosis_group.values[dx],
            f"diagnosis_group.{dx}",
        )
        for dx in DIAGNOSES
    ]
    result += [
        _shown(
            "interviews.repro.sick_leave_min", pub["sick_leave_min"], grade.low, "sick_leave.low"
        ),
        _shown(
            "interviews.repro.sick_leave_max", pub["sick_leave_max"], grade.high, "sick_leave.high"
        ),
    ]
    result.append(_count("interviews.repro.themes", pub["n_themes"], n_themes))
    result.append(_count("interviews.repro.quotes", pub["n_quotes"], n_quoted))
    for theme, numbers in pub["quoted"].items():
        ids = quoted.get(theme, ())
        computed = sorted(filter(None, map(interview_number, ids)))
        status = match if computed == numbers else "differs"
        reason = "interviews.reason.quoted" if ids else "interviews.reason.quoted_none"
        result.append(
            reproduction.row(
                "interviews.repro.quoted",
                str(len(numbers)),
                len(ids),
                status,
                reason if status == "differs" else None,
                theme_id=theme,
                numbers=", ".join(map(str, numbers)),
                found=", ".join(ids),
            )
        )
    return result
