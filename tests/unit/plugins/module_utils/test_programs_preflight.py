# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Program -> service needs and the preflight decisions, on a catalog recorded from Keystone 30."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils import preflight as pf
from ansible_collections.openinfra.interop.plugins.module_utils import programs as P

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "keystone"


@pytest.fixture()
def catalog() -> list[pf.CatalogService]:
    rec = json.loads((FIXTURES / "v3-project-scoped-201.json").read_text(encoding="utf-8"))
    return pf.parse_catalog(rec["body"]["token"]["catalog"])


def test_every_program_has_needs_and_only_add_ons_have_plugins() -> None:
    assert set(P.PROGRAMS) == {"platform", "compute", "object", "dns", "orchestration", "shared_file_system", "scs_0128"}
    assert [n.types for n in P.PROGRAM_SERVICES["object"]] == [("object-store",)]
    compute_types = {t for n in P.PROGRAM_SERVICES["compute"] for t in n.types}
    assert compute_types == {"compute", "image", "network", "block-storage", "volumev3"}
    assert set(P.PROGRAM_SERVICES["platform"]) == set(P.PROGRAM_SERVICES["compute"]) | set(P.PROGRAM_SERVICES["object"])
    assert P.plugins_for(["platform", "dns", "orchestration", "shared_file_system"]) == [
        "designate-tempest-plugin",
        "heat-tempest-plugin",
        "manila-tempest-plugin",
    ]
    assert P.plugins_for(["object", "compute"]) == []


def test_unknown_program_names_the_accepted_ones() -> None:
    accepted = "platform, compute, object, dns, orchestration, shared_file_system, scs_0128, list:"
    with pytest.raises(P.UnknownProgramError, match=f"'objects'; accepted programs are: {accepted}"):
        P.validate_programs(["objects"])


def test_services_for_deduplicates_in_order() -> None:
    names = [n.name for n in P.services_for(["object", "platform", "object"])]
    assert names == ["object-store", "compute", "image", "network", "block-storage"]
    assert [n.name for n in P.services_for(["platform"])][-1] == "object-store"


def test_need_from_spec_accepts_aliases() -> None:
    need = P.need_from_spec("volumev3")
    assert need.codename == "cinder" and "block-storage" in need.types
    custom = P.need_from_spec("placement|placement-v2")
    assert custom.types == ("placement", "placement-v2") and custom.codename == "placement"
    with pytest.raises(ValueError):
        P.need_from_spec(" | ")


def test_object_program_is_satisfied_by_the_recorded_catalog(catalog) -> None:
    assert not pf.check_needs(P.needs_by_program(["object"]), catalog, "public", "RegionOne")
    summary = pf.summarize_catalog(catalog, "public", "RegionOne")
    assert [s["type"] for s in summary] == ["identity", "object-store"]
    assert all(len(s["endpoints"]) == 1 for s in summary)


def test_missing_services_are_named_with_their_program(catalog) -> None:
    needs = P.needs_by_program(["object", "dns", "compute"])
    problems = pf.check_needs(needs, catalog, "public", None)
    assert {(p.program, p.need.name, p.reason) for p in problems} == {
        ("dns", "dns", "missing"),
        ("compute", "compute", "missing"),
        ("compute", "image", "missing"),
        ("compute", "network", "missing"),
        ("compute", "block-storage", "missing"),
    }
    msg = pf.describe_problems(problems, catalog, "public", None, "cloud 'sandbox'")
    assert msg.startswith("Preflight failed: the service catalog of cloud 'sandbox' has no service of type")
    assert "'dns' (needed by program dns)" in msg
    assert "'block-storage' or 'volumev3' (needed by program compute)" in msg
    assert msg.endswith("Service types in the catalog: identity, object-store.")


def test_a_service_without_an_endpoint_of_the_interface_or_region(catalog) -> None:
    for svc in catalog:
        svc.endpoints = [e for e in svc.endpoints if e["interface"] != "internal"]
    problems = pf.check_needs(P.needs_by_program(["object"]), catalog, "internal", None)
    assert [p.reason for p in problems] == ["no-endpoint"]
    msg = pf.describe_problems(problems, catalog, "internal", "RegionTwo", "cloud 'x'")
    assert "no internal endpoint in region RegionTwo: 'object-store'" in msg
    assert pf.check_needs(P.needs_by_program(["object"]), catalog, "public", "RegionTwo")[0].reason == "no-endpoint"


def test_member_role_prefers_lowercase_and_finds_the_legacy_name() -> None:
    assert pf.pick_member_role(["admin", "Member", "member"]) == "member"
    assert pf.pick_member_role(["admin", "Member", "reader"]) == "Member"
    assert pf.pick_member_role(["admin", "_member_"]) is None
    assert pf.is_admin(["reader", "Admin"]) and not pf.is_admin(["member"])


# Swift 2.38 /info (abridged: keys and a few values as the proxy returns them)
SWIFT_INFO = {"swift": {"version": "2.38.3", "max_file_size": 5368709122}, "account_quotas": {},
              "bulk_delete": {"max_deletes_per_request": 10000}, "container_quotas": {}, "slo": {},
              "tempurl": {"methods": ["GET", "HEAD", "PUT", "POST", "DELETE"]}}


@pytest.mark.parametrize(("endpoint", "info"), [
    ("http://127.0.0.1:8080/v1/AUTH_1f2e", "http://127.0.0.1:8080/info"),
    ("https://cloud.example.com:8443/object-store/v1/AUTH_1f2e", "https://cloud.example.com:8443/object-store/info"),
    ("https://swift.example.com/v1", "https://swift.example.com/info"),
])
def test_swift_info_is_beside_the_v1_path(endpoint: str, info: str) -> None:
    assert pf.swift_info_url(endpoint) == info


def test_swift_features_are_the_info_keys_but_swift() -> None:
    assert pf.swift_features(SWIFT_INFO) == ["account_quotas", "bulk_delete", "container_quotas", "slo", "tempurl"]
    assert pf.swift_features(None) == []


def test_version_ids_of_keystone_and_of_a_multiple_choice_document() -> None:
    assert pf.version_ids({"version": {"id": "v3.14", "status": "stable"}}) == ["v3.14 (stable)"]
    assert pf.version_ids({"versions": {"values": [{"id": "v3.14", "status": "stable"}]}}) == ["v3.14 (stable)"]
    assert pf.version_ids({"versions": [{"id": "v2.1", "status": "CURRENT"}, {"id": "v2.0", "status": "SUPPORTED"}]}) == [
        "v2.0 (SUPPORTED)", "v2.1 (CURRENT)"]
    assert pf.version_ids({"error": {"code": 401}}) == []


def test_fingerprint_changes_with_what_the_cloud_reports(catalog: list[pf.CatalogService]) -> None:
    summary = pf.summarize_catalog(catalog, "public", None)
    base = pf.cloud_fingerprint(summary, {"http://k/v3": ["v3.14 (stable)"]}, {"object": ["slo"]})
    assert base == pf.cloud_fingerprint(list(reversed(summary)), {"http://k/v3": ["v3.14 (stable)"]}, {"object": ["slo"]})
    assert base != pf.cloud_fingerprint(summary, {"http://k/v3": ["v3.14 (stable)"]}, {"object": ["slo", "tempurl"]})
    assert base != pf.cloud_fingerprint(summary, {"http://k/v3": ["v3.15 (stable)"]}, {"object": ["slo"]})
    moved = [dict(s, endpoints=[u.replace("5000", "5001") for u in s["endpoints"]]) for s in summary]
    assert base != pf.cloud_fingerprint(moved, {"http://k/v3": ["v3.14 (stable)"]}, {"object": ["slo"]})


ROLES = {"operator": "member", "reseller_admin": "ResellerAdmin"}


def _account(name: str, declared: list[str], actual: list[str]) -> dict:
    return {"username": name, "project_name": f"p-{name}", "domain_name": "Certifiers", "roles": declared,
            "actual_roles": actual}


def test_accounts_with_the_roles_of_object_pass() -> None:
    accounts = [_account("a", ["member"], ["member", "reader"]), _account("b", ["member"], ["member"]),
                _account("r", ["ResellerAdmin"], ["ResellerAdmin"])]
    assert pf.account_role_problems(["object"], accounts, ROLES) == []
    # other programs need no role of the accounts
    assert pf.account_role_problems(["dns"], accounts[:1], ROLES) == []


def test_missing_roles_name_the_tests_that_would_not_run() -> None:
    accounts = [_account("a", ["member"], ["member"]), _account("b", ["member"], ["reader"])]
    problems = pf.account_role_problems(["platform", "object"], accounts, ROLES)
    assert problems[0].startswith("account b@Certifiers (project p-b) is declared with role(s) member")
    assert "program platform needs 1 account(s) declared with role 'ResellerAdmin'" in problems[1]
    assert "test_account_quotas.AccountQuotasTest.test_upload_valid_object" in problems[1]
    assert len(problems) == 2  # object shares platform's needs: said once
    only_one = pf.account_role_problems(["object"], accounts[:1] + [_account("r", ["ResellerAdmin"], ["ResellerAdmin"])], ROLES)
    assert only_one == ["program object needs 2 account(s) declared with role 'member' (object-storage.operator_role) "
                        "in the accounts file, found 1: without them Tempest skips or fails every object storage "
                        "test (the container ACL tests take a second account)"]


def test_only_orchestration_logs_in_as_the_users_discovery_creates() -> None:
    # heat-tempest-plugin reads [heat_plugin] username (python-tempestconf's --create demo user)
    assert P.uses_discovery_users(["dns", "orchestration"])
    assert not P.uses_discovery_users(["platform", "compute", "object", "dns", "shared_file_system"])


def test_registry_is_the_one_source_of_names_aliases_and_kinds() -> None:
    """Every table other modules import is derived from the registry entries."""
    from ansible_collections.openinfra.interop.plugins.module_utils import guideline as gl

    assert P.CORE_PROGRAMS == ("platform", "compute", "object")
    assert P.ADDON_PROGRAMS == ("dns", "orchestration", "shared_file_system")
    assert P.PROGRAM_ALIASES == {"storage": "object"}
    # the guideline engine uses the registry's names and error class, not copies of them
    assert gl.CORE_PROGRAMS is P.CORE_PROGRAMS
    assert gl.GuidelineError is P.GuidelineError
    for spelling in ("storage", "Storage", " OBJECT ", "object"):
        assert P.canonical_program(spelling) == "object"
    assert P.validate_programs(["Storage", "object", "Shared-File-System"]) == ["object", "shared_file_system"]
    assert [p for p in P.PROGRAMS if P.uses_discovery_users([p])] == ["orchestration"]
    assert P.api_services(["dns"]) == ["dns"]
    assert P.api_services(["object"]) == ["object-store", "identity"]
