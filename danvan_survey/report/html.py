"""``bao-cao.html``: one self-contained page, readable offline from disk (file://)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from danvan_survey import __version__
from danvan_survey.charts.style import fmt_num, fmt_pct
from danvan_survey.compare_report import ComparisonSection, section_html
from danvan_survey.config import PACKAGE_DIR
from danvan_survey.report import findings as fx
from danvan_survey.report.specs import REPORT_TITLE, charts_for
from danvan_survey.results import Results

INTERACTIVE_NOTE = ("Trên trang này, đưa chuột lên biểu đồ để xem tử số, mẫu số và số phiếu "
                    "của từng ô.")


def share_rows(table: pd.DataFrame) -> list[list[str]]:
    """Rows of a weak-share table as formatted text (share first, counts beside)."""
    return [[r.label, fmt_pct(r.share_weak), f"{fmt_num(r.n_weak)}/{fmt_num(r.n_orgs)}",
             fmt_num(r.n_rep), fmt_num(r.n_fun)] for r in table.itertuples()]


SHARE_HEADER = ["Tỷ lệ yếu kém", "Số yếu kém / số được khảo sát", "Tự xếp loại yếu kém",
                "Yếu theo tiêu chí chức năng"]


def figure_div(fig: go.Figure, div_id: str) -> str:
    """A chart at its designed size (as in the PNG), in a box that scrolls sideways alone.

    A window narrower than the chart (a laptop at 125 % zoom shows about 1,100 px)
    scrolls that chart's box, never the page. Charts are not squeezed to fit: their
    footers, wrapped labels and table columns are laid out for the designed width and
    would be cut off.
    """
    div = pio.to_html(fig, full_html=False, include_plotlyjs=False, include_mathjax=False,
                      div_id=div_id, config={"displaylogo": False})
    return f'<div class="chart">{div}</div>'


def build_html(res: Results, figures: dict[str, go.Figure], target: Path,
               f: fx.Findings | None = None,
               comparison: ComparisonSection | None = None) -> Path:
    """One self-contained page: plotly.js embedded once, MathJax off, no external URL."""
    from jinja2 import Environment, FileSystemLoader
    from plotly.offline import get_plotlyjs

    f = f or fx.compute_findings(res)
    env = Environment(loader=FileSystemLoader(PACKAGE_DIR / "templates"),
                      autoescape=True)
    sections: dict[str, list[dict[str, str]]] = {}
    for k, spec in enumerate(charts_for(res), start=1):
        div = figure_div(figures[spec.name], f"fig-{spec.name}")
        sections.setdefault(fx.for_round(spec.section, res), []).append(
            {"name": spec.name, "div": div, "number": str(k),
             "shows": fx.for_round(spec.caption(f), res), "caveat": spec.caveat})
    shares = [(fx.for_round("Theo huyện", res), fx.district_heading(res),
               share_rows(f.weak_by_district)),
              ("Theo vùng đồng bào DTTS", "Vùng", share_rows(f.weak_by_em))]
    page = env.get_template("report.html.j2").render(
        title=REPORT_TITLE, round_id=res.round_id, date=res.report_date.strftime("%d/%m/%Y"),
        version=__version__, synthetic=res.synthetic, findings=fx.summary(f),
        sections=list(sections.items()), methods=fx.methods(res), shares=shares,
        share_header=SHARE_HEADER, interactive_note=INTERACTIVE_NOTE,
        intro=f"{fx.scope_sentence(f)} {fx.EM_TERM}",
        comparison=_comparison_html(comparison, figures),
        replication=_replication(res, f),
        plotly_js=get_plotlyjs().replace("</script>", "<\\/script>"),
    )
    target.write_text(page, encoding="utf-8")
    return target


def _replication(res: Results, f: fx.Findings) -> dict[str, object] | None:
    """The replication section: sentence, table by field, the whole list (or None)."""
    if f.replication.empty:
        return None
    from danvan_survey.charts.dvk_models import replication_table_vi

    table = replication_table_vi(res).drop(columns=["Mã xã", "Mã tổ chức"], errors="ignore")
    rows = [["" if pd.isna(v) else str(v) for v in row] for row in table.itertuples(index=False)]
    return {"sentence": fx.replication_sentence(f), "header": fx.REPLICATION_HEADER,
            "by_field": fx.replication_rows(f), "list_header": [str(c) for c in table.columns],
            "rows": rows}


def _comparison_html(section: ComparisonSection | None, figures: dict[str, go.Figure]) -> str:
    """The follow-up round's comparison section (empty when no comparison was computed)."""
    if section is None:
        return ""
    divs = {name: figure_div(figures[name], f"fig-{name}") for name in section.figures}
    return section_html(section, divs)
