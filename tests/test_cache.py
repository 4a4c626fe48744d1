"""The build's cache never serves work whose inputs changed, and a cached build publishes
exactly what a forced one does."""

from __future__ import annotations

import filecmp
import shutil

import pytest

from analysis.core.settings import BOOK
from analysis.pipeline import cache
from analysis.pipeline.build import build
from analysis.pipeline.cache import Cache, digest
from tests.helpers import SHIPPED_DATA

pytestmark = pytest.mark.book


def test_an_entry_is_reused_only_for_its_own_key(tmp_path):
    cache = Cache(tmp_path / "cache")
    (tmp_path / "made").mkdir()
    (tmp_path / "made" / "x.txt").write_text("one")
    key = digest("page", "x", files=[tmp_path / "made" / "x.txt"], base=tmp_path)
    assert not cache.fetch("pages", key, tmp_path / "out")
    cache.store("pages", key, tmp_path / "made")
    assert cache.fetch("pages", key, tmp_path / "out")
    (tmp_path / "made" / "x.txt").write_text("two")
    changed = digest("page", "x", files=[tmp_path / "made" / "x.txt"], base=tmp_path)
    assert changed != key and not cache.fetch("pages", changed, tmp_path / "again")
    assert not Cache(tmp_path / "cache", enabled=False).fetch("pages", key, tmp_path / "forced")


def steps(lines: list[str], action: str) -> set[tuple[str, str]]:
    """The (page, language) pairs a build's progress lines say it ran for ``action``."""
    return {tuple(line.split()[1:3]) for line in lines if line.startswith(action)}


def test_each_change_reruns_what_depends_on_it_and_the_cache_may_be_deleted(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SHIPPED_DATA, data)
    book = tmp_path / "book"
    shutil.copytree(BOOK, book)
    # One chapter (the quickest) and its overview: two pages, enough to tell which runs again.
    out, only = tmp_path / "out", ["provider"]

    def run(**options) -> list[str]:
        lines: list[str] = []
        build(data, out, langs=["en"], only=only, echo=lines.append, pages=book, **options)
        return lines

    run()
    unchanged = run()
    assert steps(unchanged, "execute") == set() and steps(unchanged, "render") == set()
    # A data file: its chapter's analysis and page run again, and so does the overview.
    providers = data / "providers.csv"
    lines = providers.read_text().splitlines()
    lines[1] = lines[1].replace(",yes,", ",no,", 1)
    providers.write_text("\n".join(lines) + "\n")
    assert steps(run(), "execute") == {("provider", "en"), ("reproduction", "en")}
    # A page's source: that page alone.
    page = book / "provider.md"
    page.write_text(page.read_text().replace("## ", "## ~ ", 1))
    assert steps(run(), "execute") == {("provider", "en")}
    # A cached build publishes exactly what a forced build does.
    cached = tmp_path / "cached"
    shutil.copytree(out / "html", cached / "html", symlinks=False)
    shutil.copytree(out / "results", cached / "results", symlinks=False)
    forced = run(force=True)
    assert steps(forced, "execute") == {("provider", "en"), ("reproduction", "en")}
    for folder in ("html", "results"):
        comparison = filecmp.dircmp(cached / folder, out / folder)
        assert _same(comparison), folder
    # The cache lives in the output folder and may be deleted: the next build does all again.
    shutil.rmtree(out / ".cache")
    assert len(steps(run(), "execute")) == 2
    assert (out / "html" / "en" / "provider.html").is_file()


def _same(comparison: filecmp.dircmp) -> bool:
    """True when two folders hold the same files with the same bytes, at every level."""
    if comparison.left_only or comparison.right_only:
        return False
    _, mismatch, errors = filecmp.cmpfiles(
        comparison.left, comparison.right, comparison.common_files, shallow=False
    )
    return not mismatch and not errors and all(map(_same, comparison.subdirs.values()))


def _cache_counts(lines: list[str]) -> dict[str, tuple[int, int]]:
    """``kind: (done, reused)`` from the build's ``cache`` line."""
    summary = next(line for line in lines if line.startswith("cache ")).split(maxsplit=1)[1]
    counts = {}
    for part in summary.split("; "):
        kind, numbers = part.split(": ")
        done, reused = (int(word) for word in numbers.replace(",", "").split()[::2])
        counts[kind] = (done, reused)
    return counts


def test_editing_a_label_renders_the_pages_again_but_analyses_nothing(tmp_path, monkeypatch):
    # The code the keys hash is a copy, so that a label can be edited without touching the
    # package (the pages still render with its labels: the keys are what is tested).
    root = tmp_path / "root"
    shutil.copytree(
        cache.ROOT / "analysis", root / "analysis", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy2(cache.ROOT / "requirements.lock", root)
    monkeypatch.setattr(cache, "ROOT", root)
    monkeypatch.setattr(cache, "LOCK", root / "requirements.lock")
    cache.code_digest.cache_clear()
    out = tmp_path / "out"

    def run() -> dict[str, tuple[int, int]]:
        lines: list[str] = []
        build(SHIPPED_DATA, out, langs=["en"], only=["provider"], echo=lines.append)
        return _cache_counts(lines)

    try:
        first = run()
        assert first["analysis"] == (1, 0) and first["pages"][0] > 0
        labels = root / "analysis" / "chapters" / "provider" / "labels.yaml"
        text = labels.read_text(encoding="utf-8")
        assert "Table 1:" in text
        labels.write_text(text.replace("Table 1:", "Table 1 :", 1), encoding="utf-8")
        cache.code_digest.cache_clear()
        second = run()
    finally:
        cache.code_digest.cache_clear()  # the next test hashes the package itself
    assert second["analysis"] == (0, 1)
    assert second["pages"][0] == first["pages"][0] and second["pages"][1] == 0
    assert second["html"] == (1, 0)
