"""DVK model roster: codebook repeat table, checks at their boundaries, repeat ingest,
parent linkage, replication list and its chart."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from danvan_survey import dvk
from danvan_survey.codebook import KEYS, REPEATS, load_codebook
from danvan_survey.config import load_round
from danvan_survey.demo_models import MODEL_POOL, draw_org_models
from danvan_survey.ingest import read_round
from danvan_survey.pipeline import run_round
from danvan_survey.schemas import RoundContext, build_schema, failures

ROUND = "m-2014"


# ------------------------------------------------------------------ codebook and schema
def test_roster_is_its_own_table_in_the_codebook():
    cb = load_codebook()
    assert REPEATS["a_models"] == ("a", "grp_models")
    names = [v.name for v in cb.roster("a_models")]
    assert names[:5] == ["round_id", "district_code", "commune_code", "org_type", "model_no"]
    assert KEYS["a_models"] == ("round_id", "commune_code", "org_type", "model_no")
    asked = [v.name for v in cb.roster_questions("a_models")]
    assert asked == ["model_name", "model_field", "model_level", "model_year",
                     "model_replicated", "model_replicated_places", "model_replicated_where"]
    assert not {v.name for v in cb.form("a")} & set(asked)  # form A keeps only its own
    assert cb.codes("model_level") == ["1", "2", "3", "4"]
    with pytest.raises(KeyError):
        cb.roster("a")


def _context(keys: frozenset[tuple[str, str]] = frozenset({("22921", "hnd")})) -> RoundContext:
    return RoundContext(round_year=2014, period_start=date(2014, 6, 1),
                        period_end=date(2014, 9, 30), commune_codes=frozenset({"22921"}),
                        em_area_by_commune={"22921": "none"}, form_a_keys=keys)


def _models(**values: object) -> pd.DataFrame:
    row: dict[str, object] = {
        "round_id": "r", "district_code": "593", "commune_code": "22921", "org_type": "hnd",
        "model_no": 1, "model_name": "Tổ hội nghề nghiệp trồng thanh long",
        "model_field": "economy", "model_level": 2, "model_year": 2014, "model_replicated": 1,
        "model_replicated_places": 3, "model_replicated_where": "3 xã", "record_key": "k",
        "soft_flags": "",
    } | values
    frame = pd.DataFrame([row])
    for col in ("model_no", "model_level", "model_year", "model_replicated",
                "model_replicated_places"):
        frame[col] = frame[col].astype("Int64")
    return frame.astype({c: "str" for c in frame.columns if frame[c].dtype == object})


def _checks(frame: pd.DataFrame, keys: frozenset[tuple[str, str]] | None = None) -> set[str]:
    ctx = _context() if keys is None else _context(keys)
    schema = build_schema(load_codebook(), "a_models", ctx, "hard", frame)
    return set(failures(schema, frame)["check"])


@pytest.mark.parametrize("year, ok", [(2008, False), (2009, True), (2014, True), (2015, False)])
def test_model_year_between_2009_and_reference_year(year, ok):
    assert ("constraint:model_year" not in _checks(_models(model_year=year))) is ok


@pytest.mark.parametrize("level, ok", [(0, False), (1, True), (4, True), (5, False)])
def test_model_level_must_be_a_codebook_choice(level, ok):
    got = _checks(_models(model_level=level))
    assert ("choices:model_level" not in got) is ok


@pytest.mark.parametrize("places, ok", [(0, False), (1, True), (500, True), (501, False)])
def test_replicated_places_range(places, ok):
    got = _checks(_models(model_replicated_places=places))
    assert ("constraint:model_replicated_places" not in got) is ok


def test_organisation_must_have_a_clean_form_a_record():
    assert "constraint:org_type" not in _checks(_models())
    assert "constraint:org_type" in _checks(_models(org_type="hccb"))
    assert "constraint:org_type" in _checks(_models(), keys=frozenset())


@pytest.mark.parametrize("level, flagged", [(2, False), (3, True)])
def test_model_level_above_the_organisation_top_level_is_flagged(level, flagged):
    """Soft check: a model's level is at most the top level its organisation reported."""
    frame = _models(model_level=level)
    ctx = RoundContext(**{**_context().__dict__, "form_a_top_level": {("22921", "hnd"): 2.0}})
    got = set(failures(build_schema(load_codebook(), "a_models", ctx, "soft", frame),
                       frame)["check"])
    assert ("warning:model_level" in got) is flagged
    unknown = set(failures(build_schema(load_codebook(), "a_models", _context(), "soft",
                                        frame), frame)["check"])
    assert "warning:model_level" not in unknown  # no form-A level known: not flagged


@pytest.mark.parametrize("replicated, flagged", [(1, False), (0, True)])
def test_places_and_where_only_for_replicated_models(replicated, flagged):
    frame = _models(model_replicated=replicated)
    got = set(failures(build_schema(load_codebook(), "a_models", _context(), "soft", frame),
                       frame)["check"])
    warned = got & {"warning:model_replicated_places", "warning:model_replicated_where"}
    assert len(warned) == (2 if flagged else 0)


def test_model_name_field_and_level_are_required():
    got = _checks(_models(model_name=None, model_field=None, model_level=pd.NA))
    assert {"not_nullable:model_name", "not_nullable:model_field",
            "not_nullable:model_level"} <= got


# ------------------------------------------------------------------ ingest of a Kobo repeat
PARENT_HEADER = ["grp_general/round_id", "grp_general/interview_date",
                 "grp_general/district_code", "grp_general/commune_code",
                 "grp_general/org_type", "grp_dvk/dvk_top_level", "_uuid", "_index",
                 "_submission_time"]
REPEAT_HEADER = ["grp_models/model_name", "grp_models/model_field", "grp_models/model_level",
                 "grp_models/model_year", "grp_models/model_replicated",
                 "grp_models/model_replicated_places", "grp_models/model_replicated_where",
                 "_index", "_parent_table_name", "_parent_index", "_submission__uuid"]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    lines = [";".join(header)] + [";".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _round(root: Path, parents: list[list[str]], models: list[list[str]],
           extra: str = "") -> Path:
    folder = root / "data" / "raw" / ROUND
    folder.mkdir(parents=True)
    _write(folder / "a.csv", PARENT_HEADER, parents)
    _write(folder / "models.csv", REPEAT_HEADER, models)
    (folder / "sample.csv").write_text("district_code,commune_code,n_psu_in_stratum\n")
    (folder / "round.yaml").write_text(
        f"round_id: {ROUND}\ntitle: Thử\nprovince_code: '60'\nadmin_vintage: '2014'\n"
        "reference_year: 2014\nperiod: {start: 2014-06-01, end: 2014-09-30}\n"
        "sample_design: sample.csv\nsources:\n"
        "  - {file: a.csv, kind: kobo_csv, form: a}\n"
        f"  - {{file: models.csv, kind: kobo_csv, form: a_models, parent: a.csv{extra}}}\n",
        encoding="utf-8")
    return root


def _parent(org: str, uuid: str, index: str, time: str, commune: str = "22921") -> list[str]:
    return [ROUND, "2014-07-01", "593", commune, org, "2", uuid, index, time]


def _model(name: str, parent_index: str, uuid: str, level: str = "2",
           year: str = "2013") -> list[str]:
    return [name, "economy", level, year, "1", "2", "2 thôn", "1", "danvan_form_a",
            parent_index, uuid]


def test_repeat_rows_get_their_parent_key_and_position(tmp_path):
    root = _round(tmp_path, [_parent("hnd", "u1", "1", "2014-07-01T01:00:00"),
                             _parent("hccb", "u2", "2", "2014-07-01T02:00:00")],
                  [_model("A", "1", "u1"), _model("B", "2", "u2"), _model("C", "1", "u1")])
    cfg = load_round(ROUND, root)
    table = read_round(cfg, load_codebook()).tables["a_models"][0]
    assert table["org_type"].tolist() == ["hnd", "hccb", "hnd"]
    assert table["model_no"].tolist() == ["1", "1", "2"]
    assert table["commune_code"].tolist() == ["22921"] * 3
    assert table["_parent_row"].tolist() == ["2", "3", "2"]
    assert table["_source_row"].tolist() == [2, 3, 4] or table["_source_row"].tolist() == [
        "2", "3", "4"]


def test_parent_index_links_when_no_uuid(tmp_path):
    rows = [_model("A", "2", ""), _model("B", "1", "")]
    root = _round(tmp_path, [_parent("hnd", "", "1", "t1"), _parent("doan", "", "2", "t2")],
                  rows)
    table = read_round(load_round(ROUND, root), load_codebook()).tables["a_models"][0]
    assert table["org_type"].tolist() == ["doan", "hnd"]


def test_pipeline_keeps_every_model_row_with_reasons(tmp_path):
    """read = clean + quarantined + duplicates; parent duplicates and orphans explained."""
    parents = [
        _parent("hnd", "old", "1", "2014-07-01T01:00:00"),   # older duplicate of hnd
        _parent("hnd", "new", "2", "2014-07-05T01:00:00"),
        _parent("hccb", "u3", "3", "2014-07-02T01:00:00"),
    ]
    models = [
        _model("A", "1", "old"),                   # duplicate (its parent is older)
        _model("A", "2", "new"),                   # clean
        _model("B", "2", "new", year="2015"),      # quarantined: year after the round
        _model("C", "3", "u3", level="cấp huyện"),  # clean, label recoded to 2
        _model("D", "9", "nobody"),                # quarantined: parent missing
    ]
    root = _round(tmp_path, parents, models)
    result = run_round(ROUND, root)
    out = result.outcomes["a_models"]
    assert (len(out.clean), len(out.quarantine), len(out.duplicates)) == (2, 2, 1)
    assert out.clean.sort_values("model_name")["model_level"].tolist() == [2, 2]
    reasons = dict(zip(out.quarantine["model_name"].fillna(""),
                       out.quarantine["quarantine_reasons"], strict=True))
    assert "Năm công nhận phải từ 2009" in reasons["B"]
    assert "Không tìm thấy phiếu A" in reasons["D"] and "nobody" in reasons["D"]
    log = pd.concat(out.log)
    assert (log["rule"] == "parent_duplicate").sum() == 1


def test_models_of_a_quarantined_organisation_are_quarantined(tmp_path):
    bad = _parent("hnd", "u1", "1", "t1", commune="99999")  # not a commune of the round
    root = _round(tmp_path, [bad, _parent("doan", "u2", "2", "t2")],
                  [_model("A", "1", "u1"), _model("B", "2", "u2")])
    out = run_round(ROUND, root).outcomes["a_models"]
    assert out.clean["model_name"].tolist() == ["B"]
    assert out.quarantine["model_name"].tolist() == ["A"]


def test_missing_parent_file_is_a_clear_input_error(tmp_path):
    from danvan_survey.errors import InputError

    root = _round(tmp_path, [_parent("hnd", "u1", "1", "t1")], [_model("A", "1", "u1")])
    yaml = root / "data" / "raw" / ROUND / "round.yaml"
    yaml.write_text(yaml.read_text().replace("parent: a.csv", "parent: khong_co.csv"))
    with pytest.raises(InputError, match="khong_co.csv"):
        read_round(load_round(ROUND, root), load_codebook())


def test_csv_repeat_without_parent_is_a_clear_input_error(tmp_path):
    from danvan_survey.errors import InputError

    root = _round(tmp_path, [_parent("hnd", "u1", "1", "t1")], [_model("A", "1", "u1")])
    yaml = root / "data" / "raw" / ROUND / "round.yaml"
    yaml.write_text(yaml.read_text().replace(", parent: a.csv", ""))
    with pytest.raises(InputError, match="parent"):
        read_round(load_round(ROUND, root), load_codebook())


# ------------------------------------------------------------------ demo models fit orgs
@pytest.mark.parametrize("org", sorted(MODEL_POOL))
def test_demo_models_fit_their_organisation(org):
    import numpy as np

    rng = np.random.default_rng(1)
    names = {n for _, n in MODEL_POOL[org]}
    models = draw_org_models(org, 3, 2, 2014, rng)
    assert models and {m["model_name"] for m in models} <= names
    assert models[0]["model_level"] == "3"
    assert all(2009 <= int(m["model_year"]) <= 2014 for m in models)
    assert draw_org_models(org, 0, 2, 2014, rng) == []


def test_demo_pool_matches_org_types():
    cb = load_codebook()
    assert set(MODEL_POOL) == set(cb.codes("org_type"))
    fields = set(cb.codes("dvk_field"))
    assert all(f in fields for pool in MODEL_POOL.values() for f, _ in pool)
    veterans = " ".join(n for _, n in MODEL_POOL["hccb"])
    assert "phụ nữ" not in veterans.lower()


# ------------------------------------------------------------------ replication list
def _clean_models() -> pd.DataFrame:
    return pd.DataFrame({
        "round_id": "r", "district_code": ["593", "593", "594", "594"],
        "commune_code": ["1", "1", "2", "2"], "org_type": ["hnd", "hnd", "hccb", "hlhpn"],
        "model_no": pd.array([1, 2, 1, 1], dtype="Int64"),
        "model_name": ["Tổ thanh long", "Nhóm vốn", "Hòa giải", "Dân phòng nữ"],
        "model_field": ["economy", "economy", "political_system", "security"],
        "model_level": pd.array([1, 2, 3, 2], dtype="Int64"),
        "model_year": pd.array([2012, 2013, 2014, 2014], dtype="Int64"),
        "model_replicated": pd.array([1, 0, 1, pd.NA], dtype="Int64"),
        "model_replicated_places": pd.array([2, pd.NA, 4, pd.NA], dtype="Int64"),
        "model_replicated_where": ["2 thôn", None, "4 xã", None],
    })


def _orgs() -> pd.DataFrame:
    return pd.DataFrame({
        "commune_code": ["1", "2", "2"], "org_type": ["hnd", "hccb", "hlhpn"],
        "district_name": ["Phan Thiết", "La Gi", "La Gi"],
        "commune_name": ["Xã 1", "Xã 2", "Xã 2"], "em_area": ["none", "pure", "pure"],
    })


def test_replication_list_keeps_district_level_and_above():
    table = dvk.replication_list(_clean_models(), _orgs())
    # level 1 (commune) is left out; level 2 (district) is the boundary and kept
    assert table["model_name"].tolist() == ["Nhóm vốn", "Dân phòng nữ", "Hòa giải"]
    assert table["org_label_vi"].tolist() == ["Hội Nông dân", "Hội Liên hiệp Phụ nữ",
                                              "Hội Cựu chiến binh"]
    assert table["replication_vi"].tolist() == ["Chưa nhân rộng", "Không rõ",
                                                "Đã nhân rộng ở 4 nơi"]
    assert table["district_name"].tolist() == ["Phan Thiết", "La Gi", "La Gi"]
    assert table["model_level_vi"].tolist() == ["cấp huyện", "cấp huyện", "cấp tỉnh"]


def test_replication_table_vi_has_vietnamese_headers():
    vi = dvk.replication_table_vi(dvk.replication_list(_clean_models(), _orgs()))
    assert list(vi.columns[:4]) == ["STT", "Lĩnh vực", "Tên mô hình", "Tổ chức"]
    assert vi["STT"].tolist() == [1, 2, 3]
    assert vi["Nơi đã nhân rộng"].tolist() == ["", "", "4 xã"]


def test_replication_summary_counts_by_field_and_org():
    summary = dvk.replication_summary(dvk.replication_list(_clean_models(), _orgs()))
    assert summary.to_dict("records") == [
        {"model_field": "economy", "org_type": "hnd", "n_models": 1, "n_replicated": 0,
         "n_not_replicated": 1},
        {"model_field": "security", "org_type": "hlhpn", "n_models": 1, "n_replicated": 0,
         "n_not_replicated": 1},
        {"model_field": "political_system", "org_type": "hccb", "n_models": 1,
         "n_replicated": 1, "n_not_replicated": 0},
    ]


def test_chart_has_house_footer_and_one_bar_per_field(tmp_path):
    from danvan_survey.charts.dvk_models import dvk_replication
    from danvan_survey.results import Results

    empty = pd.DataFrame()
    res = Results(round_id="r", title="t", synthetic=True, data_date=date(2014, 9, 30),
                  province_code="60", indicators_org=empty, indicators_district=empty,
                  indicators_em_area=empty, folder=tmp_path)
    table = dvk.replication_list(_clean_models(), _orgs())
    fig = dvk_replication(res, table)
    footer = fig.layout.annotations[-1].text
    assert "Dữ liệu mô phỏng" in footer and "n = 3" in footer
    assert {y for tr in fig.data for y in tr.y} == {
        "Kinh tế, giảm nghèo", "Quốc phòng, an ninh trật tự", "Xây dựng hệ thống chính trị"}
    assert sum(sum(tr.x) for tr in fig.data) == 3
    from dataclasses import replace

    from danvan_survey.charts.dvk_models import replication_table_vi

    assert replication_table_vi(res).empty
    assert len(replication_table_vi(replace(res, dvk_replication=table))) == 3


@pytest.mark.slow
def test_analyse_writes_the_replication_list_of_the_demo_round(demo_root):
    from conftest import DEMO

    out = demo_root / "data" / "clean" / DEMO
    models = pd.read_parquet(out / "models.parquet")
    table = pd.read_parquet(out / "dvk_replication.parquet")
    assert len(table) == int((models["model_level"] >= 2).sum()) > 100
    csv = pd.read_csv(out / "dvk_replication.csv", dtype=str, encoding="utf-8-sig")
    assert list(csv.columns[:3]) == ["STT", "Lĩnh vực", "Tên mô hình"]
    assert len(csv) == len(table)
    # models fit their organisation: veterans' models only under the veterans' association
    veterans = {n for _, n in MODEL_POOL["hccb"]}
    assert set(table.loc[table["model_name"].isin(veterans), "org_type"]) == {"hccb"}


@pytest.mark.slow
def test_workbook_models_flow_through_the_pipeline(tmp_path):
    """Models typed in a commune workbook reach models.parquet; one per source row."""
    from conftest import write_mini_round
    from openpyxl import load_workbook

    from danvan_survey.cli import run_pipeline
    from danvan_survey.config import clean_dir
    from danvan_survey.forms.workbook import build_workbooks, org_sheet_title
    from danvan_survey.forms.workbook_models import MODELS_SHEET

    folder = write_mini_round(tmp_path)
    text = (folder / "round.yaml").read_text(encoding="utf-8")
    (folder / "round.yaml").write_text(
        text + "  - {file: returned, kind: workbooks, form: a}\n", encoding="utf-8")
    cfg = load_round("mini", tmp_path)
    blank = build_workbooks(cfg, tmp_path / "blank", commune_codes=["23038"])[0]
    wb = load_workbook(blank)
    ws = wb[org_sheet_title("Hội Nông dân")]
    answers = {"n_residential_areas": 8, "n_branches": 8, "eligible_pop": 2500,
               "eligible_unit": "household", "members_total": 1900,
               "interview_date": "2014-07-20"}
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, 5).value in answers:
            ws.cell(r, 3, answers[ws.cell(r, 5).value])
    roster = wb[MODELS_SHEET]
    cols = {roster.cell(1, c).value: c for c in range(1, roster.max_column + 1)}
    rows = [("Hội Nông dân", "Tổ hội nghề nghiệp trồng thanh long", "economy", "2", 2013),
            ("Hội Cựu chiến binh", "Cựu chiến binh tham gia hòa giải ở cơ sở",
             "political_system", "3", 2014)]
    for i, (org, name, field, level, year) in enumerate(rows):
        for key, value in (("org_type", org), ("model_name", name), ("model_field", field),
                           ("model_level", level), ("model_year", year),
                           ("model_replicated", "Không")):
            roster.cell(6 + i, cols[key], value)
    (folder / "returned").mkdir()
    wb.save(folder / "returned" / blank.name)
    run_pipeline("mini", tmp_path, analyse=False)
    out = clean_dir("mini", tmp_path)
    models = pd.read_parquet(out / "models.parquet")
    assert models["record_key"].tolist() == ["mini|23038|hnd|1"]
    assert models["model_level"].tolist() == [2]
    q = pd.read_csv(out / "quarantine.csv", dtype=str)
    reason = q.loc[q["form"] == "a_models", "quarantine_reasons"].tolist()
    assert len(reason) == 1 and "Không có phiếu A hợp lệ" in reason[0]  # hccb sheet empty
    counts = pd.read_csv(out / "source_counts.csv").set_index("source_file")
    per_form = counts.loc[[f"returned/{blank.name}"]]
    assert (per_form["read"] == per_form[["clean", "quarantined", "duplicates"]].sum(axis=1)).all()
    assert per_form["read"].sum() == 3


def test_kobo_xlsx_export_with_the_repeat_as_a_sheet(tmp_path):
    """One XLSX export: parents on the first sheet, models on sheet 'grp_models'."""
    from openpyxl import Workbook

    folder = tmp_path / "data" / "raw" / ROUND
    folder.mkdir(parents=True)
    wb = Workbook()
    main = wb.active
    main.title = "danvan_form_a"
    main.append(PARENT_HEADER)
    main.append(_parent("hnd", "u1", "1", "2014-07-01T01:00:00"))
    main.append(_parent("hlhpn", "u2", "2", "2014-07-01T02:00:00"))
    rep = wb.create_sheet("grp_models")
    rep.append(REPEAT_HEADER)
    rep.append(_model("A", "1", "u1"))
    rep.append(_model("B", "2", "u2", year="2009"))
    rep.append(_model("C", "2", "u2", year="2008"))  # before the movement: quarantined
    wb.save(folder / "export.xlsx")
    (folder / "sample.csv").write_text("district_code,commune_code,n_psu_in_stratum\n")
    (folder / "round.yaml").write_text(
        f"round_id: {ROUND}\ntitle: Thử\nprovince_code: '60'\nadmin_vintage: '2014'\n"
        "reference_year: 2014\nperiod: {start: 2014-06-01, end: 2014-09-30}\n"
        "sample_design: sample.csv\nsources:\n"
        "  - {file: export.xlsx, kind: kobo_xlsx, form: a}\n"
        "  - {file: export.xlsx, kind: kobo_xlsx, form: a_models}\n", encoding="utf-8")
    from danvan_survey.export import source_counts

    result = run_round(ROUND, tmp_path)
    out = result.outcomes["a_models"]
    assert out.clean.sort_values("model_name")["org_type"].tolist() == ["hnd", "hlhpn"]
    assert out.quarantine["model_name"].tolist() == ["C"]
    assert set(out.clean["_source_sheet"]) == {"grp_models"}
    counts = source_counts(result).set_index("source_file").loc[["export.xlsx"]]
    assert (counts["read"] == counts[["clean", "quarantined", "duplicates"]].sum(axis=1)).all()
    assert counts["read"].sum() == 5


def test_round_without_a_roster_gives_an_empty_list_and_a_labelled_chart(tmp_path):
    from danvan_survey.charts.dvk_models import dvk_replication, replication_table
    from danvan_survey.results import Results

    table = dvk.replication_list(_clean_models().iloc[0:0], _orgs())
    assert table.empty and list(table.columns) == dvk.REPLICATION_COLUMNS
    empty = pd.DataFrame()
    res = Results(round_id="r", title="t", synthetic=False, data_date=date(2014, 9, 30),
                  province_code="60", indicators_org=empty, indicators_district=empty,
                  indicators_em_area=empty, folder=tmp_path)
    assert replication_table(res).empty  # no dvk_replication table in the results
    fig = dvk_replication(res)
    texts = " ".join(a.text for a in fig.layout.annotations)
    assert "chưa có danh sách mô hình" in texts and "Dữ liệu mô phỏng" not in texts
