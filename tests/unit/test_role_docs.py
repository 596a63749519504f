"""The README documents every role variable exactly as the argument specs declare it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _role_docs():
    spec = importlib.util.spec_from_file_location("role_docs", ROOT / "scripts" / "role_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_role_has_argument_specs() -> None:
    roles = [p for p in (ROOT / "roles").iterdir() if p.is_dir()]
    assert roles
    missing = [r.name for r in roles if not (r / "meta" / "argument_specs.yml").is_file()]
    assert not missing, f"roles without meta/argument_specs.yml: {missing}"


def test_readme_role_variables_are_generated_from_the_specs() -> None:
    role_docs = _role_docs()
    readme = (ROOT / "README.md").read_text()
    assert role_docs.updated_readme(readme) == readme, "run: python scripts/role_docs.py"


def test_every_role_variable_is_prefixed_with_the_role_name() -> None:
    import yaml

    for role in (ROOT / "roles").iterdir():
        specs = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())
        for name in specs["argument_specs"]["main"].get("options", {}):
            assert name.startswith(f"{role.name}_"), f"{role.name}: variable {name} lacks the prefix"
