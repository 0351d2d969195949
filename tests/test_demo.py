"""Tests of the synthetic demo round generator."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from danvan_survey.codebook import load_codebook
from danvan_survey.config import load_round
from danvan_survey.demo import (
    _fmt_dec,
    _fmt_int,
    _multi_lut,
    deterministic_xlsx,
    fold,
    generate_round,
    kobo_columns,
)

ROUND = "demo-2014"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    generate_round(ROUND, 2014, root / "data" / "raw", root / "truth")
    return root


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_byte_identical_for_same_seed(generated: Path, tmp_path: Path) -> None:
    generate_round(ROUND, 2014, tmp_path / "data" / "raw", tmp_path / "truth")
    first, second = _digest(generated), _digest(tmp_path)
    assert len(first) == 15
    assert first == second


def test_other_seed_differs(generated: Path, tmp_path: Path) -> None:
    generate_round(ROUND, 7, tmp_path / "data" / "raw", tmp_path / "truth")
    name = f"data/raw/{ROUND}/form_a_kobo_SYNTHETIC.csv"
    assert _digest(generated)[name] != _digest(tmp_path)[name]


def test_every_raw_file_is_labelled_synthetic(generated: Path) -> None:
    raw = generated / "data" / "raw" / ROUND
    names = [p.name for p in raw.iterdir() if p.name not in {"round.yaml", "README.md"}]
    assert len(names) == 7
    assert all("SYNTHETIC" in n for n in names)
    readme = (raw / "README.md").read_text(encoding="utf-8")
    assert "MÔ PHỎNG" in readme and "synthetic" in readme and "--seed 2014" in readme


def test_round_yaml_loads_with_config(generated: Path) -> None:
    cfg = load_round(ROUND, root=generated)
    assert cfg.synthetic and cfg.province_code == "60" and cfg.reference_year == 2014
    kinds = [s.kind for s in cfg.sources]
    assert kinds == ["kobo_csv", "district_excel", "district_excel", "kobo_csv", "kobo_csv"]
    models = cfg.sources[-1]
    assert (models.form, models.parent) == ("a_models", "form_a_kobo_SYNTHETIC.csv")
    assert all(cfg.path(s.path).is_file() for s in cfg.sources)


def _read_kobo(path: Path) -> tuple[list[str], list[list[str]], bytes]:
    data = path.read_bytes()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=";"))
    return rows[0], rows[1:], data


@pytest.mark.parametrize("form", ["a", "b"])
def test_kobo_headers_are_codebook_xml_paths(generated: Path, form: str) -> None:
    path = generated / "data/raw" / ROUND / f"form_{form}_kobo_SYNTHETIC.csv"
    header, rows, data = _read_kobo(path)
    cb = load_codebook()
    xml = {v.xml_path for v in cb.form(form)}  # type: ignore[arg-type]
    assert header == [h for h, _, _ in kobo_columns(cb, form)]
    assert header[:2] == ["start", "end"]
    assert header[-10:] == ["_id", "_uuid", "_submission_time", "_validation_status", "_notes",
                            "_status", "_submitted_by", "__version__", "_tags", "_index"]
    questions = [h for h in header[2:-10] if h.count("/") == 1]
    assert set(questions) <= xml
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    assert all(len(r) == len(header) for r in rows)


def test_form_a_counts(generated: Path) -> None:
    truth = pd.read_csv(generated / "truth" / ROUND / "organisations_truth.csv", dtype=str,
                        keep_default_na=False)
    counts = json.loads((generated / "truth" / ROUND / "expected_counts.json").read_text())
    a = counts["form_a"]
    assert a["n_expected"] == 127 * 5
    assert a["n_received"] + len(a["missing_returns"]) == 635
    assert 0.01 <= len(a["missing_returns"]) / 635 <= 0.03
    assert len(truth) == a["n_received"]
    assert truth["commune_code"].nunique() == 127
    assert sorted(truth["org_type"].unique()) == sorted(["mttq", "hnd", "hlhpn", "doan", "hccb"])
    assert set(truth["_expected"]) == {"clean", "quarantined"}
    assert a["clean"] + a["quarantined"] == a["n_received"]


def test_form_b_sample_and_counts(generated: Path) -> None:
    raw = generated / "data" / "raw" / ROUND
    design = pd.read_csv(raw / "sample_design_SYNTHETIC.csv", dtype=str)
    truth = pd.read_csv(generated / "truth" / ROUND / "cadres_truth.csv", dtype=str,
                        keep_default_na=False)
    assert 1300 <= len(truth) <= 1700
    assert truth["cadre_id"].is_unique
    assert set(truth["commune_code"]) == set(design["commune_code"])
    phu_quy = design[design["district_code"] == "602"]
    assert len(phu_quy) == 3 and set(phu_quy["n_psu_in_stratum"]) == {"3"}
    per = design.groupby("district_code").size()
    assert per.between(3, 6).all() and len(per) == 10
    assert truth["cadre_id"].str.fullmatch(r"B-\d{5}-(mttq|hnd|hlhpn|doan|hccb)-\d{2}").all()


def test_truth_is_consistent_where_clean(generated: Path) -> None:
    t = pd.read_csv(generated / "truth" / ROUND / "organisations_truth.csv", dtype=str,
                    keep_default_na=False)
    num = t.apply(lambda c: pd.to_numeric(c, errors="coerce"))
    clean = t["_expected"] == "clean"
    person = t["eligible_unit"] == "person"
    assert (num["members_total"][clean & person] <= num["eligible_pop"][clean & person]).all()
    sil = num["branches_silent_6m"] + num["branches_met_on_schedule"]
    assert (sil[clean] <= num["n_branches"][clean]).all()
    none_rec = num["dvk_recognised_12m"] == 0
    assert (t.loc[none_rec, "dvk_top_level"] == "0").all()
    mttq = t["org_type"] == "mttq"
    assert (t.loc[mttq, "members_total"] == "").all()
    assert (t.loc[mttq, "households_reached_pct"] != "").all()
    assert (t.loc[t["org_type"] == "hnd", "eligible_unit"] == "household").all()


def test_em_areas_are_weaker(generated: Path) -> None:
    t = pd.read_csv(generated / "truth" / ROUND / "organisations_truth.csv", dtype=str,
                    keep_default_na=False)
    from danvan_survey.reference import communes

    em = communes("60").set_index("commune_code")["em_area"]
    t["em"] = t["commune_code"].map(em)
    num = t[["members_total", "eligible_pop"]].apply(pd.to_numeric, errors="coerce")
    rate = num.groupby(t["em"]).sum()
    g = rate["members_total"] / rate["eligible_pop"]
    assert g["pure"] < g["none"]
    weak = (t["rating_last_year"] == "4").groupby(t["em"]).mean()
    assert weak["pure"] > weak["none"] > 0


def test_defects_file_matches_raw(generated: Path) -> None:
    d = pd.read_csv(generated / "truth" / ROUND / "defects.csv", dtype=str,
                    keep_default_na=False)
    assert set(d["expected_outcome"]) <= {"repaired", "quarantined", "flagged", "duplicate",
                                          "removed"}
    kobo = d[d["source_file"] == "form_a_kobo_SYNTHETIC.csv"]
    header, rows, _ = _read_kobo(generated / "data/raw" / ROUND / "form_a_kobo_SYNTHETIC.csv")
    cb = load_codebook()
    col = {v.name: header.index(v.xml_path) for v in cb.form("a") if v.xml_path in header}
    checked = 0
    for r in kobo.itertuples():
        if r.variable in col and r.defect_kind != "duplicate_submission":
            assert rows[int(r.row) - 2][col[r.variable]] == r.raw_value, r
            checked += 1
    assert checked > 50
    kinds = set(d["defect_kind"])
    for k in ("special_missing", "choice_label", "mojibake", "nfd_text", "negative_count",
              "members_exceed_eligible", "silent_exceeds_branches", "branches_below_areas",
              "duplicate_submission", "legacy_tcvn3", "legacy_vni", "name_ambiguous",
              "vn_thousands_separator", "date_excel_serial", "date_text_dmy"):
        assert k in kinds, k


def test_district_excel_layout(generated: Path) -> None:
    path = generated / "data/raw" / ROUND / "form_a_district_598_SYNTHETIC.xlsx"
    ws = load_workbook(path)["Tong hop"]
    assert ws.cell(3, 1).value == "STT" and ws.cell(3, 2).value == "Xã/phường/thị trấn"
    assert "A3:A4" in {str(m) for m in ws.merged_cells.ranges}
    names = [ws.cell(r, 2).value for r in range(5, ws.max_row + 1)]
    assert "Tổng cộng" in names
    assert "MÔ PHỎNG" in str(ws.cell(1, 1).value)
    wb = load_workbook(path)
    assert wb.properties.created.year == 2014


def test_deterministic_xlsx_has_fixed_dates() -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "x"
    data = deterministic_xlsx(wb)
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {i.date_time for i in z.infolist()} == {(2014, 10, 1, 8, 0, 0)}
        assert b"2014-10-01T08:00:00Z" in z.read("docProps/core.xml")


def test_corrections_rows(generated: Path) -> None:
    c = pd.read_csv(generated / "data/raw" / ROUND / "corrections_SYNTHETIC.csv", dtype=str,
                    keep_default_na=False)
    assert list(c.columns) == ["key", "variable", "old_value", "new_value", "action", "note"]
    assert 5 <= len(c) <= 8
    assert set(c["action"]) == {"change", "blank", "remove", "accept"}


def test_small_formatters() -> None:
    assert list(_fmt_int(np.array([3.0, np.nan, 1200.0]))) == ["3", "", "1200"]
    assert list(_fmt_dec(np.array([45.5, 80.0, np.nan]))) == ["45.5", "80", ""]
    assert list(_multi_lut(["a", "b"])) == ["", "a", "b", "a b"]
    assert fold("Hội Nông dân Đức") == "Hoi Nong dan Duc"
