# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""One Tempest run for several programs: each program scored from the shared stream.

The stream is a real sandbox run of the 2020.06 platform program (tempest 47.0.0, fake compute
driver; attachments over 400 bytes emptied to keep the fixture small), the listing the one of
the same Tempest (tests/unit/fixtures/tempest). Platform's tests include every compute test, so
this stream is also the union run of ``compute,platform``.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils import tempest_tests as tt
from ansible_collections.openinfra.interop.plugins.module_utils import tempest_ids as ids
from ansible_collections.openinfra.interop.plugins.module_utils.guideline import load_guideline
from ansible_collections.openinfra.interop.plugins.module_utils.results import build_results, refstack_name
from ansible_collections.openinfra.interop.plugins.module_utils.subunit_v2 import parse

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
STREAM = FIXTURES / "subunit" / "sandbox-platform-2020.06.subunit.gz"
LISTING = FIXTURES / "tempest" / "tempest-47-plugins.list-tests.txt.gz"


@pytest.fixture(scope="module")
def stream() -> bytes:
    return gzip.decompress(STREAM.read_bytes())


@pytest.fixture(scope="module")
def selections() -> dict[str, tt.MatchResult]:
    listing = tt.parse_listing(gzip.decompress(LISTING.read_bytes()).decode("utf-8"))
    guideline = load_guideline("2020.06")
    tests = {p: [t.as_dict() for t in guideline.tests(p, types=("required",))] for p in ("compute", "platform")}
    out = {p: tt.match_tests(tests[p], listing, []) for p in tests}
    out["union"] = tt.match_tests(tests["compute"] + tests["platform"], listing, [])
    return out


def _score(stream: bytes, program: str, only: list[str] | None) -> dict:
    guideline = load_guideline("2020.06")
    built = build_results([stream], guideline.tests(program, types=("required",)), program=program,
                          guideline="2020.06", cpid="c" * 32, only_tests=only)
    return {"summary": built.summary, "document": json.loads(built.files["refstack-result.json"])}


def test_union_include_list_is_the_union_of_the_programs_lists(selections: dict[str, tt.MatchResult]) -> None:
    union = set(selections["union"].selected_ids)
    assert union == set(selections["compute"].selected_ids) | set(selections["platform"].selected_ids)
    assert set(selections["compute"].selected_ids) < union


def test_each_program_keeps_its_counts_from_the_shared_stream(
    stream: bytes, selections: dict[str, tt.MatchResult]
) -> None:
    # the stream's ids may lack an attribute of the listing's (slow): names are what match
    recorded = {refstack_name(rec.test_id) for rec in parse(stream).records}
    assert recorded == {refstack_name(i) for i in selections["union"].selected_ids}
    compute = _score(stream, "compute", selections["compute"].selected_ids)
    platform = _score(stream, "platform", selections["platform"].selected_ids)
    # the counts of the separate runs of the same sandbox (e2e_compute): 215/217 and 271/273
    for result, required, passed in ((compute, 217, 215), (platform, 273, 271)):
        counts = result["summary"]["counts"]
        assert (counts["required"], counts["passed"], counts["failed"], counts["missing"]) == (required, passed, 0, 0)
        assert result["summary"]["run"]["tests"] == required
        assert result["summary"]["other_failures"] == []
    # the RefStack document of compute holds compute's passed tests only, in the stream's order
    names = [r["name"] for r in compute["document"]["results"]]
    assert len(names) == 215
    selected = {ids.parse_test_id(i).name for i in selections["compute"].selected_ids}  # type: ignore[union-attr]
    assert set(names) <= selected
    # the whole stream scored for compute without the selection counts platform's tests too
    unfiltered = _score(stream, "compute", None)
    assert unfiltered["summary"]["counts"] == compute["summary"]["counts"]
    assert len(unfiltered["document"]["results"]) == 271


def test_a_class_fixture_stays_with_its_program() -> None:
    from ansible_collections.openinfra.interop.plugins.module_utils.results import RunTest, tests_of_program
    from ansible_collections.openinfra.interop.plugins.module_utils.subunit_v2 import TestRecord

    def rt(test_id: str, status: str) -> RunTest:
        return RunTest(TestRecord(test_id=test_id, status=status), 1)

    run = [
        rt("setUpClass (tempest.api.a.test_x.XTest)", "fail"),
        rt("setUpClass (tempest.api.b.test_y.YTest)", "fail"),
        rt("tempest.api.b.test_y.YTest.test_two[id-2]", "success"),
        rt("tempest.api.a.test_x.XTest.test_one[id-1,smoke]", "success"),
    ]
    kept = tests_of_program(run, ["tempest.api.a.test_x.XTest.test_one[id-1,smoke]"])
    assert [k.test_id for k in kept] == [
        "setUpClass (tempest.api.a.test_x.XTest)", "tempest.api.a.test_x.XTest.test_one[id-1,smoke]",
    ]


def test_a_class_skipped_in_its_fixture_stays_with_its_program() -> None:
    """A setUpClass skip runs none of the class's tests: the stream has only the fixture, and the
    program that selected the class's tests keeps it (seen: SCS-0128's IdentityV3UsersTest with
    security compliance off counted as missing instead of skipped)."""
    from ansible_collections.openinfra.interop.plugins.module_utils.results import RunTest, tests_of_program
    from ansible_collections.openinfra.interop.plugins.module_utils.subunit_v2 import TestRecord

    run = [
        RunTest(TestRecord(test_id="setUpClass (tempest.api.identity.v3.test_users.UsersTest)", status="skip"), 1),
        RunTest(TestRecord(test_id="setUpClass (tempest.api.other.test_z.ZTest)", status="skip"), 1),
    ]
    kept = tests_of_program(run, ["tempest.api.identity.v3.test_users.UsersTest.test_own_password[id-3]"])
    assert [k.test_id for k in kept] == ["setUpClass (tempest.api.identity.v3.test_users.UsersTest)"]
