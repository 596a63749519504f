# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Controller side of openinfra.interop.results_compare (documented in plugins/modules/)."""

from __future__ import annotations

import json
import os
from typing import Any

from ansible_collections.openinfra.interop.plugins.module_utils.compare import (
    CompareError,
    compare_runs,
    load_run,
    render_compare_html,
)
from ansible_collections.openinfra.interop.plugins.module_utils.results import ResultsError, write_results
from ansible_collections.openinfra.interop.plugins.plugin_utils.controller_action import ControllerAction

ARGUMENT_SPEC: dict[str, Any] = {
    "results_dirs": {"type": "list", "elements": "path", "required": True},
    "labels": {"type": "list", "elements": "str", "default": []},
    "dest": {"type": "path", "required": True},
    "fail_on_regression": {"type": "bool", "default": False},
}
JSON_FILE = "comparison.json"
HTML_FILE = "comparison.html"


class ActionModule(ControllerAction):
    """Compare two or more results directories on the controller."""

    _requires_connection = False
    ARGUMENT_SPEC = ARGUMENT_SPEC
    ERRORS = (CompareError, ResultsError)
    WRITING = "the comparison"

    def act(self, result: dict[str, Any], args: dict[str, Any], task_vars: dict[str, Any]) -> None:
        del task_vars
        dirs, labels = args["results_dirs"], args["labels"]
        if labels and len(labels) != len(dirs):
            raise CompareError("labels: give one label per results directory (%d directories, %d labels)"
                               % (len(dirs), len(labels)))
        labels = labels or [os.path.basename(os.path.normpath(d)) for d in dirs]
        if len(set(labels)) != len(labels):
            raise CompareError("labels: every run needs its own label, got %s (set labels)" % ", ".join(labels))
        comparison = compare_runs([load_run(d, label) for d, label in zip(dirs, labels)])
        written = write_results(args["dest"], {
            JSON_FILE: (json.dumps(comparison, indent=2) + "\n").encode("utf-8"),
            HTML_FILE: render_compare_html(comparison),
        }, check_mode=self._task.check_mode)
        regressions = [dict(r, program=program, before_run=p["before"], after_run=p["after"])
                       for program, data in comparison["programs"].items() for p in data["pairs"] for r in p["regressions"]]
        result.update(
            changed=bool(written["changed"]),
            comparison=comparison,
            regressions=regressions,
            paths={"json": os.path.join(args["dest"], JSON_FILE), "html": os.path.join(args["dest"], HTML_FILE)},
            msg="%d runs compared, %d regressions" % (len(labels), len(regressions)),
        )
        if regressions and args["fail_on_regression"]:
            result.update(failed=True, msg="%d regressions: %s" % (len(regressions), ", ".join(r["test"] for r in regressions)))
