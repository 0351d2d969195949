"""Every figure and sentence of the report, computed once from the numbers.

:func:`compute_findings` reads a round's :class:`Results` into a :class:`Findings` object;
the sentence functions below turn it into Vietnamese text. The HTML page, the Word report,
the workbook and the notebooks all use these, so a figure said in words is the same
everywhere and equals the table it summarises (``weak_communes.csv``,
``weakness_disagreements.csv``, the share tables).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from danvan_survey import charts
from danvan_survey.charts.style import (
    choice_label,
    em_label,
    fmt_num,
    fmt_pct,
    indicator_label,
    org_codes,
    org_label,
    short_district,
)
from danvan_survey.codebook import load_codebook
from danvan_survey.results import Results
from danvan_survey.tables import reason_counts, weak_flags, weak_shares
from danvan_survey.vintage import district_label
from danvan_survey.weakness import disagreements, load_weakness_config, weak_communes

EM_CAVEAT = ("Phân loại xã theo vùng đồng bào DTTS một phần được suy luận, chưa được xác "
             "minh; “ngoài danh sách” nghĩa là xã không có trong danh sách vùng DTTS đã tìm "
             "được, không phải đã xác minh là không có đồng bào DTTS.")
ACTIVITY_INDICATORS = ("meeting_regularity", "silent_branch_share", "dues_rate", "card_rate",
                       "trained_share", "vacancy_share")
SYNTHETIC_NOTE = ("Dữ liệu mô phỏng: các con số là số liệu giả lập để thử hệ thống, không "
                  "phải kết quả khảo sát thật.")


@dataclass(frozen=True)
class CadreFigure:
    """One province-level cadre estimate as stated in the text."""

    label: str
    estimate: float
    ci_low: float
    ci_high: float
    n: int
    caution: bool
    is_share: bool


@dataclass(frozen=True)
class GatheringFigure:
    """Province gathering rate of one organisation, with its lowest and highest district."""

    org: str
    province: float
    low_name: str
    low: float
    high_name: str
    high: float


@dataclass(frozen=True)
class Findings:
    """The figures the report states in words (one computation each)."""

    synthetic: bool
    n_received: int
    n_expected: int
    n_orgs: int
    n_rep: int
    n_fun: int
    n_both: int
    n_weak: int
    n_rated_well_fun_weak: int
    n_rated_weak_no_signs: int
    n_weak_communes: int
    n_weak_communes_reported: int
    weak_commune_min: int
    weak_by_district: pd.DataFrame
    weak_by_em: pd.DataFrame
    weak_by_org: pd.DataFrame
    reasons: pd.DataFrame
    consolidation: pd.DataFrame
    gathering: list[GatheringFigure] = field(default_factory=list)
    meeting_by_em: dict[str, float] = field(default_factory=dict)
    cadre: list[CadreFigure] = field(default_factory=list)
    bulletin_rate: float = float("nan")
    dvk_registered: int = 0
    dvk_recognised: int = 0
    n_districts: int = 0
    n_communes: int = 0
    n_cadres: int = 0
    province_rates: dict[str, float] = field(default_factory=dict)
    gathering_low_em: tuple[str, str, float] | None = None
    trained_by_em: dict[str, float] = field(default_factory=dict)
    trained_caution_em: tuple[str, ...] = ()
    replication: pd.DataFrame = field(default_factory=pd.DataFrame)


# ---------------------------------------------------------------- computation
def _ratio(frame: pd.DataFrame, ind: str) -> float:
    """Pooled rate sum(num) / sum(den); NaN when nothing is counted or the round lacks it."""
    if f"{ind}_num" not in frame or f"{ind}_den" not in frame:
        return float("nan")
    den = float(frame[f"{ind}_den"].sum())
    return float(frame[f"{ind}_num"].sum()) / den if den > 0 else float("nan")


def _province_rows(res: Results) -> pd.DataFrame:
    d = res.indicators_district
    return d[d["district_code"] == "ALL"]


def _gathering(res: Results) -> list[GatheringFigure]:
    d, prov = res.indicators_district, _province_rows(res)
    out = []
    for org in org_codes():
        rows = d[(d["org_type"] == org) & (d["district_code"] != "ALL")
                 & d["gathering_rate"].notna() & (d["n_received"] >= charts.MIN_RETURNS)]
        p = prov[prov["org_type"] == org]
        if rows.empty or p.empty or not np.isfinite(float(p["gathering_rate"].iloc[0])):
            continue
        lo = rows.loc[rows["gathering_rate"].idxmin()]
        hi = rows.loc[rows["gathering_rate"].idxmax()]
        out.append(GatheringFigure(org, float(p["gathering_rate"].iloc[0]),
                                   short_district(lo["district_name"]),
                                   float(lo["gathering_rate"]),
                                   short_district(hi["district_name"]),
                                   float(hi["gathering_rate"])))
    return out


def _cadre(res: Results) -> list[CadreFigure]:
    out = []
    for item in charts.CAPACITY_ITEMS:
        rows = charts.select_estimates(res.estimates, item, "province")
        if rows.empty or str(rows["reliability"].iloc[0]) == "suppress":
            continue
        r = rows.iloc[0]
        out.append(CadreFigure(item.label(200).replace("<br>", " "), float(r["estimate"]),
                               float(r["ci_low"]), float(r["ci_high"]), int(r["n"]),
                               r["reliability"] == "caution", item.is_share))
    return out


def _gathering_low_em(res: Results) -> tuple[str, str, float] | None:
    """Lowest gathering rate of an EM area × organisation cell: (area, org, rate).

    Only cells the heat map shows count: a cell from fewer than ``charts.MIN_RETURNS``
    returns is hidden there ("ẩn") and is never named in words either.
    """
    em = res.indicators_em_area
    if em.empty or "gathering_rate" not in em:
        return None
    rows = em[em["em_area"].isin(["pure", "mixed", "none"]) & em["gathering_rate"].notna()
              & (em["n_received"] >= charts.MIN_RETURNS)]
    if rows.empty:
        return None
    low = rows.loc[rows["gathering_rate"].idxmin()]
    return str(low["em_area"]), str(low["org_type"]), float(low["gathering_rate"])


def _trained_by_em(res: Results) -> dict[str, float]:
    """Design-based share of cadres trained in 12 months, by EM area (published only)."""
    rows = charts.select_estimates(res.estimates, charts.CAPACITY_ITEMS[0], "em_area")
    if rows.empty:
        return {}
    rows = rows[rows["reliability"] != "suppress"]
    by = dict(zip(rows["domain"].astype(str), rows["estimate"].astype(float), strict=True))
    return {a: by[a] for a in ("pure", "mixed", "none") if a in by}


def _trained_caution_em(res: Results) -> tuple[str, ...]:
    """EM areas whose published trained share is marked "caution" (said so in the text)."""
    rows = charts.select_estimates(res.estimates, charts.CAPACITY_ITEMS[0], "em_area")
    if rows.empty:
        return ()
    flagged = set(rows.loc[rows["reliability"] == "caution", "domain"].astype(str))
    return tuple(a for a in ("pure", "mixed", "none") if a in flagged)


def compute_findings(res: Results) -> Findings:
    """Compute every figure the report states, from the round's tables."""
    io = res.indicators_org
    flags = weak_flags(io)
    prov = _province_rows(res)
    cfg = load_weakness_config()
    communes = weak_communes(io, cfg) if len(io) else pd.DataFrame()
    dis = disagreements(io) if len(io) else pd.DataFrame({"disagreement": []})
    org = res.organisations
    em = res.indicators_em_area
    has_dvk = len(org) and {"dvk_registered_12m", "dvk_recognised_12m"} <= set(org.columns)
    return Findings(
        synthetic=res.synthetic,
        n_received=int(prov["n_received"].sum()), n_expected=int(prov["n_expected"].sum()),
        n_orgs=len(io), n_rep=int(flags["rep"].sum()), n_fun=int(flags["fun"].sum()),
        n_both=int((flags["rep"] & flags["fun"]).sum()), n_weak=int(flags["weak"].sum()),
        n_rated_well_fun_weak=int((dis["disagreement"]
                                   == "rated_well_functionally_weak").sum()),
        n_rated_weak_no_signs=int((dis["disagreement"]
                                   == "rated_weak_no_functional_signs").sum()),
        n_weak_communes=len(communes),
        n_weak_communes_reported=int(communes["party_unit_defect_hd27"].sum())
        if len(communes) else 0,
        weak_commune_min=cfg.weak_commune_min_orgs,
        weak_by_district=weak_shares(io, "district") if len(io) else pd.DataFrame(),
        weak_by_em=weak_shares(io, "em_area") if len(io) else pd.DataFrame(),
        weak_by_org=weak_shares(io, "org_type") if len(io) else pd.DataFrame(),
        reasons=reason_counts(io) if len(io) else pd.DataFrame(),
        consolidation=charts.consolidation_list(res) if len(io) else pd.DataFrame(),
        gathering=_gathering(res),
        meeting_by_em={a: _ratio(em[em["em_area"] == a], "meeting_regularity")
                       for a in ("pure", "mixed", "none") if a in set(em["em_area"])},
        cadre=_cadre(res),
        bulletin_rate=_ratio(prov, "dvk_bulletin_compliance") if len(prov) else float("nan"),
        dvk_registered=int(org["dvk_registered_12m"].sum()) if has_dvk else 0,
        dvk_recognised=int(org["dvk_recognised_12m"].sum()) if has_dvk else 0,
        n_districts=int(io["district_code"].nunique()) if len(io) else 0,
        n_communes=int(io["commune_code"].nunique()) if len(io) else 0,
        n_cadres=len(res.cadres),
        province_rates={ind: _ratio(prov, ind) for ind in ACTIVITY_INDICATORS
                        if f"{ind}_den" in prov and len(prov)},
        gathering_low_em=_gathering_low_em(res),
        trained_by_em=_trained_by_em(res),
        trained_caution_em=_trained_caution_em(res),
        replication=replication_by_field(res.dvk_replication),
    )


def replication_by_field(table: pd.DataFrame) -> pd.DataFrame:
    """Models recognised at district level or above, by field: total, replicated, not yet.

    Columns ``label`` (field, Vietnamese), ``n_models``, ``n_replicated``,
    ``n_not_replicated`` (replication stated as no) and ``n_unknown``; codebook order,
    then a "Tổng số" row. Empty when the round has no model roster.
    """
    if table.empty:
        return pd.DataFrame(columns=["label", "n_models", "n_replicated", "n_not_replicated",
                                     "n_unknown"])
    stated = pd.to_numeric(table["model_replicated"], errors="coerce")
    counts = table.assign(
        _n=1, _r=(stated == 1).fillna(False).astype("int64"),
        _u=stated.isna().astype("int64"),
    ).groupby("model_field", sort=False)[["_n", "_r", "_u"]].sum()
    # codebook order of the fields; a field the codebook does not name goes last
    rank = load_codebook().rank("dvk_field")
    by = counts.iloc[np.argsort([rank.get(c, len(rank)) for c in counts.index], kind="stable")]
    out = pd.DataFrame({
        "label": [choice_label("dvk_field", c) for c in by.index],
        "n_models": by["_n"].to_numpy(dtype="int64"),
        "n_replicated": by["_r"].to_numpy(dtype="int64"),
        "n_unknown": by["_u"].to_numpy(dtype="int64"),
    })
    out["n_not_replicated"] = out["n_models"] - out["n_replicated"] - out["n_unknown"]
    total = pd.DataFrame([{"label": "Tổng số", **out.drop(columns="label").sum().to_dict()}])
    cols = ["label", "n_models", "n_replicated", "n_not_replicated", "n_unknown"]
    return pd.concat([out, total], ignore_index=True)[cols]


#: Header of the replication table by field (HTML and DOCX).
REPLICATION_HEADER = ["Lĩnh vực", "Số mô hình (từ cấp huyện)", "Đã nhân rộng",
                      "Chưa nhân rộng", "Không rõ"]


def replication_rows(f: Findings) -> list[list[str]]:
    """Rows of the replication table by field, formatted (the last row is the total)."""
    return [[str(r.label), fmt_num(r.n_models), fmt_num(r.n_replicated),
             fmt_num(r.n_not_replicated), fmt_num(r.n_unknown)]
            for r in f.replication.itertuples()]


def replication_sentence(f: Findings) -> str:
    """How many recognised models could be replicated (the 2014 conclusion's question)."""
    if f.replication.empty:
        return ""
    total = f.replication.iloc[-1]
    top = f.replication.iloc[:-1].sort_values("n_models", ascending=False, kind="stable")
    lead = top.iloc[0]
    text = (f"Mô hình “Dân vận khéo” được công nhận từ cấp huyện trở lên: "
            f"{fmt_num(int(total['n_models']))} mô hình, trong đó "
            f"{fmt_num(int(total['n_replicated']))} đã được nhân rộng và "
            f"{fmt_num(int(total['n_not_replicated']))} chưa nhân rộng (đề xuất xem xét nhân "
            f"rộng); nhiều nhất ở lĩnh vực {lower_first(str(lead['label']))} "
            f"({fmt_num(int(lead['n_models']))} mô hình).")
    if int(total["n_unknown"]):
        text += f" {fmt_num(int(total['n_unknown']))} mô hình không ghi rõ đã nhân rộng hay chưa."
    return text


# ---------------------------------------------------------------- sentences
def lower_first(text: str) -> str:
    """Lower-case the first letter only (keeps abbreviations such as DTTS, BCH)."""
    return text[:1].lower() + text[1:]


def share_text(n: int, total: int) -> str:
    """"12/51 (23,5%)"."""
    return f"{fmt_num(n)}/{fmt_num(total)} ({fmt_pct(n / total if total else float('nan'))})"


def scope_sentence(f: Findings) -> str:
    """Who was surveyed, with official names in full at first use."""
    return (f"Khảo sát {fmt_num(f.n_communes)} xã, phường, thị trấn thuộc "
            f"{fmt_num(f.n_districts)} huyện, thị xã, thành phố; mỗi xã 5 tổ chức: Ủy ban Mặt "
            "trận Tổ quốc Việt Nam (sau đây viết tắt là Ủy ban MTTQ), Hội Nông dân, Hội Liên "
            "hiệp Phụ nữ, Đoàn Thanh niên Cộng sản Hồ Chí Minh (Đoàn TNCS Hồ Chí Minh) và Hội "
            "Cựu chiến binh cấp xã.")


#: The EM-area term, written in full at first use.
EM_TERM = ("Vùng đồng bào dân tộc thiểu số (sau đây viết tắt là vùng DTTS) gồm xã thuần đồng "
           "bào DTTS và xã có thôn DTTS xen ghép.")


def coverage_sentence(f: Findings) -> str:
    """Returns received and checked against expected."""
    share = f.n_received / f.n_expected if f.n_expected else float("nan")
    return (f"Đã nhận và qua kiểm tra {fmt_num(f.n_received)}/{fmt_num(f.n_expected)} phiếu "
            f"tổ chức dự kiến ({fmt_pct(share)}); phiếu bị cách ly hoặc chưa gửi không "
            "được tính.")


def weak_sentence(f: Findings) -> str:
    """Weak organisations in the two views."""
    return (f"{fmt_num(f.n_rep)} tổ chức tự xếp loại yếu kém; {fmt_num(f.n_fun)} tổ chức yếu "
            f"theo tiêu chí chức năng; {fmt_num(f.n_both)} tổ chức yếu theo cả hai cách; "
            f"tổng cộng {share_text(f.n_weak, f.n_orgs)} tổ chức được khảo sát cần củng cố.")


def disagreement_sentence(f: Findings) -> str:
    """Rated well but functionally weak (and the reverse)."""
    return (f"{fmt_num(f.n_rated_well_fun_weak)} tổ chức tự xếp loại vững mạnh hoặc khá nhưng "
            f"yếu theo tiêu chí chức năng; {fmt_num(f.n_rated_weak_no_signs)} tổ chức tự xếp "
            "loại yếu kém nhưng không có dấu hiệu yếu nào theo tiêu chí.")


def communes_sentence(f: Findings) -> str:
    """Communes with at least N weak organisations (either view, as weak_communes.csv)."""
    k = fmt_num(f.weak_commune_min)
    return (f"{fmt_num(f.n_weak_communes)} xã có từ {k} tổ chức yếu kém trở lên (tự xếp loại "
            f"hoặc theo tiêu chí), trong đó {fmt_num(f.n_weak_communes_reported)} xã có từ {k} "
            "tổ chức tự xếp loại yếu kém trở lên (tiêu chí của Hướng dẫn 27-HD/BTCTW).")


def _top_shares(table: pd.DataFrame, k: int = 3) -> str:
    rows = table.head(k)
    return "; ".join(f"{r.label} {fmt_pct(r.share_weak)} ({fmt_num(r.n_weak)}/"
                     f"{fmt_num(r.n_orgs)})" for r in rows.itertuples())


def district_share_sentence(f: Findings) -> str:
    """Where weak organisations concentrate, by share of those surveyed."""
    if f.weak_by_district.empty:
        return ""
    return ("Tỷ lệ tổ chức yếu kém trên số tổ chức được khảo sát cao nhất ở: "
            f"{_top_shares(f.weak_by_district)}.")


def em_share_sentence(f: Findings) -> str:
    """Weak share by EM area, in the table's order."""
    if f.weak_by_em.empty:
        return ""
    parts = [f"{lower_first(r.label)} {fmt_pct(r.share_weak)} ({fmt_num(r.n_weak)}/"
             f"{fmt_num(r.n_orgs)})" for r in f.weak_by_em.itertuples()]
    return "Tỷ lệ tổ chức yếu kém theo vùng: " + "; ".join(parts) + "."


def gathering_sentences(f: Findings) -> list[str]:
    """Province gathering rate per organisation with lowest and highest district."""
    return [f"Tỷ lệ tập hợp của {org_label(g.org)} toàn tỉnh {fmt_pct(g.province)}; thấp "
            f"nhất {g.low_name} ({fmt_pct(g.low)}), cao nhất {g.high_name} ({fmt_pct(g.high)})."
            for g in f.gathering]


def gathering_em_sentence(f: Findings) -> str:
    """The lowest gathering rate by EM area and organisation."""
    if f.gathering_low_em is None:
        return ""
    area, org, rate = f.gathering_low_em
    return (f"Thấp nhất: {org_label(org)} ở {lower_first(em_label(area))} "
            f"({fmt_pct(rate)}).")


def trained_em_sentence(f: Findings) -> str:
    """Share of cadres trained by EM area (design-based estimates)."""
    if not f.trained_by_em:
        return ""
    parts = [f"{lower_first(em_label(a))} {fmt_pct(v)}"
             + (" (cần thận trọng khi sử dụng)" if a in f.trained_caution_em else "")
             for a, v in f.trained_by_em.items()]
    return "Tỷ lệ cán bộ được tập huấn 12 tháng (ước lượng): " + "; ".join(parts) + "."


def meeting_sentence(f: Findings) -> str:
    """Meeting regularity by EM area."""
    if not f.meeting_by_em:
        return ""
    parts = [f"{lower_first(em_label(a))}: {fmt_pct(v)}" for a, v in f.meeting_by_em.items()]
    return f"{indicator_label('meeting_regularity')} — " + "; ".join(parts) + "."


def cadre_sentences(f: Findings) -> list[str]:
    """Province cadre estimates with their 95% confidence intervals."""
    out = []
    for c in f.cadre:
        def fmt(v: float, share: bool = c.is_share) -> str:
            return fmt_pct(v) if share else fmt_num(v, 2)
        scale = "" if c.is_share else " (điểm trung bình, thang 1–5)"
        out.append(f"Cán bộ — {c.label}{scale}: {fmt(c.estimate)} (khoảng tin cậy 95%: "
                   f"{fmt(c.ci_low)}–{fmt(c.ci_high)}, {fmt_num(c.n)} cán bộ trả lời"
                   + ("; cần thận trọng khi sử dụng" if c.caution else "") + ").")
    return out


def bulletin_sentence(f: Findings) -> str:
    """Province bulletin compliance (share of bulletin issues with a DVK article)."""
    if not np.isfinite(f.bulletin_rate):
        return ""
    return (f"{indicator_label('dvk_bulletin_compliance')} toàn tỉnh: "
            f"{fmt_pct(f.bulletin_rate)} (mục tiêu 100%).")


def dvk_count_sentence(f: Findings) -> str:
    """DVK models registered and recognised in the last 12 months."""
    if not f.dvk_registered:
        return ""
    return (f"Mô hình “Dân vận khéo”: {fmt_num(f.dvk_registered)} mô hình đăng ký, "
            f"{fmt_num(f.dvk_recognised)} mô hình được công nhận trong 12 tháng.")


def dvk_sentences(f: Findings) -> list[str]:
    """Bulletin compliance, DVK model counts and the replication list, as stated."""
    out = [bulletin_sentence(f), dvk_count_sentence(f), replication_sentence(f)]
    return [s for s in out if s]


def activity_sentence(f: Findings) -> str:
    """Province ratios of the activity indicators (all organisations together)."""
    parts = [f"{lower_first(indicator_label(i))} {fmt_pct(v)}" for i, v in f.province_rates.items()
             if np.isfinite(v)]
    return ("Toàn tỉnh, tính chung các tổ chức: " + "; ".join(parts) + ".") if parts else ""


def strengths(f: Findings) -> list[str]:
    """Strengths, each stated with its number (highest values, organisations not weak)."""
    out = []
    if f.n_orgs:
        out.append(f"{share_text(f.n_orgs - f.n_weak, f.n_orgs)} tổ chức cơ sở được khảo sát "
                   "không yếu kém theo cả tự xếp loại lẫn tiêu chí chức năng.")
    if len(f.weak_by_district):
        low = f.weak_by_district.iloc[-1]
        out.append(f"Tỷ lệ tổ chức yếu kém thấp nhất ở {low['label']}: "
                   f"{fmt_pct(low['share_weak'])} ({fmt_num(low['n_weak'])}/"
                   f"{fmt_num(low['n_orgs'])}).")
    if f.gathering:
        best = max(f.gathering, key=lambda g: g.province)
        out.append(f"Tỷ lệ tập hợp cao nhất là của {org_label(best.org)}: "
                   f"{fmt_pct(best.province)} toàn tỉnh, cao nhất ở {best.high_name} "
                   f"({fmt_pct(best.high)}).")
    if f.dvk_recognised:
        out.append(f"{fmt_num(f.dvk_recognised)} mô hình “Dân vận khéo” được công nhận "
                   "trong 12 tháng.")
    return out


def limitations(f: Findings, reason_labels: dict[str, str]) -> list[str]:
    """Limitations and where they concentrate (districts, EM areas, reasons, gaps)."""
    out = [s for s in (district_share_sentence(f), em_share_sentence(f)) if s]
    if len(f.weak_by_org):
        top = f.weak_by_org.iloc[0]
        out.append(f"Theo tổ chức, tỷ lệ yếu kém cao nhất ở {top['label']}: "
                   f"{fmt_pct(top['share_weak'])} ({fmt_num(top['n_weak'])}/"
                   f"{fmt_num(top['n_orgs'])}).")
    if len(f.reasons):
        parts = [f"{lower_first(reason_labels.get(r.reason, r.reason))} ({fmt_num(r.n_orgs)} tổ "
                 "chức)" for r in f.reasons.head(3).itertuples()]
        out.append("Lý do yếu kém gặp nhiều nhất: " + "; ".join(parts) + ".")
    if f.n_rated_well_fun_weak:
        out.append(f"Tự xếp loại chưa phản ánh đúng thực chất: {disagreement_sentence(f)}")
    if np.isfinite(f.bulletin_rate) and f.bulletin_rate < 1:
        out.append(f"Bản tin chưa đạt mục tiêu có bài về mô hình “Dân vận khéo” trong mọi "
                   f"kỳ: {fmt_pct(f.bulletin_rate)} số kỳ có bài.")
    return out


def summary(f: Findings) -> list[str]:
    """Summary sentences of the HTML page and the notebooks (no invented text)."""
    out = [coverage_sentence(f), weak_sentence(f), disagreement_sentence(f),
           communes_sentence(f), district_share_sentence(f), em_share_sentence(f),
           *gathering_sentences(f), activity_sentence(f), meeting_sentence(f),
           *cadre_sentences(f),
           *dvk_sentences(f)]
    return [s for s in out if s]


def findings(res: Results) -> list[str]:
    """Summary sentences of a round (compute then word)."""
    return summary(compute_findings(res))


def methods(res: Results) -> list[str]:
    """Methods and caveats section (coverage, hidden cells, synthetic data, EM flags)."""
    out = [
        "Phiếu A là tổng điều tra mọi tổ chức ở mọi xã; chỉ số tổng hợp là tỷ số của tổng "
        "(tổng tử số / tổng mẫu số), kèm số phiếu nhận/dự kiến; không bù số liệu thiếu.",
        "Phiếu B là mẫu phân tầng theo huyện, chọn xã, phỏng vấn mọi cán bộ chủ chốt của xã "
        "được chọn; ước lượng theo thiết kế mẫu (tuyến tính hóa Taylor), khoảng tin cậy 95%.",
        f"Ẩn số liệu: ô tổng hợp phiếu A có dưới {charts.MIN_RETURNS} phiếu được ghi “ẩn”; "
        "ước lượng phiếu B dựa trên quá ít cán bộ không được công bố và không bao giờ hiển "
        "thị bằng 0.",
        EM_CAVEAT,
        "Tiêu chí yếu kém chức năng là ngưỡng thiết kế ghi trong tệp cấu hình, cần hiệu "
        "chỉnh sau đợt đầu.",
    ]
    if res.synthetic:
        out.insert(0, SYNTHETIC_NOTE)
    return [for_round(m, res) for m in out]


def district_heading(res: Results) -> str:
    """Column heading of the district in tables (a 2025 round: the former district)."""
    label = district_label(res)
    return "Huyện" if label == "huyện" else label[:1].upper() + label[1:]


def for_round(text: str, res: Results) -> str:
    """Texts say "theo huyện"; a 2025 round's districts are former districts."""
    label = district_label(res)
    if label == "huyện":
        return text
    return re.sub(r"([Tt]heo) huyện\b(?! cũ)", lambda m: f"{m.group(1)} {label}", text)


def weak_share_frame(table: pd.DataFrame, where: str) -> pd.DataFrame:
    """Readable share table (for DOCX, XLSX, HTML and notebooks): shares with counts beside."""
    return pd.DataFrame({
        where: table["label"].to_numpy(),
        "Số tổ chức được khảo sát": table["n_orgs"].to_numpy(),
        "Số tổ chức yếu kém": table["n_weak"].to_numpy(),
        "Tỷ lệ yếu kém": table["share_weak"].to_numpy(),
        "Tự xếp loại yếu kém": table["n_rep"].to_numpy(),
        "Yếu theo tiêu chí chức năng": table["n_fun"].to_numpy(),
    })
