"""Leadership pack: findings, XLSX, HTML, DOCX and the whole report on hand-written frames."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from PIL import Image
from plotly.offline import get_plotlyjs
from test_charts import make_results, write_results_folder

from danvan_survey import report
from danvan_survey.charts.style import fmt_num
from danvan_survey.results import Results

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*https?://""", re.IGNORECASE)


def external_refs(page: str) -> list[str]:
    """http(s) resources referenced by src/href, outside the embedded plotly.js bundle.

    plotly.js itself contains anchor links (map attributions) that are never fetched.
    """
    return EXTERNAL.findall(page.replace(get_plotlyjs(), ""))


@pytest.fixture(scope="module")
def res() -> Results:
    return make_results()


def test_findings_are_filled_from_numbers(res: Results) -> None:
    io = res.indicators_org
    text = " ".join(report.findings(res))
    n_rep = int(io["is_weak_reported"].sum())
    n_fun = int(io["is_weak_functional"].sum())
    assert f"{fmt_num(n_rep)} tổ chức tự xếp loại yếu kém" in text
    assert f"{fmt_num(n_fun)} tổ chức yếu theo tiêu chí chức năng" in text
    prov = res.indicators_district.query("district_code == 'ALL'")
    got, expected = int(prov["n_received"].sum()), int(prov["n_expected"].sum())
    assert f"{got}/{expected} phiếu tổ chức dự kiến đã nhận và qua kiểm tra" in text
    assert "Phú Quí" not in text  # suppressed district never named as lowest/highest


def test_methods_say_synthetic_only_when_synthetic(res: Results) -> None:
    assert "mô phỏng" in report.methods(res)[0]
    assert not any("mô phỏng" in m for m in report.methods(make_results(synthetic=False)))


@pytest.mark.parametrize(("value", "expected"), [("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"),
                                                 ("-2", "'-2"), ("@x", "'@x"), ("Xã A", "Xã A")])
def test_safe_text_blocks_formulas(value: str, expected: str) -> None:
    assert report.safe_text(value) == expected


def test_column_headers_in_vietnamese() -> None:
    assert report.column_header("org_type") == "Tổ chức"  # from the codebook
    assert report.column_header("dues_rate_den").endswith(": mẫu số")
    assert report.column_header("n_received") == "Số phiếu nhận"


def test_xlsx_headers_frozen_formats_and_injection(res: Results, tmp_path: Path) -> None:
    sheets = report.xlsx_sheets(res)
    sheets["Theo tổ chức"] = sheets["Theo tổ chức"].assign(
        weak_reasons_vi=["=HYPERLINK(\"x\")"] + [""] * (len(res.indicators_org) - 1))
    path = report.write_xlsx(sheets, tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)
    ws = book["Theo huyện"]
    assert ws.freeze_panes == "A2"
    headers = [c.value for c in ws[1]]
    assert "Số phiếu nhận" in headers and "district_code" not in headers
    col = headers.index(report.column_header("dues_rate")) + 1
    assert ws.cell(row=2, column=col).number_format == "0.0%"
    org = book["Theo tổ chức"]
    reason_col = [c.value for c in org[1]].index("Lý do") + 1
    assert org.cell(row=2, column=reason_col).value == "'=HYPERLINK(\"x\")"
    assert all(c.data_type != "f" for w in book.worksheets for row in w.iter_rows() for c in row)
    est = book["Ước lượng cán bộ"]
    values = [c.value for row in est.iter_rows(min_row=2) for c in row]
    assert "ẩn" in values  # suppressed estimates hidden, not exported as numbers


def test_html_is_self_contained(res: Results, tmp_path: Path) -> None:
    figures = report.build_figures(res)
    page = report.build_html(res, figures, tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.count(get_plotlyjs()[:200]) == 1  # plotly.js embedded once
    assert external_refs(page) == []
    assert "mathjax" not in page.replace(get_plotlyjs(), "").lower().replace(
        "mathjaxconfig", "")
    assert page.count('class="plotly-graph-div"') == len(report.CHARTS)
    assert "Dữ liệu mô phỏng" in page


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    root = write_results_folder(tmp_path_factory.mktemp("proj"))
    messages: list[str] = []
    out = report.build_report("test-2014", root, progress=messages.append, notebooks=False)
    assert any("Xuất" in m for m in messages)
    return root, out


@pytest.mark.slow
def test_every_chart_exported_in_three_formats(built, res: Results) -> None:
    _, out = built
    figures = report.build_figures(res)
    for spec in report.CHARTS:
        png = out[f"bieu-do/{spec.name}.png"]
        with Image.open(png) as img:
            fig = figures[spec.name]
            assert img.size == (fig.layout.width * 2, fig.layout.height * 2)
            assert len(img.getcolors(1_000_000) or [0] * 999) > 20  # not blank
        assert out[f"bieu-do/{spec.name}.pdf"].read_bytes().startswith(b"%PDF")
        assert "<svg" in out[f"bieu-do/{spec.name}.svg"].read_text(encoding="utf-8")[:500]


@pytest.mark.slow
def test_docx_contains_charts_and_lists(built) -> None:
    from docx import Document

    _, out = built
    doc = Document(str(out["bao-cao.docx"]))
    assert len(doc.inline_shapes) == len(report.CHARTS)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert report.REPORT_TITLE in text and "DỮ LIỆU MÔ PHỎNG" in text
    assert len(doc.tables) == 2 and doc.tables[0].rows[0].cells[0].text == "TT"


@pytest.mark.slow
def test_index_lists_every_file(built) -> None:
    _, out = built
    index = out["INDEX.md"].read_text(encoding="utf-8")
    for rel in out:
        if rel not in ("INDEX.md", "index.html"):
            assert f"[{rel}]" in index
    assert external_refs(out["index.html"].read_text(encoding="utf-8")) == []


@pytest.mark.slow
def test_html_renders_in_offline_chromium(built, tmp_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "chromium is required (apt-get install chromium)"
    _, out = built
    url = out["bao-cao.html"].resolve().as_uri()
    offline = ["--headless", "--no-sandbox", "--disable-gpu", "--proxy-server=127.0.0.1:9",
               "--disable-background-networking", "--virtual-time-budget=15000",
               "--enable-logging=stderr", "--v=0"]
    shot = tmp_path / "shot.png"
    dom = subprocess.run([browser, *offline, "--dump-dom", url], capture_output=True,
                         text=True, timeout=180, check=True)
    # every plotly div drew its SVG (or map canvas): plotly renders 'main-svg' layers
    rendered = dom.stdout.count('class="plot-container plotly"')
    assert rendered == len(report.CHARTS)
    assert "Uncaught" not in dom.stderr
    subprocess.run([browser, *offline, f"--screenshot={shot}", "--window-size=1280,2400",
                    url], capture_output=True, timeout=180, check=True)
    with Image.open(shot) as img:
        colours = img.convert("RGB").getcolors(1_000_000)
        assert colours is None or len(colours) > 50  # not a blank page
