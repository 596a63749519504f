# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Pure logic of network_resources: validation of the spec and attribute comparison (the
reconciliation itself runs against the sandbox cloud's real Neutron)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils import network_resources as N

PUBLIC = {"name": "public", "external": True, "shared": True,
          "provider_network_type": "flat", "provider_physical_network": "public"}
SUBNET = {"name": "public-subnet", "network": "public", "cidr": "172.24.4.0/24",
          "gateway_ip": "172.24.4.1",
          "allocation_pools": [{"start": "172.24.4.10", "end": "172.24.4.250"}]}


def test_normalize_completes_entries() -> None:
    spec = N.normalize({"networks": [PUBLIC], "subnets": [SUBNET]})
    net, sub = spec["networks"][0], spec["subnets"][0]
    assert net["mtu"] is None and net["provider_segmentation_id"] is None
    assert sub["ip_version"] == 4 and sub["enable_dhcp"] is None
    assert sub["allocation_pools"] == [{"start": "172.24.4.10", "end": "172.24.4.250"}]


def test_normalize_accepts_ipv6() -> None:
    sub = N.normalize({"subnets": [{"name": "v6", "network": "n", "cidr": "fd00::/64"}]})["subnets"][0]
    assert sub["ip_version"] == 6 and sub["gateway_ip"] is None


@pytest.mark.parametrize(("spec", "message"), [
    ({"networks": "public"}, "networks must be a list"),
    ({"networks": ["public"]}, "networks[0] must be a mapping"),
    ({"networks": [{"external": True}]}, "networks[0] needs a non-empty 'name'"),
    ({"networks": [dict(PUBLIC, provider_network_type="ethernet")]}, "use one of flat, vlan"),
    ({"networks": [dict(PUBLIC, provider_physical_network=None)]}, "needs provider_physical_network"),
    ({"networks": [PUBLIC, PUBLIC]}, "distinct names"),
    ({"subnets": [dict(SUBNET, cidr="172.24.4.1/24")]}, "invalid cidr '172.24.4.1/24'"),
    ({"subnets": [dict(SUBNET, gateway_ip="10.0.0.1")]}, "gateway_ip 10.0.0.1 is outside 172.24.4.0/24"),
    ({"subnets": [dict(SUBNET, gateway_ip="nope")]}, "invalid gateway_ip 'nope'"),
    ({"subnets": [dict(SUBNET, allocation_pools=[{"start": "172.24.4.10"}])]}, "needs 'start' and 'end'"),
    ({"subnets": [dict(SUBNET, allocation_pools=[{"start": "172.24.4.10", "end": "172.24.5.1"}])]},
     "allocation_pools end 172.24.5.1 is outside"),
    ({"subnets": [{"name": "s", "cidr": "10.0.0.0/24"}]}, "subnets[0] needs a non-empty 'network'"),
])
def test_normalize_rejects_bad_input(spec: dict, message: str) -> None:
    with pytest.raises(N.NetworkError, match=None) as err:
        N.normalize(spec)
    assert message in str(err.value)


def test_differences_ignores_unset_and_equal_values() -> None:
    current = SimpleNamespace(is_router_external=True, is_shared=False, mtu=1500)
    wanted = N.normalize({"networks": [dict(PUBLIC, shared=True)]})["networks"][0]
    assert N.differences(wanted, current, N.NETWORK_UPDATABLE) == {"is_shared": True}


def test_differences_of_fixed_provider_attributes() -> None:
    current = SimpleNamespace(provider_network_type="vlan", provider_physical_network="public",
                              provider_segmentation_id=100)
    wanted = N.normalize({"networks": [PUBLIC]})["networks"][0]
    assert N.differences(wanted, current, N.NETWORK_FIXED) == {"provider_network_type": "flat"}


def test_differences_compares_pools_and_nameservers_as_sets() -> None:
    wanted = N.normalize({"subnets": [dict(SUBNET, dns_nameservers=["192.0.2.1", "192.0.2.2"],
                                           allocation_pools=[{"start": "172.24.4.100", "end": "172.24.4.110"},
                                                             {"start": "172.24.4.10", "end": "172.24.4.20"}])]})["subnets"][0]
    current = {"gateway_ip": "172.24.4.1", "is_dhcp_enabled": True,
               "dns_nameservers": ["192.0.2.2", "192.0.2.1"],
               "allocation_pools": [{"start": "172.24.4.10", "end": "172.24.4.20"},
                                    {"start": "172.24.4.100", "end": "172.24.4.110"}]}
    assert N.differences(wanted, current, N.SUBNET_UPDATABLE) == {}
    current["allocation_pools"] = [{"start": "172.24.4.10", "end": "172.24.4.250"}]
    assert list(N.differences(wanted, current, N.SUBNET_UPDATABLE)) == ["allocation_pools"]


def test_report_changed() -> None:
    report = N.Report()
    assert not report.changed and report.as_dict()["changed"] is False
    report.updated["subnets"].append("public-subnet")
    assert report.as_dict()["changed"] is True
