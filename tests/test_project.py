"""Finding the project folder from a notebook's working directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from danvan_survey.project import find_project_root


def test_walks_up_from_notebooks_to_the_folder_with_data_raw(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DANVAN_HOME", raising=False)
    (tmp_path / "data" / "raw").mkdir(parents=True)
    nb = tmp_path / "notebooks" / "sub"
    nb.mkdir(parents=True)
    assert find_project_root(nb) == tmp_path.resolve()
    monkeypatch.chdir(tmp_path / "notebooks")
    assert find_project_root() == tmp_path.resolve()


def test_env_wins_and_no_marker_means_start(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a").mkdir()
    monkeypatch.delenv("DANVAN_HOME", raising=False)
    # no marker anywhere above a fresh temporary folder: the folder itself
    lonely = tmp_path / "a"
    if any((p / "data" / "raw").exists() or (p / "pyproject.toml").exists()
           for p in lonely.resolve().parents):
        pytest.skip("a parent of the temporary folder looks like a project")
    assert find_project_root(lonely) == lonely.resolve()
    monkeypatch.setenv("DANVAN_HOME", str(tmp_path))
    assert find_project_root(lonely) == tmp_path.resolve()
