"""One entry point for charts, notebooks and the report: a round's analysis results.

``load_results(round_id)`` reads the parquet tables of ``data/clean/<round>/`` plus the
round configuration (``data/raw/<round>/round.yaml``) into a :class:`Results` object.
Nothing is computed here beyond reading; nothing is written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from danvan_survey.config import clean_dir, load_round
from danvan_survey.errors import InputError
from danvan_survey.project import find_project_root

#: Tables every round must have before charts can be drawn.
REQUIRED_TABLES = ("indicators_org", "indicators_district", "indicators_em_area")
#: Tables read when present (an empty frame otherwise).
OPTIONAL_TABLES = ("organisations", "cadres", "estimates", "dvk_replication")
#: CSV side outputs of cleaning/validation, read when present.
OPTIONAL_CSV = ("quarantine", "cleaning_log", "validation_issues")
REPORT_DATE_ENV = "DANVAN_REPORT_DATE"
#: What each table read by :func:`load_results` holds (the file-summary table).
TABLE_LABELS = {
    "organisations": "Phiếu A sạch: mỗi dòng một tổ chức ở một xã",
    "cadres": "Phiếu B sạch: mỗi dòng một cán bộ (đã ẩn danh)",
    "indicators_org": "Chỉ số theo tổ chức",
    "indicators_district": "Chỉ số theo huyện",
    "indicators_em_area": "Chỉ số theo vùng DTTS",
    "estimates": "Ước lượng từ mẫu cán bộ",
    "quarantine": "Bản ghi bị cách ly, kèm lý do",
    "cleaning_log": "Nhật ký làm sạch: mỗi giá trị đã sửa một dòng",
    "validation_issues": "Lỗi, cảnh báo và thông tin kiểm tra",
}


@dataclass(frozen=True)
class Results:
    """Clean and indicator tables of one round, with what the footer of a chart needs."""

    round_id: str
    title: str
    synthetic: bool
    data_date: date
    province_code: str
    indicators_org: pd.DataFrame
    indicators_district: pd.DataFrame
    indicators_em_area: pd.DataFrame
    organisations: pd.DataFrame = field(default_factory=pd.DataFrame)
    cadres: pd.DataFrame = field(default_factory=pd.DataFrame)
    estimates: pd.DataFrame = field(default_factory=pd.DataFrame)
    dvk_replication: pd.DataFrame = field(default_factory=pd.DataFrame)
    logs: dict[str, pd.DataFrame] = field(default_factory=dict)
    folder: Path | None = None
    admin_vintage: str = "2014"
    scope: dict[str, str] = field(default_factory=dict)

    @property
    def map_province_code(self) -> str:
        """Province whose 2014 coordinates place the communes (a 2025 round: its scope)."""
        if self.admin_vintage == "2025":
            return self.scope.get("former_province_code", self.province_code)
        return self.province_code

    @property
    def report_date(self) -> date:
        """Date printed on charts: ``$DANVAN_REPORT_DATE`` (ISO) or the round's data date."""
        override = os.environ.get(REPORT_DATE_ENV, "").strip()
        if override:
            try:
                return date.fromisoformat(override)
            except ValueError as exc:
                raise InputError(
                    f"Biến môi trường {REPORT_DATE_ENV}='{override}' không phải ngày dạng "
                    "YYYY-MM-DD; sửa hoặc bỏ biến này."
                ) from exc
        return self.data_date

    def file_summary(self) -> pd.DataFrame:
        """Rows per table that was read (for the clean-and-validate notebook)."""
        tables = {
            "organisations": self.organisations,
            "cadres": self.cadres,
            "indicators_org": self.indicators_org,
            "indicators_district": self.indicators_district,
            "indicators_em_area": self.indicators_em_area,
            "estimates": self.estimates,
            **self.logs,
        }
        rows = [{"Bảng": name, "Nội dung": TABLE_LABELS.get(name, ""), "Số dòng": len(df)}
                for name, df in tables.items()]
        return pd.DataFrame(rows)

    def em_area_summary(self) -> pd.DataFrame:
        """Communes with returns by EM-area class and source (sourced vs unverified)."""
        io = self.indicators_org
        if io.empty:
            return pd.DataFrame({"Số xã": [0]})
        counts = io.groupby(["em_area", "em_source"], sort=True)["commune_code"].nunique()
        return counts.rename("Số xã").reset_index()

    def log_summary(self, name: str, by: tuple[str, ...] = ("rule", "action")) -> pd.DataFrame:
        """Rows of a cleaning/validation log counted by the given columns that exist.

        Vietnamese headers; a rule column keeps its code (as in the CSV, for filtering) and
        is followed by its meaning (:mod:`danvan_survey.rule_labels`); action, level and
        form codes are shown by their Vietnamese names.
        """
        log = self.logs.get(name, pd.DataFrame())
        keys = [c for c in by if c in log.columns]
        if log.empty:
            return pd.DataFrame({"Số dòng": [0]})
        if not keys:
            return pd.DataFrame({"Số dòng": [len(log)]})
        codes = log[keys].astype("string").fillna("")  # a row without a form still counts
        counts = codes.groupby(keys, sort=True).size().rename("Số dòng").reset_index()
        counts = counts.sort_values("Số dòng", ascending=False, kind="mergesort").reset_index(
            drop=True)
        return _vietnamese_keys(counts, keys)


def _vietnamese_keys(counts: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Log codes under Vietnamese headers: a rule keeps its code and gains its meaning."""
    from danvan_survey.rule_labels import COLUMNS

    out = {}
    for key in keys:
        header, label = COLUMNS.get(key, (key, str))
        codes = counts[key].astype(str)
        if key in ("rule", "quarantine_rules"):
            out[header] = codes
            out["Ý nghĩa"] = codes.map(label)
        else:
            out[header] = codes.map(label)
    out["Số dòng"] = counts["Số dòng"]
    return pd.DataFrame(out)


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same message
        raise InputError(
            f"Không đọc được tệp {path}: {exc}. Chạy lại 'danvan-survey run' cho đợt này.",
            file=str(path),
        ) from exc


def load_results(round_id: str, root: Path | str | None = None) -> Results:
    """Read a round's results; InputError naming the missing file if analysis has not run.

    ``root`` is the project folder; empty or None means :func:`find_project_root` (
    ``$DANVAN_HOME``, else the nearest folder above the working directory holding
    ``data/raw``), so a notebook opened in ``notebooks/`` finds the project by itself.
    """
    root = Path(root) if root else find_project_root()
    cfg = load_round(round_id, root)
    folder = clean_dir(round_id, root)
    tables: dict[str, pd.DataFrame] = {}
    for name in REQUIRED_TABLES:
        path = folder / f"{name}.parquet"
        if not path.is_file():
            raise InputError(
                f"Chưa có kết quả phân tích của đợt '{round_id}': thiếu tệp {path}. "
                f"Chạy 'danvan-survey run --round {round_id}' trước khi lập báo cáo.",
                file=str(path),
            )
        tables[name] = _read_parquet(path)
    for name in OPTIONAL_TABLES:
        path = folder / f"{name}.parquet"
        tables[name] = _read_parquet(path) if path.is_file() else pd.DataFrame()
    logs = {
        name: pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in OPTIONAL_CSV
        if (folder / f"{name}.csv").is_file()
    }
    return Results(
        round_id=cfg.round_id,
        title=cfg.title,
        synthetic=cfg.synthetic,
        data_date=cfg.period_end,
        province_code=cfg.province_code,
        admin_vintage=cfg.admin_vintage,
        scope=dict(cfg.scope),
        logs=logs,
        folder=folder,
        **tables,
    )
