"""House style of every chart: template, palette, labels, number format and footer."""

from __future__ import annotations

import copy
import html
import math
import re
import textwrap
import unicodedata
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.io._base_renderers import NotebookRenderer, PlotlyRenderer

from danvan_survey import __version__
from danvan_survey.codebook import load_codebook
from danvan_survey.reference import EM_AREA_LABELS_VI
from danvan_survey.results import Results

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

FONT = "Noto Sans, DejaVu Sans, Arial, sans-serif"
#: Okabe-Ito colour-blind-safe palette (black last).
OKABE_ITO = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000",
)
SUPPRESSED_COLOUR = "#BDBDBD"
MISSING_COLOUR = "#F2F2F2"
TEMPLATE_NAME = "danvan"
FOOTER_MARGIN = 96
WIDTH, HEIGHT = 1000, 600
ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"
NOOP_MATHJAX = ASSETS_DIR / "noop_mathjax.js"

#: Form names used in footers ("phiếu A/B").
FORM_NAMES = {"a": "phiếu A (tổ chức)", "b": "phiếu B (cán bộ)",
              "a+b": "phiếu A (tổ chức) và phiếu B (cán bộ)"}


def nfc(text: str) -> str:
    """Return text in Unicode NFC form."""
    return unicodedata.normalize("NFC", text)


def register_template() -> None:
    """Register the house template and make it the default; no CDN MathJax for export."""
    if TEMPLATE_NAME not in pio.templates:
        pio.templates[TEMPLATE_NAME] = go.layout.Template(
            layout={
                "font": {"family": FONT, "size": 13, "color": "#222222"},
                "colorway": list(OKABE_ITO),
                "separators": ",.",
                "paper_bgcolor": "white",
                "plot_bgcolor": "white",
                "title": {"font": {"size": 17}, "x": 0.01, "xanchor": "left"},
                "hoverlabel": {"font": {"family": FONT}},
                "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
                "xaxis": {"gridcolor": "#E5E5E5", "zerolinecolor": "#BBBBBB"},
                "yaxis": {"gridcolor": "#E5E5E5", "zerolinecolor": "#BBBBBB"},
            }
        )
    pio.templates.default = f"plotly_white+{TEMPLATE_NAME}"
    pio.defaults.mathjax = str(NOOP_MATHJAX)


register_template()


#: Name of every chart's footer annotation (so a display can find it).
FOOTER_NAME = "footer"
#: First word of a footer's source line (round, form, n, date, version).
SOURCE_PREFIX = "Nguồn:"
#: Characters per footer line in a notebook, where a chart is as wide as the output area
#: (about 900 px on a 1366 px laptop with JupyterLab's file browser open): 11 px text from
#: the plot area's left edge stays inside it.
NOTEBOOK_FOOTER_CHARS = 95
#: Characters per title line in a notebook (17 px text), clear of the chart's toolbar on the
#: right; a longer title (with the 2025 units' "theo huyện cũ (trước 01/7/2025)") is
#: wrapped, where plotly would cut it.
NOTEBOOK_TITLE_CHARS = 65
#: Pixels a title line takes.
TITLE_LINE_PX = 24
#: Pixels a footer line takes (``finish``'s layout of the footer).
FOOTER_LINE_PX = 16


def _footer_geometry(lines: int) -> tuple[int, int]:
    """(bottom margin, footer's downward shift) for a footer of ``lines`` lines."""
    bottom = FOOTER_MARGIN + FOOTER_LINE_PX * (lines - 1)
    return bottom + 40 + FOOTER_LINE_PX * max(0, lines - 2), bottom - 10


def wrap_lines(text: object, width: int) -> str:
    """Plain text wrapped at ``width`` characters, lines joined by plotly's ``<br>``."""
    return "<br>".join(textwrap.wrap(str(text), width)) if text else ""


def wrap_markup(text: str, width: int) -> str:
    """Re-wrap plotly text at ``width`` visible characters per line.

    Existing ``<br>`` breaks stay; markup tags do not count, and a ``<b>…</b>`` span is
    never split across lines (plotly would drop its bold on the second line).
    """
    out: list[str] = []
    for line in text.split("<br>"):
        words = re.findall(r"<b>.*?</b>\S*|\S+", line)
        current = ""
        for word in words:
            joined = f"{current} {word}" if current else word
            if current and len(re.sub(r"<[^>]+>", "", joined)) > width:
                out.append(current)
                current = word
            else:
                current = joined
        out.append(current)
    return "<br>".join(out)


def rewrap_footer(text: str, width: int) -> str:
    """A footer (:func:`footer_text`) wrapped at ``width``: the note, then the source.

    Line breaks inside the note and inside the source were only wrapping for the export
    width, so each is joined and wrapped again; the source (from :data:`SOURCE_PREFIX`)
    starts a line of its own.
    """
    note, prefix, source = text.rpartition(SOURCE_PREFIX)
    parts = [note.removesuffix("<br>"), prefix + source] if note else [text]
    return "<br>".join(wrap_markup(" ".join(part.split("<br>")), width) for part in parts)


def fit_to_output(fig_dict: dict[str, Any]) -> dict[str, Any]:
    """A chart's dict as a notebook shows it: as wide as the output area, footer re-wrapped.

    The exported charts have fixed widths (up to 1,200 px); in JupyterLab next to the file
    browser a fixed width hid the right-hand panel of a chart behind a sideways scroll.
    Without a width plotly fits the chart to its output area; the footer, which plotly
    cannot wrap, is re-wrapped to :data:`NOTEBOOK_FOOTER_CHARS` and the chart grows by the
    lines it gains, so the plot area keeps its height. A table keeps its width (and scrolls
    sideways when the output area is narrower): its cells are wrapped for that width, and
    squeezed they would be cut.
    """
    if any(trace.get("type") == "table" for trace in fig_dict.get("data", [])):
        return fig_dict
    fig = copy.deepcopy(fig_dict)
    layout = fig.setdefault("layout", {})
    layout.pop("width", None)
    layout["autosize"] = True
    _wrap_title(layout)
    for note in layout.get("annotations", []):
        if note.get("name") != FOOTER_NAME:
            continue
        before = note["text"].count("<br>") + 1
        note["text"] = rewrap_footer(note["text"], NOTEBOOK_FOOTER_CHARS)
        after = note["text"].count("<br>") + 1
        margin_b, shift = _footer_geometry(after)
        grown = margin_b - _footer_geometry(before)[0]
        layout.setdefault("margin", {})["b"] = margin_b
        note["yshift"] = -shift
        if "height" in layout:
            layout["height"] += grown
    return fig


def _wrap_title(layout: dict[str, Any]) -> None:
    """Wrap a long title in place; the top margin and the height grow by the added lines."""
    title = layout.get("title", {})
    text = title.get("text") or ""
    wrapped = wrap_markup(" ".join(text.split("<br>")), NOTEBOOK_TITLE_CHARS)
    added = wrapped.count("<br>") - text.count("<br>")
    if added <= 0:
        return
    title["text"] = wrapped
    margin = layout.setdefault("margin", {})
    margin["t"] = margin.get("t", 90) + TITLE_LINE_PX * added
    if "height" in layout:
        layout["height"] += TITLE_LINE_PX * added


class FitMimetypeRenderer(PlotlyRenderer):
    """JupyterLab's plotly output, fitted to the output area (:func:`fit_to_output`)."""

    def to_mimebundle(self, fig_dict: dict[str, Any]) -> dict[str, Any]:
        """The plotly bundle of the fitted chart."""
        return super().to_mimebundle(fit_to_output(fig_dict))


class FitNotebookRenderer(NotebookRenderer):
    """The HTML copy of the output (exported notebook pages), fitted the same way."""

    def to_mimebundle(self, fig_dict: dict[str, Any]) -> dict[str, Any]:
        """The plotly bundle of the fitted chart."""
        return super().to_mimebundle(fit_to_output(fig_dict))


def setup_notebook() -> None:
    """Notebook display: interactive in JupyterLab, plotly.js embedded for HTML export.

    Charts fit the output area (:func:`fit_to_output`); exports keep their fixed widths.
    """
    register_template()
    pio.renderers["danvan_mimetype"] = FitMimetypeRenderer(config={"responsive": True})
    pio.renderers["danvan_notebook"] = FitNotebookRenderer(config={"responsive": True})
    pio.renderers.default = "danvan_mimetype+danvan_notebook"


# ---------------------------------------------------------------- labels (from the codebook)
def choice_label(list_name: str, code: object) -> str:
    """Vietnamese label of a choice code (the codebook's), the code itself if unknown."""
    return load_codebook().choice_label_vi(list_name, code)


def org_label(code: object) -> str:
    """Organisation name (codebook list ``org_type``)."""
    return choice_label("org_type", code)


def org_codes() -> list[str]:
    """Organisation codes in codebook order."""
    return load_codebook().codes("org_type")


def var_label(form: str, name: str) -> str:
    """Vietnamese label of a codebook variable."""
    return load_codebook().label_vi(form, name)  # type: ignore[arg-type]


def em_label(code: object) -> str:
    """Label of an EM-area class (reference module); the all-areas total is "Toàn tỉnh"."""
    if str(code) == "ALL":
        return "Toàn tỉnh"
    return EM_AREA_LABELS_VI.get(str(code), str(code))


#: Labels of derived indicators, used only when ``danvan_survey.indicators`` does not
#: provide one (the derived indicators are defined in the spec, not in the form CSVs).
FALLBACK_INDICATOR_LABELS = {
    "gathering_rate": "Tỷ lệ tập hợp",
    "meeting_regularity": "Tỷ lệ chi hội sinh hoạt đủ kỳ",
    "silent_branch_share": "Tỷ lệ chi hội không sinh hoạt ≥ 6 tháng",
    "dues_rate": "Tỷ lệ đóng đủ hội phí",
    "card_rate": "Tỷ lệ có thẻ hội viên",
    "trained_share": "Tỷ lệ cán bộ được tập huấn",
    "vacancy_share": "Tỷ lệ vị trí chủ chốt khuyết",
    "dvk_bulletin_compliance": "Tỷ lệ kỳ bản tin có bài về mô hình DVK",
    "content_diversity": "Số loại nội dung sinh hoạt thực chất",
    "coverage": "Tỷ lệ phiếu đã nhận",
}


@cache
def _indicator_registry() -> dict[str, str]:
    try:
        from danvan_survey import indicators  # noqa: PLC0415 - optional, read lazily
    except ImportError:
        return {}
    registry = getattr(indicators, "INDICATORS", {})
    out: dict[str, str] = {}
    if isinstance(registry, dict):
        items = list(registry.items())
    else:
        items = [(getattr(spec, "name", ""), spec) for spec in registry]
    for name, spec in items:
        label = spec if isinstance(spec, str) else None
        if isinstance(spec, dict):
            label = spec.get("label_vi") or spec.get("label")
        label = label or getattr(spec, "label_vi", None) or getattr(spec, "label", None)
        if isinstance(label, str) and label:
            out[str(name)] = nfc(label)
    return out


def indicator_label(name: str) -> str:
    """Vietnamese label of a derived indicator."""
    return _indicator_registry().get(name) or FALLBACK_INDICATOR_LABELS.get(name, name)


def short_district(name: object) -> str:
    """District name without its unit type ("Huyện Tuy Phong" -> "Tuy Phong")."""
    text = str(name)
    for prefix in ("Thành phố ", "Thị xã ", "Huyện ", "Quận "):
        if text.startswith(prefix):
            return text[len(prefix):]
    return text


# ---------------------------------------------------------------- numbers (Vietnamese)
def fmt_num(value: float | int | None, decimals: int = 0) -> str:
    """Vietnamese number: '.' thousands, ',' decimals; '–' for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    try:
        if value is not None and math.isnan(float(value)):
            return "–"
    except (TypeError, ValueError):
        return "–"
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def fmt_score(value: object) -> str:
    """Score: whole numbers without decimals ("12"), others with two ("12,50" → "12,5")."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"
    if math.isnan(number):
        return "–"
    if number == round(number):
        return fmt_num(number, 0)
    return fmt_num(number, 2).rstrip("0")


def fmt_pct(value: float | None, decimals: int = 1) -> str:
    """Vietnamese percentage of a ratio (0.412 -> '41,2%')."""
    if value is None:
        return "–"
    try:
        if math.isnan(float(value)):
            return "–"
    except (TypeError, ValueError):
        return "–"
    return fmt_num(float(value) * 100, decimals) + "%"


def round_heading(res: Results) -> str:
    """"Đợt demo-2014: <title>", flagged "DỮ LIỆU MÔ PHỎNG" once for a synthetic round."""
    text = f"Đợt {res.round_id}: {res.title}"
    if res.synthetic and "MÔ PHỎNG" not in res.title.upper():
        text += " — DỮ LIỆU MÔ PHỎNG"
    return nfc(text)


# ---------------------------------------------------------------- footer
def footer_text(res: Results, form: str, n: int | str, note: str = "") -> str:
    """Source line of a chart: round, form, n, synthetic flag, date and package version."""
    count = n if isinstance(n, str) else fmt_num(n)
    parts = [f"{SOURCE_PREFIX} đợt {res.round_id}, {FORM_NAMES.get(form, form)}, n = {count}"]
    if res.synthetic:
        parts.append("<b>Dữ liệu mô phỏng</b>")
    parts.append(res.report_date.strftime("%d/%m/%Y"))
    parts.append(f"danvan_survey {__version__}")
    line = " · ".join(parts)
    return nfc(f"{note}<br>{line}" if note else line)


def finish(
    fig: go.Figure,
    res: Results,
    *,
    title: str,
    form: str,
    n: int | str,
    note: str = "",
    height: int = HEIGHT,
    width: int = WIDTH,
) -> go.Figure:
    """Apply size, title and footer annotation (every chart ends here)."""
    lines = note.count("<br>") + 2 if note else 1
    margin_b, shift = _footer_geometry(lines)
    fig.update_layout(
        title={"text": nfc(title)},
        width=width,
        height=height,
        margin={"l": 80, "r": 30, "t": 90, "b": margin_b},
        separators=",.",
    )
    fig.add_annotation(
        name=FOOTER_NAME,
        text=footer_text(res, form, n, note),
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xanchor="left",
        yanchor="top",
        yshift=-shift,
        showarrow=False,
        align="left",
        font={"size": 11, "color": "#555555"},
    )
    return fig


def legend_on_top(fig: go.Figure, rows: int, above: int = 55) -> go.Figure:
    """A horizontal legend between the title and the panels' titles.

    Seen first in a narrow window (a notebook, a laptop), where a legend on the right is
    out of sight. ``above``: px kept over the plot area for the panels' titles; the top
    margin holds the chart's title, ``rows`` legend rows and that space.
    """
    height, margin = int(fig.layout.height), fig.layout.margin
    top = 60 + 24 * rows + above
    plot = height - top - int(margin.b)
    fig.update_layout(legend={"orientation": "h", "x": 0, "xanchor": "left",
                              "y": 1 + above / plot, "yanchor": "bottom",
                              "traceorder": "normal", "font": {"size": 12}},
                      title={"y": 1 - 20 / height, "yanchor": "top"},  # 20 px from the top
                      margin={"t": top})
    return fig


# ---------------------------------------------------------------- tables (notebooks)
#: Columns whose unit depends on the row (share or mean), flagged by ``attrs["pct_rows"]``.
ROW_UNIT_COLUMNS = ("Ước lượng", "Sai số chuẩn", "Cận dưới KTC 95%", "Cận trên KTC 95%",
                    "Hệ số biến thiên", "Hiệu ứng thiết kế")


def _cell(value: object, pct: bool) -> str:
    if isinstance(value, str):
        return value
    return fmt_pct(value) if pct else fmt_num(value, 2)  # type: ignore[arg-type]


def _row_formats(styler: Styler, frame: pd.DataFrame) -> Styler:
    """Share rows as percentages, mean rows with two decimals (estimate tables)."""
    flags = frame.attrs.get("pct_rows")
    cols = [c for c in ROW_UNIT_COLUMNS if c in frame.columns]
    if flags is None or not cols:
        return styler
    rows = pd.Series(list(flags), index=frame.index)
    ratio_cols = [c for c in cols if c in ROW_UNIT_COLUMNS[:4]]
    other = [c for c in cols if c not in ratio_cols]
    if rows.any():
        styler = styler.format(lambda v: _cell(v, True),
                               subset=pd.IndexSlice[rows[rows].index, ratio_cols])
    if (~rows).any():
        styler = styler.format(lambda v: _cell(v, False),
                               subset=pd.IndexSlice[rows[~rows].index, ratio_cols])
    return styler.format(lambda v: _cell(v, False), subset=other) if other else styler


class Bullets:
    """Sentences shown as a bulleted list in a notebook (not as a Python list's repr)."""

    def __init__(self, items: list[str]) -> None:
        self.items = [nfc(str(item)) for item in items]

    def _repr_html_(self) -> str:
        rows = "".join(f"<li>{html.escape(item)}</li>" for item in self.items)
        return f'<ul style="line-height: 1.5">{rows}</ul>'

    def __repr__(self) -> str:
        return "\n".join(f"• {item}" for item in self.items)


def bullets(items: list[str]) -> Bullets:
    """Show sentences (findings, methods) as a list a reader can read, escaped."""
    return Bullets(items)


def vi_table(frame: pd.DataFrame) -> Styler:
    """A whole table for reading in a notebook: every row, Vietnamese numbers, text wrapped.

    Columns named "Tỷ lệ…" are percentages, "Điểm…" scores (whole numbers without
    decimals); other numbers get Vietnamese thousands separators.
    """
    formats: dict[str, Callable[[object], str]] = {}
    for col in frame.columns:
        name = str(col)
        if name.startswith("Tỷ lệ"):
            formats[col] = lambda v: fmt_pct(v)  # type: ignore[arg-type]
        elif name.startswith("Điểm"):
            formats[col] = fmt_score
        elif pd.api.types.is_numeric_dtype(frame[col]):
            formats[col] = lambda v: fmt_num(v)  # type: ignore[arg-type]
    styler = frame.style.format(formats, na_rep="").hide(axis="index")
    styler = _row_formats(styler, frame)
    return styler.set_properties(**{"white-space": "normal", "text-align": "left",
                                    "vertical-align": "top"}).set_table_styles(
        [{"selector": "th", "props": "text-align: left; vertical-align: top;"}])
