# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The ledger of created resources and the reading of tempest cleanup's dry-run report."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils import leftovers as lo


def test_ledger_is_private_merged_ordered_and_gone_when_empty(tmp_path: Path) -> None:
    path = str(tmp_path / lo.LEDGER)
    assert lo.load(path) == []
    user = lo.entry("users", "u1", "tempest-acct-1", "tempest_accounts", state_file="/ws/etc/.a.state.json")
    project = lo.entry("projects", "p1", "tempest-acct-1-project", "tempest_accounts")
    grant = lo.entry("role_assignments", "p0:r1", "me on p0", "tempestconf_discover",
                     user_id="me", project_id="p0", role_id="r1")
    assert lo.save(path, lo.merge([], [project, user])) is True
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert lo.save(path, lo.merge(lo.load(path), [user])) is False  # one entry per (kind, id)
    entries = lo.merge(lo.load(path), [grant])
    assert [e["kind"] for e in lo.removal_order(entries)] == ["role_assignments", "users", "projects"]
    assert lo.label(user) == "users tempest-acct-1 (u1)"
    assert lo.save(path, []) is True and not os.path.exists(path)
    with pytest.raises(lo.LeftoverError, match="Unknown resource kind 'servers'"):
        lo.entry("servers", "s", "s", "x")


def test_a_broken_ledger_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / lo.LEDGER
    path.write_text("{")
    with pytest.raises(lo.LeftoverError, match="Cannot read the ledger"):
        lo.load(str(path))
    path.write_text("[]")
    with pytest.raises(lo.LeftoverError, match="no 'resources' list"):
        lo.load(str(path))


def test_demo_names_follow_python_tempestconf_and_the_overrides() -> None:
    assert lo.demo_names({}) == lo.DEMO_IDENTITY
    assert lo.demo_names({"identity.username": "certify"})["username"] == "certify"


def test_conf_resources_lists_images_and_flavors_once() -> None:
    conf = {("compute", "image_ref"): "i1", ("compute", "image_ref_alt"): "i1", ("compute", "flavor_ref"): "f1"}
    assert lo.conf_resources(lambda s, k: conf.get((s, k))) == [("images", "i1"), ("flavors", "f1")]


def test_dry_run_counts_global_and_per_project_resources() -> None:
    # the shape tempest 47 writes to dry_run.json
    report = {
        "_projects_to_clean": {"p9": {"containers": ["c1", "c2"], "network_quotas": {"x": 1}}},
        "users": {"u1": "tempest-AccountTest-1", "u2": "tempest-AccountTest-2"},
        "projects": {"p9": "tempest-AccountTest-p"},
        "flavors": {},
        "compute_quotas": {"p9": {}},
    }
    assert lo.dry_run_counts(report) == {"containers": 2, "projects": 1, "users": 2}
    assert lo.dry_run_counts(json.loads('{"_projects_to_clean": {}}')) == {}


def test_wait_for_job_reads_the_result_of_a_background_saved_state_once_it_ended(tmp_path: Path) -> None:
    job = tmp_path / "j123.4"
    job.write_text(json.dumps({"started": 1, "finished": 0, "ansible_job_id": "j123.4"}))
    now = [0.0]

    def sleep(seconds: float) -> None:  # the job ends while the cleanup waits
        now[0] += seconds
        job.write_text(json.dumps({"changed": True, "saved_state": "/ws/saved_state.json"}))

    result = lo.wait_for_job(str(job), timeout=10, clock=lambda: now[0], sleep=sleep)
    assert result == {"changed": True, "saved_state": "/ws/saved_state.json"}
    assert now[0] == 0.5 and not job.exists()  # the job file is removed once read
    assert lo.wait_for_job(str(job), timeout=10) == {}  # already collected


def test_wait_for_job_gives_up_after_its_timeout(tmp_path: Path) -> None:
    job = tmp_path / "j9"
    job.write_text(json.dumps({"started": 1, "finished": 0}))
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    with pytest.raises(lo.LeftoverError, match="did not end within 2 s"):
        lo.wait_for_job(str(job), timeout=2, clock=lambda: now[0], sleep=sleep)
    assert job.exists() and now[0] == 2.0
