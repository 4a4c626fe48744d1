"""The output folder of a build: claimed, locked, and replaced in one step.

Layout of ``<out>`` (POSIX)::

    .rtw-report.json    marks the folder as made by rtw-report; the last build's record
    .rtw-report.lock    held while a build writes here
    .book-<id>/         the current book: html/ and results/
    .current -> .book-<id>        swapped atomically (os.replace of a symlink)
    html -> .current/html         what readers open and publish
    results -> .current/results
    .build-<id>/        a build in progress (removed when it ends, or by the next build)

The marker lists a digest of every file name and content of the ``html/`` and ``results/`` the
last build published there (and of the book before it, for a build killed between writing the
marker and the swap); a folder whose ``html/`` or ``results/`` match neither is refused, as is
a folder without the marker that holds either, so files that rtw-report did not make are never
replaced. The root of the file system, the data folder (or a folder inside it) and a folder
that holds the project's sources are refused before anything is written. A build that fails, is
interrupted or killed leaves ``.current`` and with it the previous book untouched. Where the
file system has no symlinks, ``html/`` and ``results/`` are real folders replaced by renames.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; concurrent builds are the user's care
    fcntl = None

from analysis.pipeline.cache import digest
from analysis.pipeline.notebooks import BuildError

MARKER = ".rtw-report.json"
LOCK = ".rtw-report.lock"
CURRENT = ".current"
PUBLISHED = ("html", "results")


def _fail(out: Path, error: OSError) -> BuildError:
    reason = error.strerror or type(error).__name__
    return BuildError(
        f"cannot write to the output folder {out} ({reason.lower()}); "
        "choose a folder you can write to with --out"
    )


def refuse_unsafe(out: Path, data_dir: Path, sources: Path) -> None:
    """Refuse, before anything is written, an output folder where publishing a book could
    replace what is not the book's: the root of the file system, the data folder or a folder
    inside it, and a folder that holds the project's sources (``sources``). Paths resolved."""
    if out == Path(out.anchor):
        reason = "is the root of the file system"
    elif out == data_dir or data_dir in out.parents:
        reason = f"is {'' if out == data_dir else 'inside '}the data folder {data_dir}"
    elif out == sources or out in sources.parents:
        reason = f"holds the project's sources ({sources})"
    else:
        return
    raise BuildError(f"--out {out} {reason}; choose a new or empty folder of its own with --out")


def published_digests(book: Path) -> dict[str, str]:
    """A digest of every file name and content of each of ``book``'s published folders."""
    return {
        name: digest(
            "published",
            files=[p for p in (book / name).rglob("*") if p.is_file()],
            base=book / name,
        )
        for name in PUBLISHED
        if (book / name).is_dir()
    }


def _made_here(out: Path, present: list[str]) -> bool:
    """True when the marker lists a book whose published folders match ``present`` ones."""
    try:
        marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
        books = [marker.get("published"), marker.get("replaced")]
    except (OSError, ValueError, AttributeError):
        return False
    found = published_digests(out)
    return any(
        isinstance(book, dict) and all(book.get(name) == found.get(name) for name in present)
        for book in books
    )


def claim(out: Path, default: Path | None = None) -> None:
    """Make sure rtw-report may write into ``out`` and mark it as its own: an ``html/`` or
    ``results/`` already there must be the book the marker lists (``default`` is taken as
    rtw-report's own)."""
    if out.exists() and not out.is_dir():
        raise BuildError(f"--out {out} is a file, not a folder; choose a folder with --out")
    present = [name for name in PUBLISHED if os.path.lexists(out / name)]
    if present and out != default and not _made_here(out, present):
        held = " and ".join(f"{name}/" for name in present)
        why = (
            f"they are not the book it recorded in {MARKER}"
            if (out / MARKER).is_file()
            else f"there is no {MARKER} in it"
        )
        raise BuildError(
            f"{out} already holds {held} that rtw-report did not make ({why}); "
            "choose a new or empty folder with --out"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
        if not (out / MARKER).is_file():
            write_record(out, {})
    except OSError as error:
        raise _fail(out, error) from None


def read_record(out: Path) -> dict | None:
    """The record of the last successful build into ``out`` (None if there is none)."""
    path = Path(out) / MARKER
    if not path.is_file():
        return None
    record = json.loads(path.read_text(encoding="utf-8"))
    return record.get("build")


def write_record(out: Path, build: dict, book: Path | None = None) -> None:
    """Write the marker with the record of a build, in one step; with ``book``, the book about
    to be published, it lists that book's published folders (and those it replaces)."""
    record: dict = {"made_by": "rtw-report", "build": build or None}
    if book is not None:
        record["published"] = published_digests(book)
        record["replaced"] = published_digests(out) or None
    text = json.dumps(record, indent=2) + "\n"
    temporary = out / f"{MARKER}.new"
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, out / MARKER)


@contextmanager
def locked(out: Path):
    """Hold the folder's lock; a second build into the same folder stops with a message."""
    with open(out / LOCK, "w") as handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise BuildError(
                    f"another rtw-report build is writing to {out}; wait for it to finish "
                    "or choose another folder with --out"
                ) from None
        yield


def current_book(out: Path) -> Path | None:
    """The folder of the current book (None before the first build with symlinks)."""
    link = out / CURRENT
    return (out / os.readlink(link)) if link.is_symlink() else None


def clean_stale(out: Path) -> None:
    """Remove what interrupted builds left: work folders and books no longer current."""
    current = current_book(out)
    for path in out.iterdir():
        stale_book = path.name.startswith(".book-") and path != current
        if path.name.startswith(".build-") or stale_book or path.name.endswith(".old"):
            shutil.rmtree(path, ignore_errors=True)


def new_work_folder(out: Path) -> Path:
    """A fresh folder for one build, inside ``out`` so the final move is a rename."""
    try:
        return Path(tempfile.mkdtemp(prefix=".build-", dir=out))
    except OSError as error:
        raise _fail(out, error) from None


def publish(book: Path, out: Path) -> None:
    """Make ``book`` (holding ``html/`` and ``results/``) the current book in one step."""
    target = Path(tempfile.mkdtemp(prefix=".book-", dir=out))
    target.rmdir()
    book.rename(target)
    try:
        link = out / f"{CURRENT}.new"
        if os.path.lexists(link):
            link.unlink()
        os.symlink(target.name, link, target_is_directory=True)
    except OSError:
        _publish_by_renames(target, out)
        return
    os.replace(link, out / CURRENT)
    for name in PUBLISHED:
        path = out / name
        if path.is_symlink() and os.readlink(path) == f"{CURRENT}/{name}":
            continue
        if path.exists() or path.is_symlink():  # a folder of an earlier rtw-report layout
            old = out / f".{name}.old"
            path.rename(old)
            shutil.rmtree(old, ignore_errors=True)
        os.symlink(f"{CURRENT}/{name}", path, target_is_directory=True)
    clean_stale(out)


def _publish_by_renames(book: Path, out: Path) -> None:
    """Replace ``html/`` and ``results/`` by renames, where symlinks cannot be made."""
    for name in PUBLISHED:
        target, old = out / name, out / f".{name}.old"
        if target.exists():
            target.rename(old)
        (book / name).rename(target)
        shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(book, ignore_errors=True)
