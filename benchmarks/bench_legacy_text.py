"""Measure: legacy TCVN3/VNI repair on every 2014 place name encoded with the tables.

Run: ``python benchmarks/bench_legacy_text.py``. For full names, names without their
unit prefix ("Xã", "Huyện", …) and those in capitals, encoded to TCVN3 and VNI, prints
how many are repaired exactly, repaired up to case (TCVN3 has no accented capitals),
refused (left as they were) and decoded wrongly (must be 0), without and with the cell
font as hint; then how many correct Unicode names would be changed (must be 0).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from danvan_survey.legacy_encodings import encode_tcvn3, encode_vni, fix_legacy
from danvan_survey.reference import admin_units

PREFIXES = ("Thành phố", "Tỉnh", "Quận", "Huyện", "Thị xã", "Phường", "Xã", "Thị trấn")


def corpus() -> dict[str, list[str]]:
    """Full names, names without their unit prefix, and those in capitals."""
    units = admin_units("2014")
    full = {unicodedata.normalize("NFC", n)
            for col in ("province_name", "district_name", "commune_name") for n in units[col]}
    bare = {n.split(" ", len(p.split()))[-1] for n in full for p in PREFIXES
            if n.startswith(p + " ")}
    return {"full": sorted(full), "bare": sorted(bare), "upper": sorted({n.upper() for n in bare})}


def measure(names: list[str], encode: Callable[[str], str], font: str | None) -> str:
    """One line of counts for ``names`` encoded with ``encode``."""
    exact = case = refused = wrong = needed = 0
    for name in names:
        legacy = encode(name)
        if legacy == name:
            continue
        needed += 1
        out, rule = fix_legacy(legacy, font=font)
        if out == name:
            exact += 1
        elif rule and out.casefold() == name.casefold():
            case += 1
        elif rule is None:
            refused += 1
        else:
            wrong += 1
    return (f"n={needed:5} exact={exact:5} case-only={case:5} refused={refused:4} "
            f"wrong={wrong} rate={(exact + case) / needed:.4f}")


def main() -> None:
    """Print the decode rates and the false-decode count."""
    names = corpus()
    for label, encode, fonts in (("TCVN3", encode_tcvn3, (None, ".VnTime")),
                                 ("VNI", encode_vni, (None, "VNI-Times"))):
        for font in fonts:
            for kind, items in names.items():
                hint = ".VnTimeH" if font == ".VnTime" and kind == "upper" else font
                print(f"{label:5} font={hint or '-':9} {kind:5} {measure(items, encode, hint)}")
    correct = [v for items in names.values() for n in items for v in (n, n.lower())]
    changed = [n for n in correct if fix_legacy(n)[1]]
    print(f"correct Unicode names changed: {len(changed)} of {len(correct)}")


if __name__ == "__main__":
    main()
