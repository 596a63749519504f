# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""sandbox_process with real detached processes on 127.0.0.1 (a small HTTP server, a forking
server, a server that dies while starting). Every process is stopped by PID, also on failure."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("oii_unit_conftest", ROOT / "tests" / "unit" / "conftest.py")
assert _spec and _spec.loader
_spec.loader.exec_module(importlib.util.module_from_spec(_spec))

from ansible_collections.openinfra.interop.plugins.module_utils import sandbox_process as sp  # noqa: E402

FORKING_SERVER = """
import http.server, os, sys, time
pid = os.fork()
if pid == 0:          # a worker, like gunicorn's: same session, sleeps until killed
    time.sleep(600)
    sys.exit(0)
http.server.test(HandlerClass=http.server.SimpleHTTPRequestHandler, port=int(sys.argv[1]),
                 bind="127.0.0.1")
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def started(tmp_path: Path) -> Iterator[list[str]]:
    """PID files of the processes a test starts; whatever is still running is stopped after."""
    pidfiles: list[str] = []
    yield pidfiles
    for pidfile in pidfiles:
        tracked = sp.read_tracked(pidfile)
        if tracked.running and tracked.pid:
            sp.stop_pid(tracked.pid, tracked.record.get("start_time"), 5)


def http_spec(tmp_path: Path, name: str = "web", port: int | None = None, **kw: object) -> sp.Spec:
    port = port or free_port()
    return sp.Spec(name=name, pidfile=str(tmp_path / "run" / f"{name}.pid"),
                   command=[sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)],
                   log_file=str(tmp_path / "log" / f"{name}.log"), chdir=str(tmp_path),
                   port=port, url=f"http://127.0.0.1:{port}/", timeout=30, **kw)  # type: ignore[arg-type]


def test_start_records_and_leaves_a_running_process_alone(tmp_path: Path, started: list[str]) -> None:
    spec = http_spec(tmp_path)
    started.append(spec.pidfile)
    first = sp.ensure(spec, "started")
    assert (first.changed, first.action) == (True, "started")
    assert Path(spec.pidfile).read_text().strip() == str(first.pid)
    record = json.loads(Path(sp.record_path(spec.pidfile)).read_text())
    assert record["start_time"] == sp.proc_start_time(first.pid)
    assert record["command"] == spec.command
    assert os.getsid(first.pid) == first.pid  # its own session, detached from us
    assert sp.url_ready(spec.url)

    again = sp.ensure(spec, "started")
    assert (again.changed, again.action, again.pid) == (False, "running", first.pid)

    status = sp.status("web", spec.pidfile)
    assert status.running and status.rss_bytes > 0 and status.session_pids == [first.pid]

    restarted = sp.ensure(spec, "restarted")
    assert restarted.changed and restarted.pid != first.pid and not sp.is_alive(first.pid)

    stopped = sp.ensure(spec, "stopped")
    assert (stopped.changed, stopped.action) == (True, "stopped")
    assert not sp.is_alive(restarted.pid)
    assert not Path(spec.pidfile).exists()
    assert sp.ensure(spec, "stopped").changed is False


def test_a_changed_command_line_restarts_the_process(tmp_path: Path, started: list[str]) -> None:
    spec = http_spec(tmp_path)
    started.append(spec.pidfile)
    first = sp.ensure(spec, "started")
    spec.command = spec.command + ["--directory", str(tmp_path)]
    second = sp.ensure(spec, "started")
    assert (second.changed, second.action) == (True, "restarted") and second.pid != first.pid
    sp.ensure(spec, "stopped")


def test_stop_takes_the_forked_workers_of_the_session_too(tmp_path: Path, started: list[str]) -> None:
    port = free_port()
    script = tmp_path / "forking.py"
    script.write_text(FORKING_SERVER)
    spec = sp.Spec(name="forking", pidfile=str(tmp_path / "forking.pid"),
                   command=[sys.executable, str(script), str(port)],
                   log_file=str(tmp_path / "forking.log"), port=port, timeout=30, stop_timeout=5)
    started.append(spec.pidfile)
    leader = sp.ensure(spec, "started").pid
    deadline = time.monotonic() + 10
    while len(sp.session_members(leader)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    members = sp.session_members(leader)
    assert len(members) == 2 and leader in members
    sp.ensure(spec, "stopped")
    time.sleep(0.2)
    assert [p for p in members if sp.is_alive(p)] == []


def test_a_process_that_dies_while_starting_fails_with_its_log(tmp_path: Path, started: list[str]) -> None:
    port = free_port()
    spec = sp.Spec(name="broken", pidfile=str(tmp_path / "broken.pid"),
                   command=[sys.executable, "-c", "import sys; print('bad config: [x] y'); sys.exit(3)"],
                   log_file=str(tmp_path / "broken.log"), port=port, timeout=30)
    started.append(spec.pidfile)
    with pytest.raises(sp.ProcessError) as err:
        sp.ensure(spec, "started")
    message = str(err.value)
    assert "broken (pid" in message and "exited with status 3 while starting" in message
    assert "bad config: [x] y" in message
    assert not Path(spec.pidfile).exists()


def test_a_process_that_never_answers_is_stopped_and_reported(tmp_path: Path, started: list[str]) -> None:
    port = free_port()
    spec = sp.Spec(name="silent", pidfile=str(tmp_path / "silent.pid"),
                   command=[sys.executable, "-c", "import time; print('waiting'); time.sleep(60)"],
                   log_file=str(tmp_path / "silent.log"), port=port, timeout=2, stop_timeout=2)
    started.append(spec.pidfile)
    with pytest.raises(sp.ProcessError, match=f"did not become ready on tcp port 127.0.0.1:{port}"):
        sp.ensure(spec, "started")
    assert not Path(spec.pidfile).exists()


def test_a_dead_recorded_process_is_started_again(tmp_path: Path, started: list[str]) -> None:
    spec = http_spec(tmp_path)
    started.append(spec.pidfile)
    first = sp.ensure(spec, "started").pid
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while sp.is_alive(first) and time.monotonic() < deadline:
        time.sleep(0.05)
    outcome = sp.ensure(spec, "started")
    assert (outcome.changed, outcome.action) == (True, "started") and outcome.pid != first
    sp.ensure(spec, "stopped")


def test_a_port_taken_by_another_process_is_a_clear_error(tmp_path: Path, started: list[str]) -> None:
    owner = http_spec(tmp_path, name="owner")
    started.append(owner.pidfile)
    owner_pid = sp.ensure(owner, "started").pid
    intruder = http_spec(tmp_path, name="intruder", port=owner.port,
                         hint="Set sandbox_cloud_keystone_port to a free port.")
    started.append(intruder.pidfile)
    with pytest.raises(sp.ProcessError) as err:
        sp.ensure(intruder, "started")
    assert f"tcp port {owner.port} on 127.0.0.1 is already in use by another process (pid {owner_pid}: " \
        in str(err.value)
    assert "sandbox_cloud_keystone_port" in str(err.value)
    assert not Path(intruder.pidfile).exists()
    sp.ensure(owner, "stopped")


def test_udp_readiness(tmp_path: Path, started: list[str]) -> None:
    port = free_port()
    spec = sp.Spec(name="udp", pidfile=str(tmp_path / "udp.pid"), protocol="udp", port=port,
                   command=[sys.executable, "-c",
                            "import socket, time; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
                            f"s.bind(('127.0.0.1', {port})); time.sleep(60)"],
                   log_file=str(tmp_path / "udp.log"), timeout=20)
    started.append(spec.pidfile)
    pid = sp.ensure(spec, "started").pid
    assert sp.port_in_use("127.0.0.1", port, "udp")
    assert pid in [owner[0] for owner in sp.port_owners(port, "udp")]
    sp.ensure(spec, "stopped")
    assert not sp.port_in_use("127.0.0.1", port, "udp")
