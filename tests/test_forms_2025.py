"""Collection forms of a round on the 1 July 2025 units (no district question)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from danvan_survey.codebook import load_codebook
from danvan_survey.config import RoundConfig
from danvan_survey.forms.paper import paper_html
from danvan_survey.forms.read_workbooks import read_workbooks
from danvan_survey.forms.workbook import build_workbooks, org_sheet_title
from danvan_survey.forms.xlsform import build_xlsforms

# Phường Hàm Thắng (two former districts), Xã Tuy Phong (split predecessor), Phú Quý
CODES = ["22933", "22978", "23272"]


def _round(folder: Path) -> RoundConfig:
    return RoundConfig(
        round_id="t-2026", title="Đợt thử 2026", province_code="68", admin_vintage="2025",
        reference_year=2026, period_start=date(2026, 6, 1), period_end=date(2026, 9, 30),
        synthetic=True, sources=(), folder=folder, scope={"former_province_code": "60"},
    )


@pytest.fixture(scope="module")
def xforms(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    out = tmp_path_factory.mktemp("xlsform2025")
    paths = build_xlsforms(_round(out), out)
    result = {}
    for form, path in zip("ab", paths, strict=True):
        converted = convert(xlsform=str(path), validate=True)  # pyxform + ODK Validate
        assert converted.warnings == [], converted.warnings
        result[form] = (path, converted.xform)
    return result


@pytest.mark.parametrize("form", ["a", "b"])
def test_xlsform_2025_validates_without_district_question(xforms, form):
    path, xform = xforms[form]
    assert "district_code" not in xform
    assert "commune_code" in xform
    wb = load_workbook(path)
    names = [r[1] for r in wb["survey"].iter_rows(min_row=2, values_only=True)]
    assert "district_code" not in names and "commune_code" in names
    communes = [r for r in wb["choices"].iter_rows(min_row=2, values_only=True)
                if r[0] == "commune"]
    assert len(communes) == 45
    assert not [r for r in wb["choices"].iter_rows(min_row=2, values_only=True)
                if r[0] == "district"]
    labels = {r[1]: r[2] for r in communes}
    assert labels["22933"] == "Phường Hàm Thắng (Huyện Hàm Thuận Bắc)"


def test_paper_form_names_the_former_district(tmp_path):
    html = paper_html("a", _round(tmp_path))
    assert "Huyện cũ (trước 01/7/2025)" in html
    assert not re.search(r"class='label'>Huyện/thị xã/thành phố<", html)


def test_workbooks_per_2025_unit_round_trip(tmp_path):
    cfg = _round(tmp_path)
    paths = build_workbooks(cfg, tmp_path / "templates", CODES)
    assert len(paths) == 3
    assert sorted(p.name[:18] for p in paths)[1] == "t-2026_597_22933_P"
    cb = load_codebook()
    folder = tmp_path / "returned"
    folder.mkdir()
    for path in paths:
        wb = load_workbook(path)
        guide = " ".join(str(c.value) for row in wb.worksheets[0].iter_rows() for c in row
                         if c.value)
        assert "huyện cũ (trước 01/7/2025)" in guide
        ws = wb[org_sheet_title(cb.choice_label_vi("org_type", "hnd"))]
        for r in range(1, ws.max_row + 1):
            if ws.cell(r, 5).value == "members_total":
                ws.cell(r, 3, 900)
            if ws.cell(r, 5).value == "n_branches":
                ws.cell(r, 3, 11)
        wb.save(folder / path.name)
    tables, problems = read_workbooks(folder, cfg)
    assert problems == []
    a = tables["a"]
    got = a[a["org_type"] == "hnd"].set_index("commune_code")
    assert sorted(got.index) == CODES
    assert (got["members_total"] == "900").all() and (got["n_branches"] == "11").all()
    assert got.at["22933", "district_code"] == "597"
