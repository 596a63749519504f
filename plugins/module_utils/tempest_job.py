# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""A detached, supervised Tempest run on the test-runner host, with progress in a status file.

Ansible cannot stream a module's output, so a run is split in three calls of the
``openinfra.interop.tempest_job`` module, driven by the ``openinfra.interop.tempest_run``
action plugin:

* **start** forks a supervisor (double fork, new session, standard streams on ``/dev/null``)
  and returns at once. The supervisor starts the runner command in its own process group:

  - ``native``: ``tempest run --subunit --include-list ... --concurrency N`` in the Tempest
    workspace. The supervisor reads the subunit v2 stream from the pipe, cuts it into whole
    packets and appends only whole packets to ``results.subunit``: whatever happens to Tempest
    (killed, timed out), the file is a valid stream; tests that started and never finished
    keep their ``inprogress`` packet, which readers report as interrupted.
  - ``refstack-client``: ``refstack-client test -c tempest.conf --test-list ...`` in its
    home directory (the one holding ``.tempest``); progress is read from Tempest's text
    output (``{0} test.id [0.5s] ... ok``) and the stream refstack-client's stestr repository
    keeps is copied to ``results.subunit`` at the end.

  ``console.log`` gets a readable line per finished test (with the traceback of failures),
  Tempest's standard error (and in ``refstack-client`` mode all its output); at the end,
  ``tempest.log`` receives what Tempest appended to its own log file (``[DEFAULT] log_dir`` /
  ``log_file`` of tempest.conf) during the run, the full debug log of this run.
  The supervisor writes ``status.json`` (atomically, about once a second while something
  changes): tests done, by status, failures, tests in progress, elapsed time; at the end the
  exit code, why it ended (``completed``, ``failed``, ``timeout``, ``stopped``, ``abandoned``,
  ``killed``)
  and whether the result is partial, plus the last status of every test.
* **status** reads ``status.json`` (and notices a supervisor that died).
* **stop** asks the supervisor to stop (``SIGTERM``); it terminates the process group,
  ``SIGKILL`` after a grace period, and records the run as partial.

With a ``heartbeat_timeout``, every status call of the controller renews a lease (the
modification time of ``<run_dir>/heartbeat``); a supervisor whose lease ran out (the controller
was killed, the connection is lost) stops the run itself and records it as ``abandoned``.

The overall timeout is enforced by the supervisor itself, so a run stops on time even when
the controller went away. Processes are only ever signalled through recorded PIDs checked
against their kernel start time (a recycled PID is never signalled).

Standard library only (shipped with the module); every module the supervisor needs is
imported at the top, because the module's own files are removed once the start call returns.
"""

from __future__ import annotations

import errno
import json
import os
import re
import select
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from ansible_collections.openinfra.interop.plugins.module_utils.atomic import atomic_write
from ansible_collections.openinfra.interop.plugins.module_utils.scrub import Scrubber
from ansible_collections.openinfra.interop.plugins.module_utils.toolrun import proc_start_time, same_process, scrub_file
from ansible_collections.openinfra.interop.plugins.module_utils.subunit_v2 import (
    FINAL_STATUSES,
    SIGNATURE,
    iter_packets,
)

STATUS_FILE = "status.json"
STREAM_FILE = "results.subunit"
LOG_FILE = "tempest.log"
CONSOLE_FILE = "console.log"
HEARTBEAT_FILE = "heartbeat"
INCLUDE_FILE = "include-list.txt"
TEST_LIST_FILE = "test-list.txt"

RUNNERS = ("native", "refstack-client")
#: Statuses that need no second attempt (``skip`` is deterministic: a rerun skips again).
SETTLED = frozenset({"success", "skip", "xfail"})
#: Test ids that are class or module fixtures, not tests.
_FIXTURE_RE = re.compile(r"^(?:setUpClass|tearDownClass|setUpModule|tearDownModule) \(")
#: A result line of Tempest's text output (subunit-trace).
_TRACE_RE = re.compile(r"^\{(?P<worker>\d+)\} (?P<id>\S+(?: \([^)]*\))?) (?:\[[0-9.]+s\] )?\.\.\. (?P<outcome>ok|FAILED|SKIPPED|xfail|uxsuccess)\b")
_TRACE_STATUS = {"ok": "success", "FAILED": "fail", "SKIPPED": "skip", "xfail": "xfail", "uxsuccess": "uxsuccess"}
_MAX_PACKET = 4 * 1024 * 1024
_STATUS_EVERY = 1.0


class TempestJobError(Exception):
    """A job that cannot be started, read or stopped (one clear message)."""


# --------------------------------------------------------------------------------------------
# Concurrency


def _config_value(text: str, section: str, key: str) -> str | None:
    """``[section] key`` of an ini file (no interpolation: account passwords may hold ``%``)."""
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            continue
        if current == section and "=" in line:
            name, dummy, value = line.partition("=")
            if name.strip() == key:
                return value.strip()
    return None


def credential_files(config_file: str | None) -> list[str]:
    """tempest.conf and the accounts file it names: what holds the credentials of a run."""
    if not config_file:
        return []
    try:
        with open(config_file, encoding="utf-8", errors="replace") as handle:
            accounts = _config_value(handle.read(), "auth", "test_accounts_file")
    except OSError:
        return []
    if accounts and not os.path.isabs(accounts):
        accounts = os.path.join(os.path.dirname(config_file), accounts)
    return [config_file] + ([accounts] if accounts else [])


def tempest_log_path(config_file: str | None, cwd: str) -> str | None:
    """Tempest's own log file (``[DEFAULT] log_dir`` + ``log_file``), None if it logs to stderr."""
    if not config_file:
        return None
    try:
        with open(config_file, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return None
    log_file = _config_value(text, "DEFAULT", "log_file")
    if not log_file:
        return None
    if os.path.isabs(log_file):
        return log_file
    return os.path.join(_config_value(text, "DEFAULT", "log_dir") or cwd, log_file)


def count_accounts(path: str) -> int:
    """Number of accounts in a Tempest ``accounts.yaml`` (top-level list items)."""
    with open(path, encoding="utf-8") as handle:
        return sum(1 for line in handle if line.startswith("- "))


def account_groups(path: str) -> list[int]:
    """Sizes of the groups of a Tempest ``accounts.yaml`` that Tempest allocates from.

    Tempest hands a test class accounts by their declared ``roles`` (and ``types``): a class
    taking two ``member`` accounts needs two of that group free, however many accounts other
    groups hold. Read line by line (flow ``[a, b]`` or block ``- a`` lists): the standard
    library has no YAML parser.
    """
    groups: dict[str, int] = {}
    entries: list[list[str]] = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("- "):
                entries.append(["  " + line[2:]])
            elif entries and line.strip() and not line.lstrip().startswith("#"):
                entries[-1].append(line)
    for lines in entries:
        keys: dict[str, list[str]] = {}
        current = ""
        for line in lines:
            key = re.match(r"^\s{2}(roles|types|[A-Za-z_]+):\s*(.*?)\s*$", line)
            if key:
                current = key.group(1)
                if current in ("roles", "types"):
                    keys[current] = [v.strip(" '\"") for v in key.group(2).strip("[]").split(",") if v.strip()]
                continue
            item = re.match(r"^\s+-\s*(.*?)\s*$", line)
            if item and current in ("roles", "types"):
                keys[current].append(item.group(1).strip("'\""))
        signature = json.dumps({k: sorted(v) for k, v in sorted(keys.items())})
        groups[signature] = groups.get(signature, 0) + 1
    return sorted(groups.values())


def cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def resolve_concurrency(
    value: str | int, config_file: str | None, tests: int | None = None, cores: int | None = None
) -> tuple[int, str]:
    """Number of Tempest workers and why.

    ``auto``: the number of cores; with pre-provisioned accounts
    (``[auth] use_dynamic_credentials = false`` and ``test_accounts_file``) at most half the
    smallest group of accounts with the same roles (a test class may hold two accounts of one
    role at once, and Tempest fails a test that finds every account of it locked); never more
    than the number of tests;
    at least 1. A number is taken as given.
    """
    cores = cores or cpu_count()
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        number = int(value)
        if number < 1:
            raise TempestJobError("concurrency must be 'auto' or a number of at least 1, got %r" % (value,))
        return number, "given"
    if not isinstance(value, str) or value.strip().lower() != "auto":
        raise TempestJobError("concurrency must be 'auto' or a number of at least 1, got %r" % (value,))
    number = cores
    why = ["%d cores" % cores]
    if config_file and os.path.isfile(config_file):
        with open(config_file, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        dynamic = (_config_value(text, "auth", "use_dynamic_credentials") or "true").lower()
        accounts_file = _config_value(text, "auth", "test_accounts_file")
        if dynamic in ("false", "0", "no", "off") and accounts_file:
            if not os.path.isabs(accounts_file):
                accounts_file = os.path.join(os.path.dirname(config_file), accounts_file)
            try:
                accounts = count_accounts(accounts_file)
                smallest = account_groups(accounts_file)[0] if accounts else 0
            except OSError as exc:
                raise TempestJobError(
                    "tempest.conf %s names test_accounts_file %s, which cannot be read: %s"
                    % (config_file, accounts_file, exc.strerror or exc)
                ) from None
            number = min(number, max(1, smallest // 2))
            why.append("%d pre-provisioned accounts, smallest group of the same roles %d / 2"
                       % (accounts, smallest))
        else:
            why.append("dynamic credentials")
    if tests is not None and tests > 0 and tests < number:
        number = tests
        why.append("%d tests" % tests)
    return max(1, number), "auto: min(%s)" % ", ".join(why)


# --------------------------------------------------------------------------------------------
# Commands


@dataclass
class RunSpec:
    """Everything the supervisor needs (JSON-serialisable)."""

    command: list[str]
    chdir: str
    run_dir: str
    progress: str = "subunit"
    env: dict[str, str] = field(default_factory=dict)
    unset_env: list[str] = field(default_factory=list)
    timeout: float = 0
    kill_grace: float = 10
    expected: int = 0
    label: str = ""
    copy_stream_from: str | None = None
    convert_v1_command: list[str] | None = None
    tempest_log_source: str | None = None
    heartbeat_timeout: float = 0
    secret_files: list[str] = field(default_factory=list)

    @property
    def status_path(self) -> str:
        return os.path.join(self.run_dir, STATUS_FILE)

    @property
    def stream_path(self) -> str:
        return os.path.join(self.run_dir, STREAM_FILE)

    @property
    def log_path(self) -> str:
        return os.path.join(self.run_dir, LOG_FILE)

    @property
    def console_path(self) -> str:
        return os.path.join(self.run_dir, CONSOLE_FILE)

    @property
    def heartbeat_path(self) -> str:
        return os.path.join(self.run_dir, HEARTBEAT_FILE)


def native_command(
    venv: str, include_file: str, concurrency: int, config_file: str | None = None, extra_args: Sequence[str] = ()
) -> list[str]:
    """``tempest run`` writing subunit v2 to standard output."""
    cmd = [os.path.join(venv, "bin", "tempest"), "run", "--subunit", "--include-list", include_file]
    if config_file:
        cmd += ["--config-file", config_file]
    cmd += ["--serial"] if concurrency <= 1 else ["--concurrency", str(concurrency)]
    return cmd + list(extra_args)


def refstack_client_command(
    executable: str, config_file: str, test_list: str, concurrency: int, tag: str = "", extra_args: Sequence[str] = ()
) -> list[str]:
    """``refstack-client test`` (the official client; it runs ``tempest run`` itself).

    ``--parallel`` lets Tempest pick its worker count (refstack-client passes no number).
    """
    cmd = [executable, "test", "-c", config_file, "-v", "--test-list", test_list]
    if concurrency > 1:
        cmd.append("--parallel")
    if tag:
        cmd += ["-r", tag]
    if extra_args:
        cmd += ["--"] + list(extra_args)
    return cmd


def next_stestr_stream(repository: str) -> str:
    """Path of the stream stestr will write next in ``repository`` (``.stestr``)."""
    try:
        with open(os.path.join(repository, "next-stream"), encoding="utf-8") as handle:
            number = handle.read().strip() or "0"
    except OSError:
        number = "0"
    return os.path.join(repository, number)


# --------------------------------------------------------------------------------------------
# Stream cutting and progress


class PacketCutter:
    """Cut a byte stream into whole subunit v2 packets.

    :meth:`feed` returns the bytes that may be written now: whole packets, and bytes that
    cannot start a packet (kept, so a reader can report them); an incomplete packet at the
    end waits for more data and is dropped if the stream ends (:attr:`pending`).
    """

    def __init__(self) -> None:
        self._buffer = bytearray()

    @property
    def pending(self) -> int:
        return len(self._buffer)

    def feed(self, data: bytes) -> list[tuple[bool, bytes]]:
        """``(is_packet, bytes)`` chunks ready to be written, in order."""
        buf = self._buffer
        buf.extend(data)
        out: list[tuple[bool, bytes]] = []
        pos = 0
        size = len(buf)
        while pos < size:
            if buf[pos] != SIGNATURE:
                nxt = buf.find(SIGNATURE, pos + 1)
                end = size if nxt < 0 else nxt
                out.append((False, bytes(buf[pos:end])))
                pos = end
                continue
            if size - pos < 4:
                break
            flags = (buf[pos + 1] << 8) | buf[pos + 2]
            first = buf[pos + 3]
            kind = first & 0xC0
            if flags & 0xF000 != 0x2000 or kind == 0xC0:
                out.append((False, bytes(buf[pos:pos + 1])))
                pos += 1
                continue
            if kind == 0x00:
                length = first
            elif kind == 0x40:
                if size - pos < 5:
                    break
                length = ((first & 0x3F) << 8) | buf[pos + 4]
            else:
                if size - pos < 6:
                    break
                length = ((first & 0x3F) << 16) | (buf[pos + 4] << 8) | buf[pos + 5]
            if length < 8 or length > _MAX_PACKET:
                out.append((False, bytes(buf[pos:pos + 1])))
                pos += 1
                continue
            if size - pos < length:
                break
            out.append((True, bytes(buf[pos:pos + length])))
            pos += length
        del buf[:pos]
        return out


class Progress:
    """Counts of a run, from subunit packets or from Tempest's text output.

    With ``console`` (a callable taking one line), every finished test also gives a readable
    line like subunit-trace's (``{0} test.id [0.412s] ... ok``), followed by the traceback
    of a failure or the reason of a skip.
    """

    def __init__(self, expected: int = 0, console: Callable[[str], None] | None = None) -> None:
        self.expected = expected
        self.results: dict[str, str] = {}
        self.running: dict[str, float] = {}
        self.failed: list[str] = []
        self.fixture_failures: list[str] = []
        self.version = 0
        self._console = console
        self._details: dict[str, dict[str, Any]] = {}

    def _trace(self, test_id: str, status: str, stop: float | None) -> None:
        details = self._details.pop(test_id, {})
        if self._console is None:
            return
        start = details.get("start")
        took = " [%.3fs]" % max(0.0, stop - start) if start is not None and stop is not None else ""
        word = {"success": "ok", "fail": "FAILED", "skip": "SKIPPED", "xfail": "xfail", "uxsuccess": "uxsuccess"}[status]
        text = "{%s} %s%s ... %s" % (details.get("worker", "0"), test_id, took, word)
        reason = details.get("reason", b"").decode("utf-8", "replace").strip()
        if status == "skip" and reason:
            text += ": " + reason
        self._console(text)
        if status in ("fail", "uxsuccess"):
            for name in ("traceback", "reason"):
                body = details.get(name, b"").decode("utf-8", "replace").rstrip()
                if body and not (name == "reason" and status == "skip"):
                    self._console("    " + body.replace("\n", "\n    "))

    def _final(self, test_id: str, status: str) -> None:
        self.running.pop(test_id, None)
        if _FIXTURE_RE.match(test_id):
            if status == "fail" and test_id not in self.fixture_failures:
                self.fixture_failures.append(test_id)
            self.version += 1
            return
        self.results[test_id] = status
        if status in ("fail", "uxsuccess") and test_id not in self.failed:
            self.failed.append(test_id)
        self.version += 1

    def packet(self, data: bytes) -> None:
        for packet in iter_packets(data):
            test_id = packet.test_id
            if test_id is None:
                continue
            if self._console is not None:
                details = self._details.setdefault(test_id, {})
                if packet.tags:
                    worker = next((t[7:] for t in packet.tags if t.startswith("worker-")), None)
                    if worker is not None:
                        details["worker"] = worker
                if packet.file_name in ("traceback", "reason") and packet.file_bytes:
                    details[packet.file_name] = details.get(packet.file_name, b"") + bytes(packet.file_bytes)
                if packet.status == "inprogress" and packet.timestamp is not None:
                    details.setdefault("start", packet.timestamp)
            if packet.status == "inprogress":
                self.running[test_id] = packet.timestamp or time.time()
                self.version += 1
            elif packet.status in FINAL_STATUSES:
                self._final(test_id, packet.status)
                self._trace(test_id, packet.status, packet.timestamp)

    def text_line(self, line: str) -> None:
        match = _TRACE_RE.match(line.strip())
        if match:
            self._final(match.group("id"), _TRACE_STATUS[match.group("outcome")])

    def counts(self) -> dict[str, int]:
        by_status: dict[str, int] = {}
        for status in self.results.values():
            by_status[status] = by_status.get(status, 0) + 1
        return {
            "done": len(self.results),
            "expected": self.expected,
            "running": len(self.running),
            "passed": by_status.get("success", 0),
            "failed": by_status.get("fail", 0) + by_status.get("uxsuccess", 0),
            "skipped": by_status.get("skip", 0),
            "xfail": by_status.get("xfail", 0),
            "fixture_failures": len(self.fixture_failures),
        }


# --------------------------------------------------------------------------------------------
# Files and processes


def write_json(path: str, data: Mapping[str, Any]) -> None:
    """Atomic JSON write, private to the owner like the run it describes."""
    atomic_write(path, json.dumps(data, indent=1, sort_keys=True), 0o600)


def read_status(run_dir: str) -> dict[str, Any] | None:
    try:
        with open(os.path.join(run_dir, STATUS_FILE), encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise TempestJobError("cannot read %s: %s" % (os.path.join(run_dir, STATUS_FILE), exc)) from None


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


# --------------------------------------------------------------------------------------------
# Supervisor


def _fmt(seconds: float) -> str:
    seconds = int(seconds)
    return "%d:%02d:%02d" % (seconds // 3600, seconds // 60 % 60, seconds % 60)


class Supervisor:
    """Runs one command to its end and keeps ``status.json`` up to date."""

    def __init__(self, spec: RunSpec) -> None:
        self.spec = spec
        self.progress = Progress(spec.expected)
        self.stop_requested = False
        self.status: dict[str, Any] = {}
        self._written_version = -1
        self._last_write = 0.0
        self._log_offset = 0

    def _on_signal(self, signum: int, frame: Any) -> None:
        del frame
        self.stop_requested = True
        self.status["stop_signal"] = signum

    def _write(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and (self.progress.version == self._written_version or now - self._last_write < _STATUS_EVERY):
            return
        started = self.status.get("started_at") or time.time()
        end = self.status.get("ended_at") or time.time()
        self.status.update(
            counts=self.progress.counts(),
            failed_tests=list(self.progress.failed),
            fixture_failures=list(self.progress.fixture_failures),
            running=sorted(self.progress.running),
            elapsed=round(end - started, 1),
            updated_at=time.time(),
        )
        write_json(self.spec.status_path, self.status)
        self._written_version = self.progress.version
        self._last_write = now

    def run(self, notify: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
        spec = self.spec
        env = dict(os.environ)
        for name in spec.unset_env:
            env.pop(name, None)
        env.update(spec.env)
        env["PYTHONUNBUFFERED"] = "1"
        self.status = {
            "state": "starting",
            "label": spec.label,
            "command": spec.command,
            "chdir": spec.chdir,
            "progress": spec.progress,
            "timeout": spec.timeout,
            "stream": spec.stream_path,
            "log": spec.log_path,
            "console": spec.console_path,
            "tempest_log_source": spec.tempest_log_source,
            "supervisor_pid": os.getpid(),
            "supervisor_start": proc_start_time(os.getpid()),
            "started_at": time.time(),
        }
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._on_signal)
        log = open(spec.console_path, "ab", buffering=0)
        self._log_offset = _size(spec.tempest_log_source)
        if spec.progress == "subunit":
            self.progress = Progress(spec.expected, console=lambda line: log.write((line + "\n").encode("utf-8", "replace")))
        stream = open(spec.stream_path, "wb", buffering=0) if spec.progress == "subunit" else None
        try:
            proc = subprocess.Popen(
                spec.command, cwd=spec.chdir, env=env, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=log if spec.progress == "subunit" else subprocess.STDOUT,
                start_new_session=True, close_fds=True,
            )
        except OSError as exc:
            self.status.update(state="finished", reason="not-started", rc=None, partial=True,
                               error="cannot start %s: %s" % (spec.command[0], exc.strerror or exc),
                               ended_at=time.time(), results={})
            log.write(("%s\n" % self.status["error"]).encode())
            log.close()
            self._save_log()
            self._write(force=True)
            if notify:
                notify({"ok": False, "error": self.status["error"]})
            return self.status
        self.status.update(state="running", pid=proc.pid, pgid=proc.pid, pid_start=proc_start_time(proc.pid))
        self._write(force=True)
        if notify:
            notify({"ok": True, "pid": proc.pid, "supervisor_pid": os.getpid()})
        try:
            self._pump(proc, log, stream)
        finally:
            log.close()
            if stream is not None:
                stream.close()
            self._save_log()
            self._write(force=True)
        return self.status

    def _save_log(self) -> None:
        """``tempest.log`` of the run: what Tempest appended to its own log file during the run
        (``[DEFAULT] log_dir``/``log_file`` of tempest.conf), else the console output."""
        spec = self.spec
        try:
            if spec.tempest_log_source and os.path.isfile(spec.tempest_log_source):
                with open(spec.tempest_log_source, "rb") as source, open(spec.log_path, "wb") as target:
                    source.seek(self._log_offset if _size(spec.tempest_log_source) >= self._log_offset else 0)
                    shutil.copyfileobj(source, target, 1 << 20)
            else:
                shutil.copyfile(spec.console_path, spec.log_path)
            # the run's copy keeps no credential (Tempest logs request bodies and its accounts)
            texts = []
            for path in spec.secret_files:
                with open(path, encoding="utf-8", errors="replace") as handle:
                    texts.append(handle.read())
            scrub_file(spec.log_path, Scrubber(texts=texts).known)
        except OSError as exc:
            self.status["log_error"] = "cannot save %s: %s" % (spec.log_path, exc)

    def _pump(self, proc: subprocess.Popen, log: Any, stream: Any) -> None:
        spec = self.spec
        cutter = PacketCutter()
        text_tail = b""
        fd = proc.stdout.fileno()
        started = time.monotonic()
        deadline = started + spec.timeout if spec.timeout and spec.timeout > 0 else None
        reason = None
        kill_at = None
        eof = False
        while not eof:
            now = time.monotonic()
            if reason is None and deadline is not None and now >= deadline:
                reason = "timeout"
            if reason is None and self.stop_requested:
                reason = "stopped"
            if reason is None and spec.heartbeat_timeout and time.time() - _mtime(spec.heartbeat_path) > spec.heartbeat_timeout:
                reason = "abandoned"
            if reason is not None and kill_at is None:
                _signal_group(proc.pid, signal.SIGTERM)
                kill_at = now + spec.kill_grace
                self.status["stopping"] = reason
                self._write(force=True)
            elif kill_at is not None and now >= kill_at:
                _signal_group(proc.pid, signal.SIGKILL)
                kill_at = now + 3600
            try:
                ready = select.select([fd], [], [], 0.5)[0]
            except InterruptedError:
                ready = []
            if ready:
                try:
                    data = os.read(fd, 1 << 16)
                except InterruptedError:
                    data = None
                if data == b"":
                    eof = True
                elif data:
                    if stream is not None:
                        for is_packet, chunk in cutter.feed(data):
                            stream.write(chunk)
                            if is_packet:
                                self.progress.packet(chunk)
                    else:
                        log.write(data)
                        text_tail += data
                        *lines, text_tail = text_tail.split(b"\n")
                        for line in lines:
                            self.progress.text_line(line.decode("utf-8", "replace"))
            self._write()
        # The pipe is closed: Tempest (stestr) is gone or closed its output.
        rc = None
        for dummy in range(200):
            rc = proc.poll()
            if rc is not None:
                break
            if self.stop_requested and reason is None:
                reason = "stopped"
                _signal_group(proc.pid, signal.SIGTERM)
            time.sleep(0.1)
        if rc is None:
            _signal_group(proc.pid, signal.SIGKILL)
            rc = proc.wait()
        if group_alive(proc.pid):
            # Workers left behind by a killed Tempest: stop them too.
            _signal_group(proc.pid, signal.SIGTERM)
            for dummy in range(50):
                if not group_alive(proc.pid):
                    break
                time.sleep(0.1)
            _signal_group(proc.pid, signal.SIGKILL)
        if reason is None:
            if rc < 0:
                reason = "killed"
            elif rc == 0:
                reason = "completed"
            else:
                reason = "failed"
        copied = None
        if spec.copy_stream_from:
            if os.path.isfile(spec.copy_stream_from):
                error = copy_stream(spec.copy_stream_from, spec.stream_path, spec.convert_v1_command)
                if error:
                    self.status["error"] = error
                with open(spec.stream_path, "rb") as handle:
                    self.progress = _progress_from_stream(handle.read(), self.progress)
                copied = spec.copy_stream_from
            else:
                reason = reason if reason != "completed" else "failed"
                self.status["error"] = "refstack-client wrote no stream at %s" % spec.copy_stream_from
        unfinished = sorted(self.progress.running)
        partial = reason in ("timeout", "stopped", "abandoned", "killed") or bool(unfinished) or cutter.pending > 0
        if not self.progress.results and not unfinished:
            # Not a single test started: a run that did not happen (a usage error, nothing
            # selected). Keep the end of what Tempest said, for the error that reports it.
            self.status.update(no_test_ran=True, output_tail=output_tail(spec.console_path))
        self.status.update(
            state="finished",
            reason=reason,
            rc=rc,
            partial=partial,
            unfinished=unfinished,
            dropped_bytes=cutter.pending,
            copied_from=copied,
            results=dict(self.progress.results),
            ended_at=time.time(),
        )
        self.status.pop("stopping", None)
        # status.json says "finished" only after run() saved the log (see run()).


def output_tail(path: str, lines: int = 8, limit: int = 1500) -> str:
    """The last non-empty ``lines`` of a text file, at most ``limit`` characters ("" if unreadable)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(max(0, _size(path) - 4 * limit))
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
    kept = [line.rstrip() for line in text.splitlines() if line.strip()][-lines:]
    return "\n".join(kept)[-limit:]


def no_test_message(label: str, data: Mapping[str, Any], limit: int = 500) -> str:
    """The error of a run in which no test ran: exit code, why it ended and Tempest's last line
    (argparse's ``error:`` line, an exception's message; the usage text before it is noise)."""
    said = [line.strip() for line in str(data.get("output_tail") or "").splitlines() if line.strip()]
    words = said[-1][-limit:] if said else "nothing"
    return "%s: Tempest ran no test (exit %s, %s); it said: %s (console: %s)" % (
        label, data.get("rc"), data.get("reason"), words, data.get("console"))


def copy_stream(source: str, target: str, convert_v1: Sequence[str] | None) -> str | None:
    """Copy a stestr repository stream to ``target`` as subunit v2.

    stestr's file repository keeps subunit **v1** (text); ``convert_v1`` (python-subunit's
    ``subunit-1to2``) turns it into v2. A v2 stream is copied as is. Returns an error message.
    """
    with open(source, "rb") as handle:
        first = handle.read(1)
    if not first or first[0] == SIGNATURE or not convert_v1:
        shutil.copyfile(source, target)
        return None if not first or first[0] == SIGNATURE else (
            "%s is a subunit v1 stream and no subunit-1to2 was found to convert it" % source)
    with open(source, "rb") as stdin, open(target, "wb") as stdout:
        try:
            proc = subprocess.run(list(convert_v1), stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, check=False)
        except OSError as exc:
            return "cannot run %s: %s" % (convert_v1[0], exc)
    if proc.returncode != 0:
        return "%s failed (exit %s): %s" % (convert_v1[0], proc.returncode, proc.stderr.decode("utf-8", "replace")[-500:])
    return None


def _mtime(path: str) -> float:
    try:
        return os.path.getmtime(path)
    except OSError:
        return 0.0


def touch(path: str) -> None:
    """Create ``path`` or set its modification time to now."""
    with open(path, "a", encoding="utf-8"):
        pass
    os.utime(path, None)


def _size(path: str | None) -> int:
    try:
        return os.path.getsize(path) if path else 0
    except OSError:
        return 0


def _progress_from_stream(data: bytes, previous: Progress) -> Progress:
    progress = Progress(previous.expected)
    progress.packet(data)
    return progress


# --------------------------------------------------------------------------------------------
# Job control (called by the module)


def _prepare_run_dir(run_dir: str, force: bool) -> None:
    status = read_status(run_dir) if os.path.isdir(run_dir) else None
    if status is not None:
        if status.get("state") in ("starting", "running") and same_process(
            status.get("supervisor_pid"), status.get("supervisor_start")
        ):
            raise TempestJobError(
                "a run is already going on in %s (supervisor pid %s); stop it first (state=stopped)"
                % (run_dir, status.get("supervisor_pid"))
            )
        if not force:
            raise TempestJobError(
                "%s already holds a run (state %s); use another run_dir or force=true to replace it"
                % (run_dir, status.get("state"))
            )
    os.makedirs(run_dir, exist_ok=True)
    for name in (STATUS_FILE, STREAM_FILE, LOG_FILE, CONSOLE_FILE, HEARTBEAT_FILE):
        try:
            os.unlink(os.path.join(run_dir, name))
        except FileNotFoundError:
            pass


def start(spec: RunSpec, force: bool = False, wait: float = 30) -> dict[str, Any]:
    """Start the supervisor detached; return once the command is started (or failed to)."""
    if not spec.command:
        raise TempestJobError("empty command")
    if not os.path.isdir(spec.chdir):
        raise TempestJobError("working directory %s does not exist" % spec.chdir)
    _prepare_run_dir(spec.run_dir, force)
    touch(spec.heartbeat_path)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # first child
        try:
            os.close(read_fd)
            os.setsid()
            if os.fork() != 0:
                os._exit(0)
            _detach(keep=write_fd)

            def notify(message: dict[str, Any]) -> None:
                try:
                    os.write(write_fd, json.dumps(message).encode())
                finally:
                    os.close(write_fd)

            Supervisor(spec).run(notify)
        except BaseException as exc:  # pragma: no cover - last resort, reported to the parent
            try:
                os.write(write_fd, json.dumps({"ok": False, "error": "supervisor: %s" % exc}).encode())
            except OSError:
                pass
        finally:
            os._exit(0)
    os.close(write_fd)
    os.waitpid(pid, 0)
    message = b""
    end = time.monotonic() + wait
    while time.monotonic() < end:
        ready = select.select([read_fd], [], [], max(0.0, end - time.monotonic()))[0]
        if not ready:
            break
        chunk = os.read(read_fd, 65536)
        if not chunk:
            break
        message += chunk
    os.close(read_fd)
    try:
        info = json.loads(message.decode() or "{}")
    except ValueError:
        info = {}
    if not info.get("ok"):
        error = info.get("error") or "the supervisor did not report within %s seconds" % wait
        raise TempestJobError("cannot start the run in %s: %s (log: %s)" % (spec.run_dir, error, spec.console_path))
    return status(spec.run_dir)


def _detach(keep: int) -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    for target in (0, 1, 2):
        os.dup2(devnull, target)
    if devnull > 2:
        os.close(devnull)
    try:
        max_fd = os.sysconf("SC_OPEN_MAX")
    except (AttributeError, ValueError, OSError):
        max_fd = 1024
    max_fd = min(max_fd if max_fd > 0 else 1024, 65536)
    os.closerange(3, keep)
    os.closerange(keep + 1, max_fd)
    os.umask(0o022)


def status(run_dir: str, heartbeat: bool = False) -> dict[str, Any]:
    """The run's status; a supervisor that vanished while running gives state ``lost``.

    With ``heartbeat``, the caller also renews its lease on the run (see ``heartbeat_timeout``).
    """
    data = read_status(run_dir)
    if data is None:
        raise TempestJobError("no run in %s (no %s)" % (run_dir, STATUS_FILE))
    if heartbeat and data.get("state") == "running":
        try:
            touch(os.path.join(run_dir, HEARTBEAT_FILE))
        except OSError:
            pass
    if data.get("state") in ("starting", "running") and not same_process(
        data.get("supervisor_pid"), data.get("supervisor_start")
    ):
        data = dict(data, state="lost", reason="lost", partial=True,
                    error="the supervisor (pid %s) ended without recording the end of the run"
                    % data.get("supervisor_pid"))
    return data


def stop(run_dir: str, wait: float = 60) -> dict[str, Any]:
    """Stop a running job (SIGTERM to its supervisor, which ends the process group)."""
    data = status(run_dir)
    if data.get("state") == "finished":
        return dict(data, stop_sent=False)
    if data.get("state") == "lost":
        pgid = data.get("pgid")
        if pgid and same_process(data.get("pid"), data.get("pid_start")):
            _signal_group(int(pgid), signal.SIGTERM)
            time.sleep(2)
            _signal_group(int(pgid), signal.SIGKILL)
        return dict(data, stop_sent=bool(pgid))
    try:
        os.kill(int(data["supervisor_pid"]), signal.SIGTERM)
    except ProcessLookupError:
        pass
    except OSError as exc:
        if exc.errno != errno.ESRCH:
            raise TempestJobError("cannot signal the supervisor %s: %s" % (data["supervisor_pid"], exc)) from None
    end = time.monotonic() + wait
    while time.monotonic() < end:
        data = status(run_dir)
        if data.get("state") in ("finished", "lost"):
            break
        time.sleep(0.5)
    return dict(data, stop_sent=True)


def progress_line(label: str, data: Mapping[str, Any]) -> str:
    """``object: 23/58 done, 1 failed, 2 running, 0:01:10`` (the line the action prints)."""
    counts = data.get("counts") or {}
    total = counts.get("expected") or "?"
    parts = ["%s/%s done" % (counts.get("done", 0), total)]
    failed = counts.get("failed", 0) + counts.get("fixture_failures", 0)
    parts.append("%d failed" % failed)
    if counts.get("skipped"):
        parts.append("%d skipped" % counts["skipped"])
    if data.get("state") == "running" and counts.get("running"):
        parts.append("%d running" % counts["running"])
    parts.append(_fmt(float(data.get("elapsed") or 0)))
    return "%s: %s" % (label or "tempest", ", ".join(parts))


def rerun_candidates(selected: Sequence[str], results: Mapping[str, str]) -> list[str]:
    """Selected test ids whose first attempt did not settle (failed, interrupted, not run).

    Compared by test name (attributes stripped), so a listing and a run whose attributes
    differ still line up.
    """
    settled = set()
    for test_id, result in results.items():
        if result in SETTLED:
            settled.add(_base(test_id))
    return [t for t in selected if _base(t) not in settled]


def _base(test_id: str) -> str:
    return re.sub(r"\[[^\]]*\]", "", test_id)
