"""Value conversion of clean.py: behaviours the mutation run of clean found untested.

Direct, fast tests of ``converter`` (and the ``_typed``/``_number`` rules behind it),
``allows_nines``/``_upper_bound`` (when 99/999 are "don't know" codes), ``canonical``,
``typed_array`` and ``convert_column`` (typed column, cleaning-log rows and issues), each
rule at its boundary with real codebook variables and small hand-written inputs. Until
now these were reached only by slow end-to-end pipeline tests.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from danvan_survey.clean import (
    INTEGER_LIMIT,
    PROVENANCE,
    Converted,
    FormCleaning,
    _upper_bound,
    allows_nines,
    canonical,
    convert_column,
    converter,
    raw_text,
    typed_array,
)
from danvan_survey.codebook import Choice, Codebook, Variable, load_codebook

CODEBOOK = load_codebook()

#: integer, ". >= 1 and . <= 60": 99/999 cannot be real answers, so they mean "unknown".
RESIDENTIAL = CODEBOOK.var("a", "n_residential_areas")
#: integer, ". >= 0 and . <= 150": 99 is a possible real count.
BRANCHES = CODEBOOK.var("a", "n_branches")
#: integer, ". >= 1" (no upper bound).
ELIGIBLE_POP = CODEBOOK.var("a", "eligible_pop")
#: decimal, ". >= 0 and . <= 40 and . <= round_year() - ...": bound 40.
YEARS_IN_POST = CODEBOOK.var("b", "years_in_post")
#: decimal, ". >= 0 and . <= 100".
ATTENDANCE = CODEBOOK.var("a", "attendance_pct")
#: decimal without constraint.
WEIGHT = CODEBOOK.var("b", "weight")
INTERVIEW_DATE = CODEBOOK.var("a", "interview_date")
#: select_one of a text-coded list.
ORG_TYPE = CODEBOOK.var("a", "org_type")
#: select_one of the numeric list sex: 1 Nam, 2 Nữ.
SEX = CODEBOOK.var("b", "sex")
#: select_one yes_no (numeric list: 1 Có, 0 Không).
PARTY = CODEBOOK.var("b", "is_party_member")
#: select_one whose list has a real answer with code "dont_know".
VIGNETTE = CODEBOOK.var("b", "vignette_land_protest")
#: select_one of a reference list (filled from the admin vintage, not choices.csv).
DISTRICT = CODEBOOK.var("a", "district_code")
RATING = CODEBOOK.var("a", "rating_last_year")
MEETING = CODEBOOK.var("a", "meeting_content")
CADRE_ID = CODEBOOK.var("b", "cadre_id")


def _with_bound(var: Variable, bound: int) -> Variable:
    """``var`` with the upper bound ``bound`` (". >= 0 and . <= bound")."""
    return dataclasses.replace(var, constraint=f". >= 0 and . <= {bound}")


def _with_choice_99(list_name: str) -> Codebook:
    """The codebook with a real answer coded 99 added to ``list_name``."""
    extra = Choice("99", "Khác", "Other")
    choices = {**CODEBOOK.choices, list_name: (*CODEBOOK.choices[list_name], extra)}
    return dataclasses.replace(CODEBOOK, choices=choices)


def _conv(var: Variable, text: str, codebook: Codebook = CODEBOOK) -> Converted:
    return converter(var, codebook)(text)


def _not_a_number(text: str) -> str:
    return f"Giá trị '{text}' không phải là số; nhập số (ví dụ 1234 hoặc 12,5)."


# --- upper bound and the 9/99 = unknown rule -------------------------------------------------


def test_upper_bound_is_the_number_after_dot_at_most() -> None:
    assert RESIDENTIAL.constraint == ". >= 1 and . <= 60"
    assert _upper_bound(RESIDENTIAL) == 60.0
    assert isinstance(_upper_bound(RESIDENTIAL), float)
    assert _upper_bound(BRANCHES) == 150.0
    assert _upper_bound(YEARS_IN_POST) == 40.0  # the first "<= number" of a longer rule
    assert _upper_bound(ELIGIBLE_POP) is None  # only a lower bound
    assert _upper_bound(CODEBOOK.var("a", "n_exec_vacant")) is None  # "<= ${n_exec_members}"
    assert _upper_bound(WEIGHT) is None  # no constraint


def test_upper_bound_is_the_smallest_of_an_and_rule_and_none_with_or() -> None:
    def bound(rule: str) -> float | None:
        return _upper_bound(dataclasses.replace(RESIDENTIAL, constraint=rule))

    assert bound(". >= 0 and . <= 200 and . <= 50") == 50.0  # not the first one written
    assert bound(". <= 50 and . <= 200") == 50.0
    assert bound(". <= 50 or . = 99") is None  # 99 is allowed: nines are real answers
    assert bound("(. <= 20) or (. >= 100 and . <= 120)") is None
    assert bound(". <= 30 and ${org_type} != 'hoi'") == 30.0  # "or" inside a word is not an or
    assert allows_nines(dataclasses.replace(RESIDENTIAL, constraint=". <= 50 or . = 99"),
                        CODEBOOK) is False


def test_nines_are_missing_codes_only_when_the_bound_is_below_99() -> None:
    assert allows_nines(RESIDENTIAL, CODEBOOK) is True  # integer, bound 60
    assert allows_nines(YEARS_IN_POST, CODEBOOK) is True  # decimal, bound 40
    assert allows_nines(BRANCHES, CODEBOOK) is False  # bound 150
    assert allows_nines(ATTENDANCE, CODEBOOK) is False  # bound 100
    assert allows_nines(ELIGIBLE_POP, CODEBOOK) is False  # no bound
    assert allows_nines(_with_bound(RESIDENTIAL, 98), CODEBOOK) is True
    assert allows_nines(_with_bound(RESIDENTIAL, 99), CODEBOOK) is False  # 99 is a real answer
    assert allows_nines(_with_bound(YEARS_IN_POST, 99), CODEBOOK) is False
    # not a number: a bound does not make nines missing codes
    assert allows_nines(_with_bound(INTERVIEW_DATE, 30), CODEBOOK) is False
    assert allows_nines(_with_bound(CADRE_ID, 30), CODEBOOK) is False


def test_nines_of_select_questions_depend_on_the_list() -> None:
    assert allows_nines(ORG_TYPE, CODEBOOK) is True
    assert allows_nines(RATING, CODEBOOK) is True  # codes 1-4 and 9: no 99
    assert allows_nines(MEETING, CODEBOOK) is True
    assert allows_nines(DISTRICT, CODEBOOK) is False  # reference list: codes are not choices
    assert allows_nines(CODEBOOK.var("a", "commune_code"), CODEBOOK) is False
    with_99 = _with_choice_99("rating")
    assert allows_nines(RATING, with_99) is False  # 99 is an answer of the list
    assert allows_nines(ORG_TYPE, with_99) is True  # other lists keep their rule


def test_a_99_of_a_list_holding_99_is_the_answer_99() -> None:
    with_99 = _with_choice_99("rating")
    assert _conv(RATING, "99", with_99) == Converted(99)
    assert _conv(RATING, "999", with_99) == Converted(
        None,
        error="Giá trị '999' không thuộc danh sách; chọn một trong: "
        "1 (Vững mạnh / Hoàn thành xuất sắc nhiệm vụ), 2 (Khá / Hoàn thành tốt nhiệm vụ), "
        "3 (Trung bình / Hoàn thành nhiệm vụ), 4 (Yếu, kém / Không hoàn thành nhiệm vụ), "
        "9 (Chưa xếp loại), 99 (Khác).",
    )
    assert _conv(RATING, "99") == Converted(None, "missing_code:unknown")


@pytest.mark.parametrize(
    ("var", "text", "expected"),
    [
        (RESIDENTIAL, "99", Converted(None, "missing_code:unknown")),
        (RESIDENTIAL, "999", Converted(None, "missing_code:unknown")),
        (RESIDENTIAL, "9999", Converted(None, "missing_code:unknown")),
        (RESIDENTIAL, "98", Converted(98)),
        (RESIDENTIAL, "9", Converted(9)),  # a single 9 is a real answer
        (RESIDENTIAL, "60", Converted(60)),  # at the bound (range checks come later)
        (RESIDENTIAL, "61", Converted(61)),
        (BRANCHES, "99", Converted(99)),  # bound 150: 99 is a count
        (BRANCHES, "999", Converted(999)),
        (ELIGIBLE_POP, "999", Converted(999)),
        (YEARS_IN_POST, "99", Converted(None, "missing_code:unknown")),
        (ATTENDANCE, "99", Converted(99.0)),
        (ORG_TYPE, "99", Converted(None, "missing_code:unknown")),
        (_with_bound(RESIDENTIAL, 99), "99", Converted(99)),
        (_with_bound(RESIDENTIAL, 98), "99", Converted(None, "missing_code:unknown")),
    ],
)
def test_nines_in_converted_values(var: Variable, text: str, expected: Converted) -> None:
    assert _conv(var, text) == expected


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "rule"),
    [
        ("12", 12, None),
        ("12.0", 12, None),  # Excel's float text of a whole number
        ("1.234", 1234, "thousands_dot"),
        ("1.234.567", 1234567, "thousands_dot"),
        ("1 234", 1234, "thousands_space"),
        ("1,234,567", 1234567, "thousands_comma"),
        ("khoảng 20", 20, "text_stripped"),
        ("45%", 45, "percent"),
        ("0", 0, None),
        ("-9" + " " * 23, -9, None),  # 25 characters: too long to be a missing code
    ],
)
def test_integers_are_python_ints(text: str, value: int, rule: str | None) -> None:
    got = _conv(BRANCHES, text)
    assert got == Converted(value, rule)
    assert type(got.value) is int


@pytest.mark.parametrize(
    ("text", "value", "rule"),
    [
        ("12,5", 12.5, "decimal_comma"),
        ("12.5", 12.5, None),
        ("0.125", 0.125, None),  # integer part 0: a decimal point, not thousands
        ("1.234,5", 1234.5, "thousands_dot+decimal_comma"),
        ("1,234.5", 1234.5, "thousands_comma"),
        ("1 234,5", 1234.5, "thousands_space+decimal_comma"),
        ("12", 12.0, None),
        ("1e3", 1000.0, "scientific"),  # logged: the text was not the number as typed
    ],
)
def test_decimals_keep_their_fraction(text: str, value: float, rule: str | None) -> None:
    got = _conv(WEIGHT, text)
    assert got == Converted(value, rule)
    assert type(got.value) is float


def test_a_whole_number_is_required_of_an_integer() -> None:
    assert _conv(BRANCHES, "12,5") == Converted(None, error="'12,5' phải là số nguyên.")
    assert _conv(BRANCHES, "0.5") == Converted(None, error="'0.5' phải là số nguyên.")
    assert _conv(BRANCHES, "12,0") == Converted(12, "decimal_comma")


def test_a_single_comma_before_three_digits_is_ambiguous() -> None:
    message = (
        "Số '1,234' không rõ là phần nghìn hay phần thập phân; "
        "ghi lại không dùng dấu phân cách (ví dụ 1234 hoặc 1,5)."
    )
    assert _conv(BRANCHES, "1,234") == Converted(None, error=message)
    assert _conv(WEIGHT, "1,234") == Converted(None, error=message)
    assert _conv(WEIGHT, "1,23") == Converted(1.23, "decimal_comma")  # two digits: decimal


@pytest.mark.parametrize("text", ["abc", "1.2.3", "12 tuổi 13", "1/2", "không biết" + " " * 15])
def test_text_that_is_no_number(text: str) -> None:
    assert _conv(BRANCHES, text) == Converted(None, error=_not_a_number(text))
    assert _conv(WEIGHT, text) == Converted(None, error=_not_a_number(text))


def test_integers_stop_below_two_to_the_53() -> None:
    top = INTEGER_LIMIT - 1
    assert _conv(BRANCHES, str(top)) == Converted(top)
    assert _conv(BRANCHES, f"-{top}") == Converted(-top)
    for text in (str(INTEGER_LIMIT), f"-{INTEGER_LIMIT}", "1e20"):
        assert _conv(BRANCHES, text) == Converted(
            None,
            error=f"Giá trị '{text}' của n_branches nằm ngoài phạm vi một số hợp lệ "
            "(quá lớn); kiểm tra lại ô này.",
        )
    # decimals have no such limit
    assert _conv(WEIGHT, str(INTEGER_LIMIT)) == Converted(float(INTEGER_LIMIT))
    assert _conv(WEIGHT, "1e20") == Converted(1e20, "scientific")


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2014-06-15", Converted(date(2014, 6, 15))),  # ISO as written: no change
        ("2014-06-15T08:00:00.000+07:00", Converted(date(2014, 6, 15))),  # Kobo timestamp
        ("2014-6-15", Converted(date(2014, 6, 15), "iso")),  # ISO, rewritten
        ("2014/06/15", Converted(date(2014, 6, 15), "iso")),
        ("15/06/2014", Converted(date(2014, 6, 15), "dmy")),
        ("15.6.14", Converted(date(2014, 6, 15), "dmy")),
        ("ngày 15 tháng 6 năm 2014", Converted(date(2014, 6, 15), "dmy_text")),
        ("41805", Converted(date(2014, 6, 15), "excel_serial")),
        ("18264", Converted(date(1950, 1, 1), "excel_serial")),  # first serial accepted
        ("73050", Converted(date(2099, 12, 31), "excel_serial")),  # last serial accepted
        ("29/02/2016", Converted(date(2016, 2, 29), "dmy")),
    ],
)
def test_dates(text: str, expected: Converted) -> None:
    assert _conv(INTERVIEW_DATE, text) == expected


@pytest.mark.parametrize(
    "text", ["31/02/2014", "06/15/2014", "29/02/2015", "18263", "73051", "hôm qua", "2014-13-01"]
)
def test_unreadable_dates(text: str) -> None:
    assert _conv(INTERVIEW_DATE, text) == Converted(
        None, error=f"Ngày '{text}' không đọc được; ghi theo dạng ngày/tháng/năm."
    )


# --- choices ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("var", "text", "expected"),
    [
        (ORG_TYPE, "hnd", Converted("hnd")),
        (ORG_TYPE, "HND", Converted("hnd", "choice_code")),
        (ORG_TYPE, "Hội Nông dân", Converted("hnd", "choice_label")),
        (ORG_TYPE, "Farmers' Union", Converted("hnd", "choice_label")),
        (ORG_TYPE, "hoi nong dan", Converted("hnd", "choice_label_folded")),
        (ORG_TYPE, "Phụ nữ", Converted("hlhpn", "choice_label_partial")),
        (SEX, "1", Converted(1)),
        (SEX, "1.0", Converted(1, "choice_code")),
        (SEX, "Nam", Converted(1, "choice_label")),
        (SEX, "nữ", Converted(2, "choice_label_folded")),
        (RATING, "9", Converted(9)),  # "Chưa xếp loại": a real answer, not a missing code
        (RATING, "Khá", Converted(2, "choice_label_folded")),  # one " / " part of a label
        (VIGNETTE, "dont_know", Converted("dont_know")),  # a code is never a missing code
        (VIGNETTE, "-9", Converted(None, "missing_code:dont_know")),
    ],
)
def test_select_one(var: Variable, text: str, expected: Converted) -> None:
    got = _conv(var, text)
    assert got == expected
    assert type(got.value) is type(expected.value)  # numeric lists give ints, others text


def test_an_answer_outside_the_list() -> None:
    assert _conv(SEX, "3") == Converted(
        None, error="Giá trị '3' không thuộc danh sách; chọn một trong: 1 (Nam), 2 (Nữ)."
    )
    assert _conv(ORG_TYPE, "Hội") == Converted(  # a part of several labels: ambiguous
        None,
        error="Giá trị 'Hội' không thuộc danh sách; chọn một trong: mttq (Ủy ban MTTQ), "
        "hnd (Hội Nông dân), hlhpn (Hội Liên hiệp Phụ nữ), doan (Đoàn TNCS Hồ Chí Minh), "
        "hccb (Hội Cựu chiến binh).",
    )


def test_reference_lists_keep_the_code_as_written() -> None:
    assert CODEBOOK.codes("district") == []  # filled from reference data, not choices.csv
    assert _conv(DISTRICT, "593") == Converted("593")
    assert _conv(DISTRICT, "Huyện Ninh Phước") == Converted("Huyện Ninh Phước")
    assert _conv(DISTRICT, "99") == Converted("99")  # nines are not missing codes here
    assert _conv(DISTRICT, "-9") == Converted(None, "missing_code:dont_know")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", Converted(1)),
        ("0", Converted(0)),
        ("có", Converted(1, "yes_no_text")),
        ("Không", Converted(0, "yes_no_text")),
        ("x", Converted(1, "yes_no_text")),  # a ticked box, not the "unknown" code
        ("1.0", Converted(1, "yes_no_text")),
        ("yes", Converted(1, "yes_no_text")),
        ("ko", Converted(0, "yes_no_text")),
        ("KB", Converted(None, "missing_code:dont_know")),
        ("99", Converted(None, "missing_code:unknown")),
    ],
)
def test_yes_no(text: str, expected: Converted) -> None:
    got = _conv(PARTY, text)
    assert got == expected
    assert type(got.value) is type(expected.value)


def test_yes_no_words_mean_nothing_special_elsewhere() -> None:
    assert _conv(BRANCHES, "x") == Converted(None, "missing_code:unknown")
    assert _conv(BRANCHES, "có") == Converted(None, error=_not_a_number("có"))
    assert _conv(SEX, "x") == Converted(None, "missing_code:unknown")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("policy", Converted("policy")),
        ("policy admin", Converted("policy admin")),
        ("admin policy", Converted("policy admin", "multi_normalised")),
        ("policy policy", Converted("policy", "multi_normalised")),
        ("sinh hoạt chuyên đề; khác", Converted("thematic other", "multi_normalised")),
        ("phổ biến chủ trương, văn bản", Converted("policy", "multi_normalised")),
        ("policy, ăn uống", Converted(None, error="Lựa chọn 'ăn uống' không thuộc danh sách "
                                                  "của câu này.")),
        ("foo, khác, bar", Converted(None, error="Lựa chọn 'foo bar' không thuộc danh sách "
                                                 "của câu này.")),
    ],
)
def test_select_multiple(text: str, expected: Converted) -> None:
    assert _conv(MEETING, text) == expected


def test_empty_and_missing_words() -> None:
    for var in (BRANCHES, WEIGHT, INTERVIEW_DATE, ORG_TYPE, SEX, MEETING, CADRE_ID):
        assert _conv(var, "") == Converted(None)
        assert _conv(var, "-9") == Converted(None, "missing_code:dont_know")
        assert _conv(var, "N/A") == Converted(None, "missing_code:not_applicable")
    assert _conv(CADRE_ID, "B-1") == Converted("B-1")
    assert _conv(CADRE_ID, "99") == Converted("99")


# --- canonical -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (pd.NA, ""),
        (pd.NaT, ""),
        (np.nan, ""),
        (np.float64("nan"), ""),
        (np.datetime64("NaT"), ""),
        (12.0, "12"),
        (12.5, "12.5"),
        (7, "7"),
        (np.int64(20), "20"),
        ("abc", "abc"),
        ("", ""),
        (date(2014, 6, 15), "2014-06-15"),
        (datetime(2014, 6, 15), "2014-06-15"),
        (datetime(2014, 6, 15, 8, 30), "2014-06-15T08:30:00"),
        (pd.Timestamp("2014-06-15"), "2014-06-15"),
        (np.datetime64("2014-06-15"), "2014-06-15"),
        (np.datetime64("2014-06-15T08:30:00"), "2014-06-15T08:30:00"),
    ],
)
def test_canonical(value: object, text: str) -> None:
    assert canonical(value) == text


# --- typed arrays ----------------------------------------------------------------------------


def test_typed_array_of_dates_is_microsecond_datetime64() -> None:
    got = typed_array([date(2014, 6, 15), None, date(1950, 1, 1)], "datetime64[us]")
    assert isinstance(got, np.ndarray)
    assert got.dtype == np.dtype("datetime64[us]")
    assert got[0] == np.datetime64("2014-06-15", "us")
    assert np.isnat(got[1])
    assert got[2] == np.datetime64("1950-01-01", "us")
    assert len(typed_array([], "datetime64[us]")) == 0


@pytest.mark.parametrize(
    ("values", "dtype", "plain"),
    [
        ([1, None, 3], "Int64", [1, None, 3]),
        ([1, None], "Float64", [1.0, None]),
        ([12.5, None], "Float64", [12.5, None]),
        (["hnd", None], "str", ["hnd", None]),
        ([True, None, False], "boolean", [True, None, False]),
        ([], "Int64", []),
    ],
)
def test_typed_array_has_the_clean_dtype(values: list[object], dtype: str,
                                         plain: list[object]) -> None:
    got = typed_array(values, dtype)
    assert got.dtype == pd.api.types.pandas_dtype(dtype)
    assert str(got.dtype) == str(pd.api.types.pandas_dtype(dtype))
    assert [None if pd.isna(v) else v for v in got] == plain


# --- convert_column --------------------------------------------------------------------------

FIRST = 40  # row index of the first test row (not 0: an index is carried, not rebuilt)


def _column(var: Variable, texts: list[str | None]) -> tuple[pd.Series, FormCleaning]:
    index = list(range(FIRST, FIRST + len(texts)))
    raw = pd.DataFrame({"_source_file": "a.csv", "_source_sheet": "S",
                        "_source_row": [i - FIRST + 2 for i in index], var.name: texts},
                       index=index)
    work = FormCleaning(values=raw[PROVENANCE].copy(), log=[], issues=[])
    values = convert_column(raw, raw_text(raw, var.name), var, CODEBOOK, work)
    return values, work


def _plain(values: pd.Series) -> list[object]:
    return [None if pd.isna(v) else v for v in values]


def _issue(idx: int, variable: str, value: str, message: str) -> dict[str, object]:
    return {"_idx": idx, "record_key": "", "level": "error", "rule": "unparseable",
            "file": "a.csv", "sheet": "S", "row": idx - FIRST + 2, "variable": variable,
            "value": value, "message": message}


def _log(rows: list[int], variable: str, old: list[str], new: list[str], rules: list[str],
         action: str) -> dict[str, list[object]]:
    return {"_idx": rows, "source_file": ["a.csv"] * len(rows),
            "source_sheet": ["S"] * len(rows), "source_row": [i - FIRST + 2 for i in rows],
            "variable": [variable] * len(rows), "old_value": old, "new_value": new,
            "rule": rules, "action": [action] * len(rows)}


def test_an_integer_column() -> None:
    texts = ["12", "99", "abc", "12", None, "-9", "khoảng 20", "abc", "1,234"]
    values, work = _column(RESIDENTIAL, texts)
    assert values.dtype == "Int64"
    assert values.index.tolist() == list(range(FIRST, FIRST + 9))
    assert _plain(values) == [12, None, None, 12, None, None, 20, None, None]
    assert [f.to_dict("list") for f in work.log] == [
        _log([41, 45], "n_residential_areas", ["99", "-9"], ["", ""],
             ["missing_code:unknown", "missing_code:dont_know"], "set_missing"),
        _log([46], "n_residential_areas", ["khoảng 20"], ["20"], ["text_stripped"], "recoded"),
    ]
    ambiguous = ("Số '1,234' không rõ là phần nghìn hay phần thập phân; "
                 "ghi lại không dùng dấu phân cách (ví dụ 1234 hoặc 1,5).")
    assert work.issues == [
        _issue(42, "n_residential_areas", "abc", _not_a_number("abc")),
        _issue(47, "n_residential_areas", "abc", _not_a_number("abc")),
        _issue(48, "n_residential_areas", "1,234", ambiguous),
    ]


def test_a_column_where_every_value_changes_is_logged() -> None:
    values, work = _column(ATTENDANCE, ["12,5", "1.234,5", "12,5"])
    assert values.dtype == "Float64"
    assert _plain(values) == [12.5, 1234.5, 12.5]
    assert [f.to_dict("list") for f in work.log] == [
        _log([40, 41, 42], "attendance_pct", ["12,5", "1.234,5", "12,5"],
             ["12.5", "1234.5", "12.5"],
             ["decimal_comma", "thousands_dot+decimal_comma", "decimal_comma"], "recoded"),
    ]
    assert work.issues == []


def test_a_column_needing_no_change_logs_nothing() -> None:
    values, work = _column(RESIDENTIAL, ["12", "", "7", "12"])
    assert values.dtype == "Int64"
    assert _plain(values) == [12, None, 7, 12]
    assert work.log == [] and work.issues == []


def test_only_missing_codes_is_only_set_missing() -> None:
    values, work = _column(ORG_TYPE, ["KB", "hnd", "N/A"])
    assert values.dtype == "str"
    assert _plain(values) == [None, "hnd", None]
    assert [f.to_dict("list") for f in work.log] == [
        _log([40, 42], "org_type", ["KB", "N/A"], ["", ""],
             ["missing_code:dont_know", "missing_code:not_applicable"], "set_missing"),
    ]


def test_a_numeric_choice_column() -> None:
    values, work = _column(SEX, ["Nam", "2", "nữ", "3", "1", "x"])
    assert values.dtype == "Int64"
    assert _plain(values) == [1, 2, 2, None, 1, None]
    assert [f.to_dict("list") for f in work.log] == [
        _log([45], "sex", ["x"], [""], ["missing_code:unknown"], "set_missing"),
        _log([40, 42], "sex", ["Nam", "nữ"], ["1", "2"],
             ["choice_label", "choice_label_folded"], "recoded"),
    ]
    assert work.issues == [_issue(
        43, "sex", "3", "Giá trị '3' không thuộc danh sách; chọn một trong: 1 (Nam), 2 (Nữ).")]


def test_a_date_column() -> None:
    values, work = _column(INTERVIEW_DATE, ["15/06/2014", "2014-06-15", "31/02/2014", "",
                                            "15/06/2014"])
    assert values.dtype == "datetime64[us]"
    assert values.index.tolist() == list(range(FIRST, FIRST + 5))
    day = pd.Timestamp("2014-06-15")
    assert _plain(values) == [day, day, None, None, day]
    assert [f.to_dict("list") for f in work.log] == [
        _log([40, 44], "interview_date", ["15/06/2014"] * 2, ["2014-06-15"] * 2, ["dmy"] * 2,
             "recoded"),
    ]
    assert work.issues == [_issue(
        42, "interview_date", "31/02/2014",
        "Ngày '31/02/2014' không đọc được; ghi theo dạng ngày/tháng/năm.")]


def test_a_reference_list_column_keeps_its_codes() -> None:
    values, work = _column(DISTRICT, ["593", "-9", "593"])
    assert values.dtype == "str"
    assert _plain(values) == ["593", None, "593"]
    assert [f.to_dict("list") for f in work.log] == [
        _log([41], "district_code", ["-9"], [""], ["missing_code:dont_know"], "set_missing"),
    ]


def test_a_multiple_choice_column() -> None:
    values, work = _column(MEETING, ["admin policy", "policy", "foo"])
    assert values.dtype == "str"
    assert _plain(values) == ["policy admin", "policy", None]
    assert [f.to_dict("list") for f in work.log] == [
        _log([40], "meeting_content", ["admin policy"], ["policy admin"], ["multi_normalised"],
             "recoded"),
    ]
    assert work.issues == [_issue(
        42, "meeting_content", "foo", "Lựa chọn 'foo' không thuộc danh sách của câu này.")]


def test_a_text_column_goes_the_free_text_way() -> None:
    long_code = "-9" + " " * 23
    values, work = _column(CADRE_ID, ["B-1", "KB", "99", long_code, ""])
    assert values.index.tolist() == list(range(FIRST, FIRST + 5))
    assert _plain(values) == ["B-1", None, "99", long_code, None]
    assert [f.to_dict("list") for f in work.log] == [
        _log([41], "cadre_id", ["KB"], [""], ["missing_code:dont_know"], "set_missing"),
    ]
    assert work.issues == []


@pytest.mark.parametrize(
    ("form", "name", "text", "value", "rule"),
    [
        # the exact label of a real choice is that answer, though it is also a missing word
        ("b", "vignette_land_protest", "Không biết", "dont_know", "choice_label_folded"),
        ("b", "vignette_land_protest", "KHÔNG BIẾT", "dont_know", "choice_label_folded"),
        ("b", "speaks_em_language", "không áp dụng", 8, "choice_label"),
        # a missing word that is no label of the list stays a missing code
        ("b", "vignette_land_protest", "không rõ", None, "missing_code:dont_know"),
        ("b", "speaks_em_language", "Không biết", None, "missing_code:dont_know"),
    ],
)
def test_a_choice_label_that_is_also_a_missing_word_is_the_answer(
    form: str, name: str, text: str, value: object, rule: str
) -> None:
    got = _conv(CODEBOOK.var(form, name), text)
    assert (got.value, got.rule, got.error) == (value, rule, None)
