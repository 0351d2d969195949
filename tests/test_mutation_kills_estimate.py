"""Tests that pin behaviour of danvan_survey.estimate found untested by mutation testing.

Every expected value is computed by hand or by an independent formula in the test
(stratified element totals, logit intervals of proportions, t quantiles from scipy).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from danvan_survey.errors import InputError
from danvan_survey.estimate import (
    CADRE_INDICATORS,
    ESTIMATE_COLUMNS,
    SurveyDesign,
    _add_intervals,
    add_cadre_flags,
    estimate,
    estimate_cadre_indicators,
)

SRS = SurveyDesign(strata=None, psu=None, weight="w", fpc=None)


def _logit_interval(p: float, se: float, df: int) -> tuple[float, float]:
    """R's svyciprop(method="logit") bounds at level 0.95."""
    half = stats.t.ppf(0.975, df) * se / (p * (1 - p))
    eta = math.log(p / (1 - p))
    return 1 / (1 + math.exp(-(eta - half))), 1 / (1 + math.exp(-(eta + half)))


# --------------------------------------------------------------------------- design ids


def test_stratified_element_sample_without_fpc_gives_the_exact_table() -> None:
    """Strata without clusters or fpc: rows are the PSUs, numbered within their stratum."""
    frame = pd.DataFrame(
        {
            "s": ["A", "A", "B", "B", "B"],
            "w": [2.0, 2.0, 1.0, 1.0, 1.0],
            "y": [1.0, 3.0, 5.0, 9.0, 10.0],
        }
    )
    design = SurveyDesign(strata="s", psu=None, weight="w", fpc=None, lonely_psu="fail")
    table = estimate(frame, design, "y", "total")
    # z = w·y: A (2, 6) → 2/1 · 8 = 16; B (5, 9, 10) → 3/2 · 14 = 21
    var = 16.0 + 21.0
    se = math.sqrt(var)
    half = stats.t.ppf(0.975, 3) * se
    w, y = frame["w"].to_numpy(), frame["y"].to_numpy()
    n, big_n = len(frame), w.sum()
    mean = (w * y).sum() / big_n
    svyvar = (w * (y - mean) ** 2).sum() / big_n * n / (n - 1)
    vsrs = svyvar * big_n**2 * (big_n - n) / (big_n * n)
    expected = pd.DataFrame(
        {
            "estimate": [32.0],
            "se": [se],
            "ci_low": [32.0 - half],
            "ci_high": [32.0 + half],
            "df": pd.array([3], dtype="int64"),
            "deff": [var / vsrs],
            "n": pd.array([5], dtype="int64"),
            "cv": [se / 32.0],
            "reliability": ["suppress"],
        }
    )
    pd.testing.assert_frame_equal(table, expected, rtol=1e-12)


def test_one_cluster_without_strata_names_stratum_1() -> None:
    """Without strata the whole design is stratum "1"; one cluster is a lonely PSU."""
    frame = pd.DataFrame({"p": ["c", "c"], "w": [1.0, 1.0], "y": [1.0, 2.0]})
    design = SurveyDesign(strata=None, psu="p", weight="w", fpc=None, lonely_psu="fail")
    with pytest.raises(InputError) as info:
        estimate(frame, design, "y")
    assert str(info.value) == (
        "Có tầng chỉ có một đơn vị mẫu cấp 1 (PSU): 1. Chọn cách xử lý lonely_psu "
        "(remove, certainty, average, adjust) hoặc gộp tầng trong thiết kế mẫu."
    )


def _one_psu_stratum(pop_a: float) -> pd.DataFrame:
    """Stratum A: one sampled PSU of ``pop_a``; stratum B: two PSUs of 5."""
    return pd.DataFrame(
        {
            "s": ["A", "A", "B", "B"],
            "p": ["a1", "a1", "b1", "b2"],
            "N": [pop_a, pop_a, 5.0, 5.0],
            "w": [1.0, 1.0, 2.5, 2.5],
            "y": [1.0, 2.0, 3.0, 5.0],
        }
    )


def test_one_sampled_psu_of_two_is_lonely_not_certain() -> None:
    """fpc = 2 with one sampled PSU is a lonely PSU ("fail" stops)."""
    design = SurveyDesign(strata="s", psu="p", weight="w", fpc="N", lonely_psu="fail")
    with pytest.raises(InputError, match=r"\(PSU\): A\. Chọn"):
        estimate(_one_psu_stratum(2.0), design, "y")


def test_one_sampled_psu_of_two_is_averaged_as_lonely() -> None:
    """"average" scales by H / (H - lonely strata); fpc = 2 is lonely, not a census."""
    frame = pd.concat(
        [
            _one_psu_stratum(2.0),
            pd.DataFrame(
                {"s": "C", "p": ["c1", "c2"], "N": 5.0, "w": 2.5, "y": [4.0, 8.0]}
            ),
        ],
        ignore_index=True,
    )
    design = SurveyDesign(strata="s", psu="p", weight="w", fpc="N", lonely_psu="average")
    row = estimate(frame, design, "y", "total").iloc[0]
    # total = 3 + 2.5·8 + 2.5·12 = 53; B: (1 - 2/5)·2·12.5 = 15; C: 0.6·2·50 = 60;
    # 3 strata, 1 of them lonely: variance (15 + 60) · 3/2
    assert row["estimate"] == pytest.approx(53.0)
    assert row["se"] == pytest.approx(math.sqrt(75.0 * 1.5))


def test_one_sampled_psu_of_one_is_a_certainty_psu() -> None:
    """fpc = 1: the stratum is a census, no lonely PSU; only stratum B varies."""
    design = SurveyDesign(strata="s", psu="p", weight="w", fpc="N", lonely_psu="fail")
    row = estimate(_one_psu_stratum(1.0), design, "y", "total").iloc[0]
    # total = 1 + 2 + 2.5·(3 + 5) = 23; B: PSU totals 7.5, 12.5 → (1 - 2/5)·2·12.5 = 15
    assert row["estimate"] == pytest.approx(23.0)
    assert row["se"] == pytest.approx(math.sqrt(15.0))


# --------------------------------------------------------------------------- domains


def test_codes_typed_as_number_or_text_form_one_domain() -> None:
    """A by column mixing 1 and "1" (e.g. read from a spreadsheet) gives one domain "1"."""
    frame = pd.DataFrame(
        {"w": 1.0, "y": [1.0, 2.0, 3.0, 5.0], "g": pd.Series([1, "1", 2, 2], dtype=object)}
    )
    table = estimate(frame, SRS, "y", "mean", by="g")
    assert table["g"].tolist() == [1, 2]
    assert table["n"].tolist() == [2, 2]
    assert table["estimate"].tolist() == pytest.approx([1.5, 4.0])


def test_variable_named_like_an_internal_column_is_estimated() -> None:
    """A prop variable called "_w" is estimated, not the weights behind that name."""
    frame = pd.DataFrame({"w": 2.5, "N": 10, "_w": ["a", "b", "a", "a"]})
    design = SurveyDesign(strata=None, psu=None, weight="w", fpc="N")
    table = estimate(frame, design, "_w", "prop")
    # p = 3/4, var = (1 - 4/10) · p(1-p) / (n - 1) for both categories
    se = math.sqrt(0.6 * 0.1875 / 3)
    low_a, high_a = _logit_interval(0.75, se, 3)
    low_b, high_b = _logit_interval(0.25, se, 3)
    expected = pd.DataFrame(
        {
            "category": ["a", "b"],
            "estimate": [0.75, 0.25],
            "se": [se, se],
            "ci_low": [low_a, low_b],
            "ci_high": [high_a, high_b],
            "df": pd.array([3, 3], dtype="int64"),
            "deff": [1.0, 1.0],
            "n": pd.array([4, 4], dtype="int64"),
            "cv": [se / 0.75, se / 0.25],
            "reliability": ["suppress", "suppress"],
        }
    )
    pd.testing.assert_frame_equal(table, expected, rtol=1e-12)


# --------------------------------------------------------------------------- categories


def test_fractional_float_codes_stay_float_categories() -> None:
    """Float codes that are not whole numbers keep their text ("0.5"), sorted by value."""
    frame = pd.DataFrame({"w": 1.0, "v": [0.5, 1.0, 0.5, 1.5]})
    table = estimate(frame, SRS, "v", "prop")
    assert table["category"].tolist() == ["0.5", "1.0", "1.5"]
    assert table["estimate"].tolist() == pytest.approx([0.5, 0.25, 0.25])


def test_numeric_categories_sort_by_value() -> None:
    """Codes 2 and 10 come as 2, 10 (not the text order "10", "2")."""
    frame = pd.DataFrame({"w": 1.0, "v": [2, 10, 2, 10, 2]})
    table = estimate(frame, SRS, "v", "prop")
    assert table["category"].tolist() == ["2", "10"]
    assert table["estimate"].tolist() == pytest.approx([0.6, 0.4])


def test_mixed_categories_sort_as_text() -> None:
    """One non-numeric code makes every category sort as text."""
    frame = pd.DataFrame({"w": 1.0, "v": ["1", "a", "10", "2", "a"]})
    table = estimate(frame, SRS, "v", "prop")
    assert table["category"].tolist() == ["1", "10", "2", "a"]
    assert table["estimate"].tolist() == pytest.approx([0.2, 0.2, 0.2, 0.4])


# --------------------------------------------------------------------------- intervals


def test_two_clusters_give_a_t_interval_with_one_df() -> None:
    """df = 1 (two PSUs, one stratum) still gives the exact t(1) interval."""
    frame = pd.DataFrame({"p": ["c1", "c1", "c2"], "w": 1.0, "y": [1.0, 3.0, 8.0]})
    design = SurveyDesign(strata=None, psu="p", weight="w", fpc=None)
    row = estimate(frame, design, "y").iloc[0]
    # mean 4; z = (y - 4)/3 → PSU totals -4/3, 4/3; var = 2/1 · (16/9 + 16/9) = 64/9
    se = 8 / 3
    half = stats.t.ppf(0.975, 1) * se
    assert row["df"] == 1
    assert row["se"] == pytest.approx(se)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((4 - half, 4 + half))


def test_proportion_of_one_has_no_logit_interval_even_with_an_se() -> None:
    """p = 1 is an edge of the logit interval: both bounds NaN, whatever the se."""
    table = pd.DataFrame({"estimate": [1.0, 1.0], "se": [0.1, 0.0], "df": [5, 5]})
    out = _add_intervals(table, "prop", 0.95)
    assert out["ci_low"].isna().all() and out["ci_high"].isna().all()


@pytest.mark.parametrize("stat", ["mean", "prop"])
def test_zero_and_one_estimates_raise_no_floating_point_warning(stat: str) -> None:
    """Division by p(1-p) or by an estimate of 0 is silent; cv is NaN at 0, se at 1."""
    table = pd.DataFrame(
        {"estimate": [0.0, 0.0, 1.0], "se": [0.1, 0.0, 0.1], "df": [5, 5, 5]}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = _add_intervals(table, stat, 0.95)
    np.testing.assert_array_equal(out["cv"].to_numpy(), [np.nan, np.nan, 0.1])
    if stat == "prop":
        assert out["ci_low"].isna().all() and out["ci_high"].isna().all()


def test_cv_of_a_mean_of_one_is_its_se() -> None:
    """cv = se / |estimate| also when the estimate is exactly 1."""
    frame = pd.DataFrame({"w": 1.0, "y": [0.0, 2.0, 1.0, 1.0]})
    row = estimate(frame, SRS, "y").iloc[0]
    # s² = 2/3, var = s²/4 = 1/6
    assert row["estimate"] == 1.0
    assert row["se"] == pytest.approx(math.sqrt(1 / 6))
    assert row["cv"] == pytest.approx(math.sqrt(1 / 6))


# --------------------------------------------------------------------------- cadre tables


def test_cadre_flags_treat_non_numeric_answers_as_missing() -> None:
    """A text answer ("n/a") gives a missing flag; numeric text ("4") counts."""
    cadres = pd.DataFrame(
        {
            "skill_situations": pd.Series([5, "n/a", 3, None], dtype=object),
            "agrees_dv_is_unions_job": pd.Series(["4", "x", 1, 5], dtype=object),
            "vignette_land_protest": ["listen_first", None, "disperse", "trusted_people"],
        }
    )
    out = add_cadre_flags(cadres)
    expected = {
        "skill_situations_4_5": [1, pd.NA, 0, pd.NA],
        "agrees_dv_is_unions_job_4_5": [1, pd.NA, 0, 1],
        "vignette_listen_or_trusted": [1, pd.NA, 0, 1],
    }
    for col, values in expected.items():
        pd.testing.assert_series_equal(
            out[col], pd.Series(values, dtype="Int64", name=col), check_index=False
        )


def _cadres(n: int = 24) -> pd.DataFrame:
    """Two districts of three communes each; every answer present."""
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "district_code": np.repeat(["593", "594"], n // 2),
            "commune_code": [f"c{i % 6}" for i in range(n)],
            "em_area": np.where(np.arange(n) % 2 == 0, "pure", "none"),
            "weight": 3.0,
            "n_psu_in_stratum": 10,
            "trained_12m": pd.array(rng.integers(0, 2, n), dtype="Int64"),
            "skill_situations": pd.array(rng.integers(1, 6, n), dtype="Int64"),
            "vignette_land_protest": rng.choice(["report_wait", "listen_first"], n),
            "nq25_awareness": pd.array(rng.integers(0, 3, n), dtype="Int64"),
            "agrees_dv_is_unions_job": pd.array(rng.integers(1, 6, n), dtype="Int64"),
            "field_days_per_month": rng.integers(0, 20, n).astype(float),
            "paperwork_hours_per_week": rng.uniform(0, 30, n),
        }
    )


DESIGN = SurveyDesign("district_code", "commune_code", "weight", "n_psu_in_stratum")


def test_cadre_indicators_report_a_missing_indicator_before_design_gaps() -> None:
    """Columns are checked first: a missing first indicator is named, not a weight gap."""
    cadres = _cadres().drop(columns=["trained_12m"])
    cadres.loc[0, "weight"] = np.nan
    with pytest.raises(InputError) as info:
        estimate_cadre_indicators(cadres, DESIGN)
    assert str(info.value) == (
        "Thiếu cột 'trained_12m' trong bảng dữ liệu cán bộ; kiểm tra bước làm sạch."
    )


def test_cadre_indicators_long_table_labels() -> None:
    """stat per indicator, empty category for means, a fresh 0..n-1 index."""
    out = estimate_cadre_indicators(_cadres(), DESIGN)
    assert list(out.columns) == ESTIMATE_COLUMNS
    pd.testing.assert_index_equal(out.index, pd.RangeIndex(len(out)))
    stat_of = {variable: stat for variable, stat, _ in CADRE_INDICATORS}
    assert out["stat"].tolist() == [stat_of[v] for v in out["variable"]]
    means = out[out["stat"] == "mean"]
    assert len(means) and (means["category"] == "").all()
    assert set(out.loc[out["stat"] == "prop", "category"]) >= {"0", "1", "listen_first"}
    province = out[out["domain_type"] == "province"]
    assert province["domain"].eq("ALL").all()


def test_a_population_count_that_is_not_a_positive_number_is_refused() -> None:
    """A text fpc was read as missing and its rows silently left out of the estimate."""
    frame = pd.DataFrame({"s": ["A", "A", "B", "B"], "p": ["a1", "a2", "b1", "b2"],
                          "w": [2.0] * 4, "N": ["4", "x", "4", "4"], "y": [1.0, 2.0, 3.0, 5.0]})
    design = SurveyDesign("s", "p", "w", "N", "remove")
    with pytest.raises(InputError) as info:
        estimate(frame, design, "y")
    assert str(info.value) == (
        "Cột số PSU của tổng thể (fpc) 'N' phải là số đếm từ 1 trở lên (không phải tỷ lệ "
        "chọn mẫu); 1 giá trị không hợp lệ (dòng đầu tiên: 2, giá trị 'x'); kiểm tra bước "
        "tính trọng số.")
    for bad in ("0", "-1", "0.999"):  # R reads fpc <= 1 as a sampling fraction: refused
        with pytest.raises(InputError) as info:
            estimate(frame.assign(N=["4", "4", bad, "4"]), design, "y")
        assert f"(dòng đầu tiên: 3, giá trị '{bad}')" in str(info.value)
    ok = estimate(frame.assign(N=["4", "4", "4", "4"]), design, "y")
    assert ok["estimate"].tolist() == [2.75]


def test_a_population_count_below_the_sampled_psus_is_refused() -> None:
    """N < n makes 1 - n/N negative: a clear message naming the strata, not a traceback."""
    frame = pd.DataFrame({"s": ["A", "A", "A", "B", "B", "C"],
                          "p": ["a1", "a2", "a2", "b1", "b2", "c1"],
                          "w": [2.0] * 6, "N": [1.0, 1.0, 1.0, 2.0, 2.0, 1.0],
                          "y": [1.0, 2.0, 3.0, 5.0, 1.0, 4.0]})
    design = SurveyDesign("s", "p", "w", "N", "certainty")
    with pytest.raises(InputError) as info:
        estimate(frame, design, "y")
    assert str(info.value) == (
        "Cột số PSU của tổng thể (fpc) 'N' nhỏ hơn số PSU đã chọn vào mẫu ở 1 tầng: "
        "A (1 < 2); kiểm tra bước tính trọng số.")
    # at exactly the sampled count (a census stratum) the estimate runs: B has N = n = 2
    ok = estimate(frame.assign(N=[2.0, 2.0, 2.0, 2.0, 2.0, 1.0]), design, "y")
    assert ok["n"].tolist() == [6]
    # one row per PSU (no psu column): N counts rows
    rows = SurveyDesign("s", None, "w", "N", "certainty")
    with pytest.raises(InputError) as info:
        estimate(frame.assign(N=[2.5, 2.5, 2.5, 2.0, 2.0, 1.0]), rows, "y")
    assert "ở 1 tầng: A (2.5 < 3);" in str(info.value)
    many = pd.DataFrame({"s": [f"S{i:02d}" for i in range(12) for _ in (0, 1)],
                         "p": [f"p{j}" for j in range(24)], "w": 1.0, "N": 1.0, "y": 1.0})
    with pytest.raises(InputError) as info:
        estimate(many, SurveyDesign("s", "p", "w", "N", "certainty"), "y")
    backwards = many.iloc[::-1].reset_index(drop=True)  # strata listed in sorted order
    with pytest.raises(InputError) as reversed_info:
        estimate(backwards, SurveyDesign("s", "p", "w", "N", "certainty"), "y")
    assert "ở 12 tầng: S00 (1 < 2), S01 (1 < 2)," in str(reversed_info.value)
    listed = ", ".join(f"S{i:02d} (1 < 2)" for i in range(10))
    assert str(info.value) == (
        f"Cột số PSU của tổng thể (fpc) 'N' nhỏ hơn số PSU đã chọn vào mẫu ở 12 tầng: {listed}; "
        "kiểm tra bước tính trọng số.")
