#!/usr/bin/env bash
# End to end on one object sandbox (Keystone + Swift), started once and shared by every step
# in tests/e2e/object.d/ (run in name order, each in its own subshell with tests/e2e/lib.sh
# sourced). A step fails the stage; the others still run. Own ports (64xxx) and state under
# $OII_TEST_STATE, so a developer's own sandbox is left alone; the sandbox is stopped on exit,
# also on failure. OII_E2E_STEPS="10 40" runs only the steps whose names start with those
# numbers (to measure or debug one step; a step may read what an earlier one left).
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

stop_sandbox() {
  "${PLAYBOOK[@]}" playbooks/sandbox.yml -e state=absent "${SANDBOX_VARS[@]}" >/dev/null || true
}

cd "$ROOT"
rm -rf "$STATE" && mkdir -p "$STATE"
trap stop_sandbox EXIT
start=$SECONDS
"${PLAYBOOK[@]}" playbooks/sandbox.yml "${SANDBOX_VARS[@]}"
echo "--- e2e object: sandbox up in $((SECONDS - start)) s"

failed=()
for step in "$ROOT"/tests/e2e/object.d/*.sh; do
  name=$(basename "$step" .sh)
  if [ -n "${OII_E2E_STEPS:-}" ] && ! [[ " $OII_E2E_STEPS " == *" ${name%%_*} "* ]]; then
    continue
  fi
  start=$SECONDS
  # Not an `if` condition: bash ignores `set -e` inside one, so a failing command would not
  # end the step.
  set +e
  # shellcheck disable=SC1090
  (set -euo pipefail; source "$ROOT/tests/e2e/lib.sh"; cd "$ROOT"; source "$step")
  rc=$?
  set -e
  if [ $rc -eq 0 ]; then
    echo "--- e2e object step $name passed in $((SECONDS - start)) s"
  else
    echo "--- e2e object step $name FAILED (exit $rc) in $((SECONDS - start)) s"
    failed+=("$name")
  fi
done
[ ${#failed[@]} -eq 0 ] || { echo "e2e object: failed steps: ${failed[*]}"; exit 1; }
echo "e2e object: every step passed"
