# shellcheck shell=bash
# tempestconf_install_method system with Debian's packaged Tempest and python-tempestconf
# (python3-tempest, python3-tempestconf; scripts/bootstrap.sh --test installs them with apt,
# nothing of either comes from pip): discovery and the object run use them, the result names
# the packaged versions and the method, and every required test passes.
RESULTS=$STATE/results-system
dpkg-query -W -f='${Status}' python3-tempest python3-tempestconf | grep -q "install ok installed" \
  || { echo "python3-tempest and python3-tempestconf are not installed (scripts/bootstrap.sh --test)"; exit 1; }
# Debian 12 packages python-tempestconf 2.5.0, which asks Keystone for its versions without the
# CA bundle and logs in to domain "Default" whatever the credentials say: the collection's
# discovery wrapper fixes both (module_utils/tempestconf.py), so this step certifies as the
# sandbox's own admin, in its own domain behind the TLS front with the sandbox's private CA.
"${PLAYBOOK[@]}" playbooks/certify.yml -e cloud=sandbox -e program=object \
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
