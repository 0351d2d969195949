"""Behaviours of validate.py pinned down one rule at a time (small hand-written frames)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from danvan_survey.clean import FormCleaning
from danvan_survey.codebook import load_codebook
from danvan_survey.errors import InputError
from danvan_survey.validate import (
    _records,
    _with_key,
    apply_corrections,
    correction_issues,
    failing_values,
    read_corrections,
    resolve_duplicates,
    same_time_conflicts,
)

# --- duplicates ------------------------------------------------------------------------------


def _returns(rows: list[dict[str, object]], index: list[int] | None = None) -> pd.DataFrame:
    """Form-B records: key parts, provenance, record_key, and the given values."""
    base = {"round_id": "r", "cadre_id": "c1", "_submission_time": None, "_source_file": "f.csv",
            "_source_sheet": "", "_source_row": 0, "_uuid": None}
    frame = pd.DataFrame([base | r for r in rows], index=index)
    frame["record_key"] = (frame["round_id"].fillna("") + "|" + frame["cadre_id"].fillna(""))
    return frame


def _kept(frame: pd.DataFrame, form: str = "b") -> list[object]:
    keep, _, _ = resolve_duplicates(frame, form)
    assert keep.index.equals(frame.index)
    return frame.index[keep.to_numpy()].tolist()


def test_the_latest_submission_is_kept_wherever_it_is_read() -> None:
    frame = _returns([
        {"_submission_time": "2014-07-02T10:00:00", "_source_row": 2},
        {"_submission_time": "2014-07-01T10:00:00", "_source_row": 3},
        {"_submission_time": "2014-07-03T10:00:00", "_source_row": 4},
        {"_submission_time": "2014-07-01T09:00:00", "_source_row": 5},
    ], index=[10, 20, 30, 40])
    assert _kept(frame) == [30]


def test_a_return_without_time_loses_to_one_with_a_time() -> None:
    frame = _returns([{"_source_row": 2, "_submission_time": "2014-07-01T10:00:00"},
                      {"_source_row": 3}])
    assert _kept(frame) == [0]
    frame = _returns([{"_source_row": 2}, {"_source_row": 3, "_submission_time": "2014"}])
    assert _kept(frame) == [1]


def test_same_time_keeps_the_return_read_last() -> None:
    frame = _returns([{"_source_row": 2, "_submission_time": "t"},
                      {"_source_row": 3, "_submission_time": "t"},
                      {"_source_row": 4, "_submission_time": "t"}], index=[7, 5, 6])
    assert _kept(frame) == [6]
    frame = _returns([{"_source_row": 2}, {"_source_row": 3}], index=[9, 8])
    assert _kept(frame) == [8]


def test_returns_without_a_full_key_are_never_duplicates() -> None:
    frame = _returns([{"cadre_id": None, "_source_row": 2}, {"cadre_id": None, "_source_row": 3},
                      {"round_id": None, "_source_row": 4}, {"round_id": None, "_source_row": 5}])
    assert frame["record_key"].duplicated().any()
    keep, log, conflicts = resolve_duplicates(frame, "b")
    assert keep.tolist() == [True] * 4
    assert log.empty and conflicts == []


def test_keyless_rows_do_not_shift_the_reading_order() -> None:
    # an unkeyed row first: the keyed rows keep their own reading order (position in the frame)
    frame = _returns([{"cadre_id": None}, {"cadre_id": "x", "_source_row": 3},
                      {"cadre_id": "x", "_source_row": 4}], index=[3, 2, 1])
    assert _kept(frame) == [3, 1]


def test_distinct_keys_are_all_kept_and_nothing_logged() -> None:
    frame = _returns([{"cadre_id": "a"}, {"cadre_id": "b"}, {"cadre_id": "c"}])
    keep, log, conflicts = resolve_duplicates(frame, "b")
    assert keep.tolist() == [True, True, True]
    assert len(log) == 0 and conflicts == []
    assert list(log.columns) == ["_idx", "source_file", "source_sheet", "source_row", "variable",
                                 "old_value", "new_value", "rule", "action"]


def test_form_a_keys_are_round_commune_and_organisation() -> None:
    frame = _returns([{"commune_code": "1", "org_type": "hnd", "_source_row": 2},
                      {"commune_code": "1", "org_type": "hnd", "_source_row": 3},
                      {"commune_code": "1", "org_type": None, "_source_row": 4},
                      {"commune_code": "1", "org_type": None, "_source_row": 5}])
    frame["record_key"] = "k"  # form A reads its own key columns, not form B's
    assert _kept(frame, "a") == [1, 2, 3]


def test_each_dropped_return_is_logged_with_the_kept_one() -> None:
    frame = _returns([
        {"_source_file": "a.xlsx", "_source_sheet": "S1", "_source_row": 5, "_uuid": "u1",
         "_submission_time": "2014-07-01"},
        {"_source_file": "b.csv", "_source_sheet": "", "_source_row": 7, "_uuid": None,
         "_submission_time": "2014-07-02"},
        {"_source_file": "c.csv", "_source_sheet": "S3", "_source_row": 9, "_uuid": "u3",
         "_submission_time": None},
        {"_source_file": "d.csv", "_source_sheet": "S4", "_source_row": 11, "_uuid": "u4",
         "_submission_time": "2014-07-03"},
        {"cadre_id": "c2", "_source_file": "e.csv", "_source_row": 3, "_uuid": "u5"},
        {"cadre_id": "c2", "_source_file": "e.csv", "_source_row": 4, "_uuid": "u6"},
    ], index=[100, 101, 102, 103, 104, 105])
    keep, log, _ = resolve_duplicates(frame, "b")
    assert keep.tolist() == [False, False, False, True, False, True]
    assert log.to_dict("list") == {
        "_idx": [102, 100, 101, 104],
        "source_file": ["c.csv", "a.xlsx", "b.csv", "e.csv"],
        "source_sheet": ["S3", "S1", "", ""],
        "source_row": [9, 5, 7, 3],
        "variable": ["_record"] * 4,
        "old_value": ["u3", "u1 2014-07-01", "2014-07-02", "u5"],
        "new_value": ["giữ bản nộp d.csv dòng 11", "giữ bản nộp d.csv dòng 11",
                      "giữ bản nộp d.csv dòng 11", "giữ bản nộp e.csv dòng 4"],
        "rule": ["duplicate_key"] * 4,
        "action": ["removed_older_duplicate"] * 4,
    }


def test_resolve_duplicates_reports_same_time_conflicts() -> None:
    frame = _returns([{"_source_row": 2, "_submission_time": "t", "x": 1},
                      {"_source_row": 3, "_submission_time": "t", "x": 2}])
    _, _, conflicts = resolve_duplicates(frame, "b")
    assert [(c["_idx"], c["rule"], c["variable"]) for c in conflicts] == [
        (1, "duplicate_conflict", "x")]


# --- same-time conflicts ---------------------------------------------------------------------


def _conflicts(frame: pd.DataFrame) -> list[dict[str, object]]:
    """same_time_conflicts as resolve_duplicates calls it."""
    _, _, conflicts = resolve_duplicates(frame, "b")
    return conflicts


def test_a_conflict_issue_names_both_returns_and_the_differing_values() -> None:
    frame = _returns([
        {"_source_file": "a.csv", "_source_sheet": "S", "_source_row": 2,
         "_submission_time": "2014-07-01T10:00:00", "x": 1, "y": "p", "z": 5},
        {"_source_file": "b.csv", "_source_sheet": "T", "_source_row": 8,
         "_submission_time": "2014-07-01T10:00:00", "x": 2, "y": "p", "z": None},
    ], index=[4, 9])
    assert _conflicts(frame) == [{
        "_idx": 9,
        "record_key": "r|c1",
        "level": "warning",
        "rule": "duplicate_conflict",
        "file": "b.csv",
        "sheet": "T",
        "row": 8,
        "variable": "x z",
        "value": "x: '2'; z: ''",
        "message": "2 bản nộp cùng khóa r|c1 cùng thời điểm (2014-07-01T10:00:00) nhưng khác "
        "nhau. Đã giữ bản đọc sau cùng: b.csv dòng 8 (x: '2'; z: ''); bản bị loại: a.csv dòng "
        "2 (x: '1'; z: '5'). Hỏi lại xã bản nào đúng; nếu cần, ghi vào tệp hiệu chỉnh.",
    }]


def test_returns_without_time_conflict_and_say_so() -> None:
    frame = _returns([{"_source_row": 2, "x": "a"}, {"_source_row": 3, "x": "b"}])
    (issue,) = _conflicts(frame)
    assert issue["message"].startswith(
        "2 bản nộp cùng khóa r|c1 cùng thời điểm (không ghi thời điểm nộp) nhưng khác nhau.")


def test_an_older_return_is_no_conflict() -> None:
    frame = _returns([{"_source_row": 2, "_submission_time": "2014-07-01", "x": 1},
                      {"_source_row": 3, "_submission_time": "2014-07-02", "x": 2},
                      {"_source_row": 4, "_submission_time": "2014-07-01", "x": 3}])
    assert _conflicts(frame) == []


def test_only_the_returns_with_the_kept_time_conflict() -> None:
    frame = _returns([{"_source_row": 2, "_submission_time": "t2", "x": 1},
                      {"_source_row": 3, "_submission_time": "t1", "x": 9},
                      {"_source_row": 4, "_submission_time": "t2", "x": 3}])
    (issue,) = _conflicts(frame)
    assert issue["_idx"] == 2
    assert "bản bị loại: f.csv dòng 2 (x: '1')." in issue["message"]
    assert "dòng 3" not in issue["message"]


def test_equal_values_are_no_conflict_and_missing_equals_missing() -> None:
    frame = _returns([{"_source_row": 2, "_uuid": "u1", "_source_file": "a", "x": 1.0, "y": None},
                      {"_source_row": 3, "_uuid": "u2", "_source_file": "b", "x": 1,
                       "y": np.nan}])
    assert _conflicts(frame) == []


def test_a_return_equal_to_the_kept_one_counts_but_is_not_listed() -> None:
    frame = _returns([{"_source_row": 2, "x": 1}, {"_source_row": 3, "x": 2},
                      {"_source_row": 4, "x": 2}])
    (issue,) = _conflicts(frame)
    assert issue["message"].startswith("3 bản nộp cùng khóa")
    assert "bản bị loại: f.csv dòng 2 (x: '1'). Hỏi" in issue["message"]
    assert "dòng 3" not in issue["message"]


def test_variables_of_every_dropped_return_are_listed_once_in_order() -> None:
    frame = _returns([{"_source_row": 2, "x": 1, "y": 1, "w": 0},
                      {"_source_row": 3, "x": 2, "y": 0, "w": 1},
                      {"_source_row": 4, "x": 0, "y": 0, "w": 0}])
    (issue,) = _conflicts(frame)
    assert issue["variable"] == "x y w"
    assert issue["value"] == "x: '0'; y: '0'; w: '0'"
    assert "bản bị loại: f.csv dòng 2 (x: '1'; y: '1') | f.csv dòng 3 (x: '2'; w: '1')." \
        in issue["message"]


def test_at_most_eight_differences_are_shown() -> None:
    names = [f"v{i}" for i in range(10)]
    eight = _returns([{"_source_row": 2} | dict.fromkeys(names[:8], 1),
                      {"_source_row": 3} | dict.fromkeys(names[:8], 2)])
    (issue,) = _conflicts(eight)
    shown = "; ".join(f"v{i}: '1'" for i in range(8))
    kept = "; ".join(f"v{i}: '2'" for i in range(8))
    assert issue["value"] == kept
    assert f"f.csv dòng 2 ({shown}). Hỏi" in issue["message"]
    nine = _returns([{"_source_row": 2} | dict.fromkeys(names[:9], 1),
                     {"_source_row": 3} | dict.fromkeys(names[:9], 2)])
    (issue,) = _conflicts(nine)
    assert issue["variable"] == " ".join(names[:9])
    assert issue["value"] == kept
    assert f"f.csv dòng 2 ({shown}; …). Hỏi" in issue["message"]


def test_private_columns_and_the_record_key_are_not_compared() -> None:
    frame = _returns([{"_source_row": 2, "_uuid": "a", "_extra": 1, "x": 1},
                      {"_source_row": 3, "_uuid": "b", "_extra": 2, "x": 1}])
    assert _conflicts(frame) == []
    dropped = frame.iloc[[0]].assign(_t="")
    kept = frame.iloc[[1]].assign(_t="", record_key="r|c1")
    frame.loc[0, "record_key"] = "other"
    assert same_time_conflicts(frame, dropped, kept) == []


def test_conflicts_come_in_key_order() -> None:
    frame = _returns([{"cadre_id": "z", "_source_row": 2, "x": 1},
                      {"cadre_id": "a", "_source_row": 3, "x": 1},
                      {"cadre_id": "z", "_source_row": 4, "x": 2},
                      {"cadre_id": "a", "_source_row": 5, "x": 2}])
    assert [c["record_key"] for c in _conflicts(frame)] == ["r|a", "r|z"]


# --- corrections -----------------------------------------------------------------------------

CODEBOOK = load_codebook()
HEADER = "key,variable,old_value,new_value,action,note"


def _corrections(*lines: str, header: str = HEADER) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(header + "\n" + "\n".join(lines) + "\n"), dtype=str,
                       keep_default_na=False)


def _cadres() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two form-B records (index 10, 11) and the raw text they were read from."""
    frame = pd.DataFrame(
        {
            "record_key": ["r|c1", "r|c2"],
            "_source_file": ["b.csv", "b2.xlsx"],
            "_source_sheet": ["", "Sheet"],
            "_source_row": [2, 7],
            "birth_year": pd.array([1970, None], dtype="Int64"),
            "concurrent_posts": pd.array([2, 3], dtype="Int64"),
        },
        index=[10, 11],
    )
    raw = pd.DataFrame({"birth_year": ["1.970", ""], "concurrent_posts": ["2", "ba"],
                        "position": ["x", "y"]}, index=[10, 11])
    return frame, raw


def _apply(corrections: pd.DataFrame, issues: list[dict[str, object]] | None = None):
    frame, raw = _cadres()
    work = FormCleaning(values=frame, log=[], issues=list(issues or []))
    result = apply_corrections(frame, corrections, work, CODEBOOK, "b", raw, "sửa.csv")
    log = pd.concat(work.log, ignore_index=True) if work.log else pd.DataFrame()
    return frame, work, result, log


def test_a_change_sets_the_value_logs_it_and_drops_the_cells_own_issues() -> None:
    mine = {"_idx": 10, "variable": "birth_year", "rule": "constraint:birth_year"}
    other_var = {"_idx": 10, "variable": "concurrent_posts", "rule": "x"}
    other_rec = {"_idx": 11, "variable": "birth_year", "rule": "x"}
    refused = {"_idx": 10, "variable": "birth_year", "rule": "correction_refused"}
    frame, work, result, log = _apply(
        _corrections("r|c1,birth_year,1970,1971,change,"), [mine, other_var, other_rec, refused])
    assert frame.at[10, "birth_year"] == 1971 and frame.at[11, "concurrent_posts"] == 3
    assert work.issues == [other_var, other_rec, refused]
    assert result.handled == {2} and result.removed == {} and result.accepted == set()
    assert log.to_dict("records") == [{
        "_idx": 10, "source_file": "b.csv", "source_sheet": "", "source_row": 2,
        "variable": "birth_year", "old_value": "1970", "new_value": "1971",
        "rule": "analyst_correction:change", "action": "change"}]


def test_the_old_value_may_be_the_raw_text() -> None:
    frame, work, result, _ = _apply(_corrections("r|c1,birth_year,1.970,1980,change,"))
    assert frame.at[10, "birth_year"] == 1980 and work.issues == [] and result.handled == {2}
    frame, work, _, log = _apply(_corrections("r|c2,concurrent_posts,ba,1,change,"))
    assert frame.at[11, "concurrent_posts"] == 1 and work.issues == []
    assert log["old_value"].tolist() == ["3"]


def test_a_stale_old_value_is_refused_with_the_current_value() -> None:
    frame, work, result, log = _apply(_corrections("r|c2,concurrent_posts,2,5,change,"))
    assert frame.at[11, "concurrent_posts"] == 3 and log.empty
    assert result.handled == {2}
    assert work.issues == [{
        "_idx": 11, "record_key": "r|c2", "level": "warning", "rule": "correction_refused",
        "file": "b2.xlsx", "sheet": "Sheet", "row": 7, "variable": "concurrent_posts",
        "value": "3",
        "message": "Tệp hiệu chỉnh sửa.csv, dòng 2: giá trị cũ '2' không khớp giá trị hiện tại "
        "'3'; hiệu chỉnh không được áp dụng. Kiểm tra lại rồi sửa dòng này.",
    }]


def test_an_empty_old_value_matches_an_empty_cell() -> None:
    frame, work, _, log = _apply(_corrections("r|c2,birth_year,,1960,change,"))
    assert frame.at[11, "birth_year"] == 1960 and work.issues == []
    assert log["old_value"].tolist() == [""]


def test_an_unknown_variable_is_refused_unless_the_record_is_removed() -> None:
    frame, work, result, log = _apply(_corrections("r|c1,tuoi,1,2,change,",
                                                   "r|c2,tuoi,,,remove,trùng"))
    assert result.handled == {2, 3} and result.removed == {11: "trùng"}
    assert work.issues == [{
        "_idx": 10, "record_key": "r|c1", "level": "warning",
        "rule": "correction_unknown_variable", "file": "b.csv", "sheet": "", "row": 2,
        "variable": "tuoi", "value": "",
        "message": "Tệp hiệu chỉnh sửa.csv, dòng 2: biến 'tuoi' không có trong bộ mã của phiếu "
        "này; hiệu chỉnh không được áp dụng. Ghi đúng tên biến (cột name trong từ điển dữ liệu) "
        "rồi sửa dòng này.",
    }]
    assert log["rule"].tolist() == ["analyst_correction:remove"]


def test_remove_ignores_the_old_value() -> None:
    _, work, result, log = _apply(_corrections("r|c1,birth_year,1234,,remove,"))
    assert result.removed == {10: "nhà phân tích loại bản ghi"} and work.issues == []
    assert log[["variable", "old_value", "new_value"]].values.tolist() == [
        ["birth_year", "1970", ""]]


def test_lines_of_other_forms_and_bad_actions_are_left_to_correction_issues() -> None:
    frame, work, result, log = _apply(_corrections(
        "r|c9,birth_year,1970,1,change,", "r|c1,birth_year,1970,1,edit,",
        "r|c2,tuoi,,,frobnicate,", "r|c2,birth_year,,1950,change,"))
    assert result.handled == {5} and work.issues == []
    assert frame["birth_year"].tolist() == [1970, 1950]
    assert len(log) == 1


def test_a_variable_of_the_codebook_missing_from_the_frame() -> None:
    # "position" is a form-B variable: not in the frame, but in the raw text
    frame, work, result, log = _apply(_corrections("r|c1,position,,,accept,"))
    assert work.issues == [] and result.accepted == {(10, "position")}
    assert log[["variable", "old_value", "new_value"]].values.tolist() == [["position", "x", ""]]
    _, work, _, log = _apply(_corrections("r|c1,position,x,,accept,"))
    assert work.issues == [] and log["old_value"].tolist() == ["x"]
    _, work, _, log = _apply(_corrections("r|c1,ethnicity,,,accept,"))  # nowhere at all
    assert work.issues == [] and log["old_value"].tolist() == [""]
    _, work, _, log = _apply(_corrections("r|c1,ethnicity,kinh,,accept,"))
    assert [i["rule"] for i in work.issues] == ["correction_refused"] and log.empty


def test_an_invalid_new_value_is_refused_and_the_cell_kept() -> None:
    frame, work, result, log = _apply(_corrections("r|c1,birth_year,1970,abc,change,"))
    assert frame.at[10, "birth_year"] == 1970 and log.empty and result.handled == {2}
    (issue,) = work.issues
    assert issue["rule"] == "correction_refused" and issue["value"] == "1970"
    assert issue["message"] == ("Tệp hiệu chỉnh sửa.csv, dòng 2: giá trị mới 'abc' không hợp "
                                "lệ (Giá trị 'abc' không phải là số; nhập số (ví dụ 1234 hoặc "
                                "12,5)).")


def test_blank_and_accept() -> None:
    frame, work, result, log = _apply(_corrections("r|c1,birth_year,1970,99,blank,",
                                                   "r|c2,concurrent_posts,3,,accept,ok"))
    assert pd.isna(frame.at[10, "birth_year"]) and frame.at[11, "concurrent_posts"] == 3
    assert result.accepted == {(11, "concurrent_posts")} and result.handled == {2, 3}
    assert log[["old_value", "new_value", "rule"]].values.tolist() == [
        ["1970", "", "analyst_correction:blank"], ["3", "3", "analyst_correction:accept"]]


def test_correction_issues_report_lines_neither_applied_nor_refused() -> None:
    corrections = _corrections("r|c1,birth_year,1970,1,change,", "r|c9,birth_year,1,2,change,",
                               "r|c1,x,1,2,edit,", "r|c9,y,,,remove,")
    issues = correction_issues(corrections, {2}, "sửa.csv")
    assert issues == [
        {"record_key": "r|c9", "level": "warning", "rule": "correction_unmatched",
         "file": "sửa.csv", "sheet": "", "row": 3, "variable": "birth_year", "value": "r|c9",
         "message": "Tệp hiệu chỉnh sửa.csv, dòng 3: khóa 'r|c9' không khớp bản ghi nào của "
         "đợt; dòng này không được áp dụng. Khóa có dạng <mã đợt>|<mã xã>|<mã tổ chức> "
         "(phiếu A) hoặc <mã đợt>|<mã cán bộ> (phiếu B); lấy đúng khóa từ cột record_key của "
         "validation_issues.csv hoặc quarantine.csv rồi sửa dòng này."},
        {"record_key": "r|c1", "level": "warning", "rule": "correction_bad_action",
         "file": "sửa.csv", "sheet": "", "row": 4, "variable": "action", "value": "edit",
         "message": "Tệp hiệu chỉnh sửa.csv, dòng 4: hành động 'edit' không hợp lệ; dòng này "
         "không được áp dụng. Dùng change, blank, remove hoặc accept."},
        {"record_key": "r|c9", "level": "warning", "rule": "correction_unmatched",
         "file": "sửa.csv", "sheet": "", "row": 5, "variable": "y", "value": "r|c9",
         "message": issues[0]["message"].replace("dòng 3", "dòng 5")},
    ]
    assert correction_issues(corrections, {2, 3, 4, 5}, "sửa.csv") == []


def test_every_action_is_known_and_nothing_else() -> None:
    lines = [f"k,v,,,{a}," for a in ("change", "blank", "remove", "accept", "Change", "", "x")]
    rules = [i["rule"] for i in correction_issues(_corrections(*lines), set(), "c.csv")]
    assert rules == ["correction_unmatched"] * 4 + ["correction_bad_action"] * 3


def test_read_corrections_keeps_every_cell_as_text(tmp_path: Path) -> None:
    path = tmp_path / "corrections.csv"
    path.write_text("\ufeffkey,variable,old_value,new_value,action\n"
                    "r|c1,birth_year,NA,007,change\nr|c2,x,,null,blank\n", encoding="utf-8")
    frame = read_corrections(path)
    assert frame.to_dict("list") == {
        "key": ["r|c1", "r|c2"], "variable": ["birth_year", "x"], "old_value": ["NA", ""],
        "new_value": ["007", "null"], "action": ["change", "blank"]}


def test_read_corrections_names_the_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "sửa.csv"
    path.write_text("key,old_value,action,note\nr|c1,1,remove,x\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_corrections(path)
    assert err.value.message == (
        "Tệp hiệu chỉnh sửa.csv thiếu cột: variable, new_value. Các cột cần có: key, variable, "
        "old_value, new_value, action.")
    assert err.value.file == "sửa.csv"
    path.write_text("key,variable,old_value,new_value,action\n", encoding="utf-8")
    assert read_corrections(path).empty


# --- failing values, issue records -----------------------------------------------------------


def test_failing_values_reads_the_cell_of_each_failure_in_order() -> None:
    frame = pd.DataFrame({"a": pd.array([1, None, 3], dtype="Int64"), "b": [2.0, 2.5, np.nan],
                          "c": ["x", None, "z"]}, index=[5, 6, 7])
    fails = pd.DataFrame({
        "index": [6, 7, 5, 5, 7, 6, 7],
        "column": ["a", "zz", "b", "a", "c", "b", "a"],
        "failure_case": ["no", 4.0, "no", "no", "no", None, "no"],
    })
    assert failing_values(frame, fails) == ["", "4", "2", "1", "z", "2.5", "3"]


def test_failing_values_of_a_check_without_a_column_are_its_failure_cases() -> None:
    frame = pd.DataFrame({"a": [1, 2]}, index=[0, 1])
    fails = pd.DataFrame({"index": [1, 0], "column": ["", "other"],
                          "failure_case": [None, "bad"]})
    assert failing_values(frame, fails) == ["", "bad"]
    empty = pd.DataFrame({"index": [], "column": [], "failure_case": []})
    assert failing_values(frame, empty) == []


def test_with_key_fills_only_a_missing_record_key() -> None:
    frame = pd.DataFrame({"record_key": ["r|a", "r|b"]}, index=[3, 4])
    issue = {"_idx": 4, "record_key": "", "rule": "x"}
    assert _with_key(issue, frame) == {"_idx": 4, "record_key": "r|b", "rule": "x"}
    assert issue["record_key"] == ""  # the caller's issue is not changed
    assert _with_key({"_idx": 3}, frame) == {"_idx": 3, "record_key": "r|a"}
    assert _with_key({"_idx": 3, "record_key": "r|z"}, frame) == {"_idx": 3, "record_key": "r|z"}
    assert _with_key({"_idx": 9, "record_key": ""}, frame) == {"_idx": 9, "record_key": ""}
    assert _with_key({"_idx": 9}, frame) == {"_idx": 9}


def test_records_match_to_dict_for_every_kind_of_column() -> None:
    frame = pd.DataFrame({
        "i": [1, 2], "f": [0.5, np.nan], "s": pd.Series(["a", None], dtype=object),
        "o": pd.Series([np.int64(7), np.float64(2.5)], dtype=object),
        "n": pd.array([1, None], dtype="Int64"), "t": pd.Series(["x", "y"], dtype="string"),
    })
    got = _records(frame)
    assert got[:1] == frame.iloc[:1].to_dict("records")
    assert [list(r) for r in got] == [["i", "f", "s", "o", "n", "t"]] * 2
    assert got[0]["i"] == 1 and got[1]["i"] == 2 and got[0]["s"] == "a" and got[1]["s"] is None
    assert type(got[0]["o"]) is int and type(got[1]["o"]) is float
    assert got[0]["o"] == 7 and got[1]["o"] == 2.5
    assert got[1]["n"] is pd.NA and got[0]["t"] == "x" and np.isnan(got[1]["f"])
    assert _records(frame.iloc[:0]) == []


# --- survivors of the first mutation run -----------------------------------------------------


def test_same_time_conflicts_come_in_key_order_whatever_the_order_of_the_dropped() -> None:
    frame = _returns([{"cadre_id": "z", "_source_row": 2, "x": 1},
                      {"cadre_id": "a", "_source_row": 3, "x": 1},
                      {"cadre_id": "z", "_source_row": 4, "x": 2},
                      {"cadre_id": "a", "_source_row": 5, "x": 2}]).assign(_t="")
    dropped, kept = frame.loc[[0, 1]], frame.loc[[2, 3]]
    assert [c["record_key"] for c in same_time_conflicts(frame, dropped, kept)] == [
        "r|a", "r|z"]


def test_a_dropped_return_equal_to_the_kept_one_does_not_hide_the_next() -> None:
    frame = _returns([{"_source_row": 2, "x": 2}, {"_source_row": 3, "x": 1},
                      {"_source_row": 4, "x": 2}])
    (issue,) = _conflicts(frame)
    assert issue["message"].startswith("3 bản nộp cùng khóa")
    assert "bản bị loại: f.csv dòng 3 (x: '1'). Hỏi" in issue["message"]


def test_a_key_without_differences_does_not_hide_the_next_key() -> None:
    frame = _returns([{"cadre_id": "a", "_source_row": 2, "x": 1},
                      {"cadre_id": "a", "_source_row": 3, "x": 1},
                      {"cadre_id": "b", "_source_row": 4, "x": 1},
                      {"cadre_id": "b", "_source_row": 5, "x": 2}])
    assert [(c["record_key"], c["row"]) for c in _conflicts(frame)] == [("r|b", 5)]


def test_a_stale_line_does_not_stop_the_lines_after_it() -> None:
    frame, work, result, _ = _apply(_corrections("r|c1,birth_year,1999,1971,change,",
                                                 "r|c2,concurrent_posts,3,4,change,"))
    assert [i["rule"] for i in work.issues] == ["correction_refused"]
    assert frame.at[10, "birth_year"] == 1970
    assert frame.at[11, "concurrent_posts"] == 4 and result.handled == {2, 3}


def test_an_unknown_variable_does_not_stop_the_lines_after_it() -> None:
    frame, work, result, _ = _apply(_corrections("r|c1,tuoi,1,2,change,",
                                                 "r|c2,concurrent_posts,3,4,change,"))
    assert [i["rule"] for i in work.issues] == ["correction_unknown_variable"]
    assert frame.at[11, "concurrent_posts"] == 4 and result.handled == {2, 3}


def test_read_corrections_does_not_turn_numbers_into_numbers(tmp_path: Path) -> None:
    path = tmp_path / "corrections.csv"
    path.write_text("key,variable,old_value,new_value,action\nr|c1,birth_year,1970,007,change\n"
                    "r|c2,birth_year,1.50,2,change\n", encoding="utf-8")
    frame = read_corrections(path)
    assert frame["old_value"].tolist() == ["1970", "1.50"]
    assert frame["new_value"].tolist() == ["007", "2"]


def test_failing_values_of_dates_without_a_column_are_dates() -> None:
    frame = pd.DataFrame({"a": [1]})
    fails = pd.DataFrame({"index": [0], "column": ["interview_date"],
                          "failure_case": pd.to_datetime(["2014-07-01"]).astype("datetime64[ns]")})
    assert failing_values(frame, fails) == ["2014-07-01"]
