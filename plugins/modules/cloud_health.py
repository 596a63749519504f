#!/usr/bin/python
# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Functional health checks of a cloud: token, object store, DNS, orchestration and share round trips."""

from __future__ import annotations

DOCUMENTATION = r"""
module: cloud_health
short_description: Check that a cloud works, through its API
version_added: 0.1.0
description:
  - Runs functional checks against a cloud with openstacksdk and fails with a message naming the
    failed check.
  - V(token) issues a token and reads the service catalog (the token is never returned).
  - V(object_store) creates a container through Keystone auth, writes, reads and deletes an
    object and deletes the container again.
  - V(dns) creates a zone, waits until it is C(ACTIVE), adds an A recordset (and, with
    O(dns_server), waits until that name server answers it), then deletes the zone.
  - V(orchestration) creates a stack with one C(OS::Heat::RandomString) resource, waits for
    C(CREATE_COMPLETE), then deletes the stack and waits until it is gone.
  - V(compute) waits until a C(nova-compute) service is up and enabled and a hypervisor is listed
    (it writes nothing).
  - V(shared_file_system) creates a 1 GiB NFS share of the cloud's default share type, waits
    until it is C(available), then deletes it and waits until it is gone.
  - Nothing is left behind, so the module never reports a change.
author:
  - openinfra.interop contributors (!UNKNOWN)
extends_documentation_fragment:
  - openinfra.interop.runner_module
  - openinfra.interop.openstack
options:
  checks:
    description: Checks to run, in order.
    type: list
    elements: str
    choices: [token, object_store, dns, orchestration, compute, shared_file_system]
    default: [token]
  container_prefix:
    description: Prefix of the temporary container of the V(object_store) check.
    type: str
    default: health
  name_prefix:
    description: Prefix of the temporary zone (V(dns)), stack (V(orchestration)) and share (V(shared_file_system)).
    type: str
    default: health
  dns_server:
    description:
      - Address of a name server of the cloud's DNS pool. When set, the V(dns) check also waits
        until that server answers the new A record (needs C(dnspython) where the module runs).
    type: str
  dns_port:
    description: Port of O(dns_server).
    type: int
    default: 53
  wait_timeout:
    description: Seconds the V(dns), V(orchestration), V(compute) and V(shared_file_system) checks wait for each asynchronous step.
    type: int
    default: 120
  retries:
    description: Extra attempts for a check that fails with a connection or server error (just-started services).
    type: int
    default: 3
  delay:
    description: Seconds between attempts.
    type: int
    default: 2
attributes:
  check_mode:
    support: partial
    description: Can run in check mode.
    details: The V(token) check runs; checks that write data (V(object_store), V(dns), V(orchestration), V(shared_file_system)) are skipped.
"""

EXAMPLES = r"""
- name: Token and object storage work on the sandbox cloud
  openinfra.interop.cloud_health:
    cloud: sandbox
    checks: [token, object_store]
"""

RETURN = r"""
report:
  description: Result of each check, by name.
  returned: always
  type: dict
  sample:
    token:
      user_id: 0a1b2c
      project_id: 3d4e5f
      roles: [admin]
      expires_at: "2026-11-25T10:00:00+00:00"
      catalog:
        - type: identity
          name: keystone
          endpoints: {public: "http://127.0.0.1:5000/v3"}
    object_store:
      container: health-1a2b3c4d
      endpoint: "http://127.0.0.1:8080/v1/AUTH_3d4e5f"
"""

from ansible_collections.openinfra.interop.plugins.module_utils.cloud_health import (
    HealthError,
    run_checks,
)
from ansible_collections.openinfra.interop.plugins.module_utils.openstack import OpenStackModule

try:
    from keystoneauth1 import exceptions as ksa_exceptions
    from openstack import exceptions as sdk_exceptions

    TRANSIENT: tuple = (ksa_exceptions.ConnectFailure, ksa_exceptions.ServiceUnavailable,
                        ksa_exceptions.InternalServerError, ksa_exceptions.BadGateway,
                        sdk_exceptions.HttpException)
except ImportError:  # reported by OpenStackModule
    TRANSIENT = ()


class CloudHealthModule(OpenStackModule):
    argument_spec = {
        "checks": {"type": "list", "elements": "str", "default": ["token"],
                   "choices": ["token", "object_store", "dns", "orchestration", "compute",
                               "shared_file_system"]},
        "container_prefix": {"type": "str", "default": "health"},
        "name_prefix": {"type": "str", "default": "health"},
        "dns_server": {"type": "str"},
        "dns_port": {"type": "int", "default": 53},
        "wait_timeout": {"type": "int", "default": 120},
        "retries": {"type": "int", "default": 3},
        "delay": {"type": "int", "default": 2},
    }
    module_kwargs = {"supports_check_mode": True}

    def run(self) -> None:
        p = self.params
        try:
            options = {key: p[key] for key in ("container_prefix", "name_prefix", "dns_server",
                                               "dns_port", "wait_timeout")}
            results = run_checks(self.conn, p["checks"], options,
                                 check_mode=self.module.check_mode, retries=p["retries"],
                                 delay=p["delay"], transient=TRANSIENT)
        except HealthError as exc:
            self.module.fail_json(msg=str(exc))
        self.module.exit_json(changed=False, report=results)


def main() -> None:
    CloudHealthModule()()


if __name__ == "__main__":
    main()
