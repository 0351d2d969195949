"""The comparison section of a follow-up round's leadership pack.

``danvan-survey compare --base B --follow F`` writes ``data/compare/B__F/``; when the pack
of round F is built, :func:`load_section` finds that folder and returns what the HTML,
DOCX and XLSX need: Vietnamese paragraphs (findings and comparability notes), the
comparison charts (:mod:`danvan_survey.charts.compare`) and the tables. Nothing here
recomputes the comparison.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from danvan_survey.charts.style import fmt_pct, indicator_label, org_label, short_district
from danvan_survey.compare import TRANSITION_VI, Comparison
from danvan_survey.config import load_round, project_dir

SECTION_TITLE = "So sánh với đợt trước: thay đổi và kết quả củng cố tổ chức yếu kém"
KEY_INDICATOR = "gathering_rate"


@dataclass
class ComparisonSection:
    """Everything the pack shows about one comparison."""

    title: str
    paragraphs: list[str]
    notes: list[str]
    figures: dict[str, go.Figure]
    sheets: dict[str, pd.DataFrame] = field(default_factory=dict)
    weak_table: pd.DataFrame = field(default_factory=pd.DataFrame)


def read_comparison(folder: Path) -> Comparison:
    """Rebuild a Comparison from the files ``write_comparison`` wrote."""
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))

    def table(name: str) -> pd.DataFrame:
        return pd.read_parquet(folder / f"{name}.parquet")

    return Comparison(
        base=summary["base_round"], follow=summary["follow_round"],
        base_mapped=table("base_on_follow_units"), districts=table("indicators_district"),
        em_areas=table("indicators_em_area"), transitions=table("transitions"),
        cadres=table("cadre_estimates"), notes=table("comparability_notes"), summary=summary,
        links=table("cadre_links"))


def find_comparison(follow: str, root: Path | None = None) -> Path | None:
    """The newest-named ``data/compare/*__<follow>/`` folder with a summary, if any."""
    base_dir = (root or project_dir()) / "data" / "compare"
    hits = sorted(p for p in base_dir.glob(f"*__{follow}") if (p / "summary.json").is_file())
    return hits[-1] if hits else None


def findings(comp: Comparison) -> list[str]:
    """Vietnamese sentences: transitions, largest changes, cadre differences beyond noise."""
    t = comp.summary.get("transitions", {})
    out = [
        f"So với đợt {comp.base}: {t.get('consolidated', 0)} tổ chức yếu kém đã được củng cố, "
        f"{t.get('still_weak', 0)} vẫn yếu kém và {t.get('newly_weak', 0)} tổ chức mới yếu kém "
        f"(tính theo đơn vị hành chính mới; {t.get('not_received_now', 0)} tổ chức chưa có "
        "phiếu đợt này)."
    ]
    d = comp.districts
    d = d[(d["indicator"] == KEY_INDICATOR) & (d["district_code"] != "ALL")
          & d["comparable"].astype(bool) & d["change"].notna()]
    if len(d):
        lo, hi = d.loc[d["change"].idxmin()], d.loc[d["change"].idxmax()]
        label = str(comp.summary.get("district_label_vi", "huyện"))
        out.append(
            f"{indicator_label(KEY_INDICATOR)} theo {label}: giảm nhiều nhất ở "
            f"{org_label(lo['org_type'])} {short_district(lo['district_name'])} "
            f"({fmt_pct(lo['value_then'])} → {fmt_pct(lo['value_now'])}), tăng nhiều nhất ở "
            f"{org_label(hi['org_type'])} {short_district(hi['district_name'])} "
            f"({fmt_pct(hi['value_then'])} → {fmt_pct(hi['value_now'])}).")
    c = comp.cadres
    if len(c):
        c = c[(c["domain_type"] == "province") & c["comparable"].astype(bool)
              & c["diff"].notna()]
        real = c[~c["within_noise"].astype(bool)]
        out.append(
            f"Phiếu cán bộ (toàn địa bàn): {len(real)}/{len(c)} chỉ tiêu thay đổi vượt sai số "
            "chọn mẫu (khoảng tin cậy 95% của chênh lệch không chứa 0); các thay đổi còn lại "
            "nằm trong sai số, không kết luận được.")
    if comp.summary.get("synthetic"):
        out.append("Dữ liệu mô phỏng: các số liệu so sánh không phải số liệu thật.")
    return out


def weak_table(comp: Comparison) -> pd.DataFrame:
    """The transitions leaders read: weak then or now, with the reasons of both rounds."""
    t = comp.transitions[comp.transitions["transition"].isin(
        ["consolidated", "still_weak", "newly_weak"])]
    return pd.DataFrame({
        "Huyện cũ": t["district_name"].map(short_district),
        "Đơn vị mới": t["commune_name"],
        "Tổ chức": t["org_type"].map(org_label),
        "Kết quả": t["transition"].map(TRANSITION_VI),
        f"Lý do đợt {comp.base}": t["reasons_then_vi"],
        f"Lý do đợt {comp.follow}": t["reasons_now_vi"],
    }).reset_index(drop=True)


def load_section(follow: str, root: Path | None = None) -> ComparisonSection | None:
    """The comparison section of round ``follow``'s pack, or None if none was computed."""
    folder = find_comparison(follow, root)
    if folder is None:
        return None
    from danvan_survey.charts.compare import comparison_figures, comparison_results

    comp = read_comparison(folder)
    res = comparison_results(comp, load_round(follow, root))
    sheets = {"So sánh - huyện cũ": comp.districts, "So sánh - vùng DTTS": comp.em_areas,
              "So sánh - yếu kém": comp.transitions,
              "So sánh - cán bộ": comp.cadres.rename(columns={"reliability": "reliability_diff"})}
    return ComparisonSection(
        title=f"{SECTION_TITLE} ({comp.base} → {comp.follow})",
        paragraphs=findings(comp), notes=comp.notes["detail_vi"].astype(str).tolist(),
        figures=comparison_figures(comp, res), sheets=sheets, weak_table=weak_table(comp))


def section_html(section: ComparisonSection, figure_html: dict[str, str]) -> str:
    """HTML of the section; ``figure_html`` maps chart names to their embedded HTML."""
    parts = [f"<section id='so-sanh'><h2>{html.escape(section.title)}</h2>"]
    parts += [f"<p>{html.escape(p)}</p>" for p in section.paragraphs]
    parts += [figure_html[name] for name in section.figures if name in figure_html]
    parts.append("<h3>Ghi chú về khả năng so sánh</h3><ul>")
    parts += [f"<li>{html.escape(n)}</li>" for n in section.notes]
    parts.append("</ul></section>")
    return "\n".join(parts)
