# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Ensure a declarative set of Keystone resources through one openstacksdk connection.

Regions, domains, projects, users, roles, role assignments, services and endpoints are listed once per
kind, compared with what was asked for, and created or updated only where they differ. Nothing
that exists but is not mentioned is touched (this is an "ensure present" reconciler), except, with
``purge_endpoints``, the endpoints of a declared service in an interface and region no declared
endpoint of it has (a cloud moved to another region leaves none behind).

A ``catalog`` is the services of a cloud as one table, by group (the sandbox's groups are its
components): the services of the groups that run are ensured with one endpoint per interface,
those of the other groups are deleted with their endpoints, so the catalog offers exactly what
runs (``catalog_plan`` decides which; it is pure). In check
mode nothing is written, and objects that would be created get placeholder ids so that the
assignments and endpoints depending on them are reported as "would be created" too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from ansible_collections.openinfra.interop.plugins.module_utils.connection import INTERFACES

KINDS = ("regions", "domains", "projects", "users", "roles", "role_assignments", "services", "endpoints")
PLACEHOLDER = "(would be created)"
# what a catalog row may say about its service (url is required, description optional)
CATALOG_KEYS = ("name", "type", "url", "description")


class IdentityError(Exception):
    """A clear, user-facing failure about the requested resources."""


def _label_assignment(a: dict[str, Any]) -> str:
    scope = f"project:{a['project']}" if a.get("project") else f"domain:{a['domain']}"
    return f"{a['user']}/{a['role']}@{scope}"


def _label_endpoint(e: dict[str, Any]) -> str:
    return f"{e['service']} {e['interface']} {e['region']}"


def stale_endpoints(existing: list[Any], wanted: list[dict[str, Any]],
                    service_ids: dict[str, str]) -> list[Any]:
    """Existing endpoints of the services in ``service_ids`` (name -> id) in an (interface,
    region) that no wanted endpoint of that service has; endpoints of other services are kept."""
    keep = {(service_ids[e["service"]], e["interface"], e["region"])
            for e in wanted if e["service"] in service_ids}
    declared = set(service_ids.values())
    return [x for x in existing if x.service_id in declared
            and (x.service_id, x.interface, x.region_id) not in keep]


@dataclass
class CatalogPlan:
    """What a catalog asks for: services and endpoints to ensure, services to delete."""

    services: list[dict[str, Any]]
    endpoints: list[dict[str, Any]]
    absent: list[tuple[str, str]]


def catalog_plan(catalog: dict[str, Any], present: list[str], region: str) -> CatalogPlan:
    """Split ``catalog`` (group -> list of services with name, type, url and description) by
    ``present`` (the groups that run; names that are no group are ignored): the services of the
    present groups with one endpoint per interface (INTERFACES) at their url in ``region``, and
    the (name, type) of the other groups' services, to delete.

    Raises IdentityError naming the bad row, or a service that two rows declare (it could not
    be both kept and deleted)."""
    if not isinstance(catalog, dict):
        raise IdentityError(f"catalog must be a mapping of groups to lists of services, "
                            f"got {type(catalog).__name__}")
    plan = CatalogPlan(services=[], endpoints=[], absent=[])
    seen: dict[tuple[str, str], str] = {}
    for group, rows in catalog.items():
        if not isinstance(rows, list):
            raise IdentityError(f"catalog[{group!r}] must be a list of services, "
                                f"got {type(rows).__name__}")
        for index, row in enumerate(rows):
            where = f"catalog[{group!r}][{index}]"
            if not isinstance(row, dict):
                raise IdentityError(f"{where} must be a mapping, got {row!r}")
            unknown = sorted(set(row) - set(CATALOG_KEYS))
            if unknown:
                raise IdentityError(f"{where} has unknown key(s) {', '.join(unknown)}; "
                                    f"accepted: {', '.join(CATALOG_KEYS)}")
            for key in ("name", "type", "url"):
                if not row.get(key) or not isinstance(row[key], str):
                    raise IdentityError(f"{where} needs a non-empty {key!r} (got {row!r})")
            key = (row["name"], row["type"])
            if key in seen:
                raise IdentityError(f"{where}: service {row['name']} ({row['type']}) is "
                                    f"declared by group {seen[key]!r} too")
            seen[key] = group
            if group in present:
                plan.services.append({"name": row["name"], "type": row["type"],
                                      "description": row.get("description")})
                plan.endpoints.extend({"service": row["name"], "interface": interface,
                                       "url": row["url"], "region": region}
                                      for interface in INTERFACES)
            else:
                plan.absent.append(key)
    return plan


def normalize(spec: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Check and complete a resource spec (pure; no API calls).

    Raises IdentityError naming the bad entry and what is accepted.
    """
    out: dict[str, list[dict[str, Any]]] = {}
    for kind in KINDS:
        items = spec.get(kind) or []
        if not isinstance(items, list):
            raise IdentityError(f"{kind} must be a list, got {type(items).__name__}")
        norm = []
        for index, item in enumerate(items):
            if kind == "roles" and isinstance(item, str):
                item = {"name": item}
            if kind == "regions" and isinstance(item, str):
                item = {"id": item}
            if kind == "domains" and isinstance(item, str):
                item = {"name": item}
            if not isinstance(item, dict):
                raise IdentityError(f"{kind}[{index}] must be a mapping, got {item!r}")
            norm.append(_normalize_item(kind, index, dict(item)))
        out[kind] = norm
    return out


def _require(kind: str, index: int, item: dict[str, Any], *keys: str) -> None:
    for key in keys:
        if not item.get(key):
            raise IdentityError(f"{kind}[{index}] needs a non-empty {key!r} (got {sorted(item)})")


def _normalize_item(kind: str, index: int, item: dict[str, Any]) -> dict[str, Any]:
    if kind == "regions":
        _require(kind, index, item, "id")
        item.setdefault("description", None)
    elif kind == "domains":
        _require(kind, index, item, "name")
        item.setdefault("description", None)
        item.setdefault("enabled", None)
    elif kind == "projects":
        _require(kind, index, item, "name")
        item["domain"] = item.get("domain") or "default"
        item.setdefault("description", None)
        item.setdefault("enabled", None)
    elif kind == "users":
        _require(kind, index, item, "name")
        item["domain"] = item.get("domain") or "default"
        for key in ("password", "default_project", "email", "description", "enabled"):
            item.setdefault(key, None)
    elif kind == "roles":
        _require(kind, index, item, "name")
        item.setdefault("description", None)
    elif kind == "role_assignments":
        _require(kind, index, item, "user", "role")
        if bool(item.get("project")) == bool(item.get("domain")):
            raise IdentityError(
                f"role_assignments[{index}] ({item.get('user')}/{item.get('role')}) needs exactly "
                "one of 'project' or 'domain'")
        item["user_domain"] = item.get("user_domain") or "default"
        item["project_domain"] = item.get("project_domain") or item["user_domain"]
    elif kind == "services":
        _require(kind, index, item, "name", "type")
        item.setdefault("description", None)
        item.setdefault("enabled", None)
    elif kind == "endpoints":
        _require(kind, index, item, "service", "url")
        item["interface"] = item.get("interface") or "public"
        if item["interface"] not in INTERFACES:
            raise IdentityError(
                f"endpoints[{index}] has interface {item['interface']!r}; use one of "
                f"{', '.join(INTERFACES)}")
        item["region"] = item.get("region") or "RegionOne"
        item.setdefault("enabled", None)
    return item


@dataclass
class Report:
    created: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in KINDS})
    updated: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in KINDS})
    deleted: dict[str, list[str]] = field(
        default_factory=lambda: {"services": [], "endpoints": []})
    ids: dict[str, dict[str, str]] = field(
        default_factory=lambda: {k: {} for k in ("domains", "projects", "users", "roles",
                                                 "services")})

    @property
    def changed(self) -> bool:
        return any(self.created[k] or self.updated[k] for k in KINDS) or \
            any(self.deleted.values())

    def as_dict(self) -> dict[str, Any]:
        return {"changed": self.changed, "created": self.created, "updated": self.updated,
                "deleted": self.deleted, "ids": self.ids}


def _differs(current: Any, wanted: Any) -> bool:
    """A wanted value of None means "don't care"."""
    return wanted is not None and current != wanted


class IdentityResources:
    """Reconcile Keystone resources with one openstacksdk ``Connection``."""

    def __init__(self, conn: Any, check_mode: bool = False, update_password: str = "always",
                 auth_url: Optional[str] = None, purge_endpoints: bool = False) -> None:
        self.conn = conn
        self.check_mode = check_mode
        self.purge_endpoints = purge_endpoints
        self.update_password = update_password
        self.auth_url = auth_url
        self.report = Report()
        self._domains: dict[str, str] = {}
        self._projects: dict[tuple[str, str], Any] = {}
        self._projects_listed: set[str] = set()
        self._users: dict[tuple[str, str], Any] = {}
        self._users_listed: set[str] = set()
        self._roles: dict[str, Any] = {}

    # -- lookups ------------------------------------------------------------------------------

    def domain_id(self, name_or_id: str) -> str:
        if name_or_id not in self._domains:
            from openstack import exceptions as sdk_exceptions

            try:
                domain = self.conn.identity.find_domain(name_or_id, ignore_missing=False)
            except sdk_exceptions.NotFoundException:
                raise IdentityError(
                    f"domain {name_or_id!r} does not exist (give its name or id)") from None
            self._domains[name_or_id] = domain.id
        return self._domains[name_or_id]

    def _project(self, name: str, domain: str) -> Any:
        did = self.domain_id(domain)
        if did == PLACEHOLDER:
            return self._projects.get((did, name))
        if did not in self._projects_listed:
            for project in self.conn.identity.projects(domain_id=did):
                self._projects[(did, project.name)] = project
            self._projects_listed.add(did)
        return self._projects.get((did, name))

    def _user(self, name: str, domain: str) -> Any:
        did = self.domain_id(domain)
        if did == PLACEHOLDER:
            return self._users.get((did, name))
        if did not in self._users_listed:
            for user in self.conn.identity.users(domain_id=did):
                self._users[(did, user.name)] = user
            self._users_listed.add(did)
        return self._users.get((did, name))

    def _role(self, name: str) -> Any:
        if not self._roles:
            for role in self.conn.identity.roles():
                if not getattr(role, "domain_id", None):
                    self._roles[role.name] = role
        return self._roles.get(name)

    def _id_of(self, obj: Any) -> str:
        return obj.id if obj is not None else PLACEHOLDER

    # -- kinds --------------------------------------------------------------------------------

    def ensure(self, spec: dict[str, Any], catalog: Optional[CatalogPlan] = None) -> dict[str, Any]:
        """Ensure ``spec`` (the KINDS) and the services and endpoints of ``catalog``, then delete
        the services the catalog has absent, with their endpoints."""
        if catalog is not None:
            spec = dict(spec, services=list(spec.get("services") or []) + catalog.services,
                        endpoints=list(spec.get("endpoints") or []) + catalog.endpoints)
        wanted = normalize(spec)
        absent = catalog.absent if catalog is not None else []
        clash = sorted({(s["name"], s["type"]) for s in wanted["services"]} & set(absent))
        if clash:
            raise IdentityError("service(s) both declared and to delete: " + ", ".join(
                f"{name} ({type_})" for name, type_ in clash))
        self._regions(wanted["regions"] + [{"id": e["region"], "description": None}
                                           for e in wanted["endpoints"]])
        self._ensure_domains(wanted["domains"])
        self._ensure_projects(wanted["projects"])
        self._ensure_users(wanted["users"])
        self._ensure_roles(wanted["roles"])
        self._ensure_assignments(wanted["role_assignments"])
        services = self._ensure_services(wanted["services"])
        self._ensure_endpoints(wanted["endpoints"], services)
        self._delete_services(absent, services)
        return self.report.as_dict()

    def _regions(self, regions: list[dict[str, Any]]) -> None:
        if not regions:
            return
        existing = {r.id: r for r in self.conn.identity.regions()}
        for region in regions:
            current = existing.get(region["id"])
            if current is None:
                if not self.check_mode:
                    attrs = {"id": region["id"]}
                    if region.get("description") is not None:
                        attrs["description"] = region["description"]
                    existing[region["id"]] = self.conn.identity.create_region(**attrs)
                else:
                    existing[region["id"]] = None
                if region["id"] not in self.report.created["regions"]:
                    self.report.created["regions"].append(region["id"])
            elif current is not None and _differs(current.description, region.get("description")):
                if not self.check_mode:
                    self.conn.identity.update_region(current, description=region["description"])
                self.report.updated["regions"].append(region["id"])

    def _ensure_domains(self, domains: list[dict[str, Any]]) -> None:
        if not domains:
            return
        existing = {d.name: d for d in self.conn.identity.domains()}
        for d in domains:
            current = existing.get(d["name"])
            if current is None:
                domain_id = PLACEHOLDER
                if not self.check_mode:
                    attrs: dict[str, Any] = {"name": d["name"]}
                    if d["description"] is not None:
                        attrs["description"] = d["description"]
                    if d["enabled"] is not None:
                        attrs["is_enabled"] = d["enabled"]
                    created = self.conn.identity.create_domain(**attrs)
                    existing[d["name"]] = created
                    domain_id = created.id
                self._domains[d["name"]] = domain_id
                self.report.created["domains"].append(d["name"])
            else:
                self._domains[d["name"]] = current.id
                changes = {}
                if _differs(current.description, d["description"]):
                    changes["description"] = d["description"]
                if _differs(current.is_enabled, d["enabled"]):
                    changes["is_enabled"] = d["enabled"]
                if changes:
                    if not self.check_mode:
                        self.conn.identity.update_domain(current, **changes)
                    self.report.updated["domains"].append(d["name"])
            self.report.ids["domains"][d["name"]] = self._domains[d["name"]]

    def _ensure_projects(self, projects: list[dict[str, Any]]) -> None:
        for p in projects:
            did = self.domain_id(p["domain"])
            current = self._project(p["name"], p["domain"])
            if current is None:
                created = None
                if not self.check_mode:
                    attrs = {"name": p["name"], "domain_id": did}
                    if p["description"] is not None:
                        attrs["description"] = p["description"]
                    if p["enabled"] is not None:
                        attrs["is_enabled"] = p["enabled"]
                    created = self.conn.identity.create_project(**attrs)
                self._projects[(did, p["name"])] = created
                self.report.created["projects"].append(p["name"])
            else:
                changes = {}
                if _differs(current.description, p["description"]):
                    changes["description"] = p["description"]
                if _differs(current.is_enabled, p["enabled"]):
                    changes["is_enabled"] = p["enabled"]
                if changes:
                    if not self.check_mode:
                        self.conn.identity.update_project(current, **changes)
                    self.report.updated["projects"].append(p["name"])
            self.report.ids["projects"][p["name"]] = self._id_of(self._projects[(did, p["name"])])

    def _password_works(self, user_id: str, password: str) -> bool:
        from keystoneauth1 import exceptions as ksa_exceptions
        from keystoneauth1 import session as ksa_session
        from keystoneauth1.identity import v3

        auth_url = self.auth_url or self.conn.config.get_auth_args().get("auth_url")
        auth = v3.Password(auth_url=auth_url, user_id=user_id, password=password)
        sess = ksa_session.Session(auth=auth, verify=self.conn.session.verify)
        try:
            auth.get_access(sess)
        except ksa_exceptions.Unauthorized:
            return False
        return True

    def _ensure_users(self, users: list[dict[str, Any]]) -> None:
        for u in users:
            did = self.domain_id(u["domain"])
            project_id = None
            if u["default_project"]:
                project = self._project(u["default_project"], u["domain"])
                if project is None and (did, u["default_project"]) not in self._projects:
                    raise IdentityError(
                        f"user {u['name']!r}: default_project {u['default_project']!r} does not "
                        f"exist in domain {u['domain']!r}")
                project_id = self._id_of(project)
            current = self._user(u["name"], u["domain"])
            if current is None:
                created = None
                if not self.check_mode:
                    attrs: dict[str, Any] = {"name": u["name"], "domain_id": did}
                    for key, attr in (("password", "password"), ("email", "email"),
                                      ("description", "description"), ("enabled", "is_enabled")):
                        if u[key] is not None:
                            attrs[attr] = u[key]
                    if project_id:
                        attrs["default_project_id"] = project_id
                    created = self.conn.identity.create_user(**attrs)
                self._users[(did, u["name"])] = created
                self.report.created["users"].append(u["name"])
            else:
                changes: dict[str, Any] = {}
                if project_id and project_id != PLACEHOLDER and \
                        current.default_project_id != project_id:
                    changes["default_project_id"] = project_id
                elif project_id == PLACEHOLDER:
                    changes["default_project_id"] = project_id
                for key, attr in (("email", "email"), ("description", "description"),
                                  ("enabled", "is_enabled")):
                    if _differs(getattr(current, attr, None), u[key]):
                        changes[attr] = u[key]
                if (u["password"] is not None and self.update_password == "always"
                        and not self._password_works(current.id, u["password"])):
                    changes["password"] = u["password"]
                if changes:
                    if not self.check_mode:
                        self.conn.identity.update_user(current, **changes)
                    self.report.updated["users"].append(u["name"])
            self.report.ids["users"][u["name"]] = self._id_of(self._users[(did, u["name"])])

    def _ensure_roles(self, roles: list[dict[str, Any]]) -> None:
        for r in roles:
            current = self._role(r["name"])
            if current is None and r["name"] not in self._roles:
                created = None
                if not self.check_mode:
                    attrs = {"name": r["name"]}
                    if r["description"] is not None:
                        attrs["description"] = r["description"]
                    created = self.conn.identity.create_role(**attrs)
                self._roles[r["name"]] = created
                self.report.created["roles"].append(r["name"])
            elif current is not None and _differs(getattr(current, "description", None),
                                                  r["description"]):
                if not self.check_mode:
                    self.conn.identity.update_role(current, description=r["description"])
                self.report.updated["roles"].append(r["name"])
            self.report.ids["roles"][r["name"]] = self._id_of(self._roles.get(r["name"]))

    def _ensure_assignments(self, assignments: list[dict[str, Any]]) -> None:
        for a in assignments:
            label = _label_assignment(a)
            user = self._user(a["user"], a["user_domain"])
            if user is None and (self.domain_id(a["user_domain"]), a["user"]) not in self._users:
                raise IdentityError(f"role assignment {label}: user {a['user']!r} does not exist "
                                    f"in domain {a['user_domain']!r}")
            role = self._role(a["role"])
            if role is None and a["role"] not in self._roles:
                raise IdentityError(f"role assignment {label}: role {a['role']!r} does not exist")
            if a.get("project"):
                target = self._project(a["project"], a["project_domain"])
                if target is None and \
                        (self.domain_id(a["project_domain"]), a["project"]) not in self._projects:
                    raise IdentityError(f"role assignment {label}: project {a['project']!r} does "
                                        f"not exist in domain {a['project_domain']!r}")
                scope = {"scope_project_id": self._id_of(target)}
            else:
                target = None
                scope = {"scope_domain_id": self.domain_id(a["domain"])}
            if user is None or role is None or (a.get("project") and target is None) \
                    or PLACEHOLDER in scope.values():
                # something it depends on is created in this run (check mode)
                self.report.created["role_assignments"].append(label)
                continue
            found = list(self.conn.identity.role_assignments(user_id=user.id, role_id=role.id,
                                                             **scope))
            if found:
                continue
            if not self.check_mode:
                if a.get("project"):
                    self.conn.identity.assign_project_role_to_user(target, user, role)
                else:
                    self.conn.identity.assign_domain_role_to_user(scope["scope_domain_id"], user,
                                                                  role)
            self.report.created["role_assignments"].append(label)

    def _ensure_services(self, services: list[dict[str, Any]]) -> list[Any]:
        existing = list(self.conn.identity.services())
        for s in services:
            current = next((x for x in existing if x.type == s["type"] and x.name == s["name"]),
                           None)
            if current is None:
                if not self.check_mode:
                    attrs = {"name": s["name"], "type": s["type"]}
                    if s["description"] is not None:
                        attrs["description"] = s["description"]
                    if s["enabled"] is not None:
                        attrs["is_enabled"] = s["enabled"]
                    current = self.conn.identity.create_service(**attrs)
                    existing.append(current)
                else:
                    existing.append(_Pending(name=s["name"], type=s["type"]))
                self.report.created["services"].append(f"{s['name']} ({s['type']})")
            else:
                changes = {}
                if _differs(current.description, s["description"]):
                    changes["description"] = s["description"]
                if _differs(current.is_enabled, s["enabled"]):
                    changes["is_enabled"] = s["enabled"]
                if changes:
                    if not self.check_mode:
                        self.conn.identity.update_service(current, **changes)
                    self.report.updated["services"].append(f"{s['name']} ({s['type']})")
            self.report.ids["services"][s["name"]] = current.id if current is not None else PLACEHOLDER
        return existing

    def _delete_services(self, absent: list[tuple[str, str]], services: list[Any]) -> None:
        """Delete the existing services named in ``absent``, each after its endpoints (so each
        endpoint is reported, and a run that fails half way leaves no endpoint whose service is
        gone)."""
        doomed = [s for s in services if not isinstance(s, _Pending) and (s.name, s.type) in absent]
        if not doomed:
            return
        endpoints = list(self.conn.identity.endpoints())
        for service in doomed:
            for endpoint in [e for e in endpoints if e.service_id == service.id]:
                if not self.check_mode:
                    self.conn.identity.delete_endpoint(endpoint)
                self.report.deleted["endpoints"].append(
                    f"{service.name} {endpoint.interface} {endpoint.region_id}")
            if not self.check_mode:
                self.conn.identity.delete_service(service)
            self.report.deleted["services"].append(f"{service.name} ({service.type})")

    def _ensure_endpoints(self, endpoints: list[dict[str, Any]], services: list[Any]) -> None:
        if not endpoints:
            return
        existing = list(self.conn.identity.endpoints())
        if self.purge_endpoints:
            by_id = {s.id: s for s in services}
            declared = {e["service"] for e in endpoints}
            ids = {s.name: s.id for s in services
                   if not isinstance(s, _Pending) and s.name in declared}
            for stale in stale_endpoints(existing, endpoints, ids):
                if not self.check_mode:
                    self.conn.identity.delete_endpoint(stale)
                existing.remove(stale)
                self.report.deleted["endpoints"].append(
                    f"{by_id[stale.service_id].name} {stale.interface} {stale.region_id}")
        for e in endpoints:
            label = _label_endpoint(e)
            matches = [s for s in services if s.name == e["service"]] or \
                      [s for s in services if s.type == e["service"]]
            if not matches:
                raise IdentityError(f"endpoint {label}: no service named (or of type) "
                                    f"{e['service']!r}; declare it under 'services'")
            if len(matches) > 1:
                raise IdentityError(f"endpoint {label}: {len(matches)} services match "
                                    f"{e['service']!r}; use the service's unique name")
            service = matches[0]
            if isinstance(service, _Pending):
                self.report.created["endpoints"].append(label)
                continue
            current = next((x for x in existing if x.service_id == service.id
                            and x.interface == e["interface"] and x.region_id == e["region"]), None)
            if current is None:
                if not self.check_mode:
                    attrs = {"service_id": service.id, "interface": e["interface"],
                             "url": e["url"], "region_id": e["region"]}
                    if e["enabled"] is not None:
                        attrs["is_enabled"] = e["enabled"]
                    existing.append(self.conn.identity.create_endpoint(**attrs))
                self.report.created["endpoints"].append(label)
            else:
                changes = {}
                if current.url != e["url"]:
                    changes["url"] = e["url"]
                if _differs(current.is_enabled, e["enabled"]):
                    changes["is_enabled"] = e["enabled"]
                if changes:
                    if not self.check_mode:
                        self.conn.identity.update_endpoint(current, **changes)
                    self.report.updated["endpoints"].append(label)


@dataclass
class _Pending:
    """A service that check mode would create."""

    name: str
    type: str
    id: str = PLACEHOLDER
