"""Pipeline: one round from raw returns to clean, validated, traceable tables.

``run_round`` calls the stages in order (raw → ingest → clean → validate → export) and
returns a summary; it is the only function the CLI needs.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from danvan_survey import vintage
from danvan_survey.clean import (
    PROVENANCE,
    FormCleaning,
    clean_form,
    pseudonymise,
    record_keys,
)
from danvan_survey.codebook import REPEATS, Codebook, FormId, load_codebook
from danvan_survey.config import RoundConfig, load_round
from danvan_survey.errors import InputError
from danvan_survey.ingest import IngestResult, read_round
from danvan_survey.places import CommuneMatcher
from danvan_survey.schemas import RoundContext, coerce
from danvan_survey.validate import (
    Handover,
    Outcome,
    correction_issues,
    read_corrections,
    split_outcome,
)

Progress = Callable[[str], None]
REFERENCE_COLUMNS = [
    "commune_name",
    "district_name",
    "em_area",
    "em_source",
    "em_confidence",
]


@dataclass
class RoundResult:
    """Everything a run produced, before it is written."""

    cfg: RoundConfig
    ingest: IngestResult
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    expected_missing: pd.DataFrame = field(default_factory=pd.DataFrame)
    communes: pd.DataFrame = field(default_factory=pd.DataFrame)


def province_communes(cfg: RoundConfig) -> pd.DataFrame:
    """Commune frame of the round (``"ALL"`` = whole country; 2025 rounds: their scope)."""
    return vintage.round_frame(cfg)


def read_salt() -> bytes:
    """Salt for pseudonyms, kept outside the repo (``$DANVAN_SALT`` or a user config file).

    Created once per machine (random) when absent; never committed.
    """
    if os.environ.get("DANVAN_SALT"):
        return os.environ["DANVAN_SALT"].encode("utf-8")
    path = Path(
        os.environ.get("DANVAN_SALT_FILE", Path.home() / ".config" / "danvan_survey" / "salt")
    )
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(32).hex().encode("ascii"))
        path.chmod(0o600)
    return path.read_bytes().strip()


def _context(
    cfg: RoundConfig, communes: pd.DataFrame, keys_a: frozenset[tuple[str, str]]
) -> RoundContext:
    return RoundContext(
        round_year=cfg.reference_year,
        period_start=cfg.period_start,
        period_end=cfg.period_end,
        commune_codes=frozenset(communes["commune_code"]),
        em_area_by_commune=dict(zip(communes["commune_code"], communes["em_area"], strict=True)),
        form_a_keys=keys_a,
    )


def add_reference(frame: pd.DataFrame, communes: pd.DataFrame) -> pd.DataFrame:
    """Attach commune and district names and the EM-area class (with its source)."""
    ref = communes.set_index("commune_code")
    out = frame.copy(deep=False)
    rows = _lookup(ref.index, out["commune_code"])
    for col in REFERENCE_COLUMNS:
        out[col] = pd.Series(ref[col].array.take(rows, allow_fill=True),
                             index=out.index).astype("str")
    return out


def _lookup(index: pd.Index, keys: pd.Series) -> np.ndarray:
    """Position of each key in ``index`` (-1 when absent), as ``Series.map`` finds it.

    Found once for a table and used for every column taken from it: on a million cadres
    each ``map`` searched the index again (about 0.2 s a column).
    """
    if not index.is_unique:
        raise ValueError("Reindexing only valid with uniquely valued Index objects")
    return np.asarray(index.get_indexer(keys))


def _numbers_at(column: pd.Series, rows: np.ndarray) -> np.ndarray:
    """``column``'s values (as floats) at positions ``rows``; NaN where a row is -1."""
    found = rows >= 0
    out = np.full(len(rows), np.nan)
    out[found] = column.to_numpy(dtype="float64")[rows[found]]
    return out


def add_rating_raw(frame: pd.DataFrame, raw: pd.DataFrame) -> pd.DataFrame:
    """Keep the raw wording of the rating beside its harmonised code."""
    out = frame.copy(deep=False)
    if "rating_last_year" in raw:
        out["rating_label_raw"] = raw["rating_last_year"].fillna("").astype(str).replace("", None)
    return out


def sample_design(cfg: RoundConfig) -> pd.DataFrame:
    """Drawn communes with the number of communes in their district frame."""
    if not cfg.sample_design:
        raise InputError(
            f"round.yaml của đợt {cfg.round_id} thiếu mục sample_design "
            "(danh sách xã được chọn mẫu cho phiếu cán bộ)."
        )
    path = cfg.path(cfg.sample_design)
    if not path.exists():
        raise InputError(
            f"Không tìm thấy tệp thiết kế mẫu {cfg.sample_design}.", file=cfg.sample_design
        )
    design = pd.read_csv(path, dtype=str, keep_default_na=False)
    need = {"district_code", "commune_code", "n_psu_in_stratum"}
    if not need <= set(design.columns):
        raise InputError(
            f"Tệp {cfg.sample_design} cần các cột: {', '.join(sorted(need))}.",
            file=cfg.sample_design,
        )
    design["n_psu_in_stratum"] = design["n_psu_in_stratum"].astype(int)
    drawn = design.groupby("district_code")["commune_code"].transform("size")
    design["weight"] = design["n_psu_in_stratum"] / drawn
    return design


def add_weights(frame: pd.DataFrame, design: pd.DataFrame, work: FormCleaning) -> pd.DataFrame:
    """Design weight and fpc per cadre; a cadre outside the drawn communes is a hard issue."""
    out = frame.copy(deep=False)
    by = design.set_index("commune_code")
    rows = _lookup(by.index, out["commune_code"])
    out["weight"] = pd.array(_numbers_at(by["weight"], rows), dtype="Float64")
    out["n_psu_in_stratum"] = pd.array(_numbers_at(by["n_psu_in_stratum"], rows), dtype="Int64")
    for idx in out.index[out["weight"].isna() & out["commune_code"].notna()]:
        work.add_issue(
            idx,
            "error",
            "not_in_sample",
            "commune_code",
            out.at[idx, "commune_code"],
            "Xã này không có trong danh sách xã được chọn mẫu phiếu cán bộ; "
            "kiểm tra mã xã hoặc bổ sung tệp thiết kế mẫu.",
        )
    return out


def process_form(
    form: FormId,
    tables: list[pd.DataFrame],
    cfg: RoundConfig,
    codebook: Codebook,
    communes: pd.DataFrame,
    context: RoundContext,
    corrections: pd.DataFrame | None,
    salt: bytes,
    matcher: CommuneMatcher | None = None,
) -> Outcome:
    """Clean, type and validate all raw records of one form.

    ``tables`` (the raw tables of every source) is emptied once concatenated, and only
    the raw rows that analyst corrections refer to are kept after cleaning, so that a
    million-row round does not hold its raw text twice. ``matcher``: a commune matcher of
    ``communes`` to share between forms (indexing the national list takes a second).
    """
    raw = pd.concat(tables, ignore_index=True)
    tables.clear()
    matcher = CommuneMatcher(communes) if matcher is None else matcher
    work = clean_form(raw, form, codebook, cfg, communes, matcher)
    values = pseudonymise(work.values, codebook, form, salt)
    values = add_rating_raw(values, raw) if form == "a" else values
    values = add_reference(values, communes)
    if form == "b":
        values = add_weights(values, sample_design(cfg), work)
    typed = coerce(values, codebook, form)
    typed = typed[
        [
            *[c for c in typed.columns if c.startswith("_")],
            *[c for c in typed.columns if not c.startswith("_")],
        ]
    ]
    wanted = set(corrections["key"]) if corrections is not None else set()
    raw_text = raw[record_keys(typed, form).isin(wanted).to_numpy()]
    work.values = work.values[PROVENANCE]  # all issues are located by now: free the rest
    handover = Handover(typed)
    del raw, values, typed
    return split_outcome(
        handover, form, work, codebook, context, corrections, cfg.corrections or "", raw_text
    )


def expected_returns(
    communes: pd.DataFrame, clean: pd.DataFrame, codebook: Codebook
) -> pd.DataFrame:
    """Census completeness of form A: commune × organisation pairs with no return at all.

    Returns that arrived but were quarantined count as received (they are listed in the
    quarantine instead).
    """
    orgs = codebook.codes("org_type")
    grid = communes[["commune_code", "commune_name", "district_code", "district_name"]].merge(
        pd.DataFrame({"org_type": orgs}), how="cross"
    )
    got = set(zip(clean["commune_code"], clean["org_type"], strict=True))
    mask = [(c, o) not in got for c, o in zip(grid["commune_code"], grid["org_type"], strict=True)]
    return grid[mask].reset_index(drop=True)


def run_round(
    round_id: str,
    root: Path | None = None,
    progress: Progress = lambda _: None,
) -> RoundResult:
    """Ingest, clean and validate every source of a round (no writing)."""
    cfg = load_round(round_id, root)
    codebook = load_codebook()
    communes = province_communes(cfg)
    progress(f"Đọc {len(cfg.sources)} nguồn dữ liệu của đợt {cfg.round_id}")
    ingest = read_round(cfg, codebook)
    corrections = None
    if cfg.corrections and cfg.path(cfg.corrections).exists():
        corrections = read_corrections(cfg.path(cfg.corrections))
    result = RoundResult(cfg=cfg, ingest=ingest, communes=communes)
    salt = read_salt()
    keys_a: frozenset[tuple[str, str]] = frozenset()
    matcher = CommuneMatcher(communes)
    for form in ("a", "b"):
        tables = ingest.tables[form]
        if not tables:
            continue
        n = f"{sum(len(t) for t in tables):,}".replace(",", ".")
        progress(f"Làm sạch và kiểm tra phiếu {form.upper()} ({n} bản ghi)")
        ctx = _context(cfg, communes, keys_a)
        outcome = process_form(
            form, tables, cfg, codebook, communes, ctx, corrections, salt, matcher
        )
        result.outcomes[form] = outcome
        if form == "a":
            clean = outcome.clean
            keys_a = frozenset(zip(clean["commune_code"], clean["org_type"], strict=True))
            received = pd.concat([clean, outcome.quarantine])
            result.expected_missing = expected_returns(communes, received, codebook)
    if corrections is not None:  # every correction line ends applied, refused or reported
        done = set().union(*(o.corrections_handled for o in result.outcomes.values()))
        ingest.issues.extend(correction_issues(corrections, done, cfg.corrections or ""))
    process_rosters(result, codebook, keys_a, corrections, progress)
    return result


def top_levels(clean_a: pd.DataFrame) -> dict[tuple[str, str], float]:
    """(commune_code, org_type) -> reported dvk_top_level, for the model roster's checks."""
    if clean_a.empty or "dvk_top_level" not in clean_a:
        return {}
    known = clean_a[clean_a["dvk_top_level"].notna()]
    return {
        (str(c), str(o)): float(v)
        for c, o, v in zip(known["commune_code"], known["org_type"], known["dvk_top_level"],
                           strict=True)
    }


def process_rosters(
    result: RoundResult,
    codebook: Codebook,
    keys_a: frozenset[tuple[str, str]],
    corrections: pd.DataFrame | None,
    progress: Progress,
) -> None:
    """Clean and validate every repeat table (e.g. the DVK model roster) after its parent."""
    from danvan_survey.rosters import process_roster

    for table, (parent, _) in REPEATS.items():
        tables = result.ingest.tables.get(table, [])
        if not tables:
            continue
        empty = pd.DataFrame()
        parents = result.outcomes.get(parent, Outcome(empty, empty, empty))
        n = f"{sum(len(t) for t in tables):,}".replace(",", ".")
        label = codebook.roster_label_vi(table)
        progress(f"Làm sạch và kiểm tra {label[:1].lower()}{label[1:]} ({n} dòng)")
        ctx = replace(_context(result.cfg, result.communes, keys_a),
                      form_a_top_level=top_levels(parents.clean))
        result.outcomes[table] = process_roster(
            table, tables, result.cfg, codebook, result.communes, ctx,
            parents, corrections,
        )
