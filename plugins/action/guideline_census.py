# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Controller side of openinfra.interop.guideline_census (documented in plugins/modules/)."""

from __future__ import annotations

import json
import os
from typing import Any

from ansible_collections.openinfra.interop.plugins.module_utils.census import candidate_guideline, take_census
from ansible_collections.openinfra.interop.plugins.module_utils.guideline import (
    GuidelineError,
    bundled_versions,
    load_guideline,
)
from ansible_collections.openinfra.interop.plugins.module_utils.programs import (
    canonical_program,
    UnknownProgramError,
    api_services,
)
from ansible_collections.openinfra.interop.plugins.module_utils.results import ResultsError, write_results
from ansible_collections.openinfra.interop.plugins.module_utils.tempest_tests import TempestTestsError, read_listing
from ansible_collections.openinfra.interop.plugins.plugin_utils.controller_action import ControllerAction

ARGUMENT_SPEC: dict[str, Any] = {
    "listing_file": {"type": "path", "required": True},
    "guidelines": {"type": "list", "elements": "str", "default": []},
    "programs": {"type": "list", "elements": "str", "default": ["compute", "object", "dns", "orchestration"]},
    "include": {"type": "list", "elements": "str", "default": []},
    "dest": {"type": "path", "required": True},
    "candidate_base": {"type": "str"},
    "candidate_program": {"type": "str"},
    "candidate_limit": {"type": "int", "default": 0},
}
JSON_FILE = "census.json"
TEXT_FILE = "census.txt"
CANDIDATE_FILE = "candidate-guideline.json"


class ActionModule(ControllerAction):
    """List the API tests no guideline tracks; optionally write a candidate guideline to try them."""

    _requires_connection = False
    ARGUMENT_SPEC = ARGUMENT_SPEC
    VALIDATION = {"required_together": [["candidate_base", "candidate_program"]]}
    ERRORS = (GuidelineError, ResultsError, TempestTestsError, UnknownProgramError)
    WRITING = "the census"

    def error_message(self, exc: Exception) -> str:
        # a program name the user gave in the programs option
        return "programs: %s" % exc if isinstance(exc, UnknownProgramError) else str(exc)

    def act(self, result: dict[str, Any], args: dict[str, Any], task_vars: dict[str, Any]) -> None:
        del task_vars
        programs = [canonical_program(p) for p in args["programs"]]
        services = api_services(programs)
        listing = read_listing(args["listing_file"])
        guidelines = [load_guideline(name) for name in args["guidelines"] or bundled_versions()]
        census = take_census(listing, guidelines, services, include=args["include"])
        files = {
            JSON_FILE: (json.dumps(census.as_dict(), indent=2) + "\n").encode("utf-8"),
            TEXT_FILE: (census.text() + "\n").encode("utf-8"),
        }
        if args["candidate_base"]:
            base = load_guideline(args["candidate_base"], program=args["candidate_program"])
            candidate = candidate_guideline(base, canonical_program(args["candidate_program"]), census,
                                            limit=args["candidate_limit"])
            files[CANDIDATE_FILE] = (json.dumps(candidate, indent=2) + "\n").encode("utf-8")
        written = write_results(args["dest"], files, check_mode=self._task.check_mode)
        counts = census.counts()
        result.update(
            changed=bool(written["changed"]),
            services=services,
            counts=counts,
            api_tests=census.api_tests,
            untracked=sum(counts.values()),
            census=census.as_dict(),
            table_lines=census.text().splitlines(),
            paths={name: os.path.join(args["dest"], name) for name in files},
            msg="%d untracked API tests in %s" % (sum(counts.values()), ", ".join(services)),
        )
