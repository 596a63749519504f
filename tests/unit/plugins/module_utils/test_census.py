# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The untracked API test census (module_utils/census.py) on the recorded Tempest 47 listing."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils.census import candidate_guideline, take_census
from ansible_collections.openinfra.interop.plugins.module_utils.guideline import (
    Guideline,
    GuidelineError,
    bundled_versions,
    load_guideline,
)
from ansible_collections.openinfra.interop.plugins.module_utils.programs import api_services
from ansible_collections.openinfra.interop.plugins.module_utils.tempest_tests import Listing, read_listing

LISTING_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "tempest" / "tempest-47-plugins.list-tests.txt.gz"
SERVICES = ["compute", "image", "network", "block-storage", "identity", "object-store", "dns", "orchestration"]


@functools.lru_cache(maxsize=1)
def listing() -> Listing:
    return read_listing(str(LISTING_FILE))


def test_services_of_the_programs() -> None:
    assert api_services(["compute", "object", "dns", "orchestration"]) == SERVICES
    assert api_services(["dns"]) == ["dns"]


def test_census_of_2020_06() -> None:
    """The figures of the issue note: untracked API tests of Tempest 47 + plugins for 2020.06."""
    census = take_census(listing(), [load_guideline(n) for n in ("2020.06", "dns.2020.06", "orchestration.2020.06")],
                         SERVICES)
    assert census.counts() == {"compute": 497, "image": 79, "network": 137, "block-storage": 166,
                               "identity": 130, "object-store": 92, "dns": 315, "orchestration": 22}
    assert census.api_tests["object-store"] == 149
    data = census.as_dict()
    assert data["untracked"] == 1438
    # a tracked test is not a candidate; an untracked one is, under its module
    modules = data["services"]["object-store"]["modules"]
    names = {t["name"] for tests in modules.values() for t in tests}
    assert "tempest.api.object_storage.test_account_services.AccountTest.test_list_containers" not in names
    assert all(t["idempotent_id"].startswith("id-") for tests in modules.values() for t in tests)
    table = census.text().splitlines()
    assert table[0] == "Untracked API tests (not in 2020.06, dns.2020.06, orchestration.2020.06)"
    assert any(line.startswith("object-store ") and line.split()[-2:] == ["92", "149"] for line in table)


def test_every_bundled_guideline_tracks_more() -> None:
    everything = take_census(listing(), [load_guideline(n) for n in bundled_versions()], ["object-store"])
    assert everything.counts() == {"object-store": 90}


def test_include_keeps_a_sample_and_the_candidate_guideline_adds_it_as_advisory() -> None:
    census = take_census(listing(), [load_guideline("next")], ["object-store"], include=["test_account_services"])
    sample = census.tests()
    assert sample and all("test_account_services" in t.test_id for _s, _m, t in sample)
    data = candidate_guideline(load_guideline("next"), "object", census, limit=2)
    added = [c for c in data["capabilities"] if c.startswith("untracked-")]
    assert added == ["untracked-object-store-test-account-services"]
    assert len(data["capabilities"][added[0]]["tests"]) == 2
    assert added[0] in data["components"]["os_powered_storage"]["capabilities"]["advisory"]
    # the candidate is a guideline the engine runs: its advisory tests are the sample
    trial = Guideline(data, "candidate", "candidate.json").tests("object", types=["advisory"])
    assert {t.capability for t in trial} == {"identity-v3-tokens-delete", added[0]}
    # the base guideline is untouched
    assert not any(c.startswith("untracked-") for c in load_guideline("next").data["capabilities"])


def test_bad_input() -> None:
    with pytest.raises(GuidelineError, match="unknown service nova for the census; accepted: identity, compute"):
        take_census(listing(), [], ["nova"])
    with pytest.raises(GuidelineError, match="include: invalid regex"):
        take_census(listing(), [], ["dns"], include=["("])
    with pytest.raises(GuidelineError, match="schema 2.0 guideline; 2015.03 has schema 1.2"):
        candidate_guideline(load_guideline("2015.03"), "object", take_census(listing(), [], ["dns"]))
    empty = take_census(listing(), [], ["dns"], include=["no-such-test"])
    with pytest.raises(GuidelineError, match="found no untracked test"):
        candidate_guideline(load_guideline("next"), "object", empty)
