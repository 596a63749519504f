"""Input checks of certify.yml (module_utils/certify_check.py) and the private clouds.yaml text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from ansible_collections.openinfra.interop.plugins.module_utils import certify_check as cc
from ansible_collections.openinfra.interop.plugins.module_utils import clouds_yaml
from ansible_collections.openinfra.interop.plugins.module_utils.openstack import AUTH_OPTIONS
from ansible_collections.openinfra.interop.plugins.module_utils.programs import validate_programs


@pytest.mark.parametrize("given, expected", [
    ("Object", ["object"]),
    ("storage", ["object"]),
    ("platform, DNS,,storage,object", ["platform", "dns", "object"]),
    (["Shared-File-System", "compute"], ["shared_file_system", "compute"]),
])
def test_programs_are_normalised_once(given: object, expected: list[str]) -> None:
    assert cc.normalise_programs(given) == expected
    assert validate_programs(expected) == expected


def test_the_roles_accept_documented_aliases() -> None:
    assert validate_programs(["Storage", "object"]) == ["object"]


def test_unknown_program_lists_what_the_guideline_offers() -> None:
    programs = cc.normalise_programs("Foo", any_addon=True)
    with pytest.raises(cc.InputError, match=r"program='Foo': 'foo' is not offered by guideline 2020\.06.*"
                       r"offers: platform, compute, object"):
        cc.check_guideline("", programs, program_value="Foo")


def test_addon_guideline_of_the_same_version() -> None:
    assert cc.check_guideline("2020.06", ["object", "dns"]) == {"object": "2020.06", "dns": "dns.2020.06"}


@pytest.mark.parametrize("given", ["", " , ", [], {"a": 1}, "obj ect"])
def test_bad_programs_name_the_variable(given: object) -> None:
    with pytest.raises(cc.InputError, match=r"^tempestconf_programs="):
        cc.normalise_programs(given, "tempestconf_programs")


def test_test_types() -> None:
    assert cc.normalise_test_types("Required, advisory,required") == ["required", "advisory"]
    with pytest.raises(cc.InputError, match="'bogus' is not a capability status"):
        cc.normalise_test_types(["required", "bogus"])


def test_results_dir(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    assert cc.check_results_dir("new/sub", str(tmp_path)) == str(tmp_path / "new" / "sub")
    assert cc.check_results_dir("", str(tmp_path)) == ""
    with pytest.raises(cc.InputError, match="results_dir='file': is a file"):
        cc.check_results_dir("file", str(tmp_path))
    with pytest.raises(cc.InputError, match="cannot be created"):
        cc.check_results_dir("file/sub", str(tmp_path))


def test_clouds_yaml_never_falls_back(tmp_path: Path) -> None:
    (tmp_path / "clouds.yaml").write_text("clouds: {other: {auth: {auth_url: 'http://x/v3'}}}\n")
    env = {"OS_CLIENT_CONFIG_FILE": str(tmp_path / "gone.yaml")}
    with pytest.raises(cc.InputError, match="OS_CLIENT_CONFIG_FILE=.*does not exist"):
        cc.find_clouds_yaml(None, env, str(tmp_path), str(tmp_path))
    assert cc.find_clouds_yaml(None, {}, str(tmp_path), str(tmp_path)) == str(tmp_path / "clouds.yaml")
    with pytest.raises(cc.InputError, match=r"cloud='mine': is not an entry of .*clouds\.yaml; accepted: the clouds it defines: other"):
        cc.check_cloud(str(tmp_path / "clouds.yaml"), "mine")
    (tmp_path / "bad.yaml").write_text("clouds: {a: [\n")
    with pytest.raises(cc.InputError, match="bad.yaml is not valid YAML"):
        cc.check_cloud(str(tmp_path / "bad.yaml"), "a")


def test_auth_checks_hide_secrets() -> None:
    auth = {"auth_url": "http://k/v3", "username": "u", "password": 12345}
    with pytest.raises(cc.InputError) as info:
        cc.check_auth(auth)
    assert "12345" not in str(info.value) and "auth.password=" in str(info.value)
    with pytest.raises(cc.InputError, match="lacks password"):
        cc.check_auth({"auth_url": "http://k/v3", "username": "u"})


def test_one_list_of_auth_options() -> None:
    assert set(AUTH_OPTIONS) == set(clouds_yaml.AUTH_KEYS)
    assert {k for k, v in AUTH_OPTIONS.items() if v["no_log"]} == set(clouds_yaml.SECRET_KEYS)


def test_private_clouds_yaml_keeps_any_password() -> None:
    password = "p%w$'\"{{ x }}\U0001F600é"
    text = clouds_yaml.private_text("tempestconf", {"auth": {"password": password}})
    assert "\\ud83d" not in text
    back = yaml.safe_load(text)["clouds"]["tempestconf"]["auth"]["password"]
    assert back == password
    back.encode("utf-8")  # no lone surrogates


def test_readable_file(tmp_path: Path) -> None:
    with pytest.raises(cc.InputError, match="does not exist"):
        cc.check_readable_file(str(tmp_path / "none"), "refstack_key", "private key")
    with pytest.raises(cc.InputError, match="not a regular file"):
        cc.check_readable_file(str(tmp_path), "refstack_key", "private key")
    assert os.path.isabs(cc.check_readable_file(__file__, "x", "y"))
