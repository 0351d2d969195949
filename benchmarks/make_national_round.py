"""Generate a national-scale synthetic round (SYNTHETIC; not committed).

11,102 communes of the 2014 list x 5 organisations (form A, Kobo CSV) and exactly
1,000,000 cadres (form B, Kobo CSV), with the demo round's defects at the same rates.
The round.yaml uses ``province_code: "ALL"`` (every province).

Usage: python benchmarks/make_national_round.py --root /tmp/national [--seed 2014]
[--cadres N] writes <root>/data/raw/national-2014/ and <root>/tests/ground_truth/national-2014/.
``--cadres`` gives a smaller round on the same communes (e.g. ``--cadres 100000 --round
mid-2014``: the mid-size round of the byte-identity test); the default is one million.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from danvan_survey.demo import generate_round, round2014

ROUND_ID = "national-2014"


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True, help="output root (not the repo)")
    parser.add_argument("--seed", type=int, default=2014)
    parser.add_argument("--round", default=ROUND_ID)
    parser.add_argument("--cadres", type=int, default=round2014.NATIONAL_CADRES,
                        help="form-B cadres in total (default one million)")
    args = parser.parse_args(argv)
    round2014.NATIONAL_CADRES = args.cadres  # the national target, read at call time
    t0 = time.perf_counter()
    counts = generate_round(args.round, args.seed, args.root / "data" / "raw",
                            args.root / "tests" / "ground_truth", scale="national")
    seconds = time.perf_counter() - t0
    summary = {"round_id": args.round, "seconds": round(seconds, 1),
               "form_a_records": counts["files"]["form_a_kobo_SYNTHETIC.csv"]["records"],
               "form_b_records": counts["files"]["form_b_kobo_SYNTHETIC.csv"]["records"],
               "form_b_cadres": counts["form_b"]["n_cadres"]}
    print(json.dumps(summary, ensure_ascii=False))
    return summary


if __name__ == "__main__":
    main()
