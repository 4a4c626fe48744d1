"""Results of a build: the public JSON files and the private state the pages render from.

``<out>/results/<chapter>.json`` is the machine-readable contract of each chapter. The
analysis runs once per build; its typed results are kept as a pickle in the build's private
state folder (never published), from which the notebooks of both languages render.
"""

from __future__ import annotations

import json
import math
import pickle
from pathlib import Path

import numpy as np


def to_plain(value: object) -> object:
    """A JSON-ready copy: numpy scalars to Python, NaN to None, recursively."""
    if isinstance(value, dict):
        return {str(key): to_plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_results(results_dir: str | Path, chapter: str, payload: dict) -> Path:
    """Write ``payload`` as ``<results_dir>/<chapter>.json`` and return the path."""
    path = Path(results_dir) / f"{chapter}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(to_plain(payload), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return path


def read_results(results_dir: str | Path) -> dict[str, dict]:
    """Every ``<chapter>.json`` in ``results_dir``, keyed by chapter name."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(Path(results_dir).glob("*.json"))
    }


def save_state(state_dir: str | Path, chapter: str, results: object) -> Path:
    """Keep one chapter's typed results for the pages of this build."""
    path = Path(state_dir) / f"{chapter}.pickle"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
    return path


def load_state(state_dir: str | Path, chapter: str) -> object:
    """The typed results that :func:`save_state` kept for ``chapter`` in this build."""
    return pickle.loads((Path(state_dir) / f"{chapter}.pickle").read_bytes())


def load_all_states(state_dir: str | Path, order: list[str]) -> dict[str, object]:
    """The kept results of every chapter of this build, in ``order``."""
    return {
        name: load_state(state_dir, name)
        for name in order
        if (Path(state_dir) / f"{name}.pickle").is_file()
    }
