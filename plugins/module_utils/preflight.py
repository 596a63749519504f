# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Pure logic of the cloud preflight: catalog summary, program needs, role names.

The module (``cloud_preflight``) does the API calls; everything that decides is here so
it can be unit-tested against recorded Keystone catalogs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

from ansible_collections.openinfra.interop.plugins.module_utils.programs import ServiceNeed


@dataclass
class CatalogService:
    type: str
    name: str
    endpoints: list[dict[str, str]] = field(default_factory=list)

    def urls(self, interface: str, region: str | None) -> list[str]:
        return [
            ep["url"]
            for ep in self.endpoints
            if ep.get("interface") == interface and (not region or region in (ep.get("region"), ep.get("region_id")))
        ]


def parse_catalog(catalog: Sequence[Mapping[str, Any]]) -> list[CatalogService]:
    """The Keystone v3 token catalog (as openstacksdk returns it) as a list of services."""
    services = []
    for entry in catalog or []:
        endpoints = [
            {
                "interface": str(ep.get("interface", "")),
                "region": str(ep.get("region") or ep.get("region_id") or ""),
                "region_id": str(ep.get("region_id") or ep.get("region") or ""),
                "url": str(ep.get("url", "")),
            }
            for ep in entry.get("endpoints", []) or []
        ]
        services.append(CatalogService(str(entry.get("type", "")), str(entry.get("name", "")), endpoints))
    return services


def summarize_catalog(services: Sequence[CatalogService], interface: str, region: str | None) -> list[dict[str, Any]]:
    """Service type, name and the endpoint URLs of the chosen interface (and region), sorted by type."""
    return [
        {"type": s.type, "name": s.name, "endpoints": s.urls(interface, region)}
        for s in sorted(services, key=lambda s: (s.type, s.name))
    ]


@dataclass
class NeedProblem:
    program: str
    need: ServiceNeed
    reason: str  # "missing" or "no-endpoint"


def check_needs(
    needs: Mapping[str, Sequence[ServiceNeed]],
    services: Sequence[CatalogService],
    interface: str,
    region: str | None,
) -> list[NeedProblem]:
    """Each need of each program that the catalog does not satisfy."""
    problems: list[NeedProblem] = []
    for program, program_needs in needs.items():
        for need in program_needs:
            matching = [s for s in services if s.type in need.types]
            if not matching:
                problems.append(NeedProblem(program, need, "missing"))
            elif not any(s.urls(interface, region) for s in matching):
                problems.append(NeedProblem(program, need, "no-endpoint"))
    return problems


def describe_problems(
    problems: Sequence[NeedProblem],
    services: Sequence[CatalogService],
    interface: str,
    region: str | None,
    cloud_label: str,
) -> str:
    """One message naming every unsatisfied need, the program that needs it and what the catalog has."""
    missing: dict[str, list[str]] = {}
    no_endpoint: dict[str, list[str]] = {}
    for p in problems:
        label = " or ".join(repr(t) for t in p.need.types)
        target = missing if p.reason == "missing" else no_endpoint
        target.setdefault(label, [])
        if p.program not in target[label]:
            target[label].append(p.program)

    def _items(found: dict[str, list[str]]) -> str:
        return "; ".join(
            f"{svc} (needed by {'program' if progs != ['required_services'] else ''} {', '.join(progs)})".replace(
                "by  ", "by "
            )
            for svc, progs in found.items()
        )

    parts = []
    if missing:
        parts.append(f"the service catalog of {cloud_label} has no service of type {_items(missing)}")
    if no_endpoint:
        where = f"{interface} endpoint" + (f" in region {region}" if region else "")
        parts.append(f"these services have no {where}: {_items(no_endpoint)}")
    present = ", ".join(sorted({s.type for s in services})) or "none"
    return "Preflight failed: " + " and ".join(parts) + f". Service types in the catalog: {present}."


def pick_member_role(role_names: Iterable[str]) -> str | None:
    """The name of the cloud's member role: ``member`` if present, else a case variant (``Member``)."""
    names = list(role_names)
    if "member" in names:
        return "member"
    for name in names:
        if name.lower() == "member":
            return name
    return None


def is_admin(role_names: Iterable[str]) -> bool:
    return any(r.lower() == "admin" for r in role_names)


# ---------------------------------------------------------------------------- what the cloud reports


def swift_info_url(endpoint: str) -> str:
    """Swift's capabilities URL for an object-store endpoint: ``/info`` beside the ``/v1`` path.

    A proxy may serve Swift under a prefix (``https://host:8443/object-store/v1/AUTH_x`` ->
    ``https://host:8443/object-store/info``); python-tempestconf only tries the host's ``/info``.
    """
    parts = urlsplit(endpoint)
    prefix = re.split(r"/v1(?:/|$)", parts.path, maxsplit=1)[0].rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, f"{prefix}/info", "", ""))


def swift_features(info: Any) -> list[str]:
    """The extensions Swift's ``/info`` reports: its keys but ``swift`` (python-tempestconf's rule)."""
    if not isinstance(info, Mapping):
        return []
    return sorted(str(key) for key in info if key != "swift")


#: Pool capabilities of Manila (``/scheduler-stats/pools/detail``) that switch optional
#: manila-tempest-plugin tests on; a feature is reported when any pool has it.
SHARE_CAPABILITIES: tuple[str, ...] = (
    "snapshot_support",
    "create_share_from_snapshot_support",
    "revert_to_snapshot_support",
    "mount_snapshot_support",
)


#: manila-tempest-plugin's access-rule options and the protocols whose shares take that rule type.
SHARE_RULE_PROTOCOLS: dict[str, tuple[str, ...]] = {
    "enable_ip_rules_for_protocols": ("nfs",),
    "enable_user_rules_for_protocols": ("cifs",),
    "enable_cert_rules_for_protocols": ("glusterfs",),
    "enable_cephx_rules_for_protocols": ("cephfs",),
}


def share_features(pools: Any, default_type: Any) -> list[str]:
    """What Manila reports, as feature strings: ``storage_protocol:<P>`` of each pool (``NFS_CIFS``
    for a pool serving both), the :data:`SHARE_CAPABILITIES` any pool has,
    ``replication:<type>`` and ``default_share_type:<name>`` (from ``/types/default``)."""
    found: set[str] = set()
    entries = pools.get("pools") if isinstance(pools, Mapping) else None
    for pool in entries if isinstance(entries, list) else []:
        caps = pool.get("capabilities") if isinstance(pool, Mapping) else None
        if not isinstance(caps, Mapping):
            continue
        storage_protocol = str(caps.get("storage_protocol") or "")
        if storage_protocol:
            found.add(f"storage_protocol:{storage_protocol}")
        found.update(c for c in SHARE_CAPABILITIES if _true(caps.get(c)))
        if caps.get("replication_type"):
            found.add(f"replication:{caps['replication_type']}")
    share_type = default_type.get("share_type") if isinstance(default_type, Mapping) else None
    if isinstance(share_type, Mapping) and share_type.get("name"):
        found.add(f"default_share_type:{share_type['name']}")
    return sorted(found)


def _true(value: Any) -> bool:
    """A pool capability that is on: ``True``, ``"True"``/``"<is> True"``, or a list holding one."""
    if isinstance(value, list):
        return any(_true(v) for v in value)
    return value is True or str(value).strip().lower() in ("true", "<is> true")


def share_overrides(features: Sequence[str], catalog_type: str) -> dict[str, Any]:
    """manila-tempest-plugin options python-tempestconf does not derive from what Manila reports.

    python-tempestconf already sets the protocols, back ends, multitenancy, snapshot and
    thin-provisioning capabilities; these name the catalog type the cloud registers Manila
    under (the plugin looks for ``shared-file-system`` otherwise), switch on the optional tests
    the pools support and pick the rule types each protocol takes (IP rules for NFS, user
    rules for CIFS).
    """
    if not features:
        return {}
    feats = set(features)
    storage = _feature_values(feats, "storage_protocol")
    # in the order the pools name them (NFS_CIFS: nfs first): the plugin creates its shares
    # with the first protocol
    protocols = list(dict.fromkeys(p for sp in storage for p in sp.lower().split("_") if p))
    replication = _feature_values(feats, "replication")
    default_type = _feature_values(feats, "default_share_type")
    out: dict[str, Any] = {
        "share.catalog_type": catalog_type,
        "share.capability_revert_to_snapshot_support": "revert_to_snapshot_support" in feats,
        "share.run_revert_to_snapshot_tests": "revert_to_snapshot_support" in feats,
        "share.run_mount_snapshot_tests": "mount_snapshot_support" in feats,
        "share.run_replication_tests": bool(replication),
        "share.enable_protocols": protocols,
    }
    # the access rule type each protocol takes; the plugin's defaults name protocols the cloud
    # may not offer (and a cephx entry alone skips the tests of microversions before 2.13)
    for option, rule_protocols in SHARE_RULE_PROTOCOLS.items():
        out[f"share.{option}"] = [p for p in protocols if p in rule_protocols]
    if len(storage) == 1:
        out["share.capability_storage_protocol"] = storage[0]
    if replication:
        out["share.backend_replication_type"] = replication[0]
    if default_type:
        out["share.default_share_type_name"] = default_type[0]
    return out


def _feature_values(features: set[str], key: str) -> list[str]:
    """The values of the ``<key>:<value>`` features, sorted."""
    return sorted(f.split(":", 1)[1] for f in features if f.startswith(key + ":"))


def version_ids(body: Any) -> list[str]:
    """``id (status)`` of each API version of a version document (``versions``/``version``)."""
    if not isinstance(body, Mapping):
        return []
    versions = body.get("versions")
    if isinstance(versions, Mapping):
        versions = versions.get("values")
    if versions is None and isinstance(body.get("version"), Mapping):
        versions = [body["version"]]
    if not isinstance(versions, list):
        return []
    return sorted(
        f"{v.get('id')} ({v.get('status', '')})" for v in versions if isinstance(v, Mapping) and v.get("id")
    )


def cloud_fingerprint(
    catalog: Sequence[Mapping[str, Any]], versions: Mapping[str, Sequence[str]], features: Mapping[str, Sequence[str]]
) -> dict[str, Any]:
    """What the cloud reports that discovery depends on: services with endpoints, API versions, extensions.

    A tempest.conf discovered for another fingerprint is stale (a cloud that gained Swift
    middleware or an API version keeps skipping their tests otherwise).
    """
    return {
        "catalog": [
            {"type": s.get("type"), "name": s.get("name"), "endpoints": sorted(s.get("endpoints") or [])}
            for s in sorted(catalog, key=lambda s: (str(s.get("type")), str(s.get("name"))))
        ],
        "versions": {url: sorted(ids) for url, ids in sorted(versions.items())},
        "features": {service: sorted(names) for service, names in sorted(features.items())},
    }


# ---------------------------------------------------------------------------- pre-provisioned accounts


@dataclass(frozen=True)
class RoleNeed:
    #: ``operator`` or ``reseller_admin``: the tempest.conf option (``object-storage.<kind>_role``)
    #: whose role Tempest asks the accounts file for.
    kind: str
    #: Accounts with that role a run needs.
    count: int
    #: The tests that cannot run without them.
    tests: str


_OBJECT_ROLE_NEEDS = (
    RoleNeed("operator", 2, "every object storage test (the container ACL tests take a second account)"),
    RoleNeed(
        "reseller_admin",
        1,
        "tempest.api.object_storage.test_account_quotas.AccountQuotasTest.test_upload_valid_object and "
        "tempest.api.object_storage.test_account_quotas_negative.AccountQuotasNegativeTest.test_user_modify_quota",
    ),
)

#: Roles the pre-provisioned accounts must carry for each program (Tempest picks an account by
#: the roles the accounts file declares for it).
ROLE_NEEDS: dict[str, tuple[RoleNeed, ...]] = {
    "object": _OBJECT_ROLE_NEEDS,
    "platform": _OBJECT_ROLE_NEEDS,
}


def account_label(account: Mapping[str, Any]) -> str:
    """``user@domain`` (project) of an accounts.yaml entry, without its password."""
    domain = account.get("user_domain_name") or account.get("domain_name") or "Default"
    project = account.get("project_name") or account.get("tenant_name") or account.get("project_id") or ""
    return f"{account.get('username')}@{domain}" + (f" (project {project})" if project else "")


def account_role_problems(
    programs: Iterable[str],
    accounts: Sequence[Mapping[str, Any]],
    role_names: Mapping[str, str],
) -> list[str]:
    """What keeps the programs' tests from running with these accounts.

    ``accounts``: accounts.yaml entries, each with ``actual_roles`` (the roles of its token).
    ``role_names``: the role of each :attr:`RoleNeed.kind` on this cloud (``operator`` ->
    ``member``, ``reseller_admin`` -> ``ResellerAdmin``).
    """
    problems = []
    for account in accounts:
        declared = [str(r) for r in account.get("roles") or []]
        actual = {str(r).lower() for r in account.get("actual_roles") or []}
        lacking = [r for r in declared if r.lower() not in actual]
        if lacking:
            problems.append(
                f"account {account_label(account)} is declared with role(s) {', '.join(lacking)} in the accounts "
                f"file but Keystone does not give it them (its roles: {', '.join(sorted(actual)) or 'none'}); "
                "Tempest would pick it for tests of those roles and they would fail"
            )
    seen: set[RoleNeed] = set()
    for program in programs:
        for need in ROLE_NEEDS.get(program, ()):
            if need in seen:
                continue
            seen.add(need)
            role = role_names.get(need.kind, "")
            having = [a for a in accounts if role in [str(r) for r in a.get("roles") or []]]
            if len(having) < need.count:
                problems.append(
                    f"program {program} needs {need.count} account(s) declared with role {role!r} "
                    f"(object-storage.{need.kind}_role) in the accounts file, found {len(having)}: without "
                    f"them Tempest skips or fails {need.tests}"
                )
    return problems
