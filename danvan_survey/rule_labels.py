"""Vietnamese meaning of the rule, action, level and form codes of the logs.

The cleaning log, the quarantine list and the validation issues keep stable English codes
(``commune_folded``, ``constraint:birth_year``), which analysts filter on. What a reader
sees next to them (notebook 01, summaries) comes from ``config/rule_labels.yaml``. A code
``family:detail`` takes its family's sentence with the detail filled in: a codebook
variable's label, or a sub-code listed under ``details``. A code the file does not know is
shown as itself, never dropped.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from danvan_survey.codebook import load_codebook, nfc

LABELS_PATH = Path(__file__).resolve().parent / "config" / "rule_labels.yaml"


@cache
def _labels() -> dict[str, Any]:
    return _read_labels(LABELS_PATH)


def _read_labels(path: Path) -> dict[str, Any]:
    """Body of :func:`_labels`, undecorated so that mutation testing reaches it."""
    with path.open(encoding="utf-8") as fh:
        return dict(yaml.safe_load(fh))


def _variable_label(name: str) -> str | None:
    cb = load_codebook()
    for form in cb.settings:
        if any(v.name == name for v in cb.form(form)):
            return cb.label_vi(form, name)
    return None


def rule_label(code: str) -> str:
    """Meaning of one rule code; several joined by ``;`` are explained in order."""
    if ";" in code:
        return "; ".join(rule_label(part) for part in code.split(";") if part)
    labels = _labels()
    if code in labels["rules"]:
        return nfc(labels["rules"][code])
    family, sep, detail = code.partition(":")
    if sep and family in labels["families"]:
        known = labels.get("details", {}).get(family, {})
        shown = known.get(detail) or _variable_label(detail) or detail
        return nfc(labels["families"][family].format(detail=shown))
    return code


def _simple(section: str, code: str) -> str:
    return nfc(_labels()[section].get(code, code))


def action_label(code: str) -> str:
    """Vietnamese name of a cleaning-log action."""
    return _simple("actions", code)


def level_label(code: str) -> str:
    """Lỗi / Cảnh báo / Thông tin."""
    return _simple("levels", code)


def form_label(code: str) -> str:
    """Name of a form or roster table."""
    return _simple("forms", code)


#: How each log column is shown: Vietnamese header and the function giving a code's meaning.
COLUMNS = {
    "rule": ("Quy tắc", rule_label),
    "quarantine_rules": ("Quy tắc cách ly", rule_label),
    "action": ("Hành động", action_label),
    "level": ("Mức", level_label),
    "form": ("Phiếu", form_label),
}
