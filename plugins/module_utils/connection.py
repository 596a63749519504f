# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The connection profile: how every step reaches the cloud under test.

A user says once which ``clouds.yaml`` entry to use and how to reach it (CA bundle, client
certificate and key for mutual TLS, region, endpoint interface, certificate checking), in the
entry itself or as role/certify variables that override it. The preflight resolves that into
one :class:`ConnectionProfile`, published as the ``tempestconf_connection`` fact; discovery,
account generation, tempest.conf, the CPID lookup and the cleanup all connect with it, so no
step can fall back to other credentials or to no CA.

The profile holds no secret: credentials stay in the ``clouds.yaml`` entry it names.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass
from typing import Any, Mapping

INTERFACES = ("public", "internal", "admin")
#: How discovery and Tempest get credentials; ``non-admin`` (the README's spelling until 0.1)
#: is the same mode as ``non_admin``.
MODES = ("admin", "non_admin", "non-admin")


class ProfileError(ValueError):
    """A profile that cannot be used, with one message naming the setting to fix."""


@dataclass(frozen=True)
class ConnectionProfile:
    #: Name of the clouds.yaml entry.
    cloud: str
    #: The clouds.yaml holding it; empty for openstacksdk's search path.
    clouds_yaml: str = ""
    auth_url: str = ""
    region_name: str = ""
    interface: str = "public"
    #: Verify TLS certificates.
    verify: bool = True
    #: CA bundle; empty for the system's trust store.
    ca_cert: str = ""
    #: Client certificate and key (mutual TLS); empty for none.
    client_cert: str = ""
    client_key: str = ""

    @classmethod
    def from_config(cls, config: Mapping[str, Any], cloud: str, clouds_yaml: str = "") -> "ConnectionProfile":
        """The profile of an openstacksdk cloud config (the ``clouds.yaml`` entry with the overrides applied)."""
        auth = config.get("auth") or {}
        interface = str(config.get("interface") or "public")
        verify = config.get("verify", True)
        return cls(
            cloud=cloud,
            clouds_yaml=clouds_yaml,
            auth_url=str(auth.get("auth_url") or ""),
            region_name=str(config.get("region_name") or ""),
            interface=interface,
            verify=verify not in (False, "false", "False", "no", 0),
            ca_cert=str(config.get("cacert") or ""),
            client_cert=str(config.get("cert") or ""),
            client_key=str(config.get("key") or ""),
        )

    @classmethod
    def from_fact(cls, fact: Mapping[str, Any]) -> "ConnectionProfile":
        """The profile back from its fact (:meth:`as_fact`); one clear error for a bad one."""
        if not isinstance(fact, Mapping) or not fact.get("cloud"):
            raise ProfileError(
                "connection must be the tempestconf_connection fact of the tempestconf role "
                f"(a mapping with at least 'cloud'), got {fact!r}"
            )
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(fact) - known)
        if unknown:
            raise ProfileError(
                f"Unknown key(s) in connection: {', '.join(unknown)}; accepted: {', '.join(sorted(known))}"
            )
        profile = cls(**{key: fact[key] for key in fact})
        if profile.interface not in INTERFACES:
            raise ProfileError(
                f"connection interface {profile.interface!r} is not one of {', '.join(INTERFACES)}"
            )
        return profile

    def as_fact(self) -> dict[str, Any]:
        return asdict(self)

    def sdk_options(self) -> dict[str, Any]:
        """Keyword arguments of ``openstack.connect`` besides the cloud name."""
        options: dict[str, Any] = {"interface": self.interface, "verify": self.verify}
        for key, value in (("region_name", self.region_name), ("cacert", self.ca_cert),
                           ("cert", self.client_cert), ("key", self.client_key)):
            if value:
                options[key] = value
        return options

    def problems(self, origins: Mapping[str, str] | None = None) -> list[str]:
        """What makes the profile unusable before any request is sent (missing files, ...).

        ``origins`` names where each setting came from (``ca_cert`` ->
        ``tempestconf_ca_cert``), so a message names what the user set.
        """
        origins = origins or {}
        found = []
        for key, label in (("ca_cert", "CA bundle"), ("client_cert", "client certificate"),
                           ("client_key", "client key")):
            path = getattr(self, key)
            where = origins.get(key) or f"{_ENTRY_KEYS[key]} of clouds.yaml entry {self.cloud!r}"
            if path and not os.path.isfile(path):
                found.append(f"the {label} {path!r} ({where}) does not exist or is not a file")
            elif path and not os.access(path, os.R_OK):
                found.append(f"the {label} {path!r} ({where}) cannot be read")
        if bool(self.client_cert) != bool(self.client_key) and not _combined_pem(self.client_cert):
            found.append("a client certificate needs its key (client_key, or 'key' in the clouds.yaml entry)")
        return found


#: Keys of a clouds.yaml entry that hold each file of the profile.
_ENTRY_KEYS = {"ca_cert": "cacert", "client_cert": "cert", "client_key": "key"}


def _combined_pem(path: str) -> bool:
    """Whether a certificate file also holds its private key (one PEM for both is allowed)."""
    if not path or not os.path.isfile(path):
        return False
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return "PRIVATE KEY-----" in handle.read()
    except OSError:
        return False


_TLS_FAILURE = re.compile(r"CERTIFICATE_VERIFY_FAILED|certificate verify failed|SSLError|SSL: ", re.IGNORECASE)


def is_tls_failure(text: str) -> bool:
    """Whether an error text is a failed TLS handshake or verification.

    keystoneauth reports it as ``SSLError`` only for an auth URL whose path starts with the
    version; for Keystone under a path (``/identity/v3``) it becomes a ``DiscoveryFailure``
    ("Could not find versioned identity endpoints") that carries the SSL error's text.
    """
    return bool(_TLS_FAILURE.search(text or ""))


def tls_hint(auth_url: str, error: str, ca_origin: str = "") -> str:
    """One message for a failed TLS verification that says what to give."""
    given = f" The CA bundle in use ({ca_origin}) did not verify it." if ca_origin else (
        " No CA bundle was given, so only the system's trust store was used."
    )
    return (
        f"TLS verification of {auth_url} failed ({error}).{given} Give the CA that signed the "
        "cloud's certificate: 'cacert' in the clouds.yaml entry, or the ca_cert certify variable "
        "(tempestconf_ca_cert). Turning certificate checks off (validate_certs false) is not a "
        "certification setup."
    )
