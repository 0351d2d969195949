"""Pure value-level repairs the cleaner applies cell by cell.

Every function takes one raw value and returns the repaired value, usually with
the name of the rule that fired so the cleaner can log it. Nothing here does I/O.

Rule names (stable, used in cleaning logs):

* text: ``nfc``, ``whitespace``, ``mojibake`` (UTF-8 read as cp1252, via ftfy),
  ``tcvn3``, ``vni`` (legacy fonts, :mod:`danvan_survey.legacy_encodings`),
  ``control_chars`` (NUL and other control characters removed), ``mojibake_partial``
  (mojibake that could be repaired only in part: logged and warned about);
* numbers: see :func:`parse_number`;
* dates: ``iso``, ``dmy``, ``dmy_text``, ``excel_serial``, ``native``;
* choices: ``code``, ``label``, ``label_folded``, ``label_partial``.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any, Protocol

import ftfy

from danvan_survey.legacy_encodings import fix_legacy, font_encoding

__all__ = [
    "fold",
    "has_mojibake",
    "is_blank",
    "match_choice",
    "match_multi",
    "missing_reason",
    "normalize_text",
    "parse_date",
    "parse_missing_code",
    "parse_number",
    "parse_yes_no",
    "repair_text",
    "visible_controls",
]

# --- text --------------------------------------------------------------------------

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_HSPACE_RE = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_NEWLINES_RE = re.compile(r" *(?:\r\n|\r|\n|\u2028|\u2029|\x0b|\x0c)+ *")
#: Control characters that text never needs: C0 except tab/line breaks, DEL, C1, and the
#: bidirectional overrides that make a cell display differently from what it holds.
CONTROL_RE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
)
_C0_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def is_blank(value: object) -> bool:
    """Tell whether a raw cell is empty (None, NaN, NA or only whitespace)."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return normalize_text(value) == ""
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _as_text(value: object) -> str | None:
    """Raw cell → repaired text; None for empty cells (None, NaN, NA, blanks).

    Numbers become their shortest repr (``12.0`` → ``"12.0"``), booleans "1"/"0".
    """
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int | float):
        return None if isinstance(value, float) and math.isnan(value) else repr(value)
    if not isinstance(value, str):
        return None if is_blank(value) else str(value)
    return normalize_text(value) or None


def _clean_space(text: str) -> str:
    text = text.translate(_ZERO_WIDTH)
    text = _HSPACE_RE.sub(" ", text)
    text = _NEWLINES_RE.sub("\n", text)
    return text.strip(" \n")


#: A font name standing for each legacy encoding (the cache key is the encoding).
_FONT_OF = {"tcvn3": ".VnTime", "tcvn3h": ".VnTimeH", "vni": "VNI-Times"}


def visible_controls(text: str) -> str:
    r"""``text`` with each control character of :data:`CONTROL_RE` shown as ``\xNN``/``\uNNNN``.

    Used where a removed character must still be reported (the cleaning log).
    """
    return CONTROL_RE.sub(
        lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text
    )


#: What is left of UTF-8 read as cp1252/latin-1 when a byte was lost on the way (ftfy
#: then repairs only part of the value): a lead byte followed by a continuation byte,
#: or the replacement character.
_MOJIBAKE_LEFT_RE = re.compile(
    "\ufffd|[\u00c2-\u00c6\u00e1][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d"
    "\u017e\u0192\u02c6\u02dc\u2013-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)


def has_mojibake(text: str) -> bool:
    """Whether ``text`` still holds traces of UTF-8 read as cp1252 (``"Há™i"``, ``"�"``)."""
    return bool(_MOJIBAKE_LEFT_RE.search(text))


def repair_text(s: str, font: str | None = None) -> tuple[str, list[str]]:
    """Repair one text value; return it with the rules applied, in order.

    Steps: ftfy's encoding fix for UTF-8 read as cp1252 (``"mojibake"``), NFC
    (``"nfc"``), legacy TCVN3/VNI fonts (``"tcvn3"``/``"vni"``, only when no
    mojibake was found), removal of NUL and other control characters
    (``"control_chars"``; tab and line breaks are whitespace), then whitespace: trim,
    collapse runs of spaces/NBSP to one space, drop zero-width chars and soft hyphens,
    keep single line breaks (``"whitespace"``). Non-strings are returned unchanged with
    no rule.

    ``font``: the cell's font name when known (workbooks): a legacy font (.VnTime,
    VNI-Times, …) decides the TCVN3/VNI decoding. A value still holding mojibake after
    the repair (a byte lost before the file reached us) gets ``"mojibake_partial"``
    instead of ``"mojibake"``: it was only partly repaired.
    """
    if not isinstance(s, str):
        return s, []
    text, rules = _repair_cached(s, font_encoding(font))
    return text, list(rules)


#: Repair passes at most (two suffice for every case known; the bound only stops a cycle).
_MAX_PASSES = 4


@functools.lru_cache(maxsize=200_000)
def _repair_cached(s: str, encoding: str | None = None) -> tuple[str, tuple[str, ...]]:
    r"""Cached body of :func:`repair_text` (survey columns repeat values a lot).

    Repeated until the value no longer changes, so that repairing a repaired value changes
    nothing: one step can reveal work for another ("Â\t0": the tab becomes a space, and
    "Â " is then UTF-8 mojibake of a no-break space). Later passes ignore the cell's font:
    the text is Unicode by then.
    """
    return _repair(s, encoding)


def _repair(s: str, encoding: str | None) -> tuple[str, tuple[str, ...]]:
    """Body of :func:`_repair_cached`, undecorated so that mutation testing reaches it."""
    text, rules = _repair_step(s, encoding)
    for _ in range(_MAX_PASSES - 1):
        if text == s:
            break
        s = text
        text, more = _repair_step(s, None)
        rules += tuple(r for r in more if r not in rules)
    return text, rules


def _repair_step(s: str, encoding: str | None) -> tuple[str, tuple[str, ...]]:
    """One pass of the repair steps listed in :func:`repair_text`."""
    rules: list[str] = []
    text = _C0_RE.sub("", s)  # before ftfy: a NUL would hide mojibake from it
    controls = text != s
    fixed = ftfy.fix_encoding(text)
    if fixed != text and unicodedata.normalize("NFC", fixed) != unicodedata.normalize(
        "NFC", text
    ):
        rules.append("mojibake")
    text = fixed
    nfc = unicodedata.normalize("NFC", text)
    if nfc != text:
        rules.append("nfc")
    text = nfc
    if "mojibake" not in rules:
        text, legacy = fix_legacy(text, font=_FONT_OF.get(encoding or ""))
        if legacy:
            rules.append(legacy)
    if has_mojibake(text):
        rules = [r for r in rules if r != "mojibake"] + ["mojibake_partial"]
    stripped = CONTROL_RE.sub("", text)  # C1 only after ftfy: mojibake holds C1 bytes
    if controls or stripped != text:
        rules.append("control_chars")
    text = stripped
    spaced = _clean_space(text)
    if spaced != text:
        rules.append("whitespace")
    return spaced, tuple(rules)


def normalize_text(s: str) -> str:
    """Repaired text value (see :func:`repair_text`); idempotent."""
    return repair_text(s)[0]


_FOLD_PUNCT_RE = re.compile(r"[^\w]+|_")


def fold(s: str) -> str:
    """Accent-, case- and punctuation-insensitive key for matching (never for output).

    ``"  Hội Liên-hiệp  PHỤ NỮ "`` → ``"hoi lien hiep phu nu"``; đ/Đ → d.
    """
    if not isinstance(s, str):
        return ""
    text = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFC", text).casefold()
    text = _FOLD_PUNCT_RE.sub(" ", text)
    return " ".join(text.split())


# --- numbers -----------------------------------------------------------------------

_NUM_TOKEN_RE = re.compile(r"[-+\u2212]?\d+(?:[.,\u00a0 \u202f]\d+)*")
_SCI_RE = re.compile(r"[-+]?\d+(?:\.\d+)?[eE][-+]?\d+")
_GROUPS3_RE = re.compile(r"\d{1,3}(?:X\d{3})+")


def _groups_ok(token: str, sep: str) -> bool:
    """Tell whether ``token`` is digits grouped by ``sep`` in threes (1.234.567)."""
    return bool(_GROUPS3_RE.fullmatch(token.replace(sep, "X"))) and not token.startswith("0")


def _interpret(token: str) -> tuple[float | None, str | None]:
    """Turn one numeric token (sign, digits, separators) into a number and rule."""
    sign = -1.0 if token[0] in "-\u2212" else 1.0
    body = token.lstrip("+-\u2212")
    rule: str | None = None
    if " " in body:  # the text is normalised: NBSP and narrow NBSP are plain spaces by now
        if not _groups_ok(body.split(",")[0].split(".")[0], " "):
            return None, "unparseable"
        body, rule = body.replace(" ", ""), "thousands_space"
    has_dot, has_comma = "." in body, "," in body
    if has_dot and has_comma:
        dec = "." if body.rfind(".") > body.rfind(",") else ","
        thou = "," if dec == "." else "."
        whole, _, frac = body.rpartition(dec)
        if not _groups_ok(whole, thou):  # also a second decimal point (not a digit group)
            return None, "unparseable"
        value = float(whole.replace(thou, "") + "." + frac)
        rule = "thousands_comma" if thou == "," else "thousands_dot+decimal_comma"
    elif has_dot:
        parts = body.split(".")
        if len(parts) > 2 or (len(parts[1]) == 3 and not parts[0].startswith("0")):
            if not _groups_ok(body, "."):
                return None, "unparseable"
            value, rule = float(body.replace(".", "")), "thousands_dot"
        else:
            value = float(body)
    elif has_comma:
        parts = body.split(",")
        if len(parts) > 2:
            if not _groups_ok(body, ","):
                return None, "unparseable"
            value, rule = float(body.replace(",", "")), "thousands_comma"
        elif len(parts[1]) == 3 and not parts[0].startswith("0"):
            return None, "ambiguous"  # "1,234": VN decimal comma or English thousands?
        else:
            value = float(body.replace(",", "."))
            rule = "thousands_space+decimal_comma" if rule else "decimal_comma"
    else:
        value = float(body)
    return sign * value, rule


def parse_number(s: object) -> tuple[float | None, str | None]:
    """Parse a Vietnamese-style number; return (value, rule) or (None, reason).

    Rules, in the order they are recognised:

    * ``thousands_dot``: a dot followed by exactly three digits groups thousands
      (``"1.234"`` → 1234, ``"1.234.567"``), unless the integer part is 0
      (``"0.125"`` is a decimal). Any other single dot is a decimal point
      (``"1.5"``, Excel's ``"12.0"`` → 12).
    * ``decimal_comma``: ``"12,5"`` → 12.5. A single comma before exactly three
      digits (``"1,234"``) is **ambiguous** and returns (None, "ambiguous").
    * ``thousands_comma``: both separators, the last one is the decimal point
      (``"1,234.5"`` → 1234.5); several commas in groups of three (``"1,234,567"``).
    * ``thousands_dot+decimal_comma``: ``"1.234,5"`` → 1234.5.
    * ``thousands_space``: ``"1 234"`` → 1234 (``"1 234,5"``: ``thousands_space+decimal_comma``).
    * ``percent``: ``"45%"`` → 45 (the number as written, not 0.45).
    * ``text_stripped``: one number with words around it: ``"khoảng 20"``, ``"20 người"``.
    * ``scientific``: ``"1e3"`` → 1000, ``"1.23457E+11"``; logged, because a spreadsheet
      writes a long number that way after rounding it to six digits.

    Several rules are joined with ``+``. Empty → (None, None); anything else that
    is not exactly one number → (None, "unparseable").
    """
    if isinstance(s, bool):
        return None, "unparseable"
    if isinstance(s, int | float):
        if isinstance(s, float) and not math.isfinite(s):
            return (None, None) if math.isnan(s) else (None, "unparseable")
        return float(s), None
    text = _as_text(s)
    if text is None:
        return None, None
    rules: list[str] = []
    if _SCI_RE.fullmatch(text):
        return float(text), "scientific"
    if text.endswith("%"):
        text = text[:-1].rstrip()
        rules.append("percent")
    tokens = _NUM_TOKEN_RE.findall(text)
    if len(tokens) != 1:
        return None, "unparseable"
    token = tokens[0].strip()
    rest = text.replace(tokens[0], " ", 1)
    if rest.strip():
        if not re.fullmatch(r"[\w\s]+", rest):  # words only: no stray "." or "," or "/"
            return None, "unparseable"
        rules.append("text_stripped")
    value, rule = _interpret(token)
    if value is None:
        return None, rule
    if rule:
        rules.insert(0, rule)
    return value, "+".join(rules) or None


# --- missing codes -----------------------------------------------------------------

_MISSING_WORDS = {
    "dont_know": {"khong biet", "kb", "k biet", "ko biet", "khong ro", "chua ro", "khong nho",
                  "dont know", "don t know", "dk"},
    "not_applicable": {"khong ap dung", "kad", "n a", "na", "not applicable", "-", "--", "khong co"
                       " so lieu"},
    "unknown": {"x", "?", "??", "???", "unknown", "khong xac dinh", "kxd"},
}


_PLAIN_WHOLE_RE = re.compile(r"-?[0-9]+(?:\.0+)?")


def _text_code(s: str) -> str | float | None:
    """The missing-code reason a text's words give, else the whole number it holds, else None."""
    if _PLAIN_WHOLE_RE.fullmatch(s):  # "034", "-9": repairing cannot change it
        return float(s)
    text = normalize_text(s)
    if not text:
        return None
    stripped = text.strip()
    if stripped in {"-", "--", "?", "??", "???"}:
        return "not_applicable" if "-" in stripped else "unknown"
    key = fold(text)
    for reason, words in _MISSING_WORDS.items():
        if key in words:
            return reason
    if re.fullmatch(r"[-+\u2212]?\d+(?:\.0+)?", stripped):
        return float(stripped.replace("\u2212", "-"))
    return None


def missing_reason(s: object, allow_9s: bool = False) -> str | None:
    """Reason code when ``s`` is a special missing code, else None.

    ``-9`` and words like "không biết"/"KB"/"không rõ" → ``"dont_know"``; ``-8``,
    "N/A", "không áp dụng", "-" → ``"not_applicable"``; "x", "?" → ``"unknown"``;
    99/999/9999 → ``"unknown"`` only when ``allow_9s`` (the variable's range admits
    them as codes). Call :func:`parse_yes_no` first for yes/no fields, where "x"
    means a ticked box.
    """
    if s is None or isinstance(s, bool):
        return None
    if isinstance(s, int | float):
        if isinstance(s, float) and not math.isfinite(s):
            return None
        value: float | None = float(s)
    else:
        found = _text_code(str(s))
        if isinstance(found, str):
            return found
        value = found
    if value == -9:
        return "dont_know"
    if value == -8:
        return "not_applicable"
    if allow_9s and value in (99, 999, 9999):
        return "unknown"
    return None


def parse_missing_code(s: object, allow_9s: bool = False) -> str | None:
    """Alias of :func:`missing_reason`."""
    return missing_reason(s, allow_9s)


# --- dates -------------------------------------------------------------------------

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # 1900 date system incl. Lotus leap-year bug
_ISO_RE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?")
_DMY_RE = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})(?:[T ,].*)?")
_DMY_TEXT_RE = re.compile(r"(?:ngay\s*)?(\d{1,2})\s*thang\s*(\d{1,2})\s*(?:nam\s*)?(\d{4})")
_SERIAL_RE = re.compile(r"\d{5}(?:\.\d+)?")
SERIAL_RANGE = (18264, 73050)  # 1950-01-01 .. 2099-12-31


def _make_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _dmy(day: int, month: int, year: int) -> tuple[dt.date | None, str]:
    year += 2000 if year < 100 else 0
    date = _make_date(year, month, day)
    if date:
        return date, "dmy"
    return None, "ambiguous" if _make_date(year, day, month) else "impossible"


def parse_date(s: object) -> tuple[dt.date | None, str | None]:
    """Parse a date; return (date, rule) or (None, reason).

    Rules: ``iso`` (``2014-06-15``, Kobo ``2014-06-15T08:00:00.000+07:00`` — the
    date as written, no time-zone shift), ``dmy`` (``15/06/2014``, ``15-6-2014``,
    ``15.06.2014``; two-digit years → 20yy), ``dmy_text`` ("ngày 15 tháng 6 năm
    2014"), ``excel_serial`` (``"41805"`` → 2014-06-15, 1900 system, 1950–2099
    only), ``native`` (a date/datetime object). Reasons: ``impossible`` (no such
    day), ``ambiguous`` (only valid read as month/day/year, e.g. ``06/15/2014``),
    ``unparseable``. Empty → (None, None).
    """
    if isinstance(s, dt.date):  # also datetime and pandas' Timestamp
        if s != s:  # pandas' NaT: the missing date, equal to nothing
            return None, None
        return (s.date() if isinstance(s, dt.datetime) else s), "native"
    text = _as_text(s)
    if text is None:
        return None, None
    if m := _ISO_RE.fullmatch(text):
        date = _make_date(int(m[1]), int(m[2]), int(m[3]))
        return (date, "iso") if date else (None, "impossible")
    if m := _DMY_RE.fullmatch(text):
        return _dmy(int(m[1]), int(m[2]), int(m[3]))
    if m := _DMY_TEXT_RE.fullmatch(fold(text)):
        date = _make_date(int(m[3]), int(m[2]), int(m[1]))
        return (date, "dmy_text") if date else (None, "impossible")
    if _SERIAL_RE.fullmatch(text):
        serial = float(text)
        if SERIAL_RANGE[0] <= serial <= SERIAL_RANGE[1]:
            return _EXCEL_EPOCH + dt.timedelta(days=int(serial)), "excel_serial"
        return None, "impossible"
    return None, "unparseable"


# --- yes / no ----------------------------------------------------------------------

_YES = {"1", "co", "x", "yes", "y", "true", "dung", "c", "v"}
_NO = {"0", "khong", "no", "n", "false", "sai", "k", "ko"}


def parse_yes_no(s: object) -> int | None:
    """1 for yes-like ("1", "có", "co", "x", "yes", "true", "đúng"), 0 for no-like, else None."""
    if isinstance(s, bool):
        return int(s)
    if isinstance(s, int | float):
        return int(s) if s in (0, 1) else None
    if not isinstance(s, str):
        return None
    key = fold(s)
    if re.fullmatch(r"[01]\.0+", s.strip()):
        key = s.strip()[0]
    if key in _YES:
        return 1
    if key in _NO:
        return 0
    return None


# --- choices -----------------------------------------------------------------------


class _ChoiceLike(Protocol):
    code: str
    label_vi: str
    label_en: str


ChoiceSpec = tuple[str, str, str] | _ChoiceLike


def _triples(choices: Sequence[Any]) -> list[tuple[str, str, str]]:
    out = []
    for c in choices:
        if hasattr(c, "code"):
            out.append((str(c.code), c.label_vi, c.label_en))
        else:
            code, vi, en = c
            out.append((str(code), vi, en))
    return out


def _label_keys(vi: str, en: str) -> set[str]:
    """Folded forms of a label and of its parts split at " / " ("Yếu, kém / Không ...")."""
    keys = set()
    for label in (vi, en):
        if not label:
            continue
        keys.add(fold(label))
        keys.update(fold(part) for part in label.split(" / ") if fold(part))
    return keys - {""}


def _code_key(text: str) -> str:
    stripped = text.strip()
    if re.fullmatch(r"-?\d+\.0+", stripped):
        return stripped.split(".")[0]
    return stripped


def match_choice(
    s: object, choices: Sequence[ChoiceSpec]
) -> tuple[str | None, str | None]:
    """Match one answer to a choice list; return (code, rule) or (None, reason).

    Tries, in order: ``code`` (exact code, also ``"1.0"`` for ``"1"`` and any case),
    ``label`` (exact vi/en label after text repair), ``label_folded`` (accent,
    case and punctuation-insensitive label, or one " / " part of it),
    ``label_partial`` (the folded answer, at least 3 characters, is a word-prefix
    of or contained in exactly one label). (None, "ambiguous") when partial
    matching finds several labels, (None, None) when nothing matches or empty.
    """
    triples = _triples(choices)
    text = _as_text(s)
    if text is None:
        return None, None
    key = _code_key(text)
    for code, _, _ in triples:
        if key == code:
            return code, "code"
    for code, _, _ in triples:
        if key.casefold() == code.casefold():
            return code, "code"
    for code, vi, en in triples:
        if text in (normalize_text(vi), normalize_text(en)):
            return code, "label"
    return _match_label(fold(text), triples)


def _match_label(
    folded: str, triples: list[tuple[str, str, str]]
) -> tuple[str | None, str | None]:
    """Folded label match, then unique partial match (see :func:`match_choice`)."""
    if not folded:
        return None, None
    hits = {code for code, vi, en in triples if folded in _label_keys(vi, en)}
    if len(hits) == 1:
        return hits.pop(), "label_folded"
    if len(folded) < 3:
        return None, None
    padded = f" {folded}"
    hits = {
        code for code, vi, en in triples for k in _label_keys(vi, en) if padded in f" {k}"
    }
    if len(hits) == 1:
        return hits.pop(), "label_partial"
    return (None, "ambiguous") if hits else (None, None)


_MULTI_SPLIT_RE = re.compile(r"[,;/\n|+]+")


def match_multi(
    s: object, choices: Sequence[ChoiceSpec]
) -> tuple[str, list[str]]:
    """Parse a select_multiple answer; return (space-separated codes, unknown parts).

    Accepts space-separated codes (``"policy admin"``) or labels separated by
    , ; / | + or new lines (labels that themselves hold commas are found whole
    first). Codes come out deduplicated in codebook order; parts that match no
    choice are returned, repaired, in the order they appeared.
    """
    triples = _triples(choices)
    order = {code: i for i, (code, _, _) in enumerate(triples)}
    text = _as_text(s)
    if text is None:
        return "", []
    tokens = text.split()
    if all(_code_key(t) in order for t in tokens):
        codes = {_code_key(t) for t in tokens}
        return " ".join(sorted(codes, key=order.__getitem__)), []
    key_codes: dict[str, set[str]] = {}
    for code, vi, en in triples:
        for k in _label_keys(vi, en):
            key_codes.setdefault(k, set()).add(code)
    parts = [p.strip() for p in _MULTI_SPLIT_RE.split(text) if p.strip()]
    found: set[str] = set()
    unknown: list[str] = []
    i = 0
    while i < len(parts):
        # a label holding a separator ("phổ biến chủ trương, văn bản") spans parts
        for j in range(len(parts), i + 1, -1):
            joined = " ".join(fold(p) for p in parts[i:j])
            if len(key_codes.get(joined, ())) == 1:
                found |= key_codes[joined]
                i = j
                break
        else:
            hit, _ = match_choice(parts[i], triples)
            if hit is None:
                unknown.append(parts[i])
            else:
                found.add(hit)
            i += 1
    return " ".join(sorted(found, key=order.__getitem__)), unknown
