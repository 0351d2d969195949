import hashlib
from datetime import date
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from danvan_survey.analyse import run_analysis
from danvan_survey.config import RoundConfig
from danvan_survey.errors import InputError
from danvan_survey.export import formula_safe
from danvan_survey.reference import communes

ORGS = ["mttq", "hnd", "hlhpn", "doan", "hccb"]


def round_cfg(folder: Path, synthetic: bool = True) -> RoundConfig:
    return RoundConfig(
        round_id="t1", title="Đợt thử", province_code="60", admin_vintage="2014",
        reference_year=2014, period_start=date(2014, 5, 1), period_end=date(2014, 6, 30),
        synthetic=synthetic, sources=(), folder=folder,
    )


def clean_orgs() -> pd.DataFrame:
    """3 real Bình Thuận communes × 5 organisations, one organisation missing (coverage)."""
    frame = communes("60")
    picked = frame[frame["em_area"] == "pure"].head(1)
    picked = pd.concat([picked, frame[frame["em_area"] == "none"].head(2)])
    org = picked.merge(pd.DataFrame({"org_type": pd.Series(ORGS, dtype="str")}), how="cross")
    org = org.iloc[:-1].reset_index(drop=True)  # 14 of 15 expected records returned
    n = len(org)

    def i64(values):
        return pd.array(values, dtype="Int64")

    return org.assign(
        round_id="t1",
        rating_last_year=i64([4, 4, 2, 1, 3] + [2] * (n - 5)),
        has_annual_plan=i64([1, 0, 1, 1, 1] + [1] * (n - 5)),
        n_branches=i64([7] * n), branches_met_on_schedule=i64([4] * n),
        branches_silent_6m=i64([3, 0, 0, 0, 0] + [0] * (n - 5)),
        members_total=i64([80] * n), eligible_pop=i64([100] * n),
        members_new_12m=i64([3] * n), members_paid_dues=i64([70] * n),
        members_with_card=i64([80] * n), attendance_pct=pd.array([75.0] * n, dtype="Float64"),
        meeting_content=pd.Series(["policy thematic"] * n, dtype="str"),
        n_exec_members=i64([9] * n), n_exec_vacant=i64([0] * n),
        cadres_trained_12m=i64([8] * n),
        bulletin_issues_12m=i64([4] * n), bulletin_dvk_features_12m=i64([2] * n),
        dvk_registered_12m=i64([1] * n), dvk_recognised_12m=i64([1] * n),
        dvk_top_level=i64([1] * n),
        dvk_model_names=pd.Series(["=HYPERLINK(1)"] + ["Mô hình giả lập"] * (n - 1), dtype="str"),
        difficulties=pd.Series(["terrain"] + ["funding"] * (n - 1), dtype="str"),
    )


def clean_cadres(org: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    communes_ = org.drop_duplicates("commune_code")
    rows = communes_.loc[communes_.index.repeat(12)].reset_index(drop=True)
    n = len(rows)
    return pd.DataFrame({
        "round_id": "t1", "cadre_id": [f"c{i}" for i in range(n)],
        "commune_code": rows["commune_code"], "district_code": rows["district_code"],
        "em_area": rows["em_area"], "org_type": rows["org_type"],
        "trained_12m": pd.array(rng.integers(0, 2, n), dtype="Int64"),
        "skill_situations": pd.array(rng.integers(1, 6, n), dtype="Int64"),
        "vignette_land_protest": pd.Series(rng.choice(["listen_first", "report_wait"], n),
                                           dtype="str"),
        "nq25_awareness": pd.array(rng.integers(0, 3, n), dtype="Int64"),
        "agrees_dv_is_unions_job": pd.array(rng.integers(1, 6, n), dtype="Int64"),
        "field_days_per_month": pd.array(rng.integers(0, 20, n), dtype="Int64"),
        "paperwork_hours_per_week": pd.array(rng.uniform(0, 20, n), dtype="Float64"),
        "weight": 5.0,
        "n_psu_in_stratum": pd.array([18] * n, dtype="Int64"),
    })


def digests(paths: dict[str, Path]) -> dict[str, str]:
    return {k: hashlib.sha256(p.read_bytes()).hexdigest() for k, p in paths.items()}


@pytest.fixture
def clean_dir(tmp_path):
    org = clean_orgs()
    org.to_parquet(tmp_path / "organisations.parquet", index=False)
    return tmp_path


def test_run_analysis_writes_everything_byte_identical(clean_dir):
    first = run_analysis(round_cfg(clean_dir), clean_dir)
    names = {p.name for p in first.values()}
    for expected in ("indicators_org.parquet", "indicators_district.parquet",
                     "indicators_em_area.parquet", "indicators_district.csv",
                     "weak_organisations.csv", "weak_organisations.xlsx",
                     "weakness_disagreements.csv", "weak_communes.csv", "dvk_models.csv",
                     "dvk_summary.parquet", "bulletin_compliance.parquet"):
        assert expected in names
    assert "estimates" not in first  # no cadres.parquet in this round
    before = digests(first)
    assert digests(run_analysis(round_cfg(clean_dir), clean_dir)) == before


def test_outputs_content(clean_dir):
    paths = run_analysis(round_cfg(clean_dir), clean_dir)
    ind = pd.read_parquet(paths["indicators_org"])
    assert len(ind) == 14 and ind["is_weak_reported"].sum() == 2
    district = pd.read_parquet(paths["indicators_district"])
    prov = district[(district["district_code"] == "ALL")].set_index("org_type")
    # census of the whole province: 127 communes expected per organisation
    assert prov["n_expected"].tolist() == [127] * 5
    assert prov.loc["hccb", "n_received"] == 2 and prov.loc["hnd", "n_received"] == 3
    assert prov.loc["hnd", "coverage"] == pytest.approx(3 / 127)
    # CSV: UTF-8 with BOM, Vietnamese headers, formula-safe
    raw = paths["weak_organisations"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    weak = pd.read_csv(paths["weak_organisations"], encoding="utf-8-sig", dtype=str)
    assert weak.columns[0] == "STT" and "Lý do" in weak.columns
    # pure-EM commune first: its mttq (rated 4) and hnd (rated 4, no plan) lead the list
    assert weak["Vùng đồng bào DTTS"].iloc[0] == "Xã thuần đồng bào DTTS"
    models = pd.read_csv(paths["dvk_models"], encoding="utf-8-sig", dtype=str)
    assert "'=HYPERLINK(1)" in models["model_name"].tolist()
    assert not models["model_name"].str.startswith("=").any()
    wc = pd.read_csv(paths["weak_communes"], encoding="utf-8-sig", dtype=str)
    assert wc["party_unit_defect_hd27"].tolist() == ["true"]


def test_xlsx_title_frozen_header_and_safe_cells(clean_dir):
    paths = run_analysis(round_cfg(clean_dir), clean_dir)
    ws = openpyxl.load_workbook(paths["weak_organisations_xlsx"]).active
    assert ws["A1"].value.startswith("Danh sách tổ chức cơ sở yếu kém cần củng cố")
    assert "GIẢ LẬP" in ws["A1"].value  # synthetic round labelled
    assert ws.freeze_panes == "A4"
    assert ws["A3"].value == "STT" and ws["A4"].value == 1


def test_the_list_prints_on_a4_with_its_title_header_and_names_on_every_page(tmp_path):
    from danvan_survey.analyse import write_xlsx

    reason = "không có kế hoạch năm bằng văn bản; tỷ lệ tập hợp 46,8%; " * 3
    frame = pd.DataFrame({"STT": [1, 2], "Huyện/thị xã/thành phố": ["Huyện Tuy Phong"] * 2,
                          "Mã xã": ["22987", "22990"],
                          "Xã/phường/thị trấn": ["Xã Phú Lạc", "Xã Vĩnh Hảo"],
                          "Lý do": [reason, "ít"], **{f"Chỉ số {k}": [0.5, 0.25]
                                                       for k in range(20)}})
    ws = openpyxl.load_workbook(write_xlsx(frame, tmp_path / "l.xlsx", "Danh sách",
                                           synthetic=True)).active
    assert "DỮ LIỆU MÔ PHỎNG" in ws.oddFooter.right.text  # on every page, however wide
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.print_title_rows.replace("$", "") == "1:3"
    widths = {d.min: d.width for d in ws.column_dimensions.values()}
    assert widths[5] > 45  # the reasons get room (it was 12 whatever the text)
    assert ws["E4"].alignment.wrap_text and ws["E4"].alignment.vertical == "top"
    assert ws.row_dimensions[4].height >= 30  # the long reason wraps onto several lines
    assert ws.row_dimensions[5].height is None  # one line: the default height
    assert ws.page_setup.scale == 65  # 25 columns: across pages at a readable scale
    assert not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_cols.replace("$", "") == "A:D"  # number, district, commune code, name


def test_formula_safe_prefixes_only_risky_text():
    df = pd.DataFrame({"t": pd.Series(["=1+1", "+84 9", "-x", "@a", "ok", None], dtype="str"),
                       "n": [-1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    out = formula_safe(df)
    assert out["t"].tolist()[:5] == ["'=1+1", "'+84 9", "'-x", "'@a", "ok"]
    assert out["t"].isna().iloc[5] and out["n"].iloc[0] == -1.0


def test_missing_clean_table_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="danvan-survey clean"):
        run_analysis(round_cfg(tmp_path), tmp_path)


def test_missing_column_is_a_clear_error(tmp_path):
    clean_orgs().drop(columns=["em_area"]).to_parquet(tmp_path / "organisations.parquet")
    with pytest.raises(InputError, match="em_area"):
        run_analysis(round_cfg(tmp_path), tmp_path)


@pytest.mark.slow
def test_cadre_estimates_written_and_small_counts_suppressed(clean_dir):
    cadres = clean_cadres(clean_orgs())
    # one district answers the skill question only 3 times: those estimates must be hidden
    district = cadres["district_code"].iloc[0]
    few = (cadres["district_code"] == district).cumsum().gt(3) & (
        cadres["district_code"] == district)
    cadres.loc[few, "skill_situations"] = pd.NA
    cadres.to_parquet(clean_dir / "cadres.parquet", index=False)
    paths = run_analysis(round_cfg(clean_dir), clean_dir)
    est = pd.read_parquet(paths["estimates"])
    assert set(est["domain_type"]) == {"province", "district", "em_area"}
    small = est["n"] < 5
    assert small.any(), "no row small enough to be suppressed: the check would be vacuous"
    assert est.loc[small, ["estimate", "se", "ci_low", "ci_high"]].isna().all().all()
    assert (est.loc[small, "reliability"] == "suppress").all()
    assert est.loc[~small, "estimate"].notna().any()
    again = digests({"e": paths["estimates"]})
    assert digests({"e": run_analysis(round_cfg(clean_dir), clean_dir)["estimates"]}) == again


def test_cadre_table_missing_a_read_column_is_a_clear_error(clean_dir):
    """Only the columns the estimates need are read; one of them missing is named."""
    cadres = clean_cadres(clean_orgs()).drop(columns=["paperwork_hours_per_week"])
    cadres.to_parquet(clean_dir / "cadres.parquet", index=False)
    with pytest.raises(InputError, match="paperwork_hours_per_week"):
        run_analysis(round_cfg(clean_dir), clean_dir)


@pytest.mark.parametrize("table", ["organisations", "cadres", "models"])
def test_an_unreadable_clean_table_is_a_clear_error(clean_dir, table):
    """A damaged Parquet file: the message names it and says to rerun cleaning."""
    clean_cadres(clean_orgs()).to_parquet(clean_dir / "cadres.parquet", index=False)
    (clean_dir / f"{table}.parquet").write_bytes(b"PAR1 not really parquet")
    with pytest.raises(InputError, match="danvan-survey clean") as caught:
        run_analysis(round_cfg(clean_dir), clean_dir)
    assert caught.value.file == str(clean_dir / f"{table}.parquet")
    assert f"{table}.parquet" in caught.value.message


@pytest.fixture
def parent_estimates(monkeypatch):
    """Count the cadre estimates computed in this process (a process does its own)."""
    from danvan_survey import analyse

    calls = []
    real = analyse.cadre_outputs

    def counted(folder):
        calls.append(folder)
        return real(folder)

    monkeypatch.setattr(analyse, "cadre_outputs", counted)
    return calls


@pytest.mark.slow
def test_a_large_rounds_estimates_run_in_a_second_process_with_the_same_outputs(
    clean_dir, parent_estimates
):
    clean_cadres(clean_orgs()).to_parquet(clean_dir / "cadres.parquet", index=False)
    on_a_thread = digests(run_analysis(round_cfg(clean_dir), clean_dir, process_min_rows=10**9))
    assert len(parent_estimates) == 1
    rows = len(pd.read_parquet(clean_dir / "cadres.parquet"))
    (clean_dir / "estimates.parquet").unlink()
    # the threshold is inclusive: a table of exactly process_min_rows rows gets a process
    in_a_process = run_analysis(round_cfg(clean_dir), clean_dir, process_min_rows=rows)
    assert len(parent_estimates) == 1, "the estimates were not made by the second process"
    assert digests(in_a_process) == on_a_thread
    run_analysis(round_cfg(clean_dir), clean_dir, process_min_rows=rows + 1)
    assert len(parent_estimates) == 2  # one row short of the threshold: a thread


def test_without_a_cadre_table_the_process_writes_no_estimates(clean_dir, parent_estimates):
    paths = run_analysis(round_cfg(clean_dir), clean_dir, process_min_rows=0)
    assert "estimates" not in paths and not (clean_dir / "estimates.parquet").exists()
    assert parent_estimates == []
    notes = pd.read_csv(paths["analysis_notes"], dtype=str)
    assert notes.empty  # no cadre table is not an empty cadre table


def test_an_empty_cadre_table_is_noted_also_from_the_process(clean_dir, parent_estimates):
    clean_cadres(clean_orgs()).iloc[:0].to_parquet(clean_dir / "cadres.parquet", index=False)
    paths = run_analysis(round_cfg(clean_dir), clean_dir, process_min_rows=0)
    assert parent_estimates == []
    notes = pd.read_csv(paths["analysis_notes"], dtype=str)
    assert notes["table"].tolist() == ["cadres"]
    assert (pd.read_parquet(paths["estimates"])["n"] == 0).all()


def test_a_failed_process_leaves_the_estimates_and_their_error_to_the_caller(
    clean_dir, parent_estimates
):
    (clean_dir / "cadres.parquet").write_bytes(b"PAR1 not really parquet")
    with pytest.raises(InputError, match="danvan-survey clean") as caught:
        run_analysis(round_cfg(clean_dir), clean_dir, process_min_rows=0)
    assert caught.value.file == str(clean_dir / "cadres.parquet")
    assert len(parent_estimates) == 1


@pytest.mark.slow
def test_when_no_process_can_start_a_thread_makes_the_same_estimates(
    clean_dir, parent_estimates, monkeypatch, tmp_path_factory
):
    clean_cadres(clean_orgs()).to_parquet(clean_dir / "cadres.parquet", index=False)
    expected = digests(run_analysis(round_cfg(clean_dir), clean_dir, process_min_rows=10**9))
    missing = tmp_path_factory.mktemp("nothing") / "python"
    monkeypatch.setattr("sys.executable", str(missing))
    assert digests(run_analysis(round_cfg(clean_dir), clean_dir, process_min_rows=0)) == expected
    assert len(parent_estimates) == 2


@pytest.mark.slow
def test_a_process_started_by_the_caller_makes_the_estimates(clean_dir, parent_estimates):
    """The command starts the process before its own imports and hands it over."""
    from danvan_survey import cadre_job

    clean_cadres(clean_orgs()).to_parquet(clean_dir / "cadres.parquet", index=False)
    expected = digests(run_analysis(round_cfg(clean_dir), clean_dir, process_min_rows=10**9))
    (clean_dir / "estimates.parquet").unlink()
    child = cadre_job.start(clean_dir, min_rows=0)
    assert child is not None
    paths = run_analysis(round_cfg(clean_dir), clean_dir, process_min_rows=10**9, started=child)
    assert digests(paths) == expected and len(parent_estimates) == 1
    assert child.returncode == 0


@pytest.mark.parametrize(
    "code, expected",
    [("print(12)", (True, 12)), ("print('none')", (True, None)),
     ("print('12 rows')", (False, None)), ("print('')", (False, None)),
     ("print(12); raise SystemExit(3)", (False, None))],
)
def test_only_a_process_that_exits_cleanly_with_a_count_made_the_estimates(code, expected):
    import subprocess
    import sys

    from danvan_survey import cadre_job

    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert cadre_job.outcome(child) == expected


def test_small_or_unreadable_cadre_tables_get_no_process(clean_dir):
    from danvan_survey import cadre_job

    child = cadre_job.start(clean_dir, min_rows=0)  # no table: rows 0 >= 0
    assert child is not None and cadre_job.outcome(child) == (True, None)
    assert cadre_job.cadre_rows(clean_dir) == 0
    (clean_dir / "cadres.parquet").write_bytes(b"PAR1 not really parquet")
    assert cadre_job.cadre_rows(clean_dir) == 0 and cadre_job.start(clean_dir, 1) is None
    clean_cadres(clean_orgs()).to_parquet(clean_dir / "cadres.parquet", index=False)
    rows = cadre_job.cadre_rows(clean_dir)
    assert rows == len(clean_cadres(clean_orgs())) and cadre_job.start(clean_dir, rows + 1) is None


def test_the_process_runs_this_package_and_keeps_a_users_malloc_settings():
    import os

    import danvan_survey
    from danvan_survey.cadre_job import KEEP_FREED_MEMORY, child_env

    root = str(Path(danvan_survey.__file__).resolve().parent.parent)
    env = child_env({"PYTHONPATH": "/elsewhere", "MALLOC_TOP_PAD_": "0", "X": "1"})
    assert env["PYTHONPATH"] == os.pathsep.join([root, "/elsewhere"])
    assert env["MALLOC_TOP_PAD_"] == "0" and env["X"] == "1"
    for name, value in KEEP_FREED_MEMORY.items():
        if name != "MALLOC_TOP_PAD_":
            assert env[name] == value
    assert child_env({})["PYTHONPATH"] == root
