"""The leadership pack: run the notebooks headless and export charts, HTML, XLSX and DOCX.

``build_report(round_id)`` writes ``reports/<round>/``. Every figure said in words is
computed once in :mod:`danvan_survey.report.findings`; each output format has its own
module (:mod:`.html`, :mod:`.xlsx`, :mod:`.docx`, :mod:`.notebooks`).
"""

from danvan_survey.report.docx import write_docx  # noqa: E402,I001
from danvan_survey.report.findings import compute_findings, methods, summary
from danvan_survey.report.html import build_html  # noqa: E402,I001 - after specs
from danvan_survey.report.notebooks import NOTEBOOK_TITLES, NOTEBOOKS, run_notebook
from danvan_survey.report.pack import build_report
from danvan_survey.report.specs import (
    CHARTS,
    REPORT_TITLE,
    ChartSpec,
    build_figures,
    charts_for,
)
from danvan_survey.report.xlsx import column_header, safe_text, write_xlsx, xlsx_sheets

__all__ = [
    "CHARTS", "NOTEBOOKS", "NOTEBOOK_TITLES", "REPORT_TITLE", "ChartSpec", "build_figures",
    "build_html", "charts_for", "build_report", "column_header", "compute_findings", "methods",
    "run_notebook", "safe_text", "summary", "write_docx", "write_xlsx", "xlsx_sheets",
]
