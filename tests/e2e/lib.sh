# shellcheck shell=bash disable=SC2034
# Shared by the end-to-end scripts (sourced, not run): paths, the playbook command and the
# sandbox variables of the object sandbox that tests/e2e/certify_object.sh starts once for
# every step under tests/e2e/object.d/.
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
# certify.yml on the object sandbox; a step adds its own -e (results_dir, mode, ...)
CERTIFY=("${PLAYBOOK[@]}" playbooks/certify.yml -e cloud=sandbox -e program=object
  -e "tempestconf_venv=$OII_HOME/tempest-venv")

summary_field() { # summary.json key -> its value
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}
