# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Controller side of openinfra.interop.guideline_census (documented in plugins/modules/)."""

from __future__ import annotations

import json
import os
from typing import Any

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.openinfra.interop.plugins.module_utils.census import candidate_guideline, take_census
from ansible_collections.openinfra.interop.plugins.module_utils.guideline import (
    GuidelineError,
    bundled_versions,
    canonical_program,
    load_guideline,
)
from ansible_collections.openinfra.interop.plugins.module_utils.programs import (
    UnknownProgramError,
    api_services,
)
from ansible_collections.openinfra.interop.plugins.module_utils.results import ResultsError, write_results
from ansible_collections.openinfra.interop.plugins.module_utils.tempest_tests import TempestTestsError, read_listing

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


class ActionModule(ActionBase):
    """List the API tests no guideline tracks; optionally write a candidate guideline to try them."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        del tmp
        try:
            args = self.validate_argument_spec(
                argument_spec=ARGUMENT_SPEC, required_together=[["candidate_base", "candidate_program"]])[1]
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
        except UnknownProgramError as exc:
            result.update(failed=True, msg="programs: %s" % exc)
            return result
        except (AnsibleActionFail, GuidelineError, ResultsError, TempestTestsError) as exc:
            result.update(failed=True, msg=str(exc))
            return result
        except OSError as exc:
            result.update(failed=True, msg="cannot write the census to %s: %s" % (args["dest"], exc))
            return result
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
        return result
