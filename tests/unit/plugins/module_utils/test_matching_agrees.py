# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The include list and the verdict agree, on every bundled guideline and test list.

``tempest_tests.match_tests`` decides which installed tests go into a program's include list;
``results.match_required`` decides which test of the run credits which required test. For
every program of every bundled guideline and list, against the recorded listing of tempest
47.0.0 with its plugins: run exactly what the include list selects (stestr's rule,
``selected_by``), every test passing, and the verdict must credit every required test the
include list matched, and report every other one missing with the include list's reason.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils import tempest_tests as tt
from ansible_collections.openinfra.interop.plugins.module_utils.guideline import bundled_versions, load_guideline
from ansible_collections.openinfra.interop.plugins.module_utils.programs import REGISTRY, is_list_program
from ansible_collections.openinfra.interop.plugins.module_utils.results import MISSING, PASSED, RunTest, match_required
from ansible_collections.openinfra.interop.plugins.module_utils import subunit_v2

LISTING = Path(__file__).resolve().parents[2] / "fixtures" / "tempest" / "tempest-47-plugins.list-tests.txt.gz"


@pytest.fixture(scope="module")
def listing() -> tt.Listing:
    return tt.parse_listing(gzip.decompress(LISTING.read_bytes()).decode("utf-8"))


def _cases() -> list[tuple[str | None, str]]:
    cases: list[tuple[str | None, str]] = []
    for version in bundled_versions():
        cases.extend((version, program) for program in load_guideline(version).programs())
    cases.extend((None, name) for name in REGISTRY if is_list_program(name))
    return cases


@pytest.mark.parametrize(("version", "program"), _cases())
def test_include_list_and_verdict_agree(listing: tt.Listing, version: str | None, program: str) -> None:
    guideline = load_guideline(version, program=program)
    required = guideline.tests(program, types=("required",))
    if not required:
        pytest.skip(f"{guideline.name} {program} has no required test")
    match = tt.match_tests([t.as_dict() for t in required], listing, [])
    run = [RunTest(subunit_v2.TestRecord(test_id=i, status="success"), 1)
           for i in tt.selected_by(match.include_lines, listing.ids())]
    verdicts = match_required(required, run, match.missing_reasons())
    outcome = {v.test.name: v for v in verdicts}
    for row in match.tests:
        verdict = outcome[row["name"]]
        if row["matched"]:
            assert verdict.outcome == PASSED, (row["name"], verdict.reason)
        else:
            assert verdict.outcome == MISSING, (row["name"], [rt.test_id for rt in verdict.run_tests])
            assert verdict.reason == match.missing_reasons()[row["name"]]


# The cases where the two matchers once differed (the verdict took every test sharing the id and
# the name and its aliases at once; the include list the best rename and the name first): the
# verdict now credits exactly the tests the include list selected.
RENAMED = "tempest.api.x.test_a.NewCls.test_one[id-11111111-0000-4000-8000-000000000000]"
OTHER_CLASS = "tempest.api.y.test_b.Other.test_two[id-11111111-0000-4000-8000-000000000000]"
NAMED = "tempest.api.x.test_a.Cls.test_three[id-22222222-0000-4000-8000-000000000000]"
SUBCLASS = "tempest.api.x.test_a.SubCls.test_three[id-22222222-0000-4000-8000-000000000000]"


@pytest.mark.parametrize(("wanted", "listed", "credited"), [
    # renamed: the same module and method wins over another class sharing the id
    ({"name": "tempest.api.x.test_a.OldCls.test_one", "idempotent_id": "id-11111111-0000-4000-8000-000000000000"},
     [RENAMED, OTHER_CLASS], [RENAMED]),
    # the guideline name before an alias that shares its id (a subclass)
    ({"name": "tempest.api.x.test_a.Cls.test_three", "idempotent_id": "22222222-0000-4000-8000-000000000000",
      "aliases": ["tempest.api.x.test_a.SubCls.test_three"]}, [SUBCLASS, NAMED], [NAMED]),
])
def test_include_list_and_verdict_take_the_same_tests(wanted: dict, listed: list[str], credited: list[str]) -> None:
    from ansible_collections.openinfra.interop.plugins.module_utils.guideline import GuidelineTest

    listing = tt.parse_listing("\n".join(listed))
    match = tt.match_tests([{**wanted, "capability": "c"}], listing, [])
    assert match.selected_ids == credited
    run = [RunTest(subunit_v2.TestRecord(test_id=i, status="success"), 1) for i in listed]
    required = GuidelineTest(wanted["name"], wanted["idempotent_id"], "c", "required", False,
                             tuple(wanted.get("aliases", ())))
    [verdict] = match_required([required], run)
    assert [rt.test_id for rt in verdict.run_tests] == credited
    assert verdict.matched_by == match.tests[0]["how"]
