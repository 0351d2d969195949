"""The commands' Arrow memory pool (issue 11: peak memory of a national round)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from danvan_survey import memory


@pytest.fixture
def restore_pool():
    before = pa.default_memory_pool()
    yield
    pa.set_memory_pool(before)


def test_jemalloc_becomes_the_default_pool(restore_pool, monkeypatch) -> None:
    monkeypatch.delenv(memory.ENV, raising=False)
    pa.set_memory_pool(pa.mimalloc_memory_pool())
    assert memory.use_jemalloc() == "jemalloc"
    assert pa.default_memory_pool().backend_name == "jemalloc"
    assert pa.array(["xã", "phường"]).to_pylist() == ["xã", "phường"]  # the pool serves


def test_jemalloc_returns_freed_pages_at_once(restore_pool, monkeypatch) -> None:
    decays: list[int] = []
    monkeypatch.delenv(memory.ENV, raising=False)
    monkeypatch.setattr(pa, "jemalloc_set_decay_ms", decays.append)
    memory.use_jemalloc()
    assert decays == [0]


def test_a_pool_chosen_by_the_user_is_kept(restore_pool, monkeypatch) -> None:
    monkeypatch.setenv(memory.ENV, "mimalloc")
    pa.set_memory_pool(pa.mimalloc_memory_pool())
    assert memory.use_jemalloc() == "mimalloc"
    assert pa.default_memory_pool().backend_name == "mimalloc"


def test_a_pyarrow_without_jemalloc_keeps_its_pool(restore_pool, monkeypatch) -> None:
    def unavailable() -> pa.MemoryPool:
        raise NotImplementedError("built without jemalloc")

    monkeypatch.delenv(memory.ENV, raising=False)
    monkeypatch.setattr(pa, "jemalloc_memory_pool", unavailable)
    pa.set_memory_pool(pa.system_memory_pool())
    assert memory.use_jemalloc() == "system"
    assert pa.default_memory_pool().backend_name == "system"


def _mixed_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "text": pd.Series(["Bắc Bình", None, "Tuy Phong", "Phú Quý"], dtype="str"),
            "count": pd.array([1, None, 3, 4], dtype="Int64"),
            "share": pd.array([0.5, 0.25, None, 1.0], dtype="Float64"),
            "plain": np.array([1.5, 2.5, 3.5, 4.5]),
            "flag": np.array([True, False, True, False]),
        },
        index=pd.Index([10, 11, 13, 17]),
    )


@settings(deadline=None)  # the first example imports pandera via validate
@given(st.lists(st.booleans(), min_size=4, max_size=4))
def test_take_rows_equals_boolean_indexing(mask: list[bool]) -> None:
    """Split-off rows are exactly frame[mask] (values, dtypes, index, column order)."""
    from danvan_survey import validate

    frame = _mixed_frame()  # 4 rows x 5 columns = 20 cells
    want = frame[np.array(mask)]
    for limit, columnwise in ((frame.size, True), (frame.size + 1, False)):  # the boundary
        original = validate.COLUMNWISE_MIN_CELLS
        validate.COLUMNWISE_MIN_CELLS = limit
        try:
            work = frame.copy(deep=False)
            got = validate._take_rows(work, np.array(mask))
        finally:
            validate.COLUMNWISE_MIN_CELLS = original
        pd.testing.assert_frame_equal(got, want, check_exact=True)
        # column by column, the working copy gives its columns away as it goes
        assert (list(work.columns) == []) is columnwise
        pd.testing.assert_frame_equal(frame, _mixed_frame())  # the caller's frame is untouched
