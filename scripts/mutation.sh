#!/usr/bin/env bash
# Mutation score of the core modules (issue 12). Slow: NOT run in CI.
#
#   bash scripts/mutation.sh            fresh run over every core module, then the score
#   bash scripts/mutation.sh resume     keep earlier results, test only mutants not yet tested
#   bash scripts/mutation.sh rerun      re-test the mutants that survived last time (after new tests)
#   bash scripts/mutation.sh report     print the score of the last run only
#   bash scripts/mutation.sh fresh 'danvan_survey.weakness.*'   one module (mutmut name glob)
#   MUTATION_TESTS="tests/a.py tests/b.py" bash scripts/mutation.sh scoped 'danvan_survey.dvk*'
#       one module against a few test files, in a copy of the project (mutants-scoped/, or
#       MUTATION_SCOPED_DIR); MUTATION_SCOPED_KEEP=1 re-tests only the mutants named
#
# The tool is mutmut 3, configured under [tool.mutmut] in pyproject.toml (modules to mutate,
# fast tests only: -m "not slow"). mutmut records which test reaches which function and runs
# only those tests for each mutant. One worker by default (the machine is shared);
# MUTATION_WORKERS=2 bash scripts/mutation.sh ... uses two.
# The score subtracts the reviewed equivalent mutants listed in tests/mutation_equivalents.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[[ -x $PY ]] || { echo "no .venv here: run scripts/setup.sh first" >&2; exit 2; }
"$PY" -c "import mutmut" 2>/dev/null || .venv/bin/pip install -q "mutmut>=3.8,<4"

# Workers fork from mutmut's fork server (process_isolation = "forkserver" in pyproject.toml):
# forked straight from the main process, which ran the suite, a worker deadlocked in polars'
# thread pool (svy) and ended as a false "timeout", counted as killed. mutmut ends a worker
# that passes its time limit; mutation_score.py shows timeouts in their own column.
export DANVAN_MUTATION=1  # tests/conftest.py: property tests do not shrink a failing example
MUTMUT=$PWD/.venv/bin/mutmut  # absolute: scoped runs happen in a copy of the project
mutmut_run() {
  local log
  log=$(mktemp)
  "$MUTMUT" run --max-children "${MUTATION_WORKERS:-1}" "$@" 2>&1 | tee "$log" || true
  # right after mutmut regenerated the mutants, its first test-coverage ("stats") run
  # sometimes ends with "runner returned 1" and no failing test shown; a second run works
  if grep -qa "failed to collect stats" "$log"; then
    echo "mutmut could not collect test coverage; trying once more" >&2
    "$MUTMUT" run --max-children "${MUTATION_WORKERS:-1}" "$@" || true
  fi
  rm -f "$log"
}
merge=()

mode=${1:-fresh}
shift || true
start=$(date +%s)
case $mode in
  fresh)
    rm -rf mutants
    mutmut_run "$@" ;;
  resume)
    mutmut_run "$@" ;;
  rerun)
    mapfile -t survivors < <("$PY" scripts/mutation_score.py --survivors)
    # mutmut re-links only NEW tests to the functions they reach; edited tests (or fixtures)
    # keep their old links unless the whole test-to-function map is collected again
    rm -f mutants/mutmut-stats.json
    if ((${#survivors[@]})); then
      mutmut_run "${survivors[@]}"
    fi ;;
  scoped)
    # A function that pipeline tests reach costs each surviving mutant about 70 s of tests;
    # a few unit-test files decide it in seconds. The score is then a lower bound (a mutant
    # those tests kill is killed by the whole suite; one that survives them is counted as
    # surviving). mutmut resets every result when its test selection changes, so the run
    # happens in a copy of the project with its own mutants/, merged back afterwards.
    [[ -n ${MUTATION_TESTS:-} ]] || { echo "scoped needs MUTATION_TESTS (test files)" >&2; exit 2; }
    work=${MUTATION_SCOPED_DIR:-mutants-scoped}  # another name keeps a module's copy for re-tests
    if [[ ! -d $work || ${MUTATION_SCOPED_KEEP:-0} != 1 ]]; then
      rm -rf "$work" && mkdir -p "$work"
      cp -r danvan_survey tests data notebooks scripts pyproject.toml README.md "$work"/
    else
      cp -r danvan_survey tests "$work"/  # keep its mutants/, refresh code and tests
      rm -f "$work/mutants/mutmut-stats.json"  # so mutmut learns what the new tests reach
    fi
    selection=$(printf '"%s", ' $MUTATION_TESTS)
    sed -i "s|^pytest_add_cli_args_test_selection = .*|pytest_add_cli_args_test_selection = [${selection%, }]|" \
      "$work/pyproject.toml"
    (cd "$work" && mutmut_run "$@")
    merge=(--merge "$work/mutants") ;;
  report) ;;
  *) echo "unknown mode: $mode (fresh | resume | rerun | scoped | report)" >&2; exit 2 ;;
esac
echo "mutation run time: $(( $(date +%s) - start )) s"
exec "$PY" scripts/mutation_score.py "${merge[@]}"
