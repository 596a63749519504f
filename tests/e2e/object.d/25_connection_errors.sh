# shellcheck shell=bash
# Wrong connection settings stop the run before anything is tested, each with one clear error:
# a CA bundle that does not exist (named as given), and, on the TLS sandbox, no CA at all
# (the system trust store does not know the sandbox's CA). A CPID that cannot be read stops
# the run instead of falling back to the md5 of the host name.
run_expect_failure() { # name, expected message, certify arguments...
  local name=$1 expected=$2; shift 2
  if "${CERTIFY[@]}" -e "results_dir=$STATE/results-$name" -e "certify_state_dir=$STATE/certify-admin" "$@" \
      > "$STATE/certify-$name.log" 2>&1; then
    echo "$name: certify succeeded, expected a failure"; exit 1
  fi
  grep -q -- "$expected" "$STATE/certify-$name.log" \
    || { echo "$name: no '$expected' in the output"; tail -30 "$STATE/certify-$name.log"; exit 1; }
  if grep -q 'Traceback' "$STATE/certify-$name.log"; then
    echo "$name: a traceback instead of one clear error"; exit 1
  fi
  echo "$name: stopped with '$expected'"
}

run_expect_failure missing-ca "ca_cert='/nonexistent/ca.pem': /nonexistent/ca.pem does not exist" \
  -e ca_cert=/nonexistent/ca.pem

auth_url=$("$OII_HOME/sandbox-venv/bin/python" -c \
  'import openstack; print(openstack.config.OpenStackConfig().get_one("sandbox").config["auth"]["auth_url"])')
if [ "${auth_url#https://}" != "$auth_url" ]; then
  # the clouds.yaml entry names the CA: a copy of it without cacert is the user who forgot it
  "$OII_HOME/sandbox-venv/bin/python" - "$OS_CLIENT_CONFIG_FILE" "$STATE/clouds-no-ca.yaml" <<'PY'
import sys, yaml
data = yaml.safe_load(open(sys.argv[1]))
entry = dict(data["clouds"]["sandbox"]); entry.pop("cacert", None)
with open(sys.argv[2], "w") as out:
    yaml.safe_dump({"clouds": {"sandbox": entry}}, out)
PY
  chmod 600 "$STATE/clouds-no-ca.yaml"
  OS_CLIENT_CONFIG_FILE=$STATE/clouds-no-ca.yaml run_expect_failure no-ca "No CA bundle was given"
fi

# The CPID lookup after a passing preflight: the identity service lookup fails when the catalog
# token has no identity service id... which a healthy cloud always has, so the lookup is made
# to fail by a profile whose auth URL is unreachable (refstack_client alone, given profile).
python3 - "$STATE" <<'PY' > "$STATE/cpid-profile.json"
import json, sys
print(json.dumps({"refstack_client_connection": {"cloud": "unreachable", "clouds_yaml": sys.argv[1] + "/clouds-unreachable.yaml"}}))
PY
cat > "$STATE/clouds-unreachable.yaml" <<'YAML'
clouds:
  unreachable:
    auth:
      auth_url: http://127.0.0.1:9/v3
      username: nobody
      password: nothing
      project_name: none
YAML
chmod 600 "$STATE/clouds-unreachable.yaml"
run_expect_failure cpid-unreadable "No CPID: " -e "@$STATE/cpid-profile.json"
