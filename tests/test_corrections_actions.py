"""Each correction action reaches its own outcome: remove, accept, change, and refusals."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from conftest import write_mini_round

from danvan_survey.export import cleaning_log, issues_table
from danvan_survey.pipeline import run_round


def _round(tmp_path: Path, lines: str, header: str | None = None):
    folder = write_mini_round(tmp_path, corrections=lines)
    if header is not None:  # a corrections file with other columns (note is optional)
        (folder / "corrections.csv").write_text(header + "\n" + lines, encoding="utf-8")
    result = run_round("mini", tmp_path)
    return result, issues_table(result), cleaning_log(result)


def _log_row(log: pd.DataFrame, key: str, rule: str) -> pd.Series:
    rows = log[(log["record_key"] == key) & (log["rule"] == rule)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_remove_quarantines_the_record_with_the_analysts_note(tmp_path: Path) -> None:
    result, issues, log = _round(tmp_path, "mini|23035|hnd,,,,remove,trùng với phiếu giấy\n")
    a = result.outcomes["a"]
    assert "mini|23035|hnd" not in set(a.clean["record_key"])
    assert "mini|23035|hnd" in set(a.quarantine["record_key"])
    removed = issues[issues["rule"] == "analyst_removed"]
    assert removed["record_key"].tolist() == ["mini|23035|hnd"]
    assert removed["message"].tolist() == ["Nhà phân tích loại: trùng với phiếu giấy"]
    row = _log_row(log, "mini|23035|hnd", "analyst_correction:remove")
    assert (row["variable"], row["old_value"], row["new_value"]) == ("", "", "")


def test_remove_without_a_note_column_gives_the_default_reason(tmp_path: Path) -> None:
    _, issues, _ = _round(tmp_path, "mini|23035|hnd,,,,remove\n",
                          header="key,variable,old_value,new_value,action")
    removed = issues[issues["rule"] == "analyst_removed"]
    assert removed["message"].tolist() == ["Nhà phân tích loại: nhà phân tích loại bản ghi"]


def test_remove_with_an_empty_note_gives_the_default_reason(tmp_path: Path) -> None:
    _, issues, _ = _round(tmp_path, "mini|23035|hnd,,,,remove,\n")
    removed = issues[issues["rule"] == "analyst_removed"]
    assert removed["message"].tolist() == ["Nhà phân tích loại: nhà phân tích loại bản ghi"]


def test_accept_waives_the_check_and_releases_the_record(tmp_path: Path) -> None:
    before, issues0, _ = _round(tmp_path / "0", "")
    assert "mini|23035|doan" in set(before.outcomes["a"].quarantine["record_key"])
    assert "constraint:members_total" in set(
        issues0.loc[issues0["record_key"] == "mini|23035|doan", "rule"])
    result, issues, log = _round(tmp_path / "1", "mini|23035|doan,members_total,150,,accept,"
                                 "đã xác minh\n")
    a = result.outcomes["a"]
    assert "mini|23035|doan" in set(a.clean["record_key"])
    assert "mini|23035|doan" not in set(a.quarantine["record_key"])
    assert "constraint:members_total" not in set(
        issues.loc[issues["record_key"] == "mini|23035|doan", "rule"])
    row = _log_row(log, "mini|23035|doan", "analyst_correction:accept")
    assert (row["variable"], row["old_value"], row["new_value"]) == (
        "members_total", "150", "150")
    assert a.clean.set_index("record_key").at["mini|23035|doan", "members_total"] == 150


def test_a_refused_line_stays_reported_when_a_later_line_corrects_the_cell(
    tmp_path: Path,
) -> None:
    result, issues, log = _round(
        tmp_path,
        "mini|23035|hccb,members_total,999,5,change,stale\n"
        "mini|23035|hccb,members_total,,250,change,ok\n",
    )
    refused = issues[issues["rule"] == "correction_refused"]
    assert refused["message"].str.startswith("Tệp hiệu chỉnh corrections.csv, dòng 2:").tolist() \
        == [True]
    a = result.outcomes["a"].clean.set_index("record_key")
    assert a.at["mini|23035|hccb", "members_total"] == 250
    row = _log_row(log, "mini|23035|hccb", "analyst_correction:change")
    assert (row["old_value"], row["new_value"]) == ("-9", "250")


def test_a_refused_line_names_the_sheet_of_a_workbook_record(tmp_path: Path) -> None:
    from adversarial import kobo_sheet, only_sources
    from openpyxl import Workbook

    folder = write_mini_round(tmp_path, corrections="mini|23035|hnd,members_total,999,5,change,x\n")
    wb = Workbook()
    wb.active.title = "Du lieu"
    kobo_sheet(wb.active)
    wb.save(folder / "a.xlsx")
    only_sources(folder, ["{file: a.xlsx, kind: kobo_xlsx, form: a}",
                          "{file: b.csv, kind: kobo_csv, form: b}"])
    issues = issues_table(run_round("mini", tmp_path))
    refused = issues[issues["rule"] == "correction_refused"]
    assert refused[["file", "sheet", "record_key"]].values.tolist() == [
        ["a.xlsx", "Du lieu", "mini|23035|hnd"]]


def test_issue_records_carry_python_numbers_as_to_dict_gives_them() -> None:
    import numpy as np

    from danvan_survey.validate import _records

    frame = pd.DataFrame({"value": pd.Series([np.int64(3), np.float64(1.5), np.bool_(True), "x"],
                                             dtype=object),
                          "row": [1, 2, 3, 4]})
    got = _records(frame)
    assert got == frame.to_dict("records")
    assert [type(r["value"]) for r in got] == [int, float, bool, str]


def test_blank_empties_the_cell_and_logs_the_old_value(tmp_path: Path) -> None:
    result, _, log = _round(tmp_path, "mini|23035|hnd,members_total,900,,blank,không rõ\n")
    clean = result.outcomes["a"].clean.set_index("record_key")
    assert pd.isna(clean.at["mini|23035|hnd", "members_total"])
    row = _log_row(log, "mini|23035|hnd", "analyst_correction:blank")
    assert (row["variable"], row["old_value"], row["new_value"]) == ("members_total", "900", "")


def test_an_invalid_new_value_is_refused_and_the_cell_kept(tmp_path: Path) -> None:
    result, issues, log = _round(tmp_path, "mini|23035|hnd,members_total,900,abc,change,typo\n")
    refused = issues[issues["rule"] == "correction_refused"]
    assert refused[["record_key", "variable", "value"]].values.tolist() == [
        ["mini|23035|hnd", "members_total", "900"]]
    assert refused["message"].tolist() == [
        "Tệp hiệu chỉnh corrections.csv, dòng 2: giá trị mới 'abc' không hợp lệ (Giá trị 'abc' "
        "không phải là số; nhập số (ví dụ 1234 hoặc 12,5))."]
    clean = result.outcomes["a"].clean.set_index("record_key")
    assert clean.at["mini|23035|hnd", "members_total"] == 900
    assert "analyst_correction:change" not in set(log["rule"])


# --- a corrections file that cannot be read is refused clearly (not a crash) ---------------

HEADER = "key,variable,old_value,new_value,action\n"


def test_a_corrections_file_saved_in_a_windows_code_page_is_refused(tmp_path: Path) -> None:
    """Excel's plain "CSV" on Windows is cp1258/cp1252, not UTF-8: name the file and line."""
    from danvan_survey.errors import InputError
    from danvan_survey.validate import read_corrections

    path = tmp_path / "corrections.csv"
    body = HEADER + "2014|23035|hnd,member_count,12,13,change\n"
    line3 = unicodedata.normalize("NFD", "2014|23035|hnd,note,,Hòa,change\n")  # as cp1258 has it
    path.write_bytes((body + line3).encode("cp1258"))
    with pytest.raises(InputError) as info:
        read_corrections(path)
    assert info.value.file == "corrections.csv" and info.value.row == 3
    assert "không phải văn bản UTF-8 (dòng 3)" in str(info.value)
    assert "CSV UTF-8" in str(info.value)  # what to do


def test_an_empty_corrections_file_is_refused(tmp_path: Path) -> None:
    from danvan_survey.errors import InputError
    from danvan_survey.validate import read_corrections

    path = tmp_path / "corrections.csv"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="corrections.csv rỗng.*key,variable,old_value"):
        read_corrections(path)


def test_a_damaged_corrections_file_names_the_line(tmp_path: Path) -> None:
    from danvan_survey.errors import InputError
    from danvan_survey.validate import read_corrections

    path = tmp_path / "corrections.csv"
    path.write_text(HEADER + "a,b,c,d,change\n" + "a,b,c,d,change,extra,cells\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_corrections(path)
    assert info.value.file == "corrections.csv"
    assert "dòng 3" in str(info.value)


def test_a_utf8_corrections_file_with_bom_is_read(tmp_path: Path) -> None:
    from danvan_survey.validate import read_corrections

    path = tmp_path / "corrections.csv"
    path.write_bytes((HEADER + "k,note,,Hòa,change\n").encode("utf-8-sig"))
    frame = read_corrections(path)
    assert list(frame.columns) == ["key", "variable", "old_value", "new_value", "action"]
    assert frame.at[0, "new_value"] == "Hòa"
