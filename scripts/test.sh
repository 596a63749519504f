#!/usr/bin/env bash
# The test command: installs what it needs (scripts/bootstrap.sh --test), then runs every
# stage and closes with one line "stages: N passed, N failed". Exits non-zero if any failed.
# Run one or more stages only: scripts/test.sh unit lint ...
# Every server a stage starts keeps its pid file under $OII_TEST_STATE; stop_test_processes
# stops them all at the end, also after a failed or interrupted stage.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OII_HOME=${OPENINFRA_INTEROP_HOME:-$HOME/.cache/openinfra-interop}
VENV=$OII_HOME/venv
SRC=$OII_HOME/src/ansible_collections/openinfra/interop
export OII_TEST_STATE=${OII_TEST_STATE:-$OII_HOME/test-state}
export PATH=$VENV/bin:$PATH
export ANSIBLE_COLLECTIONS_PATH=$OII_HOME/collections
export ANSIBLE_FORCE_COLOR=0 PY_COLORS=0 ANSIBLE_NOCOLOR=1
ALL_STAGES=(unit lint sanity docs changelog zuul functional molecule e2e e2e_compute)

log() { printf '\n=== %s\n' "$*"; }

# CI shows only the end of the output: repeat, after the summary, where each failed stage
# says why (its failure lines with what led up to them), from the stage's own copy.
STAGE_LOGS=$OII_TEST_STATE/stage-logs
why_failed() {
  local stage=$1
  printf '\n=== why stage %s failed (whole output: %s)\n' "$stage" "$STAGE_LOGS/$stage.log"
  grep -v -- 'FAILED - RETRYING' "$STAGE_LOGS/$stage.log" \
    | grep -B12 -E -- '^fatal:|FAILED|^E +|Error:|failed steps' | tail -n 50
}

stop_test_processes() {
  local pidfile pid
  [ -d "$OII_TEST_STATE" ] || return 0
  while IFS= read -r -d '' pidfile; do
    pid=$(tr -dc '0-9' < "$pidfile")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      echo "stopping leftover process $pid ($pidfile)"
      # sandbox processes lead their own process group (workers, daemons' children): signal it
      kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null
      sleep 1
      kill -0 "$pid" 2>/dev/null && { kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid" 2>/dev/null; }
    fi
  done < <(find "$OII_TEST_STATE" -name '*.pid' -print0 2>/dev/null)
}

# pytest exits 5 when it collected nothing: a stage that ran no test has not passed.
run_pytest() {
  pytest -p no:cacheprovider "$@"
}

stage_unit() {
  (cd "$ROOT" && run_pytest -q tests/unit)
}

stage_lint() {
  (cd "$SRC" && ANSIBLE_COLLECTIONS_PATH=$OII_HOME/src ansible-lint --profile production)
}

stage_sanity() {
  (cd "$SRC" && ansible-test sanity --local --python 3.11 --color no)
}

stage_docs() {
  (cd "$SRC" && ANSIBLE_COLLECTIONS_PATH=$OII_HOME/src \
    antsibull-docs lint-collection-docs --plugin-docs --skip-rstcheck .)
}

stage_changelog() {
  (cd "$SRC" && antsibull-changelog lint)
}

stage_zuul() {
  "$OII_HOME/zuul-venv/bin/python" "$ROOT/tests/zuul/validate_zuul.py" "$ROOT"
}

stage_functional() {
  [ -d "$ROOT/tests/functional" ] || { echo "no functional tests"; return 0; }
  mkdir -p "$OII_TEST_STATE"
  (cd "$ROOT" && run_pytest -v --basetemp="$OII_TEST_STATE/pytest" tests/functional)
}

# Scenarios with `shared_state: true` run in ONE molecule command: the default scenario (no test
# of its own) starts their sandbox once before the first and stops it after the last.
stage_molecule() {
  local scenario_file scenario rc=0 shared=()
  for scenario_file in "$ROOT"/extensions/molecule/*/molecule.yml; do
    [ -e "$scenario_file" ] || continue
    scenario=$(basename "$(dirname "$scenario_file")")
    [ "$scenario" != default ] || continue
    if grep -q '^shared_state: true' "$scenario_file"; then
      shared+=(-s "$scenario")
      continue
    fi
    log "molecule scenario $scenario"
    (cd "$ROOT/extensions" && molecule test -s "$scenario") || rc=1
  done
  if [ ${#shared[@]} -gt 0 ]; then
    log "molecule scenarios ${shared[*]} (one sandbox, the default scenario's)"
    (cd "$ROOT/extensions" && molecule test "${shared[@]}") || rc=1
  fi
  return $rc
}

stage_e2e() {
  mkdir -p "$OII_TEST_STATE"
  bash "$ROOT/tests/e2e/certify_object.sh"
}

stage_e2e_compute() {
  mkdir -p "$OII_TEST_STATE"
  bash "$ROOT/tests/e2e/certify_compute_addons.sh"
}

main() {
  local stages=("$@") stage passed=0 failed=0 failed_names=() start
  [ ${#stages[@]} -gt 0 ] || stages=("${ALL_STAGES[@]}")
  trap stop_test_processes EXIT
  trap 'exit 130' INT TERM
  mkdir -p "$STAGE_LOGS"
  log "bootstrap"
  bash "$ROOT/scripts/bootstrap.sh" --test || { echo "stages: 0 passed, 1 failed"; exit 1; }
  for stage in "${stages[@]}"; do
    if ! declare -F "stage_$stage" >/dev/null; then
      echo "unknown stage '$stage'; stages are: ${ALL_STAGES[*]}" >&2
      exit 2
    fi
    log "stage $stage"
    start=$SECONDS
    if "stage_$stage" 2>&1 | tee "$STAGE_LOGS/$stage.log"; then
      passed=$((passed + 1))
      echo "--- stage $stage passed in $((SECONDS - start)) s"
    else
      failed=$((failed + 1))
      failed_names+=("$stage")
      echo "--- stage $stage FAILED in $((SECONDS - start)) s"
    fi
  done
  for stage in "${failed_names[@]}"; do why_failed "$stage"; done
  [ $failed -eq 0 ] || echo "failed stages: ${failed_names[*]}"
  echo "stages: $passed passed, $failed failed"
  [ $failed -eq 0 ]
}

main "$@"
