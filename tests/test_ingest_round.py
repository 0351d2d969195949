"""read_round reads a round's sources on two threads: the result is that of reading them
one after another, and the error raised is that of the first failing source."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from danvan_survey.codebook import load_codebook
from danvan_survey.config import load_round
from danvan_survey.errors import InputError
from danvan_survey.ingest import IngestResult, read_round, read_source

REPO = Path(__file__).resolve().parents[1]


def _one_by_one(round_id: str, root: Path) -> IngestResult:
    cfg, codebook = load_round(round_id, root), load_codebook()
    result = IngestResult()
    for source in cfg.sources:
        read_source(cfg.path(source.path), source, cfg, codebook, result)
    return result


@pytest.mark.parametrize("round_id", ["demo-2014", "demo-2026"])
def test_round_read_on_threads_equals_sources_read_in_order(round_id: str) -> None:
    cfg = load_round(round_id, REPO)
    assert len(cfg.sources) >= 2
    got, expected = read_round(cfg, load_codebook()), _one_by_one(round_id, REPO)
    assert list(got.tables) == list(expected.tables)
    for table, frames in expected.tables.items():
        assert len(got.tables[table]) == len(frames)
        for ours, theirs in zip(got.tables[table], frames, strict=True):
            assert ours.equals(theirs)
            assert list(ours.columns) == list(theirs.columns)
    assert got.issues == expected.issues
    assert list(got.read_counts.items()) == list(expected.read_counts.items())
    assert got.skipped_rows == expected.skipped_rows
    assert got.refused == expected.refused


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
