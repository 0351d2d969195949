"""Nothing unsafe to open: formula injection, HTML injection and control characters.

A small round is seeded with hostile text in every place a user can put text (cell
values, free text, ids, an unknown header, the round title, a source file name, a
correction's new value); every CSV, XLSX and HTML the run writes is then scanned.
"""

from __future__ import annotations

import csv
import re
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import A_HEADER, A_ROWS, B_HEADER, B_ROWS, write_mini_round
from hypothesis import given, settings
from hypothesis import strategies as st

from danvan_survey import export
from danvan_survey.cli import run_pipeline
from danvan_survey.config import clean_dir
from danvan_survey.export import FORMULA_PREFIXES, formula_safe, neutralise, write_csv
from danvan_survey.pipeline import run_round

FORMULAS = [
    "=HYPERLINK(\"http://x\",\"bấm\")",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
HTML = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>"]
SAFE_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "b", "code",
             "table", "tr", "th", "td", "ul", "li", "details", "summary"}
CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
BAD_FILE = "<img src=x onerror=alert(3)>=1+1.csv"


class _Tags(HTMLParser):
    """Every start tag and attribute name of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs.update(name for name, _ in attrs)


def live_html(page: str) -> set[str]:
    """Tags outside the report's own markup and event-handler attributes (``on…``)."""
    parser = _Tags()
    parser.feed(page)
    return (parser.tags - SAFE_TAGS) | {a for a in parser.attrs if a.startswith("on")}


def unsafe(text: str) -> bool:
    """A spreadsheet would run ``text`` as a formula (plain numbers are fine)."""
    return text.startswith(FORMULA_PREFIXES) and neutralise(text) != text


# ------------------------------------------------------------------ the rule


@pytest.mark.parametrize("payload", FORMULAS)
def test_neutralise_prefixes_formulas_and_is_reversible(payload: str) -> None:
    out = neutralise(payload)
    assert out == "'" + payload and out[1:] == payload


@pytest.mark.parametrize("text", ["-9", "+84", "-1,5", "-2.5e3", "12", "Xã A", "1-2", ""])
def test_neutralise_leaves_numbers_and_plain_text(text: str) -> None:
    assert neutralise(text) == text


def test_leading_apostrophe_is_escaped_so_one_strip_restores_it() -> None:
    assert neutralise("'=x") == "''=x" and neutralise("'abc") == "''abc"
    for original in ["'=x", "=x", "'abc", "abc", "-9"]:
        shown = neutralise(original)
        assert (shown[1:] if shown.startswith("'") else shown) == original


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("'=+-@\t\r019.,eE xÃ<>"), max_size=8))
def test_neutralise_property(text: str) -> None:
    out = neutralise(text)
    assert not unsafe(out)  # nothing a spreadsheet would run
    assert (out[1:] if out.startswith("'") else out) == text  # one strip restores it
    assert out == text or out == "'" + text


def test_formula_safe_keeps_numbers_numeric() -> None:
    frame = pd.DataFrame({"t": ["=1", "-x", None, "-3"], "n": [-1.0, -2.0, 3.0, None]})
    out = formula_safe(frame)
    assert out["t"].tolist()[:2] == ["'=1", "'-x"] and out["t"].iloc[3] == "-3"
    assert pd.isna(out["t"].iloc[2])
    assert out["n"].dtype == "float64" and out["n"].iloc[0] == -1.0


def test_control_characters_left_in_text_are_shown_not_written(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": ["x\x00y", "a\u202eb", "dòng 1\ndòng 2\tcột"]})
    assert formula_safe(frame)["a"].tolist()[:2] == ["x\\x00y", "a\\u202eb"]
    write_csv(frame, tmp_path / "c.csv")
    rows = list(csv.reader((tmp_path / "c.csv").open(encoding="utf-8-sig", newline="")))
    assert [r[0] for r in rows[1:]] == ["x\\x00y", "a\\u202eb", "dòng 1\ndòng 2\tcột"]


def test_write_csv_neutralises_text_but_not_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"=h": ["=1+1", "ok", "-9"], "n": pd.array([-1, 2, None], dtype="Int64"),
         "c": pd.Categorical(["@x", "y", "@x"])}
    )
    write_csv(frame, tmp_path / "x.csv")
    rows = list(csv.reader((tmp_path / "x.csv").open(encoding="utf-8-sig")))
    assert rows[0] == ["'=h", "n", "c"]
    assert rows[1] == ["'=1+1", "-1", "'@x"] and rows[3] == ["-9", "", "'@x"]


# ------------------------------------------------------------------ a hostile round


def _a_row(template: list[str], **values: str) -> list[str]:
    row = dict(zip(A_HEADER, template, strict=True))
    for key, value in values.items():
        row[key] = value
    return [row[h] for h in A_HEADER]


def write_hostile_round(root: Path) -> Path:
    """The mini round plus payloads in every text field, a header, the title, a file name."""
    folder = write_mini_round(
        root,
        corrections=(
            "mini|23035|doan,proposals,-2+3+cmd|' /C calc'!A0,"
            "\"=HYPERLINK(\"\"http://x\"\")\",change,<script>c()</script>\n"
            "mini|<script>k()</script>,members_total,,5,change,\n"
        ),
    )
    header = [*A_HEADER, "grp_x/proposals", "grp_x/dvk_model_names", HTML[0] + "\x00\u202e",
              "=HDR()"]
    rows = []
    for i, row in enumerate(A_ROWS):
        extra = [FORMULAS[i % len(FORMULAS)] + "\x00", HTML[i % 2], "x", "y"]
        rows.append(row + extra)
    rows.append(
        _a_row(A_ROWS[0], **{"grp_general/commune_code": HTML[1],
                             "grp_general/org_type": "=org()",
                             "grp_members/members_total": "1e308",
                             "_uuid": "@uuid", "_submission_time": "2014-07-09T00:00:00"})
        + ["=p()", "-m()", "z", "w"]
    )
    rows.append(
        _a_row(A_ROWS[0], **{"grp_general/org_type": "mttq",
                             "grp_general/commune_code": "23035",
                             "grp_rating/rating_last_year": HTML[0],
                             "grp_meetings/meeting_content": "=x()",
                             "_uuid": "u9", "_submission_time": "2014-07-09T00:00:00"})
        + ["Đề xuất\x00\x07 <b>đậm</b>", "Mô hình \u202eđảo", "", ""]
    )
    (folder / "a.csv").unlink()
    pd.DataFrame(rows, columns=header).to_csv(
        folder / BAD_FILE, sep=";", index=False, quoting=csv.QUOTE_ALL
    )
    b_rows = [r.copy() for r in B_ROWS]
    b_rows[0][4] = "=1+2"
    b_rows[1][4] = HTML[1]
    pd.DataFrame(b_rows, columns=B_HEADER).to_csv(
        folder / "b.csv", sep=";", index=False, quoting=csv.QUOTE_ALL
    )
    yaml = (folder / "round.yaml").read_text(encoding="utf-8")
    yaml = yaml.replace(
        'title: "Đợt thử nghiệm nhỏ (DỮ LIỆU MÔ PHỎNG)"',
        "title: '=1+1 <script>t()</script><img src=x onerror=alert(4)>'",
    ).replace("file: a.csv", f"file: '{BAD_FILE}'")
    (folder / "round.yaml").write_text(yaml, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def hostile_outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import os

    os.environ.setdefault("DANVAN_SALT", "test-salt")
    root = tmp_path_factory.mktemp("hostile")
    write_hostile_round(root)
    run_pipeline("mini", root, analyse=True)
    return clean_dir("mini", root)


def _csv_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def _xlsx_cells(path: Path) -> list[object]:
    book = openpyxl.load_workbook(path)
    cells = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{path.name}!{cell.coordinate} is a formula"
                cells.append(cell.value)
    return cells


def test_every_csv_and_xlsx_output_is_formula_safe(hostile_outputs: Path) -> None:
    csvs = sorted(hostile_outputs.glob("*.csv"))
    xlsxs = sorted(hostile_outputs.glob("*.xlsx"))
    names = {p.name for p in csvs + xlsxs}
    assert {"organisations.csv", "cadres.csv", "quarantine.csv", "cleaning_log.csv",
            "validation_issues.csv", "source_counts.csv", "weak_organisations.csv",
            "weak_organisations.xlsx", "dvk_models.csv", "indicators_org.csv"} <= names
    seen = ""
    for path in csvs:
        cells = _csv_cells(path)
        bad = [c for c in cells if unsafe(c)]
        assert not bad, f"{path.name}: {bad[:3]}"
        assert not any(CONTROL.search(c) or "\u202e" in c for c in cells), path.name
        seen += "\n".join(cells)
    for path in xlsxs:
        cells = [c for c in _xlsx_cells(path) if isinstance(c, str)]
        assert not [c for c in cells if unsafe(c)], path.name
    # the payloads did reach the outputs, neutralised (so the scan above can fail)
    for needle in ("'=HYPERLINK", "'+cmd", "'-2+3", "'@SUM", "'=1+2", "'=org()", "'=HDR()",
                   "'@uuid", "'=x()"):
        assert needle in seen, needle


def test_correction_new_value_is_neutralised_in_the_log(hostile_outputs: Path) -> None:
    log = pd.read_csv(hostile_outputs / "cleaning_log.csv", dtype=str, keep_default_na=False)
    row = log[log["rule"] == "analyst_correction:change"]
    assert row["new_value"].tolist() == ["'=HYPERLINK(\"http://x\")"]
    quarantine = pd.read_csv(hostile_outputs / "quarantine.csv", dtype=str)
    assert "'=HYPERLINK(\"http://x\")" in set(quarantine["proposals"])
    clean = pd.read_parquet(hostile_outputs / "organisations.parquet")
    # Parquet keeps original values untouched
    assert "=HYPERLINK(\"http://x\",\"bấm\")" in set(clean["proposals"])


def test_validation_report_holds_no_live_html(hostile_outputs: Path) -> None:
    html = (hostile_outputs / "validation_report.html").read_text(encoding="utf-8")
    assert not live_html(html)
    assert not CONTROL.search(html) and "\u202e" not in html
    assert "\\x00\\u202e" in html  # shown, not hidden: the header had them
    # each payload place is present, escaped: title, file name, commune value, message,
    # unknown header
    assert "&lt;script&gt;t()&lt;/script&gt;" in html  # round title
    assert "&lt;img src=x onerror=alert(3)&gt;=1+1.csv" in html  # file name
    assert "&lt;img src=x onerror=alert(2)&gt;" in html  # commune value
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # header / rating message


def test_report_template_is_escaped_even_when_rendered_directly(mini_root: Path) -> None:
    result = run_round("mini", mini_root)
    issues = export.issues_table(result)
    issues.loc[0, "message"] = HTML[0]
    issues.loc[0, "level"] = "error"
    page = export.render_report(result, issues, export.source_counts(result),
                                export.cleaning_log(result))
    assert HTML[0] not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not live_html(page)
    assert live_html(HTML[1]) == {"img", "onerror"}  # the check itself can fail


def test_report_html_environment_autoescapes() -> None:
    source = Path(__file__).resolve().parents[1] / "danvan_survey" / "report" / "html.py"
    assert "autoescape=True" in source.read_text(encoding="utf-8")


def test_control_characters_are_removed_and_logged(hostile_outputs: Path) -> None:
    log = pd.read_csv(hostile_outputs / "cleaning_log.csv", dtype=str, keep_default_na=False)
    hits = log[log["rule"].str.contains("control_chars")]
    assert len(hits) >= 3
    assert hits["old_value"].str.contains(r"\x00", regex=False).any()  # shown, not raw
    clean = pd.read_parquet(hostile_outputs / "organisations.parquet")
    text = clean.select_dtypes(exclude="number").astype(object).to_string()
    assert not CONTROL.search(text) and "\u202e" not in text


def test_huge_number_in_integer_field_is_a_cell_error(hostile_outputs: Path) -> None:
    issues = pd.read_csv(hostile_outputs / "validation_issues.csv", dtype=str,
                         keep_default_na=False)
    hit = issues[(issues["variable"] == "members_total") & (issues["value"] == "1e308")]
    assert len(hit) == 1 and hit["level"].iloc[0] == "error"
    assert "members_total" in hit["message"].iloc[0] and "1e308" in hit["message"].iloc[0]


def test_hostile_round_loses_nothing(hostile_outputs: Path) -> None:
    counts = pd.read_csv(hostile_outputs / "source_counts.csv", dtype=str).set_index(
        "source_file"
    )
    for _, row in counts.iterrows():
        assert int(row["read"]) == (
            int(row["clean"]) + int(row["quarantined"]) + int(row["duplicates"])
        )


def test_title_text_is_not_a_formula_in_the_weak_list(hostile_outputs: Path) -> None:
    ws = openpyxl.load_workbook(hostile_outputs / "weak_organisations.xlsx").active
    assert ws["A2"].value.startswith("Đợt khảo sát: =1+1")
