"""Taylor-linearised domain estimates of a stratified cluster design, by R ``survey``'s formulas.

Pure numpy over whole columns: every domain of one ``by`` is estimated in one pass
over the rows, however many domains there are. The formulas are those of R's
``svymean``/``svytotal`` on ``subset(design, domain & !is.na(y))`` with ``deff=TRUE``
(``survey::onestrat``/``onestage``, survey >= 4.4 for ``lonely.psu = "adjust"``):

* PSU totals ``t_hi`` of the linearised variable ``x`` (``w (y - ŷ) / Σw`` for a mean,
  ``w y`` for a total; 0 outside the domain); every sampled PSU of the full design
  counts, those without a domain row with ``t = 0``;
* a stratum's variance ``f_h n_h / (n_h - 1) Σ_i (t_hi - t̄_h)²``, with
  ``f_h = (N_h - n_h) / N_h`` (1 without fpc) and 0 when ``f_h < 1e-7`` (census or
  certainty stratum);
* a stratum with one sampled PSU ("lonely"): 0 under remove/certainty,
  ``f_h (t_h - Ŷ / Σ n_h)²`` under adjust (Σ over the strata holding domain rows),
  left out under average, where the domain's variance is scaled by
  strata / strata not left out (NaN when every stratum is left out);
* only the strata that hold analysed domain rows count (R drops the others when it
  subsets), and a missing ``y`` leaves the domain but not the design.

``deff`` is against simple random sampling without replacement with N the sum of the
domain's weights; NaN where that sum is not above the count of weighted rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: R's onestrat: a stratum whose sampling fraction leaves f below this has no variance.
CERTAIN_BELOW = 1e-7


@dataclass(frozen=True)
class DesignArrays:
    """One design as arrays over the rows (codes are dense integers from 0).

    ``psu`` codes are unique across strata (PSUs are nested in strata); ``psu_stratum``
    is each PSU code's stratum; ``n_psu`` and ``fraction`` are per stratum: sampled PSUs
    and ``f_h`` (1 without fpc).
    """

    weight: np.ndarray
    psu: np.ndarray
    psu_stratum: np.ndarray
    n_psu: np.ndarray
    fraction: np.ndarray
    lonely_psu: str


def design_arrays(
    weight: np.ndarray,
    stratum: np.ndarray,
    psu: np.ndarray,
    population: np.ndarray | None,
    lonely_psu: str,
) -> DesignArrays:
    """Per-stratum PSU counts and finite-population factors of coded design columns.

    ``population``: per row, the stratum's population count of PSUs (None: no fpc).
    """
    n_strata = int(stratum.max()) + 1 if len(stratum) else 0
    psu_stratum = np.zeros(int(psu.max()) + 1 if len(psu) else 0, dtype=np.int64)
    psu_stratum[psu] = stratum
    n_psu = np.bincount(psu_stratum, minlength=n_strata).astype(np.float64)
    fraction = np.ones(n_strata)
    if population is not None:
        pop = np.zeros(n_strata)
        pop[stratum] = population
        finite = np.isfinite(pop)  # R: fpc = Inf is sampling with replacement (f = 1)
        fraction[finite] = (pop[finite] - n_psu[finite]) / pop[finite]
    return DesignArrays(weight, psu, psu_stratum, n_psu, fraction, lonely_psu)


@dataclass(frozen=True)
class DomainCells:
    """The (domain, PSU) and (domain, stratum) cells of one ``by`` on a design.

    Built once per ``by`` and shared by every variable: ``cell`` is each row's
    (domain, PSU) cell (-1: row in no domain); per cell its (domain, stratum) group;
    per group its domain, stratum and number of cells (PSUs holding domain rows).
    """

    n_domains: int
    cell: np.ndarray
    group_of_cell: np.ndarray
    group_domain: np.ndarray
    group_stratum: np.ndarray
    group_cells: np.ndarray


def domain_cells(design: DesignArrays, domain: np.ndarray, n_domains: int) -> DomainCells:
    """Cells of ``domain`` (one code per row, -1 = none) on ``design``."""
    inside = domain >= 0
    n_psu_codes = int(design.psu.max()) + 1 if len(design.psu) else 1
    pair = domain[inside].astype(np.int64) * n_psu_codes + design.psu[inside]
    pairs, cell_inside = np.unique(pair, return_inverse=True)
    cell = np.full(len(domain), -1, dtype=np.int64)
    cell[inside] = cell_inside
    n_strata = len(design.n_psu)
    group_key = (pairs // n_psu_codes) * n_strata + design.psu_stratum[pairs % n_psu_codes]
    groups, group_of_cell = np.unique(group_key, return_inverse=True)
    return DomainCells(
        n_domains=n_domains,
        cell=cell,
        group_of_cell=group_of_cell,
        group_domain=groups // n_strata,
        group_stratum=groups % n_strata,
        group_cells=np.bincount(group_of_cell, minlength=len(groups)).astype(np.float64),
    )


@dataclass(frozen=True)
class AnalysedRows:
    """The analysed rows of one variable in one ``by``: all that does not need the values.

    Shared by the categories of a proportion.
    ``rows``: positions of the analysed rows inside a domain; per row its domain and
    cell; per domain the weight sum, the count of weighted rows and whether it has rows;
    per (domain, stratum) group whether it holds analysed rows.
    """

    rows: np.ndarray
    domain: np.ndarray
    cell: np.ndarray
    weight: np.ndarray
    domain_weight: np.ndarray  # per row: its domain's weight sum
    weight_sum: np.ndarray
    weighted: np.ndarray
    present: np.ndarray
    held: np.ndarray


def analysed_rows(
    design: DesignArrays, cells: DomainCells, domain: np.ndarray, analysed: np.ndarray
) -> AnalysedRows:
    """The rows of ``analysed`` that lie in a domain (``domain`` -1: in none)."""
    rows = np.flatnonzero(analysed & (domain >= 0))
    k, cell, w = domain[rows], cells.cell[rows], design.weight[rows]
    n_dom = cells.n_domains
    weight_sum = np.bincount(k, weights=w, minlength=n_dom)
    counts = np.bincount(k, minlength=n_dom)
    nonzero = w != 0
    weighted = counts if nonzero.all() else np.bincount(k[nonzero], minlength=n_dom)
    return AnalysedRows(
        rows=rows,
        domain=k,
        cell=cell,
        weight=w,
        domain_weight=weight_sum[k],
        weight_sum=weight_sum,
        weighted=weighted.astype(np.float64),
        present=counts > 0,
        held=np.bincount(cells.group_of_cell[cell], minlength=len(cells.group_domain)) > 0,
    )


def domain_counts(cells: DomainCells, rows: AnalysedRows) -> tuple[np.ndarray, np.ndarray]:
    """Per domain: analysed rows, and R's ``degf`` (PSUs minus strata holding such rows)."""
    n = np.bincount(rows.domain, minlength=cells.n_domains)
    held_cells = np.bincount(rows.cell, minlength=len(cells.group_of_cell)) > 0
    cell_domain = cells.group_domain[cells.group_of_cell]
    psus = np.bincount(cell_domain[held_cells], minlength=cells.n_domains)
    strata = np.bincount(cells.group_domain[rows.held], minlength=cells.n_domains)
    return n, psus - strata


def domain_variance(
    design: DesignArrays, cells: DomainCells, rows: AnalysedRows, x: np.ndarray
) -> np.ndarray:
    """Variance of Σ x per domain (R ``svyrecvar`` on each domain's subset design).

    ``x``: linearised values of the analysed rows (in the order of ``rows.rows``).
    """
    n_groups = len(cells.group_domain)
    held = rows.held
    t = np.bincount(rows.cell, weights=x, minlength=len(cells.group_of_cell))
    n_h = design.n_psu[cells.group_stratum]
    f_h = design.fraction[cells.group_stratum]
    group_sum = np.bincount(cells.group_of_cell, weights=t, minlength=n_groups)
    t_bar = group_sum / n_h
    squares = (
        np.bincount(
            cells.group_of_cell, weights=(t - t_bar[cells.group_of_cell]) ** 2, minlength=n_groups
        )
        + (n_h - cells.group_cells) * t_bar**2
    )
    lonely = (n_h == 1) & (f_h >= CERTAIN_BELOW)
    with np.errstate(divide="ignore", invalid="ignore"):
        part = np.where(n_h > 1, f_h * n_h / (n_h - 1) * squares, 0.0)
    if design.lonely_psu == "adjust":
        domain_sum = np.bincount(
            cells.group_domain[held], weights=group_sum[held], minlength=cells.n_domains
        )
        psus = np.bincount(cells.group_domain[held], weights=n_h[held], minlength=cells.n_domains)
        centre = (domain_sum / np.where(psus > 0, psus, 1.0))[cells.group_domain]
        part = np.where(lonely, f_h * (group_sum - centre) ** 2, part)
    part = np.where(f_h < CERTAIN_BELOW, 0.0, part)
    counted = held & ~lonely if design.lonely_psu == "average" else held
    variance: np.ndarray = np.bincount(
        cells.group_domain[counted], weights=part[counted], minlength=cells.n_domains
    )
    if design.lonely_psu == "average":
        strata = np.bincount(cells.group_domain[held], minlength=cells.n_domains)
        kept = np.bincount(cells.group_domain[counted], minlength=cells.n_domains)
        with np.errstate(invalid="ignore"):
            variance = variance * strata / kept
    return variance


@dataclass(frozen=True)
class DomainEstimates:
    """Per domain: estimate, variance and deff."""

    estimate: np.ndarray
    variance: np.ndarray
    deff: np.ndarray


def domain_estimates(
    design: DesignArrays, cells: DomainCells, rows: AnalysedRows, y: np.ndarray, stat: str
) -> DomainEstimates:
    """Mean (stat "mean") or total (any other stat) of ``y`` per domain.

    ``y``: the values of the analysed rows, in the order of ``rows.rows``.
    """
    k, w, weight_sum, weighted = rows.domain, rows.weight, rows.weight_sum, rows.weighted
    n_dom = cells.n_domains
    wy = w * y
    total = np.bincount(k, weights=wy, minlength=n_dom)
    with np.errstate(invalid="ignore"):
        mean = total / weight_sum
        centred = y - mean[k]
        spread = np.bincount(k, weights=w * centred**2, minlength=n_dom) / weight_sum
        srs = spread * weighted / (weighted - 1) * (weight_sum - weighted) / (
            weight_sum * weighted
        )
    estimate: np.ndarray
    if stat == "mean":
        x = w * centred / rows.domain_weight  # 0 only where every weight is 0: NaN already
        estimate = mean
    else:
        x = wy
        estimate = total
        srs = srs * weight_sum**2
    variance = domain_variance(design, cells, rows, x)
    with np.errstate(divide="ignore", invalid="ignore"):
        deff = np.where(weight_sum > weighted, variance / srs, np.nan)
    return DomainEstimates(estimate, variance, deff)
