"""Score per core module from mutmut's results, minus the reviewed equivalent mutants.

Reads ``mutants/**/*.py.meta`` (mutmut 3) and ``tests/mutation_equivalents.txt``: one
equivalent mutant per line, ``<mutant name> | <module> | <why it cannot change behaviour>``;
``#`` starts a comment. ``--survivors`` prints the names of surviving mutants, one a line.
``--merge DIR`` copies the results of a scoped run (``mutation.sh scoped``: the mutants/ of
a copy of the project that ran only some test files) into ``mutants/``, for mutants not
tested here yet. A scoped run is a lower bound: a mutant its tests kill is killed by the
whole suite too, and one that survives them is counted as surviving.
The score of a module is killed / (mutants tested - equivalent); mutants not tested yet (an
interrupted run) are counted apart and mark the module "(partial)". Timeouts count as killed
(a mutant that loops forever is caught) and are shown in their own column: many of them in a
module mean hung workers, not caught mutants.
Exit code 1 when a module is below the goal (85 %) or the equivalents file is stale.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENTS = ROOT / "tests" / "mutation_equivalents.txt"
GOAL = 85.0
KILLED = {1, 3, 36, 24, -24, 152, 255, 37}  # failed test, pytest error, timeout, type check
TIMEOUT = {36, 24, -24, 152}  # counted as killed, and shown apart: a hung worker looks the same
SURVIVED = {0}
NO_TESTS = {5, 33}


def read_equivalents(path: Path = EQUIVALENTS) -> dict[str, tuple[str, str]]:
    """Mutant name -> (module, reason); every line must give all three fields."""
    out: dict[str, tuple[str, str]] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3 or not all(parts):
            sys.exit(f"{path.name}:{n}: expected 'mutant | module | reason', got {line!r}")
        if parts[0] in out:  # a second reason would hide which one was reviewed
            sys.exit(f"{path.name}:{n}: {parts[0]} is listed twice")
        out[parts[0]] = (parts[1], parts[2])
    return out


def read_results() -> dict[str, dict[str, int | None]]:
    """Module (dotted) -> {mutant name: exit code} from mutmut's meta files."""
    out: dict[str, dict[str, int | None]] = {}
    for meta in sorted((ROOT / "mutants").rglob("*.py.meta")):
        rel = meta.relative_to(ROOT / "mutants").with_suffix("").with_suffix("")
        module = ".".join(rel.parts)
        codes = json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {})
        if codes:
            out[module] = codes
    return out


def classify(codes: dict[str, int | None], equivalents: dict) -> tuple[Counter, list[str]]:
    """Count killed / equivalent / survived / no-test mutants of one module; list survivors."""
    status: Counter = Counter()
    survivors: list[str] = []
    for name, code in codes.items():
        if name in equivalents:
            status["equivalent"] += 1
        elif code in KILLED:
            status["killed"] += 1
            status["timeout"] += code in TIMEOUT
        elif code is None:
            status["unchecked"] += 1  # not tested yet (interrupted run)
        else:
            status["survived" if code in SURVIVED else
                   "no tests" if code in NO_TESTS else "other"] += 1
            survivors.append(name)
    return status, survivors


def check_equivalents(results: dict, equivalents: dict) -> bool:
    """Report listed mutants that no longer exist or that a test now kills; True if clean."""
    codes = {n: c for m in results.values() for n, c in m.items()}
    stale = sorted(set(equivalents) - set(codes))
    for name in stale:
        print(f"equivalents file names a mutant that no longer exists: {name}")
    for name in sorted(n for n in equivalents if codes.get(n) in KILLED):
        print(f"listed as equivalent but a test kills it (remove it from the list): {name}")
    return not stale


def _function(name: str) -> str:
    """``pkg.mod.x_func__mutmut_3`` -> ``x_func`` (the key of mutmut's function hashes)."""
    return name.rsplit(".", 1)[-1].split("__mutmut_")[0]


def _says_more(scoped_code: int, our_code: int | None) -> bool:
    """A scoped verdict that says more replaces an older one (tests only get added).

    A kill replaces a survivor or a mutant no selected test reached; a survivor replaces
    "no tests" (a wider test selection reached it).
    """
    if our_code in NO_TESTS:
        return scoped_code in KILLED | SURVIVED
    return scoped_code in KILLED and our_code in SURVIVED


def merge(scoped: Path, into: Path) -> int:
    """Copy verdicts of ``scoped`` meta files into ``into``; return how many were copied.

    A module with no results in ``into`` yet is copied whole. A function mutmut hashed the
    same in both: verdicts fill mutants not tested in ``into``, and a scoped kill replaces a
    survivor of an earlier run (tests were added since). A function whose hash differs was
    edited since ``into`` was generated (the scoped copy is made from the current tree): its
    mutants and verdicts are replaced.
    """
    copied = 0
    for meta in sorted(scoped.rglob("*.py.meta")):
        target = into / meta.relative_to(scoped)
        if not target.exists():  # a module no full run has generated here (new checkout)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(meta.read_bytes())
            codes = json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {})
            copied += sum(code is not None for code in codes.values())
            continue
        ours = json.loads(target.read_text(encoding="utf-8"))
        theirs = json.loads(meta.read_text(encoding="utf-8"))
        codes = ours.setdefault("exit_code_by_key", {})
        hashes = ours.setdefault("hash_by_function_name", {})
        new_hashes = theirs.get("hash_by_function_name", {})
        edited = {f for f, h in new_hashes.items() if hashes.get(f) != h}
        for name in [n for n in codes if _function(n) in edited]:
            del codes[name]
        for name, code in theirs.get("exit_code_by_key", {}).items():
            untested = name in codes and codes[name] is None
            better = code is not None and (untested or _says_more(code, codes.get(name)))
            if _function(name) in edited or better:
                codes[name] = code
                copied += code is not None
        hashes.update({f: new_hashes[f] for f in edited})
        target.write_text(json.dumps(ours, indent=4), encoding="utf-8")
    return copied


def score(killed: int, tested: int) -> float | None:
    """Percent of the tested (non-equivalent) mutants killed; None when none was tested."""
    return 100.0 * killed / tested if tested else None


def _shown(pct: float | None) -> str:
    return "–" if pct is None else f"{pct:.1f}"


def main() -> int:
    """Print the score table (or the survivors) and return the exit code."""
    equivalents = read_equivalents()
    if "--merge" in sys.argv:
        scoped = Path(sys.argv[sys.argv.index("--merge") + 1])
        print(f"{merge(scoped, ROOT / 'mutants')} results copied from {scoped}")
    results = read_results()
    if not results:
        print("no mutation results: run `bash scripts/mutation.sh` first")
        return 1
    if "--survivors" in sys.argv:
        for codes in results.values():
            for name, code in codes.items():
                if code is not None and code not in KILLED and name not in equivalents:
                    print(name)
        return 0
    ok = True
    print(f"{'module':<26}{'killed/total':>14}{'%':>8}{'equiv':>7}{'surv':>6}{'no test':>9}"
          f"{'unchecked':>11}{'timeout':>9}")
    tot_k = tot_n = 0
    survivors: list[str] = []
    for module, codes in results.items():
        status, surv = classify(codes, equivalents)
        survivors += surv
        total = len(codes) - status["equivalent"] - status["unchecked"]
        pct = score(status["killed"], total)
        ok &= pct is not None and pct >= GOAL
        tot_k += status["killed"]
        tot_n += total
        verdict = "   not measured" if pct is None else ("" if pct >= GOAL else "   < goal")
        print(f"{module.removeprefix('danvan_survey.'):<26}{status['killed']:>7}/{total:<6}"
              f"{_shown(pct):>8}{status['equivalent']:>7}{status['survived']:>6}"
              f"{status['no tests']:>9}{status['unchecked']:>11}{status['timeout']:>9}"
              + verdict + ("  (partial)" if status["unchecked"] else ""))
    print(f"{'all':<26}{tot_k:>7}/{tot_n:<6}{_shown(score(tot_k, tot_n)):>8}")
    ok &= check_equivalents(results, equivalents)
    if survivors:
        print(f"\n{len(survivors)} surviving mutants (see one: .venv/bin/mutmut show <name>):")
        print("\n".join(f"  {name}" for name in survivors))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
