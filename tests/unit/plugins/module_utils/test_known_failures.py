# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Known failures: validation of the file, matching, the pipeline verdict in every artifact."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils import known_failures as K
from ansible_collections.openinfra.interop.plugins.module_utils.guideline import GuidelineTest
from ansible_collections.openinfra.interop.plugins.module_utils.results import build_results

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "subunit"
OBJ = "tempest.api.object_storage"
BUG = "https://bugs.launchpad.net/tempest/+bug/1"
# In the recorded run: list_containers passed, list_container_contents failed, the ACL test's
# class failed in setUpClass, container_synchronization was skipped.
REQUIRED = [
    GuidelineTest(f"{OBJ}.test_account_services.AccountTest.test_list_containers",
                  "id-3499406a-ae53-4f8c-b43a-133d4dc6fe3f", "objectstore-account-list", "required", False, ()),
    GuidelineTest(f"{OBJ}.test_container_services.ContainerTest.test_list_container_contents",
                  "id-ab8c6eb4-9e26-4a4d-9ec8-ea7bf6ddc0e3", "objectstore-container-list", "required", False, ()),
    GuidelineTest(f"{OBJ}.test_container_sync.ContainerSyncTest.test_container_synchronization",
                  "id-be008325-1bba-4925-b7dd-93b58f22ce9b", "objectstore-container-sync", "required", False, ()),
]
FAILED = REQUIRED[1].name
SKIPPED = REQUIRED[2].name


def parse(data):
    return K.parse_known_failures(data, variable="known_failures", source="/k.yml")


def build(entries, release=""):
    stream = (FIXTURES / "tempest-run.subunit").read_bytes()
    return build_results([stream], REQUIRED, program="object", guideline="2020.06", cpid="c" * 32,
                         known_failures=entries, release=release)


# ---- the file -------------------------------------------------------------------------------


def test_entries_are_parsed_with_canonical_programs() -> None:
    [entry] = parse([{"test": "test_list_container_contents", "reason": "r", "bug": BUG,
                      "programs": ["Storage"], "releases": ["2024.1"]}])
    assert entry == K.KnownFailure("test_list_container_contents", "r", BUG, ("object",), ("2024.1",))
    assert parse(None) == []


@pytest.mark.parametrize("data, message", [
    ({"test": "x"}, "holds a dict: a YAML list of {test"),
    (["x"], "entry 1 is 'x'"),
    ([{"test": "x", "reason": "r", "bug": BUG, "bugs": BUG}], "entry 1 has unknown key(s) bugs"),
    ([{"test": "x", "bug": BUG}], "entry 1: reason is None: a non-empty string is required"),
    ([{"test": "x(", "reason": "r", "bug": BUG}], "entry 1: test 'x(' is not a valid regular expression"),
    ([{"test": "x", "reason": "r", "bug": "LP#1"}], "entry 1: bug 'LP#1' is not an http(s) URL"),
    ([{"test": "x", "reason": "r", "bug": BUG}, {"test": "y", "reason": "r", "bug": BUG, "programs": [""]}],
     "entry 2: programs is ['']: a list of non-empty strings"),
    ([{"test": "x", "reason": "r", "bug": BUG, "programs": ["nope!"]}], "entry 1: programs:"),
])
def test_a_bad_file_is_one_message_naming_variable_file_entry_and_value(data, message) -> None:
    with pytest.raises(K.KnownFailuresError) as err:
        parse(data)
    assert str(err.value).startswith("known_failures (/k.yml)")
    assert message in str(err.value)


def test_load_names_the_variable_and_the_path(tmp_path: Path) -> None:
    with pytest.raises(K.KnownFailuresError, match=r"^known_failures is '.*/absent.yml': cannot read it"):
        K.load_known_failures(str(tmp_path / "absent.yml"), "known_failures")
    bad = tmp_path / "bad.yml"
    bad.write_text("- test: [unclosed\n")
    with pytest.raises(K.KnownFailuresError, match="not valid YAML"):
        K.load_known_failures(str(bad), "known_failures")
    good = tmp_path / "good.yml"
    good.write_text(f"- test: {FAILED}\n  reason: r\n  bug: {BUG}\n")
    assert K.load_known_failures(str(good), "known_failures")[0].test == FAILED
    assert K.load_known_failures("", "known_failures") == []


# ---- matching and the pipeline verdict ------------------------------------------------------


def test_pipeline_verdict_rules() -> None:
    assert K.pipeline_verdict("PASS", False, [], []) == "PASS"
    assert K.pipeline_verdict("FAIL", False, ["a"], ["a"]) == K.PASS_KNOWN
    assert K.pipeline_verdict("FAIL", False, ["a", "b"], ["a"]) == "FAIL"
    assert K.pipeline_verdict("FAIL", True, ["a"], ["a"]) == "FAIL"  # partial: never a pass
    assert K.pipeline_verdict("FAIL", False, [], []) == "FAIL"  # nothing required


def test_every_non_passing_test_known_gives_pass_with_known_failures_in_all_reports() -> None:
    entries = parse([{"test": "test_list_container_contents$", "reason": "bug in Swift", "bug": BUG},
                     {"test": r"ContainerSyncTest\.", "reason": "no container sync", "bug": BUG + "2"},
                     {"test": "AccountTest.test_list_containers", "reason": "was flaky", "bug": BUG + "3"}])
    res = build(entries)
    summary = res.summary
    assert summary["verdict"] == "FAIL"  # strict
    assert summary["pipeline_verdict"] == "PASS with known failures"
    known = summary["known_failures"]
    assert [(r["name"], r["outcome"]) for r in known["listed"]] == [(FAILED, "failed"), (SKIPPED, "skipped")]
    assert [r["name"] for r in known["passed"]] == [REQUIRED[0].name]
    assert "pipeline verdict: PASS with known failures" in res.summary_text
    assert f"known failure (failed): {FAILED} - bug in Swift - {BUG}" in res.summary_text
    # JUnit: the failure stays a failure, with the bug as a property of its testcase
    suite = ET.fromstring(res.files["junit.xml"]).find("testsuite")
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert (props["verdict"], props["pipeline_verdict"], props["known_failures"]) == ("FAIL", K.PASS_KNOWN, "2")
    case = next(c for c in suite.iter("testcase") if c.get("name").startswith("test_list_container_contents"))
    assert case.find("failure") is not None
    assert {p.get("name"): p.get("value") for p in case.find("properties")}["known_failure"] == BUG
    html = res.files["report.html"].decode()
    assert 'id="pipeline-verdict"' in html and "stay strict" in html and f'href="{BUG}2"' in html
    assert 'id="verdict" class="verdict fail">FAIL<' in html
    # the RefStack document does not know about known failures
    assert res.files["refstack-result.json"] == build([]).files["refstack-result.json"]
    assert json.loads(res.files["summary.json"])["pipeline_verdict"] == K.PASS_KNOWN


def test_an_unknown_failure_keeps_the_pipeline_verdict_fail() -> None:
    res = build(parse([{"test": "test_list_container_contents", "reason": "r", "bug": BUG}]))
    assert (res.summary["verdict"], res.summary["pipeline_verdict"]) == ("FAIL", "FAIL")


@pytest.mark.parametrize("extra, release, applies", [
    ({"programs": ["compute"]}, "", False),
    ({"programs": ["object"]}, "", True),
    ({"releases": ["2024.1"]}, "", False),  # limited to releases: the run must name one
    ({"releases": ["2024.1"]}, "2023.2", False),
    ({"releases": ["2024.1"]}, "2024.1", True),
])
def test_programs_and_releases_limit_an_entry(extra, release, applies) -> None:
    entries = parse([{"test": "test_list_container_contents|test_container_synchronization",
                      "reason": "r", "bug": BUG, **extra}])
    res = build(entries, release=release)
    assert res.summary["pipeline_verdict"] == (K.PASS_KNOWN if applies else "FAIL")
    assert len(res.summary["known_failures"]["listed"]) == (2 if applies else 0)
    assert res.summary["known_failures"]["release"] == release


def test_without_known_failures_the_reports_are_as_before() -> None:
    res = build([])
    assert res.summary["pipeline_verdict"] == res.summary["verdict"] == "FAIL"
    assert "pipeline verdict" not in res.summary_text
    assert b"pipeline-verdict" not in res.files["report.html"]
