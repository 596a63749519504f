"""`ansible-builder create` makes a complete build context for an EE carrying the collection.

No container engine runs here, so the image itself is not built; what is checked is what
ansible-builder would put in it: the collection tarball, the Galaxy requirements, and the
Python and system requirements that its introspection reads from meta/execution-environment.yml.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _build_collection(dest: Path) -> Path:
    subprocess.run(
        [BIN / "ansible-galaxy", "collection", "build", "--force", "--output-path", dest, ROOT],
        check=True, capture_output=True,
    )
    (tarball,) = dest.glob("openinfra-interop-*.tar.gz")
    return tarball


def test_ansible_builder_create(tmp_path: Path) -> None:
    ee_dir = tmp_path / "ee"
    shutil.copytree(ROOT / "tests" / "ee", ee_dir)
    _build_collection(tmp_path).rename(ee_dir / "openinfra-interop.tar.gz")
    context = tmp_path / "context"
    subprocess.run(
        [BIN / "ansible-builder", "create", "-f", ee_dir / "execution-environment.yml",
         "-c", context, "--output-filename", "Containerfile"],
        check=True, capture_output=True,
    )
    containerfile = (context / "Containerfile").read_text()
    assert "ansible-galaxy collection install" in containerfile
    assert "introspect.py introspect" in containerfile
    assert (context / "_build" / "collections" / "openinfra-interop.tar.gz").is_file()
    galaxy = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert galaxy["collections"][0]["name"].endswith("openinfra-interop.tar.gz")

    # What the image build would install for the collection, from its own metadata.
    installed = tmp_path / "installed"
    subprocess.run(
        [BIN / "ansible-galaxy", "collection", "install", "--force", "--offline", "-p", installed,
         ee_dir / "openinfra-interop.tar.gz"],
        check=True, capture_output=True,
    )
    introspection = subprocess.run(
        [sys.executable, context / "_build" / "scripts" / "introspect.py", "introspect", installed],
        check=True, capture_output=True, text=True,
    ).stdout
    deps = yaml.safe_load(introspection.split("---", 1)[1])
    python_deps = " ".join(deps["python"])
    for requirement in ("openstacksdk", "cryptography"):
        assert requirement in python_deps, introspection
    assert any("openssh-client" in line for line in deps["system"]), introspection
