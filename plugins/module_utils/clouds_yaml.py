# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Merge entries into (or remove them from) a ``clouds.yaml`` file, leaving others untouched.

The file is written atomically (temporary file in the same directory, then ``os.replace``)
with mode 0600, because its entries carry passwords. Comments are not preserved when the file
has to be rewritten; a file that needs no change is not rewritten at all.
"""

from __future__ import annotations

import json
import os
import traceback
from typing import Any, Optional
from ansible_collections.openinfra.interop.plugins.module_utils.atomic import atomic_write

try:
    import yaml
except ImportError:
    HAS_YAML = False
    YAML_IMPORT_ERROR: Optional[str] = traceback.format_exc()
else:
    HAS_YAML = True
    YAML_IMPORT_ERROR = None


#: The options of the ``auth`` section of an entry, and those of them that are secrets.
AUTH_KEYS: tuple[str, ...] = (
    "auth_url", "username", "user_id", "password", "token",
    "project_name", "project_id", "user_domain_name", "user_domain_id",
    "project_domain_name", "project_domain_id", "domain_name", "domain_id",
    "default_domain_name", "default_domain_id", "system_scope",
    "application_credential_id", "application_credential_name", "application_credential_secret",
)
SECRET_KEYS: tuple[str, ...] = ("password", "token", "application_credential_secret")


class CloudsYamlError(Exception):
    """A clouds.yaml file that cannot be used, with a user-facing message."""


def load(path: str) -> dict[str, Any]:
    """The parsed file, ``{}`` when it does not exist or is empty."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except FileNotFoundError:
        return {}
    except yaml.YAMLError as exc:
        raise CloudsYamlError(f"{path} is not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CloudsYamlError(f"{path} must hold a mapping with a 'clouds' key, "
                              f"found a {type(data).__name__}")
    clouds = data.get("clouds")
    if clouds is not None and not isinstance(clouds, dict):
        raise CloudsYamlError(f"'clouds' in {path} must be a mapping of cloud names to entries, "
                              f"found a {type(clouds).__name__}")
    return data


def merge(data: dict[str, Any], entries: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Return (new data, names added or changed); ``entries`` replace same-named ones whole."""
    new = dict(data)
    clouds = dict(new.get("clouds") or {})
    changed = []
    for name, entry in entries.items():
        if not isinstance(entry, dict):
            raise CloudsYamlError(f"clouds.yaml entry {name!r} must be a mapping, got {entry!r}")
        if clouds.get(name) != entry:
            clouds[name] = entry
            changed.append(name)
    new["clouds"] = clouds
    return new, changed


def remove(data: dict[str, Any], names: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Return (new data, names removed)."""
    new = dict(data)
    clouds = dict(new.get("clouds") or {})
    removed = [n for n in names if n in clouds]
    for name in removed:
        del clouds[name]
    new["clouds"] = clouds
    return new, removed


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, default_flow_style=False, sort_keys=False)


def private_text(cloud: str, entry: dict[str, Any]) -> str:
    """A clouds.yaml with one entry, as JSON (a YAML subset) in real UTF-8.

    json's default ASCII escapes write a character beyond the BMP (an emoji in a password) as
    a surrogate pair, which PyYAML (openstacksdk, python-tempestconf) reads back as two lone
    surrogates that cannot be encoded: the password must stay the characters it is.
    """
    return json.dumps({"clouds": {cloud: entry}}, indent=2, ensure_ascii=False) + "\n"


def write_atomic(path: str, text: str, mode: int = 0o600) -> None:
    """Write the file atomically in a private directory (created if missing)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), mode=0o700, exist_ok=True)
    atomic_write(path, text, mode)


def current_mode(path: str) -> Optional[int]:
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        return None


def ensure(path: str, state: str, entries: dict[str, Any], names: list[str], mode: int = 0o600,
           check_mode: bool = False) -> dict[str, Any]:
    """Apply ``state`` (present: merge ``entries``; absent: drop ``names``) to ``path``.

    Returns ``{"changed", "entries" (names added/changed/removed), "mode_changed"}``.
    """
    exists = os.path.exists(path)
    data = load(path)
    if state == "present":
        new, touched = merge(data, entries)
    else:
        if not exists:
            return {"changed": False, "entries": [], "mode_changed": False}
        new, touched = remove(data, names)
    mode_now = current_mode(path)
    mode_changed = state == "present" and exists and mode_now != mode
    if not check_mode:
        if touched or not exists:
            write_atomic(path, dump(new), mode)
        elif mode_changed:
            os.chmod(path, mode)
    return {"changed": bool(touched) or mode_changed or (state == "present" and not exists),
            "entries": touched, "mode_changed": bool(mode_changed)}
