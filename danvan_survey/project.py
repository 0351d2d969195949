"""Find the project folder from wherever a notebook or command was started."""

from __future__ import annotations

import os
from pathlib import Path

#: A folder is the project root when it holds one of these.
ROOT_MARKERS = ("data/raw", "pyproject.toml")


def find_project_root(start: Path | str | None = None) -> Path:
    """Project root: ``$DANVAN_HOME`` if set, else the nearest folder at or above ``start``.

    ``start`` defaults to the working directory. The nearest folder holding ``data/raw`` or
    ``pyproject.toml`` wins, so a kernel started in ``notebooks/`` (JupyterLab) finds the
    project above it. Without any marker the start folder itself is returned.
    """
    home = os.environ.get("DANVAN_HOME", "").strip()
    if home:
        return Path(home).resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if any((folder / marker).exists() for marker in ROOT_MARKERS):
            return folder
    return here
