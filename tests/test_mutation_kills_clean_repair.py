"""Pins down behaviours of clean.py that the mutation run of clean found untested.

Direct, fast tests (small hand-written frames) of the text repair of a column
(:func:`repair_column`, :func:`_suspect`, :class:`ColumnText`, :func:`raw_text`), of record
keys and of pseudonymisation; before, most of this was reached only by slow end-to-end
pipeline runs.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest

from danvan_survey.clean import (
    PROVENANCE,
    ColumnText,
    FormCleaning,
    _suspect,
    pseudonymise,
    raw_text,
    record_keys,
    repair_column,
)
from danvan_survey.codebook import load_codebook

CODEBOOK = load_codebook()
SALT = b"pepper"
NAME = "proposals"
PARTIAL_MESSAGE = (
    "Giá trị '{value}' của proposals bị lỗi mã hóa chỉ sửa được một phần (có thể đã mất ký "
    "tự trước khi tệp đến); kiểm tra lại với nơi gửi và sửa bằng tệp hiệu chỉnh nếu cần."
)


def _sha(key: str) -> str:
    return hashlib.sha256(SALT + key.encode("utf-8")).hexdigest()[:16]


# --- helpers ---------------------------------------------------------------------------------


def _raw(values: Sequence[str | None]) -> pd.DataFrame:
    """A raw table: rows indexed 10, 11, … (not 0, 1, …), source rows 2, 3, …"""
    index = list(range(10, 10 + len(values)))
    return pd.DataFrame(
        {"_source_file": "a.xlsx", "_source_sheet": "S",
         "_source_row": [i - 8 for i in index], NAME: values},
        index=index,
    )


def _work(raw: pd.DataFrame) -> FormCleaning:
    return FormCleaning(values=raw[PROVENANCE].copy(), log=[], issues=[])


def _repair(
    values: Sequence[str | None], fonts: Sequence[str | None] | None = None,
    font_dtype: str = "object",
) -> tuple[pd.DataFrame, ColumnText, ColumnText, FormCleaning]:
    raw = _raw(values)
    work = _work(raw)
    col = raw_text(raw, NAME)
    hints = None if fonts is None else pd.Series(fonts, index=raw.index, dtype=font_dtype)
    out = repair_column(raw, col, NAME, work, hints)
    return raw, col, out, work


def _log(rows: list[int], old: list[str], new: list[str], rules: list[str],
         action: str) -> dict[str, list[Any]]:
    """Expected cleaning-log rows of the frame made by :func:`_raw`."""
    return {
        "_idx": rows,
        "source_file": ["a.xlsx"] * len(rows),
        "source_sheet": ["S"] * len(rows),
        "source_row": [i - 8 for i in rows],
        "variable": [NAME] * len(rows),
        "old_value": old,
        "new_value": new,
        "rule": rules,
        "action": [action] * len(rows),
    }


def _assert_column(out: ColumnText, index: list[int], expected: list[str]) -> None:
    """``out`` holds ``expected`` (rows ``index``) with its distinct values, first seen first."""
    assert out.text.tolist() == expected and out.text.index.tolist() == index
    distinct = list(dict.fromkeys(expected))
    assert out.uniques.tolist() == distinct
    assert out.codes.tolist() == [distinct.index(v) for v in expected]


# --- ColumnText, raw_text --------------------------------------------------------------------


def test_column_text_keeps_distinct_values_in_order_of_first_appearance() -> None:
    text = pd.Series(["b", "a", "b", "c", "a"], index=[7, 3, 5, 1, 0])
    col = ColumnText.of(text)
    assert col.text is text
    assert col.codes.tolist() == [0, 1, 0, 2, 1]
    assert col.uniques.tolist() == ["b", "a", "c"] and col.uniques.dtype == "str"
    assert col.uniques.to_numpy()[col.codes].tolist() == text.tolist()


def test_column_text_of_object_text_has_text_uniques() -> None:
    col = ColumnText.of(pd.Series(["x", "y", "x"], dtype=object))
    assert col.uniques.dtype == "str" and col.uniques.tolist() == ["x", "y"]
    assert col.codes.tolist() == [0, 1, 0]


def test_raw_text_reads_missing_cells_as_empty_text() -> None:
    raw = pd.DataFrame({"x": ["Anh", None, np.nan, "Anh"]}, index=[4, 5, 6, 7])
    col = raw_text(raw, "x")
    assert col.text.tolist() == ["Anh", "", "", "Anh"] and col.text.index.tolist() == [4, 5, 6, 7]
    assert col.uniques.tolist() == ["Anh", ""] and col.codes.tolist() == [0, 1, 1, 0]


# --- _suspect --------------------------------------------------------------------------------

SUSPECT = [
    ("abc", False),  # pure ASCII: left alone
    ("a b", False),  # one inner space is fine
    ("Ngh\u1ec7 An", True),  # non-ASCII without any stray space
    ("abc ", True),  # exactly one trailing space
    (" abc", True),  # one leading space
    ("a  b", True),  # two spaces inside
    ("a\tb", True),  # a tab
    ("a\nb", True),  # a line break
    ("a\x00b", True),  # NUL
    ("a\x1fb", True),  # last C0 control
    ("a\x7fb", True),  # DEL
    ("a~b", False),  # last printable ASCII
]


@pytest.mark.parametrize(("value", "expected"), SUSPECT)
def test_suspect_rule_at_its_boundary(value: str, expected: bool) -> None:
    got = _suspect(ColumnText.of(pd.Series([value, "ok"], index=[3, 8])))
    assert got.tolist() == [expected, False] and got.index.tolist() == [3, 8]


def test_suspect_is_one_flag_per_row_by_its_value() -> None:
    values = [v for v, _ in SUSPECT] * 2
    index = list(range(100, 100 + len(values)))
    got = _suspect(ColumnText.of(pd.Series(values, index=index)))
    assert got.dtype == bool and got.index.tolist() == index
    assert got.tolist() == [flag for _, flag in SUSPECT] * 2


# --- repair_column: nothing to change --------------------------------------------------------


def test_plain_ascii_returns_the_same_column() -> None:
    _, col, out, work = _repair(["abc", "a b", ""])
    assert out is col and work.log == [] and work.issues == []


def test_suspect_values_that_need_no_repair_return_the_same_column() -> None:
    _, col, out, work = _repair(["Ngh\u1ec7 An", "abc", "Ngh\u1ec7 An"])
    assert out is col and work.log == [] and work.issues == []


def test_a_legacy_looking_value_without_a_font_is_never_guessed() -> None:
    _, col, out, work = _repair(["HuÕ", "abc"], [None, "Arial"])  # TCVN3 Huế or VNI Hũ
    assert out is col and work.log == [] and work.issues == []


# --- repair_column: whitespace, controls, NFC, mojibake --------------------------------------


def test_whitespace_controls_nfc_and_mojibake_are_repaired_and_logged() -> None:
    nfd = unicodedata.normalize("NFD", "Ngh\u1ec7 An")
    mojibake = "Há»™i  NÃ´ng dÃ¢n"  # UTF-8 "Hội Nông dân" read as cp1252, two spaces
    values = ["abc", "abc ", "a\tb", "a  b", "a\x00b", nfd, "Ngh\u1ec7 An", "  ", "abc ",
              mojibake]
    raw, col, out, work = _repair(values)
    expected = ["abc", "abc", "a b", "a b", "ab", "Ngh\u1ec7 An", "Ngh\u1ec7 An", "", "abc",
                "Hội Nông dân"]
    assert out is not col
    _assert_column(out, list(range(10, 20)), expected)
    assert work.issues == []
    (log,) = work.log
    assert log.to_dict("list") == _log(
        [11, 12, 13, 14, 15, 17, 18, 19],
        ["abc ", "a\tb", "a  b", "a\\x00b", nfd, "  ", "abc ", mojibake],  # NUL shown
        ["abc", "a b", "a b", "ab", "Ngh\u1ec7 An", "", "abc", "Hội Nông dân"],
        ["whitespace", "whitespace", "whitespace", "control_chars", "nfc", "whitespace",
         "whitespace", "mojibake+whitespace"],
        "repaired",
    )
    assert raw[NAME].tolist() == values  # the raw table is left as it was


def test_only_the_control_characters_of_an_old_value_are_shown() -> None:
    _, _, out, work = _repair(["a\x7fb", "x ", "a\x7fb"])
    assert out.text.tolist() == ["ab", "x", "ab"]
    (log,) = work.log
    assert log["old_value"].tolist() == ["a\\x7fb", "x ", "a\\x7fb"]
    assert log["rule"].tolist() == ["control_chars", "whitespace", "control_chars"]


# --- repair_column: cell fonts ---------------------------------------------------------------


@pytest.mark.parametrize("font_dtype", ["object", "str"])
def test_a_legacy_cell_font_decides_the_decoding(font_dtype: str) -> None:
    values = ["HuÕ", "HuÕ", "SÔN LA", "abc", "Sôn La"]
    fonts = [".VnTime", None, "VNI-Times", "", "Times New Roman"]
    _, col, out, work = _repair(values, fonts, font_dtype)
    assert out is not col
    # without a font "HuÕ" stays (it could be VNI "Hũ"); a Unicode font is no evidence
    _assert_column(out, list(range(10, 15)), ["Huế", "HuÕ", "SƠN LA", "abc", "Sôn La"])
    (log,) = work.log
    assert log.to_dict("list") == _log(
        [10, 12], ["HuÕ", "SÔN LA"], ["Huế", "SƠN LA"], ["tcvn3", "vni"], "repaired")
    assert work.issues == []


def test_a_font_on_every_suspect_row_is_used() -> None:
    _, col, out, work = _repair(["HuÕ", "abc", "HuÕ"], [".VnTime", "Arial", ".VnTime"], "str")
    _assert_column(out, [10, 11, 12], ["Huế", "abc", "Huế"])
    (log,) = work.log
    assert log.to_dict("list") == _log(
        [10, 12], ["HuÕ", "HuÕ"], ["Huế", "Huế"], ["tcvn3", "tcvn3"], "repaired")


def test_empty_fonts_change_nothing_of_the_repair() -> None:
    _, _, out, work = _repair(["a ", "abc", "a "], ["", ".VnTime", ""], "str")
    _assert_column(out, [10, 11, 12], ["a", "abc", "a"])
    (log,) = work.log
    assert log.to_dict("list") == _log(
        [10, 12], ["a ", "a "], ["a", "a"], ["whitespace", "whitespace"], "repaired")


def test_a_value_holding_the_font_separator_keeps_its_font() -> None:
    _, _, out, work = _repair(["a\x1eb", "HuÕ"], [".VnTime", ".VnTime"], "str")
    _assert_column(out, [10, 11], ["ab", "Huế"])
    (log,) = work.log
    assert log.to_dict("list") == _log(
        [10, 11], ["a\\x1eb", "HuÕ"], ["ab", "Huế"], ["control_chars", "tcvn3"], "repaired")


# --- repair_column: partly repairable mojibake -----------------------------------------------


def test_partial_mojibake_is_logged_as_partially_repaired_and_warned() -> None:
    lost = "Há™i NÃ´ng dÃ¢n"  # "Hội Nông dân" read as cp1252 after a byte was lost
    half = "Há™i Nông dân"  # ftfy repairs the words still whole
    replacement = "\ufffd Xã A"  # nothing to repair, still a lost character
    values = [lost, "abc ", replacement, lost, "ok"]
    _, col, out, work = _repair(values)
    _assert_column(out, list(range(10, 15)), [half, "abc", replacement, half, "ok"])
    repaired, partial = work.log
    assert repaired.to_dict("list") == _log([11], ["abc "], ["abc"], ["whitespace"], "repaired")
    assert partial.to_dict("list") == _log(
        [10, 13], [lost, lost], [half, half], ["mojibake_partial"] * 2, "partially_repaired")
    assert work.issues == [
        {"_idx": idx, "record_key": "", "level": "warning", "rule": "mojibake_partial",
         "file": "a.xlsx", "sheet": "S", "row": idx - 8, "variable": NAME, "value": value,
         "message": PARTIAL_MESSAGE.format(value=value)}
        for idx, value in ((10, half), (12, replacement), (13, half))
    ]


def test_an_unrepairable_value_alone_is_warned_about_but_not_logged() -> None:
    replacement = "\ufffd Xã A"
    _, _, out, work = _repair(["ok", replacement])
    assert out.text.tolist() == ["ok", replacement]
    assert work.log == []
    assert [(i["_idx"], i["rule"], i["value"]) for i in work.issues] == [
        (11, "mojibake_partial", replacement)]


def test_partial_mojibake_with_stray_spaces_is_partially_repaired() -> None:
    _, _, out, work = _repair(["\ufffd Xã  A", "x "])
    assert out.text.tolist() == ["\ufffd Xã A", "x"]
    repaired, partial = work.log
    assert repaired.to_dict("list") == _log([11], ["x "], ["x"], ["whitespace"], "repaired")
    assert partial.to_dict("list") == _log(
        [10], ["\ufffd Xã  A"], ["\ufffd Xã A"], ["mojibake_partial+whitespace"],
        "partially_repaired")
    assert [i["_idx"] for i in work.issues] == [10]


# --- record keys -----------------------------------------------------------------------------


def test_record_keys_join_the_key_columns_with_empty_missing_parts() -> None:
    a = pd.DataFrame({"round_id": ["R1", "R1", None], "commune_code": ["23035", None, "1"],
                      "org_type": ["hoi_nd", "mttq", pd.NA], "x": ["9", "9", "9"]},
                     index=[5, 6, 7])
    got = record_keys(a, "a")
    assert got.tolist() == ["R1|23035|hoi_nd", "R1||mttq", "|1|"]
    assert got.index.tolist() == [5, 6, 7]
    b = pd.DataFrame({"round_id": ["R1", "R1"], "cadre_id": ["B-1", np.nan]})
    assert record_keys(b, "b").tolist() == ["R1|B-1", "R1|"]


# --- pseudonymise ----------------------------------------------------------------------------


def _form_b_values() -> pd.DataFrame:
    return pd.DataFrame(
        {"cadre_id": ["B-1", "B-2", "B-3"],
         "cadre_name": ["Nguyễn Văn An", None, "Lê Y"],
         "cadre_phone": ["0912", "0913", None],
         "commune_code": ["23035", "23035", None],
         "birth_year": pd.array([1970, 1980, None], dtype="Int64")},
        index=[4, 9, 2],
    )


def test_pseudonymise_drops_names_and_phones_and_keeps_salted_hashes() -> None:
    values = _form_b_values()
    before = values.copy()
    out = pseudonymise(values, CODEBOOK, "b", SALT)
    assert out.columns.tolist() == ["cadre_id", "commune_code", "birth_year", "person_hash",
                                    "person_link"]
    assert out.index.tolist() == [4, 9, 2]
    assert out["person_hash"].tolist() == [_sha("nguyen van an|23035|1970"), "", _sha("le y||")]
    assert out["person_link"].tolist() == [_sha("nguyen van an|1970"), "", _sha("le y|")]
    assert out["cadre_id"].tolist() == ["B-1", "B-2", "B-3"]
    pd.testing.assert_frame_equal(values, before)  # the input is left as it was


def test_pseudonymise_without_a_phone_column() -> None:
    values = _form_b_values().drop(columns="cadre_phone")
    out = pseudonymise(values, CODEBOOK, "b", SALT)
    assert out.columns.tolist() == ["cadre_id", "commune_code", "birth_year", "person_hash",
                                    "person_link"]
    assert out["person_link"].tolist() == [_sha("nguyen van an|1970"), "", _sha("le y|")]


def test_pseudonymise_without_a_name_column_adds_no_hash() -> None:
    values = _form_b_values().drop(columns="cadre_name")
    out = pseudonymise(values, CODEBOOK, "b", SALT)
    assert out.columns.tolist() == ["cadre_id", "commune_code", "birth_year"]


def test_pseudonymise_of_form_a_only_drops_personal_data() -> None:
    values = pd.DataFrame({"commune_code": ["23035"], "respondent_name": ["Trần Thị X"],
                           "org_type": ["hoi_nd"], "respondent_phone": ["0912"]})
    out = pseudonymise(values, CODEBOOK, "a", SALT)
    assert out.columns.tolist() == ["commune_code", "org_type"]
    assert out.to_dict("list") == {"commune_code": ["23035"], "org_type": ["hoi_nd"]}
