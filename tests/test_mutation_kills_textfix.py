"""Value repairs at their edges: behaviours the mutation run of textfix found untested."""

from __future__ import annotations

import datetime as dt
import unicodedata

import numpy as np
import pandas as pd
import pytest

from danvan_survey.textfix import (
    match_choice,
    match_multi,
    missing_reason,
    parse_date,
    parse_number,
    parse_yes_no,
    repair_text,
    visible_controls,
)

RATINGS = [
    ("1", "Yếu, kém / Không hoạt động", "Weak / Not functioning"),
    ("3", "Tốt", "Functioning well"),
]


def test_a_four_digit_year_is_taken_as_written_even_below_100() -> None:
    # only a two-digit year is a year of the 2000s; "0100" is a typo that range checks catch
    assert parse_date("15/06/99") == (dt.date(2099, 6, 15), "dmy")
    assert parse_date("15/06/0099") == (dt.date(2099, 6, 15), "dmy")
    assert parse_date("15/06/0100") == (dt.date(100, 6, 15), "dmy")


def test_the_whole_folded_label_matches_not_only_its_parts() -> None:
    assert match_choice("YẾU KÉM - KHÔNG HOẠT ĐỘNG", RATINGS) == ("1", "label_folded")


def test_the_english_label_matches_folded_and_in_part() -> None:
    assert match_choice("functioning  WELL!", RATINGS) == ("3", "label_folded")
    assert match_choice("functioning we", RATINGS) == ("3", "label_partial")


def test_a_choice_without_a_vietnamese_label_matches_its_english_one() -> None:
    choices = [("9", "", "Other answer"), ("3", "Tốt", "Good")]
    assert match_choice("OTHER ANSWER", choices) == ("9", "label_folded")


def test_only_the_numbers_0_and_1_are_yes_or_no() -> None:
    assert parse_yes_no(1.0) == 1 and parse_yes_no(0) == 0
    assert parse_yes_no(2) is None and parse_yes_no(0.5) is None and parse_yes_no(-1) is None


def test_a_missing_pandas_date_is_empty_not_a_date() -> None:
    # read_excel gives NaT for an empty date cell; it once came back as a "native" date
    assert parse_date(pd.NaT) == (None, None)
    assert parse_date(pd.Timestamp("2014-06-15 10:00")) == (dt.date(2014, 6, 15), "native")
    assert parse_date(dt.date(2014, 6, 15)) == (dt.date(2014, 6, 15), "native")


def test_an_impossible_written_date_is_named_impossible() -> None:
    assert parse_date("ngày 31 tháng 2 năm 2014") == (None, "impossible")


def test_the_excel_serial_window_is_1950_to_2099_both_ends_included() -> None:
    assert parse_date("18264") == (dt.date(1950, 1, 1), "excel_serial")
    assert parse_date("73050") == (dt.date(2099, 12, 31), "excel_serial")
    assert parse_date("18263") == (None, "impossible")
    assert parse_date("73051") == (None, "impossible")  # 2100-01-01 was let through once


def test_removed_controls_are_shown_by_their_code() -> None:
    assert visible_controls("a\x00b\x9fc\u202ed") == "a\\x00b\\x9fc\\u202ed"
    assert visible_controls("Hội") == "Hội"


def test_nines_are_not_a_missing_code_by_default() -> None:
    assert missing_reason("99") is None and missing_reason(999) is None
    assert missing_reason("99", allow_9s=True) == "unknown"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("-", "not_applicable"), ("--", "not_applicable"), ("?", "unknown"), ("??", "unknown"),
     ("???", "unknown"), ("????", None)],
)
def test_dashes_and_question_marks(raw: str, reason: str | None) -> None:
    assert missing_reason(raw) == reason


ACTIVITIES = [
    ("propaganda", "Tuyên truyền, vận động", "Propaganda, mobilisation"),
    ("mobilise", "Vận động nhân dân", "Mobilisation of people"),
    ("visit", "Thăm hỏi", "Visits"),
]


@pytest.mark.parametrize(
    ("raw", "codes", "unknown"),
    [
        # a label holding a separator is found whole, before its parts are tried one by one
        # (alone, "vận động" fits two labels and would be unknown)
        ("Tuyên truyền, vận động; Thăm hỏi", "propaganda visit", []),
        ("Thăm hỏi; tuyen truyen, VAN DONG", "propaganda visit", []),
        ("Tuyên truyền, vận động", "propaganda", []),
        ("Propaganda, mobilisation | Visits", "propaganda visit", []),
        ("vận động; Thăm hỏi", "visit", ["vận động"]),
    ],
)
def test_select_multiple_labels_that_hold_a_separator(
    raw: str, codes: str, unknown: list[str]
) -> None:
    assert match_multi(raw, ACTIVITIES) == (codes, unknown)


@pytest.mark.parametrize(
    ("raw", "value", "rule"),
    [
        ("1 234,5", 1234.5, "thousands_space+decimal_comma"),  # once logged as decimal_comma
        ("1\u00a0234,5", 1234.5, "thousands_space+decimal_comma"),
        ("1 234.5", 1234.5, "thousands_space"),
        ("1\u202f234", 1234.0, "thousands_space"),
        ("0 123", None, "unparseable"),
        ("12 34", None, "unparseable"),
        ("0.123.456", None, "unparseable"),  # thousands never start with 0
        ("1.234.567", 1234567.0, "thousands_dot"),
        ("12,34.5", None, "unparseable"),  # commas not in groups of three
        ("1.23,5", None, "unparseable"),
        ("1,234.5.6", None, "unparseable"),  # two decimal points
        ("1.234,567.5", None, "unparseable"),  # the last separator decides, then groups
        ("1,234.567,5", None, "unparseable"),
        ("1,23,4", None, "unparseable"),
        ("1,234,567.25", 1234567.25, "thousands_comma"),
        ("1.234.567,25", 1234567.25, "thousands_dot+decimal_comma"),
    ],
)
def test_grouped_numbers(raw: str, value: float | None, rule: str) -> None:
    assert parse_number(raw) == (value, rule)


def test_a_part_that_is_a_code_means_that_code_before_any_label() -> None:
    # contrived on purpose: the English label of x1 is spelled like the code x2
    choices = [("x1", "Một", "x2"), ("x2", "Hai", "Two")]
    assert match_multi("x2, Một", choices) == ("x1 x2", [])


YES_NO = [("1", "Có", "Yes"), ("0", "Không", "No")]


def test_cells_that_are_not_text_are_read_as_their_text() -> None:
    # Excel's TRUE/FALSE and numpy's integers (what pandas hands over) are codes too
    assert match_choice(True, YES_NO) == ("1", "code")
    assert match_choice(False, YES_NO) == ("0", "code")
    assert match_choice(np.int64(1), YES_NO) == ("1", "code")
    assert parse_number(np.int64(7)) == (7.0, None)
    assert parse_date(float("nan")) == (None, None)
    assert match_choice(float("nan"), YES_NO) == (None, None)


def test_text_is_repaired_before_it_is_compared_with_a_label() -> None:
    assert match_choice("  Có ", YES_NO) == ("1", "label")
    assert match_choice(unicodedata.normalize("NFD", "Không"), YES_NO) == ("0", "label")


def test_an_infinite_number_is_unparseable_not_empty() -> None:
    assert parse_number(float("inf")) == (None, "unparseable")
    assert parse_number(float("-inf")) == (None, "unparseable")
    assert parse_number(float("nan")) == (None, None)


@pytest.mark.parametrize(
    ("raw", "value", "rule"),
    [("20.", None, "unparseable"), (", 20", None, "unparseable"), ("20 người.", None,
     "unparseable"), ("3/hộ", None, "unparseable"), ("45 %", 45.0, "percent"),
     ("khoảng 20 người", 20.0, "text_stripped")],
)
def test_words_around_a_number_but_no_stray_punctuation(
    raw: str, value: float | None, rule: str
) -> None:
    assert parse_number(raw) == (value, rule)


@pytest.mark.parametrize("text", ["X", "Xóm X", "  XX tổ 1 XX  "])
def test_only_spaces_and_line_breaks_are_trimmed_from_the_ends(text: str) -> None:
    # a name that begins or ends with a letter keeps it (only " " and "\n" are trimmed)
    assert repair_text(text)[0] == text.strip(" ")


@pytest.mark.parametrize(
    ("raw", "repaired"),
    [("a\x00b", "ab"), ("Hội Nông dân\x9d", "Hội Nông dân"), ("Tổ\x00 1\x9d", "Tổ 1")],
)
def test_control_characters_are_removed_and_logged(raw: str, repaired: str) -> None:
    # a NUL (removed before ftfy) and a C1 control left after it (removed after): each is
    # dropped, never replaced, and the value is logged once as "control_chars"
    assert repair_text(raw) == (repaired, ["control_chars"])


def test_a_cells_font_is_not_used_once_its_text_proved_to_be_utf8() -> None:
    # "HÃ©" is UTF-8 mojibake of "Hé": the cell's bytes were UTF-8, so its .VnTime font
    # does not describe them and must not decode "é" as TCVN3 "ộ"; the later passes
    # still try the (cautious) heuristic, which leaves "Hé" alone
    assert repair_text("HÃ©", ".VnTime") == ("Hé", ["mojibake"])
    # typed in that font, the same letters are TCVN3
    assert repair_text("Hé", ".VnTime") == ("Hộ", ["tcvn3"])
    # double damage the heuristic can prove is still undone, over two passes
    assert repair_text("BÃ—nh ThuÃ‹n", ".VnTime") == ("Bình Thuận", ["mojibake", "tcvn3"])
