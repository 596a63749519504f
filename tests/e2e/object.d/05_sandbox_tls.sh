# shellcheck shell=bash
# The object sandbox is production-like (tests/e2e/lib.sh SANDBOX_VARS): Keystone under a path
# behind a TLS front with the role's own CA, region RegionTwo, certification users in a domain of
# their own. Checked from the outside, as a client would: openstacksdk of the sandbox virtualenv,
# the clouds.yaml entries and sandbox.json (sandbox_cloud_info) the role wrote.
"$OII_HOME/sandbox-venv/bin/python" - "$STATE/sandbox/sandbox.json" <<'PY'
import json
import os
import stat
import sys
import uuid

import openstack
import requests
import yaml
from keystoneauth1 import session as ksa_session
from keystoneauth1.identity import v3

info = json.load(open(sys.argv[1]))
ca, identity, region, domain = info["ca_cert"], info["identity_url"], info["region"], info["domain"]
assert identity.startswith("https://127.0.0.1:") and "/identity/v3" in identity, identity
assert region == "RegionTwo" and domain == "interop", (region, domain)


def private(path):
    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert mode == 0o600, f"{path} has mode {oct(mode)}, expected 0600"


tls_dir = os.path.dirname(ca)
for path in (os.path.join(tls_dir, "ca.key"), os.path.join(tls_dir, "server.key"),
             info["accounts_file"], info["clouds_yaml"]):
    private(path)

# clouds.yaml: https identity URL, the CA, the region, the users' domain
clouds = yaml.safe_load(open(info["clouds_yaml"]))["clouds"]
for name in info["clouds"].values():
    entry = clouds[name]
    assert entry["cacert"] == ca and entry["region_name"] == region, (name, entry.keys())
    assert entry["auth"]["auth_url"] == identity, entry["auth"]["auth_url"]
    assert entry["auth"]["user_domain_name"] == domain == entry["auth"]["project_domain_name"], name

# without the CA the front is refused (the certificate is not from a public CA)
try:
    requests.get(identity, timeout=10)
except requests.exceptions.SSLError:
    pass
else:
    raise AssertionError(f"{identity} answered without the sandbox CA")
# the versions document links to the https URL under the path (proxy headers parsed)
doc = requests.get(identity, verify=ca, timeout=10).json()
href = doc["version"]["links"][0]["href"]
assert href.rstrip("/") == identity, f"Keystone links to {href}, not {identity}"

# admin entry (a user of the domain): token, catalog, container round trip through https
admin = openstack.connect(cloud=info["clouds"]["admin"])
admin.authorize()
admin_access = admin.session.auth.get_access(admin.session)
assert admin_access.user_domain_name == domain, admin_access.user_domain_name
assert "admin" in admin_access.role_names, admin_access.role_names
endpoints = list(admin.identity.endpoints())
services = {s.id: s.type for s in admin.identity.services()}
fronted = [e for e in endpoints if services[e.service_id] in ("identity", "object-store")]
assert len(fronted) == 6, [(services[e.service_id], e.interface, e.region_id) for e in fronted]
for e in endpoints:
    assert e.region_id == region, f"{services[e.service_id]} {e.interface} endpoint in {e.region_id}"
for e in fronted:
    assert e.url.startswith(identity.split("/identity")[0] + "/"), f"stale endpoint {e.url}"
container = f"e2e-tls-{uuid.uuid4().hex[:8]}"
admin.object_store.create_container(container)
admin.object_store.upload_object(container, "hello", data=b"over tls")
assert admin.object_store.get_endpoint().startswith("https://"), admin.object_store.get_endpoint()
assert admin.object_store.download_object("hello", container=container) == b"over tls"
admin.object_store.delete_object("hello", container=container)
admin.object_store.delete_container(container)
print(f"admin {admin.current_user_id} ({domain}): token, catalog of {len(endpoints)} endpoints "
      f"in {region}, container round trip over https")

# every pre-provisioned account logs in, in the domain, and is not an admin
accounts = yaml.safe_load(open(info["accounts_file"]))
members = [a for a in accounts if a.get("roles") == ["member"]]
resellers = [a for a in accounts if a.get("roles") == ["ResellerAdmin"]]
assert len(members) >= 2 and resellers, [a.get("roles") for a in accounts]
for account in accounts:
    auth = v3.Password(auth_url=identity, username=account["username"], password=account["password"],
                       project_name=account["project_name"], user_domain_name=account["domain_name"],
                       project_domain_name=account["domain_name"])
    access = auth.get_access(ksa_session.Session(auth=auth, verify=ca))
    assert access.user_domain_name == domain and "admin" not in access.role_names, access.role_names
    assert set(account["roles"]) <= set(access.role_names), (account["username"], access.role_names)
demo = openstack.connect(cloud=info["clouds"]["demo"])
demo.object_store.create_container(container)
demo.object_store.delete_container(container)
print(f"{len(accounts)} pre-provisioned accounts of {domain} log in; "
      f"{info['clouds']['demo']} writes to its own account")
PY
