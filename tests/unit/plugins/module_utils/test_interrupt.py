"""What the first and the second SIGINT/SIGTERM of a controller running Tempest do."""

from __future__ import annotations

import signal
from typing import Any

from ansible_collections.openinfra.interop.plugins.module_utils.interrupt import GracefulInterrupt, signal_name


class Recorder:
    def __init__(self, workers: list[int]) -> None:
        self.workers = workers
        self.previous: list[int] = []
        self.killed: list[tuple[int, int]] = []
        self.lines: list[str] = []

    def handler(self) -> GracefulInterrupt:
        def previous(signum: int, frame: Any) -> None:
            del frame
            self.previous.append(signum)

        def kill(pid: int, signum: int) -> None:
            if pid == 404:
                raise ProcessLookupError(pid)
            self.killed.append((pid, signum))

        return GracefulInterrupt(previous, lambda: list(self.workers), self.lines.append, kill)


def test_first_signal_goes_to_the_running_workers_only() -> None:
    rec = Recorder([101, 404, 0])
    handler = rec.handler()
    handler(signal.SIGTERM, None)
    assert rec.killed == [(101, signal.SIGTERM)]  # a worker that just ended is no error
    assert rec.previous == [] and handler.received == signal.SIGTERM
    assert len(rec.lines) == 1 and rec.lines[0].startswith("SIGTERM received: stopping the Tempest run")


def test_second_signal_stops_at_once() -> None:
    rec = Recorder([101])
    handler = rec.handler()
    handler(signal.SIGINT, None)
    handler(signal.SIGINT, None)
    assert rec.killed == [(101, signal.SIGINT)]
    assert rec.previous == [signal.SIGINT]


def test_signal_without_a_tempest_run_keeps_ansible_core_behaviour() -> None:
    rec = Recorder([])
    handler = rec.handler()
    handler(signal.SIGTERM, None)
    assert rec.previous == [signal.SIGTERM] and rec.killed == [] and rec.lines == []
    assert handler.received is None


def test_signal_names() -> None:
    assert signal_name(signal.SIGINT) == "SIGINT"
    assert signal_name(999) == "signal 999"
