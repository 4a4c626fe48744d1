"""Keep ``environment.yml`` (conda, Binder) in sync with the pip lock file.

``python -m analysis.pipeline.lockfile`` rewrites ``environment.yml`` from ``requirements.lock``;
a test checks that the committed file equals what this module would write.
"""

from __future__ import annotations

import re

from analysis.core.settings import ENVIRONMENT, LOCK

PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;#]+)")


def pins(lock_text: str) -> list[str]:
    """The ``name==version`` lines of a pip-compile lock file, in file order."""
    return [
        f"{m.group(1)}=={m.group(2)}"
        for line in lock_text.splitlines()
        if (m := PIN.match(line.strip()))
    ]


def environment_yml(lock_text: str) -> str:
    """An ``environment.yml`` with Python 3.11 and every pin of the lock file under pip."""
    lines = [
        "# Generated from requirements.lock by `python -m analysis.pipeline.lockfile` (make lock).",
        "# Do not edit by hand: tests/test_environment.py checks that the two agree.",
        "name: rtw-report",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        "  - python=3.11",
        "  - pip",
        "  - pip:",
        *(f"      - {pin}" for pin in pins(lock_text)),
        "      - -e .",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Rewrite ``environment.yml`` from ``requirements.lock``."""
    ENVIRONMENT.write_text(environment_yml(LOCK.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {ENVIRONMENT.name} with {len(pins(LOCK.read_text(encoding='utf-8')))} pins")


if __name__ == "__main__":
    main()
