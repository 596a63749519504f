#!/usr/bin/python
# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The cloud provider id (CPID) of a cloud, as refstack-client computes it."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: cloud_cpid
short_description: Get the cloud provider id (CPID) of a cloud the way refstack-client does
version_added: 0.1.0
description:
  - Authenticates against Keystone with the given cloud or credentials and returns the CPID
    that identifies the cloud in a RefStack result, with the rules of refstack-client
    (Keystone v3 - the id of the C(identity) service in the token's catalog; Keystone v2 - the
    id of the identity endpoint; otherwise the md5 hex digest of the auth URL's host name).
  - Unlike refstack-client, RV(method) always says which rule gave the CPID and RV(detail)
    why a fallback happened (for example a user without a role on its project, such as the
    C(demo_tempestconf) user of python-tempestconf, gets V(401) and only the host name hash).
  - Use credentials that can log in to a project (the cloud entry or the first
    pre-provisioned Tempest account), or set O(fallback=false) to fail instead of falling back.
  - Nothing is changed on the cloud.
author:
  - openinfra.interop contributors (!UNKNOWN)
extends_documentation_fragment:
  - openinfra.interop.openstack
  - ansible.builtin.action_common_attributes
options:
  fallback:
    description:
      - When the catalog gives no CPID (authentication refused, unscoped token, no identity
        service), return the md5 hash of the auth URL's host name like refstack-client.
      - With V(false) the module fails instead, naming the reason.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    details: Nothing is changed, so the module runs the same in check mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
"""

EXAMPLES = r"""
- name: CPID of the cloud under test, reached exactly like the tempestconf preflight reached it
  openinfra.interop.cloud_cpid:
    connection: "{{ tempestconf_connection }}"
    fallback: false
  register: cpid_result

- name: CPID with the first pre-provisioned Tempest account, never the host name hash
  openinfra.interop.cloud_cpid:
    auth:
      auth_url: https://keystone.example.com:5000/v3
      username: "{{ accounts[0].username }}"
      password: "{{ accounts[0].password }}"
      project_name: "{{ accounts[0].project_name }}"
      user_domain_name: Default
      project_domain_name: Default
    fallback: false
  no_log: true
  register: cpid_result
"""

RETURN = r"""
cpid:
  description: The CPID.
  returned: success
  type: str
  sample: d7f792d1c38e4caaa15f01da1fadab2a
method:
  description:
    - V(catalog) (Keystone v3 identity service id), V(endpoint) (Keystone v2 identity endpoint
      id) or V(hostname-hash) (md5 of the auth URL host name).
  returned: success
  type: str
  sample: catalog
detail:
  description: How the CPID was obtained, with the reason of a fallback.
  returned: success
  type: str
  sample: id of the identity service in the Keystone v3 token catalog
auth_url:
  description: The auth URL used.
  returned: success
  type: str
  sample: https://keystone.example.com:5000/v3
"""

from typing import Any

from ansible_collections.openinfra.interop.plugins.module_utils.cpid import (
    METHOD_HOSTNAME,
    CpidError,
    resolve_cpid,
    token_view,
)
from ansible_collections.openinfra.interop.plugins.module_utils.openstack import OpenStackModule

try:
    from keystoneauth1 import exceptions as ksa_exceptions
except ImportError:  # reported by OpenStackModule
    pass


class CloudCpidModule(OpenStackModule):
    argument_spec = {
        "fallback": {"type": "bool", "default": True},
    }
    module_kwargs = {"supports_check_mode": True}

    def run(self) -> None:
        conn = self.conn
        auth_url = str((conn.config.get_auth_args() or {}).get("auth_url") or "")
        status: int | None = None
        body: Any = None
        error = None
        try:
            access = conn.session.auth.get_access(conn.session)
            status, body = token_view(access)
        except ksa_exceptions.Unauthorized as exc:
            error = f"Keystone refused the credentials (HTTP 401: {exc})"
        except ksa_exceptions.ConnectFailure as exc:
            error = f"cannot reach Keystone at {auth_url}: {exc}"
        except ksa_exceptions.ClientException as exc:
            error = f"Keystone error: {exc}"
        try:
            found = resolve_cpid(auth_url, status, body, error=error)
        except CpidError as exc:
            self.module.fail_json(msg=f"No CPID: {error or 'the token catalog gave none'}, and {exc}")
        if found.method == METHOD_HOSTNAME and not self.params["fallback"]:
            self.module.fail_json(
                msg=f"Cannot get the CPID from the Keystone catalog: {found.fallback_reason} (fallback is false)"
            )
        self.module.exit_json(changed=False, cpid=found.cpid, method=found.method, detail=found.detail,
                              auth_url=auth_url)


def main() -> None:
    CloudCpidModule()()


if __name__ == "__main__":
    main()
