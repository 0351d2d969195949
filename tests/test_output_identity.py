"""Byte-identity of every output (issue 11): speed work must not change one byte.

``tests/output_digests/<round>.json`` holds the sha256 of every file a full
``run`` (with analysis) wrote under ``data/clean/<round>/``, produced by the code
*before* the national-scale performance work (commit 3f30b71) with the salt
``benchmark-salt``; the code of main at 1bf71e4 (bad input, follow-up rounds and
the replication list landed) gave the same digests. Regenerated on 2026-12-02 with the
code of a967f00 on an AVX2 machine: ``estimates.parquet`` alone had other bytes there,
because numpy's exp/log (used for the logit CIs) take an AVX-512 path on CPUs that have
it; the CIs now use the C library's exp/log, the same on every CPU, and the new code
gives these digests exactly. Regenerated on 2026-12-08 when the estimates stopped
calling svy (:mod:`danvan_survey.linearise` computes R's formulas over whole columns):
only ``estimates.parquet`` changed, in the last bits of se, CIs, cv and deff (a different
order of floating-point sums); the numbers svy gave for demo-2014 are kept in
``demo-2014-estimates-svy.parquet`` and compared below, and the R tests still pass at
1e-9. This test reruns the demo
rounds and a mid-size synthetic round (the national commune list with 100,000
cadres, ``make_national_round.py --cadres 100000``) and compares file by file.
Not timed. ``manifest.json`` is compared through its ``outputs`` section (its other
fields carry the package version).

After a deliberate change of outputs, regenerate a manifest with
``benchmarks/output_hashes.py --root <scratch> --round <round> --write
tests/output_digests/<round>.json`` and say why in the commit.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TRUTH = REPO / "tests" / "output_digests"
SALT = "benchmark-salt"
sys.path.insert(0, str(REPO / "benchmarks"))

pytestmark = pytest.mark.slow


def _expected(round_id: str) -> dict[str, str]:
    return json.loads((TRUTH / f"{round_id}.json").read_text(encoding="utf-8"))


def _compare(round_id: str, root: Path) -> None:
    """Run the round under ``root``; every output file must hash as before."""
    from output_hashes import output_hashes

    got = output_hashes(round_id, root)
    want = _expected(round_id)
    assert sorted(got) == sorted(want), "set of output files changed"
    manifest = json.loads((root / "data" / "clean" / round_id / "manifest.json").read_text())
    for name, digest in manifest["outputs"].items():
        assert want[name] == digest, f"{round_id}/{name} (manifest)"
    changed = [n for n in want if n != "manifest.json" and got[n] != want[n]]
    assert not changed, f"{round_id}: outputs no longer byte-identical: {changed}"


def _same_numbers_as_svy(published: Path) -> None:
    """The estimates equal those svy gave: labels, estimates, n, df exactly, the rest to 1e-12.

    deff, a ratio of two variances, is compared at 1e-10.
    """
    import numpy as np
    import pandas as pd

    old = pd.read_parquet(TRUTH / "demo-2014-estimates-svy.parquet")
    new = pd.read_parquet(published)
    assert new.columns.tolist() == old.columns.tolist() and len(new) == len(old) > 100
    for col in old.columns:
        if col in ("se", "ci_low", "ci_high", "cv", "deff"):
            rel = 1e-10 if col == "deff" else 1e-12
            np.testing.assert_allclose(new[col], old[col], rtol=rel, atol=0, err_msg=col)
        else:
            pd.testing.assert_series_equal(new[col], old[col], check_exact=True)


def test_demo_rounds_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DANVAN_SALT", SALT)
    for round_id in ("demo-2014", "demo-2026"):  # the follow-up after its base round
        shutil.copytree(REPO / "data" / "raw" / round_id, tmp_path / "data" / "raw" / round_id)
        _compare(round_id, tmp_path)
    _same_numbers_as_svy(tmp_path / "data" / "clean" / "demo-2014" / "estimates.parquet")


def test_mid_size_round_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import make_national_round

    monkeypatch.setenv("DANVAN_SALT", SALT)
    monkeypatch.setattr(make_national_round.round2014, "NATIONAL_CADRES", 1_000_000)
    make_national_round.main(["--root", str(tmp_path), "--round", "mid-2014",
                              "--cadres", "100000"])
    _compare("mid-2014", tmp_path)


def test_csv_only_when_it_fits_excel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A clean table longer than an Excel sheet gets Parquet and a note, never a cut CSV."""
    import pandas as pd

    from danvan_survey import export

    frame = pd.DataFrame({"a": pd.Series(["x", "=1", "y"], dtype="str"), "n": [1, 2, 3]})
    monkeypatch.setattr(export, "EXCEL_MAX_ROWS", 4)  # header + 3 rows: fits
    assert [p.name for p in export.write_table(frame, tmp_path / "t")] == ["t.parquet", "t.csv"]
    monkeypatch.setattr(export, "EXCEL_MAX_ROWS", 3)  # one row too many
    written = export.write_table(frame, tmp_path / "u")
    assert [p.name for p in written] == ["u.parquet", "u_csv_not_written.txt"]
    assert not (tmp_path / "u.csv").exists()
    assert "u.parquet" in (tmp_path / "u_csv_not_written.txt").read_text(encoding="utf-8")
    assert pd.read_parquet(written[0]).equals(pd.read_parquet(tmp_path / "t.parquet"))
