# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Check what a user gave certify.yml before anything touches the cloud.

Every function here raises :class:`InputError` naming the variable the user set, the bad value
and what is accepted, so a bad input ends with one clear message within seconds instead of a
late failure after discovery (or an argument-spec dump of an internal role variable). The
rules themselves stay with their owners: program names with
:func:`programs.canonical_program` and :data:`programs.PROGRAMS` (the registry), guidelines with
:func:`guideline.load_guideline`, statuses with :data:`guideline.STATUSES`, clouds.yaml parsing
with :func:`clouds_yaml.load`, auth option names with :data:`openstack.AUTH_OPTIONS`.
"""

from __future__ import annotations

import os
import urllib.parse
from typing import Any, Mapping, Optional, Sequence

from ansible_collections.openinfra.interop.plugins.module_utils import clouds_yaml
from ansible_collections.openinfra.interop.plugins.module_utils.clouds_yaml import AUTH_KEYS, SECRET_KEYS
from ansible_collections.openinfra.interop.plugins.module_utils.guideline import STATUSES, load_guideline
from ansible_collections.openinfra.interop.plugins.module_utils.programs import (
    LIST_PREFIX,
    PROGRAM_ALIASES,
    PROGRAMS,
    GuidelineError,
    canonical_program,
)


class InputError(ValueError):
    """One bad input: the variable the user set, its value and what is accepted."""

    def __init__(self, variable: str, value: Any, problem: str, accepted: str = "") -> None:
        self.variable = variable
        shown = _show(value)
        message = f"{variable}={shown}: {problem}"
        if accepted:
            message += f"; accepted: {accepted}"
        super().__init__(message)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if value is None:
        return "(unset)"
    return repr(value)


def _accepted_programs() -> str:
    aliases = ", ".join(f"{alias} (= {name})" for alias, name in PROGRAM_ALIASES.items())
    return (f"{', '.join(PROGRAMS)}, {LIST_PREFIX}<file or URL of a test list>, aliases {aliases}; "
            "case-insensitive, a list or a comma string")


# ------------------------------------------------------------------------------------ programs


def normalise_programs(value: Any, variable: str = "program", any_addon: bool = False) -> list[str]:
    """Program names, canonical and de-duplicated in order (``Storage, dns`` -> object, dns).

    With ``any_addon`` a well-formed name this collection does not know is kept (a guideline
    may define further add-ons; the guideline check decides).
    """
    if isinstance(value, str):
        items: list[Any] = value.split(",")
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise InputError(variable, value, "must be a program name, a comma string or a list",
                         _accepted_programs())
    names = [item.strip() if isinstance(item, str) else item for item in items]
    if not [n for n in names if n != ""]:
        raise InputError(variable, value, "names no program", _accepted_programs())
    result: list[str] = []
    for name in names:
        if name == "" and isinstance(value, str):
            continue  # "object," is a comma list with a trailing comma
        try:
            program = canonical_program(name)
        except GuidelineError:
            raise InputError(variable, value, f"{_show(name)} is not a program name",
                             _accepted_programs()) from None
        if program not in PROGRAMS and not program.startswith(LIST_PREFIX) and not any_addon:
            raise InputError(variable, value, f"{_show(name)} is not a program this collection certifies",
                             _accepted_programs())
        if program not in result:
            result.append(program)
    return result


def check_guideline(ref: Any, programs: Sequence[str], cache_dir: Optional[str] = None,
                    timeout: float = 30, variable: str = "guideline",
                    program_variable: str = "program", program_value: Any = None) -> dict[str, str]:
    """program -> the guideline name that defines it; the guideline must offer every program.

    ``program_value`` is the programs as the user gave them, shown in the error.
    """
    if ref is not None and not isinstance(ref, str):
        raise InputError(variable, ref, "must be a version name, a file or an http(s) URL "
                         "(quote version names in YAML: 2020.06, not a number)")
    text = None if ref is None or ref.strip() == "" else ref.strip()
    try:
        core = load_guideline(text, cache_dir=cache_dir, timeout=timeout)
    except GuidelineError as exc:
        raise InputError(variable, ref, str(exc)) from None
    used: dict[str, str] = {}
    for program in programs:
        try:
            used[program] = load_guideline(text, program=program, cache_dir=cache_dir,
                                           timeout=timeout).name
        except GuidelineError as exc:
            raise InputError(program_variable, program if program_value is None else program_value,
                             f"{program!r} is not offered by guideline {core.name}: {exc}") from None
    return used


def normalise_test_types(value: Any, variable: str = "test_types") -> list[str]:
    """Capability statuses, lower case, de-duplicated."""
    accepted = f"a non-empty list (or comma string) of {', '.join(STATUSES)}"
    if isinstance(value, str):
        items: list[Any] = [v.strip() for v in value.split(",") if v.strip()]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise InputError(variable, value, "must be a list of statuses", accepted)
    result: list[str] = []
    for item in items:
        name = item.strip().lower() if isinstance(item, str) else item
        if name not in STATUSES:
            raise InputError(variable, value, f"{_show(item)} is not a capability status", accepted)
        if name not in result:
            result.append(name)
    if not result:
        raise InputError(variable, value, "names no status", accepted)
    return result


# ---------------------------------------------------------------------------------- directories


def check_results_dir(path: Any, cwd: str, variable: str = "results_dir") -> str:
    """The absolute results directory; it is a writable directory or can be created."""
    accepted = "a writable directory, or a new path whose nearest existing parent is a writable directory"
    if path is None or path == "":
        return ""
    if not isinstance(path, str):
        raise InputError(variable, path, "must be a path", accepted)
    full = os.path.realpath(os.path.join(cwd, os.path.expanduser(path)))
    probe = full
    while not os.path.lexists(probe):
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    if not os.path.isdir(probe):
        what = "is" if probe == full else f"cannot be created: {probe}"
        raise InputError(variable, path, f"{what} a file, not a directory", accepted)
    if not os.access(probe, os.W_OK | os.X_OK):
        where = "" if probe == full else f" (its nearest existing parent {probe})"
        raise InputError(variable, path, f"is not writable{where}", accepted)
    return full


def check_readable_file(path: Any, variable: str, what: str) -> str:
    """An absolute path of a readable regular file."""
    accepted = f"the path of a readable {what} file"
    if not isinstance(path, str) or not path.strip():
        raise InputError(variable, path, "is empty", accepted)
    full = os.path.abspath(os.path.expanduser(path))
    if not os.path.exists(full):
        raise InputError(variable, path, f"{full} does not exist", accepted)
    if not os.path.isfile(full):
        raise InputError(variable, path, f"{full} is not a regular file", accepted)
    try:
        with open(full, "rb") as handle:
            handle.read(1)
    except OSError as exc:
        raise InputError(variable, path, f"{full} cannot be read ({exc.strerror or exc})", accepted) from None
    return full


def check_choice(value: Any, variable: str, choices: Sequence[str]) -> str:
    """One of ``choices`` (the empty string is "not given" and stays allowed)."""
    if value in ("", None):
        return ""
    if not isinstance(value, str) or value not in choices:
        raise InputError(variable, value, "is not accepted", ", ".join(choices))
    return value


def check_url(url: Any, variable: str) -> str:
    accepted = "an http(s) URL such as https://keystone.example.com:5000/v3"
    if not isinstance(url, str) or not url.strip():
        raise InputError(variable, url, "is empty", accepted)
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise InputError(variable, url, "is not an http(s) URL", accepted)
    return url.strip()


# ------------------------------------------------------------------------------ clouds.yaml


def clouds_yaml_candidates(environ: Mapping[str, str], cwd: str, home: str) -> list[str]:
    """The files openstacksdk reads, in its order (OS_CLIENT_CONFIG_FILE first)."""
    config_home = environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    dirs = [cwd, os.path.join(config_home, "openstack"), os.path.join(home, ".config", "openstack"),
            "/etc/xdg/openstack", "/etc/openstack"]
    files = [os.path.join(d, "clouds" + suffix) for d in dirs for suffix in (".yaml", ".yml", ".json")]
    override = environ.get("OS_CLIENT_CONFIG_FILE")
    return ([override] if override else []) + list(dict.fromkeys(files))


def find_clouds_yaml(explicit: Optional[str], environ: Mapping[str, str], cwd: str, home: str,
                     variable: str = "clouds_yaml") -> str:
    """The one clouds.yaml to use: the explicit one, else the first openstacksdk would read.

    A file named by ``clouds_yaml`` or OS_CLIENT_CONFIG_FILE must exist: openstacksdk would
    silently go on to another clouds.yaml and log in to whatever cloud that one names.
    """
    if explicit:
        return check_readable_file(explicit, variable, "clouds.yaml")
    override = environ.get("OS_CLIENT_CONFIG_FILE")
    if override:
        return check_readable_file(override, "OS_CLIENT_CONFIG_FILE", "clouds.yaml")
    for path in clouds_yaml_candidates(environ, cwd, home):
        if os.path.isfile(path):
            return path
    raise InputError("cloud", None, "no clouds.yaml found (searched "
                     + ", ".join(clouds_yaml_candidates(environ, cwd, home)) + ")",
                     "set clouds_yaml or OS_CLIENT_CONFIG_FILE to your clouds.yaml, or give auth")


def check_cloud(path: str, cloud: Any, variable: str = "cloud",
                file_variable: str = "clouds_yaml") -> dict[str, Any]:
    """The entry ``cloud`` of the clouds.yaml ``path`` (well-formed, present, usable files)."""
    try:
        data = clouds_yaml.load(path)
    except clouds_yaml.CloudsYamlError as exc:
        raise InputError(file_variable, path, f"cannot be used: {exc}",
                         "a YAML mapping with a 'clouds' mapping of cloud entries") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(file_variable, path, f"cannot be read: {exc}") from None
    clouds = data.get("clouds") or {}
    if not isinstance(cloud, str) or cloud.strip() == "" or cloud not in clouds:
        defined = ", ".join(sorted(str(c) for c in clouds)) or "no clouds at all"
        raise InputError(variable, cloud, f"is not an entry of {path}", f"the clouds it defines: {defined}")
    entry = clouds[cloud]
    if not isinstance(entry, dict):
        raise InputError(variable, cloud, f"the entry in {path} is a {type(entry).__name__}, "
                         "not a mapping", "an entry with an auth mapping")
    auth = entry.get("auth")
    if auth is not None and not isinstance(auth, dict):
        raise InputError(variable, cloud, f"'auth' of the entry in {path} is a {type(auth).__name__}",
                         "an auth mapping (auth_url, username, password, ...)")
    if isinstance(auth, dict) and "auth_url" in auth:
        check_url(auth["auth_url"], f"{variable} ({path}: clouds.{cloud}.auth.auth_url)")
    for key, what in (("cacert", "CA bundle"), ("cert", "client certificate"), ("key", "client key")):
        if entry.get(key):
            check_readable_file(entry[key], f"{variable} ({path}: clouds.{cloud}.{key})", what)
    return entry


def check_auth(auth: Any, variable: str = "auth") -> dict[str, Any]:
    """Explicit credentials: a mapping of known auth options with an auth URL, a user and a secret."""
    accepted = ("a mapping of " + ", ".join(AUTH_KEYS) + " with auth_url, username (or user_id) "
                "and password")
    if not isinstance(auth, dict):
        raise InputError(variable, "<hidden>", f"is a {type(auth).__name__}, not a mapping", accepted)
    unknown = sorted(str(k) for k in auth if k not in AUTH_KEYS)
    if unknown:
        raise InputError(variable, "<hidden>", f"unknown option(s) {', '.join(unknown)}", accepted)
    missing = [k for k in ("auth_url",) if not auth.get(k)]
    if not (auth.get("username") or auth.get("user_id")):
        missing.append("username")
    if not any(auth.get(k) for k in SECRET_KEYS):
        missing.append("password")
    if missing:
        raise InputError(variable, "<hidden>", f"lacks {', '.join(missing)}", accepted)
    for key, value in auth.items():
        if not isinstance(value, str):
            shown = "<hidden>" if key in SECRET_KEYS else value
            raise InputError(f"{variable}.{key}", shown, f"is a {type(value).__name__}; quote it",
                             "a string")
    check_url(auth["auth_url"], f"{variable}.auth_url")
    return auth


def check_cloud_choice(cloud: Any, auth: Any) -> None:
    """Exactly one of a clouds.yaml entry and explicit credentials."""
    has_cloud = isinstance(cloud, str) and cloud.strip() != ""
    has_auth = bool(auth)
    if has_cloud and has_auth:
        raise InputError("cloud", cloud, "cloud and auth were both given",
                         "one of them: a clouds.yaml entry (cloud) or explicit credentials (auth)")
    if not has_cloud and not has_auth:
        raise InputError("cloud", cloud if cloud else "", "name the cloud to certify",
                         "a clouds.yaml entry (-e cloud=<name>; the sandbox of this collection is "
                         "sandbox) or explicit credentials (auth)")
