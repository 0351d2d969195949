"""The leadership pack: run the notebooks headless and export charts, HTML, XLSX and DOCX.

``build_report(round_id)`` writes ``reports/<round>/``. Every number comes from
:mod:`danvan_survey.results` through the chart functions of :mod:`danvan_survey.charts`,
the same ones the notebooks call.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from danvan_survey import __version__, charts
from danvan_survey.charts.export import export_figures
from danvan_survey.charts.style import (
    em_label,
    fmt_num,
    fmt_pct,
    indicator_label,
    org_codes,
    org_label,
    short_district,
    var_label,
)
from danvan_survey.config import PACKAGE_DIR, project_dir, reports_dir
from danvan_survey.errors import InputError
from danvan_survey.results import Results, load_results

Progress = Callable[[str], None]
REPORT_TITLE = "Báo cáo kết quả khảo sát thực trạng công tác dân vận ở cơ sở"
NOTEBOOKS = (
    "01-clean-validate", "02-district-overview", "03-em-areas",
    "04-weak-organisations", "05-cadre-capacity", "06-dvk-bulletins",
)
NOTEBOOK_TITLES = {
    "01-clean-validate": "Làm sạch và kiểm tra dữ liệu",
    "02-district-overview": "Tổng quan theo huyện",
    "03-em-areas": "Vùng đồng bào dân tộc thiểu số",
    "04-weak-organisations": "Tổ chức yếu kém và đề xuất củng cố",
    "05-cadre-capacity": "Năng lực cán bộ",
    "06-dvk-bulletins": "Dân vận khéo và bản tin",
}
#: Notebooks executed at the same time (each in its own kernel).
NOTEBOOK_WORKERS = 2
EM_CAVEAT = ("Phân loại vùng DTTS của xã một phần được suy luận; “ngoài danh sách” nghĩa là "
             "xã không có trong danh sách vùng DTTS, chưa được xác minh là không có đồng bào.")


@dataclass(frozen=True)
class ChartSpec:
    """One chart of the pack: how to build it and what to say under it."""

    name: str
    section: str
    build: Callable[[Results], go.Figure]
    shows: str
    caveat: str


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec("01-do-phu-phieu", "Làm sạch và độ phủ",
              lambda r: charts.indicator_heatmap(r, "coverage", min_returns=0),
              "Số phiếu tổ chức đã nhận so với số dự kiến, theo huyện và tổ chức.",
              "Phiếu bị cách ly khi làm sạch không được tính; không bù số thiếu."),
    ChartSpec("02-ty-le-tap-hop", "Tổng quan theo huyện",
              lambda r: charts.indicator_heatmap(r, "gathering_rate"),
              "Tỷ lệ tập hợp (tổng hội viên / tổng đối tượng) theo huyện và tổ chức; "
              "di chuột để xem tử số, mẫu số và số phiếu.",
              "Hội Nông dân tính trên hộ nên không so sánh được với tổ chức khác; MTTQ "
              "không có chỉ số này; ô có dưới 3 phiếu bị ẩn."),
    ChartSpec("03-xep-loai", "Tổng quan theo huyện", charts.rating_distribution,
              "Phân bố xếp loại năm gần nhất của tổ chức cơ sở, theo huyện, mỗi tổ chức "
              "một ô.", "Là xếp loại do tổ chức tự báo cáo, chưa được đối chiếu."),
    ChartSpec("04-yeu-kem-huyen", "Tổ chức yếu kém", charts.weak_organisations,
              "Số tổ chức yếu kém theo huyện: tự xếp loại yếu kém, yếu theo tiêu chí chức "
              "năng, và cả hai.", "Tiêu chí chức năng là ngưỡng thiết kế, cần hiệu chỉnh "
              "sau đợt đầu; không phải kết luận chính thức."),
    ChartSpec("05-yeu-kem-vung-dtts", "Tổ chức yếu kém",
              lambda r: charts.weak_organisations(r, by="em_area"),
              "Số tổ chức yếu kém theo vùng đồng bào DTTS.", EM_CAVEAT),
    ChartSpec("06-danh-sach-cung-co", "Tổ chức yếu kém", charts.consolidation_table,
              "20 tổ chức có điểm ưu tiên cao nhất cần củng cố, kèm lý do bằng số liệu.",
              "Danh sách đầy đủ trong bang-so-lieu.xlsx; điểm ưu tiên là quy tắc xếp thứ "
              "tự, không phải đánh giá cá nhân."),
    ChartSpec("07-ban-do-xa", "Tổ chức yếu kém", charts.commune_map,
              "Vị trí các xã và số tổ chức yếu kém trong mỗi xã.",
              "Chấm là trung tâm xã (tọa độ gần đúng), không có ranh giới; xã chưa có phiếu "
              "không được vẽ."),
    ChartSpec("08-vung-dtts-so-sanh", "Vùng đồng bào DTTS", charts.em_comparison,
              "So sánh xã thuần DTTS, xã có thôn xen ghép và các xã khác theo các chỉ số "
              "chính; bên phải là ước lượng từ mẫu cán bộ với khoảng tin cậy 95%.",
              EM_CAVEAT),
    ChartSpec("09-gathering-vung-dtts", "Vùng đồng bào DTTS",
              lambda r: charts.indicator_heatmap(r, "gathering_rate", by="em_area"),
              "Tỷ lệ tập hợp theo vùng DTTS và tổ chức.", EM_CAVEAT),
    ChartSpec("10-nang-luc-can-bo-huyen", "Năng lực cán bộ", charts.cadre_capacity,
              "Ước lượng theo thiết kế mẫu: tỷ lệ được tập huấn, tự đánh giá kỹ năng xử lý "
              "tình huống, cách xử lý tình huống, mức biết NQ 25; theo huyện.",
              "Ước lượng có sai số mẫu; ước lượng dưới ngưỡng tin cậy bị ẩn, không vẽ "
              "bằng 0; chấm rỗng cần thận trọng."),
    ChartSpec("11-nang-luc-can-bo-vung-dtts", "Năng lực cán bộ",
              lambda r: charts.cadre_capacity(r, by="em_area"),
              "Các ước lượng năng lực cán bộ theo vùng DTTS.", EM_CAVEAT),
    ChartSpec("12-dan-van-kheo", "Dân vận khéo và bản tin", charts.dvk_funnel,
              "Số mô hình dân vận khéo đăng ký và được công nhận; số tổ chức theo cấp "
              "công nhận cao nhất.", "Hai ô dùng hai đơn vị khác nhau (mô hình, tổ chức)."),
    ChartSpec("13-ban-tin", "Dân vận khéo và bản tin", charts.bulletin_compliance,
              "Tỷ lệ kỳ bản tin có bài về mô hình dân vận khéo theo huyện, so với mục tiêu "
              "100%.", "Chỉ tính tổ chức có phát hành bản tin."),
)


# ---------------------------------------------------------------- findings (from numbers)
def _province_rows(res: Results) -> pd.DataFrame:
    d = res.indicators_district
    return d[d["district_code"] == "ALL"]


def _ratio(frame: pd.DataFrame, ind: str) -> float:
    den = float(frame[f"{ind}_den"].sum())
    return float(frame[f"{ind}_num"].sum()) / den if den > 0 else float("nan")


def findings(res: Results) -> list[str]:
    """Summary sentences filled from the numbers (templated; no invented text)."""
    out: list[str] = []
    prov = _province_rows(res)
    if len(prov):
        rec, exp = int(prov["n_received"].sum()), int(prov["n_expected"].sum())
        out.append(f"{fmt_num(rec)}/{fmt_num(exp)} phiếu tổ chức dự kiến đã nhận và qua kiểm tra "
                   f"({fmt_pct(rec / exp if exp else float('nan'))}); phiếu bị cách ly hoặc chưa "
                   "gửi không được tính.")
    io = res.indicators_org
    if len(io):
        rep = io["is_weak_reported"].fillna(False).astype(bool)
        fun = io["is_weak_functional"].fillna(False).astype(bool)
        out.append(f"{fmt_num(int(rep.sum()))} tổ chức tự xếp loại yếu kém; "
                   f"{fmt_num(int(fun.sum()))} tổ chức yếu theo tiêu chí chức năng; "
                   f"{fmt_num(int((rep & fun).sum()))} tổ chức yếu theo cả hai cách; "
                   f"{fmt_num(int((fun & ~rep).sum()))} tổ chức tự xếp loại không yếu nhưng "
                   "yếu theo tiêu chí.")
        per_commune = (rep | fun).groupby(io["commune_code"]).sum()
        out.append(f"{fmt_num(int((per_commune >= 2).sum()))} xã có từ 2 tổ chức yếu kém "
                   "trở lên.")
    out += _gathering_findings(res, prov)
    em = res.indicators_em_area
    if len(em):
        parts = [f"{_lower_first(em_label(a))}: {fmt_pct(_ratio(em[em['em_area'] == a], ind))}"
                 for a in ("pure", "mixed", "none") if a in set(em["em_area"])
                 for ind in ("meeting_regularity",)]
        out.append(f"{indicator_label('meeting_regularity')} — " + "; ".join(parts) + ".")
    out += _cadre_findings(res)
    if len(prov):
        out.append(f"{indicator_label('dvk_bulletin_compliance')} toàn tỉnh: "
                   f"{fmt_pct(_ratio(prov, 'dvk_bulletin_compliance'))} (mục tiêu 100%).")
    org = res.organisations
    if len(org) and {"dvk_registered_12m", "dvk_recognised_12m"} <= set(org.columns):
        out.append(f"Mô hình “Dân vận khéo”: {fmt_num(int(org['dvk_registered_12m'].sum()))} "
                   f"đăng ký, {fmt_num(int(org['dvk_recognised_12m'].sum()))} được công nhận "
                   "trong 12 tháng.")
    return out


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _gathering_findings(res: Results, prov: pd.DataFrame) -> list[str]:
    d = res.indicators_district
    out = []
    for org in org_codes():
        rows = d[(d["org_type"] == org) & (d["district_code"] != "ALL")
                 & d["gathering_rate"].notna() & (d["n_received"] >= charts.MIN_RETURNS)]
        p = prov[prov["org_type"] == org]
        if rows.empty or p.empty or not np.isfinite(float(p["gathering_rate"].iloc[0])):
            continue
        lo = rows.loc[rows["gathering_rate"].idxmin()]
        hi = rows.loc[rows["gathering_rate"].idxmax()]
        out.append(f"Tỷ lệ tập hợp của {org_label(org)} toàn tỉnh "
                   f"{fmt_pct(float(p['gathering_rate'].iloc[0]))}; thấp nhất "
                   f"{short_district(lo['district_name'])} ({fmt_pct(lo['gathering_rate'])}), "
                   f"cao nhất {short_district(hi['district_name'])} "
                   f"({fmt_pct(hi['gathering_rate'])}).")
    return out


def _cadre_findings(res: Results) -> list[str]:
    out = []
    for item in charts.CAPACITY_ITEMS:
        rows = charts.select_estimates(res.estimates, item, "province")
        if rows.empty or str(rows["reliability"].iloc[0]) == "suppress":
            continue
        r = rows.iloc[0]
        fmt = fmt_pct if item.is_share else (lambda v: fmt_num(v, 2))
        label = item.label(200).replace("<br>", " ")
        out.append(f"Cán bộ — {label}: {fmt(r['estimate'])} (KTC 95%: {fmt(r['ci_low'])}–"
                   f"{fmt(r['ci_high'])}, n = {fmt_num(r['n'])}"
                   + ("; cần thận trọng" if r["reliability"] == "caution" else "") + ").")
    return out


def methods(res: Results) -> list[str]:
    """Methods and caveats section (coverage, suppression, synthetic data, EM flags)."""
    out = [
        "Phiếu A là tổng điều tra mọi tổ chức ở mọi xã; chỉ số tổng hợp là tỷ số của tổng "
        "(tổng tử số / tổng mẫu số), kèm số phiếu nhận/dự kiến; không bù số liệu thiếu.",
        "Phiếu B là mẫu phân tầng theo huyện, chọn xã, phỏng vấn mọi cán bộ chủ chốt của xã "
        "được chọn; ước lượng theo thiết kế mẫu (tuyến tính hóa Taylor), khoảng tin cậy 95%.",
        f"Ẩn số liệu: ô tổng hợp phiếu A có dưới {charts.MIN_RETURNS} phiếu được ghi “ẩn”; "
        "ước lượng phiếu B có độ tin cậy “suppress” không công bố, không bao giờ hiển thị "
        "bằng 0.",
        EM_CAVEAT,
        "Tiêu chí yếu kém chức năng là ngưỡng thiết kế ghi trong tệp cấu hình, cần hiệu "
        "chỉnh sau đợt đầu.",
    ]
    if res.synthetic:
        out.insert(0, "Dữ liệu mô phỏng: các con số là số liệu giả lập để thử hệ thống, "
                      "không phải kết quả khảo sát thật.")
    return out


# ---------------------------------------------------------------- notebooks
def notebook_dir(root: Path | None = None) -> Path:
    """Folder of the notebook sources: ``<project>/notebooks`` or the source checkout's."""
    for candidate in ((root or project_dir()) / "notebooks", PACKAGE_DIR.parent / "notebooks"):
        if (candidate / f"{NOTEBOOKS[0]}.py").is_file():
            return candidate
    raise InputError("Không tìm thấy thư mục notebooks/ (các tệp 01-…py). Chạy lệnh từ thư "
                     "mục dự án hoặc đặt DANVAN_HOME.")


def run_notebook(name: str, round_id: str, root: Path | None, out_dir: Path) -> Path:
    """Execute one notebook headless (papermill, kernel python3) and export it as HTML."""
    import jupytext
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    src = notebook_dir(root) / f"{name}.py"
    nb = jupytext.read(src)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    work = out_dir / ".work"
    work.mkdir(parents=True, exist_ok=True)
    source_nb, executed = work / f"{name}.ipynb", work / f"{name}.out.ipynb"
    jupytext.write(nb, source_nb)
    params = {"round_id": round_id, "root": str(root) if root else ""}
    try:
        pm.execute_notebook(source_nb, executed, parameters=params, kernel_name="python3",
                            progress_bar=False, log_output=False, cwd=str(src.parent))
    except PapermillExecutionError as exc:
        raise InputError(
            f"Sổ tay {name} lỗi ở ô số {exc.cell_index} (lần chạy {exc.exec_count}): "
            f"{exc.ename}: {exc.evalue}. Mở notebooks/{name}.py để xem ô này.",
            file=str(src),
        ) from exc
    return notebook_html(executed, out_dir / f"so-tay-{name}.html")


def notebook_html(executed: Path, target: Path) -> Path:
    """Convert an executed notebook to HTML without CDN scripts (MathJax/require.js)."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
    body = re.sub(r'<script[^>]+src="https?://[^"]*"[^>]*>\s*</script>', "", body)
    body = re.sub(r'<link[^>]+href="https?://[^"]*"[^>]*>', "", body)
    target.write_text(body, encoding="utf-8")
    return target


# ---------------------------------------------------------------- HTML report
def build_html(res: Results, figures: dict[str, go.Figure], target: Path) -> Path:
    """One self-contained page: plotly.js embedded once, MathJax off, no external URL."""
    from jinja2 import Environment, FileSystemLoader
    from plotly.offline import get_plotlyjs

    env = Environment(loader=FileSystemLoader(PACKAGE_DIR / "templates"),
                      autoescape=True)
    sections: dict[str, list[dict[str, str]]] = {}
    for spec in CHARTS:
        div = pio.to_html(figures[spec.name], full_html=False, include_plotlyjs=False,
                          include_mathjax=False, div_id=f"fig-{spec.name}",
                          config={"displaylogo": False})
        sections.setdefault(spec.section, []).append(
            {"name": spec.name, "div": div, "shows": spec.shows, "caveat": spec.caveat})
    page = env.get_template("report.html.j2").render(
        title=REPORT_TITLE, round_id=res.round_id, date=res.report_date.strftime("%d/%m/%Y"),
        version=__version__, synthetic=res.synthetic, findings=findings(res),
        sections=list(sections.items()), methods=methods(res),
        plotly_js=get_plotlyjs().replace("</script>", "<\\/script>"),
    )
    target.write_text(page, encoding="utf-8")
    return target


# ---------------------------------------------------------------- XLSX
FIXED_HEADERS = {
    "round_id": "Đợt khảo sát", "district_code": "Mã huyện", "commune_code": "Mã xã",
    "em_area": "Vùng DTTS", "em_source": "Nguồn phân loại vùng DTTS",
    "n_expected": "Số phiếu dự kiến", "n_received": "Số phiếu nhận",
    "n_weak_reported": "Số tổ chức tự xếp loại yếu kém",
    "n_weak_functional": "Số tổ chức yếu theo tiêu chí", "is_weak_reported": "Tự xếp loại yếu kém",
    "is_weak_functional": "Yếu theo tiêu chí", "weak_reasons": "Mã lý do",
    "weak_reasons_vi": "Lý do", "priority_score": "Điểm ưu tiên",
    "domain_type": "Loại miền", "domain": "Miền", "variable": "Biến", "stat": "Thống kê",
    "category": "Phương án", "estimate": "Ước lượng", "se": "Sai số chuẩn",
    "ci_low": "Cận dưới KTC 95%", "ci_high": "Cận trên KTC 95%", "df": "Bậc tự do",
    "deff": "Hiệu ứng thiết kế", "n": "Số quan sát", "cv": "Hệ số biến thiên",
    "reliability": "Độ tin cậy", "model_name": "Tên mô hình", "org_label_vi": "Tổ chức",
    "org_dvk_top_level_vi": "Cấp công nhận cao nhất của tổ chức",
    "org_dvk_recognised_12m": "Số mô hình được công nhận của tổ chức",
}
PCT_SUFFIXES = ("rate", "share", "regularity", "compliance", "coverage")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def column_header(col: str) -> str:
    """Vietnamese header of an output column (codebook, indicator registry, fixed names)."""
    if col.endswith("_num"):
        return f"{indicator_label(col[:-4])}: tử số"
    if col.endswith("_den"):
        return f"{indicator_label(col[:-4])}: mẫu số"
    if col in FIXED_HEADERS:
        return FIXED_HEADERS[col]
    if col.endswith(PCT_SUFFIXES) or col == "content_diversity":
        return indicator_label(col)
    for form in ("a", "b"):
        try:
            return var_label(form, col)
        except KeyError:
            continue
    return col


def safe_text(value: object) -> str:
    """Text cell that a spreadsheet can never run as a formula."""
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _readable(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    if "org_type" in out:
        out["org_type"] = out["org_type"].map(org_label)
    if "em_area" in out:
        out["em_area"] = out["em_area"].map(em_label)
    if "reliability" in out:
        hide = out["reliability"] == "suppress"
        for col in ("estimate", "se", "ci_low", "ci_high", "cv"):
            out[col] = out[col].astype(object).where(~hide, "ẩn")
    return out


def write_xlsx(sheets: dict[str, pd.DataFrame], target: Path) -> Path:
    """Write indicator tables: Vietnamese headers, frozen header row, number formats."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(target), {"nan_inf_to_errors": False})
    book.set_properties({"title": REPORT_TITLE, "created": pd.Timestamp("2014-01-01")})
    head = book.add_format({"bold": True, "bg_color": "#DCE6F1", "text_wrap": True,
                            "valign": "top", "border": 1})
    fmts = {"pct": book.add_format({"num_format": "0.0%"}),
            "int": book.add_format({"num_format": "#,##0"}),
            "dec": book.add_format({"num_format": "#,##0.00"})}
    for name, frame in sheets.items():
        ws = book.add_worksheet(name[:31])
        data = _readable(frame)
        for j, col in enumerate(data.columns):
            ws.write_string(0, j, column_header(col), head)
            kind = ("pct" if col.endswith(PCT_SUFFIXES) else
                    "int" if col.endswith(("_num", "_den")) or col.startswith("n_") else "dec")
            ws.set_column(j, j, 40 if col in ("weak_reasons_vi", "model_name", "Lý do") else 16)
            for i, value in enumerate(data[col].tolist(), start=1):
                _write_cell(ws, i, j, value, fmts[kind])
        ws.freeze_panes(1, 0)
        ws.set_row(0, 45)
        if len(data.columns):
            ws.autofilter(0, 0, len(data), len(data.columns) - 1)
    book.close()
    return target


def _write_cell(ws: object, i: int, j: int, value: object, fmt: object) -> None:
    if isinstance(value, bool | np.bool_):
        ws.write_string(i, j, "có" if value else "không")  # type: ignore[attr-defined]
    elif isinstance(value, int | float | np.integer | np.floating) and not pd.isna(value):
        ws.write_number(i, j, float(value), fmt)  # type: ignore[attr-defined]
    elif value is None or (not isinstance(value, str) and pd.isna(value)):
        ws.write_blank(i, j, None)  # type: ignore[attr-defined]
    else:
        ws.write_string(i, j, safe_text(value))  # type: ignore[attr-defined]


def xlsx_sheets(res: Results) -> dict[str, pd.DataFrame]:
    """Tables of the workbook, by sheet name."""
    from danvan_survey.dvk import model_catalogue

    sheets = {
        "Theo huyện": res.indicators_district,
        "Theo vùng DTTS": res.indicators_em_area,
        "Theo tổ chức": res.indicators_org,
        "Danh sách củng cố": charts.consolidation_list(res),
    }
    if len(res.estimates):
        sheets["Ước lượng cán bộ"] = res.estimates
    if len(res.organisations) and "dvk_model_names" in res.organisations:
        sheets["Mô hình DVK"] = dvk_catalogue(res)
    _ = model_catalogue
    return sheets


def dvk_catalogue(res: Results) -> pd.DataFrame:
    """Named DVK models for replication (the analysis module's catalogue, readable columns)."""
    from danvan_survey.dvk import model_catalogue

    cat = model_catalogue(res.organisations)
    cols = ["district_name", "commune_name", "org_label_vi", "model_name",
            "org_dvk_top_level_vi"]
    return cat[cols].assign(district_name=cat["district_name"].map(short_district))


# ---------------------------------------------------------------- DOCX
def write_docx(res: Results, pngs: dict[str, Path], target: Path) -> Path:
    """Word report: findings, charts (PNG), consolidation list, DVK catalogue, methods."""
    from docx import Document
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(11)
    doc.core_properties.title = REPORT_TITLE
    doc.add_heading(REPORT_TITLE, level=0)
    doc.add_paragraph(f"Đợt: {res.round_id} · Ngày số liệu: "
                      f"{res.report_date.strftime('%d/%m/%Y')} · danvan_survey {__version__}")
    if res.synthetic:
        run = doc.add_paragraph().add_run("DỮ LIỆU MÔ PHỎNG — các con số là số liệu giả lập "
                                          "để thử hệ thống, không phải kết quả khảo sát thật.")
        run.bold, run.font.color.rgb = True, RGBColor(0xB0, 0x3A, 0x00)
    doc.add_heading("1. Tóm tắt kết quả", level=1)
    for sentence in findings(res):
        doc.add_paragraph(sentence, style="List Bullet")
    doc.add_heading("2. Biểu đồ", level=1)
    for k, spec in enumerate(CHARTS, start=1):
        doc.add_heading(f"Biểu đồ {k}. {_title_of(spec, res)}", level=2)
        doc.add_picture(str(pngs[spec.name]), width=Cm(16.5))
        doc.add_paragraph(f"Thể hiện: {spec.shows}")
        doc.add_paragraph(f"Lưu ý: {spec.caveat}")
    doc.add_heading("3. Danh sách tổ chức cơ sở yếu kém cần củng cố", level=1)
    _docx_table(doc, charts.consolidation_list(res, top=40).drop(columns=["Điểm ưu tiên"]))
    doc.add_heading("4. Danh mục mô hình “Dân vận khéo”", level=1)
    if len(res.organisations) and "dvk_model_names" in res.organisations:
        cat = dvk_catalogue(res)
        cat.columns = ["Huyện", "Xã", "Tổ chức", "Tên mô hình", "Cấp công nhận cao nhất"]
        _docx_table(doc, cat.head(60))
        if len(cat) > 60:
            doc.add_paragraph(f"… và {len(cat) - 60} mô hình khác (xem bang-so-lieu.xlsx).")
    doc.add_heading("5. Phương pháp và lưu ý", level=1)
    for m in methods(res):
        doc.add_paragraph(m, style="List Bullet")
    doc.save(str(target))
    return target


def _title_of(spec: ChartSpec, res: Results) -> str:
    return spec.shows.split(";")[0].rstrip(".")


def _docx_table(doc: object, frame: pd.DataFrame) -> None:
    from docx.shared import Pt

    table = doc.add_table(rows=1, cols=len(frame.columns))  # type: ignore[attr-defined]
    table.style = "Light Grid Accent 1"
    for j, col in enumerate(frame.columns):
        table.rows[0].cells[j].text = str(col)
    for row in frame.astype(str).itertuples(index=False):
        cells = table.add_row().cells
        for j, value in enumerate(row):
            cells[j].text = value
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                for r in p.runs:
                    r.font.size = Pt(9)


# ---------------------------------------------------------------- index
def write_index(files: dict[str, str], out_dir: Path, res: Results) -> tuple[Path, Path]:
    """INDEX.md and index.html listing every file with what it shows."""
    rows = sorted(files.items())
    md = [f"# {REPORT_TITLE}", "", f"Đợt {res.round_id}"
          + (" — **Dữ liệu mô phỏng**" if res.synthetic else ""), "",
          "| Tệp | Nội dung |", "|---|---|"]
    md += [f"| [{name}]({name}) | {what} |" for name, what in rows]
    (out_dir / "INDEX.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    items = "\n".join(f'<tr><td><a href="{html.escape(n)}">{html.escape(n)}</a></td>'
                      f"<td>{html.escape(w)}</td></tr>" for n, w in rows)
    page = (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>'
            f"{REPORT_TITLE}</title><style>body{{font-family:'Noto Sans',Arial,sans-serif;"
            "margin:2rem}td{padding:.2rem .8rem;border-bottom:1px solid #ddd}</style></head>"
            f"<body><h1>{REPORT_TITLE}</h1><p>Đợt {html.escape(res.round_id)}"
            + (" — <b>Dữ liệu mô phỏng</b>" if res.synthetic else "")
            + f"</p><table>{items}</table></body></html>\n")
    (out_dir / "index.html").write_text(page, encoding="utf-8")
    return out_dir / "INDEX.md", out_dir / "index.html"


# ---------------------------------------------------------------- orchestration
def build_figures(res: Results) -> dict[str, go.Figure]:
    """Every chart of the pack, by file stem."""
    return {spec.name: spec.build(res) for spec in CHARTS}


def build_report(
    round_id: str, root: Path | None = None, progress: Progress | None = None,
    notebooks: bool = True,
) -> dict[str, Path]:
    """Build ``reports/<round>/``; return ``{relative file name: path}`` of every output."""
    say = progress or (lambda _msg: None)
    root = Path(root).resolve() if root else project_dir()  # notebooks run in another cwd
    res = load_results(round_id, root)
    out_dir = reports_dir(round_id, root)
    (out_dir / "bieu-do").mkdir(parents=True, exist_ok=True)
    say(f"Đọc kết quả đợt {round_id}: {len(res.indicators_org)} tổ chức")
    figures = build_figures(res)
    outputs: dict[str, Path] = {}
    with ThreadPoolExecutor(max_workers=1) as pool:
        nb_future = pool.submit(_run_notebooks, round_id, root, out_dir, say) if notebooks \
            else None
        exported = export_figures(figures, out_dir / "bieu-do", progress=say)
        outputs.update({f"bieu-do/{k}": v for k, v in exported.items()})
        say("Ghi bao-cao.html, bang-so-lieu.xlsx, bao-cao.docx")
        outputs["bao-cao.html"] = build_html(res, figures, out_dir / "bao-cao.html")
        outputs["bang-so-lieu.xlsx"] = write_xlsx(xlsx_sheets(res), out_dir / "bang-so-lieu.xlsx")
        pngs = {spec.name: exported[f"{spec.name}.png"] for spec in CHARTS}
        outputs["bao-cao.docx"] = write_docx(res, pngs, out_dir / "bao-cao.docx")
        if nb_future is not None:
            outputs.update(nb_future.result())
    md, page = write_index(_describe(outputs), out_dir, res)
    outputs["INDEX.md"], outputs["index.html"] = md, page
    say(f"Xong: {len(outputs)} tệp trong {out_dir}")
    return outputs


def _run_notebooks(round_id: str, root: Path | None, out_dir: Path,
                   say: Progress) -> dict[str, Path]:
    """Execute the notebooks, two kernels at a time, in notebook order of results."""
    import shutil

    def one(k: int, name: str) -> Path:
        say(f"Chạy sổ tay {k}/{len(NOTEBOOKS)}: {name}")
        return run_notebook(name, round_id, root, out_dir)

    with ThreadPoolExecutor(max_workers=NOTEBOOK_WORKERS) as pool:
        paths = list(pool.map(one, range(1, len(NOTEBOOKS) + 1), NOTEBOOKS))
    shutil.rmtree(out_dir / ".work", ignore_errors=True)
    return {path.name: path for path in paths}


def _describe(outputs: dict[str, Path]) -> dict[str, str]:
    what = {spec.name: spec.shows for spec in CHARTS}
    kinds = {".png": "ảnh PNG (độ phân giải gấp 2, cho Word/trình chiếu)",
             ".svg": "ảnh vector SVG", ".pdf": "PDF để in"}
    fixed = {
        "bao-cao.html": "Báo cáo một trang HTML, xem được không cần mạng: biểu đồ tương tác, "
                        "tóm tắt, phương pháp",
        "bang-so-lieu.xlsx": "Bảng số liệu chỉ số (theo huyện, vùng DTTS, tổ chức, ước lượng "
                             "cán bộ, danh sách củng cố, mô hình DVK)",
        "bao-cao.docx": f"{REPORT_TITLE} (Word)",
    }
    out = {}
    for rel, path in outputs.items():
        if rel in fixed:
            out[rel] = fixed[rel]
        elif rel.startswith("bieu-do/"):
            out[rel] = f"{what.get(path.stem, path.stem)} — {kinds.get(path.suffix, '')}"
        elif rel.startswith("so-tay-"):
            stem = rel.removeprefix("so-tay-").removesuffix(".html")
            out[rel] = f"Sổ tay đã chạy (HTML): {NOTEBOOK_TITLES.get(stem, stem)}"
    return out
