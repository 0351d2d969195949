"""Kills of mutants in estimate's design pieces: svy call grouping, domain counts, _prepare.

How rows are grouped into svy calls never changes an estimate (that is the design: every
call keeps whole strata), so the estimate tests cannot see a wrong grouping; the grouping
is checked here directly, call number by call number, against hand-worked budgets.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from danvan_survey.estimate import (
    InputError,
    SurveyDesign,
    _domain_counts,
    _variance_groups,
    estimate,
)

# Three domains, each alone in its stratum: a in s1 (2 rows), b in s2 (2 rows), c in s3 (1 row).
KEYS = pd.Series(["a", "a", "b", "b", "c"], dtype="str")
STRATA = pd.Series(["s1", "s1", "s2", "s2", "s3"])


@pytest.mark.parametrize(
    ("budget", "calls"),
    [
        # cost of a call = its rows x its domains; a component joins the open call while
        # the cost stays <= budget: a 2 x 1; a+b (2+2) x 2 = 8; a+b+c (4+1) x 3 = 15
        (4, [0, 0, 1, 1, 2]),  # 8 > 4: b opens call 1; b+c (2+1) x 2 = 6 > 4: c opens call 2
        (6, [0, 0, 1, 1, 1]),  # b+c = 6: exactly the budget, so c joins b's call
        (8, [0, 0, 0, 0, 1]),  # a+b = 8 joins (exactly the budget); a+b+c = 15 > 8
        (12, [0, 0, 0, 0, 1]),  # 15 > 12: rows and domains both count for c
        (16, None),  # 15 <= 16: one call on all rows is "no grouping"
    ],
)
def test_components_are_packed_into_calls_by_rows_times_domains(
    budget: float, calls: list[int] | None
) -> None:
    got = _variance_groups(KEYS, STRATA, budget)
    if calls is None:
        assert got is None
    else:
        assert got is not None and got.dtype == np.int64
        assert got.tolist() == calls


def test_the_first_component_opens_call_zero_even_over_budget() -> None:
    two = _variance_groups(pd.Series(["a", "b"]), pd.Series(["s1", "s2"]), 1)
    assert two is not None and two.tolist() == [0, 1]  # two domains can be split


def test_rows_without_a_domain_are_left_out_of_every_call() -> None:
    """A stratum holding only rows with no domain (-1) is not needed by any call."""
    first = _variance_groups(pd.Series([None, "a", "b"], dtype="str"),
                             pd.Series(["s0", "s1", "s2"]), 1)
    assert first is not None and first.tolist() == [-1, 0, 1]  # later components still packed
    last = _variance_groups(pd.Series(["a", "b", None], dtype="str"),
                            pd.Series(["s1", "s2", "s3"]), 1)
    assert last is not None and last.tolist() == [0, 1, -1]


def test_one_domain_or_domains_sharing_strata_need_no_grouping() -> None:
    assert _variance_groups(pd.Series(["a", "a"]), pd.Series(["s1", "s2"]), 1) is None
    assert _variance_groups(pd.Series(["a"]), pd.Series(["s1"]), 1) is None
    # a and b share s2: one component, one call
    assert _variance_groups(pd.Series(["a", "b", "a"]), pd.Series(["s1", "s2", "s2"]), 1) is None


def _counts(n_labels: int, psu_codes: list[int]) -> pd.DataFrame:
    labels = pd.Index([f"k{i}" for i in range(n_labels)], dtype="str")
    return _domain_counts(
        key_codes=np.array([0, 0, n_labels - 1, -1, 1]),
        key_labels=labels,
        active=np.array([True, True, True, True, False]),
        psu_codes=np.array(psu_codes),
        strata_codes=np.array([0, 0, 0, 1, 1]),
    )


def test_domain_counts_of_the_dense_and_the_sparse_route_agree() -> None:
    """n and PSUs - strata per domain; 10,000 domains x 6,001 PSU codes take np.unique."""
    small = _counts(3, [0, 2, 1, 1, 0])
    expected = pd.DataFrame(
        {"n": np.array([2, 1], dtype="int64"), "df": np.array([1, 0], dtype="int64")},
        index=pd.Index(["k0", "k2"], dtype="str"),
    )
    pd.testing.assert_frame_equal(small, expected)  # k1: its one row is not analysed
    large = _counts(10_000, [0, 6000, 3, 3, 0])
    pd.testing.assert_frame_equal(large, expected.set_axis(
        pd.Index(["k0", "k9999"], dtype="str")))


def _lonely_frame(n_strata: int) -> pd.DataFrame:
    """n_strata strata with one PSU each, then one stratum with two."""
    strata = [f"L{i:02d}" for i in range(n_strata)] + ["Z", "Z"]
    return pd.DataFrame({"s": strata, "p": [f"p{i}" for i in range(len(strata))],
                         "w": 1.0, "y": 1.0})


def test_lonely_psus_under_fail_are_listed_ten_at_most() -> None:
    design = SurveyDesign("s", "p", "w", None, "fail")
    with pytest.raises(InputError) as info:
        estimate(_lonely_frame(11), design, "y")
    listed = ", ".join(f"L{i:02d}" for i in range(10))
    assert str(info.value) == (
        f"Có tầng chỉ có một đơn vị mẫu cấp 1 (PSU): {listed}. Chọn cách xử lý lonely_psu "
        "(remove, certainty, average, adjust) hoặc gộp tầng trong thiết kế mẫu.")


def test_a_frame_with_index_and_level_0_columns_is_estimated() -> None:
    """The frame's own index is dropped, so columns named like pandas' index copies are fine."""
    frame = pd.DataFrame({"index": [7, 8, 9], "level_0": [1, 2, 3], "w": [1.0, 1.0, 2.0],
                          "y": [1.0, 2.0, 4.0]}, index=[10, 20, 30])
    table = estimate(frame, SurveyDesign(None, None, "w"), "y")
    assert table["estimate"].tolist() == [2.75]


@pytest.mark.parametrize("stat", ["mean", "total", "prop"])
@pytest.mark.parametrize("by", [None, "g"])
def test_a_variable_whose_only_values_have_weight_zero_has_no_estimate(
    stat: str, by: str | None
) -> None:
    """No analysed row (weight 0 is not analysed): n = 0 and no estimate, not a total of 0."""
    frame = pd.DataFrame({"w": [0.0, 1.0, 0.0, 2.0], "y": [1.0, np.nan, 3.0, np.nan],
                          "g": ["a", "a", "b", "b"]})
    table = estimate(frame, SurveyDesign(None, None, "w"), "y", stat, by=by)  # type: ignore[arg-type]
    assert len(table) == (2 if by else 1) * (2 if stat == "prop" else 1)
    assert (table["n"] == 0).all() and (table["df"] == 0).all()
    assert table[["estimate", "se", "ci_low", "ci_high", "deff", "cv"]].isna().all(axis=None)
    assert (table["reliability"] == "suppress").all()


def _certainty_frame() -> pd.DataFrame:
    """Domain x in strata A, D (two PSUs each); domain y in one-row certainty strata B, C."""
    return pd.DataFrame({
        "s": ["A", "A", "B", "C", "D", "D"], "p": ["a1", "a2", "b1", "c1", "d1", "d2"],
        "N": [10, 10, 1, 1, 10, 10], "w": [5.0, 5.0, 1.0, 1.0, 5.0, 5.0],
        "g": ["x", "x", "y", "y", "x", "x"], "y": [1.0, 3.0, 0.0, 1.0, 2.0, 6.0],
        "v": ["a", "b", "a", "b", "a", "a"],
    })


@pytest.mark.parametrize(("variable", "stat"), [("y", "mean"), ("y", "total"), ("v", "prop")])
def test_certainty_strata_under_average_give_the_same_table_in_one_call_or_two(
    variable: str, stat: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One svy call per domain (x and y share no stratum) or one for both: same table."""
    import danvan_survey.estimate as module

    design = SurveyDesign("s", "p", "w", "N", "average")
    frame = _certainty_frame()
    monkeypatch.setattr(module, "GROUP_COST", 0.0)
    assert module._domains(module._prepare(frame, design), ["g"]).groups is not None
    split = estimate(frame, design, variable, stat, by="g")  # type: ignore[arg-type]
    monkeypatch.setattr(module, "GROUP_COST", float("inf"))
    whole = estimate(frame, design, variable, stat, by="g")  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(split, whole, check_exact=True)


def test_an_empty_domain_keeps_the_column_types_of_the_table() -> None:
    """Domain z has no analysed row: its row is added with NaN floats and text labels."""
    frame = _certainty_frame().assign(g=["x", "x", "y", "y", "x", "z"],
                                      y=[1.0, 3.0, 0.0, 1.0, 2.0, np.nan],
                                      v=["a", "b", "a", "b", "a", None])
    design = SurveyDesign("s", "p", "w", "N", "certainty")
    for variable, stat in (("y", "mean"), ("v", "prop")):
        table = estimate(frame, design, variable, stat, by="g")  # type: ignore[arg-type]
        empty = table[table["g"] == "z"]
        assert len(empty) == (2 if stat == "prop" else 1) and (empty["n"] == 0).all()
        for col in ("estimate", "se", "ci_low", "ci_high", "deff", "cv"):
            assert table[col].dtype == np.float64, (stat, col)
        assert table["g"].dtype == "str"
        if stat == "prop":
            assert table["category"].dtype == "str"
            assert empty["category"].tolist() == ["a", "b"]


@pytest.mark.parametrize("stat", ["mean", "total"])
def test_an_empty_frame_gives_the_whole_domain_with_no_estimate(stat: str) -> None:
    """A round with no cadre row still states the province row (n = 0), not an empty table."""
    frame = pd.DataFrame({"w": pd.Series([], dtype=float), "y": pd.Series([], dtype=float)})
    table = estimate(frame, SurveyDesign(None, None, "w"), "y", stat)  # type: ignore[arg-type]
    assert len(table) == 1
    assert table[["n", "df"]].to_numpy().tolist() == [[0, 0]]
    assert table["estimate"].isna().all() and table["reliability"].tolist() == ["suppress"]
