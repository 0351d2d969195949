"""XLSForm generation: pyxform + ODK Validate, Vietnamese itext, context-function translation."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from pyxform.validators.odk_validate import ODKValidateError
from pyxform.xls2xform import convert

from danvan_survey.codebook import CONTEXT_FUNCTIONS, load_codebook
from danvan_survey.config import RoundConfig
from danvan_survey.forms.common import (
    constant_bounds,
    replace_dot,
    round_communes,
    static_relevance,
    translate_expr,
)
from danvan_survey.forms.xlsform import build_xlsforms, survey_rows

XF = "{http://www.w3.org/2002/xforms}"


def _round(folder: Path, round_id: str = "t-2014") -> RoundConfig:
    return RoundConfig(
        round_id=round_id, title="Đợt thử", province_code="60", admin_vintage="2014",
        reference_year=2014, period_start=date(2014, 10, 1), period_end=date(2014, 12, 31),
        synthetic=True, sources=(), folder=folder,
    )


@pytest.fixture(scope="module")
def xforms(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    out = tmp_path_factory.mktemp("xlsform")
    paths = build_xlsforms(_round(out), out)
    result = {}
    for form, path in zip("ab", paths, strict=True):
        converted = convert(xlsform=str(path), validate=True)
        assert converted.warnings == [], converted.warnings
        result[form] = (path, converted.xform)
    return result


def test_odk_validate_runs_and_rejects_a_broken_form(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", "label", "relevant"])
    ws.append(["integer", "x", "X", ""])
    ws.append(["integer", "y", "Y", "${x} = 1 and ("])
    wb.save(tmp_path / "bad.xlsx")
    with pytest.raises(ODKValidateError):
        convert(xlsform=str(tmp_path / "bad.xlsx"), validate=True)


def _translations(xform: str) -> dict[str, dict[str, str]]:
    root = ET.fromstring(xform)
    out: dict[str, dict[str, str]] = {}
    for tr in root.iter(f"{XF}translation"):
        texts = {}
        for text in tr.iter(f"{XF}text"):
            value = text.find(f"{XF}value")
            texts[text.get("id", "")] = "".join(value.itertext()) if value is not None else ""
        out[tr.get("lang", "")] = texts
    return out


@pytest.mark.parametrize("form", ["a", "b"])
def test_itext_has_vietnamese_default_and_english_labels(xforms, form):
    _, xform = xforms[form]
    assert 'lang="Vietnamese (vi)" default="true()"' in xform
    tr = _translations(xform)
    cb = load_codebook()
    for var in cb.form(form):
        if not var.in_form:
            continue
        key = f"/data/{var.group}/{var.name}:label"
        assert tr["Vietnamese (vi)"][key] == var.label_vi
        assert tr["English (en)"][key] == var.label_en


@pytest.mark.parametrize("form", ["a", "b"])
def test_form_structure_matches_codebook_groups_and_settings(xforms, form):
    path, xform = xforms[form]
    cb = load_codebook()
    root = ET.fromstring(xform)
    instance = root.find(f".//{XF}instance/*")
    assert instance is not None
    assert instance.get("id") == cb.settings[form]["form_id"]
    assert instance.get("version") == cb.settings[form]["version"]
    paths = {"/".join(p) for p in _leaf_paths(instance)}
    expected = {v.xml_path for v in cb.form(form) if v.in_form}
    assert expected <= paths
    not_in_form = {v.xml_path for v in cb.form(form) if not v.in_form}
    assert not (not_in_form & paths)


def _leaf_paths(node: ET.Element, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for child in node:
        name = child.tag.split("}")[-1]
        out.extend(_leaf_paths(child, (*prefix, name)) if len(child) else [(*prefix, name)])
    return out


def test_relevance_and_cascading_commune_select(xforms, tmp_path):
    _, xform_a = xforms["a"]
    _, xform_b = xforms["b"]
    assert 'nodeset="/data/grp_rating/difficulties_other"' in xform_a
    assert re.search(r'difficulties_other" [^>]*relevant="selected\( /data/grp_rating/difficulties'
                     r" *, 'other'\)", xform_a)
    assert re.search(r"eligible_pop\" [^>]*relevant=\" /data/grp_general/org_type  != 'mttq'",
                     xform_a)
    assert re.search(r'training_topics" [^>]*relevant=" /data/grp_capacity/trained_12m  = 1',
                     xform_b)
    # commune list filtered by the chosen district
    assert "district= /data/grp_general/district_code" in xform_a
    wb = load_workbook(xforms["a"][0])
    rows = list(wb["choices"].iter_rows(values_only=True))
    header = rows[0]
    communes = [r for r in rows[1:] if r[0] == "commune"]
    frame = round_communes(_round(tmp_path))
    assert len(communes) == len(frame) == 127
    district_col = header.index("district")
    assert {(r[1], r[district_col]) for r in communes} == set(
        zip(frame["commune_code"], frame["district_code"], strict=True))


def test_context_functions_translated_or_dropped(xforms):
    for form in "ab":
        path, xform = xforms[form]
        text = " ".join(str(c) for row in load_workbook(path)["survey"].iter_rows(values_only=True)
                        for c in row if c)
        for name in CONTEXT_FUNCTIONS:
            assert f"{name}(" not in text, name
    # round_year() -> 2014, so birth year bounds are 2014-80 .. 2014-16
    assert ". &gt;= 2014 - 80 and . &lt;= 2014 - 16" in xforms["b"][1]
    # in_round_window(.) -> a note shown when the date is outside the round period
    assert "date('2014-10-01')" in xforms["a"][1] and "date('2014-12-31')" in xforms["a"][1]


def test_soft_checks_become_notes_never_constraints(tmp_path):
    cb = load_codebook()
    rows = {r["name"]: r for r in survey_rows(cb, "a", _round(tmp_path))}
    # warning on n_branches is soft: no constraint carries it, a note shows it
    assert "${n_residential_areas}" not in rows["n_branches"]["constraint"]
    note = rows["warn_n_branches"]
    assert note["type"] == "note"
    assert cb.var("a", "n_branches").warning_message in note["label::Vietnamese (vi)"]
    assert "not(${n_branches} >= ${n_residential_areas})" in note["relevant"]
    # same_in_commune cannot be expressed on a form: no note at all
    assert "warn_n_residential_areas" not in rows
    # in_admin_vintage is enforced by the choice list: constraint dropped
    assert rows["commune_code"]["constraint"] == ""


def test_translate_expr_examples(tmp_path):
    cfg = _round(tmp_path)
    assert translate_expr(". <= round_year() - 16", cfg) == ". <= 2014 - 16"
    assert translate_expr("in_round_window(.)", cfg) == (
        "(. >= date('2014-10-01') and . <= date('2014-12-31'))")
    assert translate_expr("in_admin_vintage(.)", cfg) is None
    assert translate_expr(". != '8' or em_area_of_commune() = 'none'", cfg) is None
    assert translate_expr("${x} = 'round_year()'", cfg) == "${x} = 'round_year()'"
    assert replace_dot(". <= 0.3 * ${m} and . > 1.5", "v") == "${v} <= 0.3 * ${m} and ${v} > 1.5"
    assert static_relevance("${org_type} != 'mttq'", "hnd") is True
    assert static_relevance("${org_type} = 'mttq'", "hnd") is False
    assert static_relevance("${trained_12m} = 1", "hnd") is None


@given(st.integers(-1000, 1000), st.integers(0, 1000))
def test_constant_bounds_property(low, span):
    high = low + span
    assert constant_bounds(f". >= {low} and . <= {high}") == (low, high)
    assert constant_bounds(f". >= {low} and . <= ${{other}}") == (low, None)


def test_model_roster_is_a_repeat_group_with_its_checks(xforms):
    """The DVK model roster is a repeat in form A, with only its asked questions."""
    path, xform = xforms["a"]
    cb = load_codebook()
    root = ET.fromstring(xform)
    repeats = [e.get("nodeset") for e in root.iter(f"{XF}repeat")]
    assert repeats == ["/data/grp_models"]
    template = root.find(f".//{XF}instance/*/{XF}grp_models")
    assert template is not None
    asked = [v.name for v in cb.roster_questions("a_models")]
    tags = [c.tag.split("}")[-1] for c in template]
    assert [t for t in tags if not t.startswith("warn_")] == asked
    assert "model_name" in asked and "model_no" not in asked and "org_type" not in asked
    year = re.search(r'nodeset="/data/grp_models/model_year"[^>]*', xform)
    assert year and ". &gt;= 2009 and . &lt;= 2014" in year.group(0)
    # the soft check against the organisation's own answer becomes a note in the repeat
    note = re.search(r'nodeset="/data/grp_models/warn_model_level"[^>]*', xform)
    assert note and "/data/grp_dvk/dvk_top_level" in note.group(0)
    places = re.search(r'nodeset="/data/grp_models/model_replicated_places"[^>]*', xform)
    assert places and "relevant=\" ../model_replicated  = 1" in places.group(0)
