"""Extract the 1 July 2025 commune-level units of Vietnam from ``vietnamadminunits``.

Run once when the package's data changes; the CSV it writes is committed in
``danvan_survey/reference/`` so that nothing reads the package at run time::

    .venv/bin/python scripts/extract_admin_units_2025.py

Reads the package's bundled SQLite file only (table ``admin_units``); never geocodes.
"""

from __future__ import annotations

import csv
import sqlite3
import unicodedata
from importlib.metadata import version
from pathlib import Path

import vietnamadminunits

OUT = Path(__file__).resolve().parents[1] / "danvan_survey" / "reference" / "admin_units_2025.csv"
COLUMNS = ("province_code", "province_name", "commune_code", "commune_name", "commune_type")


def rows() -> list[tuple[str, ...]]:
    """Every ward/commune/special zone of the 2025 structure, sorted by code."""
    db = Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        found = con.execute(
            "SELECT provinceCode, province, wardCode, ward, wardType FROM admin_units"
        ).fetchall()
    nfc = [tuple(unicodedata.normalize("NFC", str(v)) for v in r) for r in found]
    return sorted(nfc, key=lambda r: (r[0], r[2]))


def main() -> None:
    """Write the CSV and print the package version it came from."""
    data = rows()
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(data)
    print(f"{len(data)} units from vietnamadminunits {version('vietnamadminunits')} → {OUT}")


if __name__ == "__main__":
    main()
