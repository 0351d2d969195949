"""Layout of the workbooks people read and print: column widths, row heights, A4 set-up.

Shared by the report's tables (``bang-so-lieu.xlsx``), the analysis lists
(``weak_organisations.xlsx``), the commune workbook's cadre roster and the data
dictionary. Widths are in Excel's units (about one digit each); heights in points.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from functools import lru_cache, partial
from typing import Any

import numpy as np
import pandas as pd

from danvan_survey.cell_text import per_distinct

#: Widest and narrowest column (Excel units).
MAX_WIDTH, MIN_WIDTH = 60, 8
#: Points per line of wrapped text (11 pt body font), and the header row's least height.
LINE_HEIGHT, HEADER_MIN_LINES = 15, 3
#: Column widths an A4 landscape page holds at 100 % (27.2 cm between margins), and the
#: smallest print scale that stays readable (an 11 pt font at 65 % prints at about 7 pt).
PAGE_UNITS, MIN_SCALE = 147.0, 0.65
#: Leading columns repeated on every page of a wide sheet: at most this many, and this
#: wide together.
MAX_KEY_COLUMNS, MAX_KEY_UNITS = 4, 110.0


def column_width(header: str, values: list[Any]) -> float:
    """Width for a column: its longest header word, and most of its values (95th pct)."""
    words = max((len(w) for w in header.split()), default=4)
    texts = [len(str(v)) if isinstance(v, str) else 9 for v in values[:2000]
             if v is not None and str(v) != "nan"]
    longest = float(np.percentile(texts, 95)) if texts else 0.0
    return float(min(MAX_WIDTH, max(MIN_WIDTH, words + 2, min(len(header), 18), longest + 2)))


def wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes when wrapped at word boundaries in a column ``width`` wide.

    One unit is kept for the cell's padding and bold headers' wider letters. Line breaks
    in the text start new lines.
    """
    chars = max(int(width) - 1, 1)
    return sum(1 if len(part) <= chars else max(len(textwrap.wrap(part, chars)), 1)
               for part in str(text).split("\n"))


def header_height(headers: list[str], widths: list[float]) -> int:
    """Height (pt) of a header row: its longest wrapped header, at least three lines."""
    lines = max((wrapped_lines(h, w) for h, w in zip(headers, widths, strict=True)),
                default=1)
    return LINE_HEIGHT * max(HEADER_MIN_LINES, lines)


def row_heights(ws: Any, frame: pd.DataFrame, widths: list[float], first_row: int) -> None:
    """Room for wrapped text: a row is as tall as its longest wrapped cell."""
    lines = row_lines(frame, widths)
    for i in np.flatnonzero(lines > 1):
        ws.set_row(first_row + int(i), LINE_HEIGHT * int(lines[i]))


def row_lines(frame: pd.DataFrame, widths: list[float]) -> np.ndarray:
    """Per row, the lines of its longest wrapped text cell (1 without text columns).

    A cell's text is ``str`` of its value; a column wraps each distinct value once
    (lists repeat names and reasons, see :func:`per_distinct`).
    """
    lines = np.ones(len(frame), dtype=np.int64)
    wrap = lru_cache(maxsize=1 << 16)(wrapped_lines)
    for j in range(frame.shape[1]):
        column = frame.iloc[:, j]
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            cells = per_distinct(column, partial(_lines_of, wrap, widths[j]))
            np.maximum(lines, cells.astype(np.int64), out=lines)
    return lines


def _lines_of(wrap: Callable[[str, float], int], width: float, value: object) -> int:
    """Lines of ``str(value)`` wrapped at ``width`` (by ``wrap``, a cached wrapped_lines)."""
    return wrap(str(value), width)


def key_columns(widths: list[float]) -> int:
    """How many leading columns name a row (number, district, commune, organisation…).

    As many as fit :data:`MAX_KEY_COLUMNS` and :data:`MAX_KEY_UNITS`; they are repeated on
    every page of a sheet printed more than one page wide.
    """
    keys, total = 0, 0.0
    for j in range(min(len(widths), MAX_KEY_COLUMNS)):
        if total + widths[j] > MAX_KEY_UNITS:
            break
        keys, total = j + 1, total + widths[j]
    return keys


def print_scale(widths: list[float]) -> int | None:
    """Print scale (%) of a sheet too wide for one page at :data:`MIN_SCALE`, else None.

    None: the sheet is fitted to one page wide (it stays at :data:`MIN_SCALE` or more).
    Otherwise it prints at :data:`MIN_SCALE` across as many pages as it needs, each
    starting with the key columns; a fixed scale, because "fit to N pages" lets a
    spreadsheet shrink the sheet further when the repeated columns take room.
    """
    return None if sum(widths) <= PAGE_UNITS / MIN_SCALE else round(100 * MIN_SCALE)


def print_a4(ws: Any, widths: list[float], header_row: int, synthetic: bool) -> None:
    """A4 landscape at :func:`print_scale`, rows up to the header on every page (xlsxwriter).

    A wide sheet prints across pages (over, then down) and repeats its key columns. The
    footer numbers the pages and, for a synthetic round, says so on every page (the title
    row of a sheet more than one page wide shows only its start on the later pages).
    """
    ws.set_paper(9)
    ws.set_landscape()
    ws.repeat_rows(0, header_row)
    scale = print_scale(widths)
    if scale is None:
        ws.fit_to_pages(1, 0)
    else:
        ws.set_print_scale(scale)
        ws.print_across()  # a row's pages follow each other
        keys = key_columns(widths)
        if keys:
            ws.repeat_columns(0, keys - 1)  # each page of a row starts with what names it
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.set_footer("&CTrang &P/&N" + ("&RDỮ LIỆU MÔ PHỎNG" if synthetic else ""))


def finish_table(ws: Any, frame: pd.DataFrame, widths: list[float], header_row: int,
                 synthetic: bool) -> None:
    """Row heights, header height, frozen header and A4 set-up of a table sheet (xlsxwriter).

    ``frame`` is the table written below ``header_row``; ``widths`` its column widths.
    """
    row_heights(ws, frame, widths, first_row=header_row + 1)
    ws.set_row(header_row, header_height([str(c) for c in frame.columns], widths))
    ws.freeze_panes(header_row + 1, 0)
    print_a4(ws, widths, header_row, synthetic)


def print_a4_openpyxl(ws: Any, widths: list[float], title_rows: str) -> None:
    """:func:`print_a4` for an openpyxl sheet; ``title_rows`` ("1:1") repeat on every page."""
    from openpyxl.utils import get_column_letter

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = title_rows
    scale = print_scale(widths)
    if scale is None:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    else:
        ws.page_setup.scale = scale
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        ws.page_setup.pageOrder = "overThenDown"
        keys = key_columns(widths)
        if keys:
            ws.print_title_cols = f"A:{get_column_letter(keys)}"
