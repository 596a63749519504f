# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Merging entries into and removing them from clouds.yaml."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import yaml

from ansible_collections.openinfra.interop.plugins.module_utils import clouds_yaml as C

SANDBOX = {"auth": {"auth_url": "http://127.0.0.1:5000/v3", "username": "admin",
                    "password": "s3cret", "project_name": "admin"},
           "region_name": "RegionOne"}
DEMO = {"auth": {"auth_url": "http://127.0.0.1:5000/v3", "username": "demo",
                 "password": "d3mo", "project_name": "demo"}}
OTHER = {"clouds": {"prod": {"auth": {"auth_url": "https://keystone.example.com/v3"}}},
         "ansible": {"use_hostnames": True}}


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_creates_the_file_and_its_directory_private(tmp_path: Path) -> None:
    path = tmp_path / "openstack" / "clouds.yaml"
    result = C.ensure(str(path), "present", {"sandbox": SANDBOX}, [])
    assert result == {"changed": True, "entries": ["sandbox"], "mode_changed": False}
    assert yaml.safe_load(path.read_text()) == {"clouds": {"sandbox": SANDBOX}}
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700


def test_merge_leaves_other_entries_and_keys_alone_and_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "clouds.yaml"
    path.write_text(yaml.safe_dump(OTHER))
    path.chmod(0o600)
    first = C.ensure(str(path), "present", {"sandbox": SANDBOX, "sandbox-demo": DEMO}, [])
    assert first["changed"] and sorted(first["entries"]) == ["sandbox", "sandbox-demo"]
    data = yaml.safe_load(path.read_text())
    assert data["clouds"]["prod"] == OTHER["clouds"]["prod"]
    assert data["ansible"] == OTHER["ansible"]
    before = path.stat().st_mtime_ns
    second = C.ensure(str(path), "present", {"sandbox": SANDBOX, "sandbox-demo": DEMO}, [])
    assert second == {"changed": False, "entries": [], "mode_changed": False}
    assert path.stat().st_mtime_ns == before  # not rewritten


def test_a_changed_entry_is_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / "clouds.yaml"
    C.ensure(str(path), "present", {"sandbox": SANDBOX}, [])
    newer = {"auth": {**SANDBOX["auth"], "password": "n3w"}}
    result = C.ensure(str(path), "present", {"sandbox": newer}, [])
    assert result["entries"] == ["sandbox"]
    assert yaml.safe_load(path.read_text())["clouds"]["sandbox"] == newer


def test_a_too_open_file_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "clouds.yaml"
    C.ensure(str(path), "present", {"sandbox": SANDBOX}, [])
    path.chmod(0o644)
    result = C.ensure(str(path), "present", {"sandbox": SANDBOX}, [])
    assert result == {"changed": True, "entries": [], "mode_changed": True}
    assert mode(path) == 0o600


def test_absent_removes_only_the_named_entries(tmp_path: Path) -> None:
    path = tmp_path / "clouds.yaml"
    path.write_text(yaml.safe_dump(OTHER))
    C.ensure(str(path), "present", {"sandbox": SANDBOX, "sandbox-demo": DEMO}, [])
    result = C.ensure(str(path), "absent", {}, ["sandbox", "sandbox-demo", "never-there"])
    assert result["changed"] and result["entries"] == ["sandbox", "sandbox-demo"]
    assert yaml.safe_load(path.read_text()) == OTHER
    assert C.ensure(str(path), "absent", {}, ["sandbox"])["changed"] is False


def test_absent_without_a_file_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "clouds.yaml"
    assert C.ensure(str(path), "absent", {}, ["sandbox"]) == \
        {"changed": False, "entries": [], "mode_changed": False}
    assert not path.exists()


def test_check_mode_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "clouds.yaml"
    result = C.ensure(str(path), "present", {"sandbox": SANDBOX}, [], check_mode=True)
    assert result["changed"] and not path.exists()
    path.write_text(yaml.safe_dump(OTHER))
    C.ensure(str(path), "present", {"sandbox": SANDBOX}, [], check_mode=True)
    assert yaml.safe_load(path.read_text()) == OTHER


@pytest.mark.parametrize("text, message", [
    ("clouds: [a, b]\n", "'clouds' in .* must be a mapping"),
    ("- just\n- a list\n", "must hold a mapping with a 'clouds' key"),
    ("clouds: {a: [\n", "is not valid YAML"),
])
def test_unusable_files_give_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "clouds.yaml"
    path.write_text(text)
    with pytest.raises(C.CloudsYamlError, match=message):
        C.ensure(str(path), "present", {"sandbox": SANDBOX}, [])


def test_an_entry_must_be_a_mapping() -> None:
    with pytest.raises(C.CloudsYamlError, match="entry 'sandbox' must be a mapping"):
        C.merge({}, {"sandbox": "http://127.0.0.1:5000/v3"})
