"""Weakness config checks, difficult communes, list order and reason sentences."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from test_weakness import weak

from danvan_survey.errors import InputError
from danvan_survey.weakness import (
    CONFIG_PATH,
    consolidation_list,
    load_weakness_config,
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
