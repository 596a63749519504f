#!/usr/bin/python
# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Start, stop or inspect one detached process of the sandbox cloud, tracked by a PID file."""

from __future__ import annotations

DOCUMENTATION = r"""
module: sandbox_process
short_description: Run one detached, PID-file tracked process of the sandbox cloud
version_added: 0.1.0
description:
  - Starts a command detached in its own session (like C(setsid)), with standard input from
    C(/dev/null) and standard output and error appended to O(log_file); writes its PID to
    O(pidfile) and, beside it, a JSON record (C(name.json)) with the kernel start time of that
    PID, so a recycled PID is never taken for the process.
  - Waits until the process answers on O(url) or O(port); if it dies meanwhile, fails with the
    last lines of its log.
  - A process that is already running (same PID, same start time) with the same O(command) is
    left alone and reported as unchanged; one started with another command line is restarted.
    A port held by any other process is an error that names the port.
  - Stopping signals only the recorded PID (C(SIGTERM), then C(SIGKILL) after O(stop_timeout))
    and what remains of the session that process leads (processes it forked).
  - Linux only (reads C(/proc)). Used by the P(openinfra.interop.sandbox_cloud#role) role.
author:
  - openinfra.interop contributors (!UNKNOWN)
options:
  name:
    description: Label of the process, used in messages.
    type: str
    required: true
  state:
    description:
      - V(started) starts the process unless it is already running.
      - V(restarted) stops a running process and starts it again.
      - V(stopped) stops it and removes its PID file; a stale PID file is removed too.
      - V(status) only reports (never changes anything).
    type: str
    choices: [started, restarted, stopped, status]
    default: started
  pidfile:
    description: PID file of the process (its JSON record is written beside it).
    type: path
    required: true
  command:
    description: Command as a list of arguments (no shell). Required to start.
    type: list
    elements: str
  log_file:
    description: File that receives standard output and error (appended).
    type: path
  chdir:
    description: Working directory of the process (default C(/)).
    type: path
  environment:
    description: Extra environment variables for the process.
    type: dict
    default: {}
  host:
    description: Address for the port check and the readiness check.
    type: str
    default: 127.0.0.1
  port:
    description:
      - Port the process listens on. Before starting, a port already in use is an error.
      - Without O(url), the process is ready when the port accepts TCP connections (or, for
        O(protocol=udp), when the port is bound).
    type: int
  protocol:
    description: Protocol of O(port).
    type: str
    choices: [tcp, udp]
    default: tcp
  url:
    description: HTTP URL that answers with a status below 500 once the process is ready.
    type: str
  timeout:
    description: Seconds to wait for readiness.
    type: int
    default: 60
  stop_timeout:
    description: Seconds to wait after C(SIGTERM) before C(SIGKILL).
    type: int
    default: 15
  conflict_hint:
    description: Sentence appended to the error when O(port) is in use (e.g. which variable moves it).
    type: str
    default: ""
attributes:
  check_mode:
    support: full
    description: Can run in check mode and report what would be started or stopped.
    details: A port conflict is reported in check mode too.
  diff_mode:
    support: none
    description: Returns no diff.
  platform:
    support: full
    description: Target platforms.
    platforms: [linux]
notes:
  - Processes are found only through their PID files, never by name.
"""

EXAMPLES = r"""
- name: Run memcached for the sandbox
  openinfra.interop.sandbox_process:
    name: memcached
    command: [/usr/bin/memcached, -l, 127.0.0.1, -p, "11211", -U, "0", -m, "64"]
    pidfile: /tmp/sandbox/run/memcached.pid
    log_file: /tmp/sandbox/log/memcached.log
    port: 11211

- name: Stop it again
  openinfra.interop.sandbox_process:
    name: memcached
    pidfile: /tmp/sandbox/run/memcached.pid
    state: stopped
"""

RETURN = r"""
name:
  description: The O(name) of the process.
  returned: always
  type: str
  sample: keystone
pidfile:
  description: The O(pidfile) of the process.
  returned: always
  type: str
pid:
  description: PID of the process (after the action; the stopped PID for O(state=stopped)).
  returned: when known
  type: int
  sample: 12345
action:
  description: What happened, one of C(started), C(restarted), C(running), C(stopped), C(cleaned), C(absent), C(status).
  returned: always
  type: str
  sample: running
running:
  description: Whether the process runs after the task.
  returned: always
  type: bool
rss_bytes:
  description: Resident memory of the process and the members of its session, in bytes.
  returned: always
  type: int
session_pids:
  description: PIDs of the process and the processes of its session.
  returned: always
  type: list
  elements: int
log_file:
  description: Log file of the process.
  returned: when known
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.openinfra.interop.plugins.module_utils.sandbox_process import (
    ProcessError,
    Spec,
    ensure,
    status,
)


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "name": {"type": "str", "required": True},
            "state": {"type": "str", "default": "started",
                      "choices": ["started", "restarted", "stopped", "status"]},
            "pidfile": {"type": "path", "required": True},
            "command": {"type": "list", "elements": "str"},
            "log_file": {"type": "path"},
            "chdir": {"type": "path"},
            "environment": {"type": "dict", "default": {}},
            "host": {"type": "str", "default": "127.0.0.1"},
            "port": {"type": "int"},
            "protocol": {"type": "str", "default": "tcp", "choices": ["tcp", "udp"]},
            "url": {"type": "str"},
            "timeout": {"type": "int", "default": 60},
            "stop_timeout": {"type": "int", "default": 15},
            "conflict_hint": {"type": "str", "default": ""},
        },
        required_if=[("state", "started", ["command"]), ("state", "restarted", ["command"])],
        supports_check_mode=True,
    )
    p = module.params
    if p["port"] is not None and not 0 < p["port"] < 65536:
        module.fail_json(msg=f"port {p['port']} is not a valid port; use 1-65535")
    spec = Spec(
        name=p["name"], pidfile=p["pidfile"], command=p["command"] or [], log_file=p["log_file"],
        chdir=p["chdir"], environment=p["environment"], host=p["host"], port=p["port"],
        protocol=p["protocol"], url=p["url"], timeout=float(p["timeout"]),
        stop_timeout=float(p["stop_timeout"]), hint=p["conflict_hint"],
    )
    try:
        if p["state"] == "status":
            info = status(spec.name, spec.pidfile)
            module.exit_json(changed=False, action="status", **info.as_dict())
        outcome = ensure(spec, p["state"], module.check_mode)
    except ProcessError as exc:
        module.fail_json(msg=str(exc))
    info = status(spec.name, spec.pidfile)
    module.exit_json(
        changed=outcome.changed, action=outcome.action, msg=outcome.msg, name=spec.name,
        pidfile=spec.pidfile,
        pid=outcome.pid if outcome.pid is not None else info.pid,
        running=info.running, rss_bytes=info.rss_bytes, session_pids=info.session_pids,
        log_file=info.log_file or spec.log_file,
    )


if __name__ == "__main__":
    main()
