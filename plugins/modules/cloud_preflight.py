#!/usr/bin/python
# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Authenticate to a cloud, read its catalog and check it can serve the selected programs."""

from __future__ import annotations

DOCUMENTATION = r"""
module: cloud_preflight
short_description: Check that a cloud can be certified before Tempest is configured
version_added: 0.1.0
description:
  - Authenticates with the given credentials, reads the service catalog of the token and
    checks that every service the selected interop programs need is in the catalog with an
    endpoint of the chosen O(interface), and (optionally) that those endpoints answer.
  - Fails with one clear error when the auth URL cannot be reached, when the credentials are
    rejected, or when a needed service is absent.
  - Returns a summary of the catalog, the Keystone API version and the role names of the
    cloud (all roles when the user may list them, otherwise the roles of its token), from
    which the name of the member role (C(member) or C(Member)) is picked.
  - Read-only; never returns a password.
extends_documentation_fragment:
  - openinfra.interop.runner_module
  - openinfra.interop.openstack
options:
  programs:
    description:
      - Programs whose services must be in the catalog, canonical names of the collection's
        program registry (C(plugins/module_utils/programs.py)), which owns what each needs.
      - C(object) needs C(object-store); C(compute) and C(scs_0128) need C(compute),
        C(image), C(network) and block storage (C(block-storage) or C(volumev3));
        C(platform) needs both; C(dns) needs C(dns); C(orchestration) needs
        C(orchestration); C(shared_file_system) needs C(sharev2); a V(list:<file or URL>)
        program needs nothing beyond identity.
    type: list
    elements: str
    default: []
  required_services:
    description:
      - Further catalog service types that must be present. C(a|b) accepts either type.
    type: list
    elements: str
    default: []
  check_endpoints:
    description:
      - Send one unauthenticated GET to the endpoint of every needed service and fail when
        it cannot be reached (any HTTP answer counts as reachable).
      - Catches a catalog whose O(interface) endpoints are not reachable from this host.
    type: bool
    default: true
  accounts_file:
    description:
      - A Tempest accounts.yaml of pre-provisioned accounts (non-admin mode). Each account logs
        in with the same connection (auth URL, CA bundle, region) before anything runs; the
        module fails when one cannot, when one lacks a role the file declares for it, or when
        the accounts lack the roles the selected programs need (C(object) and C(platform) - two
        accounts with the operator role, one with the reseller admin role), naming the tests
        that would not run.
    type: path
  operator_role:
    description: Role of the object storage operator accounts (empty - the cloud's member role).
    type: str
    default: ""
  reseller_admin_role:
    description: Role of the object storage reseller admin account.
    type: str
    default: ResellerAdmin
  require_account_roles:
    description: With V(false) missing roles of O(accounts_file) are warnings, not an error.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    description: Read-only; runs the same in check mode.
author:
  - openinfra.interop contributors (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Check the cloud before discovery
  openinfra.interop.cloud_preflight:
    cloud: sandbox
    programs: [object]
  vars:
    ansible_python_interpreter: /opt/tempest-venv/bin/python
  register: preflight

- name: Explicit credentials and an extra service
  openinfra.interop.cloud_preflight:
    auth:
      auth_url: https://keystone.example.com/v3
      username: certifier
      password: "{{ vault_certifier_password }}"
      project_name: interop
      user_domain_name: Default
      project_domain_name: Default
    programs: [compute]
    required_services: [placement]
"""

RETURN = r"""
keystone_version:
  description: Identity API version of the token (C(v3) or C(v2.0)).
  returned: success
  type: str
  sample: v3
auth_url:
  description: The auth URL that was used.
  returned: success
  type: str
user:
  description: Name of the authenticated user.
  returned: success
  type: str
project:
  description: Name of the project the token is scoped to.
  returned: success
  type: str
region:
  description: Region used to pick endpoints (empty when none was set).
  returned: success
  type: str
interface:
  description: Endpoint interface that was checked.
  returned: success
  type: str
catalog:
  description: Services of the catalog with their endpoints of O(interface) (and region).
  returned: success
  type: list
  elements: dict
  sample: [{"type": "object-store", "name": "swift", "endpoints": ["http://127.0.0.1:8080/v1/AUTH_1"]}]
service_types:
  description: Sorted service types of the catalog.
  returned: success
  type: list
  elements: str
required:
  description: Each needed service, the program needing it and the catalog type that satisfies it.
  returned: success
  type: list
  elements: dict
  sample: [{"program": "object", "service": "object-store", "type": "object-store", "codename": "swift"}]
roles:
  description: Role names of the cloud, or of the token when the user may not list roles.
  returned: success
  type: list
  elements: str
roles_source:
  description: C(keystone) (all roles were listed) or C(token) (roles of the user's token).
  returned: success
  type: str
token_roles:
  description: Roles of the authenticated user on its project.
  returned: success
  type: list
  elements: str
member_role:
  description: Name of the member role (C(member), or a case variant such as C(Member)); empty if none.
  returned: success
  type: str
  sample: member
is_admin:
  description: Whether the token carries the C(admin) role.
  returned: success
  type: bool
cloud_features:
  description:
    - Extensions the cloud reports, by Tempest service name - C(object) has the keys of Swift's
      C(/info) (read beside the C(/v1) path of the endpoint, also behind a path prefix).
    - C(share) has what Manila's storage pools report (C(storage_protocol:NFS_CIFS),
      C(snapshot_support), C(revert_to_snapshot_support), C(replication:readable), ...; admin
      only) and C(default_share_type:<name>).
  returned: success
  type: dict
  sample: {"object": ["account_quotas", "bulk_delete", "container_quotas", "slo", "tempurl"]}
reported_overrides:
  description:
    - tempest.conf options derived from C(cloud_features) that python-tempestconf does not set -
      for C(share), the C(run_*_tests) switches and rule types of manila-tempest-plugin.
  returned: success
  type: dict
  sample: {"share.run_revert_to_snapshot_tests": true, "share.default_share_type_name": "default"}
fingerprint:
  description:
    - What the cloud reports that discovery depends on - services with their endpoints, the API
      versions the probed endpoints announce, and C(cloud_features). A tempest.conf discovered
      for another fingerprint is stale.
  returned: success
  type: dict
accounts:
  description:
    - The accounts of O(accounts_file) (no passwords), each with C(actual_roles), the roles of
      its token.
  returned: success
  type: list
  elements: dict
cpid:
  description:
    - The cloud provider id of a RefStack result, from the catalog of the token the preflight
      got (as M(openinfra.interop.cloud_cpid) reads it) - C(cpid), C(method) (C(catalog),
      C(endpoint) or C(hostname-hash) when the catalog gives none), C(detail) and C(auth_url).
    - Read here so a run asks Keystone for it once; the refstack_client role uses it when its
      method is C(catalog) or C(endpoint) and looks it up itself otherwise.
  returned: success (empty when no CPID can be computed at all)
  type: dict
  sample: {"cpid": "d7f792d1c38e4caaa15f01da1fadab2a", "method": "catalog",
           "detail": "id of the identity service in the Keystone v3 token catalog",
           "auth_url": "https://cloud.example.com:8443/identity/v3"}
connection:
  description:
    - The connection profile that worked - the C(clouds.yaml) entry and file, auth URL, region,
      interface, certificate checking, CA bundle, client certificate and key (no secrets).
    - Give it as O(connection) to later modules so they reach the cloud the same way.
  returned: success
  type: dict
  sample: {"cloud": "prod", "clouds_yaml": "", "auth_url": "https://cloud.example.com:8443/identity/v3",
           "region_name": "RegionTwo", "interface": "public", "verify": true,
           "ca_cert": "/etc/pki/cloud-ca.pem", "client_cert": "", "client_key": ""}
"""

from typing import Any

from ansible_collections.openinfra.interop.plugins.module_utils.connection import is_tls_failure, tls_hint
from ansible_collections.openinfra.interop.plugins.module_utils.openstack import OpenStackModule
from ansible_collections.openinfra.interop.plugins.module_utils import preflight as pf
from ansible_collections.openinfra.interop.plugins.module_utils.cpid import CpidError, resolve_cpid, token_view
from ansible_collections.openinfra.interop.plugins.module_utils import tempestconf as tc
from ansible_collections.openinfra.interop.plugins.module_utils.programs import (
    SHARED_FILE_SYSTEM,
    ServiceNeed,
    UnknownProgramError,
    need_from_spec,
    needs_by_program,
)

try:
    import openstack
    import yaml
    from keystoneauth1 import exceptions as ksa_exc
    from openstack import exceptions as sdk_exc
except ImportError:  # reported by OpenStackModule
    pass


class CloudPreflightModule(OpenStackModule):
    argument_spec = {
        "programs": {"type": "list", "elements": "str", "default": []},
        "required_services": {"type": "list", "elements": "str", "default": []},
        "check_endpoints": {"type": "bool", "default": True},
        "accounts_file": {"type": "path"},
        "operator_role": {"type": "str", "default": ""},
        "reseller_admin_role": {"type": "str", "default": "ResellerAdmin"},
        "require_account_roles": {"type": "bool", "default": True},
    }
    module_kwargs = {"supports_check_mode": True, "required_one_of": [["cloud", "auth", "connection"]]}

    def _auth_label(self) -> tuple[str, str, str]:
        auth = dict(self.conn.config.config.get("auth") or {})
        return (
            str(auth.get("auth_url") or "?"),
            str(auth.get("username") or auth.get("user_id") or "?"),
            str(auth.get("project_name") or auth.get("project_id") or "?"),
        )

    def _authenticate(self) -> Any:
        auth_url = self._auth_label()[0]
        try:
            return self.conn.session.auth.get_access(self.conn.session)
        except ksa_exc.Unauthorized:
            self.module.fail_json(
                msg=f"Authentication failed at {auth_url}: the credentials were rejected (HTTP 401) "
                f"- {self.who()}. Check the password, user and project names and their domains."
            )
        except (ksa_exc.ConnectionError, ksa_exc.DiscoveryFailure) as exc:
            if isinstance(exc, ksa_exc.SSLError) or is_tls_failure(str(exc)):
                profile = self.connection_profile
                origin = self.origins().get("ca_cert") or (
                    f"cacert of clouds.yaml entry {profile.cloud!r}" if profile.ca_cert else "")
                self.module.fail_json(msg=tls_hint(auth_url, str(exc), origin))
            if isinstance(exc, ksa_exc.DiscoveryFailure):
                self.module.fail_json(msg=f"No Keystone identity API found at the auth URL {auth_url}: {exc}")
            self.module.fail_json(msg=f"Cannot reach the auth URL {auth_url}: {exc}")
        except ksa_exc.MissingRequiredOptions as exc:
            self.module.fail_json(msg=f"Incomplete credentials: {exc}")
        return None

    def _roles(self, token_roles: list[str]) -> tuple[list[str], str]:
        try:
            return sorted(r.name for r in self.conn.identity.roles()), "keystone"
        except (sdk_exc.ForbiddenException, ksa_exc.Forbidden, ksa_exc.Unauthorized):
            return sorted(token_roles), "token"
        except sdk_exc.HttpException as exc:
            if getattr(exc, "status_code", None) in (401, 403):
                return sorted(token_roles), "token"
            raise

    def _get_json(self, url: str, authenticated: bool = False) -> Any:
        """GET (unauthenticated unless asked); the decoded JSON body (None if not JSON or not 2xx
        when authenticated). Raises ConnectionError."""
        response = self.conn.session.get(
            url, authenticated=authenticated, raise_exc=False, timeout=self.params["api_timeout"],
            headers={"Accept": "application/json"},
        )
        if authenticated and not response.ok:
            return None
        try:
            return response.json()
        except ValueError:
            return None

    def _probe(self, urls: list[str]) -> tuple[list[str], dict[str, list[str]]]:
        """Endpoints that cannot be reached, and the API versions the others announce."""
        bad = []
        versions: dict[str, list[str]] = {}
        for url in urls:
            try:
                ids = pf.version_ids(self._get_json(url))
            except ksa_exc.ConnectionError as exc:
                bad.append(f"{url} ({exc.__class__.__name__}: {exc})")
                continue
            if ids:
                versions[url] = ids
        return bad, versions

    def _features(self, services: list[pf.CatalogService], interface: str, region: str | None) -> dict[str, list[str]]:
        """Extensions the cloud reports by Tempest service name: Swift's /info for ``object``,
        Manila's pools and default share type for ``share`` (pools need admin)."""
        features: dict[str, list[str]] = {}
        for service in services:
            # Manila's pools and default type, read from the catalog type python-tempestconf knows
            if service.type == SHARED_FILE_SYSTEM.types[0]:
                for url in service.urls(interface, region)[:1]:
                    base = url.rstrip("/")
                    try:
                        found = pf.share_features(self._get_json(f"{base}/scheduler-stats/pools/detail", True),
                                                  self._get_json(f"{base}/types/default", True))
                    except ksa_exc.ConnectionError:
                        continue
                    if found:
                        features["share"] = found
            if service.type != "object-store":
                continue
            for url in service.urls(interface, region)[:1]:
                try:
                    info = self._get_json(pf.swift_info_url(url))
                except ksa_exc.ConnectionError:
                    continue
                if isinstance(info, dict) and "swift" in info:
                    features["object"] = pf.swift_features(info)
        return features

    def _check_accounts(self, programs: list[str], member_role: str) -> list[dict[str, Any]]:
        """Log each pre-provisioned account in with the connection profile; fail on what would break the run."""
        path = self.params["accounts_file"]
        text = tc.read_text(path)
        if text is None:
            self.module.fail_json(msg=f"accounts_file {path} does not exist")
        passwords: list[str] = []
        try:
            data = yaml.safe_load(text)
            passwords = [str(a.get("password")) for a in data if isinstance(a, dict) and a.get("password")]
            accounts = tc.validate_accounts(data, path)
        except (yaml.YAMLError, TypeError, tc.TempestconfError) as exc:
            self.module.fail_json(msg=tc.scrub(f"Cannot use accounts_file: {exc}", passwords))
        profile = self.connection_profile
        checked = []
        failures = []
        for account in accounts:
            label = pf.account_label(account)
            try:
                conn = openstack.connect(auth=tc.account_auth(account, profile.auth_url), auth_type="password",
                                         load_yaml_config=False, load_envvars=False, **profile.sdk_options())
                roles = sorted(conn.session.auth.get_access(conn.session).role_names or [])
            except ksa_exc.Unauthorized:
                failures.append(f"account {label} cannot log in (HTTP 401: wrong password, user, project or domain)")
                continue
            except (ksa_exc.ClientException, sdk_exc.SDKException) as exc:
                failures.append(tc.scrub(f"account {label} cannot log in ({exc})", passwords))
                continue
            checked.append({**{k: v for k, v in account.items() if k != "password"}, "actual_roles": roles})
        if failures:
            self.module.fail_json(msg=f"Preflight failed for the accounts of {path}: " + "; ".join(failures))
        role_names = {"operator": self.params["operator_role"] or member_role or "member",
                      "reseller_admin": self.params["reseller_admin_role"]}
        problems = pf.account_role_problems(programs, checked, role_names)
        if problems and self.params["require_account_roles"]:
            self.module.fail_json(msg=f"Preflight failed for the accounts of {path}: " + "; ".join(problems))
        for problem in problems:
            self.module.warn(problem)
        return checked

    def run(self) -> None:
        p = self.params
        access = self._authenticate()
        auth_url, user, project = self._auth_label()
        region = self.conn.config.get_region_name() or ""
        interface = self.connection_profile.interface
        services = pf.parse_catalog(self.conn.service_catalog)

        try:
            needs: dict[str, list[ServiceNeed]] = needs_by_program(p["programs"])
        except UnknownProgramError as exc:
            self.module.fail_json(msg=str(exc))
        extra: list[ServiceNeed] = []
        for spec in p["required_services"]:
            try:
                extra.append(need_from_spec(spec))
            except ValueError as exc:
                self.module.fail_json(msg=f"Bad required_services entry {spec!r}: {exc}")
        if extra:
            needs["required_services"] = extra

        cloud_label = f"cloud {p['cloud']!r}" if p["cloud"] else f"the cloud at {auth_url}"
        problems = pf.check_needs(needs, services, interface, region or None)
        if problems:
            self.module.fail_json(msg=pf.describe_problems(problems, services, interface, region or None, cloud_label))

        required = []
        probe: list[str] = []
        for program, program_needs in needs.items():
            for need in program_needs:
                svc = next(s for s in services if s.type in need.types and s.urls(interface, region or None))
                required.append(
                    {"program": program, "service": need.name, "type": svc.type, "codename": need.codename}
                )
                for url in svc.urls(interface, region or None):
                    if url not in probe:
                        probe.append(url)
        versions: dict[str, list[str]] = {}
        if p["check_endpoints"]:
            bad, versions = self._probe(probe)
            if bad:
                self.module.fail_json(
                    msg=f"Preflight failed: these {interface} endpoints of {cloud_label} cannot be reached "
                    f"from this host: {'; '.join(bad)}. Choose another interface (endpoint type) or fix "
                    "the catalog."
                )

        features = self._features(services, interface, region or None)
        catalog = pf.summarize_catalog(services, interface, region or None)
        token_roles = sorted(access.role_names or [])
        roles, roles_source = self._roles(token_roles)
        member_role = pf.pick_member_role(roles) or pf.pick_member_role(token_roles) or ""
        accounts = self._check_accounts(p["programs"], member_role) if p["accounts_file"] else []
        # the CPID from the token just read, so the run does not authenticate again for it
        try:
            cpid = {**resolve_cpid(auth_url, *token_view(access)).as_dict(), "auth_url": auth_url}
        except CpidError:  # no catalog CPID and no http(s) auth URL: cloud_cpid says why
            cpid = {}
        self.module.exit_json(
            changed=False,
            keystone_version=str(access.version or ""),
            auth_url=auth_url,
            user=user,
            project=project,
            region=region,
            interface=interface,
            catalog=catalog,
            cloud_features=features,
            reported_overrides=pf.share_overrides(features.get("share", []), SHARED_FILE_SYSTEM.types[0]),
            fingerprint=pf.cloud_fingerprint(catalog, versions, features),
            service_types=sorted({s.type for s in services}),
            required=required,
            roles=roles,
            roles_source=roles_source,
            token_roles=token_roles,
            member_role=member_role,
            accounts=accounts,
            is_admin=pf.is_admin(token_roles),
            connection=self.connection_profile.as_fact(),
            cpid=cpid,
        )


def main() -> None:
    CloudPreflightModule()()


if __name__ == "__main__":
    main()
