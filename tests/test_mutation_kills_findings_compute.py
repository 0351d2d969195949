"""compute_findings, figure by figure: each checked against the tables by a route of its own.

The mutation run of report.findings found that no test read most figures of
:class:`Findings` back (a count turned into None, a "both" count turned into "either", an
EM area key misspelt), nor ran it on a round with no records or without optional columns.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from test_charts import make_results

from danvan_survey.report import findings as fx
from danvan_survey.results import Results


def _round() -> Results:
    """The hand-made round, with two communes holding two organisations rated weak (4)."""
    res = make_results()
    io = res.indicators_org.copy()
    communes = io["commune_code"].drop_duplicates().tolist()[:2]
    for code in communes:
        rows = io.index[io["commune_code"] == code][:2]
        io.loc[rows, "rating_last_year"] = 4
        io.loc[rows, "is_weak_reported"] = True
    cadres = pd.DataFrame({"commune_code": communes + communes[:1], "cadre_name": list("abc")})
    return replace(res, indicators_org=io, cadres=cadres)


@pytest.fixture(scope="module")
def res() -> Results:
    return _round()


@pytest.fixture
def f(res: Results) -> fx.Findings:
    # computed for each test (not once per module): mutmut links a function only to the
    # test during which it ran, so a shared result would link it to the first test alone
    return fx.compute_findings(res)


def _ratio(frame: pd.DataFrame, ind: str) -> float:
    return float(frame[f"{ind}_num"].sum() / frame[f"{ind}_den"].sum())


def test_counts_of_records_and_places(res: Results, f: fx.Findings) -> None:
    io = res.indicators_org
    prov = res.indicators_district[res.indicators_district["district_code"] == "ALL"]
    assert f.synthetic is True
    assert (f.n_received, f.n_expected) == (len(io), int(prov["n_expected"].sum()))
    assert f.n_orgs == len(io) == 50
    assert f.n_districts == len(set(io["district_code"])) == 3
    assert f.n_communes == len(set(io["commune_code"])) == 10
    assert f.n_cadres == 3


def test_weak_counts_in_each_view(res: Results, f: fx.Findings) -> None:
    io = res.indicators_org
    rep, fun = io["is_weak_reported"].astype(bool), io["is_weak_functional"].astype(bool)
    assert f.n_rep == int(rep.sum())
    assert f.n_fun == int(fun.sum())
    assert f.n_both == int((rep & fun).sum())
    assert f.n_weak == int((rep | fun).sum())
    assert f.n_both < f.n_rep < f.n_weak  # the three counts differ here, so none stands in
    rating = io["rating_last_year"].astype("float64")
    well_weak = rating.isin([1, 2]) & fun
    weak_clean = (rating == 4) & (io["weak_reasons"] == "")
    assert f.n_rated_well_fun_weak == int(well_weak.sum()) > 0
    assert f.n_rated_weak_no_signs == int(weak_clean.sum()) > 0
    assert f.n_rated_well_fun_weak != f.n_rated_weak_no_signs


def test_weak_communes_in_either_view_and_as_reported(res: Results, f: fx.Findings) -> None:
    io = res.indicators_org
    flags = io.assign(rep=io["is_weak_reported"].astype(bool),
                      weak=io["is_weak_reported"].astype(bool)
                      | io["is_weak_functional"].astype(bool))
    by_commune = flags.groupby("commune_code")[["weak", "rep"]].sum()
    assert f.weak_commune_min == 2
    assert f.n_weak_communes == int((by_commune["weak"] >= 2).sum())
    assert f.n_weak_communes_reported == int((by_commune["rep"] >= 2).sum()) == 2


def test_share_tables_are_by_district_em_area_and_organisation(f: fx.Findings) -> None:
    assert len(f.weak_by_district) == 3
    assert set(f.weak_by_em["key"]) == {"pure", "mixed", "none"}
    assert set(f.weak_by_org["key"]) == {"mttq", "hnd", "hlhpn", "doan", "hccb"}
    assert set(f.reasons["reason"]) == {"silent_branches", "reported_weak"}
    assert len(f.consolidation) == f.n_weak


def test_meeting_regularity_by_em_area(res: Results, f: fx.Findings) -> None:
    io = res.indicators_org
    assert list(f.meeting_by_em) == ["pure", "mixed", "none"]
    for area, value in f.meeting_by_em.items():
        assert value == pytest.approx(_ratio(io[io["em_area"] == area], "meeting_regularity"))


def test_province_rates_bulletin_and_dvk_counts(res: Results, f: fx.Findings) -> None:
    io, org = res.indicators_org, res.organisations
    assert list(f.province_rates) == list(fx.ACTIVITY_INDICATORS)
    for ind, value in f.province_rates.items():
        assert value == pytest.approx(_ratio(io, ind)), ind
    assert f.bulletin_rate == pytest.approx(_ratio(io, "dvk_bulletin_compliance"))
    assert f.dvk_registered == int(org["dvk_registered_12m"].sum()) > 0
    assert f.dvk_recognised == int(org["dvk_recognised_12m"].sum()) > 0
    assert f.dvk_registered != f.dvk_recognised


def test_a_province_table_without_an_indicator_leaves_it_out(res: Results) -> None:
    district = res.indicators_district.drop(columns=["dues_rate_num", "dues_rate_den"])
    f = fx.compute_findings(replace(res, indicators_district=district))
    assert list(f.province_rates) == [i for i in fx.ACTIVITY_INDICATORS if i != "dues_rate"]


def test_a_round_without_the_bulletin_indicator_has_no_bulletin_rate(res: Results) -> None:
    """A results folder of a round without the bulletin question: no rate, no sentence."""
    for dropped in (["dvk_bulletin_compliance_num", "dvk_bulletin_compliance_den"],
                    ["dvk_bulletin_compliance_num"], ["dvk_bulletin_compliance_den"]):
        district = res.indicators_district.drop(columns=dropped)
        f = fx.compute_findings(replace(res, indicators_district=district))
        assert np.isnan(f.bulletin_rate), dropped
        assert f.province_rates == fx.compute_findings(res).province_rates
        assert fx.bulletin_sentence(f) == ""
        assert not any("Bản tin" in line for line in fx.summary(f))


def test_dvk_counts_need_both_columns(res: Results) -> None:
    org = res.organisations
    without = fx.compute_findings(replace(res, organisations=org.drop(
        columns=["dvk_recognised_12m"])))
    assert (without.dvk_registered, without.dvk_recognised) == (0, 0)
    # exactly the two columns (no other) is enough
    only = org[["dvk_registered_12m", "dvk_recognised_12m"]]
    f = fx.compute_findings(replace(res, organisations=only))
    assert (f.dvk_registered, f.dvk_recognised) == (int(only["dvk_registered_12m"].sum()),
                                                    int(only["dvk_recognised_12m"].sum()))


def test_a_round_with_no_record_states_zeros_and_empty_tables(res: Results) -> None:
    empty = replace(
        res,
        indicators_org=res.indicators_org.iloc[:0],
        indicators_district=res.indicators_district.iloc[:0],
        indicators_em_area=res.indicators_em_area.iloc[:0],
        organisations=res.organisations.iloc[:0].drop(
            columns=["dvk_registered_12m", "dvk_recognised_12m"]),
        cadres=pd.DataFrame(),
    )
    f = fx.compute_findings(empty)
    counts = (f.n_received, f.n_expected, f.n_orgs, f.n_rep, f.n_fun, f.n_both, f.n_weak,
              f.n_rated_well_fun_weak, f.n_rated_weak_no_signs, f.n_weak_communes,
              f.n_weak_communes_reported, f.dvk_registered, f.dvk_recognised, f.n_districts,
              f.n_communes, f.n_cadres)
    assert counts == (0,) * 16
    for table in (f.weak_by_district, f.weak_by_em, f.weak_by_org, f.reasons,
                  f.consolidation):
        assert isinstance(table, pd.DataFrame) and table.empty
    assert np.isnan(f.bulletin_rate)
    assert f.meeting_by_em == {} and f.province_rates == {} and f.gathering == []
    assert f.gathering_low_em is None


def test_every_area_marked_caution_is_said_so(res: Results) -> None:
    est = res.estimates.copy()
    trained_em = (est["domain_type"] == "em_area") & (est["variable"] == "trained_12m")
    est.loc[trained_em, "reliability"] = "caution"
    f = fx.compute_findings(replace(res, estimates=est))
    assert f.trained_caution_em == ("pure", "mixed", "none")
    assert fx.trained_em_sentence(f).count("(cần thận trọng khi sử dụng)") == 3
    est.loc[trained_em, "reliability"] = "ok"
    assert fx.compute_findings(replace(res, estimates=est)).trained_caution_em == ()


def test_a_yes_no_item_estimated_both_ways_is_read_from_its_proportion(res: Results) -> None:
    """A round with trained_12m as a mean and as prop "1": every figure reads the prop rows."""
    est = res.estimates
    mean = est[est["variable"] == "trained_12m"]
    prop = mean.assign(stat="prop", category="1", estimate=mean["estimate"] - 0.25,
                       ci_low=mean["ci_low"] - 0.25, ci_high=mean["ci_high"] - 0.25)
    expected_em = {r.domain: r.estimate for r in prop.itertuples()
                   if r.domain_type == "em_area" and r.reliability != "suppress"}
    for both in (pd.concat([est, prop], ignore_index=True),
                 pd.concat([prop, est], ignore_index=True)):
        f = fx.compute_findings(replace(res, estimates=both))
        trained = f.cadre[0]
        province = prop[prop["domain_type"] == "province"].iloc[0]
        assert trained.estimate == pytest.approx(province["estimate"])
        assert f.trained_by_em == pytest.approx(expected_em)
