"""Benchmark: the whole pipeline on a national-scale synthetic round vs a floor.

Generates (once, into a scratch folder) a synthetic round from the national 2014 list:
11,102 communes × 5 organisations (form A) and 1,000,000 cadre rows (form B). Then times

* the floor: pandas ``read_csv`` of the same raw files plus a groupby mean, and
* ``run`` without analysis, stage by stage (ingest, clean+validate, export),

and prints the ratio and the peak resident memory (RSS) of the pipeline (the floor runs in a
child process, so its own memory is not counted).
Goal (issue 11): whole pipeline ≤ 4× the floor, peak RSS ≤ 2 GB.

Usage: ``.venv/bin/python benchmarks/bench_pipeline.py [--root /tmp/danvan-bench]``
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux: KiB units)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def floor(cfg) -> float:
    """Read every raw CSV with pandas and compute one groupby mean: the least work possible."""
    t = time.perf_counter()
    for source in cfg.sources:
        frame = pd.read_csv(
            cfg.path(source.path),
            sep=None if source.kind != "kobo_csv" else ";",
            engine="c" if source.kind == "kobo_csv" else "python",
        )
        cols = [c for c in frame.columns if c.endswith("commune_code")]
        num = frame.select_dtypes("number").columns[:1]
        if cols and len(num):
            frame.groupby(cols[0])[num[0]].mean()
    return time.perf_counter() - t


def floor_in_child(args: argparse.Namespace) -> float:
    """The floor, timed in a child process: its memory is not counted in our peak RSS."""
    cmd = [sys.executable, __file__, "--root", str(args.root), "--round", args.round,
           "--floor-only"]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, default=Path("/tmp/danvan-bench"))
    parser.add_argument("--round", default="national-2014")
    parser.add_argument("--floor-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DANVAN_SALT", "benchmark-salt")
    from danvan_survey.codebook import load_codebook
    from danvan_survey.config import clean_dir, load_round
    from danvan_survey.export import write_outputs
    from danvan_survey.memory import use_jemalloc
    from danvan_survey.pipeline import run_round

    if not (args.root / "data" / "raw" / args.round / "round.yaml").exists():
        t = time.perf_counter()
        script = Path(__file__).with_name("make_national_round.py")
        cmd = [sys.executable, str(script), "--root", str(args.root), "--round", args.round]
        subprocess.run(cmd, check=True)  # own process: its memory is not counted below
        print(f"generated national round in {time.perf_counter() - t:.1f} s")
    cfg = load_round(args.round, args.root)
    if args.floor_only:
        print(floor(cfg))
        return
    load_codebook()
    print(f"arrow memory pool: {use_jemalloc()} (as the commands use)")
    f1, f2 = floor_in_child(args), floor_in_child(args)
    base = min(f1, f2)
    stages: dict[str, float] = {}
    t0 = time.perf_counter()

    def progress(msg: str) -> None:
        stages[msg[:40]] = time.perf_counter() - t0

    result = run_round(args.round, args.root, progress)
    t_run = time.perf_counter() - t0
    inputs = sorted(p for p in cfg.folder.rglob("*") if p.is_file())
    t1 = time.perf_counter()
    write_outputs(result, clean_dir(args.round, args.root), inputs)
    t_export = time.perf_counter() - t1
    total = t_run + t_export
    rows = {
        f: len(o.clean) + len(o.quarantine) + len(o.duplicates) for f, o in result.outcomes.items()
    }
    print(f"records: form A {rows.get('a', 0):,}, form B {rows.get('b', 0):,}")
    print(f"floor (read_csv + groupby mean): {base:.2f} s (runs {f1:.2f}, {f2:.2f})")
    for name, at in stages.items():
        print(f"  stage started at {at:6.2f} s: {name}")
    print(f"pipeline: ingest+clean+validate {t_run:.2f} s, export {t_export:.2f} s")
    print(f"pipeline total: {total:.2f} s")
    print(f"ratio pipeline / floor: {total / base:.2f}x (goal <= 4x)")
    print(f"peak RSS: {peak_rss_mb():.0f} MB (goal <= 2048 MB)")


if __name__ == "__main__":
    main()
