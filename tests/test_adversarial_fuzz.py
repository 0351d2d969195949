"""Property-based fuzzing of the CSV and XLSX readers (issue 8).

Whatever bytes or cells arrive, the outcome is either a clean refusal (InputError with a
message naming the file) or a result where every record read is accounted for, per
(file, form); never another exception. Example counts are modest so the suite stays fast.
"""

from __future__ import annotations

import csv
import io
import os

import pandas as pd
from adversarial import a_csv_text, kobo_sheet, mini, only_sources
from conftest import A_HEADER, A_ROWS
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from danvan_survey.errors import InputError
from danvan_survey.export import source_counts
from danvan_survey.ingest import read_csv_text
from danvan_survey.pipeline import run_round

FUZZ = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
PIPELINE = settings(  # FUZZ_N=60 for a longer local hunt
    max_examples=int(os.environ.get("FUZZ_N", "6")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
SAFE = ["", "a", "é", "Phan Hòa", "23035", "hnd", "1.234", "=1+1", "-9", "x[/red]", " ", "\t",
        "\x1f"]
NASTY = [*SAFE, '"', ";", "\n", "\r\n", '""', ",", "\x00", "\r"]
N = len(A_HEADER)


def _line(kind: str, fields: list[str]) -> str:
    """One CSV record: plain (safe text), quoted by a real CSV writer, or raw (maybe broken)."""
    if kind == "quoted":
        out = io.StringIO()
        csv.writer(out, delimiter=";", lineterminator="\r\n").writerow(fields)
        return out.getvalue()[:-2]
    return ";".join(fields)


def _fields(pieces: list[str], lo: int, hi: int) -> st.SearchStrategy[list[str]]:
    text = st.lists(st.sampled_from(pieces), max_size=3).map("".join)
    return st.lists(text, min_size=lo, max_size=hi)


record = st.one_of(
    st.tuples(st.just("plain"), _fields(SAFE, N, N)),
    st.tuples(st.just("quoted"), _fields(NASTY, N, N)),
    st.tuples(st.just("raw"), _fields(NASTY, N - 2, N + 2)),
)


def _text(rows: list[tuple[str, list[str]]]) -> str:
    return ";".join(A_HEADER) + "\n" + "\n".join(_line(k, f) for k, f in rows) + "\n"


def _csv_records(text: str) -> list[list[str]]:
    """Records as Python's csv module reads them (blank lines skipped)."""
    return [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=";") if r]


def _accounted(result) -> pd.DataFrame:
    counts = source_counts(result)
    assert (counts["read"] == counts["clean"] + counts["quarantined"] + counts["duplicates"]).all()
    return counts.set_index(["source_file", "form"])


@FUZZ
@given(rows=st.lists(record, min_size=1, max_size=6))
def test_csv_reader_refuses_or_reads_every_record_unshifted(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("csv")
    text = _text(rows)
    path = folder / "a.csv"
    path.write_bytes(text.encode("utf-8"))
    legit = all(kind != "raw" for kind, _ in rows)
    try:
        frame = read_csv_text(path, "a.csv")
    except InputError as exc:
        assert not legit, exc  # a well-formed file is never refused
        assert "a.csv" in str(exc) and "dòng" in exc.message
        return
    expected = _csv_records(text)[1:]
    assert all(len(r) == N for r in expected)  # else it had to be refused
    assert frame.values.tolist() == expected  # same records, same fields: nothing shifted


@FUZZ
@given(data=st.binary(max_size=300))
def test_csv_reader_on_arbitrary_bytes(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("bytes")
    path = folder / "a.csv"
    path.write_bytes((";".join(A_HEADER) + "\n").encode() + data)
    try:
        frame = read_csv_text(path, "a.csv")
    except InputError as exc:
        assert "a.csv" in str(exc)
        return
    assert frame.shape[1] == N


@PIPELINE
@given(rows=st.lists(record, min_size=1, max_size=5), keep=st.integers(0, len(A_ROWS)))
def test_csv_round_is_refused_or_nothing_is_lost(tmp_path_factory, rows, keep):
    root = tmp_path_factory.mktemp("round")
    folder = mini(root)
    good = a_csv_text(A_ROWS[:keep]).rstrip("\n").split("\n")[1:]
    text = _text(rows).rstrip("\n") + "".join(f"\n{g}" for g in good) + "\n"
    (folder / "a.csv").write_bytes(text.encode("utf-8"))
    try:
        result = run_round("mini", root)
    except InputError as exc:
        assert "a.csv" in str(exc)
        event("refused")
        return
    event("accepted")
    counts = _accounted(result)
    assert counts.loc[("a.csv", "a"), "read"] == len(_csv_records(text)) - 1


CELL = st.one_of(
    st.none(),
    st.integers(-10**6, 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["", "23035", "Phan Hòa", "hnd", "Hội Nông dân", "1.234", "-9", "=A1+1",
                     "=SUM(", "x[/red]", "Tổng cộng", "Ghi chú", "15/07/2014", "'", '"']),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]),
            max_size=6),
)
GRID = st.lists(st.lists(CELL, min_size=1, max_size=len(A_HEADER) + 2), min_size=0, max_size=6)


@PIPELINE
@given(rows=GRID, hidden_first=st.booleans(), merge=st.booleans(), kind=st.sampled_from(
    ["kobo_xlsx", "district_excel"]))
def test_xlsx_reader_refuses_or_nothing_is_lost(tmp_path_factory, rows, hidden_first, merge,
                                                kind):
    root = tmp_path_factory.mktemp("xlsx")
    folder = mini(root)
    wb = Workbook()
    if hidden_first:
        stale = wb.active
        stale.title = "cu"
        kobo_sheet(stale)
        stale.sheet_state = "hidden"
        ws = wb.create_sheet("moi")
    else:
        ws = wb.active
    kobo_sheet(ws, A_ROWS[:2])
    for row in rows:
        ws.append(row)
    if merge and ws.max_row >= 4:
        ws.merge_cells(start_row=3, start_column=6, end_row=ws.max_row, end_column=6)
    wb.save(folder / "a.xlsx")
    extra = ', district_code: "596"' if kind == "district_excel" else ""
    only_sources(folder, [f"{{file: a.xlsx, kind: {kind}, form: a{extra}}}",
                          "{file: b.csv, kind: kobo_csv, form: b}"])
    try:
        result = run_round("mini", root)
    except InputError as exc:
        assert "a.xlsx" in str(exc)
        event(f"refused {kind}")
        return
    event(f"accepted {kind}")
    counts = _accounted(result)
    read = counts.loc[("a.xlsx", "a"), "read"]
    assert read >= (0 if kind == "district_excel" else 2)
    sheets = {str(s) for o in result.outcomes.values() for s in o.clean["_source_sheet"]}
    assert "cu" not in sheets  # the hidden sheet is never read
