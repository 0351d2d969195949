"""The repository as a reader meets it: no leftover merge-conflict markers in any tracked text."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MARKER = re.compile(r"^(<{7}|={7}|>{7})( |$)", re.MULTILINE)
TEXT_SUFFIXES = {".md", ".py", ".yaml", ".yml", ".toml", ".csv", ".j2", ".ipynb", ".txt", ".sh", ""}


def _tracked_text_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True)
    paths = [REPO / line for line in out.stdout.splitlines()]
    return [p for p in paths if p.suffix in TEXT_SUFFIXES and p.is_file()
            and "data/raw" not in p.as_posix()]


def test_marker_pattern_catches_a_conflict() -> None:
    sample = "a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> h9b\n"
    assert len(MARKER.findall(sample)) == 3
    assert not MARKER.findall("| ======= |\n<<<<<<<< eight\n")


def test_no_conflict_markers_in_tracked_files() -> None:
    found = [f"{p.relative_to(REPO)}:{text.count(chr(10), 0, m.start()) + 1}"
             for p in _tracked_text_files()
             for text in [p.read_text(encoding="utf-8", errors="replace")]
             for m in MARKER.finditer(text)]
    assert not found, f"merge-conflict markers left in: {found}"
