"""read_round reads a round's sources in round.yaml order: the error raised is that of the
first source that fails, whatever fails later."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from danvan_survey.codebook import load_codebook
from danvan_survey.config import load_round
from danvan_survey.errors import InputError
from danvan_survey.ingest import read_round

REPO = Path(__file__).resolve().parents[1]


def _round_with(tmp_path: Path, edit: dict[str, str]) -> Path:
    """A copy of demo-2014 whose round.yaml has the given text replacements."""
    folder = tmp_path / "data" / "raw" / "demo-2014"
    shutil.copytree(REPO / "data" / "raw" / "demo-2014", folder)
    yaml = folder / "round.yaml"
    text = yaml.read_text(encoding="utf-8")
    for old, new in edit.items():
        assert old in text
        text = text.replace(old, new)
    yaml.write_text(text, encoding="utf-8")
    return tmp_path


def test_first_failing_source_in_round_order_is_the_one_named(tmp_path: Path) -> None:
    # the first source is empty (unreadable), a later one is missing: as read in order,
    # the empty file is reported, not the missing one
    root = _round_with(tmp_path, {"form_b_kobo_SYNTHETIC.csv": "khong_co.csv"})
    (root / "data" / "raw" / "demo-2014" / "form_a_kobo_SYNTHETIC.csv").write_text("")
    with pytest.raises(InputError, match="form_a_kobo_SYNTHETIC.csv") as err:
        read_round(load_round("demo-2014", root), load_codebook())
    assert "khong_co.csv" not in str(err.value)


def test_a_missing_later_source_is_named(tmp_path: Path) -> None:
    root = _round_with(tmp_path, {"form_b_kobo_SYNTHETIC.csv": "khong_co.csv"})
    with pytest.raises(InputError, match="Không tìm thấy tệp nguồn 'khong_co.csv'"):
        read_round(load_round("demo-2014", root), load_codebook())
