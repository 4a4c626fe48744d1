"""Translations record the English text they were made from, and show when it changes."""

from __future__ import annotations

import shutil

import pytest

from analysis.cli import main
from analysis.core.catalog import PACKAGE, entry_texts
from analysis.core.settings import BOOK, LANGS
from analysis.core.yamlfile import read_yaml
from analysis.pipeline.sources import SOURCE_KEY, for_language, read_page
from analysis.pipeline.translations import (
    accept,
    fingerprint,
    label_translations,
    page_translations,
    to_check,
    translations,
)


def test_every_translation_records_the_english_text_it_translates():
    """Fails listing each passage whose English text changed since it was translated, or that
    records none; check it, then ``rtw-report translations accept --file F --key K``."""
    problems = to_check(translations())
    assert not problems, "\n".join(translation.describe() for translation in problems)


@pytest.fixture
def copies(tmp_path):
    """A stamped copy of a page and of a label file."""
    page = shutil.copy(BOOK / "references.md", tmp_path / "references.md")
    labels = shutil.copy(PACKAGE / "core" / "labels" / "common.yaml", tmp_path / "common.yaml")
    accept(translations([page], [labels]))
    assert to_check(translations([page], [labels])) == []
    return page, labels


def _change_first_english_passage(page) -> str:
    """Add a sentence to the page's first English passage; the cell number of its bokmål one."""
    lines = page.read_text(encoding="utf-8").splitlines(keepends=True)
    first = lines.index('+++ {"lang": "en"}\n') + 2  # the metadata line, a blank line, text
    lines[first] = lines[first].rstrip("\n") + " A sentence added later.\n"
    page.write_text("".join(lines), encoding="utf-8")
    return next(t.key for t in page_translations(page) if "added later" in t.source)


def test_a_changed_english_text_names_its_translations_until_accepted(copies):
    page, labels = copies
    stamped = {path: path.read_text(encoding="utf-8") for path in copies}
    cell = _change_first_english_passage(page)
    text = labels.read_text(encoding="utf-8")
    labels.write_text(text.replace('{en: "Yes",', '{en: "Yes, indeed",'), encoding="utf-8")

    stale = to_check(translations([page], [labels]))
    assert [(t.file, t.key, t.lang, t.state) for t in stale] == [
        (page, cell, "nb", "stale"),
        (labels, "common.yes", "nb", "stale"),
    ]
    assert "Yes, indeed" in stale[1].describe() and "common.yes" in stale[1].describe()
    assert "A sentence added later." in stale[0].describe()

    assert accept(stale) == 2
    assert to_check(translations([page], [labels])) == []
    for path, before in stamped.items():  # only the changed texts and their fingerprints
        changed = [
            (old, new)
            for old, new in zip(
                before.splitlines(), path.read_text(encoding="utf-8").splitlines(), strict=True
            )
            if old != new
        ]
        assert len(changed) == (2 if path == page else 1)


def test_unstamped_translations_are_listed_and_the_command_stamps_one(copies, capsys):
    _, labels = copies
    text = labels.read_text(encoding="utf-8")
    labels.write_text(text + 'common.later: {en: "Later", nb: "Senere"}\n', encoding="utf-8")
    with pytest.raises(SystemExit, match=r"^1 of \d+ translations to check"):
        main(["translations", "check", "--file", str(labels)])
    assert "nb label common.later is unstamped" in capsys.readouterr().out

    assert main(["translations", "accept", "--file", str(labels), "--key", "common.later"]) == 0
    assert labels.read_text(encoding="utf-8").endswith(
        f'common.later: {{en: "Later", nb: "Senere", nb_source: "{fingerprint("Later")}"}}\n'
    )
    assert main(["translations", "check", "--file", str(labels)]) == 0


def test_fingerprints_are_written_line_by_line_keeping_layout_and_comments(tmp_path):
    labels = tmp_path / "labels.yaml"
    original = (
        "# A comment about the file.\n"
        'a.one: {en: "{n} thing}", nb: "{n} ting"}  # a comment with a } in it\n'
        "a.block:\n"
        '  en: "Long text"  # comment\n'
        '  nb: "Lang tekst"  # kommentar\n'
        "\n"
        "# The next entry ends the file without a newline.\n"
        "a.last:\n"
        '  en: "Last"\n'
        '  nb: "Sist"'
    )
    labels.write_text(original, encoding="utf-8")
    accept(label_translations(labels))
    one, block, last = (fingerprint(text) for text in ("{n} thing}", "Long text", "Last"))
    expected = (
        "# A comment about the file.\n"
        f'a.one: {{en: "{{n}} thing}}", nb: "{{n}} ting", nb_source: "{one}"}}'
        "  # a comment with a } in it\n"
        "a.block:\n"
        '  en: "Long text"  # comment\n'
        '  nb: "Lang tekst"  # kommentar\n'
        f'  nb_source: "{block}"\n'
        "\n"
        "# The next entry ends the file without a newline.\n"
        "a.last:\n"
        '  en: "Last"\n'
        '  nb: "Sist"\n'
        f'  nb_source: "{last}"\n'
    )
    assert labels.read_text(encoding="utf-8") == expected

    labels.write_text(expected.replace("Long text", "Longer text"), encoding="utf-8")
    accept(label_translations(labels))  # replaces the fingerprint in place
    restamped = expected.replace("Long text", "Longer text")
    restamped = restamped.replace(block, fingerprint("Longer text"))
    assert labels.read_text(encoding="utf-8") == restamped
    assert {key: entry_texts(value, key) for key, value in read_yaml(labels).items()} == {
        "a.one": {"en": "{n} thing}", "nb": "{n} ting"},
        "a.block": {"en": "Longer text", "nb": "Lang tekst"},
        "a.last": {"en": "Last", "nb": "Sist"},
    }


def test_the_catalog_refuses_a_field_that_is_neither_language_nor_fingerprint():
    with pytest.raises(ValueError, match="nb_soruce is neither a language"):
        entry_texts({"en": "Yes", "nb": "Ja", "nb_soruce": "0123abcd"}, "label 'x'")
    with pytest.raises(ValueError, match="not a mapping"):
        entry_texts("Yes", "label 'x'")


def test_the_build_drops_the_fingerprints(copies):
    page, _ = copies
    stamped, unstamped = read_page(page), read_page(page)
    assert any(SOURCE_KEY in cell.metadata for cell in stamped.cells)
    for cell in unstamped.cells:
        cell.metadata.pop(SOURCE_KEY, None)
    for lang in LANGS:
        assert for_language(stamped, lang) == for_language(unstamped, lang)


def test_whitespace_alone_does_not_make_a_translation_stale():
    assert fingerprint("Two words\nwrapped") == fingerprint("Two  words wrapped\n")
    assert fingerprint("Two words") != fingerprint("Two word")


def test_a_translation_before_its_english_passage_is_unpaired(tmp_path):
    page = tmp_path / "page.md"
    page.write_text('+++ {"lang": "nb"}\n\nHei\n\n+++ {"lang": "en"}\n\nHello\n', encoding="utf-8")
    [found] = page_translations(page)
    assert (found.key, found.state) == ("0", "unpaired")
    assert accept([found]) == 0  # nothing to record until it follows its English passage
