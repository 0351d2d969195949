"""Benchmark: match 1,000,000 typed commune names (~11,000 unique) to 2014 codes.

Run: ``python benchmarks/bench_places.py [n_rows]``. Prints timings; no files written.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from danvan_survey.places import CommuneMatcher
from danvan_survey.reference import admin_units
from danvan_survey.textfix import fold


def _variants(names: list[str], rng: np.random.Generator) -> list[str]:
    """One typed variant per name: as is, without accents, lower case, or a typo."""
    out = []
    for i, name in enumerate(names):
        kind = i % 4
        if kind == 0:
            out.append(name)
        elif kind == 1:
            out.append(fold(name))
        elif kind == 2:
            out.append(name.lower().replace("xã ", "x. "))
        else:
            pos = int(rng.integers(1, max(2, len(name) - 1)))
            out.append(name[:pos] + name[pos + 1 :])  # drop one character
    return out


def main(n_rows: int = 1_000_000) -> None:
    """Build the national matcher and time match_many on n_rows rows."""
    units = admin_units("2014")
    t0 = time.perf_counter()
    matcher = CommuneMatcher(units)
    t_build = time.perf_counter() - t0
    rng = np.random.default_rng(20140615)
    typed = _variants(list(units["commune_name"]), rng)
    districts = list(units["district_code"])
    idx = rng.integers(0, len(typed), n_rows)
    names = [typed[i] for i in idx]
    dists = [districts[i] for i in idx]
    t0 = time.perf_counter()
    results = matcher.match_many(names, dists)
    t_match = time.perf_counter() - t0
    truth = units["commune_code"].to_numpy()[idx]
    statuses: dict[str, int] = {}
    wrong = 0
    for res, code in zip(results, truth, strict=True):
        statuses[res.status] = statuses.get(res.status, 0) + 1
        wrong += res.code is not None and res.code != code
    print(f"communes indexed: {len(units)} in {t_build:.2f} s")
    n_unique = len(set(zip(names, dists, strict=True)))
    print(f"rows: {n_rows:,}, unique (name, district): {n_unique:,}")
    print(f"match_many: {t_match:.2f} s ({n_rows / t_match:,.0f} rows/s)")
    print(f"statuses: {dict(sorted(statuses.items()))}; wrong codes: {wrong}")

    # Bình Thuận frame, no district given
    bt = units[units["province_code"] == "60"]
    bt_matcher = CommuneMatcher(bt)
    bt_names = [typed[i] for i in range(len(units)) if units["province_code"].iat[i] == "60"]
    rows = [bt_names[i] for i in rng.integers(0, len(bt_names), n_rows)]
    t0 = time.perf_counter()
    bt_matcher.match_many(rows, [None] * n_rows)
    print(f"Bình Thuận, no district, {n_rows:,} rows: {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
