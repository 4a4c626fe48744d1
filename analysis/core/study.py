"""The study description of a chapter's data: ``<data>/<chapter>.study.yaml``.

The facts a page states about a study (title, setting, population, period, design, outcome
names and their direction, follow-up, where the data come from, which publication they
reproduce) come from this file, in both languages, never from prose written for the shipped
data. The file is optional: without it a chapter describes its data in neutral words and
compares nothing with a publication. Example::

    title: {en: "Coordinators and return to work", nb: "Koordinator og tilbakeføring"}
    citation: cohort2019coordinator   # a key of book/references.bib
    reproduces: cohort2019coordinator # compare with this publication's numbers
    provenance: synthetic             # published-counts, synthetic, reconstructed, primary,
                                      # illustrative
    setting: {en: "...", nb: "..."}
    outcomes:
      first_rtw: {direction: beneficial, name: {en: "first return", nb: "første retur"}}
    facts: {n_invited: 40}            # chapter-specific facts the data files do not hold:
                                      # numbers, or texts as {en: …, nb: …}
    logistic_regression:              # provider: a model to fit, checked by the chapter
      outcome: permanent_coordinator
      items: [finance, dx_mental]

Every text is a mapping with an ``en`` and an ``nb`` entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from analysis.core.identifiers import identifier_kinds
from analysis.core.problems import InputError, Message, Problem
from analysis.core.settings import LANGS
from analysis.core.validation import identifier_problem
from analysis.core.yamlfile import read_yaml

PROVENANCES = ("published-counts", "synthetic", "reconstructed", "primary", "illustrative")
DIRECTIONS = ("beneficial", "harmful")
REGISTER_RULES = ("bridge_days",)  # how spells become a cohort (chapters/cohort/spells.py)
TEXT_FIELDS = (
    "title",
    "reference",
    "setting",
    "population",
    "period",
    "design",
    "follow_up",
    "provenance_note",
)

Text = dict[str, str]


@dataclass(frozen=True)
class Outcome:
    """One outcome: its name in both languages and whether more of it is good."""

    name: Text
    direction: str = "beneficial"


@dataclass(frozen=True)
class Study:
    """What a page may say about the study behind a chapter's data (all optional)."""

    title: Text | None = None
    citation: str | None = None
    reference: Text | None = None
    reproduces: str | None = None
    provenance: str = "primary"
    provenance_note: Text | None = None
    setting: Text | None = None
    population: Text | None = None
    period: Text | None = None
    design: Text | None = None
    follow_up: Text | None = None
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    facts: dict[str, object] = field(default_factory=dict)
    register: dict[str, int] = field(default_factory=dict)  # rules for spells (cohort)
    logistic_regression: dict[str, object] | None = None  # as written; the chapter checks it
    described: bool = False  # False when the data folder has no study description

    def text(self, name: str, lang: str) -> str | None:
        """A text field in ``lang`` (None when the description does not give it)."""
        value = getattr(self, name)
        return None if value is None else value[lang]

    @property
    def synthetic(self) -> bool:
        """True when the data are made up (synthetic or illustrative), not observed."""
        return self.provenance in ("synthetic", "illustrative")


def study_file(data_dir: Path, chapter: str) -> Path:
    """Where a chapter's study description lives."""
    return Path(data_dir) / f"{chapter}.study.yaml"


def _problem(name: str, key: str | None, message: Message, fix: Message) -> Problem:
    return Problem(name, key, None, message, fix)


def bilingual_problem(name: str, column: str, key: str | None = None) -> Problem:
    """The problem of a text (``key``, by default ``column``) not written as ``{en:, nb:}``."""
    return _problem(
        name,
        column,
        Message("input.study.not_bilingual"),
        Message("input.study.fix.bilingual", name=key or column, example="{en: '…', nb: '…'}"),
    )


def _text(value: object, name: str, key: str, problems: list[Problem]) -> Text | None:
    if value is None:
        return None
    if isinstance(value, dict) and all(isinstance(value.get(lang), str) for lang in LANGS):
        return {lang: value[lang].strip() for lang in LANGS}
    problems.append(bilingual_problem(name, key))
    return None


def texts_of(value: object, path: str = "") -> list[tuple[str, str, bool]]:
    """Every key and value of a parsed YAML document with where it is (``setting.nb``) and
    whether it is free text (numbers are searched for national ids only)."""
    if isinstance(value, dict):
        return [
            item
            for key, child in value.items()
            for item in [
                (path or str(key), str(key), True),
                *texts_of(child, f"{path}.{key}" if path else str(key)),
            ]
        ]
    if isinstance(value, list):
        return [item for i, child in enumerate(value) for item in texts_of(child, f"{path}[{i}]")]
    return [] if value is None else [(path, str(value), isinstance(value, str))]


def identifier_problems(raw: object, name: str) -> list[Problem]:
    """One problem per place in a study description that holds a direct identifier."""
    return [
        identifier_problem(name, where, kind, None)
        for where, text, free_text in texts_of(raw)
        for kind in identifier_kinds(text, free_text)
    ]


def load_study(data_dir: Path, chapter: str) -> Study:
    """Read and check ``<chapter>.study.yaml``; a neutral ``Study`` when there is none."""
    path = study_file(data_dir, chapter)
    if not path.is_file():
        return Study()
    name = path.name
    try:
        raw = read_yaml(path) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise InputError(
            [
                _problem(
                    name,
                    None,
                    Message("input.study.not_yaml", error=str(error)),
                    Message("input.study.fix.yaml"),
                )
            ]
        ) from None
    if not isinstance(raw, dict):
        raise InputError(
            [
                _problem(
                    name,
                    None,
                    Message("input.study.not_mapping"),
                    Message("input.study.fix.key_value"),
                )
            ]
        )
    problems: list[Problem] = identifier_problems(raw, name)
    known = {
        *TEXT_FIELDS,
        "citation",
        "reproduces",
        "provenance",
        "outcomes",
        "facts",
        "logistic_regression",
        "register",
    }
    problems += [
        _problem(
            name,
            str(key),
            Message("input.study.unknown_key"),
            Message("input.fix.one_of", values=", ".join(sorted(known))),
        )
        for key in raw
        if key not in known
    ]
    texts = {key: _text(raw.get(key), name, key, problems) for key in TEXT_FIELDS}
    provenance = raw.get("provenance", "primary")
    if provenance not in PROVENANCES:
        problems.append(
            _problem(
                name,
                "provenance",
                Message("input.study.unknown_value", value=repr(provenance)),
                Message("input.fix.one_of", values=", ".join(PROVENANCES)),
            )
        )
    outcomes = {}
    for key, value in (raw.get("outcomes") or {}).items():
        value = value if isinstance(value, dict) else {}
        direction = value.get("direction", "beneficial")
        if direction not in DIRECTIONS:
            problems.append(
                _problem(
                    name,
                    f"outcomes.{key}.direction",
                    Message("input.study.unknown_value", value=repr(direction)),
                    Message("input.fix.one_of", values=", ".join(DIRECTIONS)),
                )
            )
        outcome_name = _text(value.get("name"), name, f"outcomes.{key}.name", problems)
        outcomes[str(key)] = Outcome(outcome_name or {lang: str(key) for lang in LANGS}, direction)
    facts = raw.get("facts") or {}
    if not isinstance(facts, dict):
        problems.append(
            _problem(
                name,
                "facts",
                Message("input.study.not_mapping"),
                Message("input.study.fix.name_value"),
            )
        )
        facts = {}
    register = raw.get("register") or {}
    for key, value in register.items() if isinstance(register, dict) else [("", None)]:
        if key not in REGISTER_RULES or not isinstance(value, int) or value < 0:
            problems.append(
                _problem(
                    name,
                    f"register.{key}".rstrip("."),
                    Message("input.study.register_rule"),
                    Message("input.study.fix.register_rule", keys=", ".join(REGISTER_RULES)),
                )
            )
    for key in ("citation", "reproduces"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            problems.append(
                _problem(
                    name,
                    key,
                    Message("input.study.not_text"),
                    Message("input.study.fix.reference"),
                )
            )
    if problems:
        raise InputError(problems)
    return Study(
        **texts,
        citation=raw.get("citation"),
        reproduces=raw.get("reproduces"),
        provenance=provenance,
        outcomes=outcomes,
        facts=dict(facts),
        register=dict(register),
        logistic_regression=raw.get("logistic_regression"),
        described=True,
    )
