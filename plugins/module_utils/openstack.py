# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""One base class for every module that talks to an OpenStack cloud.

It owns the shared argument spec (documented once in the ``openstack`` doc fragment),
the openstacksdk connection and the translation of SDK errors into one clear failure,
so each module is a short subclass that only implements :meth:`run`.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import Any, cast

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.openinfra.interop.plugins.module_utils.connection import INTERFACES, ConnectionProfile, ProfileError
from ansible_collections.openinfra.interop.plugins.module_utils.clouds_yaml import AUTH_KEYS, SECRET_KEYS

# openstacksdk is imported on the first connection, not here: a module that ends without
# talking to the cloud (a saved state, a cleanup whose ledger is empty) does not pay for the
# import (one to two seconds of a busy runner host).
HAS_SDK = importlib.util.find_spec("openstack") is not None


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
    "interface": {"type": "str", "choices": list(INTERFACES)},
    "validate_certs": {"type": "bool"},
    "ca_cert": {"type": "path"},
    "client_cert": {"type": "path"},
    "client_key": {"type": "path", "no_log": False},
    "connection": {"type": "dict"},
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
        #: How the module reached the cloud (set on connect); no secrets.
        self.profile: ConnectionProfile | None = None
        if not HAS_SDK:
            self.module.fail_json(msg=missing_required_lib("openstacksdk"))

    @property
    def conn(self) -> Any:
        """The openstacksdk connection, created on first use."""
        if self._conn is None:
            self._conn = self.connect()
        return self._conn

    @property
    def connection_profile(self) -> ConnectionProfile:
        """The resolved profile (connects first)."""
        if self.profile is None:
            self._conn = self.connect()
        return cast(ConnectionProfile, self.profile)  # connect() sets it or exits

    def connect(self) -> Any:
        p = self.params
        options: dict[str, Any] = {"api_timeout": p["api_timeout"]}
        cloud = p["cloud"]
        clouds_yaml = os.environ.get("OS_CLIENT_CONFIG_FILE", "")
        if p["connection"]:
            # the profile of the preflight, so this step reaches the cloud exactly like it
            try:
                given = ConnectionProfile.from_fact(p["connection"])
            except ProfileError as exc:
                self.module.fail_json(msg=str(exc))
            options.update(given.sdk_options())
            cloud = cloud or given.cloud
            if given.clouds_yaml:
                clouds_yaml = given.clouds_yaml
                os.environ["OS_CLIENT_CONFIG_FILE"] = clouds_yaml
        # Options given to the module win; unset ones keep the clouds.yaml entry's (verify, cacert, ...).
        for option, key in (("interface", "interface"), ("validate_certs", "verify"), ("region_name", "region_name"),
                            ("ca_cert", "cacert"), ("client_cert", "cert"), ("client_key", "key")):
            if p[option] not in (None, ""):
                options[key] = p[option]
        if p["auth"]:
            options["auth"] = {key: value for key, value in p["auth"].items() if value is not None}
            options["auth_type"] = p["auth_type"]
        conn: Any = None
        import openstack  # pylint: disable=import-outside-toplevel  # (see HAS_SDK)
        from openstack import exceptions as sdk_exceptions  # pylint: disable=import-outside-toplevel
        try:
            if cloud:
                conn = openstack.connect(cloud=cloud, **options)
            elif p["auth"]:
                # load_yaml_config=False: explicit credentials must not be merged with a
                # clouds.yaml entry that happens to be selected by OS_CLOUD.
                conn = openstack.connect(load_yaml_config=False, load_envvars=False, **options)
            else:
                conn = openstack.connect(**options)
        except sdk_exceptions.ConfigException as exc:
            self.module.fail_json(msg=f"Cannot load cloud {cloud!r}: {exc}")
        self.profile = ConnectionProfile.from_config(conn.config.config, cloud or "", clouds_yaml)
        problems = self.profile.problems(self.origins())
        if problems:
            self.module.fail_json(msg=f"Cannot connect to {cloud or 'the cloud'}: " + "; ".join(problems))
        return conn

    def origins(self) -> dict[str, str]:
        """Where each file of the profile came from, in the words of the module's options."""
        p = self.params
        return {key: f"option {key}" for key in ("ca_cert", "client_cert", "client_key") if p[key]}

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
        except Exception as exc:  # pylint: disable=broad-exception-caught  # only SDK errors are translated
            message = self.sdk_failure(exc)
            if message is None:
                raise
            self.module.fail_json(msg=message)

    def sdk_failure(self, exc: Exception) -> str | None:
        """The one-line message for an openstacksdk/keystoneauth error, None for anything else."""
        if "openstack" not in sys.modules:
            return None  # no connection was made, so no SDK error can have been raised
        from openstack import exceptions as sdk_exceptions  # pylint: disable=import-outside-toplevel
        from keystoneauth1 import exceptions as ksa_exceptions  # pylint: disable=import-outside-toplevel
        if isinstance(exc, ksa_exceptions.Unauthorized):
            return f"Authentication failed: the credentials were rejected ({self.who()}; {exc})"
        if isinstance(exc, ksa_exceptions.ConnectFailure):
            return f"Cannot reach the cloud's auth URL: {exc}"
        if isinstance(exc, (sdk_exceptions.SDKException, ksa_exceptions.ClientException)):
            return f"OpenStack API error: {exc}"
        return None
