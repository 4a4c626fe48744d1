"""The project's folders and defaults, each written once.

A leaf: it imports nothing from the project, so that the chapter registry, the command line
and the build can all read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent  # this checkout
BOOK = ROOT / "book"  # the single-source pages
BOOK_CONFIG = ROOT / "_config.yml"
BOOK_TOC = ROOT / "_toc.yml"
DATA = ROOT / "data"  # the default data folder
OUT = ROOT / "_build"  # the default output folder
LOCK = ROOT / "requirements.lock"
ENVIRONMENT = ROOT / "environment.yml"

# The book's languages, the one list of them. Bokmål comes first: it is the default first
# language of ``--lang`` (in which messages come), of the language links and of the landing page.
LANGS: tuple[str, ...] = ("nb", "en")
# The language every passage and label is written in first; the others translate it.
SOURCE_LANG = "en"
TRANSLATED_LANGS: tuple[str, ...] = tuple(lang for lang in LANGS if lang != SOURCE_LANG)
# The order of a data file's columns per language (``theme_en``, ``theme_nb``): alphabetical,
# as the shipped files and their data-contract tables have them.
COLUMN_LANGS: tuple[str, ...] = tuple(sorted(LANGS))

# A heading of a cell's Markdown output that carries this class becomes a section of the page
# (in its contents), not the rubric MyST makes of a heading in an output (the book's Sphinx
# extension, ``analysis.pipeline.sphinx_i18n``; written by ``analysis.core.display``).
OUTPUT_SECTION_CLASS = "rtw-output-section"

# A figure's rendition for a phone's column is saved beside it with this suffix to its name
# (``analysis.core.display.show_figure``); the book shows it on a narrow screen (the Sphinx
# extension).
PHONE_FIGURE_SUFFIX = "-phone"

# Disclosure control of the person-level chapters: statistics of groups smaller than this
# are withheld (``--suppress-below``; 0 turns it off).
SUPPRESS_BELOW = 5
# The cohort is followed up for this many days; later events are censored.
FOLLOW_UP_DAYS = 360

# Register extracts are derived in an engine (``--engine``): embedded DuckDB by default, or
# Apache Spark (the ``spark`` extra) at ``--spark-master``.
ENGINES: tuple[str, ...] = ("duckdb", "spark")
SPARK_MASTER = "local[2]"


@dataclass(frozen=True)
class Engine:
    """Where a register extract is derived and aggregated: ``name`` one of ``ENGINES``;
    ``master`` the Spark master URL (Spark only)."""

    name: str = ENGINES[0]
    master: str = SPARK_MASTER


DUCKDB = Engine()  # the default engine
