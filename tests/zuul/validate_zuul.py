"""Validate zuul.d/ with Zuul's own configuration schemas, offline.

Each job and project stanza goes through the voluptuous schema of Zuul's own parsers
(``zuul.configloader``); every playbook a job names must exist in the repository, every
job a project pipeline lists must be defined here, and every job's parent must be defined
here or be one of the known external jobs. Every devstack certify job with Glance passes an
image to certify.yml (python-tempestconf needs one and the collection never downloads one).
Usage: validate_zuul.py REPO_ROOT
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


CERTIFY_BASE = "openinfra-interop-base"


def _merged_vars(name: str, jobs: dict[str, dict]) -> tuple[dict, list[str]]:
    """The job's vars over its parents' (Zuul merges dicts), and its chain of job names."""
    chain: list[str] = []
    while name in jobs and name not in chain:
        chain.append(name)
        name = jobs[name].get("parent", "")
    merged: dict = {}
    for job in reversed(chain):
        for key, value in (jobs[job].get("vars") or {}).items():
            merged[key] = {**merged[key], **value} if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged, chain


def certify_image_errors(root: Path, jobs: dict[str, dict]) -> list[str]:
    """Every certify job on a devstack with Glance names an image, and the run playbook passes it."""
    errors = []
    for name, job in jobs.items():
        merged, chain = _merged_vars(name, jobs)
        if CERTIFY_BASE not in chain or job.get("abstract"):
            continue
        # devstack enables Glance unless the job turns g-api off
        glance = (merged.get("devstack_services") or {}).get("g-api", True)
        if glance and not merged.get("interop_image"):
            errors.append(f"job {name}: devstack runs Glance but interop_image is empty (no image for certify)")
    run = _as_list(jobs.get(CERTIFY_BASE, {}).get("run"))
    for playbook in run:
        plays = yaml.safe_load((root / playbook).read_text()) or []
        passed = [task for play in plays for task in play.get("tasks", [])
                  if "tempestconf_image" in ((task.get("vars") or {}).get("_interop_vars") or {})]
        if not passed:
            errors.append(f"{playbook}: passes no tempestconf_image to certify.yml")
    return errors


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
    errors.extend(certify_image_errors(root, jobs))
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
