"""Exact outputs of the file-writing and rendering functions of ``export`` (mutation kills).

Small hand-written frames and a hand-built :class:`RoundResult` (no pipeline run): the
CSV bytes, the note for tables too long for Excel, the report HTML, the manifest and the
set of files written are compared exactly.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from danvan_survey import __version__, export
from danvan_survey.clean import ISSUE_COLUMNS
from danvan_survey.codebook import load_codebook
from danvan_survey.config import RoundConfig
from danvan_survey.ingest import IngestResult
from danvan_survey.lineage import definition_fingerprints, library_versions, salt_fingerprint
from danvan_survey.pipeline import RoundResult
from danvan_survey.validate import Outcome

BOM = b"\xef\xbb\xbf"
SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def cp1258_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Text files opened without an encoding get cp1258, as on a Vietnamese Windows PC."""
    load_codebook()  # cached before the patch: it reads its CSV files with explicit encodings
    real: Callable[..., str] = io.text_encoding

    def text_encoding(encoding: str | None, stacklevel: int = 2) -> str:
        return "cp1258" if encoding is None else real(encoding, stacklevel)

    monkeypatch.setattr(io, "text_encoding", text_encoding)


# --- sha256, fits_excel, too_long_note -------------------------------------------------


def test_sha256_of_a_file_larger_than_one_read_chunk(tmp_path: Path) -> None:
    """The digest covers every chunk of a file bigger than the 1 MiB read size."""
    data = bytes(range(256)) * (3 * 4096) + b"tail"
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    assert export.sha256(path) == hashlib.sha256(data).hexdigest()


def test_fits_excel_at_the_row_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Header plus rows must fit: limit - 1 data rows fit, limit rows do not."""
    assert export.fits_excel(pd.DataFrame(index=range(1_048_575)))
    assert not export.fits_excel(pd.DataFrame(index=range(1_048_576)))
    monkeypatch.setattr(export, "EXCEL_MAX_ROWS", 3)
    assert export.fits_excel(pd.DataFrame({"a": [1, 2]}))
    assert not export.fits_excel(pd.DataFrame({"a": [1, 2, 3]}))
    assert export.fits_excel(pd.DataFrame({"a": []}))


def test_too_long_note_text() -> None:
    """Vietnamese note with dot thousands separators and the Excel data-row limit."""
    assert export.too_long_note("cadres", 1_234_567) == (
        "Bảng cadres có 1.234.567 dòng, vượt giới hạn 1.048.575 dòng dữ liệu của một trang "
        "Excel, nên không ghi cadres.csv (Excel sẽ cắt mất dòng). Dùng cadres.parquet "
        "(pandas, R arrow, Power BI, DuckDB) hoặc lọc theo tỉnh trước khi xuất ra Excel.\n"
    )


# --- formula_safe, write_csv ----------------------------------------------------------


def test_formula_safe_neutralises_names_and_keeps_numbers() -> None:
    """Text column names are neutralised, other names kept; non-text cells keep their type."""
    out = export.formula_safe(pd.DataFrame({"=cmd": ["x"], 0: ["+1+1"]}))
    assert out.columns.tolist() == ["'=cmd", 0]
    assert out[0].tolist() == ["'+1+1"]
    mixed = pd.DataFrame({"m": pd.Series([5, "@SUM(A1)", None, 2.5], dtype=object)})
    values = export.formula_safe(mixed)["m"].tolist()
    assert values == [5, "'@SUM(A1)", None, 2.5]
    assert [type(v) for v in values] == [int, str, type(None), float]


def test_write_csv_exact_bytes(tmp_path: Path) -> None:
    """BOM, quoted text, ISO dates, canonical objects, neutralised formulas, LF, no index."""
    frame = pd.DataFrame(
        {
            "day": pd.to_datetime(["2014-07-01 10:30", None]),
            "mixed": np.array([1.0, None], dtype=object),
            "text": np.array(['=HYPERLINK("http://x","y")', "-9"], dtype=object),
            "n": [3, -4],
            "s": ["Xã, Phú", "\x07bell"],
        },
        index=[5, 2],
    )
    path = tmp_path / "t.csv"
    export.write_csv(frame, path)
    assert path.read_bytes() == BOM + (
        '"day","mixed","text","n","s"\n'
        '"2014-07-01","1","\'=HYPERLINK(""http://x"",""y"")",3,"Xã, Phú"\n'
        ',"","-9",-4,"\\x07bell"\n'
    ).encode()
    assert frame["day"].dtype.kind == "M"  # the caller's frame is left as it was


# --- write_table ----------------------------------------------------------------------


def test_write_table_fitting_writes_parquet_and_csv(tmp_path: Path) -> None:
    """Parquet (zstd, no index column or index metadata) and CSV; no note."""
    frame = pd.DataFrame({"a": [1, 2], "b": ["=x", "y"]}, index=[10, 20])
    stem = tmp_path / "organisations"
    assert export.write_table(frame, stem) == [
        tmp_path / "organisations.parquet",
        tmp_path / "organisations.csv",
    ]
    meta = pq.read_metadata(tmp_path / "organisations.parquet")
    assert meta.schema.to_arrow_schema().names == ["a", "b"]
    assert json.loads(meta.metadata[b"pandas"])["index_columns"] == []
    assert {meta.row_group(0).column(i).compression for i in range(2)} == {"ZSTD"}
    assert (tmp_path / "organisations.csv").read_bytes() == BOM + b'"a","b"\n1,"\'=x"\n2,"y"\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "organisations.csv",
        "organisations.parquet",
    ]


def test_write_table_too_long_writes_note_not_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cp1258_locale: None
) -> None:
    """Above the limit: parquet plus ``<name>_csv_not_written.txt`` (UTF-8 on any locale)."""
    monkeypatch.setattr(export, "EXCEL_MAX_ROWS", 1001)
    frame = pd.DataFrame({"a": range(1001)})
    stem = tmp_path / "cadres"
    note = tmp_path / "cadres_csv_not_written.txt"
    assert export.write_table(frame, stem) == [tmp_path / "cadres.parquet", note]
    assert note.read_bytes() == (
        "Bảng cadres có 1.001 dòng, vượt giới hạn 1.000 dòng dữ liệu của một trang "
        "Excel, nên không ghi cadres.csv (Excel sẽ cắt mất dòng). Dùng cadres.parquet "
        "(pandas, R arrow, Power BI, DuckDB) hoặc lọc theo tỉnh trước khi xuất ra Excel.\n"
    ).encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cadres.parquet",
        "cadres_csv_not_written.txt",
    ]
    assert pd.read_parquet(tmp_path / "cadres.parquet")["a"].tolist() == list(range(1001))


# --- issues_by_commune ----------------------------------------------------------------


def test_issues_by_commune_exact_markup() -> None:
    """Communes sorted, rows in order, values escaped, row shown only when present."""
    issues = pd.DataFrame(
        {
            "commune": ["Xã B (H)", "Xã A (H)", "Xã B (H)", "Xã A (H)"],
            "level": ["error", "warning", "warning", "warning"],
            "level_vi": ["Lỗi (cách ly)", "Cảnh báo", "Cảnh báo", "Cảnh báo"],
            "file": ["a.csv", "b&c.xlsx", "a.csv", "b&c.xlsx"],
            "row": ["12", "", "3", "4"],
            "variable": pd.Series(["n", 1, "n", 1.0], dtype=object),
            "value": [SCRIPT, "v\x07", "=HYPERLINK(1)", ""],
            "message": ["Sai & cách ly", "m2", "m3", "m4"],
        }
    )
    assert str(export.issues_by_commune(issues)) == (
        "<details><summary>Xã A (H) — 2 vấn đề</summary>\n"
        "<table><tr><th>Mức</th><th>Tệp, dòng</th><th>Chỉ tiêu</th><th>Giá trị</th>"
        "<th>Nội dung</th></tr>\n"
        '<tr><td class="warning">Cảnh báo</td><td>b&amp;c.xlsx</td>'
        "<td><code>1</code></td><td>v\\x07</td><td>m2</td></tr>\n"
        '<tr><td class="warning">Cảnh báo</td><td>b&amp;c.xlsx, dòng 4</td>'
        "<td><code>1.0</code></td><td></td><td>m4</td></tr>\n"
        "</table></details>\n"
        "<details><summary>Xã B (H) — 2 vấn đề</summary>\n"
        "<table><tr><th>Mức</th><th>Tệp, dòng</th><th>Chỉ tiêu</th><th>Giá trị</th>"
        "<th>Nội dung</th></tr>\n"
        '<tr><td class="error">Lỗi (cách ly)</td><td>a.csv, dòng 12</td>'
        "<td><code>n</code></td><td>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</td>"
        "<td>Sai &amp; cách ly</td></tr>\n"
        '<tr><td class="warning">Cảnh báo</td><td>a.csv, dòng 3</td>'
        "<td><code>n</code></td><td>=HYPERLINK(1)</td><td>m3</td></tr>\n"
        "</table></details>\n"
    )


# --- a hand-built round ----------------------------------------------------------------


def _config(folder: Path) -> RoundConfig:
    return RoundConfig(
        round_id="r1",
        title="Đợt <thử>\x07",
        province_code="60",
        admin_vintage="2014",
        reference_year=2014,
        period_start=date(2014, 6, 1),
        period_end=date(2014, 9, 30),
        synthetic=True,
        sources=(),
        folder=folder,
        scope={"former_province_name": "Gia Lai"},
    )


COMMUNES = pd.DataFrame(
    {
        "commune_code": ["01234", "05678"],
        "commune_name": ["Xã A", "Xã B"],
        "district_name": ["Huyện H", "Huyện K"],
    }
)


def _issue(key: str, level: str, rule: str, row: str, message: str) -> dict[str, object]:
    return {
        "record_key": key, "level": level, "rule": rule, "file": "a.csv", "sheet": "",
        "row": row, "variable": "n", "value": "v", "message": message,
    }


def _report_inputs(tmp_path: Path) -> tuple[RoundResult, pd.DataFrame, pd.DataFrame]:
    """A round with issues of every level, known and unknown communes, and a refused file."""
    ingest = IngestResult(refused=[{"file": "bad.xlsx", "reason": "Không đọc được"}])
    result = RoundResult(
        cfg=_config(tmp_path / "data" / "raw" / "r1"),
        ingest=ingest,
        expected_missing=pd.DataFrame({"commune_code": [str(i) for i in range(1234)]}),
        communes=COMMUNES,
    )
    rows = [
        _issue("r1|01234|hnd", "error", "e_rule", "5", "Sai & cách ly"),
        _issue("r1|01234|hnd", "error", "e_rule", "6", "Sai & cách ly"),
        _issue("r1|05678|doan", "warning", "w_big", "", "Kiểm tra"),
        _issue("r1|05678|doan", "warning", "w_big", "2", "Kiểm tra"),
        _issue("r1|05678|doan", "warning", "w_big", "3", "Kiểm tra"),
        _issue("", "warning", "w_small", "9", "Một lần"),
        _issue("r1|01234|hnd", "info", "i_rule", "7", "Chỉ để biết"),
    ]
    issues = pd.DataFrame([{**r, "form": "a"} for r in rows], columns=["form", *ISSUE_COLUMNS])
    counts = pd.DataFrame(
        [{"source_file": "a\x1b.csv", "form": "a", "read": 1234567, "clean": 1234000,
          "quarantined": 500, "duplicates": 67}]
    )
    return result, issues, counts


def test_render_report_exact_sections(tmp_path: Path) -> None:
    """Header, counts, most frequent rules, log rules and issues by commune, exactly."""
    result, issues, counts = _report_inputs(tmp_path)
    log = pd.DataFrame({"rule": ["nfc", "r_two", "r_two"]})
    page = export.render_report(result, issues, counts, log)
    assert (
        "<title>Báo cáo kiểm tra dữ liệu — Đợt &lt;thử&gt;\\x07</title>" in page
        and "Đợt: <b>Đợt &lt;thử&gt;\\x07</b> (mã đợt <code>r1</code>), thời gian "
        f"01/06/2014–30/09/2014. Phiên bản phần mềm danvan_survey {__version__}.</p>" in page
    )
    assert (
        "<tr><td>a\\x1b.csv</td><td>Phiếu A (tổ chức)</td><td class=\"n\">1.234.567</td>"
        '<td class="n">1.234.000</td><td class="n">500</td><td class="n">67</td></tr>\n'
        "</table>\n<p>Số cặp xã × tổ chức chưa gửi phiếu A: <b>1.234</b>" in page
    )
    assert (
        '<p class="error">Tệp bị từ chối (không nhập dữ liệu nào từ các tệp này):</p>'
        "<ul><li>bad.xlsx: Không đọc được</li></ul>" in page
    )
    assert (
        "<th>Số lần</th></tr>\n"
        '<tr><td class="error">Lỗi (cách ly)</td><td><code>e_rule</code></td>'
        '<td>Sai &amp; cách ly</td><td class="n">2</td></tr>\n'
        '<tr><td class="info">Thông tin</td><td><code>i_rule</code></td>'
        '<td>Chỉ để biết</td><td class="n">1</td></tr>\n'
        '<tr><td class="warning">Cảnh báo</td><td><code>w_big</code></td>'
        '<td>Kiểm tra</td><td class="n">3</td></tr>\n'
        '<tr><td class="warning">Cảnh báo</td><td><code>w_small</code></td>'
        '<td>Một lần</td><td class="n">1</td></tr>\n'
        "</table>" in page
    )
    assert (
        "<th>Ý nghĩa</th><th>Số giá trị đã sửa</th></tr>\n"  # an unknown code means itself
        '<tr><td><code>r_two</code></td><td>r_two</td><td class="n">2</td></tr>\n'
        '<tr><td><code>nfc</code></td><td>Chuẩn hóa Unicode (dựng sẵn, NFC)</td>'
        '<td class="n">1</td></tr>\n'
        "</table>" in page
    )
    head = (
        "<table><tr><th>Mức</th><th>Tệp, dòng</th><th>Chỉ tiêu</th><th>Giá trị</th>"
        "<th>Nội dung</th></tr>\n"
    )
    assert page.endswith(
        "cần xác nhận.</p>\n"
        "<details><summary>Không xác định được xã — 1 vấn đề</summary>\n" + head
        + '<tr><td class="warning">Cảnh báo</td><td>a.csv, dòng 9</td>'
        "<td><code>n</code></td><td>v</td><td>Một lần</td></tr>\n</table></details>\n"
        "<details><summary>Xã A (Huyện H) — 2 vấn đề</summary>\n" + head
        + '<tr><td class="error">Lỗi (cách ly)</td><td>a.csv, dòng 5</td>'
        "<td><code>n</code></td><td>v</td><td>Sai &amp; cách ly</td></tr>\n"
        '<tr><td class="error">Lỗi (cách ly)</td><td>a.csv, dòng 6</td>'
        "<td><code>n</code></td><td>v</td><td>Sai &amp; cách ly</td></tr>\n"
        "</table></details>\n"
        "<details><summary>Xã B (Huyện K) — 3 vấn đề</summary>\n" + head
        + '<tr><td class="warning">Cảnh báo</td><td>a.csv</td>'
        "<td><code>n</code></td><td>v</td><td>Kiểm tra</td></tr>\n"
        '<tr><td class="warning">Cảnh báo</td><td>a.csv, dòng 2</td>'
        "<td><code>n</code></td><td>v</td><td>Kiểm tra</td></tr>\n"
        '<tr><td class="warning">Cảnh báo</td><td>a.csv, dòng 3</td>'
        "<td><code>n</code></td><td>v</td><td>Kiểm tra</td></tr>\n"
        "</table></details>\n\n</body>\n</html>"
    )


def test_render_report_shows_the_40_most_frequent_rules(tmp_path: Path) -> None:
    """Section 2 lists 40 rules at most: of 41, the least frequent one is left out."""
    result, _, counts = _report_inputs(tmp_path)
    rows = [
        _issue("r1|01234|hnd", "info", f"rule_{i:02d}", str(j), f"message {i:02d}")
        for i in range(41)
        for j in range(2 if i < 40 else 1)
    ]
    issues = pd.DataFrame([{**r, "form": "a"} for r in rows], columns=["form", *ISSUE_COLUMNS])
    page = export.render_report(result, issues, counts, pd.DataFrame({"rule": ["r"]}))
    assert page.count('<tr><td class="info">Thông tin</td>') == 40
    assert "<code>rule_39</code>" in page and "rule_40" not in page


# --- write_outputs, build_manifest ----------------------------------------------------

PROVENANCE = ["_source_file", "_source_sheet", "_source_row"]


def _round(tmp_path: Path) -> RoundResult:
    """Forms a (with uuid, one quarantined record) and b (no uuid); inputs on disk."""
    folder = tmp_path / "data" / "raw" / "r1"
    folder.mkdir(parents=True)
    (folder / "Xã Phú.csv").write_bytes(b"a;b\n1;2\n")
    (folder / "b.csv").write_bytes(b"x\n")
    clean_a = pd.DataFrame(
        {"record_key": ["r1|01234|hnd"], "n": [5], "_source_file": ["Xã Phú.csv"],
         "_source_sheet": [""], "_source_row": [2], "_uuid": ["u1"], "_idx": [0]},
        index=[7],
    )
    quarantine_a = pd.DataFrame(
        {"record_key": ["r1|05678|doan"], "n": [-1], "_source_file": ["Xã Phú.csv"],
         "_source_sheet": [""], "_source_row": [3], "quarantine_rules": ["neg"],
         "quarantine_reasons": ["=số âm"], "_idx": [1]},
        index=[8],
    )
    clean_b = pd.DataFrame(
        {"record_key": ["r1|B-1"], "birth_year": [1970], "_source_file": ["b.csv"],
         "_source_sheet": [""], "_source_row": [2]},
        index=[3],
    )
    empty = pd.DataFrame(columns=["record_key", *PROVENANCE])
    a = Outcome(
        clean=clean_a, quarantine=quarantine_a, duplicates=empty,
        issues=[_issue("r1|05678|doan", "error", "neg", "3", "Số âm")],
    )
    b = Outcome(clean=clean_b, quarantine=empty.assign(quarantine_rules=[], quarantine_reasons=[]),
                duplicates=empty)
    return RoundResult(
        cfg=_config(folder),
        ingest=IngestResult(read_counts={("Xã Phú.csv", "a"): 2, ("b.csv", "b"): 1}),
        outcomes={"a": a, "b": b},
        communes=COMMUNES,
    )


def _expected_manifest(result: RoundResult, outputs: list[Path]) -> dict[str, object]:
    cb = load_codebook()
    return {
        "round_id": "r1",
        "synthetic": True,
        "package_version": __version__,
        "libraries": library_versions(),
        "codebook_version": {"a": cb.settings["a"]["version"], "b": cb.settings["b"]["version"]},
        "codebook_definitions": definition_fingerprints(cb),
        "salt_fingerprint": salt_fingerprint(b"test-salt"),
        "parameters": {
            "province_code": "60",
            "admin_vintage": "2014",
            "scope": {"former_province_name": "Gia Lai"},
            "period": ["2014-06-01", "2014-09-30"],
        },
        "inputs": {
            "Xã Phú.csv": hashlib.sha256(b"a;b\n1;2\n").hexdigest(),
            "b.csv": hashlib.sha256(b"x\n").hexdigest(),
        },
        "outputs": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(outputs)},
        "rows_per_source": [
            {"source_file": "Xã Phú.csv", "form": "a", "read": 2, "clean": 1, "quarantined": 1,
             "duplicates": 0},
            {"source_file": "b.csv", "form": "b", "read": 1, "clean": 1, "quarantined": 0,
             "duplicates": 0},
        ],
        "rows": {"organisations": 1, "cadres": 1},
    }


def test_build_manifest_exact(tmp_path: Path) -> None:
    """Every field of the manifest, with inputs relative to the round folder."""
    result = _round(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "z.csv").write_bytes(b"z")
    (out / "m.html").write_bytes(b"<p>")
    outputs = [out / "z.csv", out / "m.html"]
    inputs = [result.cfg.folder / "b.csv", result.cfg.folder / "Xã Phú.csv"]
    manifest = export.build_manifest(result, inputs, outputs, export.source_counts(result))
    assert manifest == _expected_manifest(result, outputs)
    assert list(manifest) == list(_expected_manifest(result, outputs))
    assert manifest["codebook_version"] == {"a": "2014.1", "b": "2014.1"}


def test_build_manifest_takes_given_input_digests(tmp_path: Path) -> None:
    """Digests already taken are used as given; an input without one is read."""
    result = _round(tmp_path)
    inputs = [result.cfg.folder / "b.csv", result.cfg.folder / "Xã Phú.csv"]
    given = {result.cfg.folder / "b.csv": "given-digest"}
    manifest = export.build_manifest(result, inputs, [], export.source_counts(result), given)
    assert manifest["inputs"] == {
        "b.csv": "given-digest",
        "Xã Phú.csv": hashlib.sha256(b"a;b\n1;2\n").hexdigest(),
    }


def test_safe_table_two_threads_same_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """A long table scanned two columns at a time: the same cells, names and column order."""
    import pyarrow as pa

    rows = 7
    table = pa.table({
        "=a": pa.array(["=1+1", "ok", None, "-9", "@x", "b", "+c"]),
        "n": pa.array(range(rows)),
        "t": pa.array(["\x07bell", "x", "y", "z", "'q", "-", "ok"]),
        "u": pa.array(["\u202eabc", None, "+7", "s", "t", "u", "v"]),
    })
    one = export.safe_table(table)
    monkeypatch.setattr(export, "PARALLEL_SAFE_ROWS", rows)
    assert export.safe_table(table).equals(one)
    assert one.column_names == ["'=a", "n", "t", "u"]
    assert one.column("'=a").to_pylist() == [
        "'=1+1", "ok", None, "-9", "'@x", "b", "'+c"
    ]


def test_build_manifest_form_without_codebook_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A form whose codebook settings give no version is recorded with an empty version."""
    cb = load_codebook()
    settings = {**cb.settings, "b": {k: v for k, v in cb.settings["b"].items() if k != "version"}}
    monkeypatch.setattr(export, "load_codebook", lambda: replace(cb, settings=settings))
    result = _round(tmp_path)
    manifest = export.build_manifest(result, [], [], export.source_counts(result))
    assert manifest["codebook_version"] == {"a": "2014.1", "b": ""}


def test_write_outputs_files_and_manifest(tmp_path: Path, cp1258_locale: None) -> None:
    """Files written (UTF-8 on any locale), stale temporary folder replaced, names returned."""
    result = _round(tmp_path)
    out_dir = tmp_path / "data" / "clean" / "r1"
    stale = out_dir.with_name("r1.tmp")
    stale.mkdir(parents=True)
    (stale / "old.txt").write_text("old", encoding="utf-8")
    inputs = [result.cfg.folder / "Xã Phú.csv", result.cfg.folder / "b.csv"]
    written = export.write_outputs(result, out_dir, inputs)
    names = [
        "organisations.parquet", "organisations.csv", "cadres.parquet", "cadres.csv",
        "quarantine.csv", "cleaning_log.csv", "validation_issues.csv", "source_counts.csv",
        "validation_report.html", "manifest.json",
    ]
    assert list(written.items()) == [(n, out_dir / n) for n in names]
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(names)
    assert not stale.exists()
    assert (out_dir / "organisations.csv").read_bytes() == BOM + (
        '"record_key","n","source_file","source_sheet","source_row"\n'
        '"r1|01234|hnd",5,"Xã Phú.csv","",2\n'
    ).encode()
    assert (out_dir / "cadres.csv").read_bytes() == BOM + (
        b'"record_key","birth_year","source_file","source_sheet","source_row"\n'
        b'"r1|B-1",1970,"b.csv","",2\n'
    )
    assert (out_dir / "quarantine.csv").read_bytes() == BOM + (
        '"form","record_key","source_file","source_sheet","source_row","quarantine_rules",'
        '"quarantine_reasons","n"\n"a","r1|05678|doan","Xã Phú.csv","","3","neg","\'=số âm","-1"\n'
    ).encode()
    assert (out_dir / "source_counts.csv").read_bytes() == BOM + (
        '"source_file","form","read","clean","quarantined","duplicates"\n'
        '"Xã Phú.csv","a",2,1,1,0\n"b.csv","b",1,1,0,0\n'
    ).encode()
    assert pq.read_schema(out_dir / "organisations.parquet").names == [
        "record_key", "n", "source_file", "source_sheet", "source_row"
    ]
    html = (out_dir / "validation_report.html").read_bytes().decode("utf-8")
    assert "<summary>Xã B (Huyện K) — 1 vấn đề</summary>" in html
    assert "<title>Báo cáo kiểm tra dữ liệu — Đợt &lt;thử&gt;\\x07</title>" in html
    outputs = [out_dir / n for n in names[:-1]]
    expected = _expected_manifest(result, outputs)
    text = json.dumps(expected, ensure_ascii=False, indent=2) + "\n"
    assert (out_dir / "manifest.json").read_bytes() == text.encode("utf-8")
    assert '\n  "inputs": {\n    "Xã Phú.csv": "' in text
    (out_dir / "left-over.txt").write_text("x", encoding="utf-8")
    assert export.write_outputs(result, out_dir, inputs) == written  # a rerun replaces it
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(names)


def test_render_report_with_issues_of_no_record(tmp_path: Path) -> None:
    """Only reader notes (no record key has a commune): one 'unknown commune' group, no warning.

    With no "|" in any key the commune parts were an all-NaN float column, and filling it
    with text warned (an error in pandas 4).
    """
    result, _, counts = _report_inputs(tmp_path)
    rows = [_issue("", "warning", "w_sheet", "3", "Trang lạ"),
            _issue("", "error", "e_file", "", "Tệp hỏng")]
    issues = pd.DataFrame([{**r, "form": ""} for r in rows], columns=["form", *ISSUE_COLUMNS])
    page = export.render_report(result, issues, counts, pd.DataFrame({"rule": ["r"]}))
    assert "<details><summary>Không xác định được xã — 2 vấn đề</summary>" in page
    assert page.count("<details>") == 1


def test_write_outputs_reads_each_file_once_to_hash_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inputs and clean tables are hashed on the writer threads and the manifest reuses
    those digests: no file is read twice, every other output once."""
    result = _round(tmp_path)
    out_dir = tmp_path / "data" / "clean" / "r1"
    inputs = [result.cfg.folder / "Xã Phú.csv", result.cfg.folder / "b.csv"]
    hashed: list[str] = []
    real = export.sha256

    def counted(path: Path) -> str:
        hashed.append(path.name)
        return real(path)

    monkeypatch.setattr(export, "sha256", counted)
    written = export.write_outputs(result, out_dir, inputs)
    outputs = sorted(n for n in written if n != "manifest.json")
    assert sorted(hashed) == sorted([p.name for p in inputs] + outputs)
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["outputs"] == {n: real(out_dir / n) for n in outputs}
    assert manifest["inputs"] == {p.name: real(p) for p in inputs}
