"""Chart and report table of the "Dân vận khéo" replication list (models at district+).

Reads ``dvk_replication.parquet`` (written by ``danvan-survey analyse`` from the model
roster) next to the round's other results; computes nothing itself beyond counting the
rows of that table (:func:`danvan_survey.dvk.replication_summary`).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from danvan_survey import dvk
from danvan_survey.charts.style import (
    OKABE_ITO,
    choice_label,
    finish,
    fmt_num,
    legend_on_top,
    org_label,
)
from danvan_survey.codebook import load_codebook
from danvan_survey.results import Results

TITLE = "Mô hình “Dân vận khéo” được công nhận từ cấp huyện trở lên, theo lĩnh vực và tổ chức"
NOTE = ("Cuối thanh: tổng số mô hình (số đã nhân rộng). "
        "Mô hình chưa nhân rộng là ứng viên để nhân rộng.")


def replication_table(res: Results) -> pd.DataFrame:
    """The round's replication list (English columns); empty when there is no roster."""
    if res.dvk_replication.empty and not len(res.dvk_replication.columns):
        return pd.DataFrame(columns=dvk.REPLICATION_COLUMNS)
    return res.dvk_replication


def replication_table_vi(res: Results) -> pd.DataFrame:
    """The replication list for reports (Vietnamese headers, STT), from the round's results."""
    return dvk.replication_table_vi(replication_table(res))


def dvk_replication(res: Results, table: pd.DataFrame | None = None) -> go.Figure:
    """Stacked bars of models at district level or above by field, one colour per org.

    Each bar ends with "total (replicated)"; ``table`` defaults to the round's list.
    """
    table = replication_table(res) if table is None else table
    summary = dvk.replication_summary(table)
    fields = [f for f in load_codebook().codes("dvk_field") if f in set(summary["model_field"])]
    labels = [choice_label("dvk_field", f) for f in fields][::-1]
    fig = go.Figure()
    for i, org in enumerate(load_codebook().codes("org_type")):
        part = summary[summary["org_type"] == org].set_index("model_field")
        if part.empty:
            continue
        counts = [int(part["n_models"].get(f, 0)) for f in fields][::-1]
        fig.add_trace(go.Bar(
            y=labels, x=counts, name=org_label(org), orientation="h",
            marker_color=OKABE_ITO[i % len(OKABE_ITO)],
            text=[fmt_num(c) if c else "" for c in counts], textposition="inside",
            insidetextanchor="middle",
            hovertemplate="%{y}<br>" + org_label(org) + ": %{x} mô hình<extra></extra>",
        ))
    totals = summary.groupby("model_field")[["n_models", "n_replicated"]].sum()
    for f, label in zip(fields[::-1], labels, strict=True):
        n, k = int(totals.at[f, "n_models"]), int(totals.at[f, "n_replicated"])
        fig.add_annotation(x=n, y=label, text=f"{fmt_num(n)} ({fmt_num(k)} đã nhân rộng)",
                           xanchor="left", xshift=6, showarrow=False, font={"size": 12})
    top = int(totals["n_models"].max()) if len(totals) else 1
    fig.update_layout(barmode="stack", bargap=0.3, legend={"traceorder": "normal"})
    fig.update_xaxes(title_text="Số mô hình", range=[0, top * 1.35], rangemode="tozero")
    fig.update_yaxes(automargin=True, ticksuffix="  ")
    if table.empty:
        fig.add_annotation(text="Đợt này chưa có danh sách mô hình (bảng lặp của phiếu A).",
                           x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False)
    fig = finish(fig, res, title=TITLE, form="phiếu A (danh sách mô hình)",
                 n=len(table), note=NOTE, height=max(420, 110 + 60 * len(fields)))
    return legend_on_top(fig, rows=2, above=10)  # five organisations: two rows when narrow
