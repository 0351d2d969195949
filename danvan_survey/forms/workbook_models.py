"""The DVK model roster in the commune workbook: one sheet, one row per model.

Like the cadre roster: a hidden key row names each column's variable (``_key_models``
then the variable names), a ``_data_below`` marker ends the header, answer cells are
yellow with dropdowns from the codebook lists. The organisation is a column (the roster
lists the models of every organisation of the commune). :func:`add_models_sheet` is
called by :func:`danvan_survey.forms.workbook.build_workbook`; :func:`model_records` by
:func:`danvan_survey.forms.read_workbooks.read_book`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from danvan_survey.codebook import Codebook, FormId, Variable
from danvan_survey.config import RoundConfig
from danvan_survey.forms.common import question_numbers

TABLE: FormId = "a_models"
MODELS_SHEET = "A - Mô hình Dân vận khéo"
KEY_M = "_key_models"
MODEL_ROWS = 40
#: Filled from the workbook identity (``_meta``), not asked on the roster.
IDENTITY = ("round_id", "district_code", "commune_code")
#: Columns of the raw model table read back (before the provenance columns).
MODEL_COLUMNS = [*IDENTITY, "org_type", "model_no", "model_name", "model_field", "model_level",
                 "model_year", "model_replicated", "model_replicated_places",
                 "model_replicated_where", "_parent_file", "_parent_uuid", "_parent_row"]


def model_columns(cb: Codebook) -> list[Variable]:
    """Columns of the roster: the organisation, then the asked roster questions."""
    return [cb.var(TABLE, "org_type"), *cb.roster_questions(TABLE)]


def add_models_sheet(wb: Workbook, cb: Codebook, round_cfg: RoundConfig, commune: Any,
                     lists: dict[str, str]) -> None:
    """Write the model roster sheet (one row per model, key row hidden on top)."""
    from danvan_survey.forms import workbook as w

    ws = wb.create_sheet(MODELS_SHEET)
    variables = model_columns(cb)
    numbers = {"org_type": "M0", **question_numbers(cb, TABLE)}
    last = len(variables) + 1
    ws.cell(row=1, column=1, value=KEY_M)
    for col, var in enumerate(variables, 2):
        ws.cell(row=1, column=col, value=var.name)
    ws.row_dimensions[1].hidden = True
    title = (f"PHIẾU A (tiếp) — {cb.settings['a']['form_title']}: mô hình “Dân vận khéo” "
             "đã được công nhận (mỗi mô hình một dòng)")
    w._title_block(ws, title, commune, round_cfg, min(last, 10))
    head = {"font": w._font(bold=True, color="FFFFFF"), "fill": w.FILL_HEAD, "border": w.BORDER}
    hint = {"font": w._font(size=8, color="404040"), "fill": w.FILL_SECTION, "border": w.BORDER}
    w._put(ws, 4, 1, "STT", **head)
    w._put(ws, 5, 1, None, border=w.BORDER, fill=w.FILL_SECTION)
    ws.cell(row=5, column=last + 1, value=w.DATA_BELOW)
    for col, var in enumerate(variables, 2):
        w._put(ws, 4, col, f"{numbers[var.name]}. {var.label_vi}", **head)
        w._put(ws, 5, col, _hint(var, cb, round_cfg), **hint)
    ws.row_dimensions[4].height = 45
    ws.row_dimensions[5].height = 36
    first, end = 6, 6 + MODEL_ROWS - 1
    for r in range(first, end + 1):
        w._put(ws, r, 1, r - first + 1, border=w.BORDER)
        for col, var in enumerate(variables, 2):
            w._put(ws, r, col, None, border=w.BORDER, fill=w.FILL_ANSWER,
                   protection=w.UNLOCKED, number_format=w._number_format(var))
    for col, var in enumerate(variables, 2):
        dv = w._validation(var, round_cfg, lists)
        if dv is not None:
            letter = get_column_letter(col)
            dv.add(f"{letter}{first}:{letter}{end}")
            ws.add_data_validation(dv)
    widths = (5,) + tuple(_width(v) for v in variables)
    w._finish_sheet(ws, widths, freeze="C6")
    ws.print_title_rows = "4:5"


def _width(var: Variable) -> int:
    return {"model_name": 40, "model_replicated_where": 30, "org_type": 22}.get(
        var.name, 16 if var.is_select else 12)


def _hint(var: Variable, cb: Codebook, round_cfg: RoundConfig) -> str:
    from danvan_survey.forms.workbook import _short_hint

    if var.name == "org_type":
        return "Chọn tổ chức có mô hình"
    if var.relevant:
        return _short_hint(var, cb, round_cfg) + "; chỉ ghi khi đã nhân rộng"
    return _short_hint(var, cb, round_cfg)


def _org_code(text: str, cb: Codebook) -> str:
    """The org_type code of a typed code or label (the text itself when neither)."""
    for c in cb.choices.get("org_type", ()):
        if text.strip() in {c.code, c.label_vi}:
            return c.code
    return text


def model_records(meta: dict[str, str], ws: Worksheet, cb: Codebook,
                  read: Callable[[int, int], str], find: Callable[[Worksheet, str], Any],
                  provenance: Callable[[str, int, str], dict[str, str]],
                  ) -> Iterator[dict[str, str]]:
    """Raw records of the model roster sheet (rows with any answer), in row order.

    Each record gets the workbook's identity, its position among the rows of the same
    organisation (``model_no``) and the link to its parent form-A record of this workbook
    (``_parent_uuid`` as the form-A reader builds it).
    """
    found = find(ws, KEY_M)
    if found is None:
        return
    r0, _ = found
    names = {v.name for v in model_columns(cb)}
    columns = {c: str(ws.cell(row=r0, column=c).value or "") for c in range(1, ws.max_column + 1)}
    columns = {c: n for c, n in columns.items() if n in names}
    below = find(ws, "_data_below")
    start = below[0] + 1 if below else r0 + 5
    seen: dict[str, int] = {}
    for r in range(start, ws.max_row + 1):
        values = {n: read(r, c) for c, n in columns.items()}
        if not any(v.strip() for v in values.values()):
            continue
        org = _org_code(values.get("org_type", ""), cb)
        seen[org] = seen.get(org, 0) + 1
        parent = f"wb|{meta['round_id']}|{meta['commune_code']}|{org}"
        record = {n: meta.get(n, "") for n in IDENTITY} | values
        link = {"model_no": str(seen[org]), "_parent_uuid": parent, "_parent_row": ws.title}
        yield record | link | provenance(ws.title, r, f"{parent}#{r}")
