# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Start, stop and inspect detached sandbox processes, tracked by PID files.

A process is started in its own session (``setsid``), with stdin from ``/dev/null`` and
stdout/stderr appended to a log file. Its PID goes to a PID file and, next to it, a small JSON
record with the kernel start time of that PID, so a later stop or status check never mistakes a
recycled PID for ours. Stopping signals only the recorded PID and the members of the session it
leads (which are processes it forked, e.g. gunicorn workers), never anything found by name.

Linux only (reads ``/proc``).
"""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
from dataclasses import dataclass, field
from typing import Callable, Optional

from ansible.module_utils.urls import open_url
from ansible_collections.openinfra.interop.plugins.module_utils.atomic import atomic_write
from ansible_collections.openinfra.interop.plugins.module_utils.toolrun import (
    PROC,
    proc_start_time,
    stat_fields,
)


class ProcessError(Exception):
    """A clear, user-facing failure (the module turns it into ``fail_json``)."""


# --------------------------------------------------------------------------------------------
# /proc helpers
# --------------------------------------------------------------------------------------------


def is_alive(pid: int, proc: str = PROC) -> bool:
    """True when ``pid`` exists and is not a zombie."""
    fields = stat_fields(pid, proc)
    return fields is not None and fields[0] not in ("Z", "X")


def proc_cmdline(pid: int, proc: str = PROC) -> str:
    try:
        with open(f"{proc}/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        return ""


def proc_rss_bytes(pid: int, proc: str = PROC) -> int:
    """Resident set size of ``pid`` in bytes (0 when it is gone)."""
    try:
        with open(f"{proc}/{pid}/status", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def session_members(sid: int, proc: str = PROC) -> list[int]:
    """PIDs of live processes whose session id is ``sid`` (includes the leader)."""
    members = []
    try:
        entries = os.listdir(proc)
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        fields = stat_fields(int(entry), proc)
        # state ppid pgrp session ...
        if fields and len(fields) > 3 and int(fields[3]) == sid and fields[0] not in ("Z", "X"):
            members.append(int(entry))
    return sorted(members)


def parse_proc_net(text: str, port: int, listening_only: bool) -> list[int]:
    """Socket inodes bound to local ``port`` in a ``/proc/net/{tcp,udp}[6]`` table.

    ``listening_only`` keeps TCP sockets in state LISTEN (0A); UDP sockets have no such state.
    """
    inodes = []
    for line in text.splitlines()[1:]:
        parts = line.split()
        if len(parts) < 10:
            continue
        local, state, inode = parts[1], parts[3], parts[9]
        try:
            local_port = int(local.rsplit(":", 1)[1], 16)
        except (IndexError, ValueError):
            continue
        if local_port != port or (listening_only and state != "0A"):
            continue
        if inode.isdigit() and int(inode) != 0:
            inodes.append(int(inode))
    return inodes


def port_owners(port: int, protocol: str = "tcp", proc: str = PROC) -> list[tuple[int, str]]:
    """(pid, command line) of processes holding a socket bound to ``port`` (best effort)."""
    inodes: set[int] = set()
    for table in (protocol, protocol + "6"):
        try:
            with open(f"{proc}/net/{table}", encoding="utf-8") as handle:
                inodes.update(parse_proc_net(handle.read(), port, protocol == "tcp"))
        except OSError:
            continue
    if not inodes:
        return []
    wanted = {f"socket:[{inode}]" for inode in inodes}
    owners = []
    for entry in os.listdir(proc):
        if not entry.isdigit():
            continue
        fd_dir = f"{proc}/{entry}/fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"{fd_dir}/{fd}") in wanted:
                    owners.append((int(entry), proc_cmdline(int(entry))))
                    break
            except OSError:
                continue
    return owners


# --------------------------------------------------------------------------------------------
# ports and URLs
# --------------------------------------------------------------------------------------------


def tcp_port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            # a port in the ephemeral range with nothing listening can "connect" to itself
            # (TCP simultaneous open): that is not a listener
            return sock.getsockname() != sock.getpeername()
    except OSError:
        return False


def udp_port_bound(host: str, port: int) -> bool:
    """True when host:port (UDP) is already bound by some process."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.bind((host, port))
    except OSError as exc:
        return exc.errno == errno.EADDRINUSE
    finally:
        sock.close()
    return False


def port_in_use(host: str, port: int, protocol: str) -> bool:
    if protocol == "udp":
        return udp_port_bound(host, port)
    return tcp_port_open(host, port)


def url_ready(url: str, timeout: float = 2.0) -> bool:
    """True when ``url`` answers HTTP with a status below 500."""
    try:
        with open_url(url, timeout=timeout, validate_certs=False, follow_redirects="none") as response:
            return response.status < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except (urllib.error.URLError, OSError, ValueError):
        return False


def log_tail(path: str, lines: int = 25, max_bytes: int = 16384) -> str:
    """The last ``lines`` lines of a log file ("" when it cannot be read)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - max_bytes))
            data = handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(data.splitlines()[-lines:])


# --------------------------------------------------------------------------------------------
# PID files
# --------------------------------------------------------------------------------------------


def record_path(pidfile: str) -> str:
    """Path of the JSON record that sits next to a PID file (``x.pid`` -> ``x.json``)."""
    base = pidfile[:-4] if pidfile.endswith(".pid") else pidfile
    return base + ".json"


@dataclass
class Tracked:
    """What a PID file says, checked against ``/proc``."""

    pid: Optional[int] = None
    record: dict = field(default_factory=dict)
    running: bool = False
    stale: bool = False  # a PID file exists but its process is gone (or the PID was recycled)


def read_tracked(pidfile: str, proc: str = PROC) -> Tracked:
    try:
        with open(pidfile, encoding="utf-8") as handle:
            text = handle.read().strip()
    except FileNotFoundError:
        return Tracked()
    except OSError as exc:
        raise ProcessError(f"cannot read PID file {pidfile}: {exc}") from exc
    try:
        pid = int(text.splitlines()[0])
    except (IndexError, ValueError):
        return Tracked(stale=True)
    record: dict = {}
    try:
        with open(record_path(pidfile), encoding="utf-8") as handle:
            record = json.load(handle)
    except (OSError, ValueError):
        record = {}
    running = is_alive(pid, proc)
    if running and record.get("pid") == pid and "start_time" in record:
        # a recycled PID belongs to someone else: never signal it
        running = proc_start_time(pid, proc) == record["start_time"]
    return Tracked(pid=pid, record=record, running=running, stale=not running)


def remove_tracking(pidfile: str) -> None:
    for path in (pidfile, record_path(pidfile)):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


# --------------------------------------------------------------------------------------------
# start / stop
# --------------------------------------------------------------------------------------------


@dataclass
class Spec:
    """How to start one process and how to tell that it is ready."""

    name: str
    pidfile: str
    command: list[str] = field(default_factory=list)
    log_file: Optional[str] = None
    chdir: Optional[str] = None
    environment: dict[str, str] = field(default_factory=dict)
    host: str = "127.0.0.1"
    port: Optional[int] = None
    protocol: str = "tcp"
    url: Optional[str] = None
    timeout: float = 60.0
    stop_timeout: float = 15.0
    hint: str = ""


def _ready(spec: Spec, pid: int) -> bool:
    if spec.url:
        return url_ready(spec.url)
    if spec.port:
        if spec.protocol == "udp":
            return bool(udp_port_bound(spec.host, spec.port))
        return tcp_port_open(spec.host, spec.port)
    return is_alive(pid)


def describe_owner(port: int, protocol: str) -> str:
    owners = port_owners(port, protocol)
    if not owners:
        return ""
    pid, cmd = owners[0]
    return f" (pid {pid}: {cmd[:120] or '?'})"


def wait_ready(spec: Spec, pid: int, popen: Optional[subprocess.Popen] = None,
               sleep: Callable[[float], None] = time.sleep) -> None:
    """Wait until the process answers; raise ProcessError with the log tail if it dies."""
    deadline = time.monotonic() + spec.timeout
    while True:
        exited = popen.poll() if popen is not None else None
        if exited is not None or not is_alive(pid):
            tail = log_tail(spec.log_file) if spec.log_file else ""
            status = f" with status {exited}" if exited is not None else ""
            raise ProcessError(
                f"{spec.name} (pid {pid}) exited{status} while starting; "
                f"see {spec.log_file}. Last lines:\n{tail}")
        if _ready(spec, pid):
            return
        if time.monotonic() >= deadline:
            target = spec.url or (f"{spec.protocol} port {spec.host}:{spec.port}" if spec.port else "")
            tail = log_tail(spec.log_file) if spec.log_file else ""
            raise ProcessError(
                f"{spec.name} (pid {pid}) did not become ready on {target} within "
                f"{spec.timeout:g}s; see {spec.log_file}. Last lines:\n{tail}")
        sleep(0.25)


def check_port_free(spec: Spec, grace: float = 3.0,
                    sleep: Callable[[float], None] = time.sleep) -> None:
    """Raise ProcessError naming the port when another process holds it.

    A socket with no visible owner may be one that is still being torn down (a process that
    was just stopped or killed): it gets ``grace`` seconds to go away.
    """
    if not spec.port:
        return
    deadline = time.monotonic() + grace
    while port_in_use(spec.host, spec.port, spec.protocol):
        owner = describe_owner(spec.port, spec.protocol)
        if owner or time.monotonic() >= deadline:
            hint = f" {spec.hint}" if spec.hint else ""
            raise ProcessError(
                f"cannot start {spec.name}: {spec.protocol} port {spec.port} on {spec.host} is "
                f"already in use by another process{owner}.{hint}")
        sleep(0.2)


def start(spec: Spec) -> int:
    """Start ``spec.command`` detached, record it, wait until ready; return the PID."""
    if not spec.command:
        raise ProcessError(f"cannot start {spec.name}: no command given")
    executable = spec.command[0]
    if os.sep in executable and not os.access(executable, os.X_OK):
        raise ProcessError(f"cannot start {spec.name}: {executable} is not an executable file")
    check_port_free(spec)
    os.makedirs(os.path.dirname(os.path.abspath(spec.pidfile)), exist_ok=True)
    log_path = spec.log_file or os.devnull
    if spec.log_file:
        os.makedirs(os.path.dirname(os.path.abspath(spec.log_file)), exist_ok=True)
    env = dict(os.environ)
    env.update({k: str(v) for k, v in spec.environment.items()})
    with open(log_path, "ab", buffering=0) as log:
        if spec.log_file:
            stamp = time.strftime("%Y-%m-%d %H:%M:%S")
            log.write(f"--- {stamp} starting {spec.name}: {' '.join(spec.command)}\n".encode())
        try:
            popen = subprocess.Popen(  # noqa: S603 (argv list, no shell)
                spec.command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=spec.chdir or "/", env=env, start_new_session=True, close_fds=True)
        except OSError as exc:
            raise ProcessError(f"cannot start {spec.name}: {exc}") from exc
    pid = popen.pid
    record = {"pid": pid, "name": spec.name, "start_time": proc_start_time(pid),
              "command": spec.command, "log_file": spec.log_file, "port": spec.port,
              "protocol": spec.protocol, "url": spec.url}
    atomic_write(record_path(spec.pidfile), json.dumps(record, indent=1) + "\n")
    atomic_write(spec.pidfile, f"{pid}\n")
    try:
        wait_ready(spec, pid, popen)
    except ProcessError:
        stop_pid(pid, record.get("start_time"), spec.stop_timeout)
        popen.poll()
        remove_tracking(spec.pidfile)
        raise
    # the child outlives this process: it is re-parented when we exit; stop tracking it here
    popen.returncode = 0
    return pid


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def stop_pid(pid: int, start_time: Optional[int], timeout: float,
             sleep: Callable[[float], None] = time.sleep) -> bool:
    """Stop ``pid`` (SIGTERM, then SIGKILL) and what is left of the session it leads.

    Returns True when a process was signalled. ``start_time`` guards against a recycled PID.
    """
    def ours(candidate: int) -> bool:
        return start_time is None or proc_start_time(candidate) == start_time

    if not is_alive(pid) or not ours(pid):
        return False
    members = [m for m in session_members(pid) if m != pid]
    member_starts = {m: proc_start_time(m) for m in members}
    _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and is_alive(pid) and ours(pid):
        sleep(0.1)
    if is_alive(pid) and ours(pid):
        _signal(pid, signal.SIGKILL)
    # members of the session the leader created (forked workers): give them a moment, then kill
    grace = time.monotonic() + 3
    for member, started in member_starts.items():
        while time.monotonic() < grace and is_alive(member) and proc_start_time(member) == started:
            sleep(0.1)
        if is_alive(member) and proc_start_time(member) == started:
            _signal(member, signal.SIGKILL)

    # a killed process holds its sockets until it is gone: wait for that, so that a restart
    # right after finds its port free
    def left() -> list[int]:
        leader = [pid] if is_alive(pid) and ours(pid) else []
        return leader + [m for m, started in member_starts.items()
                         if is_alive(m) and proc_start_time(m) == started]

    gone_by = time.monotonic() + 10
    while left() and time.monotonic() < gone_by:
        sleep(0.1)
    return True


@dataclass
class Status:
    name: str
    pidfile: str
    running: bool
    pid: Optional[int]
    rss_bytes: int
    session_pids: list[int]
    log_file: Optional[str]

    def as_dict(self) -> dict:
        return {"name": self.name, "pidfile": self.pidfile, "running": self.running,
                "pid": self.pid, "rss_bytes": self.rss_bytes, "session_pids": self.session_pids,
                "log_file": self.log_file}


def status(name: str, pidfile: str) -> Status:
    tracked = read_tracked(pidfile)
    pids = session_members(tracked.pid) if tracked.running and tracked.pid else []
    if tracked.running and tracked.pid and tracked.pid not in pids:
        pids.insert(0, tracked.pid)
    return Status(name=name, pidfile=pidfile, running=tracked.running, pid=tracked.pid,
                  rss_bytes=sum(proc_rss_bytes(p) for p in pids), session_pids=pids,
                  log_file=tracked.record.get("log_file"))


@dataclass
class Outcome:
    changed: bool
    pid: Optional[int]
    action: str  # started, restarted, stopped, running, absent, cleaned
    msg: str


def ensure(spec: Spec, state: str, check_mode: bool = False) -> Outcome:
    """Bring the tracked process to ``state`` (started, restarted, stopped)."""
    tracked = read_tracked(spec.pidfile)
    if state == "stopped":
        if not tracked.running:
            if tracked.stale or tracked.pid is not None:
                if not check_mode:
                    remove_tracking(spec.pidfile)
                return Outcome(True, None, "cleaned",
                               f"{spec.name} was not running; removed its stale PID file")
            return Outcome(False, None, "absent", f"{spec.name} is not running")
        if check_mode:
            return Outcome(True, tracked.pid, "stopped", f"{spec.name} (pid {tracked.pid}) would be stopped")
        stop_pid(tracked.pid, tracked.record.get("start_time"), spec.stop_timeout)  # type: ignore[arg-type]
        remove_tracking(spec.pidfile)
        return Outcome(True, tracked.pid, "stopped", f"stopped {spec.name} (pid {tracked.pid})")

    if tracked.running and state == "started" and spec.command and \
            tracked.record.get("command") not in (None, spec.command):
        # started with another command line (e.g. a changed port): start it the new way
        state = "restarted"
    if tracked.running and state == "started":
        # already ours and alive: leave it alone, only make sure it still answers
        wait_ready(spec, tracked.pid)  # type: ignore[arg-type]
        return Outcome(False, tracked.pid, "running", f"{spec.name} is running (pid {tracked.pid})")
    if check_mode:
        if not tracked.running:
            check_port_free(spec)
        verb = "restarted" if tracked.running else "started"
        return Outcome(True, tracked.pid, verb, f"{spec.name} would be {verb}")
    action = "started"
    if tracked.running:
        stop_pid(tracked.pid, tracked.record.get("start_time"), spec.stop_timeout)  # type: ignore[arg-type]
        action = "restarted"
    remove_tracking(spec.pidfile)
    pid = start(spec)
    return Outcome(True, pid, action, f"{action} {spec.name} (pid {pid})")
