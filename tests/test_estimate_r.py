"""danvan_survey.estimate against R's survey package (the reference implementation).

R computes, for every domain, ``svymean``/``svytotal`` (``deff=TRUE``) and
``svyciprop(method="logit")`` on ``subset(design, domain & !is.na(y))`` with
``confint(..., df=degf(subset))``, under each ``options(survey.lonely.psu=)``.
Debian ships survey 4.1, whose "adjust" rule centres a lonely PSU at 0; survey >= 4.4
(which we follow) centres it at the mean PSU total. The two agree for means and
proportions (their linearised values sum to 0) and are compared with R; totals
under "adjust" are checked against the 4.4 formula written out below.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from danvan_survey.errors import InputError
from danvan_survey.estimate import SurveyDesign, estimate

pytestmark = [
    pytest.mark.r,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript is not installed"),
]

# stratum: (population PSUs N_h, sampled PSUs n_h)
STRATA = {
    "D1": (20, 8),
    "D2": (15, 6),
    "D3": (3, 3),  # census stratum: every PSU drawn, no variance contribution
    "D4": (6, 1),  # lonely PSU
    "D5": (25, 9),
    "D6": (1, 1),  # certainty PSU: the whole stratum population, not lonely
}
OPTIONS = ["fail", "remove", "certainty", "average", "adjust"]

R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], na.strings = c("", "NA"), stringsAsFactors = FALSE)
out <- list()
add <- function(...) out[[length(out) + 1]] <<- data.frame(..., stringsAsFactors = FALSE)
for (opt in strsplit(args[3], ",")[[1]]) {
  options(survey.lonely.psu = opt)
  des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, fpc = ~fpc, data = d)
  domains <- c("ALL", sort(unique(d[[args[4]]])))
  for (dom in domains) {
    inside <- if (dom == "ALL") rep(TRUE, nrow(d)) else d[[args[4]]] == dom
    sub <- subset(des, inside & !is.na(y))
    for (st in c("mean", "total")) {
      m <- if (st == "mean") svymean(~y, sub, deff = TRUE) else svytotal(~y, sub, deff = TRUE)
      ci <- confint(m, df = degf(sub))
      add(opt = opt, stat = st, domain = dom, category = "", estimate = coef(m)[[1]],
          se = SE(m)[[1]], ci_low = ci[1], ci_high = ci[2], df = degf(sub),
          deff = deff(m)[[1]], svyciprop_low = NA, svyciprop_high = NA)
    }
    sub <- subset(des, inside & !is.na(v))
    for (k in sort(unique(na.omit(d$v)))) {
      sub2 <- update(sub, ind = as.numeric(v == k))
      m <- svymean(~ind, sub2, deff = TRUE)
      ci <- attr(svyciprop(~ind, sub2, method = "logit"), "ci")
      # svyciprop's own steps with the IRLS fit converged to machine precision:
      # svyglm stops at glm's default epsilon = 1e-8, which moves the bounds ~1e-9.
      g <- svyglm(ind ~ 1, sub2, family = quasibinomial,
                  control = glm.control(epsilon = 1e-15, maxit = 100))
      tight <- as.numeric(plogis(confint(g, 1, method = "Wald", ddf = degf(sub2))))
      add(opt = opt, stat = "prop", domain = dom, category = k, estimate = coef(m)[[1]],
          se = SE(m)[[1]], ci_low = tight[1], ci_high = tight[2], df = degf(sub2),
          deff = deff(m)[[1]], svyciprop_low = ci[[1]], svyciprop_high = ci[[2]])
    }
  }
}
write.csv(do.call(rbind, out), args[2], row.names = FALSE)
"""


def _design_frame(strata: dict[str, tuple[int, int]], seed: int = 2014) -> pd.DataFrame:
    """Synthetic two-stage sample; em_area cuts across strata at PSU level."""
    rng = np.random.default_rng(seed)
    rows = []
    psu_no = 0
    for stratum, (pop, n_psu) in strata.items():
        for _ in range(n_psu):
            psu_no += 1
            em = ("pure", "mixed", "none")[psu_no % 3]
            for _ in range(int(rng.integers(3, 9))):
                rows.append(
                    {
                        "stratum": stratum,
                        "psu": f"C{psu_no:03d}",
                        "fpc": pop,
                        "em": em,
                        "w": pop / n_psu * float(rng.uniform(5, 15)),
                        "y": float(rng.normal(10 + psu_no % 4, 3)),
                        "v": ("a", "b", "c")[int(rng.integers(0, 3))],
                    }
                )
    frame = pd.DataFrame(rows)
    frame.loc[frame.index[::17], "y"] = np.nan  # missing values, dropped as a domain
    frame.loc[frame.index[5::23], "v"] = None
    return frame


def _run_r(frame: pd.DataFrame, options: list[str], tmp_path: Path, by: str = "em") -> pd.DataFrame:
    data, script, result = tmp_path / "d.csv", tmp_path / "ref.R", tmp_path / "r.csv"
    frame.to_csv(data, index=False)
    script.write_text(R_SCRIPT, encoding="utf-8")
    proc = subprocess.run(
        ["Rscript", str(script), str(data), str(result), ",".join(options), by],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    ref = pd.read_csv(result, keep_default_na=False, na_values=["NA", "NaN"])
    ref["category"] = ref["category"].astype(str)
    return ref


def _ours(frame: pd.DataFrame, option: str, by_col: str = "em") -> pd.DataFrame:
    design = SurveyDesign(strata="stratum", psu="psu", weight="w", fpc="fpc", lonely_psu=option)
    parts = []
    for stat, var in (("mean", "y"), ("total", "y"), ("prop", "v")):
        for by in (None, by_col):
            table = estimate(frame, design, var, stat, by=by)
            table = table.assign(
                stat=stat,
                domain=table[by_col] if by else "ALL",
                category=table["category"] if stat == "prop" else "",
            )
            parts.append(table)
    return pd.concat(parts, ignore_index=True)


def _close(ours: float, ref: float, rel: float = 1e-9) -> bool:
    if math.isnan(ref):
        return math.isnan(ours)
    return math.isclose(ours, ref, rel_tol=rel, abs_tol=1e-12)


def _compare(ours: pd.DataFrame, ref: pd.DataFrame, skip_total_se: bool = False) -> int:
    merged = ref.merge(ours, on=["stat", "domain", "category"], suffixes=("_r", ""))
    assert len(merged) == len(ref)
    checked = 0
    for row in merged.itertuples():
        cols = ["estimate", "se", "ci_low", "ci_high", "df", "deff"]
        if skip_total_se and row.stat == "total":
            cols = ["estimate", "df"]
        for col in cols:
            got, want = float(getattr(row, col)), float(getattr(row, f"{col}_r"))
            assert _close(got, want), (row.opt, row.stat, row.domain, row.category, col, got, want)
            checked += 1
        if row.stat == "prop":  # svyciprop itself, within its glm convergence tolerance
            for col in ("ci_low", "ci_high"):
                want = float(getattr(row, f"svyciprop_{col.split('_')[1]}"))
                assert _close(float(getattr(row, col)), want, rel=1e-7), (row, col)
    return checked


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return _design_frame(STRATA)


@pytest.fixture(scope="module")
def reference(frame: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    return _run_r(frame, OPTIONS[1:], tmp_path_factory.mktemp("r"))


def test_fixture_has_the_hard_cases(frame: pd.DataFrame, reference: pd.DataFrame) -> None:
    per_stratum = frame.groupby("stratum")["psu"].nunique()
    assert per_stratum["D3"] == STRATA["D3"][0]  # census stratum
    assert per_stratum["D4"] == 1 and per_stratum["D6"] == 1  # lonely and certainty PSU
    assert frame.groupby("em")["stratum"].nunique().min() > 1  # domains cut across strata
    assert frame["y"].isna().any() and frame["v"].isna().any()
    assert (reference["df"] >= 2).all()  # R's logit CI is degenerate at df = 1


@pytest.mark.parametrize("option", ["remove", "certainty", "average"])
def test_matches_r_for_lonely_psu_option(
    frame: pd.DataFrame, reference: pd.DataFrame, option: str
) -> None:
    ref = reference[reference["opt"] == option]
    assert _compare(_ours(frame, option), ref) == len(ref) * 6


def test_adjust_matches_r_for_means_and_proportions(
    frame: pd.DataFrame, reference: pd.DataFrame
) -> None:
    ref = reference[reference["opt"] == "adjust"]
    assert _compare(_ours(frame, "adjust"), ref, skip_total_se=True) > 0


def test_adjust_total_follows_survey_4_4_formula(frame: pd.DataFrame) -> None:
    """survey >= 4.4: v_adjust = v_remove + f_h (z_h - Y/sum n_h)^2 for the lonely PSU.

    z_h is the lonely PSU's weighted total of y in the domain, f_h = 1 - 1/N_h, Y the
    domain total and sum n_h the sampled PSUs of the strata holding domain rows.
    """

    def design(opt: str) -> SurveyDesign:
        return SurveyDesign(strata="stratum", psu="psu", weight="w", fpc="fpc", lonely_psu=opt)

    removed = estimate(frame, design("remove"), "y", "total", by="em").set_index("em")
    adjusted = estimate(frame, design("adjust"), "y", "total", by="em").set_index("em")
    lonely = frame[frame["stratum"] == "D4"]
    assert len(adjusted) == 3
    for em, row in adjusted.iterrows():
        rows = frame[(frame["em"] == em) & frame["y"].notna()]
        n_psu = sum(STRATA[s][1] for s in rows["stratum"].unique())
        in_lonely = lonely[(lonely["em"] == em) & lonely["y"].notna()]
        z = float((in_lonely["w"] * in_lonely["y"]).sum())
        extra = 0.0
        if len(in_lonely):
            f = 1 - 1 / STRATA["D4"][0]
            extra = f * (z - row["estimate"] / n_psu) ** 2
        want = math.sqrt(removed.loc[em, "se"] ** 2 + extra)
        assert math.isclose(row["se"], want, rel_tol=1e-9), (em, row["se"], want)


def test_fail_matches_r_without_lonely_psu(frame: pd.DataFrame, tmp_path: Path) -> None:
    no_lonely = frame[frame["stratum"] != "D4"].reset_index(drop=True)
    ref = _run_r(no_lonely, ["fail"], tmp_path)
    assert _compare(_ours(no_lonely, "fail"), ref) == len(ref) * 6


def test_fail_raises_like_r_with_lonely_psu(frame: pd.DataFrame, tmp_path: Path) -> None:
    data, script = tmp_path / "d.csv", tmp_path / "fail.R"
    frame.to_csv(data, index=False)
    script.write_text(
        "suppressMessages(library(survey)); options(survey.lonely.psu='fail')\n"
        "d <- read.csv(commandArgs(TRUE)[1])\n"
        "des <- svydesign(ids=~psu, strata=~stratum, weights=~w, fpc=~fpc, data=d)\n"
        "svymean(~y, des, na.rm=TRUE)\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        ["Rscript", str(script), str(data)], capture_output=True, text=True, check=False
    )
    assert proc.returncode != 0 and "D4" in proc.stderr
    design = SurveyDesign(strata="stratum", psu="psu", weight="w", fpc="fpc", lonely_psu="fail")
    with pytest.raises(InputError, match="D4"):
        estimate(frame, design, "y", "mean", by="em")


@pytest.fixture(scope="module")
def reference_by_stratum(
    frame: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory
) -> pd.DataFrame:
    return _run_r(frame, OPTIONS[1:], tmp_path_factory.mktemp("r_strata"), by="stratum")


@pytest.mark.parametrize("option", ["remove", "certainty", "average", "adjust"])
def test_domains_inside_strata_match_r(
    frame: pd.DataFrame,
    reference_by_stratum: pd.DataFrame,
    option: str,
) -> None:
    """Domains that are the strata themselves still equal R.

    Includes the lonely-PSU stratum and the certainty stratum as domains of their own.
    """
    ref = reference_by_stratum[reference_by_stratum["opt"] == option]
    assert set(ref["domain"]) == {"ALL", *STRATA}
    ours = _ours(frame, option, by_col="stratum")
    assert _compare(ours, ref, skip_total_se=option == "adjust") > 0
