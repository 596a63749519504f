# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Why a required test did not pass, from its failure text or skip reason."""

from __future__ import annotations

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils.explain import explain, needed_services

# failure text of a Heat test on a cloud without Nova (heat-engine's message, as the API returns it)
HEAT_NO_NOVA = ('heatclient.exc.HTTPBadRequest: ERROR: HTTP 400: Failed to validate: resources.server: '
                'The Resource Type (OS::Nova::Server) could not be found.')


@pytest.mark.parametrize(("text", "needs"), [
    (HEAT_NO_NOVA, [("nova", "for OS::Nova::Server")]),
    ("Unknown resource Type : OS::Neutron::Net; OS::Cinder::Volume",
     [("cinder", "for OS::Cinder::Volume"), ("neutron", "for OS::Neutron::Net")]),
    ("AWS::EC2::Instance is not registered", [("nova", "for AWS::EC2::Instance")]),
    ("Cinder is not available.", [("cinder", '(Tempest: "Cinder is not available")')]),
    ("skipped: neutron service is not enabled", [("neutron", '(Tempest: "neutron service is not enabled")')]),
    # a resource type of Heat itself or an unknown namespace needs no other service
    ("OS::Heat::RandomString failed; OS::Foo::Bar", []),
    ("", []),
])
def test_needed_services(text: str, needs: list) -> None:
    assert needed_services(text) == needs


def test_missing_service_is_named() -> None:
    assert explain("failed", HEAT_NO_NOVA, ["heat", "keystone", "designate"]) == (
        "needs compute (Nova) for OS::Nova::Server, which this cloud does not offer")


def test_service_offered_but_failed_is_only_described() -> None:
    assert explain("failed", HEAT_NO_NOVA, ["nova", "heat"]) == "uses compute (Nova) for OS::Nova::Server"
    # availability unknown: the need is still named
    assert explain("failed", HEAT_NO_NOVA) == "uses compute (Nova) for OS::Nova::Server"


def test_guest_ssh_skip() -> None:
    assert explain("skipped", "Instance validation tests are disabled.", ["nova"]).startswith(
        "needs SSH into a guest")


def test_nothing_to_say() -> None:
    assert explain("passed", HEAT_NO_NOVA, []) == ""
    assert explain("failed", "AssertionError: 1 != 2", ["nova"]) == ""


def test_a_skip_of_pre_provisioned_credentials_is_explained() -> None:
    # tempest 47.0.0, test_list_containers_with_marker with use_dynamic_credentials = False
    text = "Skipped because of bug#2147232.\n"
    assert explain("skipped", text, ["swift"]).startswith("Tempest skips this test with pre-provisioned accounts")


def test_a_skip_that_contradicts_the_cloud_is_a_configuration_problem() -> None:
    text = "Skipped because object extension: account_quotas is not enabled"
    reported = {"object": ["account_quotas", "slo"]}
    said = explain("skipped", text, ["swift"], reported)
    assert said.startswith("configuration problem: tempest.conf ([object-storage-feature-enabled] "
                           "discoverable_apis) does not enable the object extension account_quotas")
    # the cloud does not offer it either, or nothing is known: no contradiction
    assert explain("skipped", text, ["swift"], {"object": ["slo"]}) == ""
    assert explain("skipped", text, ["swift"]) == ""
