"""Comparing two rounds: a hand-made example computed by hand, and the error messages."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from danvan_survey.cli import app
from danvan_survey.compare import (
    RoundData,
    cadre_changes,
    compare_data,
)
from danvan_survey.config import RoundConfig
from danvan_survey.errors import InputError
from danvan_survey.indicators import INDICATOR_NAMES
from danvan_survey.vintage import units_2025

# Base (2014) communes → 2025 units used below (real crosswalk rows):
#   merge:          22915, 22918, 22957 (all district 593)        → 22918 Phường Mũi Né
#   two districts:  22933 (593), 23062 (597), 23104 (597)          → 22933, former district 597
#   split:          22978 Phong Phú → 22972 and 22978 (half each); 22975 Phan Dũng → 22978
BASE = {  # commune: (members_total, eligible_pop, weak)
    "22915": (100, 200, False), "22918": (50, 100, False), "22957": (30, 100, True),
    "22933": (20, 100, False), "23062": (40, 100, False), "23104": (60, 100, False),
    "22978": (80, 160, True), "22975": (10, 40, False),
}
FOLLOW = {  # 2025 unit: (members_total, eligible_pop, weak)
    "22918": (90, 200, False), "22933": (150, 300, True),
    "22972": (30, 100, True), "22978": (70, 100, False),
}
UNITS = sorted(FOLLOW)


def _cfg(round_id: str, vintage: str, province: str, **kw: object) -> RoundConfig:
    year = 2014 if vintage == "2014" else 2026
    base = RoundConfig(
        round_id=round_id, title=round_id, province_code=province, admin_vintage=vintage,
        reference_year=year, period_start=date(year, 6, 1), period_end=date(year, 9, 30),
        synthetic=True, sources=(), folder=Path(),
        scope={"former_province_code": "60"} if vintage == "2025" else {},
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def _records(values: dict[str, tuple[int, int, bool]], round_id: str) -> pd.DataFrame:
    rows = []
    for code, (members, eligible, weak) in values.items():
        row: dict[str, object] = {
            "round_id": round_id, "commune_code": code, "commune_name": f"Xã {code}",
            "district_code": "", "district_name": "", "org_type": "hnd", "em_area": "none",
            "content_diversity": np.nan, "is_weak_reported": weak, "is_weak_functional": False,
            "weak_reasons_vi": f"lý do {code}" if weak else "",
        }
        for name in INDICATOR_NAMES:
            row[name] = row[f"{name}_num"] = row[f"{name}_den"] = np.nan
        row["gathering_rate_num"], row["gathering_rate_den"] = float(members), float(eligible)
        row["gathering_rate"] = members / eligible
        rows.append(row)
    return pd.DataFrame(rows)


def _estimates(est: float, se: float, df: float, reliability: str = "ok") -> pd.DataFrame:
    return pd.DataFrame([{"domain_type": "province", "domain": "ALL", "variable": "trained_12m",
                          "stat": "prop", "category": "1", "estimate": est, "se": se, "df": df,
                          "n": 200, "reliability": reliability}])


def _manifest(salt: str, members_def: str = "x") -> dict[str, object]:
    return {"codebook_version": {"a": "2014.1", "b": "2014.1"}, "salt_fingerprint": salt,
            "codebook_definitions": {"a": {"members_total": members_def, "eligible_pop": "y"},
                                     "b": {"trained_12m": "z"}}}


@pytest.fixture
def rounds() -> tuple[RoundData, RoundData]:
    base_cfg = _cfg("r-2014", "2014", "60")
    follow_cfg = _cfg("r-2026", "2025", "68")
    frame = units_2025("68", "60")
    frame = frame[frame["commune_code"].isin(UNITS)].reset_index(drop=True)
    follow_ind = _records(FOLLOW, "r-2026")
    ref = frame.set_index("commune_code")
    follow_ind["district_code"] = follow_ind["commune_code"].map(ref["district_code"])
    follow_ind["district_name"] = follow_ind["commune_code"].map(ref["district_name"])
    cad_then = pd.DataFrame({"person_link": ["p1", "p2", "p3"]})
    cad_now = pd.DataFrame({"person_link": ["p2", "p3", "p4"]})
    base = RoundData(base_cfg, pd.DataFrame(), _records(BASE, "r-2014"),
                     _estimates(0.60, 0.03, 10), cad_then, _manifest("s1"))
    follow = RoundData(follow_cfg, frame, follow_ind, _estimates(0.70, 0.04, 5, "caution"),
                       cad_now, _manifest("s1"))
    return base, follow


def _value(table: pd.DataFrame, district: str, col: str) -> float:
    row = table[(table["district_code"] == district) & (table["org_type"] == "hnd")
                & (table["indicator"] == "gathering_rate")]
    return float(row[col].iloc[0])


def test_hand_made_comparison_by_former_district(rounds) -> None:
    comp = compare_data(*rounds)
    d = comp.districts
    # 593: Mũi Né ← 22915+22918+22957: (100+50+30)/(200+100+100) = 0.45 → now 90/200 = 0.45
    assert _value(d, "593", "value_then") == pytest.approx(180 / 400)
    assert _value(d, "593", "change") == pytest.approx(0.0)
    # 597: Hàm Thắng (two former districts, assigned 597): 120/300 → 150/300
    assert _value(d, "597", "value_then") == pytest.approx(120 / 300)
    assert _value(d, "597", "change") == pytest.approx(0.1)
    # 595: Phong Phú split half to each successor: (40 + 40 + 10)/(80 + 80 + 40)
    assert _value(d, "595", "num_then") == pytest.approx(90)
    assert _value(d, "595", "den_then") == pytest.approx(200)
    assert _value(d, "595", "value_now") == pytest.approx(100 / 200)
    assert _value(d, "595", "change") == pytest.approx(0.05)
    # province row: ratio of sums over everything
    assert _value(d, "ALL", "value_then") == pytest.approx(390 / 900)
    mapped = comp.base_mapped
    split = mapped[mapped["commune_code_base"] == "22978"]
    assert sorted(split["commune_code"]) == ["22972", "22978"]
    assert split["split"].all() and (split["share"] == 0.5).all()


def test_hand_made_transitions_with_reasons(rounds) -> None:
    t = compare_data(*rounds).transitions
    t = t[t["org_type"] == "hnd"].set_index("commune_code")
    assert t.loc["22918", "transition"] == "consolidated"  # 22957 weak then, not now
    assert "Xã 22957: tự xếp loại yếu kém (mức 4); lý do 22957" in t.loc["22918", "reasons_then_vi"]
    assert t.loc["22933", "transition"] == "newly_weak"
    assert t.loc["22933", "reasons_now_vi"] == "tự xếp loại yếu kém (mức 4); lý do 22933"
    assert bool(t.loc["22933", "multi_district"])
    assert t.loc["22972", "transition"] == "still_weak"  # split Phong Phú was weak
    assert t.loc["22978", "transition"] == "consolidated"
    assert bool(t.loc["22978", "split"]) and t.loc["22978", "n_base_records"] == 2


def test_cadre_difference_independent_samples(rounds) -> None:
    comp = compare_data(*rounds)
    row = comp.cadres.iloc[0]
    assert row["diff"] == pytest.approx(0.10)
    assert row["se_diff"] == pytest.approx(0.05)  # sqrt(0.03² + 0.04²)
    from scipy import stats

    q = stats.t.ppf(0.975, 5)  # df = min(10, 5)
    assert row["ci_low"] == pytest.approx(0.10 - q * 0.05)
    assert bool(row["within_noise"]) == (0.10 - q * 0.05 <= 0)
    assert row["reliability"] == "caution"
    far = cadre_changes(_estimates(0.2, 0.01, 30), _estimates(0.5, 0.01, 30), [])
    assert not bool(far["within_noise"].iloc[0])


def test_changed_definition_is_not_compared(rounds) -> None:
    base, follow = rounds
    follow = replace(follow, manifest=_manifest("s1", members_def="changed"))
    comp = compare_data(base, follow)
    rows = comp.districts[comp.districts["indicator"] == "gathering_rate"]
    assert not rows["comparable"].any() and rows["change"].isna().all()
    assert rows["note"].str.contains("members_total").all()
    assert comp.summary["definitions_changed"]["a"] == ["members_total"]


def test_cadre_linkage_needs_the_same_salt(rounds) -> None:
    base, follow = rounds
    assert compare_data(base, follow).summary["cadre_link"]["linked_persons"] == 2
    other = compare_data(base, replace(follow, manifest=_manifest("s2")))
    link = other.summary["cadre_link"]
    assert link["linkable"] is False and "salt" in link["message_vi"]
    assert any("không thể liên kết" in d for d in other.notes["detail_vi"])


def test_rounds_of_different_provinces(rounds) -> None:
    base, follow = rounds
    other = replace(base, cfg=_cfg("r-hn", "2014", "01"))
    with pytest.raises(InputError, match="hai tỉnh khác nhau"):
        compare_data(other, follow)


def test_rounds_with_no_units_in_common(rounds) -> None:
    base, follow = rounds
    elsewhere = units_2025("68")
    elsewhere = elsewhere[elsewhere["district_code"] == "000"].head(3)
    with pytest.raises(InputError, match="không có đơn vị hành chính chung"):
        compare_data(base, replace(follow, frame=elsewhere))


def _write_round(root: Path, round_id: str, vintage: str, province: str,
                 scope: str = "") -> None:
    folder = root / "data" / "raw" / round_id
    folder.mkdir(parents=True)
    (folder / "round.yaml").write_text(
        f"round_id: {round_id}\ntitle: t\nprovince_code: \"{province}\"\n"
        f"admin_vintage: \"{vintage}\"\n{scope}reference_year: 2026\n"
        "period: {start: 2026-06-01, end: 2026-09-30}\nsources: []\n", encoding="utf-8")


@pytest.mark.parametrize(("vintage", "province", "scope", "words"), [
    ("2030", "60", "", "admin_vintage '2030'"),
    ("2025", "68", "scope: {former_province_code: \"99\"}\n", "không khớp đơn vị nào"),
    ("2014", "01", "", "Hai đợt thuộc hai tỉnh khác nhau"),
])
def test_cli_errors_are_vietnamese_exit_2_without_traceback(
        tmp_path: Path, vintage: str, province: str, scope: str, words: str) -> None:
    _write_round(tmp_path, "goc", "2014", "60")
    _write_round(tmp_path, "sau", vintage, province, scope)
    result = CliRunner().invoke(app, ["compare", "--base", "goc", "--follow", "sau",
                                      "--root", str(tmp_path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert words in " ".join(result.output.split())


def test_run_with_unknown_vintage_is_a_clear_message(tmp_path: Path) -> None:
    _write_round(tmp_path, "sau", "2030", "60")
    result = CliRunner().invoke(app, ["run", "--round", "sau", "--root", str(tmp_path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "admin_vintage '2030'" in " ".join(result.output.split())



def test_comparison_charts_name_the_former_district_and_synthetic(rounds) -> None:
    from danvan_survey.charts.compare import comparison_figures, comparison_results

    comp = compare_data(*rounds)
    figs = comparison_figures(comp, comparison_results(comp, rounds[1].cfg))
    assert len(figs) == 3
    change = figs["so-sanh-01-thay-doi-theo-huyen-cu"]
    assert "huyện cũ (trước 01/7/2025)" in change.layout.title.text
    footer = change.layout.annotations[-1].text
    assert "Dữ liệu mô phỏng" in footer and "r-2014 → r-2026" in footer
    bars = figs["so-sanh-02-chuyen-doi-yeu-kem"]
    total = sum(sum(t.x) for t in bars.data)
    assert total == 4  # 2 consolidated + 1 still weak + 1 newly weak
    for name, fig in figs.items():  # legends along the top, seen in a narrow window
        assert fig.layout.legend.orientation in (None, "h"), name
        assert (fig.layout.width or 1000) <= 1100, name


def test_written_comparison_reads_back_into_the_report_section(rounds, tmp_path) -> None:
    from danvan_survey.compare import write_comparison
    from danvan_survey.compare_report import findings, read_comparison, section_html, weak_table

    comp = compare_data(*rounds)
    write_comparison(comp, tmp_path / "data" / "compare" / "r-2014__r-2026")
    again = read_comparison(tmp_path / "data" / "compare" / "r-2014__r-2026")
    pd.testing.assert_frame_equal(again.transitions, comp.transitions)
    text = findings(again)
    assert text[0].startswith("So với đợt r-2014: 2 tổ chức yếu kém đã được củng cố, 1 vẫn")
    assert "huyện cũ (trước 01/7/2025)" in text[1]
    assert text[-1].startswith("Dữ liệu mô phỏng")
    table = weak_table(again)
    assert len(table) == 4 and set(table["Kết quả"]) == {"Đã củng cố", "Vẫn yếu kém",
                                                         "Mới yếu kém"}
    from danvan_survey.compare_report import ComparisonSection

    page = section_html(ComparisonSection("T", text, ["ghi chú"], {}), {})
    assert "<h2>T</h2>" in page and "<li>ghi chú</li>" in page


def test_person_link_ignores_mojibake_and_nfd_in_names() -> None:
    import unicodedata

    from danvan_survey.clean import person_hash

    name = "Hoàng Văn Dũng"
    mojibake = "Ho\u00c3\u00a0ng V\u00c4\u0192n D\u00c5\u00a9ng"  # UTF-8 read as cp1252
    typed = [name, mojibake, unicodedata.normalize("NFD", name), "Hoang Van Dung"]
    frame = pd.DataFrame({"n": typed, "birth_year": pd.array([1983] * 4, dtype="Int64")})
    hashes = person_hash(frame, "n", b"salt", ("birth_year",))
    assert hashes.nunique() == 1
    other = pd.DataFrame({"n": [name], "birth_year": pd.array([1984], dtype="Int64")})
    assert person_hash(other, "n", b"salt", ("birth_year",)).iloc[0] != hashes.iloc[0]


def test_two_rounds_on_the_same_units_compare_without_crosswalk(rounds) -> None:
    from danvan_survey.reference import communes

    base, _ = rounds
    frame = communes("60")
    frame = frame[frame["commune_code"].isin(list(BASE))].reset_index(drop=True)
    ind = base.indicators.copy()
    ref = frame.set_index("commune_code")
    ind["district_code"] = ind["commune_code"].map(ref["district_code"])
    ind["district_name"] = ind["commune_code"].map(ref["district_name"])
    first = replace(base, frame=frame, indicators=ind)
    again = replace(first, cfg=_cfg("r-2015", "2014", "60"))
    comp = compare_data(first, again)
    assert (comp.base_mapped["share"] == 1.0).all() and not comp.base_mapped["split"].any()
    rows = comp.districts[comp.districts["indicator"] == "gathering_rate"]
    assert rows["change"].abs().max() == 0
    assert set(comp.transitions["transition"]) <= {"never_weak", "still_weak",
                                                   "not_received_now"}
    assert comp.summary["district_label_vi"] == "huyện"
