"""Suppressed cadre estimates never reach the findings text; caution is said where due."""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_charts import make_results

from danvan_survey import report
from danvan_survey.charts import CAPACITY_ITEMS
from danvan_survey.report import findings as fx


@pytest.fixture  # per test: mutmut links compute_findings only to the test it ran in
def findings() -> fx.Findings:
    res = make_results()
    est = res.estimates.copy()
    prov = est["domain_type"] == "province"
    skill = prov & (est["variable"] == "skill_situations")
    listen = prov & (est["category"] == "listen_first")
    mixed = (est["domain"] == "mixed") & (est["variable"] == "trained_12m")
    est.loc[skill, ["estimate", "n", "reliability"]] = [3.777, 24, "suppress"]
    est.loc[listen, "reliability"] = "caution"
    est.loc[mixed, ["estimate", "reliability"]] = [0.987, "suppress"]
    return fx.compute_findings(replace(res, estimates=est))


def test_suppressed_province_estimate_is_left_out(findings: fx.Findings) -> None:
    labels = [c.label for c in findings.cadre]
    skill_label = CAPACITY_ITEMS[1].label(200).replace("<br>", " ")
    assert skill_label not in labels and len(labels) == len(CAPACITY_ITEMS) - 1
    text = " ".join(report.summary(findings)) + " ".join(fx.cadre_sentences(findings))
    assert skill_label not in text and "3,78" not in text


def test_caution_is_said_only_for_the_caution_estimate(findings: fx.Findings) -> None:
    sentences = fx.cadre_sentences(findings)
    flagged = [s for s in sentences if "cần thận trọng" in s]
    assert len(flagged) == 1
    assert [c.caution for c in findings.cadre] == [False, True, False, False]
    assert "29,8%" in flagged[0]  # the listen-first share, 0.2975


def test_suppressed_em_area_share_is_left_out(findings: fx.Findings) -> None:
    assert findings.trained_by_em == {"pure": 0.63, "none": 0.69}
    sentence = fx.trained_em_sentence(findings)
    # pure: 40 cadres answered, a "caution" estimate; none: 230, published without a flag
    assert findings.trained_caution_em == ("pure",)
    assert sentence == ("Tỷ lệ cán bộ được tập huấn 12 tháng (ước lượng): xã thuần đồng bào DTTS "
                        "63,0% (cần thận trọng khi sử dụng); ngoài danh sách vùng DTTS 69,0%.")
