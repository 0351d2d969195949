"""Export: the only writer to ``data/clean/<round>/``.

Outputs are written into a temporary folder and moved into place only when complete,
so a failed run never leaves half-written results. Files are byte-identical for the
same inputs: rows sorted, no timestamps in data files, fixed CSV line endings.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from jinja2 import Environment, FileSystemLoader, select_autoescape

from danvan_survey import __version__
from danvan_survey.clean import ISSUE_COLUMNS, LOG_COLUMNS, canonical
from danvan_survey.codebook import load_codebook
from danvan_survey.pipeline import RoundResult

TEMPLATES = Path(__file__).parent / "templates"
FORM_TABLES = {"a": "organisations", "b": "cadres", "a_models": "models"}
LEVEL_VI = {"error": "Lỗi (cách ly)", "warning": "Cảnh báo", "info": "Thông tin"}


def sha256(path: Path) -> str:
    """Hex sha256 of a file."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """CSV for Excel users: UTF-8 with BOM, LF line ends, no index, dates as YYYY-MM-DD.

    Written by pyarrow (an order of magnitude faster than pandas on a million rows).
    """
    out = frame.copy(deep=False)
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
        elif out[col].dtype == object:
            out[col] = out[col].map(canonical).astype("str")
    table = pa.Table.from_pandas(out, preserve_index=False)
    with path.open("wb") as fh:
        fh.write(codecs.BOM_UTF8)
        pacsv.write_csv(table, fh, pacsv.WriteOptions(quoting_style="needed"))


def write_table(frame: pd.DataFrame, path_stem: Path) -> list[Path]:
    """Parquet + CSV of one clean table."""
    parquet = path_stem.with_suffix(".parquet")
    frame.to_parquet(parquet, index=False, compression="zstd")
    csv_path = path_stem.with_suffix(".csv")
    write_csv(frame, csv_path)
    return [parquet, csv_path]


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
        for frame in outcome.log:
            if len(frame):
                parts.append(frame.assign(form=form, record_key=frame["_idx"].map(keys)))
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
    rows: list[dict[str, object]] = []
    for form, outcome in result.outcomes.items():
        rows += [{**{k: i.get(k, "") for k in ISSUE_COLUMNS}, "form": form} for i in outcome.issues]
    rows += [{**{k: i.get(k, "") for k in ISSUE_COLUMNS}, "form": ""} for i in result.ingest.issues]
    for s in result.ingest.skipped_rows:
        rows.append(
            {
                "form": "a",
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
                "message": f"Chưa nhận phiếu A của {m.org_type} tại {m.commune_name} "
                f"({m.district_name}); đôn đốc xã gửi phiếu.",
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
        q = public_columns(outcome.quarantine).astype(object).map(canonical)
        parts.append(q.assign(form=form))
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
    """Per source file: records read, clean, quarantined, duplicates (they must add up)."""
    rows = []
    for source, read in result.ingest.read_counts.items():
        row: dict[str, Any] = {
            "source_file": source,
            "read": read,
            "clean": 0,
            "quarantined": 0,
            "duplicates": 0,
        }
        for outcome in result.outcomes.values():
            row["clean"] += int((outcome.clean["_source_file"] == source).sum())
            row["quarantined"] += int((outcome.quarantine["_source_file"] == source).sum())
            row["duplicates"] += int((outcome.duplicates["_source_file"] == source).sum())
        rows.append(row)
    return pd.DataFrame(rows, columns=["source_file", "read", "clean", "quarantined", "duplicates"])


def render_report(
    result: RoundResult, issues: pd.DataFrame, counts: pd.DataFrame, log: pd.DataFrame
) -> str:
    """Self-contained Vietnamese validation report (summary first, then by commune)."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape())
    env.filters["num"] = lambda v: f"{int(v):,}".replace(",", ".")
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
    commune = issues["record_key"].str.split("|").str[1].fillna("")
    issues = issues.assign(
        commune=commune.map(names).fillna("Không xác định được xã"),
        level_vi=issues["level"].map(LEVEL_VI),
    )
    by_commune: dict[str, list[dict[str, object]]] = {}
    for rec in issues[issues["level"] != "info"].to_dict("records"):
        by_commune.setdefault(str(rec["commune"]), []).append(rec)
    groups = sorted(by_commune.items())
    return env.get_template("validation_report.html.j2").render(
        cfg=result.cfg,
        counts=counts.to_dict("records"),
        by_rule=by_rule.to_dict("records"),
        log_rules=log.groupby("rule").size().sort_values(ascending=False).items(),
        groups=groups,
        level_vi=LEVEL_VI,
        n_missing=len(result.expected_missing),
        refused=result.ingest.refused,
        version=__version__,
    )


def write_outputs(result: RoundResult, out_dir: Path, inputs: list[Path]) -> dict[str, Path]:
    """Write every output of a run atomically; return name → path."""
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    written: list[Path] = []
    counts = source_counts(result)
    for form, name in FORM_TABLES.items():
        if form in result.outcomes:
            clean = public_columns(result.outcomes[form].clean).drop(
                columns=["uuid"], errors="ignore"
            )
            written += write_table(clean.reset_index(drop=True), tmp / name)
    log, issues, quarantine = cleaning_log(result), issues_table(result), quarantine_table(result)
    for frame, name in (
        (quarantine, "quarantine.csv"),
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
    manifest = build_manifest(result, inputs, written, counts)
    (tmp / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    if out_dir.exists():
        shutil.rmtree(out_dir)
    tmp.rename(out_dir)
    return {p.name: out_dir / p.name for p in [*written, tmp / "manifest.json"]}


def build_manifest(
    result: RoundResult, inputs: list[Path], outputs: list[Path], counts: pd.DataFrame
) -> dict[str, object]:
    """sha256 of every input and output, row counts, version and parameters."""
    root = result.cfg.folder
    return {
        "round_id": result.cfg.round_id,
        "synthetic": result.cfg.synthetic,
        "package_version": __version__,
        "codebook_version": {f: s.get("version", "") for f, s in load_codebook().settings.items()},
        "parameters": {
            "province_code": result.cfg.province_code,
            "admin_vintage": result.cfg.admin_vintage,
            "period": [str(result.cfg.period_start), str(result.cfg.period_end)],
        },
        "inputs": {str(p.relative_to(root)): sha256(p) for p in sorted(inputs)},
        "outputs": {p.name: sha256(p) for p in sorted(outputs)},
        "rows_per_source": counts.to_dict("records"),
        "rows": {
            name: int(len(result.outcomes[f].clean))
            for f, name in FORM_TABLES.items()
            if f in result.outcomes
        },
    }
