"""The "Dân vận khéo" replication list in the leadership pack (HTML, DOCX, XLSX, findings)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from test_charts import make_results, write_results_folder
from test_models_roster import _clean_models, _orgs

from danvan_survey import dvk, report
from danvan_survey.charts.style import fmt_num
from danvan_survey.results import Results


def _table() -> pd.DataFrame:
    """3 models at district level or above: 1 replicated, 1 not, 1 not stated."""
    return dvk.replication_list(_clean_models(), _orgs())


@pytest.fixture(scope="module")
def res() -> Results:
    return replace(make_results(), dvk_replication=_table())


def test_replication_figures_equal_the_list(res: Results) -> None:
    f = report.compute_findings(res)
    by = f.replication.set_index("label")
    table = _table()
    total = by.loc["Tổng số"]
    assert int(total["n_models"]) == len(table) == 3
    assert int(total["n_replicated"]) == int((table["model_replicated"] == 1).sum()) == 1
    assert int(total["n_not_replicated"]) == 1 and int(total["n_unknown"]) == 1
    assert int(by.loc["Kinh tế, giảm nghèo", "n_models"]) == 1
    text = " ".join(report.summary(f))
    assert ("từ cấp huyện trở lên: 3 mô hình, trong đó 1 đã được nhân rộng và 1 chưa nhân "
            "rộng") in text
    assert "1 mô hình không ghi rõ" in text


def test_no_roster_no_replication_chart_or_sentence() -> None:
    plain = make_results()
    f = report.compute_findings(plain)
    assert f.replication.empty
    assert "nhân rộng" not in " ".join(report.summary(f))
    names = [s.name for s in report.charts_for(plain)]
    assert "14-nhan-rong-dan-van-kheo" not in names
    assert "14-nhan-rong-dan-van-kheo" in [s.name for s in report.charts_for(
        replace(plain, dvk_replication=_table()))]


def test_html_has_the_replication_section_escaped(res: Results, tmp_path: Path) -> None:
    table = _table()
    table.loc[0, "model_name"] = "<script>alert(1)</script>"
    hostile = replace(res, dvk_replication=table)
    page = report.build_html(hostile, report.build_figures(hostile),
                             tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Mô hình “Dân vận khéo” đề xuất nhân rộng" in page
    assert "Danh sách đầy đủ (3 mô hình" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'id="fig-14-nhan-rong-dan-van-kheo"' in page


def test_xlsx_has_the_replication_sheet(res: Results, tmp_path: Path) -> None:
    path = report.write_xlsx(report.xlsx_sheets(res), tmp_path / "b.xlsx", True)
    ws = openpyxl.load_workbook(path)["Mô hình đề xuất nhân rộng"]
    header = [c.value for c in ws[2]]
    assert header[:4] == ["STT", "Lĩnh vực", "Tên mô hình", "Tổ chức"]
    assert ws.max_row == 2 + 3


@pytest.mark.slow
def test_docx_proposes_replication_with_appendix_3(tmp_path: Path) -> None:
    from docx import Document

    root = write_results_folder(tmp_path)
    _table().to_parquet(root / "data" / "clean" / "test-2014" / "dvk_replication.parquet")
    out = report.build_report("test-2014", root, notebooks=False)
    assert "bieu-do/14-nhan-rong-dan-van-kheo.png" in out
    doc = Document(str(out["bao-cao.docx"]))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "3. Nhân rộng mô hình “Dân vận khéo”" in text and "PHỤ LỤC 3" in text
    listing = next(t for t in doc.tables if t.rows[0].cells[0].text == "STT")
    models = [r for r in listing.rows if r.cells[0].text.isdigit()]
    assert [r.cells[1].text for r in models] == _table()["model_name"].tolist()
    groups = [r.cells[0].text for r in listing.rows if r.cells[0].text.startswith("Lĩnh vực")]
    assert groups == ["Lĩnh vực: Kinh tế, giảm nghèo (1 mô hình)",
                      "Lĩnh vực: Quốc phòng, an ninh trật tự (1 mô hình)",
                      "Lĩnh vực: Xây dựng hệ thống chính trị (1 mô hình)"]
    assert doc.sections[-1].page_width > doc.sections[-1].page_height  # landscape
    by_field = next(t for t in doc.tables if t.rows[0].cells[0].text == "Lĩnh vực")
    assert by_field.rows[-1].cells[0].text == "Tổng số"
    assert by_field.rows[-1].cells[1].text == fmt_num(3)
