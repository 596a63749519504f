# shellcheck shell=bash
# The Keystone catalog offers exactly what runs: the object sandbox run with services=identity
# stops Swift and takes object-store (service and endpoints) out of the catalog, and keeps the
# identity endpoints in the sandbox's region (RegionTwo) at the TLS front's URL. Last step: the
# sandbox is stopped after it. (Putting a service back when it starts again is the same table
# and call: tests/functional/test_sandbox_keystone.py, and e2e_compute's sandbox that grows.)
catalog_is() { # expected catalog types...
  "$OII_HOME/sandbox-venv/bin/python" - "$STATE/sandbox/sandbox.json" "$@" <<'PY'
import json
import sys

import openstack

info = json.load(open(sys.argv[1]))
expected = sorted(sys.argv[2:])
conn = openstack.connect(cloud=info["clouds"]["admin"])
services = {s.id: s.type for s in conn.identity.services()}
assert sorted(services.values()) == expected, f"catalog has {sorted(services.values())}, expected {expected}"
# what the role says runs is what the catalog offers
assert sorted(info["endpoints"]) == expected, f"sandbox.json endpoints {sorted(info['endpoints'])}"
found = sorted((services.get(e.service_id, "(no service)"), e.interface, e.region_id, e.url)
               for e in conn.identity.endpoints())
wanted = sorted((t, i, info["region"], info["endpoints"][t]) for t in expected
                for i in ("public", "internal", "admin"))
assert found == wanted, f"endpoints {found}, expected {wanted}"
print(f"catalog: {', '.join(expected)} ({len(found)} endpoints)")
PY
}

"${PLAYBOOK[@]}" playbooks/sandbox.yml "${SANDBOX_VARS[@]}" -e services=identity > "$STATE/catalog-identity.log" \
  || { tail -30 "$STATE/catalog-identity.log"; exit 1; }
catalog_is identity
[ ! -e "$STATE/sandbox/run/swift-proxy.pid" ] || { echo "Swift's proxy still recorded after services=identity"; exit 1; }
