# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Result artifacts from recorded subunit v2 streams: exact RefStack document, matching, JUnit, HTML."""

from __future__ import annotations

import io
import json
import os
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils import results as R
from ansible_collections.openinfra.interop.plugins.module_utils.guideline import GuidelineTest, load_guideline
from ansible_collections.openinfra.interop.plugins.module_utils.results import StreamInput, build_results

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "subunit"
OBJ = "tempest.api.object_storage"
CPID = "d7f792d1c38e4caaa15f01da1fadab2a"


def data(name: str) -> bytes:
    return (FIXTURES / f"{name}.subunit").read_bytes()


def gt(name: str, ident: str | None, capability: str, aliases: tuple[str, ...] = ()) -> GuidelineTest:
    return GuidelineTest(name, ident, capability, "required", False, aliases)


REQUIRED = [
    gt(f"{OBJ}.test_account_services.AccountTest.test_list_containers",
       "id-3499406a-ae53-4f8c-b43a-133d4dc6fe3f", "objectstore-account-list"),
    gt(f"{OBJ}.test_container_services.ContainerTest.test_list_container_contents",
       "id-ab8c6eb4-9e26-4a4d-9ec8-ea7bf6ddc0e3", "objectstore-container-list"),
    # guideline name differs from the run: found by id alone (a rename)
    gt(f"{OBJ}.test_object_services.ObjectTest.test_object_upload_in_segments",
       "id-e3e6a64a-9f50-4955-b987-6ce6767c97fb", "objectstore-dlo-support"),
    # its class failed in setUpClass
    gt(f"{OBJ}.test_container_acl.ObjectTestACLs.test_read_object_with_rights",
       "id-a3270f3f-7640-4944-8448-c7ea783ea5b6", "objectstore-acl"),
    gt(f"{OBJ}.test_container_sync.ContainerSyncTest.test_container_synchronization",
       "id-be008325-1bba-4925-b7dd-93b58f22ce9b", "objectstore-container-sync"),
    # never run, with a reason from the caller
    gt(f"{OBJ}.test_object_services.ObjectTest.test_never_ran",
       "id-00000000-0000-4000-8000-000000000000", "objectstore-object-get"),
    # no id in the guideline (schema 1.2 style) and none in the run: by name
    gt(f"{OBJ}.test_container_services.ContainerTest.test_create_container_without_id", None,
       "objectstore-container-create"),
    # plugin test, id without "id-" prefix as the add-on guidelines write it
    gt("designate_tempest_plugin.tests.api.v2.test_zones.ZonesTest.test_create_zone",
       "9d2e20fc-e56f-4a62-9c61-9752a9ec615c", "dns-zones-create"),
    # the scenario variant of a test: matched by id and by the name without "(plain)"
    gt("tempest.scenario.test_object_storage_basic_ops.TestObjectStorageBasicOps.test_swift_basic_ops",
       "id-b920faf1-7b8a-4657-b9fe-9c4512bfb381", "objectstore-scenario"),
    # alias: the run has the alias name; also listed by a second capability
    gt(f"{OBJ}.test_object_services.ObjectTest.test_create_object_old_name",
       "id-5daebb1d-f0d5-4dc9-b541-69672eff00b0", "objectstore-object-create",
       (f"{OBJ}.test_object_services.ObjectTest.test_create_object",)),
    gt(f"{OBJ}.test_object_services.ObjectTest.test_create_object_old_name",
       "id-5daebb1d-f0d5-4dc9-b541-69672eff00b0", "objectstore-object-upload",
       (f"{OBJ}.test_object_services.ObjectTest.test_create_object",)),
]
REASONS = {f"{OBJ}.test_object_services.ObjectTest.test_never_ran[id-00000000-0000-4000-8000-000000000000]":
           "needs dynamic credentials"}


def build(attempts, required=None, **kwargs):
    required = REQUIRED if required is None else required
    kwargs.setdefault("missing_reasons", REASONS)
    return build_results(attempts, required, program="object", guideline="2020.06", cpid=CPID,
                         cpid_method="catalog", **kwargs)


def by_name(res) -> dict[str, dict]:
    return {(t["name"], t["capability"]): t for t in res.summary["tests"]}


# ---- RefStack document ---------------------------------------------------------------------


def test_refstack_document_exact_bytes() -> None:
    res = build([data("tempest-run")])
    expected = (FIXTURES / "tempest-run.refstack-result.json").read_bytes()
    assert res.files["refstack-result.json"] == expected
    doc = json.loads(expected)
    assert list(doc) == ["cpid", "duration_seconds", "results"]
    names = [r["name"] for r in doc["results"]]
    assert "tempest.scenario.test_object_storage_basic_ops.TestObjectStorageBasicOps.test_swift_basic_ops(plain)" in names
    assert {"name": f"{OBJ}.test_container_services.ContainerTest.test_create_container_without_id"} in doc["results"]
    assert {"name": "designate_tempest_plugin.tests.api.v2.test_zones.ZonesTest.test_create_zone",
            "uuid": "9d2e20fc-e56f-4a62-9c61-9752a9ec615c"} in doc["results"]
    assert {"name": f"{OBJ}.test_object_services.ObjectTest.test_create_object",
            "uuid": "5daebb1d-f0d5-4dc9-b541-69672eff00b0"} in doc["results"]
    assert len(doc["results"]) == 7  # passed tests only: no fail, skip or setUpClass


def refstack_client_rule(raw: bytes) -> list[dict[str, str]]:
    """Replay the stream through python-subunit + testtools with refstack-client's pass-only rule."""
    subunit = pytest.importorskip("subunit")
    testtools = pytest.importorskip("testtools")

    class PassOnly(testtools.TestResult):
        def __init__(self) -> None:
            super().__init__()
            self.results: list[dict[str, str]] = []

        def addSuccess(self, test, details=None):  # noqa: N802 - unittest API
            super().addSuccess(test, details=details)
            test_id = test.id()
            entry = {"name": re.sub(r"\[.*\]", "", test_id)}
            groups = re.findall(r"\[([^\]]*)\]", test_id)
            for attr in (groups[0].split(",") if groups else []):
                if attr.startswith("id-") and attr[3:]:
                    entry["uuid"] = attr[3:]
                    break
            self.results.append(entry)

    result = PassOnly()
    decorator = testtools.StreamToExtendedDecorator(result)
    decorator.startTestRun()
    subunit.ByteStreamToStreamResult(io.BytesIO(raw)).run(decorator)
    decorator.stopTestRun()
    return result.results


@pytest.mark.parametrize("name", ["tempest-run", "tempest-killed", "tempest-truncated"])
def test_document_matches_refstack_client_replay(name: str) -> None:
    raw = data(name)
    doc = json.loads(build([raw]).files["refstack-result.json"])
    assert doc["results"] == refstack_client_rule(raw)


@pytest.mark.parametrize("test_id, name, uuid", [
    ("a.B.test_x[id-1234,smoke]", "a.B.test_x", "1234"),
    ("a.B.test_x[smoke,id-1234]", "a.B.test_x", "1234"),
    ("a.B.test_x[compute,id-1234,network](scenario-1)", "a.B.test_x(scenario-1)", "1234"),
    ("a.B.test_x", "a.B.test_x", None),
    ("a.B.test_x[]", "a.B.test_x", None),
    ("a.B.test_x[id-]", "a.B.test_x", None),
    ("a.B.test_x[smoke]", "a.B.test_x", None),
    # everything from the first "[" to the last "]" goes, as refstack-client's greedy re.sub
    ("a.B.test_x[id-1][gate]", "a.B.test_x", "1"),
    ("a.B.test_x[id-1](s[2])", "a.B.test_x)", "1"),
])
def test_name_and_uuid_rules(test_id: str, name: str, uuid: str | None) -> None:
    assert R.refstack_name(test_id) == name
    assert R.refstack_uuid(test_id) == uuid


def test_duration_given_or_from_stream() -> None:
    assert json.loads(build([data("tempest-run")]).files["refstack-result.json"])["duration_seconds"] == 5
    given = build([data("tempest-run")], duration_seconds=418)
    assert json.loads(given.files["refstack-result.json"])["duration_seconds"] == 418
    with pytest.raises(R.ResultsError, match="duration_seconds"):
        build([data("tempest-run")], duration_seconds=-1)


# ---- matching and summary ------------------------------------------------------------------


def test_matching_rules() -> None:
    res = build([data("tempest-run")])
    tests = by_name(res)

    def get(suffix: str, capability: str | None = None) -> dict:
        return next(t for (n, c), t in tests.items() if n.endswith(suffix) and capability in (None, c))

    assert get("AccountTest.test_list_containers")["matched_by"] == "id+name"
    assert get("AccountTest.test_list_containers")["outcome"] == "passed"
    failed = get("test_list_container_contents")
    assert failed["outcome"] == "failed" and "MismatchError" in failed["reason"]
    renamed = get("test_object_upload_in_segments")
    assert renamed["matched_by"] == "id" and renamed["outcome"] == "passed"
    fixture = get("test_read_object_with_rights")
    assert fixture["outcome"] == "failed" and fixture["matched_by"] == "fixture"
    assert fixture["reason"].startswith("setUpClass: tempest.lib.exceptions.Forbidden")
    skipped = get("test_container_synchronization")
    assert skipped["outcome"] == "skipped" and skipped["reason"].startswith("Container sync is not available")
    missing = get("test_never_ran")
    assert missing["outcome"] == "missing" and missing["reason"] == "needs dynamic credentials"
    assert missing["run_ids"] == []
    assert get("test_create_container_without_id")["matched_by"] == "name"
    assert get("test_create_zone")["matched_by"] == "id+name"
    scenario = get("test_swift_basic_ops")
    assert scenario["matched_by"] == "id+name" and scenario["run_ids"][0].endswith("(plain)")
    alias = get("test_create_object_old_name", "objectstore-object-create")
    assert alias["matched_by"] == "id+name" and alias["outcome"] == "passed"
    assert res.summary["renames"] == [{
        "guideline_name": f"{OBJ}.test_object_services.ObjectTest.test_object_upload_in_segments",
        "idempotent_id": "id-e3e6a64a-9f50-4955-b987-6ce6767c97fb",
        "run_names": [f"{OBJ}.test_object_services.ObjectTest.test_upload_in_segments_renamed"],
    }]


def test_counts_verdict_and_capabilities() -> None:
    res = build([data("tempest-run")])
    s = res.summary
    # 11 entries, 10 distinct tests (one is in two capabilities)
    assert s["counts"] == {"required": 10, "passed": 6, "failed": 2, "skipped": 1, "missing": 1}
    assert s["verdict"] == "FAIL" and res.verdict == "FAIL"
    assert s["partial"] is False
    assert s["failing_capabilities"] == ["objectstore-acl", "objectstore-container-list",
                                         "objectstore-container-sync", "objectstore-object-get"]
    rows = {r["name"]: r for r in s["capabilities"]}
    assert rows["objectstore-object-upload"] == {"name": "objectstore-object-upload", "required": 1, "passed": 1,
                                                 "failed": 0, "skipped": 0, "missing": 0, "verdict": "PASS"}
    assert s["run"] == {"tests": 10, "statuses": {"fail": 2, "skip": 1, "success": 7}, "passed_in_document": 7}
    assert s["cpid"] == CPID and s["cpid_method"] == "catalog"
    assert s["other_failures"] == []


def test_pass_verdict_when_every_required_test_passed() -> None:
    required = [t for t in REQUIRED if t.capability in ("objectstore-account-list", "dns-zones-create",
                                                        "objectstore-dlo-support")]
    res = build([data("tempest-run")], required=required)
    assert res.verdict == "PASS"
    assert res.summary["counts"] == {"required": 3, "passed": 3, "failed": 0, "skipped": 0, "missing": 0}
    # the failure of a test outside the program is still reported
    assert [f["test"] for f in res.summary["other_failures"]] == [
        f"{OBJ}.test_container_services.ContainerTest.test_list_container_contents"
        "[id-ab8c6eb4-9e26-4a4d-9ec8-ea7bf6ddc0e3,smoke]",
        f"setUpClass ({OBJ}.test_container_acl.ObjectTestACLs)",
    ]


def test_no_required_tests_is_not_a_pass() -> None:
    assert build([data("tempest-run")], required=[]).verdict == "FAIL"


def test_several_run_tests_for_one_required_test_count_as_the_worst() -> None:
    import datetime

    v2 = pytest.importorskip("subunit.v2")
    buf = io.BytesIO()
    out = v2.StreamResultToBytes(buf)
    t = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    for variant, status in (("A", "success"), ("AAAA", "fail"), ("MX", "success")):
        test_id = f"designate_tempest_plugin.tests.api.v2.test_recordset.RecordsetsTest.test_create_{variant}[id-d03b69a5]"
        out.status(test_id=test_id, test_status="inprogress", timestamp=t)
        out.status(test_id=test_id, test_status=status, timestamp=t)
    required = [gt("designate_tempest_plugin.tests.api.v2.test_recordset.RecordsetsTest"
                   ".test_create_all_recordset_types", "d03b69a5", "dns-recordsets")]
    res = build([buf.getvalue()], required=required)
    (test,) = res.summary["tests"]
    assert test["matched_by"] == "id" and test["outcome"] == "failed" and len(test["run_ids"]) == 3


def test_missing_reason_by_id_and_default() -> None:
    never = REQUIRED[5]
    res = build([data("tempest-run")], required=[never],
                missing_reasons={"00000000-0000-4000-8000-000000000000": "excluded: bug 123"})
    assert res.summary["tests"][0]["reason"] == "excluded: bug 123"
    res = build([data("tempest-killed")], required=[never], missing_reasons={})
    assert res.summary["tests"][0]["reason"] == "not in the test run (the run was interrupted)"


# ---- attempts, partial results --------------------------------------------------------------


def test_rerun_failed_merges_attempts() -> None:
    first = build([data("tempest-run")])
    res = build([data("tempest-run"), data("tempest-rerun")])
    tests = by_name(res)
    merged = tests[(f"{OBJ}.test_container_services.ContainerTest.test_list_container_contents",
                    "objectstore-container-list")]
    assert merged["outcome"] == "passed"
    assert merged["attempts"] == [{"test": merged["run_ids"][0], "attempts": [
        {"attempt": 1, "status": "fail"}, {"attempt": 2, "status": "success"}]}]
    assert res.summary["counts"]["passed"] == first.summary["counts"]["passed"] + 1
    assert [a["file"] for a in res.summary["attempts"]] == ["results.subunit", "results.attempt-2.subunit"]
    assert res.files["results.subunit"] == data("tempest-run")
    assert res.files["results.attempt-2.subunit"] == data("tempest-rerun")
    doc = json.loads(res.files["refstack-result.json"])
    # the re-run test takes the place it had in the first attempt
    assert doc["results"][2]["name"].endswith("test_list_container_contents")
    assert doc["duration_seconds"] == 6  # 5.79 s + 0.75 s (the span of each attempt), truncated
    assert "attempt 1: fail, attempt 2: success" in res.files["report.html"].decode()


def test_interrupted_run_is_partial_and_rerun_completes_it() -> None:
    required = [gt(f"{OBJ}.test_account_services.AccountTest.test_list_containers",
                   "id-3499406a-ae53-4f8c-b43a-133d4dc6fe3f", "objectstore-account-list"),
                gt(f"{OBJ}.test_object_services.ObjectTest.test_get_object",
                   "id-02610ba7-86b7-4272-9ed8-aa8d417cb3cd", "objectstore-object-get"),
                gt(f"{OBJ}.test_object_services.ObjectTest.test_delete_object",
                   "id-17738d45-03bd-4d45-9e2b-7b9bd43b3f5a", "objectstore-object-delete")]
    killed = build([data("tempest-killed")], required=required)
    assert killed.partial and killed.verdict == "FAIL"
    assert killed.summary["counts"]["missing"] == 2
    assert killed.summary["tests"][1]["reason"] == "started but never finished (the run was interrupted)"
    assert killed.summary["attempts"][0]["unfinished"] == [t.name + "[" + t.idempotent_id + ",smoke]"
                                                           for t in required[1:]]
    assert "Partial result" in killed.files["report.html"].decode()
    assert "PARTIAL" in killed.summary_text
    assert 'name="partial" value="true"' in killed.files["junit.xml"].decode()

    import datetime

    v2 = pytest.importorskip("subunit.v2")
    buf = io.BytesIO()
    out = v2.StreamResultToBytes(buf)
    t = datetime.datetime(2024, 5, 6, 8, tzinfo=datetime.timezone.utc)
    for test in required[1:]:
        test_id = f"{test.name}[{test.idempotent_id},smoke]"
        out.status(test_id=test_id, test_status="inprogress", timestamp=t)
        out.status(test_id=test_id, test_status="success", timestamp=t)
    completed = build([data("tempest-killed"), buf.getvalue()], required=required)
    assert not completed.partial and completed.verdict == "PASS"
    assert completed.summary["attempts"][0]["partial"] is True

    # a test left out of the run on purpose (excluded: its reason given) keeps the completed run
    # missing one test, but not partial; a test missing without a reason keeps it partial
    excluded = gt(f"{OBJ}.test_object_services.ObjectTest.test_copy_object",
                  "id-1a9ab572-1b66-4981-8c21-416e2a5e6011", "objectstore-object-copy")
    reason = {excluded.name: "excluded by refstack_client_exclude"}
    left_out = build([data("tempest-killed"), buf.getvalue()], required=[*required, excluded], missing_reasons=reason)
    assert not left_out.partial and left_out.summary["counts"]["missing"] == 1
    unexplained = build([data("tempest-killed"), buf.getvalue()], required=[*required, excluded], missing_reasons={})
    assert unexplained.partial


def test_truncated_stream_and_runner_flag() -> None:
    res = build([data("tempest-truncated")])
    assert res.partial
    assert "ends inside a packet" in res.summary["attempts"][0]["stream_errors"][0]
    flagged = build([StreamInput(data("tempest-run"), interrupted=True)])
    assert flagged.partial and flagged.summary["attempts"][0]["interrupted"] is True


def test_bad_input_messages() -> None:
    with pytest.raises(R.ResultsError, match="CPID"):
        build_results([data("tempest-run")], REQUIRED, program="object", guideline="2020.06", cpid="")
    with pytest.raises(R.ResultsError, match="At least one subunit stream"):
        build([])
    with pytest.raises(R.ResultsError, match="Attempt 1: expected subunit bytes, got str"):
        build(["not bytes"])


# ---- JUnit, HTML, text ----------------------------------------------------------------------


def test_junit_is_valid_and_complete() -> None:
    res = build([data("tempest-run")])
    root = ET.fromstring(res.files["junit.xml"])
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert int(suite.get("tests")) == len(cases) == 11  # 10 run tests + 1 missing required test
    assert int(suite.get("failures")) == len(suite.findall("testcase/failure")) == 1
    assert int(suite.get("errors")) == len(suite.findall("testcase/error")) == 2
    assert int(suite.get("skipped")) == len(suite.findall("testcase/skipped")) == 1
    failure = suite.find("testcase/failure")
    assert "Objekt-\u00fcber-<b>&amp;</b>" in failure.get("message")
    assert failure.text.startswith("Traceback (most recent call last):")
    skipped = suite.find("testcase/skipped")
    assert skipped.get("message") == 'Container sync is not available: <no container-sync realm> & "quotes"'
    errors = {e.get("type"): e for e in suite.findall("testcase/error")}
    assert errors["missing"].get("message") == "needs dynamic credentials"
    assert errors["fixture"].text.startswith("Traceback")
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props["verdict"] == "FAIL" and props["cpid"] == CPID and props["partial"] == "false"
    first = cases[0]
    assert first.get("classname") == f"{OBJ}.test_account_services.AccountTest"
    assert first.get("name") == "test_list_containers[id-3499406a-ae53-4f8c-b43a-133d4dc6fe3f,smoke]"
    assert first.get("time") == "0.250"
    assert suite.get("timestamp") == "2024-05-06T07:08:09"


def test_junit_survives_control_characters() -> None:
    import datetime

    v2 = pytest.importorskip("subunit.v2")
    buf = io.BytesIO()
    out = v2.StreamResultToBytes(buf)
    t = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    out.status(test_id="a.B.test_x[id-1]", test_status="inprogress", timestamp=t)
    out.status(test_id="a.B.test_x[id-1]", file_name="traceback", eof=True, timestamp=t,
               file_bytes="Traceback\n  File \"x\"\nError: \x1b[31mred\x1b[0m \x00 \ufffe".encode())
    out.status(test_id="a.B.test_x[id-1]", test_status="fail", timestamp=t)
    res = build([buf.getvalue()], required=[])
    failure = ET.fromstring(res.files["junit.xml"]).find("testsuite/testcase/failure")
    assert "red" in failure.text and "\x1b" not in failure.text


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_html_report_is_self_contained_and_escaped() -> None:
    res = build([data("tempest-run")])
    page = res.files["report.html"].decode("utf-8")
    parsed = _Collector()
    parsed.feed(page)
    tags = [tag[0] for tag in parsed.tags]
    # no external assets, no script
    assert "script" not in tags and "link" not in tags and "img" not in tags and "iframe" not in tags
    assert not any("src" in tag[1] or "href" in tag[1] for tag in parsed.tags)
    assert "url(" not in page and "@import" not in page
    # the markup from the traceback and skip reason is text, not elements
    assert "b" not in tags
    text = "".join(parsed.text)
    assert "Objekt-\u00fcber-<b>&amp;</b>" in text
    assert 'Container sync is not available: <no container-sync realm> & "quotes"' in text
    assert ("div", {"id": "verdict", "class": "verdict fail"}) in parsed.tags
    # per-capability table, failures with traceback, missing with reason, timeline per worker
    assert page.count('<tr class="fail"><td>') == 4 and page.count('<tr class="pass"><td>') == 7
    assert "Failures (2)" in page and "tempest.lib.exceptions.Forbidden: Forbidden" in text
    assert "needs dynamic credentials" in text
    assert tags.count("rect") == 10
    assert "worker-0: 5 tests" in text and "worker-1: 5 tests" in text
    assert 'id="partial"' not in page


def test_summary_text_table() -> None:
    text = build([data("tempest-run")]).summary_text
    lines = text.splitlines()
    assert lines[0] == "Program object (guideline 2020.06): FAIL"
    assert lines[1] == "required 10: passed 6, failed 2, skipped 1, missing 1"
    assert lines[2].split() == ["capability", "required", "passed", "failed", "skipped", "missing", "verdict"]
    assert any(line.split() == ["objectstore-acl", "1", "0", "1", "0", "0", "FAIL"] for line in lines)
    assert any(line.startswith("failing capabilities: objectstore-acl, ") for line in lines)
    assert lines[-2] == "renamed since the guideline (matched by idempotent id): 1"
    assert lines[-1] == f"CPID {CPID} (catalog)"


def test_same_input_same_bytes() -> None:
    a, b = build([data("tempest-run")]), build([data("tempest-run")])
    assert a.files == b.files


# ---- against a real guideline ----------------------------------------------------------------


def test_object_program_of_2020_06() -> None:
    guideline = load_guideline("2020.06", program="object")
    required = guideline.tests("object", types=("required",), flag=False)
    assert len({t.name for t in required}) > 40
    import datetime

    v2 = pytest.importorskip("subunit.v2")
    buf = io.BytesIO()
    out = v2.StreamResultToBytes(buf)
    t = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    seen = set()
    for test in required:
        if test.name in seen:
            continue
        seen.add(test.name)
        test_id = f"{test.name}[{test.idempotent_id},smoke]"
        out.status(test_id=test_id, test_status="inprogress", timestamp=t, test_tags={"worker-0"})
        out.status(test_id=test_id, test_status="success", timestamp=t, test_tags={"worker-0"})
    res = build_results([buf.getvalue()], required, program="object", guideline=guideline.name,
                        guideline_source=str(guideline.source), cpid=CPID)
    assert res.verdict == "PASS"
    assert res.summary["counts"]["required"] == len(seen) == res.summary["counts"]["passed"]
    assert len(json.loads(res.files["refstack-result.json"])["results"]) == len(seen)
    # the fixture stream against the real program: a rename by id (dlo test) and a FAIL
    fixture = build_results([data("tempest-run")], required, program="object", guideline=guideline.name, cpid=CPID)
    assert fixture.verdict == "FAIL"
    assert [r["guideline_name"] for r in fixture.summary["renames"]] == [
        f"{OBJ}.test_object_services.ObjectTest.test_object_upload_in_segments"]
    assert fixture.summary["counts"]["missing"] > 30


# ---- writing -------------------------------------------------------------------------------


def test_write_results_atomic_idempotent_check_mode(tmp_path: Path) -> None:
    res = build([data("tempest-run")])
    target = tmp_path / "results" / "object"
    planned = R.write_results(str(target), res.files, check_mode=True)
    assert sorted(planned["changed"]) == sorted(res.files) and not target.exists()
    done = R.write_results(str(target), res.files)
    assert sorted(done["changed"]) == sorted(res.files)
    for name, content in res.files.items():
        assert (target / name).read_bytes() == content
    again = R.write_results(str(target), res.files)
    assert again == {"changed": [], "unchanged": list(res.files), "removed": []}
    # a later result without a second attempt removes the stale attempt file
    (target / "results.attempt-2.subunit").write_bytes(b"old")
    assert R.write_results(str(target), res.files)["removed"] == ["results.attempt-2.subunit"]
    assert sorted(os.listdir(target)) == sorted(res.files)
    with pytest.raises(R.ResultsError, match="Invalid result file name"):
        R.write_results(str(target), {"../x": b""})


def test_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "summary.json"
    path.write_bytes(b"old complete result")

    class Boom(OSError):
        pass

    def failing_fsync(fd: int) -> None:
        raise Boom("disk full")

    monkeypatch.setattr(R.os, "fsync", failing_fsync)
    with pytest.raises(Boom):
        R.atomic_write(str(path), b"new result that never lands" * 1000)
    assert path.read_bytes() == b"old complete result"
    assert os.listdir(tmp_path) == ["summary.json"]  # no temporary file left behind


def test_failure_mid_way_leaves_every_file_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = build([data("tempest-killed")])
    R.write_results(str(tmp_path), old.files)
    new = build([data("tempest-run")])
    real_replace = os.replace
    calls = {"n": 0}

    def replace_then_fail(src: str, dst: str) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("no space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(R.os, "replace", replace_then_fail)
    with pytest.raises(OSError, match="no space"):
        R.write_results(str(tmp_path), new.files)
    monkeypatch.undo()
    for name in new.files:
        content = (tmp_path / name).read_bytes()
        assert content in (old.files[name], new.files[name])  # whole old or whole new, never cut
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]


@pytest.mark.parametrize("ids", [
    [],
    ["a.B.test_only_name"],
    ["a.B.test_x[id-1,smoke]", "a.B.test_y", 'q.R.test_"quoted"\\back[id-\u00e9\u00e8]', "u.V.test_\u00fcnicode(s)"],
])
def test_document_is_json_dumps_indent_4(ids: list[str]) -> None:
    records = [R.RunTest(R.TestRecord(test_id=i, status="success"), 1) for i in ids]
    records.append(R.RunTest(R.TestRecord(test_id="a.B.test_failed[id-9]", status="fail"), 1))
    content = {"cpid": "c\u00e9\"id", "duration_seconds": 12, "results": []}
    for rt in records[:-1]:
        entry = {"name": re.sub(r"\[.*\]", "", rt.test_id)}
        if rt.uuid:
            entry["uuid"] = rt.uuid
        content["results"].append(entry)
    expected = json.dumps(content, indent=4, separators=(",", ": ")).encode("utf-8")
    assert R.refstack_document("c\u00e9\"id", 12, records) == expected


def test_benchmark_script_runs() -> None:
    """benchmarks/results_pipeline.py works (small size here; run it alone for the real numbers)."""
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[4] / "benchmarks" / "results_pipeline.py"
    proc = subprocess.run([sys.executable, str(script), "--tests", "400", "--runs", "1"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "stream -> all artifacts written" in proc.stdout


def test_five_thousand_tests_stay_fast(tmp_path: Path) -> None:
    """Regression guard for issue 5 item 6 (the benchmark measures ~0.15 s; this bound is loose)."""
    import importlib.util
    import sys
    import time

    spec = importlib.util.spec_from_file_location(
        "results_pipeline", Path(__file__).resolve().parents[4] / "benchmarks" / "results_pipeline.py")
    bench = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("results_pipeline", bench)  # dataclasses look their module up there
    spec.loader.exec_module(bench)
    stream, required = bench.make_stream(5000, 4)
    start = time.perf_counter()
    built = bench.pipeline(stream, required, str(tmp_path))
    elapsed = time.perf_counter() - start
    assert built.summary["run"]["tests"] == 5000
    assert elapsed < 3.0, f"5,000-test stream -> all artifacts took {elapsed:.2f} s"


def test_not_passed_tests_are_explained_by_missing_services() -> None:
    # the fixture's skipped required test says "Cinder is not available" neither way: give the
    # reason through a missing test instead, and check both the summary and the text table
    required = REQUIRED[:6]
    reasons = {f"{OBJ}.test_object_services.ObjectTest.test_never_ran": "Nova is not available"}
    res = build([data("tempest-run")], required=required, missing_reasons=reasons, available_services=["swift"])
    explained = {e["name"]: e for e in res.summary["explanations"]}
    assert explained[f"{OBJ}.test_object_services.ObjectTest.test_never_ran"] == {
        "name": f"{OBJ}.test_object_services.ObjectTest.test_never_ran", "outcome": "missing",
        "explanation": 'needs compute (Nova) (Tempest: "Nova is not available"), which this cloud does not offer'}
    assert all(e["outcome"] != "passed" for e in res.summary["explanations"])
    assert "not passed, 1 test: needs compute (Nova)" in res.summary_text
    assert b'id="explanations"' in res.files["report.html"]
    # with Nova offered, the same test is only described, never counted differently
    again = build([data("tempest-run")], required=required, missing_reasons=reasons, available_services=["nova"])
    assert again.summary["counts"] == res.summary["counts"]
