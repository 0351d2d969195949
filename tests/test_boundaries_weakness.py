"""Weakness rules at exactly their thresholds (config/weakness.yaml), and the counts around them.

Every rule is checked at its threshold and just either side of it, for the default value and
every organisation-specific value; the expected outcome follows from the operator written in
the config, so moving a boundary by one step (``<`` for ``<=``) fails here.
"""

from __future__ import annotations

import pandas as pd
import pytest
from test_weakness import weak

from danvan_survey.weakness import (
    disagreements,
    load_weakness_config,
    rule_result,
    weak_communes,
)

CFG = load_weakness_config()
EPS = 1e-9
FIRES_AT = {  # op -> fires (below, at, above) the threshold
    "<": (True, False, False),
    "<=": (True, True, False),
    "==": (False, True, False),
    ">=": (False, True, True),
    ">": (False, False, True),
}
CASES = [
    (rule, org)
    for rule in CFG.rules
    for org in sorted(set(rule.value) | {"hlhpn"})
]


@pytest.mark.parametrize(("rule", "org"), CASES, ids=[f"{r.code}-{o}" for r, o in CASES])
def test_each_rule_at_its_threshold(rule, org) -> None:
    t = rule.threshold(org)
    values = [t - 0.5 if rule.op == "==" else t - EPS, t, t + 0.5 if rule.op == "==" else t + EPS]
    frame = pd.DataFrame({"org_type": [org] * 4, rule.column: [*values, None]})
    fired, evaluated = rule_result(frame, rule)
    assert fired.tolist() == [*FIRES_AT[rule.op], False]
    assert evaluated.tolist() == [True, True, True, False]


def test_threshold_per_organisation_overrides_default() -> None:
    rule = next(r for r in CFG.rules if r.code == "low_gathering")
    custom = type(rule)(**{**rule.__dict__, "value": {"default": 0.5, "hnd": 0.7}})
    frame = pd.DataFrame({"org_type": ["hnd", "hlhpn", "hnd", "hlhpn"],
                          "gathering_rate": [0.6, 0.6, 0.75, 0.45]})
    fired, _ = rule_result(frame, custom)
    assert fired.tolist() == [True, False, False, True]


@pytest.mark.parametrize(
    ("record", "reasons"),
    [
        # silent branches: 3/10 = 30% is exactly the threshold (>= fires); 2/10 does not
        ({"n_branches": 10, "branches_met_on_schedule": 7, "branches_silent_6m": 3},
         "silent_branches"),
        ({"n_branches": 10, "branches_met_on_schedule": 8, "branches_silent_6m": 2}, ""),
        # vacant key posts: 3 of 10 executive members = 30% fires
        ({"n_exec_members": 10, "n_exec_vacant": 3}, "key_posts_vacant"),
        ({"n_exec_members": 10, "n_exec_vacant": 2}, ""),
        # attendance: exactly 50% is not below 50%
        ({"attendance_pct": 50.0}, ""),
        ({"attendance_pct": 49.9}, "low_attendance"),
        # new members: 0 fires, 1 does not
        ({"members_new_12m": 0}, "no_new_members"),
        ({"members_new_12m": 1}, ""),
    ],
)
def test_core_rules_through_the_indicators(record, reasons) -> None:
    row = weak(record).iloc[0]
    assert row["weak_reasons"] == reasons
    assert bool(row["is_weak_functional"]) == bool(reasons)  # one core rule suffices


def test_supplementary_rules_at_their_thresholds() -> None:
    # gathering 50/100 and dues 40/80 sit exactly at 50%: neither fires ...
    at = {"members_total": 50, "eligible_pop": 100, "members_paid_dues": 25,
          "members_with_card": 50}
    # ... one member less and both fire (two supplementary rules: weak)
    below = {"members_total": 49, "eligible_pop": 100, "members_paid_dues": 24,
             "members_with_card": 49, "commune_code": "22918"}
    df = weak(at, below)
    assert df["weak_reasons"].tolist() == ["", "low_gathering;low_dues"]
    assert df["n_supplementary_fired"].tolist() == [0, 2]
    assert df["is_weak_functional"].tolist() == [False, True]
    assert df["priority_score"].tolist() == [0, 2]


def test_trained_share_at_thirty_percent() -> None:
    # denominators: 9 executive members + 1 branch = 10 cadres; 3 trained = 30% (not below)
    base = {"n_exec_members": 9, "n_branches": 1, "branches_met_on_schedule": 1}
    df = weak(base | {"cadres_trained_12m": 3},
              base | {"cadres_trained_12m": 2, "meeting_content": "policy",
                      "commune_code": "22918"})
    assert df["weak_reasons"].tolist() == ["", "monotonous_content;few_trained"]
    assert df["weak_reasons_vi"].iloc[1].endswith("2/10 cán bộ được tập huấn trong 12 tháng (20%)")


def test_one_supplementary_rule_is_not_weak_but_counts_in_priority() -> None:
    row = weak({"attendance_pct": 80.0, "meeting_content": "policy"}).iloc[0]
    assert row["n_supplementary_fired"] == 1 and row["n_core_fired"] == 0
    assert not row["is_weak_functional"]
    assert row["priority_score"] == 1


def test_disagreement_lists_rating_two_and_one_but_not_three() -> None:
    plan0 = {"has_annual_plan": 0}
    df = weak(
        plan0 | {"rating_last_year": 1, "commune_code": "1"},
        plan0 | {"rating_last_year": 2, "commune_code": "2"},
        plan0 | {"rating_last_year": 3, "commune_code": "3"},
        {"rating_last_year": 2, "commune_code": "4"},  # rated well, no sign: agreement
        {"rating_last_year": 4, "commune_code": "5"},  # rated weak, no sign
        plan0 | {"rating_last_year": 4, "commune_code": "6"},  # both weak: agreement
    )
    out = disagreements(df)
    assert out["commune_code"].tolist() == ["5", "1", "2"]
    assert out["disagreement"].tolist() == ["rated_weak_no_functional_signs"] + [
        "rated_well_functionally_weak"] * 2
    assert out["rating_label_vi"].iloc[2] == "Khá / Hoàn thành tốt nhiệm vụ"
    assert out["disagreement_vi"].iloc[0] == "Tự xếp loại yếu kém nhưng không có dấu hiệu yếu kém"
    assert out["weak_reasons"].tolist() == ["", "no_annual_plan", "no_annual_plan"]


def test_weak_commune_needs_exactly_two_weak_organisations() -> None:
    df = weak(
        {"rating_last_year": 4, "commune_code": "1", "org_type": "hlhpn"},
        {"rating_last_year": 4, "commune_code": "1", "org_type": "hnd"},
        {"rating_last_year": 4, "commune_code": "2", "org_type": "hlhpn"},
        {"has_annual_plan": 0, "commune_code": "2", "org_type": "hnd"},
        {"has_annual_plan": 0, "commune_code": "3", "org_type": "hnd"},
        {"has_annual_plan": 0, "commune_code": "3", "org_type": "doan"},
    )
    table = weak_communes(df).set_index("commune_code")
    assert sorted(table.index) == ["1", "3"]  # commune 2: one weak in each view, not two
    assert table.loc["1", "party_unit_defect_hd27"] and not table.loc["1", "functional_ge_min"]
    assert table.loc["3", "functional_ge_min"] and not table.loc["3", "party_unit_defect_hd27"]
    assert table.loc["1", "n_weak_reported"] == 2 and table.loc["3", "n_weak_functional"] == 2
    assert table.loc["3", "orgs_weak_reported"] == ""
    assert table.loc["1", "orgs_weak_reported"] == "Hội Nông dân; Hội Liên hiệp Phụ nữ"
