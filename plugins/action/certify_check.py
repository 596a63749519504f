# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Controller side of openinfra.interop.certify_check (documented in plugins/modules/)."""

from __future__ import annotations

import os
from typing import Any, Callable

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.openinfra.interop.plugins.module_utils import certify_check as cc
from ansible_collections.openinfra.interop.plugins.module_utils.connection import INTERFACES, MODES
from ansible_collections.openinfra.interop.plugins.module_utils.programs import program_dir
from ansible_collections.openinfra.interop.plugins.module_utils.known_failures import (
    KnownFailuresError,
    load_known_failures,
)
from ansible_collections.openinfra.interop.plugins.module_utils.refstack_upload import (
    RefStackUploadError,
    load_private_key,
    normalize_server,
)

ARGUMENT_SPEC: dict[str, Any] = {
    "program": {"type": "raw"},
    "any_addon": {"type": "bool", "default": False},
    "guideline": {"type": "raw"},
    "guideline_cache_dir": {"type": "path"},
    "test_types": {"type": "raw"},
    "results_dir": {"type": "raw"},
    "cloud": {"type": "raw"},
    "clouds_yaml": {"type": "str"},
    "auth_from": {"type": "str"},
    "ca_cert": {"type": "raw"},
    "client_cert": {"type": "raw"},
    "client_key": {"type": "raw"},
    "accounts_file": {"type": "raw"},
    "known_failures": {"type": "raw"},
    "mode": {"type": "raw"},
    "interface": {"type": "raw"},
    "upload": {"type": "bool", "default": False},
    "refstack_server": {"type": "raw"},
    "refstack_key": {"type": "raw"},
    "refstack_key_passphrase": {"type": "str", "no_log": True},
    "refstack_allow_anonymous": {"type": "bool", "default": False},
    "names": {"type": "dict", "default": {}},
}


def literal(value: Any) -> Any:
    """A plain copy of user data: strings lose their trust, so no template in them is ever rendered.

    ansible-core 2.19 renders a template found in a trusted string (extra vars are trusted)
    wherever the value is used; a password such as ``{{x}}`` must reach the cloud as typed.
    """
    if isinstance(value, dict):
        return {str(key): literal(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [literal(item) for item in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    # str subclasses (tagged strings) and vaulted values both become a plain str.
    return str(value)


class ActionModule(ActionBase):
    """Check the inputs of a certification run on the controller; change nothing."""

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        try:
            args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)[1]
        except AnsibleActionFail as exc:
            result.update(failed=True, msg=str(exc))
            return result
        given = set(self._task.args)
        name: Callable[[str], str] = lambda key: str(args["names"].get(key, key))  # noqa: E731
        raw_auth = task_vars.get(args["auth_from"]) if args["auth_from"] else None
        if isinstance(raw_auth, str):
            # a template that yields the mapping (a role given "{{ checked.auth }}"): its result is data
            raw_auth = self._templar.template(raw_auth)
        auth = literal(raw_auth) if raw_auth else {}
        checked: dict[str, Any] = {"changed": False}
        try:
            if "cloud" in given:
                cc.check_cloud_choice(args["cloud"], auth)
            if "program" in given:
                if "guideline" in given:
                    # the guideline names the programs it offers when one is unknown
                    checked["guidelines"] = cc.check_guideline(
                        args["guideline"], cc.normalise_programs(args["program"], name("program"), True),
                        args["guideline_cache_dir"], variable=name("guideline"),
                        program_variable=name("program"), program_value=args["program"])
                checked["programs"] = cc.normalise_programs(
                    args["program"], name("program"), args["any_addon"])
                # where each program's workspace and results go (list:<ref> -> list_<stem>)
                checked["program_dirs"] = {p: program_dir(p) for p in checked["programs"]}
            if "test_types" in given:
                checked["test_types"] = cc.normalise_test_types(args["test_types"], name("test_types"))
            if "results_dir" in given:
                checked["results_dir"] = cc.check_results_dir(
                    args["results_dir"], os.getcwd(), name("results_dir"))
            if args["cloud"]:
                checked.update(self._check_cloud(args, name))
            if auth:
                checked["auth"] = cc.check_auth(auth, name("auth"))
                # the credentials are in the result: keep them out of any output
                result["_ansible_no_log"] = True
            for key, what in (("ca_cert", "CA bundle"), ("client_cert", "client certificate"),
                              ("client_key", "client key"), ("accounts_file", "Tempest accounts")):
                if args[key]:
                    # files of a remote test runner are its own preflight's to check, like clouds.yaml
                    checked[key] = (cc.check_readable_file(args[key], name(key), what)
                                    if self._on_controller() else args[key])
            for key, choices in (("mode", MODES), ("interface", INTERFACES)):
                if key in given:
                    checked[key] = cc.check_choice(args[key], name(key), choices)
            if args["known_failures"]:
                # the file is read on the controller, by refstack_results, like the guideline
                load_known_failures(args["known_failures"], name("known_failures"))
                checked["known_failures"] = os.path.abspath(os.path.expanduser(args["known_failures"]))
            if args["upload"]:
                self._check_upload(args, name)
        except KnownFailuresError as exc:
            result.update(failed=True, msg=str(exc), variable=name("known_failures"))
            return result
        except cc.InputError as exc:
            result.update(failed=True, msg=str(exc), variable=exc.variable)
            result.pop("_ansible_no_log", None)
            return result
        result.update(checked)
        return result

    def _on_controller(self) -> bool:
        """Whether the host's files are the controller's (a local connection)."""
        return self._connection is None or self._connection.transport in ("local", "ansible.builtin.local")

    def _check_cloud(self, args: dict[str, Any], name: Callable[[str], str]) -> dict[str, Any]:
        """The clouds.yaml to pass on and the entry in it (on the controller's file system)."""
        if not self._on_controller():
            # clouds.yaml lives on the runner host; its own preflight reads it there.
            return {"clouds_yaml": args["clouds_yaml"] or ""}
        path = cc.find_clouds_yaml(args["clouds_yaml"], os.environ, os.getcwd(),
                                   os.path.expanduser("~"), name("clouds_yaml"))
        cc.check_cloud(path, args["cloud"], name("cloud"), name("clouds_yaml"))
        return {"clouds_yaml": path}

    @staticmethod
    def _check_upload(args: dict[str, Any], name: Callable[[str], str]) -> None:
        server = args["refstack_server"]
        try:
            normalize_server(server if server is not None else "https://refstack.openstack.org/api")
        except RefStackUploadError as exc:
            raise cc.InputError(name("refstack_server"), server, str(exc)) from None
        key = args["refstack_key"]
        if not key:
            if not args["refstack_allow_anonymous"]:
                raise cc.InputError(name("refstack_key"), key, "upload=true needs a key to sign the results",
                                    "the private key registered with the RefStack server, or "
                                    "refstack_allow_anonymous=true for an unsigned upload")
            return
        path = cc.check_readable_file(key, name("refstack_key"), "private key")
        try:
            load_private_key(path, args["refstack_key_passphrase"] or None)
        except RefStackUploadError as exc:
            raise cc.InputError(name("refstack_key"), key, str(exc)) from None
