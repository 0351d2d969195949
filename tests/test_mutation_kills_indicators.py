"""Indicator definitions, lookups, census frame and aggregation details."""

from __future__ import annotations

import pandas as pd
import pytest
from test_indicators import frame, i64

from danvan_survey.indicators import (
    ALL,
    ALL_LABEL_VI,
    aggregate,
    census_frame,
    compute_indicators,
    content_diversity,
    indicator,
)


def test_indicator_lookup_and_formulas() -> None:
    trained = indicator("trained_share")
    assert trained.numerator_expr == "cadres_trained_12m"
    assert trained.denominator_expr == "n_exec_members + n_branches"
    assert indicator("gathering_rate").not_for == ("mttq",)
    with pytest.raises(KeyError, match="'nope' is not an indicator; known: gathering_rate"):
        indicator("nope")


def test_sum_denominator_is_missing_when_a_part_is_missing() -> None:
    org = frame(cadres_trained_12m=i64(3, 3), n_exec_members=i64(9, pd.NA),
                n_branches=i64(1, 1))
    ind = compute_indicators(org)
    assert ind["trained_share"].iloc[0] == pytest.approx(0.3)
    assert pd.isna(ind["trained_share"].iloc[1]) and pd.isna(ind["trained_share_den"].iloc[1])


def test_not_for_masks_only_the_named_organisation() -> None:
    org = frame(org_type=["mttq", "hnd"], members_total=i64(50, 50), eligible_pop=i64(100, 100),
                members_paid_dues=i64(10, 10))
    ind = compute_indicators(org)
    assert pd.isna(ind["gathering_rate"].iloc[0]) and pd.isna(ind["gathering_rate_num"].iloc[0])
    assert ind["gathering_rate"].iloc[1] == 0.5 and ind["dues_rate"].iloc[1] == 0.2


def test_missing_columns_and_carried_columns() -> None:
    org = frame(members_total=i64(5)).drop(columns=["em_source"]).assign(
        has_annual_plan=i64(1), difficulties=["terrain"])
    ind = compute_indicators(org)
    assert ind["em_source"].isna().all()
    assert ind["has_annual_plan"].tolist() == [1] and ind["difficulties"].tolist() == ["terrain"]
    assert "attendance_pct" not in ind.columns
    assert ind["content_diversity"].isna().all()  # no meeting_content column
    assert str(ind["rating_last_year"].dtype) == "Int64"


def test_content_diversity_unanswered_is_missing_not_zero() -> None:
    out = content_diversity(pd.Series(["policy admin", "", None, "thematic  policy"],
                                      dtype="str"))
    assert [None if pd.isna(v) else int(v) for v in out] == [0, None, None, 1]


def test_census_frame_for_chosen_organisations() -> None:
    communes = pd.DataFrame({
        "commune_code": ["2", "1", "1"], "commune_name": ["B", "A", "A"],
        "district_code": ["9", "9", "9"], "district_name": ["H", "H", "H"],
        "em_area": ["none", "pure", "pure"], "extra": [1, 2, 3],
    })
    out = census_frame(communes, ["hnd", "doan"])
    assert out[["commune_code", "org_type"]].values.tolist() == [
        ["1", "doan"], ["1", "hnd"], ["2", "doan"], ["2", "hnd"]]
    assert list(out.columns) == ["commune_code", "commune_name", "district_code",
                                 "district_name", "em_area", "org_type"]
    assert len(census_frame(communes)) == 2 * 5


def test_aggregate_without_province_rows_and_district_labels() -> None:
    org = frame(members_total=i64(10, 30), eligible_pop=i64(100, 100),
                district_code=["593", "594"], district_name=["Huyện A", "Huyện B"])
    ind = compute_indicators(org)
    expected = census_frame(org.assign(em_area="none"), ["hnd"])
    table = aggregate(ind, ["district_code", "district_name", "org_type"], expected,
                      all_value=None)
    assert table["district_code"].tolist() == ["593", "594"]
    assert table["district_name"].tolist() == ["Huyện A", "Huyện B"]
    assert table["gathering_rate"].tolist() == [0.1, 0.3]
    with_all = aggregate(ind, ["district_code", "district_name", "org_type"], expected)
    assert with_all["district_code"].tolist() == ["593", "594", ALL]
    assert with_all["district_name"].tolist()[-1] == ALL_LABEL_VI
    assert with_all["gathering_rate"].iloc[-1] == pytest.approx(0.2)
    assert with_all["coverage"].tolist() == [1.0, 1.0, 1.0]


def test_unknown_indicator_message_lists_the_known_ones() -> None:
    with pytest.raises(KeyError) as err:
        indicator("nope")
    assert err.value.args[0] == (
        "'nope' is not an indicator; known: gathering_rate, meeting_regularity, "
        "silent_branch_share, dues_rate, card_rate, trained_share, vacancy_share, "
        "dvk_bulletin_compliance")


def test_aggregate_counts_a_denominator_of_exactly_one_and_not_zero() -> None:
    # one branch, silent: 1/1; no branch at all: 0/0 is not a record of the ratio
    org = frame(n_branches=i64(1, 0), branches_silent_6m=i64(1, 0),
                branches_met_on_schedule=i64(0, 0))
    ind = compute_indicators(org)
    table = aggregate(ind, ["em_area", "org_type"], census_frame(org, ["hnd"]),
                      all_value=None)
    row = table.iloc[0]
    assert (row["silent_branch_share_num"], row["silent_branch_share_den"]) == (1.0, 1.0)
    assert row["silent_branch_share_n"] == 1 and row["silent_branch_share"] == 1.0


def _em_table(ind: pd.DataFrame, org: pd.DataFrame) -> pd.Series:
    """The one (em_area none, hnd) row of the aggregate, without province rows."""
    return aggregate(ind, ["em_area", "org_type"], census_frame(org, ["hnd"]),
                     all_value=None).iloc[0]


def test_unanswered_content_is_left_out_of_the_mean_not_counted() -> None:
    org = frame(meeting_content=["thematic training", ""])
    row = _em_table(compute_indicators(org), org)
    assert (row["content_diversity_mean"], row["content_diversity_n"]) == (2.0, 1)


def test_a_missing_weakness_flag_is_not_counted_as_weak() -> None:
    org = frame(members_total=i64(1, 1, 1))
    ind = compute_indicators(org).assign(
        is_weak_reported=pd.array([True, None, False], dtype="boolean"),
        is_weak_functional=pd.array([None, None, True], dtype="boolean"))
    row = _em_table(ind, org)
    assert (row["n_weak_reported"], row["n_weak_functional"]) == (1, 1)


def test_aggregate_reads_records_under_any_index() -> None:
    org = frame(members_total=i64(10, 30), eligible_pop=i64(100, 100))
    ind = compute_indicators(org).set_axis([40, 50])
    row = _em_table(ind, org)
    assert row["n_received"] == 2 and row["gathering_rate"] == pytest.approx(0.2)


def test_census_frame_has_one_commune_per_code_even_when_names_differ() -> None:
    communes = pd.DataFrame({
        "commune_code": ["1", "1"], "commune_name": ["Xã A", "xã A"],
        "district_code": ["9", "9"], "district_name": ["H", "H"], "em_area": ["none", "none"],
    })
    out = census_frame(communes, ["hnd"])
    assert out["commune_code"].tolist() == ["1"] and out["commune_name"].tolist() == ["Xã A"]


def test_area_table_puts_the_province_row_last_and_counts_as_integers() -> None:
    org = frame(members_total=i64(10, 30), eligible_pop=i64(100, 100), em_area=["pure", "none"])
    communes = pd.concat([org, org.iloc[[0]].assign(commune_code="00009", em_area="mixed")])
    table = aggregate(compute_indicators(org), ["em_area", "org_type"],
                      census_frame(communes, ["hnd"]))
    assert table["em_area"].tolist() == ["mixed", "none", "pure", ALL]
    assert table["n_received"].tolist() == [0, 1, 1, 2]
    assert table["n_expected"].tolist() == [1, 1, 1, 3]
    for col in ("n_expected", "n_received", "gathering_rate_n", "n_weak_reported"):
        assert table[col].dtype == "int64", col
    assert "index" not in table.columns and table.index.tolist() == [0, 1, 2, 3]


def test_unreadable_number_is_a_missing_part_not_an_error() -> None:
    org = frame(members_total=["10", "mười"], eligible_pop=i64(100, 100))
    ind = compute_indicators(org)
    assert ind["gathering_rate"].iloc[0] == 0.1 and pd.isna(ind["gathering_rate"].iloc[1])


def test_indicator_frame_has_integer_ratings_and_no_index_column() -> None:
    org = frame(members_total=i64(5, 6)).assign(
        rating_last_year=pd.Series([2.0, None], dtype="float64")).set_axis([3, 4])
    ind = compute_indicators(org)
    assert str(ind["rating_last_year"].dtype) == "Int64"
    assert ind["rating_last_year"].tolist()[0] == 2 and pd.isna(ind["rating_last_year"].iloc[1])
    assert "index" not in ind.columns and ind.index.tolist() == [0, 1]
