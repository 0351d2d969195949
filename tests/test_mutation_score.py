"""The mutation score script: what counts as killed, survived, equivalent, timed out."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from mutation_score import classify, read_equivalents, score  # noqa: E402


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


def test_a_module_with_nothing_tested_has_no_score() -> None:
    """0 of 0 is not 100 %: an unmeasured module must not pass the goal."""
    assert score(0, 0) is None
    assert score(17, 20) == 85.0
    assert score(0, 3) == 0.0
