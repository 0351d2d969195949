"""The committed demo round, cleaned by the pipeline, equals its ground truth."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import DEMO, REPO

from danvan_survey.codebook import KEYS

TRUTH = REPO / "tests" / "ground_truth" / DEMO
pytestmark = pytest.mark.slow


def _canon(v: object) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


@pytest.mark.parametrize("form, name", [("a", "organisations"), ("b", "cadres")])
def test_clean_values_equal_ground_truth(demo_root, form, name):
    clean = pd.read_parquet(demo_root / "data" / "clean" / DEMO / f"{name}.parquet")
    truth = pd.read_csv(TRUTH / f"{name}_truth.csv", dtype=str, keep_default_na=False)
    truth["record_key"] = truth[list(KEYS[form])].agg("|".join, axis=1)
    truth = truth.set_index("record_key")
    clean = clean.set_index("record_key")
    assert set(clean.index) == set(truth.index[truth["_expected"] == "clean"])
    columns = [c for c in truth.columns if c in clean.columns and not c.startswith("_")]
    assert len(columns) > 20
    got = clean[columns].map(_canon)
    want = truth.loc[clean.index, columns]
    diff = (got != want).sum()
    assert diff[diff > 0].to_dict() == {}


def test_clean_models_equal_ground_truth(demo_root):
    """The clean DVK model roster equals the truth: same rows, same values."""
    clean = pd.read_parquet(demo_root / "data" / "clean" / DEMO / "models.parquet")
    truth = pd.read_csv(TRUTH / "models_truth.csv", dtype=str, keep_default_na=False)
    truth["record_key"] = truth[list(KEYS["a_models"])].agg("|".join, axis=1)
    want = truth[truth["_expected"] == "clean"].set_index("record_key")
    clean = clean.set_index("record_key")
    assert len(clean) == len(want) > 500
    assert set(clean.index) == set(want.index)
    columns = [c for c in want.columns if not c.startswith("_")]
    assert set(columns) <= set(clean.columns)
    got = clean[columns].map(_canon)
    diff = (got != want.loc[clean.index, columns]).sum()
    assert diff[diff > 0].to_dict() == {}


def test_every_model_defect_has_its_outcome(demo_root):
    out = demo_root / "data" / "clean" / DEMO
    truth = pd.read_csv(TRUTH / "models_truth.csv", dtype=str, keep_default_na=False)
    q = pd.read_csv(out / "quarantine.csv", dtype=str, keep_default_na=False)
    q = q[q["form"] == "a_models"].set_index("source_row")
    models = pd.read_parquet(out / "models.parquet").set_index("record_key")
    defects = truth[truth["_defect"] != ""]
    assert sorted(defects["_defect"]) == ["level_above_org_top", "level_as_label",
                                          "level_unknown", "model_year_after_round",
                                          "parent_missing"]
    rules = {"model_year_after_round": "constraint:model_year", "level_unknown": "unparseable",
             "parent_missing": "parent_missing"}
    for d in defects.to_dict("records"):
        if d["_defect"] in rules:
            assert rules[d["_defect"]] in q.loc[d["_row"], "quarantine_rules"], d
        else:
            key = "|".join([d["round_id"], d["commune_code"], d["org_type"], d["model_no"]])
            flags = models.loc[key, "soft_flags"]
            assert ("warning:model_level" in flags) is (d["_defect"] == "level_above_org_top")


def test_counts_per_source_equal_ground_truth(demo_root):
    expected = json.loads((TRUTH / "expected_counts.json").read_text())["files"]
    expected |= json.loads((TRUTH / "models_expected_counts.json").read_text())["files"]
    counts = pd.read_csv(demo_root / "data" / "clean" / DEMO / "source_counts.csv")
    for row in counts.itertuples(index=False):
        e = expected[row.source_file]
        assert row.read == e["records"]
        assert row.read == row.clean + row.quarantined + row.duplicates
        assert (row.clean, row.duplicates) == (e["clean"], e["duplicates"])
        assert row.quarantined == e["quarantined"] + e.get("removed", 0)


def test_every_injected_defect_has_its_expected_outcome(demo_root):
    out = demo_root / "data" / "clean" / DEMO
    defects = pd.read_csv(TRUTH / "defects.csv", dtype=str, keep_default_na=False)
    q = pd.read_csv(out / "quarantine.csv", dtype=str)
    quarantined = set(q["record_key"]) | set(q["source_row"] + "@" + q["source_file"])
    log = pd.read_csv(out / "cleaning_log.csv", dtype=str, keep_default_na=False)
    flags = pd.concat(
        [
            pd.read_parquet(out / "organisations.parquet")[["record_key", "soft_flags"]],
            pd.read_parquet(out / "cadres.parquet")[["record_key", "soft_flags"]],
        ]
    ).set_index("record_key")["soft_flags"]
    dropped = set(
        log.loc[log["rule"] == "duplicate_key", "source_row"].astype(str)
        + "@"
        + log.loc[log["rule"] == "duplicate_key", "source_file"]
    )
    fixes = pd.read_csv(REPO / "data" / "raw" / DEMO / "corrections_SYNTHETIC.csv", dtype=str)
    corrected = set(zip(fixes["key"], fixes["variable"], strict=True))
    for d in defects.itertuples(index=False):
        if (d.key, d.variable) in corrected:  # an analyst correction decides instead
            continue
        if d.expected_outcome in {"quarantined", "removed"}:
            assert d.key in quarantined or f"{d.row}@{d.source_file}" in quarantined, d
        elif d.expected_outcome == "flagged":
            assert flags.get(d.key, ""), d
        elif d.expected_outcome == "duplicate":
            assert f"{d.row}@{d.source_file}" in dropped, d


def test_every_repaired_defect_is_logged_with_its_true_value(demo_root):
    """Each "repaired" defect has its cleaning-log row (file, row, variable) and the log's new
    value is the true value. Cadre names are personal data: never written to the log."""
    out = demo_root / "data" / "clean" / DEMO
    defects = pd.read_csv(TRUTH / "defects.csv", dtype=str, keep_default_na=False)
    log = pd.read_csv(out / "cleaning_log.csv", dtype=str, keep_default_na=False)
    assert "cadre_name" not in set(log["variable"])
    repaired = defects[(defects["expected_outcome"] == "repaired")
                       & (defects["variable"] != "cadre_name")]
    assert len(repaired) > 400
    new_values = log.groupby(["source_file", "source_row", "variable"])["new_value"].agg(set)
    for d in repaired.itertuples(index=False):
        got = new_values.get((d.source_file, d.row, d.variable))
        assert got is not None, d
        assert d.true_value in got, (d, got)


def test_missing_returns_are_listed(demo_root):
    expected = json.loads((TRUTH / "expected_counts.json").read_text())["form_a"]
    issues = pd.read_csv(demo_root / "data" / "clean" / DEMO / "validation_issues.csv", dtype=str)
    missing = set(issues.loc[issues["rule"] == "missing_return", "record_key"])
    defects = pd.read_csv(TRUTH / "defects.csv", dtype=str)
    # a return whose commune name is ambiguous cannot be placed, so its pair stays missing
    unplaced = set(defects.loc[defects["defect_kind"] == "name_ambiguous", "key"])
    assert missing == set(expected["missing_returns"]) | unplaced


def test_missing_returns_name_the_organisation(demo_root):
    """The validation report says "Hội Cựu chiến binh", not the code "hccb"."""
    from danvan_survey.codebook import load_codebook

    issues = pd.read_csv(demo_root / "data" / "clean" / DEMO / "validation_issues.csv", dtype=str)
    rows = issues[issues["rule"] == "missing_return"]
    assert len(rows)
    cb = load_codebook()
    for value, message in zip(rows["value"], rows["message"], strict=True):
        assert f"Chưa nhận phiếu A của {cb.choice_label_vi('org_type', value)} tại" in message
    page = (demo_root / "data" / "clean" / DEMO / "validation_report.html").read_text("utf-8")
    assert not any(f"phiếu A của {code} " in page for code in cb.codes("org_type"))
