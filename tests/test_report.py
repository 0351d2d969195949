"""Leadership pack: findings, XLSX, HTML, DOCX and the whole report on hand-written frames."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from PIL import Image
from plotly.offline import get_plotlyjs
from test_charts import make_results, write_results_folder

from danvan_survey import charts, report, xlsx_layout
from danvan_survey.charts.style import fmt_num, fmt_pct
from danvan_survey.errors import InputError
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
    text = " ".join(report.summary(report.compute_findings(res)))
    n_rep = int(io["is_weak_reported"].sum())
    n_fun = int(io["is_weak_functional"].sum())
    assert f"{fmt_num(n_rep)} tổ chức tự xếp loại yếu kém" in text
    assert f"{fmt_num(n_fun)} tổ chức yếu theo tiêu chí chức năng" in text
    prov = res.indicators_district.query("district_code == 'ALL'")
    got, expected = int(prov["n_received"].sum()), int(prov["n_expected"].sum())
    assert f"{got}/{expected} phiếu tổ chức dự kiến" in text
    assert "Tỷ lệ tập hợp của" in text and "Phú Quí (" not in text  # hidden: never named
    for word in ("unverified", "suppress", "ALL", "em_source"):
        assert word not in text


def test_stated_figures_equal_the_tables(res: Results) -> None:
    """Every count said in words is the row count of the table it summarises."""
    from danvan_survey.weakness import disagreements, weak_communes

    f = report.compute_findings(res)
    io = res.indicators_org
    communes = weak_communes(io)
    dis = disagreements(io)
    assert f.n_weak_communes == len(communes)
    assert f.n_rated_well_fun_weak == int((dis["disagreement"]
                                           == "rated_well_functionally_weak").sum())
    assert f.n_weak == len(charts.consolidation_list(res))
    assert int(f.weak_by_district["n_weak"].sum()) == f.n_weak
    assert int(f.weak_by_district["n_orgs"].sum()) == len(io)
    assert f.weak_by_district["share_weak"].is_monotonic_decreasing
    text = " ".join(report.summary(f))
    assert f"{fmt_num(len(communes))} xã có từ 2 tổ chức yếu kém" in text
    assert f"{fmt_num(f.n_rated_well_fun_weak)} tổ chức tự xếp loại vững mạnh hoặc khá" in text


def test_every_caption_adds_a_figure(res: Results) -> None:
    """Captions say what the reader should take from the chart, with its number."""
    f = report.compute_findings(res)
    for spec in report.charts_for(res):
        key = spec.key(f)
        assert key and re.search(r"\d", key), spec.name
        assert key in spec.caption(f) and "di chuột" not in spec.caption(f)


def test_measures_answer_every_reason() -> None:
    from danvan_survey.report.meta import load_measures
    from danvan_survey.weakness import load_weakness_config

    measures = load_measures()
    codes = {r.code for r in load_weakness_config().rules} | {"reported_weak"}
    assert codes <= set(measures)
    assert all(m.measure_vi and m.rationale and m.label_vi for m in measures.values())


def test_report_meta_placeholders_never_invented() -> None:
    from danvan_survey.report.meta import PLACEHOLDER, parse_report_meta

    empty = parse_report_meta(None)
    assert empty.number_line == "Số …-…" and empty.signer_name == PLACEHOLDER
    assert empty.date_line() == "…, ngày … tháng … năm …"
    meta = parse_report_meta({"place": "Bình Thuận", "date": "2014-10-05", "number": 12,
                              "symbol": "BC/BDVTU", "recipients": ["Lưu VP"]})
    assert meta.date_line() == "Bình Thuận, ngày 5 tháng 10 năm 2014"
    assert meta.number_line == "Số 12-BC/BDVTU" and meta.recipients == ("Lưu VP",)
    with pytest.raises(InputError, match="khóa lạ"):
        parse_report_meta({"signer": "x"})


def test_methods_say_synthetic_only_when_synthetic(res: Results) -> None:
    assert "mô phỏng" in report.methods(res)[0]
    assert "suppress" not in " ".join(report.methods(res))
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
    em = res.indicators_em_area  # the analysis adds an all-areas total coded "ALL"
    sheets = report.xlsx_sheets(replace(res, indicators_em_area=pd.concat(
        [em, em.assign(em_area="ALL")], ignore_index=True)))
    sheets["Theo tổ chức"] = sheets["Theo tổ chức"].assign(
        **{"Lý do": ["=HYPERLINK(\"x\")"] + [""] * (len(res.indicators_org) - 1)})
    path = report.write_xlsx(sheets, tmp_path / "t.xlsx", synthetic=True)
    book = openpyxl.load_workbook(path)
    ws = book["Theo huyện"]
    assert ws.freeze_panes == "A3"
    headers = [c.value for c in ws[2]]
    assert "Số phiếu nhận" in headers and "district_code" not in headers
    col = headers.index(report.column_header("dues_rate")) + 1
    assert ws.cell(row=3, column=col).number_format == "0.0%"
    org = book["Theo tổ chức"]
    reason_col = [c.value for c in org[2]].index("Lý do") + 1
    assert org.cell(row=3, column=reason_col).value == "'=HYPERLINK(\"x\")"
    assert all(c.data_type != "f" for w in book.worksheets for row in w.iter_rows() for c in row)
    est = book["Ước lượng cán bộ"]
    values = [c.value for row in est.iter_rows(min_row=3) for c in row]
    assert "ẩn" in values  # suppressed estimates hidden, not exported as numbers
    assert "Tuy Phong" in values and "595" not in values  # place names, not codes
    for sheet in book.worksheets:
        assert str(sheet["A1"].value).startswith("DỮ LIỆU MÔ PHỎNG")
        cells = [v for row in sheet.iter_rows(min_row=3, values_only=True) for v in row
                 if isinstance(v, str)]
        assert not [v for v in cells if v in ("ALL", "unverified", "suppress")
                    or re.fullmatch(r"[a-z]+(_[a-z]+)+", v)], sheet.title
        heads = [c.value for c in sheet[2] if c.value]
        assert not [h for h in heads if re.fullmatch(r"[a-z0-9_]+", str(h))], sheet.title
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
        assert sheet.print_title_rows.replace("$", "") == "1:2"
        widths = [d.width for d in sheet.column_dimensions.values()  # ranges of equal width
                  for _ in range(d.min, d.max + 1)]
        assert len(widths) == sheet.max_column
        setup, fit = sheet.page_setup, sheet.sheet_properties.pageSetUpPr.fitToPage
        if sum(widths) <= xlsx_layout.PAGE_UNITS / xlsx_layout.MIN_SCALE:
            assert fit and setup.fitToWidth in (None, 1) and setup.fitToHeight == 0
        else:  # at 65 % across pages, each starting with the columns that name the row
            assert not fit and setup.scale == 65, sheet.title
            assert sheet.print_title_cols.startswith("$A:"), sheet.title
            assert setup.pageOrder == "overThenDown"  # a row's pages together
    shares = book["Yếu kém theo huyện"]
    rates = [r[3] for r in shares.iter_rows(min_row=3, values_only=True)]
    assert rates == sorted(rates, reverse=True)


def test_every_legend_runs_along_the_top_where_a_narrow_window_shows_it(res: Results) -> None:
    # a legend right of the panels was out of sight in a JupyterLab output (~950 px) and
    # in report windows of 1,000-1,200 px; charts are at most 1,100 px wide
    for name, fig in report.build_figures(res).items():
        assert (fig.layout.width or 1000) <= 1100 or name.startswith("06-"), name  # table
        legend = fig.layout.legend
        assert legend.orientation in (None, "h") and (legend.x or 0) == 0, name
        assert legend.y is None or legend.y >= 1.0, name


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [("Số phiếu", 10, 1), ("ab cd", 3, 2), ("ab cd", 6, 1), ("ab cd", 5, 2),
     ("Dòng một\nDòng hai", 40, 2), ("", 10, 1), ("    ", 3, 1)],
)
def test_wrapped_lines_at_the_column_width(text: str, width: float, lines: int) -> None:
    # one width unit is kept for padding: "ab cd" (5 letters) fits a width of 6, not 5
    assert xlsx_layout.wrapped_lines(text, width) == lines


def test_print_scale_fits_one_page_or_stays_readable() -> None:
    per_page = xlsx_layout.PAGE_UNITS / xlsx_layout.MIN_SCALE  # about 226 units
    assert xlsx_layout.print_scale([per_page]) is None  # one page wide, at 65 % or more
    assert xlsx_layout.print_scale([per_page / 2, per_page / 2]) is None
    assert xlsx_layout.print_scale([per_page + 1]) == 65  # across pages at 65 %
    assert xlsx_layout.print_scale([]) is None


def test_key_columns_are_the_leading_columns_that_name_a_row() -> None:
    assert xlsx_layout.key_columns([5, 16, 20, 24, 28, 13]) == 4  # at most four
    assert xlsx_layout.key_columns([5, 16, 20, 69, 28, 13]) == 4  # exactly 110 units
    assert xlsx_layout.key_columns([5, 16, 20, 70, 28, 13]) == 3  # 111 > 110 units
    # the estimates sheet: domain type, domain and the indicator's long name all repeat
    assert xlsx_layout.key_columns([12, 28, 61, 47]) == 3
    assert xlsx_layout.key_columns([16]) == 1
    assert xlsx_layout.key_columns([111, 5]) == 0
    assert xlsx_layout.key_columns([]) == 0


def test_the_header_row_is_as_tall_as_its_longest_header(tmp_path: Path) -> None:
    # printed via LibreOffice, a 4-line header was cut to 3 in a fixed 45 pt row
    four = "Tỷ lệ tập hợp (hội viên/đối tượng; Hội Nông dân: hội viên/hộ)"
    assert xlsx_layout.header_height(["Huyện", "Số"], [12.0, 10.0]) == 45  # 3 lines at least
    assert xlsx_layout.header_height(["Huyện", four], [12.0, 18.0]) == 60
    frame = pd.DataFrame({"Huyện": ["Tuy Phong"], four: [0.5]})
    book = openpyxl.load_workbook(report.write_xlsx({"Theo huyện": frame}, tmp_path / "h.xlsx"))
    width = book["Theo huyện"].column_dimensions["B"].width
    rows = book["Theo huyện"].row_dimensions
    assert rows[2].height == 15 * xlsx_layout.wrapped_lines(four, width) >= 60


def test_html_is_self_contained(res: Results, tmp_path: Path) -> None:
    figures = report.build_figures(res)
    page = report.build_html(res, figures, tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.count(get_plotlyjs()[:200]) == 1  # plotly.js embedded once
    assert external_refs(page) == []
    assert "mathjax" not in page.replace(get_plotlyjs(), "").lower().replace(
        "mathjaxconfig", "")
    assert page.count('class="plotly-graph-div"') == len(report.charts_for(res))
    assert "Dữ liệu mô phỏng" in page
    assert page.index("Ủy ban Mặt trận Tổ quốc Việt Nam") < page.index("Ủy ban MTTQ")
    assert "đồng bào dân tộc thiểu số" in page
    f = report.compute_findings(res)
    top = f.weak_by_district.iloc[0]
    assert f"<td>{top['label']}</td><td>{fmt_pct(top['share_weak'])}</td>" in page


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
    for spec in report.charts_for(res):
        png = out[f"bieu-do/{spec.name}.png"]
        with Image.open(png) as img:
            fig = figures[spec.name]
            assert img.size == (fig.layout.width * 2, fig.layout.height * 2)
            assert len(img.getcolors(1_000_000) or [0] * 999) > 20  # not blank
        assert out[f"bieu-do/{spec.name}.pdf"].read_bytes().startswith(b"%PDF")
        assert "<svg" in out[f"bieu-do/{spec.name}.svg"].read_text(encoding="utf-8")[:500]


@pytest.mark.slow
def test_docx_is_a_bao_cao(built, res: Results) -> None:
    from docx import Document
    from docx.shared import Mm

    from danvan_survey.report.docx import docx_charts

    _, out = built
    doc = Document(str(out["bao-cao.docx"]))
    assert len(doc.inline_shapes) == len(docx_charts(res))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in cells and "Số …-…" in cells  # no report: section
    assert "BÁO CÁO" in text and "DỮ LIỆU MÔ PHỎNG" in text
    for heading in ("I. MỤC ĐÍCH", "II. KẾT QUẢ", "III. ĐÁNH GIÁ CHUNG", "IV. ĐỀ XUẤT",
                    "PHỤ LỤC 1", "PHỤ LỤC 2", "Biểu đồ 1. "):
        assert heading in text
    assert "Nơi nhận:" in cells
    assert "Ủy ban Mặt trận Tổ quốc Việt Nam (sau đây viết tắt là Ủy ban MTTQ)" in text
    assert "đồng bào dân tộc thiểu số (sau đây viết tắt là vùng DTTS)" in text
    for word in ("di chuột", "unverified", "suppress", "ALL", "em_source"):
        assert word not in text + cells
    first, listing = doc.sections[0], doc.sections[1]
    assert abs(first.page_width - Mm(210)) < Mm(1) and abs(first.page_height - Mm(297)) < Mm(1)
    def within(value: int, low: float, high: float) -> bool:  # twips round the millimetres
        return Mm(low - 0.1) <= value <= Mm(high + 0.1)

    assert within(first.top_margin, 20, 25) and within(first.bottom_margin, 20, 25)
    assert within(first.left_margin, 30, 35) and within(first.right_margin, 15, 20)
    assert listing.page_width > listing.page_height  # the list is landscape
    assert doc.styles["Normal"].font.name == "Times New Roman"
    f = report.compute_findings(res)
    full_list = next(t for t in doc.tables if t.rows[0].cells[0].text == "TT")
    assert len(full_list.rows) == f.n_weak + 1  # the whole list, not a top-N


@pytest.mark.slow
def test_index_lists_every_file(built) -> None:
    _, out = built
    index = out["INDEX.md"].read_text(encoding="utf-8")
    for rel in out:
        if rel not in ("INDEX.md", "index.html"):
            assert f"[{rel}]" in index
    assert external_refs(out["index.html"].read_text(encoding="utf-8")) == []


@pytest.mark.slow
def test_html_renders_in_offline_chromium(built, res: Results, tmp_path: Path) -> None:
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
    assert rendered == len(report.charts_for(res))
    assert "Uncaught" not in dom.stderr
    subprocess.run([browser, *offline, f"--screenshot={shot}", "--window-size=1280,2400",
                    url], capture_output=True, timeout=180, check=True)
    with Image.open(shot) as img:
        colours = img.convert("RGB").getcolors(1_000_000)
        assert colours is None or len(colours) > 50  # not a blank page
    # a 1,000 px window (a laptop at 125 % zoom): charts wider than the page scroll inside
    # their own box, the page never does (a copy of the page reports its laid-out width)
    probe = tmp_path / "bao-cao-probe.html"
    probe.write_text(out["bao-cao.html"].read_text(encoding="utf-8").replace(
        "</body>", "<script>window.addEventListener('load', () => { document.body.dataset"
        ".overflow = String(document.documentElement.scrollWidth - window.innerWidth); });"
        "</script></body>"), encoding="utf-8")
    narrow = subprocess.run([browser, *offline, "--window-size=1000,1400", "--dump-dom",
                             probe.as_uri()], capture_output=True, text=True, timeout=180,
                            check=True)
    overflow = re.search(r'data-overflow="(-?\d+)"', narrow.stdout)
    assert overflow and int(overflow.group(1)) <= 0  # -15: the vertical scrollbar's width


MAP_BACKGROUND = (247, 249, 252)  # plot_bgcolor of the commune map (#F7F9FC), used nowhere else


def map_pixels(screenshot: Path) -> tuple[int, int]:
    """(rows of map background, coloured marker pixels inside the map's plot area)."""
    import numpy as np

    with Image.open(screenshot) as img:
        px = np.asarray(img.convert("RGB")).astype(int)
    bg = np.all(px == MAP_BACKGROUND, axis=2)
    rows = np.nonzero(bg.sum(axis=1) > 200)[0]
    if not len(rows):
        return 0, 0
    cols = np.nonzero(bg[rows.min():rows.max() + 1].any(axis=0))[0]
    area = px[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    saturated = (area.max(axis=2) - area.min(axis=2)) > 90
    return len(rows), int(saturated.sum())


@pytest.mark.slow
def test_commune_map_draws_from_disk_without_network(built, tmp_path: Path) -> None:
    """Screenshot of bao-cao.html opened as file:// with no network: the map has dots."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "chromium is required (apt-get install chromium)"
    _, out = built
    shot = tmp_path / "page.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--no-first-run",
                    f"--user-data-dir={tmp_path / 'profile'}", "--proxy-server=127.0.0.1:9",
                    "--hide-scrollbars", "--virtual-time-budget=20000",
                    "--window-size=1280,16000", f"--screenshot={shot}",
                    out["bao-cao.html"].resolve().as_uri()],
                   capture_output=True, timeout=180, check=True)
    rows, dots = map_pixels(shot)
    assert rows > 300  # the map's plot area was drawn (about 460 px high)
    assert dots > 500  # and the commune dots are in it
