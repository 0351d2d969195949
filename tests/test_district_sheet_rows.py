"""Rows of a hand-made district sheet: records kept; blank, totals and note rows skipped."""

from __future__ import annotations

import pandas as pd

from danvan_survey.ingest import split_record_rows

ROWS = [
    # (commune name, members, note column) -> (kept, reason)
    (("Xã Phan Hòa", "120", ""), True, None),
    (("", "", ""), False, None),  # blank: skipped without a reason
    (("Tổng cộng", "900", ""), False, "totals_row"),
    (("TONG SO", "900", ""), False, "totals_row"),
    (("Cộng", "900", ""), False, "totals_row"),
    (("", "900", "Tổng"), False, "totals_row"),  # the word in another of the first cells
    (("Ghi chú: số liệu tạm tính", "", ""), False, "note_row"),  # text only in the name column
    (("", "", "Người lập biểu"), False, "note_row"),  # no name, no number
    (("", "75", ""), True, "no_name_with_numbers"),  # a number is never dropped as a note
    (("Xã Tổng Cọt", "80", ""), True, None),  # "tổng" inside a name is not a total
    (("Xã Bình An", "", "x"), True, None),
    # a commune typed without "Xã" whose name starts like a totals word is a record
    (("Cộng Hòa", "80", ""), True, None),
    (("Công Hải", "80", ""), True, None),
    (("Tổng Cọt", "80", ""), True, None),
    (("Cộng Sơn", "80", ""), True, None),
    # a totals word with a qualifier is still a total
    (("Tổng cộng toàn huyện", "900", ""), False, "totals_row"),
    (("Cộng:", "900", ""), False, "totals_row"),
    (("TỔNG CỘNG (15 xã)", "900", ""), False, "totals_row"),
    (("Cộng các xã", "900", ""), False, "totals_row"),
    (("Tổng số xã", "12", ""), False, "totals_row"),
]


def test_each_row_kind() -> None:
    body = pd.DataFrame([r[0] for r in ROWS], columns=["commune", "members", "note"])
    table = body.rename(columns={"commune": "commune_code", "members": "members_total",
                                 "note": "remarks"})
    keep, skipped = split_record_rows(table, body, "commune_code")
    assert keep.tolist() == [r[1] for r in ROWS]
    assert skipped == [(i, r[2]) for i, r in enumerate(ROWS) if r[2]]


def test_constants_do_not_count_as_numbers() -> None:
    body = pd.DataFrame([["", "2014"], ["", "x"]], columns=["commune", "year"])
    table = body.rename(columns={"commune": "commune_code", "year": "reference_year"})
    keep, skipped = split_record_rows(table, body, "commune_code",
                                      ignore=frozenset({"reference_year"}))
    assert keep.tolist() == [False, False]
    assert skipped == [(0, "note_row"), (1, "note_row")]
