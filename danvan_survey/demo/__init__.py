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
sheets), :mod:`.round2014` (the base round).
"""

from __future__ import annotations

from danvan_survey.demo.common import _fmt_dec, _fmt_int, _multi_lut
from danvan_survey.demo.excel import deterministic_xlsx, fold
from danvan_survey.demo.kobo import kobo_columns
from danvan_survey.demo.round2014 import generate_round

__all__ = [
    "_fmt_dec", "_fmt_int", "_multi_lut", "deterministic_xlsx", "fold", "generate_round",
    "kobo_columns",
]
