#!/usr/bin/python
# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Leave the cloud as the run found it: tempest cleanup with a saved state, plus the ledger."""

from __future__ import annotations

DOCUMENTATION = r"""
module: tempest_cleanup
short_description: Remove what a certification run created in the cloud
version_added: 0.1.0
description:
  - O(state=saved), before Tempest runs, records every resource of the cloud with
    C(tempest cleanup --init-saved-state) (file C(saved_state.json) in O(workdir), 0600).
    Only the first snapshot of a workspace reports a change. A later run refreshes it to what
    the cloud holds then (also resources made since by others, which cleanup must leave alone),
    and a refreshed record of the cloud changes nothing in it.
  - O(state=clean), at the end of the run, first asks C(tempest cleanup --dry-run) what Tempest
    left behind (everything not in the saved state - users, projects, containers, servers...)
    and, when it found something, runs C(tempest cleanup); then it removes what the ledger
    C(created-resources.json) lists (generated accounts, images and flavors discovery created),
    role assignments first, and forgets the state of the step that made each of them, so that
    step runs again next time.
  - With O(keep) (or in check mode) nothing is removed; C(would_remove) and
    C(tempest_leftovers) report what would be.
  - C(tempest cleanup) needs an admin tempest.conf (O(config_file)); without one (non-admin runs
    with given accounts) only the ledger is used. Its log goes to C(logs/tempest-cleanup.log)
    (0600, scrubbed of every password).
  - C(tempest cleanup) deletes every resource created after the saved state, also by others;
    certify a production cloud when nobody else changes it, or keep the resources and read the
    report.
extends_documentation_fragment:
  - openinfra.interop.runner_module
  - openinfra.interop.openstack
options:
  workdir:
    description: The Tempest workspace; C(tempest cleanup) runs there and keeps its files there.
    type: path
    required: true
  state:
    description: C(saved) takes the state before the run, C(clean) removes what the run left.
    type: str
    choices: [saved, clean]
    default: clean
  executable:
    description: Path of the C(tempest) command; needed with O(config_file).
    type: path
  config_file:
    description: An admin tempest.conf for C(tempest cleanup); omit it to use only the ledger.
    type: path
  ledger:
    description: The ledger of created resources, relative to O(workdir).
    type: str
    default: etc/created-resources.json
  keep:
    description: Remove nothing; report what would be removed (C(tempest cleanup --dry-run)).
    type: bool
    default: false
  timeout:
    description: Seconds each C(tempest cleanup) may take.
    type: int
    default: 900
  saved_state_job:
    description:
      - With O(state=clean), the job file of an O(state=saved) task that ran in the background
        (C(async) with C(poll=0), its C(ansible_async_dir) and C(ansible_job_id)). The cleanup first
        waits for it (up to O(timeout)) and removes the file. When that snapshot failed, no
        C(tempest cleanup) runs (an older saved state would name resources made since by others as
        leftovers); the ledger is still emptied.
    type: path
attributes:
  check_mode:
    support: full
    description: Like O(keep); writes nothing but the dry-run report of C(tempest cleanup).
notes:
  - Run it with the Python of the Tempest virtualenv (C(ansible_python_interpreter)); it needs
    openstacksdk and admin credentials for the ledger.
author:
  - openinfra.interop contributors (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Record the cloud's resources before Tempest runs
  openinfra.interop.tempest_cleanup:
    cloud: sandbox
    workdir: /var/lib/interop/tempest
    state: saved
    executable: /var/lib/interop/venv/bin/tempest
    config_file: /var/lib/interop/tempest/etc/tempest.conf
  vars:
    ansible_python_interpreter: /var/lib/interop/venv/bin/python

- name: Remove what the run created
  openinfra.interop.tempest_cleanup:
    cloud: sandbox
    workdir: /var/lib/interop/tempest
    executable: /var/lib/interop/venv/bin/tempest
    config_file: /var/lib/interop/tempest/etc/tempest.conf
  vars:
    ansible_python_interpreter: /var/lib/interop/venv/bin/python
"""

RETURN = r"""
saved_state:
  description: Path of C(saved_state.json) (empty without O(config_file), or when the snapshot of O(saved_state_job) failed).
  returned: always
  type: str
tempest_leftovers:
  description: What C(tempest cleanup --dry-run) found left by Tempest, counted by kind.
  returned: with O(state=clean) and O(config_file)
  type: dict
removed:
  description: Ledger resources removed (kind, name, id prefix).
  returned: with O(state=clean)
  type: list
  elements: str
would_remove:
  description: Ledger resources that would be removed (with O(keep) or in check mode).
  returned: with O(state=clean)
  type: list
  elements: str
log_file:
  description: The log of C(tempest cleanup).
  returned: always
  type: str
duration:
  description: Seconds the C(tempest cleanup) runs took together.
  returned: always
  type: float
"""

import json
import os
from typing import Any

from ansible_collections.openinfra.interop.plugins.module_utils.openstack import OpenStackModule
from ansible_collections.openinfra.interop.plugins.module_utils import leftovers as lo
from ansible_collections.openinfra.interop.plugins.module_utils import tempestconf as tc
from ansible_collections.openinfra.interop.plugins.module_utils import toolrun
from ansible_collections.openinfra.interop.plugins.module_utils.scrub import secrets_in_file_text


class TempestCleanupModule(OpenStackModule):
    argument_spec = {
        "workdir": {"type": "path", "required": True},
        "state": {"type": "str", "default": "clean", "choices": ["saved", "clean"]},
        "executable": {"type": "path"},
        "config_file": {"type": "path"},
        "ledger": {"type": "str", "default": "etc/created-resources.json"},
        "keep": {"type": "bool", "default": False},
        "timeout": {"type": "int", "default": 900},
        "saved_state_job": {"type": "path"},
    }
    module_kwargs = {
        "supports_check_mode": True,
        "required_by": {"config_file": ["executable"]},
    }

    def _tempest(self, *extra: str) -> toolrun.ToolResult:
        p = self.params
        secrets = sorted(secrets_in_file_text(tc.read_text(p["config_file"]) or ""))
        # The config file through Tempest's environment, not --config-file: `tempest cleanup`
        # of Tempest 33 (Debian 12's package) has no such option; every version reads these.
        tool = toolrun.Tool(
            argv=[p["executable"], "cleanup", *extra], cwd=p["workdir"],
            env={"TEMPEST_CONFIG_DIR": os.path.dirname(os.path.abspath(p["config_file"])),
                 "TEMPEST_CONFIG": os.path.basename(p["config_file"])},
            log_path=self.log_path, timeout=p["timeout"], secrets=secrets, name="tempest cleanup",
        )
        try:
            result = toolrun.run(tool)
        except toolrun.ToolError as exc:
            self.module.fail_json(msg=str(exc))
        self.duration += result.duration
        if result.rc != 0:
            self.module.fail_json(msg=toolrun.failure(result, "tempest cleanup " + " ".join(extra), secrets))
        return result

    def run(self) -> None:
        p = self.params
        workdir = p["workdir"]
        if not os.path.isdir(workdir):
            self.module.fail_json(msg=f"workdir {workdir} does not exist")
        if p["config_file"] and not os.path.isfile(p["config_file"]):
            self.module.fail_json(msg=f"config_file {p['config_file']} does not exist")
        if p["executable"] and not os.access(p["executable"], os.X_OK):
            self.module.fail_json(msg=f"executable {p['executable']} is not an executable file")
        self.log_path = os.path.join(workdir, "logs", "tempest-cleanup.log")
        self.duration = 0.0
        saved = os.path.join(workdir, lo.SAVED_STATE) if p["config_file"] else ""
        result: dict[str, Any] = {"changed": False, "saved_state": saved, "log_file": self.log_path}
        if p["state"] == "saved":
            self._save(saved, result)
        else:
            self._clean(saved, result)
        result["duration"] = round(self.duration, 1)
        self.module.exit_json(**result)

    def _save(self, saved: str, result: dict[str, Any]) -> None:
        if not saved:
            self.module.fail_json(msg="state=saved needs config_file (an admin tempest.conf) and executable")
        if self.module.check_mode or self.params["keep"]:
            result["changed"] = not os.path.exists(saved)
            return
        first = not os.path.exists(saved)
        self._tempest("--init-saved-state")
        os.chmod(saved, 0o600)
        result["changed"] = first

    def _clean(self, saved: str, result: dict[str, Any]) -> None:
        p = self.params
        report_only = p["keep"] or self.module.check_mode
        if p["saved_state_job"]:
            try:
                job = lo.wait_for_job(p["saved_state_job"], p["timeout"])
            except lo.LeftoverError as exc:
                self.module.fail_json(msg=str(exc))
            if job.get("failed"):
                self.module.warn("the saved state taken before the run failed, so tempest cleanup does not run: "
                                 + str(job.get("msg") or "no message"))
                result["saved_state"] = saved = ""
        if saved and os.path.isfile(saved):
            dry_run = os.path.join(p["workdir"], lo.DRY_RUN)
            self._tempest("--dry-run")
            try:
                with open(dry_run, encoding="utf-8") as handle:
                    counts = lo.dry_run_counts(json.load(handle))
            except (OSError, ValueError) as exc:
                self.module.fail_json(msg=f"tempest cleanup --dry-run wrote no readable {dry_run}: {exc}")
            os.chmod(dry_run, 0o600)
            result["tempest_leftovers"] = counts
            if counts and not report_only:
                self._tempest()
                result["changed"] = True
        ledger_path = os.path.join(p["workdir"], p["ledger"])
        try:
            entries = lo.load(ledger_path)
        except lo.LeftoverError as exc:
            self.module.fail_json(msg=str(exc))
        result["would_remove"] = [lo.label(e) for e in lo.removal_order(entries)] if report_only else []
        result["removed"] = []
        if report_only or not entries:
            return
        removed, errors = lo.remove_all(lo.Cloud(self.conn), entries, check_mode=False)
        done = {(e["kind"], e["id"]) for e in removed}
        lo.save(ledger_path, [e for e in entries if (e["kind"], e["id"]) not in done])
        # the step that made them must run again: its state no longer matches the cloud
        for state_file in sorted({e["state_file"] for e in removed if e.get("state_file")}):
            if os.path.isfile(state_file):
                os.unlink(state_file)
        result["removed"] = [lo.label(e) for e in removed]
        result["changed"] = result["changed"] or bool(removed)
        if errors:
            self.module.fail_json(msg="Cannot remove every created resource: " + "; ".join(errors), **result)


def main() -> None:
    TempestCleanupModule()()


if __name__ == "__main__":
    main()
