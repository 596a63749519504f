# shellcheck shell=bash
# tempestconf_install_method system with Debian's packaged Tempest and python-tempestconf
# (python3-tempest, python3-tempestconf; scripts/bootstrap.sh --test installs them with apt,
# nothing of either comes from pip): discovery and the object run use them, the result names
# the packaged versions and the method, and every required test passes.
RESULTS=$STATE/results-system
dpkg-query -W -f='${Status}' python3-tempest python3-tempestconf | grep -q "install ok installed" \
  || { echo "python3-tempest and python3-tempestconf are not installed (scripts/bootstrap.sh --test)"; exit 1; }
# python-tempestconf 2.5.0 asks Keystone for its versions with a bare requests.get (no CA:
# config_tempest/credentials.py _list_versions); 3.x passes the CA. With a private CA (the
# sandbox's TLS front) an operator gives it to requests the documented way.
ca=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("ca_cert") or "")' "$STATE/sandbox/sandbox.json")
[ -z "$ca" ] || export REQUESTS_CA_BUNDLE=$ca
# python-tempestconf 2.5.0 logs in with user and project domain "Default" whatever the
# clouds.yaml entry says (config_tempest/credentials.py _get_creds_kwargs; 3.x reads them): the
# sandbox's users are in a domain of their own, so this step certifies as an admin of the
# Default domain it creates (and removes at its end) in a clouds.yaml of its own.
CLOUDS=$STATE/clouds-system.yaml
sandbox_python=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["python"])' "$STATE/sandbox/sandbox.json")
default_domain_admin() { # create|delete
  "$sandbox_python" - "$1" "$OS_CLIENT_CONFIG_FILE" "$CLOUDS" <<'PY'
import os, secrets, sys, yaml, openstack
action, src, dest = sys.argv[1:4]
conn = openstack.connect(cloud="sandbox")
name = "interop-system-admin"
user = conn.identity.find_user(name, domain_id="default")
project = conn.identity.find_project(name, domain_id="default")
if action == "delete":
    for found, delete in ((user, conn.identity.delete_user), (project, conn.identity.delete_project)):
        if found:
            delete(found)
    sys.exit(0)
password = secrets.token_urlsafe(18)
user = user or conn.identity.create_user(name=name, domain_id="default", password=password)
conn.identity.update_user(user, password=password)
project = project or conn.identity.create_project(name=name, domain_id="default")
conn.identity.assign_project_role_to_user(project, user, conn.identity.find_role("admin"))
data = yaml.safe_load(open(src))
entry = dict(data["clouds"]["sandbox"])
entry["auth"] = dict(entry["auth"], username=name, password=password, project_name=name,
                     user_domain_name="Default", project_domain_name="Default")
fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as handle:
    yaml.safe_dump({"clouds": {"sandbox-default-domain": entry}}, handle)
PY
}
trap 'default_domain_admin delete' EXIT
default_domain_admin create
OS_CLIENT_CONFIG_FILE=$CLOUDS "${PLAYBOOK[@]}" playbooks/certify.yml -e cloud=sandbox-default-domain -e program=object \
  -e tempestconf_install_method=system -e "tempestconf_system_prefix=$STATE/tempest-system" \
  -e "results_dir=$RESULTS" -e "certify_state_dir=$STATE/certify-system" -e fail_on_verdict=false \
  > "$STATE/install-system.log" || { tail -40 "$STATE/install-system.log"; exit 1; }
packaged=$(dpkg-query -W -f='${Version}' python3-tempest | sed 's/^[0-9]*://; s/-[^-]*$//')
"$OII_HOME/venv/bin/python" - "$RESULTS/object/summary.json" "$packaged" "$STATE/tempest-system" <<'PY'
import json, os, sys
s = json.load(open(sys.argv[1]))
meta = s["metadata"]
assert meta["tempest_install_method"] == "system", meta
assert meta["tempest"]["tempest"] == sys.argv[2], (meta["tempest"], sys.argv[2])
assert meta["tempest"].get("python_tempestconf"), meta["tempest"]
assert os.path.realpath(sys.argv[3] + "/bin/tempest") == "/usr/bin/tempest"
counts = s["counts"]
print(f"system (Debian Tempest {meta['tempest']['tempest']}, python-tempestconf "
      f"{meta['tempest']['python_tempestconf']}): {s['verdict']} {counts}")
assert s["verdict"] == "PASS", [(t["name"], t["outcome"], t["reason"]) for t in s["tests"] if t["outcome"] != "passed"]
PY
