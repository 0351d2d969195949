"""``python -m danvan_survey.cadre_job CLEAN_DIR``: the cadre estimates in their own process.

:func:`danvan_survey.analyse.run_analysis` starts this for a large round, so that the
estimates run on a second core while it writes the organisation tables (threads would
share one GIL). It writes ``CLEAN_DIR/estimates.parquet`` and prints the cadre table's
row count (``none``: the round has no cadre table). Any failure is a non-zero exit,
after which the caller computes the estimates itself and reports the error.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    """Estimate the clean cadre table of the folder ``argv[0]``; print its row count."""
    from danvan_survey.analyse import cadre_outputs
    from danvan_survey.memory import use_jemalloc

    use_jemalloc()  # the same Arrow memory pool as the commands
    _, rows = cadre_outputs(Path(argv[0]))
    print("none" if rows is None else rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
