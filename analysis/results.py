"""Machine-readable results: ``<results_dir>/<component>.json``."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np


def _plain(value: object) -> object:
    """JSON-ready value: numpy scalars to Python, NaN to None, recursively."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_results(results_dir: str | Path, component: str, payload: dict) -> Path:
    """Write ``payload`` as ``<results_dir>/<component>.json`` and return the path."""
    path = Path(results_dir) / f"{component}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(_plain(payload), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return path


def read_results(results_dir: str | Path) -> dict[str, dict]:
    """Every ``<component>.json`` in ``results_dir``, keyed by component name."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(Path(results_dir).glob("*.json"))
    }
