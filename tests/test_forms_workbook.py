"""Commune workbooks: structure, reproducibility, and the round trip through read_workbooks."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from danvan_survey.codebook import load_codebook
from danvan_survey.config import RoundConfig
from danvan_survey.forms.common import question_numbers, static_relevance
from danvan_survey.forms.read_workbooks import cell_text, read_workbooks
from danvan_survey.forms.workbook import (
    KEY_A,
    META_SHEET,
    ROSTER_SHEET,
    build_workbooks,
    org_sheet_title,
    roster_variables,
)
from danvan_survey.legacy_encodings import encode_tcvn3, encode_vni

CODES = ["22915", "22918", "22921"]


def _round(folder: Path, round_id: str = "t-2014") -> RoundConfig:
    return RoundConfig(
        round_id=round_id, title="Đợt thử", province_code="60", admin_vintage="2014",
        reference_year=2014, period_start=date(2014, 10, 1), period_end=date(2014, 12, 31),
        synthetic=True, sources=(), folder=folder,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[RoundConfig, list[Path]]:
    root = tmp_path_factory.mktemp("round")
    cfg = _round(root)
    return cfg, build_workbooks(cfg, root / "templates", CODES)


def _sheet_title(org: str) -> str:
    return org_sheet_title(load_codebook().choice_label_vi("org_type", org))


# ------------------------------------------------------------------ structure
def test_byte_reproducible(built, tmp_path):
    cfg, paths = built
    again = build_workbooks(cfg, tmp_path, CODES[:1])
    assert again[0].read_bytes() == paths[0].read_bytes()


def test_the_cadre_roster_prints_on_a4_across_pages_with_its_names(built):
    # one A3 page wide it printed at about 45 %; commune offices print A4
    from danvan_survey import xlsx_layout

    _, paths = built
    ws = load_workbook(paths[0])[ROSTER_SHEET]
    widths = [d.width for d in ws.column_dimensions.values() if not d.hidden
              for _ in range(d.min, d.max + 1)]
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.page_setup.orientation == "landscape"
    assert sum(widths) > xlsx_layout.PAGE_UNITS / xlsx_layout.MIN_SCALE  # wider than a page
    assert ws.page_setup.scale == 65 and not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_cols.replace("$", "") == "A:D"  # STT, organisation, code, name
    assert ws.print_title_rows.replace("$", "") == "4:5"
    assert ws.page_setup.pageOrder == "overThenDown"


def test_org_sheet_layout_protection_and_dropdowns(built):
    _, paths = built
    wb = load_workbook(paths[0])
    cb = load_codebook()
    assert wb[META_SHEET].sheet_state == "hidden"
    ws = wb[_sheet_title("hnd")]
    assert ws.protection.sheet and not ws.protection.insertRows
    assert ws.column_dimensions["E"].hidden
    numbers = question_numbers(cb, "a")
    rows = {ws.cell(r, 5).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 5).value}
    assert ws.cell(1, 5).value == KEY_A
    validated = {str(cell) for dv in ws.data_validations.dataValidation
                 for rng in dv.sqref.ranges for cell in [rng.coord]}
    for var in cb.form("a"):
        if not var.in_form:
            assert var.name not in rows
            continue
        r = rows[var.name]
        assert ws.cell(r, 1).value == numbers[var.name]
        assert ws.cell(r, 2).value == var.label_vi
        assert ws.cell(r, 2).protection.locked
        fixed = var.name in {"round_id", "district_code", "commune_code", "org_type"}
        fixed = fixed or static_relevance(var.relevant, "hnd") is False
        assert ws.cell(r, 3).protection.locked is fixed
        if var.is_select and not fixed:
            assert f"C{r}" in validated, var.name
    # prompts are Vietnamese
    prompts = [dv.prompt for dv in ws.data_validations.dataValidation]
    assert any("Nhập số nguyên từ 1 đến 60" in (p or "") for p in prompts)
    # MTTQ-only question is locked on the Farmers' Union sheet
    assert ws.cell(rows["households_reached_pct"], 3).protection.locked
    mttq = wb[_sheet_title("mttq")]
    mrows = {mttq.cell(r, 5).value: r for r in range(1, mttq.max_row + 1)}
    assert not mttq.cell(mrows["households_reached_pct"], 3).protection.locked
    assert mttq.cell(mrows["members_total"], 3).protection.locked


# ------------------------------------------------------------------ filling
def _fill_org(ws, answers: dict[str, object], insert_at: int | None = None) -> None:
    if insert_at is not None:
        ws.insert_rows(insert_at)
        ws.cell(insert_at, 2, "dòng người dùng tự chèn")
    for r in range(1, ws.max_row + 1):
        key = ws.cell(r, 5).value
        if key in answers:
            ws.cell(r, 3, answers[key])


def _fill_roster(ws, rows: list[dict[str, object]], insert_at: int | None = None) -> None:
    cols = {ws.cell(1, c).value: c for c in range(1, ws.max_column + 1)}
    if insert_at is not None:
        ws.insert_rows(insert_at)
    start = 6
    for i, values in enumerate(rows):
        for name, value in values.items():
            ws.cell(start + i, cols[name], value)


ORG_CODES = {"n_residential_areas": 12, "n_branches": "12", "eligible_pop": 1500,
             "eligible_unit": "household", "members_total": 1350, "attendance_pct": 72.5,
             "meeting_content": "policy thematic", "has_annual_plan": "1",
             "difficulties": "funding other", "difficulties_other": "Thiếu hội trường",
             "rating_last_year": "2", "interview_date": "2014-10-15",
             "respondent_name": "Nguyễn Văn Ánh"}


def _labels(answers: dict[str, object]) -> dict[str, object]:
    cb = load_codebook()
    out = dict(answers)
    for name, value in answers.items():
        var = cb.var("a", name)
        if var.is_select and var.list_name:
            out[name] = "; ".join(cb.choice_label_vi(var.list_name, c) for c in str(value).split())
    return out


def _expected(value: object) -> str:
    return cell_text(value)


@pytest.fixture(scope="module")
def returned(built, tmp_path_factory):
    cfg, paths = built
    folder = cfg.folder / "returned"
    folder.mkdir()
    cb = load_codebook()
    expected_a: dict[tuple[str, str], dict[str, str]] = {}
    expected_b: dict[str, dict[str, str]] = {}
    # 1: codes, one row inserted in the HND sheet and one in the roster
    wb = load_workbook(paths[0])
    _fill_org(wb[_sheet_title("hnd")], ORG_CODES, insert_at=12)
    expected_a[("22915", "hnd")] = {k: _expected(v) for k, v in ORG_CODES.items()}
    roster = [{"org_type": "hnd", "position": "chair", "sex": "1", "birth_year": 1968,
               "cadre_name": "Trần Thị Bích", "training_topics": "union_work nq25",
               "trained_12m": "1"},
              {"org_type": "doan", "position": "vice", "sex": 2, "birth_year": "1990"}]
    # row 7 is inserted by the user: the second cadre has no pre-filled cadre_id
    _fill_roster(wb[ROSTER_SHEET], roster, insert_at=7)
    for key, row in zip(["22915-001", ""], roster, strict=True):
        expected_b[key] = {k: _expected(v) for k, v in row.items()}
    wb.save(folder / paths[0].name)
    # 2: labels typed instead of codes, file renamed without a commune code
    wb = load_workbook(paths[1])
    labels = _labels({k: v for k, v in ORG_CODES.items() if k != "difficulties_other"})
    _fill_org(wb[_sheet_title("hlhpn")], {**labels, "eligible_unit": "người"})
    expected_a[("22918", "hlhpn")] = {**{k: _expected(v) for k, v in labels.items()},
                                      "eligible_unit": "người"}
    wb.save(folder / "so lieu xa gui lai (ban cuoi).xlsx")
    # 3: legacy-encoded text (TCVN3 and VNI) and an extra sheet
    wb = load_workbook(paths[2])
    legacy = {"proposals": encode_tcvn3("Đề nghị tăng phụ cấp cho chi hội trưởng"),
              "dvk_model_names": encode_vni("Dân vận khéo trong xây dựng nông thôn mới"),
              "rating_last_year": encode_tcvn3(cb.choice_label_vi("rating", "1"))}
    _fill_org(wb[_sheet_title("mttq")], legacy)
    expected_a[("22921", "mttq")] = legacy
    wb.create_sheet("Ghi chú của xã").append(["số liệu tạm tính"])
    wb.save(folder / paths[2].name)
    tables, problems = read_workbooks(folder, cfg)
    return tables, problems, expected_a, expected_b


def test_round_trip_values_exactly_as_filled(returned):
    tables, problems, expected_a, expected_b = returned
    assert problems == []
    a = tables["a"]
    assert sorted(zip(a["commune_code"], a["org_type"], strict=True)) == sorted(expected_a)
    cb = load_codebook()
    for rec in a.to_dict("records"):
        want = expected_a[(rec["commune_code"], rec["org_type"])]
        for var in cb.form("a"):
            if var.in_form and var.name not in {"round_id", "district_code", "commune_code",
                                                "org_type"}:
                assert rec[var.name] == want.get(var.name, ""), (rec["commune_code"], var.name)
        assert rec["round_id"] == "t-2014"
        assert rec["_form_version"] == cb.settings["a"]["version"]
    b = tables["b"]
    assert sorted(b["cadre_id"]) == sorted(expected_b)
    for rec in b.to_dict("records"):
        want = expected_b[rec["cadre_id"]]
        for var in roster_variables(cb):
            if var.name != "cadre_id":
                assert rec[var.name] == want.get(var.name, ""), (rec["cadre_id"], var.name)
        assert (rec["commune_code"], rec["district_code"]) == ("22915", "593")


def test_provenance_columns(returned):
    tables, *_ = returned
    a, b = tables["a"], tables["b"]
    renamed = a[a["commune_code"] == "22918"].iloc[0]
    assert renamed["_source_file"] == "returned/so lieu xa gui lai (ban cuoi).xlsx"
    assert renamed["_source_sheet"] == _sheet_title("hlhpn")
    assert renamed["_uuid"] == "wb|t-2014|22918|hlhpn"
    # second cadre typed into a row the user inserted (row 7); pre-filled 002 moved to row 8
    assert list(b.sort_values("cadre_id")["_source_row"]) == ["7", "6"]
    for col in ("_submission_time", "_uuid", "_form_version"):
        assert col in a.columns and col in b.columns


# ------------------------------------------------------------------ refusals
def test_refused_files_with_clear_vietnamese_reasons(built, tmp_path):
    cfg, paths = built
    folder = tmp_path / "mixed"
    folder.mkdir()
    other = _round(tmp_path, round_id="other-2015")
    build_workbooks(other, folder, ["22915"])
    shutil.copy(paths[0], folder / "t-2014_593_22918_Phuong_Ham_Tien.xlsx")  # 22915 inside
    wb = Workbook()
    wb.active.append(["Họ tên", "Số hội viên"])
    wb.save(folder / "bang_tong_hop.xlsx")
    (folder / "hong.xlsx").write_bytes(b"not a zip file")
    tampered = load_workbook(paths[1])
    tampered[META_SHEET]["B3"] = "22921"
    tampered.save(folder / "sua_meta.xlsx")
    tables, problems = read_workbooks(folder, cfg)
    assert len(tables["a"]) == len(tables["b"]) == 0
    by_file = {p["file"].split("/")[-1]: p for p in problems}
    assert all(p["refused"] for p in problems) and len(problems) == 5
    other_file = next(k for k in by_file if k.startswith("other-2015"))
    assert by_file[other_file]["kind"] == "other_round"
    assert "other-2015" in by_file[other_file]["reason"]
    mismatch = by_file["t-2014_593_22918_Phuong_Ham_Tien.xlsx"]
    assert mismatch["kind"] == "commune_mismatch" and "22915" in mismatch["reason"]
    assert by_file["bang_tong_hop.xlsx"]["kind"] == "not_ours"
    assert "không phải sổ khảo sát" in by_file["bang_tong_hop.xlsx"]["reason"]
    assert by_file["hong.xlsx"]["kind"] == "unreadable"
    assert by_file["sua_meta.xlsx"]["kind"] == "not_ours"


def test_formula_without_cached_value_is_reported_not_guessed(built, tmp_path):
    cfg, paths = built
    wb = load_workbook(paths[0])
    _fill_org(wb[_sheet_title("hccb")], {"n_branches": "=5+7", "n_exec_members": 9})
    wb.save(tmp_path / paths[0].name)
    tables, problems = read_workbooks(tmp_path, cfg)
    rec = tables["a"].iloc[0]
    assert rec["n_branches"] == "" and rec["n_exec_members"] == "9"
    assert [p["kind"] for p in problems] == ["formula_without_value"]
    assert problems[0]["refused"] is False and "=5+7" in problems[0]["reason"]


@pytest.mark.slow
def test_libreoffice_round_trip_reads_cached_formula_values(built, tmp_path):
    """A workbook saved by LibreOffice (formulas recalculated) is read with its values."""
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice not installed")
    cfg, paths = built
    wb = load_workbook(paths[0])
    _fill_org(wb[_sheet_title("hccb")], {"n_branches": "=5+7", "difficulties": "funding"})
    src = tmp_path / "src"
    src.mkdir()
    wb.save(src / paths[0].name)
    out = tmp_path / "lo"
    subprocess.run(["soffice", "--headless", "--convert-to", "xlsx", "--outdir", str(out),
                    str(src / paths[0].name)], check=True, capture_output=True, timeout=180)
    tables, problems = read_workbooks(out, cfg)
    assert problems == []
    rec = tables["a"].iloc[0]
    assert (rec["n_branches"], rec["difficulties"], rec["org_type"]) == ("12", "funding", "hccb")


# ------------------------------------------------------------------ DVK model roster
def test_model_roster_sheet_has_dropdowns_and_hidden_keys(built):
    from danvan_survey.forms.workbook_models import KEY_M, MODELS_SHEET, model_columns

    _, paths = built
    wb = load_workbook(paths[0])
    ws = wb[MODELS_SHEET]
    cb = load_codebook()
    keys = [ws.cell(1, c).value for c in range(1, ws.max_column + 1)]
    assert keys[: len(model_columns(cb)) + 1] == [KEY_M, *(v.name for v in model_columns(cb))]
    assert ws.row_dimensions[1].hidden and ws.protection.sheet
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert {"ds_org_type", "ds_dvk_field", "ds_model_level", "ds_yes_no"} <= lists
    year = next(dv for dv in ws.data_validations.dataValidation if dv.type == "whole"
                and float(dv.formula1) == 2009)
    assert float(year.formula2) == 2014  # the round's reference year
    assert wb.sheetnames.index(MODELS_SHEET) < wb.sheetnames.index(ROSTER_SHEET)


def test_model_roster_round_trip(built, tmp_path):
    from danvan_survey.forms.workbook_models import MODELS_SHEET

    cfg, paths = built
    folder = tmp_path / "returned"
    folder.mkdir()
    wb = load_workbook(paths[0])
    models = [
        {"org_type": "Hội Cựu chiến binh", "model_name": "Cựu chiến binh tham gia hòa giải",
         "model_field": "Xây dựng hệ thống chính trị", "model_level": "cấp huyện",
         "model_year": 2013, "model_replicated": "Có", "model_replicated_places": 4,
         "model_replicated_where": "4 thôn trong xã"},
        {"org_type": "hnd", "model_name": "Tổ hội nghề nghiệp trồng thanh long",
         "model_field": "economy", "model_level": "1", "model_year": "2012",
         "model_replicated": "0"},
        {"org_type": "Hội Cựu chiến binh", "model_name": "Đội tuần tra an ninh",
         "model_field": "security", "model_level": 2, "model_year": 2014,
         "model_replicated": 0},
    ]
    _fill_roster(wb[MODELS_SHEET], models)
    wb.save(folder / paths[0].name)
    tables, problems = read_workbooks(folder, cfg)
    assert problems == []
    got = tables["a_models"]
    assert len(got) == 3
    assert got["model_no"].tolist() == ["1", "1", "2"]  # position within each organisation
    assert got["commune_code"].unique().tolist() == ["22915"]
    assert got["_parent_uuid"].tolist() == ["wb|t-2014|22915|hccb", "wb|t-2014|22915|hnd",
                                            "wb|t-2014|22915|hccb"]
    assert got["_source_row"].tolist() == ["6", "7", "8"]
    for rec, want in zip(got.to_dict("records"), models, strict=True):
        for name, value in want.items():
            assert rec[name] == cell_text(value), name
