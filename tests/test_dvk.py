import math

import pandas as pd
import pytest

from danvan_survey.dvk import bulletin_compliance, dvk_summary, model_catalogue, split_model_names

NA = pd.NA


def orgs():
    return pd.DataFrame({
        "round_id": pd.Series(["r1"] * 5, dtype="str"),
        "district_code": pd.Series(["593", "593", "594", "594", "594"], dtype="str"),
        "district_name": pd.Series(["Phan Thiết"] * 2 + ["La Gi"] * 3, dtype="str"),
        "commune_code": pd.Series(["1", "2", "3", "4", "5"], dtype="str"),
        "commune_name": pd.Series(["Xã 1", "Xã 2", "Xã 3", "Xã 4", "Xã 5"], dtype="str"),
        "em_area": pd.Series(["none", "none", "pure", "pure", "mixed"], dtype="str"),
        "org_type": pd.Series(["hnd", "doan", "hnd", "hnd", "hlhpn"], dtype="str"),
        "dvk_model_names": pd.Series(
            ["Tổ hợp tác nuôi bò; Quỹ hội\nNhóm tiết kiệm", NA, "   ", "Quỹ hội;Quỹ hội",
             "Đội dân phòng nữ"], dtype="str"),
        "dvk_registered_12m": pd.array([3, 1, 2, NA, 1], dtype="Int64"),
        "dvk_recognised_12m": pd.array([2, 0, 1, NA, 1], dtype="Int64"),
        "dvk_top_level": pd.array([2, 0, 1, NA, 3], dtype="Int64"),
        "exemplars_commended_12m": pd.array([4, 0, NA, 1, 2], dtype="Int64"),
        "bulletin_issues_12m": pd.array([4, 0, 12, NA, 6], dtype="Int64"),
        "bulletin_dvk_features_12m": pd.array([4, 0, 6, 1, 6], dtype="Int64"),
    })


def test_split_model_names():
    assert split_model_names("A; B\nC;; ") == ["A", "B", "C"]
    assert split_model_names("Quỹ hội;Quỹ hội") == ["Quỹ hội"]
    assert split_model_names("  mô hình   hay. ") == ["mô hình hay"]
    assert split_model_names(None) == [] and split_model_names("  ") == []


def test_model_catalogue_lists_each_named_model():
    table = model_catalogue(orgs())
    assert table["model_name"].tolist() == [
        "Nhóm tiết kiệm", "Quỹ hội", "Tổ hợp tác nuôi bò", "Quỹ hội", "Đội dân phòng nữ"]
    assert table["commune_code"].tolist() == ["1", "1", "1", "4", "5"]
    assert table["org_label_vi"].iloc[0] == "Hội Nông dân"
    assert table["org_dvk_top_level_vi"].tolist() == ["huyện"] * 3 + ["", "tỉnh"]


def test_dvk_summary_counts_by_district_org_and_level():
    table = dvk_summary(orgs()).set_index(["district_code", "org_type"])
    hnd594 = table.loc[("594", "hnd")]
    assert hnd594["n_orgs"] == 2
    assert hnd594["dvk_registered_12m"] == 2 and hnd594["dvk_registered_12m_n"] == 1
    assert hnd594["n_orgs_top_level_1"] == 1 and hnd594["n_named_models"] == 1
    prov = table.loc[("ALL", "ALL")]
    assert prov["n_orgs"] == 5
    assert prov["dvk_registered_12m"] == 3 + 1 + 2 + 1
    assert prov["dvk_recognised_12m"] == 2 + 0 + 1 + 1
    assert prov["n_orgs_with_recognised"] == 3
    assert [prov[f"n_orgs_top_level_{c}"] for c in "01234"] == [1, 1, 1, 1, 0]
    assert prov["n_named_models"] == 3 + 0 + 0 + 1 + 1
    assert prov["exemplars_commended_12m"] == 7
    hnd_all = table.loc[("ALL", "hnd")]
    assert (hnd_all["n_orgs"], hnd_all["dvk_registered_12m"]) == (3, 5)
    assert table.index.get_level_values(0).tolist()[-1] == "ALL"


def test_bulletin_compliance_against_one_feature_per_issue():
    table = bulletin_compliance(orgs()).set_index(["district_code", "org_type"])
    d594 = table.loc[("594", "ALL")]
    # commune 3: 6/12, commune 4: issues missing -> left out, commune 5: 6/6
    assert (d594["bulletin_dvk_features_12m"], d594["bulletin_issues_12m"]) == (12, 18)
    assert d594["compliance"] == pytest.approx(12 / 18)
    assert (d594["n_orgs_with_bulletin"], d594["n_orgs_full"]) == (2, 1)
    assert d594["share_orgs_full"] == 0.5
    doan = table.loc[("593", "doan")]
    assert doan["n_orgs_no_bulletin"] == 1 and math.isnan(doan["compliance"])
    prov = table.loc[("ALL", "ALL")]
    assert prov["compliance"] == pytest.approx((4 + 6 + 6) / (4 + 12 + 6))
    assert prov["share_orgs_full"] == pytest.approx(2 / 3)
