# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The sandbox_cloud role with Keystone alone, on a free loopback port, and the identity_resources
and cloud_health logic against that real Keystone.

The role installs keystone into the virtualenv ``$OII_SANDBOX_VENV`` (default
``~/.cache/openinfra-interop/sandbox-venv``, shared with other test runs so it installs once).
Every process is stopped by the role (state=absent) and, should that fail, by its recorded PID.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("oii_unit_conftest", ROOT / "tests" / "unit" / "conftest.py")
assert _spec and _spec.loader
_spec.loader.exec_module(importlib.util.module_from_spec(_spec))

openstack = pytest.importorskip("openstack")

from ansible_collections.openinfra.interop.plugins.module_utils import cloud_health as H  # noqa: E402
from ansible_collections.openinfra.interop.plugins.module_utils import identity_resources as I  # noqa: E402
from ansible_collections.openinfra.interop.plugins.module_utils import sandbox_process as sp  # noqa: E402

OII_HOME = Path(os.environ.get("OPENINFRA_INTEROP_HOME", Path.home() / ".cache" / "openinfra-interop"))
VENV = os.environ.get("OII_SANDBOX_VENV", str(OII_HOME / "sandbox-venv"))
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sandbox:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.state_dir = base / "state"
        self.clouds_yaml = base / "clouds.yaml"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v3"
        tree = base / "collections" / "ansible_collections" / "openinfra"
        tree.mkdir(parents=True)
        (tree / "interop").symlink_to(ROOT)
        self.collections = base / "collections"
        self.playbook = base / "sandbox.yml"
        self.playbook.write_text(
            "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
            "    - ansible.builtin.include_role:\n        name: openinfra.interop.sandbox_cloud\n")

    def run(self, state: str = "present", **extra: Any) -> subprocess.CompletedProcess:
        variables = {
            "ansible_python_interpreter": sys.executable,
            "sandbox_cloud_state": state,
            "sandbox_cloud_services": ["identity"],
            "sandbox_cloud_state_dir": str(self.state_dir),
            "sandbox_cloud_venv": VENV,
            "sandbox_cloud_clouds_yaml": str(self.clouds_yaml),
            "sandbox_cloud_keystone_port": self.port,
            **extra,
        }
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(self.collections),
                   ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
        return subprocess.run(
            [str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local",
             "-e", json.dumps(variables), str(self.playbook)],
            env=env, capture_output=True, text=True, timeout=1200, check=False)

    def admin_auth(self) -> dict[str, str]:
        password = (self.state_dir / "secrets" / "admin_password").read_text().strip()
        return {"auth_url": self.url, "username": "admin", "password": password,
                "project_name": "admin", "user_domain_name": "Default",
                "project_domain_name": "Default"}

    def connect(self, auth: dict[str, str] | None = None) -> Any:
        return openstack.connect(load_yaml_config=False, load_envvars=False,
                                 auth=auth or self.admin_auth(), auth_type="password",
                                 region_name="RegionOne", interface="public")

    def kill_leftovers(self) -> None:
        for pidfile in (self.state_dir / "run").glob("*.pid"):
            tracked = sp.read_tracked(str(pidfile))
            if tracked.running and tracked.pid:
                sp.stop_pid(tracked.pid, tracked.record.get("start_time"), 5)


def recap(result: subprocess.CompletedProcess) -> str:
    return next((line for line in result.stdout.splitlines() if line.startswith("localhost")), "")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    box = Sandbox(tmp_path_factory.mktemp("sandbox-keystone"))
    try:
        result = box.run()
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
        yield box
    finally:
        box.run("absent", sandbox_cloud_wipe=True)
        box.kill_leftovers()


# (That a second run of the role changes nothing and restarts no process, Keystone's included,
# is Molecule's sandbox_cloud scenario: its idempotence step and its verify, which checks each
# process is the one converge started; it is not run a second time here, for CI time.)
def test_role_starts_keystone(sandbox: Sandbox) -> None:
    info = json.loads((sandbox.state_dir / "sandbox.json").read_text())
    assert info["components"] == ["keystone"]
    assert info["endpoints"] == {"identity": sandbox.url}
    status = sp.status("keystone", str(sandbox.state_dir / "run" / "keystone.pid"))
    assert status.running and status.pid == info["processes"]["keystone"]
    # one gunicorn worker beside the master
    assert len(status.session_pids) == 2
    assert oct((sandbox.state_dir / "secrets" / "admin_password").stat().st_mode & 0o777) == "0o600"
    assert oct(sandbox.clouds_yaml.stat().st_mode & 0o777) == "0o600"


def test_health_token_check(sandbox: Sandbox) -> None:
    report = H.run_checks(sandbox.connect(), ["token"], {})
    assert "admin" in report["token"]["roles"]
    assert [e["type"] for e in report["token"]["catalog"]] == ["identity"]
    # the token itself is never returned
    assert sorted(report["token"]) == ["catalog", "expires_at", "project_id", "roles", "user_id"]


def _spec(suffix: str, password: str, url: str) -> dict[str, Any]:
    return {
        "projects": [{"name": f"fproj-{suffix}", "description": "functional test"}],
        "users": [{"name": f"fuser-{suffix}", "password": password,
                   "default_project": f"fproj-{suffix}"}],
        "roles": [f"frole-{suffix}"],
        "role_assignments": [
            {"user": f"fuser-{suffix}", "project": f"fproj-{suffix}", "role": f"frole-{suffix}"},
            {"user": f"fuser-{suffix}", "project": f"fproj-{suffix}", "role": "member"},
        ],
        "services": [{"name": f"fsvc-{suffix}", "type": f"ftype-{suffix}"}],
        "endpoints": [{"service": f"fsvc-{suffix}", "interface": i, "url": url, "region": "RegionF"}
                      for i in ("public", "internal")],
    }


def test_identity_resources_create_once_then_change_nothing(sandbox: Sandbox) -> None:
    suffix = secrets.token_hex(3)
    password = secrets.token_urlsafe(12)
    spec = _spec(suffix, password, "http://127.0.0.1:1/v1")

    dry = I.IdentityResources(sandbox.connect(), check_mode=True).ensure(spec)
    assert dry["changed"] and dry["created"]["users"] == [f"fuser-{suffix}"]
    assert len(dry["created"]["role_assignments"]) == 2
    assert dry["created"]["endpoints"] == [f"fsvc-{suffix} public RegionF", f"fsvc-{suffix} internal RegionF"]
    conn = sandbox.connect()
    assert conn.identity.find_project(f"fproj-{suffix}", ignore_missing=True) is None

    first = I.IdentityResources(sandbox.connect()).ensure(spec)
    assert first["created"]["projects"] == [f"fproj-{suffix}"]
    assert first["created"]["regions"] == ["RegionF"]
    assert first["created"]["services"] == [f"fsvc-{suffix} (ftype-{suffix})"]
    assert first["ids"]["users"][f"fuser-{suffix}"] != I.PLACEHOLDER

    second = I.IdentityResources(sandbox.connect()).ensure(spec)
    assert second["changed"] is False, second

    # the new user really works, in its project, with both roles
    user_conn = sandbox.connect({"auth_url": sandbox.url, "username": f"fuser-{suffix}",
                                 "password": password, "project_name": f"fproj-{suffix}",
                                 "user_domain_name": "Default", "project_domain_name": "Default"})
    token = H.run_checks(user_conn, ["token"], {})["token"]
    assert {f"frole-{suffix}", "member"} <= set(token["roles"])  # (+ implied roles)


def test_identity_resources_update_only_what_differs(sandbox: Sandbox) -> None:
    suffix = secrets.token_hex(3)
    spec = _spec(suffix, "first-password", "http://127.0.0.1:1/v1")
    I.IdentityResources(sandbox.connect()).ensure(spec)

    spec["endpoints"][0]["url"] = "http://127.0.0.1:2/v1"
    spec["users"][0]["password"] = "second-password"
    spec["projects"][0]["description"] = "changed"
    result = I.IdentityResources(sandbox.connect()).ensure(spec)
    assert result["updated"]["endpoints"] == [f"fsvc-{suffix} public RegionF"]
    assert result["updated"]["users"] == [f"fuser-{suffix}"]
    assert result["updated"]["projects"] == [f"fproj-{suffix}"]
    assert not any(result["created"].values())

    on_create = I.IdentityResources(sandbox.connect(), update_password="on_create")
    spec["users"][0]["password"] = "third-password"
    assert on_create.ensure(spec)["changed"] is False


def test_identity_resources_purge_the_endpoints_of_an_old_region(sandbox: Sandbox) -> None:
    suffix = secrets.token_hex(3)
    spec = _spec(suffix, "a-password", "http://127.0.0.1:1/v1")
    I.IdentityResources(sandbox.connect()).ensure(spec)

    for endpoint in spec["endpoints"]:
        endpoint["region"] = "RegionG"
    dry = I.IdentityResources(sandbox.connect(), check_mode=True, purge_endpoints=True).ensure(spec)
    # (Keystone lists endpoints in no particular order)
    assert sorted(dry["deleted"]["endpoints"]) == [f"fsvc-{suffix} internal RegionF", f"fsvc-{suffix} public RegionF"]
    moved = I.IdentityResources(sandbox.connect(), purge_endpoints=True).ensure(spec)
    assert moved["deleted"] == dry["deleted"]
    assert moved["created"]["endpoints"] == [f"fsvc-{suffix} public RegionG", f"fsvc-{suffix} internal RegionG"]
    conn = sandbox.connect()
    service = conn.identity.find_service(f"fsvc-{suffix}")
    assert sorted(e.region_id for e in conn.identity.endpoints(service_id=service.id)) == ["RegionG", "RegionG"]
    # Keystone's own endpoints (not declared here) are left alone
    assert [e for e in conn.identity.endpoints() if e.url == sandbox.url]
    assert I.IdentityResources(sandbox.connect(), purge_endpoints=True).ensure(spec)["changed"] is False


def test_identity_resources_catalog_offers_exactly_the_running_groups(sandbox: Sandbox) -> None:
    suffix = secrets.token_hex(3)
    catalog = {
        f"a-{suffix}": [{"name": f"csvc-a-{suffix}", "type": f"ctype-a-{suffix}", "url": "http://127.0.0.1:1"}],
        f"b-{suffix}": [{"name": f"csvc-b-{suffix}", "type": f"ctype-b-{suffix}", "url": "http://127.0.0.1:2"},
                        {"name": f"csvc-c-{suffix}", "type": f"ctype-c-{suffix}", "url": "http://127.0.0.1:3"}],
    }

    def ensure(present: list[str], check_mode: bool = False) -> dict[str, Any]:
        plan = I.catalog_plan(catalog, present, "RegionF")
        return I.IdentityResources(sandbox.connect(), check_mode=check_mode).ensure({}, plan)

    def offered() -> list[tuple[str, int]]:
        conn = sandbox.connect()
        return sorted((s.name, len(list(conn.identity.endpoints(service_id=s.id))))
                      for s in conn.identity.services() if s.name.endswith(suffix))

    both = ensure(list(catalog))
    assert len(both["created"]["services"]) == 3 and len(both["created"]["endpoints"]) == 9
    assert offered() == [(f"csvc-{x}-{suffix}", 3) for x in "abc"]

    # group b stops: check mode says what would go and deletes nothing
    dry = ensure([f"a-{suffix}"], check_mode=True)
    assert dry["deleted"]["services"] == [f"csvc-b-{suffix} (ctype-b-{suffix})", f"csvc-c-{suffix} (ctype-c-{suffix})"]
    assert len(dry["deleted"]["endpoints"]) == 6 and dry["changed"]
    assert len(offered()) == 3
    stopped = ensure([f"a-{suffix}"])
    assert stopped["deleted"] == dry["deleted"]
    assert offered() == [(f"csvc-a-{suffix}", 3)]
    # Keystone's own service is not in the table: left alone
    assert sandbox.connect().identity.find_service("keystone") is not None
    assert ensure([f"a-{suffix}"])["changed"] is False

    # group b starts again: its services and endpoints come back
    again = ensure(list(catalog))
    assert again["created"]["services"] == stopped["deleted"]["services"]
    assert offered() == [(f"csvc-{x}-{suffix}", 3) for x in "abc"]
    ensure([])
    assert offered() == []


def test_identity_resources_name_a_missing_reference(sandbox: Sandbox) -> None:
    reconciler = I.IdentityResources(sandbox.connect())
    with pytest.raises(I.IdentityError, match="user 'nobody-here' does not exist in domain 'default'"):
        reconciler.ensure({"role_assignments": [{"user": "nobody-here", "project": "admin", "role": "admin"}]})
    with pytest.raises(I.IdentityError, match="domain 'no-such-domain' does not exist"):
        I.IdentityResources(sandbox.connect()).ensure({"projects": [{"name": "x", "domain": "no-such-domain"}]})
    with pytest.raises(I.IdentityError, match="no service named \\(or of type\\) 'nothing'"):
        I.IdentityResources(sandbox.connect()).ensure(
            {"endpoints": [{"service": "nothing", "url": "http://127.0.0.1:1"}]})


def test_zz_absent_stops_keystone_and_keeps_other_clouds(sandbox: Sandbox) -> None:
    import yaml

    data = yaml.safe_load(sandbox.clouds_yaml.read_text())
    data["clouds"]["unrelated"] = {"auth": {"auth_url": "https://keystone.example.com/v3"}}
    sandbox.clouds_yaml.write_text(yaml.safe_dump(data))
    pid = sp.status("keystone", str(sandbox.state_dir / "run" / "keystone.pid")).session_pids
    result = sandbox.run("absent")
    assert result.returncode == 0, result.stdout[-3000:]
    assert [p for p in pid if sp.is_alive(p)] == []
    assert list((sandbox.state_dir / "run").glob("*.pid")) == []
    assert sorted(yaml.safe_load(sandbox.clouds_yaml.read_text())["clouds"]) == ["unrelated"]
    again = sandbox.run("absent")
    assert "changed=0" in recap(again), recap(again)
