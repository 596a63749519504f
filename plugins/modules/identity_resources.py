#!/usr/bin/python
# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Ensure Keystone projects, users, roles, assignments, services and endpoints in one go."""

from __future__ import annotations

DOCUMENTATION = r"""
module: identity_resources
short_description: Ensure a declarative set of Keystone resources exists
version_added: 0.1.0
description:
  - Ensures regions, domains, projects, users, roles, role assignments, services and endpoints exist as
    declared, from one openstacksdk connection (one process, each kind listed once), and reports
    exactly what it created or updated.
  - Resources that exist but are not declared are never changed or deleted, except the
    services O(catalog) has in a group that is not in O(catalog_present), and the endpoints
    O(purge_endpoints) removes.
  - Needs admin credentials on the cloud (identity API v3).
author:
  - openinfra.interop contributors (!UNKNOWN)
extends_documentation_fragment:
  - openinfra.interop.runner_module
  - openinfra.interop.openstack
options:
  regions:
    description: Regions, by id. Regions named by O(endpoints) are created when missing anyway.
    type: list
    elements: str
    default: []
  domains:
    description:
      - Domains to ensure, matched by name. They are ensured before the projects, users and role
        assignments, which may then name them (for example a Heat stack user domain and its admin).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Domain name.
        type: str
        required: true
      description:
        description: Description (left alone when omitted).
        type: str
      enabled:
        description: Whether the domain is enabled (left alone when omitted).
        type: bool
  projects:
    description: Projects to ensure.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Project name.
        type: str
        required: true
      domain:
        description: Domain name or id.
        type: str
        default: default
      description:
        description: Description (left alone when omitted).
        type: str
      enabled:
        description: Whether the project is enabled (left alone when omitted).
        type: bool
  users:
    description: Users to ensure.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: User name.
        type: str
        required: true
      domain:
        description: Domain name or id.
        type: str
        default: default
      password:
        description: Password; see O(update_password).
        type: str
      default_project:
        description: Name of the default project, in the user's domain.
        type: str
      email:
        description: E-mail address (left alone when omitted).
        type: str
      description:
        description: Description (left alone when omitted).
        type: str
      enabled:
        description: Whether the user is enabled (left alone when omitted).
        type: bool
  roles:
    description: Global roles to ensure, by name.
    type: list
    elements: str
    default: []
  role_assignments:
    description: Role assignments of users on a project or a domain.
    type: list
    elements: dict
    default: []
    suboptions:
      user:
        description: User name.
        type: str
        required: true
      user_domain:
        description: Domain of the user.
        type: str
        default: default
      role:
        description: Role name.
        type: str
        required: true
      project:
        description: Project name (exactly one of O(role_assignments[].project) and O(role_assignments[].domain)).
        type: str
      project_domain:
        description: Domain of the project (default the user's domain).
        type: str
      domain:
        description: Domain name or id, for a domain-scoped assignment.
        type: str
  services:
    description: Catalog services, matched by name and type.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Service name, e.g. C(swift).
        type: str
        required: true
      type:
        description: Service type, e.g. C(object-store).
        type: str
        required: true
      description:
        description: Description (left alone when omitted).
        type: str
      enabled:
        description: Whether the service is enabled (left alone when omitted).
        type: bool
  endpoints:
    description: Catalog endpoints, matched by service, interface and region; the URL is updated when it differs.
    type: list
    elements: dict
    default: []
    suboptions:
      service:
        description: Name (or, if no name matches, type) of the service.
        type: str
        required: true
      interface:
        description: Endpoint interface.
        type: str
        choices: [public, internal, admin]
        default: public
      url:
        description: Endpoint URL (may contain C($(project_id\)s) style substitutions).
        type: str
        required: true
      region:
        description: Region id.
        type: str
        default: RegionOne
      enabled:
        description: Whether the endpoint is enabled (left alone when omitted).
        type: bool
  catalog:
    description:
      - The catalog services of a cloud as one table, by group (for example the component that
        serves them); each group is a list of services with C(name), C(type), C(url) (of all its
        endpoints) and an optional C(description).
      - The services of the groups in O(catalog_present) are ensured like O(services), each with
        one endpoint per interface (public, internal, admin) at its C(url) in O(catalog_region).
      - The services of the other groups are deleted, their endpoints first, so the catalog
        offers exactly what O(catalog_present) names. Services the table does not list are
        never touched.
      - A service listed twice, or both here and in O(services) while its group is absent, is an
        error.
    type: dict
    default: {}
  catalog_present:
    description: The groups of O(catalog) whose services the catalog offers; names that are not a group of O(catalog) are ignored.
    type: list
    elements: str
    default: []
  catalog_region:
    description: Region of the endpoints of O(catalog).
    type: str
    default: RegionOne
  purge_endpoints:
    description:
      - Delete the endpoints of each service named in O(endpoints) whose interface and region no
        entry of O(endpoints) for that service has (for example those left in the old region when
        a cloud moves to another one). Endpoints of services not named there are never touched.
    type: bool
    default: false
  update_password:
    description:
      - V(always) checks each existing user's password by authenticating as that user and
        updates it only when it does not work (so a second run reports no change).
      - V(on_create) sets passwords only for new users.
    type: str
    choices: [always, on_create]
    default: always
attributes:
  check_mode:
    support: full
    description: Can run in check mode and report what would be created or updated; nothing is written.
"""

EXAMPLES = r"""
- name: Offer exactly the services of the running components
  openinfra.interop.identity_resources:
    cloud: sandbox
    catalog:
      swift:
        - {name: swift, type: object-store, url: "http://127.0.0.1:8080/v1/AUTH_%(project_id)s"}
      glance:
        - {name: glance, type: image, url: "http://127.0.0.1:9292"}
    # glance is not running: its service and endpoints leave the catalog
    catalog_present: [swift]
    catalog_region: RegionOne

- name: Register Swift in the sandbox's Keystone
  openinfra.interop.identity_resources:
    cloud: sandbox
    projects:
      - name: service
    users:
      - name: swift
        password: "{{ swift_password }}"
        default_project: service
    roles: [ResellerAdmin, swiftoperator]
    role_assignments:
      - {user: swift, project: service, role: admin}
    services:
      - {name: swift, type: object-store}
    endpoints:
      - service: swift
        interface: public
        url: "http://127.0.0.1:8080/v1/AUTH_%(project_id)s"
  no_log: true
"""

RETURN = r"""
created:
  description: Names of what was (or, in check mode, would be) created, per kind.
  returned: always
  type: dict
  sample:
    projects: [service, demo]
    users: [swift, demo]
    roles: [ResellerAdmin]
    role_assignments: ["swift/admin@project:service"]
    services: ["swift (object-store)"]
    endpoints: ["swift public RegionOne"]
    regions: []
    domains: []
updated:
  description: Names of what was (or would be) updated, per kind (same keys as RV(created)).
  returned: always
  type: dict
deleted:
  description:
    - Services deleted (or, in check mode, to delete) because their group of O(catalog) is not
      in O(catalog_present), and endpoints deleted with them or by O(purge_endpoints).
  returned: always
  type: dict
  sample:
    services: ["swift (object-store)"]
    endpoints: ["swift public RegionOne"]
ids:
  description: Ids of the declared domains, projects, users, roles and services, by name.
  returned: always
  type: dict
  sample:
    projects: {service: 5d7e0c0e3b0e4b8c9f0a1b2c3d4e5f60}
"""

from ansible_collections.openinfra.interop.plugins.module_utils.identity_resources import (
    IdentityError,
    IdentityResources,
    catalog_plan,
)
from ansible_collections.openinfra.interop.plugins.module_utils.openstack import OpenStackModule


class IdentityResourcesModule(OpenStackModule):
    argument_spec = {
        "regions": {"type": "list", "elements": "str", "default": []},
        "domains": {"type": "list", "elements": "dict", "default": [], "options": {
            "name": {"type": "str", "required": True},
            "description": {"type": "str"},
            "enabled": {"type": "bool"},
        }},
        "projects": {"type": "list", "elements": "dict", "default": [], "options": {
            "name": {"type": "str", "required": True},
            "domain": {"type": "str", "default": "default"},
            "description": {"type": "str"},
            "enabled": {"type": "bool"},
        }},
        "users": {"type": "list", "elements": "dict", "default": [], "options": {
            "name": {"type": "str", "required": True},
            "domain": {"type": "str", "default": "default"},
            "password": {"type": "str", "no_log": True},
            "default_project": {"type": "str"},
            "email": {"type": "str"},
            "description": {"type": "str"},
            "enabled": {"type": "bool"},
        }},
        "roles": {"type": "list", "elements": "str", "default": []},
        "role_assignments": {"type": "list", "elements": "dict", "default": [], "options": {
            "user": {"type": "str", "required": True},
            "user_domain": {"type": "str", "default": "default"},
            "role": {"type": "str", "required": True},
            "project": {"type": "str"},
            "project_domain": {"type": "str"},
            "domain": {"type": "str"},
        }, "mutually_exclusive": [["project", "domain"]],
            "required_one_of": [["project", "domain"]]},
        "services": {"type": "list", "elements": "dict", "default": [], "options": {
            "name": {"type": "str", "required": True},
            "type": {"type": "str", "required": True},
            "description": {"type": "str"},
            "enabled": {"type": "bool"},
        }},
        "endpoints": {"type": "list", "elements": "dict", "default": [], "options": {
            "service": {"type": "str", "required": True},
            "interface": {"type": "str", "default": "public",
                          "choices": ["public", "internal", "admin"]},
            "url": {"type": "str", "required": True},
            "region": {"type": "str", "default": "RegionOne"},
            "enabled": {"type": "bool"},
        }},
        "update_password": {"type": "str", "default": "always", "choices": ["always", "on_create"]},
        "purge_endpoints": {"type": "bool", "default": False},
        "catalog": {"type": "dict", "default": {}},
        "catalog_present": {"type": "list", "elements": "str", "default": []},
        "catalog_region": {"type": "str", "default": "RegionOne"},
    }
    module_kwargs = {"supports_check_mode": True}

    def run(self) -> None:
        p = self.params
        spec = {kind: p[kind] for kind in ("regions", "domains", "projects", "users", "roles",
                                           "role_assignments", "services", "endpoints")}
        auth_url = (p["auth"] or {}).get("auth_url")
        reconciler = IdentityResources(self.conn, check_mode=self.module.check_mode,
                                       update_password=p["update_password"], auth_url=auth_url,
                                       purge_endpoints=p["purge_endpoints"])
        try:
            plan = catalog_plan(p["catalog"], p["catalog_present"], p["catalog_region"])
            result = reconciler.ensure(spec, plan)
        except IdentityError as exc:
            self.module.fail_json(msg=str(exc), created=reconciler.report.created,
                                  updated=reconciler.report.updated,
                                  deleted=reconciler.report.deleted)
        self.module.exit_json(**result)


def main() -> None:
    IdentityResourcesModule()()


if __name__ == "__main__":
    main()
