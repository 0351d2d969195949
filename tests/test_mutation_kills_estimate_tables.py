"""Kills of mutants in estimate._table, _variable and linearise's certainty strata.

Designs hold one-row certainty strata (fpc = 1) under the "average" lonely-PSU rule;
expected values come from hand formulas and from R 4.1's survey (run on these frames:
``svymean(~y, subset(des, g == "y"), deff = TRUE)``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from danvan_survey.estimate import SurveyDesign, estimate


def _frame() -> pd.DataFrame:
    """Domain x: strata A, D (two PSUs each); domain y: two one-row certainty strata B, C."""
    return pd.DataFrame(
        {
            "s": ["A", "A", "B", "C", "D", "D"],
            "p": ["a1", "a2", "b1", "c1", "d1", "d2"],
            "N": [10, 10, 1, 1, 10, 10],
            "w": [5.0, 5.0, 1.0, 1.0, 5.0, 5.0],
            "g": ["x", "x", "y", "y", "x", "x"],
            "y": [1.0, 3.0, 0.0, 1.0, 2.0, 6.0],
        }
    )


def _design(rule: str) -> SurveyDesign:
    """Stratified cluster design with fpc column N and the given lonely-PSU rule."""
    return SurveyDesign(strata="s", psu="p", weight="w", fpc="N", lonely_psu=rule)


def _heavier() -> pd.DataFrame:
    """_frame with weight 2 on the certainty rows: their sum (4) exceeds their count (2)."""
    return _frame().assign(w=[5.0, 5.0, 2.0, 2.0, 5.0, 5.0])


def test_certainty_only_domain_mean_has_zero_se_and_zero_deff() -> None:
    """Domain y lies in certainty strata only: se 0, and deff 0 since y varies (0, 1).

    R: estimate 0.5, se 0, deff 0 (under "average" and "certainty").
    """
    table = estimate(_heavier(), _design("average"), "y", "mean", by="g")
    row = table[table["g"] == "y"].iloc[0]
    assert row["estimate"] == 0.5
    assert row["se"] == 0.0
    assert row["deff"] == 0.0
    assert int(row["n"]) == 2


def test_deff_is_missing_where_the_weights_sum_to_the_rows() -> None:
    """Weights 1 + 1 over 2 rows: 1 - n/N = 0, no SRS variance, deff NaN (R: NaN too)."""
    table = estimate(_frame(), _design("certainty"), "y", "mean", by="g")
    row = table[table["g"] == "y"].iloc[0]
    assert row["se"] == 0.0
    assert math.isnan(row["deff"])


def test_certainty_only_domain_prop_deff_zero_only_for_present_categories() -> None:
    """Float 0/1 codes are categories "0", "1": deff 0 where held, NaN for absent ones (R)."""
    table = estimate(_heavier(), _design("average"), "y", "prop", by="g")
    sub = table[table["g"] == "y"].set_index("category")
    assert sub.loc["0", "deff"] == 0.0
    assert sub.loc["1", "deff"] == 0.0
    for cat in ["2", "3", "6"]:
        assert math.isnan(sub.loc[cat, "deff"])
    assert (sub["se"] == 0.0).all()


def test_missing_only_stratum_is_not_counted_in_rescaling() -> None:
    """A stratum whose rows all lack y does not change the certainty rescaling.

    Strata A (y 1, 3; w 5; N 10), B (one certainty row, y 0, w 1), E (y missing).
    Mean 20/11; linearised z = w (y - mean) / W; var = (1 - 2/10) · 2 · Σ_A (z - z̄)².
    """
    frame = pd.DataFrame(
        {
            "s": ["A", "A", "B", "E", "E"],
            "p": ["a1", "a2", "b1", "e1", "e2"],
            "N": [10, 10, 1, 10, 10],
            "w": [5.0, 5.0, 1.0, 5.0, 5.0],
            "y": [1.0, 3.0, 0.0, np.nan, np.nan],
        }
    )
    table = estimate(frame, _design("average"), "y", "mean")
    mean = 20.0 / 11.0
    z = np.array([5.0 * (1.0 - mean) / 11.0, 5.0 * (3.0 - mean) / 11.0])
    var = (1 - 2 / 10) * 2 * ((z - z.mean()) ** 2).sum()
    assert math.isclose(table["estimate"].iloc[0], mean, rel_tol=1e-12)
    assert math.isclose(table["se"].iloc[0], math.sqrt(var), rel_tol=1e-9)


def test_domain_without_analysed_rows_has_df_zero_int64() -> None:
    """A domain whose y is all missing gets n = 0, df = 0 (int64) and no estimate."""
    frame = pd.DataFrame(
        {
            "w": [1.0, 1.0, 1.0, 1.0],
            "g": ["a", "a", "b", "b"],
            "y": [1.0, 3.0, np.nan, np.nan],
        }
    )
    design = SurveyDesign(strata=None, psu=None, weight="w", fpc=None)
    table = estimate(frame, design, "y", "mean", by="g")
    assert table["df"].dtype == np.dtype("int64")
    assert table["df"].tolist() == [1, 0]
    assert table["n"].tolist() == [2, 0]
    assert math.isnan(table["estimate"].iloc[1])


def test_text_values_in_numeric_variable_are_read_as_missing() -> None:
    """A non-numeric code in a mean variable is coerced to missing, not an error."""
    frame = pd.DataFrame(
        {"w": [1.0, 1.0, 1.0], "y": pd.Series(["1", "3", "abc"], dtype="object")}
    )
    design = SurveyDesign(strata=None, psu=None, weight="w", fpc=None)
    table = estimate(frame, design, "y", "mean")
    assert table["estimate"].iloc[0] == 2.0
    assert table["n"].iloc[0] == 2  # the text row is not analysed, so not counted


def test_text_values_in_numeric_variable_are_not_counted_per_domain() -> None:
    """n and df per domain count only the numbers analysed, for mean and total."""
    frame = pd.DataFrame(
        {
            "w": [1.0, 1.0, 1.0, 1.0],
            "g": ["a", "a", "b", "b"],
            "y": pd.Series(["1", "x", "2", "4"], dtype="object"),
        }
    )
    design = SurveyDesign(strata=None, psu=None, weight="w", fpc=None)
    for stat in ("mean", "total"):
        table = estimate(frame, design, "y", stat, by="g").set_index("g")
        assert table["n"].to_dict() == {"a": 1, "b": 2}, stat
        assert table["df"].to_dict() == {"a": 0, "b": 1}, stat
        assert table.loc["a", "reliability"] == "suppress"


def test_huge_integral_mean_values_are_not_read_as_category_codes() -> None:
    """A mean variable with 1e19 (past int64) is rescaled as floats, not as Int64 codes."""
    frame = _heavier().assign(y=[1e19, 3.0, 0.0, 1.0, 2.0, 6.0])
    table = estimate(frame, _design("average"), "y", "mean", by="g").set_index("g")
    expected_x = (5.0 * 1e19 + 5.0 * (3.0 + 2.0 + 6.0)) / 20.0
    assert math.isclose(table.loc["x", "estimate"], expected_x, rel_tol=1e-12)
    assert table.loc["y", "estimate"] == 0.5
    assert table.loc["y", "se"] == 0.0
    assert table.loc["y", "deff"] == 0.0
