"""The mutation score script: what counts as killed, survived, equivalent, timed out."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import json  # noqa: E402

from mutation_score import classify, merge, read_equivalents, score  # noqa: E402


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
    twice = tmp_path / "twice.txt"
    lines = ["m.x__mutmut_1 | m | one", "m.x__mutmut_2 | m | two", "m.x__mutmut_1 | m | three"]
    twice.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"twice.txt:3: m.x__mutmut_1 is listed twice"):
        read_equivalents(twice)


def test_a_module_with_nothing_tested_has_no_score() -> None:
    """0 of 0 is not 100 %: an unmeasured module must not pass the goal."""
    assert score(0, 0) is None
    assert score(17, 20) == 85.0
    assert score(0, 3) == 0.0


def _meta(path: Path, codes: dict, hashes: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"exit_code_by_key": codes, "hash_by_function_name": hashes}))


def test_a_scoped_run_fills_untested_mutants_and_replaces_edited_functions(
    tmp_path: Path,
) -> None:
    main, scoped = tmp_path / "main", tmp_path / "scoped"
    _meta(main / "p" / "m.py.meta",
          {"p.m.x_f__mutmut_1": 0, "p.m.x_f__mutmut_2": None, "p.m.x_f__mutmut_3": None,
           "p.m.x_f__mutmut_4": 0, "p.m.x_f__mutmut_5": 1,
           "p.m.x_g__mutmut_1": 1, "p.m.x_g__mutmut_2": None},
          {"x_f": "aaa", "x_g": "old"})
    _meta(scoped / "p" / "m.py.meta",
          {"p.m.x_f__mutmut_1": 0, "p.m.x_f__mutmut_2": 1, "p.m.x_f__mutmut_3": None,
           "p.m.x_f__mutmut_4": 1, "p.m.x_f__mutmut_5": 0,
           "p.m.x_g__mutmut_1": 0},
          {"x_f": "aaa", "x_g": "new"})
    _meta(scoped / "p" / "other.py.meta", {"p.other.x_h__mutmut_1": 1}, {"x_h": "h"})
    assert merge(scoped, main) == 4
    got = json.loads((main / "p" / "m.py.meta").read_text())
    assert got["exit_code_by_key"] == {
        "p.m.x_f__mutmut_1": 0,
        "p.m.x_f__mutmut_2": 1,  # filled
        "p.m.x_f__mutmut_3": None,  # tested nowhere yet
        "p.m.x_f__mutmut_4": 1,  # a new test kills an earlier survivor
        "p.m.x_f__mutmut_5": 1,  # a kill by the whole suite is kept
        "p.m.x_g__mutmut_1": 0,  # edited function: the scoped mutants replace the old ones
    }
    assert got["hash_by_function_name"] == {"x_f": "aaa", "x_g": "new"}
    # a module main has no results for (a new checkout) is copied whole
    other = json.loads((main / "p" / "other.py.meta").read_text())
    assert other["exit_code_by_key"] == {"p.other.x_h__mutmut_1": 1}


def test_a_wider_scoped_run_replaces_mutants_no_test_reached(tmp_path: Path) -> None:
    main, scoped = tmp_path / "main", tmp_path / "scoped"
    codes = {"p.m.x_f__mutmut_1": 33, "p.m.x_f__mutmut_2": 33, "p.m.x_f__mutmut_3": 33,
             "p.m.x_f__mutmut_4": 0}
    _meta(main / "p" / "m.py.meta", codes, {"x_f": "aaa"})
    _meta(scoped / "p" / "m.py.meta",
          {"p.m.x_f__mutmut_1": 1, "p.m.x_f__mutmut_2": 0, "p.m.x_f__mutmut_3": 33,
           "p.m.x_f__mutmut_4": 33}, {"x_f": "aaa"})
    assert merge(scoped, main) == 2
    got = json.loads((main / "p" / "m.py.meta").read_text())["exit_code_by_key"]
    assert got == {"p.m.x_f__mutmut_1": 1,  # killed now
                   "p.m.x_f__mutmut_2": 0,  # reached, and survives: it says more
                   "p.m.x_f__mutmut_3": 33,
                   "p.m.x_f__mutmut_4": 0}  # "no tests" never hides a known survivor
