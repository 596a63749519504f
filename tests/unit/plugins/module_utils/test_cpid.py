# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""CPID rules against Keystone token responses recorded from keystone 30.0.0 (fixtures/keystone)."""

from __future__ import annotations

import hashlib
import json
import socket
from pathlib import Path

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils import cpid as C

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "keystone"
AUTH_URL = "http://127.0.0.1:25000/v3"
HOST_HASH = hashlib.md5(b"127.0.0.1").hexdigest()


def recorded(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def test_v3_scoped_token_gives_the_identity_service_id() -> None:
    rec = recorded("v3-project-scoped-201")
    identity = [s for s in rec["body"]["token"]["catalog"] if s["type"] == "identity"]
    assert len(identity) == 1 and len(rec["body"]["token"]["catalog"]) > 1
    result = C.resolve_cpid(AUTH_URL, rec["status"], rec["body"])
    assert result == C.CpidResult(identity[0]["id"], C.METHOD_CATALOG,
                                  "id of the identity service in the Keystone v3 token catalog")
    assert result.cpid == "d7f792d1c38e4caaa15f01da1fadab2a"
    # the service id, not one of its endpoint ids
    assert result.cpid not in [e["id"] for e in identity[0]["endpoints"]]


@pytest.mark.parametrize("name, reason", [
    ("v3-unscoped-201", "the Keystone v3 token has no catalog (unscoped token?)"),
    ("v3-wrong-password-401",
     "Keystone answered HTTP 401 (401 Unauthorized: The request you have made requires authentication.)"),
    # the python-tempestconf case: a user without a role on its project cannot get a scoped token
    ("v3-roleless-user-401",
     "Keystone answered HTTP 401 (401 Unauthorized: The request you have made requires authentication.)"),
    # Keystone has had no v2.0 API since Queens: an HTML 404
    ("v2-removed-404", "Keystone answered HTTP 404"),
])
def test_fallback_to_the_host_name_hash(name: str, reason: str) -> None:
    rec = recorded(name)
    body = rec["body"] if isinstance(rec["body"], dict) else None
    result = C.resolve_cpid(rec["request"]["url"], rec["status"], body)
    assert result.method == C.METHOD_HOSTNAME
    assert result.cpid == HOST_HASH == "f528764d624db129b32c21fbca0cb8d6"
    assert result.fallback_reason == reason
    assert result.detail == f"md5 of the auth URL host name, because {reason}"


def test_v2_token_gives_the_identity_endpoint_id() -> None:
    rec = recorded("v2-token-200-documented")
    result = C.resolve_cpid(rec["request"]["url"], rec["status"], rec["body"])
    assert result.method == C.METHOD_ENDPOINT
    assert result.cpid == "8a8a6c9b5e8e4e6e9d1c0b7a3f2e1d0c"
    assert C.resolve_cpid(rec["request"]["url"], 203, rec["body"]).cpid == result.cpid


def test_catalog_edge_cases() -> None:
    assert C.cpid_from_v3_catalog([{"type": "identity", "id": None}, {"type": "identity", "id": "second"}]) == "second"
    assert C.cpid_from_v3_catalog([]) is None
    assert C.cpid_from_v3_catalog(None) is None
    assert C.cpid_from_v3_catalog([{"type": "compute", "id": "x"}, "junk"]) is None
    # like refstack-client, an identity service without endpoints ends the v2 search
    assert C.cpid_from_v2_catalog([{"type": "identity", "endpoints": []},
                                   {"type": "identity", "endpoints": [{"id": "later"}]}]) is None
    assert C.cpid_from_v2_catalog([{"type": "identity", "endpoints": [{"id": None}]},
                                   {"type": "identity", "endpoints": [{"id": "later"}]}]) == "later"
    cpid, method, detail = C.cpid_from_token_response(201, {"token": {"catalog": []}})
    assert (cpid, method) == (None, None) and "no identity service" in detail
    cpid, method, detail = C.cpid_from_token_response(500, "<html>")
    assert cpid is None and detail == "Keystone answered HTTP 500"


def test_host_name_hash() -> None:
    expected = hashlib.md5(b"keystone.example.com").hexdigest()
    assert C.cpid_from_hostname("https://KEYSTONE.example.com:5000/v3") == expected
    assert C.cpid_from_hostname("http://keystone.example.com/identity/v3/auth/tokens") == expected
    for bad in ("keystone.example.com:5000", "ftp://keystone.example.com", "", "http://"):
        with pytest.raises(C.CpidError, match="http:// or https://"):
            C.cpid_from_hostname(bad)
    result = C.resolve_cpid("https://keystone.example.com/v3", None, None, error="cannot reach Keystone")
    assert result.cpid == expected and result.fallback_reason == "cannot reach Keystone"


def test_token_requests() -> None:
    creds = {"username": "demo", "password": "pw", "project_name": "demo",
             "user_domain_name": "Default", "project_domain_name": "Default"}
    url, body = C.build_token_request("http://127.0.0.1:25000/v3/", creds)
    assert url == "http://127.0.0.1:25000/v3/auth/tokens"
    # exactly the request recorded against keystone (password aside)
    expected = recorded("v3-project-scoped-201")["request"]["body"]
    expected["auth"]["identity"]["password"]["user"]["password"] = "pw"
    assert body == expected
    url, body = C.build_token_request("http://127.0.0.1:25000", creds)
    assert url == "http://127.0.0.1:25000/v3/auth/tokens"
    # a Tempest accounts.yaml entry
    url, body = C.build_token_request("https://k.example.com/identity/v3",
                                      {"username": "u", "password": "p", "tenant_name": "t", "domain_name": "d"})
    assert body["auth"]["scope"] == {"project": {"name": "t", "domain": {"name": "d"}}}
    assert body["auth"]["identity"]["password"]["user"]["domain"] == {"name": "d"}
    url, body = C.build_token_request("https://k.example.com/v3", {"username": "u", "password": "p",
                                                                   "project_id": "abc", "user_domain_id": "default"})
    assert body["auth"]["scope"] == {"project": {"id": "abc"}}
    assert body["auth"]["identity"]["password"]["user"]["domain"] == {"id": "default"}
    url, body = C.build_token_request("http://k.example.com:5000/v2.0", {"username": "u", "password": "p",
                                                                         "tenant_name": "t"})
    assert url == "http://k.example.com:5000/v2.0/tokens"
    assert body == {"auth": {"passwordCredentials": {"username": "u", "password": "p"}, "tenantName": "t"}}
    with pytest.raises(C.CpidError, match="username and a password"):
        C.build_token_request("http://k/v3", {"username": "u"})
    with pytest.raises(C.CpidError, match="Invalid Keystone auth URL"):
        C.build_token_request("k/v3", creds)


def test_unreachable_keystone_falls_back() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens on this ephemeral port any more
    result = C.get_cpid(f"http://127.0.0.1:{port}/v3", {"username": "u", "password": "p", "project_name": "x"},
                        timeout=5)
    assert result.method == C.METHOD_HOSTNAME and result.cpid == HOST_HASH
    assert result.fallback_reason.startswith(f"cannot reach Keystone at http://127.0.0.1:{port}/v3/auth/tokens")


def test_token_view_reads_keystoneauth_access() -> None:
    """The view of a keystoneauth AccessInfo (what cloud_cpid and cloud_preflight read) built
    from the recorded token bodies."""
    access = pytest.importorskip("keystoneauth1.access")
    token_view = C.token_view

    scoped = access.create(body=recorded("v3-project-scoped-201")["body"])
    status, body = token_view(scoped)
    assert C.resolve_cpid(AUTH_URL, status, body).cpid == "d7f792d1c38e4caaa15f01da1fadab2a"
    unscoped = access.create(body=recorded("v3-unscoped-201")["body"])
    result = C.resolve_cpid(AUTH_URL, *token_view(unscoped))
    assert result.method == C.METHOD_HOSTNAME and "no catalog" in result.detail
    v2 = access.create(body=recorded("v2-token-200-documented")["body"])
    assert C.resolve_cpid(AUTH_URL, *token_view(v2)).as_dict()["method"] == C.METHOD_ENDPOINT
