# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The guideline consistency check (module_utils/guideline_check.py) against the recorded
listing of Tempest 47 + plugins (tests/unit/fixtures/tempest)."""

from __future__ import annotations

import copy
import functools
from pathlib import Path

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils import guideline_check as gc
from ansible_collections.openinfra.interop.plugins.module_utils.guideline import (
    Guideline,
    bundled_versions,
    load_guideline,
)
from ansible_collections.openinfra.interop.plugins.module_utils.tempest_tests import Listing, read_listing

LISTING_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "tempest" / "tempest-47-plugins.list-tests.txt.gz"
OBJ = "tempest.api.object_storage"
LIST_CONTAINERS = f"{OBJ}.test_account_services.AccountTest.test_list_containers"


@functools.lru_cache(maxsize=1)
def listing() -> Listing:
    return read_listing(str(LISTING_FILE))


def candidate(change) -> Guideline:
    """A candidate guideline: next.json with one change, under a name of its own."""
    data = copy.deepcopy(load_guideline("next").data)
    change(data)
    return Guideline(data, "2026.11", "candidate.json")


def kinds(report: gc.CheckReport, severity: str = gc.ERROR) -> list[tuple[str, str]]:
    return sorted((f.kind, f.test or f.capability) for f in report.findings if f.severity == severity)


@pytest.mark.parametrize("name", bundled_versions())
def test_every_bundled_guideline_passes_with_its_known_drift(name: str) -> None:
    report = gc.check_guideline(load_guideline(name), listing())
    assert report.passed, report.text()


def test_without_the_known_drift_2020_06_shows_its_rename_and_its_missing_test() -> None:
    report = gc.check_guideline(load_guideline("2020.06"), listing(), drift=set())
    assert not report.passed
    errors = kinds(report)
    assert [kind for kind, _test in errors] == ["missing", "renamed"], errors
    renamed = next(f for f in report.findings if f.kind == "renamed")
    # moved to the admin class too: both candidates are named
    assert "test_update_router_unset_gateway" in renamed.detail and "(ambiguous)" in renamed.message


def test_candidate_with_a_missing_test() -> None:
    def add(data):
        tests = data["capabilities"]["objectstore-account-list"]["tests"]
        tests[f"{OBJ}.test_account_services.AccountTest.test_no_such_test"] = {
            "idempotent_id": "id-00000000-0000-4000-8000-00000000abcd"}
    report = gc.check_guideline(candidate(add), listing())
    # the known drift of "next" is not the candidate's: it is reported again, with the new test
    assert ("missing", f"{OBJ}.test_account_services.AccountTest.test_no_such_test") in kinds(report)
    missing = [f for f in report.findings if f.test.endswith("test_no_such_test")]
    assert "id-00000000-0000-4000-8000-00000000abcd" in missing[0].message
    assert "objectstore-account-list" in missing[0].capability


def test_candidate_with_a_renamed_test_names_the_likely_rename() -> None:
    def rename(data):
        tests = data["capabilities"]["objectstore-account-list"]["tests"]
        tests[LIST_CONTAINERS + "_old_name"] = tests.pop(LIST_CONTAINERS)
    report = gc.check_guideline(candidate(rename), listing())
    found = [f for f in report.findings if f.kind == "renamed" and f.test == LIST_CONTAINERS + "_old_name"]
    assert len(found) == 1 and found[0].severity == gc.ERROR
    assert found[0].detail == LIST_CONTAINERS and "(likely rename)" in found[0].message


def test_candidate_with_a_schema_error() -> None:
    report = gc.check_guideline(candidate(lambda data: data.pop("designated_sections")), listing())
    schema = [f for f in report.findings if f.kind == "schema"]
    assert len(schema) == 1 and schema[0].severity == gc.ERROR
    assert "'designated_sections' is a required property" in schema[0].message
    assert report.schema_file.endswith("schema/2.0.json")


def test_duplicate_ids_flags_without_reason_empty_capabilities_and_alias_conflicts() -> None:
    def spoil(data):
        caps = data["capabilities"]
        account = caps["objectstore-account-list"]["tests"]
        ident = account[LIST_CONTAINERS]["idempotent_id"]
        caps["objectstore-container-list"]["tests"][f"{OBJ}.test_other.Other.test_same_id"] = {"idempotent_id": ident}
        account[LIST_CONTAINERS]["flagged"] = {"action": "flag", "date": "2026-11-30"}
        account[LIST_CONTAINERS]["aliases"] = [LIST_CONTAINERS]
        caps["objectstore-info-request"]["tests"] = {}
    errors = kinds(gc.check_guideline(candidate(spoil), listing()))
    assert ("duplicate_id", LIST_CONTAINERS) in errors
    assert ("flag_without_reason", LIST_CONTAINERS) in errors
    assert ("alias_conflict", LIST_CONTAINERS) in errors
    assert ("empty_capability", "objectstore-info-request") in errors


def test_removed_capabilities_and_undefined_capabilities_are_warnings() -> None:
    report = gc.check_guideline(load_guideline("next"), listing())
    warnings = kinds(report, gc.WARNING)
    assert ("undefined_capability", "volumes-v2-reserve") in warnings
    assert all(kind == "undefined_capability" for kind, _name in warnings)


def test_schema_1_2_has_no_schema_file_and_next_2_0_is_not_a_schema() -> None:
    assert gc.schema_file_for("1.2") is None
    assert gc.schema_file_for("next.2.0") is None
    assert gc.schema_file_for("1.6") is not None


def test_drift_entries_record_what_the_known_list_needs(tmp_path: Path) -> None:
    report = gc.check_guideline(load_guideline("dns.2020.06"), listing(), drift=set())
    entries = gc.drift_entries([report])
    assert {e["kind"] for e in entries} == {"renamed"} and len(entries) == 2
    assert all(e["guidelines"] == ["dns.2020.06"] for e in entries)
    path = tmp_path / "drift.json"
    path.write_text(__import__("json").dumps({"drift": entries}), encoding="utf-8")
    assert gc.check_guideline(load_guideline("dns.2020.06"), listing(), drift=gc.known_drift(path)).passed


def test_bad_known_drift_file(tmp_path: Path) -> None:
    path = tmp_path / "drift.json"
    path.write_text('{"drift": {}}', encoding="utf-8")
    with pytest.raises(Exception, match="must be an object with a list 'drift'"):
        gc.known_drift(path)


def test_the_broken_reference_of_the_upstream_1_6_schema_is_a_finding_not_a_traceback() -> None:
    # 1.6.json points capabilities matching ^\w+$ at '#/definitions/capabilty' (sic); bundled
    # capability names have dashes and never reach it, a name without one does
    data = copy.deepcopy(load_guideline("2016.08").data)
    data["capabilities"]["objectstore_renamed"] = data["capabilities"].pop("objectstore-object-create")
    messages = gc.schema_errors(data, gc.schema_file_for("1.6"))
    assert len(messages) == 1 and messages[0].startswith("the schema 1.6.json cannot be applied: ")
    assert "capabilty" in messages[0]
