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


class UniqueKeyLoader(SAFE_LOADER):
    """The safe loader, refusing a key written twice in one mapping: YAML says keys are
    unique, but PyYAML keeps the last silently (a label or a study fact lost unseen)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"the key {key!r} is written twice",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep)


def read_yaml(path: Path) -> object:
    """The content of the YAML file at ``path`` (UTF-8), loaded safely; a key written twice
    in one mapping is an error (``yaml.YAMLError``)."""
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=UniqueKeyLoader)
