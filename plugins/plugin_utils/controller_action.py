# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The start every controller action plugin of this collection shares.

Validate the task arguments against the plugin's spec, then run the plugin's own work and turn
its expected errors into one failed result with a message (never a traceback).
"""

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase


class ControllerAction(ActionBase):
    """Base for the action plugins that do their work on the controller.

    A subclass sets ARGUMENT_SPEC (and VALIDATION for the other validate_argument_spec keywords),
    lists in ERRORS the exceptions whose text is the message to show, names in WRITING what it
    writes (for the OSError message) and implements act().
    """

    TRANSFERS_FILES = False
    ARGUMENT_SPEC: dict[str, Any] = {}
    VALIDATION: dict[str, Any] = {}
    ERRORS: tuple[type[Exception], ...] = ()
    WRITING = "the results"

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        del tmp
        args: dict[str, Any] = {}
        try:
            args = self.validate_argument_spec(argument_spec=self.ARGUMENT_SPEC, **self.VALIDATION)[1]
            self.act(result, args, task_vars or {})
        except (AnsibleActionFail, *self.ERRORS) as exc:
            result.update(failed=True, msg=self.error_message(exc))
        except OSError as exc:
            result.update(failed=True, msg="cannot write %s to %s: %s" % (self.WRITING, args.get("dest"), exc))
        return result

    def error_message(self, exc: Exception) -> str:
        """The message for an expected error; a subclass prefixes the variable it came from."""
        return str(exc)

    def act(self, result: dict[str, Any], args: dict[str, Any], task_vars: dict[str, Any]) -> None:
        """Do the plugin's work, filling ``result`` in place (what it set before an error stays)."""
        raise NotImplementedError
