"""A status call on a run with failed tests is a successful task (regression: a result key
named ``failed`` made Ansible treat every status call after the first failure as failed, and
tempest_run then gave up on the run)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ansible_collections.openinfra.interop.plugins.module_utils import tempest_job as tj

STREAM = Path(__file__).resolve().parents[2] / "fixtures" / "subunit" / "tempest-run.subunit"


def test_status_of_a_run_with_failures_is_not_a_failed_task(tmp_path: Path, ansible_tasks) -> None:
    spec = tj.RunSpec(
        command=[sys.executable, "-c", "import sys; sys.stdout.buffer.write(open(sys.argv[1], 'rb').read())",
                 str(STREAM)],
        chdir=str(tmp_path), run_dir=str(tmp_path / "run"), label="object", expected=10,
    )
    tj.start(spec)
    deadline = time.monotonic() + 60
    while tj.status(spec.run_dir)["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.2)

    task = {"name": "status", "openinfra.interop.tempest_job": {"state": "status", "run_dir": spec.run_dir}}
    run = ansible_tasks([task])
    status = run.by_name()["status"]
    assert status.get("failed") is not True
    assert status["failed_tests"], status
    assert status["counts"]["failed"] == len(status["failed_tests"])
