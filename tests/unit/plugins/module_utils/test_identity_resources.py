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
    assert report.as_dict()["deleted"] == {"endpoints": ["swift public RegionOne"]}


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
