"""Defect injection into raw text (vectorised over records), with a ledger."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

import numpy as np
import pandas as pd

from danvan_survey.codebook import Codebook
from danvan_survey.demo.common import RATES, REFERENCE_YEAR, Ledger, _fmt_int, _pick

# --------------------------------------------------------------------------------------
# Defect injection (vectorised over records)
# --------------------------------------------------------------------------------------


def _label_of(cb: Codebook, list_name: str) -> dict[str, str]:
    return {c.code: c.label_vi for c in cb.choices[list_name]}


def inject_soft_a(t: pd.DataFrame, rng: np.random.Generator, pool: np.ndarray,
                  used: np.ndarray, led: Ledger) -> pd.DataFrame:
    """Soft anomalies in true values (kept, flagged): they are real answers."""
    t = t.copy()
    non_mttq = pool[t["org_type"].to_numpy()[pool] != "mttq"]
    rows = _pick(rng, pool[t["n_residential_areas"].to_numpy()[pool] >= 3],
                 RATES["branches_below_areas"], used)
    n_br = t["n_residential_areas"].to_numpy()[rows] - rng.integers(1, 3, len(rows))
    t.loc[rows, "n_branches"] = n_br
    for col in ("n_branches_em_villages", "branches_met_on_schedule", "branches_rated_weak"):
        t.loc[rows, col] = np.minimum(t.loc[rows, col].to_numpy(), n_br)
    t.loc[rows, "branches_silent_6m"] = np.minimum(
        t.loc[rows, "branches_silent_6m"].to_numpy(),
        n_br - t.loc[rows, "branches_met_on_schedule"].to_numpy())
    led.add(rows, "n_branches", _fmt_int(n_br.astype(float)), _fmt_int(n_br.astype(float)),
            "branches_below_areas", "flagged")
    rows = _pick(rng, non_mttq, RATES["members_left_high"], used)
    left = np.floor(t.loc[rows, "members_total"].to_numpy() * rng.uniform(0.32, 0.45, len(rows)))
    t.loc[rows, "members_left_12m"] = left
    led.add(rows, "members_left_12m", _fmt_int(left), _fmt_int(left), "members_left_high",
            "flagged")
    rows = _pick(rng, pool, RATES["dvk_recognised_exceeds"], used)
    reg = t.loc[rows, "dvk_registered_12m"].to_numpy()
    t.loc[rows, "dvk_recognised_12m"] = reg + 1
    t.loc[rows, "dvk_top_level"] = "1"
    led.add(rows, "dvk_recognised_12m", _fmt_int(reg + 1), _fmt_int(reg + 1),
            "dvk_recognised_exceeds", "flagged")
    return t


def inject_hard_a(raw: pd.DataFrame, status: np.ndarray, rng: np.random.Generator,
                  pool: np.ndarray, used: np.ndarray, led: Ledger) -> None:
    """Impossible values in raw text → the record must be quarantined (in place)."""
    person = pool[raw["eligible_unit"].to_numpy()[pool] == "person"]
    rows = _pick(rng, person, RATES["members_exceed_eligible"], used)
    true = raw.loc[rows, "members_total"].to_numpy()
    bad = _fmt_int(raw.loc[rows, "eligible_pop"].to_numpy().astype(float)
                   + rng.integers(10, 200, len(rows)))
    raw.loc[rows, "members_total"] = bad
    led.add(rows, "members_total", bad, true, "members_exceed_eligible", "quarantined")
    status[rows] = "quarantined"
    for var in ("members_new_12m", "n_exec_vacant", "thematic_meetings_12m"):
        cand = pool[raw[var].to_numpy()[pool] != ""]
        rows = _pick(rng, cand, RATES["negative_count"] / 3, used)
        true = raw.loc[rows, var].to_numpy()
        bad = (-rng.integers(1, 6, len(rows))).astype(str)
        raw.loc[rows, var] = bad
        led.add(rows, var, bad, true, "negative_count", "quarantined")
        status[rows] = "quarantined"
    rows = _pick(rng, pool, RATES["silent_exceeds_branches"], used)
    true = raw.loc[rows, "branches_silent_6m"].to_numpy()
    bad = _fmt_int(raw.loc[rows, "n_branches"].to_numpy().astype(float)
                   + rng.integers(1, 4, len(rows)))
    raw.loc[rows, "branches_silent_6m"] = bad
    led.add(rows, "branches_silent_6m", bad, true, "silent_exceeds_branches", "quarantined")
    status[rows] = "quarantined"


def inject_special_missing(raw: pd.DataFrame, truth: pd.DataFrame, rng: np.random.Generator,
                           pool: np.ndarray, used: np.ndarray, led: Ledger,
                           spec: Mapping[str, tuple[str, ...]]) -> None:
    """Special missing codes (−9, −8, 99, 999, 'không rõ'): become missing."""
    per = RATES["special_missing"] / len(spec)
    for var, codes in spec.items():
        cand = pool[raw[var].to_numpy()[pool] != ""]
        rows = _pick(rng, cand, per, used)
        bad = np.array(codes, dtype=object)[rng.integers(0, len(codes), len(rows))]
        led.add(rows, var, bad, "", "special_missing", "repaired")
        raw.loc[rows, var] = bad
        truth.loc[rows, var] = np.nan


def inject_choice_labels(raw: pd.DataFrame, cb: Codebook, form: str, rng: np.random.Generator,
                         pool: np.ndarray, used: np.ndarray, led: Ledger,
                         names: tuple[str, ...]) -> None:
    """A choice label written instead of its code (repairable via the codebook)."""
    per = RATES["choice_label"] / len(names)
    for var in names:
        labels = _label_of(cb, cb.var(form, var).list_name or "")  # type: ignore[arg-type]
        cand = pool[raw[var].to_numpy()[pool] != ""]
        rows = _pick(rng, cand, per, used)
        true = raw.loc[rows, var].to_numpy()
        bad = np.array([labels[x] for x in true], dtype=object)
        raw.loc[rows, var] = bad
        led.add(rows, var, bad, true, "choice_label", "repaired")


def mojibake(text: str) -> str:
    """UTF-8 bytes read as Windows-1252 (what Excel shows for a BOM-less UTF-8 CSV)."""
    import ftfy.bad_codecs  # noqa: F401  (registers sloppy-windows-1252)

    return text.encode("utf-8").decode("sloppy-windows-1252")


def inject_text(raw: pd.DataFrame, rng: np.random.Generator, pool: np.ndarray,
                used: np.ndarray, led: Ledger, names: tuple[str, ...]) -> None:
    """UTF-8 mojibake and NFD text in free-text fields (repairable)."""
    for kind, fn in (("mojibake", mojibake),
                     ("nfd_text", lambda s: unicodedata.normalize("NFD", s))):
        per = RATES[kind] / len(names)
        for var in names:
            vals = raw[var].to_numpy()
            nonascii = pd.Series(vals[pool], dtype=object).astype(str).str.contains(
                r"[^\x00-\x7f]", regex=True).to_numpy(dtype=bool)
            cand = pool[nonascii]
            rows = _pick(rng, cand, per, used)
            true = vals[rows]
            bad = np.array([fn(s) for s in true], dtype=object)
            raw.loc[rows, var] = bad
            led.add(rows, var, bad, true, kind, "repaired")


def inject_soft_b(t: pd.DataFrame, rng: np.random.Generator, pool: np.ndarray,
                  used: np.ndarray, led: Ledger) -> pd.DataFrame:
    """Soft anomalies among cadres (kept, flagged)."""
    t = t.copy()
    org = t["org_type"].to_numpy()
    rows = _pick(rng, pool[org[pool] == "doan"], RATES["doan_over_35"], used)
    birth = rng.integers(1970, 1978, len(rows)).astype(float)
    t.loc[rows, "birth_year"] = birth
    led.add(rows, "birth_year", _fmt_int(birth), _fmt_int(birth), "doan_over_35", "flagged")
    em_rows = pool[(t["speaks_em_language"].to_numpy()[pool] != "8")
                   & (t["ethnicity"].to_numpy()[pool] == "kinh")
                   & (t["_em"].to_numpy()[pool] > 0)]
    rows = _pick(rng, em_rows, RATES["em_language_na_in_em_area"], used)
    t.loc[rows, "speaks_em_language"] = "8"
    led.add(rows, "speaks_em_language", "8", "8", "em_language_na_in_em_area", "flagged")
    return t


def inject_hard_b(raw: pd.DataFrame, status: np.ndarray, rng: np.random.Generator,
                  pool: np.ndarray, used: np.ndarray, led: Ledger) -> None:
    """Impossible cadre answers → quarantined (in place)."""
    rows = _pick(rng, pool, RATES["birth_year_out_of_range"], used)
    bad = np.where(rng.random(len(rows)) < 0.5, "2008", "1920").astype(object)
    led.add(rows, "birth_year", bad, raw.loc[rows, "birth_year"].to_numpy(),
            "birth_year_out_of_range", "quarantined")
    raw.loc[rows, "birth_year"] = bad
    status[rows] = "quarantined"
    birth = pd.to_numeric(raw["birth_year"]).to_numpy()
    young = pool[birth[pool] >= 1970]
    rows = _pick(rng, young, RATES["years_exceed_age"], used)
    bad = _fmt_int(REFERENCE_YEAR - birth[rows] - 16 + rng.integers(2, 6, len(rows)))
    led.add(rows, "years_in_post", bad, raw.loc[rows, "years_in_post"].to_numpy(),
            "years_exceed_age", "quarantined")
    raw.loc[rows, "years_in_post"] = bad
    status[rows] = "quarantined"
    trained = pool[raw["trained_12m"].to_numpy()[pool] == "1"]
    rows = _pick(rng, trained, RATES["topics_without_training"], used)
    led.add(rows, "trained_12m", "0", "1", "topics_without_training", "quarantined")
    raw.loc[rows, "trained_12m"] = "0"
    status[rows] = "quarantined"


