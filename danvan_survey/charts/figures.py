"""Chart functions: each takes :class:`Results` and returns a plotly Figure (never saves)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from danvan_survey.charts.style import (
    MISSING_COLOUR,
    OKABE_ITO,
    SUPPRESSED_COLOUR,
    choice_label,
    em_label,
    finish,
    fmt_num,
    fmt_pct,
    fmt_score,
    indicator_label,
    legend_on_top,
    org_codes,
    org_label,
    short_district,
    var_label,
    wrap_lines,
)
from danvan_survey.codebook import load_codebook
from danvan_survey.reference import EM_AREAS
from danvan_survey.results import Results
from danvan_survey.tables import weak_shares
from danvan_survey.vintage import district_label

#: Reason shown for an organisation rated weak with no functional sign.
NO_SIGNS = "tự xếp loại yếu kém; không có dấu hiệu yếu theo tiêu chí chức năng"
#: Height kept under a table figure for the footer lines.
FOOTER_ROOM = 150
#: Aggregate cells built from fewer returns than this are shown as suppressed.
MIN_RETURNS = 3
PROVINCE_LABEL = "Toàn tỉnh"
EM_NOTE = (
    "Vùng DTTS: phân loại xã một phần được suy luận, chưa xác minh; "
    "“Ngoài danh sách” = không có trong danh sách vùng DTTS, chưa được xác minh."
)
RATING_COLOURS = {"1": "#009E73", "2": "#56B4E9", "3": "#E69F00", "4": "#D55E00",
                  "9": "#999999", "": "#DDDDDD"}
RELIABILITY_STYLE = {
    "ok": ("circle", "Tin cậy"),
    "caution": ("circle-open", "Thận trọng (ít cán bộ, ít xã hoặc sai số lớn)"),
}
KEY_ORG_INDICATORS = (
    "meeting_regularity", "silent_branch_share", "dues_rate", "card_rate",
    "trained_share", "vacancy_share", "dvk_bulletin_compliance",
)


@dataclass(frozen=True)
class CadreItem:
    """One cadre-form estimate to chart: a variable and (for shares) a category."""

    variable: str
    category: str = ""

    @property
    def is_share(self) -> bool:
        """True for proportions (0-1 scale), False for means on the variable's own scale."""
        return self.category != ""

    def label(self, width: int = 34) -> str:
        """Vietnamese label from the codebook, wrapped for a panel title."""
        cb = load_codebook()
        var = cb.var("b", self.variable)
        text = var.label_vi
        if self.category and var.list_name and var.list_name != "yes_no":
            text = choice_label(var.list_name, self.category)
            text = f"{var.label_vi.split(':')[0].split('—')[0].strip()}: {text}"
        return wrap_lines(text, width)


CAPACITY_ITEMS = (
    CadreItem("trained_12m", "1"),
    CadreItem("skill_situations"),
    CadreItem("vignette_land_protest", "listen_first"),
    CadreItem("vignette_land_protest", "trusted_people"),
    CadreItem("nq25_awareness", "2"),
)


# ---------------------------------------------------------------- helpers
def _n_orgs(res: Results) -> int:
    return len(res.indicators_org)


def _n_cadres(res: Results) -> int:
    return len(res.cadres) if len(res.cadres) else int(
        res.estimates.loc[res.estimates["domain_type"] == "province", "n"].max()
        if len(res.estimates) else 0
    )


def _district_order(res: Results) -> pd.DataFrame:
    d = res.indicators_district
    d = d[d["district_code"] != "ALL"][["district_code", "district_name"]]
    return d.drop_duplicates().sort_values("district_code").reset_index(drop=True)


def _orgs_present(codes: pd.Series) -> list[str]:
    present = set(codes.astype(str))
    return [o for o in org_codes() if o in present]


def _no_data(res: Results, title: str, form: str, message: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper",
                       showarrow=False, font={"size": 16})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return finish(fig, res, title=title, form=form, n=0, height=400)


def _ratio(num: pd.Series, den: pd.Series) -> float:
    n, d = float(num.sum()), float(den.sum())
    return n / d if d > 0 else float("nan")


# ---------------------------------------------------------------- heat map
def _group_table(res: Results, by: str) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Aggregate table and its row keys/labels for ``by`` = district or em_area."""
    if by == "district":
        table = res.indicators_district.rename(columns={"district_code": "key"})
        rows = [(r.district_code, short_district(r.district_name))
                for r in _district_order(res).itertuples()]
        rows.append(("ALL", PROVINCE_LABEL))
        return table, rows
    if by == "em_area":
        table = res.indicators_em_area.rename(columns={"em_area": "key"})
        present = set(table["key"].astype(str))
        return table, [(e, em_label(e)) for e in EM_AREAS if e in present]
    raise ValueError(f"by must be 'district' or 'em_area', not {by!r}")


def _orgs_with_values(table: pd.DataFrame, indicator: str) -> list[str]:
    """Organisations present in the table that have the indicator at all.

    An organisation whose denominator is missing everywhere (the Front has no members by
    design, so no gathering rate) gets no column instead of a column of "no data".
    """
    orgs = _orgs_present(table["org_type"])
    den = f"{indicator}_den"
    if indicator == "coverage" or den not in table:
        return orgs
    has = table.groupby(table["org_type"].astype(str))[den].apply(
        lambda s: bool(s.notna().any() and s.fillna(0).gt(0).any()))
    return [o for o in orgs if bool(has.get(o, False))]


def _cell_values(row: pd.Series, indicator: str) -> tuple[float, float, float]:
    if indicator == "coverage":
        num, den = float(row["n_received"]), float(row["n_expected"])
        return (num / den if den else float("nan")), num, den
    return float(row[indicator]), float(row[f"{indicator}_num"]), float(row[f"{indicator}_den"])


def indicator_heatmap(
    res: Results, indicator: str = "gathering_rate", by: str = "district",
    min_returns: int = MIN_RETURNS,
) -> go.Figure:
    """Heat map of a ratio indicator, rows = districts (or EM areas), columns = organisations.

    Cells from fewer than ``min_returns`` returns are grey "ẩn"; cells without a denominator
    are light grey "không có số liệu". Hover shows numerator, denominator and returns.
    """
    table, rows = _group_table(res, by)
    where = district_label(res) if by == "district" else "vùng DTTS"
    title = f"{indicator_label(indicator)} theo {where}"
    title += " và tổ chức"
    if table.empty:
        return _no_data(res, title, "a", "Không có số liệu")
    orgs = _orgs_with_values(table, indicator)
    shape = (len(rows), len(orgs))
    z, z_sup, z_miss = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    text = np.full(shape, "", dtype=object)
    hover = np.full(shape, "", dtype=object)
    index = table.set_index(["key", "org_type"])
    for i, (key, label) in enumerate(rows):
        for j, org in enumerate(orgs):
            if (key, org) not in index.index:
                z_miss[i, j], text[i, j] = 1, "không có phiếu"
                hover[i, j] = f"{label} · {org_label(org)}<br>không có phiếu"
                continue
            row = index.loc[(key, org)]
            value, num, den = _cell_values(row, indicator)
            received, expected = int(row["n_received"]), int(row["n_expected"])
            base = (f"{label} · {org_label(org)}<br>phiếu nhận: {fmt_num(received)}"
                    f"/{fmt_num(expected)}")
            if received < min_returns:
                z_sup[i, j], text[i, j] = 1, f"ẩn (n<{min_returns})"
                hover[i, j] = f"{base}<br>ẩn: dưới {min_returns} phiếu"
            elif np.isnan(value):
                z_miss[i, j], text[i, j] = 1, "không có số liệu"
                hover[i, j] = f"{base}<br>không có mẫu số"
            else:
                z[i, j], text[i, j] = value, fmt_pct(value)
                hover[i, j] = (f"{base}<br>{indicator_label(indicator)}: {fmt_pct(value)}"
                               f"<br>tử số {fmt_num(num)} / mẫu số {fmt_num(den)}")
    x = [wrap_lines(org_label(o), 14) for o in orgs]
    y = [label for _, label in rows]
    zmax = max(1.0, float(np.nanmax(z))) if np.isfinite(z).any() else 1.0
    fig = go.Figure()
    common = {"x": x, "y": y, "xgap": 2, "ygap": 2, "hoverinfo": "text"}
    fig.add_trace(go.Heatmap(z=z, text=np.where(np.isfinite(z), text, ""), hovertext=hover,
                             texttemplate="%{text}",
                             colorscale="Blues", zmin=0, zmax=zmax,
                             colorbar={"tickformat": ".0%", "title": {"text": ""}},
                             name=indicator_label(indicator), **common))
    for mask, colour in ((z_sup, SUPPRESSED_COLOUR), (z_miss, MISSING_COLOUR)):
        if np.isfinite(mask).any():
            own = np.where(np.isfinite(mask), text, "")
            fig.add_trace(go.Heatmap(z=mask, text=own, hovertext=hover, texttemplate="%{text}",
                                     colorscale=[[0, colour], [1, colour]], showscale=False,
                                     textfont={"color": "#333333", "size": 11}, **common))
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(side="top", showgrid=False)
    dropped = [org_label(o) for o in _orgs_present(table["org_type"]) if o not in orgs]
    note = EM_NOTE if by == "em_area" else ""
    if dropped:
        note = (f"Không có cột {', '.join(dropped)}: tổ chức không có mẫu số của chỉ số "
                "này (Ủy ban MTTQ không có hội viên). " + note).strip()
    note = wrap_lines(note, 115)
    lines = note.count("<br>") + 1 if note else 0
    return finish(fig, res, title=title, form="a", n=_n_orgs(res), note=note,
                  height=max(420, 140 + 46 * len(rows) + 16 * lines))


# ---------------------------------------------------------------- rating distribution
def rating_distribution(res: Results) -> go.Figure:
    """100% stacked bars of last year's rating by district, one panel per organisation."""
    title = (f"{var_label('a', 'rating_last_year')}: phân bố theo {district_label(res)}, "
             "từng tổ chức")
    io = res.indicators_org
    if io.empty:
        return _no_data(res, title, "a", "Không có số liệu")
    codes = load_codebook().codes("rating")
    frame = io.assign(
        rating=io["rating_last_year"].astype("Int64").astype(str).replace("<NA>", ""),
        district=io["district_name"].map(short_district),
    )
    orgs = _orgs_present(frame["org_type"])
    districts = [short_district(n) for n in _district_order(res)["district_name"]]
    fig = make_subplots(rows=1, cols=len(orgs), shared_yaxes=True, horizontal_spacing=0.015,
                        subplot_titles=[wrap_lines(org_label(o), 14) for o in orgs])
    for j, org in enumerate(orgs, start=1):
        sub = frame[frame["org_type"] == org]
        counts = sub.groupby(["district", "rating"]).size().unstack(fill_value=0)
        counts = counts.reindex(index=districts, fill_value=0)
        totals = counts.sum(axis=1)
        for code in [*codes, ""]:
            n = counts[code] if code in counts else pd.Series(0, index=counts.index)
            share = (n / totals.replace(0, np.nan)).fillna(0)
            label = choice_label("rating", code) if code else "Chưa trả lời"
            fig.add_trace(go.Bar(
                x=share, y=districts, orientation="h", name=label,
                legendgroup=code, showlegend=j == 1, marker_color=RATING_COLOURS[code],
                customdata=np.column_stack([n, totals]),
                hovertemplate=f"%{{y}} · {org_label(org)}<br>{label}: %{{customdata[0]}}"
                "/%{customdata[1]} tổ chức (%{x:.0%})<extra></extra>",
            ), row=1, col=j)
    fig.update_layout(barmode="stack")
    fig.update_xaxes(range=[0, 1], tickvals=[0.25, 0.5, 0.75],
                     ticktext=["25%", "50%", "75%"])
    fig.update_yaxes(autorange="reversed")
    fig = finish(fig, res, title=title, form="a", n=len(io),
                 height=max(520, 280 + 42 * len(districts)), width=1100)
    return legend_on_top(fig, rows=2)


# ---------------------------------------------------------------- weak organisations
def weak_organisations(res: Results, by: str = "district") -> go.Figure:
    """Share of weak organisations (weak / surveyed) by district or EM area, with counts.

    Rows sorted by the share weak in either view (highest first); bars for either view,
    self-rating and functional criteria; the text beside each bar gives the share and
    "weak / surveyed". The dashed line is the province share.
    """
    where = district_label(res) if by == "district" else "vùng DTTS"
    title = f"Tỷ lệ tổ chức cơ sở yếu kém trên số tổ chức được khảo sát, theo {where}"
    io = res.indicators_org
    if io.empty:
        return _no_data(res, title, "a", "Không có số liệu")
    table = weak_shares(io, by)
    labels = [wrap_lines(lab, 22) for lab in table["label"]]
    fig = go.Figure()
    series = (("weak", "Yếu kém (một trong hai cách)", OKABE_ITO[5]),
              ("rep", "Tự xếp loại yếu kém", OKABE_ITO[3]),
              ("fun", "Yếu theo tiêu chí chức năng", OKABE_ITO[0]))
    for key, name, colour in series:
        share, n = table[f"share_{key}"], table[f"n_{key}"]
        fig.add_trace(go.Bar(
            y=labels, x=share, name=name, orientation="h", marker_color=colour,
            text=[f"{fmt_pct(v)} ({fmt_num(k)}/{fmt_num(t)})"
                  for v, k, t in zip(share, n, table["n_orgs"], strict=True)],
            textposition="outside", textfont={"size": 11}, cliponaxis=False,
            hovertemplate=f"%{{y}}<br>{name}: %{{text}}<extra></extra>",
        ))
    total = float(table["n_weak"].sum()) / float(table["n_orgs"].sum())
    # the province line is labelled at its foot: the legend runs along the top, where a
    # narrow window (a notebook, a laptop) still shows it
    fig.add_vline(x=total, line_dash="dash", line_color="#555555",
                  annotation_text=f"toàn tỉnh {fmt_pct(total)}",
                  annotation_position="bottom right")
    top = float(table["share_weak"].max()) if len(table) else 0.0
    fig.update_layout(barmode="group", bargap=0.25, bargroupgap=0.05,
                      legend={"traceorder": "normal"})
    fig.update_xaxes(tickformat=".0%", range=[0, max(0.1, top) * 1.45], title_text=(
        "Tỷ lệ trên số tổ chức được khảo sát (trong ngoặc: số yếu kém / số được khảo sát)"))
    fig.update_yaxes(autorange="reversed")
    note = ("Xếp theo tỷ lệ yếu kém (một trong hai cách), cao nhất ở trên. "
            + (EM_NOTE if by == "em_area" else ""))
    fig = finish(fig, res, title=title, form="a", n=len(io), note=wrap_lines(note, 150),
                 height=max(480, 200 + 78 * len(table)), width=1000)
    return legend_on_top(fig, rows=2, above=10)  # three entries: two rows when narrow


# ---------------------------------------------------------------- estimates helpers
def select_estimates(est: pd.DataFrame, item: CadreItem, domain_type: str) -> pd.DataFrame:
    """Rows of ``estimates`` for one item and domain type (a yes/no mean counts as share).

    When a round estimates a yes/no item both ways, the proportion rows are used, so
    every chart and sentence reads one figure per domain.
    """
    if est.empty:
        return est
    rows = est[(est["variable"] == item.variable) & (est["domain_type"] == domain_type)]
    category = rows["category"].fillna("").astype(str)
    if item.category:
        as_prop = (rows["stat"] == "prop") & (category == item.category)
        if as_prop.any():
            return rows[as_prop]
        as_mean = (rows["stat"] == "mean") & (category == "") & (item.category == "1")
        return rows[as_mean]
    return rows[(rows["stat"] == "mean") & (category == "")]


def _sort_domains(rows: pd.DataFrame, domain_type: str) -> pd.DataFrame:
    if domain_type == "em_area":
        order = {e: k for k, e in enumerate(EM_AREAS)}
        return rows.sort_values("domain", key=lambda s: s.map(order).fillna(99))
    return rows.sort_values("domain")


def _domain_labels(res: Results, domain_type: str, domains: pd.Series) -> list[str]:
    names = dict(zip(_district_order(res)["district_code"], _district_order(res)["district_name"],
                     strict=True))
    out = []
    for d in domains.astype(str):
        if domain_type == "em_area":
            out.append(wrap_lines(em_label(d), 22))
        elif domain_type == "province":
            out.append(PROVINCE_LABEL)
        else:
            out.append(short_district(names.get(d, d)))
    return out


def _estimate_traces(
    rows: pd.DataFrame, labels: list[str], *, name: str, colour: str, show_legend: bool,
    group: str, x0: float = 0.0,
) -> list[go.Scatter]:
    """Dots with CI whiskers; caution open, suppressed as a grey 'ẩn' text (never as 0)."""
    rel = rows["reliability"].astype(str).to_numpy()
    est = rows["estimate"].to_numpy(dtype=float)
    lo, hi = rows["ci_low"].to_numpy(dtype=float), rows["ci_high"].to_numpy(dtype=float)
    ns = rows["n"].to_numpy()
    traces = []
    for level, (symbol, rel_label) in RELIABILITY_STYLE.items():
        m = rel == level
        if not m.any():
            continue
        traces.append(go.Scatter(
            x=est[m], y=np.array(labels, dtype=object)[m], mode="markers",
            marker={"symbol": symbol, "size": 11, "color": colour, "line": {"width": 2}},
            error_x={"type": "data", "symmetric": False, "array": hi[m] - est[m],
                     "arrayminus": est[m] - lo[m], "color": colour, "thickness": 1.5},
            name=f"{name} – {rel_label}" if name else rel_label, legendgroup=f"{group}{level}",
            showlegend=show_legend, customdata=np.column_stack([lo[m], hi[m], ns[m]]),
            hovertemplate="%{y}: %{x:.2f} (KTC 95%: %{customdata[0]:.2f}–%{customdata[1]:.2f}"
            ", n = %{customdata[2]})<extra></extra>",
        ))
    sup = rel == "suppress"
    if sup.any():
        traces.append(go.Scatter(
            x=np.full(int(sup.sum()), x0), y=np.array(labels, dtype=object)[sup], mode="text",
            text=["ẩn (n<25)"] * int(sup.sum()), textposition="middle right",
            textfont={"color": "#777777", "size": 11}, showlegend=False, hoverinfo="skip",
            legendgroup=f"{group}suppress",
        ))
    return traces


# ---------------------------------------------------------------- cadre capacity
def shown_reliability(rows: pd.DataFrame, ignore_df: bool) -> pd.Series:
    """Reliability as drawn on a chart.

    With ``ignore_df`` the few-PSU rule (df) is explained once in the note instead of
    marking every point (it fires for every district of a small design).
    """
    if not ignore_df:
        return rows["reliability"].astype(str)
    from danvan_survey.estimate import reliability

    return pd.Series([rel if rel == "suppress" else reliability(int(n), float(cv), np.inf)
                      for rel, n, cv in zip(rows["reliability"].astype(str), rows["n"],
                                            rows["cv"], strict=True)], index=rows.index)


def _domain_n(est: pd.DataFrame, items: list[CadreItem], by: str) -> dict[str, int]:
    """Respondents per domain (largest over the items) for the row labels."""
    rows = pd.concat([select_estimates(est, i, by) for i in items])
    return rows.groupby(rows["domain"].astype(str))["n"].max().astype(int).to_dict()


def _capacity_note(res: Results, est: pd.DataFrame, by: str, few_df: bool) -> str:
    from danvan_survey.estimate import reliability_thresholds

    df_min = int(reliability_thresholds()["caution_below_df"])
    parts = ["Chấm rỗng: cần thận trọng (ít cán bộ trả lời, ít xã được chọn hoặc sai số lớn); "
             "“ẩn”: quá ít cán bộ, không công bố; n = số cán bộ trả lời."]
    if few_df:
        parts.append(f"Mỗi {'huyện' if by == 'district' else 'vùng'} chỉ có ít xã được chọn "
                     f"(bậc tự do dưới {df_min}), nên mọi khoảng tin cậy đều rộng; điều này "
                     "áp dụng cho tất cả các dòng, không đánh dấu riêng.")
    rows = est[(est["domain_type"] == by) & (est["reliability"] != "suppress")]
    zero = rows[(rows["ci_high"] - rows["ci_low"]).abs() < 1e-12]
    if by == "district" and len(zero):
        names = _domain_labels(res, by, zero["domain"].drop_duplicates())
        parts.append(f"{', '.join(names)}: mọi xã đều được chọn (tổng điều tra) nên khoảng "
                     "tin cậy có độ rộng 0 — không có sai số chọn mẫu, nhưng vẫn có thể có "
                     "sai số trả lời.")
    if by == "em_area":
        parts.append(EM_NOTE)
    return " ".join(parts)


#: Characters per line of a capacity panel's title: five panels side by side stay apart
#: when a notebook shows the chart about 850 px wide (JupyterLab, file browser open).
CAPACITY_TITLE_CHARS = 16


def cadre_capacity(
    res: Results, by: str = "district", items: tuple[CadreItem, ...] = CAPACITY_ITEMS,
) -> go.Figure:
    """Design-based cadre estimates with 95% CIs, one panel per item, rows = domains."""
    from danvan_survey.estimate import reliability_thresholds

    where = district_label(res) if by == "district" else "vùng DTTS"
    title = f"Năng lực cán bộ dân vận cơ sở theo {where} (ước lượng, KTC 95%)"
    est = res.estimates
    present = [i for i in items if not select_estimates(est, i, by).empty]
    if not present:
        return _no_data(res, title, "b", "Chưa có ước lượng phiếu cán bộ")
    df_min = reliability_thresholds()["caution_below_df"]
    dom_rows = est[est["domain_type"] == by]
    few_df = bool(len(dom_rows)) and bool((dom_rows["df"] < df_min).all())
    n_by = _domain_n(est, present, by)
    fig = make_subplots(rows=1, cols=len(present), shared_yaxes=True, horizontal_spacing=0.05,
                        subplot_titles=[i.label(CAPACITY_TITLE_CHARS) for i in present])
    order: list[str] = []
    for j, item in enumerate(present, start=1):
        dom = _sort_domains(select_estimates(est, item, by), by)
        prov = select_estimates(est, item, "province")
        rows = pd.concat([dom, prov])
        labels = [f"{lab} (n={fmt_num(n_by.get(str(d), 0))})" for lab, d in zip(
            _domain_labels(res, by, dom["domain"]), dom["domain"].astype(str), strict=True)]
        prov_label = (f"{PROVINCE_LABEL} (n={fmt_num(int(prov['n'].iloc[0]))})"
                      if len(prov) else PROVINCE_LABEL)
        labels += [prov_label] * len(prov)
        order += [lab for lab in labels if lab not in order and lab != prov_label]
        shown = rows.assign(reliability=shown_reliability(rows, few_df).to_numpy())
        for trace in _estimate_traces(shown, labels, name="", colour=OKABE_ITO[0],
                                      show_legend=j == 1, group="rel",
                                      x0=0.0 if item.is_share else 1.0):
            fig.add_trace(trace, row=1, col=j)
        axis = ({"tickformat": ".0%", "range": [0, 1.0], "tickvals": [0.25, 0.5, 0.75]}
                if item.is_share else {"range": [1, 5], "tickvals": [2, 3, 4]})
        fig.update_xaxes(row=1, col=j, **axis)
    fig.update_yaxes(autorange="reversed", categoryorder="array",
                     categoryarray=[*order, *([prov_label] if prov_label else [])])
    fig.update_annotations(font={"size": 12})
    note = _capacity_note(res, est, by, few_df)
    fig = finish(fig, res, title=title, form="b", n=_n_cadres(res), note=wrap_lines(note, 165),
                 height=max(520, 360 + 40 * len(order)), width=1100)
    return legend_on_top(fig, rows=2, above=75)  # four title lines


# ---------------------------------------------------------------- EM comparison
def em_comparison(
    res: Results, indicators: tuple[str, ...] = KEY_ORG_INDICATORS,
    items: tuple[CadreItem, ...] = CAPACITY_ITEMS,
) -> go.Figure:
    """Dumbbell: EM areas (pure/mixed) vs others; left form A ratios, right cadre CIs."""
    title = "Vùng đồng bào DTTS so với các xã khác: chỉ số chính"
    em = res.indicators_em_area
    if em.empty:
        return _no_data(res, title, "a", "Không có số liệu")
    share_items = [i for i in items if i.is_share and not select_estimates(
        res.estimates, i, "em_area").empty]
    cols = 2 if share_items else 1
    fig = make_subplots(rows=1, cols=cols, horizontal_spacing=0.28,
                        subplot_titles=["Phiếu A: tổ chức (tổng điều tra)",
                                        "Phiếu B: cán bộ (mẫu, KTC 95%)"][:cols])
    areas = [e for e in EM_AREAS if e in set(em["em_area"].astype(str))]
    ind_labels = [wrap_lines(indicator_label(i), 28) for i in indicators]
    values = {a: [_ratio(em.loc[em["em_area"] == a, f"{i}_num"],
                         em.loc[em["em_area"] == a, f"{i}_den"]) for i in indicators]
              for a in areas}
    # connecting lines (dumbbell bars)
    xs, ys = [], []
    for k, lab in enumerate(ind_labels):
        vals = [values[a][k] for a in areas if np.isfinite(values[a][k])]
        if vals:
            xs += [min(vals), max(vals), None]
            ys += [lab, lab, None]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": "#BBBBBB", "width": 4},
                             showlegend=False, hoverinfo="skip"), row=1, col=1)
    colours = dict(zip(EM_AREAS, (OKABE_ITO[3], OKABE_ITO[1], OKABE_ITO[0]), strict=True))
    for a in areas:
        fig.add_trace(go.Scatter(
            x=values[a], y=ind_labels, mode="markers", name=em_label(a), legendgroup=a,
            marker={"size": 13, "color": colours[a]},
            hovertemplate=f"{em_label(a)}<br>%{{y}}: %{{x:.1%}}<extra></extra>",
        ), row=1, col=1)
    fig.update_xaxes(tickformat=".0%", row=1, col=1)
    if share_items:
        for a in areas:
            parts = [select_estimates(res.estimates, i, "em_area") for i in share_items]
            parts = [p[p["domain"].astype(str) == a] for p in parts]
            rows = pd.concat(parts)
            lab_by_var = [i.label(28) for i, p in zip(share_items, parts, strict=True)
                          for _ in range(len(p))]
            for t in _estimate_traces(rows, lab_by_var, name=em_label(a), colour=colours[a],
                                      show_legend=False, group=a):
                fig.add_trace(t, row=1, col=2)
        fig.update_xaxes(tickformat=".0%", range=[0, 1.02], row=1, col=2)
    fig.update_yaxes(autorange="reversed")
    fig.update_annotations(font={"size": 13})
    n = (f"{fmt_num(_n_orgs(res))} tổ chức" + (f", {fmt_num(_n_cadres(res))} cán bộ"
                                               if share_items else ""))
    fig = finish(fig, res, title=title, form="a+b" if share_items else "a", n=n,
                 note=wrap_lines("Chấm rỗng: ước lượng cần thận trọng. " + EM_NOTE, 140),
                 height=640, width=1100)
    return legend_on_top(fig, rows=2)


# ---------------------------------------------------------------- consolidation list
def consolidation_list(res: Results, top: int | None = None) -> pd.DataFrame:
    """Weak organisations (either view), highest priority first, with readable columns."""
    io = res.indicators_org
    rep = io["is_weak_reported"].fillna(False).astype(bool)
    fun = io["is_weak_functional"].fillna(False).astype(bool)
    weak = io[rep | fun].assign(rep=rep[rep | fun], fun=fun[rep | fun])
    weak = weak.sort_values(["priority_score", "commune_code", "org_type"],
                            ascending=[False, True, True], kind="mergesort")
    if top is not None:
        weak = weak.head(top)
    view = np.where(weak["rep"] & weak["fun"], "cả hai",
                    np.where(weak["rep"], "tự xếp loại", "tiêu chí chức năng"))
    return pd.DataFrame({
        "TT": range(1, len(weak) + 1),
        var_label("a", "commune_code"): weak["commune_name"].to_numpy(),
        var_label("a", "district_code"): weak["district_name"].map(short_district).to_numpy(),
        var_label("a", "org_type"): weak["org_type"].map(org_label).to_numpy(),
        "Vùng DTTS": weak["em_area"].map(em_label).to_numpy(),
        "Yếu kém theo": view,
        "Lý do": weak["weak_reasons_vi"].fillna("").replace("", NO_SIGNS).to_numpy(),
        "Điểm ưu tiên": weak["priority_score"].round(2).to_numpy(),
    })


def consolidation_table(res: Results, top: int = 20) -> go.Figure:
    """Table figure of the top ``top`` organisations to consolidate, with reasons."""
    title = f"Danh sách tổ chức cơ sở yếu kém cần củng cố (ưu tiên cao nhất, tối đa {top})"
    table = consolidation_list(res, top)
    if table.empty:
        return _no_data(res, title, "a", "Không có tổ chức nào bị đánh giá yếu kém")
    widths = {"TT": 28, "Lý do": 300, "Điểm ưu tiên": 55}
    wraps = {"Lý do": 62}
    cells = []
    for col in table.columns:
        values = table[col]
        if col == "Điểm ưu tiên":
            cells.append([fmt_score(v) for v in values])
        else:
            cells.append([wrap_lines(v, wraps.get(col, 20)) for v in values.astype(str)])
    lines = [max(c.count("<br>") + 1 for c in row) for row in zip(*cells, strict=True)]
    fig = go.Figure(go.Table(
        columnwidth=[widths.get(c, 90) for c in table.columns],
        header={"values": [f"<b>{c}</b>" for c in table.columns], "fill_color": "#0072B2",
                "font": {"color": "white", "size": 12}, "align": "left", "height": 30},
        cells={"values": cells, "align": "left", "font": {"size": 11}, "height": 20,
               "fill_color": [["#FFFFFF", "#F3F6FA"] * len(table)]},
    ))
    # a row is ~18 px per text line plus padding; header two lines; footer room below
    height = 90 + 50 + sum(12 + 17 * n for n in lines) + FOOTER_ROOM
    fig = finish(fig, res, title=title, form="a", n=_n_orgs(res), height=max(400, height),
                 width=1200)
    fig.update_layout(margin={"l": 20, "r": 20})
    fig.update_traces(domain={"y": [0, 1]})
    return fig


# ---------------------------------------------------------------- commune map
@cache
def commune_coordinates(province_code: str) -> pd.DataFrame:
    """Commune (legacy ward) coordinates from vietnamadminunits' offline dataset.

    Columns: commune_code, lat, lon, approx (True when the district centre is used
    because the dataset has no point for the commune).
    """
    from vietnamadminunits.database import query

    from danvan_survey.reference import communes

    rows = query("SELECT wardCode, wardLat, wardLon, districtCode, districtLat, districtLon "
                 f"FROM admin_units_legacy WHERE provinceCode = '{int(province_code)}' "
                 f"OR provinceCode = '{province_code}'")
    pts = pd.DataFrame(rows)
    frame = communes(province_code)[["commune_code", "district_code"]]
    if pts.empty:
        return frame.assign(lat=np.nan, lon=np.nan, approx=True)[
            ["commune_code", "lat", "lon", "approx"]]
    pts["commune_code"] = pts["wardCode"].astype(str).str.zfill(5)
    pts["district_code"] = pts["districtCode"].astype(str).str.zfill(3)
    centres = pts.groupby("district_code")[["districtLat", "districtLon"]].first()
    out = frame.merge(pts[["commune_code", "wardLat", "wardLon"]], on="commune_code", how="left")
    out = out.join(centres, on="district_code")
    out["approx"] = out["wardLat"].isna()
    out["lat"] = out["wardLat"].fillna(out["districtLat"])
    out["lon"] = out["wardLon"].fillna(out["districtLon"])
    return out[["commune_code", "lat", "lon", "approx"]]


def _district_labels(province_code: str) -> go.Scatter:
    """District names at the mean position of their communes (text only)."""
    from danvan_survey.reference import communes

    frame = communes(province_code)[["commune_code", "district_name"]].merge(
        commune_coordinates(province_code), on="commune_code")
    centres = frame.groupby("district_name", as_index=False)[["lat", "lon"]].mean()
    return go.Scatter(y=centres["lat"], x=centres["lon"], mode="text",
                      text=centres["district_name"].map(short_district), showlegend=False,
                      textfont={"size": 13, "color": "#555555"}, hoverinfo="skip")


def commune_map(res: Results) -> go.Figure:
    """Dot map of communes on longitude/latitude axes: colour = weak organisations.

    A plain scatter with a fixed aspect (no tiles, outlines or remote glyphs), so it draws
    from disk with no network and in every static export.
    """
    title = "Bản đồ xã: số tổ chức cơ sở yếu kém trong xã (tự xếp loại hoặc theo tiêu chí)"
    io = res.indicators_org
    if io.empty:
        return _no_data(res, title, "a", "Không có số liệu")
    weak = io["is_weak_reported"].fillna(False).astype(bool) | io[
        "is_weak_functional"].fillna(False).astype(bool)
    per = io.assign(weak=weak).groupby(["commune_code", "commune_name", "district_name",
                                        "em_area"], as_index=False).agg(
        n_weak=("weak", "sum"), n_orgs=("weak", "size"))
    per = per.merge(commune_coordinates(res.map_province_code), on="commune_code", how="left")
    per = per.dropna(subset=["lat", "lon"])
    classes = (("0", "Không có tổ chức yếu kém", OKABE_ITO[2], 9),
               ("1", "1 tổ chức yếu kém", OKABE_ITO[1], 13),
               ("2+", "≥ 2 tổ chức yếu kém (xã cần củng cố)", OKABE_ITO[3], 18))
    klass = np.where(per["n_weak"] >= 2, "2+", per["n_weak"].astype(int).astype(str))
    fig = go.Figure()
    for code, name, colour, size in classes:
        sub = per[klass == code]
        fig.add_trace(go.Scatter(
            y=sub["lat"], x=sub["lon"], mode="markers", name=name,
            marker={"size": size, "color": colour, "opacity": 0.85,
                    "line": {"width": 0.5, "color": "white"}},
            customdata=np.column_stack([
                sub["commune_name"], sub["district_name"], sub["em_area"].map(em_label),
                sub["n_weak"], sub["n_orgs"],
                np.where(sub["approx"], " (vị trí gần đúng: trung tâm huyện)", "")]),
            hovertemplate="%{customdata[0]}, %{customdata[1]}%{customdata[5]}<br>"
            "%{customdata[2]}<br>yếu kém: %{customdata[3]}/%{customdata[4]} tổ chức"
            "<extra></extra>",
        ))
    fig.add_trace(_district_labels(res.map_province_code))
    lat0 = float(per["lat"].mean()) if len(per) else 11.0
    fig.update_xaxes(title_text="Kinh độ (°Đ)", showgrid=False, zeroline=False,
                     constrain="domain")
    fig.update_yaxes(title_text="Vĩ độ (°B)", showgrid=False, zeroline=False,
                     scaleanchor="x", scaleratio=1 / np.cos(np.radians(lat0)),
                     constrain="domain")
    fig.update_layout(plot_bgcolor="#F7F9FC")
    note = ("Tọa độ: trung tâm xã theo bộ dữ liệu ngoại tuyến vietnamadminunits (đơn vị hành "
            "chính cũ); không vẽ ranh giới; trục là kinh độ, vĩ độ (cùng tỷ lệ).")
    if res.admin_vintage == "2025":
        note = ("Tọa độ: trung tâm xã cũ cùng mã của đơn vị mới (gần đúng); nhãn là huyện cũ "
                "(trước 01/7/2025); không vẽ ranh giới; trục là kinh độ, vĩ độ (cùng tỷ lệ).")
    return finish(fig, res, title=title, form="a", n=len(io), note=note, height=700, width=1000)


# ---------------------------------------------------------------- dân vận khéo
def dvk_funnel(res: Results) -> go.Figure:
    """DVK models registered → recognised, and organisations by highest recognition level."""
    title = "Phong trào “Dân vận khéo”: mô hình đăng ký, được công nhận và cấp công nhận"
    org = res.organisations
    needed = {"dvk_registered_12m", "dvk_recognised_12m", "dvk_top_level"}
    if org.empty or not needed <= set(org.columns):
        return _no_data(res, title, "a", "Không có số liệu mô hình dân vận khéo")
    level_title = f"Số tổ chức theo {var_label('a', 'dvk_top_level').lower()}"
    fig = make_subplots(rows=1, cols=2, column_widths=[0.5, 0.5], horizontal_spacing=0.12,
                        specs=[[{"type": "funnel"}, {"type": "xy"}]],
                        subplot_titles=["Số mô hình (12 tháng)", level_title])
    stages = [var_label("a", "dvk_registered_12m"), var_label("a", "dvk_recognised_12m")]
    values = [int(org["dvk_registered_12m"].sum()), int(org["dvk_recognised_12m"].sum())]
    fig.add_trace(go.Funnel(y=[wrap_lines(s, 18) for s in stages], x=values,
                            texttemplate="%{value:,d}<br>%{percentInitial:.0%}",
                            marker={"color": [OKABE_ITO[0], OKABE_ITO[2]]}, showlegend=False,
                            hovertemplate="%{y}: %{x:,d}<extra></extra>"), row=1, col=1)
    levels = load_codebook().codes("dvk_level")
    counts = org["dvk_top_level"].astype("Int64").astype(str).value_counts()
    y = [int(counts.get(code, 0)) for code in levels]
    fig.add_trace(go.Bar(x=[choice_label("dvk_level", c) for c in levels], y=y, text=y,
                         textposition="outside", marker_color=OKABE_ITO[4], showlegend=False,
                         hovertemplate="%{x}: %{y} tổ chức<extra></extra>"), row=1, col=2)
    fig.update_yaxes(title_text="Số tổ chức", rangemode="tozero", row=1, col=2)
    missing = int(org["dvk_top_level"].isna().sum())
    note = ("Trái: đơn vị là mô hình; phải: đơn vị là tổ chức (mỗi tổ chức một cấp cao nhất)."
            + (f" {missing} tổ chức không trả lời cấp công nhận." if missing else ""))
    return finish(fig, res, title=title, form="a", n=len(org), note=note, height=520)


def bulletin_compliance(res: Results) -> go.Figure:
    """Share of bulletin issues with a DVK feature, by district (all organisations)."""
    ind = "dvk_bulletin_compliance"
    title = f"{indicator_label(ind)} theo {district_label(res)} (mục tiêu: 100%)"
    d = res.indicators_district
    if d.empty:
        return _no_data(res, title, "a", "Không có số liệu")
    rows = []
    for code, label in _group_table(res, "district")[1]:
        sub = d[d["district_code"] == code]
        num, den = float(sub[f"{ind}_num"].sum()), float(sub[f"{ind}_den"].sum())
        rows.append((label, num / den if den else np.nan, num, den))
    frame = pd.DataFrame(rows, columns=["label", "value", "num", "den"])
    colours = [OKABE_ITO[0] if lab != PROVINCE_LABEL else "#333333" for lab in frame["label"]]
    fig = go.Figure(go.Bar(
        x=frame["value"].fillna(0), y=frame["label"], orientation="h", marker_color=colours,
        text=[fmt_pct(v) if np.isfinite(v) else "không có bản tin" for v in frame["value"]],
        textposition="outside", customdata=frame[["num", "den"]],
        hovertemplate="%{y}: %{customdata[0]:,.0f}/%{customdata[1]:,.0f} kỳ<extra></extra>",
    ))
    fig.add_vline(x=1, line_dash="dash", line_color=OKABE_ITO[3],
                  annotation_text="mục tiêu 100%", annotation_position="top")
    fig.update_xaxes(tickformat=".0%", range=[0, 1.18])
    fig.update_yaxes(autorange="reversed")
    return finish(fig, res, title=title, form="a", n=_n_orgs(res), height=560,
                  note="Tử số: số kỳ bản tin có bài về mô hình DVK; mẫu số: số kỳ bản tin.")
