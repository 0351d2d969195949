"""Estimates at exactly their limits: suppression count, reliability labels, 4–5 flags."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from danvan_survey.estimate import (
    add_cadre_flags,
    reliability,
    reliability_thresholds,
    suppress_small_counts,
)


def test_configured_limits_are_the_documented_ones() -> None:
    assert reliability_thresholds() == {
        "suppress_below_n": 25.0, "caution_below_n": 50.0, "caution_above_cv": 0.30,
        "caution_below_df": 8.0, "min_count": 5.0,
    }


@pytest.mark.parametrize(
    ("n", "cv", "df", "label"),
    [
        (24, 0.01, 100, "suppress"),
        (25, 0.01, 100, "caution"),  # exactly the suppression limit: published with caution
        (49, 0.01, 100, "caution"),
        (50, 0.01, 100, "ok"),  # exactly the caution limit
        (50, 0.30, 100, "ok"),  # cv exactly 30% is not above it
        (50, 0.3001, 100, "caution"),
        (50, 0.01, 8, "ok"),  # df exactly 8
        (50, 0.01, 7.99, "caution"),
        (50, float("inf"), 100, "caution"),
        (24, float("nan"), 0, "suppress"),
    ],
)
def test_reliability_at_each_limit(n: int, cv: float, df: float, label: str) -> None:
    assert reliability(n, cv, df) == label


def _table(ns: list[int]) -> pd.DataFrame:
    k = len(ns)
    return pd.DataFrame({
        "domain": [f"d{i}" for i in range(k)], "n": ns, "estimate": np.linspace(0.1, 0.9, k),
        "se": 0.05, "ci_low": 0.0, "ci_high": 1.0, "cv": 0.2, "deff": 1.1,
        "reliability": "caution",
    })


def test_default_suppression_limit_is_five_respondents() -> None:
    table = _table([4, 5, 6, 0])
    out = suppress_small_counts(table)
    small = out["n"] < 5
    assert small.tolist() == [True, False, False, True]  # the check is not vacuous
    for col in ("estimate", "se", "ci_low", "ci_high", "cv", "deff"):
        assert out.loc[small, col].isna().all(), col
        assert out.loc[~small, col].tolist() == table.loc[~small, col].tolist(), col
    assert out["reliability"].tolist() == ["suppress", "caution", "caution", "suppress"]
    assert out["n"].tolist() == [4, 5, 6, 0] and out["domain"].tolist() == table["domain"].tolist()
    assert table["estimate"].notna().all()  # the input is not modified


def test_explicit_limit_and_missing_columns() -> None:
    table = pd.DataFrame({"n": [9, 10], "estimate": [0.2, 0.3]})
    out = suppress_small_counts(table, min_count=10)
    assert math.isnan(out.loc[0, "estimate"]) and out.loc[1, "estimate"] == 0.3
    assert list(out.columns) == ["n", "estimate"]  # no reliability column invented


@given(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=20),
       st.integers(min_value=1, max_value=40))
def test_suppression_property(ns: list[int], limit: int) -> None:
    out = suppress_small_counts(_table(ns), min_count=limit)
    assert (out["estimate"].isna() == (out["n"] < limit)).all()
    assert ((out["reliability"] == "suppress") == (out["n"] < limit)).all()


def test_four_or_five_flags_start_at_four() -> None:
    cadres = pd.DataFrame({
        "skill_situations": pd.array([3, 4, 5, None], dtype="Int64"),
        "agrees_dv_is_unions_job": pd.array([4, 3, None, 5], dtype="Int64"),
        "vignette_land_protest": ["listen_first", "trusted_people", "report_wait", None],
    })
    out = add_cadre_flags(cadres)
    assert out["skill_situations_4_5"].tolist() == [0, 1, 1, pd.NA]
    assert out["agrees_dv_is_unions_job_4_5"].tolist() == [1, 0, pd.NA, 1]
    assert out["vignette_listen_or_trusted"].tolist() == [1, 1, 0, pd.NA]
    assert str(out["skill_situations_4_5"].dtype) == "Int64"


# ---------------------------------------------------------------- input checks
def _srs() -> pd.DataFrame:
    return pd.DataFrame({"y": [1.0, 2.0, 3.0, 6.0], "w": 2.5, "N": 10})


def _design(**kw):
    from danvan_survey.estimate import SurveyDesign

    return SurveyDesign(**({"weight": "w", "fpc": "N"} | kw))


@pytest.mark.parametrize("level", [0.0, 1.0, 1.5, -0.1])
def test_confidence_level_must_lie_strictly_between_0_and_1(level: float) -> None:
    from danvan_survey.errors import InputError
    from danvan_survey.estimate import estimate

    with pytest.raises(InputError, match=f"Mức tin cậy {level} phải nằm giữa 0 và 1"):
        estimate(_srs(), _design(), "y", level=level)


def test_interval_level_is_used() -> None:
    from danvan_survey.estimate import estimate

    narrow = estimate(_srs(), _design(), "y", level=0.5).iloc[0]
    wide = estimate(_srs(), _design(), "y", level=0.99).iloc[0]
    assert narrow["ci_high"] - narrow["ci_low"] < wide["ci_high"] - wide["ci_low"]
    assert narrow["estimate"] == wide["estimate"] == pytest.approx(3.0)


def test_unknown_lonely_psu_rule_is_named() -> None:
    from danvan_survey.errors import InputError
    from danvan_survey.estimate import estimate

    with pytest.raises(InputError, match="'drop' không hợp lệ; dùng một trong: fail, remove"):
        estimate(_srs(), _design(lonely_psu="drop"), "y")


def test_missing_design_value_names_column_count_and_first_row() -> None:
    from danvan_survey.errors import InputError
    from danvan_survey.estimate import estimate

    frame = _srs().astype({"N": "Float64"})
    frame.loc[[2, 3], "N"] = pd.NA
    with pytest.raises(InputError, match=r"Cột thiết kế mẫu 'N' có 2 giá trị trống "
                                         r"\(dòng đầu tiên: 3\)"):
        estimate(frame, _design(), "y")


@pytest.mark.parametrize("bad", [-1.0, "x"])
def test_weights_must_be_non_negative_numbers(bad: object) -> None:
    from danvan_survey.errors import InputError
    from danvan_survey.estimate import estimate

    frame = _srs().astype({"w": "object"})
    frame.loc[1, "w"] = bad
    with pytest.raises(InputError, match="Cột trọng số 'w' phải là số không âm"):
        estimate(frame, _design(), "y")
    zero = _srs().assign(w=[0.0, 2.5, 2.5, 2.5])
    assert estimate(zero, _design(), "y")["n"].iloc[0] == 3  # allowed; the row is not counted


def test_an_fpc_that_varies_inside_a_stratum_is_refused() -> None:
    # R's svydesign refuses it too ("fpc not constant within strata"); before, one check
    # read the stratum's smallest value and another its first
    from danvan_survey.errors import InputError
    from danvan_survey.estimate import estimate

    frame = pd.DataFrame({"y": [1.0, 2.0, 3.0, 6.0, 4.0, 5.0], "w": 2.0,
                          "s": ["A", "A", "A", "B", "B", "B"], "p": [1, 2, 3, 4, 5, 6],
                          "N": [10, 10, 10, 12, 9, 12]})
    with pytest.raises(InputError, match=r"'N' phải có một giá trị trong mỗi tầng, nhưng 1 "
                                         r"tầng có nhiều giá trị \(tầng B: 9, 12\); kiểm tra "
                                         r"bước tính trọng số\.$"):
        estimate(frame, _design(strata="s", psu="p"), "y")
    # several such strata: the first by label is named (B's rows come first here), with at
    # most five of its values
    many = pd.DataFrame({"y": 1.0, "w": 2.0, "s": ["B"] * 7 + ["A"] * 2,
                         "p": range(9), "N": [11, 12, 13, 14, 15, 16, 17, 10, 20]})
    with pytest.raises(InputError, match=r"2 tầng có nhiều giá trị \(tầng A: 10, 20\)"):
        estimate(many, _design(strata="s", psu="p"), "y")
    with pytest.raises(InputError, match=r"\(tầng B: 11, 12, 13, 14, 15\);"):
        estimate(many[many["s"] == "B"], _design(strata="s", psu="p"), "y")
    same = frame.assign(N=[10, 10, 10, 12, 12, 12])  # constant in each stratum: estimated
    assert estimate(same, _design(strata="s", psu="p"), "y")["n"].iloc[0] == 6
