"""Weakness config checks, difficult communes, list order and reason sentences."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from test_weakness import records, weak

from danvan_survey.errors import InputError
from danvan_survey.indicators import compute_indicators
from danvan_survey.weakness import (
    CONFIG_PATH,
    _choice_list,
    apply_weakness,
    consolidation_list,
    disagreements,
    load_weakness_config,
    rule_result,
    weak_communes,
)


def _write(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(CONFIG_PATH.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "w.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d["rules"][0].update(tier="optional"),
        lambda d: d["rules"][0].update(op="!="),
        lambda d: d["rules"][0].update(format="ratio"),
        lambda d: d["rules"][0].update(value={"hnd": 1}),  # no default
        lambda d: d["rules"][1].update(sentence_vi={"hnd": "x"}),
        lambda d: d.pop("min_core_rules"),
        lambda d: d["priority"].pop("em_area"),
        lambda d: d.pop("em_area_order"),
        lambda d: d.update(min_supplementary_rules="hai"),
    ],
)
def test_each_bad_config_is_refused(tmp_path: Path, edit) -> None:
    path = _write(tmp_path, edit)
    with pytest.raises(InputError) as err:
        load_weakness_config(path)
    text = str(err.value)
    assert text.startswith(f"Tệp cấu hình tiêu chí yếu kém {path.resolve()} thiếu hoặc sai mục: ")
    assert text.endswith(
        "Sửa theo mẫu danvan_survey/config/weakness.yaml (mỗi quy tắc cần code, tier, "
        "column, op, value, weight, sentence_vi, rationale).")
    assert err.value.file == str(path.resolve())


def test_empty_config_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="weakness.yaml"):
        load_weakness_config(path)


def test_loaded_values(tmp_path: Path) -> None:
    cfg = load_weakness_config()
    assert (cfg.min_core_rules, cfg.min_supplementary_rules, cfg.weak_commune_min_orgs) == (
        1, 2, 2)
    assert cfg.priority_reported == 3 and cfg.priority_difficult == 1
    assert dict(cfg.priority_em_area) == {"pure": 2, "mixed": 1, "none": 0}
    assert cfg.em_area_order == ("pure", "mixed", "none")
    assert cfg.difficult_communes == () and cfg.difficult_from_difficulties == ("terrain",)
    assert cfg.branch_noun["doan"] == "chi đoàn" and cfg.branch_noun["default"] == "chi hội"
    rule = next(r for r in cfg.rules if r.code == "low_gathering")
    assert (rule.tier, rule.column, rule.op, rule.weight, rule.format) == (
        "supplementary", "gathering_rate", "<", 1.0, "percent")
    assert rule.threshold("hnd") == 0.5 and rule.sentence("hnd") == "tỷ lệ tập hợp {x} số hộ"
    assert rule.rationale.startswith("Fewer than half of those eligible gathered")
    listed = load_weakness_config(_write(tmp_path, lambda d: d.update(
        difficult_communes=["22918"], difficult_from_difficulties=None)))
    assert listed.difficult_communes == ("22918",) and listed.difficult_from_difficulties == ()


def test_difficult_commune_from_the_config_list(tmp_path: Path) -> None:
    cfg = load_weakness_config(_write(tmp_path, lambda d: d.update(
        difficult_communes=["22918"], difficult_from_difficulties=[])))
    df = weak({"commune_code": "22918"}, {"commune_code": "22921", "difficulties": "terrain"},
              cfg=cfg)
    assert df["is_difficult_commune"].tolist() == [True, False]
    assert df["priority_score"].tolist() == [1, 0]


def test_difficulty_codes_match_whole_words() -> None:
    df = weak({"difficulties": "funding terrain"}, {"difficulties": "terrains",
                                                    "commune_code": "22918"})
    assert df["is_difficult_commune"].tolist() == [True, False]


def test_difficult_commune_comes_first_within_its_area() -> None:
    plan0 = {"has_annual_plan": 0, "em_area": "mixed"}
    df = weak(plan0 | {"commune_code": "1", "attendance_pct": 40.0},  # 3+2+1 = 6, not difficult
              plan0 | {"commune_code": "2", "difficulties": "terrain"})  # 3+1+1 = 5, difficult
    table = consolidation_list(df)
    assert table["Mã xã"].tolist() == ["2", "1"]
    assert table["Xã khó khăn"].tolist() == ["Có", "Không"]


def test_reason_sentences_without_numbers_and_for_missing_values() -> None:
    row = weak({"has_annual_plan": 0, "members_new_12m": 0}).iloc[0]
    assert row["weak_reasons_vi"] == ("không có kế hoạch năm bằng văn bản; không kết nạp hội "
                                      "viên mới trong 12 tháng")
    assert row["n_core_fired"] == 2 and row["priority_score"] == 5
    vacant = weak({"n_exec_members": 9, "n_exec_vacant": 3}).iloc[0]
    assert vacant["weak_reasons_vi"] == "khuyết 3 vị trí chủ chốt/9 ủy viên BCH"
    mttq = weak({"org_type": "mttq", "branches_silent_6m": 3,
                 "branches_met_on_schedule": 4}).iloc[0]
    assert mttq["weak_reasons_vi"] == "3/7 Ban CTMT không sinh hoạt trên 6 tháng"


def test_weak_communes_order_and_labels() -> None:
    df = weak(
        {"rating_last_year": 4, "commune_code": "1", "org_type": "hnd", "em_area": "none"},
        {"rating_last_year": 4, "commune_code": "1", "org_type": "doan", "em_area": "none"},
        {"has_annual_plan": 0, "commune_code": "2", "org_type": "hnd", "em_area": "pure"},
        {"has_annual_plan": 0, "commune_code": "2", "org_type": "hccb", "em_area": "pure"},
        {"rating_last_year": 4, "has_annual_plan": 0, "commune_code": "3", "org_type": "hnd",
         "em_area": "none"},
        {"rating_last_year": 4, "has_annual_plan": 0, "commune_code": "3", "org_type": "mttq",
         "em_area": "none"},
    )
    table = weak_communes(df)
    # EM order first (pure), then more reported-weak first, then more functional first
    assert table["commune_code"].tolist() == ["2", "3", "1"]
    assert table["orgs_weak_functional"].tolist() == [
        "Hội Nông dân; Hội Cựu chiến binh", "Ủy ban MTTQ; Hội Nông dân", ""]
    assert table["n_orgs_received"].tolist() == [2, 2, 2]
    assert table.columns[-1] == "orgs_weak_functional"


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        (lambda d: d["rules"][0].update(tier="optional"),
         ": quy tắc 'no_annual_plan': tier/op/format không hợp lệ. "),
        (lambda d: d["rules"][2].update(op="=>"),
         ": quy tắc 'key_posts_vacant': tier/op/format không hợp lệ. "),
        (lambda d: d["rules"][0].update(value={"hnd": 1}), ": thiếu khóa 'default'. "),
    ],
)
def test_refusal_says_which_rule_and_why(tmp_path: Path, edit, fragment: str) -> None:
    with pytest.raises(InputError) as err:
        load_weakness_config(_write(tmp_path, edit))
    assert fragment in str(err.value)


def test_unknown_area_and_organisation_sort_last() -> None:
    plan0 = {"has_annual_plan": 0}
    df = weak(plan0 | {"commune_code": "1", "em_area": "unknown"},
              plan0 | {"commune_code": "2", "em_area": "none"},
              plan0 | {"commune_code": "3", "em_area": "none", "org_type": "other"},
              plan0 | {"commune_code": "3", "em_area": "none", "org_type": "mttq"})
    table = consolidation_list(df)
    assert table["Mã xã"].tolist() == ["2", "3", "3", "1"]
    assert table["Tổ chức"].tolist()[1] == "Ủy ban MTTQ"
    assert table["Điểm ưu tiên"].tolist() == [3, 3, 3, 3]


# ---------------------------------------------------------------- reason sentences: numbers
def test_percent_of_a_pct_column_is_shown_with_one_decimal() -> None:
    row = weak({"attendance_pct": 40.25}).iloc[0]
    assert row["weak_reasons_vi"] == "tỷ lệ dự sinh hoạt bình quân 40,2%"


def test_count_format_shows_whole_numbers(tmp_path: Path) -> None:
    def edit(d: dict) -> None:
        rule = next(r for r in d["rules"] if r["code"] == "low_attendance")
        rule.update(format="count", sentence_vi="dự sinh hoạt {x}")

    cfg = load_weakness_config(_write(tmp_path, edit))
    assert weak({"attendance_pct": 40.7}, cfg=cfg)["weak_reasons_vi"].iloc[0] == (
        "dự sinh hoạt 41")


def test_missing_numerator_and_denominator_show_a_question_mark() -> None:
    ind = compute_indicators(records({"n_exec_members": 9, "n_exec_vacant": 3}))
    out = apply_weakness(ind.drop(columns=["vacancy_share_num", "vacancy_share_den"]))
    assert out["weak_reasons_vi"].iloc[0] == "khuyết ? vị trí chủ chốt/? ủy viên BCH"


# ---------------------------------------------------------------- difficult communes
def test_difficult_communes_from_the_list_and_from_difficulties_together(
    tmp_path: Path,
) -> None:
    cfg = load_weakness_config(_write(tmp_path, lambda d: d.update(
        difficult_communes=["22918"])))
    df = weak({"commune_code": "22918"}, {"commune_code": "22921", "difficulties": "terrain"},
              {"commune_code": "22924"}, cfg=cfg)
    assert df["is_difficult_commune"].tolist() == [True, True, False]


def test_difficulty_codes_are_matched_literally(tmp_path: Path) -> None:
    cfg = load_weakness_config(_write(tmp_path, lambda d: d.update(
        difficult_from_difficulties=["a.c"])))
    df = weak({"difficulties": "abc"}, {"commune_code": "22918", "difficulties": "a.c"},
              cfg=cfg)
    assert df["is_difficult_commune"].tolist() == [False, True]


def test_frame_without_difficulties_has_no_difficult_commune() -> None:
    ind = compute_indicators(records({}))
    out = apply_weakness(ind.drop(columns=["difficulties"]))
    assert out["is_difficult_commune"].tolist() == [False]


# ---------------------------------------------------------------- apply_weakness columns
def test_counts_are_integers_and_reasons_text_even_without_records() -> None:
    full = weak({"has_annual_plan": 0})
    empty = apply_weakness(full.iloc[0:0])
    for out in (full, empty):
        for col in ("n_core_fired", "n_supplementary_fired", "n_rules_evaluated"):
            assert out[col].dtype == "int64", col
        assert out["weak_reasons"].dtype == "str" and out["weak_reasons_vi"].dtype == "str"
        assert out["priority_score"].dtype == "float64"


def test_records_keep_their_reasons_under_any_index() -> None:
    df = compute_indicators(records({}, {"commune_code": "22918", "has_annual_plan": 0}))
    out = apply_weakness(df.set_axis([10, 20]))
    assert out.loc[20, "weak_reasons"] == "no_annual_plan"
    assert out.loc[20, "weak_reasons_vi"] == "không có kế hoạch năm bằng văn bản"
    assert out.loc[10, "weak_reasons"] == ""


def test_unreadable_rating_is_not_reported_weak() -> None:
    df = compute_indicators(records({}, {"commune_code": "22918"}))
    df["rating_last_year"] = pd.Series(["4", "bốn"], index=df.index, dtype="str")
    assert apply_weakness(df)["is_weak_reported"].tolist() == [True, False]


# ---------------------------------------------------------------- consolidation list
def test_consolidation_list_headers_and_shown_values() -> None:
    df = weak({"has_annual_plan": 0, "attendance_pct": 40.25, "n_exec_vacant": 3,
               "meeting_content": "policy thematic training"},
              {"commune_code": "2", "has_annual_plan": None, "members_new_12m": 0})
    table = consolidation_list(df)
    assert table.columns.tolist() == [
        "STT", "Huyện/thị xã/thành phố", "Mã xã", "Xã/phường/thị trấn", "Vùng đồng bào DTTS",
        "Xã khó khăn", "Tổ chức", "Xếp loại năm gần nhất", "Yếu kém theo tự xếp loại",
        "Yếu kém theo dấu hiệu hoạt động", "Mã lý do", "Lý do", "Điểm ưu tiên",
        "Có kế hoạch năm bằng văn bản",
        "Tỷ lệ chi hội không sinh hoạt từ 6 tháng trở lên (%)",
        "Tỷ lệ vị trí chủ chốt đang khuyết so với số ủy viên BCH (%)",
        "Kết nạp mới 12 tháng", "Tỷ lệ dự sinh hoạt bình quân (%)",
        "Số loại nội dung sinh hoạt ngoài phổ biến chủ trương và hành chính",
        "Tỷ lệ tập hợp (hội viên/đối tượng; Hội Nông dân: hội viên/hộ) (%)",
        "Tỷ lệ hội viên đóng đủ hội phí (%)",
        "Tỷ lệ cán bộ (BCH và chi hội trưởng) được tập huấn 12 tháng (%)",
        "(MTTQ) % hộ có người tham gia đoàn thể",
    ]
    first, second = table.iloc[0], table.iloc[1]
    assert first["Mã lý do"] == "no_annual_plan;key_posts_vacant;low_attendance"
    assert first["Yếu kém theo dấu hiệu hoạt động"] == "Có"
    # a share (0-1) is shown x100 with one decimal; a *_pct column and a count as they are
    assert first["Tỷ lệ vị trí chủ chốt đang khuyết so với số ủy viên BCH (%)"] == 33.3
    assert first["Tỷ lệ dự sinh hoạt bình quân (%)"] == 40.2
    assert first["Số loại nội dung sinh hoạt ngoài phổ biến chủ trương và hành chính"] == 2
    assert first["Kết nạp mới 12 tháng"] == 5
    # a missing answer to a choice question is an empty cell, not "nan"
    assert second["Có kế hoạch năm bằng văn bản"] == ""
    assert first["Có kế hoạch năm bằng văn bản"] == "Không"


def test_priority_is_shown_with_two_decimals(tmp_path: Path) -> None:
    def edit(d: dict) -> None:
        next(r for r in d["rules"] if r["code"] == "no_annual_plan").update(weight=0.125)

    cfg = load_weakness_config(_write(tmp_path, edit))
    df = weak({"has_annual_plan": 0}, cfg=cfg)
    assert df["priority_score"].iloc[0] == 0.125
    assert consolidation_list(df, cfg)["Điểm ưu tiên"].tolist() == [0.12]


def test_only_select_one_columns_are_shown_as_choice_labels() -> None:
    assert _choice_list("has_annual_plan") == "yes_no"
    assert _choice_list("difficulties") is None  # select_multiple
    assert _choice_list("members_new_12m") is None
    assert _choice_list("gathering_rate") is None  # an indicator, not a form-A question


# ---------------------------------------------------------------- unreadable inputs
def test_unreadable_rule_input_is_missing_not_an_error() -> None:
    df = compute_indicators(records({}, {"commune_code": "22918"}))
    df["has_annual_plan"] = pd.Series(["0", "không"], index=df.index, dtype="str")
    out = apply_weakness(df)
    assert out["weak_reasons"].tolist() == ["no_annual_plan", ""]
    assert out["n_rules_evaluated"].tolist() == [9, 8]


def test_record_without_organisation_type_gets_the_default_threshold(tmp_path: Path) -> None:
    def edit(d: dict) -> None:
        rule = next(r for r in d["rules"] if r["code"] == "low_attendance")
        rule["value"] = {"default": 50, "hnd": 90}

    cfg = load_weakness_config(_write(tmp_path, edit))
    df = compute_indicators(records({"attendance_pct": 60.0, "org_type": "hnd"},
                                    {"attendance_pct": 60.0, "commune_code": "22918"}))
    df["org_type"] = pd.Series(["hnd", None], index=df.index, dtype="str")
    assert apply_weakness(df, cfg)["weak_reasons"].tolist() == ["low_attendance", ""]


def test_rule_result_keeps_the_frame_index() -> None:
    df = compute_indicators(records({"has_annual_plan": 0}, {"has_annual_plan": None,
                                                             "commune_code": "22918"}))
    df = df.set_axis([7, 9])
    rule = next(r for r in load_weakness_config().rules if r.code == "no_annual_plan")
    fired, evaluated = rule_result(df, rule)
    assert fired.to_dict() == {7: True, 9: False}
    assert evaluated.to_dict() == {7: True, 9: False}


# ---------------------------------------------------------------- rating labels
def test_missing_or_unreadable_rating_has_an_empty_label() -> None:
    df = weak({"has_annual_plan": 0, "rating_last_year": None},
              {"has_annual_plan": 0, "commune_code": "22918"})
    df["rating_last_year"] = pd.Series([None, "bốn"], index=df.index, dtype="str")
    assert consolidation_list(df)["Xếp loại năm gần nhất"].tolist() == ["", ""]


# ---------------------------------------------------------------- disagreements
def test_disagreement_table_columns_labels_and_types() -> None:
    df = weak({"rating_last_year": 1, "has_annual_plan": 0, "org_type": "doan"},
              {"rating_last_year": 4, "commune_code": "22918", "org_type": "mttq"})
    df["rating_last_year"] = df["rating_last_year"].astype("str")  # text ratings still read
    out = disagreements(df.set_axis([5, 6]))
    assert out.columns.tolist() == [
        "round_id", "disagreement", "disagreement_vi", "district_code", "district_name",
        "commune_code", "commune_name", "em_area", "org_type", "org_label_vi",
        "rating_last_year", "rating_label_vi", "is_weak_functional", "n_rules_evaluated",
        "weak_reasons", "weak_reasons_vi", "priority_score"]
    assert out.index.tolist() == [0, 1]
    assert out["org_label_vi"].tolist() == ["Ủy ban MTTQ", "Đoàn TNCS Hồ Chí Minh"]
    assert out["disagreement"].dtype == "str"


# ---------------------------------------------------------------- weak communes
def _two_weak(commune: str, district: str, *, reported: int, functional: int) -> list[dict]:
    """Organisations of one commune ("none" area): `reported` rated 4, `functional` weak."""
    orgs = ["hnd", "doan", "hlhpn", "hccb", "mttq"]
    rows = [{"rating_last_year": 4, "org_type": orgs[i]} for i in range(reported)]
    rows += [{"has_annual_plan": 0, "org_type": orgs[reported + i]} for i in range(functional)]
    return [r | {"commune_code": commune, "district_code": district, "em_area": "none"}
            for r in rows]


def test_weak_communes_order_within_an_area() -> None:
    df = weak(
        *_two_weak("9", "600", reported=2, functional=0),
        *_two_weak("8", "600", reported=2, functional=0),
        *_two_weak("7", "599", reported=2, functional=0),
        *_two_weak("5", "601", reported=2, functional=2),
        *_two_weak("6", "601", reported=3, functional=0),
    )
    table = weak_communes(df)
    # more reported-weak first, then more functionally weak, then district, then commune
    assert table["commune_code"].tolist() == ["6", "5", "7", "8", "9"]
    assert table.index.tolist() == [0, 1, 2, 3, 4]
    assert "index" not in table.columns
    for col in ("n_orgs_received", "n_weak_reported", "n_weak_functional"):
        assert table[col].dtype == "int64", col


def test_weak_commune_lists_an_unknown_organisation_by_its_code() -> None:
    df = weak({"rating_last_year": 4, "commune_code": "1", "org_type": "hnd"},
              {"rating_last_year": 4, "commune_code": "1", "org_type": "ctd"})
    assert weak_communes(df)["orgs_weak_reported"].tolist() == ["Hội Nông dân; ctd"]


def test_unreadable_rating_is_no_disagreement() -> None:
    df = weak({"rating_last_year": 4}, {"commune_code": "22918"})
    df["rating_last_year"] = pd.Series(["4", "bốn"], index=df.index, dtype="str")
    assert disagreements(df)["commune_code"].tolist() == ["22915"]


def test_weak_communes_without_any_flagged_commune_keep_text_columns() -> None:
    table = weak_communes(weak({"rating_last_year": 4}))
    assert table.empty
    assert table["orgs_weak_reported"].dtype == "str"
    assert table["orgs_weak_functional"].dtype == "str"


def test_share_format_is_a_percentage_with_one_decimal() -> None:
    # gathering_rate is a 0-1 share ("percent" format): 41/99 = 41.41...% shows as 41,4%
    text = weak({"members_total": 41, "eligible_pop": 99})["weak_reasons_vi"].iloc[0]
    assert "tỷ lệ tập hợp 41,4%" in text and "41,41" not in text


def test_rule_on_a_column_the_round_lacks_is_not_evaluated_on_any_record() -> None:
    ind = compute_indicators(records({}, {"commune_code": "22918"}))
    ind.index = pd.Index([5, 7])
    rule = next(r for r in load_weakness_config().rules if r.code == "low_gathering")
    fired, evaluated = rule_result(ind.drop(columns=[rule.column]), rule)
    assert fired.index.tolist() == [5, 7] and evaluated.index.tolist() == [5, 7]
    assert not fired.any() and not evaluated.any()
