# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Functional health checks of a cloud through openstacksdk.

Each check is a function ``(conn, options) -> dict`` registered in :data:`CHECKS`; it raises
:class:`HealthError` with a clear message when the cloud does not behave. Checks leave nothing
behind (the object-store check deletes what it created, also when it fails half-way).
"""

from __future__ import annotations

import secrets
import time
from typing import Any, Callable


class HealthError(Exception):
    """A failed health check, with a user-facing message."""


def _catalog(conn: Any) -> list[dict[str, Any]]:
    access = conn.session.auth.get_access(conn.session)
    out = []
    for entry in access.service_catalog.catalog or []:
        endpoints = {e.get("interface"): e.get("url") for e in entry.get("endpoints", [])}
        out.append({"type": entry.get("type"), "name": entry.get("name"), "endpoints": endpoints})
    return sorted(out, key=lambda e: (e["type"] or "", e["name"] or ""))


def check_token(conn: Any, options: dict[str, Any]) -> dict[str, Any]:
    """Issue a token and read the catalog (the token itself is never returned)."""
    conn.authorize()
    access = conn.session.auth.get_access(conn.session)
    expires = access.expires.isoformat() if access.expires else None
    return {"user_id": access.user_id, "project_id": access.project_id,
            "roles": sorted(access.role_names or []), "expires_at": expires,
            "catalog": _catalog(conn)}


def check_object_store(conn: Any, options: dict[str, Any]) -> dict[str, Any]:
    """Create a container, write, read and delete an object, delete the container."""
    name = f"{options.get('container_prefix') or 'health'}-{secrets.token_hex(4)}"
    payload = b"openinfra.interop health check\n"
    created = False
    try:
        conn.object_store.create_container(name=name)
        created = True
        conn.object_store.upload_object(container=name, name="probe.txt", data=payload)
        read = conn.object_store.download_object("probe.txt", container=name)
        if read != payload:
            raise HealthError(f"object store returned {len(read)} bytes instead of the "
                              f"{len(payload)} written to container {name}")
        conn.object_store.delete_object("probe.txt", container=name)
        conn.object_store.delete_container(name)
        created = False
        endpoint = conn.object_store.get_endpoint()
    finally:
        if created:
            _cleanup_container(conn, name)
    return {"container": name, "endpoint": endpoint}


def _cleanup_container(conn: Any, name: str) -> None:
    try:
        for obj in conn.object_store.objects(name):
            conn.object_store.delete_object(obj, container=name)
        conn.object_store.delete_container(name)
    except Exception:  # noqa: BLE001 - best effort; the original error matters more
        pass


CHECKS: dict[str, Callable[[Any, dict[str, Any]], dict[str, Any]]] = {
    "token": check_token,
    "object_store": check_object_store,
}

# checks that write (transient) data and are skipped in check mode
WRITING_CHECKS = frozenset({"object_store"})


def run_checks(conn: Any, names: list[str], options: dict[str, Any], check_mode: bool = False,
               retries: int = 0, delay: float = 2.0,
               transient: tuple[type[BaseException], ...] = (),
               sleep: Callable[[float], None] = time.sleep) -> dict[str, Any]:
    """Run the named checks in order; return ``{name: result}``.

    Exceptions of the ``transient`` types are retried ``retries`` times, ``delay`` seconds apart
    (services that have just started may need a moment to see each other).
    """
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise HealthError(f"unknown health check(s) {', '.join(unknown)}; "
                          f"known: {', '.join(sorted(CHECKS))}")
    results: dict[str, Any] = {}
    for name in names:
        if check_mode and name in WRITING_CHECKS:
            results[name] = {"skipped": True, "reason": "check mode"}
            continue
        attempt = 0
        while True:
            try:
                results[name] = CHECKS[name](conn, options)
                break
            except HealthError as exc:
                raise HealthError(f"health check {name!r} failed: {exc}") from exc
            except transient as exc:
                if attempt >= retries:
                    raise HealthError(f"health check {name!r} failed after {attempt + 1} "
                                      f"attempt(s): {exc}") from exc
                attempt += 1
                sleep(delay)
            except Exception as exc:  # noqa: BLE001 - reported with the check's name
                raise HealthError(f"health check {name!r} failed: "
                                  f"{type(exc).__name__}: {exc}") from exc
    return results
