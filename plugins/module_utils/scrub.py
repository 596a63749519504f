# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Keep credentials out of every log and artifact: the one owner of secret scrubbing.

Two complementary rules, applied together by :func:`scrub_text`:

* **Known values**: every password, application credential secret or token the run was
  given (clouds.yaml entry, accounts.yaml, tempest.conf) is replaced wherever it appears,
  also in the escaped forms the tools write (configparser ``%%``, oslo.config ``$$``, JSON
  and Python string escapes, URL encoding).
* **Patterns**: values the run never knew (Tempest's dynamic users, passwords it generates,
  tokens Keystone issues) are found by the name of their key: ``"password": "..."`` in the
  request bodies Tempest logs, ``'password': '...'`` in its accounts dump, ``password = ...``
  in INI files, ``--os-password ...`` options, ``X-Auth-Token: ...`` headers and
  python-tempestconf's ``... with password '...'``.

Each secret becomes :data:`MARKER`, so the logs stay readable.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from typing import Any, Iterable, Optional

from ansible_collections.openinfra.interop.plugins.module_utils.subunit_v2 import map_attachments

#: What a secret is replaced with.
MARKER = "***"

#: Shorter known values are not replaced by value (they would shred the text); the patterns
#: still catch them next to their key.
MIN_KNOWN_LENGTH = 3

# Key names whose values are secrets: password, admin_password, alt_password, passwd,
# secret, application_credential_secret, token, auth_token, X-Auth-Token, X-Subject-Token...
_KEY = r"[A-Za-z0-9_.-]*(?:password|passwd|secret|token)"

# "key": "value" / 'key': 'value' (JSON, Python repr; quotes may be backslash-escaped when
# a body is logged inside another string).
_QUOTED = re.compile(
    r"(?P<head>(?P<kq>\\*[\"'])(?P<key>" + _KEY + r")(?P=kq)\s*[:=]\s*(?P<vq>\\*[\"']))"
    r"(?P<value>(?:(?!(?P=vq)).)*?)(?P=vq)",
    re.IGNORECASE,
)
# key = value / key: value at the start of a line (INI, YAML, ``--os-password value``)
_LINE = re.compile(
    r"(?P<head>^[ \t-]*(?P<key>" + _KEY + r")[ \t]*[:=][ \t]*)(?P<value>[^\s'\"{\[][^\n]*?)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
# command-line options: --os-password value, --password=value
_OPTION = re.compile(
    r"(?P<head>--(?P<key>" + _KEY + r")(?:[ \t]+|=))(?P<value>[^\s'\"]+)",
    re.IGNORECASE,
)
# HTTP headers: X-Auth-Token: gAAAA..., X-Subject-Token: ... ('<omitted>' is kept as is)
_HEADER = re.compile(
    r"(?P<head>(?P<key>X-(?:Auth|Subject|Service)-Token)['\"]?\s*[:=]\s*['\"]?)(?P<value>[^\s'\",}]+)",
    re.IGNORECASE,
)
# key: 'value' / key = "value" at the start of a line (YAML, INI with quotes)
_LINE_QUOTED = re.compile(
    r"(?P<head>^[ \t-]*(?P<key>" + _KEY + r")[ \t]*[:=][ \t]*(?P<vq>[\"']))(?P<value>[^\n]*?)(?P=vq)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
# prose in tool logs: python-tempestconf logs "Creating user 'x' with ... password 'secret'"
_PROSE = re.compile(
    r"(?P<head>\b(?P<key>password)[ \t]+(?P<vq>['\"]))(?P<value>[^'\"\n]*)(?P=vq)",
    re.IGNORECASE,
)
_PATTERNS = (_QUOTED, _HEADER, _OPTION, _PROSE, _LINE_QUOTED, _LINE)

# values that are clearly not secrets even under a secret-named key
_NOT_SECRET = frozenset({"", MARKER, "********", "<omitted>", "none", "null", "true", "false"})


def variants(secret: str) -> set[str]:
    """The forms a secret takes in the files and logs of the tools."""
    return {
        secret,
        secret.replace("%", "%%"),  # configparser (python-tempestconf)
        secret.replace("$", "$$"),  # oslo.config (tempest.conf)
        json.dumps(secret)[1:-1],  # JSON bodies
        repr(secret)[1:-1],  # Python reprs in debug dumps
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote_plus(secret, safe=""),
    }


def _is_secret_value(value: str) -> bool:
    return value.strip().lower() not in _NOT_SECRET and not set(value.strip()) <= {"*"}


def find_secrets(text: str) -> set[str]:
    """Values of secret-named keys in a text (INI, YAML, JSON, logs), by the patterns."""
    found: set[str] = set()
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            value = match.group("value")
            if _is_secret_value(value):
                found.add(value.replace("\\\\", "\\"))
    return found


def secrets_in_data(data: Any) -> set[str]:
    """String values under secret-named keys of parsed YAML/JSON (clouds.yaml, accounts.yaml)."""
    found: set[str] = set()
    key_re = re.compile(_KEY + r"$", re.IGNORECASE)
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, (str, int, float)) and not isinstance(value, bool) and key_re.match(str(key)):
                text = str(value)
                if _is_secret_value(text):
                    found.add(text)
            else:
                found |= secrets_in_data(value)
    elif isinstance(data, list):
        for item in data:
            found |= secrets_in_data(item)
    return found


def secrets_in_file_text(text: str) -> set[str]:
    """Every secret a credentials file holds: parsed as YAML/JSON when it is, and by pattern."""
    found = find_secrets(text)
    try:
        import yaml  # PyYAML: on the controller (ansible-core) and in the Tempest venv

        found |= secrets_in_data(yaml.safe_load(text))
    except Exception:  # not YAML (an INI file): the patterns above already read it
        pass
    return found


def scrub_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every known secret and every value of a secret-named key replaced."""
    forms: set[str] = set()
    for secret in secrets:
        secret = str(secret or "")
        if len(secret) >= MIN_KNOWN_LENGTH:
            forms |= {form for form in variants(secret) if len(form) >= MIN_KNOWN_LENGTH}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, MARKER)
    for pattern in _PATTERNS:
        text = pattern.sub(
            lambda m: m.group("head") + (MARKER if _is_secret_value(m.group("value")) else m.group("value"))
            + _tail(m),
            text,
        )
    return text


def _tail(match: "re.Match[str]") -> str:
    """The closing quote of a quoted match (the other patterns end at the value)."""
    return match.group("vq") if "vq" in match.re.groupindex else ""


def scrub_bytes(data: bytes, secrets: Iterable[str] = ()) -> bytes:
    """:func:`scrub_text` for file contents (undecodable bytes survive as they were)."""
    return scrub_text(data.decode("utf-8", "surrogateescape"), secrets).encode("utf-8", "surrogateescape")


class Scrubber:
    """Every secret one run knows, applied to the files it keeps.

    ``secrets`` are values given directly; ``texts`` are credentials files (tempest.conf,
    accounts.yaml, clouds.yaml) whose secret-named values are added.
    """

    def __init__(self, secrets: Iterable[str] = (), texts: Iterable[Optional[str]] = ()) -> None:
        known = {str(s) for s in secrets if s}
        for text in texts:
            if text:
                known |= secrets_in_file_text(text)
        self.known = sorted(known)

    def text(self, text: str) -> str:
        return scrub_text(text, self.known)

    def log(self, data: bytes) -> bytes:
        """A text file (log, configuration)."""
        return scrub_bytes(data, self.known)

    def subunit(self, data: bytes) -> bytes:
        """A subunit v2 stream: its attachments (captured logging, tracebacks) are scrubbed."""
        return map_attachments(data, self.log)
