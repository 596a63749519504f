# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Action plugin for openinfra.interop.refstack_upload: signs and uploads on the controller.

The private key is read, and the request signed and sent, by the controller only; nothing is
copied to a managed host. All logic lives in ``module_utils/refstack_upload.py``. Relative
paths are the user's: taken from the directory ansible-playbook runs in (this worker's
current directory, inherited from it), never from the playbook's or the collection's.
"""

from __future__ import annotations

import os
import re
from typing import Any

from ansible.errors import AnsibleAction, AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.openinfra.interop.plugins.module_utils.refstack_upload import (
    DEFAULT_SERVER,
    HttpOptions,
    RefStackUploadError,
    UploadRequest,
    upload,
)

display = Display()

ARGUMENT_SPEC: dict[str, dict[str, Any]] = {
    "result": {"type": "path", "required": True},
    "server": {"type": "str", "default": DEFAULT_SERVER},
    "private_key": {"type": "path"},
    "private_key_passphrase": {"type": "str", "no_log": True},
    "allow_anonymous": {"type": "bool", "default": False},
    "allow_partial": {"type": "bool", "default": False},
    "allow_failed": {"type": "bool", "default": False},
    "force": {"type": "bool", "default": False},
    "retries": {"type": "int", "default": 3},
    "retry_delay": {"type": "float", "default": 5.0},
    "timeout": {"type": "float", "default": 30.0},
    "validate_certs": {"type": "bool", "default": True},
    "ca_cert": {"type": "path"},
    "variable_names": {"type": "dict", "default": {}},
}


class ActionModule(ActionBase):
    """Validate, sign and POST a RefStack result document; keep a receipt next to it."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    def _validated_args(self) -> dict[str, Any]:
        """The checked arguments; a wrong type is reported under the name the user gave it."""
        try:
            return self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)[1]
        except AnsibleActionFail as exc:
            names = self._task.args.get("variable_names")
            if not isinstance(names, dict):
                raise
            message = re.sub(r"argument '(\w+)'",
                             lambda m: f"argument '{names.get(m[1], m[1])}'", exc.message)
            raise AnsibleActionFail(message) from None

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        del tmp
        try:
            args = self._validated_args()
            names = args["variable_names"]
            unknown = sorted(str(k) for k in names if k not in ARGUMENT_SPEC)
            if unknown or not all(isinstance(v, str) and v for v in names.values()):
                raise AnsibleActionFail(
                    f"variable_names maps option names to the names the user knows them by; "
                    f"got {names!r}. Accepted keys: {', '.join(sorted(ARGUMENT_SPEC))}; "
                    "values are non-empty strings")
            for name in ("retries", "retry_delay", "timeout"):
                if args[name] < 0 or (name == "timeout" and args[name] == 0):
                    raise AnsibleActionFail(
                        f"{names.get(name, name)} must be {'positive' if name == 'timeout' else 'zero or more'}, "
                        f"got {args[name]}")
            request = UploadRequest(
                result=args["result"],
                server=args["server"],
                private_key=args["private_key"],
                private_key_passphrase=args["private_key_passphrase"],
                allow_anonymous=args["allow_anonymous"],
                allow_partial=args["allow_partial"],
                allow_failed=args["allow_failed"],
                force=args["force"],
                check_mode=bool(self._task.check_mode),
                http=HttpOptions(timeout=args["timeout"], retries=args["retries"],
                                 retry_delay=args["retry_delay"],
                                 validate_certs=args["validate_certs"],
                                 ca_cert=args["ca_cert"]),
                cwd=os.getcwd(),
                names=dict(names),
            )
            try:
                outcome = upload(request, log=lambda msg: display.warning(
                    f"refstack_upload: {msg}"))
            except RefStackUploadError as exc:
                raise AnsibleActionFail(str(exc)) from None
            result.update(outcome)
        except AnsibleAction as exc:
            result.update(exc.result)
        return result
