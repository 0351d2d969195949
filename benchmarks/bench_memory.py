"""Benchmark: peak memory of a whole command, its estimates process included (Linux).

``getrusage`` gives the peak of one process at a time, and a child forked from a large
parent reports the parent's pages too. Here the summed resident memory (VmRSS) of the
command and all its descendants is sampled every 20 ms from ``/proc``; the peak of that
sum is what the machine must hold. Every figure is for a SYNTHETIC round.

Run: ``.venv/bin/python benchmarks/bench_memory.py [--root /tmp/danvan-bench]
[--round national-2014] [command ...]`` (default command: ``run``; e.g. ``analyse``).
The round must exist (``benchmarks/bench_pipeline.py`` makes the national one).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_ROOT = Path("/tmp/danvan-bench")


def rss_mb(pid: int) -> int:
    """Resident memory of one process in MB (0 once it has ended)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def descendants(pid: int) -> list[int]:
    """Every live descendant of ``pid``."""
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            for task in Path(f"/proc/{parent}/task").iterdir():
                kids = [int(k) for k in (task / "children").read_text("ascii").split()]
                found += kids
                todo += kids
        except OSError:
            continue
    return found


def main(argv: list[str] | None = None) -> int:
    """Run the command; print its wall time and the peaks of the tree, parent, children."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--round", dest="round_id", default="national-2014")
    parser.add_argument("command", nargs="*", default=["run"])
    args = parser.parse_args(argv)
    exe = shutil.which("danvan-survey") or str(Path(sys.executable).with_name("danvan-survey"))
    cmd = [exe, *args.command, "--round", args.round_id, "--root", str(args.root)]
    env = {**os.environ, "DANVAN_SALT": os.environ.get("DANVAN_SALT", "x")}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    tree = parent = children = 0
    while proc.poll() is None:
        own, kids = rss_mb(proc.pid), sum(rss_mb(k) for k in descendants(proc.pid))
        tree, parent, children = max(tree, own + kids), max(parent, own), max(children, kids)
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    print(f"SYNTHETIC round {args.round_id}: danvan-survey {' '.join(args.command)} "
          f"exit {proc.returncode} in {seconds:.2f} s")
    print(f"peak RSS of the process tree {tree} MB (command {parent} MB, "
          f"its child processes {children} MB at most)")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
