"""True values of forms A and B (before any defect), drawn from one rng."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from danvan_survey.codebook import Codebook
from danvan_survey.demo.common import (
    DIFFICULTY_OTHER,
    DVK_MODELS,
    EM_CODE,
    ETHNIC_BY_LABEL,
    ORGS,
    PERIOD,
    PROPOSALS,
    REFERENCE_YEAR,
    _multi,
)

# --------------------------------------------------------------------------------------
# True values
# --------------------------------------------------------------------------------------


def _commune_level(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Per-commune latent size: residential areas, households, persons."""
    n = len(frame)
    urban = frame["commune_type"].isin(["Phường", "Thị trấn"]).to_numpy()
    n_res = np.where(urban, rng.integers(5, 14, n), rng.integers(4, 16, n)).astype(float)
    hh = n_res * rng.integers(180, 450, n)
    return pd.DataFrame({
        "commune_code": frame["commune_code"].to_numpy(),
        "district_code": frame["district_code"].to_numpy(),
        "em": frame["em_area"].map(EM_CODE).to_numpy(),
        "em_groups": frame["em_groups"].to_numpy(),
        "urban": urban, "n_res": n_res, "hh": hh,
        "persons": np.round(hh * rng.uniform(3.6, 4.4, n)),
    })


def truth_form_a(frame: pd.DataFrame, cb: Codebook, rng: np.random.Generator, *,
                 commune_level: pd.DataFrame | None = None, weak: np.ndarray | None = None,
                 period: tuple[date, date] = PERIOD) -> pd.DataFrame:
    """True values of form A for every commune × organisation (numbers as float).

    A follow-up round passes its own ``commune_level`` (sizes carried from the base
    round), the intended ``weak`` state per record and its ``period``.
    """
    com = _commune_level(frame, rng) if commune_level is None else commune_level
    c = com.loc[com.index.repeat(len(ORGS))].reset_index(drop=True)
    n = len(c)
    org = np.tile(np.array(ORGS), len(com))
    em = c["em"].to_numpy()
    is_ = {o: org == o for o in ORGS}
    drawn = rng.random(n) < 0.05 + 0.08 * (em == 2) + 0.03 * (em == 1)
    weak = drawn if weak is None else np.asarray(weak, dtype=bool)
    q = np.clip(rng.beta(5, 2, n) - 0.15 * (em == 2) - 0.06 * (em == 1), 0.05, 1)
    q = np.where(weak, q * 0.45, q)
    n_res = c["n_res"].to_numpy()
    extra = np.where(is_["doan"], rng.integers(0, 4, n),
                     np.where(is_["mttq"], 0, (rng.random(n) < 0.15) * rng.integers(1, 3, n)))
    n_br = n_res + extra
    share_em = np.where(em == 2, rng.uniform(0.7, 1.0, n),
                        np.where(em == 1, rng.uniform(0.1, 0.4, n), 0.0))
    hh, persons, urban = c["hh"].to_numpy(), c["persons"].to_numpy(), c["urban"].to_numpy()
    elig = np.select(
        [is_["hnd"], is_["hlhpn"], is_["doan"], is_["hccb"]],
        [np.maximum(30, hh * np.where(urban, rng.uniform(0.05, 0.25, n),
                                      rng.uniform(0.5, 0.85, n))),
         persons * rng.uniform(0.3, 0.36, n), persons * rng.uniform(0.18, 0.25, n),
         np.maximum(15, persons * rng.uniform(0.01, 0.02, n))], np.nan)
    elig = np.round(elig)
    base = np.select([is_["hnd"], is_["hlhpn"], is_["doan"], is_["hccb"]],
                     [0.78, 0.72, 0.5, 0.93], np.nan)
    g = np.clip(base * (0.72 + 0.3 * q) - 0.12 * (em == 2) - 0.04 * (em == 1), 0.1, 0.99)
    mem = np.round(elig * g)
    t: dict[str, Any] = {
        "round_id": None, "district_code": c["district_code"].to_numpy(),
        "commune_code": c["commune_code"].to_numpy(), "org_type": org,
        "interview_date": (np.datetime64(period[0]) + rng.integers(
            0, (period[1] - period[0]).days + 1, n)).astype(str),
        "respondent_position": np.where(rng.random(n) < 0.7, "chair", "vice"),
        "n_residential_areas": n_res, "n_branches": n_br,
        "n_branches_em_villages": np.floor(n_br * share_em),
        "eligible_pop": elig,
        "eligible_unit": np.where(is_["mttq"], "", np.where(is_["hnd"], "household", "person")),
        "members_total": mem,
        "members_em": np.floor(mem * np.where(em == 2, rng.uniform(0.7, 0.98, n), np.where(
            em == 1, rng.uniform(0.1, 0.35, n), rng.uniform(0, 0.02, n)))),
        "members_new_12m": np.floor(mem * rng.uniform(0.02, 0.1, n)),
        "members_left_12m": np.floor(mem * rng.uniform(0.0, 0.08, n)),
        "members_with_card": np.floor(mem * np.clip(0.55 + 0.45 * q, 0, 1)),
        "members_paid_dues": np.floor(mem * np.clip(0.45 + 0.5 * q + rng.normal(0, .05, n), 0,
                                                    1)),
        "households_reached_pct": np.where(is_["mttq"], np.round(np.clip(
            62 + 36 * q - 8 * (em == 2) + rng.normal(0, 3, n), 20, 99.5), 1), np.nan),
        "has_annual_plan": np.where(weak, rng.random(n) < 0.4, rng.random(n) < 0.96)
        .astype(int).astype(str),
        "meetings_required_per_year": np.select(
            [is_["doan"], is_["hlhpn"]], [12.0, 6.0], 4.0),
    }
    met = np.floor(n_br * np.clip(0.35 + 0.6 * q + rng.normal(0, 0.05, n), 0, 1))
    silent = np.where(weak, rng.integers(1, 4, n), (rng.random(n) < 0.08).astype(int))
    t["branches_met_on_schedule"] = met
    t["branches_silent_6m"] = np.minimum(silent, n_br - met)
    t["attendance_pct"] = np.round(np.clip(48 + 42 * q + rng.normal(0, 4, n), 15, 99), 0)
    _meetings_and_cadres(t, cb, rng, q, weak, em, org, n_br, is_)
    return pd.DataFrame(t)


def _meetings_and_cadres(t: dict[str, Any], cb: Codebook, rng: np.random.Generator,
                         q: np.ndarray, weak: np.ndarray, em: np.ndarray, org: np.ndarray,
                         n_br: np.ndarray, is_: dict[str, np.ndarray]) -> None:
    """Meeting content, cadres, DVK models, rating and difficulties (in place)."""
    n = len(q)
    mc = cb.codes("meeting_content")
    p = np.column_stack([
        np.full(n, 0.95), np.full(n, 0.85), 0.15 + 0.55 * q, 0.1 + 0.4 * q,
        np.where(is_["hnd"] | is_["hlhpn"], 0.55, 0.2) * q, 0.08 + 0.3 * q,
        np.where(is_["doan"], 0.7, 0.1 + 0.35 * q), 0.1 + 0.3 * q, np.full(n, 0.03)])
    t["meeting_content"] = _multi(rng, p[:, : len(mc)], mc)
    thematic = np.char.find(t["meeting_content"].astype(str), "thematic") >= 0
    t["thematic_meetings_12m"] = np.where(thematic, rng.integers(1, 3, n) * n_br // 2 + 1, 0.0)
    t["reports_required_12m"] = rng.integers(20, 121, n).astype(float)
    t["admin_time_pct"] = np.round(np.clip(30 + 40 * (1 - q) + rng.normal(0, 5, n), 5, 95), 0)
    n_exec = np.where(is_["mttq"], rng.integers(20, 36, n), rng.integers(7, 16, n)).astype(float)
    t["n_exec_members"] = n_exec
    t["n_exec_vacant"] = np.where(weak, rng.integers(1, 4, n), rng.random(n) < 0.08).astype(float)
    em_pen = 0.2 * (em == 2) + 0.08 * (em == 1)
    t["cadres_trained_12m"] = np.floor((n_exec + n_br) * np.clip(0.3 + 0.6 * q - em_pen, 0.02, 1))
    mem = t["members_total"]
    t["n_core_activists"] = np.where(is_["mttq"], np.nan,
                                     np.minimum(mem, n_br * rng.integers(2, 7, n)))
    t["n_introduced_party_12m"] = np.where(is_["mttq"], np.nan, np.minimum(
        mem, np.where(is_["doan"], rng.integers(0, 9, n), rng.integers(0, 4, n))))
    reg = rng.poisson(0.6 + 2.2 * q).astype(float)
    rec = rng.binomial(reg.astype(int), np.clip(0.25 + 0.5 * q, 0, 1)).astype(float)
    t["dvk_registered_12m"], t["dvk_recognised_12m"] = reg, rec
    t["dvk_top_level"] = np.where(rec == 0, "0", rng.choice(["1", "2", "3"], n, p=[.6, .3, .1]))
    m1, m2 = rng.integers(0, len(DVK_MODELS), (2, n))
    names = np.where(reg >= 2, DVK_MODELS[m1] + "; " + DVK_MODELS[(m1 + m2 % 5 + 1)
                                                                % len(DVK_MODELS)],
                     DVK_MODELS[m1])
    t["dvk_model_names"] = np.where(reg > 0, names, "").astype(object)
    t["exemplars_commended_12m"] = rng.poisson(2 + 8 * q).astype(float)
    issues = rng.integers(0, 13, n)
    t["bulletin_issues_12m"] = issues.astype(float)
    t["bulletin_dvk_features_12m"] = rng.binomial(issues, np.clip(0.15 + 0.5 * q, 0, 1)).astype(
        float)
    score = q + rng.normal(0, 0.08, n)
    rating = np.where(score > 0.72, "1", np.where(score > 0.5, "2", "3"))
    rating = np.where(rng.random(n) < 0.02, "9", rating)
    t["rating_last_year"] = np.where(weak, "4", rating)
    t["branches_rated_weak"] = np.where(weak, np.minimum(n_br, rng.integers(1, 4, n)),
                                        rng.binomial(n_br.astype(int), 0.05 * (1 - q))).astype(
        float)
    dc = cb.codes("difficulties")
    p = np.column_stack([
        np.full(n, 0.6), np.full(n, 0.5), np.where(is_["doan"], 0.5, 0.25),
        0.03 + 0.6 * (em == 2) + 0.3 * (em == 1), 0.12 + 0.3 * (em > 0), np.full(n, 0.15),
        np.full(n, 0.2), 0.02 + 0.1 * (em > 0), np.full(n, 0.04)])
    t["difficulties"] = _multi(rng, p[:, : len(dc)], dc)
    other = np.char.find(t["difficulties"].astype(str), "other") >= 0
    t["difficulties_other"] = np.where(
        other, DIFFICULTY_OTHER[rng.integers(0, len(DIFFICULTY_OTHER), n)], "").astype(object)
    t["proposals"] = PROPOSALS[rng.integers(0, len(PROPOSALS), n)].astype(object)
    del org


def draw_sample(frame: pd.DataFrame, rng: np.random.Generator, national: bool) -> pd.DataFrame:
    """Stratified one-stage cluster sample: communes drawn per district without replacement."""
    rows = []
    for dist, grp in frame.groupby("district_code", sort=True):
        n_h = len(grp)
        k = n_h if n_h <= 3 else int(np.clip(np.ceil(n_h / (2.0 if national else 3.5)), 3, 6))
        k = min(k, n_h) if not national else max(min(n_h, 2), k)
        drawn = np.sort(rng.choice(grp["commune_code"].to_numpy(), size=k, replace=False))
        rows.append(pd.DataFrame({"district_code": dist, "commune_code": drawn,
                                  "n_psu_in_stratum": n_h}))
    return pd.concat(rows, ignore_index=True)


def _cadre_counts(rng: np.random.Generator, n_cells: int, target: int | None) -> np.ndarray:
    """Cadres per (commune, org) cell; exactly ``target`` in total when given."""
    if target is None:
        return (1 + rng.integers(1, 3, n_cells) + rng.integers(1, 3, n_cells)
                + rng.integers(2, 4, n_cells) + rng.integers(0, 2, n_cells))
    base = 3
    rest = target - base * n_cells
    if rest < 0:
        raise ValueError("target too small for the number of sampled cells")
    return base + rng.multinomial(rest, np.full(n_cells, 1 / n_cells))


def truth_form_b(frame: pd.DataFrame, sample: pd.DataFrame, cb: Codebook,
                 rng: np.random.Generator, target: int | None, *,
                 year: int = REFERENCE_YEAR) -> pd.DataFrame:
    """True values of form B for every key cadre of every drawn commune (in ``year``)."""
    com = frame.set_index("commune_code").loc[sample["commune_code"]]
    n_cells = len(sample) * len(ORGS)
    counts = _cadre_counts(rng, n_cells, target)
    cell_commune = np.repeat(sample["commune_code"].to_numpy(), len(ORGS))
    cell_org = np.tile(np.array(ORGS), len(sample))
    idx = np.repeat(np.arange(n_cells), counts)
    rank = np.arange(len(idx)) - np.repeat(np.cumsum(counts) - counts, counts)
    n = len(idx)
    commune = cell_commune[idx]
    org = cell_org[idx]
    em_cell = np.repeat(com["em_area"].map(EM_CODE).to_numpy(), len(ORGS))
    em = em_cell[idx]
    groups = np.repeat(com["em_groups"].to_numpy(), len(ORGS))[idx]
    dist = np.repeat(sample["district_code"].to_numpy(), len(ORGS))[idx]
    rank_text = pd.Series(rank + 1).astype(str).str.zfill(2)
    cadre_id = ("B-" + pd.Series(commune) + "-" + pd.Series(org) + "-" + rank_text).to_numpy()
    later = rng.choice(["exec", "branch_head", "branch_vice"], n, p=[.35, .45, .2])
    position = np.where(rank == 0, "chair", np.where(rank == 1, "vice", later))
    female = np.where(org == "hlhpn", True, np.where(org == "hccb", rng.random(n) < 0.03,
                                                     rng.random(n) < 0.3))
    birth = np.select([org == "doan", org == "hccb"],
                      [rng.integers(1980, 1995, n), rng.integers(1945, 1966, n)],
                      rng.integers(1955, 1989, n)).astype(float)
    birth = birth + (year - REFERENCE_YEAR)
    age = year - birth
    is_em = rng.random(n) < np.select([em == 2, em == 1], [0.8, 0.3], 0.02)
    eth = np.where(is_em, _ethnic_code(groups), "kinh")
    speaks = np.where(
        is_em, "2", np.where(em == 0, np.where(rng.random(n) < 0.9, "8", "0"),
                             rng.choice(["0", "1", "2"], n, p=[.4, .4, .2])))
    edu_p = np.where(is_em[:, None], [[.08, .22, .4, .3]], [[.02, .08, .3, .6]])
    edu = (edu_p.cumsum(axis=1) < rng.random(n)[:, None]).sum(axis=1) + 1
    lead = (position == "chair") | (position == "vice")
    theory = np.where(lead, rng.choice(["1", "2", "3"], n, p=[.2, .7, .1]),
                      rng.choice(["0", "1", "2"], n, p=[.5, .4, .1]))
    trained = rng.random(n) < 0.78 - 0.3 * (em == 2) - 0.12 * (em == 1)
    tt = cb.codes("training_topics")
    topics = _multi(rng, np.tile([.7, .5, .35, .3, .3, .35, .25, .03][: len(tt)], (n, 1)), tt)
    years = np.round(rng.uniform(0, 1, n) * np.minimum(15, age - 16), 1)
    vig_codes = cb.codes("vignette")
    vig = np.where(em == 2, rng.choice(vig_codes, n, p=[.25, .25, .35, .05, .1]),
                   rng.choice(vig_codes, n, p=[.2, .45, .25, .05, .05]))
    dc = cb.codes("difficulties")
    p = np.tile([.55, .5, .25, .05, .15, .1, .2, .03, .03][: len(dc)], (n, 1))
    p[:, 3] += 0.55 * (em == 2) + 0.25 * (em == 1)
    skill_base = 2 + trained + (rng.random(n) < 0.5)
    return pd.DataFrame({
        "round_id": None, "district_code": dist, "commune_code": commune, "org_type": org,
        "cadre_id": cadre_id, "position": position,
        "sex": np.where(female, "2", "1"), "birth_year": birth, "ethnicity": eth,
        "speaks_em_language": speaks, "education": edu.astype(str),
        "political_theory": theory,
        "is_party_member": (rng.random(n) < np.where(lead, 0.96, 0.6)).astype(int).astype(str),
        "years_in_post": years, "concurrent_posts": rng.integers(0, 4, n).astype(float),
        "trained_12m": trained.astype(int).astype(str),
        "training_topics": np.where(trained, topics, ""),
        "skill_mobilising": np.clip(skill_base + rng.integers(-1, 2, n), 1, 5).astype(str),
        "skill_situations": np.clip(skill_base - (em == 2) + rng.integers(-1, 2, n), 1, 5)
        .astype(str),
        "vignette_land_protest": vig,
        "field_days_per_month": rng.integers(2, 17, n).astype(float),
        "paperwork_hours_per_week": np.round(rng.uniform(2, 20, n) * 2) / 2,
        "nq25_awareness": rng.choice(["0", "1", "2"], n, p=[.1, .3, .6]),
        "agrees_dv_is_unions_job": rng.choice(["1", "2", "3", "4", "5"], n,
                                              p=[.1, .2, .2, .35, .15]),
        "in_dvk_model": (rng.random(n) < 0.35).astype(int).astype(str),
        "main_difficulties": _multi(rng, p, dc),
        "_female": female, "_em": em,
    })


def _ethnic_code(groups: np.ndarray) -> np.ndarray:
    """First ethnicity code named in a commune's em_groups text (else 'other')."""
    uniq = pd.unique(groups)
    lut = {}
    for g in uniq:
        code = "other"
        for part in re.split(r"[;,/]", str(g)):
            key = part.strip().lower()
            if key in ETHNIC_BY_LABEL:
                code = ETHNIC_BY_LABEL[key]
                break
        lut[g] = code
    return pd.Series(groups).map(lut).to_numpy(object)

