# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""openinfra.interop.guideline_info through a real ansible-playbook run on localhost."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any, Callable

from ansible_collections.openinfra.interop.plugins.module_utils.guideline import load_guideline


def task(name: str, **args: Any) -> dict[str, Any]:
    return {"name": name, "openinfra.interop.guideline_info": args, "ignore_errors": True}


def test_info_and_dest(ansible_tasks: Callable[..., Any], tmp_path: Path) -> None:
    dest = tmp_path / "list.txt"
    must_pass = load_guideline("dns.2020.06").test_list("dns", ["required"], alias=True, flag=False)
    results = ansible_tasks([
        task("no program"),
        task("storage", guideline="2020.06", program="storage"),
        task("dns in check mode", guideline="2020.06", program="dns", dest=str(dest)) | {"check_mode": True},
        task("dns", guideline="2020.06", program="dns", dest=str(dest), mode="0640"),
        task("dns again", guideline="2020.06", program="dns", dest=str(dest), mode="0640"),
        task("all statuses, flagged", guideline="2018.02", program="compute", type=[], flag=True),
    ]).by_name()
    info = results["no program"]
    assert not info.get("failed") and not info["changed"]
    assert info["guideline"]["name"] == "2020.06" and info["guideline"]["schema"] == "2.0"
    assert list(info["programs"]) == ["platform", "compute", "object"]
    assert "test_list" not in info
    storage = results["storage"]
    assert storage["program"] == "object" and storage["test_count"] == 61
    assert storage["components"] == ["os_powered_storage"]
    assert storage["test_list"] == load_guideline("2020.06").test_list("object", ["required"], True, False)
    assert len(storage["tests"]) == len(load_guideline("2020.06").tests("object"))
    assert storage["tests"][0]["idempotent_id"].startswith("id-")
    # check mode was predicted as a change and wrote nothing; then a real write, then no change
    assert results["dns in check mode"]["changed"] is True
    written = results["dns"]
    assert written["changed"] is True and written["guideline"]["name"] == "dns.2020.06"
    assert written["dest"] == str(dest) and written["test_count"] == 10
    assert dest.read_bytes() == must_pass.encode("utf-8") and not must_pass.endswith("\n")
    assert oct(dest.stat().st_mode & 0o777) == "0o640"
    assert results["dns again"]["changed"] is False
    assert results["all statuses, flagged"]["test_list"] == load_guideline("2018.02").test_list("compute")


def test_check_mode_does_not_write_and_diff(ansible_tasks: Callable[..., Any], tmp_path: Path) -> None:
    dest = tmp_path / "list.txt"
    dest.write_text("old", encoding="utf-8")
    results = ansible_tasks([
        task("object", program="object", dest=str(dest)),
    ], "--check", "--diff").by_name()
    res = results["object"]
    assert res["changed"] is True and dest.read_text(encoding="utf-8") == "old"
    diff = res["diff"][0] if isinstance(res["diff"], list) else res["diff"]
    assert diff["before"] == "old" and diff["after"].startswith("tempest.api.")


def _bad_input_results(ansible_tasks: Callable[..., Any], tmp_path: Path, port: int) -> dict[str, Any]:
    return ansible_tasks([
        task("unknown program", program="bogus"),
        task("unknown version", guideline="2099.01"),
        task("unknown type", program="compute", type=["mandatory"]),
        task("dest without program", dest=str(tmp_path / "x")),
        task("missing add-on", guideline="2015.03", program="dns"),
        task("unfetchable url", guideline="http://127.0.0.1:%d/none.json" % port,
             cache_dir=str(tmp_path / "c"), timeout=5),
        task("bad option", program="compute", flags=True),
    ]).by_name()


def test_bad_input_fails_cleanly(ansible_tasks: Callable[..., Any], tmp_path: Path) -> None:
    # a port bound but never listening: connections are refused, and nobody else can take it
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    try:
        results = _bad_input_results(ansible_tasks, tmp_path, closed.getsockname()[1])
    finally:
        closed.close()
    for name, res in results.items():
        assert res.get("failed") is True, name
        # ansible-core 2.19 marks failures without exception as "(traceback unavailable)"
        assert res.get("exception", "(traceback unavailable)") == "(traceback unavailable)", name
        assert "Traceback" not in res["msg"], name
    assert results["unknown program"]["msg"].startswith(
        "unknown program 'bogus' for guideline 2020.06; it offers: platform, compute, object")
    assert "bundled: 2015.03" in results["unknown version"]["msg"]
    assert "required, advisory, deprecated, removed" in results["unknown type"]["msg"]
    assert results["dest without program"]["msg"].startswith("dest needs program")
    assert "bundled dns guidelines: dns.2018.02" in results["missing add-on"]["msg"]
    assert "no cached copy" in results["unfetchable url"]["msg"]
    assert "flags" in results["bad option"]["msg"]
