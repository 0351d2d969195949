"""KoboToolbox CSV exports: column order, timestamps, duplicates, system columns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

from danvan_survey.codebook import Codebook
from danvan_survey.demo.common import KOBO_META_TAIL, RATES, Ledger, _fmt_int, _pick, _uuids

# --------------------------------------------------------------------------------------
# Kobo export
# --------------------------------------------------------------------------------------


def kobo_columns(cb: Codebook, form: str, skip: tuple[str, ...] = ()
                 ) -> list[tuple[str, str, str | None]]:
    """(header, variable, choice code or None) in Kobo's XML-header export order.

    ``skip``: questions the round's form does not ask (``district_code`` on 2025 units).
    """
    cols: list[tuple[str, str, str | None]] = [("start", "start", None), ("end", "end", None)]
    for v in cb.form(form):  # type: ignore[arg-type]
        if not v.in_form or v.name in skip:
            continue
        cols.append((v.xml_path, v.name, None))
        if v.base_type == "select_multiple":
            cols += [(f"{v.xml_path}/{c}", v.name, c) for c in cb.codes(v.list_name or "")]
    return cols + [(m, m, None) for m in KOBO_META_TAIL]


def _times(rng: np.random.Generator, dates: np.ndarray) -> dict[str, np.ndarray]:
    """start/end (local +07:00) and _submission_time (UTC) for interview dates."""
    n = len(dates)
    start = (dates.astype("datetime64[s]") + rng.integers(7 * 3600, 17 * 3600, n)
             .astype("timedelta64[s]"))
    end = start + rng.integers(600, 2700, n).astype("timedelta64[s]")
    sub = end - np.timedelta64(7, "h") + rng.integers(60, 36 * 3600, n).astype("timedelta64[s]")
    ms = pd.Series(rng.integers(0, 1000, n)).astype(str).str.zfill(3)
    fmt = np.datetime_as_string
    return {
        "start": (pd.Series(fmt(start)) + "." + ms + "+07:00").to_numpy(object),
        "end": (pd.Series(fmt(end)) + "." + ms + "+07:00").to_numpy(object),
        "_submission_time": fmt(sub).astype(object),
    }


def add_duplicates(raw: pd.DataFrame, rng: np.random.Generator, pool: np.ndarray,
                   used: np.ndarray, led: Ledger, change_vars: tuple[str, ...]) -> pd.DataFrame:
    """Append earlier submissions of the same keys (half with a since-corrected value)."""
    rows = _pick(rng, pool, RATES["duplicate"], used)
    dup = raw.loc[rows].copy()
    n0 = int(raw["_rid"].max()) + 1
    dup["_rid"] = np.arange(n0, n0 + len(rows))
    shift = rng.integers(1, 4, len(rows)).astype("timedelta64[D]")
    for col in ("start", "end"):
        base = pd.Series(dup[col].to_numpy()).str.slice(0, 19).to_numpy().astype("datetime64[s]")
        tail = pd.Series(dup[col].to_numpy()).str.slice(19)
        dup[col] = (pd.Series(np.datetime_as_string(base - shift)) + tail.to_numpy()).to_numpy()
    sub = dup["_submission_time"].to_numpy().astype("datetime64[s]") - shift
    dup["_submission_time"] = np.datetime_as_string(sub).astype(object)
    changed = rng.random(len(rows)) < 0.5
    var = np.array(change_vars, dtype=object)[rng.integers(0, len(change_vars), len(rows))]
    bump = rng.integers(1, 9, len(rows))
    stale = np.full(len(rows), "", dtype=object)
    true = np.full(len(rows), "", dtype=object)
    for v in change_vars:
        m = var == v
        cur = dup[v].to_numpy().astype(str)
        num = pd.to_numeric(pd.Series(cur), errors="coerce").to_numpy()
        ok = m & changed & ~np.isnan(num)
        new = np.where(ok, _fmt_int(np.where(ok, num + bump, np.nan)), cur)
        dup[v] = new
        true = np.where(m, cur, true)
        stale = np.where(m, new, stale)
        changed = np.where(m, ok, changed)
    led.add(dup["_rid"].to_numpy(), np.where(changed, var, ""), np.where(changed, stale, ""),
            np.where(changed, true, ""), "duplicate_submission", "duplicate")
    return pd.concat([raw, dup], ignore_index=True)


def finish_kobo(raw: pd.DataFrame, rng: np.random.Generator, versions: tuple[str, str],
                switch: str) -> pd.DataFrame:
    """Sort by submission time and add Kobo system columns."""
    raw = raw.sort_values(["_submission_time", "_rid"], kind="stable").reset_index(drop=True)
    n = len(raw)
    raw["_id"] = (np.arange(n) + 30_000_000 + rng.integers(0, 1000)).astype(str)
    raw["_uuid"] = _uuids(rng, n)
    raw["_validation_status"] = np.where(rng.random(n) < 0.1, "Approved", "")
    raw["_notes"] = ""
    raw["_status"] = "submitted_via_web"
    raw["_submitted_by"] = ("dv_" + raw["district_code"].astype(str)).to_numpy()
    raw["__version__"] = np.where(raw["_submission_time"].to_numpy().astype(str) < switch,
                                  versions[0], versions[1])
    raw["_tags"] = ""
    raw["_index"] = (np.arange(n) + 1).astype(str)
    raw["_row"] = np.arange(n) + 2
    return raw


def write_kobo_csv(raw: pd.DataFrame, dummies_from: pd.Series, cols: list[tuple[str, str, str |
                   None]], path: Path) -> None:
    """Write a KoboToolbox CSV export: ';', every field quoted, CRLF, UTF-8 without BOM."""
    plain = list(dict.fromkeys(var for _, var, code in cols if code is None))
    base = pl.from_pandas(raw[plain].astype(str))
    exprs = []
    for header, var, code in cols:
        if code is None:
            exprs.append(pl.col(var).alias(header))
            continue
        sel = pl.col(var)
        has = (pl.lit(" ") + sel + pl.lit(" ")).str.contains(f" {code} ", literal=True)
        exprs.append(pl.when(sel == "").then(pl.lit("")).when(has).then(pl.lit("1"))
                     .otherwise(pl.lit("0")).alias(header))
    frame = base.select(exprs)
    frame.write_csv(path, separator=";", quote_style="always", line_terminator="\r\n")


