"""Benchmark: danvan_survey.estimate vs R survey on synthetic cadre data (SYNTHETIC).

Run: ``.venv/bin/python benchmarks/bench_estimate.py [--rows 1000000]``.
Domain means of one variable by district (~700 strata) and by EM area, stratified
cluster design (~11,000 communes) with fpc. R reads the same CSV once; its timing
is reported for estimation alone and including reading. Prints both times, the
ratio and the largest relative differences of estimates and SEs.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from danvan_survey.estimate import SurveyDesign, estimate

R_CODE = r"""
suppressMessages(library(survey))
options(survey.lonely.psu = "remove")
a <- commandArgs(TRUE)
t0 <- Sys.time()
d <- read.csv(a[1], colClasses = c(district_code = "character", commune_code = "character"))
t1 <- Sys.time()
des <- svydesign(ids = ~commune_code, strata = ~district_code, weights = ~weight,
                 fpc = ~n_psu_in_stratum, data = d)
r1 <- svyby(~y, ~district_code, des, svymean, deff = TRUE)
r2 <- svyby(~y, ~em_area, des, svymean, deff = TRUE)
t2 <- Sys.time()
out <- rbind(data.frame(by = "district", domain = r1$district_code, est = r1$y, se = r1$se,
                        deff_r = deff(r1)),
             data.frame(by = "em_area", domain = r2$em_area, est = r2$y, se = r2$se,
                        deff_r = deff(r2)))
write.csv(out, a[2], row.names = FALSE)
cat(as.numeric(t2 - t1, units = "secs"), as.numeric(t2 - t0, units = "secs"), "\n")
"""


def synthetic_cadres(rows: int, districts: int = 700, communes: int = 11_000) -> pd.DataFrame:
    """SYNTHETIC cadre rows: strata = districts, PSUs = communes, fpc = communes in frame."""
    rng = np.random.default_rng(20140425)
    commune_district = np.sort(rng.integers(0, districts, communes))
    commune_district[:districts] = np.arange(districts)  # every district has a commune
    commune_district.sort()
    per_district = np.bincount(commune_district, minlength=districts)
    frame_size = per_district * 3  # population communes per district
    em = rng.choice(["pure", "mixed", "none"], communes, p=[0.2, 0.3, 0.5])
    commune = rng.integers(0, communes, rows)
    district = commune_district[commune]
    return pd.DataFrame(
        {
            "district_code": pd.Series(district).map("D{:03d}".format),
            "commune_code": pd.Series(commune).map("C{:05d}".format),
            "em_area": em[commune],
            "n_psu_in_stratum": frame_size[district],
            "weight": frame_size[district] / per_district[district] * rng.uniform(50, 150, rows),
            "y": rng.normal(10, 3, rows) + (district % 7),
        }
    )


def run_ours(cadres: pd.DataFrame) -> tuple[float, pd.DataFrame]:
    design = SurveyDesign("district_code", "commune_code", "weight", "n_psu_in_stratum", "remove")
    start = time.perf_counter()
    by_district = estimate(cadres, design, "y", "mean", by="district_code")
    by_em = estimate(cadres, design, "y", "mean", by="em_area")
    elapsed = time.perf_counter() - start
    out = pd.concat(
        [
            by_district.rename(columns={"district_code": "domain"}).assign(by="district"),
            by_em.rename(columns={"em_area": "domain"}).assign(by="em_area"),
        ]
    )
    return elapsed, out[["by", "domain", "estimate", "se", "deff"]]


def run_r(csv: Path, workdir: Path) -> tuple[float, float, pd.DataFrame]:
    script, result = workdir / "bench.R", workdir / "r.csv"
    script.write_text(R_CODE, encoding="utf-8")
    proc = subprocess.run(
        ["Rscript", str(script), str(csv), str(result)], capture_output=True, text=True, check=True
    )
    est_s, total_s = (float(x) for x in proc.stdout.split())
    return est_s, total_s, pd.read_csv(result, dtype={"domain": str})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    cadres = synthetic_cadres(args.rows)
    print(
        f"SYNTHETIC data: {len(cadres):,} rows, {cadres['district_code'].nunique()} strata, "
        f"{cadres['commune_code'].nunique():,} PSUs"
    )
    ours_s, ours = run_ours(cadres)
    print(f"danvan_survey.estimate: {ours_s:.2f} s")
    if shutil.which("Rscript") is None:
        print("Rscript not found: R comparison skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "cadres.csv"
        cadres.to_csv(csv, index=False)
        r_est, r_total, ref = run_r(csv, Path(tmp))
    print(f"R survey: {r_est:.2f} s estimation only, {r_total:.2f} s including reading the CSV")
    print(f"speed-up: {r_est / ours_s:.1f}x (estimation), {r_total / ours_s:.1f}x (with reading)")
    merged = ref.merge(ours, on=["by", "domain"], suffixes=("_r", ""))
    assert len(merged) == len(ref) == len(ours), (len(merged), len(ref), len(ours))
    for col, r_col in (("estimate", "est"), ("se", "se_r"), ("deff", "deff_r")):
        rel = ((merged[col] - merged[r_col]).abs() / merged[r_col].abs()).max()
        print(f"max relative difference of {col}: {rel:.2e}")


if __name__ == "__main__":
    main()
