"""Data dictionary, paper questionnaire and the Kobo-style export helper."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from danvan_survey.codebook import load_codebook
from danvan_survey.config import RoundConfig
from danvan_survey.forms import make_kobo_export
from danvan_survey.forms.common import question_numbers
from danvan_survey.forms.dictionary import write_dictionary
from danvan_survey.forms.paper import paper_html, write_paper


def _round(folder: Path) -> RoundConfig:
    return RoundConfig(
        round_id="t-2014", title="Đợt thử", province_code="60", admin_vintage="2014",
        reference_year=2014, period_start=date(2014, 10, 1), period_end=date(2014, 12, 31),
        synthetic=True, sources=(), folder=folder,
    )


def test_dictionary_lists_every_variable_with_weakness(tmp_path):
    html_path, xlsx_path = write_dictionary(_round(tmp_path), tmp_path)
    cb = load_codebook()
    text = html_path.read_text(encoding="utf-8")
    assert not re.search(r"(src|href)=['\"]https?:", text)
    rows = list(load_workbook(xlsx_path)["Biến"].iter_rows(values_only=True))
    assert len(rows) - 1 == sum(len(cb.form(f)) for f in ("a", "a_models", "b"))
    header = rows[0]
    by_name = {(r[0][0].lower(), r[header.index("Tên biến")]): r for r in rows[1:]}
    for form in "ab":
        for var in cb.form(form):
            assert f"<code>{var.name}</code>" in text
            row = by_name[(form, var.name)]
            if var.measures:
                assert cb.weaknesses[var.measures][0] in row[header.index(
                    "Đo hạn chế nào của Kết luận 2014")]
            if var.warning_message:
                assert var.warning_message in row[header.index("Kiểm tra mềm (cảnh báo)")]
            if var.personal_data:
                assert row[header.index("Dữ liệu cá nhân")]


def test_dictionary_prints_on_a4_with_its_header_and_names_on_every_page(tmp_path):
    # it printed portrait with default settings: pages of one column apart from the next
    from danvan_survey import xlsx_layout

    _, xlsx_path = write_dictionary(_round(tmp_path), tmp_path)
    for ws in load_workbook(xlsx_path).worksheets:
        setup = ws.page_setup
        assert setup.orientation == "landscape" and int(setup.paperSize) == 9, ws.title
        assert ws.print_title_rows.replace("$", "") == "1:1", ws.title
        widths = [d.width for d in ws.column_dimensions.values()
                  for _ in range(d.min, d.max + 1)]
        fit = ws.sheet_properties.pageSetUpPr.fitToPage
        if sum(widths) <= xlsx_layout.PAGE_UNITS / xlsx_layout.MIN_SCALE:
            assert fit and setup.fitToWidth == 1 and setup.fitToHeight == 0, ws.title
        else:  # across pages at 65 %, over then down, the naming columns repeated
            assert not fit and setup.scale == 65, ws.title
            assert setup.pageOrder == "overThenDown" and ws.print_title_cols, ws.title
    variables = load_workbook(xlsx_path)["Biến"]
    assert variables.page_setup.scale == 65  # wider than one page at 65 %


def test_dictionary_lists_the_model_roster(tmp_path):
    _, xlsx_path = write_dictionary(_round(tmp_path), tmp_path)
    rows = list(load_workbook(xlsx_path)["Biến"].iter_rows(values_only=True))
    header = rows[0]
    col = {name: header.index(name) for name in header}
    roster = {r[col["Tên biến"]]: r for r in rows[1:] if "mô hình" in r[col["Phiếu"]]}
    assert list(roster)[:5] == ["round_id", "district_code", "commune_code", "org_type",
                                "model_no"]
    year = roster["model_year"]
    assert year[col["Số TT"]] == "M4"
    assert "2009" in year[col["Kiểm tra cứng (loại bản ghi)"]]
    assert roster["org_type"][col["Số TT"]] == "(từ phiếu A hoặc tính ra)"
    assert "has_form_a" in roster["org_type"][col["Kiểm tra cứng (loại bản ghi)"]]
    where = roster["model_replicated_where"][col["Điều kiện hỏi"]]
    assert where == "Chỉ trả lời khi câu M5 là “Có”."
    assert "Kinh tế, giảm nghèo" in roster["model_field"][col["Phương án trả lời"]]


def test_paper_form_a_has_the_model_roster_table(tmp_path):
    html = paper_html("a", _round(tmp_path))
    cb = load_codebook()
    heads = re.findall(r"<th>(M\d+)\. ", html)
    assert heads == [f"M{i}" for i in range(1, len(cb.roster_questions("a_models")) + 1)]
    assert "3 = cấp tỉnh" in html and "<table class='roster'>" in html
    assert "<table class='roster'>" not in paper_html("b", _round(tmp_path))


@pytest.mark.parametrize("form", ["a", "b"])
def test_paper_numbering_matches_workbook(tmp_path, form):
    html = paper_html(form, _round(tmp_path))
    cb = load_codebook()
    found = re.findall(r"<div class='num'>([AB]\d+)</div><div><div class='label'>([^<]*)<", html)
    numbers = question_numbers(cb, form)
    assert found == [(numbers[v.name], v.label_vi.replace('"', "&quot;"))
                     for v in cb.form(form) if v.in_form]


@pytest.mark.slow
def test_paper_pdf_rendered_by_chromium(tmp_path):
    from pypdf import PdfReader

    paths = write_paper(_round(tmp_path), tmp_path)
    pdf = [p for p in paths if p.suffix == ".pdf"]
    assert len(pdf) == 2
    text = PdfReader(pdf[0]).pages[0].extract_text()
    assert "Thông tin chung" in text


def test_kobo_export_both_header_styles():
    cb = load_codebook()
    records = pd.DataFrame([
        {"round_id": "t-2014", "commune_code": "22915", "org_type": "hnd", "n_branches": "12",
         "meeting_content": "policy thematic", "_uuid": "u1"},
        {"round_id": "t-2014", "commune_code": "22918", "org_type": "mttq", "n_branches": "",
         "meeting_content": "", "_uuid": "u2"},
    ])
    xml = make_kobo_export("a", records, "xml")
    assert list(xml["grp_members/n_branches"]) == ["12", ""]
    assert list(xml["grp_meetings/meeting_content"]) == ["policy thematic", ""]
    assert list(xml["grp_meetings/meeting_content/thematic"]) == ["1", ""]
    assert list(xml["grp_meetings/meeting_content/admin"]) == ["0", ""]
    assert list(xml["_uuid"]) == ["u1", "u2"]
    assert {v.xml_path for v in cb.form("a") if v.in_form} <= set(xml.columns)
    label = make_kobo_export("a", records, "label")
    content = cb.var("a", "meeting_content").label_vi
    assert label[content].iloc[0] == " ".join(
        cb.choice_label_vi("meeting_content", c) for c in ("policy", "thematic"))
    assert label[cb.var("a", "org_type").label_vi].iloc[1] == cb.choice_label_vi(
        "org_type", "mttq")


@pytest.mark.parametrize("form", ["a", "b"])
def test_paper_prints_labels_not_english_codes(tmp_path, form):
    html = paper_html(form, _round(tmp_path))
    cb = load_codebook()
    options = re.findall(r"<span class='box'></span>([^<]*)</div>", html)
    assert options
    text_codes = {c.code for lst in cb.choices.values() for c in lst if not c.code.isdigit()}
    for option in options:
        head = option.split(".")[0].strip()
        assert head not in text_codes, option  # no "mttq." / "branch_head."
        if re.match(r"\d+\. ", option):
            assert head.isdigit()  # numeric codes stay: data entry types them
    assert "dữ liệu mô phỏng" in html and "dữ liệu tổng hợp" not in html


def test_workbook_instructions_say_mo_phong(tmp_path):
    from danvan_survey.forms.workbook import build_workbooks

    messages: list[str] = []
    paths = build_workbooks(_round(tmp_path), tmp_path, ["22915", "22918"],
                            progress=messages.append)
    assert messages == ["Sổ Excel cho xã: 2/2"]
    book = load_workbook(paths[0])
    text = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows()
                    for c in row if isinstance(c.value, str))
    assert "dữ liệu mô phỏng" in text and "dữ liệu tổng hợp" not in text
