"""Benchmark: whole ``danvan-survey analyse`` on a national-scale SYNTHETIC round vs the floor.

The round must already be cleaned under ``<root>/data/clean/<round>/`` (organisations and
cadres parquet). The floor is what any pipeline over the round must pay: pandas
``read_csv`` of the round's raw source files (from ``round.yaml``) plus one groupby mean.
The analysis is timed as the real command (a fresh ``danvan-survey analyse`` process,
imports included), then step by step in this process. Every figure is synthetic.

Run: ``.venv/bin/python benchmarks/bench_analyse.py [--root /tmp/danvan-bench]
[--round national-2014] [--skip-cli]``. It rewrites the round's analysis outputs, as the
command does.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from bench_memory import descendants, rss_mb

from danvan_survey.analyse import analyse_organisations, run_analysis
from danvan_survey.cadre_analysis import cadre_estimates
from danvan_survey.config import clean_dir, load_round
from danvan_survey.memory import use_jemalloc
from danvan_survey.reference import communes

DEFAULT_ROOT = Path("/tmp/danvan-bench")
DEFAULT_ROUND = "national-2014"
GOAL_RATIO = 2.0  # issue 4: whole analyse <= 2x the floor


def _separator(path: Path) -> str:
    """";" or "," whichever the header line uses more."""
    with path.open(encoding="utf-8-sig", errors="replace") as fh:
        head = fh.readline()
    return ";" if head.count(";") > head.count(",") else ","


def floor_seconds(files: list[Path]) -> tuple[float, int]:
    """Seconds for pandas read_csv of every raw file + a groupby mean; rows read."""
    start = time.perf_counter()
    frames = [pd.read_csv(path, sep=_separator(path)) for path in files]
    biggest = max(frames, key=len)
    district = next(c for c in biggest.columns if str(c).endswith("district_code"))
    biggest.groupby(district).mean(numeric_only=True)
    return time.perf_counter() - start, sum(len(f) for f in frames)


def _time(label: str, fn: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn(*args)
    elapsed = time.perf_counter() - start
    print(f"  {label:<40} {elapsed:7.2f} s")
    return result, elapsed


def cli_seconds(root: Path, round_id: str, sample: bool = False) -> tuple[float, int]:
    """Wall-clock seconds of the real ``danvan-survey analyse`` command; with ``sample``,
    also the peak RSS (MB) of its process tree (the command and its estimates process,
    summed, read every 20 ms: that reading costs CPU, so the timed run does not sample)."""
    exe = shutil.which("danvan-survey") or str(Path(sys.executable).with_name("danvan-survey"))
    env = {**os.environ, "DANVAN_SALT": os.environ.get("DANVAN_SALT", "x")}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [exe, "analyse", "--round", round_id, "--root", str(root)],
        env=env, stdout=subprocess.DEVNULL,
    )
    peak = 0
    while sample and proc.poll() is None:
        peak = max(peak, rss_mb(proc.pid) + sum(rss_mb(k) for k in descendants(proc.pid)))
        time.sleep(0.02)
    if proc.wait():
        raise subprocess.CalledProcessError(proc.returncode, exe)
    return time.perf_counter() - start, peak


def main(argv: list[str] | None = None) -> int:
    """Time the floor, the whole command and its steps; print the figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--round", dest="round_id", default=DEFAULT_ROUND)
    parser.add_argument("--skip-cli", action="store_true", help="skip the subprocess timing")
    args = parser.parse_args(argv)
    cfg = load_round(args.round_id, args.root)
    out_dir = clean_dir(args.round_id, args.root)
    files = [cfg.path(source.path) for source in cfg.sources if cfg.path(source.path).is_file()]
    print(f"SYNTHETIC round {args.round_id} at {args.root}")
    print(f"arrow memory pool: {use_jemalloc()} (as the commands use)")
    # The command runs first, while this process is still small.
    total = None if args.skip_cli else cli_seconds(args.root, args.round_id)[0]
    tree_rss = 0 if args.skip_cli else cli_seconds(args.root, args.round_id, sample=True)[1]
    floor, rows = floor_seconds(files)
    print(f"floor (pandas read_csv of {len(files)} raw files, {rows:,} rows + groupby mean): "
          f"{floor:.2f} s; goal <= {GOAL_RATIO:.0f}x = {GOAL_RATIO * floor:.2f} s")
    if total is not None:
        print(f"danvan-survey analyse (fresh process): {total:.2f} s = {total / floor:.1f}x floor")
    print("steps (this process):")
    org, _ = _time("read organisations.parquet", pd.read_parquet,
                   out_dir / "organisations.parquet")
    frame = communes(cfg.province_code, cfg.admin_vintage)
    _time("analyse_organisations (all org tables)", analyse_organisations, org, frame)
    cadres, _ = _time("read cadres.parquet", pd.read_parquet, out_dir / "cadres.parquet")
    print(f"    ({len(org):,} organisation records, {len(cadres):,} cadre rows)")
    _time("cadre_estimates (3 domain types)", cadre_estimates, cadres)
    _, whole = _time("run_analysis (everything incl. writes)", run_analysis, cfg, out_dir)
    print(f"run_analysis in process: {whole / floor:.1f}x the floor")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: this process {own:.0f} MB, analyse command {tree_rss} MB "
          "(with its estimates process; a second, sampled run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
