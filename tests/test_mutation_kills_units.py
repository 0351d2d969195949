"""Small behaviours of the core modules that no other test pinned down."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import write_mini_round

from danvan_survey import export
from danvan_survey.pipeline import run_round
from danvan_survey.places import OfflineError, _refuse_geocoding
from danvan_survey.textfix import is_blank, parse_missing_code
from danvan_survey.weakness import format_number_vi, format_percent_vi


def test_safe_cell_neutralises_text_only() -> None:
    assert export.safe_cell("=1+1") == "'=1+1"
    assert export.safe_cell("Xã A") == "Xã A"
    assert export.safe_cell(-9) == -9 and export.safe_cell(1.5) == 1.5
    assert export.safe_cell(None) is None


def test_vietnamese_number_defaults() -> None:
    assert format_percent_vi(0.41234) == "41,2%"  # one decimal by default
    assert format_percent_vi(0.41234, 2) == "41,23%"
    assert format_number_vi(1234.56) == "1.234,6"
    assert format_number_vi(float("nan")) == "?" and format_number_vi(None) == "?"
    assert format_number_vi(2.0) == "2" and format_number_vi(1000, 0) == "1.000"


@pytest.mark.parametrize(
    ("value", "blank"),
    [(None, True), (float("nan"), True), (pd.NA, True), (np.nan, True), (pd.NaT, True),
     ("", True), ("  \u00a0", True), ("x", False), (0, False), (0.0, False),
     (False, False), ([1], False), ([1, 2], False), ("0", False)],
)
def test_is_blank(value: object, blank: bool) -> None:
    assert is_blank(value) is blank


def test_nines_are_a_missing_code_only_when_allowed() -> None:
    assert parse_missing_code("99") is None and parse_missing_code(999) is None
    assert parse_missing_code("99", allow_9s=True) == "unknown"
    assert parse_missing_code("-9") == "dont_know"


def test_geocoding_is_refused_with_a_vietnamese_message() -> None:
    with pytest.raises(OfflineError) as err:
        _refuse_geocoding("Phan Thiết")
    assert str(err.value) == (
        "Không được tra cứu địa chỉ trực tuyến (geocoder): dự án chỉ dùng dữ liệu đơn vị "
        "hành chính ngoại tuyến trong danvan_survey/reference.")


def test_refused_correction_is_reported_where_it_applies(tmp_path) -> None:
    write_mini_round(tmp_path, "mini|23035|hnd,members_total,999,5,change,typo\n")
    issues = export.issues_table(run_round("mini", tmp_path))
    row = issues[issues["rule"] == "correction_refused"]
    assert len(row) == 1
    got = row.iloc[0]
    assert (got["form"], got["record_key"], got["level"], got["file"], str(got["row"]),
            got["variable"], got["value"]) == (
        "a", "mini|23035|hnd", "warning", "a.csv", "2", "members_total", "900")
    assert got["message"].startswith("Tệp hiệu chỉnh corrections.csv, dòng 2: giá trị cũ "
                                     "'999' không khớp giá trị hiện tại '900'")
    assert not math.isnan(float(got["row"]))
