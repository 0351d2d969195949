from pathlib import Path

import pandas as pd
import pytest
import yaml

from danvan_survey.errors import InputError
from danvan_survey.indicators import compute_indicators
from danvan_survey.weakness import (
    CONFIG_PATH,
    CONSOLIDATION_TITLE_VI,
    apply_weakness,
    consolidation_list,
    disagreements,
    format_number_vi,
    format_percent_vi,
    load_weakness_config,
    weak_communes,
)

HEALTHY = {
    # a record on which no rule fires (every value checked against the default config)
    "round_id": "r1", "commune_code": "22915", "commune_name": "Xã A",
    "district_code": "593", "district_name": "Huyện A", "org_type": "hlhpn",
    "em_area": "none", "em_source": "unverified", "rating_last_year": 2,
    "members_total": 80, "eligible_pop": 100, "members_new_12m": 5,
    "members_paid_dues": 70, "members_with_card": 80, "has_annual_plan": 1,
    "n_branches": 7, "branches_met_on_schedule": 7, "branches_silent_6m": 0,
    "attendance_pct": 80.0, "meeting_content": "policy thematic", "n_exec_members": 9,
    "n_exec_vacant": 0, "cadres_trained_12m": 10, "difficulties": "funding",
    "households_reached_pct": None,
}
INT_COLS = ["rating_last_year", "members_total", "eligible_pop", "members_new_12m",
            "members_paid_dues", "members_with_card", "has_annual_plan", "n_branches",
            "branches_met_on_schedule", "branches_silent_6m", "n_exec_members", "n_exec_vacant",
            "cadres_trained_12m"]


def records(*overrides):
    rows = [{**HEALTHY, **o} for o in overrides]
    df = pd.DataFrame(rows)
    for col in INT_COLS:
        df[col] = pd.array(df[col].tolist(), dtype="Int64")
    for col in ("attendance_pct", "households_reached_pct"):
        df[col] = pd.array(df[col].tolist(), dtype="Float64")
    for col in df.columns:
        if col not in INT_COLS and df[col].dtype == object:
            df[col] = df[col].astype("str")
    return df


def weak(*overrides, cfg=None):
    return apply_weakness(compute_indicators(records(*overrides)), cfg)


def test_healthy_record_has_no_signs():
    row = weak({}).iloc[0]
    assert row["weak_reasons"] == "" and row["weak_reasons_vi"] == ""
    assert not row["is_weak_functional"] and not row["is_weak_reported"]
    assert row["n_rules_evaluated"] == 9  # households_reached_pct missing: 10 rules - 1
    assert row["priority_score"] == 0


def test_vietnamese_numbers():
    assert format_number_vi(1234.5) == "1.234,5"
    assert format_number_vi(41.0) == "41"
    assert format_number_vi(1234567, 0) == "1.234.567"
    assert format_percent_vi(0.415) == "41,5%"
    assert format_percent_vi(0.41) == "41%"


def test_reason_sentence_with_numbers():
    # 3 of 7 branches silent (43% >= 30%: core) and 41 of 100 gathered (< 50%: supplementary)
    row = weak({"branches_silent_6m": 3, "branches_met_on_schedule": 4,
                "members_total": 41, "members_paid_dues": 30, "members_with_card": 41}).iloc[0]
    assert row["weak_reasons"] == "silent_branches;low_gathering"
    assert row["weak_reasons_vi"] == (
        "3/7 chi hội không sinh hoạt trên 6 tháng; tỷ lệ tập hợp 41%"
    )
    assert row["is_weak_functional"]  # one core rule suffices (brief: "any of")
    assert row["priority_score"] == 3 + 1


def test_sentence_wording_follows_organisation():
    df = weak(
        {"org_type": "hnd", "members_total": 41, "members_paid_dues": 30,
         "members_with_card": 41},
        {"org_type": "doan", "commune_code": "22918", "branches_silent_6m": 3,
         "branches_met_on_schedule": 4},
        {"org_type": "hlhpn", "commune_code": "22921", "attendance_pct": 45.5},
    )
    assert df["weak_reasons_vi"].tolist() == [
        "tỷ lệ tập hợp 41% số hộ",
        "3/7 chi đoàn không sinh hoạt trên 6 tháng",
        "tỷ lệ dự sinh hoạt bình quân 45,5%",
    ]


def test_supplementary_rules_need_two():
    one = {"meeting_content": "policy admin"}
    two = {"meeting_content": "policy", "members_paid_dues": 30, "commune_code": "22918"}
    df = weak(one, two)
    assert df["weak_reasons"].tolist() == ["monotonous_content", "monotonous_content;low_dues"]
    assert df["is_weak_functional"].tolist() == [False, True]
    assert df["weak_reasons_vi"].iloc[1].endswith("30/80 hội viên đóng đủ hội phí (37,5%)")


def test_missing_input_does_not_fire():
    df = weak({"has_annual_plan": None, "members_new_12m": None})
    assert df["weak_reasons"].iloc[0] == "" and df["n_rules_evaluated"].iloc[0] == 7


def test_reported_view_and_priority_score():
    df = weak(
        {"rating_last_year": 4},
        {"rating_last_year": None, "commune_code": "22918"},
        {"rating_last_year": 4, "has_annual_plan": 0, "branches_silent_6m": 3,
         "branches_met_on_schedule": 4, "em_area": "pure", "difficulties": "terrain",
         "commune_code": "22921"},
    )
    assert df["is_weak_reported"].tolist() == [True, False, True]
    assert df["is_difficult_commune"].tolist() == [False, False, True]
    # no_annual_plan 3 + silent_branches 3 + rated 4: 3 + pure: 2 + difficult: 1
    assert df["priority_score"].tolist() == [3, 0, 3 + 3 + 3 + 2 + 1]


def _edited_config(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(CONFIG_PATH.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "weakness.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_changing_the_config_changes_the_flags(tmp_path):
    rec = {"branches_silent_6m": 3, "branches_met_on_schedule": 4}  # 3/7 = 43%
    assert weak(rec)["is_weak_functional"].iloc[0]

    def raise_threshold(data):
        next(r for r in data["rules"] if r["code"] == "silent_branches")["value"] = 0.5

    cfg = load_weakness_config(_edited_config(tmp_path, raise_threshold))
    row = weak(rec, cfg=cfg).iloc[0]
    assert not row["is_weak_functional"] and row["weak_reasons"] == ""

    def two_core(data):
        data["min_core_rules"] = 2

    (tmp_path / "two").mkdir()
    cfg2 = load_weakness_config(_edited_config(tmp_path / "two", two_core))
    assert not weak(rec, cfg=cfg2)["is_weak_functional"].iloc[0]
    assert weak(rec | {"has_annual_plan": 0}, cfg=cfg2)["is_weak_functional"].iloc[0]


def test_hnd_gathering_threshold_is_separate(tmp_path):
    rec = {"org_type": "hnd", "members_total": 60, "members_paid_dues": 50,
           "members_with_card": 60}

    def hnd_higher(data):
        next(r for r in data["rules"] if r["code"] == "low_gathering")["value"]["hnd"] = 0.7

    assert weak(rec)["weak_reasons"].iloc[0] == ""
    cfg = load_weakness_config(_edited_config(tmp_path, hnd_higher))
    assert weak(rec, cfg=cfg)["weak_reasons"].iloc[0] == "low_gathering"
    assert weak(rec | {"org_type": "hlhpn"}, cfg=cfg)["weak_reasons"].iloc[0] == ""


def test_bad_config_is_a_clear_vietnamese_error(tmp_path):
    path = _edited_config(tmp_path, lambda d: d["rules"][0].pop("column"))
    with pytest.raises(InputError, match="thiếu hoặc sai mục"):
        load_weakness_config(path)


def test_consolidation_list_order_and_content():
    plan0 = {"has_annual_plan": 0}
    df = weak(
        plan0 | {"commune_code": "1", "em_area": "none", "rating_last_year": 4},  # score 3+3
        plan0 | {"commune_code": "2", "em_area": "pure"},  # 3+2
        plan0 | {"commune_code": "3", "em_area": "mixed"},  # 3+1
        plan0 | {"commune_code": "4", "em_area": "mixed", "difficulties": "terrain"},  # 3+1+1
        {"commune_code": "5", "em_area": "pure"},  # not weak: not listed
        plan0 | {"commune_code": "6", "em_area": "mixed", "attendance_pct": 40.0},  # 3+2+1
    )
    table = consolidation_list(df)
    assert table.attrs["title"] == CONSOLIDATION_TITLE_VI
    assert table["Mã xã"].tolist() == ["2", "4", "6", "3", "1"]
    assert table["STT"].tolist() == [1, 2, 3, 4, 5]
    assert table["Điểm ưu tiên"].tolist() == [5, 5, 6, 4, 6]
    first = table.iloc[0]
    assert first["Tổ chức"] == "Hội Liên hiệp Phụ nữ"
    assert first["Vùng đồng bào DTTS"] == "Xã thuần đồng bào DTTS"
    assert first["Lý do"] == "không có kế hoạch năm bằng văn bản"
    assert first["Có kế hoạch năm bằng văn bản"] == "Không"
    last = table.iloc[-1]
    assert last["Xếp loại năm gần nhất"] == "Yếu, kém / Không hoàn thành nhiệm vụ"
    assert last["Yếu kém theo tự xếp loại"] == "Có"
    assert table.loc[2, "Tỷ lệ dự sinh hoạt bình quân (%)"] == 40.0


def test_disagreements_both_directions():
    df = weak(
        {"commune_code": "1", "rating_last_year": 1, "has_annual_plan": 0},  # well, weak
        {"commune_code": "2", "rating_last_year": 4},  # weak, no signs
        {"commune_code": "3", "rating_last_year": 3, "has_annual_plan": 0},  # agree-ish
        {"commune_code": "4", "rating_last_year": 4, "meeting_content": "policy"},  # has a sign
    )
    table = disagreements(df)
    assert table["commune_code"].tolist() == ["2", "1"]
    assert table["disagreement"].tolist() == [
        "rated_weak_no_functional_signs", "rated_well_functionally_weak"]
    assert table["rating_label_vi"].iloc[1].startswith("Vững mạnh")


def test_communes_with_two_weak_organisations():
    df = weak(
        {"commune_code": "1", "org_type": "hnd", "rating_last_year": 4},
        {"commune_code": "1", "org_type": "doan", "rating_last_year": 4},
        {"commune_code": "1", "org_type": "mttq"},
        {"commune_code": "2", "org_type": "hnd", "rating_last_year": 4},
        {"commune_code": "2", "org_type": "doan", "has_annual_plan": 0},
        {"commune_code": "2", "org_type": "hccb", "has_annual_plan": 0},
        {"commune_code": "3", "org_type": "hnd", "rating_last_year": 4, "has_annual_plan": 0},
    )
    table = weak_communes(df).set_index("commune_code")
    assert sorted(table.index) == ["1", "2"]
    assert table.loc["1", "party_unit_defect_hd27"] and not table.loc["1", "functional_ge_min"]
    assert table.loc["1", "orgs_weak_reported"] == "Hội Nông dân; Đoàn TNCS Hồ Chí Minh"
    assert (table.loc["2", "n_weak_reported"], table.loc["2", "n_weak_functional"]) == (1, 2)
    assert not table.loc["2", "party_unit_defect_hd27"] and table.loc["2", "functional_ge_min"]
    assert table.loc["1", "n_orgs_received"] == 3
