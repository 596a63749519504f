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
    assert set(P.PROGRAMS) == {"platform", "compute", "object", "dns", "orchestration", "shared_file_system"}
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
    with pytest.raises(P.UnknownProgramError, match="'objects'; accepted programs are: platform, compute, object, dns, orchestration, shared_file_system"):
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
