# shellcheck shell=bash
# Certify the object sandbox in admin mode, with -vvv: PASS 58/58 with a RefStack document in
# refstack-client's format, and the run's hygiene:
#   1. the cloud after the run is the cloud before it: users, projects, role assignments (and
#      images, flavors, networks where the sandbox has them), listed with openstacksdk;
#   2. no password the run knew is anywhere in the results directory or the -vvv output: those
#      of the sandbox's clouds.yaml, of the workspace's tempest.conf and accounts.yaml, and of
#      Tempest's dynamic users (read from the workspace's own, unscrubbed, Tempest log);
#   3. result files are 0600/0640 and the results directories not world-readable;
#   nothing is written into the directory the run was started from;
# then again into the same results directory: nothing changes; the CPID is the catalog's.
# Works on any sandbox flavour: it reads the `sandbox` entry of OS_CLIENT_CONFIG_FILE.
RESULTS=$STATE/results-admin
WORKSPACE=$STATE/certify-admin
ADMIN=("${CERTIFY[@]}" -e "results_dir=$RESULTS" -e "certify_state_dir=$WORKSPACE")
SDK_PY=$OII_HOME/sandbox-venv/bin/python

snapshot() { # what a run could leave behind, as sorted JSON
  "$SDK_PY" - <<'PY'
import json
import openstack

conn = openstack.connect(cloud="sandbox")
ident = conn.identity
users = {u.id: f"{u.name}@{u.domain_id}" for u in ident.users()}
projects = {p.id: f"{p.name}@{p.domain_id}" for p in ident.projects()}
roles = {r.id: r.name for r in ident.roles()}
state = {
    "users": sorted(users.values()),
    "projects": sorted(projects.values()),
    "role_assignments": sorted(
        "{} {} on {}".format(
            users.get((a.user or {}).get("id"), (a.user or a.group or {}).get("id")),
            roles.get((a.role or {}).get("id"), (a.role or {}).get("id")),
            projects.get((a.scope or {}).get("project", {}).get("id"), json.dumps(a.scope, sort_keys=True)),
        )
        for a in ident.role_assignments()
    ),
}
for kind, service, lister in (("images", "image", lambda: conn.image.images()),
                              ("flavors", "compute", lambda: conn.compute.flavors()),
                              ("networks", "network", lambda: conn.network.networks())):
    if conn.has_service(service):
        state[kind] = sorted(f"{i.name} {i.id}" for i in lister())
print(json.dumps(state, indent=1, sort_keys=True))
PY
}

snapshot > "$STATE/hygiene-before.json"
find . -mindepth 1 -maxdepth 1 | sort > "$STATE/cwd-before.txt"
echo "before: $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print({k: len(v) for k, v in d.items()})' "$STATE/hygiene-before.json")"

start=$SECONDS
"${ADMIN[@]}" -vvv > "$STATE/certify-admin-1.log" 2>&1 \
  || { tail -60 "$STATE/certify-admin-1.log"; echo "the certify run failed"; exit 1; }
grep -A3 '^PLAY RECAP' "$STATE/certify-admin-1.log" | tail -4
echo "certify -vvv: $((SECONDS - start)) s"
verdict=$(summary_field "$RESULTS/object/summary.json" verdict)
[ "$verdict" = PASS ] || { echo "verdict $verdict, expected PASS"; exit 1; }
python3 - "$RESULTS/object/refstack-result.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert set(doc) == {"cpid", "duration_seconds", "results"}, doc.keys()
assert len(doc["results"]) == 58, len(doc["results"])
print(f"refstack-result.json: {len(doc['results'])} passed tests, cpid {doc['cpid']}")
PY

# 1. nothing left behind
snapshot > "$STATE/hygiene-after.json"
diff -u "$STATE/hygiene-before.json" "$STATE/hygiene-after.json" \
  || { echo "the certify run left the differences above in the cloud"; exit 1; }
echo "cloud after the run = cloud before it"

# nor anything in the directory the run was started from (tempest init writes a tempest.log
# into its working directory)
find . -mindepth 1 -maxdepth 1 | sort | diff -u "$STATE/cwd-before.txt" - || { echo "the run wrote the files above into $PWD"; exit 1; }

# 2. every password the run knew, in no artifact and not in the -vvv output
WS=$WORKSPACE/tempest-workspace
"$SDK_PY" - "$OS_CLIENT_CONFIG_FILE" "$WS" "$STATE/hygiene-secrets" <<'PY'
import glob, json, os, re, sys
import yaml

clouds_yaml, ws, out = sys.argv[1:]
secrets = set()

def walk(data):
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str) and re.search(r"(password|secret|token)$", str(key), re.I):
                secrets.add(value)
            else:
                walk(value)
    elif isinstance(data, list):
        for item in data:
            walk(item)

walk(yaml.safe_load(open(clouds_yaml)))
for path in glob.glob(os.path.join(ws, "etc", "*.yaml")):
    # a sample tempest init copies from /etc/tempest when a packaged Tempest is installed: its
    # passwords are the word "password", no credential of this run
    if os.path.basename(path) != "rbac-persona-accounts.yaml":
        walk(yaml.safe_load(open(path)))
for path in glob.glob(os.path.join(ws, "etc", "*.conf")):
    for line in open(path):
        m = re.match(r"\s*\w*(password|secret)\s*=\s*(.+?)\s*$", line)
        if m:
            secrets.add(m.group(2).replace("$$", "$"))
dynamic = set()
for path in glob.glob(os.path.join(ws, "logs", "*.log")):
    text = open(path, errors="replace").read()
    dynamic |= set(re.findall(r'"password": "([^"*][^"]*)"', text))
secrets |= dynamic
secrets = sorted(s for s in secrets if len(s) >= 4)
with open(out, "w") as handle:
    handle.write("\n".join(secrets) + "\n")
os.chmod(out, 0o600)
print(f"{len(secrets)} passwords the run knew ({len(dynamic)} of Tempest's dynamic users)")
PY
[ -s "$STATE/hygiene-secrets" ] || { echo "found no password to look for"; exit 1; }
# the -vvv output may show passwords the files did not hold: add what it shows under a password key
grep -oE "\"(password|admin_password|alt_password)\": \"[^\"*]{4,}\"" "$STATE/certify-admin-1.log" \
  | sed -E 's/.*: "(.*)"/\1/' | sort -u >> "$STATE/hygiene-secrets" || true
sed -i '/^$/d' "$STATE/hygiene-secrets"  # an empty pattern would match every file
leaks=$(grep -rlF -f "$STATE/hygiene-secrets" "$RESULTS" "$STATE/certify-admin-1.log" || true)
[ -z "$leaks" ] || { echo "passwords found in: $leaks"; exit 1; }
echo "no password in $(find "$RESULTS" -type f | wc -l) result files nor in the -vvv output"

# 3. private results
bad=$(find "$RESULTS" \( -type f -perm /o=rwx,g=wx \) -o \( -type d -perm /o=rwx \) | head)
[ -z "$bad" ] || { echo "readable by others: $bad"; ls -la "$RESULTS" "$RESULTS"/*; exit 1; }
echo "result files 0640/0600, directories closed to others"

"${ADMIN[@]}" | tee "$STATE/certify-admin-2.log"
grep -Eq 'localhost +: ok=[0-9]+ +changed=0 ' "$STATE/certify-admin-2.log" \
  || { echo "the second certify run changed something"; exit 1; }
echo "admin: PASS, second run changed nothing"
# The CPID is the id of the identity service in the catalog, read here through the same
# clouds.yaml entry (TLS with the sandbox's CA when the sandbox is fronted by TLS).
catalog_id=$("$OII_HOME/sandbox-venv/bin/python" - <<'PY'
import openstack
conn = openstack.connect(cloud="sandbox")
print(next(s["id"] for s in conn.service_catalog if s["type"] == "identity"))
PY
)
cpid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cpid"])' "$RESULTS/object/refstack-result.json")
method=$(summary_field "$RESULTS/object/summary.json" cpid_method)
[ "$cpid" = "$catalog_id" ] || { echo "CPID $cpid is not the identity service id $catalog_id"; exit 1; }
[ "$method" = catalog ] || { echo "cpid_method $method, expected catalog"; exit 1; }
echo "admin: CPID $cpid is the catalog's identity service (cpid_method catalog)"
