"""Cell fonts of returned workbooks: decisive evidence for legacy Vietnamese text.

A cell typed in ``.VnTime`` (TCVN3) or ``VNI-Times`` (VNI) holds one byte per glyph;
read as Unicode it looks like ``"NghÖ An"``. The font of the cell says which encoding
it is, which the text alone often cannot (``"Sôn La"`` is VNI for "Sơn La" and valid
Unicode too). This module reads, for the workbook sheets a round's records came from,
the font of each text cell that could be legacy text (non-ASCII, within latin-1), as a
side structure keyed by sheet and text: the readers of :mod:`danvan_survey.ingest` stay
as they are, and a workbook is opened again only when its records hold such text.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from danvan_survey.legacy_encodings import could_be_legacy, font_encoding

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
#: A font hint per (source file, sheet) and text: "" where fonts disagree or are Unicode.
FontTable = dict[tuple[str, str], dict[str, str]]


def sheet_fonts(path: Path, sheet: str) -> dict[str, str]:
    """Text → font name of the cells of ``sheet`` (all sheets when "") that could be legacy.

    A text found in cells of different legacy encodings is left out (no hint).
    """
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        names = [sheet] if sheet and sheet in book.sheetnames else book.sheetnames
        seen: dict[str, set[str | None]] = {}
        fonts: dict[str, str] = {}
        for name in names:
            for row in book[name].iter_rows():
                for cell in row:
                    value = getattr(cell, "value", None)
                    if not isinstance(value, str) or not could_be_legacy(value):
                        continue
                    font = getattr(getattr(cell, "font", None), "name", None) or ""
                    for text in {value, value.strip()}:
                        seen.setdefault(text, set()).add(font_encoding(font))
                        fonts[text] = font
        return {t: fonts[t] for t, kinds in seen.items() if len(kinds) == 1 and None not in kinds}
    finally:
        book.close()


def font_table(raw: pd.DataFrame, folder: Path, columns: list[str]) -> FontTable:
    """Legacy-font hints for the workbook sources of ``raw`` that hold possible legacy text.

    Only files inside ``folder`` are read; a workbook that cannot be read gives no hint
    (its records are repaired by the text heuristics alone).
    """
    books = raw["_source_file"].astype(str).str.lower().str.endswith(WORKBOOK_SUFFIXES)
    text = raw.loc[books.to_numpy(), [c for c in columns if c in raw.columns]]
    if text.empty:
        return {}
    suspect = pd.Series(False, index=text.index)
    for col in text.columns:
        values = text[col].dropna().astype(str)
        legacy = [u for u in pd.unique(values) if could_be_legacy(u)]
        if legacy:
            suspect[values.index[values.isin(legacy)]] = True
    sources = raw.loc[suspect[suspect].index, ["_source_file", "_source_sheet"]].drop_duplicates()
    table: FontTable = {}
    root = folder.resolve()
    for file, sheet in sources.itertuples(index=False):
        path = (folder / str(file)).resolve()
        if not path.is_relative_to(root):
            continue
        try:
            table[(str(file), str(sheet))] = sheet_fonts(path, str(sheet or ""))
        except (OSError, KeyError, ValueError, zipfile.BadZipFile):
            continue
    return {k: v for k, v in table.items() if v}


def column_fonts(raw: pd.DataFrame, name: str, table: FontTable) -> pd.Series | None:
    """Font name per row of column ``name`` where the table knows its text, else ""."""
    if not table:
        return None
    fonts = pd.Series("", index=raw.index, dtype="str")
    for (file, sheet), by_text in table.items():
        rows = (raw["_source_file"] == file) & (raw["_source_sheet"].fillna("") == sheet)
        values = raw.loc[rows, name].dropna().astype(str)
        hits = values.map(by_text).dropna()
        fonts[hits.index] = hits.astype(str)
    return fonts if (fonts != "").any() else None
