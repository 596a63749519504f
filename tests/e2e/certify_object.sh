#!/usr/bin/env bash
# End to end, as the README's first command does it: start the sandbox cloud, certify it for
# `object` with playbooks/certify.yml, require a PASS verdict, then certify again into the same
# results directory and require that nothing changes. Own ports and state under $OII_TEST_STATE,
# so a developer's own sandbox is left alone; the sandbox is stopped on exit, also on failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OII_HOME=${OPENINFRA_INTEROP_HOME:-$HOME/.cache/openinfra-interop}
STATE=${OII_TEST_STATE:?run through scripts/test.sh}/e2e-object
export OS_CLIENT_CONFIG_FILE=$STATE/clouds.yaml
PLAYBOOK=(ansible-playbook -e "ansible_python_interpreter=$OII_HOME/venv/bin/python")
SANDBOX_VARS=(
  -e "sandbox_cloud_state_dir=$STATE/sandbox" -e "sandbox_cloud_clouds_yaml=$OS_CLIENT_CONFIG_FILE"
  -e "sandbox_cloud_venv=$OII_HOME/sandbox-venv"
  -e sandbox_cloud_keystone_port=64000 -e sandbox_cloud_swift_proxy_port=64080
  -e sandbox_cloud_swift_object_port=64200 -e sandbox_cloud_swift_container_port=64201
  -e sandbox_cloud_swift_account_port=64202 -e sandbox_cloud_memcached_port=64211
  -e sandbox_cloud_syslog_port=64140
)
CERTIFY=("${PLAYBOOK[@]}" playbooks/certify.yml -e cloud=sandbox -e program=object
  -e "results_dir=$STATE/results" -e "certify_state_dir=$STATE/certify"
  -e "tempestconf_venv=$OII_HOME/tempest-venv")

stop_sandbox() {
  "${PLAYBOOK[@]}" playbooks/sandbox.yml -e state=absent "${SANDBOX_VARS[@]}" >/dev/null || true
}

cd "$ROOT"
rm -rf "$STATE" && mkdir -p "$STATE"
trap stop_sandbox EXIT
"${PLAYBOOK[@]}" playbooks/sandbox.yml "${SANDBOX_VARS[@]}"

"${CERTIFY[@]}" | tee "$STATE/certify-1.log"
verdict=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"])' \
  "$STATE/results/object/summary.json")
[ "$verdict" = PASS ] || { echo "verdict $verdict, expected PASS"; exit 1; }
python3 - "$STATE/results/object/refstack-result.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert set(doc) == {"cpid", "duration_seconds", "results"}, doc.keys()
assert len(doc["results"]) == 58, len(doc["results"])
print(f"refstack-result.json: {len(doc['results'])} passed tests, cpid {doc['cpid']}")
PY

"${CERTIFY[@]}" | tee "$STATE/certify-2.log"
grep -Eq 'localhost +: ok=[0-9]+ +changed=0 ' "$STATE/certify-2.log" \
  || { echo "the second certify run changed something"; exit 1; }
echo "e2e object: PASS, second run changed nothing"
