"""Findings figures and sentences the mutation run found untested.

The mutation run on ``danvan_survey/report/findings.py`` left mutants alive in the figure
computations (``_ratio``, ``_gathering``, ``_cadre``, ``_gathering_low_em``,
``_trained_by_em``) and in the sentences built from them. These tests pin that behaviour
down on small hand-written tables whose expected figures are worked out by hand: ratios of
sums (and no ratio when nothing was counted), districts with exactly ``MIN_RETURNS``
returns kept and fewer left out, the province row never taken for a district, suppressed
cadre estimates never stated, caution said only where due, and the exact wording.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest
from test_charts import make_results

from danvan_survey import charts
from danvan_survey.report import findings as fx
from danvan_survey.results import Results

NAN = float("nan")
TRAINED = "Được tập huấn 12 tháng"
SKILL = "Tự đánh giá kỹ năng xử lý tình huống"
TRUSTED = "Tình huống: nhờ người có uy tín, già làng cùng đối thoại"
NQ25 = "Mức độ biết NQ 25-NQ/TW: đã học, quán triệt"


# ------------------------------------------------------------------ builders
def _results(**tables: pd.DataFrame) -> Results:
    """The hand-written round of test_charts with some tables replaced."""
    return replace(make_results(), **tables)


def _district(rows: list[tuple[str, str, str, int, float, float]]) -> pd.DataFrame:
    """indicators_district rows: (code, name, org, n_received, gathering num, gathering den)."""
    frame = pd.DataFrame(rows, columns=["district_code", "district_name", "org_type",
                                        "n_received", "gathering_rate_num",
                                        "gathering_rate_den"])
    frame["gathering_rate"] = frame["gathering_rate_num"] / frame["gathering_rate_den"]
    frame["n_expected"] = frame["n_received"]
    frame["dvk_bulletin_compliance_num"] = 0.0
    frame["dvk_bulletin_compliance_den"] = 0.0
    return frame


def _em(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    """indicators_em_area rows: (em_area, org, gathering rate); meeting counts left empty."""
    frame = pd.DataFrame(rows, columns=["em_area", "org_type", "gathering_rate"])
    frame["n_received"] = charts.MIN_RETURNS
    frame["meeting_regularity_num"] = 0.0
    frame["meeting_regularity_den"] = 0.0
    return frame


def _estimate(domain_type: str, domain: str, variable: str, stat: str, category: str,
              estimate: float, ci: tuple[float, float], n: int, reliability: str) -> dict:
    return {"domain_type": domain_type, "domain": domain, "variable": variable, "stat": stat,
            "category": category, "estimate": estimate, "ci_low": ci[0], "ci_high": ci[1],
            "n": n, "reliability": reliability}


def _shares(labels: list[str], n_weak: list[int], n_orgs: list[int]) -> pd.DataFrame:
    return pd.DataFrame({
        "label": labels, "n_orgs": n_orgs, "n_weak": n_weak,
        "share_weak": [w / n for w, n in zip(n_weak, n_orgs, strict=True)],
        "n_rep": [1] * len(labels), "n_fun": [2] * len(labels),
    })


def _findings(**changes: object) -> fx.Findings:
    base: dict[str, object] = {
        "synthetic": True, "n_received": 45, "n_expected": 50, "n_orgs": 40, "n_rep": 6,
        "n_fun": 8, "n_both": 4, "n_weak": 10, "n_rated_well_fun_weak": 3,
        "n_rated_weak_no_signs": 1, "n_weak_communes": 2, "n_weak_communes_reported": 1,
        "weak_commune_min": 2,
        "weak_by_district": _shares(["Bắc Bình", "La Gi"], [5, 1], [10, 20]),
        "weak_by_em": pd.DataFrame(), "weak_by_org": pd.DataFrame(),
        "reasons": pd.DataFrame(), "consolidation": pd.DataFrame(),
    }
    return fx.Findings(**(base | changes))  # type: ignore[arg-type]


# ------------------------------------------------------------------ province ratios
def _activity_province() -> pd.DataFrame:
    """Two province rows: meetings 1/2 + 2/2, dues 0/0 + 0/0, cards 1/1 + 0/0."""
    frame = _district([("ALL", "Toàn tỉnh", "hnd", 5, 3.0, 10.0),
                       ("ALL", "Toàn tỉnh", "hlhpn", 5, 4.0, 10.0)])
    frame["meeting_regularity_num"] = [1.0, 2.0]
    frame["meeting_regularity_den"] = [2.0, 2.0]
    frame["dues_rate_num"] = [0.0, 0.0]
    frame["dues_rate_den"] = [0.0, 0.0]
    frame["card_rate_num"] = [1.0, 0.0]
    frame["card_rate_den"] = [1.0, 0.0]
    return frame


def test_province_rates_are_ratios_of_sums_and_nan_when_nothing_counted() -> None:
    f = fx.compute_findings(_results(indicators_district=_activity_province()))
    assert list(f.province_rates) == ["meeting_regularity", "dues_rate", "card_rate"]
    assert f.province_rates["meeting_regularity"] == (1 + 2) / (2 + 2)
    assert math.isnan(f.province_rates["dues_rate"])  # 0/0: no ratio, not an error
    assert f.province_rates["card_rate"] == 1.0  # a denominator of exactly 1 is a ratio
    assert math.isnan(f.bulletin_rate)


def test_activity_sentence_states_finite_province_rates_only() -> None:
    f = fx.compute_findings(_results(indicators_district=_activity_province()))
    assert fx.activity_sentence(f) == (
        "Toàn tỉnh, tính chung các tổ chức: tỷ lệ chi hội sinh hoạt đủ kỳ 75,0%; tỷ lệ hội "
        "viên có thẻ 100,0%.")


@pytest.mark.parametrize("rates", [{}, {"dues_rate": NAN, "card_rate": NAN}])
def test_activity_sentence_is_empty_without_a_finite_rate(rates: dict[str, float]) -> None:
    assert fx.activity_sentence(_findings(province_rates=rates)) == ""


# ------------------------------------------------------------------ gathering by district
def _gathering_district() -> pd.DataFrame:
    min_r = charts.MIN_RETURNS
    return _district([
        # the Front is not asked the gathering question
        ("595", "Huyện Tuy Phong", "mttq", min_r, NAN, NAN),
        ("ALL", "Toàn tỉnh", "mttq", min_r, NAN, NAN),
        # hnd: Tuy Phong has exactly MIN_RETURNS returns (kept), Phú Quí fewer (left out)
        ("595", "Huyện Tuy Phong", "hnd", min_r, 5.0, 10.0),
        ("593", "Thị xã La Gi", "hnd", min_r + 1, 6.0, 10.0),
        ("602", "Huyện Phú Quí", "hnd", min_r - 1, 1.0, 10.0),
        ("ALL", "Toàn tỉnh", "hnd", 3 * min_r, 12.0, 30.0),
        ("595", "Huyện Tuy Phong", "hlhpn", min_r, 9.0, 10.0),
        ("593", "Thị xã La Gi", "hlhpn", min_r + 1, 7.0, 10.0),
        ("602", "Huyện Phú Quí", "hlhpn", min_r - 1, 8.0, 10.0),
        ("ALL", "Toàn tỉnh", "hlhpn", 3 * min_r, 24.0, 30.0),
        # doan: a province rate but no district with enough returns
        ("602", "Huyện Phú Quí", "doan", min_r - 1, 3.0, 10.0),
        ("ALL", "Toàn tỉnh", "doan", min_r - 1, 3.0, 10.0),
    ])


def test_gathering_figures_use_districts_with_enough_returns_and_never_the_province() -> None:
    f = fx.compute_findings(_results(indicators_district=_gathering_district()))
    assert f.gathering == [
        fx.GatheringFigure("hnd", 12 / 30, "Tuy Phong", 5 / 10, "La Gi", 6 / 10),
        fx.GatheringFigure("hlhpn", 24 / 30, "La Gi", 7 / 10, "Tuy Phong", 9 / 10),
    ]
    assert fx.gathering_sentences(f) == [
        "Tỷ lệ tập hợp của Hội Nông dân toàn tỉnh 40,0%; thấp nhất Tuy Phong (50,0%), cao nhất "
        "La Gi (60,0%).",
        "Tỷ lệ tập hợp của Hội Liên hiệp Phụ nữ toàn tỉnh 80,0%; thấp nhất La Gi (70,0%), cao "
        "nhất Tuy Phong (90,0%).",
    ]


@pytest.mark.parametrize("province", ["missing", "nan"])
def test_no_gathering_figure_without_a_province_rate(province: str) -> None:
    min_r = charts.MIN_RETURNS
    rows = [("595", "Huyện Tuy Phong", "hccb", min_r, 4.0, 10.0),
            ("593", "Thị xã La Gi", "hccb", min_r, 5.0, 10.0)]
    if province == "nan":
        rows.append(("ALL", "Toàn tỉnh", "hccb", 2 * min_r, NAN, NAN))
    f = fx.compute_findings(_results(indicators_district=_district(rows)))
    assert f.gathering == []
    assert fx.gathering_sentences(f) == []


# ------------------------------------------------------------------ cadre estimates
def _cadre_estimates() -> pd.DataFrame:
    return pd.DataFrame([
        _estimate("province", "60", "trained_12m", "mean", "", 0.6, (0.5, 0.7), 300, "ok"),
        _estimate("province", "60", "skill_situations", "mean", "", 3.14159, (3.0, 3.3), 280,
                  "caution"),
        _estimate("province", "60", "vignette_land_protest", "prop", "listen_first", 0.35,
                  (0.25, 0.45), 21, "suppress"),
        _estimate("province", "60", "vignette_land_protest", "prop", "trusted_people", 0.2,
                  (0.1, 0.3), 300, "ok"),
        _estimate("province", "60", "nq25_awareness", "prop", "2", 0.55, (0.45, 0.65), 290,
                  "caution"),
        _estimate("em_area", "none", "trained_12m", "mean", "", 0.73, (0.6, 0.8), 200, "ok"),
        _estimate("em_area", "mixed", "trained_12m", "mean", "", 0.52, (0.4, 0.6), 40,
                  "caution"),
        _estimate("em_area", "pure", "trained_12m", "mean", "", 0.61, (0.5, 0.7), 60, "ok"),
        _estimate("em_area", "none", "skill_situations", "mean", "", 3.4, (3.2, 3.6), 200,
                  "ok"),
        _estimate("em_area", "mixed", "skill_situations", "mean", "", 3.3, (3.1, 3.5), 40,
                  "ok"),
        _estimate("em_area", "pure", "skill_situations", "mean", "", 3.2, (3.0, 3.4), 60, "ok"),
    ])


def test_cadre_figures_leave_out_suppressed_and_flag_caution() -> None:
    f = fx.compute_findings(_results(estimates=_cadre_estimates()))
    assert f.cadre == [
        fx.CadreFigure(TRAINED, 0.6, 0.5, 0.7, 300, False, True),
        fx.CadreFigure(SKILL, 3.14159, 3.0, 3.3, 280, True, False),
        fx.CadreFigure(TRUSTED, 0.2, 0.1, 0.3, 300, False, True),
        fx.CadreFigure(NQ25, 0.55, 0.45, 0.65, 290, True, True),
    ]
    text = " ".join(fx.cadre_sentences(f))
    assert "lắng nghe" not in text and "35,0%" not in text  # the suppressed estimate


def test_cadre_sentences_format_shares_as_percent_and_means_with_two_decimals() -> None:
    f = _findings(cadre=[
        fx.CadreFigure(TRAINED, 0.6, 0.5, 0.7, 300, False, True),
        fx.CadreFigure(SKILL, 3.14159, 3.0, 3.3, 1280, True, False),
    ])
    assert fx.cadre_sentences(f) == [
        f"Cán bộ — {TRAINED}: 60,0% (khoảng tin cậy 95%: 50,0%–70,0%, 300 cán bộ trả lời).",
        f"Cán bộ — {SKILL} (điểm trung bình, thang 1–5): 3,14 (khoảng tin cậy 95%: "
        "3,00–3,30, 1.280 cán bộ trả lời; cần thận trọng khi sử dụng).",
    ]


def test_trained_by_em_takes_the_trained_item_in_area_order() -> None:
    f = fx.compute_findings(_results(estimates=_cadre_estimates()))
    assert f.trained_by_em == {"pure": 0.61, "mixed": 0.52, "none": 0.73}
    assert list(f.trained_by_em) == ["pure", "mixed", "none"]
    assert f.trained_caution_em == ("mixed",)  # 40 cadres: a "caution" estimate, said so
    assert fx.trained_em_sentence(f) == (
        "Tỷ lệ cán bộ được tập huấn 12 tháng (ước lượng): xã thuần đồng bào DTTS 61,0%; xã có "
        "thôn DTTS xen ghép 52,0% (cần thận trọng khi sử dụng); ngoài danh sách vùng DTTS "
        "73,0%.")


def test_trained_by_em_never_states_a_suppressed_area() -> None:
    est = _cadre_estimates()
    mixed = (est["domain"] == "mixed") & (est["variable"] == "trained_12m")
    est.loc[mixed, ["estimate", "reliability"]] = [0.99, "suppress"]
    f = fx.compute_findings(_results(estimates=est))
    assert f.trained_by_em == {"pure": 0.61, "none": 0.73}
    sentence = fx.trained_em_sentence(f)
    assert "99,0%" not in sentence and "xen ghép" not in sentence


def test_trained_em_sentence_is_empty_without_estimates() -> None:
    assert fx.trained_em_sentence(_findings(trained_by_em={})) == ""


# ------------------------------------------------------------------ EM areas
def _gathering_em(low: tuple[str, str]) -> pd.DataFrame:
    rates = {("pure", "hnd"): 0.5, ("mixed", "hnd"): 0.6, ("none", "hnd"): 0.7,
             ("pure", "hlhpn"): 0.55, ("mixed", "hlhpn"): 0.65, ("none", "hlhpn"): 0.75}
    rates[low] = 0.2
    rows = [(area, org, rate) for (area, org), rate in rates.items()]
    rows += [("pure", "mttq", NAN), ("ALL", "hnd", 0.1), ("ALL", "mttq", NAN)]
    return _em(rows)


@pytest.mark.parametrize("low", [("pure", "hlhpn"), ("mixed", "hnd"), ("none", "hlhpn")])
def test_lowest_gathering_is_taken_among_the_three_areas_only(low: tuple[str, str]) -> None:
    f = fx.compute_findings(_results(indicators_em_area=_gathering_em(low)))
    assert f.gathering_low_em == (low[0], low[1], 0.2)


@pytest.mark.parametrize(("returns", "named"), [(charts.MIN_RETURNS, True),
                                                 (charts.MIN_RETURNS - 1, False)])
def test_a_cell_hidden_in_the_heat_map_is_never_named_as_lowest(returns: int,
                                                                named: bool) -> None:
    em = _gathering_em(("mixed", "hlhpn"))
    em.loc[(em["em_area"] == "mixed") & (em["org_type"] == "hlhpn"), "n_received"] = returns
    f = fx.compute_findings(_results(indicators_em_area=em))
    # else the next lowest shown cell: pure × hnd (50 %)
    assert f.gathering_low_em == (("mixed", "hlhpn", 0.2) if named else ("pure", "hnd", 0.5))
    assert ("20,0%" in fx.gathering_em_sentence(f)) is named


def test_gathering_em_sentence_names_organisation_and_area() -> None:
    f = fx.compute_findings(_results(indicators_em_area=_gathering_em(("mixed", "hlhpn"))))
    assert fx.gathering_em_sentence(f) == (
        "Thấp nhất: Hội Liên hiệp Phụ nữ ở xã có thôn DTTS xen ghép (20,0%).")


def test_no_lowest_gathering_when_the_area_table_has_no_gathering_rate() -> None:
    em = _em([("pure", "hnd", 0.5), ("none", "hnd", 0.3)]).drop(columns="gathering_rate")
    f = fx.compute_findings(_results(indicators_em_area=em))
    assert f.gathering_low_em is None
    assert fx.gathering_em_sentence(f) == ""


def test_meeting_sentence_by_area_from_ratios_of_sums() -> None:
    em = _em([("pure", "hnd", 0.5), ("pure", "hlhpn", 0.5), ("none", "hnd", 0.5),
              ("ALL", "hnd", 0.5)])
    em["meeting_regularity_num"] = [1.0, 2.0, 1.0, 4.0]
    em["meeting_regularity_den"] = [2.0, 2.0, 4.0, 8.0]
    f = fx.compute_findings(_results(indicators_em_area=em))
    assert f.meeting_by_em == {"pure": (1 + 2) / (2 + 2), "none": 1 / 4}
    assert fx.meeting_sentence(f) == (
        "Tỷ lệ chi hội sinh hoạt đủ kỳ — xã thuần đồng bào DTTS: 75,0%; ngoài danh sách vùng "
        "DTTS: 25,0%.")


def test_meeting_sentence_is_empty_without_areas() -> None:
    assert fx.meeting_sentence(_findings(meeting_by_em={})) == ""


# ------------------------------------------------------------------ other sentences
def test_coverage_sentence_when_nothing_was_expected() -> None:
    assert fx.coverage_sentence(_findings(n_received=0, n_expected=0)) == (
        "Đã nhận và qua kiểm tra 0/0 phiếu tổ chức dự kiến (–); phiếu bị cách ly hoặc chưa "
        "gửi không được tính.")


def test_district_share_sentence_names_the_top_three_only() -> None:
    table = _shares(["Bắc Bình", "Tuy Phong", "Đức Linh", "La Gi"], [5, 4, 3, 2],
                    [10, 10, 10, 10])
    assert fx.district_share_sentence(_findings(weak_by_district=table)) == (
        "Tỷ lệ tổ chức yếu kém trên số tổ chức được khảo sát cao nhất ở: Bắc Bình 50,0% "
        "(5/10); Tuy Phong 40,0% (4/10); Đức Linh 30,0% (3/10).")


def test_strengths_name_the_last_district_as_lowest_share() -> None:
    table = _shares(["Bắc Bình", "Tuy Phong", "La Gi"], [5, 3, 1], [10, 10, 20])
    out = fx.strengths(_findings(weak_by_district=table, dvk_recognised=0))
    assert out[1] == "Tỷ lệ tổ chức yếu kém thấp nhất ở La Gi: 5,0% (1/20)."
