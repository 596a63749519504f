"""SIGTERM/SIGINT to a real ansible-playbook while tempest_run polls a (stand-in) Tempest: the
run stops, the play goes on into rescue/always, and the next run continues the interrupted one.

The stand-in ``tempest`` writes a real subunit v2 stream (python-subunit) for the tests its
include list selects; after the fourth test it waits (a long test) until the ``gate`` file
exists, so the first run is always cut short, whatever the machine's load.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils import tempest_job as tj
from ansible_collections.openinfra.interop.plugins.module_utils.tempest_tests import (
    build_include_lines,
    include_file_text,
    parse_test_id,
)

TESTS = ["tempest.api.object_storage.test_x.XTest.test_%02d[id-%02d]" % (n, n) for n in range(10)]

FAKE_TEMPEST = r"""#!{python}
import datetime, os, re, sys, time
from subunit.v2 import StreamResultToBytes
args = sys.argv[1:]
include = args[args.index("--include-list") + 1]
patterns = [re.compile(l.split("#", 1)[0].strip()) for l in open(include) if l.split("#", 1)[0].strip()]
out = StreamResultToBytes(sys.stdout.buffer)
now = lambda: datetime.datetime.now(datetime.timezone.utc)
selected = [t for t in {tests!r} if any(p.search(t) for p in patterns)]
for index, test in enumerate(selected):
    out.status(test_id=test, test_status="inprogress", timestamp=now())
    sys.stdout.buffer.flush()
    time.sleep(0.1)
    while index >= 4 and not os.path.exists({gate!r}):
        time.sleep(0.1)
    out.status(test_id=test, test_status="success", timestamp=now())
    sys.stdout.buffer.flush()
"""


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    (ws / "etc").mkdir(parents=True)
    (ws / ".stestr.conf").write_text("[DEFAULT]\ntest_path=.\n")
    (ws / "etc" / "tempest.conf").write_text("[auth]\nuse_dynamic_credentials = true\n")
    tempest = tmp_path / "venv" / "bin" / "tempest"
    tempest.parent.mkdir(parents=True)
    tempest.write_text(FAKE_TEMPEST.format(python=sys.executable, tests=TESTS, gate=str(tmp_path / "gate")))
    tempest.chmod(0o755)
    lines = build_include_lines(p for p in map(parse_test_id, TESTS) if p is not None)
    (ws / "include-list.txt").write_text(include_file_text(lines))
    return ws


def _playbook(tmp_path: Path, ws: Path) -> Path:
    run = {
        "openinfra.interop.tempest_run": {
            "workspace": str(ws), "venv": str(tmp_path / "venv"), "include_file": str(ws / "include-list.txt"),
            "tests": TESTS, "label": "object", "run_dir": str(ws / "interop" / "object"),
            "concurrency": "1", "poll_interval": 0.5,
        },
        "register": "run",
    }
    always = {"ansible.builtin.copy": {"content": "{{ run | to_json }}", "dest": str(tmp_path / "run.json")}}
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": [{
        "block": [dict(run, name="tempest")],
        "always": [always],
    }]}]
    book = tmp_path / "play.yml"
    book.write_text(json.dumps(play))
    return book


def _start(collections_path: str, tmp_path: Path, book: Path) -> subprocess.Popen:
    (tmp_path / "run.json").unlink(missing_ok=True)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"), ANSIBLE_RETRY_FILES_ENABLED="0")
    cmd = [sys.executable, "-m", "ansible.cli.playbook", "-i", "localhost,", "-c", "local",
           "-e", json.dumps({"ansible_python_interpreter": sys.executable}), str(book)]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_done(run_dir: Path, done: int, proc: subprocess.Popen) -> None:
    end = time.monotonic() + 60
    while time.monotonic() < end and proc.poll() is None:
        try:
            if tj.status(str(run_dir)).get("counts", {}).get("done", 0) >= done:
                return
        except tj.TempestJobError:
            pass
        time.sleep(0.1)
    raise AssertionError("the run never reached %d tests: %s" % (done, proc.communicate(timeout=60)))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_interrupted_run_is_collected_then_continued(signum: int, tmp_path: Path, workspace: Path,
                                                     collections_path: str) -> None:
    book = _playbook(tmp_path, workspace)
    first_dir = workspace / "interop" / "object" / "attempt-1"
    proc = _start(collections_path, tmp_path, book)
    _wait_done(first_dir, 3, proc)
    proc.send_signal(signum)  # to ansible-playbook's main process only, like kill or a CI timeout
    out, err = proc.communicate(timeout=120)
    name = signal.Signals(signum).name
    assert proc.returncode == 2, (proc.returncode, out, err)  # the task failed, the play was not killed
    assert "%s received: stopping the Tempest run" % name in err
    run: dict[str, Any] = json.loads((tmp_path / "run.json").read_text())  # `always` ran
    assert run["failed"] and run["interrupted_by"] == name and run["partial"]
    assert "interrupted by %s: " % name in out and "the partial result is collected" in out
    first = tj.status(str(first_dir))
    assert first["state"] == "finished" and first["reason"] == "stopped" and first["partial"]
    assert not tj.group_alive(first["pgid"])
    settled = [t for t, s in first["results"].items() if s == "success"]
    assert 3 <= len(settled) <= 4
    if signum == signal.SIGINT:
        return  # the same resume as after SIGTERM

    (tmp_path / "gate").touch()
    proc = _start(collections_path, tmp_path, book)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, (out, err)
    run = json.loads((tmp_path / "run.json").read_text())
    assert run["resumed"] and not run["partial"] and run["not_passed"] == []
    second = tj.status(str(workspace / "interop" / "object" / "attempt-2"))
    assert sorted(second["results"]) == sorted(set(TESTS) - set(settled))  # only the rest ran
    assert run["stream"] == str(first_dir / "results.subunit")


def test_killed_controller_stops_its_run(tmp_path: Path, workspace: Path, collections_path: str) -> None:
    """SIGKILL of ansible-playbook leaves its worker behind, which would keep the run's heartbeat
    alive to the end: the worker notices its parent is gone and stops the run."""
    book = _playbook(tmp_path, workspace)
    first_dir = workspace / "interop" / "object" / "attempt-1"
    proc = _start(collections_path, tmp_path, book)
    _wait_done(first_dir, 2, proc)
    proc.kill()
    proc.communicate(timeout=30)
    end = time.monotonic() + 30
    while tj.status(str(first_dir))["state"] == "running" and time.monotonic() < end:
        time.sleep(0.4)
    first = tj.status(str(first_dir))
    assert first["state"] == "finished" and first["reason"] == "stopped" and first["partial"], first
    assert not tj.group_alive(first["pgid"])
    assert first["counts"]["done"] < len(TESTS)
