"""The cadre estimates in their own Python process: ``python -m danvan_survey.cadre_job DIR``.

:func:`danvan_survey.analyse.run_analysis` has a large round's estimates made here, so
they run on a second core while it writes the organisation tables (threads would share
one GIL). The process writes ``DIR/estimates.parquet`` and prints the cadre table's row
count (``none``: the round has no cadre table). Any failure is a non-zero exit, after
which the caller computes the estimates itself and reports the error.

It is started with ``subprocess``, not ``multiprocessing``: spawn would re-run the
caller's own script in the child. This module imports little, so that a command can
start the process before its own heavy imports.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

#: A cadre table this long is estimated in a second process. Its interpreter and imports
#: cost ~0.6 s of the second core, which pays off only when the estimates take seconds.
PROCESS_MIN_ROWS = 200_000

#: glibc malloc settings for the short-lived process (other C libraries ignore them): its
#: many array temporaries of a few MB are reused instead of being mapped and unmapped each
#: time (page faults took ~0.4 s of CPU on a national round). Freed memory returns to
#: the system when the process ends, a few seconds later.
KEEP_FREED_MEMORY = {
    "MALLOC_MMAP_THRESHOLD_": str(1 << 30),
    "MALLOC_TRIM_THRESHOLD_": str(1 << 32),
    "MALLOC_TOP_PAD_": str(1 << 28),
}


def child_env(environ: dict[str, str]) -> dict[str, str]:
    """The process's environment: ``environ`` with this package first on ``PYTHONPATH``.

    :data:`KEEP_FREED_MEMORY` is added where ``environ`` does not set those itself.
    """
    package_root = str(Path(__file__).resolve().parent.parent)
    path = os.pathsep.join(p for p in (package_root, environ.get("PYTHONPATH")) if p)
    return {**KEEP_FREED_MEMORY, **environ, "PYTHONPATH": path}


def cadre_rows(clean_dir: Path) -> int:
    """Rows of the clean cadre table by its Parquet footer; 0 when absent or unreadable."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return int(pq.read_metadata(Path(clean_dir) / "cadres.parquet").num_rows)
    except (pa.ArrowException, OSError):
        return 0


def start(clean_dir: Path, min_rows: int = PROCESS_MIN_ROWS) -> subprocess.Popen[str] | None:
    """Start this module on ``clean_dir``, with this very package, for a large cadre table.

    None when the table has fewer than ``min_rows`` rows or no process can start.
    """
    if cadre_rows(clean_dir) < min_rows:
        return None
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "danvan_survey.cadre_job", str(clean_dir)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, env=child_env(dict(os.environ)),
        )
    except OSError:  # limits, no interpreter: the caller uses a thread
        return None


def outcome(child: subprocess.Popen[str]) -> tuple[bool, int | None]:
    """Wait for ``child``; whether it made the estimates, and the cadre table's rows.

    (True, None): the round has no cadre table. (False, None): the process failed.
    """
    answer = (child.communicate()[0] or "").strip()
    if child.returncode != 0 or not (answer.isdigit() or answer == "none"):
        return False, None
    return True, int(answer) if answer.isdigit() else None


def main(argv: list[str]) -> int:
    """Estimate the clean cadre table of the folder ``argv[0]``; print its row count."""
    from danvan_survey.cadre_analysis import cadre_outputs
    from danvan_survey.memory import use_jemalloc

    use_jemalloc()  # the same Arrow memory pool as the commands
    _, rows = cadre_outputs(Path(argv[0]))
    print("none" if rows is None else rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
