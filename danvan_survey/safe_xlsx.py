"""Safety scan of an .xlsx before any reader opens it (bounded memory, clear refusals).

Excel readers build a dense grid of a sheet's used range and inflate its XML whole, so a
stray cell at XFD1048576 or a few megabytes of repeated XML exhaust memory. This module
looks at the file first, streaming, without building anything:

- zip parts: total decompressed size and compression ratio (limits in
  ``config/limits.yaml``);
- sheets with their visibility (``visible``, ``hidden``, ``veryHidden``);
- per sheet: declared dimension, actual used range (cells holding a value), merged
  ranges, and formula cells without a cached value.

A file beyond the limits raises :class:`~danvan_survey.errors.InputError` naming it.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import IO
from xml.etree import ElementTree
from xml.parsers import expat

import yaml

from danvan_survey.config import PACKAGE_DIR
from danvan_survey.errors import InputError

LIMITS_FILE = PACKAGE_DIR / "config" / "limits.yaml"
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_SMALL_PART = 10_000_000  # workbook.xml and its relationships are never larger
_MAX_FORMULAS_KEPT = 1000
_CHUNK = 1 << 20
_RELS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@dataclass(frozen=True)
class Limits:
    """Sane limits for an Excel file (see ``config/limits.yaml``)."""

    max_uncompressed_bytes: int
    max_compression_ratio: float
    ratio_min_bytes: int
    max_rows: int
    max_columns: int
    max_cells: int
    workbook_max_rows: int
    workbook_max_columns: int
    workbook_max_uncompressed_bytes: int

    def for_workbooks(self) -> Limits:
        """The limits of a returned commune workbook (one commune: a small sheet)."""
        return replace(self, max_rows=self.workbook_max_rows,
                       max_columns=self.workbook_max_columns,
                       max_uncompressed_bytes=self.workbook_max_uncompressed_bytes)


def load_limits(path: Path | None = None) -> Limits:
    """Read the limits (``$DANVAN_LIMITS`` names another YAML file, e.g. in tests)."""
    file = path or Path(os.environ.get("DANVAN_LIMITS") or LIMITS_FILE)
    data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    return Limits(
        max_uncompressed_bytes=int(data["max_uncompressed_bytes"]),
        max_compression_ratio=float(data["max_compression_ratio"]),
        ratio_min_bytes=int(data["ratio_min_bytes"]),
        max_rows=int(data["max_rows"]),
        max_columns=int(data["max_columns"]),
        max_cells=int(data["max_cells"]),
        workbook_max_rows=int(data["workbook_max_rows"]),
        workbook_max_columns=int(data["workbook_max_columns"]),
        workbook_max_uncompressed_bytes=int(data["workbook_max_uncompressed_bytes"]),
    )


@dataclass
class SheetScan:
    """What one worksheet holds, found without building it."""

    name: str
    state: str
    part: str
    declared: str = ""
    max_row: int = 0
    max_col: int = 0
    n_cells: int = 0
    #: last row holding a value or a formula (readers look no further)
    last_row: int = 0
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    formulas_without_value: list[tuple[str, str]] = field(default_factory=list)

    @property
    def visible(self) -> bool:
        """True unless the sheet is hidden or very hidden."""
        return self.state in {"", "visible"}


@dataclass
class BookScan:
    """The sheets of a workbook, in workbook order."""

    file: str
    sheets: list[SheetScan]

    def visible(self) -> list[SheetScan]:
        """Visible sheets that hold at least one value."""
        return [s for s in self.sheets if s.visible and s.n_cells]

    def get(self, name: str) -> SheetScan | None:
        """The sheet called ``name`` (None when absent)."""
        return next((s for s in self.sheets if s.name == name), None)


def _n(x: float) -> str:
    """Vietnamese thousands: 1.048.576."""
    return f"{x:,.0f}".replace(",", ".")


def column_letter(col: int) -> str:
    """1 → A, 16384 → XFD."""
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def split_ref(ref: str) -> tuple[int, int] | None:
    """``"XFD1048576"`` → (row, column); None for anything else."""
    m = _REF.match(ref.strip())
    if not m:
        return None
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


class TooLargeError(InputError):
    """An Excel file beyond the limits of ``config/limits.yaml``."""


def _too_big(shown: str, what: str) -> TooLargeError:
    return TooLargeError(
        f"Tệp Excel {shown} {what}. Chương trình không đọc tệp này để tránh treo máy. "
        "Mở tệp bằng Excel/LibreOffice, xóa các ô, dòng, cột thừa (Ctrl+End cho biết ô cuối), "
        "lưu lại dạng .xlsx rồi chạy lại; nếu tệp thật sự lớn như vậy, nâng giới hạn trong "
        "danvan_survey/config/limits.yaml.",
        file=shown,
    )


def check_zip(zf: zipfile.ZipFile, shown: str, limits: Limits) -> None:
    """Refuse a zip whose parts inflate beyond the limits (size or ratio)."""
    total = 0
    for info in zf.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_min_bytes and ratio > limits.max_compression_ratio:
            raise _too_big(
                shown,
                f"có phần '{info.filename}' nén bất thường: {_n(info.file_size)} byte khi giải "
                f"nén, gấp {_n(ratio)} lần (giới hạn {_n(limits.max_compression_ratio)} lần)",
            )
    if total > limits.max_uncompressed_bytes:
        raise _too_big(
            shown,
            f"giải nén ra {_n(total)} byte (giới hạn {_n(limits.max_uncompressed_bytes)} byte)",
        )


def _small_xml(zf: zipfile.ZipFile, name: str, shown: str) -> ElementTree.Element:
    info = zf.getinfo(name)
    if info.file_size > _SMALL_PART:
        raise _too_big(shown, f"có phần '{name}' lớn bất thường ({_n(info.file_size)} byte)")
    return ElementTree.fromstring(zf.read(name))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _part_path(target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = []
    for p in PurePosixPath("xl", target).parts:
        if p == "..":
            if parts:
                parts.pop()
        elif p != ".":
            parts.append(p)
    return "/".join(parts)


def list_sheets(zf: zipfile.ZipFile, shown: str) -> list[SheetScan]:
    """Worksheets in workbook order with their state and XML part (not scanned yet)."""
    try:
        book = _small_xml(zf, "xl/workbook.xml", shown)
        rels = _small_xml(zf, "xl/_rels/workbook.xml.rels", shown)
    except (KeyError, ElementTree.ParseError) as exc:
        raise InputError(
            f"Tệp {shown} không phải sổ Excel .xlsx hợp lệ ({type(exc).__name__}); mở bằng "
            "Excel/LibreOffice, lưu lại dạng .xlsx rồi chạy lại.",
            file=shown,
        ) from exc
    targets = {r.get("Id", ""): _part_path(r.get("Target", "")) for r in rels
               if _local(r.tag) == "Relationship"}
    sheets = []
    for el in book.iter():
        if _local(el.tag) != "sheet":
            continue
        rid = el.get(f"{{{_RELS_NS}}}id") or next(
            (v for k, v in el.attrib.items() if _local(k) == "id"), "")
        part = targets.get(rid, "")
        if part in zf.namelist():
            sheets.append(SheetScan(name=el.get("name", ""), state=el.get("state", "visible"),
                                    part=part))
    return sheets


class _SheetScanner:
    """Streaming (expat) pass over one sheet's XML; stops at the first limit crossed."""

    def __init__(self, sheet: SheetScan, limits: Limits, shown: str) -> None:
        self.sheet, self.limits, self.shown = sheet, limits, shown
        self.row = self.col = 0
        self.ref = self.ctype = ""
        self.formula: list[str] | None = None
        self.value: list[str] | None = None
        self.collect: list[str] | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        if tag == "c":
            self._start_cell(attrs)
        elif tag == "row":
            self.row = int(attrs.get("r") or self.row + 1)
            self.col = 0
        elif tag == "f":
            self.formula = self.collect = []
        elif tag in {"v", "t"}:
            self.value = self.value if self.value is not None else []
            self.collect = self.value
        elif tag == "dimension":
            self.sheet.declared = attrs.get("ref", "")
        elif tag == "mergeCell":
            self._merge(attrs.get("ref", ""))

    def _start_cell(self, attrs: dict[str, str]) -> None:
        where = split_ref(attrs.get("r", ""))
        self.row, self.col = where if where else (self.row, self.col + 1)
        self.ref = attrs.get("r") or f"{column_letter(self.col)}{self.row}"
        self.ctype = attrs.get("t", "")
        self.formula = self.value = self.collect = None

    def text(self, data: str) -> None:
        if self.collect is not None:
            self.collect.append(data)

    def end(self, name: str) -> None:
        tag = _local(name)
        if tag in {"f", "v", "t"}:
            self.collect = None
        elif tag == "c":
            self._end_cell()

    def _end_cell(self) -> None:
        value = "".join(self.value) if self.value is not None else None
        if value or self.formula is not None:
            self.sheet.last_row = max(self.sheet.last_row, min(self.row, self.limits.max_rows))
        if value:
            self._used(self.row, self.col)
        elif self.formula is not None and not (value == "" and self.ctype == "str"):
            kept = self.sheet.formulas_without_value
            if len(kept) < _MAX_FORMULAS_KEPT:
                kept.append((self.ref, "=" + "".join(self.formula)))

    def _used(self, row: int, col: int) -> None:
        s, lim = self.sheet, self.limits
        s.n_cells += 1
        s.max_row, s.max_col = max(s.max_row, row), max(s.max_col, col)
        where = f"trang “{s.name}” có dữ liệu ở ô {column_letter(col)}{row}"
        if row > lim.max_rows:
            raise _too_big(self.shown, f"{where}, quá giới hạn {_n(lim.max_rows)} dòng")
        if col > lim.max_columns:
            raise _too_big(self.shown, f"{where}, quá giới hạn {_n(lim.max_columns)} cột")
        if s.max_row * s.max_col > lim.max_cells:
            raise _too_big(self.shown, f"{where}: vùng dữ liệu {_n(s.max_row)} dòng × "
                           f"{_n(s.max_col)} cột vượt giới hạn {_n(lim.max_cells)} ô")

    def _merge(self, ref: str) -> None:
        ends = [split_ref(p) for p in ref.split(":")]
        if len(ends) == 2 and ends[0] and ends[1]:
            (r1, c1), (r2, c2) = ends[0], ends[1]
            self.sheet.merged.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))


def scan_sheet(zf: zipfile.ZipFile, sheet: SheetScan, shown: str, limits: Limits) -> None:
    """Fill ``sheet`` with its used range, merged ranges and formulas without value."""
    scanner = _SheetScanner(sheet, limits, shown)
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = scanner.start
    parser.EndElementHandler = scanner.end
    parser.CharacterDataHandler = scanner.text
    with zf.open(sheet.part) as stream:
        _feed(parser, stream, shown, limits.max_uncompressed_bytes)


def _feed(parser: expat.XMLParserType, stream: IO[bytes], shown: str, most: int) -> None:
    """Parse a stream chunk by chunk; never more bytes than ``most`` whatever the zip says."""
    read = 0
    try:
        while chunk := stream.read(_CHUNK):
            read += len(chunk)
            if read > most:
                raise _too_big(shown, f"giải nén ra hơn {_n(most)} byte")
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except (expat.ExpatError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError(
            f"Tệp Excel {shown} bị hỏng ({type(exc).__name__}: {exc}); mở bằng "
            "Excel/LibreOffice, lưu lại dạng .xlsx rồi chạy lại.",
            file=shown,
        ) from exc


def scan_workbook(
    path: Path,
    shown: str,
    limits: Limits | None = None,
    also: str | None = None,
    hidden: bool = False,
) -> BookScan:
    """Check an .xlsx and scan its visible sheets (and the sheet named ``also``).

    Hidden sheets are listed but scanned only with ``hidden=True`` (for readers that
    load the whole workbook); they are never read unless named.
    """
    limits = limits or load_limits()
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(
            f"Không mở được tệp Excel {shown} ({type(exc).__name__}): tệp hỏng hoặc không "
            "phải .xlsx; lưu lại dạng .xlsx rồi chạy lại.",
            file=shown,
        ) from exc
    with zf:
        check_zip(zf, shown, limits)
        sheets = list_sheets(zf, shown)
        for sheet in sheets:
            if sheet.visible or hidden or sheet.name == also:
                scan_sheet(zf, sheet, shown, limits)
    return BookScan(file=shown, sheets=sheets)
