"""The commands a user types, as the README shows them."""

from __future__ import annotations

import hashlib

import pytest
from conftest import DEMO, REPO
from typer.testing import CliRunner

from danvan_survey.cli import app

pytestmark = pytest.mark.slow


def _hashes(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_demo_then_run_then_analyse(tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["demo", "--round", DEMO, "--seed", "2014", "--root", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "MÔ PHỎNG" in res.output
    # the generator reproduces the committed demo round byte for byte
    assert _hashes(tmp_path / "data" / "raw" / DEMO) == _hashes(REPO / "data" / "raw" / DEMO)
    res = runner.invoke(app, ["run", "--root", str(tmp_path)])
    assert res.exit_code == 0, res.output
    for text in ("Kết quả đợt demo-2014", "Nhật ký làm sạch", "Kết quả đã ghi", "DỮ LIỆU MÔ PHỎNG"):
        assert text in res.output
    res = runner.invoke(app, ["analyse", "--round", DEMO, "--root", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "weak_organisations.xlsx" in res.output
