# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Graceful SIGINT/SIGTERM for a controller that is running Tempest.

ansible-core (2.17 to 2.19) installs one handler for SIGINT and SIGTERM in the main process of
ansible-playbook (``TaskQueueManager._signal_handler``): it forwards the signal to every worker
and then kills the main process (SIGTERM, exit 143) or raises ``KeyboardInterrupt`` (SIGINT,
exit 99). Either way the strategy never runs another task, so the ``always`` section that
collects a program's results never runs and a valid partial stream stays in the workspace.

:class:`GracefulInterrupt` wraps that handler. While a worker runs one of the named actions
(``tempest_run``), the first signal goes to those workers only: the action stops its run on
the host and returns a failed result naming the signal, and the play goes on into ``rescue``
and ``always``, which collect the partial result. The main process remembers the signal
(:attr:`received`) and, because workers are forked from it, every later ``tempest_run`` sees it
and starts nothing. A second signal, or a signal while no such action runs, goes to
ansible-core's handler at once, as before.

Pure Python: the ansible-specific glue (finding the handler and the workers) is in the action
plugin; this file only decides, so it can be unit-tested with plain callables.
"""

from __future__ import annotations

import os
import signal
from typing import Any, Callable, Sequence

#: Signals a controller is stopped with (Ctrl-C, ``kill``, a CI job's timeout).
SIGNALS = (signal.SIGINT, signal.SIGTERM)


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return "signal %d" % signum


class GracefulInterrupt:
    """Decide what a SIGINT/SIGTERM of the main process does.

    ``previous``: ansible-core's handler (called for a second signal, or when nothing graceful
    is possible). ``workers``: returns the PIDs of the workers running a graceful action now.
    ``notify``: shows one line to the operator. ``kill``: sends a signal to a PID.
    """

    def __init__(
        self,
        previous: Callable[[int, Any], Any],
        workers: Callable[[], Sequence[int]],
        notify: Callable[[str], None],
        kill: Callable[[int, int], None] = os.kill,
    ) -> None:
        self.previous = previous
        self.workers = workers
        self.notify = notify
        self.kill = kill
        self.received: int | None = None

    def __call__(self, signum: int, frame: Any) -> Any:
        if self.received is not None:
            # The operator insists: ansible-core's own handling (stop everything now).
            return self.previous(signum, frame)
        pids = [pid for pid in self.workers() if pid]
        if not pids:
            return self.previous(signum, frame)
        self.received = signum
        for pid in pids:
            try:
                self.kill(pid, signum)
            except ProcessLookupError:
                pass
        self.notify(
            "%s received: stopping the Tempest run and collecting its partial result "
            "(send %s again to stop at once, without collecting)" % (signal_name(signum), signal_name(signum))
        )
        return None
