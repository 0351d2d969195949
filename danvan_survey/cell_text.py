"""Text form of one clean value, as the cleaning log, issues and CSV files write it.

A module of its own (numpy and pandas only), so that the writers of ``analyse`` and
``report`` use it without importing the cleaning code.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

import numpy as np
import pandas as pd


def canonical(value: Any) -> str:
    """Text form of a clean value, as written in logs and CSV."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float | np.floating) and np.isnan(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if value is pd.NaT:
        return ""
    if isinstance(value, datetime) and value.time() == time():
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def per_distinct(values: pd.Series, fn: Callable[[Any], Any]) -> np.ndarray:
    """``fn`` of every cell of a column, as an object array; once per distinct value.

    ``fn`` gets each value as ``astype(object)`` hands it over, the column's missing
    value included. An object column may mix types that factorize would merge (1, 1.0
    and True), so there ``fn`` gets each cell on its own.
    """
    if values.dtype == object:
        found = [fn(v) for v in values.tolist()]
        codes = np.arange(len(found))
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=False)  # keeps the dtype
        found = [fn(v) for v in pd.Series(uniques).astype(object).tolist()]
    out = np.empty(len(found), dtype=object)
    out[:] = found
    return out[codes]


def canonical_column(values: pd.Series) -> np.ndarray:
    """:func:`canonical` of every cell of a column (a missing value is ""), as str objects."""
    return per_distinct(values, canonical)
