# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Ensure a declarative set of Neutron networks and subnets through one openstacksdk connection.

Networks are matched by name (in the connection's project or shared), subnets by name within
their network. Missing ones are created; attributes Neutron can change in place (external,
shared, gateway, allocation pools, DHCP) are updated when they differ; attributes it cannot
change (provider network type and physical network, CIDR) are reported as an error rather than
silently ignored. Nothing that is not declared is touched. In check mode nothing is written.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Optional

PLACEHOLDER = "(would be created)"
NETWORK_TYPES = ("flat", "vlan", "geneve", "vxlan", "gre", "local")


class NetworkError(Exception):
    """A clear, user-facing failure about the requested resources."""


def _require(kind: str, index: int, item: dict[str, Any], *keys: str) -> None:
    for key in keys:
        if not item.get(key):
            raise NetworkError(f"{kind}[{index}] needs a non-empty {key!r} (got {sorted(item)})")


def normalize_network(index: int, item: dict[str, Any]) -> dict[str, Any]:
    """Check and complete one network entry (pure)."""
    if not isinstance(item, dict):
        raise NetworkError(f"networks[{index}] must be a mapping, got {item!r}")
    item = dict(item)
    _require("networks", index, item, "name")
    for key in ("external", "shared", "provider_network_type", "provider_physical_network",
                "provider_segmentation_id", "mtu"):
        item.setdefault(key, None)
    ptype = item["provider_network_type"]
    if ptype is not None and ptype not in NETWORK_TYPES:
        raise NetworkError(f"networks[{index}] ({item['name']}) has provider_network_type "
                           f"{ptype!r}; use one of {', '.join(NETWORK_TYPES)}")
    if ptype in ("flat", "vlan") and not item["provider_physical_network"]:
        raise NetworkError(f"networks[{index}] ({item['name']}) is a {ptype} network and needs "
                           "provider_physical_network")
    return item


def normalize_subnet(index: int, item: dict[str, Any]) -> dict[str, Any]:
    """Check and complete one subnet entry (pure). Its network may be declared or existing."""
    if not isinstance(item, dict):
        raise NetworkError(f"subnets[{index}] must be a mapping, got {item!r}")
    item = dict(item)
    _require("subnets", index, item, "name", "network", "cidr")
    try:
        net = ipaddress.ip_network(item["cidr"], strict=True)
    except ValueError as exc:
        raise NetworkError(f"subnets[{index}] ({item['name']}) has an invalid cidr "
                           f"{item['cidr']!r}: {exc}") from None
    item["cidr"] = str(net)
    item["ip_version"] = net.version
    gateway = item.get("gateway_ip")
    if gateway is not None:
        _check_address(index, item["name"], "gateway_ip", gateway, net)
    pools = item.get("allocation_pools")
    if pools is not None:
        norm_pools = []
        for pool in pools:
            if not isinstance(pool, dict) or not pool.get("start") or not pool.get("end"):
                raise NetworkError(f"subnets[{index}] ({item['name']}) has an allocation pool "
                                   f"{pool!r}; each needs 'start' and 'end'")
            _check_address(index, item["name"], "allocation_pools start", pool["start"], net)
            _check_address(index, item["name"], "allocation_pools end", pool["end"], net)
            norm_pools.append({"start": str(pool["start"]), "end": str(pool["end"])})
        item["allocation_pools"] = norm_pools
    item.setdefault("gateway_ip", None)
    item.setdefault("allocation_pools", None)
    item.setdefault("enable_dhcp", None)
    item.setdefault("dns_nameservers", None)
    return item


def _check_address(index: int, name: str, what: str, value: str,
                   net: ipaddress.IPv4Network | ipaddress.IPv6Network) -> None:
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        raise NetworkError(f"subnets[{index}] ({name}) has an invalid {what} {value!r}") from None
    if address not in net:
        raise NetworkError(f"subnets[{index}] ({name}): {what} {value} is outside {net}")


def normalize(spec: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Check and complete a whole spec (pure; no API calls)."""
    networks = spec.get("networks") or []
    subnets = spec.get("subnets") or []
    for kind, items in (("networks", networks), ("subnets", subnets)):
        if not isinstance(items, list):
            raise NetworkError(f"{kind} must be a list, got {type(items).__name__}")
    nets = [normalize_network(i, n) for i, n in enumerate(networks)]
    if len({n["name"] for n in nets}) != len(nets):
        raise NetworkError("networks must have distinct names")
    subs = [normalize_subnet(i, s) for i, s in enumerate(subnets)]
    return {"networks": nets, "subnets": subs}


# attribute of the spec -> attribute of the openstacksdk resource
NETWORK_UPDATABLE = {"external": "is_router_external", "shared": "is_shared", "mtu": "mtu"}
NETWORK_FIXED = {"provider_network_type": "provider_network_type",
                 "provider_physical_network": "provider_physical_network",
                 "provider_segmentation_id": "provider_segmentation_id"}
SUBNET_UPDATABLE = {"gateway_ip": "gateway_ip", "allocation_pools": "allocation_pools",
                    "enable_dhcp": "is_dhcp_enabled", "dns_nameservers": "dns_nameservers"}
SUBNET_FIXED = {"cidr": "cidr"}


def _pools_key(pools: Any) -> Any:
    return sorted((p["start"], p["end"]) for p in pools or [])


def differences(wanted: dict[str, Any], current: Any, mapping: dict[str, str]) -> dict[str, Any]:
    """Spec attributes whose wanted value (not None) differs from ``current`` (pure).

    Returns ``{sdk_attribute: wanted_value}``.
    """
    out: dict[str, Any] = {}
    for key, attr in mapping.items():
        value = wanted.get(key)
        if value is None:
            continue
        # openstacksdk resources (dict subclasses) declare their attributes on the class; a plain
        # mapping (as in a recorded response) is read by key
        if isinstance(current, dict) and not hasattr(type(current), attr):
            have = current.get(attr)
        else:
            have = getattr(current, attr, None)
        if key == "allocation_pools":
            if _pools_key(have) != _pools_key(value):
                out[attr] = value
        elif key == "dns_nameservers":
            if sorted(have or []) != sorted(value):
                out[attr] = value
        elif have != value:
            out[attr] = value
    return out


@dataclass
class Report:
    created: dict[str, list[str]] = field(default_factory=lambda: {"networks": [], "subnets": []})
    updated: dict[str, list[str]] = field(default_factory=lambda: {"networks": [], "subnets": []})
    networks: dict[str, dict[str, Any]] = field(default_factory=dict)
    subnets: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(self.created[k] or self.updated[k] for k in ("networks", "subnets"))

    def as_dict(self) -> dict[str, Any]:
        return {"changed": self.changed, "created": self.created, "updated": self.updated,
                "networks": self.networks, "subnets": self.subnets}


class NetworkResources:
    """Reconcile networks and subnets with one openstacksdk ``Connection``."""

    def __init__(self, conn: Any, check_mode: bool = False) -> None:
        self.conn = conn
        self.check_mode = check_mode
        self.report = Report()

    def _find_network(self, name: str) -> Optional[Any]:
        found = list(self.conn.network.networks(name=name))
        if len(found) > 1:
            raise NetworkError(f"there are {len(found)} networks named {name!r}; "
                               "rename or delete the extra ones")
        return found[0] if found else None

    def ensure(self, spec: dict[str, Any]) -> dict[str, Any]:
        wanted = normalize(spec)
        ids: dict[str, str] = {}
        for net in wanted["networks"]:
            ids[net["name"]] = self._ensure_network(net)
        for sub in wanted["subnets"]:
            if sub["network"] not in ids:
                existing = self._find_network(sub["network"])
                if existing is None:
                    raise NetworkError(f"subnet {sub['name']!r} names network {sub['network']!r}, "
                                       "which neither exists nor is declared in networks")
                ids[sub["network"]] = existing.id
            self._ensure_subnet(sub, ids[sub["network"]])
        return self.report.as_dict()

    def _ensure_network(self, net: dict[str, Any]) -> str:
        current = self._find_network(net["name"])
        if current is None:
            attrs = {"name": net["name"]}
            for key, attr in {**NETWORK_UPDATABLE, **NETWORK_FIXED}.items():
                if net.get(key) is not None:
                    attrs[attr] = net[key]
            self.report.created["networks"].append(net["name"])
            if self.check_mode:
                self.report.networks[net["name"]] = {"id": PLACEHOLDER}
                return PLACEHOLDER
            created = self.conn.network.create_network(**attrs)
            self.report.networks[net["name"]] = {"id": created.id}
            return created.id
        fixed = differences(net, current, NETWORK_FIXED)
        if fixed:
            raise NetworkError(
                f"network {net['name']!r} exists with other provider attributes "
                f"({', '.join(f'{k}={getattr(current, k, None)!r}' for k in sorted(fixed))}); "
                "Neutron cannot change them: delete the network or declare what it has")
        updates = differences(net, current, NETWORK_UPDATABLE)
        if updates:
            self.report.updated["networks"].append(net["name"])
            if not self.check_mode:
                self.conn.network.update_network(current, **updates)
        self.report.networks[net["name"]] = {"id": current.id}
        return current.id

    def _ensure_subnet(self, sub: dict[str, Any], network_id: str) -> None:
        current = None
        if network_id != PLACEHOLDER:
            found = list(self.conn.network.subnets(name=sub["name"], network_id=network_id))
            if len(found) > 1:
                raise NetworkError(f"network {sub['network']!r} has {len(found)} subnets named "
                                   f"{sub['name']!r}")
            current = found[0] if found else None
        if current is None:
            attrs = {"name": sub["name"], "network_id": network_id, "cidr": sub["cidr"],
                     "ip_version": sub["ip_version"]}
            attrs.update({attr: sub[key] for key, attr in SUBNET_UPDATABLE.items()
                          if sub.get(key) is not None})
            self.report.created["subnets"].append(sub["name"])
            if self.check_mode:
                self.report.subnets[sub["name"]] = {"id": PLACEHOLDER, "network_id": network_id}
                return
            created = self.conn.network.create_subnet(**attrs)
            self.report.subnets[sub["name"]] = {"id": created.id, "network_id": network_id}
            return
        fixed = differences(sub, current, SUBNET_FIXED)
        if fixed:
            raise NetworkError(f"subnet {sub['name']!r} exists with cidr {current.cidr}, not "
                               f"{sub['cidr']}; Neutron cannot change it")
        updates = differences(sub, current, SUBNET_UPDATABLE)
        if updates:
            self.report.updated["subnets"].append(sub["name"])
            if not self.check_mode:
                self.conn.network.update_subnet(current, **updates)
        self.report.subnets[sub["name"]] = {"id": current.id, "network_id": network_id}
