"""Design-based estimates (means, totals, proportions) with R ``survey`` semantics.

The numbers are R's Taylor linearisation, computed by :mod:`danvan_survey.linearise`
over whole columns; this module checks the inputs, builds the domains and the result
tables, and holds the contract (the tests compare it with R):

* **Domains are domains, not subsets.** Every estimate uses the whole design; rows
  outside the domain keep their place in the variance (R ``svyby``/``subset``).
* **Missing values** in ``variable`` are dropped like R's ``na.rm=TRUE``: the row
  leaves the domain but its PSU and stratum stay in the design.
  Rows with a missing ``by`` label belong to no domain.
* **Degrees of freedom** are R's ``degf()`` of the domain design:
  PSUs with at least one analysed row in the domain minus strata with such a row
  (rows without clusters count as PSUs). This is the df that R's
  ``svyciprop(~I(y==k), subset(design, domain))`` uses, and we use the same df for
  the t intervals of means and totals, i.e. ``confint(svymean(~y, sub), df=degf(sub))``.
  (R's ``confint(svyby(...))`` without ``df=`` would use the normal distribution.)
  ``df <= 0`` gives NaN interval bounds, as R does.
* **CIs**: mean/total ``estimate ± t(df) · se``; "prop" uses the logit interval of
  ``svyciprop(method="logit")``: ``expit(logit(p) ± t(df) · se / (p(1-p)))``; at
  ``p`` = 0 or 1 the bounds are NaN. R 4.1 returns a degenerate ``(0, NaN)`` when
  df = 1 (its t→normal level conversion underflows); we return the exact t interval.
* **deff** is R's ``deff=TRUE``: against simple random sampling without replacement,
  with N taken as the sum of the weights.
* **Lonely PSUs** follow ``options(survey.lonely.psu=)`` of survey ≥ 4.4:
  ``fail`` (error), ``remove``/``certainty`` (no variance contribution), ``average``
  (variance scaled by strata / strata with more than one PSU, per domain), ``adjust``
  (the lonely PSU total is centred at the mean PSU total of the design,
  ``Ŷ / Σ n_h``; survey < 4.4 centred at 0, which is the same for means and
  proportions but not for totals). A stratum whose only PSU is its whole population
  (fpc = 1) is a certainty PSU, not a lonely one, under every option.
* **Speed**: every domain of one ``by`` is estimated in one pass over the rows
  (per-PSU and per-stratum sums by ``numpy.bincount``), so 701 districts cost about
  what one domain costs.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import yaml

from danvan_survey import linearise
from danvan_survey.errors import InputError
from danvan_survey.threads import in_order

Stat = Literal["mean", "total", "prop"]
LonelyPsu = Literal["fail", "remove", "certainty", "average", "adjust"]

LONELY_PSU_RULES = ("fail", "remove", "certainty", "average", "adjust")
STATS = ("mean", "total", "prop")
RESULT_COLUMNS = ["estimate", "se", "ci_low", "ci_high", "df", "deff", "n", "cv", "reliability"]
CONFIG_PATH = Path(__file__).parent / "config" / "estimate.yaml"
_KEY = "__domain__"
_SEP = "\x1f"


@dataclass(frozen=True)
class SurveyDesign:
    """Column names of a stratified cluster design (R ``svydesign``).

    ``fpc`` names the column with the stratum's population count of PSUs (of
    elements when ``psu`` is None), one value per stratum; ``lonely_psu`` is R's
    ``survey.lonely.psu``.
    """

    strata: str | None = None
    psu: str | None = None
    weight: str = "weight"
    fpc: str | None = None
    lonely_psu: LonelyPsu = "fail"

    def columns(self) -> list[str]:
        """Design columns that must be present and complete."""
        return [c for c in (self.strata, self.psu, self.weight, self.fpc) if c]


@lru_cache(maxsize=1)
def reliability_thresholds() -> dict[str, float]:
    """Thresholds from ``config/estimate.yaml`` (read once)."""
    return _read_thresholds(CONFIG_PATH)


def _read_thresholds(path: Path) -> dict[str, float]:
    """Body of :func:`reliability_thresholds`, undecorated so that mutation testing reaches it."""
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return {str(k): float(v) for k, v in data.items()}


# --------------------------------------------------------------------------- checks


def _by_columns(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def _require_columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    for col in columns:
        if col not in frame.columns:
            raise InputError(
                f"Thiếu cột '{col}' trong bảng dữ liệu cán bộ; kiểm tra bước làm sạch."
            )


def _check_inputs(
    frame: pd.DataFrame,
    design: SurveyDesign,
    variable: str,
    stat: str,
    by_cols: list[str],
    level: float,
) -> None:
    if stat not in STATS:
        raise InputError(f"Thống kê '{stat}' không hợp lệ; dùng một trong: mean, total, prop.")
    if design.lonely_psu not in LONELY_PSU_RULES:
        raise InputError(
            f"Cách xử lý PSU đơn lẻ '{design.lonely_psu}' không hợp lệ; dùng một trong: "
            + ", ".join(LONELY_PSU_RULES)
        )
    if not 0 < level < 1:
        raise InputError(f"Mức tin cậy {level} phải nằm giữa 0 và 1 (ví dụ 0.95).")
    _require_columns(frame, [*design.columns(), variable, *by_cols])
    for col in design.columns():
        missing = frame[col].isna()
        if missing.any():
            row = int(np.flatnonzero(missing.to_numpy())[0]) + 1
            raise InputError(
                f"Cột thiết kế mẫu '{col}' có {int(missing.sum())} giá trị trống "
                f"(dòng đầu tiên: {row}); bổ sung trước khi ước lượng."
            )
    weights = pd.to_numeric(frame[design.weight], errors="coerce")
    if weights.isna().any() or (weights < 0).any():
        raise InputError(
            f"Cột trọng số '{design.weight}' phải là số không âm; kiểm tra bước tính trọng số."
        )
    if design.fpc is not None:  # a text fpc would be read as missing and its rows lost
        fpc = pd.to_numeric(frame[design.fpc], errors="coerce")
        bad = fpc.isna() | (fpc < 1)  # a count of PSUs, not a sampling fraction (R's fpc <= 1)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
            raise InputError(
                f"Cột số PSU của tổng thể (fpc) '{design.fpc}' phải là số đếm từ 1 trở lên "
                f"(không phải tỷ lệ chọn mẫu); {int(bad.sum())} giá trị không hợp lệ (dòng đầu "
                f"tiên: {row}, giá trị '{frame[design.fpc].iloc[row - 1]}'); kiểm tra bước tính "
                "trọng số."
            )


def _psu_ids(frame: pd.DataFrame, design: SurveyDesign) -> pd.Series:
    """PSU identifiers nested in strata (rows are PSUs without clusters)."""
    if design.psu is None:
        ids = pd.Series(np.arange(len(frame)).astype(str), index=frame.index)
    else:
        ids = frame[design.psu].astype(str)
    if design.strata:
        ids = frame[design.strata].astype(str) + _SEP + ids
    return ids


def _strata_ids(frame: pd.DataFrame, design: SurveyDesign) -> pd.Series:
    if design.strata is None:
        return pd.Series("1", index=frame.index)
    return frame[design.strata].astype(str)


def _check_population(
    frame: pd.DataFrame, design: SurveyDesign, sampled: pd.Series, strata: pd.Series
) -> None:
    """Refuse an fpc that varies inside a stratum (R's svydesign does) or is below its PSUs."""
    if design.fpc is None:
        return
    counts = pd.to_numeric(frame[design.fpc]).groupby(strata, sort=True)
    n_values = counts.nunique()
    varying = n_values[n_values > 1].index
    if len(varying):
        first = varying[0]
        values = ", ".join(f"{v:g}" for v in sorted(counts.get_group(first).unique())[:5])
        raise InputError(
            f"Cột số PSU của tổng thể (fpc) '{design.fpc}' phải có một giá trị trong mỗi "
            f"tầng, nhưng {len(varying)} tầng có nhiều giá trị (tầng {first}: {values}); "
            "kiểm tra bước tính trọng số."
        )
    population = counts.min()
    short = [s for s in sampled.index if population[s] < sampled[s]]
    if short:
        listed = ", ".join(
            f"{s} ({population[s]:g} < {sampled[s]})" for s in short[:10]
        )
        raise InputError(
            f"Cột số PSU của tổng thể (fpc) '{design.fpc}' nhỏ hơn số PSU đã chọn vào mẫu ở "
            f"{len(short)} tầng: {listed}; kiểm tra bước tính trọng số."
        )


def _lonely_strata(
    frame: pd.DataFrame, design: SurveyDesign, sampled: pd.Series, strata: pd.Series
) -> list[str]:
    """Strata with one sampled PSU of several in the population (fpc = 1: certainty)."""
    single = sampled[sampled == 1].index
    if design.fpc is None:
        return sorted(single)
    pop = pd.to_numeric(frame[design.fpc], errors="coerce").groupby(strata).first()
    return sorted(s for s in single if pop[s] > 1)


# --------------------------------------------------------------------------- estimates


def _domain_keys(frame: pd.DataFrame, by_cols: list[str]) -> tuple[pd.Series, pd.DataFrame]:
    """One string key per row (NA when a by label is missing) and the key → labels map."""
    if not by_cols:
        return pd.Series("all", index=frame.index, dtype="str"), pd.DataFrame(index=["all"])
    labels = frame[by_cols]
    missing = labels.isna().any(axis=1)
    codes = (
        labels.astype(str).agg(_SEP.join, axis=1)
        if len(by_cols) > 1
        else labels[by_cols[0]].astype(str)
    )
    keys = codes.where(~missing)
    lookup = labels[~missing].assign(**{_KEY: keys[~missing]}).drop_duplicates(_KEY)
    return keys.astype("str"), lookup.set_index(_KEY)




def category_labels(values: pd.Series) -> pd.Series:
    """Category codes as text: a 0/1 column read as float gives "0"/"1", not "0.0"/"1.0"."""
    if pd.api.types.is_float_dtype(values):
        numbers = pd.to_numeric(values, errors="coerce")
        present = numbers.dropna()
        if bool((present == present.round()).all()) and np.isfinite(present).all():
            return numbers.astype("Int64").astype("str").where(values.notna())
    return values


@dataclass(frozen=True)
class _Prepared:
    """Everything about a design that does not depend on the variable or the domains.

    Built once per frame and design and shared by every estimate on it.
    """

    frame: pd.DataFrame
    arrays: linearise.DesignArrays
    positive: np.ndarray  # weight > 0


def _prepare(frame: pd.DataFrame, design: SurveyDesign) -> _Prepared:
    """Design pieces of ``frame`` (inputs already checked); fails on lonely PSUs if asked."""
    frame = frame.reset_index(drop=True)
    psu, strata = _psu_ids(frame, design), _strata_ids(frame, design)
    weight = pd.to_numeric(frame[design.weight]).astype("float64").to_numpy()
    psu_codes = pd.factorize(psu)[0]
    strata_codes, strata_labels = pd.factorize(strata)
    population = (
        pd.to_numeric(frame[design.fpc]).astype("float64").to_numpy() if design.fpc else None
    )
    arrays = linearise.design_arrays(
        weight, strata_codes, psu_codes, population, design.lonely_psu
    )
    # sampled PSUs per stratum, by stratum label (the checks name strata in label order)
    sampled = pd.Series(arrays.n_psu.astype("int64"), index=strata_labels).sort_index()
    _check_population(frame, design, sampled, strata)
    lonely = _lonely_strata(frame, design, sampled, strata)
    if lonely and design.lonely_psu == "fail":
        raise InputError(
            "Có tầng chỉ có một đơn vị mẫu cấp 1 (PSU): "
            + ", ".join(lonely[:10])
            + ". Chọn cách xử lý lonely_psu (remove, certainty, average, adjust) "
            "hoặc gộp tầng trong thiết kế mẫu."
        )
    return _Prepared(frame, arrays, weight > 0)


@dataclass(frozen=True)
class _Variable:
    """One analysed variable: numbers (mean, total) or category codes (prop, -1 missing)."""

    values: np.ndarray
    analysed: np.ndarray  # has a value: not NaN, not a missing category
    categories: list[str]  # prop: the text label of each code (tables sort them)


def _variable(frame: pd.DataFrame, variable: str, stat: str) -> _Variable:
    """The analysed column of ``frame``.

    For mean/total a value that is not a number is missing; categories are compared
    as text (see :func:`category_labels`).
    """
    values = frame[variable]
    if stat == "prop":
        labels = category_labels(values)
        codes, uniques = pd.factorize(labels.astype("str").where(labels.notna()))
        return _Variable(codes, codes >= 0, [str(u) for u in uniques])
    numbers = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
    return _Variable(numbers, ~np.isnan(numbers), [])


_RAW_COLUMNS = {"_d": "str", "_y": "str", "est": "float64", "se": "float64", "deff": "float64"}


def _raw(
    prep: _Prepared,
    doms: _Domains,
    var: _Variable,
    stat: str,
    rows: linearise.AnalysedRows,
    wanted: Collection[str] | None = None,
) -> pd.DataFrame:
    """Estimate, se and deff of each domain with analysed rows (× category for "prop").

    ``wanted``: the only categories to estimate (None: all); each category's estimate
    is computed on its own, so leaving one out changes no other.
    """
    values = var.values[rows.rows]
    if stat == "prop":
        parts = [
            (category, (values == code).astype(np.float64), "mean")
            for code, category in enumerate(var.categories)
            if wanted is None or category in wanted
        ]
    else:
        parts = [("", values, stat)]
    keep = rows.present
    labels = np.asarray(doms.key_labels)[keep]
    frames = []
    for category, y, stat_of_y in parts:
        res = linearise.domain_estimates(prep.arrays, doms.cells, rows, y, stat_of_y)
        frames.append(
            pd.DataFrame(
                {
                    "_d": labels,
                    "_y": category,
                    "est": res.estimate[keep],
                    "se": np.sqrt(res.variance[keep]),
                    "deff": res.deff[keep],
                }
            )
        )
    raw = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*_RAW_COLUMNS])
    return raw.astype(_RAW_COLUMNS)


# --------------------------------------------------------------------------- post-processing


def _domain_counts(doms: _Domains, rows: linearise.AnalysedRows) -> pd.DataFrame:
    """Per domain with analysed rows: unweighted n and R's degf (PSUs − strata).

    Indexed by domain key.
    """
    n, df = linearise.domain_counts(doms.cells, rows)
    keep = n > 0
    return pd.DataFrame(
        {"n": n[keep].astype("int64"), "df": df[keep].astype("int64")},
        index=pd.Index(np.asarray(doms.key_labels)[keep], dtype="str"),
    )


def _t_quantile(level: float, df: np.ndarray) -> np.ndarray:
    """Student t quantile ``1 - (1 - level) / 2`` per df (NaN where df <= 0).

    ``scipy.special.stdtrit`` is what ``scipy.stats.t.ppf`` evaluates (same values),
    without the second-long import of ``scipy.stats``.
    """
    from scipy import special

    q = np.full(df.shape, np.nan)
    ok = df > 0
    q[ok] = special.stdtrit(df[ok], 1 - (1 - level) / 2)
    return q


def _libm_exp(x: float) -> float:
    """exp(x) from the C library: the same bits on every CPU; inf on overflow, NaN for NaN.

    numpy's vectorised exp and log take an AVX-512 path on CPUs that have it, and their
    last bit can differ from other CPUs' (which use the C library): published CIs
    must not depend on the machine that ran the round.
    """
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _add_intervals(table: pd.DataFrame, stat: str, level: float) -> pd.DataFrame:
    est = table["estimate"].to_numpy(dtype=float)
    se = table["se"].to_numpy(dtype=float)
    q = _t_quantile(level, table["df"].to_numpy(dtype=float))
    if stat != "prop":
        low, high = est - q * se, est + q * se
    else:
        edge = (est <= 0) | (est >= 1) | ~np.isfinite(est)
        with np.errstate(divide="ignore", invalid="ignore"):
            half = q * se / (est * (1 - est))
        low, high = np.full(est.shape, np.nan), np.full(est.shape, np.nan)
        for i in np.flatnonzero(~edge):
            eta = math.log(est[i] / (1 - est[i]))  # 0 < est < 1: finite
            low[i] = 1 / (1 + _libm_exp(-(eta - half[i])))
            high[i] = 1 / (1 + _libm_exp(-(eta + half[i])))
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(est != 0, se / np.abs(est), np.nan)
    return table.assign(ci_low=low, ci_high=high, cv=cv)


def reliability(n: int, cv: float, df: float) -> str:
    """Label one estimate "ok", "caution" or "suppress" (thresholds in estimate.yaml)."""
    t = reliability_thresholds()
    if n < t["suppress_below_n"]:
        return "suppress"
    shaky_cv = not math.isfinite(cv) or cv > t["caution_above_cv"]
    if n < t["caution_below_n"] or shaky_cv or df < t["caution_below_df"]:
        return "caution"
    return "ok"


def _category_order(values: pd.Series) -> pd.Series:
    """Sort key for categories: numeric when every code is a number."""
    numeric = pd.to_numeric(values, errors="coerce")
    return numeric if numeric.notna().all() else values


@dataclass(frozen=True)
class _Domains:
    """Domain keys of one ``by`` on a prepared design (shared by every variable)."""

    by_cols: list[str]
    lookup: pd.DataFrame
    key_codes: np.ndarray
    key_labels: pd.Index
    cells: linearise.DomainCells


def _domains(prep: _Prepared, by_cols: list[str]) -> _Domains:
    keys, lookup = _domain_keys(prep.frame, by_cols)
    key_codes, key_labels = pd.factorize(keys)
    cells = linearise.domain_cells(prep.arrays, key_codes, len(key_labels))
    return _Domains(by_cols, lookup, key_codes, key_labels, cells)


def _variables(prep: _Prepared, requests: list[tuple[str, str]]) -> list[_Variable]:
    """The analysed column of each (variable, stat) request."""
    return [_variable(prep.frame, var, stat) for var, stat in requests]


def _estimates(
    prep: _Prepared,
    doms: _Domains,
    requests: list[tuple[str, str]],
    level: float,
    variables: list[_Variable] | None = None,
    wanted: Sequence[Collection[str] | None] | None = None,
) -> list[pd.DataFrame]:
    """:func:`estimate` tables of each (variable, stat) in ``requests`` for one ``by``.

    ``variables``: the analysed columns of ``requests`` (from :func:`_variables`), to
    share them between several ``by``. ``wanted``: per request, the only categories of
    a proportion to estimate (None: all); the others get no estimate. Variables
    analysed on the same rows share those rows' arrays and counts.
    """
    variables = variables if variables is not None else _variables(prep, requests)
    wanted = wanted if wanted is not None else [None] * len(requests)
    shared: list[tuple[np.ndarray, linearise.AnalysedRows, pd.DataFrame]] = []
    tables = []
    for var, (_, stat), cats in zip(variables, requests, wanted, strict=True):
        mask = var.analysed & prep.positive
        found = [(r, c) for m, r, c in shared if np.array_equal(m, mask)]
        if found:
            rows, counts = found[0]
        else:
            rows = linearise.analysed_rows(prep.arrays, doms.cells, doms.key_codes, mask)
            counts = _domain_counts(doms, rows)
            shared.append((mask, rows, counts))
        raw = _raw(prep, doms, var, stat, rows, cats)
        tables.append(_table(doms, var, stat, raw, counts, level))
    return tables


def _complete_domains(
    table: pd.DataFrame, doms: _Domains, categories: list[str], stat: str
) -> pd.DataFrame:
    """Add the domains without any analysed row, with n = 0 and no estimate.

    A table thus always has one row per domain (per domain x category of the whole
    data for "prop"), whatever the data of the round.
    """
    keys = [str(k) for k in doms.key_labels] if doms.by_cols else ["all"]
    present = set(table[_KEY].tolist())  # once: a set per key cost 19 s on 701 districts
    absent = [k for k in keys if k not in present]
    if not absent:
        return table
    if stat == "prop":
        pairs = [(k, c) for k in absent for c in categories]
        extra = pd.DataFrame(pairs, columns=[_KEY, "category"], dtype="str")
    else:
        extra = pd.DataFrame({_KEY: pd.Series(absent, dtype="str")})
    extra = extra.assign(estimate=np.nan, se=np.nan, deff=np.nan)
    if extra.empty:
        return table
    return pd.concat([table, extra[table.columns]], ignore_index=True)


def _table(
    doms: _Domains,
    var: _Variable,
    stat: str,
    raw: pd.DataFrame,
    counts: pd.DataFrame,
    level: float,
) -> pd.DataFrame:
    """Result table of one estimate from its raw rows and counts (see :func:`_raw`)."""
    by_cols = doms.by_cols
    table = pd.DataFrame(
        {
            _KEY: raw["_d"],
            "estimate": raw["est"],
            "se": raw["se"],
            "deff": raw["deff"],
        }
    )
    if stat == "prop":
        table["category"] = raw["_y"]
    table = _complete_domains(table, doms, var.categories, stat)
    table = table.join(counts, on=_KEY)
    table["n"] = table["n"].fillna(0).astype("int64")
    table["df"] = table["df"].fillna(0).astype("int64")
    table = _add_intervals(table, stat, level)
    table["reliability"] = [
        reliability(int(n), float(cv), float(df))
        for n, cv, df in zip(table["n"], table["cv"], table["df"], strict=True)
    ]
    return _finish(table, doms.lookup, by_cols, stat)


def estimate(
    frame: pd.DataFrame,
    design: SurveyDesign,
    variable: str,
    stat: Stat = "mean",
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Design-based mean, total or proportions of ``variable`` per domain of ``by``.

    Returns one row per domain (per domain × category for "prop") with the ``by``
    columns, ``category`` (prop only), estimate, se, ci_low, ci_high, df, deff,
    n (unweighted analysed rows), cv, reliability. See the module docstring.
    """
    by_cols = _by_columns(by)
    _check_inputs(frame, design, variable, stat, by_cols, level)
    prep = _prepare(frame, design)
    return _estimates(prep, _domains(prep, by_cols), [(variable, stat)], level)[0]


def _finish(
    table: pd.DataFrame, lookup: pd.DataFrame, by_cols: list[str], stat: str
) -> pd.DataFrame:
    """Attach the by labels, sort rows and order columns."""
    if by_cols:
        table = table.join(lookup, on=_KEY)
    sort_cols = list(by_cols)
    if stat == "prop":
        table = table.assign(_cat=_category_order(table["category"]))
        sort_cols.append("_cat")
    if sort_cols:
        table = table.sort_values(sort_cols, kind="stable").drop(columns=["_cat"], errors="ignore")
    cols = [*by_cols, *(["category"] if stat == "prop" else []), *RESULT_COLUMNS]
    return table[cols].reset_index(drop=True)


def suppress_small_counts(table: pd.DataFrame, min_count: int | None = None) -> pd.DataFrame:
    """Blank estimates built on fewer than ``min_count`` respondents (for export).

    Rows with ``n < min_count`` keep their labels and ``n`` but get NaN estimate, se,
    CI, cv and deff and reliability "suppress". ``min_count`` defaults to the
    ``min_count`` of ``config/estimate.yaml`` (5).
    """
    limit = int(reliability_thresholds()["min_count"] if min_count is None else min_count)
    small = table["n"] < limit
    out = table.copy()
    for col in ("estimate", "se", "ci_low", "ci_high", "cv", "deff"):
        if col in out:
            out[col] = out[col].astype(float).mask(small)
    if "reliability" in out:
        out["reliability"] = out["reliability"].mask(small, "suppress")
    return out


# --------------------------------------------------------------------------- cadre indicators

ESTIMATE_COLUMNS = [
    "domain_type",
    "domain",
    "variable",
    "stat",
    "category",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "df",
    "deff",
    "n",
    "cv",
    "reliability",
]
#: (variable, stat, categories kept for "prop": None = all)
CADRE_INDICATORS: list[tuple[str, str, tuple[str, ...] | None]] = [
    ("trained_12m", "mean", None),
    ("skill_situations", "mean", None),
    ("skill_situations_4_5", "prop", ("1",)),
    ("vignette_land_protest", "prop", None),
    ("vignette_listen_or_trusted", "prop", ("1",)),
    ("nq25_awareness", "prop", None),
    ("agrees_dv_is_unions_job_4_5", "prop", ("1",)),
    ("field_days_per_month", "mean", None),
    ("paperwork_hours_per_week", "mean", None),
]
DOMAIN_TYPES: list[tuple[str, str | None]] = [
    ("province", None),
    ("district", "district_code"),
    ("em_area", "em_area"),
]


def _flag(condition: pd.Series, source: pd.Series) -> pd.Series:
    """0/1 Int64 flag, missing where the source answer is missing."""
    return condition.astype("Int64").mask(source.isna())


#: The answers the derived flags of :func:`add_cadre_flags` are computed from.
FLAG_SOURCES = ("skill_situations", "vignette_land_protest", "agrees_dv_is_unions_job")


def cadre_columns(design: SurveyDesign) -> list[str]:
    """The columns of the cadre table that ``estimate_cadre_indicators`` reads."""
    flags = set(add_cadre_flags(pd.DataFrame(columns=list(FLAG_SOURCES))).columns)
    wanted = [
        *design.columns(),
        *(by for _, by in DOMAIN_TYPES if by),
        *FLAG_SOURCES,
        *(variable for variable, _, _ in CADRE_INDICATORS if variable not in flags),
    ]
    return list(dict.fromkeys(wanted))


def add_cadre_flags(cadres: pd.DataFrame) -> pd.DataFrame:
    """Add the derived 0/1 helper columns used by ``estimate_cadre_indicators``.

    * ``skill_situations_4_5``: self-rated situation skill 4 or 5 (good / very good);
    * ``vignette_listen_or_trusted``: vignette answer ``listen_first`` or ``trusted_people``;
    * ``agrees_dv_is_unions_job_4_5``: agrees (4 or 5) that mass mobilisation is mainly
      the Front's and unions' job (the misperception the conclusion names).
    Each is missing where the source answer is missing.
    """
    skill = pd.to_numeric(cadres["skill_situations"], errors="coerce")
    agree = pd.to_numeric(cadres["agrees_dv_is_unions_job"], errors="coerce")
    vignette = cadres["vignette_land_protest"]
    return cadres.assign(
        skill_situations_4_5=_flag(skill >= 4, skill),
        vignette_listen_or_trusted=_flag(
            vignette.isin(["listen_first", "trusted_people"]), vignette
        ),
        agrees_dv_is_unions_job_4_5=_flag(agree >= 4, agree),
    )


def estimate_cadre_indicators(cadres: pd.DataFrame, design: SurveyDesign) -> pd.DataFrame:
    """Long ``estimates.parquet`` table of the cadre indicators by province/district/EM area.

    Province rows have domain "ALL". For derived 0/1 flags (see ``add_cadre_flags``)
    only category "1" (the share) is kept; mean rows have category "".
    The design and the analysed columns are prepared once for all domain types; every
    number equals that of a separate :func:`estimate` call.
    """
    _require_columns(cadres, FLAG_SOURCES)
    frame = add_cadre_flags(cadres)
    requests = [(variable, stat) for variable, stat, _ in CADRE_INDICATORS]
    wanted = [keep for _, _, keep in CADRE_INDICATORS]  # the other categories are dropped
    _check_inputs(frame, design, requests[0][0], requests[0][1], [], 0.95)
    _require_columns(
        frame, [*(variable for variable, _ in requests), *(by for _, by in DOMAIN_TYPES if by)]
    )
    prep = _prepare(frame, design)
    variables = _variables(prep, requests)

    def tables_of(by: str | None) -> list[pd.DataFrame]:
        doms = _domains(prep, _by_columns(by))
        return _estimates(prep, doms, requests, 0.95, variables, wanted)

    # numpy releases the GIL: the domain types are estimated on two threads
    all_tables = in_order([partial(tables_of, by) for _, by in DOMAIN_TYPES], threads=1)
    parts = []
    for (domain_type, by), tables in zip(DOMAIN_TYPES, all_tables, strict=True):
        for (variable, stat, keep), table in zip(CADRE_INDICATORS, tables, strict=True):
            if keep is not None:
                table = table[table["category"].isin(keep)]
            domain = table[by].astype("str") if by else pd.Series("ALL", index=table.index)
            category = table["category"] if stat == "prop" else ""
            parts.append(
                table.assign(
                    domain_type=domain_type,
                    domain=domain,
                    variable=variable,
                    stat=stat,
                    category=category,
                )[ESTIMATE_COLUMNS]
            )
    out = pd.concat(parts, ignore_index=True)
    return out.astype({"domain": "str", "category": "str", "variable": "str"})
