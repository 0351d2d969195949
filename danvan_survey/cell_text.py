"""Text form of one clean value, as the cleaning log, issues and CSV files write it.

A module of its own (numpy and pandas only), so that the writers of ``analyse`` and
``report`` use it without importing the cleaning code.
"""

from __future__ import annotations

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


def canonical_column(values: pd.Series) -> np.ndarray:
    """:func:`canonical` of every cell of a column, as an object array of str.

    A column of one dtype is factorized and each distinct value converted once (as
    ``astype(object)`` hands it over), a missing value being ""; an object column may
    mix types that factorize would merge (1, 1.0 and True), so each of its cells is
    converted on its own.
    """
    if values.dtype == object:
        return np.array([canonical(v) for v in values.tolist()], dtype=object)
    codes, uniques = pd.factorize(values)  # the uniques keep the column's dtype
    distinct = pd.Series(uniques).astype(object).tolist()
    texts = np.array([canonical(v) for v in distinct] + [""], dtype=object)
    return texts[codes]  # code -1 (missing) takes the last: ""
