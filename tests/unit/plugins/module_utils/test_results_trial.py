# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Advisory (trial) capabilities in every artifact, outside the verdict (results.trial_summary)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ansible_collections.openinfra.interop.plugins.module_utils.guideline import GuidelineTest
from ansible_collections.openinfra.interop.plugins.module_utils.results import HTML_FILE, JUNIT_FILE

from test_results import OBJ, REQUIRED, build, data


def advisory(name: str, ident: str | None, capability: str) -> GuidelineTest:
    return GuidelineTest(name, ident, capability, "advisory", False, ())


TRIAL = [
    # passes in tempest-run.subunit
    advisory(f"{OBJ}.test_account_services.AccountTest.test_list_containers",
             "id-3499406a-ae53-4f8c-b43a-133d4dc6fe3f", "objectstore-account-advisory"),
    # fails in tempest-run.subunit
    advisory(f"{OBJ}.test_container_services.ContainerTest.test_list_container_contents",
             "id-ab8c6eb4-9e26-4a4d-9ec8-ea7bf6ddc0e3", "objectstore-container-advisory"),
    # not in the run
    advisory(f"{OBJ}.test_object_services.ObjectTest.test_advisory_not_run",
             "id-11111111-1111-4111-8111-111111111111", "objectstore-container-advisory"),
]


def test_trial_capabilities_in_summary_and_not_in_the_verdict() -> None:
    plain = build([data("tempest-run")])
    res = build([data("tempest-run")], trial=TRIAL)
    for key in ("verdict", "counts", "capabilities", "failing_capabilities"):
        assert res.summary[key] == plain.summary[key], key
    trial = res.summary["trial"]
    assert trial["statuses"] == ["advisory"]
    rows = {r["name"]: r for r in trial["capabilities"]}
    assert rows["objectstore-account-advisory"] == {
        "name": "objectstore-account-advisory", "status": "advisory", "tests": 1,
        "passed": 1, "failed": 0, "skipped": 0, "missing": 0, "result": "PASS"}
    assert rows["objectstore-container-advisory"]["failed"] == 1
    assert rows["objectstore-container-advisory"]["missing"] == 1
    assert rows["objectstore-container-advisory"]["result"] == "FAIL"
    assert trial["passing_capabilities"] == ["objectstore-account-advisory"]
    assert len(trial["tests"]) == 3
    text = res.summary_text
    assert re.search(r"objectstore-account-advisory +advisory +1 +1 +0 +0 +0 +PASS", text), text


def test_trial_in_junit_properties_and_html() -> None:
    res = build([data("tempest-run")], trial=TRIAL)
    root = ET.fromstring(res.files[JUNIT_FILE])
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert props["trial.advisory.objectstore-account-advisory"] == "PASS 1/1"
    assert props["trial.advisory.objectstore-container-advisory"] == "FAIL 0/2"
    page = res.files[HTML_FILE].decode("utf-8")
    table = page[page.index('<table id="trial-capabilities">'):]
    table = table[:table.index("</table>")]
    assert "objectstore-account-advisory" in table and "objectstore-container-advisory" in table
    assert 'id="trial-tests"' in page and "test_advisory_not_run" in page


def test_no_trial_no_section() -> None:
    res = build([data("tempest-run")], required=REQUIRED)
    assert res.summary["trial"] == {"statuses": [], "capabilities": [], "passing_capabilities": [], "tests": []}
    assert b"trial-capabilities" not in res.files[HTML_FILE]
    assert b"trial." not in res.files[JUNIT_FILE]
