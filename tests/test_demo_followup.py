"""The synthetic follow-up round demo-2026: reproducible, labelled, and recovered by compare."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import DEMO, FOLLOW, REPO

from danvan_survey.codebook import KEYS
from danvan_survey.compare import compare_dir
from danvan_survey.demo import generate_round
from danvan_survey.vintage import mapping_2014_to_2025, units_2025

TRUTH = REPO / "tests" / "ground_truth"


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("followup")
    shutil.copytree(TRUTH / DEMO, root / "truth" / DEMO)
    shutil.copytree(REPO / "data" / "raw" / DEMO, root / "raw" / DEMO)
    generate_round(FOLLOW, 2026, root / "raw", root / "truth")
    return root


def test_byte_identical_to_the_committed_round(regenerated: Path) -> None:
    assert _digest(regenerated / "raw" / FOLLOW) == _digest(REPO / "data" / "raw" / FOLLOW)
    assert _digest(regenerated / "truth" / FOLLOW) == _digest(TRUTH / FOLLOW)


def test_every_file_is_labelled_synthetic(regenerated: Path) -> None:
    raw = regenerated / "raw" / FOLLOW
    names = [p.name for p in raw.iterdir() if p.name not in {"round.yaml", "README.md"}]
    assert len(names) == 3 and all("SYNTHETIC" in n for n in names)
    assert "MÔ PHỎNG" in (raw / "README.md").read_text(encoding="utf-8")
    assert "MÔ PHỎNG" in (raw / "round.yaml").read_text(encoding="utf-8")
    header = (raw / "form_a_kobo_SYNTHETIC.csv").read_text(encoding="utf-8").split("\r\n")[0]
    assert "district_code" not in header and "commune_code" in header


def test_organisations_merged_one_per_new_unit_and_sizes_add_up() -> None:
    truth = pd.read_csv(TRUTH / FOLLOW / "organisations_truth.csv", dtype=str)
    counts = json.loads((TRUTH / FOLLOW / "expected_counts.json").read_text())
    assert counts["form_a"]["n_expected"] == 45 * 5
    assert not truth.duplicated(["commune_code", "org_type"]).any()
    assert set(truth["commune_code"]) <= set(units_2025("68", "60")["commune_code"])
    base = pd.read_csv(TRUTH / DEMO / "organisations_truth.csv", dtype=str)
    areas = base.drop_duplicates("commune_code").set_index("commune_code")[
        "n_residential_areas"].astype(float)
    m = mapping_2014_to_2025("60")
    m["areas"] = m["commune_code_2014"].map(areas) * m["share"]
    want = m.groupby("commune_code_2025")["areas"].sum().round()
    got = truth.drop_duplicates("commune_code").set_index("commune_code")[
        "n_residential_areas"].astype(float)
    assert (got - want.reindex(got.index)).abs().max() <= 1  # branches add up
    t = counts["transitions"]
    assert t["consolidated"] > 0 and t["still_weak"] > 0 and t["newly_weak"] > 0


@pytest.mark.slow
def test_clean_values_equal_ground_truth(followup_root: Path) -> None:
    for form, name in (("a", "organisations"), ("b", "cadres")):
        clean = pd.read_parquet(followup_root / "data" / "clean" / FOLLOW / f"{name}.parquet")
        truth = pd.read_csv(TRUTH / FOLLOW / f"{name}_truth.csv", dtype=str,
                            keep_default_na=False)
        keys = truth[list(KEYS[form])].agg("|".join, axis=1)
        assert set(clean["record_key"]) == set(keys)
        assert (clean["district_code"].isin(units_2025("68", "60")["district_code"])).all()


@pytest.mark.slow
def test_compare_recovers_the_generators_transitions(followup_root: Path) -> None:
    out = compare_dir(DEMO, FOLLOW, followup_root)
    got = pd.read_csv(out / "transitions.csv", dtype=str).set_index(["commune_code", "org_type"])
    truth = pd.read_csv(TRUTH / FOLLOW / "transitions_truth.csv", dtype=str).set_index(
        ["commune_code", "org_type"])
    want = truth["transition"].replace({"not_received": "not_received_now"})
    assert len(got) == len(want) == 225
    assert (got.loc[want.index, "transition"] == want).all()
    weak_then = truth["weak_then"] == "True"
    assert (got.loc[want.index, "weak_then"].str.lower() == weak_then.astype(str).str.lower()
            ).all()


@pytest.mark.slow
def test_compare_recovers_changes_computed_by_hand_from_the_truth(followup_root: Path) -> None:
    """Gathering rate by former district: ratio of sums of the true values, both rounds."""
    frame = units_2025("68", "60").set_index("commune_code")
    base = pd.read_csv(TRUTH / DEMO / "organisations_truth.csv", dtype=str,
                       keep_default_na=False)
    base = base[(base["_expected"] == "clean") & (base["org_type"] != "mttq")]
    m = mapping_2014_to_2025("60")
    base = base.merge(m, left_on="commune_code", right_on="commune_code_2014")
    ok = (base["members_total"] != "") & (base["eligible_pop"] != "")
    base = base[ok].assign(
        num=lambda d: d["members_total"].astype(float) * d["share"],
        den=lambda d: d["eligible_pop"].astype(float) * d["share"],
        district=lambda d: d["commune_code_2025"].map(frame["district_code"]))
    now = pd.read_csv(TRUTH / FOLLOW / "organisations_truth.csv", dtype=str,
                      keep_default_na=False)
    now = now[(now["org_type"] != "mttq") & (now["members_total"] != "")
              & (now["eligible_pop"] != "")]
    now = now.assign(num=now["members_total"].astype(float),
                     den=now["eligible_pop"].astype(float),
                     district=now["commune_code"].map(frame["district_code"]))
    then_sum = base.groupby(["district", "org_type"])[["num", "den"]].sum()
    now_sum = now.groupby(["district", "org_type"])[["num", "den"]].sum()
    want = now_sum["num"] / now_sum["den"] - then_sum["num"] / then_sum["den"]
    got = pd.read_csv(compare_dir(DEMO, FOLLOW, followup_root) / "indicators_district.csv",
                      dtype={"district_code": str})
    got = got[(got["indicator"] == "gathering_rate") & (got["district_code"] != "ALL")
              & (got["org_type"] != "mttq")].set_index(["district_code", "org_type"])["change"]
    assert len(want) == len(got) > 30
    assert (got.loc[want.index] - want).abs().max() < 1e-9


@pytest.mark.slow
def test_cadre_strata_of_the_2025_round_are_former_districts(followup_root: Path) -> None:
    est = pd.read_parquet(followup_root / "data" / "clean" / FOLLOW / "estimates.parquet")
    design = pd.read_csv(REPO / "data" / "raw" / FOLLOW / "sample_design_SYNTHETIC.csv",
                         dtype=str)
    former = set(units_2025("68", "60")["district_code"])
    assert set(design["district_code"]) == former and len(former) == 10
    assert set(est.loc[est["domain_type"] == "district", "domain"]) <= former


@pytest.mark.slow
def test_comparison_tables_are_byte_identical_on_rerun(followup_root: Path,
                                                       tmp_path: Path) -> None:
    from danvan_survey.compare import compare_rounds, write_comparison

    write_comparison(compare_rounds(DEMO, FOLLOW, followup_root), tmp_path)
    first = compare_dir(DEMO, FOLLOW, followup_root)
    again = _digest(tmp_path)
    assert len(again) == 16
    assert again == {k: v for k, v in _digest(first).items() if k in again}


@pytest.mark.slow
def test_retained_cadres_are_linked_across_rounds(followup_root: Path) -> None:
    truth = pd.read_csv(TRUTH / FOLLOW / "cadre_links_truth.csv", dtype=str)
    links = pd.read_csv(compare_dir(DEMO, FOLLOW, followup_root) / "cadre_links.csv",
                        dtype=str)
    pairs = set(zip(links["cadre_id_now"], links["cadre_id_then"], strict=True))
    assert len(truth) > 100
    assert all((a, b) in pairs for a, b in zip(truth["cadre_id"], truth["cadre_id_base"],
                                               strict=True))


@pytest.mark.slow
def test_follow_up_pack_has_the_comparison_section(followup_root: Path) -> None:
    from docx import Document
    from openpyxl import load_workbook

    from danvan_survey.report import build_report

    out = build_report(FOLLOW, followup_root, notebooks=False)
    page = out["bao-cao.html"].read_text(encoding="utf-8")
    assert "So sánh với đợt trước" in page and page.count("id=\"fig-so-sanh-") == 3
    assert "huyện cũ (trước 01/7/2025)" in page
    assert "bieu-do/so-sanh-02-chuyen-doi-yeu-kem.png" in out
    texts = [p.text for p in Document(str(out["bao-cao.docx"])).paragraphs]
    assert any(t.startswith("6. So sánh với đợt trước") for t in texts)
    assert "PHỤ LỤC 3" in texts  # every weak organisation of either round, both reasons
    appendix = next(t for t in Document(str(out["bao-cao.docx"])).tables
                    if t.rows[0].cells[0].text == "Huyện cũ" and len(t.columns) == 6)
    transitions = pd.read_parquet(followup_root / "data" / "compare"
                                  / "demo-2014__demo-2026" / "transitions.parquet")
    weak_either = transitions["transition"].isin(["consolidated", "still_weak", "newly_weak"])
    assert len(appendix.rows) == int(weak_either.sum()) + 1
    book = load_workbook(out["bang-so-lieu.xlsx"], read_only=True)
    assert "So sánh - yếu kém" in book.sheetnames
    assert "Theo huyện cũ" in book.sheetnames and "Theo huyện" not in book.sheetnames
    header = [c.value for c in next(book["So sánh - yếu kém"].iter_rows(min_row=2, max_row=2))]
    assert "Tổ chức" in header and "org_type" not in header  # readable headers
