"""Charts on small hand-written frames with exactly the contract columns of the analysis."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from danvan_survey import __version__, charts
from danvan_survey.charts.style import fmt_num, fmt_pct, fmt_score, short_district
from danvan_survey.codebook import load_codebook
from danvan_survey.reference import communes
from danvan_survey.results import Results, load_results

RATIOS = (
    "gathering_rate", "meeting_regularity", "silent_branch_share", "dues_rate", "card_rate",
    "trained_share", "vacancy_share", "dvk_bulletin_compliance",
)
ORGS = ("mttq", "hnd", "hlhpn", "doan", "hccb")
# three real districts (Tuy Phong, Bắc Bình, Phú Quí), first communes of each
DISTRICTS = {"595": 4, "596": 4, "602": 2}


# ------------------------------------------------------------------ fixture builder
def _org_rows(round_id: str) -> pd.DataFrame:
    frame = communes("60")
    picked = pd.concat([frame[frame["district_code"] == d].head(k) for d, k in DISTRICTS.items()])
    rows = []
    for i, c in enumerate(picked.itertuples()):
        for j, org in enumerate(ORGS):
            k = i * 5 + j
            rows.append({
                "round_id": round_id, "commune_code": c.commune_code,
                "commune_name": c.commune_name, "district_code": c.district_code,
                "district_name": c.district_name, "org_type": org, "em_area": c.em_area,
                "em_source": c.em_source, "rating_last_year": [1, 2, 2, 3, 4, 9][k % 6],
                "k": k,
            })
    out = pd.DataFrame(rows)
    out["rating_last_year"] = out["rating_last_year"].astype("Int64")
    return out


def make_frames(round_id: str = "test-2014") -> dict[str, pd.DataFrame]:
    """Deterministic small tables with the contract columns (values from simple arithmetic)."""
    org = _org_rows(round_id)
    k = org.pop("k")
    for n, ind in enumerate(RATIOS):
        den = (20 + (k * 7 + n * 3) % 40).astype(float)
        num = np.floor(den * (0.3 + ((k + n) % 7) / 10))
        if ind == "gathering_rate":
            den = den.where(org["org_type"] != "mttq")  # not asked for the Front
        org[f"{ind}_num"], org[f"{ind}_den"] = num.where(den.notna()), den
        org[ind] = org[f"{ind}_num"] / org[f"{ind}_den"]
    org["content_diversity"] = (k % 5).astype("Int64")
    org["is_weak_reported"] = org["rating_last_year"] == 4
    org["is_weak_functional"] = (org["meeting_regularity"] < 0.45).astype(bool)
    org["weak_reasons"] = np.where(org["is_weak_functional"], "silent_branches", "")
    org["weak_reasons_vi"] = [
        f"{int(n)}/{int(d)} chi hội sinh hoạt đủ kỳ" if w else ""
        for n, d, w in zip(org["meeting_regularity_num"], org["meeting_regularity_den"],
                           org["is_weak_functional"], strict=True)
    ]
    org["is_weak_reported"] = org["is_weak_reported"].fillna(False).astype(bool)
    org["is_difficult_commune"] = False
    org["n_rules_evaluated"] = 5
    org["priority_score"] = (org["is_weak_reported"].astype(float) * 2
                             + org["is_weak_functional"].astype(float)
                             + (org["em_area"] != "none") * 0.5 + k / 1000)
    dist = _aggregate(org, ["district_code", "district_name"])
    province = _aggregate(org.assign(district_code="ALL", district_name="Toàn tỉnh"),
                          ["district_code", "district_name"])
    district = pd.concat([dist, province], ignore_index=True)
    em = _aggregate(org, ["em_area"])
    organisations = org[["round_id", "commune_code", "org_type", "district_code",
                         "district_name", "commune_name", "em_area"]].assign(
        dvk_registered_12m=(k % 4).astype("Int64"),
        dvk_recognised_12m=(k % 4 // 2).astype("Int64"),
        dvk_top_level=(k % 4 // 2 + (k % 3 == 0)).clip(upper=4).astype("Int64"),
        dvk_model_names=np.where(k % 4 >= 2, "Mô hình “Dân vận khéo” số " + k.astype(str), ""),
        bulletin_issues_12m=org["dvk_bulletin_compliance_den"].astype("Int64"),
        bulletin_dvk_features_12m=org["dvk_bulletin_compliance_num"].astype("Int64"),
    )
    return {"indicators_org": org, "indicators_district": district,
            "indicators_em_area": em, "estimates": make_estimates(org),
            "organisations": organisations}


def _aggregate(org: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    g = org.groupby([*keys, "org_type"], sort=True)
    out = g.size().rename("n_received").reset_index()
    for ind in RATIOS:
        sums = g[[f"{ind}_num", f"{ind}_den"]].sum(min_count=1).reset_index(drop=True)
        out[f"{ind}_num"], out[f"{ind}_den"] = sums[f"{ind}_num"], sums[f"{ind}_den"]
        out[ind] = out[f"{ind}_num"] / out[f"{ind}_den"]
    out["n_expected"] = out["n_received"] + (out.index % 3 == 0)
    out["coverage"] = out["n_received"] / out["n_expected"]
    out["n_weak_reported"] = g["is_weak_reported"].sum().to_numpy()
    out["n_weak_functional"] = g["is_weak_functional"].sum().to_numpy()
    return out


def make_estimates(org: pd.DataFrame) -> pd.DataFrame:
    """Cadre estimates table (contract columns): one row per domain × item."""
    domains = [("province", "60", 300)]
    domains += [("district", d, n) for d, n in zip(DISTRICTS, (120, 140, 20), strict=True)]
    domains += [("em_area", e, n) for e, n in (("pure", 40), ("mixed", 30), ("none", 230))]
    items = [("trained_12m", "mean", "", 0.6), ("skill_situations", "mean", "", 3.1),
             ("vignette_land_protest", "prop", "listen_first", 0.35),
             ("vignette_land_protest", "prop", "trusted_people", 0.2),
             ("nq25_awareness", "prop", "2", 0.55)]
    rows = []
    for t, (dtype, dom, n) in enumerate(domains):
        for v, stat, cat, base in items:
            est = base * (1 + 0.05 * (t - 3))
            se = base * 0.05 * (1 + (n < 50))
            rel = "suppress" if n < 25 else ("caution" if n < 50 else "ok")
            rows.append({"domain_type": dtype, "domain": dom, "variable": v, "stat": stat,
                         "category": cat, "estimate": est, "se": se, "ci_low": est - 2 * se,
                         "ci_high": est + 2 * se, "df": 8.0, "deff": 1.3, "n": n,
                         "cv": se / est, "reliability": rel})
    return pd.DataFrame(rows)


def make_results(round_id: str = "test-2014", synthetic: bool = True) -> Results:
    """A :class:`Results` built directly from the hand-written frames."""
    return Results(round_id=round_id, title="Đợt thử", synthetic=synthetic,
                   data_date=date(2014, 9, 30), province_code="60", **make_frames(round_id))


def write_results_folder(root: Path, round_id: str = "test-2014") -> Path:
    """Write round.yaml and the parquet tables the way the pipeline lays them out."""
    raw = root / "data" / "raw" / round_id
    raw.mkdir(parents=True, exist_ok=True)
    (raw / "round.yaml").write_text(yaml.safe_dump({
        "round_id": round_id, "title": "Đợt thử nghiệm", "province_code": "60",
        "admin_vintage": "2014", "reference_year": 2014, "synthetic": True,
        "period": {"start": "2014-08-01", "end": "2014-09-30"}, "sources": [],
    }, allow_unicode=True), encoding="utf-8")
    clean = root / "data" / "clean" / round_id
    clean.mkdir(parents=True, exist_ok=True)
    for name, frame in make_frames(round_id).items():
        frame.to_parquet(clean / f"{name}.parquet", index=False)
    return root


# ------------------------------------------------------------------ tests
@pytest.fixture(scope="module")
def res() -> Results:
    return make_results()


def _footer(fig: go.Figure) -> str:
    return fig.layout.annotations[-1].text


ALL_CHARTS = [
    lambda r: charts.indicator_heatmap(r, "gathering_rate"),
    lambda r: charts.indicator_heatmap(r, "gathering_rate", by="em_area"),
    lambda r: charts.indicator_heatmap(r, "coverage"),
    charts.rating_distribution,
    charts.weak_organisations,
    lambda r: charts.weak_organisations(r, by="em_area"),
    charts.em_comparison,
    charts.cadre_capacity,
    lambda r: charts.cadre_capacity(r, by="em_area"),
    charts.consolidation_table,
    charts.commune_map,
    charts.dvk_funnel,
    charts.bulletin_compliance,
]


@pytest.mark.parametrize("build", ALL_CHARTS)
def test_every_chart_has_house_style_and_footer(res: Results, build) -> None:
    fig = build(res)
    assert isinstance(fig, go.Figure)
    assert fig.layout.separators == ",."
    footer = _footer(fig)
    assert "Dữ liệu mô phỏng" in footer
    assert "test-2014" in footer and __version__ in footer and "30/09/2014" in footer
    assert "Noto Sans" in fig.layout.template.layout.font.family


def test_footer_without_synthetic_flag_and_date_override(monkeypatch) -> None:
    monkeypatch.setenv("DANVAN_REPORT_DATE", "2015-01-02")
    fig = charts.weak_organisations(make_results(synthetic=False))
    assert "mô phỏng" not in _footer(fig)
    assert "02/01/2015" in _footer(fig)


def test_heatmap_values_counts_and_labels(res: Results) -> None:
    fig = charts.indicator_heatmap(res, "gathering_rate")
    main = fig.data[0]
    d = res.indicators_district.set_index(["district_code", "org_type"])
    # row 0 = first district (595, Tuy Phong), column of hnd
    col = 0  # columns follow the codebook order of org_type; the Front (no members) dropped
    expected = d.loc[("595", "hnd"), "gathering_rate_num"] / d.loc[("595", "hnd"),
                                                                    "gathering_rate_den"]
    assert main.z[0][col] == pytest.approx(expected)
    assert main.y[0] == "Tuy Phong" and main.y[-1] == "Toàn tỉnh"
    assert main.x[0] == "Hội Nông dân"  # codebook label, wrapped only when long
    assert "tử số" in main.hovertext[0][col]
    # the Front has no gathering denominator by design: no column, a note says why
    assert len(main.x) == 4 and not any("MTTQ" in x for x in main.x)
    overlay_text = [t for tr in fig.data[1:] for row in tr.text for t in row]
    assert "không có số liệu" not in overlay_text
    assert "Không có cột Ủy ban MTTQ" in _footer(fig)
    # an indicator every organisation has keeps all five columns
    assert len(charts.indicator_heatmap(res, "dues_rate").data[0].x) == 5


def test_heatmap_suppresses_small_cells_not_zero(res: Results) -> None:
    # Phú Quí has 2 communes in the fixture: 2 returns per organisation < MIN_RETURNS (3)
    fig = charts.indicator_heatmap(res, "dues_rate")
    row = list(fig.data[0].y).index("Phú Quí")
    assert all(np.isnan(v) for v in fig.data[0].z[row])
    sup = fig.data[1]
    assert list(sup.text[row]) == ["ẩn (n<3)"] * 5
    fig2 = charts.indicator_heatmap(res, "dues_rate", min_returns=1)
    assert not any(np.isnan(v) for v in fig2.data[0].z[row])


def test_rating_distribution_shares_sum_to_one(res: Results) -> None:
    fig = charts.rating_distribution(res)
    by_axis: dict[str, np.ndarray] = {}
    for tr in fig.data:
        by_axis[tr.xaxis] = by_axis.get(tr.xaxis, 0) + np.asarray(tr.x, dtype=float)
    for total in by_axis.values():
        assert np.allclose(total, 1.0)
    assert len(by_axis) == 5
    assert fig.data[0].name.startswith("Vững mạnh")  # codebook label of rating 1


def test_weak_shares_match_hand_count(res: Results) -> None:
    fig = charts.weak_organisations(res)
    io = res.indicators_org
    weak = io["is_weak_reported"] | io["is_weak_functional"]
    share = weak.groupby(io["district_code"]).mean()
    names = {"595": "Tuy Phong", "596": "Bắc Bình", "602": "Phú Quí"}
    expected = share.rename(index=names).sort_values(ascending=False)
    either = fig.data[0]
    assert list(either.y) == list(expected.index)  # sorted by share, highest first
    assert list(either.x) == pytest.approx(list(expected))
    n = weak.groupby(io["district_code"]).agg(["sum", "size"]).rename(index=names)
    first = expected.index[0]
    assert f"({int(n.loc[first, 'sum'])}/{int(n.loc[first, 'size'])})" in either.text[0]
    rep = fig.data[1]
    hand = io["is_weak_reported"].groupby(io["district_code"]).mean().rename(index=names)
    assert list(rep.x) == pytest.approx([hand[k] for k in expected.index])


def test_cadre_capacity_suppressed_never_drawn_as_value(res: Results) -> None:
    fig = charts.cadre_capacity(res)
    texts = [tr for tr in fig.data if tr.mode == "text"]
    assert texts and all(t == "ẩn (n<25)" for tr in texts for t in tr.text)
    assert all(y.startswith("Phú Quí (n=") for tr in texts for y in tr.y)
    markers = [tr for tr in fig.data if tr.mode == "markers"]
    assert not any(y.startswith("Phú Quí") for tr in markers for y in tr.y)
    caution = [tr for tr in markers if tr.marker.symbol == "circle-open"]
    assert not caution  # no district in 25..49 in the fixture
    em = charts.cadre_capacity(res, by="em_area")
    assert any(tr.marker.symbol == "circle-open" for tr in em.data if tr.mode == "markers")


def test_em_comparison_ratio_of_sums(res: Results) -> None:
    fig = charts.em_comparison(res)
    em = res.indicators_em_area
    none = em[em["em_area"] == "none"]
    expected = none["dues_rate_num"].sum() / none["dues_rate_den"].sum()
    trace = next(tr for tr in fig.data if tr.name == "Ngoài danh sách vùng DTTS")
    idx = list(charts.KEY_ORG_INDICATORS).index("dues_rate")
    assert trace.x[idx] == pytest.approx(expected)
    assert "suy luận" in _footer(fig)


def test_consolidation_list_sorted_with_reasons(res: Results) -> None:
    table = charts.consolidation_list(res)
    io = res.indicators_org
    assert len(table) == int((io["is_weak_reported"] | io["is_weak_functional"]).sum())
    assert table["Điểm ưu tiên"].is_monotonic_decreasing
    fig = charts.consolidation_table(res, top=5)
    assert len(fig.data[0].cells.values[0]) == 5


def test_commune_map_offline_coordinates(res: Results) -> None:
    coords = charts.commune_coordinates("60")
    assert len(coords) == 127 and coords["lat"].notna().all()
    assert coords["lat"].between(10.3, 11.7).all() and coords["lon"].between(107.3, 109.1).all()
    fig = charts.commune_map(res)
    # a plain scatter on lon/lat axes with a fixed aspect: no tiles, outlines or glyphs
    assert all(tr.type == "scatter" for tr in fig.data)
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis.scaleratio > 1
    points = sum(len(tr.y) for tr in fig.data if tr.mode == "markers")
    assert points == res.indicators_org["commune_code"].nunique()
    labels = next(tr for tr in fig.data if tr.mode == "text")
    assert "Phú Quí" in list(labels.text) and len(labels.text) == 10


def test_cadre_capacity_explains_few_psus_once(res: Results) -> None:
    est = res.estimates.assign(df=np.where(res.estimates["domain_type"] == "district", 3.0,
                                           res.estimates["df"]),
                               reliability=np.where(res.estimates["n"] < 25, "suppress",
                                                    "caution"))
    zero = (est["domain_type"] == "district") & (est["domain"] == "596")
    est.loc[zero, "ci_low"] = est.loc[zero, "ci_high"] = est.loc[zero, "estimate"]
    fig = charts.cadre_capacity(replace(res, estimates=est))
    markers = [tr for tr in fig.data if tr.mode == "markers"]
    # caution because of df alone is explained in the note, not drawn on every district
    assert not any(tr.marker.symbol == "circle-open" for tr in markers)
    note = _footer(fig).replace("<br>", " ")
    assert "bậc tự do dưới 8" in note and "Bắc Bình: mọi xã đều được chọn" in note
    assert all("(n=" in y for tr in markers for y in tr.y)


def test_cadre_panels_have_no_edge_ticks(res: Results) -> None:
    """Neighbouring panels never print "100%0%": no tick at either end of a panel."""
    fig = charts.cadre_capacity(res, by="em_area")
    axes = [fig.layout[k] for k in fig.layout if str(k).startswith("xaxis")]
    assert len(axes) == len(charts.CAPACITY_ITEMS)
    for axis in axes:
        low, high = axis.range
        assert axis.tickvals and all(low < v < high for v in axis.tickvals)


def test_consolidation_scores_print_whole_numbers(res: Results) -> None:
    assert [fmt_score(v) for v in (12.0, 12.5, 7.25, float("nan"))] == [
        "12", "12,5", "7,25", "–"]
    whole = res.indicators_org.assign(priority_score=res.indicators_org[
        "priority_score"].round())
    fig = charts.consolidation_table(replace(res, indicators_org=whole), top=5)
    assert all("," not in v for v in fig.data[0].cells.values[-1])


def test_vi_table_whole_vietnamese_and_row_units(res: Results) -> None:
    from danvan_survey.report.xlsx import estimates_table

    table = estimates_table(res)
    page = charts.vi_table(table).to_html()
    assert page.count("<tr") == len(table) + 1  # every row, no truncation
    share = table.index[table["Loại"] == "Tỷ lệ"][0]
    mean = table.index[table["Loại"] == "Trung bình"][0]
    est = res.estimates
    assert fmt_pct(est.loc[share, "estimate"]) in page  # share rows as "41,2%"
    assert fmt_num(est.loc[mean, "estimate"], 2) in page  # means with a decimal comma
    assert "ẩn" in page and "suppress" not in page


def test_round_heading_flags_synthetic_once(res: Results) -> None:
    assert charts.round_heading(res) == "Đợt test-2014: Đợt thử — DỮ LIỆU MÔ PHỎNG"
    titled = replace(res, title="Đợt 2014 (DỮ LIỆU MÔ PHỎNG)")
    assert charts.round_heading(titled).count("MÔ PHỎNG") == 1
    assert "MÔ PHỎNG" not in charts.round_heading(make_results(synthetic=False))


def test_dvk_funnel_totals(res: Results) -> None:
    fig = charts.dvk_funnel(res)
    org = res.organisations
    assert list(fig.data[0].x) == [org["dvk_registered_12m"].sum(),
                                   org["dvk_recognised_12m"].sum()]
    assert sum(fig.data[1].y) == len(org)
    assert list(fig.data[1].x) == [c.label_vi for c in load_codebook().choices["dvk_level"]]


def test_bulletin_compliance_province_bar(res: Results) -> None:
    fig = charts.bulletin_compliance(res)
    d = res.indicators_district
    prov = d[d["district_code"] == "ALL"]
    expected = prov["dvk_bulletin_compliance_num"].sum() / prov["dvk_bulletin_compliance_den"].sum()
    assert fig.data[0].x[-1] == pytest.approx(expected)
    assert fig.data[0].text[-1] == fmt_pct(expected)


def test_missing_tables_give_no_data_figure(res: Results) -> None:
    empty = Results(round_id="x", title="x", synthetic=True, data_date=date(2014, 1, 1),
                    province_code="60", indicators_org=res.indicators_org,
                    indicators_district=res.indicators_district,
                    indicators_em_area=res.indicators_em_area)
    fig = charts.cadre_capacity(empty)
    assert "Chưa có ước lượng" in fig.layout.annotations[0].text
    assert "Không có số liệu" in charts.dvk_funnel(empty).layout.annotations[0].text


def test_load_results_round_trip(tmp_path: Path) -> None:
    write_results_folder(tmp_path)
    loaded = load_results("test-2014", tmp_path)
    assert loaded.synthetic and loaded.data_date == date(2014, 9, 30)
    pd.testing.assert_frame_equal(loaded.indicators_org, make_frames()["indicators_org"])


def test_load_results_missing_analysis_is_clear(tmp_path: Path) -> None:
    from danvan_survey.errors import InputError

    write_results_folder(tmp_path)
    (tmp_path / "data/clean/test-2014/indicators_org.parquet").unlink()
    with pytest.raises(InputError, match="danvan-survey run --round test-2014"):
        load_results("test-2014", tmp_path)


@pytest.mark.parametrize(("value", "text"), [(1234567.891, "1.234.568"), (0.6, "1"),
                                              (float("nan"), "–")])
def test_fmt_num_examples(value: float, text: str) -> None:
    assert fmt_num(value) == text


def test_fmt_pct_examples() -> None:
    assert fmt_pct(0.4123) == "41,2%"
    assert fmt_pct(12.5) == "1.250,0%"


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_fmt_num_round_trips(value: float) -> None:
    text = fmt_num(value, 2)
    assert float(text.replace(".", "").replace(",", ".")) == pytest.approx(value, abs=0.006)


def test_short_district() -> None:
    assert short_district("Huyện Tuy Phong") == "Tuy Phong"
    assert short_district("Thị xã La Gi") == "La Gi"
    assert short_district("Thành phố Phan Thiết") == "Phan Thiết"


def test_sentences_show_as_an_escaped_bulleted_list() -> None:
    # notebooks showed findings as a Python list's repr: ['Đã nhận …', '37 tổ chức …']
    shown = charts.bullets(["Tỷ lệ 46,8%", "<script>alert(1)</script> & Ho\u0302\u0323i"])
    html_text = shown._repr_html_()
    assert html_text.count("<li>") == 2 and "<script>" not in html_text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Hội" in html_text  # escaped, NFC
    assert repr(shown) == "• Tỷ lệ 46,8%\n• <script>alert(1)</script> & Hội"
    assert charts.bullets([])._repr_html_() == '<ul style="line-height: 1.5"></ul>'


# ------------------------------------------------------------------ notebook display
def _visible(line: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "", line)


@pytest.mark.parametrize("build", [b for b in ALL_CHARTS if b is not charts.consolidation_table])
def test_notebook_display_fits_the_output_area(res: Results, build) -> None:
    """In a notebook a chart has no fixed width, and its footer fits 95 characters a line."""
    from danvan_survey.charts.style import (
        FOOTER_NAME,
        NOTEBOOK_FOOTER_CHARS,
        NOTEBOOK_TITLE_CHARS,
        TITLE_LINE_PX,
        _footer_geometry,
        fit_to_output,
    )

    fig = build(res)
    exported = fig.to_dict()
    shown = fit_to_output(exported)
    assert "width" in exported["layout"]  # the export keeps its width…
    assert "width" not in shown["layout"] and shown["layout"]["autosize"] is True
    (footer,) = [a for a in shown["layout"]["annotations"] if a.get("name") == FOOTER_NAME]
    (before,) = [a for a in exported["layout"]["annotations"] if a.get("name") == FOOTER_NAME]
    lines = footer["text"].split("<br>")
    assert max(len(_visible(line)) for line in lines) <= NOTEBOOK_FOOTER_CHARS
    assert any(line.startswith("Nguồn:") for line in lines)  # the source starts a line
    def words(text: str) -> list[str]:
        return _visible(text.replace("<br>", " ")).split()

    assert words(footer["text"]) == words(before["text"])  # same words, same order
    for line in lines:
        assert line.count("<b>") == line.count("</b>")  # bold never split across lines
    grown = len(lines) - before["text"].count("<br>") - 1
    margin, shift = _footer_geometry(len(lines))
    assert shown["layout"]["margin"]["b"] == margin and footer["yshift"] == -shift
    title = shown["layout"]["title"]["text"]
    assert max(len(_visible(t)) for t in title.split("<br>")) <= NOTEBOOK_TITLE_CHARS
    assert words(title) == words(exported["layout"]["title"]["text"])
    title_px = TITLE_LINE_PX * (title.count("<br>")
                                - exported["layout"]["title"]["text"].count("<br>"))
    assert shown["layout"]["margin"]["t"] - exported["layout"]["margin"]["t"] == title_px
    assert shown["layout"]["height"] - exported["layout"]["height"] == (
        margin - _footer_geometry(len(lines) - grown)[0] + title_px)  # same plot area
    assert pio.to_json(fit_to_output(shown), validate=False) == pio.to_json(
        shown, validate=False)  # fitting twice changes nothing


def test_notebook_display_keeps_a_tables_width(res: Results) -> None:
    from danvan_survey.charts.style import fit_to_output

    exported = charts.consolidation_table(res).to_dict()
    assert pio.to_json(fit_to_output(exported), validate=False) == pio.to_json(
        exported, validate=False)  # squeezed, its wrapped cells would be cut


def test_footer_rewrap_joins_the_note_and_keeps_the_source_line() -> None:
    from danvan_survey.charts.style import rewrap_footer, wrap_markup

    note = "một hai ba<br>bốn năm"
    text = rewrap_footer(f"{note}<br>Nguồn: đợt x · <b>Dữ liệu mô phỏng</b> · 1/1", 12)
    assert text.split("<br>") == ["một hai ba", "bốn năm", "Nguồn: đợt x", "·",
                                  "<b>Dữ liệu mô phỏng</b>", "· 1/1"]
    assert rewrap_footer("Nguồn: a b", 95) == "Nguồn: a b"  # no note
    assert wrap_markup("aaaa bbbb", 9) == "aaaa bbbb"  # exactly the width: one line
    assert wrap_markup("aaaa bbbbb", 9) == "aaaa<br>bbbbb"
    assert wrap_markup("<b>aaaa</b> bbbb", 9) == "<b>aaaa</b> bbbb"  # tags do not count


def test_setup_notebook_fits_charts_in_both_outputs() -> None:
    from danvan_survey.charts.style import setup_notebook

    before = pio.renderers.default
    try:
        setup_notebook()
        fig = go.Figure(go.Bar(x=[1]), layout={"width": 1100, "height": 400})
        bundle = pio.renderers._build_mime_bundle(fig.to_dict())
        assert "width" not in bundle["application/vnd.plotly.v1+json"]["layout"]
        assert '"responsive": true' in bundle["text/html"]
        assert "1100" not in bundle["text/html"]
    finally:
        pio.renderers.default = before
