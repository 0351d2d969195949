"""``bang-so-lieu.xlsx``: the indicator tables, Vietnamese throughout, ready to print.

Every sheet opens with a title row ("DỮ LIỆU MÔ PHỎNG" for a synthetic round), then one
header row of Vietnamese labels (codebook, indicator registry, fixed names); place names
and labels replace codes. Print set-up (:mod:`danvan_survey.xlsx_layout`): A4 landscape,
title and header rows on every page; a sheet fits one page wide, or prints at 65 % across
pages with the columns that name a row repeated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from danvan_survey import charts
from danvan_survey.charts.style import (
    choice_label,
    em_label,
    indicator_label,
    org_label,
    short_district,
    var_label,
)
from danvan_survey.codebook import load_codebook
from danvan_survey.report import findings as fx
from danvan_survey.report.specs import REPORT_TITLE
from danvan_survey.results import Results
from danvan_survey.xlsx_layout import column_width, finish_table

FIXED_HEADERS = {
    "round_id": "Đợt khảo sát", "district_code": "Mã huyện", "commune_code": "Mã xã",
    "district_name": "Huyện", "commune_name": "Xã",
    "em_area": "Vùng đồng bào DTTS", "em_source": "Nguồn phân loại vùng DTTS",
    "n_expected": "Số phiếu dự kiến", "n_received": "Số phiếu nhận",
    "n_weak_reported": "Số tổ chức tự xếp loại yếu kém",
    "n_weak_functional": "Số tổ chức yếu theo tiêu chí", "is_weak_reported": "Tự xếp loại yếu kém",
    "is_weak_functional": "Yếu theo tiêu chí", "weak_reasons": "Mã lý do",
    "weak_reasons_vi": "Lý do", "priority_score": "Điểm ưu tiên",
    "domain_type": "Cấp", "domain": "Địa bàn", "variable": "Chỉ tiêu", "stat": "Loại",
    "category": "Phương án", "estimate": "Ước lượng", "se": "Sai số chuẩn",
    "ci_low": "Cận dưới KTC 95%", "ci_high": "Cận trên KTC 95%", "df": "Bậc tự do",
    "deff": "Hiệu ứng thiết kế", "n": "Số cán bộ trả lời", "cv": "Hệ số biến thiên",
    "reliability": "Độ tin cậy", "model_name": "Tên mô hình", "org_label_vi": "Tổ chức",
    "org_dvk_top_level_vi": "Cấp công nhận cao nhất của tổ chức",
    "org_dvk_recognised_12m": "Số mô hình được công nhận của tổ chức",
    "is_difficult_commune": "Xã khó khăn",
}
PCT_SUFFIXES = ("rate", "share", "regularity", "compliance", "coverage")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DOMAIN_TYPES = {"province": "Toàn tỉnh", "district": "Huyện", "em_area": "Vùng DTTS"}
STATS = {"prop": "Tỷ lệ", "mean": "Trung bình"}
RELIABILITY = {"ok": "Tin cậy", "caution": "Thận trọng", "suppress": "Ẩn (quá ít cán bộ)"}
#: Labels of estimate variables derived from the cadre form (not asked as such).
DERIVED_LABELS = {
    "skill_situations_4_5": ("skill_situations", "mức 4–5 (tốt, rất tốt)"),
    "vignette_listen_or_trusted": ("vignette_land_protest",
                                   "lắng nghe trước hoặc nhờ người có uy tín"),
    "agrees_dv_is_unions_job_4_5": ("agrees_dv_is_unions_job", "đồng ý mức 4–5"),
}
ORG_COLUMNS = ("district_name", "commune_name", "org_type", "em_area", "rating_last_year",
               "gathering_rate", "meeting_regularity", "silent_branch_share", "dues_rate",
               "card_rate", "trained_share", "vacancy_share", "dvk_bulletin_compliance",
               "content_diversity", "is_weak_reported", "is_weak_functional",
               "weak_reasons_vi", "priority_score")


def column_header(col: str) -> str:
    """Vietnamese header of an output column (codebook, indicator registry, fixed names)."""
    if col.endswith("_num"):
        return f"{indicator_label(col[:-4])}: tử số"
    if col.endswith("_den"):
        return f"{indicator_label(col[:-4])}: mẫu số"
    if col.endswith("_n") and col != "n":
        return f"{indicator_label(col[:-2])}: số tổ chức có số liệu"
    if col.endswith("_mean"):
        return f"{indicator_label(col[:-5])}: bình quân mỗi tổ chức"
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


def estimate_label(variable: str) -> str:
    """Vietnamese label of a cadre estimate variable (codebook or derived)."""
    if variable in DERIVED_LABELS:
        base, what = DERIVED_LABELS[variable]
        return f"{var_label('b', base)}: {what}"
    try:
        return var_label("b", variable)
    except KeyError:
        return variable


def _category_label(variable: str, category: object) -> str:
    text = "" if category is None or pd.isna(category) else str(category)
    if not text or variable in DERIVED_LABELS:
        return ""
    var = load_codebook().var("b", variable)
    return choice_label(var.list_name, text) if var.list_name else text


def readable_estimates(est: pd.DataFrame, district_names: dict[str, str]) -> pd.DataFrame:
    """Estimates with place names and labels; hidden estimates shown as "ẩn", never 0."""
    domains = [fx_domain(t, d, district_names) for t, d in
               zip(est["domain_type"], est["domain"].astype(str), strict=True)]
    out = pd.DataFrame({
        "Cấp": est["domain_type"].map(DOMAIN_TYPES).to_numpy(),
        "Địa bàn": domains,
        "Chỉ tiêu": est["variable"].map(estimate_label).to_numpy(),
        "Phương án": [_category_label(v, c) for v, c in
                      zip(est["variable"], est["category"], strict=True)],
        "Loại": est["stat"].map(STATS).to_numpy(),
    })
    hide = (est["reliability"] == "suppress").to_numpy()
    for col in ("estimate", "se", "ci_low", "ci_high", "cv"):
        out[FIXED_HEADERS[col]] = est[col].astype(object).where(~hide, "ẩn").to_numpy()
    for col in ("df", "deff", "n"):
        out[FIXED_HEADERS[col]] = est[col].to_numpy()
    out["Độ tin cậy"] = est["reliability"].map(RELIABILITY).to_numpy()
    out.attrs["pct_rows"] = (est["stat"] == "prop").to_numpy()
    return out


def estimates_table(res: Results) -> pd.DataFrame:
    """The cadre estimates with place names and Vietnamese labels (for notebooks too)."""
    names = dict(zip(res.indicators_org["district_code"].astype(str),
                     res.indicators_org["district_name"], strict=False))
    return readable_estimates(res.estimates, names)


def fx_domain(domain_type: str, domain: str, district_names: dict[str, str]) -> str:
    """Place name of an estimate domain."""
    if domain_type == "province":
        return "Toàn tỉnh"
    if domain_type == "em_area":
        return em_label(domain)
    return short_district(district_names.get(domain, domain))


def _readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Labels instead of codes; Vietnamese headers."""
    drop = ["round_id", *(["district_code"] if "district_name" in frame else [])]
    out = frame.drop(columns=[c for c in drop if c in frame]).copy()
    if "district_name" in out:
        out["district_name"] = out["district_name"].map(short_district)
    if "org_type" in out:
        out["org_type"] = out["org_type"].map(org_label)
    if "em_area" in out:
        out["em_area"] = out["em_area"].map(em_label)
    if "rating_last_year" in out:
        out["rating_last_year"] = [choice_label("rating", int(v)) if pd.notna(v) else ""
                                   for v in out["rating_last_year"]]
    out.columns = [column_header(str(c)) for c in out.columns]
    return out


def _kind_of(header: str, series: pd.Series) -> str:
    """Number format of a column: integers by dtype, else by its header."""
    if pd.api.types.is_integer_dtype(series) or pd.api.types.is_bool_dtype(series):
        return "int"
    return _kind(header)


def _kind(col: str) -> str:
    if col.startswith("Điểm"):
        return "gen"
    if col.endswith("bình quân mỗi tổ chức"):
        return "dec"
    if col.endswith(("số tổ chức có số liệu", ": tử số", ": mẫu số")):
        return "int"
    if col.endswith(PCT_SUFFIXES) or col.startswith("Tỷ lệ"):
        return "pct"
    if col.endswith(("_num", "_den", ": tử số", ": mẫu số")) or col.startswith(("n_", "Số ")):
        return "int"
    return "dec"


def write_xlsx(sheets: dict[str, pd.DataFrame], target: Path, synthetic: bool = False) -> Path:
    """Write readable tables: title row, header row, formats, widths and print set-up."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(target), {"nan_inf_to_errors": False})
    book.set_properties({"title": REPORT_TITLE, "created": pd.Timestamp("2014-01-01")})
    fm = {
        "head": book.add_format({"bold": True, "bg_color": "#DCE6F1", "text_wrap": True,
                                 "valign": "top", "border": 1}),
        "title": book.add_format({"bold": True, "font_size": 12,
                                  "font_color": "#B03A00" if synthetic else "#000000"}),
        "pct": book.add_format({"num_format": "0.0%", "valign": "top"}),
        "int": book.add_format({"num_format": "#,##0", "valign": "top"}),
        "dec": book.add_format({"num_format": "#,##0.00", "valign": "top"}),
        "text": book.add_format({"text_wrap": True, "valign": "top"}),
        "gen": book.add_format({"valign": "top"}),
    }
    for name, frame in sheets.items():
        _write_sheet(book, name, frame, fm, synthetic)
    book.close()
    return target


def _write_sheet(book: Any, name: str, frame: pd.DataFrame, fm: dict[str, Any],
                 synthetic: bool) -> None:
    ws = book.add_worksheet(name[:31])
    title = f"{name} — {REPORT_TITLE}"
    ws.write_string(0, 0, (f"DỮ LIỆU MÔ PHỎNG — {title}" if synthetic else title),
                    fm["title"])
    pct_rows = frame.attrs.get("pct_rows")
    widths: list[float] = []
    for j, col in enumerate(frame.columns):
        header = str(col)
        ws.write_string(1, j, header, fm["head"])
        values = frame[col].tolist()
        kind = _kind_of(header, frame[col])
        width = column_width(header, values)
        ws.set_column(j, j, width)
        widths.append(width)
        for i, value in enumerate(values, start=2):
            cell_kind = kind
            if pct_rows is not None and header in ("Ước lượng", "Sai số chuẩn",
                                                   "Cận dưới KTC 95%", "Cận trên KTC 95%"):
                cell_kind = "pct" if pct_rows[i - 2] else "dec"
            _write_cell(ws, i, j, value, fm[cell_kind], fm["text"])
    if len(frame.columns):
        ws.autofilter(1, 0, len(frame) + 1, len(frame.columns) - 1)
    finish_table(ws, frame, widths, header_row=1, synthetic=synthetic)


def _write_cell(ws: Any, i: int, j: int, value: object, fmt: Any, text_fmt: Any) -> None:
    if isinstance(value, bool | np.bool_):
        ws.write_string(i, j, "có" if value else "không", text_fmt)  # top, like the rest
    elif isinstance(value, int | float | np.integer | np.floating) and not pd.isna(value):
        ws.write_number(i, j, float(value), fmt)
    elif value is None or (not isinstance(value, str) and pd.isna(value)):
        ws.write_blank(i, j, None)
    else:
        ws.write_string(i, j, safe_text(value), text_fmt)


def xlsx_sheets(res: Results, f: fx.Findings | None = None) -> dict[str, pd.DataFrame]:
    """Readable tables of the workbook, by sheet name (Vietnamese headers and labels)."""
    f = f or fx.compute_findings(res)
    org_cols = [c for c in ORG_COLUMNS if c in res.indicators_org]
    place = fx.district_heading(res)
    sheets = {
        "Yếu kém theo huyện": fx.weak_share_frame(f.weak_by_district, place),
        "Yếu kém theo vùng DTTS": fx.weak_share_frame(f.weak_by_em, "Vùng đồng bào DTTS"),
        "Danh sách củng cố": charts.consolidation_list(res),
        "Theo huyện": _readable(_rates(_district_table(res.indicators_district))),
        "Theo vùng DTTS": _readable(_rates(res.indicators_em_area)),
        "Tử số, mẫu số theo huyện": num_den_long(_district_table(res.indicators_district),
                                                 "district_name"),
        "Theo tổ chức": _readable(res.indicators_org[org_cols]),
    }
    if len(res.estimates):
        sheets["Ước lượng cán bộ"] = estimates_table(res)
    if len(res.organisations) and "dvk_model_names" in res.organisations:
        sheets["Mô hình DVK"] = dvk_catalogue(res)
    if not res.dvk_replication.empty:
        from danvan_survey.charts.dvk_models import replication_table_vi

        sheets["Mô hình đề xuất nhân rộng"] = replication_table_vi(res)
    if place != "Huyện":  # a 2025 round: districts are former districts (sheet names ≤ 31)
        sheets = {name.replace("theo huyện", "theo huyện cũ").replace("Theo huyện",
                                                                      "Theo huyện cũ"): frame
                  for name, frame in sheets.items()}
    return sheets


def comparison_sheets(sheets: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The comparison tables with labels and Vietnamese headers."""
    return {name: _readable(frame) for name, frame in sheets.items()}


def _rates(d: pd.DataFrame) -> pd.DataFrame:
    """Aggregate table without numerators, denominators and per-indicator counts."""
    drop = [c for c in d.columns if c.endswith(("_num", "_den", "_n"))]
    return d.drop(columns=drop)


def num_den_long(d: pd.DataFrame, place: str) -> pd.DataFrame:
    """Numerator, denominator and ratio of every indicator, one row per place × org × ratio."""
    names = [c[:-4] for c in d.columns if c.endswith("_num")]
    parts = []
    for name in names:
        parts.append(pd.DataFrame({
            "Huyện": d[place].map(short_district).to_numpy(),
            "Tổ chức": d["org_type"].map(org_label).to_numpy(),
            "Chỉ số": indicator_label(name),
            "Tử số": d[f"{name}_num"].to_numpy(dtype=float),
            "Mẫu số": d[f"{name}_den"].to_numpy(dtype=float),
            "Tỷ lệ": d[name].to_numpy(dtype=float),
            "Số tổ chức có số liệu": d[f"{name}_n"].to_numpy() if f"{name}_n" in d else np.nan,
        }))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _district_table(d: pd.DataFrame) -> pd.DataFrame:
    """District table with the province rows named "Toàn tỉnh"."""
    return d.assign(district_name=d["district_name"].where(d["district_code"] != "ALL",
                                                           "Toàn tỉnh"))


def dvk_catalogue(res: Results) -> pd.DataFrame:
    """Named DVK models (the analysis module's catalogue, readable columns)."""
    from danvan_survey.dvk import model_catalogue

    cat = model_catalogue(res.organisations)
    cols = ["district_name", "commune_name", "org_label_vi", "model_name",
            "org_dvk_top_level_vi"]
    out = cat[cols].assign(district_name=cat["district_name"].map(short_district))
    out.columns = ["Huyện", "Xã", "Tổ chức", "Tên mô hình", "Cấp công nhận cao nhất"]
    return out
