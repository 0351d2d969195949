"""Kills of mutants in estimate's design pieces: domain counts, _prepare, certainty strata."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from danvan_survey.estimate import (
    InputError,
    SurveyDesign,
    estimate,
)


def test_domain_counts_leave_out_rows_not_analysed_and_rows_of_no_domain() -> None:
    """k0: PSUs 0, 2 in stratum 0 (df 1); k2: PSU 1 (df 0); k1: one row, not analysed."""
    frame = pd.DataFrame({
        "k": ["k0", "k0", "k2", None, "k1"], "p": [0, 2, 1, 1, 0], "s": [0, 0, 0, 1, 1],
        "w": [1.0] * 5, "y": [1.0, 2.0, 3.0, 4.0, np.nan],
    })
    table = estimate(frame, SurveyDesign("s", "p", "w", lonely_psu="remove"), "y", by="k")
    assert table.set_index("k")[["n", "df"]].to_dict() == {
        "n": {"k0": 2, "k1": 0, "k2": 1}, "df": {"k0": 1, "k1": 0, "k2": 0}
    }


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
def test_certainty_strata_under_average_give_each_domain_its_own_table(
    variable: str, stat: str
) -> None:
    """Domains x and y share no stratum: estimated together or each alone, the same rows."""
    design = SurveyDesign("s", "p", "w", "N", "average")
    frame = _certainty_frame()
    whole = estimate(frame, design, variable, stat, by="g")  # type: ignore[arg-type]
    for dom in ("x", "y"):
        alone = estimate(  # type: ignore[arg-type]
            frame.assign(g=frame["g"].where(frame["g"] == dom)), design, variable, stat, by="g"
        )
        ours = whole[whole["g"] == dom].reset_index(drop=True)
        pd.testing.assert_frame_equal(ours, alone, check_exact=True)


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
