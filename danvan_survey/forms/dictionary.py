"""Data dictionary (self-contained HTML and XLSX) of every codebook variable."""

from __future__ import annotations

import html
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from danvan_survey.codebook import Codebook, FormId, Variable, load_codebook
from danvan_survey.config import RoundConfig
from danvan_survey.export import safe_cell
from danvan_survey.forms.common import (
    PERSONAL_VI,
    TYPE_VI,
    describe_relevance,
    normalise_office_zip,
    question_numbers,
    translate_expr,
)
from danvan_survey.xlsx_layout import print_a4_openpyxl

COLUMNS: tuple[tuple[str, str], ...] = (
    ("form", "Phiếu"), ("number", "Số TT"), ("name", "Tên biến"), ("group", "Nhóm"),
    ("label_vi", "Nhãn (tiếng Việt)"), ("label_en", "Nhãn (tiếng Anh)"), ("type", "Kiểu"),
    ("choices", "Phương án trả lời"), ("hard_check", "Kiểm tra cứng (loại bản ghi)"),
    ("soft_check", "Kiểm tra mềm (cảnh báo)"), ("relevance", "Điều kiện hỏi"),
    ("required", "Bắt buộc"), ("personal", "Dữ liệu cá nhân"),
    ("measures", "Đo hạn chế nào của Kết luận 2014"),
)
FORM_VI: dict[FormId, str] = {
    "a": "A (tổ chức)",
    "a_models": "A – danh sách mô hình “Dân vận khéo” (bảng lặp)",
    "b": "B (cán bộ)",
}
#: Number shown for a column not asked on the form.
NOT_ASKED_VI = {"a_models": "(từ phiếu A hoặc tính ra)"}


def _choices_text(var: Variable, cb: Codebook) -> str:
    if var.list_name in {"district", "commune"}:
        return "Danh mục đơn vị hành chính của đợt (dữ liệu tham chiếu)"
    if not var.list_name or var.list_name not in cb.choices:
        return ""
    return "; ".join(f"{c.code} = {c.label_vi}" for c in cb.choices[var.list_name])


def _check(expr: str, message: str, round_cfg: RoundConfig) -> str:
    if not expr:
        return ""
    form_expr = translate_expr(expr, round_cfg)
    where = "" if form_expr else " [chỉ kiểm tra trong xử lý số liệu]"
    return f"{expr} — {message}{where}"


def dictionary_rows(round_cfg: RoundConfig) -> list[dict[str, str]]:
    """One row per codebook variable (form A, its model roster, form B), in Vietnamese."""
    cb = load_codebook()
    rows = []
    for form in FORM_VI:
        numbers = question_numbers(cb, form)
        for var in cb.form(form):
            measures = cb.weaknesses.get(var.measures, ("", ""))[0] if var.measures else ""
            rows.append({
                "form": FORM_VI[form],
                "number": numbers.get(var.name, NOT_ASKED_VI.get(form, "(tính ra)")),
                "name": var.name, "group": var.group or "", "label_vi": var.label_vi,
                "label_en": var.label_en,
                "type": f"{var.base_type} {var.list_name or ''}".strip()
                + f" ({TYPE_VI.get(var.base_type, '')})",
                "choices": _choices_text(var, cb),
                "hard_check": _check(var.constraint, var.constraint_message, round_cfg),
                "soft_check": _check(var.warning, var.warning_message, round_cfg),
                "relevance": describe_relevance(var.relevant, cb, form),
                "required": "có" if var.required else "",
                "personal": PERSONAL_VI.get(var.personal_data, ""),
                "measures": f"{measures} ({var.measures})" if measures else "",
            })
    return rows


_CSS = """
body{font-family:"Noto Sans","DejaVu Sans",Arial,sans-serif;font-size:12px;margin:16px}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:3px 5px;
vertical-align:top;text-align:left}th{background:#1f4e79;color:#fff;position:sticky;top:0}
tr:nth-child(even) td{background:#f4f7fb}code{font-size:11px}
"""


def dictionary_html(round_cfg: RoundConfig) -> str:
    """Self-contained HTML page of the data dictionary (no external resources)."""
    cb = load_codebook()
    rows = dictionary_rows(round_cfg)
    head = "".join(f"<th>{html.escape(t)}</th>" for _, t in COLUMNS)
    body = "\n".join(
        "<tr>" + "".join(
            f"<td>{'<code>' + html.escape(r[k]) + '</code>' if k == 'name' else html.escape(r[k])}"
            "</td>" for k, _ in COLUMNS) + "</tr>"
        for r in rows
    )
    weak = "".join(f"<li><b>{html.escape(code)}</b>: {html.escape(vi)} ({html.escape(en)})</li>"
                   for code, (vi, en) in cb.weaknesses.items())
    return (
        "<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'>"
        "<title>Từ điển dữ liệu — khảo sát công tác dân vận ở cơ sở</title>"
        f"<style>{_CSS}</style></head><body>"
        "<h1>Từ điển dữ liệu — khảo sát công tác dân vận ở cơ sở</h1>"
        f"<p>Đợt: {html.escape(round_cfg.title)} ({html.escape(round_cfg.round_id)}). "
        "Sinh tự động từ bộ mã (codebook); kiểm tra cứng loại bản ghi khỏi tổng hợp kèm lý do, "
        "kiểm tra mềm giữ bản ghi và đánh dấu trong báo cáo kiểm tra.</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        f"<h2>Các hạn chế của Kết luận năm 2014 được đo</h2><ul>{weak}</ul>"
        "</body></html>\n"
    )


def write_dictionary(round_cfg: RoundConfig, out_dir: Path) -> list[Path]:
    """Write ``tu_dien_du_lieu.html`` and ``tu_dien_du_lieu.xlsx`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / "tu_dien_du_lieu.html"
    html_path.write_text(dictionary_html(round_cfg), encoding="utf-8")
    xlsx_path = out_dir / "tu_dien_du_lieu.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "Biến"
    ws.append([t for _, t in COLUMNS])
    for r in dictionary_rows(round_cfg):
        ws.append([safe_cell(r[k]) for k, _ in COLUMNS])
    _style(ws)
    cb = load_codebook()
    lists = wb.create_sheet("Phương án")
    lists.append(["Danh sách", "Mã", "Nhãn (tiếng Việt)", "Nhãn (tiếng Anh)"])
    for name, items in cb.choices.items():
        for c in items:
            lists.append([safe_cell(v) for v in (name, c.code, c.label_vi, c.label_en)])
    _style(lists)
    weak = wb.create_sheet("Hạn chế 2014")
    weak.append(["Mã", "Hạn chế (tiếng Việt)", "Hạn chế (tiếng Anh)"])
    for code, (vi, en) in cb.weaknesses.items():
        weak.append([safe_cell(v) for v in (code, vi, en)])
    _style(weak)
    wb.save(xlsx_path)
    normalise_office_zip(xlsx_path)
    return [html_path, xlsx_path]


def _style(ws: object) -> None:
    from openpyxl.worksheet.worksheet import Worksheet

    assert isinstance(ws, Worksheet)
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths: list[float] = []
    for col in ws.columns:
        letter = col[0].column_letter
        width = min(max(10, max(len(str(c.value or "")) for c in col) + 2), 50)
        ws.column_dimensions[letter].width = width
        widths.append(width)
    ws.freeze_panes = "A2"
    print_a4_openpyxl(ws, widths, title_rows="1:1")  # it printed portrait, columns apart
