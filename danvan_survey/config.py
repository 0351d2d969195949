"""Paths and round configuration (``data/raw/<round>/round.yaml``)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, cast

import yaml

from danvan_survey.codebook import TABLES, FormId
from danvan_survey.errors import InputError
from danvan_survey.paths import check_round_id, source_path

PACKAGE_DIR = Path(__file__).parent


def project_dir() -> Path:
    """Project root: ``$DANVAN_HOME`` if set, else the current working directory."""
    return Path(os.environ.get("DANVAN_HOME", Path.cwd())).resolve()


def raw_dir(round_id: str, root: Path | None = None) -> Path:
    """Folder of a round's raw files, as received (read-only for the pipeline)."""
    return (root or project_dir()) / "data" / "raw" / check_round_id(round_id)


def clean_dir(round_id: str, root: Path | None = None) -> Path:
    """Folder of a round's pipeline outputs."""
    return (root or project_dir()) / "data" / "clean" / check_round_id(round_id)


def reports_dir(round_id: str, root: Path | None = None) -> Path:
    """Folder of a round's leadership pack."""
    return (root or project_dir()) / "reports" / check_round_id(round_id)


SOURCE_KINDS = {"kobo_csv", "kobo_xlsx", "district_excel", "workbooks"}
PERIOD_DATES = ("period_start", "period_end")


@dataclass(frozen=True)
class Source:
    """One raw source file (or folder) of a round."""

    path: str
    kind: str
    form: FormId
    sheet: str | None = None
    district_code: str | None = None
    column_map: dict[str, str] = field(default_factory=dict)
    #: constant values for every record of this source (e.g. ``{org_type: hnd}``)
    values: dict[str, str] = field(default_factory=dict)
    #: ``period_start`` / ``period_end``: the date of records without an interview date
    interview_date_from: str | None = None
    #: Repeat tables (``form: a_models``): the export of the parent form the rows belong to
    #: (default: the same file, for a Kobo XLSX export with the repeat as a sheet).
    parent: str | None = None


@dataclass(frozen=True)
class RoundConfig:
    """Everything that differs between rounds, read from ``round.yaml``."""

    round_id: str
    title: str
    province_code: str
    admin_vintage: str
    reference_year: int
    period_start: date
    period_end: date
    synthetic: bool
    sources: tuple[Source, ...]
    folder: Path
    sample_design: str | None = None
    corrections: str | None = None
    column_map: dict[str, str] = field(default_factory=dict)
    #: Part of the province a round covers, e.g. ``{"former_province_code": "60"}``.
    scope: dict[str, str] = field(default_factory=dict)

    def path(self, relative: str) -> Path:
        """Absolute path of a file named in the config (refused outside the round folder)."""
        return source_path(self.folder, relative)

    def period_date(self, which: str) -> date:
        """``period_start`` or ``period_end`` of the round."""
        return self.period_start if which == "period_start" else self.period_end


def _form(item: dict[str, Any], where: Path) -> FormId:
    form = str(item.get("form", "a")).lower()
    if form not in TABLES:
        raise InputError(
            f"Mục 'form' của nguồn {item.get('file')} trong {where} phải là một trong: "
            + ", ".join(TABLES) + ".",
            file=str(where),
        )
    return cast(FormId, form)


def _source(item: dict[str, Any], where: Path) -> Source:
    kind = str(item.get("kind", ""))
    if kind not in SOURCE_KINDS:
        raise InputError(
            f"Loại nguồn '{kind}' không hợp lệ trong {where}; dùng một trong: "
            + ", ".join(sorted(SOURCE_KINDS)),
            file=str(where),
        )
    date_from = item.get("interview_date_from")
    if date_from is not None and date_from not in PERIOD_DATES:
        raise InputError(
            f"Mục interview_date_from của nguồn {item.get('file')} trong {where} phải là "
            f"{' hoặc '.join(PERIOD_DATES)} (ngày đầu hoặc ngày cuối kỳ khảo sát).",
            file=str(where),
        )
    return Source(
        path=str(item["file"]),
        kind=kind,
        form=_form(item, where),
        sheet=item.get("sheet"),
        district_code=str(item["district_code"]) if item.get("district_code") else None,
        column_map={str(k): str(v) for k, v in (item.get("column_map") or {}).items()},
        values={str(k): str(v) for k, v in (item.get("values") or {}).items()},
        interview_date_from=date_from,
        parent=str(item["parent"]) if item.get("parent") else None,
    )


def load_round(round_id: str, root: Path | None = None) -> RoundConfig:
    """Read and check a round's ``round.yaml``; raise InputError with a clear message."""
    folder = raw_dir(round_id, root)
    cfg_path = folder / "round.yaml"
    if not cfg_path.is_file():
        raise InputError(
            f"Không tìm thấy đợt khảo sát '{round_id}': thiếu tệp {cfg_path}. "
            "Kiểm tra tên đợt (--round) hoặc tạo thư mục đợt theo hướng dẫn trong README.",
            file=str(cfg_path),
        )
    try:
        data = yaml.safe_load(cfg_path.read_text(encoding="utf-8")) or {}
        period = data["period"]
        return RoundConfig(
            round_id=check_round_id(str(data["round_id"]), f"round_id trong {cfg_path}"),
            title=str(data.get("title", data["round_id"])),
            province_code=str(data["province_code"]).zfill(2),
            admin_vintage=str(data["admin_vintage"]),
            reference_year=int(data["reference_year"]),
            period_start=date.fromisoformat(str(period["start"])),
            period_end=date.fromisoformat(str(period["end"])),
            synthetic=bool(data.get("synthetic", False)),
            sources=tuple(_source(s, cfg_path) for s in data.get("sources", [])),
            folder=folder,
            sample_design=data.get("sample_design"),
            corrections=data.get("corrections"),
            column_map={str(k): str(v) for k, v in (data.get("column_map") or {}).items()},
            scope={str(k): str(v) for k, v in (data.get("scope") or {}).items()},
        )
    except (KeyError, TypeError, ValueError, yaml.YAMLError) as exc:
        raise InputError(
            f"Tệp cấu hình {cfg_path} thiếu hoặc sai mục: {exc}. "
            "Xem mẫu round.yaml của đợt demo-2014.",
            file=str(cfg_path),
        ) from exc
