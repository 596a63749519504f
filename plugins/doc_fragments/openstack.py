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
      - Explicit credentials, as the C(auth) section of a C(clouds.yaml) entry.
      - Mutually exclusive with O(cloud).
      - Only O(auth.password), O(auth.token) and O(auth.application_credential_secret) are
        hidden from output; the other values stay readable in messages.
    type: dict
    suboptions:
      auth_url: {description: Keystone URL., type: str}
      username: {description: User name., type: str}
      user_id: {description: User ID., type: str}
      password: {description: Password., type: str}
      token: {description: Token (auth type C(token))., type: str}
      project_name: {description: Project to scope to., type: str}
      project_id: {description: Project ID to scope to., type: str}
      user_domain_name: {description: Domain of the user., type: str}
      user_domain_id: {description: Domain ID of the user., type: str}
      project_domain_name: {description: Domain of the project., type: str}
      project_domain_id: {description: Domain ID of the project., type: str}
      domain_name: {description: Domain to scope to., type: str}
      domain_id: {description: Domain ID to scope to., type: str}
      default_domain_name: {description: Domain for both user and project., type: str}
      default_domain_id: {description: Domain ID for both user and project., type: str}
      system_scope: {description: System scope (C(all))., type: str}
      application_credential_id: {description: Application credential ID., type: str}
      application_credential_name: {description: Application credential name., type: str}
      application_credential_secret: {description: Application credential secret., type: str}
  auth_type:
    description: Keystone authentication plugin for O(auth).
    type: str
    default: password
  region_name:
    description: Region to use from the service catalog.
    type: str
  interface:
    description:
      - Endpoint interface to pick from the service catalog.
      - When unset, the one of O(connection), else of the C(clouds.yaml) entry, else V(public).
    type: str
    choices: [public, internal, admin]
  validate_certs:
    description:
      - Verify TLS certificates of the cloud's endpoints.
      - When unset, the C(verify) setting of the C(clouds.yaml) entry applies, else C(true).
    type: bool
  ca_cert:
    description: CA bundle used to verify the cloud's endpoints.
    type: path
  client_cert:
    description: Client certificate for mutual TLS (a PEM file, which may also hold the key).
    type: path
  client_key:
    description: Private key of O(client_cert).
    type: path
  connection:
    description:
      - A connection profile, the C(tempestconf_connection) fact the C(openinfra.interop.tempestconf)
        role publishes after its preflight - the C(clouds.yaml) entry (C(cloud), C(clouds_yaml)),
        C(region_name), C(interface), C(verify), C(ca_cert), C(client_cert) and C(client_key) it
        resolved. It holds no secret.
      - The module then connects exactly like the preflight did; options given beside it win.
    type: dict
  api_timeout:
    description: Seconds to wait for one API call.
    type: int
    default: 60
requirements:
  - openstacksdk >= 4.0 on the host that runs the module
"""
