"""The project's folders and defaults, each written once.

A leaf: it imports nothing from the project, so that the chapter registry, the command line
and the build can all read it.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent  # this checkout
BOOK = ROOT / "book"  # the single-source pages
BOOK_CONFIG = ROOT / "_config.yml"
BOOK_TOC = ROOT / "_toc.yml"
DATA = ROOT / "data"  # the default data folder
OUT = ROOT / "_build"  # the default output folder
LOCK = ROOT / "requirements.lock"
ENVIRONMENT = ROOT / "environment.yml"

# Disclosure control of the person-level chapters: statistics of groups smaller than this
# are withheld (``--suppress-below``; 0 turns it off).
SUPPRESS_BELOW = 5
# The cohort is followed up for this many days; later events are censored.
FOLLOW_UP_DAYS = 360
