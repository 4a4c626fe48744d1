"""Content-addressed cache of a build's work, under ``<out>/.cache`` (safe to delete).

Each piece of work is stored under a key that hashes everything it depends on:

- a chapter's analysis: its data files and study description, its parameters, the code
  (every file of ``analysis/`` but the label files) and the lock file;
- a page of one language: the page's source in that language, the results it renders (the
  kept state of its chapter, or of every chapter for the overview), the code with the
  labels and the lock;
- a language's HTML: every file of its assembled source tree, the code and the lock.

A key that matches means the inputs are the same, so the stored output is reused; anything
changed gives a new key and the work is done again. Entries a build did not use are removed
when it succeeds, so the cache holds one build's worth.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from analysis.core.catalog import label_files
from analysis.core.settings import LOCK, ROOT


def _digest_files(digest: hashlib._Hash, files: Iterable[Path], base: Path) -> None:
    for path in sorted(files):
        digest.update(path.relative_to(base).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")


def digest(*parts: object, files: Iterable[Path] = (), base: Path | None = None) -> str:
    """SHA-256 over ``parts`` (as JSON) and the names and bytes of ``files``."""
    hashed = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode())
    files = list(files)
    if files:
        _digest_files(hashed, files, base or Path("/"))
    return hashed.hexdigest()


@cache
def code_digest(labels: bool = True) -> str:
    """The code and the pinned environment every result depends on; with ``labels=False``
    without the label catalog, which the analyses never read (their results hold label keys),
    so that editing a label renders the pages again but analyses nothing."""
    package = ROOT / "analysis"
    skipped = set() if labels else set(label_files(package))
    files = [
        p
        for p in package.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p not in skipped
    ]
    return digest("code", labels, files=[*files, LOCK], base=ROOT)


def tree_digest(tree: Path) -> str:
    """Every file of an assembled (and executed) source tree."""
    return digest(
        "tree", code_digest(), files=[p for p in tree.rglob("*") if p.is_file()], base=tree
    )


class Cache:
    """Stored outputs by key; ``enabled=False`` (``--force``) reads nothing but still stores."""

    def __init__(self, folder: Path, enabled: bool = True):
        self.folder = folder
        self.enabled = enabled
        self.used: set[Path] = set()
        self.stored: set[Path] = set()
        self.reused: dict[str, int] = {}
        self.done: dict[str, int] = {}

    def entry(self, kind: str, key: str) -> Path:
        """The folder of one entry (marked as used by this build)."""
        path = self.folder / kind / key
        self.used.add(path)
        return path

    def fetch(self, kind: str, key: str, target: Path) -> bool:
        """Copy the stored entry into ``target`` (a folder); False if there is none."""
        entry = self.entry(kind, key)
        if not (self.enabled and (entry / ".complete").is_file()):
            self.done[kind] = self.done.get(kind, 0) + 1
            return False
        shutil.copytree(
            entry, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".complete")
        )
        self.reused[kind] = self.reused.get(kind, 0) + 1
        return True

    def summary(self) -> str:
        """What this build did and what it reused, e.g. ``pages: 3 done, 7 reused``."""
        kinds = dict.fromkeys([*self.done, *self.reused])
        return "; ".join(
            f"{kind}: {self.done.get(kind, 0)} done, {self.reused.get(kind, 0)} reused"
            for kind in kinds
        )

    def store(self, kind: str, key: str, source: Path, names: Iterable[str] | None = None) -> None:
        """Keep ``source`` (the listed names in it, or all of it) under the key."""
        entry = self.entry(kind, key)
        shutil.rmtree(entry, ignore_errors=True)
        entry.mkdir(parents=True)
        for name in names if names is not None else [p.name for p in source.iterdir()]:
            item = source / name
            if item.is_dir():
                shutil.copytree(item, entry / name)
            elif item.exists():
                entry.joinpath(name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(item, entry / name)
        (entry / ".complete").touch()
        self.stored.add(entry)

    def discard(self) -> None:
        """Remove every entry this build stored (its work is refused)."""
        for entry in self.stored:
            shutil.rmtree(entry, ignore_errors=True)

    def prune(self) -> None:
        """Remove every entry this build did not use."""
        for kind in self.folder.iterdir() if self.folder.is_dir() else ():
            for entry in kind.iterdir():
                if entry not in self.used:
                    shutil.rmtree(entry, ignore_errors=True)
