"""Unit tests of danvan_survey.estimate on tiny designs computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from danvan_survey.errors import InputError
from danvan_survey.estimate import (
    ESTIMATE_COLUMNS,
    SurveyDesign,
    estimate,
    estimate_cadre_indicators,
    reliability,
    suppress_small_counts,
)

SRS = SurveyDesign(strata=None, psu=None, weight="w", fpc="N", lonely_psu="fail")


def srs_frame() -> pd.DataFrame:
    # 4 elements drawn from N = 10 by simple random sampling: weight 10/4.
    return pd.DataFrame({"y": [1.0, 2.0, 3.0, 6.0], "w": 2.5, "N": 10, "g": ["x", "x", "z", "x"]})


def test_srs_mean_with_fpc() -> None:
    row = estimate(srs_frame(), SRS, "y", "mean").iloc[0]
    # mean 3; s² = (4 + 1 + 0 + 9) / 3 = 14/3; var = (1 - 4/10) · s² / 4 = 0.7
    assert row["estimate"] == pytest.approx(3.0)
    assert row["se"] == pytest.approx(math.sqrt(0.7))
    assert row["df"] == 3 and row["n"] == 4
    assert row["deff"] == pytest.approx(1.0)  # SRS without replacement is its own reference
    half = stats.t.ppf(0.975, 3) * math.sqrt(0.7)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((3 - half, 3 + half))
    assert row["cv"] == pytest.approx(math.sqrt(0.7) / 3)
    assert row["reliability"] == "suppress"  # n = 4 < 25


def test_srs_total_scales_mean_by_population() -> None:
    row = estimate(srs_frame(), SRS, "y", "total").iloc[0]
    assert row["estimate"] == pytest.approx(30.0)
    assert row["se"] == pytest.approx(10 * math.sqrt(0.7))


def test_srs_proportion_uses_logit_interval() -> None:
    table = estimate(srs_frame(), SRS, "g", "prop")
    assert list(table["category"]) == ["x", "z"]
    x = table.iloc[0]
    # p = 3/4; var = (1 - 0.4) · p(1-p) · n/(n-1) / n = 0.6 · 0.1875 / 3
    se = math.sqrt(0.6 * 0.1875 / 3)
    assert x["estimate"] == pytest.approx(0.75) and x["se"] == pytest.approx(se)
    half = stats.t.ppf(0.975, 3) * se / (0.75 * 0.25)
    logit = math.log(3)
    expit = 1 / (1 + math.exp(-(logit - half))), 1 / (1 + math.exp(-(logit + half)))
    assert (x["ci_low"], x["ci_high"]) == pytest.approx(expit)
    assert table["estimate"].sum() == pytest.approx(1.0)


def test_stratified_clusters_by_domain() -> None:
    # Stratum A: PSUs a1 (y 2, 4) and a2 (y 6), N_A = 4; stratum B: PSUs b1, b2, census.
    frame = pd.DataFrame(
        {
            "s": ["A", "A", "A", "B", "B"],
            "p": ["a1", "a1", "a2", "b1", "b2"],
            "N": [4, 4, 4, 2, 2],
            "w": [2.0, 2.0, 2.0, 1.0, 1.0],
            "y": [2.0, 4.0, 6.0, 10.0, 20.0],
        }
    )
    design = SurveyDesign(strata="s", psu="p", weight="w", fpc="N")
    row = estimate(frame, design, "y", "total").iloc[0]
    # total = 2·(2+4+6) + 10 + 20 = 54; only stratum A varies:
    # PSU totals 12, 12 → variance (1 - 2/4) · 2 · Σ(z - 12)² = 0
    assert row["estimate"] == pytest.approx(54.0) and row["se"] == pytest.approx(0.0)
    frame.loc[2, "y"] = 8.0  # PSU totals 12 and 16: var = 0.5 · 2 · (4 + 4) = 8
    row = estimate(frame, design, "y", "total").iloc[0]
    assert row["se"] == pytest.approx(math.sqrt(8.0))
    assert row["df"] == 4 - 2


def test_missing_values_leave_the_domain_not_the_design() -> None:
    frame = srs_frame().assign(y=[1.0, 2.0, 3.0, np.nan])
    row = estimate(frame, SRS, "y", "mean").iloc[0]
    assert row["estimate"] == pytest.approx(2.0) and row["n"] == 3 and row["df"] == 2


def test_by_list_gives_one_row_per_domain() -> None:
    frame = srs_frame().assign(h=["u", "v", "u", "v"])
    table = estimate(frame, SRS, "y", "mean", by=["g", "h"])
    assert list(table.columns[:2]) == ["g", "h"]
    assert table[["g", "h"]].values.tolist() == [["x", "u"], ["x", "v"], ["z", "u"]]
    assert table["estimate"].tolist() == pytest.approx([1.0, 4.0, 3.0])


def test_lonely_psu_fail_names_the_stratum() -> None:
    frame = pd.DataFrame(
        {"s": ["A", "A", "B"], "p": ["a1", "a2", "b1"], "N": 5, "w": 1.0, "y": [1.0, 2, 3]}
    )
    with pytest.raises(InputError, match="B"):
        estimate(frame, SurveyDesign(strata="s", psu="p", weight="w", fpc="N"), "y")
    ok = estimate(frame, SurveyDesign("s", "p", "w", "N", lonely_psu="remove"), "y")
    assert ok["se"].notna().all()


def test_bad_input_is_reported_in_vietnamese() -> None:
    with pytest.raises(InputError, match="Thiếu cột 'nope'"):
        estimate(srs_frame(), SRS, "nope")
    with pytest.raises(InputError, match="Thống kê"):
        estimate(srs_frame(), SRS, "y", "median")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("n", "cv", "df", "label"),
    [
        (24, 0.1, 30, "suppress"),
        (25, 0.1, 30, "caution"),
        (50, 0.31, 30, "caution"),
        (50, 0.1, 7, "caution"),
        (50, 0.1, 8, "ok"),
        (50, float("nan"), 30, "caution"),
    ],
)
def test_reliability_thresholds(n: int, cv: float, df: int, label: str) -> None:
    assert reliability(n, cv, df) == label


def test_suppress_small_counts_blanks_estimates() -> None:
    table = pd.DataFrame(
        {"estimate": [0.5, 0.2], "se": [0.1, 0.1], "n": [4, 40], "reliability": ["suppress", "ok"]}
    )
    out = suppress_small_counts(table, min_count=5)
    assert math.isnan(out.loc[0, "estimate"]) and out.loc[1, "estimate"] == 0.2
    assert out["reliability"].tolist() == ["suppress", "ok"]


def test_cadre_indicators_long_layout() -> None:
    rng = np.random.default_rng(1)
    n = 120
    cadres = pd.DataFrame(
        {
            "district_code": np.repeat(["593", "594"], n // 2),
            "commune_code": [f"c{i % 12}" for i in range(n)],
            "em_area": np.where(np.arange(n) % 12 < 4, "pure", "none"),
            "weight": 3.0,
            "n_psu_in_stratum": 20,
            "trained_12m": pd.array(rng.integers(0, 2, n), dtype="Int64"),
            "skill_situations": pd.array(rng.integers(1, 6, n), dtype="Int64"),
            "vignette_land_protest": rng.choice(["report_wait", "listen_first", "disperse"], n),
            "nq25_awareness": pd.array(rng.integers(0, 3, n), dtype="Int64"),
            "agrees_dv_is_unions_job": pd.array(rng.integers(1, 6, n), dtype="Int64"),
            "field_days_per_month": rng.integers(0, 20, n).astype(float),
            "paperwork_hours_per_week": rng.uniform(0, 30, n),
        }
    )
    cadres.loc[3, "skill_situations"] = pd.NA
    design = SurveyDesign("district_code", "commune_code", "weight", "n_psu_in_stratum")
    out = estimate_cadre_indicators(cadres, design)
    assert list(out.columns) == ESTIMATE_COLUMNS
    assert set(out["domain_type"]) == {"province", "district", "em_area"}
    share = out[(out["variable"] == "skill_situations_4_5") & (out["domain"] == "ALL")]
    assert share["category"].tolist() == ["1"]
    known = cadres["skill_situations"].dropna()
    assert share["estimate"].iloc[0] == pytest.approx((known >= 4).mean())
    vignette = out[(out["variable"] == "vignette_land_protest") & (out["domain"] == "ALL")]
    assert vignette["estimate"].sum() == pytest.approx(1.0)


def cadre_frame(seed: int, n: int = 240) -> pd.DataFrame:
    """Small cadre table: 4 districts (one with a single commune), missing answers."""
    rng = np.random.default_rng(seed)
    district = np.repeat(["593", "594", "595", "596"], n // 4)
    commune = [f"{d}-{i % 5}" if d != "596" else "596-0" for i, d in enumerate(district)]
    frame = pd.DataFrame(
        {
            "district_code": district,
            "commune_code": commune,
            "em_area": rng.choice(["pure", "mixed", "none"], n),
            "weight": rng.uniform(1, 9, n),
            "n_psu_in_stratum": np.where(district == "596", 3, 12),
            "trained_12m": pd.array(rng.integers(0, 2, n), dtype="Int64"),
            "skill_situations": pd.array(rng.integers(1, 6, n), dtype="Int64"),
            "vignette_land_protest": rng.choice(["report_wait", "listen_first", "disperse"], n),
            "nq25_awareness": pd.array(rng.integers(0, 3, n), dtype="Int64"),
            "agrees_dv_is_unions_job": pd.array(rng.integers(1, 6, n), dtype="Int64"),
            "field_days_per_month": rng.integers(0, 20, n).astype(float),
            "paperwork_hours_per_week": rng.uniform(0, 30, n),
        }
    )
    for col in ("skill_situations", "vignette_land_protest", "paperwork_hours_per_week"):
        frame.loc[frame.index[rng.random(n) < 0.1], col] = None
    return frame


@pytest.mark.parametrize("seed", [3, 4])
def test_cadre_indicators_equal_one_estimate_per_indicator(seed: int) -> None:
    """The shared design and analysed columns give exactly the numbers of separate calls."""
    import danvan_survey.estimate as module

    cadres = cadre_frame(seed)
    design = SurveyDesign(
        "district_code", "commune_code", "weight", "n_psu_in_stratum", lonely_psu="adjust"
    )
    out = estimate_cadre_indicators(cadres, design)
    flags = module.add_cadre_flags(cadres)
    checked = 0
    for domain_type, by in module.DOMAIN_TYPES:
        for variable, stat, keep in module.CADRE_INDICATORS:
            alone = estimate(flags, design, variable, stat, by=by)  # type: ignore[arg-type]
            if keep is not None:
                alone = alone[alone["category"].isin(keep)]
            ours = out[(out["domain_type"] == domain_type) & (out["variable"] == variable)]
            assert len(ours) == len(alone) > 0
            for col in ("estimate", "se", "ci_low", "ci_high", "deff", "cv", "n", "df"):
                np.testing.assert_array_equal(ours[col].to_numpy(), alone[col].to_numpy())
            assert ours["reliability"].tolist() == alone["reliability"].tolist()
            checked += 1
    assert checked == len(module.DOMAIN_TYPES) * len(module.CADRE_INDICATORS)


@settings(max_examples=20, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", None]), st.integers(0, 3), st.booleans()),
        min_size=1, max_size=40,
    )
)
def test_domain_counts_match_pandas_groupby(rows: list[tuple[str | None, int, bool]]) -> None:
    """n and df (PSUs − strata with analysed rows) per domain, as a pandas groupby gives."""
    from danvan_survey import linearise

    frame = pd.DataFrame(rows, columns=["k", "p", "active"])
    frame["s"] = frame["p"] // 2  # PSUs nested in strata
    codes, labels = pd.factorize(frame["k"].astype("str"))
    strata, psu = pd.factorize(frame["s"])[0], pd.factorize(frame["p"])[0]
    design = linearise.design_arrays(np.ones(len(frame)), strata, psu, None, "remove")
    cells = linearise.domain_cells(design, codes, len(labels))
    analysed = linearise.analysed_rows(design, cells, codes, frame["active"].to_numpy())
    n, df_all = linearise.domain_counts(cells, analysed)
    keep = n > 0
    got = pd.DataFrame({"n": n[keep], "df": df_all[keep]}, index=np.asarray(labels)[keep])
    sub = frame[frame["active"] & frame["k"].notna()]
    grouped = sub.groupby("k")
    df = grouped["p"].nunique() - grouped["s"].nunique()
    want = pd.DataFrame({"n": grouped.size(), "df": df})
    assert got.sort_index().to_dict() == want.sort_index().to_dict()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0.5, 20)), min_size=3, max_size=30))
def test_mean_is_the_weighted_mean(pairs: list[tuple[float, float]]) -> None:
    frame = pd.DataFrame(pairs, columns=["y", "w"]).assign(N=10_000)
    row = estimate(frame, SRS, "y", "mean").iloc[0]
    want = float(np.average(frame["y"], weights=frame["w"]))
    assert row["estimate"] == pytest.approx(want, rel=1e-9, abs=1e-9)
    assert row["se"] >= 0


def nested_domain_frame(seed: int) -> pd.DataFrame:
    """Strata with lonely, certainty and census cases; domains mostly inside one stratum."""
    rng = np.random.default_rng(seed)
    # stratum: (population PSUs, sampled PSUs)
    strata = {"A": (9, 3), "B": (5, 1), "C": (2, 2), "D": (1, 1), "E": (7, 4), "F": (6, 2)}
    rows = []
    for s, (pop, n_psu) in strata.items():
        for p in range(n_psu):
            for _ in range(int(rng.integers(2, 6))):
                rows.append(
                    {
                        "s": s,
                        "p": f"{s}{p}",
                        "N": pop,
                        "w": pop / n_psu * float(rng.uniform(1, 4)),
                        "y": float(rng.normal(5, 2)),
                        "v": str(rng.choice(["a", "b", "c"] if s != "F" else ["a", "d"])),
                        # E and F share domain "EF"; a few rows have no domain
                        "dom": {"E": "EF", "F": "EF"}.get(s, s),
                    }
                )
    frame = pd.DataFrame(rows)
    frame.loc[frame.index[::7], "y"] = np.nan
    frame.loc[frame.index[3::11], "v"] = None
    frame.loc[frame.index[5::13], "dom"] = None
    return frame


@pytest.mark.parametrize("option", ["remove", "certainty", "average", "adjust"])
@pytest.mark.parametrize(("stat", "variable"), [("mean", "y"), ("total", "y"), ("prop", "v")])
@pytest.mark.parametrize("seed", [1, 2])
def test_all_domains_at_once_equal_each_domain_alone(
    option: str, stat: str, variable: str, seed: int
) -> None:
    """One pass over every domain gives each domain's numbers as if it were the only one."""
    frame = nested_domain_frame(seed)
    design = SurveyDesign("s", "p", "w", "N", lonely_psu=option)
    whole = estimate(frame, design, variable, stat, by="dom")  # type: ignore[arg-type]
    assert len(whole) == 5 * (4 if stat == "prop" else 1)
    for dom in ("A", "B", "C", "D", "EF"):
        alone_frame = frame.assign(one=frame["dom"].where(frame["dom"] == dom))
        alone = estimate(alone_frame, design, variable, stat, by="one")  # type: ignore[arg-type]
        ours = whole[whole["dom"] == dom].reset_index(drop=True)
        assert len(ours) == len(alone) > 0
        for col in ("estimate", "se", "ci_low", "ci_high", "deff", "cv"):
            np.testing.assert_allclose(ours[col], alone[col], rtol=1e-12, atol=1e-14)
        for col in ["n", "df", "reliability", *(["category"] if stat == "prop" else [])]:
            assert ours[col].tolist() == alone[col].tolist()


def test_rows_without_a_domain_label_belong_to_no_domain() -> None:
    frame = srs_frame().assign(h=["u", None, "u", "v"])
    table = estimate(frame, SRS, "y", "mean", by="h")
    assert table["h"].tolist() == ["u", "v"]
    assert table["estimate"].tolist() == pytest.approx([2.0, 6.0])
    assert table["n"].tolist() == [2, 1]


def test_cadre_columns_are_all_the_estimates_read() -> None:
    """The cadre table cut to cadre_columns gives the same estimates as the whole table."""
    import danvan_survey.estimate as module

    cadres = cadre_frame(5).assign(unused=1.0)
    design = SurveyDesign(
        "district_code", "commune_code", "weight", "n_psu_in_stratum", lonely_psu="adjust"
    )
    columns = module.cadre_columns(design)
    assert "unused" not in columns and len(columns) == len(set(columns))
    whole = estimate_cadre_indicators(cadres, design)
    cut = estimate_cadre_indicators(cadres[columns], design)
    pd.testing.assert_frame_equal(cut, whole, check_exact=True)
    for dropped in columns:
        with pytest.raises(InputError, match=dropped):
            estimate_cadre_indicators(cadres[columns].drop(columns=[dropped]), design)


def _counting(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[int]:
    """Count the calls of ``module.name`` (the function itself still runs)."""
    calls: list[int] = []
    real = getattr(module, name)

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_cadre_indicators_do_no_work_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Analysed columns once; analysed rows once per distinct set of rows and domain type;
    one estimate per mean and per kept category of a proportion (not per dropped one)."""
    import danvan_survey.estimate as module
    from danvan_survey import linearise

    cadres = cadre_frame(5)
    design = SurveyDesign(
        "district_code", "commune_code", "weight", "n_psu_in_stratum", lonely_psu="adjust"
    )
    flags = module.add_cadre_flags(cadres)
    variables = [module._variable(flags, v, s) for v, s, _ in module.CADRE_INDICATORS]
    distinct: list[np.ndarray] = []
    for var in variables:  # the weights are all positive: a row set is the analysed mask
        if not any(np.array_equal(var.analysed, seen) for seen in distinct):
            distinct.append(var.analysed)
    assert 1 < len(distinct) < len(variables)  # some variables share their rows, not all
    per_type = sum(
        1 if stat != "prop" else len(keep if keep is not None else var.categories)
        for (_, stat, keep), var in zip(module.CADRE_INDICATORS, variables, strict=True)
    )
    assert per_type < sum(max(len(v.categories), 1) for v in variables)  # some are dropped

    made = _counting(monkeypatch, module, "_variable")
    rows = _counting(monkeypatch, linearise, "analysed_rows")
    estimated = _counting(monkeypatch, linearise, "domain_estimates")
    estimate_cadre_indicators(cadres, design)
    n_types = len(module.DOMAIN_TYPES)
    assert len(made) == len(module.CADRE_INDICATORS)
    assert len(rows) == n_types * len(distinct)
    assert len(estimated) == n_types * per_type
