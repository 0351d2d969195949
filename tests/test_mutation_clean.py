"""Behaviours of clean.py pinned down one rule at a time (small hand-written frames)."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from danvan_survey.clean import (
    FormCleaning,
    convert_text_column,
    converter,
    could_be_missing,
    could_be_missing_mask,
    folded_names,
    person_hash,
    raw_text,
)
from danvan_survey.codebook import load_codebook

CODEBOOK = load_codebook()
SALT = b"pepper"


def _sha(key: str, salt: bytes = SALT) -> str:
    return hashlib.sha256(salt + key.encode("utf-8")).hexdigest()[:16]


# --- person hash -----------------------------------------------------------------------------


def test_person_hash_is_the_salted_hash_of_name_commune_and_birth_year() -> None:
    frame = pd.DataFrame({"cadre_name": ["Nguyễn Văn An", "Lê Y"],
                          "commune_code": ["23035", None],
                          "birth_year": pd.array([1970, None], dtype="Int64")}, index=[4, 9])
    got = person_hash(frame, "cadre_name", SALT)
    assert got.index.tolist() == [4, 9]
    assert got.tolist() == [_sha("nguyen van an|23035|1970"), _sha("le y||")]
    assert len(got[4]) == 16
    assert person_hash(frame, "cadre_name", b"other")[4] == _sha("nguyen van an|23035|1970",
                                                                 b"other")


def test_person_hash_uses_only_the_parts_the_frame_has() -> None:
    frame = pd.DataFrame({"cadre_name": ["An"], "birth_year": ["1970"], "x": ["1"]})
    assert person_hash(frame, "cadre_name", SALT).tolist() == [_sha("an|1970")]
    assert person_hash(frame, "cadre_name", SALT, ("x", "birth_year")).tolist() == [
        _sha("an|1|1970")]
    assert person_hash(frame, "cadre_name", SALT, ()).tolist() == [_sha("an")]


def test_the_same_person_written_differently_has_one_hash() -> None:
    names = ["Nguyễn Văn An", "  NGUYỄN  văn an ", "Nguyá»…n VÄƒn An", "Nguyen Van An"]
    frame = pd.DataFrame({"cadre_name": names, "commune_code": "1"})
    assert person_hash(frame, "cadre_name", SALT).tolist() == [_sha("nguyen van an|1")] * 4


def test_no_name_no_hash() -> None:
    frame = pd.DataFrame({"cadre_name": [None, "", "An", np.nan, "  "],
                          "commune_code": ["1", "1", "1", "1", "1"]}, index=[5, 6, 7, 8, 9])
    got = person_hash(frame, "cadre_name", SALT)
    assert got.tolist() == ["", "", _sha("an|1"), "", ""]
    assert got.index.tolist() == [5, 6, 7, 8, 9]


def test_person_hash_takes_the_folded_names_given() -> None:
    frame = pd.DataFrame({"cadre_name": ["An", "Binh"], "commune_code": ["1", "2"]})
    folded = pd.Series(["x", ""], index=frame.index)
    assert person_hash(frame, "cadre_name", SALT, folded=folded).tolist() == [_sha("x|1"), ""]


def test_person_hash_of_no_rows() -> None:
    frame = pd.DataFrame({"cadre_name": pd.Series([], dtype=object)})
    got = person_hash(frame, "cadre_name", SALT)
    assert got.tolist() == [] and got.dtype == "str"  # a text column even when empty
    assert person_hash(frame.assign(cadre_name="An").iloc[:0], "cadre_name", SALT).dtype == "str"


def test_folded_names_fold_each_distinct_name() -> None:
    names = pd.Series(["Trần Thị X", None, "TRẦN thị x", "Nguyá»…n VÄƒn An", "", "Lê-Y"],
                      index=[3, 1, 2, 0, 8, 9])
    got = folded_names(names)
    assert got.index.tolist() == [3, 1, 2, 0, 8, 9] and got.dtype == object
    assert got.tolist() == ["tran thi x", "", "tran thi x", "nguyen van an", "", "le y"]
    empty = folded_names(pd.Series([], dtype=object, index=pd.Index([], dtype="int64")))
    assert empty.tolist() == [] and empty.dtype == object


# --- could be missing ------------------------------------------------------------------------

VALUES = ["", "-9", " 99 ", "+1", "\u22129", "−9", "1.0", "1.00", "1.5", "1.234", "B-1", "KB",
          "N/A", "không rõ", "abc1", "12a", "x" * 24, "x" * 25, "9" * 24, "9" * 25,
          "không biết" + " " * 14, "không biết" + " " * 15, "-9" + " " * 22, "-9" + " " * 23,
          "Đ1", "1 2", "١٢"]


def test_the_mask_agrees_with_the_single_value_test() -> None:
    mask = could_be_missing_mask(pd.Series(VALUES, index=range(100, 100 + len(VALUES))))
    assert mask.dtype == bool and mask.index.tolist() == list(range(100, 100 + len(VALUES)))
    assert mask.tolist() == [could_be_missing(v) for v in VALUES]


@pytest.mark.parametrize(
    ("text", "maybe"),
    [("", True), ("-9", True), (" 99 ", True), ("1.0", True), ("1.5", False),
     ("1.234", False), ("B-1", False), ("KB", True), ("abc1", False), ("−9", True),
     ("x" * 24, True), ("x" * 25, False), ("-9" + " " * 22, True), ("-9" + " " * 23, False)],
)
def test_could_be_missing_mask(text: str, maybe: bool) -> None:
    assert could_be_missing_mask(pd.Series([text])).tolist() == [maybe]


def test_missing_values_may_be_missing_codes() -> None:
    values = pd.Series([None, np.nan, "B-1"], dtype=object)
    assert could_be_missing_mask(values).tolist() == [True, True, False]
    assert could_be_missing_mask(pd.Series(["-9", None], dtype="string")).tolist() == [True,
                                                                                       True]


# --- issues ----------------------------------------------------------------------------------


def test_add_issue_records_where_the_problem_is() -> None:
    values = pd.DataFrame({"_source_file": ["a.csv", "b.xlsx"], "_source_sheet": ["", "S"],
                           "_source_row": [2, 9]}, index=[7, 8])
    work = FormCleaning(values=values, log=[], issues=[{"_idx": 0}])
    work.add_issue(8, "error", "unparseable", "birth_year", 1970.0, "Sai.")
    work.add_issue(7, "warning", "w", "x", None, "M")
    assert work.issues == [
        {"_idx": 0},
        {"_idx": 8, "record_key": "", "level": "error", "rule": "unparseable", "file": "b.xlsx",
         "sheet": "S", "row": 9, "variable": "birth_year", "value": "1970", "message": "Sai."},
        {"_idx": 7, "record_key": "", "level": "warning", "rule": "w", "file": "a.csv",
         "sheet": "", "row": 2, "variable": "x", "value": "", "message": "M"},
    ]


# --- free text -------------------------------------------------------------------------------


def _plain(values: pd.Series) -> list[object]:
    return [None if pd.isna(v) else v for v in values]


def _text_column(texts: list[str | None]) -> tuple[pd.Series, FormCleaning]:
    index = list(range(20, 20 + len(texts)))
    raw = pd.DataFrame({"_source_file": "b.csv", "_source_sheet": "S",
                        "_source_row": [i - 18 for i in index], "cadre_id": texts}, index=index)
    var = CODEBOOK.var("b", "cadre_id")
    work = FormCleaning(values=raw[["_source_file"]].copy(), log=[], issues=[])
    values = convert_text_column(raw, raw_text(raw, "cadre_id"), var, converter(var, CODEBOOK),
                                 work)
    return values, work


def test_free_text_keeps_its_text_and_short_missing_codes_become_missing() -> None:
    long_code = "-9" + " " * 23  # too long to be a missing code
    values, work = _text_column(["B-1", "-9", None, "", "KB", "99", long_code, "-9", "N/A"])
    assert values.index.tolist() == list(range(20, 29))
    assert _plain(values) == [
        "B-1", None, None, None, None, "99", long_code, None, None]
    assert work.issues == []
    (log,) = work.log
    assert log.to_dict("list") == {
        "_idx": [21, 24, 27, 28],
        "source_file": ["b.csv"] * 4,
        "source_sheet": ["S"] * 4,
        "source_row": [3, 6, 9, 10],
        "variable": ["cadre_id"] * 4,
        "old_value": ["-9", "KB", "-9", "N/A"],
        "new_value": [""] * 4,
        "rule": ["missing_code:dont_know"] * 3 + ["missing_code:not_applicable"],
        "action": ["set_missing"] * 4,
    }


def test_free_text_without_missing_codes_logs_nothing() -> None:
    values, work = _text_column(["B-1", "", "Anh", None])
    assert _plain(values) == ["B-1", None, "Anh", None]
    assert work.log == [] and work.issues == []
    values, work = _text_column(["B-1", "B-2"])
    assert values.tolist() == ["B-1", "B-2"] and work.log == []
