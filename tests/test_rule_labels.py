"""Every code a reader meets in the logs has a Vietnamese meaning (notebook 01)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from danvan_survey.results import Results, load_results
from danvan_survey.rule_labels import (
    COLUMNS,
    LABELS_PATH,
    _read_labels,
    action_label,
    form_label,
    level_label,
    rule_label,
)

LOGS = {"cleaning_log": ("rule", "action", "form"), "quarantine": ("form", "quarantine_rules"),
        "validation_issues": ("level", "rule", "form")}


def test_plain_family_and_unknown_codes() -> None:
    assert rule_label("commune_folded") == "Tên xã khớp khi bỏ dấu: ghi mã xã"
    assert rule_label("constraint:birth_year") == "Vi phạm điều kiện: Năm sinh"
    assert rule_label("missing_code:dont_know") == "Mã thiếu “không biết (−9)”: để trống"
    assert rule_label("analyst_correction:remove") == (
        "Hiệu chỉnh của cán bộ phân tích: loại bản ghi")
    assert rule_label("constraint:no_such_variable") == "Vi phạm điều kiện: no_such_variable"
    assert rule_label("brand_new_rule") == "brand_new_rule"  # shown as itself, never lost
    assert rule_label("nfc;whitespace") == (
        "Chuẩn hóa Unicode (dựng sẵn, NFC); Bỏ khoảng trắng thừa")
    assert (action_label("set_missing"), level_label("error"), form_label("a_models")) == (
        "Để trống", "Lỗi", "Danh sách mô hình (phiếu A)")
    assert action_label("new_action") == "new_action"


def test_every_label_is_nfc_vietnamese() -> None:
    data = _read_labels(LABELS_PATH)
    texts = [*data["rules"].values(), *data["families"].values(), *data["actions"].values(),
             *data["levels"].values(), *data["forms"].values()]
    texts += [t for sub in data["details"].values() for t in sub.values()]
    assert all(unicodedata.is_normalized("NFC", t) and t.strip() == t and t for t in texts)
    assert all("{detail}" in t for t in data["families"].values())


def _unlabelled(res: Results) -> list[str]:
    missing = []
    for name, keys in LOGS.items():
        log = res.logs[name]
        for key in keys:
            label = COLUMNS[key][1]
            for code in log[key].dropna().astype(str).unique():
                missing += [f"{name}.{key}={part}" for part in code.split(";")
                            if part and label(part) == part]
    return missing


@pytest.mark.slow
def test_every_code_of_the_demo_rounds_has_a_meaning(followup_root: Path) -> None:
    for round_id in ("demo-2014", "demo-2026"):
        res = load_results(round_id, followup_root)
        assert _unlabelled(res) == [], round_id


@pytest.mark.slow
def test_log_summary_reads_in_vietnamese_and_counts_every_row(demo_root: Path) -> None:
    res = load_results("demo-2014", demo_root)
    table = res.log_summary("cleaning_log", ("rule", "action"))
    assert list(table.columns) == ["Quy tắc", "Ý nghĩa", "Hành động", "Số dòng"]
    assert table["Số dòng"].sum() == len(res.logs["cleaning_log"])
    row = table[table["Quy tắc"] == "commune_folded"].iloc[0]
    assert (row["Ý nghĩa"], row["Hành động"]) == ("Tên xã khớp khi bỏ dấu: ghi mã xã",
                                                 "Ghi lại mã")
    issues = res.log_summary("validation_issues", ("level", "rule"))
    assert list(issues.columns) == ["Mức", "Quy tắc", "Ý nghĩa", "Số dòng"]
    assert set(issues["Mức"]) <= {"Lỗi", "Cảnh báo", "Thông tin"}
    assert issues["Số dòng"].sum() == len(res.logs["validation_issues"])


def test_log_summary_keeps_rows_without_a_form() -> None:
    log = pd.DataFrame({"level": ["error", "info", "info"], "rule": ["x", "note_row", "note_row"],
                        "form": ["a", None, None]})
    res = Results.__new__(Results)
    object.__setattr__(res, "logs", {"validation_issues": log})
    table = res.log_summary("validation_issues", ("form", "rule"))
    assert table["Số dòng"].tolist() == [2, 1]
    assert table["Phiếu"].tolist() == ["", "Phiếu A (tổ chức)"]
    assert table["Ý nghĩa"].tolist()[0] == "Dòng ghi chú trong bảng tổng hợp (bỏ qua)"
