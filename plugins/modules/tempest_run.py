#!/usr/bin/python
# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Documentation of the tempest_run action (the work is done by plugins/action/tempest_run.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: tempest_run
short_description: Run Tempest on the test-runner host with progress on the console, timeout and one rerun
version_added: 0.1.0
description:
  - Starts Tempest detached on the task's host (through M(openinfra.interop.tempest_job)),
    polls its status every O(poll_interval) seconds and prints progress lines on the
    controller's console while it runs (for example
    C([runner1] object - 23/58 done, 1 failed, 2 running, 0:01:10)), and one line per failed
    test as soon as it fails.
  - V(native) runner - C(tempest run --subunit --include-list <include_file>) in the Tempest
    workspace. The subunit v2 stream is written in whole packets only, so an interrupted run
    (Tempest killed, timeout, Ctrl-C on the controller) still leaves a valid, partial stream.
    Beside it, C(console.log) gets one readable line per finished test (with the traceback of
    failures) and Tempest's standard error, and at the end C(tempest.log) receives the part of
    Tempest's own debug log written during the run.
  - V(refstack-client) runner - the official C(refstack-client test -c <tempest.conf> -v
    --test-list <test_list>) (optional, for those who must run it; it is not on PyPI, so
    install it yourself or let the P(openinfra.interop.refstack_client#role) role pip-install
    it from a source you give). The stream its stestr repository keeps is copied beside the
    log at the end, so both runners give the same artifacts to
    M(openinfra.interop.refstack_results).
  - O(timeout) is enforced on the runner host (the process group gets C(SIGTERM), then
    C(SIGKILL)) and the attempt is marked partial. The run stops itself when the controller
    stops polling it (O(heartbeat_timeout)), for example after C(kill -9) of ansible-playbook.
  - The first C(SIGINT) or C(SIGTERM) to ansible-playbook while this action runs stops the run on
    the host and fails the task with RV(interrupted_by) set, but lets the play go on, so a
    C(rescue)/C(always) section can collect the partial result (the refstack_client role
    does); the play starts no further run. A second signal stops ansible-playbook at once, as
    ansible-core does by default.
  - With O(rerun_failed), the tests of O(tests) that failed, were interrupted or never ran in
    the first attempt run once more as a second attempt (its own stream and log); both
    attempts are recorded and returned.
  - With O(resume) (default), a run whose first attempt in O(run_dir) was interrupted
    (stopped, abandoned, killed, supervisor lost) is continued - its settled tests (passed,
    skipped) are kept and only the others run, as the second attempt.
  - Each attempt lives in C(<run_dir>/attempt-N/) (C(results.subunit), C(tempest.log),
    C(console.log), C(status.json)), replaced by the next run.
author:
  - openinfra.interop contributors (!UNKNOWN)
options:
  workspace:
    description: Tempest workspace on the host (C(tempest init); holds C(.stestr.conf) and C(etc/tempest.conf)).
    type: str
    required: true
  venv:
    description: Virtualenv of Tempest on the host. Required for V(native).
    type: str
  config_file:
    description: tempest.conf to use. Default C(<workspace>/etc/tempest.conf).
    type: str
  include_file:
    description:
      - Include list for V(native), as M(openinfra.interop.tempest_tests) writes it.
    type: str
  tests:
    description:
      - Test ids the include list selects (RV(openinfra.interop.tempest_tests#module:selected)).
        Gives the progress total and the tests a second attempt considers.
    type: list
    elements: str
    default: []
  test_list:
    description:
      - Test list file on the host for V(refstack-client) (C(name[attrs]) lines; refstack-client
        strips the attributes and maps the names to its own Tempest).
      - Default is the ids of O(tests), written to C(<run_dir>/attempt-1/test-list.txt).
    type: str
  label:
    description: Name of the run (the program), shown in progress lines and used for O(run_dir).
    type: str
    default: tempest
  run_dir:
    description: Directory of the attempts on the host. Default C(<workspace>/interop/<label>).
    type: str
  concurrency:
    description:
      - Number of Tempest workers, or V(auto) - the number of cores; with pre-provisioned
        accounts (C([auth] use_dynamic_credentials = false)) at most half the number of
        accounts of C(test_accounts_file), because a test class may lock a primary and an
        alternate account at once and Tempest fails tests that find every account locked;
        never more than the number of tests; at least 1. V(1) runs serially.
    type: str
    default: auto
  timeout:
    description: Overall timeout in seconds for all attempts together; V(0) means none.
    type: int
    default: 0
  poll_interval:
    description: Seconds between two status polls.
    type: float
    default: 5
  progress_every:
    description: Print a progress line at least this often (seconds) even when nothing changed.
    type: float
    default: 60
  heartbeat_timeout:
    description:
      - The run stops itself (reason V(abandoned), partial) when the controller has not polled it
        for this many seconds (at least 6 poll intervals) - the controller was killed or lost
        its connection to the host. Its process group gets C(SIGTERM), C(SIGKILL) 10 s later.
        V(0) lets an orphaned run go on to its end or O(timeout).
    type: int
    default: 40
  rerun_failed:
    description:
      - Run the tests that did not pass or skip (failed, interrupted, never run) once more.
      - No second attempt after a timeout, an interruption or when Tempest could not start.
    type: bool
    default: false
  resume:
    description:
      - When the first attempt already in O(run_dir) was interrupted, keep its passed and
        skipped tests and run only the others of O(tests) (as attempt 2). V(false) runs
        every test again.
      - A run still going on in O(run_dir) (its controller was killed and its heartbeat has not
        run out yet) fails the task with a clear message; it is never renewed.
    type: bool
    default: true
  runner:
    description: Which runner executes the tests.
    type: str
    choices: [native, refstack-client]
    default: native
  refstack_client:
    description: Path of the C(refstack-client) executable on the host, for V(refstack-client).
    type: str
  refstack_client_home:
    description:
      - Directory holding refstack-client's C(.tempest) (its working directory). Default is
        derived from O(refstack_client) (C(<home>/.venv/bin/refstack-client)).
    type: str
  extra_args:
    description: More arguments for C(tempest run) (V(native)) or after C(--) (V(refstack-client)).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - openinfra.interop.controller_action
attributes:
  check_mode:
    details: Nothing is started; the task reports what would run.
  platform:
    platforms: [linux]
notes:
  - The task always reports a change when it ran (a test run is an action, not a state).
seealso:
  - module: openinfra.interop.tempest_tests
  - module: openinfra.interop.tempest_job
  - module: openinfra.interop.refstack_results
"""

EXAMPLES = r"""
- name: Run the object program's tests with progress
  openinfra.interop.tempest_run:
    workspace: /var/lib/interop/workspace
    venv: /var/lib/interop/venv
    include_file: "{{ object_tests.include_file }}"
    tests: "{{ object_tests.selected }}"
    label: object
    concurrency: auto
    timeout: 7200
    rerun_failed: true
  register: object_run

- name: Same with the official refstack-client
  openinfra.interop.tempest_run:
    workspace: /var/lib/interop/workspace
    runner: refstack-client
    refstack_client: /opt/refstack-client/.venv/bin/refstack-client
    tests: "{{ object_tests.selected }}"
    label: object
"""

RETURN = r"""
stream:
  description: Subunit v2 stream of the first attempt on the host.
  returned: when run
  type: str
  sample: /var/lib/interop/workspace/interop/object/attempt-1/results.subunit
log:
  description: Tempest log of the first attempt on the host.
  returned: when run
  type: str
interrupted:
  description: The first attempt was cut short (killed, timeout, stopped) or has unfinished tests.
  returned: when run
  type: bool
rerun_stream:
  description: Stream of the second attempt, null without one.
  returned: when run
  type: str
rerun_log:
  description: Log of the second attempt, null without one.
  returned: when run
  type: str
rerun_interrupted:
  description: The second attempt was cut short.
  returned: when run
  type: bool
rerun_note:
  description: Why there was no second attempt although O(rerun_failed) was set.
  returned: when run
  type: str
partial:
  description: The result is incomplete (the last attempt was cut short, or tests never ran to an end).
  returned: when run
  type: bool
no_test_ran:
  description:
    - Tempest ran no test at all (a usage error, for example a bad O(extra_args), or no test
      selected). The task then fails, its C(msg) ends with Tempest's own last words, and there
      is nothing to collect.
  returned: when no test ran
  type: bool
output_tail:
  description: The last lines of Tempest's console output when no test ran.
  returned: when no test ran
  type: str
  sample: "tempest run: error: unrecognized arguments: --no-such-option"
not_passed:
  description: Tests of O(tests) that neither passed nor were skipped in any attempt.
  returned: when run
  type: list
  elements: str
attempts:
  description: Per attempt - run_dir, stream, log, console, command, concurrency, reason, rc, partial, counts, failed, unfinished, elapsed.
  returned: when run
  type: list
  elements: dict
concurrency:
  description: Workers of the first attempt and why.
  returned: when run
  type: dict
  sample: {workers: 2, why: "auto: min(2 cores, dynamic credentials)"}
duration:
  description: Seconds for all attempts.
  returned: when run
  type: float
resumed:
  description: The first attempt is an interrupted earlier run that this run continued (O(resume)).
  returned: when run
  type: bool
interrupted_by:
  description: C(SIGINT) or C(SIGTERM) when the controller was interrupted during the run (the task fails).
  returned: when interrupted
  type: str
  sample: SIGTERM
msg:
  description: One line summary.
  returned: always
  type: str
"""
