"""Reading the project's YAML files (labels, study descriptions, published numbers, config).

PyYAML's pure-Python loader takes a third of a second for the label catalog alone, in every
kernel and render; libyaml's safe loader (``CSafeLoader``, in PyYAML's wheels) reads the same
files about seven times faster and gives the same values and error positions. Where PyYAML was
built without libyaml, the pure-Python safe loader is used.
"""

from __future__ import annotations

from pathlib import Path

import yaml

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> object:
    """The content of the YAML file at ``path`` (UTF-8), loaded safely."""
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=SAFE_LOADER)
