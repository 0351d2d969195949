"""A synthetic follow-up round on the 1 July 2025 units (``demo-2026``), continuing a base.

The follow-up reads the base round's ground truth (true values of every organisation of
2014), merges the organisations of merged communes — one Front committee and one branch
of each union per new unit, sized by the residential areas of its predecessors (a split
commune gives each successor an equal share) — and decides per new unit × organisation
whether it is weak now: a base weak organisation is consolidated with probability
:data:`P_CONSOLIDATED`, a base non-weak one becomes weak with :data:`P_NEWLY_WEAK`. True
values are then drawn by the same :func:`~danvan_survey.demo.truth.truth_form_a` as the
base round, so the two rounds share their pieces. Cadres are resampled (new sample of
communes per former district, new people).

Weak "then" and "now" in the ground truth are computed from the *true* values with the
package's published rules (``config/weakness.yaml``), counting only base records the
pipeline keeps (``_expected == clean``), so a test can check that ``compare`` recovers them
from the raw files. Every figure is invented; every file name says ``SYNTHETIC``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from danvan_survey.codebook import Codebook, load_codebook
from danvan_survey.demo.common import (
    EM_CODE,
    ORGS,
    _names,
    _phones,
    _pick,
    _write_csv,
    _yaml_str,
    render,
    truth_text,
)
from danvan_survey.demo.kobo import _times, finish_kobo, kobo_columns, write_kobo_csv
from danvan_survey.demo.round2014 import _version_ids, readme_text
from danvan_survey.demo.truth import draw_sample, truth_form_a, truth_form_b
from danvan_survey.errors import InputError
from danvan_survey.indicators import compute_indicators
from danvan_survey.vintage import mapping_2014_to_2025, units_2025
from danvan_survey.weakness import apply_weakness

P_CONSOLIDATED = 0.55
P_RETAINED = 0.35  # a 2026 cadre of a unit with a sampled predecessor is a 2014 cadre
MAX_AGE_RETAINED = 75
P_NEWLY_WEAK = 0.04
MISSING_RETURN_RATE = 0.02
TRANSITIONS_VI = {
    "consolidated": "Đã củng cố (yếu kém → không còn yếu kém)",
    "still_weak": "Vẫn yếu kém",
    "newly_weak": "Mới yếu kém",
    "never_weak": "Không yếu kém ở cả hai đợt",
}


@dataclass(frozen=True)
class FollowupSpec:
    """Everything that differs between a follow-up round and its base."""

    round_id: str
    base_round: str
    year: int
    period: tuple[date, date]
    province_code: str
    former_province_code: str
    default_seed: int


FOLLOWUPS = {
    "demo-2026": FollowupSpec("demo-2026", "demo-2014", 2026,
                              (date(2026, 6, 1), date(2026, 9, 30)), "68", "60", 2026),
}


def typed_truth(text: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    """Truth text of form A with numbers as floats (what the weakness rules read)."""
    out = text.copy()
    for var in cb.form("a"):
        if var.name not in out.columns:
            continue
        numeric = var.base_type in ("integer", "decimal") or (
            var.base_type == "select_one" and var.list_name in cb.choices
            and all(c.code.lstrip("-").isdigit() for c in cb.choices[var.list_name]))
        if numeric:
            out[var.name] = pd.to_numeric(out[var.name], errors="coerce")
        else:
            out[var.name] = out[var.name].astype(object).where(out[var.name] != "", None)
    return out


def weakness_of(truth: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    """Weak flag (reported or functional) and Vietnamese reasons of each truth record."""
    ind = apply_weakness(compute_indicators(typed_truth(truth, cb)))
    return pd.DataFrame({
        "commune_code": ind["commune_code"].astype(str).to_numpy(),
        "org_type": ind["org_type"].astype(str).to_numpy(),
        "weak": (ind["is_weak_reported"] | ind["is_weak_functional"]).to_numpy(dtype=bool),
        "reasons_vi": ind["weak_reasons_vi"].astype(str).to_numpy(),
    })


def weak_then(base_truth: pd.DataFrame, mapping: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    """Per 2025 unit × organisation: whether any kept base predecessor was weak."""
    kept = base_truth[base_truth["_expected"] == "clean"]
    flags = weakness_of(kept, cb).rename(columns={"commune_code": "commune_code_2014"})
    joined = flags.merge(mapping[["commune_code_2014", "commune_code_2025"]],
                         on="commune_code_2014")
    joined["weak_code"] = joined["commune_code_2014"].where(joined["weak"], "")
    out = joined.groupby(["commune_code_2025", "org_type"], sort=True).agg(
        weak_then=("weak", "any"), n_base_records=("weak", "size"),
        weak_predecessors=("weak_code", lambda s: ";".join(sorted(c for c in s if c))))
    return out.reset_index().rename(columns={"commune_code_2025": "commune_code"})


def commune_sizes(base_truth: pd.DataFrame, mapping: pd.DataFrame, frame: pd.DataFrame,
                  rng: np.random.Generator) -> pd.DataFrame:
    """Commune-level latent sizes of the new units: residential areas of predecessors."""
    areas = base_truth.drop_duplicates("commune_code").set_index("commune_code")
    n_res_old = pd.to_numeric(areas["n_residential_areas"], errors="coerce")
    m = mapping.assign(n_res=mapping["commune_code_2014"].map(n_res_old).fillna(8.0)
                       * mapping["share"])
    n_res = m.groupby("commune_code_2025")["n_res"].sum().round().clip(lower=3)
    n = len(frame)
    hh = n_res.reindex(frame["commune_code"]).to_numpy() * rng.integers(180, 450, n)
    return pd.DataFrame({
        "commune_code": frame["commune_code"].to_numpy(),
        "district_code": frame["district_code"].to_numpy(),
        "em": frame["em_area"].map(EM_CODE).to_numpy(),
        "em_groups": frame["em_groups"].to_numpy(),
        "urban": frame["commune_type"].isin(["Phường"]).to_numpy(),
        "n_res": n_res.reindex(frame["commune_code"]).to_numpy(dtype=float), "hh": hh,
        "persons": np.round(hh * rng.uniform(3.6, 4.4, n)),
    })


def intended_states(then: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The generator's plan per unit × organisation: consolidated, still or newly weak."""
    u = rng.random(len(then))
    was = then["weak_then"].to_numpy(dtype=bool)
    now = np.where(was, u >= P_CONSOLIDATED, u < P_NEWLY_WEAK)
    return then.assign(intended_weak_now=now)


def consolidate(ta: pd.DataFrame, weak: np.ndarray) -> pd.DataFrame:
    """Organisations planned as not weak get no core weakness signal (in true values)."""
    t = ta.copy()
    ok = ~weak
    t.loc[ok, "has_annual_plan"] = "1"
    t.loc[ok, "branches_silent_6m"] = np.minimum(
        t.loc[ok, "branches_silent_6m"], np.floor(0.2 * t.loc[ok, "n_branches"]))
    t.loc[ok, "n_exec_vacant"] = np.minimum(
        t.loc[ok, "n_exec_vacant"], np.floor(0.2 * t.loc[ok, "n_exec_members"]))
    grow = ok & (t["members_new_12m"].to_numpy() == 0)
    t.loc[grow, "members_new_12m"] = 1.0
    t.loc[ok, "attendance_pct"] = np.maximum(t.loc[ok, "attendance_pct"], 55.0)
    return t


def base_cadres(raw_root: Path, truth_root: Path, base_round: str) -> pd.DataFrame:
    """Cadres the base round's pipeline keeps, with their true names (defects undone)."""
    truth = pd.read_csv(Path(truth_root) / base_round / "cadres_truth.csv", dtype=str,
                        keep_default_na=False)
    truth = truth[truth["_expected"] == "clean"]
    raw = pd.read_csv(Path(raw_root) / base_round / "form_b_kobo_SYNTHETIC.csv", sep=";",
                      dtype=str, keep_default_na=False)
    raw = raw.rename(columns={c: c.rsplit("/", 1)[-1] for c in raw.columns})
    names = raw.drop_duplicates("cadre_id", keep="last").set_index("cadre_id")["cadre_name"]
    defects = pd.read_csv(Path(truth_root) / base_round / "defects.csv", dtype=str,
                          keep_default_na=False)
    fixed = defects[defects["variable"] == "cadre_name"]
    true_name = dict(zip(fixed["key"].str.split("|").str[-1], fixed["true_value"],
                         strict=True))
    out = truth[["cadre_id", "commune_code", "org_type", "sex", "birth_year", "ethnicity",
                 "speaks_em_language"]].copy()
    out["cadre_name"] = [true_name.get(c, names.get(c, "")) for c in out["cadre_id"]]
    return out.sort_values("cadre_id").reset_index(drop=True)


def retain_cadres(tb: pd.DataFrame, base: pd.DataFrame, mapping: pd.DataFrame,
                  rng: np.random.Generator, year: int) -> pd.DataFrame:
    """Pick 2026 cadres who are 2014 cadres of a predecessor commune (same organisation).

    Returns (row of tb, base cadre_id) pairs; Đoàn cadres (age limit) and cadres older than
    MAX_AGE_RETAINED are never retained.
    """
    pred = mapping.groupby("commune_code_2025")["commune_code_2014"].apply(set).to_dict()
    birth = pd.to_numeric(base["birth_year"], errors="coerce")
    pool = base[(base["org_type"] != "doan") & (year - birth <= MAX_AGE_RETAINED)
                & (base["cadre_name"] != "")]
    by_key = {k: list(g["cadre_id"]) for k, g in pool.groupby(["commune_code", "org_type"])}
    used: set[str] = set()
    rows, ids = [], []
    draws = rng.random(len(tb))
    for i, (commune, org) in enumerate(zip(tb["commune_code"], tb["org_type"], strict=True)):
        if draws[i] >= P_RETAINED:
            continue
        cands = [c for old in sorted(pred.get(commune, ())) for c in by_key.get((old, org), [])
                 if c not in used]
        if cands:
            pick = cands[int(rng.integers(0, len(cands)))]
            used.add(pick)
            rows.append(i)
            ids.append(pick)
    return pd.DataFrame({"row": rows, "cadre_id_base": ids})


def apply_retained(tb: pd.DataFrame, names: np.ndarray, links: pd.DataFrame,
                   base: pd.DataFrame, year: int) -> None:
    """Give retained cadres their 2014 identity: name, sex, birth year, ethnicity (in place)."""
    b = base.set_index("cadre_id").loc[links["cadre_id_base"]]
    rows = links["row"].to_numpy()
    birth = b["birth_year"].astype(float).to_numpy()
    tb.loc[rows, "birth_year"] = birth
    tb.loc[rows, "sex"] = b["sex"].to_numpy()
    tb.loc[rows, "_female"] = b["sex"].to_numpy() == "2"
    tb.loc[rows, "ethnicity"] = b["ethnicity"].to_numpy()
    tb.loc[rows, "speaks_em_language"] = b["speaks_em_language"].to_numpy()
    tb.loc[rows, "years_in_post"] = np.minimum(tb.loc[rows, "years_in_post"].to_numpy(),
                                               year - birth - 16)
    names[rows] = b["cadre_name"].to_numpy()


def transition(then: bool, now: bool) -> str:
    """Transition code of one organisation between the two rounds."""
    if then:
        return "still_weak" if now else "consolidated"
    return "newly_weak" if now else "never_weak"


def round_yaml_2025(spec: FollowupSpec, title: str) -> str:
    """round.yaml of a follow-up round on the 2025 units (fixed layout)."""
    return "\n".join([
        f"round_id: {spec.round_id}", f"title: {_yaml_str(title)}", "synthetic: true",
        f"province_code: {_yaml_str(spec.province_code)}", 'admin_vintage: "2025"',
        f"scope: {{former_province_code: {_yaml_str(spec.former_province_code)}}}",
        f"reference_year: {spec.year}",
        f"period: {{start: {spec.period[0].isoformat()}, end: {spec.period[1].isoformat()}}}",
        "sample_design: sample_design_SYNTHETIC.csv", "sources:",
        "  - {file: form_a_kobo_SYNTHETIC.csv, kind: kobo_csv, form: a}",
        "  - {file: form_b_kobo_SYNTHETIC.csv, kind: kobo_csv, form: b}",
    ]) + "\n"


def _kobo(raw: pd.DataFrame, rng: np.random.Generator, form: str, cb: Codebook,
          spec: FollowupSpec, path: Path) -> pd.DataFrame:
    switch = date(spec.year, 7, 20).isoformat()
    out = finish_kobo(raw, rng, _version_ids(rng, form), switch)
    write_kobo_csv(out, out, kobo_columns(cb, form, skip=("district_code",)), path)
    return out


def generate_followup(round_id: str, seed: int, out_root: Path, truth_root: Path
                      ) -> dict[str, Any]:
    """Write the follow-up round and its ground truth; return the expected counts."""
    spec = FOLLOWUPS[round_id]
    cb = load_codebook()
    rng = np.random.default_rng(seed)
    base_path = Path(truth_root) / spec.base_round / "organisations_truth.csv"
    base_raw = Path(out_root) / spec.base_round / "form_b_kobo_SYNTHETIC.csv"
    if not base_path.is_file() or not base_raw.is_file():
        raise InputError(
            f"Đợt {round_id} tiếp nối đợt {spec.base_round} nhưng chưa có dữ liệu thô hoặc "
            f"đáp án của đợt này ({base_raw}, {base_path}). Chạy trước: danvan-survey demo "
            f"--round {spec.base_round}.",
            file=str(base_path),
        )
    base_truth = pd.read_csv(base_path, dtype=str, keep_default_na=False)
    frame = units_2025(spec.province_code, spec.former_province_code)
    mapping = mapping_2014_to_2025(spec.former_province_code)
    raw_dir, truth_dir = Path(out_root) / round_id, Path(truth_root) / round_id
    raw_dir.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)
    com = commune_sizes(base_truth, mapping, frame, rng)
    grid = pd.DataFrame({"commune_code": np.repeat(frame["commune_code"].to_numpy(), len(ORGS)),
                         "org_type": np.tile(np.array(ORGS), len(frame))})
    then = grid.merge(weak_then(base_truth, mapping, cb), on=["commune_code", "org_type"],
                      how="left")
    then["weak_then"] = then["weak_then"].astype("boolean").fillna(False).astype(bool)
    plan = intended_states(then, rng)
    intended = plan["intended_weak_now"].to_numpy(dtype=bool)
    ta = truth_form_a(frame, cb, rng, commune_level=com, weak=intended, period=spec.period)
    ta = consolidate(ta, intended)
    ta["round_id"] = round_id
    n = len(ta)
    received = np.ones(n, dtype=bool)
    received[_pick(rng, np.arange(n), MISSING_RETURN_RATE)] = False
    raw = render(ta, cb.form("a"))
    raw["_rid"] = np.arange(n)
    raw["respondent_name"] = _names(rng, rng.random(n) < 0.3)
    raw["respondent_phone"] = _phones(rng, n)
    for k, v in _times(rng, raw["interview_date"].to_numpy().astype("datetime64[D]")).items():
        raw[k] = v
    kobo_a = _kobo(raw.loc[received].copy(), rng, "a", cb, spec,
                   raw_dir / "form_a_kobo_SYNTHETIC.csv")
    sample = draw_sample(frame, rng, national=False)
    tb = truth_form_b(frame, sample, cb, rng, None, year=spec.year)
    tb["round_id"] = round_id
    names = _names(rng, tb["_female"].to_numpy())
    old_cadres = base_cadres(out_root, truth_root, spec.base_round)
    links = retain_cadres(tb, old_cadres, mapping, rng, spec.year)
    apply_retained(tb, names, links, old_cadres, spec.year)
    raw_b = render(tb, cb.form("b"))
    raw_b["_rid"] = np.arange(len(tb))
    raw_b["cadre_name"] = names
    raw_b["cadre_phone"] = _phones(rng, len(tb))
    days = (spec.period[1] - spec.period[0]).days + 1
    dates = np.datetime64(spec.period[0]) + rng.integers(0, days, len(tb)).astype(
        "timedelta64[D]")
    for k, v in _times(rng, dates).items():
        raw_b[k] = v
    kobo_b = _kobo(raw_b, rng, "b", cb, spec, raw_dir / "form_b_kobo_SYNTHETIC.csv")
    _write_csv(sample, raw_dir / "sample_design_SYNTHETIC.csv")
    title = "Đợt khảo sát mô phỏng 2026 trên đơn vị hành chính mới (DỮ LIỆU MÔ PHỎNG)"
    (raw_dir / "round.yaml").write_text(round_yaml_2025(spec, title), encoding="utf-8")
    files = sorted(p.name for p in raw_dir.iterdir() if p.name != "README.md")
    (raw_dir / "README.md").write_text(readme_text(round_id, seed, files, False),
                                       encoding="utf-8")
    org_truth = truth_text(ta.loc[received], cb.form("a"))
    org_truth["_expected"] = "clean"
    cadre_truth = truth_text(tb, cb.form("b"))
    cadre_truth["_expected"] = "clean"
    now = weakness_of(org_truth, cb).rename(columns={"weak": "weak_now",
                                                     "reasons_vi": "reasons_now_vi"})
    trans = plan.merge(now, on=["commune_code", "org_type"], how="left")
    trans["received_now"] = trans["weak_now"].notna()
    trans["n_base_records"] = trans["n_base_records"].fillna(0).astype(int)
    for col in ("weak_predecessors", "reasons_now_vi"):
        trans[col] = trans[col].astype(object).fillna("")
    trans["weak_now"] = trans["weak_now"].astype("boolean").fillna(False).astype(bool)
    trans["transition"] = [transition(a, b) if r else "not_received" for a, b, r in zip(
        trans["weak_then"], trans["weak_now"], trans["received_now"], strict=True)]
    trans = trans[["commune_code", "org_type", "n_base_records", "weak_predecessors",
                   "weak_then", "intended_weak_now", "received_now", "weak_now",
                   "transition", "reasons_now_vi"]]
    _write_csv(org_truth, truth_dir / "organisations_truth.csv")
    _write_csv(cadre_truth, truth_dir / "cadres_truth.csv")
    _write_csv(trans, truth_dir / "transitions_truth.csv")
    _write_csv(pd.DataFrame({"cadre_id": tb["cadre_id"].to_numpy()[links["row"].to_numpy()],
                             "cadre_id_base": links["cadre_id_base"].to_numpy()}),
               truth_dir / "cadre_links_truth.csv")
    counts = {
        "round_id": round_id, "seed": seed, "synthetic": True, "base_round": spec.base_round,
        "files": {
            "form_a_kobo_SYNTHETIC.csv": {"form": "a", "kind": "kobo_csv",
                                          "records": len(kobo_a), "clean": len(kobo_a),
                                          "duplicates": 0, "quarantined": 0},
            "form_b_kobo_SYNTHETIC.csv": {"form": "b", "kind": "kobo_csv",
                                          "records": len(kobo_b), "clean": len(kobo_b),
                                          "duplicates": 0, "quarantined": 0},
        },
        "form_a": {"n_expected": n, "n_received": int(received.sum())},
        "form_b": {"n_cadres": len(tb), "n_psu_drawn": len(sample),
                   "retained_from_base": len(links),
                   "n_strata": int(sample["district_code"].nunique())},
        "transitions": {k: int(v) for k, v in
                        trans.groupby("transition").size().sort_index().items()},
    }
    (truth_dir / "expected_counts.json").write_text(
        json.dumps(counts, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        encoding="utf-8")
    return counts
