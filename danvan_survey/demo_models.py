"""Synthetic roster of "Dân vận khéo" models for a demo round (clearly ``SYNTHETIC``).

:func:`add_models` is called once by :func:`danvan_survey.demo.generate_round`, after the
form-A Kobo export and ``round.yaml`` are written. It draws from its *own* random stream
(``default_rng([seed, MODELS_STREAM])``), so adding it changed no byte of the other raw
files, and writes:

- ``form_a_models_kobo_SYNTHETIC.csv``: a KoboToolbox CSV export of the repeat group
  ``grp_models`` (one row per model, linked to its parent submission by
  ``_submission__uuid`` and ``_parent_index``), listed in ``round.yaml`` as
  ``form: a_models`` with ``parent: form_a_kobo_SYNTHETIC.csv``;
- ``models_truth.csv`` (truth folder): the true clean values of every row and its expected
  outcome (clean / quarantined / duplicate), and ``models_expected_counts.json``.

Models fit their organisation (a veterans' model under the veterans' association, ...):
names and fields come from :data:`MODEL_POOL` by organisation type. The organisation's
highest model level equals its reported ``dvk_top_level``; organisations reporting none
have no model. A few defects are injected (a future year, a level typed as a label, an
unknown level, a row whose parent is not in the export, a level above the organisation's
reported top level); rows of quarantined parents are
quarantined and rows of older duplicate submissions are duplicates.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl

MODELS_STREAM = 9_009
FORM_A_FILE = "form_a_kobo_SYNTHETIC.csv"
MODELS_FILE = "form_a_models_kobo_SYNTHETIC.csv"
TRUTH_FILE = "models_truth.csv"
COUNTS_FILE = "models_expected_counts.json"
QUESTIONS = ("model_name", "model_field", "model_level", "model_year", "model_replicated",
             "model_replicated_places", "model_replicated_where")
TRUTH_COLUMNS = ("round_id", "district_code", "commune_code", "org_type", "model_no",
                 *QUESTIONS)
KOBO_TAIL = ("_index", "_parent_table_name", "_parent_index", "_submission__id",
             "_submission__uuid", "_submission__submission_time",
             "_submission__validation_status", "_submission__notes", "_submission__status",
             "_submission__submitted_by", "_submission___version__", "_submission__tags")
#: (field code, model name) by organisation type; names follow models recognised in
#: Bình Thuận and elsewhere (see docs in the shared domain brief), all used as fiction here.
MODEL_POOL: dict[str, tuple[tuple[str, str], ...]] = {
    "hccb": (
        ("economy", "Cựu chiến binh giúp nhau giảm nghèo, làm kinh tế giỏi"),
        ("security", "Cảm hóa, giáo dục người lầm lỗi tại cộng đồng dân cư"),
        ("political_system", "Cựu chiến binh tham gia hòa giải ở cơ sở"),
        ("security", "Cựu chiến binh tham gia giữ gìn an ninh trật tự ở khu dân cư"),
        ("environment", "Cựu chiến binh tự quản đường làng xanh - sạch - đẹp"),
    ),
    "hlhpn": (
        ("security", "Đội dân phòng nữ giữ gìn an ninh trật tự"),
        ("economy", "Tổ phụ nữ tiết kiệm giúp nhau làm kinh tế"),
        ("culture_social", "Câu lạc bộ gia đình hạnh phúc, phòng chống bạo lực gia đình"),
        ("new_rural", "Phụ nữ thực hiện \"5 không, 3 sạch\" xây dựng nông thôn mới"),
        ("environment", "Phụ nữ thu gom, phân loại rác thải tại hộ gia đình"),
    ),
    "doan": (
        ("culture_social", "Đoàn viên giúp người nghèo sửa nhà"),
        ("new_rural", "Thanh niên tình nguyện làm đường giao thông nông thôn"),
        ("security", "Đội thanh niên xung kích tuần tra an ninh"),
        ("environment", "Ngày chủ nhật xanh của đoàn viên thanh niên"),
        ("economy", "Câu lạc bộ thanh niên lập nghiệp"),
    ),
    "hnd": (
        ("economy", "Tổ hội nghề nghiệp trồng thanh long"),
        ("economy", "Nông dân giúp nhau giống, vốn, kỹ thuật sản xuất"),
        ("new_rural", "Nông dân hiến đất làm đường giao thông nông thôn"),
        ("environment", "Nông dân thu gom vỏ bao bì thuốc bảo vệ thực vật"),
        ("political_system", "Câu lạc bộ nông dân với pháp luật"),
    ),
    "mttq": (
        ("culture_social", "Toàn dân đoàn kết xây dựng đời sống văn hóa ở khu dân cư"),
        ("ethnic_religion", "Vận động đồng bào Chăm xây dựng nếp sống văn minh"),
        ("ethnic_religion", "Già làng, người có uy tín tham gia vận động đồng bào"),
        ("security", "Khu dân cư tự quản về an ninh trật tự"),
        ("economy", "Quỹ Vì người nghèo giúp hộ nghèo xây nhà Đại đoàn kết"),
    ),
}
PLACE_NOUN = {1: "thôn, khu phố trong xã", 2: "xã, thị trấn trong huyện",
              3: "xã, phường trong tỉnh", 4: "xã, phường trong tỉnh"}
LEVEL_LABEL = {1: "cấp xã", 2: "cấp huyện", 3: "cấp tỉnh", 4: "cấp trung ương"}


def _int(text: object, default: int = 0) -> int:
    try:
        return int(str(text))
    except ValueError:
        return default


def draw_org_models(org_type: str, top_level: int, recognised: int, year: int,
                    rng: np.random.Generator) -> list[dict[str, str]]:
    """Models of one organisation: the first at its top level, none when the level is 0."""
    if top_level <= 0:
        return []
    pool = MODEL_POOL[org_type]
    n_recent = min(max(recognised, 0), 3)
    n_old = int(rng.random() < 0.3) or int(n_recent == 0)
    picks = rng.choice(len(pool), min(n_recent + n_old, len(pool)), replace=False)
    out = []
    for i, k in enumerate(picks):
        level = top_level if i == 0 else int(rng.integers(1, top_level + 1))
        recent = i < n_recent
        when = int(rng.integers(year - 1, year + 1)) if recent else int(
            rng.integers(year - 4, year - 1))
        replicated = bool(rng.random() < 0.15 + 0.15 * level)
        places = int(rng.integers(1, 3 + 3 * level)) if replicated else 0
        field, name = pool[int(k)]
        out.append({
            "model_name": name, "model_field": field, "model_level": str(level),
            "model_year": str(when), "model_replicated": "1" if replicated else "0",
            "model_replicated_places": str(places) if replicated else "",
            "model_replicated_where": f"{places} {PLACE_NOUN[level]}" if replicated else "",
        })
    return out


def _parents(raw_dir: Path, truth_a: pd.DataFrame) -> pd.DataFrame:
    """Kobo form-A submissions with their organisation's truth and expected outcome."""
    kobo = pd.read_csv(raw_dir / FORM_A_FILE, sep=";", dtype=str, keep_default_na=False)
    kobo = kobo.rename(columns=lambda c: c.split("/")[-1])
    kobo["_file_row"] = np.arange(len(kobo))
    latest = kobo.sort_values(["_submission_time", "_file_row"], kind="stable").duplicated(
        ["commune_code", "org_type"], keep="last")
    kobo["_older"] = latest.reindex(kobo.index)
    truth = truth_a[truth_a["_source_file"] == FORM_A_FILE]
    cols = ["commune_code", "org_type", "district_code", "dvk_top_level",
            "dvk_recognised_12m", "_expected"]
    merged = kobo[["_index", "_id", "_uuid", "_submission_time", "_validation_status",
                   "_status", "_submitted_by", "__version__", "commune_code", "org_type",
                   "_older", "_file_row"]].merge(
        truth[cols], on=["commune_code", "org_type"], how="inner", validate="many_to_one")
    return merged.sort_values("_file_row", kind="stable").reset_index(drop=True)


def draw_rows(round_id: str, parents: pd.DataFrame, year: int,
              rng: np.random.Generator) -> pd.DataFrame:
    """One row per model and parent submission (older duplicates repeat their models)."""
    by_org: dict[tuple[str, str], list[dict[str, str]]] = {}
    rows: list[dict[str, Any]] = []
    for p in parents.to_dict("records"):
        key = (str(p["commune_code"]), str(p["org_type"]))
        if key not in by_org:
            by_org[key] = draw_org_models(key[1], _int(p["dvk_top_level"]),
                                          _int(p["dvk_recognised_12m"]), year, rng)
        expected = "duplicate" if p["_older"] else str(p["_expected"])
        for no, model in enumerate(by_org[key], 1):
            rows.append({"round_id": round_id, "district_code": p["district_code"],
                         "commune_code": key[0], "org_type": key[1], "model_no": str(no),
                         **model, "_raw_level": model["model_level"],
                         "_raw_year": model["model_year"], "_defect": "",
                         "_expected": expected, "_parent_index": p["_index"],
                         "_parent_uuid": p["_uuid"], "_parent_id": p["_id"],
                         "_parent_time": p["_submission_time"],
                         "_parent_validation": p["_validation_status"],
                         "_parent_status": p["_status"], "_parent_by": p["_submitted_by"],
                         "_parent_version": p["__version__"]})
    return pd.DataFrame(rows)


def inject_defects(rows: pd.DataFrame, rng: np.random.Generator, year: int) -> pd.DataFrame:
    """Inject the roster's defects (see the module docstring).

    A future year, a level label, an unknown level, an orphan row (parent missing) and a
    level above the organisation's reported top level (kept, flagged).
    """
    out = rows.copy()
    clean = np.flatnonzero((out["_expected"] == "clean").to_numpy())
    picks = rng.choice(clean, 4, replace=False)
    future, label, unknown, orphan = (int(i) for i in picks)
    # a first model (at the organisation's top level) typed one level higher: flagged
    top = out["model_level"].astype(int)
    cand = np.setdiff1d(clean[((out["model_no"] == "1") & (top < 4)).to_numpy()[clean]], picks)
    above = int(rng.choice(cand))
    higher = str(int(out.at[above, "model_level"]) + 1)
    out.loc[above, ["model_level", "_raw_level", "_defect"]] = [
        higher, higher, "level_above_org_top"]
    out.loc[future, ["_raw_year", "_defect", "_expected"]] = [
        str(year + 1), "model_year_after_round", "quarantined"]
    level = _int(out.at[label, "model_level"])
    out.loc[label, ["_raw_level", "_defect"]] = [LEVEL_LABEL[level], "level_as_label"]
    out.loc[unknown, ["_raw_level", "_defect", "_expected"]] = [
        "cấp thôn", "level_unknown", "quarantined"]
    orphan_row = out.loc[[orphan]].assign(
        _parent_uuid="00000000-0000-4000-8000-000000000000", _parent_index="99999",
        _defect="parent_missing", _expected="quarantined", model_no="")
    for col in ("round_id", "district_code", "commune_code", "org_type"):
        orphan_row[col] = ""
    return pd.concat([out, orphan_row], ignore_index=True)


def kobo_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows as a KoboToolbox CSV export of repeat ``grp_models`` (XML headers)."""
    data = {f"grp_models/{q}": rows[q] for q in QUESTIONS}
    data["grp_models/model_level"] = rows["_raw_level"]
    data["grp_models/model_year"] = rows["_raw_year"]
    frame = pd.DataFrame(data)
    frame["_index"] = [str(i) for i in range(1, len(rows) + 1)]
    frame["_parent_table_name"] = "danvan_form_a"
    frame["_parent_index"] = rows["_parent_index"].to_numpy()
    frame["_submission__id"] = rows["_parent_id"].to_numpy()
    frame["_submission__uuid"] = rows["_parent_uuid"].to_numpy()
    frame["_submission__submission_time"] = rows["_parent_time"].to_numpy()
    frame["_submission__validation_status"] = rows["_parent_validation"].to_numpy()
    frame["_submission__notes"] = ""
    frame["_submission__status"] = rows["_parent_status"].to_numpy()
    frame["_submission__submitted_by"] = rows["_parent_by"].to_numpy()
    frame["_submission___version__"] = rows["_parent_version"].to_numpy()
    frame["_submission__tags"] = ""
    return frame[[*data, *KOBO_TAIL]]


def _write(frame: pd.DataFrame, path: Path, kobo: bool) -> None:
    data = pl.DataFrame({c: pl.Series(c, frame[c].astype(str).to_numpy(), dtype=pl.String)
                         for c in frame.columns})
    if kobo:  # as the form-A export: ';', every field quoted, CRLF
        data.write_csv(path, separator=";", quote_style="always", line_terminator="\r\n")
    else:
        data.write_csv(path)


def expected_counts(rows: pd.DataFrame) -> dict[str, Any]:
    """Counts the pipeline must reproduce for the models file."""
    e = rows["_expected"]
    return {"files": {MODELS_FILE: {
        "form": "a_models", "kind": "kobo_csv", "records": len(rows),
        "clean": int((e == "clean").sum()), "quarantined": int((e == "quarantined").sum()),
        "duplicates": int((e == "duplicate").sum()),
        "defects": {k: int(v) for k, v in rows.loc[rows["_defect"] != "", "_defect"]
                    .value_counts().sort_index().items()},
    }}}


def add_models(round_id: str, seed: int, raw_dir: Path, truth_dir: Path,
               truth_a: pd.DataFrame, reference_year: int = 2014) -> None:
    """Write the models export and its truth; list the export in ``round.yaml``."""
    rng = np.random.default_rng([seed, MODELS_STREAM])
    rows = draw_rows(round_id, _parents(raw_dir, truth_a), reference_year, rng)
    rows = inject_defects(rows, rng, reference_year)
    _write(kobo_frame(rows), raw_dir / MODELS_FILE, kobo=True)
    truth = rows[[*TRUTH_COLUMNS, "_expected", "_defect"]].assign(_source_file=MODELS_FILE)
    truth.insert(len(truth.columns) - 1, "_row", [str(i) for i in range(2, len(rows) + 2)])
    _write(truth, truth_dir / TRUTH_FILE, kobo=False)
    (truth_dir / COUNTS_FILE).write_text(
        json.dumps(expected_counts(rows), ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        encoding="utf-8")
    add_source_line(raw_dir / "round.yaml", f"  - {{file: {MODELS_FILE}, kind: kobo_csv, "
                    f"form: a_models, parent: {FORM_A_FILE}}}\n")


def add_source_line(path: Path, line: str) -> None:
    """Insert ``line`` after the last entry of ``sources:`` (other sections may follow)."""
    lines = path.read_text(encoding="utf-8").splitlines(True)
    start = lines.index("sources:\n")
    end = start + 1
    while end < len(lines) and lines[end].startswith(" "):
        end += 1
    lines.insert(end, line)
    path.write_text("".join(lines), encoding="utf-8")
