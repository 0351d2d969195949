"""Returned commune workbooks flow through the same pipeline as Kobo exports."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from conftest import write_mini_round
from openpyxl import load_workbook

from danvan_survey.cli import run_pipeline
from danvan_survey.config import clean_dir, load_round
from danvan_survey.forms.workbook import build_workbooks

pytestmark = pytest.mark.slow


def _fill(ws, answers: dict[str, object]) -> None:
    """Type answers into the answer column of the rows whose hidden key matches."""
    for r in range(1, ws.max_row + 1):
        key = ws.cell(r, 5).value
        if key in answers:
            ws.cell(r, 3, answers[key])


def _sheet(wb, marker: str):
    return next(ws for ws in wb.worksheets if marker in ws.title)


def test_workbooks_are_cleaned_validated_and_refusals_reported(tmp_path):
    folder = write_mini_round(tmp_path)
    cfg_text = (folder / "round.yaml").read_text(encoding="utf-8")
    (folder / "round.yaml").write_text(
        cfg_text + "  - {file: returned, kind: workbooks, form: a}\n", encoding="utf-8"
    )
    cfg = load_round("mini", tmp_path)
    blank = build_workbooks(cfg, tmp_path / "blank", commune_codes=["23038", "23041"])
    returned = folder / "returned"
    returned.mkdir()
    wb = load_workbook(blank[0])  # 23038 Phan Thanh: labels typed, Vietnamese numbers
    _fill(
        _sheet(wb, "Nông dân"),
        {
            "n_residential_areas": 8,
            "n_branches": "8",
            "eligible_pop": "2.500",
            "eligible_unit": "hộ",
            "members_total": "1.900",
            "rating_last_year": "Yếu, kém / Không hoàn thành nhiệm vụ",
            "has_annual_plan": "Không",
            "interview_date": "20/07/2014",
        },
    )
    wb.save(returned / "phan thanh gui lai.xlsx")
    other = load_workbook(blank[1])  # 23041's workbook renamed as if it were 23038's
    other.save(returned / blank[0].name)
    run_pipeline("mini", tmp_path, analyse=False)
    out = clean_dir("mini", tmp_path)
    org = pd.read_parquet(out / "organisations.parquet").set_index("record_key")
    rec = org.loc["mini|23038|hnd"]
    assert (rec["eligible_pop"], rec["members_total"], rec["eligible_unit"]) == (
        2500,
        1900,
        "household",
    )
    assert (rec["rating_last_year"], rec["has_annual_plan"]) == (4, 0)
    assert str(rec["interview_date"].date()) == "2014-07-20"
    issues = pd.read_csv(out / "validation_issues.csv", dtype=str)
    refused = issues[issues["rule"].str.startswith("workbook_")]
    assert blank[0].name in " ".join(refused["file"]) and (refused["level"] == "error").all()
    assert "mini|23041" not in " ".join(org.index)  # nothing from the refused file
    html = (out / "validation_report.html").read_text(encoding="utf-8")
    assert "bị từ chối" in html
    shutil.rmtree(tmp_path / "blank")
