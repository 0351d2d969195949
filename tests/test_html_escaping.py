"""Both HTML templates escape every value: payloads in the data are shown, never run.

Rendering with autoescape turned off fails these tests (the payloads would appear live).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import plotly.graph_objects as go
from test_charts import make_results

from danvan_survey import export, report
from danvan_survey.pipeline import run_round
from danvan_survey.report.specs import CHARTS

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'


def test_leadership_report_escapes_names_from_the_data(tmp_path: Path) -> None:
    res = make_results()
    first = res.indicators_org["district_name"].iloc[0]
    io = res.indicators_org.assign(
        district_name=res.indicators_org["district_name"].replace(first, SCRIPT + IMG))
    res = replace(res, indicators_org=io, round_id="r1<b>bold</b>")
    figures = {spec.name: go.Figure() for spec in CHARTS}
    page = report.build_html(res, figures, tmp_path / "r.html").read_text(encoding="utf-8")
    assert SCRIPT not in page and IMG not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page  # the district cell
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page
    assert "r1&lt;b&gt;bold&lt;/b&gt;" in page  # the round id in the header


def test_validation_report_escapes_values_and_messages(mini_root: Path) -> None:
    result = run_round("mini", mini_root)
    issues = export.issues_table(result)
    issues.loc[0, ["message", "value", "level"]] = [SCRIPT, IMG, "error"]
    page = export.render_report(result, issues, export.source_counts(result),
                                export.cleaning_log(result))
    assert SCRIPT not in page and IMG not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page
    assert "<script" not in page
