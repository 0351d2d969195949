"""The base round (``demo-2014``): forms A and B, corrections, files and truth."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from danvan_survey import demo_models
from danvan_survey.codebook import Codebook, load_codebook
from danvan_survey.demo.common import (
    EXCEL_DISTRICTS,
    EXCEL_SHEET,
    NATIONAL_CADRES,
    PERIOD,
    RATES,
    REFERENCE_YEAR,
    Ledger,
    _names,
    _phones,
    _pick,
    _write_csv,
    _yaml_str,
    commune_frame,
    render,
    truth_text,
)
from danvan_survey.demo.defects import (
    inject_choice_labels,
    inject_hard_a,
    inject_hard_b,
    inject_soft_a,
    inject_soft_b,
    inject_special_missing,
    inject_text,
)
from danvan_survey.demo.excel import write_district_excel
from danvan_survey.demo.kobo import (
    _times,
    add_duplicates,
    finish_kobo,
    kobo_columns,
    write_kobo_csv,
)
from danvan_survey.demo.truth import draw_sample, truth_form_a, truth_form_b

# --------------------------------------------------------------------------------------
# Corrections file
# --------------------------------------------------------------------------------------


def plan_corrections(round_id: str, ta: pd.DataFrame, raw_a: pd.DataFrame, tb: pd.DataFrame,
                     raw_b: pd.DataFrame, rows_a: np.ndarray, rows_b: np.ndarray,
                     accept_row: int | None) -> pd.DataFrame:
    """Analyst corrections: raw keeps the 'before' value, truth the 'after' (in place).

    rows_a: 4 reserved form-A Kobo records (non-mttq); rows_b: 1 reserved cadre.
    """
    def key_a(i: int) -> str:
        return f"{round_id}|{ta.at[i, 'commune_code']}|{ta.at[i, 'org_type']}"

    out = []
    a0, a1, a2, a3 = (int(x) for x in rows_a)
    ta.at[a0, "attendance_pct"], raw_a.at[a0, "attendance_pct"] = 58.0, "85"
    out.append((key_a(a0), "attendance_pct", "85", "58", "change",
                "Nhập nhầm thứ tự chữ số; đã xác minh qua điện thoại với chủ tịch Hội."))
    ta.at[a1, "exemplars_commended_12m"], raw_a.at[a1, "exemplars_commended_12m"] = np.nan, "150"
    out.append((key_a(a1), "exemplars_commended_12m", "150", "", "blank",
                "Số liệu gồm cả điển hình cấp huyện, không tách được; để trống."))
    ta.at[a2, "rating_last_year"], raw_a.at[a2, "rating_last_year"] = "3", "2"
    out.append((key_a(a2), "rating_last_year", "2", "3", "change",
                "Theo quyết định xếp loại của cấp trên, tổ chức xếp loại trung bình."))
    cur = raw_a.at[a3, "members_total"]
    out.append((key_a(a3), "members_total", str(int(cur) + 100), str(int(cur) + 50), "change",
                "Giá trị cũ ghi sai (cố ý): bản sửa này phải bị từ chối vì không khớp dữ liệu."))
    if accept_row is not None:
        v = raw_a.at[accept_row, "n_branches"]
        out.append((key_a(accept_row), "n_branches", v, v, "accept",
                    "Đã xác minh: thôn mới chia tách chưa thành lập chi hội."))
    b0 = int(rows_b[0])
    tb.at[b0, "birth_year"], raw_b.at[b0, "birth_year"] = 1957.0, "1975"
    tb.at[b0, "years_in_post"], raw_b.at[b0, "years_in_post"] = 3.0, "3"
    out.append((f"{round_id}|{tb.at[b0, 'cadre_id']}", "birth_year", "1975", "1957", "change",
                "Đối chiếu lý lịch: năm sinh 1957."))
    return pd.DataFrame(out, columns=["key", "variable", "old_value", "new_value", "action",
                                      "note"])


def test_record(raw_b: pd.DataFrame, round_id: str) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """A training/test submission (to be removed by a correction)."""
    rec = raw_b.iloc[[0]].copy()
    cid = re.sub(r"-\d+$", "-99", str(rec["cadre_id"].iloc[0]))
    rec["cadre_id"] = cid
    rec["cadre_name"] = "Nguyễn Văn Thử"
    rec["_rid"] = int(raw_b["_rid"].max()) + 1
    row = (f"{round_id}|{cid}", "", "", "", "remove",
           "Bản ghi nhập thử khi tập huấn điều tra viên; xóa.")
    return rec, row


# --------------------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------------------

SPECIAL_A = {
    "reports_required_12m": ("999", "-9", "không rõ"),
    "admin_time_pct": ("-9", "không rõ"),
    "exemplars_commended_12m": ("-8", "-9"),
    "meetings_required_per_year": ("99", "-9"),
}
SPECIAL_B = {
    "field_days_per_month": ("99", "-9"),
    "paperwork_hours_per_week": ("-9", "không rõ"),
    "concurrent_posts": ("99", "-8"),
    "years_in_post": ("-9", "không rõ"),
}
CHOICE_A = ("has_annual_plan", "rating_last_year", "dvk_top_level", "respondent_position")
CHOICE_B = ("sex", "education", "ethnicity", "position", "political_theory")


@dataclass
class FormOutput:
    """What one form produced: truth text, ledger with rows, per-file statistics."""

    truth: pd.DataFrame
    defects: pd.DataFrame
    files: dict[str, dict[str, Any]]
    extra: dict[str, Any] = field(default_factory=dict)


def _version_ids(rng: np.random.Generator, form: str) -> tuple[str, str]:
    alphabet = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
    return tuple("v" + "".join(rng.choice(alphabet, 21)) for _ in range(2))  # type: ignore[return-value]


def _rowmap(frame: pd.DataFrame, file: str, keys: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"_rid": frame["_rid"].to_numpy(), "source_file": file,
                         "row": frame["_row"].to_numpy(), "key": keys})


def build_form_a(round_id: str, frame: pd.DataFrame, cb: Codebook, rng: np.random.Generator,
                 excel_districts: tuple[str, ...]) -> dict[str, Any]:
    """Form A: truth, sample of missing returns and injected defects (nothing written)."""
    ta = truth_form_a(frame, cb, rng)
    ta["round_id"] = round_id
    n = len(ta)
    idx = np.arange(n)
    used = np.zeros(n, dtype=bool)
    missing = _pick(rng, idx, RATES["missing_return"], used)
    received = np.ones(n, dtype=bool)
    received[missing] = False
    in_xl = ta["district_code"].isin(excel_districts).to_numpy()
    org = ta["org_type"].to_numpy()
    kobo_pool, recv_pool = idx[received & ~in_xl], idx[received]
    corr_rows = np.sort(rng.choice(kobo_pool[org[kobo_pool] != "mttq"], 4, replace=False))
    used[corr_rows] = True
    led = Ledger()
    ta = inject_soft_a(ta, rng, recv_pool, used, led)
    below = led.parts[0]["_rid"].to_numpy() if led.parts else np.array([], dtype=int)
    below = below[np.isin(below, kobo_pool)]
    raw = render(ta, cb.form("a"))
    raw["_rid"] = idx
    raw["respondent_name"] = _names(rng, rng.random(n) < 0.3)
    raw["respondent_phone"] = _phones(rng, n)
    status = np.full(n, "clean", dtype=object)
    state = {"ta": ta, "raw": raw, "corr_rows": corr_rows,
             "accept": int(below[0]) if len(below) else None}
    inject_hard_a(raw, status, rng, recv_pool, used, led)
    inject_special_missing(raw, ta, rng, recv_pool, used, led, SPECIAL_A)
    inject_choice_labels(raw, cb, "a", rng, kobo_pool, used, led, CHOICE_A)
    inject_text(raw, rng, kobo_pool, used, led, ("proposals", "dvk_model_names"))
    for k, v in _times(rng, raw["interview_date"].to_numpy().astype("datetime64[D]")).items():
        raw[k] = v
    state.update(status=status, led=led, used=used, kobo_pool=kobo_pool, missing=missing,
                 in_xl=in_xl, received=received)
    return state


def finish_form_a(round_id: str, state: dict[str, Any], frame: pd.DataFrame, cb: Codebook,
                  rng: np.random.Generator, raw_dir: Path,
                  excel_districts: tuple[str, ...]) -> FormOutput:
    """Write form-A files (after corrections were planned) and collect the truth."""
    ta, raw, status, led = state["ta"], state["raw"], state["status"], state["led"]
    kobo_pool, used = state["kobo_pool"], state["used"]
    kobo = raw.loc[kobo_pool]
    kobo = add_duplicates(kobo, rng, kobo_pool, used, led,
                          ("attendance_pct", "reports_required_12m", "n_exec_members"))
    kobo = finish_kobo(kobo, rng, _version_ids(rng, "a"), "2014-07-20")
    name = "form_a_kobo_SYNTHETIC.csv"
    write_kobo_csv(kobo, kobo, kobo_columns(cb, "a"), raw_dir / name)
    keys = (round_id + "|" + kobo["commune_code"] + "|" + kobo["org_type"]).to_numpy()
    maps = [_rowmap(kobo, name, keys)]
    n_dup = len(kobo) - len(kobo_pool)
    q_kobo = int((status[kobo_pool] == "quarantined").sum())
    files = {name: {"form": "a", "kind": "kobo_csv", "records": len(kobo),
                    "unique_keys": len(kobo_pool), "duplicates": n_dup,
                    "quarantined": q_kobo, "clean": len(kobo_pool) - q_kobo}}
    sources = []
    for d in excel_districts:
        sel = np.flatnonzero(state["received"] & (ta["district_code"].to_numpy() == d))
        xname = f"form_a_district_{d}_SYNTHETIC.xlsx"
        avoid = set(led.frame()["_rid"].astype(int).tolist())
        res = write_district_excel(raw.loc[sel], frame, d, cb, rng, raw_dir / xname, led, avoid)
        if res["amb_rid"] >= 0:
            status[res["amb_rid"]] = "quarantined"
        rm = pd.DataFrame(res["rowmap"], columns=["_rid", "_row"])
        maps.append(_rowmap(rm, xname, (round_id + "|" + ta.loc[rm["_rid"], "commune_code"]
                                        + "|" + ta.loc[rm["_rid"], "org_type"]).to_numpy()))
        q = int((status[sel] == "quarantined").sum())
        files[xname] = {"form": "a", "kind": "district_excel", "district_code": d,
                        "sheet": EXCEL_SHEET, "records": len(sel), "unique_keys": len(sel),
                        "duplicates": 0, "quarantined": q, "clean": len(sel) - q,
                        "skipped_rows": res["skipped_rows"],
                        "ambiguous_commune_text": res["amb_text"]}
        sources.append({"file": xname, "district_code": d, "column_map": res["column_map"]})
    recv = np.flatnonzero(state["received"])
    truth = truth_text(ta.loc[recv], cb.form("a"))
    truth["_expected"] = status[recv]
    file_of = pd.concat(maps).drop_duplicates("_rid").set_index("_rid")["source_file"]
    truth["_source_file"] = file_of.reindex(recv).to_numpy()
    defects = _ledger_rows(led, pd.concat(maps, ignore_index=True), "a")
    missing = state["missing"]
    miss_keys = (round_id + "|" + ta.loc[missing, "commune_code"] + "|"
                 + ta.loc[missing, "org_type"]).tolist()
    return FormOutput(truth, defects, files, {"excel_sources": sources,
                                              "missing_returns": miss_keys,
                                              "n_expected": len(ta)})


def _ledger_rows(led: Ledger, maps: pd.DataFrame, form: str) -> pd.DataFrame:
    d = led.frame().merge(maps, on="_rid", how="left")
    d.insert(0, "form", form)
    cols = ["form", "source_file", "row", "key", "variable", "raw_value", "true_value",
            "defect_kind", "expected_outcome"]
    return d[cols]


def build_form_b(round_id: str, frame: pd.DataFrame, sample: pd.DataFrame, cb: Codebook,
                 rng: np.random.Generator, target: int | None) -> dict[str, Any]:
    """Form B: truth of sampled cadres and injected defects (nothing written)."""
    tb = truth_form_b(frame, sample, cb, rng, target)
    tb["round_id"] = round_id
    n = len(tb)
    idx = np.arange(n)
    used = np.zeros(n, dtype=bool)
    non_doan = idx[(tb["org_type"].to_numpy() != "doan") & (tb["birth_year"].to_numpy() < 1975)]
    corr_rows = np.sort(rng.choice(non_doan, 1, replace=False))
    used[corr_rows] = True
    led = Ledger()
    tb = inject_soft_b(tb, rng, idx, used, led)
    raw = render(tb, cb.form("b"))
    raw["_rid"] = idx
    raw["cadre_name"] = _names(rng, tb["_female"].to_numpy())
    raw["cadre_phone"] = _phones(rng, n)
    status = np.full(n, "clean", dtype=object)
    state = {"tb": tb, "raw": raw, "corr_rows": corr_rows, "status": status, "led": led,
             "used": used}
    inject_hard_b(raw, status, rng, idx, used, led)
    inject_special_missing(raw, tb, rng, idx, used, led, SPECIAL_B)
    inject_choice_labels(raw, cb, "b", rng, idx, used, led, CHOICE_B)
    inject_text(raw, rng, idx, used, led, ("cadre_name",))
    days = (PERIOD[1] - PERIOD[0]).days + 1
    dates = np.datetime64(PERIOD[0]) + rng.integers(0, days, n).astype("timedelta64[D]")
    for k, v in _times(rng, dates).items():
        raw[k] = v
    return state


def finish_form_b(round_id: str, state: dict[str, Any], cb: Codebook, rng: np.random.Generator,
                  raw_dir: Path) -> FormOutput:
    """Write the form-B Kobo CSV (with a test record and duplicates); collect the truth."""
    tb, raw, status, led, used = (state[k] for k in ("tb", "raw", "status", "led", "used"))
    n = len(tb)
    raw = raw.set_index(raw["_rid"].to_numpy())
    test, corr_row = test_record(raw, round_id)
    state["remove_correction"] = corr_row
    raw = pd.concat([raw, test.set_index(test["_rid"].to_numpy())])
    raw = add_duplicates(raw, rng, np.arange(n), np.concatenate([used, [True]]), led,
                         ("field_days_per_month", "concurrent_posts"))
    raw = finish_kobo(raw, rng, _version_ids(rng, "b"), "2014-07-20")
    name = "form_b_kobo_SYNTHETIC.csv"
    write_kobo_csv(raw, raw, kobo_columns(cb, "b"), raw_dir / name)
    keys = (round_id + "|" + raw["cadre_id"]).to_numpy()
    maps = _rowmap(raw, name, keys)
    q = int((status == "quarantined").sum())
    files = {name: {"form": "b", "kind": "kobo_csv", "records": len(raw),
                    "unique_keys": n + 1, "duplicates": len(raw) - n - 1, "removed": 1,
                    "quarantined": q, "clean": n - q}}
    truth = truth_text(tb, cb.form("b"))
    truth["_expected"] = status
    truth["_source_file"] = name
    defects = _ledger_rows(led, maps, "b")
    test_key = f"{round_id}|{test['cadre_id'].iloc[0]}"
    test_row = int(maps.loc[maps["key"] == test_key, "row"].iloc[0])
    extra = pd.DataFrame([{"form": "b", "source_file": name, "row": test_row, "key": test_key,
                           "variable": "", "raw_value": "", "true_value": "",
                           "defect_kind": "test_submission", "expected_outcome": "removed"}])
    return FormOutput(truth, pd.concat([defects, extra], ignore_index=True), files)


#: Example ``report:`` section (header and signature of the báo cáo). Number, date and
#: signer's name are left out on purpose: the report prints "…" for the office to fill in.
REPORT_YAML = [
    "report:",
    '  superior: "TỈNH ỦY BÌNH THUẬN"',
    '  issuing_body: "BAN DÂN VẬN"',
    '  symbol: "BC/BDVTU"',
    '  place: "Bình Thuận"',
    '  signer_authority: "T/M BAN DÂN VẬN"',
    '  signer_title: "TRƯỞNG BAN"',
    "  recipients:",
    '    - "Thường trực Tỉnh ủy (để báo cáo)"',
    '    - "Ban Dân vận Trung ương (để báo cáo)"',
    '    - "Các huyện ủy, thị ủy, thành ủy"',
    '    - "Lưu Văn phòng"',
]


def round_yaml(round_id: str, province_code: str, title: str,
               excel_sources: list[dict[str, Any]]) -> str:
    """The round.yaml text (fixed layout, no timestamps)."""
    lines = [
        f"round_id: {round_id}", f"title: {_yaml_str(title)}", "synthetic: true",
        f"province_code: {_yaml_str(province_code)}", 'admin_vintage: "2014"',
        f"reference_year: {REFERENCE_YEAR}",
        f"period: {{start: {PERIOD[0].isoformat()}, end: {PERIOD[1].isoformat()}}}",
        "sample_design: sample_design_SYNTHETIC.csv",
        "corrections: corrections_SYNTHETIC.csv", "sources:",
        "  - {file: form_a_kobo_SYNTHETIC.csv, kind: kobo_csv, form: a}",
    ]
    for s in excel_sources:
        lines.append(f"  - file: {s['file']}")
        lines.append("    kind: district_excel")
        lines.append("    form: a")
        lines.append(f"    district_code: {_yaml_str(s['district_code'])}")
        lines.append(f"    sheet: {_yaml_str(EXCEL_SHEET)}")
        if s["column_map"]:
            lines.append("    column_map:")
            lines += [f"      {_yaml_str(k)}: {v}" for k, v in s["column_map"].items()]
    lines.append("  - {file: form_b_kobo_SYNTHETIC.csv, kind: kobo_csv, form: b}")
    lines += REPORT_YAML
    return "\n".join(lines) + "\n"


def readme_text(round_id: str, seed: int, files: list[str], national: bool) -> str:
    """README of a synthetic round (Vietnamese and English)."""
    cmd = (f"python benchmarks/make_national_round.py --seed {seed}" if national
           else f"danvan-survey demo --round {round_id} --seed {seed}")
    listing = "\n".join(f"- `{f}`" for f in files)
    return (
        f"# {round_id} — DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA\n\n"
        "**Tiếng Việt.** Toàn bộ số liệu trong thư mục này là số liệu mô phỏng (giả lập), "
        "không phải số liệu khảo sát thật; tên người và số điện thoại đều là giả. Dữ liệu "
        f"được sinh tự động bằng lệnh `{cmd}` và có cố ý chèn lỗi (sai mã hóa, trùng phiếu, "
        "giá trị vô lý...) để kiểm thử quy trình làm sạch. Không dùng để báo cáo.\n\n"
        "**English.** Every figure in this folder is synthetic: invented, not survey data; "
        "names and phone numbers are fake. It was generated by "
        f"`{cmd}` (byte-identical for the same seed) and contains deliberately injected "
        "defects (legacy encodings, duplicates, impossible values, ...) to test the cleaning "
        "pipeline. The ground truth lives outside this folder, in "
        f"`tests/ground_truth/{round_id}/`. Do not report these numbers.\n\n"
        f"## Files / Tệp\n\n{listing}\n"
    )


def generate_round(round_id: str, seed: int, out_root: Path, truth_root: Path, *,
                   province_code: str = "60", scale: str = "province") -> dict[str, Any]:
    """Write a synthetic round to ``out_root/<round_id>`` and its truth to ``truth_root``.

    ``scale="national"`` uses every commune of the 2014 list (``province_code`` "ALL"),
    Kobo sources only and exactly one million cadres. Returns the expected counts.
    """
    if scale not in ("province", "national"):
        raise ValueError(f"scale must be 'province' or 'national', not {scale!r}")
    national = scale == "national"
    cb = load_codebook()
    rng = np.random.default_rng(seed)
    pcode = "ALL" if national else province_code.zfill(2)
    frame = commune_frame(pcode)
    raw_dir, truth_dir = Path(out_root) / round_id, Path(truth_root) / round_id
    raw_dir.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)
    excel = () if national else EXCEL_DISTRICTS.get(pcode, ())
    sample = draw_sample(frame, rng, national)
    state_a = build_form_a(round_id, frame, cb, rng, excel)
    state_b = build_form_b(round_id, frame, sample, cb, rng,
                           NATIONAL_CADRES - 1 if national else None)
    corrections = plan_corrections(round_id, state_a["ta"], state_a["raw"], state_b["tb"],
                                   state_b["raw"], state_a["corr_rows"], state_b["corr_rows"],
                                   state_a["accept"])
    out_a = finish_form_a(round_id, state_a, frame, cb, rng, raw_dir, excel)
    out_b = finish_form_b(round_id, state_b, cb, rng, raw_dir)
    corrections = pd.concat([corrections, pd.DataFrame([state_b["remove_correction"]],
                                                       columns=corrections.columns)],
                            ignore_index=True)
    _write_csv(corrections, raw_dir / "corrections_SYNTHETIC.csv")
    _write_csv(sample, raw_dir / "sample_design_SYNTHETIC.csv")
    title = ("Đợt khảo sát mô phỏng 2014 toàn quốc (DỮ LIỆU MÔ PHỎNG)" if national
             else "Đợt khảo sát mô phỏng 2014 (DỮ LIỆU MÔ PHỎNG)")
    (raw_dir / "round.yaml").write_text(
        round_yaml(round_id, pcode, title, out_a.extra["excel_sources"]), encoding="utf-8")
    demo_models.add_models(round_id, seed, raw_dir, truth_dir, out_a.truth)
    files = sorted(p.name for p in raw_dir.iterdir() if p.name != "README.md")
    (raw_dir / "README.md").write_text(readme_text(round_id, seed, files, national),
                                       encoding="utf-8")
    defects = pd.concat([out_a.defects, out_b.defects], ignore_index=True)
    defects = defects.sort_values(["source_file", "row", "variable", "defect_kind"],
                                  kind="stable").reset_index(drop=True)
    _write_csv(out_a.truth, truth_dir / "organisations_truth.csv")
    _write_csv(out_b.truth, truth_dir / "cadres_truth.csv")
    _write_csv(defects, truth_dir / "defects.csv")
    counts = expected_counts(round_id, seed, out_a, out_b, defects, corrections, sample)
    (truth_dir / "expected_counts.json").write_text(
        json.dumps(counts, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return counts


def expected_counts(round_id: str, seed: int, out_a: FormOutput, out_b: FormOutput,
                    defects: pd.DataFrame, corrections: pd.DataFrame,
                    sample: pd.DataFrame) -> dict[str, Any]:
    """Counts the pipeline must reproduce (per file, per form, per defect kind)."""
    ea, eb = out_a.truth["_expected"], out_b.truth["_expected"]
    return {
        "round_id": round_id, "seed": seed, "synthetic": True,
        "files": {**out_a.files, **out_b.files},
        "form_a": {"n_expected": out_a.extra["n_expected"], "n_received": len(ea),
                   "clean": int((ea == "clean").sum()),
                   "quarantined": int((ea == "quarantined").sum()),
                   "missing_returns": out_a.extra["missing_returns"]},
        "form_b": {"n_cadres": len(eb), "clean": int((eb == "clean").sum()),
                   "quarantined": int((eb == "quarantined").sum()),
                   "removed_by_corrections": 1, "n_psu_drawn": len(sample),
                   "n_strata": int(sample["district_code"].nunique())},
        "corrections": {"rows": len(corrections),
                        "applied": len(corrections) - 1, "refused": 1},
        "defects_by_kind": {k: int(v) for k, v in
                            defects.groupby("defect_kind").size().sort_index().items()},
        "defects_by_outcome": {k: int(v) for k, v in
                               defects.groupby("expected_outcome").size().sort_index().items()},
    }

