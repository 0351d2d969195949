"""Tests for value-level text repairs: inputs and expected outputs side by side."""

from __future__ import annotations

import datetime as dt
import math
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from danvan_survey.codebook import load_codebook
from danvan_survey.legacy_encodings import encode_tcvn3, encode_vni
from danvan_survey.textfix import (
    fold,
    is_blank,
    match_choice,
    match_multi,
    missing_reason,
    normalize_text,
    parse_date,
    parse_missing_code,
    parse_number,
    parse_yes_no,
    repair_text,
)

NFD = unicodedata.normalize("NFD", "Phú Quý")


@pytest.mark.parametrize(
    ("raw", "expected", "rules"),
    [
        ("Hội Nông dân", "Hội Nông dân", []),
        ("  Hội\u00a0 Nông\tdân\u200b ", "Hội Nông dân", ["whitespace"]),
        (NFD, "Phú Quý", ["nfc"]),
        ("Tá»· lá»‡", "Tỷ lệ", ["mojibake"]),
        ("Há»™i NÃ´ng dÃ¢n", "Hội Nông dân", ["mojibake"]),
        ("Héi N«ng d©n", "Hội Nông dân", ["tcvn3"]),
        ("Hoäi Noâng daân", "Hội Nông dân", ["vni"]),
        (" Hoäi Noâng daân ", "Hội Nông dân", ["vni", "whitespace"]),
        ("dòng 1\r\n\r\n  dòng 2", "dòng 1\ndòng 2", ["whitespace"]),
        ("", "", []),
        ("N/A", "N/A", []),
    ],
)
def test_repair_text(raw: str, expected: str, rules: list[str]) -> None:
    assert repair_text(raw) == (expected, rules)
    assert normalize_text(raw) == expected


def test_repair_text_passes_non_strings() -> None:
    out, rules = repair_text(float("nan"))  # type: ignore[arg-type]
    assert math.isnan(out) and rules == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Hội Liên-hiệp  PHỤ NỮ ", "hoi lien hiep phu nu"),
        ("Đức Linh", "duc linh"),
        (NFD, "phu quy"),
        ("Yếu, kém / Không hoàn thành", "yeu kem khong hoan thanh"),
        ("X.Tân_Hà", "x tan ha"),
        (None, ""),
    ],
)
def test_fold(raw: str, expected: str) -> None:
    assert fold(raw) == expected


@pytest.mark.parametrize(
    ("raw", "value", "rule"),
    [
        ("1.234", 1234.0, "thousands_dot"),
        ("1.234.567", 1234567.0, "thousands_dot"),
        ("12,5", 12.5, "decimal_comma"),
        ("0,125", 0.125, "decimal_comma"),
        ("1,234.5", 1234.5, "thousands_comma"),
        ("1,234,567", 1234567.0, "thousands_comma"),
        ("1.234,5", 1234.5, "thousands_dot+decimal_comma"),
        ("1 234", 1234.0, "thousands_space"),
        ("1\u00a0234", 1234.0, "thousands_space"),
        ("45%", 45.0, "percent"),
        ("khoảng 20", 20.0, "text_stripped"),
        ("20 người", 20.0, "text_stripped"),
        ("2.000 đồng", 2000.0, "thousands_dot+text_stripped"),
        ("1.5", 1.5, None),
        ("0.125", 0.125, None),
        ("12.0", 12.0, None),
        (12.0, 12.0, None),
        (7, 7.0, None),
        ("  7 ", 7.0, None),
        ("-3", -3.0, None),
        ("\u22123", -3.0, None),
        ("1e3", 1000.0, "scientific"),
        ("1.23457E+11", 123457000000.0, "scientific"),
        ("", None, None),
        (None, None, None),
        (float("nan"), None, None),
        ("abc", None, "unparseable"),
        ("20-25", None, "unparseable"),
        ("3 người/hộ", None, "unparseable"),
        ("1.23.4", None, "unparseable"),
        ("1 2", None, "unparseable"),
        ("1,234", None, "ambiguous"),
        (True, None, "unparseable"),
    ],
)
def test_parse_number(raw: object, value: float | None, rule: str | None) -> None:
    assert parse_number(raw) == (value, rule)


@settings(max_examples=300)
@given(st.integers(min_value=-10**9, max_value=10**9))
def test_parse_number_formatted_ints_round_trip(n: int) -> None:
    vn = f"{n:,}".replace(",", ".")  # Vietnamese thousands dots
    assert parse_number(vn)[0] == n
    assert parse_number(f"{n:,}")[0] == (n if abs(n) < 1000 or f"{n:,}".count(",") > 1
                                         else None)
    assert parse_number(f"{n:,}".replace(",", " "))[0] == n
    assert parse_number(str(n))[0] == n
    assert parse_number(f"{n}.0")[0] == n


@settings(max_examples=200)
@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=99))
def test_parse_number_decimal_comma(whole: int, frac: int) -> None:
    text = f"{whole:,}".replace(",", ".") + f",{frac:02d}"
    assert parse_number(text)[0] == pytest.approx(whole + frac / 100)


@pytest.mark.parametrize(
    ("raw", "allow_9s", "reason"),
    [
        ("-9", False, "dont_know"),
        (-9, False, "dont_know"),
        ("\u22129", False, "dont_know"),
        ("-9.0", False, "dont_know"),
        ("-8", False, "not_applicable"),
        ("99", False, None),
        ("99", True, "unknown"),
        (999.0, True, "unknown"),
        ("9999", True, "unknown"),
        ("98", True, None),
        ("không rõ", False, "dont_know"),
        ("Không biết", False, "dont_know"),
        ("KB", False, "dont_know"),
        ("N/A", False, "not_applicable"),
        ("không áp dụng", False, "not_applicable"),
        ("-", False, "not_applicable"),
        ("x", False, "unknown"),
        ("?", False, "unknown"),
        ("12", True, None),
        ("", False, None),
        (None, False, None),
        ("Hội", False, None),
    ],
)
def test_missing_reason(raw: object, allow_9s: bool, reason: str | None) -> None:
    assert missing_reason(raw, allow_9s) == reason
    assert parse_missing_code(raw, allow_9s) == reason


D = dt.date(2014, 6, 15)


@pytest.mark.parametrize(
    ("raw", "value", "rule"),
    [
        ("2014-06-15", D, "iso"),
        ("2014-06-15T08:00:00.000+07:00", D, "iso"),
        ("2014-06-15 00:00:00", D, "iso"),
        ("2014/6/15", D, "iso"),
        ("15/06/2014", D, "dmy"),
        ("15-6-2014", D, "dmy"),
        ("15.06.2014", D, "dmy"),
        ("15/6/14", D, "dmy"),
        ("ngày 15 tháng 6 năm 2014", D, "dmy_text"),
        ("41805", D, "excel_serial"),
        (41805, D, "excel_serial"),
        (41805.5, D, "excel_serial"),
        (dt.datetime(2014, 6, 15, 8), D, "native"),
        (D, D, "native"),
        ("06/15/2014", None, "ambiguous"),
        ("31/02/2014", None, "impossible"),
        ("2014-13-01", None, "impossible"),
        ("12345", None, "impossible"),
        ("hôm qua", None, "unparseable"),
        ("", None, None),
        (None, None, None),
    ],
)
def test_parse_date(raw: object, value: dt.date | None, rule: str | None) -> None:
    assert parse_date(raw) == (value, rule)


def test_parse_date_pandas_timestamp() -> None:
    import pandas as pd

    assert parse_date(pd.Timestamp("2014-06-15 10:00")) == (D, "native")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1), ("0", 0), ("có", 1), ("Có", 1), ("CÓ", 1), ("co", 1), ("không", 0),
        ("khong", 0), ("Không", 0), ("x", 1), ("yes", 1), ("no", 0), ("true", 1),
        ("false", 0), ("1.0", 1), (1.0, 1), (0, 0), (True, 1), ("2", None), ("", None),
        (None, None), ("có thể", None), (" Có ", 1),
    ],
)
def test_parse_yes_no(raw: object, expected: int | None) -> None:
    assert parse_yes_no(raw) == expected


CHOICES = load_codebook().choices


@pytest.mark.parametrize(
    ("list_name", "raw", "code", "rule"),
    [
        ("rating", "1", "1", "code"),
        ("rating", "1.0", "1", "code"),
        ("rating", 1.0, "1", "code"),
        ("rating", "Yếu, kém / Không hoàn thành nhiệm vụ", "4", "label"),
        ("rating", "Good", "2", "label"),
        ("rating", "Vững mạnh", "1", "label_folded"),
        ("rating", "vung manh", "1", "label_folded"),
        ("rating", "yeu kem", "4", "label_folded"),
        ("rating", "HOÀN THÀNH NHIỆM VỤ", "3", "label_folded"),
        ("rating", "Hoàn thành", None, "ambiguous"),
        ("rating", "zzz", None, None),
        ("rating", "", None, None),
        ("org_type", "HND", "hnd", "code"),
        ("org_type", "hoi nong dan", "hnd", "label_folded"),
        ("org_type", "Phụ nữ", "hlhpn", "label_partial"),
        ("org_type", "Hội", None, "ambiguous"),
        ("yes_no", "Có", "1", "label"),
        ("yes_no", "khong", "0", "label_folded"),
    ],
)
def test_match_choice(list_name: str, raw: object, code: str | None, rule: str | None) -> None:
    assert match_choice(raw, CHOICES[list_name]) == (code, rule)


def test_match_choice_accepts_plain_tuples() -> None:
    choices = [("a", "Táo", "Apple"), ("b", "Chuối", "Banana")]
    assert match_choice("chuoi", choices) == ("b", "label_folded")


@pytest.mark.parametrize(
    ("raw", "codes", "unknown"),
    [
        ("policy admin", "policy admin", []),
        ("admin policy policy", "policy admin", []),
        ("phổ biến chủ trương, văn bản; văn nghệ, thể dục thể thao", "policy culture", []),
        ("thu hội phí, công việc hành chính\nkhác, linh tinh", "admin other", ["linh tinh"]),
        ("sinh hoat chuyen de / khac", "thematic other", []),
        ("other, policy", "policy other", []),
        ("", "", []),
        ("abc", "", ["abc"]),
    ],
)
def test_match_multi(raw: str, codes: str, unknown: list[str]) -> None:
    assert match_multi(raw, CHOICES["meeting_content"]) == (codes, unknown)


@pytest.mark.parametrize("raw", [None, float("nan"), "", "  \u200b"])
def test_is_blank(raw: object) -> None:
    assert is_blank(raw)


VIET = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
TEXT = st.text(
    alphabet=st.sampled_from(list(VIET + VIET.upper() + " \u00a0\t\n,./-0123456789") + ["\u200b"]),
    max_size=30,
)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_normalize_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


def _real_words() -> list[str]:
    from danvan_survey.reference import communes

    frame = communes("60")
    labels = [c.label_vi for items in CHOICES.values() for c in items]
    text = " ".join([*frame["commune_name"], *frame["district_name"], *labels])
    return sorted({w.strip(",.()/") for w in text.split() if w.strip(",.()/")})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_real_words()), min_size=1, max_size=6))
def test_normalize_idempotent_on_legacy(words: list[str]) -> None:
    text = unicodedata.normalize("NFC", " ".join(words))
    for garbled in (encode_tcvn3(text), encode_vni(text)):
        once = normalize_text(garbled)
        assert normalize_text(once) == once


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_fold_is_ascii_and_stable(text: str) -> None:
    key = fold(text)
    assert key.isascii() or not key
    assert fold(key) == key


def test_repair_runs_until_the_value_is_stable() -> None:
    # found by test_normalize_idempotent: the tab becomes a space, and "Â " is then UTF-8
    # mojibake of a no-break space; one pass gave "Â 0", whose own repair gave "0"
    assert repair_text("Â\t0") == ("0", ["whitespace", "mojibake"])
    assert repair_text("Â 0") == ("0", ["mojibake", "whitespace"])
    assert normalize_text(normalize_text("Â\t0")) == normalize_text("Â\t0")
