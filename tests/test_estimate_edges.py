"""Estimation edge cases, each checked against R's survey package.

* ``lonely_psu="average"`` with a certainty stratum (fpc = 1) whose single PSU is a
  single row: not lonely (R), so SE and deff are not inflated, and a domain wholly
  inside it gets SE 0 (R), not NaN;
* a domain with no analysed rows is reported with n = 0 and no estimate;
* a 0/1 column read as float gives categories "0"/"1";
* nothing to estimate at all (no row, or no answer) gives rows with n = 0, no error.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_estimate_r import STRATA, _compare, _design_frame, _ours, _run_r

from danvan_survey.estimate import (
    ESTIMATE_COLUMNS,
    SurveyDesign,
    estimate,
    estimate_cadre_indicators,
)

needs_r = pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript is not installed")
DESIGN = SurveyDesign(strata="stratum", psu="psu", weight="w", fpc="fpc", lonely_psu="average")


def one_row_certainty(frame: pd.DataFrame) -> pd.DataFrame:
    """The fixture with the certainty stratum D6 reduced to a single row."""
    d6 = frame[frame["stratum"] == "D6"].iloc[:1].assign(y=5.0, v="a")
    return pd.concat([frame[frame["stratum"] != "D6"], d6], ignore_index=True)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return one_row_certainty(_design_frame(STRATA))


@needs_r
@pytest.mark.r
@pytest.mark.parametrize("by", ["em", "stratum"])
def test_one_row_certainty_stratum_is_not_lonely_under_average(
    frame: pd.DataFrame, by: str, tmp_path: Path
) -> None:
    assert frame.groupby("stratum").size()["D6"] == 1 and frame["fpc"][frame.index[-1]] == 1
    ref = _run_r(frame, ["average"], tmp_path, by=by)
    ours = _ours(frame, "average", by_col=by)
    assert _compare(ours, ref) == len(ref) * 6
    if by == "stratum":  # the domain wholly inside the certainty stratum: SE 0 as in R
        inside = ours[ours["domain"] == "D6"]
        assert len(inside) and (inside["se"] == 0).all()


def test_one_row_certainty_changes_nothing_under_other_rules(frame: pd.DataFrame) -> None:
    """The rescaling is "average" only: "remove" and "certainty" already equal R."""
    for option in ("remove", "certainty"):
        design = SurveyDesign(strata="stratum", psu="psu", weight="w", fpc="fpc",
                              lonely_psu=option)
        table = estimate(frame, design, "y", "mean", by="stratum").set_index("stratum")
        assert table.loc["D6", "se"] == 0


@needs_r
@pytest.mark.r
def test_domain_without_analysed_rows_is_reported_with_n_0(tmp_path: Path) -> None:
    frame = _design_frame(STRATA)
    empty = frame["psu"].isin(["C002", "C010"])
    frame.loc[empty, "em"] = "empty"
    frame.loc[empty, ["y", "v"]] = np.nan
    # R has no estimate for a domain without rows: it sees those rows outside every domain
    ref = _run_r(frame.assign(em=frame["em"].where(~empty)), ["average"], tmp_path)
    ours = _ours(frame, "average")
    assert set(ours["domain"]) == {"ALL", "empty", "mixed", "none", "pure"}
    none = ours[ours["domain"] == "empty"]
    assert (none["n"] == 0).all() and none["estimate"].isna().all() and none["se"].isna().all()
    assert sorted(none.loc[none["stat"] == "prop", "category"]) == ["a", "b", "c"]
    assert (none["reliability"] == "suppress").all()
    assert _compare(ours[ours["domain"] != "empty"], ref) == len(ref) * 6


def test_tables_keep_the_same_rows_when_a_domain_has_no_answer() -> None:
    frame = _design_frame(STRATA)
    full = estimate(frame, DESIGN, "y", "mean", by="em")
    frame.loc[frame["em"] == "pure", "y"] = np.nan
    gap = estimate(frame, DESIGN, "y", "mean", by="em")
    assert gap["em"].tolist() == full["em"].tolist()
    assert gap.set_index("em").loc["pure", "n"] == 0


@needs_r
@pytest.mark.r
def test_zero_one_float_column_gives_categories_0_and_1(tmp_path: Path) -> None:
    frame = _design_frame(STRATA)
    frame["v"] = (frame["y"] > 11).astype(float).where(frame["v"].notna())
    assert frame["v"].dtype == "float64"
    ref = _run_r(frame, ["remove"], tmp_path)
    assert set(ref.loc[ref["stat"] == "prop", "category"]) == {"0", "1"}
    ours = _ours(frame, "remove")
    assert set(ours.loc[ours["stat"] == "prop", "category"]) == {"0", "1"}
    assert _compare(ours, ref) == len(ref) * 6


def test_nothing_to_estimate_gives_rows_with_n_0() -> None:
    frame = _design_frame(STRATA)
    frame["y"] = np.nan
    mean = estimate(frame, DESIGN, "y", "mean", by="em")
    assert len(mean) == 3 and (mean["n"] == 0).all() and mean["estimate"].isna().all()
    frame["v"] = None
    assert estimate(frame, DESIGN, "v", "prop", by="em").empty  # no category is known


def _cadres(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "district_code": ["596"] * n, "commune_code": ["23035", "23038"] * (n // 2),
            "weight": [9.0] * n, "n_psu_in_stratum": [18] * n,
            "em_area": ["pure"] * n,
            "trained_12m": pd.array(rng.integers(0, 2, n), dtype="Int64"),
            "skill_situations": pd.array(rng.integers(1, 6, n), dtype="Int64"),
            "vignette_land_protest": ["listen_first"] * n,
            "nq25_awareness": pd.array([1] * n, dtype="Int64"),
            "agrees_dv_is_unions_job": pd.array([2] * n, dtype="Int64"),
            "field_days_per_month": [3.0] * n, "paperwork_hours_per_week": [np.nan] * n,
        }
    )


def test_cadre_indicators_with_no_cadre_keep_their_columns() -> None:
    design = SurveyDesign(strata="district_code", psu="commune_code", weight="weight",
                          fpc="n_psu_in_stratum", lonely_psu="adjust")
    table = estimate_cadre_indicators(_cadres(4).iloc[:0], design)
    assert list(table.columns) == ESTIMATE_COLUMNS
    assert (table["n"] == 0).all() and table["estimate"].isna().all()
    full = estimate_cadre_indicators(_cadres(4), design)
    assert list(full.columns) == ESTIMATE_COLUMNS
    paper = full[full["variable"] == "paperwork_hours_per_week"]
    assert len(paper) and (paper["n"] == 0).all()  # a question nobody answered


def test_logit_interval_bits_come_from_the_c_library() -> None:
    """Prop CIs are computed with math.log/math.exp (identical on every CPU), at each edge."""
    import math

    from danvan_survey.estimate import _add_intervals, _t_quantile

    table = pd.DataFrame(
        {
            "estimate": [0.3, 1e-300, 0.0, 1.0, np.nan, 0.5, 0.7],
            "se": [0.05, 1e-299, 0.0, 0.0, 0.1, 1e300, 0.02],
            "df": [12, 3, 5, 5, 5, 4, 0],
        }
    )
    out = _add_intervals(table, "prop", 0.95)
    p, se, df = 0.3, 0.05, 12.0
    q = float(_t_quantile(0.95, np.array([df]))[0])
    eta, half = math.log(p / (1 - p)), q * se / (p * (1 - p))
    assert out.at[0, "ci_low"] == 1 / (1 + math.exp(-(eta - half)))  # exact, not approx
    assert out.at[0, "ci_high"] == 1 / (1 + math.exp(-(eta + half)))
    # a tiny p: exp overflows to inf, the lower bound is 0, no OverflowError
    assert out.at[1, "ci_low"] == 0.0 and 0 < out.at[1, "ci_high"] < 1
    # p = 0, p = 1 and a missing estimate have no logit interval
    assert out.loc[2:4, ["ci_low", "ci_high"]].isna().all().all()
    # an infinite half-width spans (0, 1); df = 0 has no t quantile
    assert (out.at[5, "ci_low"], out.at[5, "ci_high"]) == (0.0, 1.0)
    assert np.isnan(out.at[6, "ci_low"]) and np.isnan(out.at[6, "ci_high"])
