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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import process

from danvan_survey.codebook import KEYS, REPEATS, TABLES, Codebook, FormId, Variable
from danvan_survey.config import RoundConfig, Source
from danvan_survey.errors import InputError
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
TOTAL_ROW = re.compile(r"^(tong cong|tong so|cong|tong)\b")


@dataclass
class IngestResult:
    """Raw records per form plus what the reader noticed (Vietnamese messages)."""

    tables: dict[str, list[pd.DataFrame]] = field(
        default_factory=lambda: {t: [] for t in TABLES}
    )
    issues: list[dict[str, object]] = field(default_factory=list)
    read_counts: dict[str, int] = field(default_factory=dict)
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


def read_csv_text(path: Path) -> pd.DataFrame:
    """Read a CSV export as text only (no type guessing), any of ; , or tab.

    Uses pyarrow's multi-threaded reader, falling back to pandas' C reader for files
    pyarrow rejects.
    """
    options = {"sep": _sniff_delimiter(path), "dtype": str, "keep_default_na": False}
    try:
        try:
            return pd.read_csv(path, engine="pyarrow", encoding="utf-8-sig", **options)
        except pd.errors.EmptyDataError:
            raise
        except Exception:  # noqa: BLE001 - retry with the more tolerant reader
            return pd.read_csv(path, engine="c", encoding="utf-8-sig", **options)
    except pd.errors.EmptyDataError as exc:
        raise InputError(
            f"Tệp {path.name} rỗng; xuất lại dữ liệu từ KoboToolbox hoặc bỏ tệp khỏi round.yaml.",
            file=path.name,
        ) from exc
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(
            f"Không đọc được tệp CSV {path.name} ({exc}); xuất lại dạng CSV UTF-8.",
            file=path.name,
        ) from exc


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
    """Read one worksheet as a grid of text (header=None), via calamine."""
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


def split_record_rows(body: pd.DataFrame, name_col: str) -> tuple[pd.Series, list[tuple[int, str]]]:
    """Mask of record rows; the others (blank, totals, notes) with a reason."""
    skipped: list[tuple[int, str]] = []
    keep = []
    for i, row in body.iterrows():
        filled = [c for c in row if str(c).strip()]
        name = str(row.get(name_col, "")).strip()
        if not filled:
            keep.append(False)
        elif TOTAL_ROW.match(fold(name)) or any(TOTAL_ROW.match(fold(str(c))) for c in filled[:3]):
            keep.append(False)
            skipped.append((int(str(i)), "totals_row"))
        elif not name or len(filled) <= 2:
            keep.append(False)
            skipped.append((int(str(i)), "note_row"))
        else:
            keep.append(True)
    return pd.Series(keep, index=body.index), skipped


def _sheet_frame(path: Path, source: Source, codebook: Codebook) -> tuple[pd.DataFrame, int]:
    """A worksheet cut at its detected header row, and the first data row number."""
    grid = read_sheet_text(path, source.sheet or 0)
    try:
        return sheet_to_frame(grid, find_header_row(grid, codebook, source.form))
    except InputError as exc:
        raise InputError(f"{exc.message} Tệp {source.path}.", file=source.path) from exc


def _harmonised(
    frame: pd.DataFrame, first: int, source: Source, cfg: RoundConfig, codebook: Codebook
) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """Raw record table of one source, refusing a file without its key columns."""
    table, issues = to_raw_table(
        frame,
        form=source.form,
        codebook=codebook,
        column_map={**cfg.column_map, **source.column_map},
        source_file=source.path,
        sheet=source.sheet or "",
        first_row=first,
    )
    _check_key_columns(table, source, codebook)
    return table, issues


def read_kobo(
    path: Path, source: Source, cfg: RoundConfig, codebook: Codebook, result: IngestResult
) -> None:
    """Read a KoboToolbox/ODK export (CSV or XLSX, XML names or labels)."""
    if source.kind == "kobo_xlsx":
        frame, first = _sheet_frame(path, source, codebook)
    else:
        frame, first = read_csv_text(path), 2
    if frame.empty:
        raise InputError(f"Tệp {path.name} không có bản ghi nào.", file=path.name)
    table, issues = _harmonised(frame, first, source, cfg, codebook)
    result.tables[source.form].append(table)
    result.issues.extend(issues)
    result.read_counts[source.path] = result.read_counts.get(source.path, 0) + len(table)


def _check_key_columns(table: pd.DataFrame, source: Source, codebook: Codebook) -> None:
    needed = [k for k in KEYS[source.form] if k != "round_id"]
    missing = [k for k in needed if k not in table.columns]
    if missing:
        labels = ", ".join(f"{k} ({codebook.label_vi(source.form, k)})" for k in missing)
        raise InputError(
            f"Tệp {source.path} thiếu cột khóa: {labels}. Kiểm tra tệp có đúng phiếu "
            f"{source.form.upper()} không, hoặc khai báo column_map trong round.yaml.",
            file=source.path,
        )


def read_district_excel(
    path: Path, source: Source, cfg: RoundConfig, codebook: Codebook, result: IngestResult
) -> None:
    """Read a hand-made consolidated district sheet (merged headers, totals row, notes)."""
    body, first = _sheet_frame(path, source, codebook)
    table, issues = _harmonised(body, first, source, cfg, codebook)
    keep, skipped = split_record_rows(table, "commune_code")
    for i, reason in skipped:
        result.skipped_rows.append(
            {
                "file": source.path,
                "sheet": source.sheet or "",
                "row": first + i,
                "reason": reason,
                "content": " | ".join(str(c) for c in body.iloc[i] if str(c).strip())[:200],
            }
        )
    table = table[keep.to_numpy()].reset_index(drop=True)
    if source.district_code and "district_code" not in table.columns:
        table["district_code"] = source.district_code
    result.tables[source.form].append(table)
    result.issues.extend(issues)
    result.read_counts[source.path] = len(table)


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
        if source.form in REPEATS:
            read_repeat_source(path, source, cfg, codebook, result)
        elif source.kind in {"kobo_csv", "kobo_xlsx"}:
            read_kobo(path, source, cfg, codebook, result)
        elif source.kind == "district_excel":
            read_district_excel(path, source, cfg, codebook, result)
        elif source.kind == "workbooks":
            read_workbook_folder(path, source, cfg, result)
    return result


def read_repeat_source(
    path: Path, source: Source, cfg: RoundConfig, codebook: Codebook, result: IngestResult
) -> None:
    """Read a repeat-group export (see :mod:`danvan_survey.ingest_repeat`)."""
    from danvan_survey.ingest_repeat import read_repeat

    table, issues, _ = read_repeat(path, source, cfg, codebook)
    result.tables[source.form].append(table)
    result.issues.extend(issues)
    # one Kobo XLSX export holds the form and its repeat sheets: counts add up per file
    result.read_counts[source.path] = result.read_counts.get(source.path, 0) + len(table)


def read_workbook_folder(
    path: Path, source: Source, cfg: RoundConfig, result: IngestResult
) -> None:
    """Read a folder of returned commune workbooks (see :mod:`danvan_survey.forms`)."""
    from danvan_survey.forms.read_workbooks import read_workbooks

    tables, refused = read_workbooks(path, cfg)
    for form, table in tables.items():
        if len(table):
            result.tables[form].append(table)
            for name, count in table.groupby("_source_file").size().items():
                result.read_counts[str(name)] = result.read_counts.get(str(name), 0) + int(count)
    for item in refused:
        is_refused = bool(item.get("refused", True))
        if is_refused:
            result.refused.append(item)
        result.issues.append(
            _issue(
                "error" if is_refused else "warning",
                f"workbook_{item.get('kind', 'refused')}",
                str(item.get("reason", "")),
                file=str(item.get("file", "")),
            )
        )
