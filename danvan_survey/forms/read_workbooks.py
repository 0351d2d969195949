"""Read a folder of returned commune workbooks into raw record tables (forms A and B).

Answers are located through the hidden machine key (variable names in a hidden column /
row), never through positions, so renamed files, extra sheets, inserted rows and columns
are harmless. Values are kept as the raw text read (labels typed instead of codes,
TCVN3/VNI text, ``;``-separated multiple choices): cleaning maps and repairs them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from danvan_survey.codebook import Codebook, FormId, load_codebook
from danvan_survey.config import RoundConfig
from danvan_survey.errors import InputError
from danvan_survey.forms.common import WORKBOOK_MARKER, round_communes, workbook_checksum
from danvan_survey.forms.workbook import (
    ANSWER,
    DATA_BELOW,
    IDENTITY_A,
    KEY_A,
    KEY_B,
    LISTS_SHEET,
    META_SHEET,
    ROSTER_IDENTITY,
)
from danvan_survey.forms.workbook_models import MODEL_COLUMNS, model_records
from danvan_survey.paths import inside
from danvan_survey.safe_xlsx import BookScan, TooLargeError, load_limits, scan_workbook

PROVENANCE = ("_source_file", "_source_sheet", "_source_row", "_submission_time", "_uuid",
              "_form_version")
PATTERNS = ("*.xlsx", "*.xlsm", "*.xls")
_SCAN_ROWS, _SCAN_COLS = 12, 60
_CODE_IN_NAME = re.compile(r"(?<!\d)(\d{5})(?!\d)")


class RefusedError(Exception):
    """A workbook that is not mixed in: ``kind`` and a Vietnamese ``reason``."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind, self.reason = kind, reason


@dataclass
class _Book:
    values: Workbook
    formulas: Workbook
    meta: dict[str, str]
    rel: str
    scan: BookScan

    def last_row(self, ws: Worksheet) -> int:
        """Last row holding a value or formula (never the styled-but-empty tail)."""
        sheet = self.scan.get(ws.title)
        return min(ws.max_row, sheet.last_row) if sheet is not None else ws.max_row

    def last_col(self, ws: Worksheet) -> int:
        """Last column holding a value."""
        sheet = self.scan.get(ws.title)
        return min(ws.max_column, sheet.max_col) if sheet is not None else ws.max_column


def cell_text(value: Any) -> str:
    """Raw text of a cell value as a person reads it ("" when empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _relative(path: Path, round_cfg: RoundConfig, folder: Path) -> str:
    for base in (round_cfg.folder, folder):
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return path.name


def _meta(wb: Workbook) -> dict[str, str]:
    if META_SHEET not in wb.sheetnames:
        return {}
    ws = wb[META_SHEET]
    return {cell_text(k): cell_text(v) for k, v, *_ in ws.iter_rows(max_col=2, values_only=True)
            if k is not None}


def _open(path: Path, rel: str, folder: Path) -> _Book:
    if not inside(path, folder):
        raise RefusedError(
            "outside_round",
            f"Tệp {rel} là liên kết tắt trỏ ra ngoài thư mục đợt; chương trình chỉ đọc tệp "
            "nằm trong thư mục đợt. Chép chính tệp sổ vào thư mục rồi chạy lại.",
        )
    if path.suffix.lower() == ".xls":
        raise RefusedError(
            "unreadable",
            f"Tệp {rel} ở định dạng Excel cũ (.xls), chương trình không đọc được. Mở tệp bằng "
            "Excel hoặc LibreOffice, lưu lại dạng .xlsx rồi gửi lại.",
        )
    try:
        scan = scan_workbook(path, rel, load_limits().for_workbooks(), hidden=True)
    except TooLargeError as exc:
        raise RefusedError("too_large", exc.message) from exc
    except InputError as exc:
        raise RefusedError("unreadable", exc.message) from exc
    try:
        values = load_workbook(path, data_only=True)
        formulas = load_workbook(path, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any failure to parse is the file's (size checked)
        raise RefusedError("unreadable", f"Không mở được tệp {rel} "
                           f"({type(exc).__name__}): "
                           "tệp hỏng hoặc không phải sổ Excel .xlsx. Mở bằng Excel/LibreOffice, "
                           "lưu lại dạng .xlsx rồi gửi lại.") from exc
    return _Book(values, formulas, _meta(values), rel, scan)


def check_identity(book: _Book, path: Path, round_cfg: RoundConfig) -> None:
    """Refuse a workbook that is not ours, of another round or of another commune."""
    meta, rel = book.meta, book.rel
    if meta.get("marker") != WORKBOOK_MARKER:
        raise RefusedError("not_ours", f"Tệp {rel} không phải sổ khảo sát do chương trình tạo ra "
                      "(không có trang ẩn _meta). Dùng đúng sổ đã gửi cho xã; không chép số "
                      "liệu sang tệp khác.")
    expected = workbook_checksum(meta.get("round_id", ""), meta.get("commune_code", ""),
                                 meta.get("form_versions", ""))
    if meta.get("checksum") != expected:
        raise RefusedError("not_ours", f"Trang ẩn _meta của tệp {rel} đã bị sửa (mã kiểm tra không "
                      "khớp). Không đưa vào; đề nghị xã điền lại trên sổ gốc.")
    if meta["round_id"] != round_cfg.round_id:
        raise RefusedError("other_round", f"Tệp {rel} là sổ của đợt khảo sát '{meta['round_id']}', "
                      f"không phải đợt '{round_cfg.round_id}'. Không đưa vào; dùng sổ của đúng "
                      "đợt.")
    code = meta.get("commune_code", "")
    in_name = _CODE_IN_NAME.findall(path.stem)
    if in_name and code not in in_name:
        raise RefusedError("commune_mismatch", f"Tên tệp {rel} ghi mã xã "
                           f"{', '.join(in_name)} "
                           f"nhưng sổ là của {meta.get('commune_name', '')} (mã {code}). "
                           "Có thể gửi nhầm tệp: kiểm tra với xã, đặt lại tên tệp cho đúng "
                           "hoặc gửi đúng sổ.")
    if code not in set(round_communes(round_cfg)["commune_code"]):
        raise RefusedError("commune_mismatch", f"Mã xã {code} trong tệp {rel} không có trong danh "
                      f"mục đơn vị hành chính {round_cfg.admin_vintage} của đợt.")


def _find(ws: Worksheet, marker: str) -> tuple[int, int] | None:
    """(row, column) of a marker cell near the top of a sheet."""
    for r, row in enumerate(ws.iter_rows(max_row=_SCAN_ROWS, max_col=_SCAN_COLS,
                                         values_only=True), 1):
        for c, value in enumerate(row, 1):
            if value == marker:
                return r, c
    return None


def _reader(book: _Book, ws: Worksheet, issues: list[dict[str, Any]]) -> Any:
    """Return read(row, col) -> text; note formula cells that have no cached value."""
    formulas = book.formulas[ws.title]

    def read(row: int, col: int) -> str:
        value = ws.cell(row=row, column=col).value
        if value is None:
            raw = formulas.cell(row=row, column=col).value
            if isinstance(raw, str) and raw.startswith("="):
                issues.append(_formula_issue(book.rel, ws.title, row, col, raw))
        return cell_text(value)

    return read


def _formula_issue(rel: str, sheet: str, row: int, col: int, formula: str) -> dict[str, Any]:
    from openpyxl.utils import get_column_letter

    where = f"{get_column_letter(col)}{row}"
    return {
        "file": rel, "kind": "formula_without_value", "refused": False, "sheet": sheet,
        "row": row, "cell": where,
        "reason": f"Ô {where} (trang “{sheet}”, tệp {rel}) chứa công thức {formula} nhưng "
                  "không có giá trị đã tính; ô được coi là trống. Mở tệp bằng Excel/LibreOffice,"
                  " lưu lại (để tính công thức) hoặc ghi số trực tiếp.",
    }


def _hidden_issue(rel: str, ws: Worksheet) -> dict[str, Any]:
    """A hidden sheet is never read; a hidden copy of a form sheet is worth a warning."""
    copy = _find(ws, KEY_A) is not None or _find(ws, KEY_B) is not None
    what = ("là bản sao (ẩn) của một trang phiếu, có thể là bản nháp cũ"
            if copy else "không phải trang phiếu")
    return {
        "file": rel, "kind": "hidden_sheet_ignored", "refused": False, "sheet": ws.title,
        "level": "warning" if copy else "info",
        "reason": f"Trang ẩn “{ws.title}” của tệp {rel} {what}; không đọc. Chỉ các trang hiện "
                  "được đọc: nếu số liệu đúng nằm ở trang ẩn, hiện trang đó và xóa trang cũ.",
    }


def _provenance(book: _Book, sheet: str, row: int, uuid: str, form: FormId) -> dict[str, str]:
    versions = dict(p.split("=", 1) for p in book.meta.get("form_versions", "").split(";")
                    if "=" in p)
    return {"_source_file": book.rel, "_source_sheet": sheet, "_source_row": str(row),
            "_submission_time": "", "_uuid": uuid, "_form_version": versions.get(form, "")}


def _org_records(book: _Book, ws: Worksheet, names: list[str],
                 issues: list[dict[str, Any]]) -> Iterator[dict[str, str]]:
    found = _find(ws, KEY_A)
    if found is None:
        return
    r0, key_col = found
    header = [cell_text(ws.cell(row=r0, column=c).value) for c in range(1, _SCAN_COLS + 1)]
    if ANSWER not in header:
        return
    ans_col = header.index(ANSWER) + 1
    read = _reader(book, ws, issues)
    record: dict[str, str] = {}
    first_row = 0
    for r in range(r0 + 1, book.last_row(ws) + 1):
        key = cell_text(ws.cell(row=r, column=key_col).value).strip()
        if key in names and key not in record:
            record[key] = read(r, ans_col)
            first_row = first_row or r
    answered = any(record.get(n, "").strip() for n in names if n not in IDENTITY_A)
    if answered:
        meta = book.meta
        uuid = f"wb|{meta['round_id']}|{meta['commune_code']}|{record.get('org_type', '')}"
        yield {**{n: record.get(n, "") for n in names},
               **_provenance(book, ws.title, first_row, uuid, "a")}


def _roster_records(book: _Book, ws: Worksheet, names: list[str],
                    issues: list[dict[str, Any]]) -> Iterator[dict[str, str]]:
    found = _find(ws, KEY_B)
    if found is None:
        return
    r0, _ = found
    columns = {c: cell_text(ws.cell(row=r0, column=c).value)
               for c in range(1, book.last_col(ws) + 1)}
    columns = {c: n for c, n in columns.items() if n in names}
    below = _find(ws, DATA_BELOW)
    start = below[0] + 1 if below else r0 + 5
    read = _reader(book, ws, issues)
    meta = book.meta
    identity = {n: meta.get(n, "") for n in ROSTER_IDENTITY}
    for r in range(start, book.last_row(ws) + 1):
        values = {n: read(r, c) for c, n in columns.items()}
        if not any(v.strip() for n, v in values.items() if n != "cadre_id"):
            continue
        uuid = f"wb|{meta['round_id']}|{meta['commune_code']}|{values.get('cadre_id', '')}"
        record = {n: values.get(n, identity.get(n, "")) for n in names}
        yield {**record, **_provenance(book, ws.title, r, uuid, "b")}


def read_book(book: _Book, cb: Codebook, issues: list[dict[str, Any]]
              ) -> dict[FormId, list[dict[str, str]]]:
    """Return the records of forms A and B and of the model roster of one checked workbook."""
    names = {f: [v.name for v in cb.form(f) if v.in_form] for f in ("a", "b")}
    out: dict[FormId, list[dict[str, str]]] = {"a": [], "b": [], "a_models": []}
    for ws in book.values.worksheets:
        if ws.title in {META_SHEET, LISTS_SHEET}:
            continue
        if ws.sheet_state != "visible":
            issues.append(_hidden_issue(book.rel, ws))
            continue
        out["a"].extend(_org_records(book, ws, names["a"], issues))
        out["b"].extend(_roster_records(book, ws, names["b"], issues))
        out["a_models"].extend(model_records(
            book.meta, ws, cb, _reader(book, ws, issues), _find,
            lambda s, r, u: _provenance(book, s, r, u, "a") | {"_parent_file": book.rel}))
    return out


def _files(folder: Path) -> list[Path]:
    found = {p for pattern in PATTERNS for p in folder.rglob(pattern)}
    return sorted(p for p in found if p.is_file() and not p.name.startswith(("~$", ".~lock")))


def _frame(records: list[dict[str, str]], names: list[str]) -> pd.DataFrame:
    columns = [*names, *PROVENANCE]
    frame = pd.DataFrame(records, columns=columns, dtype="str")
    return frame.fillna("")


def read_workbooks(folder: Path, round_cfg: RoundConfig
                   ) -> tuple[dict[str, pd.DataFrame], list[dict[str, Any]]]:
    """Read every commune workbook under ``folder``.

    Returns the raw record tables ``{"a": ..., "b": ..., "a_models": ...}`` (codebook
    variable names + provenance columns, raw text; the model roster also carries its link
    to the form-A record of the same workbook) and a list of problems: refused files
    (``refused=True``; kinds ``unreadable``/``not_ours``/``other_round``/
    ``commune_mismatch``) and formula cells without a cached value (``refused=False``).
    """
    cb = load_codebook()
    records: dict[FormId, list[dict[str, str]]] = {"a": [], "b": [], "a_models": []}
    problems: list[dict[str, Any]] = []
    for path in _files(folder):
        rel = _relative(path, round_cfg, folder)
        issues: list[dict[str, Any]] = []
        try:
            book = _open(path, rel, folder)
            check_identity(book, path, round_cfg)
            found = read_book(book, cb, issues)
        except RefusedError as exc:
            problems.append({"file": rel, "kind": exc.kind, "refused": True,
                             "reason": exc.reason})
            continue
        problems.extend(issues)
        for form in records:
            records[form].extend(found[form])
    names = {f: [v.name for v in cb.form(f) if v.in_form] for f in ("a", "b")}
    frames = {f: _frame(records[f], names[f]) for f in ("a", "b")}
    frames["a_models"] = _frame(records["a_models"], MODEL_COLUMNS)
    return frames, problems
