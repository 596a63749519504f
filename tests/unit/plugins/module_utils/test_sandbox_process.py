# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""sandbox_process helpers that need no started server (real /proc of this test process)."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils import sandbox_process as sp

# /proc/net/tcp as the kernel writes it: one socket listening on 127.0.0.1:5000 (0x1388),
# one established connection from port 5000, one listening on another port
PROC_NET_TCP = """\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1388 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0
   1: 0100007F:1388 0100007F:D2A4 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0
   2: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444 1 0
"""
PROC_NET_UDP = """\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  1: 0100007F:1414 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 5151 2 0 0
"""


def test_parse_proc_net_keeps_listening_tcp_sockets_of_the_port() -> None:
    assert sp.parse_proc_net(PROC_NET_TCP, 5000, listening_only=True) == [4242]
    assert sp.parse_proc_net(PROC_NET_TCP, 5000, listening_only=False) == [4242, 4343]
    assert sp.parse_proc_net(PROC_NET_TCP, 8080, listening_only=True) == [4444]
    assert sp.parse_proc_net(PROC_NET_TCP, 6200, listening_only=True) == []


def test_parse_proc_net_udp_has_no_listen_state() -> None:
    assert sp.parse_proc_net(PROC_NET_UDP, 5140, listening_only=False) == [5151]


def test_stat_fields_survive_a_command_name_with_spaces_and_parentheses(tmp_path: Path) -> None:
    (tmp_path / "77").mkdir()
    (tmp_path / "77" / "stat").write_text(
        "77 (odd (name) x) S 1 77 77 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 123456 0 0\n")
    assert sp.proc_start_time(77, proc=str(tmp_path)) == 123456
    assert sp.is_alive(77, proc=str(tmp_path))
    (tmp_path / "77" / "stat").write_text(
        "77 (zombie) Z 1 77 77 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 123456 0 0\n")
    assert not sp.is_alive(77, proc=str(tmp_path))
    assert not sp.is_alive(78, proc=str(tmp_path))
    assert sp.proc_start_time(78, proc=str(tmp_path)) is None


def test_this_process_is_alive_and_leads_no_foreign_session() -> None:
    me = os.getpid()
    assert sp.is_alive(me)
    assert sp.proc_start_time(me) is not None
    assert sp.proc_rss_bytes(me) > 0
    assert me in sp.session_members(os.getsid(me))


def test_record_path_sits_beside_the_pidfile() -> None:
    assert sp.record_path("/x/run/keystone.pid") == "/x/run/keystone.json"
    assert sp.record_path("/x/run/keystone") == "/x/run/keystone.json"


def _track(tmp_path: Path, pid: int, start_time: object) -> str:
    pidfile = tmp_path / "p.pid"
    pidfile.write_text(f"{pid}\n")
    (tmp_path / "p.json").write_text(json.dumps({"pid": pid, "start_time": start_time}))
    return str(pidfile)


def test_read_tracked_recognises_the_recorded_process(tmp_path: Path) -> None:
    me = os.getpid()
    tracked = sp.read_tracked(_track(tmp_path, me, sp.proc_start_time(me)))
    assert tracked.running and tracked.pid == me and not tracked.stale


def test_a_recycled_pid_is_never_taken_for_the_process(tmp_path: Path) -> None:
    me = os.getpid()
    pidfile = _track(tmp_path, me, sp.proc_start_time(me) - 1)
    tracked = sp.read_tracked(pidfile)
    assert not tracked.running and tracked.stale
    # stopping it only removes the stale PID file; this test process is not signalled
    outcome = sp.ensure(sp.Spec(name="p", pidfile=pidfile), "stopped")
    assert outcome.action == "cleaned" and outcome.changed
    assert not os.path.exists(pidfile) and not (tmp_path / "p.json").exists()


def test_missing_and_garbled_pidfiles(tmp_path: Path) -> None:
    assert sp.read_tracked(str(tmp_path / "none.pid")) == sp.Tracked()
    garbled = tmp_path / "g.pid"
    garbled.write_text("not a pid\n")
    assert sp.read_tracked(str(garbled)).stale
    outcome = sp.ensure(sp.Spec(name="none", pidfile=str(tmp_path / "none.pid")), "stopped")
    assert (outcome.changed, outcome.action) == (False, "absent")


def test_check_mode_stop_of_a_stale_pidfile_keeps_it(tmp_path: Path) -> None:
    pidfile = _track(tmp_path, 2**22 + 1, 1)  # above the default pid_max: never alive
    outcome = sp.ensure(sp.Spec(name="p", pidfile=pidfile), "stopped", check_mode=True)
    assert outcome.changed and os.path.exists(pidfile)


def test_start_needs_a_command(tmp_path: Path) -> None:
    with pytest.raises(sp.ProcessError, match="no command"):
        sp.start(sp.Spec(name="empty", pidfile=str(tmp_path / "e.pid")))


def test_start_refuses_a_missing_executable(tmp_path: Path) -> None:
    spec = sp.Spec(name="ghost", pidfile=str(tmp_path / "g.pid"), command=[str(tmp_path / "nope")])
    with pytest.raises(sp.ProcessError, match="not an executable file"):
        sp.start(spec)


def test_a_port_in_use_is_an_error_naming_the_port_and_its_owner(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        port = sock.getsockname()[1]
        spec = sp.Spec(name="svc", pidfile=str(tmp_path / "s.pid"), command=["/bin/true"],
                       port=port, hint="Set some_port to a free port.")
        with pytest.raises(sp.ProcessError) as err:
            sp.ensure(spec, "started", check_mode=True)
    message = str(err.value)
    assert f"tcp port {port} on 127.0.0.1 is already in use by another process (pid {os.getpid()}: " \
        in message
    assert message.endswith("Set some_port to a free port.")
    assert not (tmp_path / "s.pid").exists()


def test_a_bound_udp_port_is_in_use() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        assert sp.port_in_use("127.0.0.1", port, "udp")
        assert (os.getpid(), sp.proc_cmdline(os.getpid())) in sp.port_owners(port, "udp")
    assert not sp.port_in_use("127.0.0.1", port, "udp")


def test_check_mode_start_reports_without_starting(tmp_path: Path) -> None:
    spec = sp.Spec(name="svc", pidfile=str(tmp_path / "s.pid"), command=["/bin/sleep", "5"])
    outcome = sp.ensure(spec, "started", check_mode=True)
    assert (outcome.changed, outcome.action) == (True, "started")
    assert not (tmp_path / "s.pid").exists()


def test_log_tail(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    log.write_text("".join(f"line {i}\n" for i in range(100)))
    assert sp.log_tail(str(log), lines=3) == "line 97\nline 98\nline 99"
    assert sp.log_tail(str(tmp_path / "missing.log")) == ""


def test_url_ready_is_false_when_nothing_listens() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert not sp.url_ready(f"http://127.0.0.1:{port}/", timeout=0.5)
    assert not sp.tcp_port_open("127.0.0.1", port, timeout=0.5)
