# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""One base class for every module that talks to an OpenStack cloud.

It owns the shared argument spec (documented once in the ``openstack`` doc fragment),
the openstacksdk connection and the translation of SDK errors into one clear failure,
so each module is a short subclass that only implements :meth:`run`.
"""

from __future__ import annotations

import traceback
from typing import Any

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.openinfra.interop.plugins.module_utils.clouds_yaml import AUTH_KEYS, SECRET_KEYS

try:
    import openstack
    from openstack import exceptions as sdk_exceptions
    from keystoneauth1 import exceptions as ksa_exceptions
except ImportError:
    HAS_SDK = False
    SDK_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_SDK = True
    SDK_IMPORT_ERROR = ""


# Only the secrets are no_log: marking the whole auth dict would make Ansible mask every value
# in it (the auth URL, user and project names) wherever it appears in the module's output.
AUTH_OPTIONS: dict[str, dict[str, Any]] = {
    name: {"type": "str", "no_log": name in SECRET_KEYS} for name in AUTH_KEYS
}

OPENSTACK_ARGUMENT_SPEC: dict[str, dict[str, Any]] = {
    "cloud": {"type": "str"},
    "auth": {"type": "dict", "options": AUTH_OPTIONS},
    "auth_type": {"type": "str", "default": "password"},
    "region_name": {"type": "str"},
    "interface": {"type": "str", "default": "public", "choices": ["public", "internal", "admin"]},
    "validate_certs": {"type": "bool"},
    "ca_cert": {"type": "path"},
    "api_timeout": {"type": "int", "default": 60},
}


class OpenStackModule:
    """Base class: subclasses set ``argument_spec`` (their own options) and implement ``run``."""

    argument_spec: dict[str, dict[str, Any]] = {}
    module_kwargs: dict[str, Any] = {}

    def __init__(self) -> None:
        spec = dict(OPENSTACK_ARGUMENT_SPEC)
        spec.update(self.argument_spec)
        kwargs = dict(self.module_kwargs)
        kwargs["mutually_exclusive"] = [["cloud", "auth"]] + kwargs.get("mutually_exclusive", [])
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        self.params: dict[str, Any] = self.module.params
        self._conn: Any = None
        if not HAS_SDK:
            self.module.fail_json(msg=missing_required_lib("openstacksdk"), exception=SDK_IMPORT_ERROR)

    @property
    def conn(self) -> Any:
        """The openstacksdk connection, created on first use."""
        if self._conn is None:
            self._conn = self.connect()
        return self._conn

    def connect(self) -> Any:
        p = self.params
        options: dict[str, Any] = {"interface": p["interface"], "api_timeout": p["api_timeout"]}
        # Unset means: whatever the clouds.yaml entry says (verify/cacert), else verify.
        if p["validate_certs"] is not None:
            options["verify"] = p["validate_certs"]
        if p["region_name"]:
            options["region_name"] = p["region_name"]
        if p["ca_cert"]:
            options["cacert"] = p["ca_cert"]
        if p["auth"]:
            options["auth"] = {key: value for key, value in p["auth"].items() if value is not None}
            options["auth_type"] = p["auth_type"]
        try:
            if p["cloud"]:
                return openstack.connect(cloud=p["cloud"], **options)
            if p["auth"]:
                # load_yaml_config=False: explicit credentials must not be merged with a
                # clouds.yaml entry that happens to be selected by OS_CLOUD.
                return openstack.connect(load_yaml_config=False, load_envvars=False, **options)
            return openstack.connect(**options)
        except sdk_exceptions.ConfigException as exc:
            self.module.fail_json(msg=f"Cannot load cloud {p['cloud']!r}: {exc}")
        return None  # unreachable: fail_json exits

    def who(self) -> str:
        """Whom the credentials name (never a secret), so a wrong domain or project is visible."""
        auth: dict[str, Any] = {}
        if self._conn is not None:
            auth = dict(self._conn.config.config.get("auth") or {})
        elif self.params["auth"]:
            auth = dict(self.params["auth"])
        shown = [f"{key} {auth[key]!r}" for key in (
            "username", "user_id", "user_domain_name", "user_domain_id", "project_name", "project_id",
            "project_domain_name", "project_domain_id", "auth_url") if auth.get(key)]
        if self.params["cloud"]:
            shown.insert(0, f"cloud {self.params['cloud']!r}")
        if not any(key.startswith("user_domain") for key in auth):
            shown.append("user domain not set (Keystone uses its default domain)")
        return ", ".join(shown)

    def run(self) -> None:
        raise NotImplementedError

    def __call__(self) -> None:
        try:
            self.run()
        except ksa_exceptions.Unauthorized as exc:
            self.module.fail_json(msg=f"Authentication failed: the credentials were rejected "
                                  f"({self.who()}; {exc})")
        except ksa_exceptions.ConnectFailure as exc:
            self.module.fail_json(msg=f"Cannot reach the cloud's auth URL: {exc}")
        except (sdk_exceptions.SDKException, ksa_exceptions.ClientException) as exc:
            self.module.fail_json(msg=f"OpenStack API error: {exc}")
