"""Validate zuul.d/ with Zuul's own configuration schemas, offline.

Each job and project stanza goes through the voluptuous schema of Zuul's own parsers
(``zuul.configloader``); every playbook a job names must exist in the repository, every
job a project pipeline lists must be defined here, and every job's parent must be defined
here or be one of the known external jobs. Usage: validate_zuul.py REPO_ROOT
"""

from __future__ import annotations

import sys
from pathlib import Path

import voluptuous
import yaml
from zuul import configloader

# Jobs defined in other repositories that ours inherit from.
EXTERNAL_PARENTS = {"base", "devstack"}
PLAYBOOK_KEYS = ("pre-run", "run", "post-run", "cleanup-run")


def _as_list(value: object) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _playbook_paths(job: dict) -> list[str]:
    paths = []
    for key in PLAYBOOK_KEYS:
        for entry in _as_list(job.get(key)):
            paths.append(entry["name"] if isinstance(entry, dict) else entry)
    return paths


def validate(root: Path) -> list[str]:
    errors: list[str] = []
    jobs: dict[str, dict] = {}
    projects: list[tuple[str, dict]] = []
    files = sorted((root / "zuul.d").glob("*.yaml"))
    if not files:
        return [f"no zuul.d/*.yaml under {root}"]
    for path in files:
        for item in yaml.safe_load(path.read_text()) or []:
            (kind, body), = item.items()
            where = f"{path.relative_to(root)}: {kind} {body.get('name', '')}".rstrip()
            try:
                if kind == "job":
                    # Registered before validation so one bad job does not orphan its children.
                    jobs[body.get("name", where)] = body
                    configloader.JobParser.schema(body)
                elif kind == "project":
                    configloader.ProjectParser(None).schema(body)
                    projects.append((where, body))
                else:
                    errors.append(f"{where}: unexpected stanza kind {kind!r}")
            except voluptuous.Invalid as exc:
                errors.append(f"{where}: {exc}")
    for name, job in jobs.items():
        parent = job.get("parent")
        if parent and parent not in jobs and parent not in EXTERNAL_PARENTS:
            errors.append(f"job {name}: unknown parent {parent!r}")
        for playbook in _playbook_paths(job):
            if not (root / playbook).is_file():
                errors.append(f"job {name}: playbook {playbook} does not exist")
    for where, project in projects:
        for pipeline, config in project.items():
            if not isinstance(config, dict):
                continue
            for entry in config.get("jobs", []):
                name = entry if isinstance(entry, str) else next(iter(entry))
                if name not in jobs:
                    errors.append(f"{where}: pipeline {pipeline} names undefined job {name!r}")
    return errors


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    errors = validate(root)
    for error in errors:
        print(f"ERROR: {error}")
    if errors:
        return 1
    print(f"zuul.d is valid: {len(list((root / 'zuul.d').glob('*.yaml')))} files checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
