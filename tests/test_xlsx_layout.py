"""Row heights of the printed lists: wrapped once per distinct text, as cell by cell."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from danvan_survey import xlsx_layout
from danvan_survey.xlsx_layout import row_lines, wrapped_lines


def lines_cell_by_cell(frame: pd.DataFrame, widths: list[float]) -> list[int]:
    """The rule as written first: per row, the longest wrapped text cell."""
    text = [j for j in range(frame.shape[1])
            if frame.iloc[:, j].dtype == object or pd.api.types.is_string_dtype(frame.iloc[:, j])]
    if not text:
        return [1] * len(frame)
    return [max(wrapped_lines(str(row[j]), widths[j]) for j in text)
            for row in frame.itertuples(index=False)]


WORDS = st.sampled_from(["Xã", "Phú Lạc", "không có kế hoạch năm", "tỷ lệ 46,8%;", "a\nb",
                         "Hội Liên hiệp Phụ nữ Việt Nam", "", "x" * 30])
TEXT = st.lists(WORDS, max_size=6).map(" ".join)


@st.composite
def frames(draw: st.DrawFn) -> tuple[pd.DataFrame, list[float]]:
    n = draw(st.integers(0, 12))
    columns: dict[str, pd.Series] = {}
    for j in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["str", "object", "float", "int"]))
        if kind == "str":
            values = draw(st.lists(st.one_of(TEXT, st.none()), min_size=n, max_size=n))
            columns[f"c{j}"] = pd.Series(values, dtype="str")
        elif kind == "object":
            values = draw(st.lists(st.one_of(TEXT, st.none(), st.just(1), st.just(1.0),
                                             st.just(True), st.just(float("nan"))),
                                   min_size=n, max_size=n))
            columns[f"c{j}"] = pd.Series(values, dtype=object)
        elif kind == "float":
            columns[f"c{j}"] = pd.Series(draw(st.lists(st.floats(allow_nan=True), min_size=n,
                                                        max_size=n)), dtype="float64")
        else:
            columns[f"c{j}"] = pd.Series(range(n), dtype="int64")
    frame = pd.DataFrame(columns, index=range(n))
    widths = draw(st.lists(st.floats(1, 60), min_size=frame.shape[1], max_size=frame.shape[1]))
    return frame, widths


@settings(max_examples=300, deadline=None)
@given(frames())
def test_row_lines_are_those_of_the_longest_cell_of_each_row(case) -> None:
    frame, widths = case
    assert row_lines(frame, widths).tolist() == lines_cell_by_cell(frame, widths)


def test_a_one_letter_column_wraps_its_missing_and_repeated_values_alike() -> None:
    # width 3 keeps 2 letters a line: "nan" (a missing text) takes two lines, as before
    frame = pd.DataFrame({"t": pd.Series(["ab", None, "ab cd", "ab"], dtype="str"),
                          "o": pd.Series([None, "x", 1.0, True], dtype=object),
                          "n": [1.5, 2.5, 3.5, 4.5]})
    assert row_lines(frame, [3.0, 3.0, 3.0]).tolist() == [2, 2, 2, 2]
    assert row_lines(frame, [40.0, 40.0, 40.0]).tolist() == [1, 1, 1, 1]
    assert lines_cell_by_cell(frame, [3.0, 3.0, 3.0]) == [2, 2, 2, 2]


class Rows:
    """The one xlsxwriter call row_heights makes, recorded."""

    def __init__(self) -> None:
        self.heights: dict[int, float] = {}

    def set_row(self, row: int, height: float) -> None:
        self.heights[row] = height


def test_only_rows_of_several_lines_get_a_height() -> None:
    frame = pd.DataFrame({"t": pd.Series(["một", "hai ba bốn năm sáu bảy", None], dtype="str")})
    sheet = Rows()
    xlsx_layout.row_heights(sheet, frame, [10.0], first_row=3)
    assert sheet.heights == {4: 15 * wrapped_lines("hai ba bốn năm sáu bảy", 10.0)}
    assert all(isinstance(h, int) for h in sheet.heights.values())
    assert row_lines(frame.iloc[:0], [10.0]).dtype == np.int64
