#!/usr/bin/python
# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Ensure Neutron networks and subnets in one go."""

from __future__ import annotations

DOCUMENTATION = r"""
module: network_resources
short_description: Ensure a declarative set of Neutron networks and subnets exists
version_added: 0.1.0
description:
  - Ensures networks and subnets exist as declared, from one openstacksdk connection, and
    reports what it created or updated and the ids of all of them.
  - Networks are matched by name, subnets by name within their network. Attributes Neutron can
    change in place are updated when they differ; a difference in one it cannot change
    (provider attributes, CIDR) is an error naming it.
  - Resources that exist but are not declared are never changed or deleted.
  - Provider attributes and external networks need admin credentials.
author:
  - openinfra.interop contributors (!UNKNOWN)
extends_documentation_fragment:
  - openinfra.interop.runner_module
  - openinfra.interop.openstack
options:
  networks:
    description: Networks to ensure.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Network name.
        type: str
        required: true
      external:
        description: Whether routers may use it as their external gateway (left alone when omitted).
        type: bool
      shared:
        description: Whether every project may use it (left alone when omitted).
        type: bool
      mtu:
        description: MTU (left alone when omitted).
        type: int
      provider_network_type:
        description: Provider network type, set at creation only.
        type: str
        choices: [flat, vlan, geneve, vxlan, gre, local]
      provider_physical_network:
        description: Physical network of a C(flat) or C(vlan) network, set at creation only.
        type: str
      provider_segmentation_id:
        description: Segmentation id (VLAN id, VNI), set at creation only.
        type: int
  subnets:
    description: Subnets to ensure.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Subnet name.
        type: str
        required: true
      network:
        description: Name of its network (declared in O(networks) or already existing).
        type: str
        required: true
      cidr:
        description: Address range, e.g. C(172.24.4.0/24); set at creation only.
        type: str
        required: true
      gateway_ip:
        description: Gateway address (left alone when omitted).
        type: str
      allocation_pools:
        description: Address pools, each with C(start) and C(end) (left alone when omitted).
        type: list
        elements: dict
      enable_dhcp:
        description: Whether Neutron serves DHCP on it (left alone when omitted).
        type: bool
      dns_nameservers:
        description: DNS servers (left alone when omitted).
        type: list
        elements: str
attributes:
  check_mode:
    support: full
    description: Can run in check mode and report what would be created or updated; nothing is written.
"""

EXAMPLES = r"""
- name: External flat network of the sandbox cloud
  openinfra.interop.network_resources:
    cloud: sandbox
    networks:
      - name: public
        external: true
        shared: true
        provider_network_type: flat
        provider_physical_network: public
    subnets:
      - name: public-subnet
        network: public
        cidr: 172.24.4.0/24
        gateway_ip: 172.24.4.1
        allocation_pools:
          - {start: 172.24.4.10, end: 172.24.4.250}
  register: net

- name: Show its id
  ansible.builtin.debug:
    msg: "{{ net.networks.public.id }}"
"""

RETURN = r"""
created:
  description: Names of what was (or, in check mode, would be) created, per kind.
  returned: always
  type: dict
  sample: {networks: [public], subnets: [public-subnet]}
updated:
  description: Names of what was (or would be) updated, per kind.
  returned: always
  type: dict
  sample: {networks: [], subnets: []}
networks:
  description: Id of each declared network, by name (C((would be created)) in check mode).
  returned: always
  type: dict
  sample: {public: {id: 5f0c1b9e-1c6e-4e53-9a53-1b2f8f0c0a11}}
subnets:
  description: Id and network id of each declared subnet, by name.
  returned: always
  type: dict
  sample: {public-subnet: {id: 0d6c1d9a-7e0f-4a8e-b3c1-2f9f5a1e8c33, network_id: 5f0c1b9e-1c6e-4e53-9a53-1b2f8f0c0a11}}
"""

from ansible_collections.openinfra.interop.plugins.module_utils.network_resources import (
    NetworkError,
    NetworkResources,
)
from ansible_collections.openinfra.interop.plugins.module_utils.openstack import OpenStackModule


class NetworkResourcesModule(OpenStackModule):
    argument_spec = {
        "networks": {
            "type": "list", "elements": "dict", "default": [],
            "options": {
                "name": {"type": "str", "required": True},
                "external": {"type": "bool"},
                "shared": {"type": "bool"},
                "mtu": {"type": "int"},
                "provider_network_type": {"type": "str",
                                          "choices": ["flat", "vlan", "geneve", "vxlan", "gre", "local"]},
                "provider_physical_network": {"type": "str"},
                "provider_segmentation_id": {"type": "int"},
            },
        },
        "subnets": {
            "type": "list", "elements": "dict", "default": [],
            "options": {
                "name": {"type": "str", "required": True},
                "network": {"type": "str", "required": True},
                "cidr": {"type": "str", "required": True},
                "gateway_ip": {"type": "str"},
                "allocation_pools": {"type": "list", "elements": "dict"},
                "enable_dhcp": {"type": "bool"},
                "dns_nameservers": {"type": "list", "elements": "str"},
            },
        },
    }
    module_kwargs = {"supports_check_mode": True}

    def run(self) -> None:
        spec = {"networks": self.params["networks"], "subnets": self.params["subnets"]}
        try:
            report = NetworkResources(self.conn, check_mode=self.module.check_mode).ensure(spec)
        except NetworkError as exc:
            self.module.fail_json(msg=str(exc))
        self.module.exit_json(**report)


def main() -> None:
    NetworkResourcesModule()()


if __name__ == "__main__":
    main()
