"""Data rules at their boundaries: corrections that match nothing, same-time duplicates,
out-of-range numbers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import A_HEADER, A_ROWS, write_mini_round

from danvan_survey.codebook import load_codebook
from danvan_survey.export import issues_table, source_counts
from danvan_survey.pipeline import run_round
from danvan_survey.validate import read_corrections

CORRECTIONS = (
    # line 2: applied (form A)
    "mini|23035|hccb,members_total,,250,change,ok\n"
    # line 3: refused (stale old value)
    "mini|23035|hnd,members_total,123,456,change,stale\n"
    # line 4: unknown key
    "mini|99999|hnd,members_total,,5,change,no such commune\n"
    # line 5: known key, unknown variable
    "mini|23035|hnd,members_totl,,5,change,typo\n"
    # line 6: unknown action
    "mini|23035|hnd,members_total,900,5,chnage,typo\n"
    # line 7: applied (form B)
    "mini|B-1,birth_year,1970,1971,change,ok\n"
    # line 8: a form-B key with a form-A variable
    "mini|B-2,members_total,,5,change,wrong form\n"
)


def _correction_issues(result) -> pd.DataFrame:
    issues = issues_table(result)
    return issues[issues["rule"].str.startswith("correction")]


def test_every_correction_line_ends_applied_refused_or_reported(tmp_path: Path) -> None:
    write_mini_round(tmp_path, corrections=CORRECTIONS)
    result = run_round("mini", tmp_path)
    issues = _correction_issues(result)
    by_line = {
        int(m.split("dòng ")[1].split(":")[0]): r
        for m, r in zip(issues["message"], issues["rule"], strict=True)
    }
    assert by_line == {
        3: "correction_refused",
        4: "correction_unmatched",
        5: "correction_unknown_variable",
        6: "correction_bad_action",
        8: "correction_unknown_variable",
    }
    unmatched = issues[issues["rule"] == "correction_unmatched"].iloc[0]
    assert unmatched["file"] == "corrections.csv" and unmatched["row"] == "4"
    assert unmatched["record_key"] == "mini|99999|hnd" and "record_key" in unmatched["message"]
    bad = issues[issues["rule"] == "correction_bad_action"].iloc[0]
    assert "chnage" in bad["message"] and "change, blank, remove hoặc accept" in bad["message"]
    a = result.outcomes["a"].clean.set_index("org_type")
    assert a.loc["hccb", "members_total"] == 250 and a.loc["hnd", "members_total"] == 900
    b = result.outcomes["b"].clean.set_index("cadre_id")
    assert b.loc["B-1", "birth_year"] == 1971


def test_bad_action_no_longer_refuses_the_whole_file(tmp_path: Path) -> None:
    folder = write_mini_round(tmp_path, corrections="mini|23035|hnd,x,,1,explode,\n")
    assert len(read_corrections(folder / "corrections.csv")) == 1


def test_corrections_all_matching_give_no_warning(tmp_path: Path) -> None:
    write_mini_round(tmp_path, corrections=CORRECTIONS.splitlines(keepends=True)[0])
    assert _correction_issues(run_round("mini", tmp_path)).empty


# ------------------------------------------------------------------ same-time duplicates


def _with(row: list[str], **values: str) -> list[str]:
    out = dict(zip(A_HEADER, row, strict=True))
    out.update(values)
    return [out[h] for h in A_HEADER]


def _tie_round(tmp_path: Path, second: list[list[str]]) -> Path:
    folder = write_mini_round(tmp_path)
    pd.DataFrame(second, columns=A_HEADER).to_csv(folder / "a2.csv", sep=";", index=False)
    yaml = (folder / "round.yaml").read_text(encoding="utf-8")
    yaml = yaml.replace(
        "  - {file: b.csv", "  - {file: a2.csv, kind: kobo_csv, form: a}\n  - {file: b.csv"
    )
    (folder / "round.yaml").write_text(yaml, encoding="utf-8")
    return folder


def test_same_time_returns_that_disagree_keep_the_last_read_and_warn(tmp_path: Path) -> None:
    hccb = A_ROWS[5]  # hccb, submitted 2014-07-06T10:00:00, members_total -9
    _tie_round(
        tmp_path,
        [
            _with(hccb, **{"grp_members/members_total": "280", "_uuid": "t1"}),
            _with(hccb, **{"grp_members/members_total": "290", "grp_rating/rating_last_year": "2",
                           "_uuid": "t2"}),
        ],
    )
    result = run_round("mini", tmp_path)
    kept = result.outcomes["a"].clean.set_index("org_type").loc["hccb"]
    assert kept["members_total"] == 290 and str(kept["_source_row"]) == "3"  # last read wins
    counts = source_counts(result).set_index("source_file")
    assert counts.loc["a2.csv", "duplicates"] == 1 and counts.loc["a.csv", "duplicates"] == 2
    issues = issues_table(result)
    conflict = issues[issues["rule"] == "duplicate_conflict"]
    assert len(conflict) == 1
    row = conflict.iloc[0]
    assert row["level"] == "warning" and row["record_key"] == "mini|23035|hccb"
    assert set(row["variable"].split()) == {"members_total", "rating_last_year", "rating_label_raw"}
    assert "a.csv dòng 7" in row["message"] and "a2.csv dòng 2" in row["message"]
    assert "a2.csv dòng 3" in row["message"]  # the kept one


def test_same_time_identical_returns_are_plain_duplicates(tmp_path: Path) -> None:
    _tie_round(tmp_path, [_with(A_ROWS[5], _uuid="t1")])
    result = run_round("mini", tmp_path)
    assert "duplicate_conflict" not in set(issues_table(result)["rule"])
    assert source_counts(result).set_index("source_file").loc["a.csv", "duplicates"] == 2


def test_different_times_keep_the_latest_without_conflict(tmp_path: Path) -> None:
    _tie_round(
        tmp_path,
        [_with(A_ROWS[5], **{"grp_members/members_total": "280",
                             "_submission_time": "2014-07-05T10:00:00"})],
    )
    result = run_round("mini", tmp_path)
    kept = result.outcomes["a"].clean.set_index("org_type").loc["hccb"]
    assert kept["_source_file"] == "a.csv"
    assert "duplicate_conflict" not in set(issues_table(result)["rule"])


# ------------------------------------------------------------------ out of range


@pytest.mark.parametrize("text", ["1e308", "-1e308", "1e400", "9007199254740993", "1e16"])
def test_out_of_range_integer_is_a_cell_error(text: str) -> None:
    from danvan_survey.clean import converter

    cb = load_codebook()
    result = converter(cb.var("a", "members_total"), cb)(text)
    assert result.value is None and result.error is not None
    assert text in result.error and "members_total" in result.error


@pytest.mark.parametrize(("text", "value"), [("9007199254740991", 9007199254740991), ("12", 12)])
def test_in_range_integer_is_kept(text: str, value: int) -> None:
    from danvan_survey.clean import converter

    cb = load_codebook()
    assert converter(cb.var("a", "members_total"), cb)(text).value == value


def test_infinite_decimal_is_a_cell_error() -> None:
    from danvan_survey.clean import converter

    cb = load_codebook()
    result = converter(cb.var("a", "attendance_pct"), cb)("1e400")
    assert result.value is None and "1e400" in str(result.error)


# ------------------------------------------------------------------ nothing to estimate


def _old_round_ids(folder: Path, form: str) -> None:
    """Records copied from another round: every one of them keeps the old round id."""
    path = folder / f"{form}.csv"
    frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    frame["grp_general/round_id"] = "dot-cu"
    frame.to_csv(path, sep=";", index=False)


@pytest.mark.parametrize("form", ["b", "a"])
def test_a_form_without_clean_record_keeps_the_run_whole(tmp_path: Path, form: str) -> None:
    from danvan_survey.cli import run_pipeline
    from danvan_survey.config import clean_dir
    from danvan_survey.estimate import ESTIMATE_COLUMNS

    folder = write_mini_round(tmp_path)
    _old_round_ids(folder, form)
    outputs = run_pipeline("mini", tmp_path, analyse=True)
    out = clean_dir("mini", tmp_path)
    for name in ("organisations.csv", "cadres.csv", "quarantine.csv", "validation_report.html",
                 "weak_organisations.xlsx", "indicators_org.parquet", "estimates.parquet",
                 "analysis_notes.csv"):
        assert (out / name).is_file() and name in outputs, name
    estimates = pd.read_parquet(out / "estimates.parquet")
    assert list(estimates.columns) == ESTIMATE_COLUMNS
    notes = pd.read_csv(out / "analysis_notes.csv", dtype=str)
    table = {"a": "organisations", "b": "cadres"}[form]
    assert notes["table"].tolist() == [table] and notes["rule"].tolist() == ["no_clean_records"]
    assert f"Phiếu {form.upper()} không có bản ghi sạch nào" in notes["message"].iloc[0]
    if form == "b":
        assert len(estimates) and (estimates["n"] == 0).all()
