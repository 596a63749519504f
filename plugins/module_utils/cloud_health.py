# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Functional health checks of a cloud through openstacksdk.

Each check is a function ``(conn, options) -> dict`` registered in :data:`CHECKS`; it raises
:class:`HealthError` with a clear message when the cloud does not behave. Checks leave nothing
behind (the object-store, DNS, orchestration and shared-file-system checks delete what they created, also when
they fail half-way).
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


def _dns_label(prefix: str) -> str:
    """A DNS label made of ``prefix`` and a random suffix."""
    label = "".join(c if c.isalnum() else "-" for c in prefix.lower()).strip("-")[:40]
    return f"{label or 'health'}-{secrets.token_hex(4)}"


def _wait(what: str, probe: Callable[[], Any], timeout: float,
          sleep: Callable[[float], None] = time.sleep, interval: float = 1.0) -> Any:
    """Call ``probe`` until it returns something true; raise HealthError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise HealthError(f"{what} (waited {timeout:g}s)")
        sleep(interval)


def _served_addresses(fqdn: str, server: str, port: int) -> list[str]:
    """A records of ``fqdn`` as answered by the name server (empty if none)."""
    import dns.exception
    import dns.message
    import dns.query
    import dns.rdatatype

    query = dns.message.make_query(fqdn, dns.rdatatype.A)
    try:
        answer = dns.query.udp(query, server, port=port, timeout=2)
    except (dns.exception.DNSException, OSError):
        return []
    return sorted(rr.address for rrset in answer.answer for rr in rrset
                  if rr.rdtype == dns.rdatatype.A)


def check_dns(conn: Any, options: dict[str, Any]) -> dict[str, Any]:
    """Create a zone until ACTIVE, add an A recordset, optionally see it served, delete the zone."""
    timeout = float(options.get("wait_timeout") or 120)
    zone_name = f"{_dns_label(options.get('name_prefix') or 'health')}.example.org."
    fqdn = f"www.{zone_name}"
    address = "192.0.2.10"
    zone = None
    served: list[str] = []
    try:
        zone = conn.dns.create_zone(name=zone_name, email="hostmaster@example.org", ttl=300)

        def zone_active() -> bool:
            status = conn.dns.get_zone(zone).status
            if status == "ERROR":
                raise HealthError(f"zone {zone_name} went to ERROR (is the DNS backend reachable?)")
            return status == "ACTIVE"

        _wait(f"zone {zone_name} did not become ACTIVE", zone_active, timeout)
        recordset = conn.dns.create_recordset(zone, name=fqdn, type="A", records=[address],
                                              ttl=300)
        server = options.get("dns_server")
        if server:
            port = int(options.get("dns_port") or 53)
            try:
                import dns.message  # noqa: F401 - dnspython, needed to ask the name server
            except ImportError:
                raise HealthError("dns_server is set but the Python package dnspython is "
                                  "missing on the host that runs the check") from None

            def served_now() -> list[str]:
                found = _served_addresses(fqdn, server, port)
                return found if address in found else []

            served = _wait(f"{fqdn} A {address} is not served by {server}:{port}", served_now,
                           timeout)
        conn.dns.delete_zone(zone)
        deleted_id, zone = zone.id, None
    finally:
        if zone is not None:
            try:
                conn.dns.delete_zone(zone, ignore_missing=True)
            except Exception:  # noqa: BLE001 - best effort; the original error matters more
                pass
    return {"zone": zone_name, "zone_id": deleted_id, "recordset_id": recordset.id,
            "served": served, "endpoint": conn.dns.get_endpoint()}


_STACK_TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "description": "openinfra.interop health check",
    "resources": {"random": {"type": "OS::Heat::RandomString", "properties": {"length": 8}}},
}


def _round_trip(proxy: Any, create: Callable[[], Any], status: str, failures: list[str],
                timeout: int, delete: Callable[..., Any]) -> str:
    """Create a resource, wait for ``status``, delete it and wait until it is gone; delete it
    (best effort) when anything fails half-way. Returns the resource's id."""
    resource = None
    try:
        resource = create()
        resource = proxy.wait_for_status(resource, status, failures=failures, interval=2,
                                         wait=timeout)
        resource_id = resource.id
        delete(resource)
        proxy.wait_for_delete(resource, interval=2, wait=timeout)
        resource = None
    finally:
        if resource is not None:
            try:
                delete(resource, ignore_missing=True)
            except Exception:  # noqa: BLE001 - best effort; the original error matters more
                pass
    return resource_id


def check_orchestration(conn: Any, options: dict[str, Any]) -> dict[str, Any]:
    """Create a one-resource stack until CREATE_COMPLETE, then delete it until it is gone."""
    timeout = int(options.get("wait_timeout") or 120)
    name = _dns_label(options.get("name_prefix") or "health")
    proxy = conn.orchestration
    stack_id = _round_trip(
        proxy, lambda: proxy.create_stack(name=name, template=_STACK_TEMPLATE, parameters={},
                                          timeout_mins=max(1, timeout // 60)),
        "CREATE_COMPLETE", ["CREATE_FAILED"], timeout, proxy.delete_stack)
    return {"stack": name, "stack_id": stack_id, "endpoint": proxy.get_endpoint()}


def check_shared_file_system(conn: Any, options: dict[str, Any]) -> dict[str, Any]:
    """Create a 1 GiB NFS share (the cloud's default share type) until available, then delete
    it until it is gone."""
    timeout = int(options.get("wait_timeout") or 120)
    name = _dns_label(options.get("name_prefix") or "health")
    proxy = conn.shared_file_system
    share_id = _round_trip(
        proxy, lambda: proxy.create_share(name=name, size=1, share_protocol="NFS"),
        "available", ["error"], timeout, proxy.delete_share)
    return {"share": name, "share_id": share_id, "endpoint": proxy.get_endpoint()}


def compute_state(services: list[Any], hypervisors: list[Any]) -> dict[str, Any]:
    """Summarise nova-compute services and hypervisors (pure): which hosts are up and enabled."""
    computes = [s for s in services if getattr(s, "binary", None) == "nova-compute"]
    up = sorted(s.host for s in computes if s.state == "up" and s.status == "enabled")
    return {"compute_hosts": sorted(s.host for s in computes), "compute_hosts_up": up,
            "hypervisors": sorted(getattr(h, "name", None) or h.id for h in hypervisors)}


def check_compute(conn: Any, options: dict[str, Any]) -> dict[str, Any]:
    """Wait until a nova-compute service is up and enabled and a hypervisor is listed."""
    timeout = float(options.get("wait_timeout") or 120)
    state: dict[str, Any] = {}

    def ready() -> bool:
        state.update(compute_state(list(conn.compute.services()), list(conn.compute.hypervisors())))
        return bool(state["compute_hosts_up"] and state["hypervisors"])

    try:
        _wait("no nova-compute service is up with a hypervisor", ready, timeout, interval=2)
    except HealthError as exc:
        raise HealthError(f"{exc}; nova-compute hosts {state.get('compute_hosts')}, up "
                          f"{state.get('compute_hosts_up')}, hypervisors "
                          f"{state.get('hypervisors')}") from None
    return {**state, "endpoint": conn.compute.get_endpoint()}


CHECKS: dict[str, Callable[[Any, dict[str, Any]], dict[str, Any]]] = {
    "token": check_token,
    "object_store": check_object_store,
    "dns": check_dns,
    "orchestration": check_orchestration,
    "compute": check_compute,
    "shared_file_system": check_shared_file_system,
}

# checks that write (transient) data and are skipped in check mode
WRITING_CHECKS = frozenset({"object_store", "dns", "orchestration", "shared_file_system"})


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
