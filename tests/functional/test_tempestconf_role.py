# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The tempestconf role against a REAL Keystone + Swift: its failure modes and its secrets.

What runs: the ``openinfra.interop.sandbox_cloud`` role brings a sandbox cloud up on 127.0.0.1
(ports 62000, 62080, 62200-62202, 62211, 62140 - outside Linux's ephemeral range and
the ports of other scenarios; state under pytest's base temp, i.e. under
``$OII_TEST_STATE`` with scripts/test.sh, so leftover processes are stopped by PID) and takes it
down (state absent) in the session finalizer, also when a test fails. Set
``OII_TEMPESTCONF_CLOUDS_YAML`` (and ``OII_TEMPESTCONF_CLOUD``, default ``sandbox``) to use an
already running cloud instead. The Tempest virtualenv is
``${OPENINFRA_INTEROP_HOME:-~/.cache/openinfra-interop}/tempest-venv`` (shared with the Molecule
scenario; the role creates it when missing).

Each test runs the role with ``ansible-playbook`` and checks the ONE clear error it stops with
(unreachable auth URL, rejected credentials, a service a program needs missing from the catalog,
a non-admin user in admin mode, discovery crashing, discovery marking every service of the
program unavailable, bad variables), that passwords with ``%`` and ``$`` survive discovery, and
that ``-vvv`` output holds neither the admin password nor any account password.

Run: ``pytest tests/functional/test_tempestconf_role.py`` with the dev venv's pytest.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
INTEROP_HOME = Path(os.environ.get("OPENINFRA_INTEROP_HOME") or Path.home() / ".cache" / "openinfra-interop")
TEMPEST_VENV = INTEROP_HOME / "tempest-venv"
SANDBOX_VENV = INTEROP_HOME / "sandbox-venv"
PORTS = {
    "sandbox_cloud_keystone_port": 62000,
    "sandbox_cloud_swift_proxy_port": 62080,
    "sandbox_cloud_swift_object_port": 62200,
    "sandbox_cloud_swift_container_port": 62201,
    "sandbox_cloud_swift_account_port": 62202,
    "sandbox_cloud_memcached_port": 62211,
    "sandbox_cloud_syslog_port": 62140,
}
# A password python-tempestconf's configparser chokes on and oslo.config would substitute.
NASTY = "Pc%t$x%(y)s%" + secrets.token_hex(4)


def _collection_path() -> str:
    tree = Path(tempfile.mkdtemp(prefix="oii-functional-"))
    (tree / "ansible_collections" / "openinfra").mkdir(parents=True)
    os.symlink(ROOT, tree / "ansible_collections" / "openinfra" / "interop")
    return str(tree)


COLLECTIONS = _collection_path()


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update(
        ANSIBLE_COLLECTIONS_PATH=COLLECTIONS,
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_HOST_KEY_CHECKING="False",
        ANSIBLE_RETRY_FILES_ENABLED="False",
        PATH=f"{BIN}:{os.environ.get('PATH', '')}",
    )
    return env


def _playbook(tmp: Path, role: str, variables: dict[str, Any], args: list[str] | None = None,
              timeout: int = 1800) -> subprocess.CompletedProcess[str]:
    tmp.mkdir(parents=True, exist_ok=True)
    play = tmp / f"play-{role}-{time.monotonic_ns()}.yml"
    play.write_text(
        "- hosts: localhost\n  gather_facts: false\n  roles:\n"
        f"    - role: openinfra.interop.{role}\n"
        "  post_tasks:\n"
        "    - name: Show the fact\n"
        "      ansible.builtin.debug:\n"
        "        var: tempestconf_discovery\n"
        f"      when: {'true' if role == 'tempestconf' else 'false'}\n"
    )
    extra = tmp / f"vars-{time.monotonic_ns()}.json"
    extra.write_text(json.dumps(variables))
    extra.chmod(0o600)
    cmd = [str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local",
           "-e", f"ansible_python_interpreter={sys.executable}", "-e", f"@{extra}", str(play)]
    return subprocess.run(cmd + (args or []), env=_env(), capture_output=True, text=True, timeout=timeout,
                          check=False)


def _fatal_messages(output: str) -> list[str]:
    return re.findall(r'^fatal: \[localhost\]: FAILED! => (.*)$', output, re.M)


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(scope="session")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """clouds.yaml path, admin cloud name and admin auth of a running cloud."""
    given = os.environ.get("OII_TEMPESTCONF_CLOUDS_YAML")
    name = os.environ.get("OII_TEMPESTCONF_CLOUD", "sandbox")
    base = tmp_path_factory.mktemp("tempestconf-cloud")
    variables: dict[str, Any] = {}
    if not given:
        busy = [p for p in PORTS.values() if not _port_free(p)]
        if busy:
            pytest.fail(f"ports {busy} on 127.0.0.1 are in use; the sandbox of this test needs them")
        variables = dict(
            PORTS,
            sandbox_cloud_state="present",
            sandbox_cloud_state_dir=str(base / "sandbox"),
            sandbox_cloud_venv=str(SANDBOX_VENV),
            sandbox_cloud_clouds_yaml=str(base / "clouds.yaml"),
        )
    try:
        if not given:
            start = time.monotonic()
            proc = _playbook(base, "sandbox_cloud", variables)
            assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
            print(f"sandbox up in {time.monotonic() - start:.0f} s")
        clouds_yaml = Path(given or base / "clouds.yaml")
        entry = yaml.safe_load(clouds_yaml.read_text())["clouds"][name]
        yield {"clouds_yaml": str(clouds_yaml), "cloud": name, "auth": entry["auth"],
               "region": entry.get("region_name", "RegionOne")}
    finally:
        if not given:
            down = dict(variables, sandbox_cloud_state="absent", sandbox_cloud_wipe=True)
            proc = _playbook(base, "sandbox_cloud", down)
            if proc.returncode != 0:  # stop by PID whatever the role could not
                for pidfile in (base / "sandbox").rglob("*.pid"):
                    try:
                        os.kill(int(pidfile.read_text().strip()), 15)
                    except (ValueError, OSError):
                        pass


@pytest.fixture(scope="session")
def users(cloud: dict[str, Any]) -> Iterator[dict[str, dict[str, str]]]:
    """An admin and a member whose passwords hold % and $, made through the Keystone API."""
    import openstack  # noqa: PLC0415 (dev venv)

    conn = openstack.connect(load_yaml_config=False, load_envvars=False, auth=cloud["auth"],
                             region_name=cloud["region"])
    tag = secrets.token_hex(3)
    project = conn.identity.create_project(name=f"tc-func-{tag}", domain_id="default")
    admin_project = conn.identity.find_project("admin", domain_id="default")
    roles = {r.name: r for r in conn.identity.roles()}
    made = []
    result: dict[str, dict[str, str]] = {}
    for kind, proj, role in (("admin", admin_project, "admin"), ("member", project, "member")):
        password = f"{NASTY}-{kind}"
        user = conn.identity.create_user(name=f"tc-{kind}-{tag}", password=password, domain_id="default",
                                         default_project_id=proj.id)
        conn.identity.assign_project_role_to_user(proj, user, roles[role])
        made.append(user)
        result[kind] = {
            "auth_url": cloud["auth"]["auth_url"], "username": user.name, "password": password,
            "project_name": proj.name, "user_domain_name": "Default", "project_domain_name": "Default",
        }
    try:
        yield result
    finally:
        for user in made:
            conn.identity.delete_user(user, ignore_missing=True)
        conn.identity.delete_project(project, ignore_missing=True)


@pytest.fixture()
def base_vars(cloud: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    return {
        "tempestconf_venv": str(TEMPEST_VENV),
        "tempestconf_workdir": str(tmp_path / "ws"),
        "tempestconf_clouds_yaml": cloud["clouds_yaml"],
        "tempestconf_cloud": cloud["cloud"],
        "tempestconf_programs": ["object"],
        "tempestconf_accounts_concurrency": 1,
    }


def _expect_failure(tmp: Path, variables: dict[str, Any], pattern: str) -> str:
    proc = _playbook(tmp, "tempestconf", variables)
    assert proc.returncode != 0, proc.stdout[-3000:]
    fatals = _fatal_messages(proc.stdout)
    assert len(fatals) == 1, proc.stdout[-3000:]
    msg = json.loads(fatals[0])["msg"]
    assert re.search(pattern, msg), msg
    assert "Traceback" not in msg
    return msg


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ------------------------------------------------------------------------------- failures


def test_bad_variables_fail_before_anything_is_installed(tmp_path: Path) -> None:
    variables = {"tempestconf_cloud": "x", "tempestconf_auth": {"auth_url": "http://127.0.0.1:1/v3"},
                 "tempestconf_venv": str(tmp_path / "venv"), "tempestconf_workdir": str(tmp_path / "ws")}
    msg = _expect_failure(tmp_path, variables, r"give exactly one of tempestconf_cloud .* or\s+tempestconf_auth")
    assert not (tmp_path / "venv").exists()
    _expect_failure(tmp_path, dict(variables, tempestconf_auth={}, tempestconf_programs=["objects"]),
                    r"tempestconf_programs.*objects")
    assert msg


def test_unreachable_auth_url(base_vars: dict[str, Any], tmp_path: Path) -> None:
    port = _free_port()
    variables = dict(base_vars, tempestconf_cloud="", tempestconf_auth={
        "auth_url": f"http://127.0.0.1:{port}/v3", "username": "admin", "password": "x",
        "project_name": "admin", "user_domain_name": "Default", "project_domain_name": "Default"})
    _expect_failure(tmp_path, variables, rf"^Cannot reach the auth URL http://127\.0\.0\.1:{port}/v3: .*refused")


def test_rejected_credentials(base_vars: dict[str, Any], cloud: dict[str, Any], tmp_path: Path) -> None:
    wrong = f"wrong-{NASTY}"
    variables = dict(base_vars, tempestconf_cloud="", tempestconf_auth=dict(cloud["auth"], password=wrong))
    msg = _expect_failure(tmp_path, variables,
                          r"^Authentication failed at http://127\.0\.0\.1:\d+/v3: the credentials were "
                          r"rejected \(HTTP 401\) - .*username 'admin', user_domain_name 'Default', "
                          r"project_name 'admin'")
    assert wrong not in msg


def test_service_of_a_program_missing_from_the_catalog(base_vars: dict[str, Any], tmp_path: Path) -> None:
    # no plugin install for dns: the preflight must stop the run, not pip
    variables = dict(base_vars, tempestconf_programs=["object", "dns"], tempestconf_plugin_packages={})
    _expect_failure(tmp_path, variables,
                    r"^Preflight failed: the service catalog of cloud 'sandbox' has no service of type 'dns' "
                    r"\(needed by program dns\)\. Service types in the catalog: identity, object-store\.$")
    assert not (tmp_path / "ws" / "discovery-report.json").exists()


def test_admin_mode_needs_an_admin(base_vars: dict[str, Any], users: dict[str, dict[str, str]],
                                   tmp_path: Path) -> None:
    variables = dict(base_vars, tempestconf_cloud="", tempestconf_auth=users["member"])
    _expect_failure(tmp_path, variables, r"has no admin role \(its roles: member, reader\)")


def test_discovery_crash_is_one_error_with_the_log(base_vars: dict[str, Any], tmp_path: Path) -> None:
    variables = dict(base_vars, tempestconf_profile={"password_regex": "[", "password_length": 8})
    msg = _expect_failure(tmp_path, variables,
                          r"^discover-tempest-config failed \(exit code 1\); full log: .*/logs/discover-tempest\.log\. "
                          r"Last errors: .*The provided regex \[ is invalid")
    log = Path(base_vars["tempestconf_workdir"]) / "logs" / "discover-tempest.log"
    assert oct(log.stat().st_mode & 0o777) == "0o600"
    assert msg


def test_every_service_unavailable_fails_loudly(base_vars: dict[str, Any], tmp_path: Path) -> None:
    # what a failed service listing looks like in tempest.conf, forced through an override
    variables = dict(base_vars, tempestconf_overrides={"service_available.swift": False},
                     tempestconf_accounts_source="none")
    _expect_failure(tmp_path, variables,
                    r"^Discovery marked EVERY service of the selected programs unavailable .*swift \(program object\)")


# ------------------------------------------------------------------------------- secrets


def _tempest_run(workdir: Path, regex: str) -> str:
    proc = subprocess.run([str(TEMPEST_VENV / "bin" / "tempest"), "run", "--regex", regex], cwd=workdir,
                          capture_output=True, text=True, timeout=900, check=False,
                          env={k: v for k, v in os.environ.items() if not k.startswith(("OS_", "TEMPEST_"))})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    return proc.stdout


def _passwords(accounts_yaml: Path) -> list[str]:
    return [a["password"] for a in yaml.safe_load(accounts_yaml.read_text())]


def test_percent_and_dollar_passwords_work_and_never_show_in_vvv(
    base_vars: dict[str, Any], cloud: dict[str, Any], users: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    admin, member = users["admin"], users["member"]
    secrets_seen = [admin["password"], member["password"], cloud["auth"]["password"]]

    # 1. admin mode, explicit credentials with % and $, generated accounts; -vvv
    ws_admin = tmp_path / "ws-admin"
    admin_vars = dict(base_vars, tempestconf_cloud="", tempestconf_auth=admin, tempestconf_workdir=str(ws_admin),
                      tempestconf_accounts_source="generate")
    start = time.monotonic()
    proc = _playbook(tmp_path, "tempestconf", admin_vars, ["-vvv"])
    assert proc.returncode == 0, proc.stdout[-4000:]
    print(f"admin run (discovery + account-generator) {time.monotonic() - start:.0f} s")
    out = proc.stdout + proc.stderr
    generated = _passwords(ws_admin / "etc" / "accounts.yaml")
    for secret in secrets_seen + generated:
        assert secret not in out
    conf = (ws_admin / "etc" / "tempest.conf").read_text()
    assert f"admin_password = {admin['password'].replace('$', '$$')}\n" in conf
    # --create made its demo users with passwords of their own and removed them again
    import openstack  # noqa: PLC0415 (dev venv)

    conn = openstack.connect(load_yaml_config=False, load_envvars=False, auth=cloud["auth"],
                             region_name=cloud["region"])
    for name in ("demo_tempestconf", "alt_demo_tempestconf"):
        assert not list(conn.identity.users(name=name)), name
    assert not list(conn.identity.projects(name="alt_demo"))
    # the sandbox's own project demo stays, without the admin role --create gave the user under test
    demo = conn.identity.find_project("demo", domain_id="default")
    tested = conn.identity.find_user(admin["username"], domain_id="default")
    assert demo is not None and not list(conn.identity.role_assignments(user_id=tested.id, scope_project_id=demo.id))
    demo_password = re.search(r"(?m)^password = (.+)$", conf).group(1)
    assert demo_password != "secrete"
    log = (ws_admin / "logs" / "discover-tempest.log").read_text()
    assert "secrete" not in log and demo_password not in log and "password '***'" in log
    # Tempest (oslo.config) authenticates with it: dynamic credentials need the admin
    run = _tempest_run(ws_admin, r"test_account_services\.AccountTest\.test_list_containers_with_marker")
    assert re.search(r"(?m)^ - Passed: 2$", run), run

    # second run: nothing changes
    proc = _playbook(tmp_path, "tempestconf", admin_vars)
    assert re.search(r"localhost\s*: ok=\d+\s+changed=0 .*failed=0", proc.stdout), proc.stdout[-2000:]

    # 2. non-admin mode from given credentials (a member whose password holds % and $); -vvv
    ws_member = tmp_path / "ws-member"
    member_vars = dict(base_vars, tempestconf_cloud="", tempestconf_auth=member, tempestconf_workdir=str(ws_member),
                       tempestconf_mode="non_admin",
                       tempestconf_accounts=[{k: member[k] for k in ("username", "password", "project_name")}
                                             | {"domain_name": "Default", "roles": ["member"]}])
    proc = _playbook(tmp_path, "tempestconf", member_vars, ["-vvv"])
    assert proc.returncode == 0, proc.stdout[-4000:]
    for secret in secrets_seen:
        assert secret not in proc.stdout + proc.stderr
    # one account: a test class that needs only the operator (AccountTest needs two)
    run = _tempest_run(ws_member, r"test_container_services\.ContainerTest\.test_create_container\[")
    assert re.search(r"(?m)^ - Passed: 1$", run), run

    # 3. non-admin mode with generated accounts (discovery as a generated account); -vvv
    ws_gen = tmp_path / "ws-generated"
    gen_vars = dict(base_vars, tempestconf_workdir=str(ws_gen), tempestconf_mode="non_admin")
    start = time.monotonic()
    proc = _playbook(tmp_path, "tempestconf", gen_vars, ["-vvv"])
    assert proc.returncode == 0, proc.stdout[-4000:]
    print(f"non-admin run (admin discovery + account-generator + non-admin discovery) {time.monotonic() - start:.0f} s")
    for secret in secrets_seen + _passwords(ws_gen / "etc" / "accounts.yaml"):
        assert secret not in proc.stdout + proc.stderr
    report = json.loads((ws_gen / "discovery-report.json").read_text())
    assert report["credentials"]["dynamic"] is False and report["expected_skips"]


def test_check_mode_changes_nothing(base_vars: dict[str, Any], tmp_path: Path) -> None:
    ws = Path(base_vars["tempestconf_workdir"])
    proc = _playbook(tmp_path, "tempestconf", base_vars, ["--check"])
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert not ws.exists()
    proc = _playbook(tmp_path, "tempestconf", dict(base_vars, tempestconf_accounts_source="none"))
    assert proc.returncode == 0, proc.stdout[-3000:]
    before = {p: p.stat().st_mtime_ns for p in ws.rglob("*") if p.is_file()}
    proc = _playbook(tmp_path, "tempestconf", dict(base_vars, tempestconf_accounts_source="none"), ["--check"])
    assert re.search(r"localhost\s*: ok=\d+\s+changed=0 .*failed=0", proc.stdout), proc.stdout[-3000:]
    # a changed input: check mode reports the change and does not run discovery
    proc = _playbook(tmp_path, "tempestconf", dict(base_vars, tempestconf_accounts_source="none",
                                                   tempestconf_overrides={"compute.build_timeout": 300}),
                     ["--check"])
    assert re.search(r"localhost\s*: ok=\d+\s+changed=1 .*failed=0", proc.stdout), proc.stdout[-3000:]
    assert before == {p: p.stat().st_mtime_ns for p in ws.rglob("*") if p.is_file()}
    shutil.rmtree(ws)
