# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Controller side of openinfra.interop.guideline_info (documented in plugins/modules/)."""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

from ansible import constants as C
from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.openinfra.interop.plugins.module_utils.guideline import (
    STATUSES,
    GuidelineError,
    load_guideline,
    program_summary,
)

ARGUMENT_SPEC: dict[str, Any] = {
    "guideline": {"type": "str"},
    "program": {"type": "str"},
    "type": {"type": "list", "elements": "str", "choices": list(STATUSES), "default": ["required"]},
    "alias": {"type": "bool", "default": True},
    "flag": {"type": "bool", "default": False},
    "dest": {"type": "str"},
    "mode": {"type": "raw"},
    "cache_dir": {"type": "path"},
    "timeout": {"type": "float", "default": 30},
}


class ActionModule(ActionBase):
    """Build the guideline information on the controller; write ``dest`` via the copy action."""

    TRANSFERS_FILES = True

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        del tmp
        try:
            args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)[1]
        except AnsibleActionFail as exc:
            result.update(failed=True, msg=str(exc))
            return result
        if args["dest"] and not args["program"]:
            result.update(failed=True, msg="dest needs program: name the program whose test list to write")
            return result
        try:
            guideline = load_guideline(
                args["guideline"],
                program=args["program"],
                cache_dir=args["cache_dir"],
                timeout=args["timeout"],
            )
            result["guideline"] = {"name": guideline.name, "source": guideline.source, "schema": guideline.schema}
            result["programs"] = guideline.programs()
            if args["program"]:
                result.update(program_summary(guideline, args["program"], args["type"] or None, args["alias"], args["flag"]))
        except GuidelineError as exc:
            result.update(failed=True, msg=str(exc))
            return result
        result["changed"] = False
        if args["dest"]:
            copied = self._write_dest(result["test_list"], args, task_vars or {})
            if copied.get("failed"):
                result.update(failed=True, msg="cannot write %s: %s" % (args["dest"], copied.get("msg", copied)))
                return result
            result["changed"] = bool(copied.get("changed"))
            result["dest"] = copied.get("dest", args["dest"])
            if "diff" in copied:
                result["diff"] = copied["diff"]
        return result

    def _write_dest(self, content: str, args: dict[str, Any], task_vars: dict[str, Any]) -> dict[str, Any]:
        """Copy ``content`` to ``dest`` on the managed host with ansible.builtin.copy.

        The copy action compares checksums (changed only when the bytes differ), honours check
        mode and diff mode, become and the connection of the task.
        """
        local_dir = tempfile.mkdtemp(dir=C.DEFAULT_LOCAL_TMP)
        try:
            source = os.path.join(local_dir, "test-list.txt")
            with open(source, "wb") as handle:
                handle.write(content.encode("utf-8"))
            task = self._task.copy()
            task.args = {"src": source, "dest": args["dest"]}
            if args["mode"] is not None:
                task.args["mode"] = args["mode"]
            copy_action = self._shared_loader_obj.action_loader.get(
                "ansible.legacy.copy",
                task=task,
                connection=self._connection,
                play_context=self._play_context,
                loader=self._loader,
                templar=self._templar,
                shared_loader_obj=self._shared_loader_obj,
            )
            return copy_action.run(task_vars=task_vars)
        finally:
            shutil.rmtree(local_dir, ignore_errors=True)
            self._remove_tmp_path(self._connection._shell.tmpdir)
