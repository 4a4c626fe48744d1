"""The lock file pins every dependency and environment.yml lists the same pins."""

import re
import tomllib

from analysis.core.settings import ENVIRONMENT, LOCK, ROOT
from analysis.pipeline.lockfile import environment_yml, pins


def test_environment_yml_is_in_sync_with_the_lock_file():
    assert ENVIRONMENT.read_text(encoding="utf-8") == environment_yml(
        LOCK.read_text(encoding="utf-8")
    )


def test_every_declared_dependency_is_pinned():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["dev"]
    pinned = {pin.split("==")[0].lower().replace("_", "-") for pin in pins(LOCK.read_text())}
    names = {re.split(r"[<>=!\[;\s]", dep, maxsplit=1)[0].lower() for dep in declared}
    assert names <= pinned, names - pinned
    assert any(pin.startswith("jupyter-book==1.") for pin in pins(LOCK.read_text()))
