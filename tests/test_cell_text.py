"""canonical_column: the text of every cell, as canonical() writes each one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from danvan_survey.cell_text import canonical, canonical_column


def one_by_one(values: pd.Series) -> list[str]:
    return values.astype(object).map(canonical).tolist()


@pytest.mark.parametrize(
    "values",
    [
        pd.Series([1, None, 3, 1], dtype="Int64"),
        pd.Series([1.5, None, 2.0, -0.0, float("nan")], dtype="Float64"),
        pd.Series(["a", None, "b", "a", ""], dtype="str"),
        pd.Series(pd.to_datetime(["2014-06-01", None, "2014-06-01 10:00"], format="ISO8601")),
        pd.Series([True, False, True]),
        pd.Series(pd.array([True, None], dtype="boolean")),
        pd.Series([1e20, 1.0000000000000002, 2e-300, np.nan]),
        pd.Series([1, 1.0, True, None, "x", pd.NA], dtype=object),  # factorize would merge
        pd.Series([], dtype="str"),
        pd.Series([None, None], dtype="Int64"),
    ],
    ids=lambda s: str(s.dtype),
)
def test_column_equals_each_cell_converted(values: pd.Series) -> None:
    out = canonical_column(values)
    assert out.dtype == object
    assert out.tolist() == one_by_one(values)


def test_mixed_object_cells_keep_their_own_text() -> None:
    assert canonical_column(pd.Series([1, 1.0, True], dtype=object)).tolist() == [
        "1", "1", "True"
    ]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)), max_size=30),
    st.sampled_from(["float64", "Float64"]),
)
def test_floats_property(cells: list[float | None], dtype: str) -> None:
    values = pd.Series(cells, dtype=dtype)
    assert canonical_column(values).tolist() == one_by_one(values)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-(2**62), 2**62)), max_size=30))
def test_integers_property(cells: list[int | None]) -> None:
    values = pd.Series(cells, dtype="Int64")
    assert canonical_column(values).tolist() == one_by_one(values)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=5)), max_size=30))
def test_text_property(cells: list[str | None]) -> None:
    values = pd.Series(cells, dtype="str")
    assert canonical_column(values).tolist() == one_by_one(values)
