# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Controller side of openinfra.interop.refstack_results (documented in plugins/modules/)."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import tempfile
from typing import Any

from ansible import constants as C
from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.plugins.action import ActionBase

from ansible_collections.openinfra.interop.plugins.module_utils.cpid import (
    METHOD_HOSTNAME,
    METHODS,
    CpidError,
    cpid_from_hostname,
)
from ansible_collections.openinfra.interop.plugins.module_utils.guideline import (
    Guideline,
    GuidelineError,
    GuidelineTest,
    load_guideline,
)
from ansible_collections.openinfra.interop.plugins.module_utils.programs import (
    canonical_program,
    program_dir,
    program_entry,
)
from ansible_collections.openinfra.interop.plugins.module_utils.known_failures import (
    KnownFailuresError,
    load_known_failures,
)
from ansible_collections.openinfra.interop.plugins.module_utils.scrub import Scrubber
from ansible_collections.openinfra.interop.plugins.module_utils.results import (
    HTML_FILE,
    JUNIT_FILE,
    REFSTACK_FILE,
    SUMMARY_FILE,
    ResultsError,
    StreamInput,
    build_results,
    reusable_result,
    store_results,
)

ARGUMENT_SPEC: dict[str, Any] = {
    "state": {"type": "str", "default": "present", "choices": ["present", "query"]},
    "src": {"type": "str"},
    "rerun_src": {"type": "str"},
    "tempest_log": {"type": "str"},
    "rerun_tempest_log": {"type": "str"},
    "interrupted": {"type": "bool", "default": False},
    "rerun_interrupted": {"type": "bool", "default": False},
    "missing_ok": {"type": "bool", "default": False},
    "program": {"type": "str", "required": True},
    "guideline": {"type": "str"},
    "guideline_cache_dir": {"type": "path"},
    "include_flagged": {"type": "bool", "default": False},
    "test_types": {"type": "list", "elements": "str", "default": ["required"]},
    "cpid": {"type": "str"},
    "cpid_method": {"type": "str", "default": "given", "choices": [*METHODS, "given"]},
    "cpid_detail": {"type": "str", "default": ""},
    "cloud": {"type": "str", "default": ""},
    "auth_url": {"type": "str"},
    "results_dir": {"type": "path", "required": True},
    "duration_seconds": {"type": "int"},
    "missing_reasons": {"type": "dict", "default": {}},
    "available_services": {"type": "list", "elements": "str"},
    "reported_features": {"type": "dict"},
    "metadata": {"type": "dict", "default": {}},
    "only_tests": {"type": "list", "elements": "str"},
    "known_failures": {"type": "path"},
    "release": {"type": "str", "default": ""},
    "secret_files": {"type": "list", "elements": "str", "default": []},
    "secrets": {"type": "list", "elements": "str", "default": [], "no_log": True},
}


def _trial_tests(guideline: Guideline, program: str, test_types: list[str], flag: bool) -> list[GuidelineTest]:
    """Tests of the non-required statuses that ran: reported, never in the verdict."""
    others = [t for t in test_types if t.strip().lower() != "required"]
    return guideline.tests(program, types=others, flag=flag) if others else []


class ActionModule(ActionBase):
    """Fetch the streams from the runner host, build every artifact, write them on the controller."""

    TRANSFERS_FILES = False
    _requires_connection = True

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        local_tmp = None
        try:
            _validation, args = self.validate_argument_spec(
                argument_spec=ARGUMENT_SPEC, required_one_of=[["cpid", "auth_url"]],
                required_if=[["state", "present", ["src"]]],
            )
            program = canonical_program(args["program"])
            guideline = load_guideline(args["guideline"], program=program, cache_dir=args["guideline_cache_dir"])
            required = guideline.tests(program, types=("required",), flag=args["include_flagged"])
            trial = _trial_tests(guideline, program, args["test_types"], args["include_flagged"])

            cpid, method, detail = args["cpid"], args["cpid_method"], args["cpid_detail"]
            if not cpid and not args["auth_url"]:
                raise AnsibleActionFail("one of the following is required: cpid, auth_url (to compute the CPID)")
            if not cpid:
                cpid, method = cpid_from_hostname(args["auth_url"]), METHOD_HOSTNAME
                detail = detail or "no CPID given: md5 of the auth URL host name"

            known = load_known_failures(args["known_failures"], "known_failures")
            if args["state"] == "query":
                return self._query(result, args, program, guideline.name, required, cpid)

            local_tmp = tempfile.mkdtemp(prefix="refstack-results-", dir=C.DEFAULT_LOCAL_TMP)
            # every credential the run knows, scrubbed from what is kept (logs, captured logging)
            scrub = Scrubber(args["secrets"], [
                (self._read_remote(path, task_vars, local_tmp, missing_ok=True) or b"").decode("utf-8", "replace")
                for path in args["secret_files"]
            ])
            first = self._read_remote(args["src"], task_vars, local_tmp, missing_ok=args["missing_ok"])
            if first is None:
                # No stream: the run did not happen. Nothing is written, an earlier result stays.
                result.update(changed=False, collected=False,
                              msg=f"nothing collected: {args['src']} does not exist (the run did not happen)")
                return result
            # captured logging and tracebacks in the streams are scrubbed before anything is kept
            attempts = [StreamInput(scrub.subunit(first), interrupted=args["interrupted"], source=args["src"])]
            raw_streams = [first]
            if args["rerun_src"]:
                rerun = self._read_remote(args["rerun_src"], task_vars, local_tmp, missing_ok=args["missing_ok"])
                raw_streams.append(rerun or b"")
                attempts.append(StreamInput(scrub.subunit(rerun or b""),
                                            interrupted=args["rerun_interrupted"] or rerun is None,
                                            source=args["rerun_src"]))
            extra: dict[str, bytes] = {}
            for option, name in (("tempest_log", "tempest.log"), ("rerun_tempest_log", "tempest.attempt-2.log")):
                if args[option]:
                    data = self._read_remote(args[option], task_vars, local_tmp, missing_ok=True)
                    if data is not None:
                        extra[name] = scrub.log(data)

            built = build_results(
                attempts,
                required,
                program=program,
                guideline=guideline.name,
                guideline_source=str(guideline.source),
                cpid=cpid,
                cpid_method=method,
                cpid_detail=detail,
                cloud=args["cloud"],
                duration_seconds=args["duration_seconds"],
                missing_reasons=args["missing_reasons"],
                metadata=args["metadata"],
                available_services=args["available_services"],
                reported_features=args["reported_features"],
                trial=trial,
                only_tests=args["only_tests"],
                verdict_rule=program_entry(program).verdict,
                known_failures=known,
                release=args["release"],
            )
            files = dict(built.files)
            files.update(extra)
            # what this verdict was scored from; the time is added when the result is written
            scoring = {
                "program": program,
                "guideline": guideline.name,
                "guideline_source": str(guideline.source),
                "streams": [{"source": a.source, "sha256": hashlib.sha256(raw).hexdigest()}
                            for a, raw in zip(attempts, raw_streams)],
            }
            stored = store_results(os.path.join(args["results_dir"], program_dir(program)), files,
                                   check_mode=self._task.check_mode, scoring=scoring)
            directory = stored["directory"]
            written = {k: stored[k] for k in ("changed", "unchanged", "removed")}
        except (AnsibleActionFail, GuidelineError, ResultsError, CpidError, KnownFailuresError) as exc:
            result.update(failed=True, msg=str(exc))
            return result
        except OSError as exc:
            result.update(failed=True, msg=f"Cannot write the results: {exc}")
            return result
        finally:
            if local_tmp:
                shutil.rmtree(local_tmp, ignore_errors=True)
            self._remove_tmp_path(self._connection._shell.tmpdir)

        summary = built.summary
        paths = {
            "refstack_result": os.path.join(directory, REFSTACK_FILE),
            "junit": os.path.join(directory, JUNIT_FILE),
            "html": os.path.join(directory, HTML_FILE),
            "summary": os.path.join(directory, SUMMARY_FILE),
            "subunit": [os.path.join(directory, a["file"]) for a in summary["attempts"]],
        }
        if "tempest.log" in extra:
            paths["tempest_log"] = os.path.join(directory, "tempest.log")
        msg = built.summary_text.splitlines()[0]
        if stored["placement"] == "beside":
            msg += f" - kept beside the complete result of {os.path.join(args['results_dir'], program_dir(program))}, which stays"
        result.update(
            changed=bool(written["changed"] or written["removed"]),
            collected=True,
            placement=stored["placement"],
            previous_dir=stored["previous"],
            msg=msg,
            program=program,
            guideline={"name": guideline.name, "source": str(guideline.source)},
            verdict=summary["verdict"],
            pipeline_verdict=summary["pipeline_verdict"],
            known_failures=summary["known_failures"],
            partial=summary["partial"],
            counts=summary["counts"],
            capabilities=summary["capabilities"],
            failing_capabilities=summary["failing_capabilities"],
            renames=summary["renames"],
            cloud=summary["cloud"],
            trial=summary["trial"],
            cpid=summary["cpid"],
            cpid_method=summary["cpid_method"],
            cpid_detail=summary["cpid_detail"],
            duration_seconds=summary["duration_seconds"],
            run=summary["run"],
            attempts=[{k: a[k] for k in ("attempt", "file", "tests", "partial", "stream_errors")}
                      for a in summary["attempts"]],
            results_dir=directory,
            paths=paths,
            files=written,
            summary_text=built.summary_text,
            summary_lines=built.summary_text.splitlines(),
        )
        return result

    @staticmethod
    def _query(result: dict[str, Any], args: dict[str, Any], program: str, guideline: str,
               required: Any, cpid: str) -> dict[str, Any]:
        """state=query: may the result already in the results directory stand for a new run?"""
        directory = os.path.join(args["results_dir"], program_dir(program))
        previous, reason = reusable_result(directory, program=program, guideline=guideline, required=required,
                                           cloud=args["cloud"], cpid=cpid)
        result.update(changed=False, reusable=previous is not None, msg=reason, program=program, results_dir=directory)
        if previous is not None:
            result["previous"] = {k: previous.get(k) for k in (
                "verdict", "pipeline_verdict", "partial", "counts", "failing_capabilities", "cloud", "cpid", "guideline")}
        return result

    def _read_remote(self, path: str, task_vars: dict[str, Any], local_tmp: str, missing_ok: bool) -> bytes | None:
        """Bytes of ``path`` on the task's host (None if absent and ``missing_ok``)."""
        source = self._remote_expand_user(self._connection._shell.join_path(path))
        if not self._connection.become:
            try:
                stat = self._execute_remote_stat(source, all_vars=task_vars, follow=True)
            except AnsibleError as exc:
                raise AnsibleActionFail(f"Cannot stat {source} on the runner host: {exc}") from exc
            if not stat.get("exists"):
                if missing_ok:
                    return None
                raise AnsibleActionFail(f"{source} does not exist on the runner host")
            if stat.get("isdir"):
                raise AnsibleActionFail(f"{source} on the runner host is a directory, not a file")
            checksum = stat.get("checksum")
            if checksum not in (None, "", "1"):
                dest = os.path.join(local_tmp, f"{len(os.listdir(local_tmp))}.fetched")
                self._connection.fetch_file(source, dest)
                with open(dest, "rb") as handle:
                    data = handle.read()
                if hashlib.sha1(data).hexdigest() != checksum:  # nosec - transfer check, as fetch does
                    raise AnsibleActionFail(f"{source} changed while it was fetched (checksum mismatch); retry")
                return data
        # Privilege escalation or an unreadable file for the connection user: slurp, as fetch does.
        slurped = self._execute_module(
            module_name="ansible.legacy.slurp", module_args={"src": source}, task_vars=task_vars
        )
        if slurped.get("failed"):
            message = str(slurped.get("msg", ""))
            if "not found" in message and missing_ok:
                return None
            raise AnsibleActionFail(f"Cannot read {source} on the runner host: {message}")
        return base64.b64decode(slurped["content"])
