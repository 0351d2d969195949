"""Clean: raw record tables → typed records, with a cleaning-log row for every change.

Each step is a function of frames; nothing here reads or writes files. Values are
converted per *unique* raw value (fast on a million rows), and every value that changes
gets one log row: record key, source file/sheet/row, variable, old value, new value,
rule, action. Problems that make a record untrustworthy are returned as *hard issues*
(the record is quarantined by :mod:`danvan_survey.validate`), never silently dropped.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from danvan_survey.cell_fonts import column_fonts, font_table
from danvan_survey.cell_text import canonical
from danvan_survey.codebook import KEYS, REFERENCE_LISTS, Codebook, FormId, Variable, nfc
from danvan_survey.config import RoundConfig
from danvan_survey.places import CommuneMatcher
from danvan_survey.schemas import pandas_dtype
from danvan_survey.textfix import (
    fold,
    match_choice,
    match_multi,
    missing_reason,
    normalize_text,
    parse_date,
    parse_number,
    parse_yes_no,
    repair_text,
    visible_controls,
)

LOG_COLUMNS = [
    "record_key",
    "source_file",
    "source_sheet",
    "source_row",
    "variable",
    "old_value",
    "new_value",
    "rule",
    "action",
]
ISSUE_COLUMNS = [
    "record_key",
    "level",
    "rule",
    "file",
    "sheet",
    "row",
    "variable",
    "value",
    "message",
]
PROVENANCE = ["_source_file", "_source_sheet", "_source_row"]
MISSING_LABELS = {
    "dont_know": "không biết (−9)",
    "not_applicable": "không áp dụng (−8)",
    "unknown": "không rõ",
}


@dataclass(frozen=True)
class Converted:
    """Result of converting one unique raw value."""

    value: Any
    rule: str | None = None
    error: str | None = None


def _upper_bound(var: Variable) -> float | None:
    """Smallest ``. <= N`` of a constraint whose parts all hold ("and"); None if unbounded.

    A bound inside an "or" does not bound the answer (". <= 50 or . = 99"), so a
    constraint with "or" gives None.
    """
    if re.search(r"\bor\b", var.constraint):
        return None
    bounds = [float(n) for n in re.findall(r"\.\s*<=\s*(\d+)", var.constraint)]
    return min(bounds) if bounds else None


def allows_nines(var: Variable, codebook: Codebook) -> bool:
    """True when 99/999 cannot be a real answer, so it is a missing code."""
    if var.is_select:
        return var.list_name not in REFERENCE_LISTS and (
            "99" not in codebook.codes(var.list_name or "")
        )
    bound = _upper_bound(var)
    return var.base_type in {"integer", "decimal"} and bound is not None and bound < 99


_NUMERIC = re.compile(r"\s*[-+\u2212]?\d+(?:\.0+)?\s*")


def could_be_missing(text: str) -> bool:
    """Cheap pre-test: False for text that cannot be a special missing code.

    Missing codes are short words ("không rõ", "KB", "N/A") or whole numbers (−9, 99);
    an ASCII value with digits that is not a whole number (an id, "1.234") is not one.
    """
    if len(text) > 24:
        return False
    if text.isascii() and any(c.isdigit() for c in text):
        return _NUMERIC.fullmatch(text) is not None
    return True


def could_be_missing_mask(values: pd.Series) -> pd.Series:
    """Vectorised :func:`could_be_missing` (True where a value may be a missing code)."""
    text = values.fillna("")
    digits = text.str.isascii() & text.str.contains(r"\d", regex=True)
    numeric = text.str.fullmatch(_NUMERIC.pattern)
    return ((text.str.len() <= 24) & (~digits | numeric)).fillna(True).astype(bool)


def converter(var: Variable, codebook: Codebook) -> Callable[[str], Converted]:
    """Return the function turning one repaired raw text into a typed value."""
    nines = allows_nines(var, codebook)
    choices = [
        (c.code, c.label_vi, c.label_en) for c in codebook.choices.get(var.list_name or "", ())
    ]
    numeric_list = var.base_type == "select_one" and codebook.is_numeric_list(var.list_name or "")

    codes = {c[0] for c in choices}
    # a choice's own label is an answer too: "Không biết" (dont_know) of a vignette
    labels = {nfc(label).casefold() for c in choices for label in c[1:] if label}

    def convert(text: str) -> Converted:
        if text == "":
            return Converted(None)
        if text in codes:  # a real answer code ("dont_know") is never a missing code
            return _typed(var, text, choices, numeric_list)
        if var.list_name == "yes_no" and (flag := parse_yes_no(text)) is not None:
            return Converted(flag, None if text == str(flag) else "yes_no_text")
        if labels and text.casefold() in labels:  # nor is its label ("Không biết")
            return _typed(var, text, choices, numeric_list)
        reason = missing_reason(text, nines) if could_be_missing(text) else None
        if reason:
            return Converted(None, f"missing_code:{reason}")
        return _typed(var, text, choices, numeric_list)

    return convert


def _typed(
    var: Variable, text: str, choices: list[tuple[str, str, str]], numeric_list: bool
) -> Converted:
    kind = var.base_type
    if kind in {"integer", "decimal"}:
        return _number(var, text)
    if kind == "date":
        value, rule = parse_date(text)
        if value is None:
            return Converted(
                None, error=f"Ngày '{text}' không đọc được; ghi theo dạng ngày/tháng/năm."
            )
        return Converted(value, None if rule == "iso" and text[:10] == value.isoformat() else rule)
    if kind == "select_one" and var.list_name in REFERENCE_LISTS:
        return Converted(text)
    if kind == "select_one":
        code, rule = match_choice(text, choices)
        if code is None:
            allowed = ", ".join(f"{c} ({lbl})" for c, lbl, _ in choices)
            return Converted(
                None, error=f"Giá trị '{text}' không thuộc danh sách; chọn một trong: {allowed}."
            )
        code_value: Any = int(code) if numeric_list else code
        return Converted(code_value, None if text == code else f"choice_{rule or 'label'}")
    if kind == "select_multiple":
        codes, unknown = match_multi(text, choices)
        if unknown:
            return Converted(
                None, error=f"Lựa chọn '{' '.join(unknown)}' không thuộc danh sách của câu này."
            )
        return Converted(codes, None if codes == text else "multi_normalised")
    return Converted(text)


#: Largest magnitude an integer field holds exactly (Int64 columns pass through float64).
INTEGER_LIMIT = 2**53


def _number(var: Variable, text: str) -> Converted:
    value, rule = parse_number(text)
    if value is None and rule == "ambiguous":
        return Converted(
            None,
            error=f"Số '{text}' không rõ là phần nghìn hay phần thập phân; "
            "ghi lại không dùng dấu phân cách (ví dụ 1234 hoặc 1,5).",
        )
    if value is None:
        return Converted(
            None, error=f"Giá trị '{text}' không phải là số; nhập số (ví dụ 1234 hoặc 12,5)."
        )
    limit = INTEGER_LIMIT if var.base_type == "integer" else float("inf")
    if not abs(value) < limit:
        return Converted(
            None,
            error=f"Giá trị '{text}' của {var.name} nằm ngoài phạm vi một số hợp lệ "
            "(quá lớn); kiểm tra lại ô này.",
        )
    if var.base_type == "integer":
        if not float(value).is_integer():
            return Converted(None, error=f"'{text}' phải là số nguyên.")
        value = int(value)
    changed = rule is not None and rule != "plain"
    return Converted(value, rule if changed else None)


def record_keys(frame: pd.DataFrame, form: FormId) -> pd.Series:
    """Record key text ``round|commune|org`` (form A) or ``round|cadre_id`` (form B)."""
    parts = [frame[k].astype("string").fillna("") for k in KEYS[form]]
    out = parts[0]
    for p in parts[1:]:
        out = out + "|" + p
    return out.astype(str)


@dataclass
class FormCleaning:
    """Everything cleaning produced for one form."""

    values: pd.DataFrame
    log: list[pd.DataFrame]
    issues: list[dict[str, object]]

    def add_issue(
        self, idx: Any, level: str, rule: str, variable: str, value: object, message: str
    ) -> None:
        """Record a problem of one record (row index ``idx`` of ``values``)."""
        at = self.values.at
        self.issues.append(
            {
                "_idx": idx,
                "record_key": "",
                "level": level,
                "rule": rule,
                "file": at[idx, "_source_file"],
                "sheet": at[idx, "_source_sheet"],
                "row": at[idx, "_source_row"],
                "variable": variable,
                "value": canonical(value),
                "message": message,
            }
        )


def _log_frame(
    raw: pd.DataFrame,
    mask: pd.Series,
    variable: str,
    old: pd.Series,
    new: pd.Series,
    rule: pd.Series,
    action: str,
) -> pd.DataFrame:
    sub = raw[PROVENANCE].loc[mask]  # not every raw column: a million rows are wide
    return pd.DataFrame(
        {
            "_idx": sub.index,
            "source_file": sub["_source_file"].to_numpy(),
            "source_sheet": sub["_source_sheet"].to_numpy(),
            "source_row": sub["_source_row"].to_numpy(),
            "variable": variable,
            "old_value": old[mask].astype(str).to_numpy(),
            "new_value": new[mask].map(canonical).to_numpy(),
            "rule": rule[mask].to_numpy(),
            "action": action,
        }
    )


_FONT_SEP = "\x1e"  # value + separator + cell font: a repair key (fonts hold no \x1e)


@dataclass(frozen=True)
class ColumnText:
    """A text column with its distinct values: ``text`` = ``uniques[codes]``."""

    text: pd.Series
    codes: np.ndarray
    uniques: pd.Series

    @classmethod
    def of(cls, text: pd.Series) -> ColumnText:
        """Factorize ``text`` (no missing values) once, for every step that needs it."""
        codes, uniques = pd.factorize(text, sort=False)
        return cls(text, codes, pd.Series(uniques, dtype="str"))


def raw_text(raw: pd.DataFrame, name: str) -> ColumnText:
    """The raw text of one column ("" for missing) and its distinct values."""
    return ColumnText.of(raw[name].fillna("").astype(str))


def _suspect(col: ColumnText) -> pd.Series:
    """Rows whose value may need a repair: non-ASCII, stray or double spaces, controls.

    Tested on the distinct values only (a million rows hold few of them).
    """
    u = col.uniques
    hit = ~u.str.isascii() | (u.str.strip() != u)
    hit |= u.str.contains("  |[\x00-\x1f\x7f]", regex=True)  # runs, tabs, controls
    return pd.Series(hit.to_numpy(dtype=bool)[col.codes], index=col.text.index)


def repair_column(
    raw: pd.DataFrame, col: ColumnText, name: str, work: FormCleaning,
    fonts: pd.Series | None = None,
) -> ColumnText:
    """Repair text encoding/whitespace of one column; log every changed value.

    Plain ASCII without stray spaces cannot need a repair, so only the other distinct
    values (with their cell font, when ``fonts`` gives one per row) go through
    :func:`repair_text` (fast on a million rows). A value whose mojibake could be
    repaired only in part is logged as ``partially_repaired`` and warned about.
    Returns ``col`` itself when nothing changed.
    """
    s = col.text
    suspect = _suspect(col)
    if not suspect.any():
        return col
    with_font = fonts is not None and bool((fonts[suspect].fillna("") != "").any())
    keys = s + _FONT_SEP + fonts.fillna("").astype(str) if with_font and fonts is not None else s
    original = {
        k: tuple(k.rsplit(_FONT_SEP, 1)) if with_font else (k, "")
        for k in pd.unique(keys[suspect])
    }
    fixed = {k: repair_text(value, font or None) for k, (value, font) in original.items()}
    changed = {k: f for k, f in fixed.items() if f[0] != original[k][0] and f[1]}
    partial = {k for k, f in fixed.items() if "mojibake_partial" in f[1]}
    if not changed and not partial:
        return col
    hit = keys.isin(list(changed)) & suspect
    new = s.where(~hit, keys[hit].map({k: f[0] for k, f in changed.items()}))
    rules = pd.Series(None, index=s.index, dtype="object")
    rules[hit] = keys[hit].map({k: "+".join(f[1]) for k, f in changed.items()})
    shown = {u: visible_controls(u) for u in s[hit].unique() if visible_controls(u) != u}
    old = s.where(~s.isin(list(shown)), s.map(shown)) if shown else s
    lost = keys.isin(list(partial)) & suspect
    for action, mask in (("repaired", hit & ~lost), ("partially_repaired", hit & lost)):
        if mask.any():
            work.log.append(_log_frame(raw, mask, name, old, new, rules, action))
    for idx in s.index[lost]:
        work.add_issue(
            idx,
            "warning",
            "mojibake_partial",
            name,
            new[idx],
            f"Giá trị '{new[idx]}' của {name} bị lỗi mã hóa chỉ sửa được một phần (có thể "
            "đã mất ký tự trước khi tệp đến); kiểm tra lại với nơi gửi và sửa bằng tệp "
            "hiệu chỉnh nếu cần.",
        )
    return ColumnText.of(new)


def typed_array(values: list[Any], dtype: str) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """Python values (None = missing) → an array of a clean-table dtype."""
    if dtype.startswith("datetime"):
        return pd.to_datetime(pd.Series(values, dtype=object)).to_numpy(dtype="datetime64[us]")
    return pd.array(values, dtype=dtype)


def convert_column(
    raw: pd.DataFrame, col: ColumnText, var: Variable, codebook: Codebook, work: FormCleaning
) -> pd.Series:
    """Convert a repaired text column to typed values; log changes, collect errors.

    Each distinct raw text is converted once; rows take their value by position.
    """
    conv = converter(var, codebook)
    if var.base_type == "text":
        return convert_text_column(raw, col, var, conv, work)
    text, codes, uniques = col.text, col.codes, col.uniques.tolist()
    results = [conv(u) for u in uniques]
    typed = typed_array([r.value for r in results], pandas_dtype(var, codebook))
    values = pd.Series(typed.take(codes), index=text.index)
    rule_of = np.array([r.rule for r in results], dtype=object)
    if any(r.rule is not None for r in results):
        rules = pd.Series(rule_of[codes], index=text.index, dtype=object)  # no str inference
        changed_u = np.array([r.rule is not None for r in results], dtype=bool)
        missing_u = np.array([str(r.rule).startswith("missing_code") for r in results])
        changed = pd.Series(changed_u[codes], index=text.index)
        missing = pd.Series(missing_u[codes], index=text.index)
        for action, m in (("set_missing", changed & missing), ("recoded", changed & ~missing)):
            if m.any():
                work.log.append(_log_frame(raw, m, var.name, text, values, rules, action))
    bad = [i for i, r in enumerate(results) if r.error]
    for idx in text.index[np.isin(codes, bad)]:
        error = results[codes[text.index.get_loc(idx)]].error
        work.add_issue(idx, "error", "unparseable", var.name, text[idx], str(error))
    return values


def convert_text_column(
    raw: pd.DataFrame,
    col: ColumnText,
    var: Variable,
    conv: Callable[[str], Converted],
    work: FormCleaning,
) -> pd.Series:
    """Free text and ids keep their text; only empty and short values can become missing.

    Same result as converting every distinct value, but a million distinct ids are never
    turned into python objects: only the values that may be missing codes are converted.
    """
    text, uniques = col.text, col.uniques
    results = {u: conv(u) for u in uniques[could_be_missing_mask(uniques)]}
    blank = [u for u, r in results.items() if r.value is None]
    values = text.mask(text.isin(blank)) if blank else text
    rule_of = {u: r.rule for u, r in results.items() if r.rule}
    hit = text.isin(list(rule_of))
    if hit.any():
        rules = pd.Series(None, index=text.index, dtype="object")
        rules[hit] = text[hit].map(rule_of)
        work.log.append(_log_frame(raw, hit, var.name, text, values, rules, "set_missing"))
    return values


def resolve_communes(
    work: FormCleaning, raw: pd.DataFrame, communes: pd.DataFrame, matcher: CommuneMatcher
) -> None:
    """Commune names/codes → GSO codes; ambiguous or unmatched names are never guessed."""
    names = work.values["commune_code"].fillna("").astype(str)
    districts = work.values.get("district_code", pd.Series("", index=names.index))
    districts = districts.fillna("").astype(str)
    key = names + "\x1f" + districts
    # each distinct (name, district) is matched and mapped once; rows take theirs by
    # position. Names and districts are read from their columns at each key's first row,
    # never split from the key: a name may itself hold the separator (control bytes)
    rows_key, uniq = pd.factorize(key)
    first = np.full(len(uniq), -1)
    first[rows_key[::-1]] = np.arange(len(key))[::-1]  # the earliest row of each key
    results = matcher.match_many(
        names.iloc[first].tolist(), [d or None for d in districts.iloc[first].tolist()]
    )
    by_key = dict(zip(uniq.tolist(), results, strict=True))
    keys = pd.Series(uniq, dtype=key.dtype)
    code_of_key = keys.map({k: r.code for k, r in by_key.items()})
    codes = _by_row(code_of_key, rows_key, key.index)
    status = _by_row(keys.map({k: r.status for k, r in by_key.items()}), rows_key, key.index)
    for idx in codes[codes.isna()].index:
        r = by_key[key[idx]]
        cands = "; ".join(f"{c[0]} {c[1]} ({c[2]})" for c in r.candidates[:5]) or "không có"
        what = "trùng tên ở nhiều nơi" if r.status == "ambiguous" else "không tìm thấy"
        work.add_issue(
            idx,
            "error",
            f"commune_{r.status}",
            "commune_code",
            names[idx],
            f"Tên xã '{names[idx]}' {what} trong danh mục; không tự đoán. "
            f"Ứng viên: {cands}. Ghi mã xã 5 số hoặc sửa tên trong tệp hiệu chỉnh.",
        )
    rule = "commune_" + status.astype(str)
    changed = codes.notna() & (codes != names)
    if changed.any():
        work.log.append(_log_frame(raw, changed, "commune_code", names, codes, rule, "recoded"))
    cleared = codes.isna() & (names != "")  # a name that is not a code: the issue says why
    if cleared.any():
        work.log.append(_log_frame(raw, cleared, "commune_code", names, codes, rule, "set_missing"))
    work.values["commune_code"] = codes
    ref = communes.set_index("commune_code")["district_code"]
    derived = _by_row(code_of_key.map(ref), rows_key, key.index)
    if "district_code" in work.values:
        old = districts
        diff = derived.notna() & (old != derived)
        rules = pd.Series("district_from_commune", index=old.index)
        if diff.any():
            work.log.append(_log_frame(raw, diff, "district_code", old, derived, rules, "recoded"))
        # an unresolved commune keeps the district as typed: its quarantined record shows it
        derived = derived.where(derived.notna(), work.values["district_code"])
    work.values["district_code"] = derived


def _by_row(values: pd.Series, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """Row ``i`` takes ``values[codes[i]]``: a value per distinct key spread to the rows."""
    return pd.Series(values.array.take(codes), index=index)


def resolve_round(work: FormCleaning, raw: pd.DataFrame, cfg: RoundConfig) -> None:
    """Fill or respell the round id as the config has it (logged); another round is an issue.

    The round's own id in another spelling ("Mini" for "mini") becomes the config's, so one
    record read from two sources has one key.
    """
    rid = (
        work.values["round_id"].fillna("").astype(str)
        if "round_id" in work.values
        else (pd.Series("", index=work.values.index))
    )
    empty = rid == ""
    folded = rid.map({r: fold(r) for r in pd.unique(rid)})
    other = ~empty & (folded != fold(cfg.round_id))
    for idx in rid[other].index:
        work.add_issue(
            idx,
            "error",
            "other_round",
            "round_id",
            rid[idx],
            f"Bản ghi thuộc đợt '{rid[idx]}', không phải đợt {cfg.round_id}; "
            "tách ra khỏi tệp của đợt này.",
        )
    # the round's own id as the config spells it: "Demo-2014" and "demo-2014" would make two
    # record keys, so duplicates of one record across sources would go unseen
    respelt = ~empty & ~other & (rid != cfg.round_id)
    new = pd.Series(cfg.round_id, index=rid.index)
    for mask, rule, action in ((empty, "round_from_config", "filled"),
                               (respelt, "round_id_spelling", "recoded")):
        if mask.any():
            rules = pd.Series(rule, index=rid.index)
            work.log.append(_log_frame(raw, mask, "round_id", rid, new, rules, action))
    work.values["round_id"] = rid.where(other, cfg.round_id)


def log_source_fills(raw: pd.DataFrame, work: FormCleaning) -> None:
    """Log every value ingest filled from round.yaml (``values:``, period dates).

    Ingest marks the filled cells of a record with ``var:rule`` tokens in ``_fill_rules``;
    each becomes one cleaning-log row (old value empty, action ``filled``).
    """
    if "_fill_rules" not in raw:
        return
    marks = raw["_fill_rules"].fillna("").astype(str)
    tokens = sorted({t for m in pd.unique(marks) for t in str(m).split()})
    for token in tokens:
        name, rule = token.split(":", 1)
        hit = marks.str.split().map(lambda ts, t=token: t in ts).astype(bool)
        empty = pd.Series("", index=raw.index)
        rules = pd.Series(rule, index=raw.index)
        work.log.append(_log_frame(raw, hit, name, empty, raw[name], rules, "filled"))


def clean_form(
    raw: pd.DataFrame,
    form: FormId,
    codebook: Codebook,
    cfg: RoundConfig,
    communes: pd.DataFrame,
    matcher: CommuneMatcher,
) -> FormCleaning:
    """Repair, convert and resolve places for every variable of a form."""
    raw = raw.reset_index(drop=True)
    work = FormCleaning(
        values=raw[[c for c in raw.columns if c.startswith("_")]].copy(), log=[], issues=[]
    )
    log_source_fills(raw, work)
    texts = [v.name for v in codebook.form(form) if not v.personal_data]
    fonts = font_table(raw, cfg.folder, texts)  # legacy-font hints of workbook cells
    for var in codebook.form(form):
        if var.name not in raw.columns:
            work.values[var.name] = None
            continue
        if var.personal_data:  # never logged (the log must not hold names or phones)
            work.values[var.name] = raw[var.name].fillna("").astype(str).replace("", None)
            continue
        text = repair_column(
            raw, raw_text(raw, var.name), var.name, work, column_fonts(raw, var.name, fonts)
        )
        work.values[var.name] = convert_column(raw, text, var, codebook, work)
    resolve_round(work, raw, cfg)
    resolve_communes(work, raw, communes, matcher)
    return work


def pseudonymise(
    values: pd.DataFrame, codebook: Codebook, form: FormId, salt: bytes
) -> pd.DataFrame:
    """Drop personal data; keep a salted hash (``person_hash``) for linkage across rounds.

    The hash covers the folded name, commune and year of birth, so that two people with
    the same name are not merged; the salt lives outside the repository.
    """
    out = values.copy(deep=False)
    for var in codebook.form(form):
        if var.personal_data == "pseudonymise" and var.name in out:
            folded = folded_names(out[var.name])
            # the key parts as text once for both hashes (a million birth years: 0.2 s)
            parts = [c for c in ("commune_code", "birth_year") if c in out]
            keys = out[parts].astype("string")
            out["person_hash"] = person_hash(keys, var.name, salt, folded=folded)
            # name|birth year only: links a person across rounds whose commune codes differ
            out["person_link"] = person_hash(keys, var.name, salt, ("birth_year",), folded)
        if var.personal_data and var.name in out:
            out = out.drop(columns=var.name)
    return out


def folded_names(names: pd.Series) -> pd.Series:
    """Repaired and folded name of each row ("" when no name), each distinct name once.

    Repaired first: a name typed in a legacy font or read as mojibake is the same person.
    """
    text = names.fillna("").astype(str)
    codes, uniques = pd.factorize(text)
    folded = np.array([fold(normalize_text(n)) for n in uniques], dtype=object)
    return pd.Series(folded[codes] if len(codes) else [], index=names.index, dtype=object)


def person_hash(frame: pd.DataFrame, name_column: str, salt: bytes,
                parts: tuple[str, ...] = ("commune_code", "birth_year"),
                folded: pd.Series | None = None) -> pd.Series:
    """Salted sha256 (16 hex digits) of name|commune|birth year; "" when no name.

    ``folded``: the rows' :func:`folded_names`, when already computed.
    """
    folded = folded_names(frame[name_column]) if folded is None else folded
    columns = [folded.tolist()]
    columns += [frame[c].astype("string").fillna("").tolist() for c in parts if c in frame]
    base = hashlib.sha256(salt)
    digests = []
    for key in map("|".join, zip(*columns, strict=True)):
        h = base.copy()
        h.update(key.encode("utf-8"))
        digests.append(h.hexdigest()[:16])
    return pd.Series(digests, index=frame.index, dtype="str").where(folded.to_numpy() != "", "")
