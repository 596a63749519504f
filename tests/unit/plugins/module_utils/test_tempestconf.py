# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Escaping, profile, report and accounts logic of the discovery (fixtures recorded from python-tempestconf)."""

from __future__ import annotations

import configparser
import json
import os
import stat
from pathlib import Path

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils import tempestconf as tc

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "tempestconf"
NASTY = "Pc%t$x%(y)s%"  # what account-generator / operators can produce: %, %( and $


def test_escaped_value_survives_configparser_like_tempestconf_uses_it() -> None:
    parser = configparser.ConfigParser()
    parser.add_section("auth")
    with pytest.raises(ValueError):
        parser.set("auth", "admin_password", NASTY)  # the crash the escaping avoids
    parser.set("auth", "admin_password", tc.escape_percent(NASTY))
    assert parser.get("auth", "admin_password") == NASTY  # what python-tempestconf authenticates with
    assert tc.unescape_percent(tc.escape_percent(NASTY)) == NASTY
    assert tc.unescape_percent("a%(b)s%%") == "a%(b)s%%"  # a reference is left alone


def test_deployer_input_is_escaped_twice() -> None:
    text = tc.render_ini({"identity": {"password": "a%b", "flag": True, "list": ["x", "y"]}}, value_escape=2)
    first = configparser.ConfigParser()
    first.optionxform = str
    first.read_string(text)
    value = first.get("identity", "password")  # python-tempestconf reads the file ...
    second = configparser.ConfigParser()
    second.add_section("identity")
    second.set("identity", "password", value)  # ... and sets every value again
    assert second.get("identity", "password") == "a%b"
    assert first.get("identity", "flag") == "True" and first.get("identity", "list") == "x,y"
    with pytest.raises(tc.TempestconfError, match="must be a mapping"):
        tc.render_ini({"identity": "x"})


def test_finalize_unescapes_percent_and_doubles_dollar_in_passwords() -> None:
    raw = (FIXTURES / "discovered-admin-raw.conf").read_text(encoding="utf-8")
    final = tc.finalize_tempest_conf(raw)
    assert "admin_password = Pc%t$$x%(y)s%\n" in final
    assert "Pc%%" not in final
    # only that line changed
    changed = [(a, b) for a, b in zip(raw.splitlines(), final.splitlines()) if a != b]
    assert len(changed) == 1 and len(raw.splitlines()) == len(final.splitlines())


def test_finalized_password_reads_back_through_oslo_config(tmp_path) -> None:
    cfg = pytest.importorskip("oslo_config.cfg")  # Tempest's config library, when installed
    target = tmp_path / "tempest.conf"
    target.write_text(tc.finalize_tempest_conf((FIXTURES / "discovered-admin-raw.conf").read_text()))
    conf = cfg.ConfigOpts()
    conf.register_opt(cfg.StrOpt("admin_password"), group="auth")
    conf([], default_config_files=[str(target)])
    assert conf.auth.admin_password == NASTY


def test_build_profile_sets_the_module_keys_and_escapes_overrides() -> None:
    profile = tc.build_profile(
        {"create": True, "overrides": {"identity.password": "a%b", "compute.flag": False}, "flavor_min_mem": "64"},
        "cloud-x",
        "/w/etc/out.conf",
        "/w/etc/deployer.conf",
    )
    assert profile["os_cloud"] == "cloud-x" and profile["out"] == "/w/etc/out.conf"
    assert profile["no_default_deployer"] is True and profile["debug"] is False  # debug logs passwords
    assert profile["overrides"] == {"identity.password": "a%%b", "compute.flag": "False"}
    assert profile["flavor_min_mem"] == 64 and profile["deployer_input"] == "/w/etc/deployer.conf"


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ({"create": True, "non_admin": True}, "cannot both be true"),
        ({"create": True, "test_accounts": "a.yaml"}, "admin_domain_name"),
        ({"os_cloud": "x"}, "set by the module"),
        ({"overrides": {"nodot": "x"}}, "exactly one dot"),
        ({"append": {"a.b.c": "x"}}, "exactly one dot"),
        ({"flavor_min_mem": "lots"}, "must be an integer"),
    ],
)
def test_build_profile_rejects_bad_input(args, match) -> None:
    with pytest.raises(tc.TempestconfError, match=match):
        tc.build_profile(args, "c", "o", None)


def test_endpoint_type_overrides_cover_core_and_plugin_sections() -> None:
    overrides = tc.endpoint_type_overrides("public")
    assert overrides["identity.v3_endpoint_type"] == "public"
    assert overrides["object-storage.endpoint_type"] == "public"
    assert {"dns.endpoint_type", "heat_plugin.endpoint_type", "share.endpoint_type"} <= set(overrides)
    with pytest.raises(tc.TempestconfError, match="publicURL"):
        tc.endpoint_type_overrides("publicURL")


def test_report_of_the_admin_discovery() -> None:
    report = tc.parse_discovery((FIXTURES / "discovered-admin-raw.conf").read_text(), ["object"], "admin")
    assert report["services"]["swift"] is True and report["services"]["nova"] is False
    assert report["available_services"] == ["swift"]
    assert report["required_services"] == {"object": {"swift": True}}
    assert report["api_versions"]["identity"] == {"v2": False, "v3": True}
    assert "tempurl" in report["extensions"]["object-storage"]
    assert report["credentials"]["dynamic"] is True and report["expected_skips"] == []
    assert "password" not in json.dumps(report).lower().replace("password_", "")
    assert tc.availability_problem(report, allow_partial=False) is None


def test_report_of_the_non_admin_discovery_explains_the_missing_test() -> None:
    report = tc.parse_discovery((FIXTURES / "discovered-non-admin.conf").read_text(), ["object"], "non_admin")
    assert report["credentials"]["dynamic"] is False
    assert report["credentials"]["test_accounts_file"].endswith("accounts.yaml")
    assert report["object_storage"]["operator_role"] == "member"  # not python-tempestconf's 'Member'
    [skip] = report["expected_skips"]
    assert skip["test"].endswith("AccountTest.test_list_containers_with_marker")
    assert "use_dynamic_credentials" in skip["reason"] and "57 of 58" in skip["reason"]
    assert tc.parse_discovery((FIXTURES / "discovered-non-admin.conf").read_text(), ["dns"], "x")["expected_skips"] == []


def test_report_says_whether_validation_runs() -> None:
    text = (FIXTURES / "discovered-admin-raw.conf").read_text()
    assert tc.parse_discovery(text, ["object"], "admin")["validation"]["run_validation"] is False
    text += "\n[validation]\nrun_validation = True\nconnect_method = floating\nimage_ssh_user = cirros\n"
    assert tc.parse_discovery(text, ["object"], "admin")["validation"] == {
        "run_validation": True, "connect_method": "floating", "image_ssh_user": "cirros"}


def test_every_service_unavailable_is_a_loud_error() -> None:
    text = (FIXTURES / "discovered-admin-raw.conf").read_text().replace("swift = True", "swift = False")
    report = tc.parse_discovery(text, ["object"], "admin")
    problem = tc.availability_problem(report, allow_partial=True)
    assert problem and "EVERY service" in problem and "swift (program object)" in problem


def test_partial_availability_fails_unless_allowed() -> None:
    report = tc.parse_discovery((FIXTURES / "discovered-admin-raw.conf").read_text(), ["object", "dns"], "admin")
    problem = tc.availability_problem(report, allow_partial=False)
    assert problem and "designate (program dns)" in problem and "EVERY" not in problem
    assert tc.availability_problem(report, allow_partial=True) is None


ACCOUNTS = [
    {"username": "p", "password": "a%1", "project_name": "t1", "domain_name": "Default"},
    {"username": "sys", "password": "a%2", "system": "all", "roles": ["member"]},
    {"username": "r", "password": "a%3", "project_name": "t2", "domain_name": "D", "roles": ["reader"]},
    {"username": "m", "password": "a%4", "project_name": "t2", "domain_name": "D", "roles": ["member"]},
    {"username": "adm", "password": "a%5", "project_name": "t3", "types": ["admin"]},
]


def test_discovery_account_is_a_project_member() -> None:
    account = tc.pick_discovery_account(ACCOUNTS, "member")
    assert account["username"] == "m"
    auth = tc.account_auth(account, "http://k/v3")
    assert auth == {
        "auth_url": "http://k/v3", "username": "m", "password": "a%4", "project_name": "t2",
        "user_domain_name": "D", "project_domain_name": "D",
    }
    assert tc.pick_discovery_account(ACCOUNTS, "Member")["username"] == "p"  # primary, no roles
    with pytest.raises(tc.TempestconfError, match="No account"):
        tc.pick_discovery_account([ACCOUNTS[1], ACCOUNTS[2], ACCOUNTS[4]], "member")


def test_accounts_validation_names_the_bad_entry() -> None:
    assert len(tc.validate_accounts(ACCOUNTS, "f")) == 5
    with pytest.raises(tc.TempestconfError, match="account 'x' lacks password, project_name"):
        tc.validate_accounts([{"username": "x"}], "f")
    with pytest.raises(tc.TempestconfError, match="unknown key"):
        tc.validate_accounts([{"username": "x", "password": "y", "project_name": "z", "tenant": 1}], "f")
    with pytest.raises(tc.TempestconfError, match="non-empty list"):
        tc.validate_accounts({}, "f")
    assert all("password" not in a for a in tc.summarize_accounts(ACCOUNTS))


def test_digest_depends_on_salt_and_inputs() -> None:
    salt = b"0" * 16
    a = tc.digest({"password": "x"}, salt)
    assert a == tc.digest({"password": "x"}, salt) != tc.digest({"password": "y"}, salt)
    assert a != tc.digest({"password": "x"}, b"1" * 16) and "x" not in a
    assert tc.state_salt({"salt": "ab" * 16}) == bytes.fromhex("ab" * 16)
    assert len(tc.state_salt({"salt": "nothex"})) == 16


def test_write_private_is_atomic_idempotent_and_0600(tmp_path) -> None:
    target = tmp_path / "accounts.yaml"
    assert tc.write_private(str(target), "a") is True
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert tc.write_private(str(target), "a") is False
    os.chmod(target, 0o644)
    assert tc.write_private(str(target), "a") is True and stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert tc.write_private(str(target), "b") is True and target.read_text() == "b"
    assert [p.name for p in tmp_path.iterdir()] == ["accounts.yaml"]


def _upstream_edit_identity_url(self, url):  # python-tempestconf 3.5.4, Services.edit_identity_url
    import urllib.parse
    port = urllib.parse.urlparse(self._clients.auth_provider.auth_url).port
    port = "" if port is None else ":" + str(port)
    return url.replace("/identity", port + "/identity/" + self._creds.identity_version)


class _Credentials25:  # python-tempestconf 2.5.0 (Debian 12), the parts the wrapper replaces
    def __init__(self, conf, admin):
        self._conf, self.admin, self.identity_version = conf, admin, "v3"

    def get_credential(self, key):
        return self._conf.get_defaulted("auth", "admin_" + key) if self.admin else self._conf.get_defaulted("identity", key)

    def _get_creds_kwargs(self):
        return {"username": "u", "password": "p", "project_name": "pr", "domain_name": "Default",
                "user_domain_name": "Default"}


class _Credentials3(_Credentials25):  # 3.x reads the domains itself: the wrapper leaves it alone
    def get_ssl_certificate_validation(self):
        return {}


class _Conf(dict):
    def get_defaulted(self, section, key):
        return self.get(f"{section}.{key}", "")


def _run_wrapper(monkeypatch, credentials_class):
    """Run DISCOVERY_WRAPPER against python-tempestconf's module layout; return the patched modules."""
    import sys
    import types

    services_mod = types.ModuleType("config_tempest.services.services")
    services_mod.Services = type("Services", (), {"edit_identity_url": _upstream_edit_identity_url})
    credentials_mod = types.ModuleType("config_tempest.credentials")
    credentials_mod.Credentials = type("Credentials", (credentials_class,), {})
    main_mod = types.ModuleType("config_tempest.main")
    main_mod.main = lambda: 0
    for name, mod in (("config_tempest", types.ModuleType("config_tempest")),
                      ("config_tempest.services", types.ModuleType("config_tempest.services")),
                      ("config_tempest.services.services", services_mod),
                      ("config_tempest.credentials", credentials_mod), ("config_tempest.main", main_mod)):
        monkeypatch.setitem(sys.modules, name, mod)
    sys.modules["config_tempest.services"].services = services_mod
    sys.modules["config_tempest"].credentials = credentials_mod
    monkeypatch.setattr(sys, "argv", ["-c", "--profile", "p.yaml"])
    with pytest.raises(SystemExit) as done:
        exec(tc.DISCOVERY_WRAPPER, {"__name__": "__main__"})  # noqa: S102 - the wrapper's own code
    assert done.value.code == 0 and sys.argv == ["discover-tempest-config", "--profile", "p.yaml"]
    return services_mod, credentials_mod


def _patched_services(monkeypatch, auth_url: str):
    """The wrapper's patched Services of python-tempestconf 3.x."""
    import types

    services_mod = _run_wrapper(monkeypatch, _Credentials3)[0]
    services = services_mod.Services()
    services._clients = types.SimpleNamespace(auth_provider=types.SimpleNamespace(auth_url=auth_url))
    services._creds = types.SimpleNamespace(identity_version="v3")
    return services


@pytest.mark.parametrize(("auth_url", "catalog_url", "expected"), [
    # Keystone under a path on an explicit port (upstream: https://cloud:8443:8443/identity/v3)
    ("https://cloud:8443/identity/v3", "https://cloud:8443/identity", "https://cloud:8443/identity/v3"),
    ("https://cloud:8443/identity/v3", "https://cloud:8443/identity/v3", "https://cloud:8443/identity/v3"),
    # devstack's layout keeps upstream's rewrite
    ("http://10.0.0.5/identity/v3", "http://10.0.0.5/identity", "http://10.0.0.5/identity/v3"),
])
def test_discovery_wrapper_keeps_the_port_of_an_identity_url(monkeypatch, auth_url, catalog_url, expected) -> None:
    services = _patched_services(monkeypatch, auth_url)
    assert services.edit_identity_url(catalog_url) == expected
    if ":8443" in auth_url:  # what the patch avoids
        assert _upstream_edit_identity_url(services, catalog_url).startswith("https://cloud:8443:8443/")


def test_discovery_command_runs_the_wrapper_with_the_venv_python() -> None:
    argv = tc.discovery_command("/venv/bin/discover-tempest-config", "/ws/etc/p.yaml")
    assert argv == ["/venv/bin/python", "-c", tc.DISCOVERY_WRAPPER, "--profile", "/ws/etc/p.yaml"]


def test_non_admin_domains_go_where_tempestconf_and_tempest_read_them() -> None:
    auth = {"username": "tenant", "user_domain_name": "Certifiers", "project_domain_name": "Projects"}
    assert tc.non_admin_domain_overrides(auth) == {
        "identity.user_domain_name": "Certifiers",
        "identity.project_domain_name": "Projects",
        "auth.default_credentials_domain_name": "Projects",
    }
    assert set(tc.non_admin_domain_overrides({"domain_name": "D"}).values()) == {"D"}
    assert set(tc.non_admin_domain_overrides({}).values()) == {"Default"}


def test_non_admin_default_domain_is_the_project_domain_the_user_may_read() -> None:
    overrides = tc.non_admin_domain_overrides({"project_domain_name": "interop"}, "5f0c9a")
    assert overrides["identity.default_domain_id"] == "5f0c9a"
    assert overrides["auth.default_credentials_domain_name"] == "interop"
    # no id known (check mode, nothing to read): Tempest keeps its own default
    assert "identity.default_domain_id" not in tc.non_admin_domain_overrides({"project_domain_name": "interop"})


def test_tls_settings_of_the_profile_reach_tempest() -> None:
    assert tc.tls_overrides(True, "/etc/pki/ca.pem") == {
        "identity.disable_ssl_certificate_validation": "False",
        "identity.ca_certificates_file": "/etc/pki/ca.pem",
    }
    assert tc.tls_overrides(False, "/etc/pki/ca.pem") == {"identity.disable_ssl_certificate_validation": "True"}
    assert tc.tls_overrides(True, "") == {"identity.disable_ssl_certificate_validation": "False"}


@pytest.mark.parametrize("admin", [True, False])
def test_discovery_wrapper_gives_python_tempestconf_2_5_the_domains_of_the_credentials(monkeypatch, admin) -> None:
    # what the module writes for each mode (admin_domain_overrides / non_admin_domain_overrides)
    auth = {"user_domain_name": "Certifiers", "project_domain_name": "Projects"}
    conf = _Conf(tc.admin_domain_overrides(auth) if admin else tc.non_admin_domain_overrides(auth))
    credentials = _run_wrapper(monkeypatch, _Credentials25)[1]
    kwargs = credentials.Credentials(conf, admin)._get_creds_kwargs()
    assert (kwargs["user_domain_name"], kwargs["project_domain_name"]) == ("Certifiers", "Projects")
    assert kwargs["username"] == "u"


def test_discovery_wrapper_leaves_python_tempestconf_3_alone(monkeypatch) -> None:
    credentials = _run_wrapper(monkeypatch, _Credentials3)[1]
    assert "_get_creds_kwargs" not in vars(credentials.Credentials)
    assert credentials.Credentials(_Conf(), True)._get_creds_kwargs()["user_domain_name"] == "Default"


def test_admin_domains_are_written_only_when_the_credentials_name_them() -> None:
    assert tc.admin_domain_overrides({"user_domain_name": "U", "project_domain_name": "P"}) == {
        "auth.admin_user_domain_name": "U", "auth.admin_project_domain_name": "P"}
    assert tc.admin_domain_overrides({"user_domain_id": "abc"}) == {}
