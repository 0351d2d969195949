"""Analysis step: clean tables → indicators, weak organisations, DVK tables, estimates.

:func:`analyse_organisations` is pure (frames in, frames out); :func:`run_analysis` reads
``data/clean/<round>/`` and writes every output there. Outputs are byte-identical on rerun:
rows are sorted, parquet is written with fixed settings and the xlsx carries fixed
document-property dates.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from pathlib import Path

import pandas as pd
import xlsxwriter

from danvan_survey import cadre_job, dvk, export
from danvan_survey import xlsx_layout as layout
from danvan_survey.cadre_analysis import CadreResult, cadre_outputs
from danvan_survey.clean_tables import read_clean_table, write_parquet
from danvan_survey.codebook import load_codebook
from danvan_survey.config import RoundConfig
from danvan_survey.errors import InputError
from danvan_survey.indicators import (
    aggregate_district,
    aggregate_em_area,
    census_frame,
    compute_indicators,
)
from danvan_survey.threads import Background
from danvan_survey.vintage import district_label, is_2025, round_frame
from danvan_survey.weakness import (
    CONSOLIDATION_TITLE_VI,
    WeaknessConfig,
    apply_weakness,
    consolidation_list,
    disagreements,
    load_weakness_config,
    weak_communes,
)

REQUIRED_ORG_COLUMNS = (
    "round_id", "commune_code", "commune_name", "district_code", "district_name", "org_type",
    "em_area", "rating_last_year",
)
FIXED_DOC_DATE = datetime(2014, 1, 1)  # noqa: DTZ001 - constant, keeps the xlsx reproducible
SYNTHETIC_LABEL_VI = "DỮ LIỆU GIẢ LẬP (không phải số liệu thật)"


# ---------------------------------------------------------------- pure part
def check_organisations(org: pd.DataFrame, source: str) -> None:
    """Raise InputError naming the file and the missing columns of the clean table."""
    missing = [c for c in REQUIRED_ORG_COLUMNS if c not in org.columns]
    if missing:
        raise InputError(
            f"Bảng tổ chức đã làm sạch thiếu cột: {', '.join(missing)}. "
            "Chạy lại bước làm sạch (danvan-survey clean) để tạo lại tệp này.",
            file=source,
            column=missing[0],
        )


def analyse_organisations(
    org: pd.DataFrame, commune_frame: pd.DataFrame, cfg: WeaknessConfig | None = None
) -> dict[str, pd.DataFrame]:
    """Every organisation-level table of the analysis, from the clean form-A table."""
    cfg = cfg or load_weakness_config()
    ind = apply_weakness(compute_indicators(org), cfg)
    ind = ind.sort_values(["commune_code", "org_type"]).reset_index(drop=True)
    expected = census_frame(commune_frame)
    return {
        "indicators_org": ind,
        "indicators_district": aggregate_district(ind, expected),
        "indicators_em_area": aggregate_em_area(ind, expected),
        "weak_organisations": consolidation_list(ind, cfg),
        "weakness_disagreements": disagreements(ind),
        "weak_communes": weak_communes(ind, cfg),
        "dvk_models": dvk.model_catalogue(org),
        "dvk_summary": dvk.dvk_summary(org),
        "bulletin_compliance": dvk.bulletin_compliance(org),
    }


# ---------------------------------------------------------------- writers
def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write CSV in UTF-8 with BOM (opens in Excel), formula-safe, LF line ends.

    pyarrow's writer (10× faster than pandas on wide float tables): text is quoted, missing
    values are empty, booleans are ``true``/``false``.
    """
    export.write_csv(frame, path)
    return path


def write_xlsx(frame: pd.DataFrame, path: Path, title: str, note: str = "",
               synthetic: bool = False) -> Path:
    """Write one sheet: title, note, frozen bold header, formula-safe cells, fixed dates.

    Columns are as wide as their contents, text wraps, and the sheet prints on A4
    landscape with its title and header on every page (:mod:`danvan_survey.xlsx_layout`).
    ``synthetic`` also marks every printed page's footer.
    """
    safe = export.formula_safe(frame)
    wb = xlsxwriter.Workbook(str(path), {
        "strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": False,
    })
    wb.set_properties({"title": title, "created": FIXED_DOC_DATE, "author": "danvan-survey"})
    ws = wb.add_worksheet("Danh sách")
    bold = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1})
    text = wb.add_format({"text_wrap": True, "valign": "top"})
    top = wb.add_format({"valign": "top"})
    ws.write_string(0, 0, export.neutralise(title), wb.add_format({"bold": True, "font_size": 14}))
    if note:
        ws.write_string(1, 0, export.neutralise(note), wb.add_format({"italic": True}))
    header_row = 2
    rows = safe.astype(object).to_numpy().tolist()
    widths = [layout.column_width(str(col), [r[j] for r in rows])
              for j, col in enumerate(safe.columns)]
    for j, col in enumerate(safe.columns):
        ws.write_string(header_row, j, str(col), bold)
        ws.set_column(j, j, widths[j])
    for i, row in enumerate(rows, start=header_row + 1):
        for j, value in enumerate(row):
            if value is None or value is pd.NA or (isinstance(value, float) and value != value):
                continue
            if isinstance(value, bool):
                ws.write_boolean(i, j, value, top)
            elif isinstance(value, int | float):
                ws.write_number(i, j, float(value), top)
            else:
                ws.write_string(i, j, str(value), text)
    if len(safe.columns):
        ws.autofilter(header_row, 0, header_row + max(len(safe), 1), len(safe.columns) - 1)
    layout.finish_table(ws, safe, widths, header_row, synthetic)
    wb.close()
    return path


def write_replication(clean_dir: Path, org: pd.DataFrame) -> dict[str, Path]:
    """DVK replication list (``dvk_replication``) when the round has a model roster.

    Parquet with English columns (for charts and reports), CSV with Vietnamese headers.
    """
    path = clean_dir / "models.parquet"
    if not path.is_file():
        return {}
    table = dvk.replication_list(read_clean_table(path, "bảng mô hình đã làm sạch"), org)
    return {
        "dvk_replication": write_parquet(table, clean_dir / "dvk_replication.parquet"),
        "dvk_replication_csv": write_csv(
            dvk.replication_table_vi(table), clean_dir / "dvk_replication.csv"
        ),
    }


NOTE_COLUMNS = ["level", "rule", "table", "message"]


def nothing_to_analyse(org_rows: int, cadre_rows: int | None) -> list[dict[str, str]]:
    """Vietnamese notes for clean tables without any record (the analysis still runs).

    ``cadre_rows`` is None when the round has no cadre table.
    """
    notes = []
    if org_rows == 0:
        notes.append({
            "level": "warning", "rule": "no_clean_records", "table": "organisations",
            "message": "Phiếu A không có bản ghi sạch nào: các bảng chỉ tiêu tổ chức, danh sách "
            "yếu kém và mô hình dân vận khéo để trống. Xem quarantine.csv và "
            "validation_report.html để biết vì sao bản ghi bị cách ly (ví dụ mã đợt cũ).",
        })
    if cadre_rows == 0:
        notes.append({
            "level": "warning", "rule": "no_clean_records", "table": "cadres",
            "message": "Phiếu B không có bản ghi sạch nào: không có gì để ước lượng, "
            "estimates.parquet chỉ có các dòng n = 0 không có ước lượng. Xem quarantine.csv "
            "và validation_report.html để biết vì sao bản ghi bị cách ly (ví dụ mã đợt cũ).",
        })
    return notes


def run_analysis(
    round_cfg: RoundConfig,
    clean_dir: Path,
    say: Callable[[str], None] = lambda _: None,
    process_min_rows: int = cadre_job.PROCESS_MIN_ROWS,
    started: subprocess.Popen[str] | None = None,
) -> dict[str, Path]:
    """Read ``clean_dir``'s clean tables, write every analysis output there; return paths.

    A clean table without records is not an error: every output is written (empty
    tables keep their columns), ``analysis_notes.csv`` says why, and ``say`` prints it.
    The cadre estimates are computed while this thread writes the organisation tables:
    in a second process when the cadre table has at least ``process_min_rows`` rows,
    else on a second thread (:func:`_cadre_job`; the outputs are the same). ``started``:
    that process, already started by the caller (:func:`danvan_survey.cadre_job.start`).
    """
    clean_dir = Path(clean_dir)
    org_path = clean_dir / "organisations.parquet"
    org = read_clean_table(org_path, "bảng tổ chức đã làm sạch")
    check_organisations(org, str(org_path))
    with _cadre_job(clean_dir, process_min_rows, started) as cadre_result:
        out = _organisation_outputs(round_cfg, clean_dir, org, round_frame(round_cfg))
        estimates, cadre_rows = cadre_result()
    out |= estimates
    notes = nothing_to_analyse(len(org), cadre_rows)
    for item in notes:
        say(item["message"])
    out["analysis_notes"] = write_csv(
        pd.DataFrame(notes, columns=NOTE_COLUMNS), clean_dir / "analysis_notes.csv"
    )
    return out


@contextmanager
def _cadre_job(
    clean_dir: Path, process_min_rows: int, started: subprocess.Popen[str] | None
) -> Iterator[Callable[[], CadreResult]]:
    """Start :func:`cadre_outputs`; yield the function that waits for its result.

    A cadre table of ``process_min_rows`` rows or more goes to a second Python process
    (:mod:`danvan_survey.cadre_job`; ``started``: one the caller already started), which
    shares no GIL with the organisation tables. Anything else, or a process that cannot
    start, goes to a thread. If the process fails, for whatever reason, the caller
    computes the estimates itself: a bad input then raises its own clear error, exactly
    as without a process. Leaving the block waits for the job, also when it raised.
    """
    child = started or cadre_job.start(clean_dir, process_min_rows)
    if child is None:
        with Background([partial(cadre_outputs, clean_dir)], threads=1) as job:
            yield lambda: job.results()[0]
        return

    def result() -> CadreResult:
        done, rows = cadre_job.outcome(child)
        if not done:
            return cadre_outputs(clean_dir)
        return ({} if rows is None else {"estimates": clean_dir / "estimates.parquet"}), rows

    try:
        yield result
    finally:
        child.wait()  # its one printed line fits any pipe buffer


def _organisation_outputs(
    round_cfg: RoundConfig, clean_dir: Path, org: pd.DataFrame, frame: pd.DataFrame
) -> dict[str, Path]:
    """Indicator tables, weak organisations (CSV and XLSX), DVK tables and replication list."""
    tables = analyse_organisations(org, frame)
    if is_2025(round_cfg.admin_vintage):  # the district column is the former district
        district_header = load_codebook().label_vi("a", "district_code")
        tables["weak_organisations"] = tables["weak_organisations"].rename(
            columns={district_header: district_label(round_cfg).capitalize()})
    out: dict[str, Path] = {}
    for name in ("indicators_org", "indicators_district", "indicators_em_area"):
        out[name] = write_parquet(tables[name], clean_dir / f"{name}.parquet")
        out[f"{name}_csv"] = write_csv(tables[name], clean_dir / f"{name}.csv")
    for name in ("dvk_summary", "bulletin_compliance"):
        out[name] = write_parquet(tables[name], clean_dir / f"{name}.parquet")
    for name in ("weakness_disagreements", "weak_communes", "dvk_models"):
        out[name] = write_csv(tables[name], clean_dir / f"{name}.csv")
    out["weak_organisations"] = write_csv(
        tables["weak_organisations"], clean_dir / "weak_organisations.csv"
    )
    title = CONSOLIDATION_TITLE_VI + (f" — {SYNTHETIC_LABEL_VI}" if round_cfg.synthetic else "")
    note = (f"Đợt khảo sát: {round_cfg.title}. Yếu kém theo tự xếp loại = xếp loại năm gần nhất "
            "mức 4; theo dấu hiệu hoạt động = tiêu chí trong config/weakness.yaml.")
    out["weak_organisations_xlsx"] = write_xlsx(
        tables["weak_organisations"], clean_dir / "weak_organisations.xlsx", title, note,
        synthetic=round_cfg.synthetic,
    )
    out |= write_replication(clean_dir, org)
    return out
