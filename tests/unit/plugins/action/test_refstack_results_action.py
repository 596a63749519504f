# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""openinfra.interop.refstack_results through real ansible-playbook runs on localhost."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest

ROOT = Path(__file__).resolve().parents[4]
FIXTURES = ROOT / "tests" / "unit" / "fixtures" / "subunit"
FILES = ["junit.xml", "refstack-result.json", "report.html", "results.subunit", "summary.json"]


def task(name: str, **args: Any) -> dict[str, Any]:
    return {"name": name, "openinfra.interop.refstack_results": args, "ignore_errors": True}


def test_collect_object_results(ansible_tasks: Callable[..., Any], tmp_path: Path) -> None:
    runner = tmp_path / "runner"
    runner.mkdir()
    for name in ("tempest-run", "tempest-rerun", "tempest-truncated"):
        shutil.copy(FIXTURES / f"{name}.subunit", runner / f"{name}.subunit")
    (runner / "tempest.log").write_text("2024-05-06 07:08:09 INFO tempest [-] run\n")
    # (the whole table of bad streams is in test_results_store.py; this one proves the wiring)
    (runner / "random.subunit").write_bytes(random.Random(19).randbytes(4096))
    results = tmp_path / "results"
    common = {"program": "storage", "guideline": "2020.06", "cpid": "d7f792d1c38e4caaa15f01da1fadab2a",
              "cpid_method": "catalog", "results_dir": str(results), "cloud": "cloud-a",
              "missing_reasons": {"tempest.api.object_storage.test_account_quotas.AccountQuotasTest"
                                  ".test_upload_valid_object": "needs a reseller admin"},
              "metadata": {"tempest": "47.0.0"}}
    run = dict(common, src=str(runner / "tempest-run.subunit"), tempest_log=str(runner / "tempest.log"))
    reg = ansible_tasks([
        task("check mode", **run) | {"check_mode": True},
        task("first", **run),
        task("again", **run),
        task("random bytes", **{**common, "src": str(runner / "random.subunit"), "interrupted": True}),
        task("truncated", **{**common, "src": str(runner / "tempest-truncated.subunit")}),
        task("other cloud", **run | {"cloud": "cloud-b"}),
        task("with a second attempt", **run, rerun_src=str(runner / "tempest-rerun.subunit")),
        task("second attempt again", **run, rerun_src=str(runner / "tempest-rerun.subunit")),
        task("back to one attempt", **run),
        task("query", **common, state="query"),
        task("query other cloud", **common | {"state": "query", "cloud": "cloud-b"}),
        task("present without src", **common),
        task("missing stream", **{**common, "src": str(runner / "nope.subunit")}),
        task("missing stream ok", **{**common, "src": str(runner / "nope.subunit"), "missing_ok": True,
                                     "results_dir": str(tmp_path / "empty")}),
        task("no cpid, auth url", **{**common, "src": str(runner / "tempest-run.subunit"), "cpid": None,
                                     "auth_url": "https://keystone.example.com:5000/v3",
                                     "results_dir": str(tmp_path / "hashed")}),
        task("no cpid at all", **{**common, "src": str(runner / "tempest-run.subunit"), "cpid": None}),
        task("bad program", **{**common, "src": str(runner / "tempest-run.subunit"), "program": "nosuch"}),
        task("bad guideline", **{**common, "src": str(runner / "tempest-run.subunit"), "guideline": "1999.01"}),
    ]).by_name()
    check = reg["check mode"]
    assert check["changed"] is True and check["verdict"] == "FAIL"
    assert sorted(check["files"]["changed"]) == sorted(FILES + ["tempest.log", "scoring.json"])
    first = reg["first"]
    assert first["changed"] is True, first
    assert first["program"] == "object" and first["verdict"] == "FAIL" and first["partial"] is False
    assert first["results_dir"] == str(results / "object") and first["placement"] == "current"
    assert first["cloud"] == "cloud-a" and first["previous_dir"] is None
    assert first["counts"]["required"] > 40
    # test_list_container_contents, and the ObjectTestACLs tests whose setUpClass failed
    assert first["counts"]["failed"] == 3
    assert first["renames"][0]["run_names"] == [
        "tempest.api.object_storage.test_object_services.ObjectTest.test_upload_in_segments_renamed"]
    assert first["summary_lines"][0] == "Program object (guideline 2020.06): FAIL"
    assert first["paths"]["subunit"] == [str(results / "object" / "results.subunit")]
    assert reg["again"]["changed"] is False
    garbage = reg["random bytes"]
    assert garbage["failed"] is True and garbage["msg"].startswith(
        f"not a subunit v2 stream: {runner / 'random.subunit'}"), garbage
    truncated = reg["truncated"]
    assert truncated["partial"] is True and truncated["placement"] == "beside", truncated
    assert truncated["results_dir"].startswith(str(results / "object" / "partial-"))
    assert "kept beside the complete result" in truncated["msg"]
    other = reg["other cloud"]
    assert other["failed"] is True and "cloud cloud-a" in other["msg"] and "cloud cloud-b" in other["msg"]
    second = reg["with a second attempt"]
    assert second["changed"] is True and second["counts"]["failed"] == 2
    assert second["paths"]["subunit"][1].endswith("results.attempt-2.subunit")
    # the first result is kept whole beside the new one
    kept = Path(second["previous_dir"])
    assert kept.parent == results / "object" and kept.name.startswith("previous-")
    assert (kept / "results.subunit").read_bytes() == (FIXTURES / "tempest-run.subunit").read_bytes()
    assert (kept / "refstack-result.json").read_bytes() == (FIXTURES / "tempest-run.refstack-result.json").read_bytes()
    assert reg["second attempt again"]["changed"] is False
    back = reg["back to one attempt"]
    assert back["changed"] is True and back["files"]["removed"] == ["results.attempt-2.subunit"]
    assert (Path(back["previous_dir"]) / "results.attempt-2.subunit").is_file()
    current = sorted(n for n in os.listdir(results / "object") if (results / "object" / n).is_file())
    assert current == sorted(FILES + ["tempest.log", "scoring.json"])
    # what the current verdict was scored from: the guideline and the stream, by digest
    scoring = json.loads((results / "object" / "scoring.json").read_text())
    assert (scoring["program"], scoring["guideline"]) == ("object", "2020.06") and scoring["scored_at"].endswith("Z")
    assert scoring["streams"] == [{"source": str(runner / "tempest-run.subunit"), "sha256": hashlib.sha256(
        (FIXTURES / "tempest-run.subunit").read_bytes()).hexdigest()}]
    assert (results / "object" / "results.subunit").read_bytes() == (FIXTURES / "tempest-run.subunit").read_bytes()
    summary = json.loads((results / "object" / "summary.json").read_text())
    assert summary["metadata"] == {"tempest": "47.0.0"} and summary["guideline"] == "2020.06"
    assert summary["cloud"] == "cloud-a"
    quota = next(t for t in summary["tests"] if t["name"].endswith("AccountQuotasTest.test_upload_valid_object"))
    assert quota["outcome"] == "missing" and quota["reason"] == "needs a reseller admin"
    acl = [t for t in summary["tests"] if ".ObjectTestACLs." in t["name"]]
    assert acl and all(t["outcome"] == "failed" and t["matched_by"] == "fixture" for t in acl)
    query = reg["query"]
    assert query["reusable"] is True and query["changed"] is False and query["results_dir"] == str(results / "object")
    assert query["previous"]["verdict"] == "FAIL" and query["previous"]["cloud"] == "cloud-a"
    assert query["previous"]["counts"] == summary["counts"]
    assert reg["query other cloud"]["failed"] is True
    assert reg["query other cloud"]["msg"].startswith(f"{results} already holds the object result of cloud cloud-a")
    assert reg["present without src"]["failed"] is True and "src" in reg["present without src"]["msg"]
    missing = reg["missing stream"]
    assert missing["failed"] is True and missing["msg"].endswith("nope.subunit does not exist on the runner host")
    nothing = reg["missing stream ok"]
    assert nothing.get("failed") is not True and nothing["collected"] is False and "verdict" not in nothing
    assert nothing["msg"].endswith("(the run did not happen)") and not (tmp_path / "empty").exists()
    hashed = reg["no cpid, auth url"]
    assert hashed["cpid_method"] == "hostname-hash"
    assert hashed["cpid"] == "b33dc8a37c8607c6a7612f6296139578"  # md5 of keystone.example.com
    assert reg["no cpid at all"]["failed"] is True
    assert "cpid, auth_url" in reg["no cpid at all"]["msg"]
    assert reg["bad program"]["failed"] is True and "nosuch" in reg["bad program"]["msg"]
    assert reg["bad guideline"]["failed"] is True and "1999.01" in reg["bad guideline"]["msg"]


def test_privilege_escalation_uses_slurp(ansible_tasks: Callable[..., Any], tmp_path: Path) -> None:
    """With become, the streams are read through the slurp module (as fetch does)."""
    if shutil.which("su") is None:
        pytest.skip("su is not installed")
    if os.geteuid() != 0:
        pytest.skip("becoming root with su needs a password when not root")
    src = tmp_path / "run.subunit"
    shutil.copy(FIXTURES / "tempest-run.subunit", src)
    src.chmod(0o600)
    reg = ansible_tasks([
        task("become", src=str(src), program="object", guideline="2020.06", cpid="x" * 32,
             results_dir=str(tmp_path / "results")) | {"become": True, "become_method": "su"},
    ]).by_name()
    result = reg["become"]
    assert result.get("failed") is not True, result
    assert (tmp_path / "results" / "object" / "results.subunit").read_bytes() == src.read_bytes()
