# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The cloud provider id (CPID) of a RefStack result, computed the way refstack-client does.

refstack-client asks Keystone for a token and takes:

* Keystone v3 (``201`` with a ``token`` body): the ``id`` of the first service of type
  ``identity`` in the token's catalog (the *service* id, not an endpoint id);
* Keystone v2 (``200``/``203`` with an ``access`` body): the ``id`` of the first endpoint of the
  first service of type ``identity`` in ``serviceCatalog``;
* anything else (no catalog, an error status, no answer): the md5 hex digest of the host name
  of the auth URL (lower-cased, without port), which only requires an ``http``/``https`` URL.

Unlike refstack-client, the way the CPID was obtained is always reported
(:data:`METHOD_CATALOG`, :data:`METHOD_ENDPOINT` or :data:`METHOD_HOSTNAME`) with the reason of
a fallback, so a silent fallback (e.g. a role-less user getting ``401``) cannot go unnoticed.

The pure functions work on the decoded JSON of a token response; :func:`post_json` and
:func:`get_cpid` do the real request with Ansible's ``open_url`` (``urllib``; no third-party
library needed).
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urlsplit

from ansible.module_utils.urls import ConnectionError as UrlsConnectionError, open_url

METHOD_CATALOG = "catalog"
METHOD_ENDPOINT = "endpoint"
METHOD_HOSTNAME = "hostname-hash"
METHODS = (METHOD_CATALOG, METHOD_ENDPOINT, METHOD_HOSTNAME)


class CpidError(ValueError):
    """A CPID cannot be computed at all (e.g. the auth URL is not an http(s) URL)."""


@dataclass(frozen=True)
class CpidResult:
    cpid: str
    method: str
    detail: str
    #: Why the catalog gave no CPID (only for :data:`METHOD_HOSTNAME`).
    fallback_reason: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"cpid": self.cpid, "method": self.method, "detail": self.detail}


def cpid_from_v3_catalog(catalog: Any) -> str | None:
    """Id of the first ``identity`` service that has one, from a v3 token's ``catalog``."""
    if not isinstance(catalog, list):
        return None
    for service in catalog:
        if isinstance(service, Mapping) and service.get("type") == "identity" and service.get("id"):
            return str(service["id"])
    return None


def cpid_from_v2_catalog(catalog: Any) -> str | None:
    """Id of the first endpoint of the ``identity`` service, from a v2 ``serviceCatalog``.

    Like refstack-client, an ``identity`` service without endpoints ends the search.
    """
    if not isinstance(catalog, list):
        return None
    for service in catalog:
        if not isinstance(service, Mapping) or service.get("type") != "identity":
            continue
        endpoints = service.get("endpoints")
        if not isinstance(endpoints, list) or not endpoints or not isinstance(endpoints[0], Mapping):
            return None
        if endpoints[0].get("id"):
            return str(endpoints[0]["id"])
    return None


def cpid_from_hostname(auth_url: str) -> str:
    """md5 hex digest of the auth URL's host name (refstack-client's last resort)."""
    parts = urlsplit(auth_url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CpidError(
            f"Invalid Keystone auth URL {auth_url!r}: an http:// or https:// URL with a host name "
            "is required to compute a CPID"
        )
    data = parts.hostname.encode("utf-8")
    try:
        digest = hashlib.md5(data, usedforsecurity=False)  # type: ignore[call-arg]
    except TypeError:  # Python < 3.9
        digest = hashlib.md5(data)  # nosec - an identifier, not a security measure
    return digest.hexdigest()


def _error_text(body: Any) -> str:
    if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
        err = body["error"]
        return f"{err.get('code', '')} {err.get('title', '')}: {err.get('message', '')}".strip()
    return ""


def cpid_from_token_response(status: int, body: Any) -> tuple[str | None, str | None, str]:
    """``(cpid, method, detail)`` from a token response; ``cpid`` is ``None`` when not found."""
    if status in (200, 203):
        access = body.get("access") if isinstance(body, Mapping) else None
        catalog = access.get("serviceCatalog") if isinstance(access, Mapping) else None
        cpid = cpid_from_v2_catalog(catalog)
        if cpid:
            return cpid, METHOD_ENDPOINT, "id of the identity endpoint in the Keystone v2 service catalog"
        return None, None, "the Keystone v2 token has no identity endpoint with an id in its catalog"
    if status == 201:
        token = body.get("token") if isinstance(body, Mapping) else None
        catalog = token.get("catalog") if isinstance(token, Mapping) else None
        cpid = cpid_from_v3_catalog(catalog)
        if cpid:
            return cpid, METHOD_CATALOG, "id of the identity service in the Keystone v3 token catalog"
        if catalog is None:
            return None, None, "the Keystone v3 token has no catalog (unscoped token?)"
        return None, None, "the Keystone v3 token catalog has no identity service with an id"
    message = _error_text(body)
    return None, None, f"Keystone answered HTTP {status}" + (f" ({message})" if message else "")


def token_view(access: Any) -> tuple[int, dict[str, Any]]:
    """``(status, body)`` shaped like the token response refstack-client reads, from a
    keystoneauth ``AccessInfo`` (duck-typed: its ``version`` is ``v2.0`` or ``v3``)."""
    catalog = access.service_catalog.catalog if access.has_service_catalog() else None
    if str(getattr(access, "version", "")).startswith("v2"):
        return 200, {"access": {"serviceCatalog": catalog} if catalog is not None else {}}
    return 201, {"token": {"catalog": catalog} if catalog is not None else {}}


def resolve_cpid(auth_url: str, status: int | None, body: Any, error: str | None = None) -> CpidResult:
    """The CPID from a token response, or the host name hash with the reason of the fallback."""
    if status is not None:
        cpid, method, detail = cpid_from_token_response(status, body)
        if cpid and method:
            return CpidResult(cpid, method, detail)
    else:
        detail = error or "no answer from Keystone"
    return CpidResult(
        cpid_from_hostname(auth_url),
        METHOD_HOSTNAME,
        f"md5 of the auth URL host name, because {detail}",
        detail,
    )


def _first(creds: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        value = creds.get(key)
        if value not in (None, ""):
            return value
    return None


def build_token_request(auth_url: str, credentials: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """URL and JSON body of a password token request (project-scoped when a project is given).

    ``auth_url`` ending in ``/v2.0`` gives a Keystone v2 request, anything else a v3 one (an
    unversioned URL gets ``/v3``). ``credentials`` takes the keys of a ``clouds.yaml`` ``auth``
    section or of a Tempest ``accounts.yaml`` entry (``tenant_name``, ``domain_name``).
    """
    parts = urlsplit(auth_url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CpidError(f"Invalid Keystone auth URL {auth_url!r}: an http:// or https:// URL is required")
    username = _first(credentials, "username", "user_name")
    password = _first(credentials, "password")
    if not username or password is None:
        raise CpidError("Credentials for the CPID need a username and a password")
    project_id = _first(credentials, "project_id", "tenant_id")
    project_name = _first(credentials, "project_name", "tenant_name")
    base = auth_url.rstrip("/")
    if base.endswith("/v2.0"):
        v2: dict[str, Any] = {"passwordCredentials": {"username": username, "password": password}}
        if project_id:
            v2["tenantId"] = project_id
        elif project_name:
            v2["tenantName"] = project_name
        return base + "/tokens", {"auth": v2}
    if not base.endswith("/v3"):
        base += "/v3"
    domain_name = _first(credentials, "domain_name")
    user: dict[str, Any] = {"name": username, "password": password}
    user_domain_id = _first(credentials, "user_domain_id", "domain_id")
    if user_domain_id:
        user["domain"] = {"id": user_domain_id}
    else:
        user["domain"] = {"name": _first(credentials, "user_domain_name") or domain_name or "Default"}
    auth: dict[str, Any] = {"identity": {"methods": ["password"], "password": {"user": user}}}
    if project_id:
        auth["scope"] = {"project": {"id": project_id}}
    elif project_name:
        project_domain_id = _first(credentials, "project_domain_id", "domain_id")
        if project_domain_id:
            domain: dict[str, Any] = {"id": project_domain_id}
        else:
            domain = {"name": _first(credentials, "project_domain_name") or domain_name or "Default"}
        auth["scope"] = {"project": {"name": project_name, "domain": domain}}
    return base + "/auth/tokens", {"auth": auth}


def post_json(
    url: str,
    body: Mapping[str, Any],
    *,
    verify: bool = True,
    cafile: str | None = None,
    timeout: float = 30,
) -> tuple[int, Any]:
    """POST ``body`` as JSON; ``(status, decoded JSON or None)`` also for HTTP error statuses."""
    try:
        response = open_url(
            url,
            data=json.dumps(body),
            method="POST",
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            validate_certs=verify,
            ca_path=cafile,
            timeout=timeout,
            follow_redirects="safe",
        )
        status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    try:
        decoded = json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, ValueError):
        decoded = None
    return status, decoded


def get_cpid(
    auth_url: str,
    credentials: Mapping[str, Any],
    *,
    verify: bool = True,
    cafile: str | None = None,
    timeout: float = 30,
) -> CpidResult:
    """Ask Keystone for a token with ``credentials`` and derive the CPID (falls back to the hash)."""
    url, body = build_token_request(auth_url, credentials)
    try:
        status, answer = post_json(url, body, verify=verify, cafile=cafile, timeout=timeout)
    except (urllib.error.URLError, UrlsConnectionError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return resolve_cpid(auth_url, None, None, error=f"cannot reach Keystone at {url}: {reason}")
    return resolve_cpid(auth_url, status, answer)
