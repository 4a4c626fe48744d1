"""The study description of a chapter's data: ``<data>/<chapter>.study.yaml``, and its schema.

The facts a page states about a study (title, setting, population, period, design, outcome
names and their direction, follow-up, where the data come from, which publication they
reproduce) come from this file, in every language, never from prose written for the shipped
data. The file is optional: without it a chapter describes its data in neutral words and
compares nothing with a publication. Example::

    title: {en: "Coordinators and return to work", nb: "Koordinator og tilbakeføring"}
    citation: cohort2019coordinator   # a key of the references
    reproduces: cohort2019coordinator # compare with this publication's numbers
    provenance: generated             # see PROVENANCES
    setting: {en: "...", nb: "..."}
    outcomes:
      first_rtw: {direction: beneficial, name: {en: "first return", nb: "første retur"}}

Each chapter has a schema of its own (``DESCRIPTION`` in its ``data.py``), a subclass of
:class:`StudyDescription`: the grammatical form each text must take where the chapter's
sentences use it, the ``facts`` it reads, the outcomes it knows and the publication it can be
compared with. The schema is the one source of the validation (unknown key, wrong type, missing
translation, unknown value: a message naming the file and the key, with the fix) and of the
reference tables of the re-run page (:mod:`analysis.core.describe`). Each key's meaning is the
label ``description.key.<key>`` (or the chapter's ``<chapter>.description.<key>``), its form
the label ``description.form.<form>``.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal, Union, get_args, get_origin

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from analysis.core.identifiers import identifier_kinds
from analysis.core.problems import InputError, Message, Problem
from analysis.core.settings import LANGS
from analysis.core.validation import identifier_problem
from analysis.core.yamlfile import read_yaml

# Where the data come from: observed (collected by the authors, or register data), the counts
# a publication prints, values worked out to meet a publication, an own simulation, this
# project's generators, text written to illustrate.
PROVENANCES = (
    "collected",
    "register",
    "published-counts",
    "reconstructed",
    "simulated",
    "generated",
    "illustrative",
)
OBSERVED = ("collected", "register")
MADE_UP = ("simulated", "generated", "illustrative")
DIRECTIONS = ("beneficial", "harmful")
PLACEHOLDER = re.compile(r"<<.*?>>", re.S)  # a text of a template still to be written

Text = dict[str, str]


class Described(BaseModel):
    """A part of a description: unknown keys refused, values taken as written (no coercion)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


BOOK_FILE = "book.yaml"  # the book description in the data folder


def _in_every_language(text: BaseModel, info: ValidationInfo) -> BaseModel:
    """A text given in every language of the book (the validation context's ``languages``,
    else every supported language)."""
    for lang in (info.context or {}).get("languages", LANGS):
        if getattr(text, lang) is None:
            raise PydanticCustomError("missing_language", "no {language} text", {"language": lang})
    return text


# A text in every language of the book: ``{en: "...", nb: "..."}`` (``{en: "..."}`` in a book
# of one language).
LangText = create_model(
    "LangText",
    __base__=Described,
    __doc__="A text in every language of the book.",
    __validators__={"in_every_language": model_validator(mode="after")(_in_every_language)},
    **{lang: (str | None, Field(default=None, min_length=1)) for lang in LANGS},
)


def key(
    form: str | None,
    example: object,
    meaning: str | None = None,
    required: bool = False,
    entries: str | None = None,
    **options: Any,
) -> Any:
    """A key of a description (optional unless ``required``): the form its texts take (label
    ``description.form.<form>``; None for a value that is not a text), an example value, the
    label of its meaning when it is not ``description.key.<key>``, and for a mapping of names
    the label saying what it holds an entry for (``entries``; default one per outcome)."""
    extra = {"form": form, "example": example, "meaning": meaning, "entries": entries}
    return Field(default=... if required else None, json_schema_extra=extra, **options)


def bilingual(en: str, nb: str) -> Text:
    """An example text in the book's two languages."""
    return {"en": en, "nb": nb}


class OutcomeDescription(Described):
    """The description of one outcome: its name and whether more of it is good."""

    name: LangText | None = key(
        "noun_phrase",
        bilingual("return to work", "tilbakeføring til arbeid"),
        "description.key.outcome_name",
    )
    direction: Literal[DIRECTIONS] | None = key(None, "beneficial", "description.key.direction")


class NoFacts(Described):
    """A chapter that reads no facts beyond the keys of every description."""


class StudyDescription(Described):
    """The keys every chapter's study description may hold (all optional)."""

    # The publications the chapter's data can be compared with (``published.yaml``).
    publications: ClassVar[tuple[str, ...]] = ()

    title: LangText | None = key(
        "title",
        bilingual("Coordinators and return to work", "Koordinator og tilbakeføring til arbeid"),
    )
    summary: LangText | None = key(
        "summary",
        bilingual(
            "a register study of time to return to work with and without a coordinator",
            "en registerstudie av tiden til tilbakeføring med og uten koordinator",
        ),
    )
    citation: str | None = key(None, "smith2024coordinators")
    reference: LangText | None = key(
        "definite",
        bilingual(
            "the register study of coordinators by Smith and Berg",
            "registerstudien av koordinatorer av Smith og Berg",
        ),
    )
    reproduces: str | None = key(None, "cohort2019coordinator")
    provenance: Literal[PROVENANCES] | None = key(None, "register")
    provenance_note: LangText | None = key(
        "sentences",
        bilingual(
            "The data are the register records of 2019.",
            "Dataene er registeropplysningene fra 2019.",
        ),
    )
    provenance_details: LangText | None = key(
        "paragraphs",
        bilingual("The file has one row per employee …", "Filen har én rad per arbeidstaker …"),
    )
    setting: LangText | None = key(
        "noun_phrase", bilingual("NAV offices in Viken", "NAV-kontorer i Viken")
    )
    population: LangText | None = key(
        "noun_phrase",
        bilingual("employees on full-time sick leave", "arbeidstakere på full sykmelding"),
    )
    period: LangText | None = key("period", bilingual("2019–2021", "2019–2021"))
    design: LangText | None = key("noun_phrase", bilingual("register study", "registerstudie"))
    follow_up: LangText | None = key(
        "prepositional", bilingual("in the sickness absence register", "i sykefraværsregisteret")
    )
    outcomes: dict[str, OutcomeDescription] | None = key(
        None,
        {
            "return_to_work": {
                "direction": "beneficial",
                "name": bilingual("return to work", "tilbakeføring til arbeid"),
            }
        },
    )
    facts: NoFacts | None = key(None, {})

    @field_validator("reproduces")
    @classmethod
    def _known_publication(cls, value: str | None) -> str | None:
        if value is not None and value not in cls.publications:
            raise PydanticCustomError("unknown_publication", "unknown publication")
        return value

    @model_validator(mode="after")
    def _directions(self) -> StudyDescription:
        outcomes = self.outcomes or {}
        if len(outcomes) > 1 and any(o.direction is None for o in outcomes.values()):
            raise PydanticCustomError("direction_required", "direction required")
        return self


@dataclass(frozen=True)
class Outcome:
    """One described outcome: its name in every language and whether more of it is good."""

    name: Text
    direction: str = "beneficial"


@dataclass(frozen=True)
class Study:
    """What a page may say about the study behind a chapter's data (all optional)."""

    title: Text | None = None
    summary: Text | None = None
    citation: str | None = None
    reference: Text | None = None
    reproduces: str | None = None
    provenance: str | None = None  # None: not said (the data are taken as observed)
    provenance_note: Text | None = None
    provenance_details: Text | None = None
    setting: Text | None = None
    population: Text | None = None
    period: Text | None = None
    design: Text | None = None
    follow_up: Text | None = None
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    facts: dict[str, object] = field(default_factory=dict)
    described: bool = False  # False when the data folder has no study description
    # The validated description itself, for the keys of the chapter's own schema (its plan).
    description: StudyDescription | None = None

    def text(self, name: str, lang: str) -> str | None:
        """A text field in ``lang`` (None when the description does not give it)."""
        value = getattr(self, name)
        return None if value is None else value[lang]

    @property
    def observed(self) -> bool:
        """True when the data are observed (collected, register data, or not said)."""
        return self.provenance is None or self.provenance in OBSERVED

    @property
    def synthetic(self) -> bool:
        """True when the data are made up (simulated, generated or illustrative)."""
        return self.provenance in MADE_UP


def study_file(data_dir: Path, chapter: str) -> Path:
    """Where a chapter's study description lives."""
    return Path(data_dir) / f"{chapter}.study.yaml"


def key_problem(name: str, where: str | None, message: Message, fix: Message) -> Problem:
    """A problem with the key ``where`` of the description file ``name`` (the whole file when
    None)."""
    return Problem(name, None, None, message, fix, key=where)


def bilingual_problem(
    name: str, where: str, example_key: str | None = None, languages: Iterable[str] = LANGS
) -> Problem:
    """The problem of a text (at ``where``) not written in every language of the book."""
    return key_problem(
        name,
        where,
        Message("input.study.not_bilingual"),
        Message(
            "input.study.fix.bilingual",
            name=example_key or where.rpartition(".")[2],
            example="{" + ", ".join(f"{lang}: '…'" for lang in languages) + "}",
        ),
    )


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
    """One problem per place in a description that holds a direct identifier."""
    found = []
    for where, text, free_text in texts_of(raw):
        for kind in identifier_kinds(text, free_text):
            problem = identifier_problem(name, None, kind, None)
            found.append(key_problem(name, where, problem.issue, problem.remedy))
    return found


def placeholder_problems(raw: object, name: str) -> list[Problem]:
    """One problem per text of a description still holding a ``<<…>>`` placeholder of a
    template (``rtw-report init``)."""
    return [
        key_problem(
            name, where, Message("input.study.placeholder"), Message("input.study.fix.placeholder")
        )
        for where, text, free_text in texts_of(raw)
        if free_text and PLACEHOLDER.search(text)
    ]


def unwrap(annotation: object) -> object:
    """The type of a key without its ``| None``."""
    if get_origin(annotation) in (Union, types.UnionType):
        kept = [arg for arg in get_args(annotation) if arg is not type(None)]
        return kept[0] if len(kept) == 1 else annotation
    return annotation


def is_model(annotation: object) -> bool:
    """True when ``annotation`` is a mapping of named keys (a schema part)."""
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def field_at(schema: type[BaseModel], parts: list[str]) -> tuple[FieldInfo | None, object]:
    """The key at ``parts`` of ``schema`` (None at the top) and the type of its value."""
    info, current = None, schema
    for part in parts:
        if is_model(current) and part in current.model_fields:
            info = current.model_fields[part]
            current = unwrap(info.annotation)
        elif get_origin(current) in (dict, list):
            current = unwrap(get_args(current)[-1])
        else:
            return None, None
    return info, current


def example_of(info: FieldInfo | None) -> object:
    """The example value of a key of a schema."""
    return (info.json_schema_extra or {}).get("example") if info else None


def yaml_inline(value: object) -> str:
    """``value`` written as one line of YAML."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1000)
    return text.strip().removesuffix("...").strip()


def _write_as(where: str, info: FieldInfo | None) -> Message:
    """The fix "write it as <key>: <example>"."""
    last = where.rpartition(".")[2]
    return Message("input.study.fix.write_as", example=f"{last}: {yaml_inline(example_of(info))}")


def _literal_values(annotation: object) -> tuple[str, ...]:
    return tuple(str(value) for value in get_args(annotation))


def schema_problem(
    error: dict, name: str, schema: type[StudyDescription], languages: Iterable[str] = LANGS
) -> Problem:
    """The problem that one validation ``error`` of ``schema`` reports, at its key (a text's
    in the book's ``languages``)."""
    is_key = bool(error["loc"]) and error["loc"][-1] == "[key]"
    parts = [str(part) for part in error["loc"] if part != "[key]"]
    where = ".".join(parts) or None
    kind = error["type"]
    if kind == "extra_forbidden" or (is_key and kind == "literal_error"):
        _, parent = field_at(schema, parts[:-1])
        known = (
            list(parent.model_fields)
            if is_model(parent)
            else _literal_values(get_args(parent)[0])
            if get_origin(parent) is dict
            else []
        )
        fix = (
            Message("input.fix.one_of", values=", ".join(known))
            if known
            else Message("input.study.fix.remove")
        )
        return key_problem(name, where, Message("input.study.unknown_key"), fix)
    info, annotation = field_at(schema, parts)
    outer, text = field_at(schema, parts[:-1])
    if text is LangText:  # one language of a text, not a text
        issue = Message("input.study.wrong_type", expected=Message("description.type.text"))
        return key_problem(name, where, issue, _write_as(".".join(parts[:-1]), outer))
    if kind == "literal_error":
        return key_problem(
            name,
            where,
            Message("input.study.unknown_value", value=repr(error["input"])),
            Message("input.fix.one_of", values=", ".join(_literal_values(annotation))),
        )
    if kind == "unknown_publication":
        known = schema.publications
        return key_problem(
            name,
            "reproduces",
            Message("input.study.unknown_publication", value=repr(error["input"])),
            Message("input.fix.one_of", values=", ".join(known))
            if known
            else Message("input.study.fix.remove"),
        )
    if kind == "direction_required":
        outcomes = error["input"].get("outcomes") or {}
        return key_problem(
            name,
            f"outcomes.{next(k for k, o in outcomes.items() if 'direction' not in o)}.direction",
            Message("input.study.direction_required"),
            Message("input.fix.one_of", values=", ".join(DIRECTIONS)),
        )
    if kind == "required_with":  # a key the description's other keys need
        needed = error["ctx"]["key"]
        info, _ = field_at(schema, [needed])
        return key_problem(
            name, needed, Message("input.study.required_with"), _write_as(needed, info)
        )
    if kind == "missing_language":
        issue = Message(
            "input.study.missing_translation",
            language=Message(f"description.lang.{error['ctx']['language']}"),
        )
        return key_problem(name, where, issue, _write_as(where or "", info))
    if kind == "missing":
        return key_problem(name, where, Message("input.study.missing_key"), _write_as(where, info))
    if annotation is LangText:
        return bilingual_problem(name, where or "", languages=languages)
    expected = {
        "string_type": "text",
        "int_type": "integer",
        "bool_type": "boolean",
        "date_type": "date",
    }.get(kind, "mapping" if is_model(annotation) or get_origin(annotation) is dict else "value")
    return key_problem(
        name,
        where,
        Message("input.study.wrong_type", expected=Message(f"description.type.{expected}")),
        _write_as(where or "", info),
    )


def read_description(path: Path) -> dict:
    """A description file as a mapping (an ``InputError`` when it is not YAML or no mapping)."""
    try:
        raw = read_yaml(path) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise InputError(
            [
                key_problem(
                    path.name,
                    None,
                    Message("input.study.not_yaml", error=str(error)),
                    Message("input.study.fix.yaml"),
                )
            ]
        ) from None
    if not isinstance(raw, dict):
        raise InputError(
            [
                key_problem(
                    path.name,
                    None,
                    Message("input.study.not_mapping"),
                    Message("input.study.fix.key_value"),
                )
            ]
        )
    return raw


def ordered_languages(named: object) -> tuple[str, ...]:
    """The languages of ``named`` (a book description's ``languages:``) in the supported
    order; every supported one when it names none it knows (its own check reports a wrong
    value)."""
    chosen = [lang for lang in LANGS if isinstance(named, list) and lang in named]
    return tuple(chosen) or LANGS


def book_languages(data_dir: Path) -> tuple[str, ...]:
    """The languages the book description of ``data_dir`` names (:func:`ordered_languages`)."""
    path = Path(data_dir) / BOOK_FILE
    return ordered_languages(read_description(path).get("languages") if path.is_file() else None)


def validated(path: Path, schema: type[BaseModel]) -> BaseModel:
    """The description at ``path`` checked against ``schema``, its texts in the languages of
    the book of its folder: every problem (identifiers first, alone) raised as one
    ``InputError`` naming the file and the key."""
    raw = read_description(path)
    if problems := identifier_problems(raw, path.name):
        raise InputError(problems)
    if problems := placeholder_problems(raw, path.name):
        raise InputError(problems)
    # the book description names its own languages; it is not read a second time for them
    own = path.name == BOOK_FILE
    languages = ordered_languages(raw.get("languages")) if own else book_languages(path.parent)
    try:
        return schema.model_validate(raw, context={"languages": languages})
    except ValidationError as error:
        raise InputError(
            [
                schema_problem(e, path.name, schema, languages)
                for e in error.errors(include_url=False)
            ]
        ) from None


def load_study(data_dir: Path, chapter: str, schema: type[StudyDescription]) -> Study:
    """Read and check ``<chapter>.study.yaml`` against the chapter's ``schema``; a neutral
    ``Study`` when there is none."""
    path = study_file(data_dir, chapter)
    if not path.is_file():
        return Study()
    description = validated(path, schema)
    texts = {name: value.model_dump() for name, value in description if isinstance(value, LangText)}
    outcomes = {
        name: Outcome(
            outcome.name.model_dump() if outcome.name else {lang: name for lang in LANGS},
            outcome.direction or "beneficial",
        )
        for name, outcome in (description.outcomes or {}).items()
    }
    facts = description.facts.model_dump(exclude_none=True) if description.facts else {}
    return Study(
        **texts,
        citation=description.citation,
        reproduces=description.reproduces,
        provenance=description.provenance,
        outcomes=outcomes,
        facts=facts,
        described=True,
        description=description,
    )


def check_claim(
    study: Study,
    data_dir: Path,
    chapter: str,
    what: str,
    wanted: Iterable[str],
    present: Iterable[str],
) -> None:
    """Raise the input error of a ``reproduces:`` claim the data cannot be compared on: none
    of the publication's ``wanted`` codes (its ``what``, a label key: its analyses, its
    groups) is ``present`` in the data, so the comparison would come out empty of what the
    publication is about. Nothing to check when the description claims nothing."""
    if study.reproduces is None:
        return
    wanted, found = list(wanted), set(present)
    if not found.intersection(wanted):
        raise InputError(
            [
                key_problem(
                    study_file(data_dir, chapter).name,
                    "reproduces",
                    Message(
                        "input.study.claim_unmatched", what=Message(what), values=", ".join(wanted)
                    ),
                    Message("input.study.fix.claim_unmatched"),
                )
            ]
        )


def publication_of(published: Path) -> tuple[str, ...]:
    """The reference key of the publication a chapter's ``published.yaml`` holds (none when
    the file is absent)."""
    return (read_yaml(published)["publication"],) if published.is_file() else ()
