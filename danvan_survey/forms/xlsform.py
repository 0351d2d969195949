"""XLSForm (KoboToolbox / ODK Collect) built from the codebook for one round."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook

from danvan_survey.codebook import EN, REPEATS, VI, Codebook, FormId, load_codebook
from danvan_survey.config import RoundConfig
from danvan_survey.forms.common import (
    normalise_office_zip,
    replace_dot,
    round_communes,
    translate_expr,
)
from danvan_survey.vintage import is_2025

SURVEY_COLUMNS = (
    "type", "name", VI, EN, "hint::Vietnamese (vi)", "hint::English (en)", "required",
    "required_message::Vietnamese (vi)", "required_message::English (en)", "relevant",
    "constraint", "constraint_message::Vietnamese (vi)", "constraint_message::English (en)",
    "appearance", "choice_filter", "default", "read_only",
)
CHOICE_COLUMNS = ("list_name", "name", VI, EN, "district")
SETTINGS_COLUMNS = (
    "form_title", "form_id", "version", "default_language", "instance_name", "style",
)
REQUIRED_MESSAGE = ("Câu hỏi bắt buộc; vui lòng trả lời.", "This question is required.")
CONSTRAINT_EN = "Answer not accepted: {label} ({rule})."
_WARN_EN = "⚠ Please confirm: {label}"
_MULTI_HINT = ("Có thể chọn nhiều phương án.", "Several answers allowed.")


def survey_rows(cb: Codebook, form: FormId, round_cfg: RoundConfig) -> list[dict[str, str]]:
    """Rows of the XLSForm ``survey`` sheet for one form."""
    rows: list[dict[str, str]] = []
    asked = {t: {v.name for v in cb.form(t) if v.in_form} for t in _tables_of(form)}
    table: FormId = form
    no_district = is_2025(round_cfg.admin_vintage)
    for row in cb.survey_rows[form]:
        base = row["type"].split()[0] if row["type"] else ""
        if base == "begin_repeat":
            table = next(t for t, (p, name) in REPEATS.items() if p == form and name == row["name"])
        if base in {"begin_group", "end_group", "begin_repeat", "end_repeat", "start", "end"}:
            rows.append(_structure_row(row, base))
        elif no_district and row["name"] == "district_code":
            continue  # 2025 units: no districts; the former district follows from the commune
        elif row["name"] in asked[table]:
            q_rows = _question_rows(row, round_cfg)
            if no_district and row["name"] == "commune_code":
                q_rows[0]["choice_filter"] = ""
                q_rows[0]["appearance"] = "minimal autocomplete"
            rows.extend(q_rows)
        if base == "end_repeat":
            table = form
    return rows


def _tables_of(form: FormId) -> list[FormId]:
    """The form and its repeat tables."""
    return [form, *(t for t, (parent, _) in REPEATS.items() if parent == form)]


def _structure_row(row: dict[str, str], base: str) -> dict[str, str]:
    out = {"type": row["type"], "name": row["name"]}
    if base in {"begin_group", "begin_repeat"}:
        out.update({VI: row[VI], EN: row[EN], "appearance": row.get("appearance", "")})
        out["relevant"] = row.get("relevant", "")
        out["hint::Vietnamese (vi)"] = row.get("hint::Vietnamese (vi)", "")
    return out


def _question_rows(row: dict[str, str], round_cfg: RoundConfig) -> list[dict[str, str]]:
    """Return the question row, plus a note row that shows a failing soft check."""
    name = row["name"]
    hint_vi, hint_en = row.get("hint::Vietnamese (vi)", ""), ""
    if row["type"].startswith("select_multiple"):
        hint_vi = " ".join(h for h in (hint_vi, _MULTI_HINT[0]) if h)
        hint_en = _MULTI_HINT[1]
    constraint = translate_expr(row.get("constraint", ""), round_cfg) or ""
    required = row.get("required", "").lower() in {"yes", "true", "1"}
    q = {
        "type": row["type"], "name": name, VI: row[VI], EN: row[EN],
        "hint::Vietnamese (vi)": hint_vi, "hint::English (en)": hint_en,
        "required": "yes" if required else "",
        "required_message::Vietnamese (vi)": REQUIRED_MESSAGE[0] if required else "",
        "required_message::English (en)": REQUIRED_MESSAGE[1] if required else "",
        "relevant": row.get("relevant", ""),
        "constraint": constraint,
        "constraint_message::Vietnamese (vi)": (
            row.get("constraint_message::Vietnamese (vi)", "") if constraint else ""
        ),
        "constraint_message::English (en)": (
            CONSTRAINT_EN.format(label=row[EN], rule=re.sub(r"\$\{(\w+)\}", r"\1", constraint))
            if constraint
            else ""
        ),
        "appearance": row.get("appearance", ""),
        "choice_filter": row.get("choice_filter", ""),
    }
    if name == "round_id":
        q.update({"default": round_cfg.round_id, "read_only": "yes"})
    if name == "commune_code" and not q["appearance"]:
        q["appearance"] = "minimal"
    rows = [q]
    note = _warning_note(row, round_cfg)
    if note:
        rows.append(note)
    return rows


def _warning_note(row: dict[str, str], round_cfg: RoundConfig) -> dict[str, str] | None:
    """Soft check → a note shown only when the check fails (never blocks the form)."""
    warning = translate_expr(row.get("warning", ""), round_cfg)
    message = row.get("warning_message::Vietnamese (vi)", "")
    if not warning or not message:
        return None
    name = row["name"]
    failing = f"not({replace_dot(warning, name)})"
    relevant = f"string-length(string(${{{name}}})) > 0 and {failing}"
    if row.get("relevant"):
        relevant = f"({row['relevant']}) and {relevant}"
    return {
        "type": "note", "name": f"warn_{name}", VI: f"⚠ {message}",
        EN: _WARN_EN.format(label=row[EN]), "relevant": relevant,
    }


def choice_rows(cb: Codebook, round_cfg: RoundConfig) -> list[dict[str, str]]:
    """Rows of the ``choices`` sheet: codebook lists plus district/commune of the vintage."""
    rows = [
        {"list_name": name, "name": c.code, VI: c.label_vi, EN: c.label_en or c.label_vi}
        for name, items in cb.choices.items()
        for c in items
    ]
    frame = round_communes(round_cfg)
    districts = frame.drop_duplicates("district_code")
    if is_2025(round_cfg.admin_vintage):  # communes listed directly, former district shown
        return rows + [
            {"list_name": "commune", "name": r.commune_code,
             VI: f"{r.commune_name} ({r.district_name})",
             EN: f"{r.commune_name} ({r.district_name})", "district": r.district_code}
            for r in frame.itertuples()
        ]
    rows += [
        {"list_name": "district", "name": r.district_code, VI: r.district_name,
         EN: r.district_name}
        for r in districts.itertuples()
    ]
    rows += [
        {"list_name": "commune", "name": r.commune_code, VI: r.commune_name,
         EN: r.commune_name, "district": r.district_code}
        for r in frame.itertuples()
    ]
    return rows


def settings_row(cb: Codebook, form: FormId) -> dict[str, str]:
    """Return the single row of the ``settings`` sheet."""
    s = cb.settings[form]
    key = "${commune_code}" + (", '-', ${org_type}" if form == "a" else ", '-', ${cadre_id}")
    return {
        "form_title": s["form_title"], "form_id": s["form_id"], "version": s["version"],
        "default_language": s.get("default_language", "Vietnamese (vi)"),
        "instance_name": f"concat({key})", "style": "pages",
    }


def _sheet(wb: Workbook, title: str, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    ws = wb.create_sheet(title)
    ws.append(list(columns))
    for row in rows:
        ws.append([row.get(c, "") or None for c in columns])


def write_xlsform(form: FormId, round_cfg: RoundConfig, path: Path) -> Path:
    """Write the XLSForm of one form for a round to ``path`` (byte-reproducible)."""
    cb = load_codebook()
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "survey", SURVEY_COLUMNS, survey_rows(cb, form, round_cfg))
    _sheet(wb, "choices", CHOICE_COLUMNS, choice_rows(cb, round_cfg))
    _sheet(wb, "settings", SETTINGS_COLUMNS, [settings_row(cb, form)])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    normalise_office_zip(path)
    return path


def build_xlsforms(round_cfg: RoundConfig, out_dir: Path) -> list[Path]:
    """Write both XLSForms into ``out_dir`` (named after the codebook form_id)."""
    cb = load_codebook()
    return [
        write_xlsform(f, round_cfg, out_dir / f"{cb.settings[f]['form_id']}.xlsx")
        for f in ("a", "b")
    ]
