"""Adversarial input corpus: nothing lost, nothing unsafe (issue 8, input side).

Each case builds a real file (openpyxl, raw bytes), runs the real pipeline or CLI, and
asserts the outcome: refused with a message naming file/row/column (exit 2, no outputs,
raw files unchanged), or accepted with the right counts for every (file, form).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from adversarial import (
    A_ROWS,
    ORGS,
    add_source,
    bomb_xlsx,
    digest,
    district_book,
    district_row,
    kobo_sheet,
    mini,
    only_sources,
    run_cli_measured,
)
from conftest import A_HEADER
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from danvan_survey.cli import app
from danvan_survey.config import clean_dir, raw_dir, reports_dir
from danvan_survey.errors import InputError
from danvan_survey.export import cleaning_log, issues_table, source_counts
from danvan_survey.paths import check_output_dir
from danvan_survey.pipeline import run_round


def _run(root: Path, round_id: str = "mini") -> tuple[int, str]:
    res = CliRunner().invoke(
        app, ["run", "--round", round_id, "--root", str(root), "--no-analyse"]
    )
    assert "Traceback" not in res.output
    return res.exit_code, " ".join(res.output.split())


def _refused(root: Path, *expected: str, round_id: str = "mini") -> str:
    """Run the CLI; assert exit 2, the message parts, no outputs, raw files unchanged."""
    raw = root / "data" / "raw"
    before = digest(raw)
    code, out = _run(root, round_id)
    assert code == 2, out
    for text in expected:
        assert text in out, (text, out)
    assert not (root / "data" / "clean").exists()  # nothing half-done
    assert digest(raw) == before
    return out


def _accounted(result) -> pd.DataFrame:
    """Nothing lost: for every (file, form), read = clean + quarantined + duplicates."""
    counts = source_counts(result)
    total = counts["clean"] + counts["quarantined"] + counts["duplicates"]
    assert (counts["read"] == total).all(), counts
    for form, outcome in result.outcomes.items():
        assert len(outcome.clean) + len(outcome.quarantine) + len(outcome.duplicates) == int(
            counts.loc[counts["form"] == form, "read"].sum()
        )
    return counts.set_index(["source_file", "form"])


# ------------------------------------------------------------------ hidden sheets
def test_hidden_first_sheet_is_never_read(tmp_path):
    folder = mini(tmp_path)
    wb = Workbook()
    stale = wb.active
    stale.title = "Nhap cu"
    kobo_sheet(stale, [[*r[:6], "hnd", *r[7:]] for r in A_ROWS * 3])  # 18 stale records
    stale.sheet_state = "hidden"
    kobo_sheet(wb.create_sheet("Du lieu"))  # the 6 real ones
    wb.save(folder / "a.xlsx")
    only_sources(folder, ["{file: a.xlsx, kind: kobo_xlsx, form: a}",
                          "{file: b.csv, kind: kobo_csv, form: b}"])
    result = run_round("mini", tmp_path)
    counts = _accounted(result)
    assert counts.loc[("a.xlsx", "a"), "read"] == 6
    out = result.outcomes["a"]
    read = pd.concat([out.clean, out.quarantine, out.duplicates])
    assert set(read["_source_sheet"]) == {"Du lieu"}
    hidden = [i for i in result.ingest.issues if i["rule"] == "hidden_sheet_ignored"]
    assert hidden and hidden[0]["sheet"] == "Nhap cu"


def test_several_visible_candidate_sheets_are_a_question(tmp_path):
    folder = mini(tmp_path)
    wb = Workbook()
    kobo_sheet(wb.active)
    wb.active.title = "Dot 1"
    kobo_sheet(wb.create_sheet("Dot 2"))
    wb.create_sheet("Ghi chu").append(["chỉ là ghi chú"])
    wb.save(folder / "a.xlsx")
    only_sources(folder, ["{file: a.xlsx, kind: kobo_xlsx, form: a}"])
    _refused(tmp_path, "a.xlsx", "“Dot 1”", "“Dot 2”", "sheet:")


def test_named_sheet_is_read_even_when_others_exist(tmp_path):
    folder = mini(tmp_path)
    wb = Workbook()
    kobo_sheet(wb.active)
    wb.active.title = "Dot 1"
    kobo_sheet(wb.create_sheet("Dot 2"), A_ROWS[:2])
    wb.save(folder / "a.xlsx")
    only_sources(folder, ["{file: a.xlsx, kind: kobo_xlsx, form: a, sheet: Dot 2}",
                          "{file: b.csv, kind: kobo_csv, form: b}"])
    assert _accounted(run_round("mini", tmp_path)).loc[("a.xlsx", "a"), "read"] == 2


# ------------------------------------------------------------------ merged cells, note rows
def test_commune_merged_over_organisation_rows_fills_every_row(tmp_path):
    folder = mini(tmp_path)
    rows = [district_row(i + 1, "Phan Hòa" if i == 0 else "", org) for i, org in enumerate(ORGS)]
    rows.append(district_row(6, "23038", "hnd"))
    wb = district_book(folder / "huyen.xlsx", rows)
    wb.active.merge_cells("B3:B7")  # commune written once for its five organisations
    wb.save(folder / "huyen.xlsx")
    only_sources(folder, ['{file: huyen.xlsx, kind: district_excel, form: a, '
                          'district_code: "596"}'])
    result = run_round("mini", tmp_path)
    counts = _accounted(result)
    assert counts.loc[("huyen.xlsx", "a"), "read"] == 6
    clean = result.outcomes["a"].clean
    assert sorted(clean.loc[clean["commune_code"] == "23035", "org_type"]) == sorted(ORGS)
    assert not [s for s in result.ingest.skipped_rows if s["reason"] == "note_row"]


def test_row_with_numbers_but_no_commune_is_an_error_not_a_note(tmp_path):
    folder = mini(tmp_path)
    rows = [district_row(1, "23035", "hnd"), district_row(2, "", "doan"),
            ["", "Ghi chú: số liệu sơ bộ"]]
    district_book(folder / "huyen.xlsx", rows)
    only_sources(folder, ['{file: huyen.xlsx, kind: district_excel, form: a, '
                          'district_code: "596"}'])
    result = run_round("mini", tmp_path)
    counts = _accounted(result)
    assert counts.loc[("huyen.xlsx", "a"), "read"] == 2
    q = result.outcomes["a"].quarantine
    assert q["_source_row"].tolist() == ["4"]
    issues = issues_table(result)
    err = issues[issues["rule"] == "no_name_with_numbers"]
    assert err["level"].tolist() == ["error"] and err["row"].tolist() == ["4"]
    assert "huyen.xlsx" in err["message"].iloc[0] and "Tong hop" in err["message"].iloc[0]
    notes = issues[issues["rule"] == "note_row"]
    assert notes["row"].tolist() == ["5"] and (notes["level"] == "info").all()
    assert notes["form"].tolist() == ["a"]  # the form of the sheet it was read from
    assert {s["form"] for s in result.ingest.skipped_rows} == {"a"}


# ------------------------------------------------------------------ formulas without value
def test_formula_without_cached_value_is_reported_per_cell(tmp_path):
    folder = mini(tmp_path)
    rows = [district_row(1, "23035", "hnd"), district_row(2, "23035", "doan")]
    wb = district_book(folder / "huyen.xlsx", rows)
    wb.active["I4"] = "=I3+10"  # openpyxl stores no computed value
    wb.save(folder / "huyen.xlsx")
    only_sources(folder, ['{file: huyen.xlsx, kind: district_excel, form: a, '
                          'district_code: "596"}'])
    result = run_round("mini", tmp_path)
    _accounted(result)
    found = [i for i in result.ingest.issues if i["rule"] == "formula_without_value"]
    assert len(found) == 1
    issue = found[0]
    assert (issue["file"], issue["sheet"], issue["row"]) == ("huyen.xlsx", "Tong hop", 4)
    assert "I4" in str(issue["message"]) and "=I3+10" in str(issue["message"])
    assert issue["variable"] == "members_total"  # the column's header


# ------------------------------------------------------------------ damaged CSV
def _a_lines() -> list[str]:
    """The mini round's a.csv as lines (header = line 1)."""
    return [";".join(A_HEADER), *(";".join(r) for r in A_ROWS)]


@pytest.mark.parametrize(
    "damage, line, what",
    [
        ("quote_closed_later", 3, "ngoặc kép"),
        ("quote_never_closed", 3, "ngoặc kép"),
        ("short_row", 4, "có 23 trường"),
        ("long_row", 5, "có 25 trường"),
    ],
)
def test_damaged_csv_is_refused_with_the_line(tmp_path, damage, line, what):
    folder = mini(tmp_path)
    lines = _a_lines()
    if damage == "quote_closed_later":
        lines[2] = lines[2].replace(";B;", ';"B;')
        lines[4] = lines[4].replace(";D;", ';D";')
    elif damage == "quote_never_closed":
        lines[2] = lines[2].replace(";B;", ';"B;')
    elif damage == "short_row":
        lines[3] = lines[3].rsplit(";", 1)[0]
    else:
        lines[4] = lines[4] + ";extra"
    (folder / "a.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _refused(tmp_path, "a.csv", f"dòng {line}", what)


def _ascii(text: str) -> str:
    """Vietnamese text without its marks ("Nguyễn Văn Đức" -> "Nguyen Van Duc")."""
    bare = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in bare if not unicodedata.combining(c))


def test_csv_in_a_windows_code_page_is_refused_with_the_first_bad_line(tmp_path):
    folder = mini(tmp_path)
    lines = [_ascii(line) for line in _a_lines()]
    lines[2] = lines[2].replace(";B;", ";Đông;")  # line 3: the first non-ASCII letter
    # Excel's "CSV (comma delimited)" on a Vietnamese Windows: code page 1258, not UTF-8
    (folder / "a.csv").write_bytes(("\n".join(lines) + "\n").encode("cp1258"))
    _refused(tmp_path, "a.csv", "không phải văn bản UTF-8 (dòng 3", "xuất lại dạng CSV UTF-8")


def test_csv_with_a_real_multiline_answer_is_read(tmp_path):
    folder = mini(tmp_path)
    lines = _a_lines()
    lines[1] = lines[1].replace(";Nguyễn Văn A;", ';"Nguyễn Văn A\nghi chú; thêm";')
    (folder / "a.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    counts = _accounted(run_round("mini", tmp_path))
    assert counts.loc[("a.csv", "a"), "read"] == 6


# ------------------------------------------------------------------ counts per file and form
def test_a_workbook_feeding_both_forms_is_counted_per_form(tmp_path):
    from danvan_survey.config import load_round
    from danvan_survey.forms.workbook import ROSTER_SHEET, build_workbooks

    folder = mini(tmp_path)
    # form B has no interview date: the option applies to the form-A records only
    add_source(folder, "{file: returned, kind: workbooks, form: a, "
                       "interview_date_from: period_end}")
    blank = build_workbooks(load_round("mini", tmp_path), tmp_path / "blank", ["23038"])
    (folder / "returned").mkdir()
    wb = load_workbook(blank[0])
    org = next(ws for ws in wb.worksheets if "Nông dân" in ws.title)
    draft = wb.copy_worksheet(org)  # a hidden draft copy with other numbers
    draft.title = "Ban nhap"
    draft.sheet_state = "hidden"
    for ws, members in ((org, 700), (draft, 9999)):
        for r in range(1, ws.max_row + 1):
            key = ws.cell(r, 5).value
            answer = {"members_total": members, "eligible_pop": 2000, "eligible_unit": "hộ",
                      "n_residential_areas": 8, "n_branches": 8,
                      "interview_date": "20/07/2014"}.get(key)
            if answer is not None:
                ws.cell(r, 3, answer)
    roster = wb[ROSTER_SHEET]
    cols = {roster.cell(1, c).value: c for c in range(1, roster.max_column + 1)}
    for i in range(3):  # three cadres typed into the first data rows
        roster.cell(6 + i, cols["cadre_id"], f"WB-{i}")
        roster.cell(6 + i, cols["birth_year"], 1970 + i)
        roster.cell(6 + i, cols["org_type"], "hnd")
    wb.save(folder / "returned" / blank[0].name)
    result = run_round("mini", tmp_path)
    counts = _accounted(result)
    name = f"returned/{blank[0].name}"
    assert counts.loc[(name, "a"), "read"] == 1
    assert counts.loc[(name, "b"), "read"] == 3
    a = result.outcomes["a"]
    both = pd.concat([a.clean, a.quarantine]).set_index("record_key")
    rec = both.loc["mini|23038|hnd"]
    assert rec["members_total"] == 700  # the visible sheet, never the hidden draft
    issues = issues_table(result)
    hidden = issues[issues["rule"] == "workbook_hidden_sheet_ignored"]
    assert "Ban nhap" in " ".join(hidden["message"]) and (hidden["level"] == "warning").all()
    dup = cleaning_log(result)
    assert not (dup["rule"].eq("duplicate_key") & dup["record_key"].eq("mini|23038|hnd")).any()


# ------------------------------------------------------------------ paths
def test_round_id_with_a_path_is_refused_before_anything_is_touched(tmp_path):
    mini(tmp_path)
    other = tmp_path / "data" / "raw" / "x"
    other.mkdir()
    (other / "tra_ve.csv").write_text("một tệp thô của đợt khác\n", encoding="utf-8")
    before = digest(tmp_path / "data")
    for bad in ("../../data/raw/x", "../raw/x", "mini/..", "x y", "/tmp"):
        code, out = _run(tmp_path, bad)
        assert code == 2 and "không hợp lệ" in out, out
    assert digest(tmp_path / "data") == before
    assert not (tmp_path / "data" / "clean").exists()
    for fn in (raw_dir, clean_dir, reports_dir, run_round):
        with pytest.raises(InputError):
            fn("../../data/raw/x", tmp_path)


def test_output_dir_inside_raw_is_refused(tmp_path):
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    with pytest.raises(InputError, match="data/raw"):
        check_output_dir(raw / "x", raw)
    check_output_dir(tmp_path / "data" / "clean" / "x", raw)


def test_source_outside_the_round_folder_is_refused(tmp_path):
    folder = mini(tmp_path)
    (tmp_path / "secret.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    add_source(folder, "{file: ../../../secret.csv, kind: kobo_csv, form: a}")
    _refused(tmp_path, "../../../secret.csv", "ngoài thư mục đợt")


def test_symlink_leading_outside_is_refused(tmp_path):
    folder = mini(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "a.csv").write_bytes((folder / "a.csv").read_bytes())
    (folder / "a.csv").unlink()
    (folder / "a.csv").symlink_to(outside / "a.csv")
    _refused(tmp_path, "a.csv", "ngoài thư mục đợt")


def test_symlinked_workbook_is_refused_and_reported(tmp_path):
    folder = mini(tmp_path)
    add_source(folder, "{file: returned, kind: workbooks, form: a}")
    (folder / "returned").mkdir()
    wb = Workbook()
    wb.save(tmp_path / "outside.xlsx")
    (folder / "returned" / "xa.xlsx").symlink_to(tmp_path / "outside.xlsx")
    result = run_round("mini", tmp_path)
    _accounted(result)
    refused = [i for i in result.ingest.refused if i["kind"] == "outside_round"]
    assert [r["file"] for r in refused] == ["xa.xlsx"]


# ------------------------------------------------------------------ printing, crashes
def test_user_text_is_printed_literally(tmp_path):
    folder = mini(tmp_path)
    add_source(folder, "{file: 'x[/red][bold]y.csv', kind: kobo_csv, form: a}")
    out = _refused(tmp_path, "x[/red][bold]y.csv")
    assert "Không tìm thấy tệp nguồn" in out


def test_unexpected_error_names_step_and_input_and_writes_a_log(tmp_path):
    folder = mini(tmp_path)
    (folder / "design.csv").unlink()
    (folder / "design.csv").mkdir()  # a folder where a file is expected: not foreseen
    before = digest(tmp_path / "data" / "raw")
    code, out = _run(tmp_path)
    assert code == 1
    assert "Lỗi không mong đợi" in out and "mini" in out and "Làm sạch" in out
    log = Path(out.split("ghi vào tệp ")[1].split(";")[0].strip())
    assert log.is_file() and "Traceback" in log.read_text(encoding="utf-8")
    assert "data/raw" not in str(log)
    assert not (tmp_path / "data" / "clean").exists()
    assert digest(tmp_path / "data" / "raw") == before


# ------------------------------------------------------------------ unbounded resources
def _kobo_with(tmp_path: Path, build) -> Path:
    folder = mini(tmp_path)
    wb = Workbook()
    kobo_sheet(wb.active)
    build(wb)
    wb.save(folder / "a.xlsx")
    only_sources(folder, ["{file: a.xlsx, kind: kobo_xlsx, form: a}",
                          "{file: b.csv, kind: kobo_csv, form: b}"])
    return folder


@pytest.mark.parametrize(
    "case, expected",
    [
        ("stray_cell", "XFD1048576"),
        ("zip_bomb", "nén bất thường"),
    ],
)
def test_excel_bombs_are_refused_in_bounded_memory(tmp_path, case, expected):
    if case == "stray_cell":
        _kobo_with(tmp_path, lambda wb: wb.active.cell(1048576, 16384, "x"))
    else:
        folder = mini(tmp_path)
        bomb_xlsx(folder / "a.xlsx", mb=120)
        only_sources(folder, ["{file: a.xlsx, kind: kobo_xlsx, form: a}"])
    before = digest(tmp_path / "data" / "raw")
    code, rss, out = run_cli_measured(
        ["run", "--round", "mini", "--root", str(tmp_path), "--no-analyse"], cap_gb=2
    )
    assert code == 2, out
    flat = " ".join(out.split())
    assert expected in flat and "a.xlsx" in flat and "Traceback" not in out
    assert rss < 500, rss
    assert not (tmp_path / "data" / "clean").exists()
    assert digest(tmp_path / "data" / "raw") == before


def test_declared_extent_alone_is_harmless_only_used_cells_count(tmp_path):
    import zipfile

    folder = _kobo_with(tmp_path, lambda wb: None)
    book = folder / "a.xlsx"
    with zipfile.ZipFile(book) as src:
        parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    declared = parts[sheet].split(b'<dimension ref="')[1].split(b'"')[0]
    parts[sheet] = parts[sheet].replace(declared, b"A1:XFD1048576", 1)
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    counts = _accounted(run_round("mini", tmp_path))
    assert counts.loc[("a.xlsx", "a"), "read"] == 6


@pytest.mark.slow
def test_roster_value_in_the_last_excel_row_refuses_that_workbook_only(tmp_path):
    from danvan_survey.config import load_round
    from danvan_survey.forms.workbook import build_workbooks

    folder = mini(tmp_path)
    add_source(folder, "{file: returned, kind: workbooks, form: b}")
    blank = build_workbooks(load_round("mini", tmp_path), tmp_path / "blank", ["23035"])
    (folder / "returned").mkdir()
    wb = load_workbook(blank[0])
    from danvan_survey.forms.workbook import ROSTER_SHEET

    roster = wb[ROSTER_SHEET]
    roster.cell(1048576, 2, "lạc")
    wb.save(folder / "returned" / blank[0].name)
    code, rss, out = run_cli_measured(
        ["run", "--round", "mini", "--root", str(tmp_path), "--no-analyse"], cap_gb=2
    )
    assert code == 0, out
    assert rss < 500, rss
    issues = pd.read_csv(clean_dir("mini", tmp_path) / "validation_issues.csv", dtype=str)
    refused = issues[issues["rule"] == "workbook_too_large"]
    assert len(refused) == 1 and "B1048576" in refused["message"].iloc[0]
    assert "5.000 dòng" in refused["message"].iloc[0]


def test_limits_come_from_the_config_file(tmp_path, monkeypatch):
    from danvan_survey.safe_xlsx import LIMITS_FILE

    limits = tmp_path / "limits.yaml"
    limits.write_text(LIMITS_FILE.read_text(encoding="utf-8").replace(
        "max_rows: 500000", "max_rows: 5"), encoding="utf-8")
    monkeypatch.setenv("DANVAN_LIMITS", str(limits))
    _kobo_with(tmp_path, lambda wb: None)  # header + 6 rows = 7 rows > 5
    _refused(tmp_path, "a.xlsx", "C6", "quá giới hạn 5 dòng", "limits.yaml")


# ------------------------------------------------------------------ real district sheets
def _one_org_sheet(tmp_path: Path, extra: str) -> Path:
    folder = mini(tmp_path)
    header = ["STT", "Xã/phường/thị trấn", "n_residential_areas", "n_branches", "eligible_pop",
              "eligible_unit", "members_total", "branches_met_on_schedule",
              "branches_silent_6m", "rating_last_year"]
    rows = [[i + 1, c, 10, 10, 1000, "household", 600, 8, 1, 2]
            for i, c in enumerate(["23035", "23038", "Phan Hiệp"])]
    district_book(folder / "hnd.xlsx", rows, title="TH — HỘI NÔNG DÂN", header=header)
    only_sources(folder, ['{file: hnd.xlsx, kind: district_excel, form: a, '
                          f'district_code: "596"{extra}}}'])
    return folder


def test_sheet_of_one_organisation_without_dates_uses_stated_values(tmp_path):
    _one_org_sheet(tmp_path, ", values: {org_type: hnd}, interview_date_from: period_end")
    result = run_round("mini", tmp_path)
    counts = _accounted(result)
    assert counts.loc[("hnd.xlsx", "a"), "read"] == 3
    clean = result.outcomes["a"].clean
    assert len(clean) == 3 and set(clean["org_type"]) == {"hnd"}
    assert {str(d.date()) for d in clean["interview_date"]} == {"2014-09-30"}
    log = cleaning_log(result)
    filled = log[log["rule"].isin(["source_value", "interview_date_period_end"])]
    assert (filled["action"] == "filled").all()
    by_rule = filled.groupby("rule")["record_key"].apply(sorted).to_dict()
    keys = sorted(clean["record_key"])
    assert by_rule == {"interview_date_period_end": keys, "source_value": keys}


def test_sheet_of_one_organisation_without_values_is_refused_with_the_hint(tmp_path):
    _one_org_sheet(tmp_path, "")
    _refused(tmp_path, "hnd.xlsx", "org_type", "values: {org_type: hnd}")


def test_bad_period_option_and_unknown_constant_are_refused(tmp_path):
    _one_org_sheet(tmp_path, ", interview_date_from: today")
    _refused(tmp_path, "interview_date_from", "period_end")
    other = tmp_path / "b"
    _one_org_sheet(other, ", values: {org_typ: hnd}")
    _refused(other, "org_typ", "org_type")
