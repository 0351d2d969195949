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
