#!/usr/bin/python
# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Start, inspect or stop a detached, supervised Tempest run on the test-runner host."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: tempest_job
short_description: Start, inspect or stop a detached Tempest run on the test-runner host
version_added: 0.1.0
description:
  - The runner-side half of M(openinfra.interop.tempest_run), which calls it to start a run,
    poll its progress and stop it; use that action in playbooks. This module can also be
    driven directly (for example from a loop with C(until)).
  - O(state=started) starts a supervisor process detached from Ansible (own session,
    standard streams on C(/dev/null)) and returns at once. The supervisor runs Tempest in its
    own process group, writes the subunit v2 stream to C(<run_dir>/results.subunit) in whole
    packets only (so the file is a valid stream even if Tempest is killed), Tempest's
    a readable line per finished test (with tracebacks) and standard error to
    C(<run_dir>/console.log), and its progress to C(<run_dir>/status.json); at the end the
    part of Tempest's own log written during the run is saved as C(<run_dir>/tempest.log).
  - The supervisor enforces O(timeout) itself (C(SIGTERM) to the process group, C(SIGKILL)
    after 10 seconds) and marks the run partial.
  - O(state=status) reads the status (never changes anything); O(state=stopped) asks the
    supervisor to stop the run and waits for it to record the end.
  - Processes are only signalled through their recorded PIDs, checked against their kernel
    start time. Linux only (reads C(/proc)).
author:
  - openinfra.interop contributors (!UNKNOWN)
options:
  state:
    description: What to do.
    type: str
    choices: [started, status, stopped]
    default: status
  run_dir:
    description: Directory of this run (status, stream, log, include list). Created if needed.
    type: path
    required: true
  force:
    description: With O(state=started), replace a finished run that O(run_dir) already holds.
    type: bool
    default: false
  runner:
    description:
      - V(native) runs C(tempest run --subunit --include-list ...) in O(workspace).
      - V(refstack-client) runs C(refstack-client test -c <config_file> -v --test-list ...)
        in O(refstack_client_home) and, at the end, converts the stream its stestr repository
        keeps (subunit v1) to v2 with python-subunit's C(subunit-1to2) into
        C(<run_dir>/results.subunit); progress comes from Tempest's text output.
    type: str
    choices: [native, refstack-client]
    default: native
  workspace:
    description: Tempest workspace (C(tempest init)); the working directory of a native run.
    type: path
  venv:
    description:
      - Virtualenv of Tempest (C(<venv>/bin/tempest)). Needed for V(native).
      - With V(refstack-client), its C(subunit-1to2) converts the stream when refstack-client's
        own C(.tempest/.venv) has none.
    type: path
  config_file:
    description:
      - tempest.conf of the run. Default C(<workspace>/etc/tempest.conf).
      - Its C([auth]) section decides O(concurrency=auto).
    type: path
  include_file:
    description: Include list (one regex per line) of a native run.
    type: path
  include_tests:
    description:
      - Test ids to run instead of O(include_file) (e.g. the failed tests of a first attempt);
        written to C(<run_dir>/include-list.txt) (native) or C(<run_dir>/test-list.txt)
        (refstack-client).
    type: list
    elements: str
  test_list:
    description: Test list in the guideline format (C(name[id]) lines) for V(refstack-client).
    type: path
  concurrency:
    description:
      - Number of Tempest workers, or V(auto) - the number of cores; with pre-provisioned
        accounts (C(use_dynamic_credentials = false)) at most half the number of accounts in
        C(test_accounts_file); never more than the number of tests.
      - With V(refstack-client), a value above 1 passes C(--parallel) (Tempest then picks the
        worker count).
    type: str
    default: auto
  expected:
    description: Number of tests the run should execute (for the progress total).
    type: int
    default: 0
  timeout:
    description: Overall timeout in seconds; V(0) means none.
    type: int
    default: 0
  label:
    description: Name shown in progress lines (the program).
    type: str
    default: ""
  heartbeat_timeout:
    description:
      - With O(state=started), stop the run (reason V(abandoned)) when no O(state=status) call
        came for this many seconds - the controller was killed or lost its connection. Every
        status call renews the lease. V(0) disables it (the run then ends only by itself, by
        O(timeout) or by O(state=stopped)).
    type: int
    default: 0
  heartbeat:
    description:
      - With O(state=status), renew the lease of a running run (see O(heartbeat_timeout)).
        V(false) reads the status of a run that another (perhaps killed) controller started
        without keeping it alive.
    type: bool
    default: true
  extra_args:
    description: More arguments for C(tempest run) (native) or after C(--) of refstack-client.
    type: list
    elements: str
    default: []
  refstack_client:
    description: Path of the C(refstack-client) executable. Needed for V(refstack-client).
    type: path
  refstack_client_home:
    description:
      - Working directory of refstack-client, the one that holds its C(.tempest) directory
        (its Tempest checkout with C(.venv), C(tools/with_venv.sh) and C(.stestr.conf)).
      - Default is the parent of the directory of O(refstack_client) when that is a
        C(.venv/bin), else the directory of O(refstack_client).
    type: path
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: partial
    details: O(state=status) runs in check mode; O(state=started) and O(state=stopped) report what they would do.
  diff_mode:
    support: none
  platform:
    platforms: [linux]
seealso:
  - module: openinfra.interop.tempest_run
"""

EXAMPLES = r"""
- name: Start the object program's tests
  openinfra.interop.tempest_job:
    state: started
    run_dir: /var/lib/interop/workspace/interop/object/attempt-1
    workspace: /var/lib/interop/workspace
    venv: /var/lib/interop/venv
    include_file: /var/lib/interop/workspace/interop/object/include-list.txt
    expected: 58
    concurrency: auto
    timeout: 3600
    label: object

- name: Wait for the end of the run
  openinfra.interop.tempest_job:
    run_dir: /var/lib/interop/workspace/interop/object/attempt-1
  register: job
  until: job.job_state != 'running'
  retries: 720
  delay: 5
"""

RETURN = r"""
job_state:
  description: V(running), V(finished) or V(lost) (the supervisor died without recording the end).
  returned: success
  type: str
  sample: finished
reason:
  description:
    - Why the run ended - V(completed) (exit 0), V(failed) (tests failed), V(timeout), V(stopped),
      V(abandoned) (no status call within O(heartbeat_timeout)), V(killed) (Tempest died of a
      signal), V(not-started), V(lost).
  returned: when finished
  type: str
partial:
  description: The run did not finish every test it started, or was cut short.
  returned: when finished
  type: bool
rc:
  description: Exit code of the runner command (negative - killed by that signal).
  returned: when finished
  type: int
no_test_ran:
  description: Not a single test started (a usage error of Tempest, no test selected); the run did not happen.
  returned: when finished without any test
  type: bool
output_tail:
  description: The last lines of the console output (Tempest's own error message) of a run where no test ran.
  returned: when finished without any test
  type: str
  sample: "tempest run: error: unrecognized arguments: --no-such-option"
counts:
  description: done, expected, running, passed, failed, skipped, xfail, fixture_failures.
  returned: success
  type: dict
  sample: {done: 23, expected: 58, running: 2, passed: 22, failed: 1, skipped: 0, xfail: 0, fixture_failures: 0}
failed_tests:
  description:
    - Ids of the tests that failed so far, in order. (Not named C(failed), which would make
      Ansible treat the status call itself as failed.)
  returned: success
  type: list
  elements: str
test_results:
  description: Final status of every test that ended, by test id.
  returned: when finished
  type: dict
elapsed:
  description: Seconds since the start.
  returned: success
  type: float
stream:
  description: Path of the subunit v2 stream.
  returned: success
  type: str
log:
  description:
    - Path of the Tempest log of this run - what Tempest appended to its own log file
      (C([DEFAULT] log_dir/log_file) of tempest.conf) during the run, else the console output.
      Written when the run ends.
  returned: success
  type: str
console:
  description: Path of the console log (one readable line per finished test with tracebacks, standard error).
  returned: success
  type: str
command:
  description: The command run.
  returned: success
  type: list
  elements: str
concurrency:
  description: Number of workers used and why.
  returned: when O(state=started)
  type: dict
  sample: {workers: 2, why: "auto: min(2 cores, dynamic credentials)"}
progress_line:
  description: "One line of progress, for example C(object: 23/58 done, 1 failed, 2 running, 0:01:10)."
  returned: success
  type: str
"""

import os
from typing import Any

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.openinfra.interop.plugins.module_utils.tempest_job import (
    INCLUDE_FILE,
    RUNNERS,
    TEST_LIST_FILE,
    RunSpec,
    TempestJobError,
    native_command,
    next_stestr_stream,
    progress_line,
    refstack_client_command,
    resolve_concurrency,
    start,
    credential_files,
    tempest_log_path,
    status,
    stop,
)
from ansible_collections.openinfra.interop.plugins.module_utils.tempest_ids import parse_test_id
from ansible_collections.openinfra.interop.plugins.module_utils.tempest_tests import (
    atomic_write,
    build_include_lines,
    include_file_text,
)


def _refstack_home(params: dict[str, Any]) -> str:
    if params["refstack_client_home"]:
        return params["refstack_client_home"]
    bindir = os.path.dirname(params["refstack_client"])
    if os.path.basename(bindir) == "bin" and os.path.basename(os.path.dirname(bindir)) == ".venv":
        return os.path.dirname(os.path.dirname(bindir))
    return bindir


def _subunit_1to2(tempest_dir: str, venv: str | None) -> list[str] | None:
    """python-subunit's v1 -> v2 converter of refstack-client's Tempest, else of O(venv)."""
    for base in (os.path.join(tempest_dir, ".venv"), venv):
        if base and os.access(os.path.join(base, "bin", "subunit-1to2"), os.X_OK):
            return [os.path.join(base, "bin", "subunit-1to2")]
    return None


def _spec(module: AnsibleModule) -> tuple[RunSpec, dict[str, Any]]:
    params = module.params
    run_dir = params["run_dir"]
    workspace = params["workspace"]
    config_file = params["config_file"] or (os.path.join(workspace, "etc", "tempest.conf") if workspace else None)
    tests = params["expected"] or (len(params["include_tests"]) if params["include_tests"] else None)
    workers, why = resolve_concurrency(params["concurrency"], config_file, tests)
    include_tests = params["include_tests"]
    if params["runner"] == "native":
        for name in ("workspace", "venv"):
            if not params[name]:
                raise TempestJobError("%s is required for runner=native" % name)
        if not os.path.isfile(os.path.join(workspace, ".stestr.conf")):
            raise TempestJobError("%s is not a Tempest workspace (no .stestr.conf; create it with 'tempest init')" % workspace)
        include = params["include_file"]
        if include_tests is not None:
            include = os.path.join(run_dir, INCLUDE_FILE)
            parsed = [parse_test_id(t) for t in include_tests]
            lines = build_include_lines(p for p in parsed if p is not None)
            if not module.check_mode:
                atomic_write(include, include_file_text(lines, ["tests to run again (%d)" % len(lines)]).encode())
        elif not include or not os.path.isfile(include):
            raise TempestJobError("include_file %s does not exist (write it with openinfra.interop.tempest_tests)" % include)
        command = native_command(params["venv"], include, workers, config_file, params["extra_args"])
        spec = RunSpec(
            command=command, chdir=workspace, run_dir=run_dir, progress="subunit",
            env={"PATH": "%s:%s" % (os.path.join(params["venv"], "bin"), os.environ.get("PATH", "/usr/bin:/bin"))},
            unset_env=["TEMPEST_CONFIG_DIR", "TEMPEST_CONFIG"],
            timeout=params["timeout"], expected=params["expected"] or len(include_tests or ()), label=params["label"],
            tempest_log_source=tempest_log_path(config_file, workspace), heartbeat_timeout=params["heartbeat_timeout"],
            secret_files=credential_files(config_file),
        )
    else:
        exe = params["refstack_client"]
        if not exe or not os.access(exe, os.X_OK):
            raise TempestJobError(
                "refstack_client %r is not an executable file; give the path of an installed "
                "refstack-client (e.g. <checkout>/.venv/bin/refstack-client)" % (exe,)
            )
        home = _refstack_home(params)
        tempest_dir = os.path.join(home, ".tempest")
        if not os.path.isdir(tempest_dir):
            raise TempestJobError(
                "refstack-client needs its Tempest directory %s (refstack_client_home must be the "
                "directory that holds .tempest)" % tempest_dir
            )
        if not config_file or not os.path.isfile(config_file):
            raise TempestJobError("config_file %s does not exist" % config_file)
        test_list = params["test_list"]
        if include_tests is not None:
            test_list = os.path.join(run_dir, TEST_LIST_FILE)
            if not module.check_mode:
                atomic_write(test_list, ("\n".join(include_tests) + "\n").encode())
        elif not test_list or not os.path.isfile(test_list):
            raise TempestJobError("test_list %s does not exist (the guideline list, from guideline_info dest)" % test_list)
        command = refstack_client_command(exe, config_file, test_list, workers, params["label"], params["extra_args"])
        spec = RunSpec(
            command=command, chdir=home, run_dir=run_dir, progress="text",
            timeout=params["timeout"], expected=params["expected"] or len(include_tests or ()), label=params["label"],
            copy_stream_from=next_stestr_stream(os.path.join(tempest_dir, ".stestr")),
            convert_v1_command=_subunit_1to2(tempest_dir, params["venv"]),
            tempest_log_source=tempest_log_path(config_file, tempest_dir), heartbeat_timeout=params["heartbeat_timeout"],
            secret_files=credential_files(config_file),
        )
    return spec, {"workers": workers, "why": why}


def _result(data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    out = dict(data)
    out["job_state"] = out.pop("state", None)
    if "results" in out:  # 'results' is reserved in Ansible task results
        out["test_results"] = out.pop("results")
    out["progress_line"] = progress_line(out.get("label") or "", data)
    out.update(extra)
    return out


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "state": {"type": "str", "choices": ["started", "status", "stopped"], "default": "status"},
            "run_dir": {"type": "path", "required": True},
            "force": {"type": "bool", "default": False},
            "runner": {"type": "str", "choices": list(RUNNERS), "default": "native"},
            "workspace": {"type": "path"},
            "venv": {"type": "path"},
            "config_file": {"type": "path"},
            "include_file": {"type": "path"},
            "include_tests": {"type": "list", "elements": "str"},
            "test_list": {"type": "path"},
            "concurrency": {"type": "str", "default": "auto"},
            "expected": {"type": "int", "default": 0},
            "timeout": {"type": "int", "default": 0},
            "label": {"type": "str", "default": ""},
            "heartbeat_timeout": {"type": "int", "default": 0},
            "heartbeat": {"type": "bool", "default": True},
            "extra_args": {"type": "list", "elements": "str", "default": []},
            "refstack_client": {"type": "path"},
            "refstack_client_home": {"type": "path"},
        },
        supports_check_mode=True,
    )
    params = module.params
    if params["timeout"] < 0:
        module.fail_json(msg="timeout must be 0 (none) or a number of seconds, got %s" % params["timeout"])
    try:
        if params["state"] == "status":
            module.exit_json(changed=False, **_result(status(params["run_dir"], heartbeat=params["heartbeat"] and not module.check_mode)))
        if params["state"] == "stopped":
            if module.check_mode:
                data = status(params["run_dir"])
                module.exit_json(changed=data.get("state") == "running", **_result(data))
            data = stop(params["run_dir"])
            module.exit_json(changed=bool(data.pop("stop_sent", False)), **_result(data))
        spec, concurrency = _spec(module)
        if module.check_mode:
            module.exit_json(changed=True, command=spec.command, concurrency=concurrency, job_state="not-started")
        data = start(spec, force=params["force"])
        module.exit_json(changed=True, concurrency=concurrency, **_result(data))
    except TempestJobError as exc:
        module.fail_json(msg=str(exc))


if __name__ == "__main__":
    main()
