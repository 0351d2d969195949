"""Hand-made consolidated district Excel sheets, and byte-stable xlsx files."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from danvan_survey.codebook import Codebook, Variable
from danvan_survey.demo.common import EXCEL_SHEET, FIXED_DOC_TIME, FIXED_ZIP_TIME, RATES, Ledger
from danvan_survey.demo.defects import _label_of

# --------------------------------------------------------------------------------------
# District Excel sheets
# --------------------------------------------------------------------------------------

ABBREVIATIONS = (("hội viên", "HV"), ("khu dân cư", "KDC"), ("mô hình", "MH"))


def fold(text: str) -> str:
    """Strip Vietnamese diacritics (đ → d), keep case."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(ch for ch in text if not unicodedata.combining(ch)))


def excel_variables(cb: Codebook) -> list[Variable]:
    """Form-A variables a district sheet carries (no keys, personal data or derived)."""
    skip = {"round_id", "district_code", "commune_code", "org_type"}
    return [v for v in cb.form("a") if v.in_form and not v.personal_data and v.name not in skip]


def excel_headers(variables: list[Variable]) -> tuple[list[str], dict[str, str]]:
    """Question headers as a district office types them, and the column_map they need."""
    headers, column_map = [], {}
    for i, v in enumerate(variables):
        label = v.label_vi
        short = label
        for long, abbr in ABBREVIATIONS:
            short = short.replace(long, abbr)
        if short != label and i % 2 == 0:
            headers.append(short)
            column_map[short] = v.name
        elif i % 4 == 1:
            headers.append(fold(label))
        else:
            headers.append(label)
    return headers, column_map


def _serial(iso: str) -> int:
    return (date.fromisoformat(iso) - date(1899, 12, 30)).days


def _vn_int(value: int) -> str:
    return f"{value:,}".replace(",", ".")


@dataclass
class SheetCell:
    """One cell value with an optional legacy font and its ledger entry."""

    value: Any
    font: str | None = None
    defect: tuple[str, str, str, str] | None = None  # (raw, true, kind, outcome)


def excel_cell(v: Variable, text: str, cb: Codebook, rng: np.random.Generator) -> SheetCell:
    """Turn one raw text value into what a district office types in that cell."""
    if text == "":
        return SheetCell(None)
    if v.base_type == "integer" or v.base_type == "decimal":
        return _excel_number(text)
    if v.base_type == "date":
        u = rng.random()
        d = date.fromisoformat(text)
        if u < 0.4:
            return SheetCell(datetime(d.year, d.month, d.day))
        if u < 0.75:
            dmy = d.strftime("%d/%m/%Y")
            return SheetCell(dmy, defect=(dmy, text, "date_text_dmy", "repaired"))
        return SheetCell(_serial(text), defect=(str(_serial(text)), text, "date_excel_serial",
                                                "repaired"))
    if v.base_type == "select_one":
        return SheetCell(cb.choice_label_vi(v.list_name or "", text))
    if v.base_type == "select_multiple":
        return SheetCell(", ".join(cb.choice_label_vi(v.list_name or "", c) for c in
                                   text.split()))
    return _excel_text(text, rng)


def _excel_number(text: str) -> SheetCell:
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return SheetCell(text)
    num = float(text)
    if num.is_integer():
        if num >= 1000:
            vn = _vn_int(int(num))
            return SheetCell(vn, defect=(vn, text, "vn_thousands_separator", "repaired"))
        return SheetCell(int(num))
    vn = text.replace(".", ",")
    return SheetCell(vn, defect=(vn, text, "vn_decimal_comma", "repaired"))


def _excel_text(text: str, rng: np.random.Generator) -> SheetCell:
    from danvan_survey.legacy_encodings import decode_tcvn3, encode_tcvn3, encode_vni

    if rng.random() >= RATES["legacy_encoding"]:
        return SheetCell(text)
    tcvn = encode_tcvn3(text)
    if rng.random() < 0.5 and decode_tcvn3(tcvn) == text:
        return SheetCell(tcvn, ".VnTime", (tcvn, text, "legacy_tcvn3", "repaired"))
    vni = encode_vni(text)
    return SheetCell(vni, "VNI-Times", (vni, text, "legacy_vni", "repaired"))


def commune_name_variant(name: str, ctype: str, rng: np.random.Generator,
                         others: list[str]) -> tuple[str, str | None, str | None]:
    """A commune name as typed in a district sheet → (text, font, defect kind or None)."""
    from danvan_survey.legacy_encodings import decode_tcvn3, encode_tcvn3

    bare = name[len(ctype):].strip() if name.startswith(ctype) else name
    abbr = {"Xã": "X.", "Thị trấn": "TT", "Phường": "P."}.get(ctype, "")
    u = rng.random()
    if u < 0.35:
        return name, None, None
    if u < 0.58:
        return bare, None, "name_without_prefix"
    if u < 0.70:
        return f"{abbr} {bare}" if abbr != "TT" else f"TT {bare}", None, "name_abbreviated_prefix"
    if u < 0.80:
        return fold(name if rng.random() < 0.5 else bare), None, "name_without_diacritics"
    if u < 0.88:
        return unicodedata.normalize("NFD", name), None, "name_nfd"
    if u < 0.94:
        typo = _typo(bare, rng, others)
        if typo:
            return typo, None, "name_typo"
        return bare, None, "name_without_prefix"
    tcvn = encode_tcvn3(name)
    if decode_tcvn3(tcvn) == name and tcvn != name:
        return tcvn, ".VnTime", "name_tcvn3"
    return bare, None, "name_without_prefix"


def _typo(bare: str, rng: np.random.Generator, others: list[str]) -> str | None:
    """Drop one diacritic-free letter or tone mark; keep the match unique (rapidfuzz)."""
    from rapidfuzz import fuzz, process

    nfd = unicodedata.normalize("NFD", bare)
    marks = [i for i, ch in enumerate(nfd) if unicodedata.combining(ch)]
    if marks:
        i = marks[int(rng.integers(0, len(marks)))]
        typo = unicodedata.normalize("NFC", nfd[:i] + nfd[i + 1:])
    else:
        letters = [i for i, ch in enumerate(bare) if ch.isalpha() and i > 0]
        if not letters:
            return None
        i = letters[int(rng.integers(0, len(letters)))]
        typo = bare[:i] + bare[i + 1:]
    best = process.extract(fold(typo).lower(), [fold(o).lower() for o in others],
                           scorer=fuzz.WRatio, limit=2)
    target = fold(bare).lower()
    ok = best and best[0][0] == target and (len(best) < 2 or best[0][1] - best[1][1] >= 5)
    return typo if ok and typo != bare else None


def ambiguous_name(names: list[str]) -> str | None:
    """A truncated name matching two communes of the district equally well."""
    bares = [re.sub(r"^(Xã|Phường|Thị trấn)\s+", "", n) for n in names]
    for i, a in enumerate(bares):
        for b in bares[i + 1:]:
            wa, wb = a.split(), b.split()
            if len(wa) == 2 and len(wb) == 2 and wa[0] == wb[0] and wa[1][:2] == wb[1][:2]:
                return f"Xã {wa[0]} {wa[1][:2]}."
    for i, a in enumerate(bares):
        for b in bares[i + 1:]:
            if a.split()[0] == b.split()[0] and len(a.split()) > 1:
                return f"Xã {a.split()[0]}"
    return None


def _sheet_header(ws: Any, cb: Codebook, variables: list[Variable], headers: list[str],
                  dname: str) -> None:
    """Title rows and the merged two-row header of a district sheet."""
    from openpyxl.styles import Alignment, Font

    ncol = 3 + len(variables)
    ws.cell(1, 1, f"BÁO CÁO TỔNG HỢP KHẢO SÁT TỔ CHỨC CƠ SỞ NĂM 2014 - {dname.upper()} "
                  "(DỮ LIỆU MÔ PHỎNG)").font = Font(bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    ws.cell(2, 1, "(Kèm theo báo cáo của Ban Dân vận huyện ủy — số liệu mô phỏng, không có thật)")
    for col, text in ((1, "STT"), (2, "Xã/phường/thị trấn"), (3, "Tổ chức")):
        ws.cell(3, col, text).font = Font(bold=True)
        ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    start = 4
    for group, n in _group_runs(variables):
        label = next((r["label::Vietnamese (vi)"] for r in cb.survey_rows["a"]
                      if r["type"] == "begin_group" and r["name"] == group), group)
        ws.cell(3, start, label).font = Font(bold=True)
        if n > 1:
            ws.merge_cells(start_row=3, start_column=start, end_row=3, end_column=start + n - 1)
        start += n
    for j, h in enumerate(headers):
        ws.cell(4, 4 + j, h).alignment = Alignment(wrap_text=True)


def _sheet_values(ws: Any, r: int, rec: dict[str, Any], variables: list[Variable],
                  cb: Codebook, rng: np.random.Generator, led: Ledger,
                  totals: np.ndarray) -> None:
    """Question cells of one record row (numbers, dates, labels, legacy fonts)."""
    from openpyxl.styles import Font

    rid = int(rec["_rid"])
    for j, v in enumerate(variables):
        cell = excel_cell(v, str(rec[v.name]), cb, rng)
        c = ws.cell(r, 4 + j, cell.value)
        if isinstance(cell.value, datetime):
            c.number_format = "dd/mm/yyyy"
        if isinstance(cell.value, int) and v.base_type == "integer":
            totals[j] += cell.value
        if cell.font:
            c.font = Font(name=cell.font)
        if cell.defect:
            led.add(np.array([rid]), v.name, *cell.defect)


def _sheet_keys(ws: Any, r: int, rec: dict[str, Any], names: pd.DataFrame, org_label: str,
                amb: str | None, district_names: list[str], rng: np.random.Generator,
                led: Ledger) -> None:
    """Commune name and organisation cells of one record row, typed freely."""
    from openpyxl.styles import Font

    rid = int(rec["_rid"])
    name = str(names.loc[rec["commune_code"], "commune_name"])
    ctype = str(names.loc[rec["commune_code"], "commune_type"])
    font: str | None
    kind: str | None
    if amb is not None:
        text, font, kind = amb, None, "name_ambiguous"
    else:
        text, font, kind = commune_name_variant(name, ctype, rng, district_names)
    c = ws.cell(r, 2, text)
    if font:
        c.font = Font(name=font)
    if kind:
        led.add(np.array([rid]), "commune_code", text, rec["commune_code"], kind,
                "quarantined" if kind == "name_ambiguous" else "repaired")
    if rng.random() < 0.1:
        led.add(np.array([rid]), "org_type", fold(org_label), rec["org_type"],
                "org_label_without_diacritics", "repaired")
        org_label = fold(org_label)
    ws.cell(r, 3, org_label)


def write_district_excel(rows: pd.DataFrame, frame: pd.DataFrame, district: str, cb: Codebook,
                         rng: np.random.Generator, path: Path, led: Ledger,
                         avoid: set[int] | None = None) -> dict[str, Any]:
    """Write one consolidated district sheet; return row map and counts."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    variables = excel_variables(cb)
    headers, column_map = excel_headers(variables)
    dname = frame.loc[frame["district_code"] == district, "district_name"].iloc[0]
    wb = Workbook()
    ws = wb.active
    ws.title = EXCEL_SHEET
    _sheet_header(ws, cb, variables, headers, dname)
    names = frame.set_index("commune_code")
    district_names = frame.loc[frame["district_code"] == district, "commune_name"].tolist()
    org_labels = _label_of(cb, "org_type")
    rowmap, totals = [], np.zeros(len(variables))
    amb = ambiguous_name(district_names)
    free = [r for r in rows["_rid"].tolist() if r not in (avoid or set())] or rows["_rid"].tolist()
    amb_rid = int(free[int(rng.integers(0, len(free)))]) if amb else -1
    for i, rec in enumerate(rows.to_dict("records")):
        r = 5 + i
        ws.cell(r, 1, i + 1)
        _sheet_keys(ws, r, rec, names, org_labels[rec["org_type"]],
                    amb if int(rec["_rid"]) == amb_rid else None, district_names, rng, led)
        _sheet_values(ws, r, rec, variables, cb, rng, led, totals)
        rowmap.append((int(rec["_rid"]), r))
    last = 5 + len(rows)
    ws.cell(last, 2, "Tổng cộng").font = Font(bold=True)
    for j, v in enumerate(variables):
        if v.base_type == "integer":
            ws.cell(last, 4 + j, int(totals[j]))
    ws.cell(last + 2, 1, "Ghi chú: số liệu do các xã, thị trấn báo cáo; huyện tổng hợp. "
                         "ĐÂY LÀ DỮ LIỆU MÔ PHỎNG (SYNTHETIC), không phải số liệu thật.")
    ws.cell(last + 3, 1, "Người lập biểu")
    path.write_bytes(deterministic_xlsx(wb))
    return {"rowmap": rowmap, "column_map": column_map, "amb_rid": amb_rid, "amb_text": amb,
            "skipped_rows": 3}


def _group_runs(variables: list[Variable]) -> list[tuple[str, int]]:
    runs: list[tuple[str, int]] = []
    for v in variables:
        g = v.group or ""
        if runs and runs[-1][0] == g:
            runs[-1] = (g, runs[-1][1] + 1)
        else:
            runs.append((g, 1))
    return runs


def deterministic_xlsx(wb: Any) -> bytes:
    """Save an openpyxl workbook with fixed document and zip timestamps."""
    wb.properties.creator = "danvan-survey demo (SYNTHETIC)"
    wb.properties.created = FIXED_DOC_TIME
    buf = io.BytesIO()
    wb.save(buf)
    stamp = FIXED_DOC_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                              rf"\g<1>{stamp}\g<3>", text)
                data = text.encode("utf-8")
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zout.writestr(info, data)
    return out.getvalue()


