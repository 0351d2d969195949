"""Test helper: a KoboToolbox-style export built from the XLSForm structure.

Not a reader: it produces what KoboToolbox would export for given records, so the
ingest's Kobo reader can be tested against both header styles.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from danvan_survey.codebook import Codebook, FormId, Variable, load_codebook
from danvan_survey.forms.common import in_form_variables

HeaderStyle = Literal["xml", "label"]
META_COLUMNS = ("_id", "_uuid", "_submission_time", "_validation_status", "_status",
                "__version__", "_index")


def _value(var: Variable, raw: object, cb: Codebook, style: HeaderStyle) -> str:
    text = "" if raw is None or (isinstance(raw, float) and pd.isna(raw)) else str(raw)
    if style == "xml" or not text or not var.is_select or not var.list_name:
        return text
    codes = text.split() if var.base_type == "select_multiple" else [text]
    return " ".join(cb.choice_label_vi(var.list_name, c) for c in codes)


def _header(var: Variable, style: HeaderStyle) -> str:
    return var.xml_path if style == "xml" else var.label_vi


def _option_header(var: Variable, code: str, label: str, style: HeaderStyle) -> str:
    return f"{var.xml_path}/{code}" if style == "xml" else f"{var.label_vi}/{label}"


def _columns_of(var: Variable, raw: object, cb: Codebook, style: HeaderStyle) -> dict[str, str]:
    out = {_header(var, style): _value(var, raw, cb, style)}
    if var.base_type == "select_multiple" and var.list_name:
        chosen = set(_value(var, raw, cb, "xml").split())
        for choice in cb.choices[var.list_name]:
            flag = "" if not chosen else ("1" if choice.code in chosen else "0")
            out[_option_header(var, choice.code, choice.label_vi, style)] = flag
    return out


def make_kobo_export(form: FormId, records: pd.DataFrame,
                     header_style: HeaderStyle = "xml") -> pd.DataFrame:
    """Kobo-style export of ``records`` (codebook names, codes as text).

    ``header_style="xml"``: XML names with group prefixes (``grp_members/n_branches``),
    codes as values. ``"label"``: Vietnamese labels as headers and choice labels as values
    (multiple choices joined by a space, as Kobo does). select_multiple questions get one
    column plus one 0/1 column per option. Meta columns ``_uuid``, ``_submission_time``,
    ``__version__``, ``_index`` follow.
    """
    if header_style not in ("xml", "label"):
        raise ValueError("header_style must be 'xml' or 'label'")
    cb = load_codebook()
    variables = in_form_variables(cb, form)
    version = cb.settings[form].get("version", "")
    rows = []
    for i, rec in enumerate(records.to_dict("records"), 1):
        row = {"start": str(rec.get("start", "") or ""), "end": str(rec.get("end", "") or "")}
        for var in variables:
            row.update(_columns_of(var, rec.get(var.name), cb, header_style))
        row.update({
            "_id": str(i), "_uuid": str(rec.get("_uuid", "") or f"uuid-{form}-{i:05d}"),
            "_submission_time": str(rec.get("_submission_time", "") or ""),
            "_validation_status": "", "_status": "submitted_via_web",
            "__version__": str(rec.get("_form_version", "") or version), "_index": str(i),
        })
        rows.append(row)
    columns = list(rows[0]) if rows else ["start", "end", *META_COLUMNS]
    return pd.DataFrame(rows, columns=columns, dtype="str")
