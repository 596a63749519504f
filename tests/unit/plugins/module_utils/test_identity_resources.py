# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Validation of identity resource specs (the reconciler itself runs against a real Keystone in
tests/functional/test_sandbox_keystone.py)."""

from __future__ import annotations

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils import identity_resources as I


def test_normalize_fills_defaults_and_accepts_role_and_region_names() -> None:
    spec = I.normalize({
        "roles": ["ResellerAdmin"],
        "regions": ["RegionTwo"],
        "projects": [{"name": "service"}],
        "users": [{"name": "swift", "password": "x", "default_project": "service"}],
        "role_assignments": [{"user": "swift", "project": "service", "role": "admin"}],
        "services": [{"name": "swift", "type": "object-store"}],
        "endpoints": [{"service": "swift", "url": "http://127.0.0.1:8080/v1/AUTH_%(project_id)s"}],
    })
    assert spec["roles"] == [{"name": "ResellerAdmin", "description": None}]
    assert spec["regions"] == [{"id": "RegionTwo", "description": None}]
    assert spec["projects"][0]["domain"] == "default"
    assert spec["users"][0]["domain"] == "default" and spec["users"][0]["email"] is None
    assert spec["role_assignments"][0]["user_domain"] == "default"
    assert spec["role_assignments"][0]["project_domain"] == "default"
    assert spec["endpoints"][0]["interface"] == "public"
    assert spec["endpoints"][0]["region"] == "RegionOne"


def test_project_domain_defaults_to_the_user_domain() -> None:
    spec = I.normalize({"role_assignments": [
        {"user": "u", "role": "member", "project": "p", "user_domain": "corp"}]})
    assert spec["role_assignments"][0]["project_domain"] == "corp"


def test_missing_kinds_are_empty() -> None:
    assert I.normalize({}) == {kind: [] for kind in I.KINDS}


@pytest.mark.parametrize("spec, message", [
    ({"projects": "demo"}, "projects must be a list"),
    ({"projects": ["demo"]}, r"projects\[0\] must be a mapping"),
    ({"users": [{"password": "x"}]}, r"users\[0\] needs a non-empty 'name'"),
    ({"role_assignments": [{"user": "u", "role": "r"}]}, "exactly one of 'project' or 'domain'"),
    ({"role_assignments": [{"user": "u", "role": "r", "project": "p", "domain": "d"}]},
     "exactly one of 'project' or 'domain'"),
    ({"services": [{"name": "swift"}]}, r"services\[0\] needs a non-empty 'type'"),
    ({"endpoints": [{"service": "swift", "url": "http://x", "interface": "private"}]},
     "interface 'private'; use one of public, internal, admin"),
])
def test_bad_specs_give_one_clear_error(spec: dict, message: str) -> None:
    with pytest.raises(I.IdentityError, match=message):
        I.normalize(spec)


def test_report_changed_only_when_something_was_created_or_updated() -> None:
    report = I.Report()
    assert not report.changed
    report.updated["endpoints"].append("swift public RegionOne")
    assert report.changed
    assert report.as_dict()["updated"]["endpoints"] == ["swift public RegionOne"]


def test_domains_accept_names_and_fill_defaults() -> None:
    spec = I.normalize({"domains": ["heat", {"name": "corp", "description": "Corp users"}]})
    assert spec["domains"] == [
        {"name": "heat", "description": None, "enabled": None},
        {"name": "corp", "description": "Corp users", "enabled": None},
    ]


def test_domain_needs_a_name() -> None:
    with pytest.raises(I.IdentityError, match=r"domains\[0\] needs a non-empty 'name'"):
        I.normalize({"domains": [{"description": "no name"}]})


def test_domain_scoped_assignment_of_a_user_in_another_domain() -> None:
    spec = I.normalize({"role_assignments": [
        {"user": "heat_domain_admin", "user_domain": "heat", "domain": "heat", "role": "admin"}]})
    assert spec["role_assignments"][0]["user_domain"] == "heat"
    assert spec["role_assignments"][0]["domain"] == "heat"


def test_report_lists_domains() -> None:
    report = I.Report()
    report.created["domains"].append("heat")
    assert report.changed
    assert report.as_dict()["ids"]["domains"] == {}


def test_a_deleted_endpoint_is_a_change() -> None:
    report = I.Report()
    report.deleted["endpoints"].append("swift public RegionOne")
    assert report.changed
    assert report.as_dict()["deleted"] == {"services": [], "endpoints": ["swift public RegionOne"]}


def test_stale_endpoints_are_those_of_declared_services_in_undeclared_places() -> None:
    from types import SimpleNamespace as E

    existing = [
        E(service_id="ks", interface="public", region_id="RegionOne", url="http://a"),
        E(service_id="ks", interface="public", region_id="RegionTwo", url="https://a"),
        E(service_id="ks", interface="admin", region_id="RegionTwo", url="https://a"),
        E(service_id="sw", interface="public", region_id="RegionOne", url="http://b"),
        E(service_id="nova", interface="public", region_id="RegionOne", url="http://c"),
    ]
    wanted = I.normalize({"endpoints": [
        {"service": "keystone", "interface": i, "url": "https://a", "region": "RegionTwo"}
        for i in ("public", "admin")] + [
        {"service": "swift", "url": "https://b", "region": "RegionTwo"}]})["endpoints"]
    stale = I.stale_endpoints(existing, wanted, {"keystone": "ks", "swift": "sw"})
    # the old region's endpoints of keystone and swift go; nova is not declared: kept
    assert stale == [existing[0], existing[3]]
    assert I.stale_endpoints(existing, wanted, {}) == []


CATALOG = {
    "keystone": [{"name": "keystone", "type": "identity", "url": "http://h:5000/v3"}],
    "swift": [{"name": "swift", "type": "object-store", "url": "http://h:8080/v1/AUTH_%(project_id)s",
               "description": "Swift"}],
    "cinder": [{"name": "cinder", "type": "block-storage", "url": "http://h:8776/v3"},
               {"name": "cinderv3", "type": "volumev3", "url": "http://h:8776/v3"}],
}


def test_catalog_plan_offers_the_running_groups_and_deletes_the_others() -> None:
    # mariadb runs too but registers nothing: a name that is no group is ignored
    plan = I.catalog_plan(CATALOG, ["mariadb", "keystone", "cinder"], "RegionTwo")
    assert plan.services == [
        {"name": "keystone", "type": "identity", "description": None},
        {"name": "cinder", "type": "block-storage", "description": None},
        {"name": "cinderv3", "type": "volumev3", "description": None},
    ]
    assert [(e["service"], e["interface"]) for e in plan.endpoints] == [
        (name, interface) for name in ("keystone", "cinder", "cinderv3")
        for interface in ("public", "internal", "admin")]
    assert {e["region"] for e in plan.endpoints} == {"RegionTwo"}
    assert plan.endpoints[3]["url"] == "http://h:8776/v3"
    assert plan.absent == [("swift", "object-store")]


def test_catalog_plan_puts_back_what_starts_again() -> None:
    stopped = I.catalog_plan(CATALOG, ["keystone"], "RegionOne")
    started = I.catalog_plan(CATALOG, ["keystone", "swift"], "RegionOne")
    assert ("swift", "object-store") in stopped.absent
    assert ("swift", "object-store") not in started.absent
    assert {"name": "swift", "type": "object-store", "description": "Swift"} in started.services
    assert sum(e["service"] == "swift" for e in started.endpoints) == 3
    # every row is either offered or deleted, never both
    for plan in (stopped, started):
        offered = {(s["name"], s["type"]) for s in plan.services}
        assert not offered & set(plan.absent)
        assert len(offered) + len(plan.absent) == 4


def test_the_sandbox_catalog_table_is_valid_and_has_every_catalog_type() -> None:
    """The role's table: each row has what catalog_plan needs, and its types are those the
    sandbox has URLs for (so no component registers a type nothing serves)."""
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parents[4]
    sandbox_vars = yaml.safe_load((root / "roles/sandbox_cloud/vars/main.yml").read_text())
    table = sandbox_vars["_sandbox_cloud_component_catalog"]
    plan = I.catalog_plan(table, list(table), "RegionOne")
    assert not plan.absent
    assert sorted(s["type"] for s in plan.services) == sorted(sandbox_vars["_sandbox_cloud_backend_endpoints"])
    # each row's url is the public URL of its own type
    for rows in table.values():
        for row in rows:
            assert row["url"] == "{{ _sandbox_cloud_endpoints['%s'] }}" % row["type"], row
    # every component that registers services is one the role starts
    assert set(table) <= set(sandbox_vars["_sandbox_cloud_component_order"])
    assert I.catalog_plan(table, [], "RegionOne").services == []


@pytest.mark.parametrize("catalog, message", [
    (["keystone"], "catalog must be a mapping of groups to lists of services, got list"),
    ({"swift": {"name": "swift"}}, r"catalog\['swift'\] must be a list of services, got dict"),
    ({"swift": ["swift"]}, r"catalog\['swift'\]\[0\] must be a mapping"),
    ({"swift": [{"name": "swift", "type": "object-store"}]}, r"catalog\['swift'\]\[0\] needs a non-empty 'url'"),
    ({"swift": [{"name": "swift", "type": "object-store", "url": "http://x", "region": "R"}]},
     r"unknown key\(s\) region; accepted: name, type, url, description"),
    ({"a": [{"name": "s", "type": "t", "url": "http://x"}], "b": [{"name": "s", "type": "t", "url": "http://y"}]},
     r"catalog\['b'\]\[0\]: service s \(t\) is declared by group 'a' too"),
])
def test_catalog_plan_names_the_bad_row(catalog: object, message: str) -> None:
    with pytest.raises(I.IdentityError, match=message):
        I.catalog_plan(catalog, [], "RegionOne")  # type: ignore[arg-type]


def test_a_deleted_service_is_a_change() -> None:
    report = I.Report()
    report.deleted["services"].append("swift (object-store)")
    assert report.changed


def test_a_service_both_declared_and_to_delete_is_refused_before_any_call() -> None:
    plan = I.catalog_plan(CATALOG, ["keystone"], "RegionOne")
    # no connection: the clash is found before anything is asked of Keystone
    reconciler = I.IdentityResources(conn=None)
    with pytest.raises(I.IdentityError,
                       match=r"both declared and to delete: swift \(object-store\)"):
        reconciler.ensure({"services": [{"name": "swift", "type": "object-store"}]}, plan)
