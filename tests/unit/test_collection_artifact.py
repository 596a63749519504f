"""The built collection: what the tarball ships, and that its action groups work.

The tarball is built from this checkout with ``ansible-galaxy collection build`` (as
``scripts/bootstrap.sh`` does), installed into a temporary collections path, and a playbook
sets a cloud-facing module's options with ``module_defaults: group/openinfra.interop.openstack``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# What develops the collection, not what it runs: never in the artifact.
NOT_SHIPPED = ("tests/", "extensions/", "scripts/", "zuul.d/", "benchmarks/", ".ci/", ".ansible-lint")


@pytest.fixture(scope="module")
def artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (tarball,) = out.glob("openinfra-interop-*.tar.gz")
    return tarball


def test_tarball_ships_the_licence_and_no_development_files(artifact: Path) -> None:
    with tarfile.open(artifact) as tar:
        names = tar.getnames()
        licence = tar.extractfile("LICENSE").read().decode()
    assert "Apache License" in licence and "Version 2.0" in licence
    shipped = [n for n in names if n.startswith(NOT_SHIPPED) or n in {p.rstrip("/") for p in NOT_SHIPPED}]
    assert not shipped, f"development files in the artifact: {shipped[:10]}"
    for needed in ("meta/runtime.yml", "playbooks/certify.yml", "roles/tempestconf/meta/argument_specs.yml",
                   "guidelines/2020.06.json", "plugins/module_utils/results.py", "bindep.txt"):
        assert needed in names, needed


def test_every_action_group_member_is_a_module_of_the_collection() -> None:
    groups = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())["action_groups"]
    assert groups["openstack"]
    for group, members in groups.items():
        missing = [m for m in members if not (ROOT / "plugins" / "modules" / f"{m}.py").is_file()]
        assert not missing, f"action group {group} names no module {missing}"
    # every module with the shared connection options belongs to the openstack group
    fragment = "openinfra.interop.openstack"
    with_fragment = sorted(p.stem for p in (ROOT / "plugins" / "modules").glob("*.py") if fragment in p.read_text())
    assert sorted(groups["openstack"]) == with_fragment


def test_module_defaults_group_sets_the_cloud(artifact: Path, tmp_path: Path) -> None:
    collections = tmp_path / "collections"
    # --force: without it, galaxy skips a collection of the same version it finds in the
    # configured collections paths (ANSIBLE_COLLECTIONS_PATH of the test command)
    subprocess.run(
        [str(BIN / "ansible-galaxy"), "collection", "install", "--offline", "--force", "-p", str(collections), str(artifact)],
        check=True,
        capture_output=True,
    )
    (tmp_path / "clouds.yaml").write_text("clouds: {}\n")
    playbook = tmp_path / "play.yml"
    playbook.write_text(
        """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/openinfra.interop.openstack:
      cloud: set-by-module-defaults
  tasks:
    - name: No cloud option on the task itself
      openinfra.interop.cloud_health:
"""
    )
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=str(collections),
        OS_CLIENT_CONFIG_FILE=str(tmp_path / "clouds.yaml"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"),
    )
    run = subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local",
         "-e", f"ansible_python_interpreter={sys.executable}", str(playbook)],
        env=env,
        capture_output=True,
        text=True,
        check=False,  # the failure is the point: its message is checked below
    )
    # The cloud name can only come from module_defaults: the module looked it up and said so.
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Cannot load cloud 'set-by-module-defaults'" in run.stdout, run.stdout
