# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Controller side of openinfra.interop.guideline_check (documented in plugins/modules/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ansible_collections.openinfra.interop.plugins.module_utils.guideline import (
    GuidelineError,
    bundled_versions,
    load_guideline,
)
from ansible_collections.openinfra.interop.plugins.module_utils.guideline_check import (
    check_guideline,
    drift_entries,
    known_drift,
)
from ansible_collections.openinfra.interop.plugins.module_utils.results import ResultsError, write_results
from ansible_collections.openinfra.interop.plugins.module_utils.tempest_tests import TempestTestsError, read_listing
from ansible_collections.openinfra.interop.plugins.plugin_utils.controller_action import ControllerAction

ARGUMENT_SPEC: dict[str, Any] = {
    "guidelines": {"type": "list", "elements": "str", "default": []},
    "listing_file": {"type": "path", "required": True},
    "listing_label": {"type": "str", "default": "the installed Tempest and plugins"},
    "known_drift": {"type": "path"},
    "dest": {"type": "path"},
    "fail_on_error": {"type": "bool", "default": True},
}
JSON_FILE = "guideline-check.json"
TEXT_FILE = "guideline-check.txt"


class ActionModule(ControllerAction):
    """Check guidelines against their schema and a listing of the installed Tempest and plugins."""

    _requires_connection = False
    ARGUMENT_SPEC = ARGUMENT_SPEC
    ERRORS = (GuidelineError, ResultsError, TempestTestsError)
    WRITING = "the report"

    def act(self, result: dict[str, Any], args: dict[str, Any], task_vars: dict[str, Any]) -> None:
        del task_vars
        listing = read_listing(args["listing_file"])
        drift = known_drift(Path(args["known_drift"])) if args["known_drift"] else known_drift()
        names = args["guidelines"] or bundled_versions()
        reports = [
            check_guideline(load_guideline(name), listing, installed_label=args["listing_label"], drift=drift)
            for name in names
        ]
        text = "\n".join(r.text() for r in reports) + "\n"
        data = {
            "listing": args["listing_label"],
            "passed": all(r.passed for r in reports),
            "reports": [r.as_dict() for r in reports],
            # what to add to the known drift list if the errors are accepted as history
            "unknown_drift": drift_entries(r for r in reports if not r.passed),
        }
        written: dict[str, list[str]] = {"changed": []}
        if args["dest"]:
            written = write_results(args["dest"], {
                JSON_FILE: (json.dumps(data, indent=2) + "\n").encode("utf-8"),
                TEXT_FILE: text.encode("utf-8"),
            }, check_mode=self._task.check_mode)
        failing = [r.guideline for r in reports if not r.passed]
        result.update(
            changed=bool(written["changed"]),
            passed=not failing,
            failing=failing,
            reports=data["reports"],
            unknown_drift=data["unknown_drift"],
            report_lines=text.splitlines(),
            msg=("%d guidelines consistent with %s" % (len(reports), args["listing_label"]) if not failing
                 else "inconsistent guidelines: %s (see report_lines)" % ", ".join(failing)),
        )
        if args["dest"]:
            result["paths"] = {"json": str(Path(args["dest"]) / JSON_FILE), "text": str(Path(args["dest"]) / TEXT_FILE)}
        if failing and args["fail_on_error"]:
            result["failed"] = True
