"""The label catalog: every string a reader sees, by key, in bokmål (``nb``) and English (``en``).

The shared labels are in ``analysis/core/labels/*.yaml`` and each chapter's in
``analysis/chapters/<name>/labels.yaml``, each key mapping to ``{en: ..., nb: ...}``, plus the
fingerprint of the English text each translation was made from (``nb_source``, see
:mod:`analysis.pipeline.translations`), which the catalog leaves out. Kept apart
from :mod:`analysis.core.i18n` (number formatting) so that the messages about bad input
(:mod:`analysis.core.problems`) come from the catalog without loading the rendering layer.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from analysis.core.settings import LANGS, TRANSLATED_LANGS
from analysis.core.yamlfile import read_yaml

PACKAGE = Path(__file__).resolve().parent.parent
# The label files, in the package: shared (common, site, theme, contract, input), then one
# per chapter.
LABEL_PATTERNS = ("core/labels/*.yaml", "chapters/*/labels.yaml")


class MissingTranslationError(KeyError):
    """A label key is absent from the catalog, or lacks one of the languages."""


def fingerprint_field(lang: str) -> str:
    """The field of a label entry holding the fingerprint of the source text that its ``lang``
    text translates (``nb_source``)."""
    return f"{lang}_source"


FINGERPRINT_FIELDS = frozenset(fingerprint_field(lang) for lang in TRANSLATED_LANGS)


def label_files(package: Path = PACKAGE) -> list[Path]:
    """The label files of the ``analysis`` package folder ``package``, in catalog order."""
    return [path for pattern in LABEL_PATTERNS for path in sorted(package.glob(pattern))]


@cache
def catalog() -> dict[str, dict[str, str]]:
    """All labels of the shared and the chapter label files, keyed by label key, each with its
    text per language (the translation fingerprints left out)."""
    merged: dict[str, dict[str, str]] = {}
    for path in label_files():
        entries = read_yaml(path) or {}
        for key, value in entries.items():
            if key in merged:
                raise ValueError(f"label {key!r} in {path} is defined twice")
            merged[key] = entry_texts(value, f"label {key!r} in {path}")
    return merged


def entry_texts(entry: object, where: str) -> dict[str, str]:
    """A label entry's text per language; a ``ValueError`` if it has fields that are neither a
    language nor a translation fingerprint (a typo such as ``nb_soruce`` or ``no``)."""
    if not isinstance(entry, dict):
        raise ValueError(f"{where} is not a mapping of languages to texts: {entry!r}")
    unknown = set(entry) - set(LANGS) - FINGERPRINT_FIELDS
    if unknown:
        raise ValueError(
            f"{where}: {', '.join(sorted(map(str, unknown)))} is neither a language "
            f"({', '.join(LANGS)}) nor a translation fingerprint"
        )
    return {name: text for name, text in entry.items() if name in LANGS}


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a supported language, else raise ``ValueError``."""
    if lang not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang


def t(key: str, lang: str, **values: object) -> str:
    """The label ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    entry = catalog().get(key)
    if entry is None or not entry.get(check_lang(lang)):
        raise MissingTranslationError(f"no {lang!r} text for label {key!r}")
    text = entry[lang]
    if not values:
        return text
    # A value given in every language (a name the data give in each) fills in the page's language.
    resolved = {
        name: value[lang] if isinstance(value, dict) else value for name, value in values.items()
    }
    return text.format(**resolved)
