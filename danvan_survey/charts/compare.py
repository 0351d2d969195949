"""Charts of a comparison of two rounds, in the house style of :mod:`.style`.

- :func:`change_by_district`: one indicator per former district, then → now (dumbbells),
  one panel per organisation;
- :func:`transition_bars`: weak organisations consolidated / still weak / newly weak, by
  former district;
- :func:`em_gap`: an indicator by EM area, then and now (the gap between areas).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from danvan_survey.charts.style import (
    OKABE_ITO,
    em_label,
    finish,
    fmt_pct,
    indicator_label,
    legend_on_top,
    org_label,
    register_template,
    short_district,
    wrap_lines,
)
from danvan_survey.compare import TRANSITION_VI, Comparison
from danvan_survey.config import RoundConfig
from danvan_survey.results import Results
from danvan_survey.vintage import district_label

THEN_COLOUR, NOW_COLOUR = "#999999", OKABE_ITO[0]
TRANSITION_COLOURS = {"consolidated": OKABE_ITO[2], "still_weak": OKABE_ITO[3],
                      "newly_weak": OKABE_ITO[1]}
CHART_NAMES = ("so-sanh-01-thay-doi-theo-huyen-cu", "so-sanh-02-chuyen-doi-yeu-kem",
               "so-sanh-03-vung-dtts")
#: What each comparison chart shows (for the pack's index).
CHART_SHOWS = dict(zip(CHART_NAMES, (
    "So sánh với đợt trước: tỷ lệ tập hợp theo huyện cũ, đợt trước → đợt này",
    "So sánh với đợt trước: tổ chức yếu kém đã củng cố, vẫn yếu, mới yếu theo huyện cũ",
    "So sánh với đợt trước: tỷ lệ tập hợp theo vùng DTTS, hai đợt",
), strict=True))


def comparison_results(comp: Comparison, follow: RoundConfig) -> Results:
    """A Results carrying what a chart footer needs: both rounds, synthetic flag, date."""
    empty = pd.DataFrame()
    return Results(
        round_id=f"{comp.base} → {comp.follow}", title=follow.title,
        synthetic=bool(comp.summary.get("synthetic")), data_date=follow.period_end,
        province_code=follow.province_code, indicators_org=empty, indicators_district=empty,
        indicators_em_area=empty, admin_vintage=follow.admin_vintage,
    )


def _orgs(table: pd.DataFrame, indicator: str) -> list[str]:
    rows = table[(table["indicator"] == indicator) & table["value_now"].notna()]
    return [o for o in ("mttq", "hnd", "hlhpn", "doan", "hccb") if o in set(rows["org_type"])]


def change_by_district(comp: Comparison, res: Results,
                       indicator: str = "gathering_rate") -> go.Figure:
    """Dumbbells: ``indicator`` then (grey) → now (blue) per former district and org."""
    d = comp.districts[(comp.districts["indicator"] == indicator)
                       & (comp.districts["district_code"] != "ALL")]
    orgs = _orgs(d, indicator)
    where = district_label(res)
    title = f"{indicator_label(indicator)}: {comp.base} → {comp.follow}, theo {where}"
    fig = make_subplots(rows=1, cols=max(len(orgs), 1), shared_yaxes=True,
                        subplot_titles=[org_label(o) for o in orgs], horizontal_spacing=0.02)
    names = (d.drop_duplicates("district_code").sort_values("district_code")["district_name"]
             .map(short_district).tolist())
    for j, org in enumerate(orgs, start=1):
        sub = d[d["org_type"] == org].sort_values("district_code")
        y = sub["district_name"].map(short_district).tolist()
        for _, r in sub.iterrows():
            fig.add_trace(go.Scatter(
                x=[r["value_then"], r["value_now"]], y=[short_district(r["district_name"])] * 2,
                mode="lines", line={"color": "#CCCCCC", "width": 3}, showlegend=False,
                hoverinfo="skip"), row=1, col=j)
        for col, colour, label in (("value_then", THEN_COLOUR, comp.base),
                                   ("value_now", NOW_COLOUR, comp.follow)):
            fig.add_trace(go.Scatter(
                x=sub[col], y=y, mode="markers", marker={"color": colour, "size": 10},
                name=label, legendgroup=label, showlegend=j == 1,
                text=[fmt_pct(v) for v in sub[col]], hovertemplate="%{y}: %{text}"),
                row=1, col=j)
        fig.update_xaxes(tickformat=".0%", row=1, col=j)
    fig.update_yaxes(categoryorder="array", categoryarray=names[::-1])
    note = ("Đợt gốc quy về đơn vị mới theo bảng chuyển đổi 2014 → 2025; tỷ lệ = tổng tử số / "
            "tổng mẫu số.")
    fig = finish(fig, res, title=title, form="a", n=int(d["n_now"].sum()), note=note,
                 height=max(540, 260 + 40 * len(names)), width=1100)
    return legend_on_top(fig, rows=1)


def transition_bars(comp: Comparison, res: Results) -> go.Figure:
    """Weak organisations by former district: consolidated, still weak, newly weak."""
    t = comp.transitions[comp.transitions["transition"].isin(list(TRANSITION_COLOURS))]
    where = district_label(res)
    title = f"Tổ chức yếu kém {comp.base} → {comp.follow}: đã củng cố, vẫn yếu, mới yếu"
    counts = t.groupby(["district_name", "transition"]).size().unstack(fill_value=0)
    districts = sorted(counts.index, key=str)
    fig = go.Figure()
    for code, colour in TRANSITION_COLOURS.items():
        values = counts[code] if code in counts.columns else pd.Series(0, index=counts.index)
        fig.add_trace(go.Bar(
            y=[short_district(x) for x in districts], x=values.reindex(districts).tolist(),
            orientation="h", name=TRANSITION_VI[code], marker_color=colour,
            text=values.reindex(districts).tolist(), textposition="inside"))
    fig.update_layout(barmode="stack", xaxis_title="Số tổ chức", yaxis_title=where.capitalize())
    fig.update_yaxes(autorange="reversed")
    note = ("Đợt gốc: tổ chức của đơn vị mới là yếu kém nếu ít nhất một tổ chức cùng loại của "
            "các xã cũ hợp thành là yếu kém.")
    return finish(fig, res, title=title, form="a", n=len(t), note=note,
                  height=max(460, 200 + 36 * len(districts)))


def em_gap(comp: Comparison, res: Results, indicator: str = "gathering_rate") -> go.Figure:
    """``indicator`` by EM area then and now, one panel per organisation."""
    e = comp.em_areas[(comp.em_areas["indicator"] == indicator)
                      & (comp.em_areas["em_area"] != "ALL")]
    orgs = _orgs(e, indicator)
    title = f"{indicator_label(indicator)} theo vùng DTTS: {comp.base} và {comp.follow}"
    fig = make_subplots(rows=1, cols=max(len(orgs), 1), shared_yaxes=True,
                        subplot_titles=[org_label(o) for o in orgs], horizontal_spacing=0.03)
    for j, org in enumerate(orgs, start=1):
        sub = e[e["org_type"] == org].sort_values(
            "em_area", key=lambda s: s.map({"pure": 0, "mixed": 1, "none": 2}))
        labels = [wrap_lines(em_label(a), 10) for a in sub["em_area"]]
        for col, colour, label in (("value_then", THEN_COLOUR, comp.base),
                                   ("value_now", NOW_COLOUR, comp.follow)):
            fig.add_trace(go.Bar(x=labels, y=sub[col], name=label, marker_color=colour,
                                 legendgroup=label, showlegend=j == 1,
                                 text=[fmt_pct(v) for v in sub[col]], textposition="outside"),
                          row=1, col=j)
    fig.update_yaxes(tickformat=".0%")
    fig.update_xaxes(tickangle=0)  # wrapped, level: rotated names ran into the footer
    fig.update_layout(barmode="group")
    note = ("Vùng DTTS của đơn vị mới suy ra từ các xã cũ (pure chỉ khi mọi xã cũ thuần DTTS); "
            "xã không có trong danh sách là chưa rõ, không phải 'không có DTTS'.")
    fig = finish(fig, res, title=title, form="a", n=int(e["n_now"].sum()), note=note,
                 width=1100, height=660)
    return legend_on_top(fig, rows=1)


def comparison_figures(comp: Comparison, res: Results) -> dict[str, go.Figure]:
    """The comparison charts, keyed by file name (without extension)."""
    register_template()
    figs = (change_by_district(comp, res), transition_bars(comp, res), em_gap(comp, res))
    return dict(zip(CHART_NAMES, figs, strict=True))


def write_comparison_charts(comp: Comparison, follow: RoundConfig, folder: Path
                            ) -> dict[str, Path]:
    """Export the comparison charts as PNG, SVG and PDF into ``folder``."""
    from danvan_survey.charts.export import export_figures

    res = comparison_results(comp, follow)
    return export_figures(comparison_figures(comp, res), folder)
