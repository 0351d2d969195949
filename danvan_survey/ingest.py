"""Ingest: the only reader of ``data/raw``. Raw files → raw record tables.

Every reader returns the *raw record table* contract: codebook variable names as columns
holding the raw text as read, plus provenance columns (``_source_file``, ``_source_sheet``,
``_source_row``, ``_submission_time``, ``_uuid``, ``_form_version``). Nothing is cleaned
here; headers are harmonised to codebook names and unknown or missing columns reported.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd
import pyarrow as pa
from rapidfuzz import process

from danvan_survey import safe_csv
from danvan_survey.codebook import KEYS, REPEATS, TABLES, Codebook, FormId, Variable
from danvan_survey.config import RoundConfig, Source
from danvan_survey.errors import InputError
from danvan_survey.safe_xlsx import BookScan, SheetScan, scan_workbook, split_ref
from danvan_survey.textfix import fold

PROVENANCE = [
    "_source_file",
    "_source_sheet",
    "_source_row",
    "_submission_time",
    "_uuid",
    "_form_version",
]
#: Kobo/ODK metadata headers → provenance column (first match wins).
META_HEADERS = {
    "meta/rootuuid": "_uuid",
    "_uuid": "_uuid",
    "meta/instanceid": "_instance_id",
    "_submission_time": "_submission_time",
    "__version__": "_form_version",
    "_version_": "_form_version",
}
IGNORED_META = {
    "start",
    "end",
    "today",
    "deviceid",
    "_id",
    "_index",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "_tags",
    "_attachments",
    "_geolocation",
    "_parent_index",
    "meta/deprecatedid",
    "formhub/uuid",
    "meta/instancename",
    "_xform_id_string",
}
#: Structural headers of hand-made district sheets → codebook variable.
SHEET_HEADERS = {
    "xa/phuong/thi tran": "commune_code",
    "xa, phuong, thi tran": "commune_code",
    "ten xa": "commune_code",
    "xa": "commune_code",
    "don vi": "commune_code",
    "to chuc": "org_type",
    "doan the": "org_type",
    "ma xa": "commune_code",
}
#: A totals row: the folded text is a totals word alone or followed by a qualifier
#: ("Tổng cộng toàn huyện", "Cộng:", "TỔNG CỘNG (15 xã)"). A commune typed without "Xã"
#: whose name merely starts with those letters ("Cộng Hòa", "Công Hải", "Tổng Cọt") is a
#: record, never skipped as a total.
TOTAL_ROW = re.compile(
    r"^(tong cong|tong so|cong|tong)"
    r"( (toan|cac|ca|chung|huyen|tinh|quan|thi xa|thanh pho|tp|tx|so|cong|\d)\b.*)?$"
)


@dataclass
class IngestResult:
    """Raw records per form plus what the reader noticed (Vietnamese messages)."""

    tables: dict[str, list[pd.DataFrame]] = field(
        default_factory=lambda: {t: [] for t in TABLES}
    )
    issues: list[dict[str, object]] = field(default_factory=list)
    read_counts: dict[tuple[str, str], int] = field(default_factory=dict)
    skipped_rows: list[dict[str, object]] = field(default_factory=list)
    refused: list[dict[str, object]] = field(default_factory=list)


def header_lookup(codebook: Codebook, form: FormId) -> dict[str, str]:
    """Folded header text → variable name: names, XML paths and labels in vi/en."""
    out: dict[str, str] = {}
    for v in codebook.form(form):
        if not v.in_form:
            continue
        for key in (v.name, v.xml_path, v.label_vi, v.label_en):
            out.setdefault(fold(key), v.name)
        out[v.xml_path.lower()] = v.name
        out[v.name.lower()] = v.name
    return out


def _multi_dummy(header: str, variables: dict[str, Variable]) -> tuple[str, str] | None:
    """``grp/meeting_content/policy`` → (meeting_content, policy) for select_multiple dummies."""
    parts = header.split("/")
    if (
        len(parts) >= 2
        and parts[-2] in variables
        and variables[parts[-2]].base_type == ("select_multiple")
    ):
        return parts[-2], parts[-1]
    return None


def harmonise_headers(
    headers: Iterable[str], codebook: Codebook, form: FormId, column_map: dict[str, str]
) -> tuple[dict[str, str], dict[str, tuple[str, str]], list[str]]:
    """Map raw headers to variable names.

    Returns (header → variable or provenance column, header → (variable, code) for
    select_multiple 0/1 columns, unknown headers).
    """
    lookup = header_lookup(codebook, form)
    variables = {v.name: v for v in codebook.form(form)}
    mapping: dict[str, str] = {}
    dummies: dict[str, tuple[str, str]] = {}
    unknown: list[str] = []
    for header in headers:
        h = str(header).strip()
        low = h.lower()
        if h in column_map:
            mapping[header] = column_map[h]
        elif low in META_HEADERS:
            mapping[header] = META_HEADERS[low]
        elif low in IGNORED_META or low.startswith("_"):
            continue
        elif low in lookup:
            mapping[header] = lookup[low]
        elif (d := _multi_dummy(h, variables)) is not None:
            dummies[header] = d
        elif h.split("/")[-1] in variables:
            mapping[header] = h.split("/")[-1]
        elif fold(h) in lookup:
            mapping[header] = lookup[fold(h)]
        elif fold(h) in SHEET_HEADERS:
            mapping[header] = SHEET_HEADERS[fold(h)]
        else:
            unknown.append(header)
    return mapping, dummies, unknown


def closest_variable(header: str, codebook: Codebook, form: FormId) -> str:
    """The codebook variable whose name or label is closest to an unknown header."""
    lookup = header_lookup(codebook, form)
    best = process.extractOne(fold(header), list(lookup))
    return lookup[best[0]] if best else ""


def _issue(
    level: str,
    rule: str,
    message: str,
    *,
    file: str,
    sheet: str = "",
    row: object = "",
    variable: str = "",
    value: object = "",
) -> dict[str, object]:
    return {
        "level": level,
        "rule": rule,
        "file": file,
        "sheet": sheet,
        "row": row,
        "variable": variable,
        "value": value,
        "message": message,
        "record_key": "",
    }


def to_raw_table(
    frame: pd.DataFrame,
    *,
    form: FormId,
    codebook: Codebook,
    column_map: dict[str, str],
    source_file: str,
    sheet: str = "",
    first_row: int = 2,
) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """Harmonise a frame of raw text to the raw record table contract."""
    mapping, dummies, unknown = harmonise_headers(frame.columns, codebook, form, column_map)
    issues = [
        _issue(
            "warning",
            "unknown_column",
            f"Cột '{h}' không có trong bộ mã; gần nhất là '{closest_variable(h, codebook, form)}'."
            " Cột bị bỏ qua; nếu đây là cột cần dùng, thêm vào column_map của round.yaml.",
            file=source_file,
            sheet=sheet,
            variable=str(h),
        )
        for h in unknown
    ]
    out = pd.DataFrame(index=range(len(frame)))
    for header, name in mapping.items():
        if name not in out.columns:
            out[name] = frame[header].reset_index(drop=True)
    for var in sorted({v for v, _ in dummies.values()}):
        columns = {h: c for h, (v, c) in dummies.items() if v == var}
        if var not in out.columns:
            out[var] = _from_dummies(frame, columns)
            continue
        empty = (out[var].isna() | (out[var].astype("string").str.strip() == "")).to_numpy()
        if empty.any():  # the one-column answer is missing: use the 0/1 columns
            rebuilt = _from_dummies(frame.loc[empty], columns)
            out.loc[empty, var] = rebuilt.to_numpy()
    present = set(out.columns)
    expected = {v.name for v in codebook.form(form) if v.in_form and not v.personal_data}
    for name in sorted(expected - present - {"district_code"}):
        issues.append(
            _issue(
                "info",
                "missing_column",
                f"Nguồn không có cột '{name}' ({codebook.label_vi(form, name)}); giá trị để trống.",
                file=source_file,
                sheet=sheet,
                variable=name,
            )
        )
    out["_source_file"] = source_file
    out["_source_sheet"] = sheet
    out["_source_row"] = range(first_row, first_row + len(frame))
    for col in ("_submission_time", "_uuid", "_form_version"):
        if col not in out.columns:
            out[col] = ""
    return out.fillna("").astype("str"), issues


def _from_dummies(frame: pd.DataFrame, columns: dict[str, str]) -> pd.Series:
    """Rebuild a space-separated select_multiple from 0/1 columns (vectorised)."""
    joined = pd.Series("", index=frame.index, dtype="str")
    for header, code in columns.items():
        on = frame[header].astype("string").str.strip().isin(["1", "1.0", "True", "true"])
        joined = joined + np.where(on.fillna(False).to_numpy(), code + " ", "")
    return joined.str.strip()


def _sniff_delimiter(path: Path) -> str:
    with path.open(encoding="utf-8-sig", errors="replace") as f:
        head = f.read(20000)
    try:
        return csv.Sniffer().sniff(head.splitlines()[0], delimiters=";,\t").delimiter
    except (csv.Error, IndexError):
        return ","


def read_csv_text(path: Path, shown: str | None = None) -> pd.DataFrame:
    """Read a CSV export as text only (no type guessing), any of ; , or tab.

    Uses pyarrow's multi-threaded reader. A file it rejects, or one where a stray quote
    swallowed rows, is diagnosed line by line and refused naming the damaged lines
    (:mod:`danvan_survey.safe_csv`); a file that parses cleanly only with pandas' C reader
    is read with it.
    """
    shown = shown or path.name
    sep = _sniff_delimiter(path)
    options = {"sep": sep, "dtype": str, "keep_default_na": False, "encoding": "utf-8-sig"}
    try:
        frame = pd.read_csv(path, engine="pyarrow", **options)
    except pd.errors.EmptyDataError as exc:
        raise InputError(
            f"Tệp {shown} rỗng; xuất lại dữ liệu từ KoboToolbox hoặc bỏ tệp khỏi round.yaml.",
            file=shown,
        ) from exc
    except Exception:  # noqa: BLE001 - diagnose, then retry with the more tolerant reader
        safe_csv.check_text(path, shown, sep)
        try:
            return pd.read_csv(path, engine="c", **options)
        except Exception as exc:  # noqa: BLE001 - any parse failure is the file's
            raise InputError(
                f"Không đọc được tệp CSV {shown} ({type(exc).__name__}: {exc}); "
                "xuất lại dạng CSV UTF-8.",
                file=shown,
            ) from exc
    if not safe_csv.one_line_per_record(path, len(frame)) and safe_csv.looks_swallowed(
        frame, sep
    ):
        safe_csv.check_text(path, shown, sep)
    return single_chunk(frame)


def single_chunk(frame: pd.DataFrame) -> pd.DataFrame:
    """Each arrow-backed column as one contiguous array (same values, same dtype).

    pyarrow's reader returns hundreds of chunks per column on a large file, and every
    later row selection of a chunked column costs several times more. Columns are
    replaced in place, one at a time, so the text is never held twice.
    """
    out = frame
    for i in range(frame.shape[1]):
        array = frame.iloc[:, i].array
        if not isinstance(array, pd.arrays.ArrowStringArray):
            continue
        chunked = pa.chunked_array(array._pa_array)
        if chunked.num_chunks > 1:
            whole = pa.chunked_array([chunked.combine_chunks()])
            out.isetitem(i, pd.arrays.ArrowStringArray(whole, dtype=array.dtype))
    return out


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_sheet_text(path: Path, sheet: str | int | None = 0) -> pd.DataFrame:
    """Read one worksheet as a grid of text (header=None), via calamine.

    Call :func:`danvan_survey.safe_xlsx.scan_workbook` first: calamine builds a dense
    grid of the used range.
    """
    try:
        grid = pd.read_excel(
            path,
            sheet_name=sheet if sheet is not None else 0,
            header=None,
            dtype=object,
            engine="calamine",
        )
    except ValueError as exc:
        raise InputError(
            f"Tệp {path.name} không có trang tính '{sheet}' ({exc}); sửa 'sheet' trong round.yaml.",
            file=path.name,
        ) from exc
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the user's input
        raise InputError(
            f"Không mở được tệp Excel {path.name} ({type(exc).__name__}); "
            "lưu lại dạng .xlsx rồi chạy lại.",
            file=path.name,
        ) from exc
    return grid.map(_cell_text)


def fill_merged(
    grid: pd.DataFrame, merged: list[tuple[int, int, int, int]], below: int
) -> pd.DataFrame:
    """Give a value merged over several rows to every row it spans (rows after ``below``).

    ``merged`` holds 1-based (first row, first column, last row, last column) ranges; the
    grid starts at A1. The value goes to the first column of the range, so a commune merged
    over its organisation rows names each of them; headers (rows up to ``below``, 0-based)
    are left as they are.
    """
    out = grid.copy()
    for r1, c1, r2, _ in merged:
        if r2 == r1 or c1 > out.shape[1] or r1 > len(out):
            continue
        value = out.iat[r1 - 1, c1 - 1]
        for r in range(max(r1, below + 1), min(r2, len(out))):
            if not str(out.iat[r, c1 - 1]).strip():
                out.iat[r, c1 - 1] = value
    return out


def formula_issues(
    scan: SheetScan, shown: str, headers: list[str] | None = None
) -> list[dict[str, object]]:
    """One warning per formula cell without a cached value (read as blank).

    ``headers`` (the sheet's column headers) names the column of each cell when known.
    """
    out = []
    for ref, formula in scan.formulas_without_value:
        row, col = split_ref(ref) or (0, 0)
        column = headers[col - 1] if headers and 0 < col <= len(headers) else ""
        column = "" if column.startswith("_col") else column  # no header text
        out.append(
            _issue(
                "warning",
                "formula_without_value",
                f"Ô {ref} (trang “{scan.name}”, tệp {shown}"
                + (f", cột “{column}”" if column else "")
                + f") chứa công thức {formula} nhưng không có giá trị đã tính; ô được coi là "
                "trống. Mở tệp bằng Excel/LibreOffice, lưu lại (để tính công thức) hoặc ghi "
                "số trực tiếp.",
                file=shown,
                sheet=scan.name,
                row=row,
                variable=column,
                value=formula,
            )
        )
    return out


def find_header_row(grid: pd.DataFrame, codebook: Codebook, form: FormId) -> int:
    """Index of the row (among the first 20) whose cells best match codebook labels."""
    lookup = header_lookup(codebook, form)
    scores = [
        sum(1 for c in grid.iloc[i] if c and (fold(c) in lookup or fold(c) in SHEET_HEADERS))
        for i in range(min(20, len(grid)))
    ]
    if not scores or max(scores) < 3:
        raise InputError(
            "Không tìm thấy dòng tiêu đề (tên các chỉ tiêu) trong 20 dòng đầu; "
            "kiểm tra trang tính có đúng mẫu tổng hợp không.",
        )
    return scores.index(max(scores))


def sheet_to_frame(grid: pd.DataFrame, header_row: int) -> tuple[pd.DataFrame, int]:
    """Cut a grid at its header row; two-row merged headers fall back to the row above."""
    above = grid.iloc[header_row - 1] if header_row > 0 else pd.Series("", index=grid.columns)
    headers = [
        h or a or f"_col{i}"
        for i, (h, a) in enumerate(zip(grid.iloc[header_row], above, strict=True))
    ]
    body = grid.iloc[header_row + 1 :].reset_index(drop=True)
    body.columns = headers
    return body, header_row + 2


_NUMBER = re.compile(r"\s*[-+]?\d[\d.,\s]*")


def split_record_rows(
    table: pd.DataFrame,
    body: pd.DataFrame,
    name_col: str,
    ignore: frozenset[str] = frozenset(),
) -> tuple[pd.Series, list[tuple[int, str]]]:
    """Mask of record rows of a sheet; the others (blank, totals, notes) with a reason.

    ``body`` is the sheet as cut (every column, for blank/totals/note detection), ``table``
    its harmonised record table (same rows). Numbers are looked for in variable columns
    only (not provenance, not the constants in ``ignore``): a row without a commune name
    that holds a number is kept as a record, with reason ``no_name_with_numbers``
    (validation then quarantines it and says why); numbers are never dropped as a note.
    A row whose only text is in the commune column is a note.
    """
    cols = [c for c in table.columns if not str(c).startswith("_") and c not in ignore]
    skipped: list[tuple[int, str]] = []
    keep = []
    for i in range(len(table)):
        filled = [str(c) for c in body.iloc[i] if str(c).strip()]
        row = table.iloc[i][cols]
        name = str(row.get(name_col, "")).strip()
        if not filled:
            keep.append(False)
        elif TOTAL_ROW.match(fold(name)) or any(TOTAL_ROW.match(fold(c)) for c in filled[:3]):
            keep.append(False)
            skipped.append((i, "totals_row"))
        elif not name:
            numbers = any(_NUMBER.fullmatch(str(v)) for c, v in row.items() if c != name_col)
            keep.append(numbers)
            skipped.append((i, "no_name_with_numbers" if numbers else "note_row"))
        elif not any(str(v).strip() for c, v in row.items() if c != name_col):
            keep.append(False)  # a line of text in the commune column, no answer at all
            skipped.append((i, "note_row"))
        else:
            keep.append(True)
    return pd.Series(keep, index=table.index), skipped


@dataclass
class SheetFrame:
    """A worksheet cut at its header row, ready for harmonising."""

    body: pd.DataFrame
    first_row: int
    sheet: str
    issues: list[dict[str, object]]


def _has_header(grid: pd.DataFrame, codebook: Codebook, form: FormId) -> bool:
    try:
        find_header_row(grid, codebook, form)
    except InputError:
        return False
    return True


def choose_sheet(
    path: Path, book: BookScan, source: Source, codebook: Codebook
) -> tuple[SheetScan, pd.DataFrame | None]:
    """The sheet to read: the one named in round.yaml, else the only visible candidate.

    Hidden sheets are never chosen by default; several visible sheets with a header row
    are a question to the user, never a guess.
    """
    if source.sheet:
        named = book.get(str(source.sheet))
        if named is None:
            names = ", ".join(f"“{s.name}”" for s in book.sheets) or "không có"
            raise InputError(
                f"Tệp {source.path} không có trang tính “{source.sheet}” (các trang: {names}); "
                "sửa mục sheet của nguồn này trong round.yaml.",
                file=source.path,
            )
        return named, None
    visible = book.visible()
    if len(visible) == 1:
        return visible[0], None
    grids = {s.name: read_sheet_text(path, s.name) for s in visible}
    candidates = [s for s in visible if _has_header(grids[s.name], codebook, source.form)]
    if len(candidates) == 1:
        return candidates[0], grids[candidates[0].name]
    if not candidates:
        hidden = [s.name for s in book.sheets if not s.visible]
        note = f" (trang ẩn không được đọc: {', '.join(hidden)})" if hidden else ""
        raise InputError(
            f"Tệp {source.path} không có trang tính hiện nào có dòng tiêu đề của phiếu "
            f"{source.form.upper()}{note}. Kiểm tra tệp, hoặc ghi tên trang cần đọc vào mục "
            "sheet của nguồn này trong round.yaml.",
            file=source.path,
        )
    names = ", ".join(f"“{s.name}”" for s in candidates)
    raise InputError(
        f"Tệp {source.path} có {len(candidates)} trang tính giống bảng số liệu: {names}. "
        "Chương trình không tự chọn: ghi tên trang cần đọc vào round.yaml, ví dụ "
        f"sheet: \"{candidates[0].name}\" trong mục của nguồn này.",
        file=source.path,
    )


def _hidden_issues(book: BookScan, chosen: SheetScan, shown: str) -> list[dict[str, object]]:
    return [
        _issue(
            "info",
            "hidden_sheet_ignored",
            f"Trang ẩn “{s.name}” của tệp {shown} không được đọc (chỉ đọc trang “{chosen.name}”)."
            " Nếu cần dùng trang này, ghi tên trang vào mục sheet trong round.yaml.",
            file=shown,
            sheet=s.name,
        )
        for s in book.sheets
        if not s.visible and s.name != chosen.name
    ]


def _sheet_frame(path: Path, source: Source, codebook: Codebook) -> SheetFrame:
    """The chosen worksheet cut at its detected header row, merged cells filled down."""
    book = scan_workbook(path, source.path, also=source.sheet)
    scan, grid = choose_sheet(path, book, source, codebook)
    if grid is None:
        grid = read_sheet_text(path, scan.name)
    try:
        header = find_header_row(grid, codebook, source.form)
    except InputError as exc:
        raise InputError(
            f"{exc.message} Tệp {source.path}, trang “{scan.name}”.", file=source.path
        ) from exc
    body, first = sheet_to_frame(fill_merged(grid, scan.merged, header), header)
    headers = [str(h) for h in body.columns]
    issues = formula_issues(scan, source.path, headers) + _hidden_issues(book, scan, source.path)
    return SheetFrame(body, first, scan.name, issues)


FILL_RULES = "_fill_rules"


def apply_source_values(
    table: pd.DataFrame, source: Source, cfg: RoundConfig, codebook: Codebook
) -> pd.DataFrame:
    """Fill the constants round.yaml gives for a source, and the period date if asked.

    Only empty cells are filled. Each filled record carries ``var:rule`` tokens in
    ``_fill_rules`` so that cleaning logs the change per record (rules ``source_value``,
    ``interview_date_period_start`` / ``interview_date_period_end``).
    """
    fills = {name: (value, "source_value") for name, value in source.values.items()}
    if source.interview_date_from:
        when = cfg.period_date(source.interview_date_from).isoformat()
        fills["interview_date"] = (when, f"interview_date_{source.interview_date_from}")
    if not fills:
        return table
    known = {v.name for v in codebook.form(source.form) if not v.personal_data}
    out = table.copy()
    tokens = pd.Series("", index=out.index, dtype="str")
    for name, (value, rule) in fills.items():
        if name not in known:
            raise InputError(
                f"Mục values của nguồn {source.path} trong round.yaml có biến '{name}' không "
                f"thuộc phiếu {source.form.upper()}; gần nhất là "
                f"'{closest_variable(name, codebook, source.form)}'.",
                file=source.path,
            )
        column = out[name] if name in out else pd.Series("", index=out.index, dtype="str")
        empty = (column.astype("str").str.strip() == "").to_numpy()
        out[name] = column.where(~empty, value)
        tokens = tokens.where(~empty, tokens + f" {name}:{rule}")
    out[FILL_RULES] = tokens.str.strip()
    return out


def _harmonised(
    frame: pd.DataFrame,
    first: int,
    source: Source,
    cfg: RoundConfig,
    codebook: Codebook,
    sheet: str = "",
) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """Raw record table of one source, refusing a file without its key columns."""
    table, issues = to_raw_table(
        frame,
        form=source.form,
        codebook=codebook,
        column_map={**cfg.column_map, **source.column_map},
        source_file=source.path,
        sheet=sheet,
        first_row=first,
    )
    table = apply_source_values(table, source, cfg, codebook)
    filled = {*source.values, *(["interview_date"] if source.interview_date_from else [])}
    issues = [
        i for i in issues if not (i["rule"] == "missing_column" and i["variable"] in filled)
    ]
    _check_key_columns(table, source, codebook)
    return table, issues


def _count(result: IngestResult, file: str, form: str, n: int) -> None:
    key = (file, form)
    result.read_counts[key] = result.read_counts.get(key, 0) + n


def read_kobo(
    path: Path, source: Source, cfg: RoundConfig, codebook: Codebook, result: IngestResult
) -> None:
    """Read a KoboToolbox/ODK export (CSV or XLSX, XML names or labels)."""
    if source.kind == "kobo_xlsx":
        sf = _sheet_frame(path, source, codebook)
        frame, first, sheet = sf.body, sf.first_row, sf.sheet
        result.issues.extend(sf.issues)
    else:
        frame, first, sheet = read_csv_text(path, source.path), 2, ""
    if frame.empty:
        raise InputError(f"Tệp {source.path} không có bản ghi nào.", file=source.path)
    table, issues = _harmonised(frame, first, source, cfg, codebook, sheet)
    result.tables[source.form].append(table)
    result.issues.extend(issues)
    _count(result, source.path, source.form, len(table))


def _check_key_columns(table: pd.DataFrame, source: Source, codebook: Codebook) -> None:
    needed = [k for k in KEYS[source.form] if k != "round_id"]
    missing = [k for k in needed if k not in table.columns]
    if missing:
        labels = ", ".join(f"{k} ({codebook.label_vi(source.form, k)})" for k in missing)
        raise InputError(
            f"Tệp {source.path} thiếu cột khóa: {labels}. Kiểm tra tệp có đúng phiếu "
            f"{source.form.upper()} không, khai báo column_map trong round.yaml, hoặc nếu cả "
            "trang là của một tổ chức, ghi giá trị chung, ví dụ values: {org_type: hnd}.",
            file=source.path,
        )


def read_district_excel(
    path: Path, source: Source, cfg: RoundConfig, codebook: Codebook, result: IngestResult
) -> None:
    """Read a hand-made consolidated district sheet (merged headers, totals row, notes)."""
    sf = _sheet_frame(path, source, codebook)
    result.issues.extend(sf.issues)
    table, issues = _harmonised(sf.body, sf.first_row, source, cfg, codebook, sf.sheet)
    dated = ["interview_date"] if source.interview_date_from else []
    constants = frozenset([*source.values, *dated, FILL_RULES])
    keep, skipped = split_record_rows(table, sf.body, "commune_code", constants)
    for i, reason in skipped:
        content = " | ".join(str(c) for c in sf.body.iloc[i] if str(c).strip())[:200]
        if reason == "no_name_with_numbers":
            result.issues.append(_issue(
                "error", reason,
                f"Dòng {sf.first_row + i} (trang “{sf.sheet}”, tệp {source.path}) có số liệu "
                "nhưng không có tên xã; bản ghi được đưa vào khu cách ly, không bỏ qua. Ghi "
                "tên xã vào dòng này (hoặc bỏ gộp ô) rồi chạy lại.",
                file=source.path, sheet=sf.sheet, row=sf.first_row + i, variable="commune_code",
                value=content))
            continue
        result.skipped_rows.append(
            {"form": source.form, "file": source.path, "sheet": sf.sheet,
             "row": sf.first_row + i, "reason": reason, "content": content}
        )
    table = table[keep.to_numpy()].reset_index(drop=True)
    if source.district_code and "district_code" not in table.columns:
        table["district_code"] = source.district_code
    result.tables[source.form].append(table)
    result.issues.extend(issues)
    _count(result, source.path, source.form, len(table))


def read_round(cfg: RoundConfig, codebook: Codebook) -> IngestResult:
    """Read every source of a round; raise InputError on an unreadable or missing file."""
    result = IngestResult()
    for source in cfg.sources:
        path = cfg.path(source.path)
        if not path.exists():
            raise InputError(
                f"Không tìm thấy tệp nguồn '{source.path}' khai báo trong round.yaml của đợt "
                f"{cfg.round_id}; kiểm tra tên tệp.",
                file=source.path,
            )
        try:
            read_source(path, source, cfg, codebook, result)
        except InputError:
            raise
        except Exception as exc:
            exc.add_note(f"đang đọc tệp {source.path} ({source.kind}, phiếu {source.form})")
            raise
    return result


def read_source(
    path: Path, source: Source, cfg: RoundConfig, codebook: Codebook, result: IngestResult
) -> None:
    """Read one source of a round by its kind."""
    if source.form in REPEATS:
        read_repeat_source(path, source, cfg, codebook, result)
    elif source.kind in {"kobo_csv", "kobo_xlsx"}:
        read_kobo(path, source, cfg, codebook, result)
    elif source.kind == "district_excel":
        read_district_excel(path, source, cfg, codebook, result)
    elif source.kind == "workbooks":
        read_workbook_folder(path, source, cfg, codebook, result)


def _for_form(source: Source, form: FormId, codebook: Codebook) -> Source:
    """The source's constants that apply to ``form`` (a workbook feeds forms A and B)."""
    names = {v.name for v in codebook.form(form)}
    return replace(
        source,
        form=form,
        values={k: v for k, v in source.values.items() if k in names},
        interview_date_from=source.interview_date_from if "interview_date" in names else None,
    )


def read_repeat_source(
    path: Path, source: Source, cfg: RoundConfig, codebook: Codebook, result: IngestResult
) -> None:
    """Read a repeat-group export (see :mod:`danvan_survey.ingest_repeat`)."""
    from danvan_survey.ingest_repeat import read_repeat

    table, issues, _ = read_repeat(path, source, cfg, codebook)
    result.tables[source.form].append(table)
    result.issues.extend(issues)
    _count(result, source.path, source.form, len(table))


def read_workbook_folder(
    path: Path, source: Source, cfg: RoundConfig, codebook: Codebook, result: IngestResult
) -> None:
    """Read a folder of returned commune workbooks (see :mod:`danvan_survey.forms`)."""
    from danvan_survey.forms.read_workbooks import read_workbooks

    tables, refused = read_workbooks(path, cfg)
    for form, table in tables.items():
        if len(table):
            if source.values or source.interview_date_from:
                table = apply_source_values(
                    table, _for_form(source, cast(FormId, form), codebook), cfg, codebook
                )
            result.tables[form].append(table)
            for name, count in table.groupby("_source_file").size().items():
                _count(result, str(name), form, int(count))
    for item in refused:
        is_refused = bool(item.get("refused", True))
        if is_refused:
            result.refused.append(item)
        result.issues.append(
            _issue(
                str(item.get("level") or ("error" if is_refused else "warning")),
                f"workbook_{item.get('kind', 'refused')}",
                str(item.get("reason", "")),
                file=str(item.get("file", "")),
                sheet=str(item.get("sheet", "")),
                row=item.get("row", ""),
            )
        )
