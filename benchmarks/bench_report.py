"""Benchmark the leadership pack: whole ``report`` and per-figure export time.

Usage: ``python benchmarks/bench_report.py [--round demo-2014] [--root .]``.
Goals: whole report ≤ 60 s on the demo round; chart export ≤ 0.5 s per figure
(one Chromium for all figures).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from danvan_survey.charts.export import export_figures
from danvan_survey.report import build_figures, build_report
from danvan_survey.results import load_results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--round", default="demo-2014")
    parser.add_argument("--root", type=Path, default=Path.cwd())
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    res = load_results(args.round, args.root)
    t0 = time.perf_counter()
    figures = build_figures(res)
    t_build = time.perf_counter() - t0
    print(f"build {len(figures)} figures: {t_build:.2f} s ({t_build / len(figures):.2f} s/fig)")
    with tempfile.TemporaryDirectory() as tmp:
        for formats in (("png",), ("svg",), ("pdf",), ("png", "svg", "pdf")):
            t0 = time.perf_counter()
            export_figures(figures, Path(tmp), formats=formats)
            dt = time.perf_counter() - t0
            files = len(figures) * len(formats)
            print(f"export {'+'.join(formats):12s}: {dt:6.2f} s for {files} files "
                  f"({dt / len(figures):.2f} s/figure, {dt / files:.2f} s/file)")
    t0 = time.perf_counter()
    stages: list[tuple[float, str]] = []
    out = build_report(args.round, args.root,
                       progress=lambda m: stages.append((time.perf_counter() - t0, m)))
    total = time.perf_counter() - t0
    for at, msg in stages:
        print(f"  {at:6.1f} s  {msg}")
    print(f"whole report: {total:.1f} s, {len(out)} files (goal ≤ 60 s)")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
