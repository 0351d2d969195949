"""Benchmark: ``run`` (no analysis) on the provincial demo rounds vs a read_csv floor.

Copies ``data/raw/demo-2014`` and ``demo-2026`` into a scratch root (outputs never land in
the repository), then for each round prints the floor (pandas ``read_csv`` of the raw CSV
files plus one groupby mean), every run of ingest+clean+validate+export, their min and
median, the ratio min / floor and the peak resident memory of the process. Used to show
that speeding up the national round did not slow the provincial one.

Usage: ``.venv/bin/python benchmarks/bench_demo.py [--root /tmp/danvan-demo] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
ROUNDS = ("demo-2014", "demo-2026")


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux: KiB units)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _separator(path: Path) -> str:
    """";" or "," whichever the header line uses more."""
    with path.open(encoding="utf-8-sig", errors="replace") as fh:
        head = fh.readline()
    return ";" if head.count(";") > head.count(",") else ","


def floor_seconds(folder: Path) -> float:
    """pandas read_csv of every raw CSV of the round plus one groupby mean."""
    start = time.perf_counter()
    frames = [pd.read_csv(p, sep=_separator(p)) for p in sorted(folder.glob("*.csv"))]
    biggest = max(frames, key=len)
    key = next(c for c in biggest.columns if str(c).endswith("commune_code"))
    biggest.groupby(key).mean(numeric_only=True)
    return time.perf_counter() - start


def run_once(round_id: str, root: Path) -> float:
    """Seconds of one ``run`` without analysis (ingest, clean, validate, export)."""
    from danvan_survey.config import clean_dir
    from danvan_survey.export import write_outputs
    from danvan_survey.paths import round_files
    from danvan_survey.pipeline import run_round

    start = time.perf_counter()
    result = run_round(round_id, root)
    write_outputs(result, clean_dir(round_id, root), round_files(result.cfg.folder))
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Copy the demo rounds, time the floor and ``run``; print min, median, ratio, RSS."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("/tmp/danvan-demo"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    os.environ.setdefault("DANVAN_SALT", "benchmark-salt")
    for round_id in ROUNDS:
        target = args.root / "data" / "raw" / round_id
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(REPO / "data" / "raw" / round_id, target)
    run_once(ROUNDS[0], args.root)  # warm-up: imports, reference tables, codebook
    for round_id in ROUNDS:
        folder = args.root / "data" / "raw" / round_id
        base = min(floor_seconds(folder) for _ in range(3))
        runs = [run_once(round_id, args.root) for _ in range(args.repeat)]
        print(f"{round_id}: floor {base:.3f} s; run {', '.join(f'{r:.2f}' for r in runs)} s; "
              f"min {min(runs):.2f} s, median {statistics.median(runs):.2f} s; "
              f"ratio min/floor {min(runs) / base:.1f}x")
    print(f"peak RSS: {peak_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
