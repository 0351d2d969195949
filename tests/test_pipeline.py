"""End-to-end behaviour of ingest → clean → validate → export on a hand-made round."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import write_mini_round
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from danvan_survey.cli import app, run_pipeline
from danvan_survey.config import clean_dir
from danvan_survey.export import cleaning_log, source_counts
from danvan_survey.pipeline import run_round


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_every_record_is_clean_quarantined_or_a_logged_duplicate(mini_root):
    result = run_round("mini", mini_root)
    counts = source_counts(result).set_index("source_file")
    assert counts.loc["a.csv"].to_dict() == {
        "form": "a",
        "read": 6,
        "clean": 3,
        "quarantined": 2,
        "duplicates": 1,
    }
    assert counts.loc["b.csv"].to_dict() == {
        "form": "b",
        "read": 3,
        "clean": 2,
        "quarantined": 1,
        "duplicates": 0,
    }


def test_values_are_repaired_and_each_change_is_logged(mini_root):
    result = run_round("mini", mini_root)
    a = result.outcomes["a"].clean.set_index("org_type")
    assert a.loc["hnd", "eligible_pop"] == 1234  # "1.234" Vietnamese thousands
    assert a.loc["hnd", "_uuid"] == "u1"  # latest submission kept
    assert a.loc["hlhpn", "commune_code"] == "23035"  # "xa phan hoa" → code
    assert a.loc["hlhpn", "eligible_unit"] == "person"  # label "người" → code
    assert a.loc["hlhpn", "rating_last_year"] == 2  # label → code
    assert a.loc["hlhpn", "rating_label_raw"] == "Khá / Hoàn thành tốt nhiệm vụ"
    assert a.loc["hlhpn", "meeting_content"] == "policy"  # rebuilt from 0/1 columns
    assert str(a.loc["hlhpn", "interview_date"].date()) == "2014-07-15"
    assert pd.isna(a.loc["hccb", "members_total"])  # -9 → missing
    log = cleaning_log(result)
    changed = set(zip(log["variable"], log["old_value"], log["new_value"], strict=True))
    assert ("eligible_pop", "1.234", "1234") in changed
    assert ("commune_code", "xa phan hoa", "23035") in changed
    assert ("members_total", "-9", "") in changed
    assert ("interview_date", "15/07/2014", "2014-07-15") in changed
    dup = log[log["rule"] == "duplicate_key"]
    assert dup["record_key"].tolist() == ["mini|23035|hnd"]


def test_quarantine_reasons_name_the_problem(mini_root):
    result = run_round("mini", mini_root)
    q = result.outcomes["a"].quarantine
    reasons = " ".join(q["quarantine_reasons"])
    assert "Xa Khong Co" in reasons and "không tự đoán" in reasons
    assert "constraint:members_total" in ";".join(q["quarantine_rules"])
    qb = result.outcomes["b"].quarantine
    assert qb["cadre_id"].tolist() == ["B-3"]
    assert "tập huấn" in qb["quarantine_reasons"].iloc[0]


def test_soft_checks_flag_but_keep(mini_root):
    a = run_round("mini", mini_root).outcomes["a"].clean.set_index("org_type")
    assert "warning:n_branches" in a.loc["hccb", "soft_flags"]
    assert a.loc["hnd", "soft_flags"] == ""


def test_personal_data_never_reaches_clean_outputs(mini_root):
    run_pipeline("mini", mini_root, analyse=False)
    out = clean_dir("mini", mini_root)
    text = "".join(p.read_text(encoding="utf-8", errors="ignore") for p in out.glob("*.csv"))
    for name in ("Nguyễn Văn A", "Văn Bình", "Trần Thị X", "respondent_name", "cadre_name"):
        assert name not in text
    cadres = pd.read_parquet(out / "cadres.parquet")
    assert cadres["person_hash"].str.len().eq(16).all()
    assert cadres["weight"].tolist() == [18.0, 18.0]


def test_outputs_are_complete_and_byte_identical_on_rerun(mini_root):
    raw = mini_root / "data" / "raw" / "mini"
    before = _digest(raw)
    run_pipeline("mini", mini_root, analyse=False)
    first = _digest(clean_dir("mini", mini_root))
    run_pipeline("mini", mini_root, analyse=False)
    assert _digest(clean_dir("mini", mini_root)) == first
    assert _digest(raw) == before  # raw files never modified
    for name in (
        "organisations.parquet",
        "organisations.csv",
        "cadres.parquet",
        "cadres.csv",
        "quarantine.csv",
        "cleaning_log.csv",
        "validation_issues.csv",
        "validation_report.html",
        "manifest.json",
    ):
        assert name in first
    manifest = json.loads((clean_dir("mini", mini_root) / "manifest.json").read_text())
    assert set(manifest["inputs"]) >= {"a.csv", "b.csv", "round.yaml"}
    # every digest the manifest lists, whichever thread took it, is that of the file
    assert manifest["outputs"] == {n: d for n, d in first.items() if n != "manifest.json"}
    html = (clean_dir("mini", mini_root) / "validation_report.html").read_text(encoding="utf-8")
    assert "DỮ LIỆU MÔ PHỎNG" in html and "http" not in html


def test_corrections_applied_and_stale_ones_refused(tmp_path):
    write_mini_round(
        tmp_path,
        corrections=(
            "mini|23035|hccb,members_total,,250,change,confirmed by phone\n"
            "mini|23035|hnd,members_total,123,456,change,stale\n"
            "mini|23035|hlhpn,n_branches,9,,accept,ok\n"
        ),
    )
    result = run_round("mini", tmp_path)
    a = result.outcomes["a"].clean.set_index("org_type")
    assert a.loc["hccb", "members_total"] == 250
    assert a.loc["hnd", "members_total"] == 900
    refused = [i for i in result.outcomes["a"].issues if i["rule"] == "correction_refused"]
    assert len(refused) == 1 and "123" in refused[0]["message"]
    log = cleaning_log(result)
    assert "analyst_correction:change" in set(log["rule"])


@pytest.mark.parametrize(
    "breakage, expected",
    [
        ("unknown_round", "Không tìm thấy đợt khảo sát"),
        ("empty_file", "rỗng"),
        ("wrong_columns", "thiếu cột khóa"),
        ("bad_workbook", "Không mở được tệp Excel"),
    ],
)
def test_broken_input_gives_a_message_and_nonzero_exit(tmp_path, breakage, expected):
    folder = write_mini_round(tmp_path)
    round_id = "mini"
    if breakage == "unknown_round":
        round_id = "khong-co"
    elif breakage == "empty_file":
        (folder / "a.csv").write_text("", encoding="utf-8")
    elif breakage == "wrong_columns":
        (folder / "a.csv").write_text("x;y\n1;2\n", encoding="utf-8")
    elif breakage == "bad_workbook":
        (folder / "bad.xlsx").write_bytes(b"not a zip file")
        cfg = (folder / "round.yaml").read_text(encoding="utf-8")
        (folder / "round.yaml").write_text(
            cfg + "  - {file: bad.xlsx, kind: district_excel, form: a}\n", encoding="utf-8"
        )
    res = CliRunner().invoke(
        app, ["run", "--round", round_id, "--root", str(tmp_path), "--no-analyse"]
    )
    assert res.exit_code == 2
    assert expected in res.output
    assert "Traceback" not in res.output
    assert not clean_dir(round_id, tmp_path).exists()  # nothing half-done


# ---------------------------------------------------------------- reference and weight lookups
KEYS = st.lists(st.sampled_from(["001", "002", "003", "999", None]), max_size=12)


@given(keys=KEYS)
def test_reference_columns_as_series_map_gives_them(keys: list[str | None]) -> None:
    from danvan_survey.pipeline import REFERENCE_COLUMNS, add_reference

    communes = pd.DataFrame({"commune_code": ["001", "002", "003"]} | {
        col: pd.Series([f"{col}-1", None, f"{col}-3"], dtype="str") for col in REFERENCE_COLUMNS})
    frame = pd.DataFrame({"commune_code": pd.Series(keys, dtype="str")})
    got = add_reference(frame, communes)
    ref = communes.set_index("commune_code")
    for col in REFERENCE_COLUMNS:  # the former per-column map, value for value and dtype
        pd.testing.assert_series_equal(
            got[col], frame["commune_code"].map(ref[col]).astype("str"), check_names=False)


@given(keys=KEYS)
def test_weights_as_series_map_gives_them(keys: list[str | None]) -> None:
    from danvan_survey.clean import FormCleaning
    from danvan_survey.pipeline import add_weights

    design = pd.DataFrame({"commune_code": ["001", "002", "003"],
                           "weight": [2.5, 4.0, 1.0], "n_psu_in_stratum": [5, 8, 1]})
    frame = pd.DataFrame({"commune_code": pd.Series(keys, dtype="str"), "_source_file": "b.csv",
                          "_source_sheet": "", "_source_row": range(len(keys))})
    work = FormCleaning(values=frame, log=[], issues=[])
    got = add_weights(frame, design, work)
    by = design.set_index("commune_code")
    want_w = pd.array(frame["commune_code"].map(by["weight"]), dtype="Float64")
    want_n = pd.array(frame["commune_code"].map(by["n_psu_in_stratum"]), dtype="Int64")
    pd.testing.assert_extension_array_equal(got["weight"].array, want_w)
    pd.testing.assert_extension_array_equal(got["n_psu_in_stratum"].array, want_n)
    assert len(work.issues) == sum(k == "999" for k in keys)  # outside the sample: an issue


def test_weights_from_an_empty_design_leave_every_cadre_outside_the_sample() -> None:
    from danvan_survey.clean import FormCleaning
    from danvan_survey.pipeline import add_weights

    design = pd.DataFrame({"commune_code": pd.Series([], dtype="str"),
                           "weight": pd.Series([], dtype="float64"),
                           "n_psu_in_stratum": pd.Series([], dtype="int64")})
    frame = pd.DataFrame({"commune_code": ["001", "002"], "_source_file": "b.csv",
                          "_source_sheet": "", "_source_row": [2, 3]})
    work = FormCleaning(values=frame, log=[], issues=[])
    got = add_weights(frame, design, work)
    assert got["weight"].isna().all() and got["n_psu_in_stratum"].isna().all()
    assert [i["rule"] for i in work.issues] == ["not_in_sample", "not_in_sample"]


def test_reference_lookup_refuses_a_repeated_code() -> None:
    from danvan_survey.pipeline import add_reference

    communes = pd.DataFrame({"commune_code": ["001", "001"]} | {
        c: ["x", "y"] for c in ("commune_name", "district_code", "district_name", "em_area",
                                "em_source", "em_confidence")})
    with pytest.raises(ValueError, match="uniquely valued"):
        add_reference(pd.DataFrame({"commune_code": ["001"]}), communes)


def test_run_lets_go_of_the_round_before_its_analysis(mini_root, monkeypatch):
    """The clean tables are written: the analysis reads them back while the round's frames
    are freed (a national run then needs the memory of one, not both)."""
    import gc

    from danvan_survey import cli
    from danvan_survey.pipeline import RoundResult

    alive = []
    real = cli.run_analysis_step

    def analysis(cfg, out_dir):
        gc.collect()
        alive.extend(o for o in gc.get_objects() if isinstance(o, RoundResult))
        return real(cfg, out_dir)

    monkeypatch.setattr(cli, "run_analysis_step", analysis)
    outputs = run_pipeline("mini", mini_root, analyse=True)
    assert alive == [] and "estimates.parquet" in outputs
