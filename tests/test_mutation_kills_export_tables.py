"""Exact output of the export table builders on small hand-written round results.

``public_columns``, ``cleaning_log``, ``issues_table``, ``quarantine_table`` and
``source_counts`` are called on a :class:`RoundResult` built here (no pipeline run), and
their whole frames are compared: column names and order, dtypes, row order, index, the
Vietnamese messages, and the empty-input shapes.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.testing import assert_frame_equal

from danvan_survey.config import RoundConfig
from danvan_survey.export import (
    cleaning_log,
    issues_table,
    public_columns,
    quarantine_table,
    source_counts,
)
from danvan_survey.ingest import IngestResult
from danvan_survey.pipeline import RoundResult
from danvan_survey.validate import Outcome

ROUND = "mini"
LOG_COLS = [
    "form", "record_key", "source_file", "source_sheet", "source_row", "variable",
    "old_value", "new_value", "rule", "action",
]
ISSUE_COLS = [
    "form", "record_key", "level", "rule", "file", "sheet", "row", "variable", "value",
    "message",
]
COUNT_COLS = ["source_file", "form", "read", "clean", "quarantined", "duplicates"]
SKIPPED_VI = "Dòng không phải bản ghi (dòng tổng cộng/ghi chú); không nhập."


def _cfg(vintage: str = "2014") -> RoundConfig:
    """Configuration of a tiny round (nothing is read from its folder)."""
    return RoundConfig(
        round_id=ROUND, title="Đợt thử", province_code="60", admin_vintage=vintage,
        reference_year=2014, period_start=date(2014, 6, 1), period_end=date(2014, 9, 30),
        synthetic=True, sources=(), folder=Path(),
    )


def _result(
    outcomes: dict[str, Outcome] | None = None,
    ingest: IngestResult | None = None,
    missing: pd.DataFrame | None = None,
    vintage: str = "2014",
) -> RoundResult:
    """A round result holding only what the table builders read."""
    return RoundResult(
        cfg=_cfg(vintage),
        ingest=ingest if ingest is not None else IngestResult(),
        outcomes=outcomes or {},
        expected_missing=missing if missing is not None else pd.DataFrame(),
    )


def _records(keys: list[str], index: list[int], file: str = "a.csv") -> pd.DataFrame:
    """Records with keys and a source file, on the given (original) row index."""
    return pd.DataFrame(
        {"record_key": keys, "_source_file": [file] * len(keys)}, index=index
    )


def _outcome(
    clean: pd.DataFrame | None = None,
    quarantine: pd.DataFrame | None = None,
    duplicates: pd.DataFrame | None = None,
    issues: list[dict[str, object]] | None = None,
    log: list[pd.DataFrame] | None = None,
) -> Outcome:
    """An outcome; absent frames are empty record frames."""
    def empty() -> pd.DataFrame:
        return _records([], [])

    return Outcome(
        clean=clean if clean is not None else empty(),
        quarantine=quarantine if quarantine is not None else empty(),
        duplicates=duplicates if duplicates is not None else empty(),
        issues=issues or [],
        log=log or [],
    )


def _log_frame(rows: list[tuple[Any, ...]], index: list[int] | None = None) -> pd.DataFrame:
    """A cleaning log frame (``_idx`` then the log columns) with object-typed rows."""
    columns = ["_idx", *LOG_COLS[2:]]
    return pd.DataFrame(rows, columns=columns, index=index, dtype=object)


# --- public_columns ---------------------------------------------------------------------


def test_public_columns_keeps_source_time_uuid_and_drops_other_internals() -> None:
    """Internal ``_`` columns go, except source file/sheet/row, submission time and uuid."""
    frame = pd.DataFrame(
        {
            "_idx": [0],
            "record_key": ["k"],
            "_source_file": ["a.csv"],
            "_source_sheet": ["S"],
            "_source_row": [2],
            "_submission_time": ["2014-07-01"],
            "_uuid": ["u1"],
            "_raw_org": ["x"],
            "org_type": ["hnd"],
        }
    )
    expected = pd.DataFrame(
        {
            "record_key": ["k"],
            "source_file": ["a.csv"],
            "source_sheet": ["S"],
            "source_row": [2],
            "submission_time": ["2014-07-01"],
            "uuid": ["u1"],
            "org_type": ["hnd"],
        }
    )
    assert_frame_equal(public_columns(frame), expected)


# --- cleaning_log -----------------------------------------------------------------------


def test_cleaning_log_of_a_round_without_forms_is_empty_with_its_columns() -> None:
    """No outcome at all: an empty log that still has every column, in order."""
    assert_frame_equal(cleaning_log(_result()), pd.DataFrame(columns=LOG_COLS))


def test_cleaning_log_of_forms_without_changes_is_empty_with_its_columns() -> None:
    """Forms whose log frames are all empty give the same empty log."""
    outcomes = {"a": _outcome(log=[_log_frame([])]), "b": _outcome()}
    assert_frame_equal(cleaning_log(_result(outcomes)), pd.DataFrame(columns=LOG_COLS))


def test_cleaning_log_rows_keys_order_and_types() -> None:
    """Rows of every form, keyed from clean/quarantine/duplicates, sorted, rows as int."""
    a = _outcome(
        clean=_records(["r|1|hnd"], [0]),
        quarantine=_records(["r|2|hnd"], [3]),
        duplicates=_records(["r|1|hnd"], [5]),
        log=[
            _log_frame(
                [
                    (3, "a.csv", "", 10, "members_total", "1O", "10", "number", "converted"),
                    (0, "a.csv", "", 9, "org_type", "Hội ND", "hnd", "choice", "recoded"),
                ],
                index=[0, 1],
            ),
            _log_frame(
                [(5, "a.csv", "", 9, "", "", "", "duplicate", "dropped")], index=[0]
            ),
        ],
    )
    b = _outcome(
        clean=_records(["r|c7"], [0], file="b.csv"),
        log=[_log_frame([(0, "b.csv", "S1", 2, "age", "4O", "40", "number", "converted")])],
    )
    log = cleaning_log(_result({"b": b, "a": a}))
    expected = pd.DataFrame(
        {
            "form": ["a", "a", "a", "b"],
            "record_key": ["r|1|hnd", "r|1|hnd", "r|2|hnd", "r|c7"],
            "source_file": ["a.csv", "a.csv", "a.csv", "b.csv"],
            "source_sheet": ["", "", "", "S1"],
            "source_row": np.array([9, 9, 10, 2], dtype=int),
            "variable": ["", "org_type", "members_total", "age"],
            "old_value": ["", "Hội ND", "1O", "4O"],
            "new_value": ["", "hnd", "10", "40"],
            "rule": ["duplicate", "choice", "number", "number"],
            "action": ["dropped", "recoded", "converted", "converted"],
        }
    )
    # form and record_key are made here (text); the other columns keep the frames' dtype
    expected = expected.astype({c: object for c in LOG_COLS[2:] if c != "source_row"})
    assert_frame_equal(log, expected)


# --- issues_table -----------------------------------------------------------------------


def _missing(*rows: tuple[str, str, str, str, str]) -> pd.DataFrame:
    """Expected-but-missing form A returns, as ``expected_returns`` gives them."""
    columns = ["commune_code", "commune_name", "district_code", "district_name", "org_type"]
    return pd.DataFrame(list(rows), columns=columns)


def _issues(rows: list[list[object]]) -> pd.DataFrame:
    """Expected issues table: one list per row in the table's column order."""
    return pd.DataFrame(rows, columns=ISSUE_COLS)


def test_issues_table_of_an_empty_round_is_empty_with_its_columns() -> None:
    """No issue, skipped row or missing return: an empty table with every column."""
    table = issues_table(_result())
    assert_frame_equal(table, pd.DataFrame(columns=ISSUE_COLS).astype({"row": object}))


def test_issues_table_rows_of_every_origin() -> None:
    """Form issues, reader issues, skipped rows and missing returns, with their texts."""
    a_issue = {  # no sheet, value or record key: they are shown empty
        "level": "warning", "rule": "range", "file": "a.csv", "row": 7,
        "variable": "members_total", "message": "Số hội viên quá lớn.",
    }
    b_issue = {
        "record_key": "mini|c1", "level": "error", "rule": "key", "file": "b.csv",
        "sheet": "S", "row": 3.0, "variable": "cadre_id", "value": "", "message": "Thiếu mã.",
    }
    reader_issue = {"level": "info", "rule": "header", "file": "c.xlsx", "message": "Cột lạ."}
    ingest = IngestResult(
        issues=[reader_issue],
        skipped_rows=[
            {"form": "a", "file": "a.xlsx", "sheet": "Tổng", "row": 12,
             "reason": "total_row", "content": "Tổng cộng | 5"},
            {"form": "b", "file": "b.xlsx", "sheet": "CB", "row": 30, "reason": "note_row",
             "content": "Ghi chú"},
        ],
    )
    outcomes = {"a": _outcome(issues=[a_issue]), "b": _outcome(issues=[b_issue])}
    missing = _missing(("23008", "Xã Phong Nẫm", "596", "Huyện Bắc Bình", "hnd"))
    table = issues_table(_result(outcomes, ingest, missing))
    expected = _issues(
        [
            ["b", "mini|c1", "error", "key", "b.csv", "S", "3", "cadre_id", "", "Thiếu mã."],
            ["a", "mini|23008|hnd", "warning", "missing_return", "", "", "", "org_type", "hnd",
             "Chưa nhận phiếu A của Hội Nông dân tại Xã Phong Nẫm (Huyện Bắc Bình); "
             "đôn đốc xã gửi phiếu."],
            ["a", "", "warning", "range", "a.csv", "", "7", "members_total", "",
             "Số hội viên quá lớn."],
            ["", "", "info", "header", "c.xlsx", "", "", "", "", "Cột lạ."],
            ["a", "", "info", "total_row", "a.xlsx", "Tổng", "12", "", "Tổng cộng | 5",
             SKIPPED_VI],
            ["b", "", "info", "note_row", "b.xlsx", "CB", "30", "", "Ghi chú", SKIPPED_VI],
        ]
    )
    assert_frame_equal(table, expected)


def _issue(level: str, file: str, rule: str = "r") -> dict[str, object]:
    """One issue of a form, with every field given."""
    return {"record_key": "", "level": level, "rule": rule, "file": file, "sheet": "",
            "row": "", "variable": "", "value": "", "message": "m"}


def test_issues_table_lists_errors_then_warnings_then_infos_before_form_and_file() -> None:
    """The level decides first; form, then file, only within one level."""
    outcomes = {
        "a": _outcome(issues=[_issue("info", "a.csv")]),
        "b": _outcome(issues=[_issue("warning", "a.csv"), _issue("error", "z.csv")]),
    }
    table = issues_table(_result(outcomes))
    expected = _issues(
        [
            ["b", "", "error", "r", "z.csv", "", "", "", "", "m"],
            ["b", "", "warning", "r", "a.csv", "", "", "", "", "m"],
            ["a", "", "info", "r", "a.csv", "", "", "", "", "m"],
        ]
    )
    assert_frame_equal(table, expected)


def test_issues_table_puts_an_issue_without_a_level_after_the_infos() -> None:
    """A reader issue with no level (form empty) comes after every known level."""
    ingest = IngestResult(issues=[{"rule": "odd", "file": "a.csv", "message": "?"}])
    outcomes = {"b": _outcome(issues=[_issue("info", "b.csv")])}
    table = issues_table(_result(outcomes, ingest))
    expected = _issues(
        [
            ["b", "", "info", "r", "b.csv", "", "", "", "", "m"],
            ["", "", "", "odd", "a.csv", "", "", "", "", "?"],
        ]
    )
    assert_frame_equal(table, expected)


def test_issues_table_missing_return_of_a_2025_round_names_the_former_district() -> None:
    """A 2025 round's missing-return message labels the district as the former one."""
    missing = _missing(("26734", "Xã Hòa Thắng", "596", "Huyện Bắc Bình", "doan"))
    table = issues_table(_result(missing=missing, vintage="2025"))
    expected = _issues(
        [
            ["a", "mini|26734|doan", "warning", "missing_return", "", "", "", "org_type", "doan",
             "Chưa nhận phiếu A của Đoàn TNCS Hồ Chí Minh tại Xã Hòa Thắng "
             "(huyện cũ (trước 01/7/2025): Huyện Bắc Bình); đôn đốc xã gửi phiếu."],
        ]
    )
    assert_frame_equal(table, expected)


# --- quarantine_table -------------------------------------------------------------------


def test_quarantine_table_of_a_round_without_forms_is_empty_with_its_columns() -> None:
    """No outcome at all: the form, record key and reasons columns, no rows."""
    expected = pd.DataFrame(columns=["form", "record_key", "quarantine_reasons"])
    assert_frame_equal(quarantine_table(_result()), expected)


def _quarantined(index: list[int], file: str, **values: list[object]) -> pd.DataFrame:
    """Quarantined records (internal columns included) on their original row index."""
    n = len(index)
    return pd.DataFrame(
        {
            "_idx": index,
            "members_total": values.pop("members_total", [None] * n),
            "quarantine_reasons": values.pop("quarantine_reasons"),
            "quarantine_rules": values.pop("quarantine_rules"),
            "record_key": values.pop("record_key"),
            "_source_row": [i + 2 for i in index],
            "_source_sheet": [""] * n,
            "_source_file": [file] * n,
            **values,
        },
        index=index,
    )


def test_quarantine_table_rows_of_both_forms_as_text_in_a_fixed_column_order() -> None:
    """Form first, then key, source, rules and reasons; values as text; rows renumbered."""
    a = _quarantined(
        [3, 8], "a.csv",
        members_total=[12.0, None],
        quarantine_reasons=["Số sai.", "Sai đợt."],
        quarantine_rules=["number", "round"],
        record_key=["mini|1|hnd", "mini|2|hnd"],
        interview_date=[pd.Timestamp("2014-07-01"), pd.NaT],
    )
    b = _quarantined(
        [0], "b.csv",
        quarantine_reasons=["Trùng."], quarantine_rules=["dup"], record_key=["mini|c1"],
    )
    table = quarantine_table(_result({"a": _outcome(quarantine=a), "b": _outcome(quarantine=b)}))
    expected = pd.DataFrame(
        {
            "form": ["a", "a", "b"],
            "record_key": ["mini|1|hnd", "mini|2|hnd", "mini|c1"],
            "source_file": ["a.csv", "a.csv", "b.csv"],
            "source_sheet": ["", "", ""],
            "source_row": ["5", "10", "2"],
            "quarantine_rules": ["number", "round", "dup"],
            "quarantine_reasons": ["Số sai.", "Sai đợt.", "Trùng."],
            "members_total": ["12", "", ""],
            "interview_date": ["2014-07-01", "", np.nan],
        }
    )
    assert_frame_equal(table, expected)


# --- source_counts ----------------------------------------------------------------------


def test_source_counts_of_a_round_that_read_nothing_is_empty_with_its_columns() -> None:
    """No source read: the six count columns, no rows."""
    assert_frame_equal(source_counts(_result()), pd.DataFrame(columns=COUNT_COLS))


def test_source_counts_per_file_and_form_with_zeros_for_a_form_not_validated() -> None:
    """Clean, quarantined and duplicate records counted per file; no outcome gives zeros."""
    a = _outcome(
        clean=_records(["k1", "k2", "k3"], [0, 1, 4], file="a.csv"),
        quarantine=_records(["k4", "k5"], [2, 5], file="a.csv").assign(
            _source_file=["a.csv", "a2.csv"]
        ),
        duplicates=_records(["k1"], [3], file="a2.csv"),
    )
    ingest = IngestResult(
        read_counts={("a.csv", "a"): 4, ("a2.csv", "a"): 2, ("m.csv", "a_models"): 3}
    )
    counts = source_counts(_result({"a": a}, ingest))
    expected = pd.DataFrame(
        {
            "source_file": ["a.csv", "a2.csv", "m.csv"],
            "form": ["a", "a", "a_models"],
            "read": [4, 2, 3],
            "clean": [3, 0, 0],
            "quarantined": [1, 1, 0],
            "duplicates": [0, 1, 0],
        }
    )
    assert_frame_equal(counts, expected)
