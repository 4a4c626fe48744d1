"""The study chapters of the book, in book order: the project's only registry of them.

This module imports nothing from the project but the defaults of
:mod:`analysis.core.settings` (a leaf too), so every layer may read it; the build imports
it, never the other way round. Each chapter is a package ``analysis/chapters/<name>/`` with
the same layers, from the data up:

- ``data.py``: the input schemas (``SCHEMAS``) and ``load(data_dir, notes)``, which validates
  (how the files were read goes to the ``Notes`` collector given);
- the statistics, in modules of their own that return typed results and import neither the
  labels nor matplotlib;
- ``reproduction.py`` and ``published.yaml``: the published numbers beside the computed ones;
- ``chapter.py``: ``analyse(data, **parameters)``, run once per build, and the results type
  with ``to_json()`` (the ``<out>/results/<name>.json`` contract) and ``reproduction`` rows;
- ``tables.py``, ``figures.py``, ``narrative.py``: what a reader sees, per language, drawn from
  the results only; ``page.py`` hands the notebook ``book/<name>.md`` one call per cell;
- ``labels.yaml``: every string of the chapter in bokmål and English.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType, ModuleType

from analysis.core.settings import SUPPRESS_BELOW

OVERVIEW_PAGE = "reproduction"


@dataclass(frozen=True)
class Chapter:
    """One study chapter: its name (also its page ``book/<name>.md``) and analysis parameters.

    ``parameters`` are the defaults of the keyword arguments of ``chapter.analyse``;
    ``suppress_below`` marks a chapter on person-level data (disclosure control applies).
    ``engine``: its ``load`` takes the engine that derives a register extract (``--engine``).
    """

    name: str
    parameters: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    engine: bool = False

    @property
    def person_level(self) -> bool:
        """True when the chapter's data describe persons and small counts are suppressed."""
        return "suppress_below" in self.parameters

    def module(self) -> ModuleType:
        """The chapter's ``chapter`` module (imported on first use: it loads the statistics)."""
        return importlib.import_module(f"{__name__}.{self.name}.chapter")


CHAPTERS: Mapping[str, Chapter] = MappingProxyType(
    {
        chapter.name: chapter
        for chapter in (
            Chapter("provider"),
            Chapter(
                "cohort",
                MappingProxyType({"follow_up_days": None, "suppress_below": SUPPRESS_BELOW}),
                engine=True,
            ),
            Chapter("meta"),
            Chapter("interviews", MappingProxyType({"suppress_below": SUPPRESS_BELOW})),
        )
    }
)
