# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Options shared by every module that talks to an OpenStack cloud."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  cloud:
    description:
      - Name of an entry in C(clouds.yaml) (the same name C(openstack --os-cloud) takes).
      - Mutually exclusive with O(auth).
    type: str
  auth:
    description:
      - Explicit credentials, as the C(auth) section of a C(clouds.yaml) entry
        (C(auth_url), C(username), C(password), C(project_name), C(user_domain_name),
        C(project_domain_name), ...).
      - Mutually exclusive with O(cloud).
    type: dict
  auth_type:
    description: Keystone authentication plugin for O(auth).
    type: str
    default: password
  region_name:
    description: Region to use from the service catalog.
    type: str
  interface:
    description: Endpoint interface to pick from the service catalog.
    type: str
    choices: [public, internal, admin]
    default: public
  validate_certs:
    description: Verify TLS certificates of the cloud's endpoints.
    type: bool
    default: true
  ca_cert:
    description: CA bundle used to verify the cloud's endpoints.
    type: path
  api_timeout:
    description: Seconds to wait for one API call.
    type: int
    default: 60
requirements:
  - openstacksdk >= 4.0 on the host that runs the module
"""
