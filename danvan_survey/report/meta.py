"""What the report says about itself: the ``report:`` section of round.yaml and measures.

Nothing here is invented: a field missing from ``round.yaml`` becomes the placeholder "…"
for the office to fill in before the report is issued.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from danvan_survey.config import PACKAGE_DIR, raw_dir
from danvan_survey.errors import InputError

PLACEHOLDER = "…"
MEASURES_FILE = PACKAGE_DIR / "config" / "measures.yaml"
META_FIELDS = ("superior", "issuing_body", "number", "symbol", "place", "date",
               "signer_authority", "signer_title", "signer_name")


@dataclass(frozen=True)
class ReportMeta:
    """Header, signature and recipients of the báo cáo (placeholders where not given)."""

    superior: str = PLACEHOLDER
    issuing_body: str = PLACEHOLDER
    number: str = PLACEHOLDER
    symbol: str = PLACEHOLDER
    place: str = PLACEHOLDER
    date: str = ""
    signer_authority: str = PLACEHOLDER
    signer_title: str = PLACEHOLDER
    signer_name: str = PLACEHOLDER
    recipients: tuple[str, ...] = field(default_factory=tuple)

    @property
    def number_line(self) -> str:
        """"Số 12-BC/BDVTU" (or "Số …-BC/…")."""
        return f"Số {self.number}-{self.symbol}"

    def date_line(self) -> str:
        """"Bình Thuận, ngày 5 tháng 10 năm 2014" or with placeholders for the date."""
        if self.date:
            y, m, d = (int(p) for p in self.date.split("-"))
            return f"{self.place}, ngày {d} tháng {m} năm {y}"
        return f"{self.place}, ngày {PLACEHOLDER} tháng {PLACEHOLDER} năm {PLACEHOLDER}"


def _text(value: Any) -> str:
    return PLACEHOLDER if value is None or str(value).strip() == "" else str(value).strip()


def parse_report_meta(data: dict[str, Any] | None, where: str = "round.yaml") -> ReportMeta:
    """ReportMeta from the ``report:`` mapping (missing keys → placeholders)."""
    data = data or {}
    if not isinstance(data, dict):
        raise InputError(f"Mục 'report' trong {where} phải là một danh sách khóa: giá trị.",
                         file=where)
    unknown = set(data) - {*META_FIELDS, "recipients"}
    if unknown:
        raise InputError(f"Mục 'report' trong {where} có khóa lạ: {', '.join(sorted(unknown))}"
                         f". Dùng: {', '.join((*META_FIELDS, 'recipients'))}.", file=where)
    date = str(data.get("date") or "").strip()
    if date:
        try:
            y, m, d = (int(p) for p in date.split("-"))
        except ValueError as exc:
            raise InputError(f"report.date trong {where} phải có dạng YYYY-MM-DD.",
                             file=where) from exc
        date = f"{y:04d}-{m:02d}-{d:02d}"
    values = {k: _text(data.get(k)) for k in META_FIELDS if k != "date"}
    recipients = tuple(str(r).strip() for r in (data.get("recipients") or []) if str(r).strip())
    return ReportMeta(date=date, recipients=recipients, **values)


def load_report_meta(round_id: str, root: Path | None = None) -> ReportMeta:
    """Read the ``report:`` section of ``data/raw/<round>/round.yaml`` (all optional)."""
    path = raw_dir(round_id, root) / "round.yaml"
    if not path.is_file():
        return ReportMeta()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return parse_report_meta(data.get("report"), str(path))


@dataclass(frozen=True)
class Measure:
    """The measure proposed for one weakness reason, and why."""

    reason: str
    label_vi: str
    measure_vi: str
    rationale: str


@cache
def load_measures(path: Path = MEASURES_FILE) -> dict[str, Measure]:
    """Reason code → measure (``danvan_survey/config/measures.yaml``)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {code: Measure(code, str(item["label_vi"]), str(item["measure_vi"]),
                          str(item["rationale"])) for code, item in data.items()}
