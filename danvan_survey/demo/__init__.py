"""Synthetic demo rounds (clearly labelled ``SYNTHETIC``) with a ground truth.

:func:`generate_round` writes what a provincial office would receive for one round —
KoboToolbox CSV exports of forms A and B, two or three consolidated district Excel
sheets, the cadre sample design and an analyst corrections file — plus, *outside* the
raw folder, the true clean values and one row per injected defect, so the pipeline can
be tested against known answers.

Every figure is invented. Every file name contains ``SYNTHETIC``; the round title and
README say so in Vietnamese and English. Output is byte-identical for a given seed:
one ``numpy.random.default_rng(seed)``, no clock, stable ordering, fixed zip dates.

Everything is vectorised over records (numpy), so ``scale="national"`` (11,102
communes, one million cadres) runs in seconds; Excel files exist only at province scale.

Modules: :mod:`.common` (constants, ledger, text helpers), :mod:`.truth` (true values),
:mod:`.defects` (injected defects), :mod:`.kobo` (Kobo exports), :mod:`.excel` (district
sheets), :mod:`.round2014` (the base round), :mod:`.followup` (a follow-up round on the
1 July 2025 units, ``demo-2026``, continuing ``demo-2014``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from danvan_survey.demo.common import _fmt_dec, _fmt_int, _multi_lut
from danvan_survey.demo.excel import deterministic_xlsx, fold
from danvan_survey.demo.followup import FOLLOWUPS, generate_followup
from danvan_survey.demo.kobo import kobo_columns
from danvan_survey.demo.round2014 import generate_round as generate_base_round

BASE_SEED = 2014

__all__ = [
    "_fmt_dec", "_fmt_int", "_multi_lut", "deterministic_xlsx", "fold", "generate_round",
    "kobo_columns", "default_seed",
]


def default_seed(round_id: str) -> int:
    """Seed of the committed demo round ``round_id`` (2014 for base rounds)."""
    return FOLLOWUPS[round_id].default_seed if round_id in FOLLOWUPS else BASE_SEED


def generate_round(round_id: str, seed: int, out_root: Path, truth_root: Path,
                   **kwargs: Any) -> dict[str, Any]:
    """Write a synthetic round: a base round or a follow-up such as ``demo-2026``.

    A follow-up needs its base round's ground truth in ``truth_root``.
    """
    if round_id in FOLLOWUPS:
        return generate_followup(round_id, seed, out_root, truth_root)
    return generate_base_round(round_id, seed, out_root, truth_root, **kwargs)
