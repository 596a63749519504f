# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Action plugin for openinfra.interop.tempest_run: a Tempest run with progress on the console.

Ansible cannot stream a module's output, so this action starts the run detached on the
test-runner host (``openinfra.interop.tempest_job``, state started), polls its status every
few seconds, prints progress lines through ``Display`` and, with ``rerun_failed``, runs the
tests that did not pass once more as a second attempt. Logic shared with the runner side
lives in ``module_utils/tempest_job.py``.

Interruptions (see docs/architecture.md, "Interruptions"): imported by the strategy in the main
process of ansible-playbook, this file wraps ansible-core's SIGINT/SIGTERM handler there
(``module_utils/interrupt.py``), so the first signal only stops the Tempest run and the play
goes on to collect the partial result. With ``resume``, the next run of the same run_dir runs
only the tests the interrupted run left without a settled result.
"""

from __future__ import annotations

import os
import posixpath
import signal
import time
from typing import Any

from ansible.errors import AnsibleAction, AnsibleActionFail, AnsibleError
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.openinfra.interop.plugins.module_utils.interrupt import (
    SIGNALS,
    GracefulInterrupt,
    signal_name,
)
from ansible_collections.openinfra.interop.plugins.module_utils.tempest_job import (
    RUNNERS,
    no_test_message,
    progress_line,
    rerun_candidates,
)

display = Display()

JOB_MODULE = "openinfra.interop.tempest_job"
ACTION = "openinfra.interop.tempest_run"

ARGUMENT_SPEC: dict[str, dict[str, Any]] = {
    "workspace": {"type": "str", "required": True},
    "venv": {"type": "str"},
    "config_file": {"type": "str"},
    "include_file": {"type": "str"},
    "tests": {"type": "list", "elements": "str", "default": []},
    "test_list": {"type": "str"},
    "label": {"type": "str", "default": "tempest"},
    "run_dir": {"type": "str"},
    "concurrency": {"type": "str", "default": "auto"},
    "timeout": {"type": "int", "default": 0},
    "poll_interval": {"type": "float", "default": 5.0},
    "progress_every": {"type": "float", "default": 60.0},
    "heartbeat_timeout": {"type": "int", "default": 40},
    "rerun_failed": {"type": "bool", "default": False},
    "resume": {"type": "bool", "default": True},
    "runner": {"type": "str", "default": "native", "choices": list(RUNNERS)},
    "refstack_client": {"type": "str"},
    "refstack_client_home": {"type": "str"},
    "extra_args": {"type": "list", "elements": "str", "default": []},
}

#: Consecutive failed status calls before the run is given up (and stopped).
_POLL_RETRIES = 5

#: Why an attempt ended, for which a second attempt makes no sense.
_NO_RERUN = {"timeout": "the overall timeout was reached", "stopped": "the run was stopped",
             "abandoned": "the controller stopped polling the run", "not-started": "Tempest could not start"}

#: Why an earlier first attempt ended, for which its settled tests are kept (resume).
_RESUMABLE = ("stopped", "abandoned", "killed", "lost")


class _Interrupted(BaseException):
    """SIGINT/SIGTERM received by the worker while a run is started or polled."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _raise_interrupted(signum: int, frame: Any) -> None:
    del frame
    raise _Interrupted(signal_name(signum))


def _catch_signals() -> dict[int, Any]:
    previous: dict[int, Any] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[sig] = signal.signal(sig, _raise_interrupted)
        except (ValueError, OSError):  # not the main thread of the process
            pass
    return previous


def _ignore_signals() -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            signal.signal(sig, signal.SIG_IGN)
        except (ValueError, OSError):
            pass


def _restore_signals(previous: dict[int, Any]) -> None:
    for sig, handler in previous.items():
        try:
            signal.signal(sig, handler)
        except (ValueError, OSError, TypeError):
            pass


def _tempest_run_workers(tqm: Any) -> list[int]:
    """PIDs of the live workers of ansible-core's task queue manager running this action."""
    pids = []
    for worker in list(getattr(tqm, "_workers", None) or []):
        action = str(getattr(getattr(worker, "_task", None), "action", "") or "")
        if worker is not None and (action == ACTION or action.rsplit(".", 1)[-1] == "tempest_run") and worker.is_alive():
            pids.append(worker.pid)
    return pids


def _tell_operator(text: str) -> None:
    # Straight to the controller's stderr: Display takes a lock the interrupted code may hold.
    try:
        os.write(2, ("[openinfra.interop] %s\n" % text).encode())
    except OSError:
        pass


def _install_graceful_interrupt() -> GracefulInterrupt | None:
    """Wrap ansible-core's SIGINT/SIGTERM handler of the main process (a no-op in workers).

    The strategy imports this action in the main process before it queues the task; there the
    handler is the task queue manager's ``_signal_handler``. In a worker it is the worker's own.
    """
    try:
        current = signal.getsignal(signal.SIGTERM)
    except (ValueError, OSError):
        return None
    if isinstance(current, GracefulInterrupt):
        return current
    tqm = getattr(current, "__self__", None)
    if getattr(current, "__name__", "") != "_signal_handler" or not hasattr(tqm, "_workers"):
        return None
    handler = GracefulInterrupt(previous=current, workers=lambda: _tempest_run_workers(tqm), notify=_tell_operator)
    try:
        for sig in SIGNALS:
            if signal.getsignal(sig) == current:
                signal.signal(sig, handler)
    except (ValueError, OSError):  # not the main thread
        return None
    return handler


_GRACEFUL = _install_graceful_interrupt()


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return "%d:%02d:%02d" % (seconds // 3600, seconds // 60 % 60, seconds % 60)


class ActionModule(ActionBase):
    """Start a detached Tempest run on the host, show its progress, rerun failures once."""

    TRANSFERS_FILES = False
    _requires_connection = True
    _supports_check_mode = True
    _supports_async = False

    def _job(self, task_vars: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
        result = self._execute_module(module_name=JOB_MODULE, module_args=args, task_vars=task_vars)
        if result.get("failed") or result.get("unreachable"):
            raise AnsibleActionFail(result.get("msg") or "%s failed" % JOB_MODULE, result=result)
        return result

    def _poll(self, task_vars: dict[str, Any], args: dict[str, Any], delay: float) -> dict[str, Any]:
        """A status call that survives a few connection hiccups during a long run."""
        for attempt in range(_POLL_RETRIES):
            try:
                return self._job(task_vars, args)
            except (AnsibleError, OSError) as exc:
                if attempt == _POLL_RETRIES - 1:
                    raise
                self._say("status of the run not available (%s), retrying" % str(exc).splitlines()[0][:200])
                time.sleep(delay)
        raise AnsibleActionFail("unreachable")  # pragma: no cover

    _host = ""
    _controller_pid = 0

    def _say(self, text: str) -> None:
        display.display("[%s] %s" % (self._host, text) if self._host else text)

    def _attempt(self, task_vars: dict[str, Any], args: dict[str, Any], number: int, run_dir: str,
                 timeout: int, include_tests: list[str] | None, expected: int) -> dict[str, Any]:
        label = args["label"]
        job_args: dict[str, Any] = {
            "state": "started",
            "force": True,
            "run_dir": run_dir,
            "runner": args["runner"],
            "workspace": args["workspace"],
            "concurrency": args["concurrency"],
            "expected": expected,
            "timeout": timeout,
            "label": label if number == 1 else "%s (attempt %d)" % (label, number),
            # at least a few polls (a slow status call must not end the run)
            "heartbeat_timeout": max(args["heartbeat_timeout"], int(6 * args["poll_interval"]))
            if args["heartbeat_timeout"] else 0,
            "extra_args": args["extra_args"],
        }
        for name in ("venv", "config_file", "include_file", "test_list", "refstack_client", "refstack_client_home"):
            if args.get(name):
                job_args[name] = args[name]
        if include_tests is not None:
            job_args["include_tests"] = include_tests
        try:
            started = self._job(task_vars, job_args)
        except _Interrupted as exc:
            return self._interrupted(task_vars, number, run_dir, job_args["label"], exc, {})
        concurrency = started.get("concurrency") or {}
        self._say("%s: attempt %d started, %d tests, %s workers (%s), console %s" % (
            job_args["label"], number, expected, concurrency.get("workers", "?"), concurrency.get("why", ""),
            started.get("console")))
        status_args = {"state": "status", "run_dir": run_dir}
        shown_failures: set[str] = set()
        last_line = ""
        last_shown = time.monotonic()
        wall = time.monotonic()
        data = started
        stop_sent = False
        try:
            while data.get("job_state") == "running":
                time.sleep(max(0.5, args["poll_interval"]))
                if os.getppid() != self._controller_pid:
                    # ansible-playbook was killed (SIGKILL): nobody will collect this run, and
                    # this worker would keep its heartbeat alive to the end. Stop it now; the
                    # next run continues it.
                    raise _Interrupted("the end of ansible-playbook (pid %d)" % self._controller_pid)
                data = self._poll(task_vars, status_args, max(1.0, args["poll_interval"]))
                for test_id in data.get("failed_tests") or []:
                    if test_id not in shown_failures:
                        shown_failures.add(test_id)
                        self._say("%s: FAILED %s" % (job_args["label"], test_id))
                for test_id in data.get("fixture_failures") or []:
                    if test_id not in shown_failures:
                        shown_failures.add(test_id)
                        self._say("%s: FAILED %s" % (job_args["label"], test_id))
                line = data.get("progress_line") or progress_line(job_args["label"], data)
                counts_part = line.rsplit(",", 1)[0]
                now = time.monotonic()
                if counts_part != last_line or now - last_shown >= args["progress_every"]:
                    self._say(line)
                    last_line, last_shown = counts_part, now
                if (timeout and not stop_sent and data.get("job_state") == "running"
                        and now - wall > timeout + 120):
                    # The runner enforces the timeout itself; this is the backstop.
                    self._say("%s: still running %d s after the timeout, stopping it" % (job_args["label"], now - wall - timeout))
                    data = self._job(task_vars, {"state": "stopped", "run_dir": run_dir})
                    stop_sent = True
        except _Interrupted as exc:
            return self._interrupted(task_vars, number, run_dir, job_args["label"], exc, concurrency)
        except BaseException as exc:
            # Connection trouble or the worker being torn down: do not leave Tempest running.
            _ignore_signals()
            try:
                self._job(task_vars, {"state": "stopped", "run_dir": run_dir})
                self._say("%s: stopped the run on the host (%s)" % (job_args["label"], type(exc).__name__))
            except BaseException:  # noqa: BLE001 - best effort on the way out (display may be gone)
                pass
            raise
        return self._attempt_result(number, run_dir, data, concurrency)

    def _interrupted(self, task_vars: dict[str, Any], number: int, run_dir: str, label: str,
                     exc: _Interrupted, concurrency: dict[str, Any]) -> dict[str, Any]:
        """Stop the run of an interrupted controller; its (partial) status is the attempt's."""
        _ignore_signals()  # finish the stop first; a second signal reaches the main process
        try:
            data = self._job(task_vars, {"state": "stopped", "run_dir": run_dir})
        except AnsibleError as error:
            data = {"job_state": "lost", "reason": "stopped", "partial": True, "error": str(error)}
        self._say("%s: %s, stopped the run on the host" % (label, exc.name))
        attempt = self._attempt_result(number, run_dir, data, concurrency)
        attempt["signal"] = exc.name
        return attempt

    def _attempt_result(self, number: int, run_dir: str, data: dict[str, Any],
                        concurrency: dict[str, Any]) -> dict[str, Any]:
        label = data.get("label") or ""
        final_line = data.get("progress_line") or progress_line(label, data)
        self._say("%s - %s%s" % (final_line, data.get("reason"), " (partial)" if data.get("partial") else ""))
        return {
            "number": number,
            "run_dir": run_dir,
            "stream": data.get("stream"),
            "log": data.get("log"),
            "console": data.get("console"),
            "command": data.get("command"),
            "concurrency": concurrency,
            "reason": data.get("reason"),
            "rc": data.get("rc"),
            "partial": bool(data.get("partial")) or data.get("job_state") != "finished",
            "counts": data.get("counts") or {},
            "failed": data.get("failed_tests") or [],
            "fixture_failures": data.get("fixture_failures") or [],
            "unfinished": data.get("unfinished") or [],
            "elapsed": data.get("elapsed"),
            "error": data.get("error"),
            "no_test_ran": bool(data.get("no_test_ran")),
            "output_tail": data.get("output_tail") or "",
            "test_results": data.get("test_results") or {},
        }

    def _resumable(self, task_vars: dict[str, Any], run_dir: str) -> dict[str, Any] | None:
        """The first attempt an interrupted earlier run left in ``run_dir``, if it can be kept.

        Read without renewing its lease: an orphaned run whose controller was killed must still
        stop itself when its heartbeat runs out.
        """
        path = posixpath.join(run_dir, "attempt-1")
        data = self._execute_module(module_name=JOB_MODULE, task_vars=task_vars,
                                    module_args={"state": "status", "run_dir": path, "heartbeat": False})
        if data.get("failed") or data.get("unreachable"):
            return None  # no earlier run
        if data.get("job_state") == "running":
            raise AnsibleActionFail(
                "an earlier run is still going on in %s (supervisor pid %s); it stops by itself once no "
                "controller polls it (heartbeat_timeout), then this run resumes it; or stop it with "
                "openinfra.interop.tempest_job state=stopped" % (path, data.get("supervisor_pid")))
        if not data.get("partial") or data.get("reason") not in _RESUMABLE:
            return None
        attempt = self._attempt_result(1, path, data, data.get("concurrency") or {})
        attempt["resumed"] = True
        return attempt

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        self._host = str(task_vars.get("inventory_hostname") or "")
        self._controller_pid = os.getppid()  # the worker's parent: ansible-playbook's main process
        previous_handlers = _catch_signals()
        try:
            self._run(task_vars, result)
        except AnsibleAction as exc:
            result.update(exc.result)
        except _Interrupted as exc:
            result.update(failed=True, interrupted_by=exc.name,
                          msg="interrupted by %s before the run started; nothing ran" % exc.name)
        finally:
            _restore_signals(previous_handlers)
        return result

    def _run(self, task_vars: dict[str, Any], result: dict[str, Any]) -> None:
        args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)[1]
        if args["timeout"] < 0:
            raise AnsibleActionFail("timeout must be 0 (none) or a number of seconds, got %s" % args["timeout"])
        if args["poll_interval"] <= 0:
            raise AnsibleActionFail("poll_interval must be positive, got %s" % args["poll_interval"])
        if args["runner"] == "native" and not (args["venv"] and args["include_file"]):
            raise AnsibleActionFail("runner=native needs venv and include_file (from openinfra.interop.tempest_tests)")
        if args["runner"] == "refstack-client" and not (args["refstack_client"] and (args["test_list"] or args["tests"])):
            raise AnsibleActionFail("runner=refstack-client needs refstack_client (the executable) and tests or test_list")
        run_dir = args["run_dir"] or posixpath.join(args["workspace"], "interop", args["label"])
        tests = list(args["tests"])
        expected = len(tests)
        if self._task.check_mode:
            result.update(changed=True, skipped_run=True,
                          msg="check mode: would run %d tests of %s in %s" % (expected, args["label"], run_dir))
            return
        if _GRACEFUL is not None and _GRACEFUL.received is not None:
            # This worker was forked after the controller was interrupted: start nothing more.
            raise AnsibleActionFail("not started: the controller received %s" % signal_name(_GRACEFUL.received),
                                    result={"interrupted_by": signal_name(_GRACEFUL.received)})
        timeout = args["timeout"]
        begin = time.monotonic()
        resumed = self._resumable(task_vars, run_dir) if args["resume"] and tests else None
        rerun_note = None
        if resumed is not None:
            attempts = [resumed]
            candidates = rerun_candidates(tests, resumed["test_results"])
            self._say("%s: resuming the run interrupted in %s (%s): %d of %d tests settled, running the other %d" % (
                args["label"], resumed["run_dir"], resumed["reason"], expected - len(candidates), expected, len(candidates)))
            if candidates:
                attempts.append(self._attempt(task_vars, args, 2, posixpath.join(run_dir, "attempt-2"), timeout,
                                              candidates, len(candidates)))
        else:
            # refstack-client gets the selected ids as its test list (it normalises them itself)
            first_tests = tests if args["runner"] == "refstack-client" and not args["test_list"] else None
            attempts = [self._attempt(task_vars, args, 1, posixpath.join(run_dir, "attempt-1"), timeout,
                                      first_tests, expected)]
            first = attempts[0]
            if first["no_test_ran"] and not first.get("signal"):
                # A run that did not happen is an error, not a verdict: nothing to collect.
                raise AnsibleActionFail(no_test_message(args["label"], first), result={
                    "no_test_ran": True, "run_dir": run_dir, "rc": first["rc"], "reason": first["reason"],
                    "console": first["console"], "output_tail": first["output_tail"]})
            rerun_note = None
            if args["rerun_failed"] and not first.get("signal"):
                remaining = timeout - int(time.monotonic() - begin) if timeout else 0
                candidates = rerun_candidates(tests, first["test_results"]) if tests else list(first["failed"])
                if first["reason"] in _NO_RERUN:
                    rerun_note = "no second attempt: %s" % _NO_RERUN[first["reason"]]
                elif not candidates:
                    rerun_note = "no second attempt: every test passed or was skipped"
                elif timeout and remaining <= 0:
                    rerun_note = "no second attempt: no time left before the overall timeout"
                else:
                    self._say("%s: running %d tests again (failed, interrupted or not run)" % (args["label"], len(candidates)))
                    attempts.append(self._attempt(task_vars, args, 2, posixpath.join(run_dir, "attempt-2"),
                                                  remaining if timeout else 0, candidates, len(candidates)))
        first, last = attempts[0], attempts[-1]
        merged: dict[str, str] = {}
        for attempt in attempts:
            merged.update(attempt["test_results"])
        unsettled = rerun_candidates(tests, merged) if tests else []
        partial = last["partial"] or (bool(unsettled) and any(a["partial"] for a in attempts))
        result.update(
            changed=True,
            label=args["label"],
            run_dir=run_dir,
            attempts=[{k: v for k, v in a.items() if k != "test_results"} for a in attempts],
            stream=first["stream"],
            log=first["log"],
            interrupted=first["partial"],
            rerun_stream=attempts[1]["stream"] if len(attempts) > 1 else None,
            rerun_log=attempts[1]["log"] if len(attempts) > 1 else None,
            rerun_interrupted=attempts[1]["partial"] if len(attempts) > 1 else False,
            rerun_note=rerun_note,
            resumed=resumed is not None,
            partial=partial,
            not_passed=unsettled,
            duration=round(time.monotonic() - begin, 1),
            runner=args["runner"],
            concurrency=first["concurrency"],
            msg="%s: %d attempt(s), %s in %s%s" % (
                args["label"], len(attempts), last["reason"], _clock(time.monotonic() - begin),
                " - partial" if partial else ""),
        )
        signalled = [a["signal"] for a in attempts if a.get("signal")]
        if signalled:
            # A run that was cut short is an error, not a verdict; the role still collects it.
            result.update(
                failed=True,
                interrupted_by=signalled[0],
                msg="interrupted by %s: %d of %d tests settled, the partial result is collected; run the same "
                    "command again to run only the other %d" % (
                        signalled[0], expected - len(unsettled), expected, len(unsettled)),
            )
