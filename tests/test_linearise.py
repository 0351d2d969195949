"""danvan_survey.linearise against hand-worked formulas (fast; R itself: test_estimate_r.py).

One small design: stratum A with two sampled PSUs of 10, stratum B with one sampled PSU
of 5 (a lonely PSU), stratum C with its only PSU the whole population (certainty).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from danvan_survey import linearise
from danvan_survey.estimate import SurveyDesign, estimate


def _frame() -> pd.DataFrame:
    """A: PSUs a1 (two rows), a2; B: the lonely PSU b1; C: the certainty PSU c1.

    Domain u holds every stratum; domain v is b1's second row only.
    """
    return pd.DataFrame(
        {
            "s": ["A", "A", "A", "B", "B", "C"],
            "p": ["a1", "a1", "a2", "b1", "b1", "c1"],
            "N": [10, 10, 10, 5, 5, 1],
            "w": [4.0, 6.0, 5.0, 3.0, 2.0, 1.0],
            "y": [1.0, 2.0, 4.0, 3.0, 5.0, 7.0],
            "g": ["u", "u", "u", "u", "v", "u"],
        }
    )


def _design(rule: str) -> SurveyDesign:
    return SurveyDesign("s", "p", "w", "N", lonely_psu=rule)  # type: ignore[arg-type]


def _stratum_a(x: pd.Series, frame: pd.DataFrame) -> float:
    """f n / (n - 1) Σ (t_i - t̄)² over stratum A's two PSUs."""
    t = x[frame["s"] == "A"].groupby(frame["p"]).sum()
    return (1 - 2 / 10) * 2 / 1 * float(((t - t.mean()) ** 2).sum())


def test_total_under_adjust_centres_the_lonely_psu_at_the_mean_psu_total() -> None:
    """survey >= 4.4: v = v_A + f_B (t_B - Y / Σ n_h)², Σ n_h = 2 + 1 + 1 PSUs."""
    frame = _frame()
    x = frame["w"] * frame["y"]
    total = float(x.sum())
    t_b = float(x[frame["s"] == "B"].sum())
    want = _stratum_a(x, frame) + (1 - 1 / 5) * (t_b - total / 4) ** 2
    row = estimate(frame, _design("adjust"), "y", "total").iloc[0]
    assert math.isclose(row["estimate"], total, rel_tol=1e-12)
    assert math.isclose(row["se"] ** 2, want, rel_tol=1e-12)
    removed = estimate(frame, _design("remove"), "y", "total").iloc[0]
    assert math.isclose(removed["se"] ** 2, _stratum_a(x, frame), rel_tol=1e-12)


def test_mean_under_adjust_adds_the_lonely_psu_linearised_total() -> None:
    """For a mean Σ x = 0, so the lonely PSU is centred at 0: v = v_A + f_B t_B²."""
    frame = _frame()
    mean = float((frame["w"] * frame["y"]).sum() / frame["w"].sum())
    x = frame["w"] * (frame["y"] - mean) / frame["w"].sum()
    t_b = float(x[frame["s"] == "B"].sum())
    want = _stratum_a(x, frame) + (1 - 1 / 5) * t_b**2
    row = estimate(frame, _design("adjust"), "y", "mean").iloc[0]
    assert math.isclose(row["se"] ** 2, want, rel_tol=1e-9)


def test_adjust_centre_counts_only_the_strata_holding_the_domain() -> None:
    """Domain v lies in stratum B only: Σ n_h = 1 and the centre is its own total."""
    frame = _frame()
    table = estimate(frame, _design("adjust"), "y", "total", by="g").set_index("g")
    assert table.loc["v", "estimate"] == 2.0 * 5.0
    assert table.loc["v", "se"] == 0.0  # t_B - Y / 1 = 0
    x = (frame["w"] * frame["y"]).where(frame["g"] == "u", 0.0)
    total = float(x.sum())
    t_b = float(x[frame["s"] == "B"].sum())
    want = _stratum_a(x, frame) + (1 - 1 / 5) * (t_b - total / 4) ** 2
    assert math.isclose(table.loc["u", "se"] ** 2, want, rel_tol=1e-12)


def test_average_scales_by_strata_over_strata_with_variance() -> None:
    """Domain u holds A, B (lonely) and C (certainty, an ordinary stratum): v_A · 3 / 2."""
    frame = _frame()
    mean = float((frame["w"] * frame["y"]).sum() / frame["w"].sum())
    x = frame["w"] * (frame["y"] - mean) / frame["w"].sum()
    row = estimate(frame, _design("average"), "y", "mean").iloc[0]
    assert math.isclose(row["se"] ** 2, _stratum_a(x, frame) * 3 / 2, rel_tol=1e-9)


def _arrays(fraction_b: float, rule: str) -> linearise.DesignArrays:
    """A (2 PSUs, f = 0.8) and B (1 PSU, f = ``fraction_b``), one row per PSU, weight 1."""
    return linearise.DesignArrays(
        weight=np.ones(3),
        psu=np.array([0, 1, 2]),
        psu_stratum=np.array([0, 0, 1]),
        n_psu=np.array([2.0, 1.0]),
        fraction=np.array([0.8, fraction_b]),
        lonely_psu=rule,
    )


@pytest.mark.parametrize(
    ("fraction_b", "scaled"),
    [(linearise.CERTAIN_BELOW, True), (np.nextafter(linearise.CERTAIN_BELOW, 0), False)],
)
def test_a_stratum_is_certain_only_below_the_threshold(fraction_b: float, scaled: bool) -> None:
    """R's onestrat: f < 1e-7 is a certainty stratum (0, counted); at 1e-7 still lonely."""
    design = _arrays(fraction_b, "average")
    domain = np.zeros(3, dtype=np.int64)
    cells = linearise.domain_cells(design, domain, 1)
    rows = linearise.analysed_rows(design, cells, domain, np.ones(3, dtype=bool))
    x = np.array([1.0, 3.0, 5.0])
    variance = linearise.domain_variance(design, cells, rows, x)
    v_a = 0.8 * 2 / 1 * ((1.0 - 2.0) ** 2 + (3.0 - 2.0) ** 2)
    assert variance[0] == pytest.approx(v_a * (2 / 1 if scaled else 1.0), rel=1e-12)


@pytest.mark.parametrize("rule", ["remove", "certainty", "average", "adjust"])
@pytest.mark.parametrize("stat", ["mean", "total", "prop"])
def test_lonely_and_certainty_strata_raise_no_numpy_warning(rule: str, stat: str) -> None:
    """n_h - 1 = 0 and 0 / 0 are handled, not printed as RuntimeWarnings in a notebook.

    Domain v is one row in the lonely stratum; domain z has no analysed row.
    """
    frame = pd.concat(
        [_frame(), _frame().iloc[:1].assign(g="z", y=np.nan)], ignore_index=True
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        estimate(frame, _design(rule), "y", stat, by="g")  # type: ignore[arg-type]


def test_rows_of_weight_zero_are_not_counted_as_weighted_rows() -> None:
    """R's deff counts rows with a non-zero weight (nobs); the last domain has none."""
    design = linearise.DesignArrays(
        weight=np.array([1.0, 0.0, 2.0, 0.0]),
        psu=np.arange(4),
        psu_stratum=np.zeros(4, dtype=np.int64),
        n_psu=np.array([4.0]),
        fraction=np.array([1.0]),
        lonely_psu="remove",
    )
    domain = np.array([0, 0, 1, 2])
    cells = linearise.domain_cells(design, domain, 3)
    rows = linearise.analysed_rows(design, cells, domain, np.ones(4, dtype=bool))
    assert rows.weighted.tolist() == [1.0, 1.0, 0.0]
    assert rows.present.tolist() == [True, True, True]
    assert rows.weight_sum.tolist() == [1.0, 2.0, 0.0]


def test_an_infinite_population_is_sampling_with_replacement() -> None:
    """R: fpc = Inf gives f = 1, the same variance as no fpc at all."""
    frame = _frame().assign(N=np.inf)
    for stat in ("mean", "total"):
        with_inf = estimate(frame, _design("remove"), "y", stat, by="g")  # type: ignore[arg-type]
        without = estimate(  # type: ignore[arg-type]
            frame, SurveyDesign("s", "p", "w", None, lonely_psu="remove"), "y", stat, by="g"
        )
        pd.testing.assert_frame_equal(with_inf, without)


@pytest.mark.parametrize("fpc", ["N", None])
def test_an_empty_frame_raises_no_numpy_warning(fpc: str | None) -> None:
    frame = _frame().iloc[:0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = estimate(frame, SurveyDesign("s", "p", "w", fpc, lonely_psu="remove"), "y")
    assert table["n"].tolist() == [0]


@pytest.mark.parametrize(
    ("fraction", "certain"),
    [(linearise.CERTAIN_BELOW, False), (np.nextafter(linearise.CERTAIN_BELOW, 0), True)],
)
def test_a_stratum_of_two_psus_has_no_variance_below_the_threshold(
    fraction: float, certain: bool
) -> None:
    """R's onestrat returns 0 for f < 1e-7 (a census stratum), else f n / (n - 1) Σ (t - t̄)²."""
    design = linearise.DesignArrays(
        weight=np.ones(2), psu=np.arange(2),
        psu_stratum=np.zeros(2, dtype=np.int64), n_psu=np.array([2.0]),
        fraction=np.array([fraction]), lonely_psu="remove",
    )
    domain = np.zeros(2, dtype=np.int64)
    cells = linearise.domain_cells(design, domain, 1)
    rows = linearise.analysed_rows(design, cells, domain, np.ones(2, dtype=bool))
    variance = linearise.domain_variance(design, cells, rows, np.array([1.0, 3.0]))
    assert variance[0] == (0.0 if certain else fraction * 2 / 1 * 2.0)


def test_deff_is_missing_when_the_weights_sum_to_the_rows_even_with_variance() -> None:
    """Weights of 1: N = n, no SRS-without-replacement variance; se > 0 but deff NaN."""
    frame = pd.DataFrame({"w": [1.0, 1.0, 1.0, 1.0], "y": [1.0, 2.0, 4.0, 8.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # V / 0 is not printed either
        row = estimate(frame, SurveyDesign(None, None, "w"), "y", "mean").iloc[0]
    assert row["se"] > 0 and math.isnan(row["deff"])
    heavier = estimate(frame.assign(w=2.0), SurveyDesign(None, None, "w"), "y", "mean").iloc[0]
    assert heavier["deff"] > 0


def test_a_domain_of_weight_zero_rows_has_no_estimate_and_no_warning() -> None:
    """Called directly (estimate() analyses positive weights only): 0 / 0 gives NaN."""
    design = linearise.DesignArrays(
        weight=np.array([1.0, 2.0, 0.0]),
        psu=np.arange(3), psu_stratum=np.zeros(3, dtype=np.int64), n_psu=np.array([3.0]),
        fraction=np.array([1.0]), lonely_psu="remove",
    )
    domain = np.array([0, 0, 1])
    cells = linearise.domain_cells(design, domain, 2)
    rows = linearise.analysed_rows(design, cells, domain, np.ones(3, dtype=bool))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = linearise.domain_estimates(design, cells, rows, np.array([1.0, 4.0, 5.0]), "mean")
    assert res.estimate[0] == 3.0 and math.isnan(res.estimate[1])
    assert math.isnan(res.variance[1]) and math.isnan(res.deff[1])


@pytest.mark.parametrize("by", [None, "g"])
def test_a_proportion_without_any_answer_keeps_the_column_types(by: str | None) -> None:
    """No category at all: no row, but the same columns and dtypes as any table."""
    frame = _frame().assign(v=pd.Series([None] * 6, dtype="str"))
    table = estimate(frame, _design("remove"), "v", "prop", by=by)
    assert table.empty
    for col in ("estimate", "se", "ci_low", "ci_high", "deff", "cv"):
        assert table[col].dtype == np.float64, col
    assert table["category"].dtype == "str"
