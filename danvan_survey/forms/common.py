"""Helpers shared by the form generators: expressions, numbering, sections, xlsx output."""

from __future__ import annotations

import ast
import hashlib
import operator
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from danvan_survey.codebook import Codebook, FormId, Variable
from danvan_survey.config import RoundConfig
from danvan_survey.vintage import district_label, is_2025, round_frame

#: Marker written in the hidden ``_meta`` sheet of every commune workbook.
WORKBOOK_MARKER = "danvan_survey.commune_workbook"
#: Fixed timestamp used in every generated office file (byte-reproducible output).
FIXED_STAMP = "2000-01-01T00:00:00Z"
FORM_LETTER: dict[FormId, str] = {"a": "A", "b": "B", "a_models": "M"}
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
_DROPPED = ("in_admin_vintage", "same_in_commune", "has_form_a", "em_area_of_commune")
_STRING = re.compile(r"'[^']*'|\"[^\"]*\"")
_DOT = re.compile(r"(?<![\w.})])\.(?![\w.])")
PERSONAL_VI = {
    "drop": "Dữ liệu cá nhân: bị loại bỏ, không bao giờ vào dữ liệu sạch hay bảng xuất",
    "pseudonymise": "Dữ liệu cá nhân: thay bằng mã băm có muối trước khi vào dữ liệu sạch",
}


@dataclass(frozen=True)
class Section:
    """A group of the questionnaire: name, Vietnamese and English titles, its questions."""

    name: str
    label_vi: str
    label_en: str
    variables: tuple[Variable, ...]


def _outside_strings(expr: str, fn: Callable[[str], str]) -> str:
    """Apply ``fn`` to the parts of ``expr`` outside quoted strings."""
    out, pos = [], 0
    for m in _STRING.finditer(expr):
        out.append(fn(expr[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(fn(expr[pos:]))
    return "".join(out)


def translate_expr(expr: str, round_cfg: RoundConfig) -> str | None:
    """Translate pipeline context functions for a form; None when it cannot be expressed.

    ``round_year()`` becomes the round's year, ``in_round_window(.)`` a date range;
    any other context function makes the whole expression untranslatable (dropped).
    """
    if not expr.strip():
        return ""
    if any(f"{name}(" in expr for name in _DROPPED):
        return None
    start, end = round_cfg.period_start.isoformat(), round_cfg.period_end.isoformat()

    def fix(part: str) -> str:
        part = re.sub(r"round_year\(\s*\)", str(round_cfg.reference_year), part)
        part = re.sub(r"org_top_level\(\s*\)", "${dvk_top_level}", part)
        return re.sub(
            r"in_round_window\(\s*\.\s*\)",
            f"(. >= date('{start}') and . <= date('{end}'))",
            part,
        )

    return _outside_strings(expr, fix)


def replace_dot(expr: str, name: str) -> str:
    """Replace the ``.`` (current value) of an expression by ``${name}``."""
    return _outside_strings(expr, lambda part: _DOT.sub("${" + name + "}", part))


_OPS: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
}


def _arith(node: ast.AST) -> float:
    if isinstance(node, ast.Expression):
        return _arith(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_arith(node.operand)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_arith(node.left), _arith(node.right))
    raise ValueError("not constant arithmetic")


def constant_bounds(expr: str) -> tuple[float | None, float | None]:
    """Constant lower/upper bounds of ``.`` in a (translated) constraint, if any."""
    low: float | None = None
    high: float | None = None
    for part in re.split(r"\s+and\s+", expr.strip()):
        m = re.fullmatch(r"\(?\s*\.\s*(>=|<=)\s*([0-9.\s+\-*]+?)\s*\)?", part.strip())
        if not m:
            continue
        try:
            value = _arith(ast.parse(m.group(2), mode="eval"))
        except (ValueError, SyntaxError):
            continue
        if m.group(1) == ">=":
            low = value if low is None else max(low, value)
        else:
            high = value if high is None else min(high, value)
    return low, high


def static_relevance(expr: str, org_type: str) -> bool | None:
    """Evaluate a relevance that depends only on ``org_type``; None if it depends on more."""
    m = re.fullmatch(r"\s*\$\{org_type\}\s*(!?=)\s*'(\w+)'\s*", expr)
    if not m:
        return None
    return (org_type == m.group(2)) == (m.group(1) == "=")


def in_form_variables(cb: Codebook, form: FormId) -> list[Variable]:
    """Variables asked on the form (``in_form`` rows only), in questionnaire order."""
    return [v for v in cb.form(form) if v.in_form]


def sections(cb: Codebook, form: FormId) -> list[Section]:
    """Return the groups of the form with their asked variables, in order."""
    by_name = {v.name: v for v in in_form_variables(cb, form)}
    out: list[Section] = []
    current: dict[str, str] | None = None
    members: list[Variable] = []
    in_repeat = 0  # rows of a repeat group belong to its own table (see Codebook.roster)
    for row in cb.survey_rows[form]:
        base = row["type"].split()[0] if row["type"] else ""
        if base in {"begin_repeat", "end_repeat"}:
            in_repeat += 1 if base == "begin_repeat" else -1
        elif in_repeat:
            continue
        elif base == "begin_group":
            current, members = row, []
        elif base == "end_group" and current is not None:
            out.append(Section(current["name"], current["label::Vietnamese (vi)"],
                               current["label::English (en)"], tuple(members)))
            current = None
        elif row["name"] in by_name:
            members.append(by_name[row["name"]])
    return out


def question_numbers(cb: Codebook, form: FormId) -> dict[str, str]:
    """Question number shown on the workbook and the paper form (``A1``, ``A2``, ...)."""
    letter = FORM_LETTER[form]
    return {v.name: f"{letter}{i}" for i, v in enumerate(in_form_variables(cb, form), 1)}


def round_communes(round_cfg: RoundConfig) -> pd.DataFrame:
    """Communes of the round's province in its admin vintage, sorted by district and code."""
    frame = round_frame(round_cfg)
    return frame.sort_values(["district_code", "commune_code"]).reset_index(drop=True)


def question_label_vi(var: Variable, round_cfg: RoundConfig) -> str:
    """Vietnamese question label, with the district question renamed for 2025 rounds."""
    if var.name == "district_code" and is_2025(round_cfg.admin_vintage):
        return f"{district_label(round_cfg).capitalize()} — không cần ghi, để đối chiếu"
    return var.label_vi


def form_version(cb: Codebook, form: FormId) -> str:
    """Form version from the codebook settings."""
    return cb.settings[form].get("version", "")


def workbook_checksum(round_id: str, commune_code: str, versions: str) -> str:
    """Checksum tying a workbook's ``_meta`` values together (detects foreign workbooks)."""
    text = f"{WORKBOOK_MARKER}|{round_id}|{commune_code}|{versions}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def normalise_office_zip(path: Path) -> None:
    """Rewrite an .xlsx so it is byte-reproducible: fixed dates in docProps and zip entries."""
    with zipfile.ZipFile(path) as zin:
        items = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for name, data in sorted(items, key=lambda item: _zip_order(item[0])):
            if name == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                              rf"\g<1>{FIXED_STAMP}\g<3>", text)
                data = text.encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zout.writestr(info, data)


def _zip_order(name: str) -> tuple[int, str]:
    """Keep ``[Content_Types].xml`` first, as Office expects."""
    return (0 if name == "[Content_Types].xml" else 1, name)


def safe_filename(text: str) -> str:
    """ASCII file-name fragment from a Vietnamese name (Mũi Né → Mui_Ne)."""
    import unicodedata

    text = text.replace("Đ", "D").replace("đ", "d")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9]+", "_", ascii_text).strip("_")


TYPE_VI = {
    "integer": "số nguyên", "decimal": "số (có thể lẻ)", "text": "chữ", "date": "ngày",
    "select_one": "chọn một", "select_multiple": "chọn nhiều",
}
MULTI_SEPARATOR = ";"


def _choice_label(cb: Codebook, var: Variable | None, code: str) -> str:
    if var is None or not var.list_name:
        return code
    return cb.choice_label_vi(var.list_name, code)


def describe_relevance(expr: str, cb: Codebook, form: FormId) -> str:
    """Vietnamese sentence for a skip rule (``Chỉ trả lời khi ...``); "" if none."""
    if not expr.strip():
        return ""
    numbers = question_numbers(cb, form)
    variables = {v.name: v for v in cb.form(form)}

    def ref(name: str) -> str:
        return f"câu {numbers.get(name, name)}"

    def sub(m: re.Match[str]) -> str:
        name, op, code = m.group(1), m.group(2), m.group(3)
        if name == "org_type":
            label = cb.choice_label_vi("org_type", code)
            return f"tổ chức là {label}" if op == "=" else f"tổ chức không phải {label}"
        label = _choice_label(cb, variables.get(name), code)
        return f"{ref(name)} {'là' if op == '=' else 'khác'} “{label}”"

    text = re.sub(r"\$\{(\w+)\}\s*(!?=)\s*'?([\w-]+)'?", sub, expr)
    text = re.sub(
        r"selected\(\s*\$\{(\w+)\}\s*,\s*'([\w-]+)'\s*\)",
        lambda m: f"{ref(m.group(1))} có chọn “"
        f"{_choice_label(cb, variables.get(m.group(1)), m.group(2))}”",
        text,
    )
    text = text.replace(" and ", " và ").replace(" or ", " hoặc ")
    return f"Chỉ trả lời khi {text}."


def answer_range(var: Variable, round_cfg: RoundConfig) -> tuple[float | None, float | None]:
    """Constant bounds of a numeric question (None when the codebook gives none)."""
    expr = translate_expr(var.constraint, round_cfg) or ""
    return constant_bounds(expr)


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")


def describe_answer(var: Variable, cb: Codebook, round_cfg: RoundConfig) -> str:
    """How to answer (type, range, choices), in Vietnamese."""
    if var.is_select and var.list_name in cb.choices:
        options = "; ".join(f"{c.code} = {c.label_vi}" for c in cb.choices[var.list_name])
        if var.base_type == "select_multiple":
            return (f"Chọn nhiều: ghi các mã hoặc tên, cách nhau bởi dấu "
                    f"“{MULTI_SEPARATOR}”. {options}.")
        return f"Chọn một trong danh sách (hoặc ghi mã): {options}."
    if var.base_type in {"integer", "decimal"}:
        low, high = answer_range(var, round_cfg)
        kind = TYPE_VI[var.base_type].capitalize()
        if low is not None and high is not None:
            return f"{kind} từ {_fmt(low)} đến {_fmt(high)}."
        if low is not None:
            return f"{kind}, từ {_fmt(low)} trở lên."
        return f"{kind}."
    if var.base_type == "date":
        return (f"Ngày (ngày/tháng/năm), trong thời gian đợt khảo sát "
                f"{round_cfg.period_start:%d/%m/%Y}–{round_cfg.period_end:%d/%m/%Y}.")
    return "Ghi bằng chữ."


def guidance(var: Variable, cb: Codebook, round_cfg: RoundConfig) -> str:
    """Full guidance of a question for the workbook and the paper form."""
    parts = [var.hint_vi, describe_answer(var, cb, round_cfg)]
    parts.append(describe_relevance(var.relevant, cb, var.form))
    if var.constraint_message and not var.constraint.startswith("in_admin_vintage"):
        parts.append(f"Kiểm tra: {var.constraint_message}")
    if var.warning_message:
        parts.append(f"Lưu ý: {var.warning_message}")
    if var.personal_data:
        parts.append("Thông tin cá nhân: chỉ dùng để liên hệ, không công bố.")
    return " ".join(p for p in parts if p)
