# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""guideline_check, guideline_census and results_compare through one real ansible-playbook run."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any, Callable

from ansible_collections.openinfra.interop.plugins.module_utils.guideline import load_guideline
from ansible_collections.openinfra.interop.plugins.module_utils.results import write_results

UNIT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(UNIT / "plugins" / "module_utils"))
from test_results import REQUIRED, build, data  # noqa: E402  (recorded streams, shared with test_results)

LISTING = UNIT / "fixtures" / "tempest" / "tempest-47-plugins.list-tests.txt.gz"
LIST_CONTAINERS = "tempest.api.object_storage.test_account_services.AccountTest.test_list_containers"


def task(name: str, action: str, **args: Any) -> dict[str, Any]:
    return {"name": name, f"openinfra.interop.{action}": args, "ignore_errors": True}


def test_standards_actions(ansible_tasks: Callable[..., Any], tmp_path: Path) -> None:
    renamed = copy.deepcopy(load_guideline("next").data)
    tests = renamed["capabilities"]["objectstore-account-list"]["tests"]
    tests[LIST_CONTAINERS + "_old"] = tests.pop(LIST_CONTAINERS)
    (tmp_path / "renamed.json").write_text(json.dumps(renamed), encoding="utf-8")
    for name, attempts in (("monday", [data("tempest-run"), data("tempest-rerun")]), ("tuesday", [data("tempest-run")])):
        write_results(str(tmp_path / name / "object"), build(attempts, required=REQUIRED).files)
    reports = tmp_path / "reports"
    results = ansible_tasks([
        task("bundled", "guideline_check", listing_file=str(LISTING), guidelines=["next", "dns.next"], dest=str(reports)),
        task("bundled again", "guideline_check", listing_file=str(LISTING), guidelines=["next", "dns.next"], dest=str(reports)),
        task("renamed", "guideline_check", listing_file=str(LISTING), guidelines=[str(tmp_path / "renamed.json")]),
        task("no listing", "guideline_check", listing_file=str(tmp_path / "none.txt")),
        task("census", "guideline_census", listing_file=str(LISTING), programs=["object"], guidelines=["2020.06"],
             dest=str(tmp_path / "census"), candidate_base="next", candidate_program="storage", candidate_limit=2),
        task("census bad program", "guideline_census", listing_file=str(LISTING), programs=["nope"], dest=str(tmp_path)),
        task("compare", "results_compare", results_dirs=[str(tmp_path / "monday"), str(tmp_path / "tuesday")],
             dest=str(tmp_path / "comparison"), fail_on_regression=True),
        task("compare one", "results_compare", results_dirs=[str(tmp_path / "monday")], dest=str(tmp_path / "c")),
    ]).by_name()
    bundled = results["bundled"]
    assert not bundled.get("failed") and bundled["passed"] and bundled["changed"]
    assert results["bundled again"]["changed"] is False
    assert json.loads((reports / "guideline-check.json").read_text())["passed"] is True
    assert (reports / "guideline-check.txt").read_text().startswith("PASS next: ")
    renamed_result = results["renamed"]
    assert renamed_result["failed"] and renamed_result["failing"] == ["renamed"]
    assert any(line.strip().startswith("error   renamed") and LIST_CONTAINERS + "_old" in line
               for line in renamed_result["report_lines"])
    assert results["no listing"]["msg"].startswith("listing_file: cannot read ")
    census = results["census"]
    assert census["counts"] == {"object-store": 92, "identity": 130} and census["changed"]
    assert json.loads((tmp_path / "census" / "candidate-guideline.json").read_text())["metadata"]["id"] == "next-candidates"
    assert results["census bad program"]["msg"].startswith("programs: Unknown program 'nope'")
    compare = results["compare"]
    assert compare["failed"] and compare["msg"].startswith("1 regressions: ")
    assert (tmp_path / "comparison" / "comparison.html").is_file()
    assert results["compare one"]["msg"] == "results_dirs: give two or more results directories to compare, got 1"
