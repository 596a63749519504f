# shellcheck shell=bash
# Two clouds at once: a second object sandbox (own ports 62xxx, own state, clouds.yaml entry
# sandbox-b), an inventory with one host per cloud, certify.yml run ONCE with results_dir,
# certify_state_dir and a fresh Tempest virtualenv given once (-e): every test of the run passes
# on both, each under its own <dir>/<inventory_hostname>, each with its own cloud's CPID; the two
# hosts install into the one fresh virtualenv one after the other (the host that comes second
# finds the packages there: its pip task changes nothing). The second sandbox is stopped at the
# end, also on failure.
# CI time: the runs keep the account tests (13 of the 58) and exclude the others with the role's
# exclusion variable (they count as missing on both clouds alike, fail_on_verdict false); that
# all 58 pass is step 10's. The fresh virtualenv already holds what Tempest depends on (hard
# links to the files of $OII_HOME/tempest-venv), but not the four packages the role pins
# (tempest, python-tempestconf, stestr, python-subunit), any Tempest plugin or the role's stamp:
# the hosts' pip tasks really install those four, and not the hundred packages below them.
# Installing everything from nothing is the first install of $OII_HOME/tempest-venv (in CI, the
# functional stage's first tempestconf run).
SCOPE='{"regex": "^(?!tempest\\.api\\.object_storage\\.test_account_services\\.)", "reason": "outside this step (CI time)"}'
SANDBOX_B=(
  -e "sandbox_cloud_state_dir=$STATE/sandbox-b" -e "sandbox_cloud_clouds_yaml=$OS_CLIENT_CONFIG_FILE"
  -e "sandbox_cloud_venv=$OII_HOME/sandbox-venv"
  -e sandbox_cloud_admin_cloud=sandbox-b -e sandbox_cloud_demo_cloud=sandbox-b-demo
  -e sandbox_cloud_keystone_port=62000 -e sandbox_cloud_swift_proxy_port=62080
  -e sandbox_cloud_swift_object_port=62200 -e sandbox_cloud_swift_container_port=62201
  -e sandbox_cloud_swift_account_port=62202 -e sandbox_cloud_memcached_port=62211
  -e sandbox_cloud_syslog_port=62140
)
stop_sandbox_b() {
  "${PLAYBOOK[@]}" playbooks/sandbox.yml -e state=absent "${SANDBOX_B[@]}" >/dev/null || true
}
trap stop_sandbox_b EXIT

start=$SECONDS
"${PLAYBOOK[@]}" playbooks/sandbox.yml "${SANDBOX_B[@]}" >"$STATE/sandbox-b.log"
echo "--- second sandbox up in $((SECONDS - start)) s"

cat >"$STATE/two-clouds.yml" <<YAML
clouds:
  hosts:
    cloud-a: {cloud: sandbox}
    cloud-b: {cloud: sandbox-b}
  vars:
    ansible_connection: local
    ansible_python_interpreter: $OII_HOME/venv/bin/python
YAML
RESULTS=$STATE/results-two
start=$SECONDS
rm -rf "$STATE/tempest-venv-two" && python3 -m venv "$STATE/tempest-venv-two"
"$OII_HOME/tempest-venv/bin/python" - "$OII_HOME/tempest-venv" "$STATE/tempest-venv-two" <<'PY'
import glob, os, re, subprocess, sys
source, dest = sys.argv[1:]
site = glob.glob(f"{source}/lib/python3*/site-packages")[0]
target = os.path.join(dest, os.path.relpath(site, source))
skip = set()  # the top-level entries of the pinned packages, the plugins, pip and setuptools
for info in glob.glob(f"{site}/*.dist-info"):
    name = re.sub(r"[-_.]+", "-", os.path.basename(info).split("-")[0]).lower()
    if "tempest" in name or name in ("stestr", "python-subunit", "pip", "setuptools"):
        skip.add(os.path.basename(info))
        with open(f"{info}/RECORD") as record:
            skip |= {line.split(",")[0].split("/")[0] for line in record} - {".."}
for entry in sorted(set(os.listdir(site)) - skip):
    if not os.path.exists(os.path.join(target, entry)):
        subprocess.run(["cp", "-al", os.path.join(site, entry), target], check=True)
PY
echo "--- a new virtualenv with Tempest's dependencies in $((SECONDS - start)) s"
start=$SECONDS
"${PLAYBOOK[@]}" -i "$STATE/two-clouds.yml" playbooks/certify.yml -e certify_hosts=clouds -e program=object \
  -e "results_dir=$RESULTS" -e "certify_state_dir=$STATE/certify-two" \
  -e "tempestconf_venv=$STATE/tempest-venv-two" -e fail_on_verdict=false -e "{\"refstack_client_exclude\": [$SCOPE]}" \
  | tee "$STATE/two-clouds.log"
echo "--- two clouds certified at once, with a fresh Tempest virtualenv, in $((SECONDS - start)) s"

# one host installed, then the other found everything installed: one after the other
python3 - "$STATE/two-clouds.log" <<'PY'
import re, sys
log = open(sys.argv[1]).read()
task = re.search(r"TASK \[openinfra\.interop\.tempestconf : Install Tempest, python-tempestconf, stestr, python-subunit"
                 r"[^\n]*\n((?:\S+: \[cloud-[ab]\]\n)+)", log)
assert task, "no install task in the output"
lines = task[1].splitlines()
# run at once, both would find the virtualenv empty and install: changed twice
assert sorted(line.split()[0] for line in lines) == ["changed:", "ok:"], lines
print("one virtualenv, one host after the other: " + ", ".join(lines))
PY
for host in cloud-a cloud-b; do
  python3 - "$RESULTS/$host/object/summary.json" "$host" <<'PY' || exit 1
import json, sys
s = json.load(open(sys.argv[1]))
ran = [t for t in s["tests"] if ".test_account_services." in t["name"]]
names = {t["name"] for t in ran}  # (a test of two capabilities is listed twice, counted once)
c = s["counts"]
assert ran and all(t["outcome"] == "passed" for t in ran), [(t["name"], t["outcome"]) for t in ran]
assert (c["passed"], c["failed"], c["missing"]) == (len(names), 0, c["required"] - len(names)), c
print(f"{sys.argv[2]}: every test of the run passed ({len(names)}), the {c['missing']} excluded ones missing")
PY
  [ -f "$STATE/certify-two/$host/tempest-workspace/etc/tempest.conf" ] || { echo "$host: no own workspace"; exit 1; }
done
# Each result's CPID is the identity service id in its own cloud's catalog
"$OII_HOME/sandbox-venv/bin/python" - "$RESULTS" <<'PY'
import json, sys
import openstack
ids = {}
for host, cloud in (("cloud-a", "sandbox"), ("cloud-b", "sandbox-b")):
    conn = openstack.connect(cloud=cloud)
    ids[host] = [s.id for s in conn.identity.services() if s.type == "identity"][0]
    cpid = json.load(open(f"{sys.argv[1]}/{host}/object/refstack-result.json"))["cpid"]
    assert cpid == ids[host], (host, cpid, ids[host])
assert ids["cloud-a"] != ids["cloud-b"], ids
print("CPIDs: " + ", ".join(f"{h} {i}" for h, i in ids.items()))
PY

# The two clouds side by side (compare.yml, issue 16): a tests x clouds matrix and each
# capability's share of clouds that pass it, the page checked in headless Chromium.
"${PLAYBOOK[@]}" playbooks/compare.yml \
  -e "{\"results_dirs\": [\"$RESULTS/cloud-a\", \"$RESULTS/cloud-b\"], \"labels\": [\"cloud-a\", \"cloud-b\"]}" \
  -e "dest=$STATE/compare-two-clouds" > "$STATE/compare-two-clouds.log" \
  || { tail -40 "$STATE/compare-two-clouds.log"; exit 1; }
"$OII_HOME/venv/bin/python" - "$STATE/compare-two-clouds" "$ROOT/tests/functional" <<'PY'
import json, sys, tempfile
from pathlib import Path
directory = sys.argv[1]
sys.path.insert(0, sys.argv[2])
from test_report_html import CHROMIUM, dom_of  # the report test's own headless chromium
c = json.load(open(directory + "/comparison.json"))["programs"]["object"]
assert c["runs"] == ["cloud-a", "cloud-b"], c["runs"]
assert len(c["matrix"]) >= 13 and all(set(row["outcomes"]) == {"cloud-a", "cloud-b"} for row in c["matrix"])
# both clouds ran the same tests: a capability passes on both or on neither; those of the
# account tests pass on both
assert c["capabilities"] and all(row["runs"] == 2 and row["pass_ratio"] in (0.0, 1.0) for row in c["capabilities"]), \
    c["capabilities"]
assert any(row["pass_ratio"] == 1.0 for row in c["capabilities"]), c["capabilities"]
assert CHROMIUM, "chromium is needed for the comparison page"
_html, dom = dom_of(Path(directory) / "comparison.html", Path(tempfile.mkdtemp(prefix="chromium-", dir=directory)))
matrix = dom.text("matrix-object")
assert "cloud-a" in matrix and "cloud-b" in matrix, matrix[:500]
passed = sum(row["pass_ratio"] == 1.0 for row in c["capabilities"])
print(f"compare: {len(c['matrix'])} tests x 2 clouds, {passed} of {len(c['capabilities'])} capabilities passed by 2 of 2 clouds")
PY
