"""The mutation score script: what counts as killed, survived, equivalent, timed out."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from mutation_score import classify, read_equivalents  # noqa: E402


def test_classify_counts_each_status() -> None:
    codes = {"m.a": 1, "m.b": 0, "m.c": -24, "m.d": None, "m.e": 33, "m.f": 0}
    status, survivors = classify(codes, {"m.f": ("m", "why")})
    assert status["killed"] == 2 and status["timeout"] == 1  # a timeout counts as killed
    assert (status["survived"], status["no tests"], status["unchecked"]) == (1, 1, 1)
    assert status["equivalent"] == 1
    assert survivors == ["m.b", "m.e"]


def test_equivalents_need_three_fields(tmp_path: Path) -> None:
    good = tmp_path / "eq.txt"
    good.write_text("# comment\n\nm.x__mutmut_1 | m | reason why\n", encoding="utf-8")
    assert read_equivalents(good) == {"m.x__mutmut_1": ("m", "reason why")}
    bad = tmp_path / "bad.txt"
    bad.write_text("m.x__mutmut_1 | m\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="bad.txt:1"):
        read_equivalents(bad)
