# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""What a certification run creates in the cloud, and how it is removed again.

A run must leave the cloud as it found it. Each step that creates something records it in the
workspace's *ledger* (``etc/created-resources.json``, 0600): python-tempestconf's images and
flavors (Tempest needs them until the end of the run) and the accounts of
``tempest account-generator``. The cleanup at the end of the run removes what the ledger lists
(in dependency order) and forgets the state of the step that made it, so that step runs again
next time instead of trusting a file that names deleted resources.

Identity resources python-tempestconf ``--create`` makes (the ``demo`` users and projects, the
``admin`` role it grants the user under test) are not needed by Tempest at all (admin mode uses
dynamic credentials, non-admin mode pre-provisioned accounts), so the discovery removes them as
soon as it ends: only what existed before survives, by id.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any, Callable, Iterable, Mapping, Sequence

from ansible_collections.openinfra.interop.plugins.module_utils.atomic import atomic_write

#: Ledger file name (in the workspace's ``etc``).
LEDGER = "created-resources.json"

#: Removal order: assignments before users and projects, users before projects.
KINDS = ("role_assignments", "users", "projects", "images", "flavors", "networks")

#: What python-tempestconf ``--create`` names its users and projects unless told otherwise
#: (its ``DEFAULTS`` in config_tempest/main.py); its default password is public, so the
#: discovery passes its own.
DEMO_IDENTITY = {
    "username": "demo_tempestconf",
    "project_name": "demo",
    "alt_username": "alt_demo_tempestconf",
    "alt_project_name": "alt_demo",
}
#: tempest.conf options naming the images and flavors discovery finds or creates.
CONF_RESOURCES = (
    ("images", "compute", "image_ref"),
    ("images", "compute", "image_ref_alt"),
    ("flavors", "compute", "flavor_ref"),
    ("flavors", "compute", "flavor_ref_alt"),
)


class LeftoverError(ValueError):
    """A ledger that cannot be read or written."""


def entry(kind: str, resource_id: str, name: str, by: str, **detail: Any) -> dict[str, Any]:
    """One ledger entry; ``by`` names the step (and the state file it invalidates)."""
    if kind not in KINDS:
        raise LeftoverError(f"Unknown resource kind {kind!r}; known: {', '.join(KINDS)}")
    return {"kind": kind, "id": str(resource_id), "name": str(name), "by": by, **detail}


def label(item: Mapping[str, Any]) -> str:
    """``users demo_tempestconf (1234abcd)`` for reports."""
    return f"{item['kind']} {item.get('name') or '?'} ({str(item['id'])[:8]})"


def load(path: str) -> list[dict[str, Any]]:
    """The ledger's entries ([] when there is none)."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise LeftoverError(f"Cannot read the ledger of created resources {path}: {exc}") from None
    entries = data.get("resources") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise LeftoverError(f"{path} is not a ledger of created resources (no 'resources' list)")
    return [e for e in entries if isinstance(e, dict) and e.get("kind") in KINDS and e.get("id")]


def save(path: str, entries: Sequence[Mapping[str, Any]]) -> bool:
    """Write the ledger atomically (0600); returns whether it changed. No entries: no file."""
    if not entries:
        if os.path.exists(path):
            os.unlink(path)
            return True
        return False
    text = json.dumps({"resources": list(entries)}, indent=1, sort_keys=True) + "\n"
    try:
        with open(path, encoding="utf-8") as handle:
            if handle.read() == text:
                return False
    except FileNotFoundError:
        pass
    atomic_write(path, text, 0o600)
    return True


def merge(current: Sequence[Mapping[str, Any]], new: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``current`` plus ``new``, one entry per (kind, id)."""
    seen = {(e["kind"], e["id"]) for e in current}
    result = [dict(e) for e in current]
    for item in new:
        if (item["kind"], item["id"]) not in seen:
            seen.add((item["kind"], item["id"]))
            result.append(dict(item))
    return result


def removal_order(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Entries sorted so nothing is removed before what depends on it."""
    return sorted((dict(e) for e in entries), key=lambda e: (KINDS.index(e["kind"]), e.get("name", ""), e["id"]))


def demo_names(overrides: Mapping[str, Any]) -> dict[str, str]:
    """Names python-tempestconf ``--create`` uses: its defaults unless overridden (``identity.*``)."""
    return {key: str(overrides.get(f"identity.{key}") or default) for key, default in DEMO_IDENTITY.items()}


def conf_resources(get: Callable[[str, str], str | None]) -> list[tuple[str, str]]:
    """(kind, id) of the images and flavors a tempest.conf names."""
    found = []
    for kind, section, key in CONF_RESOURCES:
        value = get(section, key)
        if value and (kind, value) not in found:
            found.append((kind, value))
    return found


# ------------------------------------------------------------------------------ cloud side


class Cloud:
    """The few openstacksdk calls the ledger needs (``conn`` is an openstack.connection)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def ids_by_name(self, kind: str, names: Iterable[str]) -> dict[str, set[str]]:
        """Ids of the users or projects with each name, in every domain."""
        lister = self.conn.identity.users if kind == "users" else self.conn.identity.projects
        return {name: {item.id for item in lister(name=name)} for name in set(names)}

    def project_assignments(self, user_id: str, project_ids: Iterable[str]) -> set[tuple[str, str]]:
        """(project id, role id) of the user's direct role assignments on these projects."""
        found = set()
        for project_id in project_ids:
            for assignment in self.conn.identity.role_assignments(user_id=user_id, scope_project_id=project_id):
                role = (assignment.role or {}).get("id")
                if role:
                    found.add((project_id, role))
        return found

    def existing_ids(self, kind: str) -> set[str] | None:
        """Ids of every image or flavor (None when the cloud has no such service)."""
        service = {"images": "image", "flavors": "compute"}[kind]
        if not self.conn.has_service(service):
            return None
        items = self.conn.image.images() if kind == "images" else self.conn.compute.flavors()
        return {item.id for item in items}

    def remove(self, item: Mapping[str, Any]) -> None:
        kind, rid = item["kind"], item["id"]
        ident = self.conn.identity
        if kind == "role_assignments":
            ident.unassign_project_role_from_user(item["project_id"], item["user_id"], item["role_id"])
        elif kind == "users":
            ident.delete_user(rid, ignore_missing=True)
        elif kind == "projects":
            ident.delete_project(rid, ignore_missing=True)
        elif kind == "images":
            self.conn.image.delete_image(rid, ignore_missing=True)
        elif kind == "flavors":
            self.conn.compute.delete_flavor(rid, ignore_missing=True)
        elif kind == "networks":
            self.conn.network.delete_network(rid, ignore_missing=True)


def remove_all(cloud: Cloud, entries: Iterable[Mapping[str, Any]], check_mode: bool) -> tuple[list[dict], list[str]]:
    """Remove ``entries`` in order; returns (removed or would-be-removed, errors)."""
    removed: list[dict] = []
    errors: list[str] = []
    for item in removal_order(entries):
        if check_mode:
            removed.append(item)
            continue
        try:
            cloud.remove(item)
            removed.append(item)
        except Exception as exc:  # one resource that cannot go must not keep the others
            errors.append(f"{label(item)}: {exc}")
    return removed, errors


# ------------------------------------------------------------------------------ tempest cleanup

#: Files ``tempest cleanup`` reads and writes in its working directory.
SAVED_STATE = "saved_state.json"
DRY_RUN = "dry_run.json"
#: Keys of ``dry_run.json`` that are settings, not resources to delete.
_NOT_RESOURCES = frozenset({"compute_quotas", "network_quotas", "volume_quotas"})


def dry_run_counts(data: Mapping[str, Any]) -> dict[str, int]:
    """Resources a ``tempest cleanup --dry-run`` report would delete, counted by kind.

    Global resources are top-level ``{kind: {id: name}}``; resources inside projects to clean
    are under ``_projects_to_clean: {project id: {kind: {id: name}}}``.
    """
    counts: dict[str, int] = {}

    def add(kind: str, items: Any) -> None:
        if kind in _NOT_RESOURCES or not isinstance(items, (dict, list)) or not items:
            return
        counts[kind] = counts.get(kind, 0) + len(items)

    for kind, items in data.items():
        if kind == "_projects_to_clean" and isinstance(items, dict):
            for project in items.values():
                if isinstance(project, dict):
                    for inner, inner_items in project.items():
                        add(inner, inner_items)
        else:
            add(kind, items)
    return dict(sorted(counts.items()))


def wait_for_job(path: str, timeout: float, interval: float = 0.5,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> dict[str, Any]:
    """The result of the saved state taken in the background (an Ansible ``async`` job, ``poll: 0``),
    once the job has ended; the job file is removed then.

    The job file holds ``{"started": 1, "finished": 0, ...}`` while the job runs and the module's
    own result once it ended (what ``async_status`` reads). A missing file is a job already
    collected: ``{}``. Raises :class:`LeftoverError` when the job does not end within ``timeout``.
    """
    deadline = clock() + timeout
    while True:
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            data = {"started": 1}  # written by the job right now: read it again
        if isinstance(data, dict) and "started" not in data:
            os.unlink(path)
            return data
        if clock() >= deadline:
            raise LeftoverError(f"the saved state taken in the background did not end within {timeout:.0f} s ({path})")
        sleep(interval)
