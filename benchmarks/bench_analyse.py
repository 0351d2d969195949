"""Benchmark: indicators + weakness + aggregates on a national-scale SYNTHETIC form-A table.

11,102 communes × 5 organisations = 55,510 records, built in memory with numpy (seed 2014).
Every figure is synthetic. The floor is what any analysis must pay: read the clean parquet
and one groupby mean. Run: ``/work/venv/bin/python benchmarks/bench_analyse.py``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from danvan_survey.analyse import analyse_organisations, write_csv, write_parquet, write_xlsx
from danvan_survey.codebook import load_codebook
from danvan_survey.dvk import bulletin_compliance, dvk_summary, model_catalogue
from danvan_survey.indicators import (
    aggregate_district,
    aggregate_em_area,
    census_frame,
    compute_indicators,
)
from danvan_survey.weakness import apply_weakness, consolidation_list

N_COMMUNES = 11_102
N_DISTRICTS = 700


def synthetic_communes(n: int = N_COMMUNES, seed: int = 2014) -> pd.DataFrame:
    """Commune frame shaped like ``reference.communes`` (synthetic codes and names)."""
    rng = np.random.default_rng(seed)
    codes = np.char.zfill(np.arange(1, n + 1).astype(str), 5)
    district = np.sort(rng.integers(0, N_DISTRICTS, n))
    dcode = np.char.zfill((district + 1).astype(str), 3)
    return pd.DataFrame({
        "commune_code": pd.Series(codes, dtype="str"),
        "commune_name": pd.Series(np.char.add("Xã giả lập ", codes), dtype="str"),
        "district_code": pd.Series(dcode, dtype="str"),
        "district_name": pd.Series(np.char.add("Huyện giả lập ", dcode), dtype="str"),
        "em_area": pd.Series(rng.choice(["pure", "mixed", "none"], n, p=[.1, .1, .8]),
                             dtype="str"),
    })


def synthetic_organisations(frame: pd.DataFrame, seed: int = 2014) -> pd.DataFrame:
    """One synthetic clean form-A record per commune × organisation (labelled synthetic)."""
    rng = np.random.default_rng(seed)
    orgs = load_codebook().codes("org_type")
    base = frame.merge(pd.DataFrame({"org_type": pd.Series(orgs, dtype="str")}), how="cross")
    n = len(base)

    def ints(low: int, high: int) -> np.ndarray:
        return rng.integers(low, high + 1, n)

    def sub(total: np.ndarray) -> pd.Series:
        return pd.array((rng.random(n) * (total + 1)).astype("int64"), dtype="Int64")

    branches = ints(3, 20)
    eligible = ints(200, 3000)
    members = (eligible * rng.uniform(0.35, 1.0, n)).astype("int64")
    silent = rng.binomial(branches, 0.06)
    met = rng.binomial(branches - silent, 0.85)
    issues = ints(0, 12)
    contents = np.array(["policy admin", "policy thematic", "economy culture", "policy training",
                         "thematic dialogue exemplar", "policy economy"])
    names = np.array(["", "", "Mô hình giả lập A; Mô hình giả lập B", "Mô hình giả lập C"])
    mttq = base["org_type"].to_numpy() == "mttq"
    exec_members = ints(5, 25)
    base = base.assign(
        round_id="synthetic-national",
        em_source="unverified",
        rating_last_year=pd.array(rng.choice([1, 2, 3, 4, 9], n, p=[.3, .35, .25, .05, .05]),
                                  dtype="Int64"),
        n_branches=pd.array(branches, dtype="Int64"),
        eligible_pop=pd.array(np.where(mttq, -1, eligible), dtype="Int64"),
        members_total=pd.array(np.where(mttq, -1, members), dtype="Int64"),
        members_new_12m=pd.array(rng.binomial(members // 10, 0.9), dtype="Int64"),
        members_paid_dues=pd.array(rng.binomial(members, 0.85), dtype="Int64"),
        members_with_card=pd.array(rng.binomial(members, 0.9), dtype="Int64"),
        has_annual_plan=pd.array(rng.choice([0, 1], n, p=[.05, .95]), dtype="Int64"),
        branches_met_on_schedule=pd.array(met, dtype="Int64"),
        branches_silent_6m=pd.array(silent, dtype="Int64"),
        attendance_pct=pd.array(rng.uniform(45, 95, n), dtype="Float64"),
        meeting_content=pd.Series(rng.choice(contents, n), dtype="str"),
        n_exec_members=pd.array(exec_members, dtype="Int64"),
        n_exec_vacant=pd.array(rng.binomial(exec_members, 0.05), dtype="Int64"),
        cadres_trained_12m=pd.array(rng.binomial(exec_members + branches, 0.6), dtype="Int64"),
        households_reached_pct=pd.array(rng.uniform(45, 95, n), dtype="Float64"),
        dvk_registered_12m=pd.array(ints(0, 5), dtype="Int64"),
        dvk_recognised_12m=pd.array(ints(0, 2), dtype="Int64"),
        dvk_top_level=pd.array(ints(0, 3), dtype="Int64"),
        dvk_model_names=pd.Series(rng.choice(names, n), dtype="str"),
        bulletin_issues_12m=pd.array(issues, dtype="Int64"),
        bulletin_dvk_features_12m=sub(issues),
        difficulties=pd.Series(rng.choice(["funding", "terrain overload", ""], n), dtype="str"),
    )
    for col in ("eligible_pop", "members_total"):
        base[col] = base[col].mask(base[col] < 0)
    return base


def _time(label: str, fn, *args):  # noqa: ANN001, ANN202
    start = time.perf_counter()
    result = fn(*args)
    elapsed = time.perf_counter() - start
    print(f"  {label:<34} {elapsed:7.3f} s")
    return result, elapsed


def main() -> int:
    """Build the synthetic round, time the floor and the analysis, print the figures."""
    frame = synthetic_communes()
    org = synthetic_organisations(frame)
    print(f"SYNTHETIC national round: {len(org):,} organisation records")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "organisations.parquet"
        org.to_parquet(path, index=False, compression="zstd")
        start = time.perf_counter()
        floor_frame = pd.read_parquet(path)
        floor_frame.groupby(["district_code", "org_type"])["members_total"].mean()
        floor = time.perf_counter() - start
        org = pd.read_parquet(path)
    print(f"floor (read parquet + groupby mean): {floor:.3f} s")
    print("steps:")
    ind, _ = _time("compute_indicators", compute_indicators, org)
    ind, _ = _time("apply_weakness", apply_weakness, ind)
    expected, _ = _time("census_frame", census_frame, frame)
    _time("aggregate_district", aggregate_district, ind, expected)
    _time("aggregate_em_area", aggregate_em_area, ind, expected)
    _time("consolidation_list", consolidation_list, ind)
    _time("dvk model_catalogue", model_catalogue, org)
    _time("dvk_summary", dvk_summary, org)
    _time("bulletin_compliance", bulletin_compliance, org)
    start = time.perf_counter()
    tables = analyse_organisations(org, frame)
    core = time.perf_counter() - start
    print(f"analyse_organisations (all tables): {core:.3f} s = {core / floor:.1f}× the floor")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        for name, table in tables.items():
            if name == "weak_organisations":
                write_xlsx(table, Path(tmp) / f"{name}.xlsx", "SYNTHETIC")
            write_csv(table, Path(tmp) / f"{name}.csv")
            write_parquet(table, Path(tmp) / f"{name}.parquet")
        io = time.perf_counter() - start
    print(f"writing every output (parquet + CSV + xlsx): {io:.3f} s")
    total = core + io
    print(f"analyse incl. writes: {total:.3f} s = {total / floor:.1f}× the floor")
    print(f"  (synthetic share functionally weak: {ind['is_weak_functional'].mean():.1%}, "
          f"reported weak: {ind['is_weak_reported'].mean():.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
