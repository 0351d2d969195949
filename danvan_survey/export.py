"""Export: the only writer to ``data/clean/<round>/``.

Outputs are written into a temporary folder and moved into place only when complete,
so a failed run never leaves half-written results. Files are byte-identical for the
same inputs: rows sorted, no timestamps in data files, fixed CSV line endings.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
import shutil
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup, escape

from danvan_survey import __version__
from danvan_survey.cell_text import canonical, canonical_column
from danvan_survey.codebook import load_codebook
from danvan_survey.lineage import definition_fingerprints, library_versions, salt_fingerprint
from danvan_survey.paths import check_output_dir
from danvan_survey.rule_labels import form_label, rule_label
from danvan_survey.textfix import CONTROL_RE, visible_controls
from danvan_survey.threads import Background, in_order
from danvan_survey.vintage import district_text

if TYPE_CHECKING:
    from danvan_survey.pipeline import RoundResult

# ``clean`` and ``pipeline`` (pandera, the place matcher: about 0.6 s of imports) are
# imported inside the functions that need them, so that ``analyse`` and ``report``,
# which only write tables, start without them.

TEMPLATES = Path(__file__).parent / "templates"
FORM_TABLES = {"a": "organisations", "b": "cadres", "a_models": "models"}
LEVEL_VI = {"error": "Lỗi (cách ly)", "warning": "Cảnh báo", "info": "Thông tin"}
#: First characters that make a spreadsheet read a cell as a formula (or DDE command).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: A leading apostrophe is also escaped, so that removing one always restores the original.
_RISKY_START = "^['=+\\-@\t\r]"
_PLAIN_NUMBER = re.compile(r"[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?")


def sha256(path: Path) -> str:
    """Hex sha256 of a file."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


#: Control characters (tab and line breaks excepted) and bidirectional overrides: shown
#: as ``\x00``/``\u202e`` in every output, never written raw (text repair removes them
#: from values; what is left comes from headers, sheet or file names).
_RISKY_ARROW = (
    _RISKY_START + "|[\\x00-\\x08\\x0e-\\x1f\\x7f-\\x9f\\x{202a}-\\x{202e}\\x{2066}-\\x{2069}]"
)


def safe_text(text: str) -> str:
    """Output form of one text cell: control characters shown, formulas neutralised."""
    return neutralise(visible_controls(text))


def neutralise(text: str) -> str:
    """Text that a spreadsheet shows as text, never runs as a formula.

    A value starting with ``= + - @``, tab or CR gets a leading apostrophe (Excel's text
    marker), as does a value already starting with an apostrophe; plain numbers
    (``-9``, ``+84``, ``-1,5``) are left alone. Removing one leading apostrophe from any
    value that starts with one restores the original exactly.
    """
    if text.startswith("'"):
        return "'" + text
    if text.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_cell(value: object) -> object:
    """A spreadsheet cell value: text made safe (:func:`safe_text`), anything else as is."""
    return safe_text(value) if isinstance(value, str) else value


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` with every text cell (and column name) neutralised; numbers kept."""
    out = frame.rename(columns=lambda c: safe_text(c) if isinstance(c, str) else c)
    for col in out.columns:
        values = out[col]
        if pd.api.types.is_string_dtype(values) or values.dtype == object:
            text = values.astype("str")
            risky = text.str.match(_RISKY_START) | text.str.contains(CONTROL_RE.pattern)
            risky = values.notna() & risky.fillna(False).astype(bool)
            if risky.any():
                out[col] = values.astype("object").mask(risky, text[risky].map(safe_text))
    return out


def _safe_arrow_column(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Make the text cells of one arrow column safe; only risky cells go through python.

    One regex pass finds cells starting like a formula or holding a control character;
    plain numbers among them (``-9``) are dropped by a second pass over those cells only.
    """

    def is_text(kind: pa.DataType) -> bool:
        return pa.types.is_string(kind) or pa.types.is_large_string(kind)

    if pa.types.is_dictionary(column.type) and is_text(column.type.value_type):
        column = column.cast(column.type.value_type)
    if not is_text(column.type):
        return column
    values = column.combine_chunks()
    hit = pc.fill_null(pc.match_substring_regex(values, _RISKY_ARROW), False)
    if not pc.any(hit).as_py():
        return column
    rows = np.flatnonzero(hit.to_numpy(zero_copy_only=False))
    plain = pc.match_substring_regex(values.take(pa.array(rows)), f"^{_PLAIN_NUMBER.pattern}$")
    rows = rows[~plain.to_numpy(zero_copy_only=False)]
    if not len(rows):
        return column
    texts = values.take(pa.array(rows))
    uniques = pc.unique(texts)
    safe = pa.array([safe_text(t) for t in uniques.to_pylist()], type=values.type)
    mask = np.zeros(len(values), dtype=bool)
    mask[rows] = True
    out = pc.replace_with_mask(values, pa.array(mask), safe.take(pc.index_in(texts, uniques)))
    return pa.chunked_array([out])


#: Tables of at least this many rows are made safe two columns at a time.
PARALLEL_SAFE_ROWS = 100_000


def safe_table(table: pa.Table) -> pa.Table:
    """Arrow table with every text cell and column name neutralised (see :func:`neutralise`).

    A long table's columns are scanned by two threads (arrow's kernels run without the
    GIL); the columns keep their order.
    """
    helpers = 1 if table.num_rows >= PARALLEL_SAFE_ROWS else 0
    columns = in_order([partial(_safe_arrow_column, c) for c in table.columns], helpers)
    return pa.table(columns, names=[safe_text(n) for n in table.column_names])


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """CSV for Excel users: UTF-8 with BOM, LF line ends, no index, dates as YYYY-MM-DD.

    Every text cell is formula-safe (:func:`neutralise`); numbers stay numbers. Written
    by pyarrow (an order of magnitude faster than pandas on a million rows).
    """
    out = frame.copy(deep=False)
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
        elif out[col].dtype == object:
            out[col] = out[col].map(canonical).astype("str")
    table = safe_table(pa.Table.from_pandas(out, preserve_index=False))
    with path.open("wb") as fh:
        fh.write(codecs.BOM_UTF8)
        pacsv.write_csv(table, fh, pacsv.WriteOptions(quoting_style="needed"))


#: Rows of one Excel sheet (header included): a longer CSV cannot be opened whole.
EXCEL_MAX_ROWS = 1_048_576


def fits_excel(frame: pd.DataFrame) -> bool:
    """True when the table and its header fit in one Excel sheet."""
    return len(frame) + 1 <= EXCEL_MAX_ROWS


def too_long_note(name: str, rows: int) -> str:
    """Why ``name``.csv was not written (Vietnamese, with the way to open the data)."""
    def num(n: int) -> str:
        return f"{n:,}".replace(",", ".")

    return (
        f"Bảng {name} có {num(rows)} dòng, vượt giới hạn {num(EXCEL_MAX_ROWS - 1)} dòng dữ "
        f"liệu của một trang Excel, nên không ghi {name}.csv (Excel sẽ cắt mất dòng). Dùng "
        f"{name}.parquet (pandas, R arrow, Power BI, DuckDB) hoặc lọc theo tỉnh trước khi "
        "xuất ra Excel.\n"
    )


def write_table(frame: pd.DataFrame, path_stem: Path) -> list[Path]:
    """Parquet + CSV of one clean table; the CSV only when it fits in an Excel sheet.

    Above Excel's row limit a CSV could not be opened whole by the people it is for;
    ``<name>_csv_not_written.txt`` says so and points to the Parquet file instead.
    """
    return [write_parquet(frame, path_stem), write_csv_or_note(frame, path_stem)]


def write_parquet(frame: pd.DataFrame, path_stem: Path) -> Path:
    """``<stem>.parquet`` of a clean table (zstd, no index)."""
    parquet = path_stem.with_suffix(".parquet")
    frame.to_parquet(parquet, index=False, compression="zstd")
    return parquet


def write_csv_or_note(frame: pd.DataFrame, path_stem: Path) -> Path:
    """``<stem>.csv`` when the table fits in an Excel sheet, else a note saying why not."""
    if not fits_excel(frame):
        note = path_stem.with_name(path_stem.name + "_csv_not_written.txt")
        note.write_text(too_long_note(path_stem.name, len(frame)), encoding="utf-8")
        return note
    csv_path = path_stem.with_suffix(".csv")
    write_csv(frame, csv_path)
    return csv_path


def clean_table(clean: pd.DataFrame) -> pd.DataFrame:
    """A clean table as published: public columns, no ``uuid``, a fresh row index."""
    return public_columns(clean).drop(columns=["uuid"], errors="ignore").reset_index(drop=True)


def public_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop internal provenance columns except the source file/sheet/row."""
    keep = [
        c
        for c in frame.columns
        if not c.startswith("_")
        or c in {"_source_file", "_source_sheet", "_source_row", "_submission_time", "_uuid"}
    ]
    out = frame[keep].rename(columns=lambda c: c.lstrip("_") if c.startswith("_") else c)
    return out


def cleaning_log(result: RoundResult) -> pd.DataFrame:
    """One row per changed value (and per dropped duplicate), with record keys."""
    from danvan_survey.clean import LOG_COLUMNS

    parts = []
    for form, outcome in result.outcomes.items():
        keys = pd.concat(
            [
                outcome.clean["record_key"],
                outcome.quarantine["record_key"],
                outcome.duplicates["record_key"],
            ]
        )
        keys = keys[~keys.index.duplicated()]
        frames = [frame for frame in outcome.log if len(frame)]
        if frames:  # one lookup of the form's record keys, not one per logged variable
            logged = pd.concat(frames, ignore_index=True)
            parts.append(logged.assign(form=form, record_key=logged["_idx"].map(keys)))
    if not parts:
        return pd.DataFrame(columns=["form", *LOG_COLUMNS])
    log = pd.concat(parts, ignore_index=True)
    log["source_row"] = log["source_row"].astype(int)
    log = log.sort_values(
        ["form", "source_file", "source_sheet", "source_row", "variable", "rule"], kind="stable"
    )
    return log[["form", *LOG_COLUMNS]].reset_index(drop=True)


def issues_table(result: RoundResult) -> pd.DataFrame:
    """Every validation issue: reader notes, hard and soft checks, missing returns."""
    from danvan_survey.clean import ISSUE_COLUMNS

    rows: list[dict[str, object]] = []
    for form, outcome in result.outcomes.items():
        rows += [{**{k: i.get(k, "") for k in ISSUE_COLUMNS}, "form": form} for i in outcome.issues]
    rows += [{**{k: i.get(k, "") for k in ISSUE_COLUMNS}, "form": ""} for i in result.ingest.issues]
    for s in result.ingest.skipped_rows:
        rows.append(
            {
                "form": s["form"],  # the form of the sheet the row was read from
                "record_key": "",
                "level": "info",
                "rule": str(s["reason"]),
                "file": s["file"],
                "sheet": s["sheet"],
                "row": s["row"],
                "variable": "",
                "value": s["content"],
                "message": "Dòng không phải bản ghi (dòng tổng cộng/ghi chú); không nhập.",
            }
        )
    for m in result.expected_missing.itertuples(index=False):
        rows.append(
            {
                "form": "a",
                "record_key": f"{result.cfg.round_id}|{m.commune_code}|{m.org_type}",
                "level": "warning",
                "rule": "missing_return",
                "file": "",
                "sheet": "",
                "row": "",
                "variable": "org_type",
                "value": m.org_type,
                "message": f"Chưa nhận phiếu A của "
                f"{load_codebook().choice_label_vi('org_type', m.org_type)} tại {m.commune_name} "
                f"({district_text(m.district_name, result.cfg)}); đôn đốc xã gửi phiếu.",
            }
        )
    frame = pd.DataFrame(rows, columns=["form", *ISSUE_COLUMNS])
    frame["row"] = frame["row"].map(canonical)
    order = {"error": 0, "warning": 1, "info": 2}
    frame["_o"] = frame["level"].map(order)
    frame = frame.sort_values(
        ["_o", "form", "file", "row", "rule", "variable", "record_key"], kind="stable"
    ).drop(columns="_o")
    return frame.reset_index(drop=True)


def quarantine_table(result: RoundResult) -> pd.DataFrame:
    """Quarantined records of both forms with reasons, values as text."""
    parts = []
    for form, outcome in result.outcomes.items():
        q = public_columns(outcome.quarantine)
        text = pd.DataFrame({c: canonical_column(q[c]) for c in q.columns}, index=q.index)
        parts.append(text.assign(form=form))
    if not parts:
        return pd.DataFrame(columns=["form", "record_key", "quarantine_reasons"])
    q = pd.concat(parts, ignore_index=True)
    first = [
        "form",
        "record_key",
        "source_file",
        "source_sheet",
        "source_row",
        "quarantine_rules",
        "quarantine_reasons",
    ]
    return q[first + [c for c in q.columns if c not in first]]


def source_counts(result: RoundResult) -> pd.DataFrame:
    """Per source file and form: records read, clean, quarantined, duplicates.

    They must add up for every (file, form): read = clean + quarantined + duplicates (a
    returned workbook feeds both forms).
    """
    rows = []
    for (source, form), read in result.ingest.read_counts.items():
        row: dict[str, Any] = {"source_file": source, "form": form, "read": read}
        outcome = result.outcomes.get(form)
        for name in ("clean", "quarantine", "duplicates"):
            frame = getattr(outcome, name) if outcome is not None else None
            n = int((frame["_source_file"] == source).sum()) if frame is not None else 0
            row["quarantined" if name == "quarantine" else name] = n
        rows.append(row)
    return pd.DataFrame(
        rows, columns=["source_file", "form", "read", "clean", "quarantined", "duplicates"]
    )


def _shown(value: object) -> object:
    """Template finalize: control characters made visible (pre-rendered HTML left alone)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible_controls(value)
    return value


def _html(value: object) -> str:
    """One template value as the report shows it: :func:`_shown`, then HTML-escaped."""
    return str(escape(_shown(value)))


_ISSUE_FIELDS = ["commune", "level", "level_vi", "file", "row", "variable", "value", "message"]


def issues_by_commune(issues: pd.DataFrame) -> Markup:
    """Section 4 of the report: one ``<details>`` per commune (sorted), its issues in order.

    Built in python rather than a template loop (a national round has ~10^5 issues);
    the markup is that of the former template loop, byte for byte.
    """
    by_commune: dict[str, list[str]] = {}
    columns = [issues[c].tolist() for c in _ISSUE_FIELDS]
    seen: dict[tuple[type, object], str] = {}  # most values and messages repeat: escape once

    def html(value: object) -> str:
        key = (type(value), value)
        if key not in seen:
            seen[key] = _html(value)
        return seen[key]

    for commune, level, level_vi, file, row, variable, value, message in zip(
        *columns, strict=True
    ):
        where = html(file) + (", dòng " + html(row) if row else "")
        by_commune.setdefault(str(commune), []).append(
            f'<tr><td class="{html(level)}">{html(level_vi)}</td><td>{where}</td>'
            f"<td><code>{html(variable)}</code></td><td>{html(value)}</td>"
            f"<td>{html(message)}</td></tr>\n"
        )
    parts = [
        f"<details><summary>{_html(name)} — {len(rows)} vấn đề</summary>\n"
        "<table><tr><th>Mức</th><th>Tệp, dòng</th><th>Chỉ tiêu</th><th>Giá trị</th>"
        "<th>Nội dung</th></tr>\n" + "".join(rows) + "</table></details>\n"
        for name, rows in sorted(by_commune.items())
    ]
    return Markup("".join(parts))


def render_report(
    result: RoundResult, issues: pd.DataFrame, counts: pd.DataFrame, log: pd.DataFrame
) -> str:
    """Self-contained Vietnamese validation report (summary first, then by commune)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        finalize=_shown,
    )
    env.filters["num"] = lambda v: f"{int(v):,}".replace(",", ".")
    env.filters["form_label"] = lambda v: form_label(str(v))
    by_rule = (
        issues.groupby(["level", "rule", "message"])
        .size()
        .reset_index(name="n")
        .sort_values(["level", "n"], ascending=[True, False])
        .head(40)
    )
    ref = result.communes.set_index("commune_code")
    names = dict(
        zip(ref.index, ref["commune_name"] + " (" + ref["district_name"] + ")", strict=True)
    )
    # object first: with no "|" in any key the parts are an all-NaN float column
    commune = issues["record_key"].str.split("|").str[1].astype(object).fillna("")
    issues = issues.assign(
        commune=commune.map(names).fillna("Không xác định được xã"),
        level_vi=issues["level"].map(LEVEL_VI),
    )
    shown = issues[issues["level"] != "info"]
    return env.get_template("validation_report.html.j2").render(
        cfg=result.cfg,
        counts=counts.to_dict("records"),
        by_rule=by_rule.to_dict("records"),
        log_rules=[(rule, rule_label(str(rule)), n) for rule, n in
                   log.groupby("rule").size().sort_values(ascending=False).items()],
        by_commune=issues_by_commune(shown),
        level_vi=LEVEL_VI,
        n_missing=len(result.expected_missing),
        refused=result.ingest.refused,
        version=__version__,
    )


def write_outputs(result: RoundResult, out_dir: Path, inputs: list[Path]) -> dict[str, Path]:
    """Write every output of a run atomically; return name → path."""
    check_output_dir(out_dir, result.cfg.folder.parent)  # never write or delete raw files
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    written: list[Path] = []
    counts = source_counts(result)
    # the clean tables' Parquet and CSV files are written and hashed, and the inputs
    # hashed, by two more threads (pyarrow converts, compresses and writes, and hashlib
    # hashes, without holding the GIL) while this one writes the log, issues, quarantine
    # and report, then does whatever no thread has taken (all of it if none could start)
    tables = [
        (clean_table(result.outcomes[form].clean), tmp / name)
        for form, name in FORM_TABLES.items()
        if form in result.outcomes
    ]
    files = [
        partial(_hashed, write, frame, stem)
        for frame, stem in tables
        for write in (write_parquet, write_csv_or_note)
    ]
    jobs = [*files, *(partial(_hashed_input, p) for p in inputs)]
    with Background(jobs, threads=2) as writers:
        log, issues = cleaning_log(result), issues_table(result)
        for frame, name in (
            (quarantine_table(result), "quarantine.csv"),
            (log, "cleaning_log.csv"),
            (issues, "validation_issues.csv"),
            (counts, "source_counts.csv"),
        ):
            write_csv(frame, tmp / name)
            written.append(tmp / name)
        (tmp / "validation_report.html").write_text(
            render_report(result, issues, counts, log), encoding="utf-8"
        )
        written.append(tmp / "validation_report.html")
        done = writers.results()
        digests = dict(done)
        written = [path for path, _ in done[: len(files)]] + written
    manifest = build_manifest(result, inputs, written, counts, digests)
    (tmp / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    if out_dir.exists():
        shutil.rmtree(out_dir)
    tmp.rename(out_dir)
    return {p.name: out_dir / p.name for p in [*written, tmp / "manifest.json"]}


def _hashed(write: Callable[[pd.DataFrame, Path], Path], frame: pd.DataFrame,
            stem: Path) -> tuple[Path, str]:
    """The file ``write`` wrote for ``frame`` and its sha256 (read back at once)."""
    path = write(frame, stem)
    return path, sha256(path)


def _hashed_input(path: Path) -> tuple[Path, str]:
    """An input file and its sha256 (for the manifest)."""
    return path, sha256(path)


def build_manifest(
    result: RoundResult, inputs: list[Path], outputs: list[Path], counts: pd.DataFrame,
    digests: Mapping[Path, str] | None = None,
) -> dict[str, object]:
    """sha256 of every input and output, row counts, version and parameters.

    ``digests``: sha256 of files (inputs or outputs) already taken (path → hex digest);
    the others are read.
    """
    from danvan_survey.pipeline import read_salt

    root = result.cfg.folder
    known = dict(digests or {})
    return {
        "round_id": result.cfg.round_id,
        "synthetic": result.cfg.synthetic,
        "package_version": __version__,
        "libraries": library_versions(),
        "codebook_version": {f: s.get("version", "") for f, s in load_codebook().settings.items()},
        "codebook_definitions": definition_fingerprints(load_codebook()),
        "salt_fingerprint": salt_fingerprint(read_salt()),
        "parameters": {
            "province_code": result.cfg.province_code,
            "admin_vintage": result.cfg.admin_vintage,
            "scope": dict(result.cfg.scope),
            "period": [str(result.cfg.period_start), str(result.cfg.period_end)],
        },
        "inputs": {
            str(p.relative_to(root)): known[p] if p in known else sha256(p)
            for p in sorted(inputs)
        },
        "outputs": {p.name: known[p] if p in known else sha256(p) for p in sorted(outputs)},
        "rows_per_source": counts.to_dict("records"),
        "rows": {
            name: int(len(result.outcomes[f].clean))
            for f, name in FORM_TABLES.items()
            if f in result.outcomes
        },
    }
