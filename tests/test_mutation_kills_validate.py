"""Behaviours of validate.py that the mutation run found untested, called directly.

``split_outcome``, ``schema_issues`` and the helpers they use are reached elsewhere only
through whole pipeline runs (module-scoped fixtures); here each runs on a few hand-written
form-B records given their clean dtypes by ``schemas.coerce``.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from danvan_survey import safe_csv, validate
from danvan_survey.clean import FormCleaning
from danvan_survey.codebook import load_codebook
from danvan_survey.errors import InputError
from danvan_survey.schemas import RoundContext, TableSchemaError, coerce
from danvan_survey.validate import (
    Handover,
    _not_utf8,
    _quarantine_table,
    _soft_flags,
    _take_rows,
    read_corrections,
    schema_issues,
    split_outcome,
)

CODEBOOK = load_codebook()
CONTEXT = RoundContext(
    round_year=2014,
    period_start=date(2014, 6, 1),
    period_end=date(2014, 9, 30),
    commune_codes=frozenset({"22915"}),
    em_area_by_commune={"22915": "none"},
    form_a_keys=frozenset({("22915", "hnd")}),
)
HEADER = "key,variable,old_value,new_value,action,note"
ORG_WARNING = "Không có phiếu tổ chức (phiếu A) tương ứng với xã và tổ chức này."
AGE_WARNING = "Cán bộ Đoàn trên 35 tuổi; xác nhận lại."
AGE_ERROR = "Năm sinh ngoài khoảng hợp lý (16 đến 80 tuổi); kiểm tra lại."


def _typed(rows: list[dict[str, object]], index: list[int]) -> pd.DataFrame:
    """Form-B records with provenance, every clean column in its clean dtype."""
    base = {"_source_file": "b.csv", "_source_sheet": "S", "_source_row": 0,
            "_submission_time": None, "_uuid": None, "round_id": "r", "district_code": "596",
            "commune_code": "22915", "org_type": "hnd", "cadre_id": "c1"}
    return coerce(pd.DataFrame([base | r for r in rows], index=index), CODEBOOK, "b")


def _three() -> pd.DataFrame:
    """10: clean; 11: born 1900 (hard error); 12: a Đoàn cadre born 1960 (two warnings)."""
    return _typed([{"cadre_id": "c1", "_source_row": 2, "birth_year": 1970},
                   {"cadre_id": "c2", "_source_row": 3, "birth_year": 1900},
                   {"cadre_id": "c3", "_source_row": 4, "org_type": "doan",
                    "birth_year": 1960}], [10, 11, 12])


def _corrections(*lines: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(HEADER + "\n" + "\n".join(lines) + "\n"), dtype=str,
                       keep_default_na=False)


def _split(
    frame: pd.DataFrame | Handover,
    issues: list[dict[str, object]] | None = None,
    corrections: pd.DataFrame | None = None,
    index: pd.Index | None = None,
) -> validate.Outcome:
    values = frame if isinstance(frame, pd.DataFrame) else pd.DataFrame()
    work = FormCleaning(values=values, log=[], issues=list(issues or []))
    raw = pd.DataFrame(index=index if index is not None else values.index)
    return split_outcome(frame, "b", work, CODEBOOK, CONTEXT, corrections, "sửa.csv", raw)


def _issue(idx: int, level: str, rule: str, row: int, variable: str, value: str,
           message: str, key: str) -> dict[str, object]:
    return {"_idx": idx, "record_key": key, "level": level, "rule": rule, "file": "b.csv",
            "sheet": "S", "row": row, "variable": variable, "value": value, "message": message}


# --- split_outcome ---------------------------------------------------------------------------


def test_split_outcome_shares_the_data_of_a_plain_frame_and_leaves_it_alone() -> None:
    frame = _typed([{"cadre_id": "c1", "_source_row": 2, "birth_year": 1970},
                    {"cadre_id": "c2", "_source_row": 3}], [10, 11])
    before = frame.copy(deep=True)
    outcome = _split(frame)  # no corrections at all
    assert outcome.clean.index.tolist() == [10, 11] and outcome.issues == []
    assert outcome.clean["record_key"].tolist() == ["r|c1", "r|c2"]
    assert outcome.clean["soft_flags"].tolist() == ["", ""]
    assert outcome.corrections_handled == set()
    # a shallow copy: the clean table holds no second copy of the caller's columns
    assert np.shares_memory(outcome.clean["_source_row"].to_numpy(),
                            frame["_source_row"].to_numpy())
    pd.testing.assert_frame_equal(frame, before)


def test_split_outcome_takes_the_frame_from_a_handover_once() -> None:
    handover = Handover(_three())
    outcome = _split(handover, index=pd.Index([10, 11, 12]))
    assert outcome.clean.index.tolist() == [10, 12]
    assert outcome.quarantine.index.tolist() == [11]
    with pytest.raises(ValueError, match=r"^frame already taken$"):
        handover.release()


def test_split_outcome_flags_and_reports_soft_failures() -> None:
    frame = _three()
    outcome = _split(frame)
    clean = outcome.clean
    assert list(clean.columns) == list(frame.columns)  # soft_flags filled in its own column
    assert clean.index.tolist() == [10, 12]
    assert str(clean["soft_flags"].dtype) == "str"
    assert clean["soft_flags"].tolist() == ["", "warning:birth_year;warning:org_type"]
    assert clean["record_key"].tolist() == ["r|c1", "r|c3"]
    assert outcome.issues == [
        _issue(11, "error", "constraint:birth_year", 3, "birth_year", "1900", AGE_ERROR, "r|c2"),
        _issue(12, "warning", "warning:org_type", 4, "org_type", "doan", ORG_WARNING, "r|c3"),
        _issue(12, "warning", "warning:birth_year", 4, "birth_year", "1960", AGE_WARNING,
               "r|c3"),
    ]
    assert list(outcome.quarantine.columns) == [
        "quarantine_rules", "quarantine_reasons", *frame.columns]
    assert outcome.quarantine["quarantine_rules"].tolist() == ["constraint:birth_year"]
    assert outcome.quarantine["quarantine_reasons"].tolist() == [f"birth_year: {AGE_ERROR}"]


def test_an_error_found_in_cleaning_is_reported_once() -> None:
    frame = _typed([{"cadre_id": "c1", "_source_row": 2},
                    {"cadre_id": "c2", "_source_row": 3}], [10, 11])
    error = _issue(10, "error", "number", 2, "concurrent_posts", "ba", "Không phải số.", "")
    note = _issue(11, "info", "choice_label", 3, "sex", "Nam", "Đã đổi nhãn thành mã.", "")
    outcome = _split(frame, issues=[error, note])
    assert outcome.issues == [error | {"record_key": "r|c1"}, note | {"record_key": "r|c2"}]
    assert outcome.quarantine.index.tolist() == [10]
    assert outcome.quarantine["quarantine_rules"].tolist() == ["number"]
    assert outcome.clean.index.tolist() == [11]


def test_a_removed_record_is_quarantined_with_the_analysts_note() -> None:
    frame = _typed([{"cadre_id": "c1", "_source_row": 2},
                    {"cadre_id": "c2", "_source_row": 3}], [10, 11])
    outcome = _split(frame, corrections=_corrections("r|c2,_record,,,remove,trùng lặp"))
    assert outcome.corrections_handled == {2}
    assert outcome.issues == [{
        "_idx": 11, "record_key": "r|c2", "level": "error", "rule": "analyst_removed",
        "file": "b.csv", "sheet": "S", "row": 3, "variable": "_record", "value": "",
        "message": "Nhà phân tích loại: trùng lặp"}]
    assert outcome.quarantine.index.tolist() == [11]
    assert outcome.quarantine["quarantine_rules"].tolist() == ["analyst_removed"]
    assert outcome.quarantine["quarantine_reasons"].tolist() == [
        "_record: Nhà phân tích loại: trùng lặp"]
    assert outcome.clean.index.tolist() == [10]


def test_an_accepted_soft_failure_is_neither_flagged_nor_reported() -> None:
    frame = _three()
    outcome = _split(frame, corrections=_corrections("r|c3,org_type,doan,,accept,"))
    assert outcome.clean["soft_flags"].tolist() == ["", "warning:birth_year"]
    assert [(i["_idx"], i["rule"]) for i in outcome.issues] == [
        (11, "constraint:birth_year"), (12, "warning:birth_year")]


def test_a_soft_check_that_crashes_stops_the_run_naming_the_soft_schema() -> None:
    frame = _typed([{"cadre_id": "c1", "_source_row": 2}], [10])
    # keys that cannot be sorted: has_form_a (a warning of org_type) raises
    context = replace(CONTEXT, form_a_keys=frozenset({("22915", "hnd"), ("22915", None)}))
    work = FormCleaning(values=frame, log=[], issues=[])
    with pytest.raises(TableSchemaError, match=r"^schema form_b_soft: failures of whole "
                       r"columns, not of records: org_type: warning:org_type \(TypeError"):
        split_outcome(frame, "b", work, CODEBOOK, context, None, "", pd.DataFrame(index=[10]))


# --- schema_issues ---------------------------------------------------------------------------


def test_schema_issues_are_errors_when_hard_and_name_their_record() -> None:
    frame = _three()
    frame["record_key"] = ["k1", "k2", "k3"]
    assert schema_issues(frame, CODEBOOK, "b", CONTEXT, "hard") == [
        _issue(11, "error", "constraint:birth_year", 3, "birth_year", "1900", AGE_ERROR, "k2")]


def test_schema_issues_are_warnings_when_soft() -> None:
    frame = _three()
    frame["record_key"] = ["k1", "k2", "k3"]
    assert schema_issues(frame, CODEBOOK, "b", CONTEXT, "soft") == [
        _issue(12, "warning", "warning:org_type", 4, "org_type", "doan", ORG_WARNING, "k3"),
        _issue(12, "warning", "warning:birth_year", 4, "birth_year", "1960", AGE_WARNING, "k3"),
    ]


def test_a_duplicate_key_is_reported_in_vietnamese() -> None:
    """Two returns with an empty cadre id escape duplicate resolution; the key check says so."""
    frame = _typed([{"cadre_id": "c1", "_source_row": 2}, {"cadre_id": "c1", "_source_row": 3}],
                   [10, 11])
    frame["record_key"] = "r|c1"
    issues = schema_issues(frame, CODEBOOK, "b", CONTEXT, "hard")
    message = ("Trùng khóa bản ghi (Đợt khảo sát, Mã cán bộ) với một bản ghi khác của đợt; "
               "kiểm tra mã bị bỏ trống hoặc nhập trùng, rồi sửa trong tệp hiệu chỉnh.")
    assert issues == [
        _issue(10, "error", "unique_key:round_id", 2, "round_id", "r", message, "r|c1"),
        _issue(11, "error", "unique_key:round_id", 3, "round_id", "r", message, "r|c1"),
        _issue(10, "error", "unique_key:cadre_id", 2, "cadre_id", "c1", message, "r|c1"),
        _issue(11, "error", "unique_key:cadre_id", 3, "cadre_id", "c1", message, "r|c1"),
    ]


# --- read_corrections ------------------------------------------------------------------------

COLUMNS = "key,variable,old_value,new_value,action"


def test_a_corrections_file_with_a_doubled_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "sửa.csv"
    path.write_text("\ufeff\ufeff" + COLUMNS + "\nr|c1,birth_year,1970,1971,change\n",
                    encoding="utf-8")
    frame = read_corrections(path)
    assert list(frame.columns) == COLUMNS.split(",")
    assert frame.to_dict("list") == {"key": ["r|c1"], "variable": ["birth_year"],
                                     "old_value": ["1970"], "new_value": ["1971"],
                                     "action": ["change"]}


def test_an_empty_corrections_file_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "sửa.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_corrections(path)
    assert err.value.message == ("Tệp hiệu chỉnh sửa.csv rỗng; dòng đầu phải là tiêu đề: "
                                 "key,variable,old_value,new_value,action.")
    assert err.value.file == "sửa.csv" and err.value.row is None


def test_a_damaged_file_the_checker_cannot_place_is_still_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "sửa.csv"
    path.write_text(COLUMNS + '\n"r|c1,birth_year,1970,1971,change\n', encoding="utf-8")
    with pytest.raises(pd.errors.ParserError) as parse:
        pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    monkeypatch.setattr(safe_csv, "check_text", lambda *args: None)
    with pytest.raises(InputError) as err:
        read_corrections(path)
    assert err.value.message == (
        f"Không đọc được tệp hiệu chỉnh sửa.csv ({parse.value}); lưu lại dạng CSV UTF-8.")
    assert err.value.file == "sửa.csv"
    assert isinstance(err.value.__cause__, pd.errors.ParserError)


def test_a_corrections_file_not_in_utf8_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "sửa.csv"
    path.write_bytes(COLUMNS.encode() + b"\nr|c1,ethnicity,,T\xe0y,change\n")
    with pytest.raises(InputError) as err:
        read_corrections(path)
    assert err.value.message == (
        "Tệp hiệu chỉnh sửa.csv không phải văn bản UTF-8 (dòng 2). Trong Excel chọn Lưu thành "
        "→ \u201cCSV UTF-8 (phân cách bằng dấu phẩy)\u201d rồi chạy lại.")
    assert err.value.file == "sửa.csv" and err.value.row == 2


def test_the_utf8_refusal_names_no_line_when_none_is_bad(tmp_path: Path) -> None:
    path = tmp_path / "sửa.csv"
    path.write_text(COLUMNS + "\n", encoding="utf-8")
    err = _not_utf8(path)
    assert err.message == (
        "Tệp hiệu chỉnh sửa.csv không phải văn bản UTF-8. Trong Excel chọn Lưu thành "
        "→ \u201cCSV UTF-8 (phân cách bằng dấu phẩy)\u201d rồi chạy lại.")
    assert err.file == "sửa.csv" and err.row is None


# --- _take_rows, _soft_flags, _quarantine_table ----------------------------------------------


def _mixed() -> pd.DataFrame:
    return pd.DataFrame(
        {"text": pd.Series(["a", None, "c", "d"], dtype="str").to_numpy(),
         "count": pd.array([1, None, 3, 4], dtype="Int64"),
         "plain": np.array([1.5, 2.5, 3.5, 4.5])},
        index=pd.Index([10, 11, 13, 17]),
    )


@pytest.mark.parametrize("mask", [[True, False, True, True], [False] * 4, [True] * 4])
def test_take_rows_column_by_column_from_the_threshold_on(
    mask: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = _mixed()
    want = frame[np.array(mask)]
    monkeypatch.setattr(validate, "COLUMNWISE_MIN_CELLS", frame.size)  # exactly at it
    work = frame.copy(deep=False)
    got = _take_rows(work, np.array(mask))
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert list(work.columns) == []  # each column given away as it was filtered
    monkeypatch.setattr(validate, "COLUMNWISE_MIN_CELLS", frame.size + 1)  # just below it
    work = frame.copy(deep=False)
    pd.testing.assert_frame_equal(_take_rows(work, np.array(mask)), want, check_exact=True)
    assert list(work.columns) == list(frame.columns)


def test_soft_flags_join_the_distinct_rules_of_each_record_in_order() -> None:
    soft = [{"_idx": 7, "rule": "warning:y"}, {"_idx": 5, "rule": "warning:x"},
            {"_idx": 7, "rule": "warning:a"}, {"_idx": 7, "rule": "warning:y"}]
    got = _soft_flags(soft, pd.Index([5, 6, 7]))
    want = pd.Series(["warning:x", "", "warning:a;warning:y"], index=pd.Index([5, 6, 7]),
                     dtype="str")
    pd.testing.assert_series_equal(got, want, check_exact=True)
    empty = _soft_flags([], pd.Index([3]))
    pd.testing.assert_series_equal(empty, pd.Series([""], index=pd.Index([3]), dtype="str"))


def test_quarantine_table_leads_with_rules_and_reasons() -> None:
    records = pd.DataFrame({"record_key": ["k1", "k2"], "n": [1, 2]}, index=[10, 11])
    hard = [
        {"_idx": 10, "rule": "b", "variable": "x", "message": "m1"},
        {"_idx": 10, "rule": "a", "variable": "y", "message": "m2"},
        {"_idx": 10, "rule": "b", "variable": "x", "message": "m1"},
    ]
    out = _quarantine_table(records, hard)
    assert list(out.columns) == ["quarantine_rules", "quarantine_reasons", "record_key", "n"]
    assert out.index.tolist() == [10, 11]
    assert out["quarantine_rules"].tolist() == ["b;a", ""]
    assert out["quarantine_reasons"].tolist() == ["x: m1 | y: m2", ""]
    assert list(records.columns) == ["record_key", "n"]  # the records are left alone
    assert np.shares_memory(out["n"].to_numpy(), records["n"].to_numpy())  # not copied
