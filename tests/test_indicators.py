import math
import unicodedata

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from danvan_survey.codebook import load_codebook
from danvan_survey.indicators import (
    ALL,
    INDICATOR_NAMES,
    INDICATORS,
    aggregate,
    aggregate_district,
    aggregate_em_area,
    census_frame,
    compute_indicators,
    content_diversity,
    ratio,
)

NA = pd.NA


def i64(*values):
    return pd.array(values, dtype="Int64")


def frame(**cols):
    """Small clean-organisations frame; id columns filled to the length of the data."""
    n = len(next(iter(cols.values())))
    base = {
        "round_id": ["r1"] * n,
        "commune_code": [f"0000{i}" for i in range(n)],
        "commune_name": [f"Xã {i}" for i in range(n)],
        "district_code": ["593"] * n,
        "district_name": ["Huyện A"] * n,
        "org_type": ["hnd"] * n,
        "em_area": ["none"] * n,
        "em_source": ["unverified"] * n,
        "rating_last_year": i64(*([2] * n)),
    }
    base.update(cols)
    return pd.DataFrame({k: pd.Series(v, dtype="str") if isinstance(v, list) and isinstance(
        v[0], str) else v for k, v in base.items()})


def test_indicator_list_is_data_with_codebook_columns_and_nfc_labels():
    names = load_codebook().names("a")
    assert len(set(INDICATOR_NAMES)) == len(INDICATORS) == 8
    for ind in INDICATORS:
        assert all(c in names for c in ind.numerator + ind.denominator), ind.name
        assert ind.label_vi == unicodedata.normalize("NFC", ind.label_vi)
        assert ind.label_vi and ind.label_en and ind.rationale
    trained = next(i for i in INDICATORS if i.name == "trained_share")
    assert trained.denominator_expr == "n_exec_members + n_branches"


def test_per_record_values_hand_computed():
    org = frame(
        org_type=["hnd", "mttq", "doan"],
        members_total=i64(41, 10, 5),
        eligible_pop=i64(100, NA, 0),
        n_branches=i64(7, 0, 4),
        branches_met_on_schedule=i64(4, 0, 4),
        branches_silent_6m=i64(3, 0, 0),
        members_paid_dues=i64(20, NA, 5),
        members_with_card=i64(41, NA, 4),
        cadres_trained_12m=i64(6, 2, 3),
        n_exec_members=i64(9, 11, NA),
        n_exec_vacant=i64(2, 0, 1),
        bulletin_issues_12m=i64(12, 0, NA),
        bulletin_dvk_features_12m=i64(3, 0, 1),
        meeting_content=pd.Series(["policy thematic culture", "policy admin", NA], dtype="str"),
    )
    ind = compute_indicators(org)
    hnd, mttq, doan = (ind.iloc[i] for i in range(3))
    # hnd: every value by hand
    assert hnd["gathering_rate"] == pytest.approx(41 / 100)
    assert (hnd["gathering_rate_num"], hnd["gathering_rate_den"]) == (41, 100)
    assert hnd["meeting_regularity"] == pytest.approx(4 / 7)
    assert hnd["silent_branch_share"] == pytest.approx(3 / 7)
    assert hnd["dues_rate"] == pytest.approx(20 / 41)
    assert hnd["card_rate"] == 1.0
    assert hnd["trained_share"] == pytest.approx(6 / (9 + 7))
    assert hnd["trained_share_den"] == 16
    assert hnd["vacancy_share"] == pytest.approx(2 / 9)
    assert hnd["dvk_bulletin_compliance"] == pytest.approx(3 / 12)
    assert hnd["content_diversity"] == 2
    # mttq: no members (NaN even though a number was typed), den 0 -> NaN, parts kept
    assert math.isnan(mttq["gathering_rate"]) and math.isnan(mttq["gathering_rate_num"])
    assert math.isnan(mttq["silent_branch_share"])
    assert (mttq["silent_branch_share_num"], mttq["silent_branch_share_den"]) == (0, 0)
    assert math.isnan(mttq["dvk_bulletin_compliance"])
    assert mttq["trained_share"] == pytest.approx(2 / 11)
    assert mttq["content_diversity"] == 0
    # doan: eligible 0 -> NaN with numerator kept; a missing part of a sum -> NaN
    assert math.isnan(doan["gathering_rate"]) and doan["gathering_rate_num"] == 5
    assert math.isnan(doan["trained_share"]) and math.isnan(doan["trained_share_den"])
    assert math.isnan(doan["vacancy_share"])
    assert math.isnan(doan["dvk_bulletin_compliance"])
    assert doan["content_diversity"] is NA
    assert str(ind["content_diversity"].dtype) == "Int64"


def test_content_diversity_counts_distinct_non_routine_codes():
    s = pd.Series(["policy", "other", "thematic training economy dialogue", "", NA], dtype="str")
    assert content_diversity(s).tolist() == [0, 1, 4, NA, NA]


def test_ratio_nan_not_zero_not_error():
    num = pd.Series([1.0, 0.0, np.nan, 2.0])
    den = pd.Series([0.0, 0.0, 4.0, 4.0])
    out = ratio(num, den)
    assert out.isna().tolist() == [True, True, True, False] and out.iloc[3] == 0.5


def _two_district_frame():
    return frame(
        commune_code=["22915", "22918", "23230"],
        district_code=["593", "593", "595"],
        members_total=i64(1, 9, 5),
        eligible_pop=i64(2, 10, 0),
        n_branches=i64(4, 6, 5),
        branches_silent_6m=i64(1, NA, 0),
        meeting_content=pd.Series(["policy", "policy economy", "culture"], dtype="str"),
    )


def _expected():
    communes = pd.DataFrame({
        "commune_code": ["22915", "22918", "23230", "23231"],
        "commune_name": ["a", "b", "c", "d"],
        "district_code": ["593", "593", "595", "595"],
        "district_name": ["Phan Thiết", "Phan Thiết", "Bắc Bình", "Bắc Bình"],
        "em_area": ["none", "none", "pure", "pure"],
    }).astype("str")
    return census_frame(communes)


def test_aggregate_is_ratio_of_sums_not_mean_of_ratios_with_coverage():
    ind = compute_indicators(_two_district_frame())
    table = aggregate_district(ind, _expected())
    hnd = table[(table["district_code"] == "593") & (table["org_type"] == "hnd")].iloc[0]
    # records 1/2 and 9/10: ratio of sums 10/12, mean of ratios would be 0.7
    assert hnd["gathering_rate"] == pytest.approx(10 / 12)
    assert hnd["gathering_rate"] != pytest.approx((1 / 2 + 9 / 10) / 2)
    assert (hnd["gathering_rate_num"], hnd["gathering_rate_den"], hnd["gathering_rate_n"]) == (
        10, 12, 2)
    # silent share: record with missing numerator is left out of both sums
    assert (hnd["silent_branch_share_num"], hnd["silent_branch_share_den"]) == (1, 4)
    assert (hnd["n_expected"], hnd["n_received"], hnd["coverage"]) == (2, 2, 1.0)
    assert hnd["district_name"] == "Phan Thiết"
    bb = table[(table["district_code"] == "595") & (table["org_type"] == "hnd")].iloc[0]
    assert math.isnan(bb["gathering_rate"]) and bb["gathering_rate_n"] == 0  # den 0 only
    assert (bb["n_expected"], bb["n_received"], bb["coverage"]) == (2, 1, 0.5)
    prov = table[(table["district_code"] == ALL) & (table["org_type"] == "hnd")].iloc[0]
    assert prov["district_name"] == "Toàn tỉnh"
    assert prov["gathering_rate"] == pytest.approx(10 / 12)
    assert (prov["n_expected"], prov["n_received"]) == (4, 3)
    assert prov["content_diversity_mean"] == pytest.approx((0 + 1 + 1) / 3)
    # non-response reported, not imputed: an org with no return has coverage 0, NaN rates
    doan = table[(table["district_code"] == ALL) & (table["org_type"] == "doan")].iloc[0]
    assert (doan["n_expected"], doan["n_received"], doan["coverage"]) == (4, 0, 0.0)
    assert math.isnan(doan["gathering_rate"])
    assert len(table) == (2 + 1) * 5
    assert table["district_code"].tolist()[-5:] == [ALL] * 5


def test_aggregate_em_area_and_weak_counts():
    ind = compute_indicators(_two_district_frame()).assign(
        em_area=["none", "none", "pure"],
        is_weak_reported=[True, False, True],
        is_weak_functional=[False, False, True],
    )
    table = aggregate_em_area(ind, _expected())
    hnd = table.set_index(["em_area", "org_type"]).loc[("pure", "hnd")]
    assert (hnd["n_weak_reported"], hnd["n_weak_functional"], hnd["n_received"]) == (1, 1, 1)
    prov = table.set_index(["em_area", "org_type"]).loc[(ALL, "hnd")]
    assert (prov["n_weak_reported"], prov["n_weak_functional"]) == (2, 1)


# ---------------------------------------------------------------- properties
counts = st.integers(min_value=0, max_value=10_000)


@st.composite
def num_le_den(draw):
    den = draw(counts)
    num = draw(st.integers(min_value=0, max_value=den))
    return num, den


@settings(max_examples=60, deadline=None)
@given(st.lists(num_le_den(), min_size=1, max_size=8))
def test_rates_of_valid_records_stay_in_unit_interval(pairs):
    nums, dens = zip(*pairs, strict=True)
    org = frame(
        members_total=i64(*dens),  # members_paid_dues <= members_total
        members_paid_dues=i64(*nums),
        n_branches=i64(*dens),
        branches_silent_6m=i64(*nums),
        eligible_pop=i64(*dens),
    )
    ind = compute_indicators(org)
    for name in ("dues_rate", "silent_branch_share", "gathering_rate"):
        values = ind[name].dropna()
        assert ((values >= 0) & (values <= 1)).all()
        assert ind[name].isna().tolist() == [d == 0 for d in dens]


optional = st.one_of(st.none(), counts)


@st.composite
def org_frames(draw):
    n = draw(st.integers(min_value=1, max_value=6))
    codes = ["22915", "22918", "23230", "23231"]
    return frame(
        commune_code=[draw(st.sampled_from(codes)) for _ in range(n)],
        district_code=[draw(st.sampled_from(["593", "595"])) for _ in range(n)],
        org_type=[draw(st.sampled_from(["hnd", "doan", "mttq"])) for _ in range(n)],
        members_total=i64(*(draw(optional) for _ in range(n))),
        eligible_pop=i64(*(draw(optional) for _ in range(n))),
        n_branches=i64(*(draw(optional) for _ in range(n))),
        branches_met_on_schedule=i64(*(draw(optional) for _ in range(n))),
    )


@settings(max_examples=20, deadline=None)
@given(org_frames(), org_frames())
def test_aggregation_equals_recomputation_on_concatenated_frames(a, b):
    expected = _expected()
    by = ["district_code", "org_type"]
    ia, ib = compute_indicators(a), compute_indicators(b)
    whole = aggregate(pd.concat([ia, ib], ignore_index=True), by, expected)
    parts = [aggregate(x, by, expected).set_index(by) for x in (ia, ib)]
    whole = whole.set_index(by)
    for name in ("gathering_rate", "meeting_regularity"):
        for part in ("_num", "_den", "_n"):
            col = name + part
            assert np.allclose(whole[col], parts[0][col] + parts[1][col])
        recomputed = ratio(whole[f"{name}_num"], whole[f"{name}_den"])
        assert np.allclose(whole[name], recomputed, equal_nan=True)
    assert (whole["n_received"] == parts[0]["n_received"] + parts[1]["n_received"]).all()
