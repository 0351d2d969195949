"""Commune workbook (.xlsx): one per commune, filled by the commune office and e-mailed back.

Layout: an instructions sheet, one sheet per organisation (form A, laid out as a paper
form: number | question | answer | guidance), a cadre roster (form B, one row per cadre),
and two hidden sheets: ``_lists`` (choice labels for the dropdowns) and ``_meta`` (round,
commune, form versions, checksum). Every question row carries its variable name in a
hidden column (the *machine key*), so answers are found even when rows are inserted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from danvan_survey import __version__
from danvan_survey.codebook import Codebook, FormId, Variable, load_codebook
from danvan_survey.config import RoundConfig
from danvan_survey.forms.common import (
    FORM_LETTER,
    MULTI_SEPARATOR,
    ROMAN,
    WORKBOOK_MARKER,
    answer_range,
    form_version,
    guidance,
    in_form_variables,
    normalise_office_zip,
    question_numbers,
    round_communes,
    safe_filename,
    sections,
    static_relevance,
    workbook_checksum,
)
from danvan_survey.forms.workbook_models import add_models_sheet
from danvan_survey.vintage import district_text
from danvan_survey.xlsx_layout import print_a4_openpyxl

FONT = "Arial"
META_SHEET, LISTS_SHEET = "_meta", "_lists"
INSTRUCTIONS_SHEET = "Hướng dẫn"
ROSTER_SHEET = "B - Cán bộ"
KEY_A, KEY_B, ANSWER, DATA_BELOW = "_key_a", "_key_b", "_answer", "_data_below"
ROSTER_ROWS = 60
#: Filled from the workbook identity, not asked on the roster.
ROSTER_IDENTITY = ("round_id", "district_code", "commune_code")
IDENTITY_A = ("round_id", "district_code", "commune_code", "org_type")

_THIN = Side(style="thin", color="808080")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
FILL_ANSWER = PatternFill("solid", fgColor="FFF7D6")
FILL_FIXED = PatternFill("solid", fgColor="E7E6E6")
FILL_HEAD = PatternFill("solid", fgColor="1F4E79")
FILL_SECTION = PatternFill("solid", fgColor="DDEBF7")
WRAP = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)


@dataclass(frozen=True)
class Commune:
    """Identity of the commune a workbook is made for."""

    code: str
    name: str
    district_code: str
    district_name: str


def _font(bold: bool = False, color: str = "000000", size: int = 11) -> Font:
    return Font(name=FONT, bold=bold, color=color, size=size)


def _put(ws: Worksheet, row: int, col: int, value: object, **style: object) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    cell.font = style.get("font", _font())  # type: ignore[assignment]
    cell.alignment = style.get("alignment", WRAP)  # type: ignore[assignment]
    for key in ("fill", "border", "protection", "number_format"):
        if key in style:
            setattr(cell, key, style[key])


def org_sheet_title(label_vi: str) -> str:
    """Sheet name of an organisation's form-A sheet (≤ 31 characters)."""
    return f"A - {label_vi}"[:31]


def workbook_filename(commune: Commune, round_id: str) -> str:
    """File name of a commune workbook (the ingest checks the commune code in it)."""
    return f"{round_id}_{commune.district_code}_{commune.code}_{safe_filename(commune.name)}.xlsx"


# ---------------------------------------------------------------- hidden sheets
def _lists_sheet(wb: Workbook, cb: Codebook) -> dict[str, str]:
    """Write choice labels in ``_lists``; return list name → range formula for dropdowns."""
    ws = wb.create_sheet(LISTS_SHEET)
    refs: dict[str, str] = {}
    for col, (name, items) in enumerate(sorted(cb.choices.items()), 1):
        ws.cell(row=1, column=col, value=name)
        for r, choice in enumerate(items, 2):
            ws.cell(row=r, column=col, value=choice.label_vi)
        letter = get_column_letter(col)
        refs[name] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(items) + 1}"
        wb.defined_names[f"ds_{name}"] = DefinedName(f"ds_{name}", attr_text=refs[name])
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
    return {name: f"ds_{name}" for name in refs}


def meta_values(cb: Codebook, round_cfg: RoundConfig, commune: Commune) -> dict[str, str]:
    """Key/value pairs of the hidden ``_meta`` sheet."""
    versions = f"a={form_version(cb, 'a')};b={form_version(cb, 'b')}"
    return {
        "marker": WORKBOOK_MARKER,
        "round_id": round_cfg.round_id,
        "commune_code": commune.code,
        "commune_name": commune.name,
        "district_code": commune.district_code,
        "district_name": commune.district_name,
        "form_versions": versions,
        "checksum": workbook_checksum(round_cfg.round_id, commune.code, versions),
        "generator": f"danvan_survey {__version__}",
    }


def _meta_sheet(wb: Workbook, values: dict[str, str]) -> None:
    ws = wb.create_sheet(META_SHEET)
    for r, (key, value) in enumerate(values.items(), 1):
        ws.cell(row=r, column=1, value=key)
        ws.cell(row=r, column=2, value=value)
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


# ---------------------------------------------------------------- validation
def _validation(
    var: Variable, round_cfg: RoundConfig, lists: dict[str, str]
) -> DataValidation | None:
    """Excel data validation of one question, with a Vietnamese input message."""
    label = var.label_vi[:32]
    if var.is_select and var.list_name in lists:
        multi = var.base_type == "select_multiple"
        prompt = (f"Chọn một, hoặc gõ nhiều lựa chọn cách nhau bởi dấu “{MULTI_SEPARATOR}”."
                  if multi else "Chọn trong danh sách thả xuống (có thể gõ mã).")
        dv = DataValidation(type="list", formula1=lists[var.list_name], allow_blank=True,
                            errorStyle="information" if multi else "warning")
        dv.error = "Giá trị không có trong danh sách. Bấm Có/Yes để giữ giá trị đã gõ."
    elif var.base_type in {"integer", "decimal"}:
        low, high = answer_range(var, round_cfg)
        low = 0 if low is None else low
        high = 10**7 if high is None else high
        kind = "whole" if var.base_type == "integer" else "decimal"
        dv = DataValidation(type=kind, operator="between", formula1=str(low),
                            formula2=str(high), allow_blank=True, errorStyle="stop")
        word = "số nguyên" if kind == "whole" else "số"
        prompt = f"Nhập {word} từ {_num(low)} đến {_num(high)}. Để trống nếu không có số liệu."
        dv.error = var.constraint_message or f"Chỉ nhập {word} từ {_num(low)} đến {_num(high)}."
    elif var.base_type == "date":
        start, end = round_cfg.period_start, round_cfg.period_end
        dv = DataValidation(type="date", operator="between", allow_blank=True,
                            formula1=f"DATE({start.year},{start.month},{start.day})",
                            formula2=f"DATE({end.year},{end.month},{end.day})",
                            errorStyle="warning")
        prompt = f"Nhập ngày dạng ngày/tháng/năm, từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}."
        dv.error = var.warning_message or "Ngày nằm ngoài thời gian đợt khảo sát."
    else:
        return None
    dv.promptTitle, dv.prompt = label, prompt[:255]
    dv.errorTitle = "Kiểm tra lại"
    dv.error = dv.error[:225]
    dv.showInputMessage = dv.showErrorMessage = True
    return dv


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _number_format(var: Variable) -> str:
    return {"date": "DD/MM/YYYY", "integer": "0", "text": "@"}.get(var.base_type, "General")


# ---------------------------------------------------------------- sheets
def _protect(ws: Worksheet) -> None:
    """Lock the sheet; answer cells are unlocked; rows may be inserted and resized."""
    p = ws.protection
    p.sheet = True
    p.insertRows = False
    p.formatRows = False
    p.formatColumns = False
    p.formatCells = False


def _title_block(ws: Worksheet, title: str, commune: Commune, round_cfg: RoundConfig,
                 width: int) -> None:
    _put(ws, 2, 1, title, font=_font(bold=True, size=14), alignment=Alignment(vertical="center"))
    district = district_text(commune.district_name, round_cfg)
    where = (f"Xã/phường/thị trấn: {commune.name} (mã {commune.code}) — {district}"
             f" — Đợt khảo sát: {round_cfg.title} ({round_cfg.round_id})")
    _put(ws, 3, 1, where, font=_font(size=11), alignment=Alignment(vertical="center"))
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=width)
    ws.row_dimensions[2].height = 24


def _org_sheet(wb: Workbook, cb: Codebook, round_cfg: RoundConfig, commune: Commune,
               org: str, lists: dict[str, str]) -> None:
    """Form A for one organisation, as a paper form with a hidden key column."""
    label = cb.choice_label_vi("org_type", org)
    ws = wb.create_sheet(org_sheet_title(label))
    for col, marker in enumerate(("_num", "_question", ANSWER, "_guidance", KEY_A), 1):
        ws.cell(row=1, column=col, value=marker)
    ws.row_dimensions[1].hidden = True
    _title_block(ws, f"PHIẾU A — {cb.settings['a']['form_title']} — {label}", commune,
                 round_cfg, 4)
    for col, head in enumerate(("Số TT", "Câu hỏi", "Trả lời", "Hướng dẫn"), 1):
        _put(ws, 4, col, head, font=_font(bold=True, color="FFFFFF"), fill=FILL_HEAD,
             border=BORDER)
    fixed = {"round_id": round_cfg.round_id, "district_code": commune.district_code,
             "commune_code": commune.code, "org_type": org}
    numbers = question_numbers(cb, "a")
    row = 5
    for i, section in enumerate(sections(cb, "a")):
        _put(ws, row, 1, f"{ROMAN[i]}. {section.label_vi}", font=_font(bold=True),
             fill=FILL_SECTION)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        row += 1
        for var in section.variables:
            _question_row(ws, row, var, cb, round_cfg, numbers[var.name], fixed, org, lists)
            row += 1
    _finish_sheet(ws, (7, 46, 30, 70), freeze="A5")
    ws.print_title_rows = "4:4"


def _question_row(ws: Worksheet, row: int, var: Variable, cb: Codebook,
                  round_cfg: RoundConfig, number: str, fixed: dict[str, str], org: str,
                  lists: dict[str, str]) -> None:
    relevant = static_relevance(var.relevant, org) if var.relevant else True
    answer: dict[str, object] = {"border": BORDER, "fill": FILL_FIXED}
    if var.name in fixed:
        value: str | None = fixed[var.name]
        shown = cb.choice_label_vi("org_type", value) if var.name == "org_type" else value
        note = f"Đã điền sẵn ({shown}); không sửa."
        answer["number_format"] = "@"
    elif relevant is False:
        value, note = None, "Không hỏi đối với tổ chức này; để trống."
    else:
        value, note = None, guidance(var, cb, round_cfg)
        answer.update(fill=FILL_ANSWER, protection=UNLOCKED, number_format=_number_format(var))
        dv = _validation(var, round_cfg, lists)
        if dv is not None:
            dv.add(f"C{row}")
            ws.add_data_validation(dv)
    ws.row_dimensions[row].height = _row_height([(var.label_vi, 46, 11), (note, 70, 9)])
    _put(ws, row, 1, number, border=BORDER)
    _put(ws, row, 2, var.label_vi, border=BORDER)
    _put(ws, row, 3, value, **answer)
    _put(ws, row, 4, note, border=BORDER, font=_font(size=9, color="404040"))
    ws.cell(row=row, column=5, value=var.name)


def _row_height(cells: list[tuple[str, int, int]]) -> float:
    """Row height (points) that shows wrapped text of each (text, column width, font size)."""
    height = 15.0
    for text, width, size in cells:
        per_line = max(1, int(width * 11 / size * 0.9))
        lines = sum(-(-max(len(part), 1) // per_line) for part in text.split("\n"))
        height = max(height, lines * size * 1.4 + 4)
    return round(height, 1)


def _finish_sheet(ws: Worksheet, widths: tuple[int, ...], freeze: str) -> None:
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    key_col = get_column_letter(len(widths) + 1)
    ws.column_dimensions[key_col].hidden = True
    ws.freeze_panes = freeze
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    _protect(ws)


def roster_variables(cb: Codebook) -> list[Variable]:
    """Form-B questions that are columns of the cadre roster."""
    return [v for v in in_form_variables(cb, "b") if v.name not in ROSTER_IDENTITY]


def _roster_sheet(wb: Workbook, cb: Codebook, round_cfg: RoundConfig, commune: Commune,
                  lists: dict[str, str]) -> None:
    """Form B as a roster: one row per cadre, key row hidden on top."""
    ws = wb.create_sheet(ROSTER_SHEET)
    variables = roster_variables(cb)
    numbers = question_numbers(cb, "b")
    last = len(variables) + 1
    ws.cell(row=1, column=1, value=KEY_B)
    for col, var in enumerate(variables, 2):
        ws.cell(row=1, column=col, value=var.name)
    ws.row_dimensions[1].hidden = True
    _title_block(ws, f"PHIẾU B — {cb.settings['b']['form_title']} (mỗi cán bộ một dòng)",
                 commune, round_cfg, min(last, 12))
    _put(ws, 4, 1, "STT", font=_font(bold=True, color="FFFFFF"), fill=FILL_HEAD, border=BORDER)
    _put(ws, 5, 1, None, border=BORDER, fill=FILL_SECTION)
    ws.cell(row=5, column=last + 1, value=DATA_BELOW)
    for col, var in enumerate(variables, 2):
        _put(ws, 4, col, f"{numbers[var.name]}. {var.label_vi}",
             font=_font(bold=True, color="FFFFFF"), fill=FILL_HEAD, border=BORDER)
        _put(ws, 5, col, _short_hint(var, cb, round_cfg), font=_font(size=8, color="404040"),
             fill=FILL_SECTION, border=BORDER)
    ws.row_dimensions[4].height = 75
    ws.row_dimensions[5].height = 36
    first, end = 6, 6 + ROSTER_ROWS - 1
    for r in range(first, end + 1):
        _put(ws, r, 1, r - first + 1, border=BORDER)
        for col, var in enumerate(variables, 2):
            value = f"{commune.code}-{r - first + 1:03d}" if var.name == "cadre_id" else None
            _put(ws, r, col, value, border=BORDER, fill=FILL_ANSWER, protection=UNLOCKED,
                 number_format=_number_format(var))
    for col, var in enumerate(variables, 2):
        dv = _validation(var, round_cfg, lists)
        if dv is not None:
            letter = get_column_letter(col)
            dv.add(f"{letter}{first}:{letter}{end}")
            ws.add_data_validation(dv)
    widths = (5,) + tuple(_roster_width(v) for v in variables)
    _finish_sheet(ws, widths, freeze="C6")
    # A4 as commune offices print it: a row across pages at a readable scale, each page
    # starting with the number, organisation, cadre code and name (it was one A3 page
    # wide, printed at about 45 %)
    print_a4_openpyxl(ws, [float(w) for w in widths], title_rows="4:5")


def _roster_width(var: Variable) -> int:
    if var.base_type == "select_multiple" or var.name in {"cadre_name", "vignette_land_protest"}:
        return 28
    return 18 if var.is_select or var.base_type == "text" else 12


def _short_hint(var: Variable, cb: Codebook, round_cfg: RoundConfig) -> str:
    if var.is_select:
        multi = var.base_type == "select_multiple"
        return ("Chọn; nhiều lựa chọn cách nhau bởi “;”" if multi else "Chọn trong danh sách")
    if var.base_type in {"integer", "decimal"}:
        low, high = answer_range(var, round_cfg)
        if low is not None and high is not None:
            return f"Số từ {_num(low)} đến {_num(high)}"
        return "Số"
    if var.name == "cadre_id":
        return "Mã đã điền sẵn; giữ nguyên"
    if var.personal_data:
        return "Thông tin cá nhân, không công bố"
    return "Ghi chữ"


def instruction_lines(round_cfg: RoundConfig, commune: Commune) -> list[str]:
    """Vietnamese instructions shown on the first sheet."""
    lines = [
        "HƯỚNG DẪN ĐIỀN SỔ KHẢO SÁT CÔNG TÁC DÂN VẬN Ở CƠ SỞ",
        f"Xã/phường/thị trấn: {commune.name} (mã {commune.code}) — "
        f"{district_text(commune.district_name, round_cfg)}",
        f"Đợt khảo sát: {round_cfg.title} ({round_cfg.round_id}); thời gian: "
        f"{round_cfg.period_start:%d/%m/%Y} đến {round_cfg.period_end:%d/%m/%Y}.",
    ]
    if round_cfg.synthetic:
        lines.append("LƯU Ý: đây là đợt thử nghiệm với dữ liệu mô phỏng (không phải số liệu thật).")
    lines += [
        "",
        "1. Mỗi tổ chức (MTTQ, Hội Nông dân, Hội Phụ nữ, Đoàn Thanh niên, Hội Cựu chiến binh) "
        "điền trang tính “A - …” của mình (Phiếu A).",
        "   Các mô hình “Dân vận khéo” đã được công nhận của mọi tổ chức ghi ở trang "
        "“A - Mô hình Dân vận khéo”: mỗi mô hình một dòng, chọn tổ chức ở cột đầu.",
        "2. Chỉ điền vào các ô màu vàng ở cột “Trả lời”. Ô màu xám đã điền sẵn hoặc không hỏi "
        "đối với tổ chức đó; không sửa.",
        "3. Câu hỏi có danh sách thả xuống: bấm vào ô, chọn trong danh sách. Cũng có thể gõ mã "
        "(ví dụ 1 = Có, 0 = Không) như ghi ở cột “Hướng dẫn”.",
        "4. Câu “chọn nhiều”: chọn một mục, hoặc gõ nhiều mục cách nhau bởi dấu chấm phẩy (;).",
        "5. Số liệu: chỉ ghi số (không ghi chữ, không ghi đơn vị). Không có số liệu thì để trống; "
        "không ghi “không biết”, “0” thay cho ô trống.",
        "6. Trang “B - Cán bộ”: mỗi cán bộ chủ chốt của các tổ chức một dòng. Mã cán bộ đã "
        "điền sẵn; nếu thiếu dòng, chèn thêm dòng (Insert row) bên trong bảng.",
        "7. Không đổi tên, không xóa các trang tính; không xóa hoặc hiện các cột, dòng, "
        "trang ẩn — chương trình dùng chúng để đọc số liệu.",
        "8. Họ tên, số điện thoại chỉ dùng để liên hệ xác minh, không công bố và được "
        "xóa trước khi tổng hợp.",
        "9. Điền xong: lưu tệp (giữ định dạng .xlsx) và gửi lại qua thư điện tử theo hướng "
        "dẫn của Ban Dân vận huyện. Có thể đổi tên tệp, nhưng không điền số liệu xã khác vào tệp "
        "này.",
        "Bản in (phiếu giấy) có cùng số thứ tự câu hỏi với sổ này.",
    ]
    return lines


def _instructions_sheet(wb: Workbook, round_cfg: RoundConfig, commune: Commune) -> None:
    ws = wb.active
    ws.title = INSTRUCTIONS_SHEET
    ws.column_dimensions["A"].width = 120
    for r, line in enumerate(instruction_lines(round_cfg, commune), 1):
        bold = r == 1 or line.startswith("LƯU Ý")
        _put(ws, r, 1, line, font=_font(bold=bold, size=13 if r == 1 else 11))
        ws.row_dimensions[r].height = 32 if len(line) > 110 else 18
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToHeight = 0
    ws.protection.sheet = True


def build_workbook(round_cfg: RoundConfig, commune: Commune, path: Path) -> Path:
    """Write the workbook of one commune (byte-reproducible)."""
    cb = load_codebook()
    wb = Workbook()
    _instructions_sheet(wb, round_cfg, commune)
    lists = _lists_sheet(wb, cb)
    for org in cb.codes("org_type"):
        _org_sheet(wb, cb, round_cfg, commune, org, lists)
    add_models_sheet(wb, cb, round_cfg, commune, lists)
    _roster_sheet(wb, cb, round_cfg, commune, lists)
    wb.move_sheet(LISTS_SHEET, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(LISTS_SHEET))
    _meta_sheet(wb, meta_values(cb, round_cfg, commune))
    wb.active = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    normalise_office_zip(path)
    return path


def round_commune_list(round_cfg: RoundConfig) -> list[Commune]:
    """Every commune of the round's frame, as workbook identities."""
    frame = round_communes(round_cfg)
    return [Commune(r.commune_code, r.commune_name, r.district_code, r.district_name)
            for r in frame.itertuples()]


#: Print progress after this many workbooks (and after the last).
PROGRESS_EVERY = 25


def build_workbooks(round_cfg: RoundConfig, out_dir: Path,
                    commune_codes: list[str] | None = None,
                    progress: Callable[[str], None] | None = None) -> list[Path]:
    """Write one workbook per commune of the round (or of ``commune_codes``)."""
    chosen = round_commune_list(round_cfg)
    if commune_codes is not None:
        wanted = set(commune_codes)
        chosen = [c for c in chosen if c.code in wanted]
    paths = []
    for k, commune in enumerate(chosen, start=1):
        target = out_dir / workbook_filename(commune, round_cfg.round_id)
        paths.append(build_workbook(round_cfg, commune, target))
        if progress and (k % PROGRESS_EVERY == 0 or k == len(chosen)):
            progress(f"Sổ Excel cho xã: {k}/{len(chosen)}")
    return paths


FORM_OF_SHEET: dict[str, FormId] = {KEY_A: "a", KEY_B: "b"}
__all__ = ["FORM_LETTER", "Commune", "build_workbook", "build_workbooks", "meta_values"]
