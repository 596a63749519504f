# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The detached Tempest run: packet cutting, progress, concurrency, and the supervisor itself.

The supervisor tests start a real child process (a small Python program that replays a
recorded Tempest stream slowly) through the same start/status/stop calls the module uses.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import signal
import sys
import time
from pathlib import Path

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils import tempest_job as tj
from ansible_collections.openinfra.interop.plugins.module_utils.subunit_v2 import parse

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
KILLED = gzip.decompress((FIXTURES / "tempest" / "object-killed.attempt-1.subunit.gz").read_bytes())
SYNTHETIC = (FIXTURES / "subunit" / "tempest-run.subunit").read_bytes()


# ---------------------------------------------------------------- packet cutting


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cutter_rebuilds_a_real_stream_from_random_chunks(seed: int) -> None:
    rng = random.Random(seed)
    cutter = tj.PacketCutter()
    out = []
    pos = 0
    while pos < len(KILLED):
        size = rng.randint(1, 9000)
        out.extend(cutter.feed(KILLED[pos:pos + size]))
        pos += size
    assert b"".join(chunk for is_packet, chunk in out) == KILLED
    assert all(is_packet for is_packet, chunk in out)
    assert cutter.pending == 0


def test_cutter_keeps_a_cut_packet_out_and_passes_garbage_through() -> None:
    cutter = tj.PacketCutter()
    head = cutter.feed(b"noise" + SYNTHETIC[:-10])
    assert head[0] == (False, b"noise")
    written = b"".join(chunk for is_packet, chunk in head)
    assert cutter.pending > 0
    parsed = parse(written)
    assert not parsed.truncated and len(parsed.errors) == 1 and "offset 0: 5 bytes" in parsed.errors[0]


# ---------------------------------------------------------------- progress


def test_progress_of_the_recorded_killed_run() -> None:
    lines: list[str] = []
    progress = tj.Progress(58, console=lines.append)
    progress.packet(KILLED)
    counts = progress.counts()
    assert counts["done"] == 15 and counts["passed"] == 15 and counts["running"] == 1 and counts["expected"] == 58
    assert len(lines) == 15
    assert lines[0].startswith("{") and lines[0].endswith("... ok") and "s] ... ok" in lines[0]


def test_progress_console_shows_failures_and_skips() -> None:
    lines: list[str] = []
    progress = tj.Progress(console=lines.append)
    progress.packet(SYNTHETIC)
    counts = progress.counts()
    assert counts["failed"] >= 1 and counts["skipped"] >= 1 and counts["fixture_failures"] == 1
    failed_line = next(i for i, line in enumerate(lines) if line.endswith("... FAILED") and "setUpClass" not in line)
    assert lines[failed_line + 1].startswith("    Traceback")
    assert any("... SKIPPED: " in line for line in lines)
    assert progress.fixture_failures[0].startswith("setUpClass (")


def test_progress_from_tempest_text_output() -> None:
    progress = tj.Progress(3)
    for line in [
        "{0} tempest.api.identity.v3.test_tokens.TokensV3Test.test_create_token [0.412345s] ... ok",
        "{1} tempest.api.object_storage.test_x.C.test_y [1.2s] ... FAILED",
        "{1} tempest.api.object_storage.test_x.C.test_z ... SKIPPED: no quotas",
        "{0} setUpClass (tempest.api.object_storage.test_q.Q) ... FAILED",
        "Totals",
    ]:
        progress.text_line(line)
    assert progress.counts() == {"done": 3, "expected": 3, "running": 0, "passed": 1, "failed": 1,
                                 "skipped": 1, "xfail": 0, "fixture_failures": 1}
    assert tj.progress_line("object", {"state": "finished", "counts": progress.counts(), "elapsed": 70}) == \
        "object: 3/3 done, 2 failed, 1 skipped, 0:01:10"


# ---------------------------------------------------------------- concurrency, commands, paths


def _conf(tmp_path: Path, auth: str) -> str:
    path = tmp_path / "tempest.conf"
    path.write_text("[DEFAULT]\nlog_dir = %s\nlog_file = tempest.log\n[auth]\n%s\n" % (tmp_path / "logs", auth))
    return str(path)


def test_concurrency_auto_and_given(tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.yaml"
    accounts.write_text("".join("- username: u%d\n  password: 'p%%%d'\n  project_name: p\n" % (i, i) for i in range(6)))
    dynamic = _conf(tmp_path, "use_dynamic_credentials = True")
    assert tj.resolve_concurrency("auto", dynamic, cores=8) == (8, "auto: min(8 cores, dynamic credentials)")
    assert tj.resolve_concurrency("auto", dynamic, tests=3, cores=8) == (3, "auto: min(8 cores, dynamic credentials, 3 tests)")
    pre = _conf(tmp_path, "use_dynamic_credentials = false\ntest_accounts_file = %s" % accounts)
    assert tj.resolve_concurrency("auto", pre, cores=8) == (
        3, "auto: min(8 cores, 6 pre-provisioned accounts, smallest group of the same roles 6 / 2)")
    assert tj.resolve_concurrency(" AUTO ", pre, cores=2)[0] == 2
    assert tj.resolve_concurrency("4", pre) == (4, "given")
    assert tj.resolve_concurrency(1, None) == (1, "given")


@pytest.mark.parametrize("value", ["0", "many", "-2", 0])
def test_concurrency_rejects_bad_values(value: object) -> None:
    with pytest.raises(tj.TempestJobError, match="concurrency must be 'auto' or a number"):
        tj.resolve_concurrency(value, None)  # type: ignore[arg-type]


def test_concurrency_with_unreadable_accounts_file(tmp_path: Path) -> None:
    conf = _conf(tmp_path, "use_dynamic_credentials = False\ntest_accounts_file = missing.yaml")
    with pytest.raises(tj.TempestJobError, match="test_accounts_file .*missing.yaml"):
        tj.resolve_concurrency("auto", conf)


def test_commands(tmp_path: Path) -> None:
    assert tj.native_command("/v", "/w/inc.txt", 1, "/w/etc/tempest.conf") == [
        "/v/bin/tempest", "run", "--subunit", "--include-list", "/w/inc.txt", "--config-file", "/w/etc/tempest.conf", "--serial"]
    assert tj.native_command("/v", "/i", 3, None, ["--slowest"])[-3:] == ["--concurrency", "3", "--slowest"]
    assert tj.refstack_client_command("/rc/refstack-client", "/t.conf", "/l.txt", 2, "object", ["--x"]) == [
        "/rc/refstack-client", "test", "-c", "/t.conf", "-v", "--test-list", "/l.txt", "--parallel", "-r", "object", "--", "--x"]
    repo = tmp_path / ".stestr"
    assert tj.next_stestr_stream(str(repo)) == str(repo / "0")
    repo.mkdir()
    (repo / "next-stream").write_text("7\n")
    assert tj.next_stestr_stream(str(repo)) == str(repo / "7")
    conf = _conf(tmp_path, "")
    assert tj.tempest_log_path(conf, "/w") == str(tmp_path / "logs" / "tempest.log")
    assert tj.tempest_log_path(None, "/w") is None


def test_rerun_candidates_compare_names_without_attributes() -> None:
    selected = ["m.C.test_a[id-1]", "m.C.test_b[id-2,smoke]", "m.C.test_c[id-3]", "m.C.test_d[id-4]"]
    results = {"m.C.test_a[id-1]": "success", "m.C.test_b[id-2]": "fail", "m.C.test_d": "skip"}
    assert tj.rerun_candidates(selected, results) == ["m.C.test_b[id-2,smoke]", "m.C.test_c[id-3]"]


# ---------------------------------------------------------------- the supervisor, for real


REPLAY = r"""
import os, sys, time
data = open(sys.argv[1], 'rb').read()
stop_at = int(sys.argv[2])          # bytes to write, then hang (simulates a test that runs on)
chunk = int(sys.argv[3])
out = sys.stdout.buffer
sys.stderr.write('replaying %d bytes\n' % len(data)); sys.stderr.flush()
pos = 0
while pos < min(stop_at, len(data)):
    out.write(data[pos:min(pos + chunk, stop_at)]); out.flush()
    pos += chunk
    time.sleep(0.01)
if stop_at < len(data):
    time.sleep(600)
sys.exit(int(sys.argv[4]) if len(sys.argv) > 4 else 0)
"""


def _spec(tmp_path: Path, stop_at: int, rc: int = 0, timeout: float = 0, source: bytes = KILLED) -> tj.RunSpec:
    stream = tmp_path / "source.subunit"
    stream.write_bytes(source)
    script = tmp_path / "replay.py"
    script.write_text(REPLAY)
    tempest_log = tmp_path / "tempest-own.log"
    tempest_log.write_text("earlier run\n")
    return tj.RunSpec(
        command=[sys.executable, str(script), str(stream), str(stop_at), "4096", str(rc)],
        chdir=str(tmp_path), run_dir=str(tmp_path / "run"), timeout=timeout, kill_grace=2,
        expected=58, label="object", tempest_log_source=str(tempest_log),
    )


def _wait(run_dir: str, seconds: float = 60) -> dict:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        data = tj.status(run_dir)
        if data["state"] != "running":
            return data
        time.sleep(0.2)
    raise AssertionError("the run did not end: %s" % json.dumps(tj.status(run_dir))[:500])


def test_supervised_run_to_completion(tmp_path: Path) -> None:
    spec = _spec(tmp_path, stop_at=len(KILLED), rc=0)
    started = tj.start(spec)
    assert started["state"] in ("running", "finished") and started["pid"] > 0
    with open(spec.tempest_log_source, "a") as handle:
        handle.write("during the run\n")
    data = _wait(spec.run_dir)
    assert data["state"] == "finished" and data["reason"] == "completed" and data["rc"] == 0
    assert Path(spec.stream_path).read_bytes() == KILLED
    assert data["partial"]  # the recorded stream itself ends with a test in progress
    assert data["unfinished"] and data["counts"]["done"] == 15 and len(data["results"]) == 15
    assert Path(spec.log_path).read_text() == "during the run\n"
    console = Path(spec.console_path).read_text()
    assert "replaying" in console and console.count("... ok") == 15
    with pytest.raises(tj.TempestJobError, match="already holds a run"):
        tj.start(spec)


def test_the_runs_copy_of_the_tempest_log_keeps_no_credential(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    conf = tmp_path / "etc" / "tempest.conf"
    conf.write_text("[auth]\nadmin_password = Adm%n$1\ntest_accounts_file = accounts.yaml\n")
    (tmp_path / "etc" / "accounts.yaml").write_text("- username: a\n  password: 'Acc0unt%'\n  project_name: p\n")
    spec = _spec(tmp_path, stop_at=len(KILLED), rc=0)
    spec.secret_files = tj.credential_files(str(conf))
    assert spec.secret_files == [str(conf), str(tmp_path / "etc" / "accounts.yaml")]
    tj.start(spec)
    with open(spec.tempest_log_source, "a") as handle:
        handle.write("admin Adm%n$1 account Acc0unt% body {\"password\": \"dyn4mic\"}\n")
    _wait(spec.run_dir)
    assert Path(spec.log_path).read_text() == 'admin *** account *** body {"password": "***"}\n'


def test_supervised_run_killed_mid_packet_leaves_a_valid_partial_stream(tmp_path: Path) -> None:
    cut = len(KILLED) // 2 + 7  # in the middle of some packet
    spec = _spec(tmp_path, stop_at=cut)
    tj.start(spec)
    end = time.monotonic() + 30
    while tj.status(spec.run_dir).get("counts", {}).get("done", 0) < 3 and time.monotonic() < end:
        time.sleep(0.1)
    time.sleep(1)
    pid = tj.status(spec.run_dir)["pid"]
    os.kill(pid, signal.SIGKILL)  # the process this test started
    data = _wait(spec.run_dir)
    assert data["reason"] == "killed" and data["rc"] == -signal.SIGKILL and data["partial"]
    written = Path(spec.stream_path).read_bytes()
    assert KILLED.startswith(written) and len(written) < cut
    parsed = parse(written)
    assert not parsed.truncated and not parsed.errors and parsed.partial
    assert data["dropped_bytes"] == cut - len(written)


def test_supervised_run_timeout(tmp_path: Path) -> None:
    spec = _spec(tmp_path, stop_at=len(KILLED) // 3, timeout=2)
    tj.start(spec)
    data = _wait(spec.run_dir)
    assert data["reason"] == "timeout" and data["partial"]
    assert not parse(Path(spec.stream_path).read_bytes()).truncated


def test_run_abandoned_by_its_controller_stops_itself(tmp_path: Path) -> None:
    spec = _spec(tmp_path, stop_at=len(KILLED) // 3)
    spec.heartbeat_timeout = 2
    tj.start(spec)
    for dummy in range(6):  # the controller polls for a while (each call renews the lease) ...
        time.sleep(0.5)
        assert tj.status(spec.run_dir, heartbeat=True)["state"] == "running"
    data = _wait(spec.run_dir)  # ... then goes away (plain status calls renew nothing)
    assert data["reason"] == "abandoned" and data["partial"]
    assert data["elapsed"] >= 4


def test_stop_a_running_job(tmp_path: Path) -> None:
    spec = _spec(tmp_path, stop_at=len(KILLED) // 3)
    tj.start(spec)
    time.sleep(1)
    data = tj.stop(spec.run_dir)
    assert data["stop_sent"] and data["state"] == "finished" and data["reason"] == "stopped" and data["partial"]
    assert not tj.group_alive(data["pgid"])
    again = tj.stop(spec.run_dir)
    assert not again["stop_sent"]


def test_failing_command_and_missing_run(tmp_path: Path) -> None:
    spec = _spec(tmp_path, stop_at=len(SYNTHETIC), rc=1, source=SYNTHETIC)
    tj.start(spec)
    data = _wait(spec.run_dir)
    assert data["reason"] == "failed" and data["rc"] == 1
    assert not data["partial"] and data["failed_tests"]
    missing = tj.RunSpec(command=["/nonexistent/tempest"], chdir=str(tmp_path), run_dir=str(tmp_path / "other"))
    with pytest.raises(tj.TempestJobError, match="cannot start /nonexistent/tempest"):
        tj.start(missing)
    with pytest.raises(tj.TempestJobError, match="no run in"):
        tj.status(str(tmp_path / "nowhere"))


def test_run_without_a_test_keeps_the_end_of_what_it_said(tmp_path: Path) -> None:
    # argparse, as Tempest's cliff parser, answers an unknown option with usage, an error and exit 2
    usage = "import argparse; argparse.ArgumentParser(prog='tempest run').parse_args()"
    spec = tj.RunSpec(command=[sys.executable, "-c", usage, "--no-such-option"], chdir=str(tmp_path),
                      run_dir=str(tmp_path / "run"), label="object")
    tj.start(spec)
    data = _wait(spec.run_dir)
    assert data["reason"] == "failed" and data["rc"] == 2 and data["no_test_ran"] is True
    assert data["output_tail"].splitlines() == [
        "usage: tempest run [-h]", "tempest run: error: unrecognized arguments: --no-such-option"]
    assert Path(spec.stream_path).read_bytes() == b""
    assert tj.no_test_message("object", data) == (
        "object: Tempest ran no test (exit 2, failed); it said: "
        "tempest run: error: unrecognized arguments: --no-such-option (console: %s)" % spec.console_path)
    assert tj.no_test_message("object", {"rc": 1, "reason": "failed"}).startswith(
        "object: Tempest ran no test (exit 1, failed); it said: nothing")
    # a run with tests has neither
    (tmp_path / "ok").mkdir()
    done = _spec(tmp_path / "ok", stop_at=len(SYNTHETIC), source=SYNTHETIC)
    tj.start(done)
    assert "no_test_ran" not in _wait(done.run_dir)
    assert tj.output_tail(str(tmp_path / "nowhere.log")) == ""


def _subunit_tool(name: str) -> str | None:
    path = os.path.join(os.path.dirname(sys.executable), name)
    return path if os.access(path, os.X_OK) else None


@pytest.mark.skipif(not (_subunit_tool("subunit-2to1") and _subunit_tool("subunit-1to2")),
                    reason="python-subunit's converters are not installed beside this Python")
def test_copy_stream_converts_a_stestr_v1_repository_stream(tmp_path: Path) -> None:
    # stestr's file repository (what refstack-client leaves in .tempest/.stestr/N) is subunit v1
    import subprocess

    v1 = tmp_path / "0"
    with open(v1, "wb") as out:
        subprocess.run([_subunit_tool("subunit-2to1")], input=KILLED, stdout=out, check=True)
    assert not v1.read_bytes().startswith(b"\xb3")
    target = tmp_path / "results.subunit"
    assert tj.copy_stream(str(v1), str(target), [_subunit_tool("subunit-1to2")]) is None
    converted = parse(target.read_bytes())
    original = parse(KILLED)
    assert not converted.errors
    assert [(r.test_id, r.status) for r in converted.records if r.status == "success"] == \
        [(r.test_id, r.status) for r in original.records if r.status == "success"]
    # a v2 stream is copied as is; a v1 stream without converter is copied and reported
    assert tj.copy_stream(str(tmp_path / "results.subunit"), str(tmp_path / "again"), None) is None
    assert "subunit v1" in tj.copy_stream(str(v1), str(tmp_path / "raw"), None)


def test_concurrency_follows_the_smallest_role_group(tmp_path: Path) -> None:
    # two member accounts, two ResellerAdmin ones: object's ACL tests take two members at once
    accounts = tmp_path / "accounts.yaml"
    accounts.write_text(
        "- username: m1\n  password: p\n  project_name: m1\n  domain_name: interop\n  roles: [member]\n"
        "- username: r1\n  password: p\n  project_name: r1\n  roles:\n  - ResellerAdmin\n"
        "- username: m2\n  password: p\n  project_name: m2\n  roles:\n    - member\n"
        "- username: r2\n  password: p\n  project_name: r2\n  roles: ['ResellerAdmin']\n"
        "- username: plain\n  password: p\n  project_name: x\n"
    )
    assert tj.account_groups(str(accounts)) == [1, 2, 2]
    pre = _conf(tmp_path, "use_dynamic_credentials = false\ntest_accounts_file = %s" % accounts)
    assert tj.resolve_concurrency("auto", pre, cores=8)[0] == 1
