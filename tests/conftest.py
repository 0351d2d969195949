"""Shared fixtures: a tiny hand-written round, and the committed demo round run once."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import Phase, settings

# Under mutation testing (scripts/mutation.sh) a property test that fails has found the
# mutant; shrinking its example to the smallest one only costs time (seconds per mutant),
# and a deadline would fail the slower un-mutated run under mutmut's trampolines.
settings.register_profile(
    "mutation", phases=[p for p in Phase if p is not Phase.shrink], database=None, deadline=None
)
if os.environ.get("DANVAN_MUTATION") == "1":
    settings.load_profile("mutation")

REPO = Path(__file__).resolve().parents[1]
DEMO = "demo-2014"
FOLLOW = "demo-2026"


@pytest.fixture(autouse=True)
def _salt(monkeypatch):
    """A fixed pseudonymisation salt so tests never touch the user's salt file."""
    monkeypatch.setenv("DANVAN_SALT", "test-salt")


A_HEADER = [
    "start",
    "end",
    "grp_general/round_id",
    "grp_general/interview_date",
    "grp_general/district_code",
    "grp_general/commune_code",
    "grp_general/org_type",
    "grp_general/respondent_name",
    "grp_members/n_residential_areas",
    "grp_members/n_branches",
    "grp_members/eligible_pop",
    "grp_members/eligible_unit",
    "grp_members/members_total",
    "grp_meetings/branches_met_on_schedule",
    "grp_meetings/branches_silent_6m",
    "grp_meetings/meeting_content",
    "grp_meetings/meeting_content/policy",
    "grp_meetings/meeting_content/thematic",
    "grp_rating/rating_last_year",
    "_id",
    "_uuid",
    "_submission_time",
    "__version__",
    "_index",
]
A_ROWS = [
    # good record
    [
        "",
        "",
        "mini",
        "2014-07-01",
        "596",
        "23035",
        "hnd",
        "Nguyễn Văn A",
        "10",
        "10",
        "1.234",
        "household",
        "900",
        "8",
        "1",
        "policy thematic",
        "1",
        "1",
        "2",
        "1",
        "u1",
        "2014-07-01T10:00:00",
        "v1",
        "1",
    ],
    # label instead of code, name without diacritics instead of code, Vietnamese number
    [
        "",
        "",
        "mini",
        "15/07/2014",
        "596",
        "xa phan hoa",
        "Hội Liên hiệp Phụ nữ",
        "B",
        "10",
        "9",
        "2.000",
        "người",
        "1.500",
        "7",
        "2",
        "",
        "1",
        "0",
        "Khá / Hoàn thành tốt nhiệm vụ",
        "2",
        "u2",
        "2014-07-02T10:00:00",
        "v1",
        "2",
    ],
    # impossible: members > eligible (persons) -> quarantine
    [
        "",
        "",
        "mini",
        "2014-07-03",
        "596",
        "23035",
        "doan",
        "C",
        "10",
        "9",
        "100",
        "person",
        "150",
        "5",
        "1",
        "policy",
        "",
        "",
        "3",
        "3",
        "u3",
        "2014-07-03T10:00:00",
        "v1",
        "3",
    ],
    # duplicate of the first record, submitted earlier -> removed as duplicate
    [
        "",
        "",
        "mini",
        "2014-06-30",
        "596",
        "23035",
        "hnd",
        "D",
        "10",
        "10",
        "1200",
        "household",
        "800",
        "8",
        "1",
        "policy",
        "",
        "",
        "2",
        "4",
        "u4",
        "2014-06-30T10:00:00",
        "v1",
        "4",
    ],
    # unknown commune name -> quarantine with candidates
    [
        "",
        "",
        "mini",
        "2014-07-05",
        "596",
        "Xa Khong Co",
        "mttq",
        "E",
        "10",
        "10",
        "",
        "",
        "",
        "8",
        "1",
        "policy",
        "",
        "",
        "1",
        "5",
        "u5",
        "2014-07-05T10:00:00",
        "v1",
        "5",
    ],
    # soft anomaly: fewer branches than villages; -9 missing code
    [
        "",
        "",
        "mini",
        "2014-07-06",
        "596",
        "23035",
        "hccb",
        "F",
        "10",
        "6",
        "300",
        "person",
        "-9",
        "6",
        "0",
        "policy",
        "",
        "",
        "1",
        "6",
        "u6",
        "2014-07-06T10:00:00",
        "v1",
        "6",
    ],
]
B_HEADER = [
    "grp_general/round_id",
    "grp_general/district_code",
    "grp_general/commune_code",
    "grp_general/org_type",
    "grp_general/cadre_id",
    "grp_general/cadre_name",
    "grp_profile/birth_year",
    "grp_capacity/trained_12m",
    "grp_capacity/training_topics",
    "_uuid",
    "_submission_time",
]
B_ROWS = [
    [
        "mini",
        "596",
        "23035",
        "hnd",
        "B-1",
        "Trần Thị X",
        "1970",
        "1",
        "mobilising",
        "b1",
        "2014-07-01T00:00:00",
    ],
    [
        "mini",
        "596",
        "23035",
        "hlhpn",
        "B-2",
        "Lê Y",
        "1960",
        "Không",
        "",
        "b2",
        "2014-07-01T00:00:00",
    ],
    # topics without training -> hard failure
    [
        "mini",
        "596",
        "23035",
        "doan",
        "B-3",
        "Z",
        "1990",
        "0",
        "situations",
        "b3",
        "2014-07-01T00:00:00",
    ],
]


def write_mini_round(root: Path, corrections: str = "") -> Path:
    """A hand-made round 'mini' in ``root/data/raw/mini`` with known defects."""
    folder = root / "data" / "raw" / "mini"
    folder.mkdir(parents=True)
    pd.DataFrame(A_ROWS, columns=A_HEADER).to_csv(folder / "a.csv", sep=";", index=False)
    pd.DataFrame(B_ROWS, columns=B_HEADER).to_csv(folder / "b.csv", sep=";", index=False)
    pd.DataFrame(
        {"district_code": ["596"], "commune_code": ["23035"], "n_psu_in_stratum": ["18"]}
    ).to_csv(folder / "design.csv", index=False)
    (folder / "corrections.csv").write_text(
        "key,variable,old_value,new_value,action,note\n" + corrections, encoding="utf-8"
    )
    (folder / "round.yaml").write_text(
        textwrap.dedent("""\
        round_id: mini
        title: "Đợt thử nghiệm nhỏ (DỮ LIỆU MÔ PHỎNG)"
        synthetic: true
        province_code: "60"
        admin_vintage: "2014"
        reference_year: 2014
        period: {start: 2014-06-01, end: 2014-09-30}
        sample_design: design.csv
        corrections: corrections.csv
        sources:
          - {file: a.csv, kind: kobo_csv, form: a}
          - {file: b.csv, kind: kobo_csv, form: b}
        """),
        encoding="utf-8",
    )
    return folder


@pytest.fixture
def mini_root(tmp_path: Path) -> Path:
    write_mini_round(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory) -> Path:
    """A copy of the committed demo round with `danvan-survey run` already done."""
    from danvan_survey.cli import run_pipeline

    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(REPO / "data" / "raw" / DEMO, root / "data" / "raw" / DEMO)
    import os

    os.environ.setdefault("DANVAN_SALT", "test-salt")
    run_pipeline(DEMO, root, analyse=True)
    return root


@pytest.fixture(scope="session")
def followup_root(demo_root) -> Path:
    """demo_root plus the committed follow-up round demo-2026, run and compared."""
    from danvan_survey.cli import run_pipeline
    from danvan_survey.compare import compare_dir, compare_rounds, write_comparison

    shutil.copytree(REPO / "data" / "raw" / FOLLOW, demo_root / "data" / "raw" / FOLLOW)
    run_pipeline(FOLLOW, demo_root, analyse=True)
    comp = compare_rounds(DEMO, FOLLOW, demo_root)
    write_comparison(comp, compare_dir(DEMO, FOLLOW, demo_root))
    return demo_root
