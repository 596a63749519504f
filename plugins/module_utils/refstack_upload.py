# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Signed upload of a RefStack result document to a RefStack server.

Everything here runs on the controller (the private key never leaves it):

* :func:`load_result` / :func:`validate_result` read ``refstack-result.json`` and check it
  against the server's contract before any network call;
* :func:`load_private_key` accepts PEM (PKCS#1 or PKCS#8) and OpenSSH private keys, with an
  optional passphrase; :func:`public_key_header` and :func:`sign_body` produce the
  ``X-Public-Key`` and ``X-Signature`` headers the server verifies (RSA PKCS#1 v1.5, SHA-256,
  over exactly the request body);
* :func:`post_result` POSTs to ``<server>/v1/results/`` with retries and exponential backoff
  for connection errors and 5xx answers, and turns 400/401/4xx into one clear message;
* :func:`result_standing` reads the verdict of a result from the ``summary.json`` written with
  it, and :func:`admit` lets only complete PASS results through unless the user allows partial
  or failed ones;
* :class:`Receipts` records every successful upload in a receipt file next to the result, keyed
  by server and document digest, so the same document never reaches the same server twice,
  whatever key signs it;
* :func:`controller_path` resolves the paths a user gives against the directory
  ansible-playbook runs in;
* :func:`upload` ties these together; :func:`list_results` lists a key owner's results.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import hashlib
import http.client
import json
import os
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable
from ansible_collections.openinfra.interop.plugins.module_utils.atomic import atomic_write
from ansible_collections.openinfra.interop.plugins.module_utils.programs import FAIL, PASS
from ansible_collections.openinfra.interop.plugins.module_utils.results import (
    REFSTACK_FILE,
    SUMMARY_FILE,
)

try:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
except ImportError:  # pragma: no cover - reported by the caller via HAS_CRYPTOGRAPHY
    HAS_CRYPTOGRAPHY = False
else:
    HAS_CRYPTOGRAPHY = True

RESULT_FILE_NAME = REFSTACK_FILE
RECEIPT_FILE_NAME = "upload-receipt.json"
# 1: one entry per server ({"uploads": {server: entry}}); 2: a list of every upload, each keyed
# by server + sha256 of the document. Version 1 files are still read.
RECEIPT_FORMAT_VERSION = 2
DEFAULT_SERVER = "https://refstack.openstack.org/api"
RESULT_KEYS = ("cpid", "duration_seconds", "results")
USER_AGENT = "openinfra.interop-refstack-upload"


class RefStackUploadError(Exception):
    """Any failure of an upload step; ``str()`` is the one message shown to the user.

    ``option`` names the option whose value is at fault (``result``, ``server``,
    ``private_key``, ...), so that :func:`upload` can name it as the user spelt it.
    """

    def __init__(self, message: str, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option


class ResultDocumentError(RefStackUploadError):
    """The result document does not match the server's contract."""

    def __init__(self, message: str, option: str | None = "result") -> None:
        super().__init__(message, option)


class PrivateKeyError(RefStackUploadError):
    """The private key cannot be read, decrypted or used."""

    def __init__(self, message: str, option: str | None = "private_key") -> None:
        super().__init__(message, option)


class ReceiptError(RefStackUploadError):
    """The receipt file exists but cannot be read."""


class ServerError(RefStackUploadError):
    """The server refused the upload or could not be reached.

    ``status`` is the HTTP status (``None`` for connection errors), ``retryable`` tells whether
    trying again later may help, ``attempts`` how many requests were made.
    """

    def __init__(self, message: str, status: int | None = None, retryable: bool = False,
                 attempts: int = 1) -> None:
        super().__init__(message, None)
        self.status = status
        self.retryable = retryable
        self.attempts = attempts


# --------------------------------------------------------------------------------------------
# Result document
# --------------------------------------------------------------------------------------------

def find_result_file(path: str) -> str:
    """Return the result file for ``path``: the file itself or ``<dir>/refstack-result.json``."""
    if os.path.isdir(path):
        candidate = os.path.join(path, RESULT_FILE_NAME)
        if not os.path.isfile(candidate):
            raise ResultDocumentError(
                f"result directory {path} has no {RESULT_FILE_NAME}; pass the path of a "
                f"{RESULT_FILE_NAME} file or of a directory that contains one")
        return candidate
    if not os.path.isfile(path):
        raise ResultDocumentError(
            f"result {path} does not exist; pass the path of a {RESULT_FILE_NAME} file or of a "
            "directory that contains one")
    return path


def validate_result(doc: Any, source: str = "result document") -> None:
    """Check ``doc`` against the RefStack server's contract; raise one error listing every problem.

    The server accepts exactly the keys ``cpid`` (string), ``duration_seconds`` (integer) and
    ``results`` (a non-empty list of objects, each with a string ``name`` and optionally a
    ``uuid`` in UUID hex form).
    """
    if not isinstance(doc, dict):
        raise ResultDocumentError(
            f"{source} must be a JSON object with the keys {', '.join(RESULT_KEYS)}, "
            f"got {type(doc).__name__}")
    problems: list[str] = []
    missing = [k for k in RESULT_KEYS if k not in doc]
    if missing:
        problems.append(f"missing key(s) {', '.join(missing)}")
    extra = sorted(str(k) for k in doc if k not in RESULT_KEYS)
    if extra:
        problems.append(f"unexpected key(s) {', '.join(extra)} (the server accepts only "
                        f"{', '.join(RESULT_KEYS)})")
    if "cpid" in doc:
        cpid = doc["cpid"]
        if not isinstance(cpid, str):
            problems.append(f"cpid must be a string, got {type(cpid).__name__} {cpid!r}")
    if "duration_seconds" in doc:
        duration = doc["duration_seconds"]
        if isinstance(duration, bool) or not isinstance(duration, int):
            problems.append("duration_seconds must be an integer, got "
                            f"{type(duration).__name__} {duration!r}")
        elif duration < 0:
            problems.append(f"duration_seconds must not be negative, got {duration}")
    if "results" in doc:
        results = doc["results"]
        if not isinstance(results, list):
            problems.append(f"results must be a list, got {type(results).__name__}")
        elif not results:
            problems.append("results is empty: the server needs at least one passed test")
        else:
            problems.extend(_validate_result_items(results))
    if problems:
        raise ResultDocumentError(f"{source} is not a valid RefStack result: "
                                  + "; ".join(problems))


def _validate_result_items(results: list[Any]) -> list[str]:
    problems: list[str] = []
    for index, item in enumerate(results):
        where = f"results[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{where} must be an object with name (and uuid), "
                            f"got {type(item).__name__}")
            continue
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}.name must be a non-empty string, got {name!r}")
        if "uuid" in item and item["uuid"] is not None:
            value = item["uuid"]
            if not isinstance(value, str) or not _is_uuid(value):
                problems.append(f"{where}.uuid must be a UUID such as "
                                f"'{uuid.UUID(int=0)}', got {value!r}")
        if len(problems) >= 10:
            problems.append("(further problems not listed)")
            break
    return problems


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(hex=value)
    except ValueError:
        return False
    return True


def load_result(path: str) -> tuple[str, dict[str, Any]]:
    """Read and validate the result at ``path`` (file or directory); return (file, document)."""
    result_file = find_result_file(path)
    try:
        with open(result_file, encoding="utf-8") as handle:
            doc = json.load(handle)
    except json.JSONDecodeError as exc:
        raise ResultDocumentError(f"{result_file} is not valid JSON: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultDocumentError(f"cannot read {result_file}: {exc}") from None
    validate_result(doc, source=result_file)
    return result_file, doc


def request_body(doc: dict[str, Any]) -> bytes:
    """The exact bytes that are signed and sent: ``json.dumps(doc)`` with default separators."""
    return json.dumps(doc).encode("utf-8")


def body_digest(body: bytes) -> str:
    """The sha256 (hex) of a request body, as recorded in receipts."""
    return hashlib.sha256(body).hexdigest()


# --------------------------------------------------------------------------------------------
# Keys and signatures
# --------------------------------------------------------------------------------------------

def _require_cryptography() -> None:
    if not HAS_CRYPTOGRAPHY:
        raise PrivateKeyError("the Python library 'cryptography' is required on the controller "
                              "to sign RefStack uploads (pip install cryptography)")


def load_private_key(path: str, passphrase: str | bytes | None = None,
                     passphrase_name: str = "private_key_passphrase") -> Any:
    """Load an RSA private key from ``path`` (PEM PKCS#1, PEM PKCS#8 or OpenSSH format).

    ``passphrase_name`` is how messages name the passphrase option.
    """
    _require_cryptography()
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise PrivateKeyError(f"cannot read private key {path}: {exc.strerror or exc}") from None
    password: bytes | None
    if passphrase is None or passphrase == "" or passphrase == b"":
        password = None
    elif isinstance(passphrase, str):
        password = passphrase.encode("utf-8")
    else:
        password = passphrase
    is_openssh = b"-----BEGIN OPENSSH PRIVATE KEY-----" in data
    try:
        if is_openssh:
            key = serialization.load_ssh_private_key(data, password=password)
        else:
            key = serialization.load_pem_private_key(data, password=password)
    except TypeError as exc:
        text = str(exc).lower()
        if "not encrypted" in text:
            raise PrivateKeyError(
                f"private key {path} is not encrypted but a passphrase was given; "
                f"drop {passphrase_name}", option=passphrase_name) from None
        raise PrivateKeyError(
            f"private key {path} is encrypted; give its passphrase "
            f"({passphrase_name})", option=passphrase_name) from None
    except UnsupportedAlgorithm as exc:
        if "bcrypt" in str(exc):
            raise PrivateKeyError(
                f"private key {path} is a passphrase-protected OpenSSH key; reading it needs the "
                "Python library 'bcrypt' on the controller (pip install bcrypt), or convert the "
                "key to PEM with 'ssh-keygen -p -m PEM -f <key>'") from None
        raise PrivateKeyError(f"private key {path} uses an unsupported algorithm: {exc}") from None
    except ValueError:
        if password is not None and _is_encrypted(data, is_openssh):
            # A wrong passphrase usually fails the padding/checksum test, but sometimes yields
            # garbage that fails to parse instead: both mean the key could not be decrypted.
            raise PrivateKeyError(
                f"wrong passphrase for private key {path} (it could not be decrypted)",
                option=passphrase_name) from None
        raise PrivateKeyError(
            f"{path} is not a private key in a supported format: expected an RSA key in PEM "
            "(PKCS#1 '-----BEGIN RSA PRIVATE KEY-----' or PKCS#8 '-----BEGIN PRIVATE KEY-----') "
            "or OpenSSH ('-----BEGIN OPENSSH PRIVATE KEY-----') format") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise PrivateKeyError(
            f"private key {path} is a {type(key).__name__.replace('PrivateKey', '')} key; RefStack "
            "verifies RSA signatures only (PKCS#1 v1.5, SHA-256): use an RSA key "
            "(ssh-keygen -t rsa -b 4096)")
    return key


def _is_encrypted(data: bytes, is_openssh: bool) -> bool:
    """Whether a private key file is passphrase-protected (PEM header or OpenSSH cipher name)."""
    if not is_openssh:
        return b"ENCRYPTED" in data
    try:
        lines = data.decode("ascii").strip().splitlines()
        blob = base64.b64decode("".join(line for line in lines if not line.startswith("-----")))
    except (UnicodeDecodeError, ValueError):
        return False
    magic = b"openssh-key-v1\0"
    if not blob.startswith(magic) or len(blob) < len(magic) + 4:
        return False
    size = int.from_bytes(blob[len(magic):len(magic) + 4], "big")
    return blob[len(magic) + 4:len(magic) + 4 + size] != b"none"


def public_key_header(private_key: Any) -> str:
    """``ssh-rsa <base64>``: the OpenSSH public key of ``private_key``, without comment."""
    _require_cryptography()
    return private_key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode("ascii")


def public_key_fingerprint(public_key: str) -> str:
    """``SHA256:<base64>`` fingerprint of an ``ssh-rsa <base64>`` key (as ``ssh-keygen -l``)."""
    blob = base64.b64decode(public_key.split()[1])
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")
    return f"SHA256:{digest}"


def sign_body(private_key: Any, body: bytes) -> str:
    """Hex RSA PKCS#1 v1.5 SHA-256 signature over exactly ``body``."""
    _require_cryptography()
    return private_key.sign(body, padding.PKCS1v15(), hashes.SHA256()).hex()


def verify_signature(public_key: str, body: bytes, signature_hex: str) -> bool:
    """True when ``signature_hex`` is a valid signature of ``body`` by ``public_key`` (OpenSSH)."""
    _require_cryptography()
    from cryptography.exceptions import InvalidSignature

    key = serialization.load_ssh_public_key(public_key.encode("ascii"))
    try:
        key.verify(bytes.fromhex(signature_hex), body, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def make_jwt(private_key: Any, openid: str, lifetime: int = 3600,
             now: float | None = None) -> str:
    """An RS256 JWT with the claims RefStack reads (``user_openid``, ``exp``).

    The server accepts it when it verifies with one of the public keys registered for
    ``openid``; it authenticates API calls such as listing the owner's results.
    """
    _require_cryptography()
    issued = int(time.time() if now is None else now)
    header = _b64url(json.dumps({"alg": "RS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = _b64url(json.dumps({"user_openid": openid, "exp": issued + lifetime},
                                separators=(",", ":")).encode())
    signing_input = f"{header}.{claims}".encode("ascii")
    signature = private_key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{claims}.{_b64url(signature)}"


# --------------------------------------------------------------------------------------------
# Server URL and HTTP
# --------------------------------------------------------------------------------------------

def normalize_server(server: str) -> str:
    """Canonical form of a server URL (scheme and host lower case, no trailing ``/`` or ``/v1``)."""
    if not isinstance(server, str) or not server.strip():
        raise RefStackUploadError("expected the URL of a RefStack API, such as "
                                  f"{DEFAULT_SERVER} or http://127.0.0.1:8000", "server")
    parts = urllib.parse.urlsplit(server.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise RefStackUploadError(
            f"{server!r} is not an http(s) URL; expected the URL of a RefStack API, "
            f"such as {DEFAULT_SERVER} or http://127.0.0.1:8000", "server")
    if parts.query or parts.fragment:
        raise RefStackUploadError(f"{server!r} must not contain a query or fragment",
                                  "server")
    try:
        # .port parses the port and raises for one that is not a number in 0-65535
        bad_host = not parts.hostname or any(c.isspace() for c in parts.netloc) or (
            parts.port is None and parts.netloc.endswith(":"))
    except ValueError:
        bad_host = True
    if bad_host:
        raise RefStackUploadError(
            f"{server!r} has no valid host[:port]; expected the URL of a RefStack API, "
            f"such as {DEFAULT_SERVER} or http://127.0.0.1:8000", "server")
    path = parts.path.rstrip("/")
    if path.endswith("/v1"):
        path = path[:-3]
    return urllib.parse.urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, "", ""))


def results_endpoint(server: str) -> str:
    """``<server>/v1/results/``."""
    return normalize_server(server) + "/v1/results/"


@dataclass
class HttpOptions:
    """How requests are made: timeout, TLS, retries."""

    timeout: float = 30.0
    retries: int = 3
    retry_delay: float = 5.0
    max_delay: float = 300.0
    validate_certs: bool = True
    ca_cert: str | None = None
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=self.ca_cert)
        if not self.validate_certs:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def delay(self, attempt: int) -> float:
        """Backoff before retry number ``attempt`` (1-based): retry_delay * 2**(attempt-1)."""
        return min(self.retry_delay * (2 ** (attempt - 1)), self.max_delay)


def _server_message(raw: bytes) -> str:
    """The human message in a RefStack error body (``detail``/``title``/``message``)."""
    text = raw.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text[:500]
    if isinstance(data, dict):
        for key in ("detail", "message", "title"):
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return text[:500]


def is_retryable_status(status: int) -> bool:
    """5xx answers may go away; every 4xx is final."""
    return status >= 500


def _request(url: str, *, method: str, headers: dict[str, str], body: bytes | None,
             options: HttpOptions) -> tuple[int, bytes]:
    """One HTTP request; returns (status, body) for any HTTP answer, raises OSError otherwise."""
    req = urllib.request.Request(url, data=body, headers=headers, method=method)
    handlers: list[urllib.request.BaseHandler] = []
    if url.lower().startswith("https:"):
        handlers.append(urllib.request.HTTPSHandler(context=options.ssl_context()))
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(req, timeout=options.timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        try:
            payload = exc.read()
        except (OSError, http.client.HTTPException):
            payload = b""
        return exc.code, payload


def _describe_connection_error(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        return str(reason.strerror if isinstance(reason, OSError) and reason.strerror
                   else reason)
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timed out"
    return str(exc) or type(exc).__name__


def post_result(server: str, body: bytes, headers: dict[str, str],
                options: HttpOptions | None = None,
                log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """POST ``body`` to ``<server>/v1/results/``; return the server's ``{"test_id", "url"}``.

    Connection errors and 5xx answers are retried ``options.retries`` times with exponential
    backoff; 400 and 401 and every other 4xx fail at once with the server's message.
    """
    options = options or HttpOptions()
    url = results_endpoint(server)
    attempts = max(0, int(options.retries)) + 1
    last_error = ""
    last_status: int | None = None
    for attempt in range(1, attempts + 1):
        try:
            status, payload = _request(url, method="POST", headers=headers, body=body,
                                       options=options)
        except (OSError, http.client.HTTPException) as exc:
            last_status = None
            last_error = f"cannot connect to {url}: {_describe_connection_error(exc)}"
        else:
            if status in (200, 201):
                return _parse_created(url, payload)
            message = _server_message(payload)
            if not is_retryable_status(status):
                raise _client_error(server, status, message, headers, attempt)
            last_status = status
            last_error = f"{url} answered {status}: {message or 'no message'}"
        if attempt < attempts:
            wait = options.delay(attempt)
            if log:
                log(f"{last_error}; retry {attempt}/{attempts - 1} in {wait:g}s")
            options.sleep(wait)
    raise ServerError(f"upload failed after {attempts} attempt(s): {last_error}",
                      status=last_status, retryable=True, attempts=attempts)


def _parse_created(url: str, payload: bytes) -> dict[str, Any]:
    try:
        data = json.loads(payload.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict) or not data.get("test_id"):
        raise ServerError(f"{url} accepted the upload but its answer has no test_id: "
                          f"{payload[:300]!r}", status=201)
    return {"test_id": str(data["test_id"]), "url": str(data.get("url") or "")}


def _client_error(server: str, status: int, message: str, headers: dict[str, str],
                  attempt: int) -> ServerError:
    base = normalize_server(server)
    if status == 401:
        if "X-Public-Key" in headers:
            key = headers["X-Public-Key"]
            text = (
                f"{base} refused the signed upload (401: {message or 'unauthorized'}): the public "
                f"key {public_key_fingerprint(key)} is not registered with this RefStack server. "
                f"Register it first: sign in to the server's web UI, open your profile page "
                f"({_profile_page(base)}) and import the public key (the content of the .pub "
                "file, 'ssh-rsa AAAA...'), or, as "
                f"the signed-in user, POST {{\"raw_key\": \"<ssh-rsa public key>\", "
                "\"self_signature\": \"<hex RSA-SHA256 signature of the string 'signature'>\"} to "
                f"{base}/v1/profile/pubkeys; then upload again")
        else:
            text = (f"{base} refused the anonymous upload (401: {message or 'unauthorized'}): "
                    "this server accepts signed uploads only; give private_key (an RSA key "
                    "registered with the server)")
    elif status == 400:
        text = f"{base} rejected the result (400): {message or 'bad request'}"
    else:
        text = f"{base} answered {status}: {message or 'no message'} (not retried)"
    return ServerError(text, status=status, retryable=False, attempts=attempt)


def _profile_page(base: str) -> str:
    """The web UI profile page that usually sits beside the API (``.../api`` -> ``.../#/profile``)."""
    ui = base[:-4] if base.endswith("/api") else base
    return f"{ui}/#/profile"


def get_json(server: str, path: str, token: str | None = None,
             options: HttpOptions | None = None) -> Any:
    """GET ``<server><path>`` (with a Bearer token if given) and return the decoded JSON."""
    options = options or HttpOptions()
    url = normalize_server(server) + path
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        status, payload = _request(url, method="GET", headers=headers, body=None,
                                   options=options)
    except (OSError, http.client.HTTPException) as exc:
        raise ServerError(f"cannot connect to {url}: {_describe_connection_error(exc)}",
                          retryable=True) from None
    if status != 200:
        raise ServerError(f"{url} answered {status}: {_server_message(payload)}", status=status,
                          retryable=is_retryable_status(status))
    try:
        return json.loads(payload.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise ServerError(f"{url} did not answer JSON: {payload[:300]!r}") from None


def list_results(server: str, private_key: Any, openid: str,
                 options: HttpOptions | None = None, max_pages: int = 50) -> list[dict[str, Any]]:
    """The results a key owner uploaded (``GET /v1/results?signed=true``, all pages).

    ``openid`` is the owner's OpenID as registered on the server; the request is authenticated
    with a JWT signed by ``private_key``, which must be registered for that user.
    """
    token = make_jwt(private_key, openid)
    results: list[dict[str, Any]] = []
    page = 1
    while page <= max_pages:
        data = get_json(server, f"/v1/results?signed=true&page={page}", token=token,
                        options=options)
        results.extend(data.get("results", []))
        total = int(data.get("pagination", {}).get("total_pages", 1) or 1)
        if page >= total:
            break
        page += 1
    return results


# --------------------------------------------------------------------------------------------
# Receipts
# --------------------------------------------------------------------------------------------

def write_json_atomic(path: str, data: Any, mode: int = 0o644) -> None:
    """Write ``data`` as JSON to ``path`` atomically (see ``atomic.atomic_write``)."""
    atomic_write(path, json.dumps(data, indent=2, sort_keys=True) + "\n", mode)


class Receipts:
    """The receipt file next to a result: every upload made from it, keyed by server + digest.

    A document (its exact request body, by sha256) is uploaded to a server once, whichever key
    signs it (or none); ``force`` adds a further entry, the file is only ever appended to.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.uploads: list[dict[str, Any]] = []
        if os.path.exists(path):
            self.uploads = self._read(path)

    @classmethod
    def for_result(cls, result_file: str) -> Receipts:
        return cls(os.path.join(os.path.dirname(os.path.abspath(result_file)),
                                RECEIPT_FILE_NAME))

    @staticmethod
    def _read(path: str) -> list[dict[str, Any]]:
        def broken(why: str) -> ReceiptError:
            return ReceiptError(
                f"receipt file {path} {why}; fix or remove it (removing it makes the next run "
                "upload the result again)", option=None)

        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError) as exc:
            raise broken(f"cannot be read ({exc})") from None
        uploads = data.get("uploads") if isinstance(data, dict) else None
        if isinstance(uploads, dict):  # version 1: {server: entry}
            uploads = list(uploads.values())
        if not isinstance(uploads, list) or not all(
                isinstance(entry, dict) and isinstance(entry.get("server"), str)
                and isinstance(entry.get("sha256"), str) for entry in uploads):
            raise broken("is not a receipt (expected an object with 'uploads', each entry with "
                         "'server' and 'sha256')")
        return uploads

    def find(self, server: str, sha256: str) -> dict[str, Any] | None:
        """The latest recorded upload of exactly this body to this server, with any key."""
        base = normalize_server(server)
        for entry in reversed(self.uploads):
            if entry["sha256"] == sha256 and _same_server(entry["server"], base):
                return entry
        return None

    def record(self, server: str, sha256: str, public_key: str | None, test_id: str,
               url: str, result_file: str, now: datetime.datetime | None = None
               ) -> dict[str, Any]:
        """Append this upload and write the file atomically."""
        moment = now or datetime.datetime.now(datetime.timezone.utc)
        entry = {
            "server": normalize_server(server),
            "test_id": test_id,
            "url": url,
            "sha256": sha256,
            "signed": public_key is not None,
            "public_key_fingerprint": public_key_fingerprint(public_key) if public_key else None,
            "result": os.path.basename(result_file),
            "uploaded_at": moment.astimezone(datetime.timezone.utc).strftime(
                "%Y-%m-%dT%H:%M:%SZ"),
        }
        self.uploads.append(entry)
        write_json_atomic(self.path, {"version": RECEIPT_FORMAT_VERSION,
                                      "uploads": self.uploads})
        return entry


def _same_server(recorded: str, base: str) -> bool:
    try:
        return normalize_server(recorded) == base
    except RefStackUploadError:
        return False


# --------------------------------------------------------------------------------------------
# Which results may be uploaded
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Standing:
    """What the run that made a result says of it.

    ``verdict`` is ``PASS``, ``FAIL`` or ``None`` (unknown: no summary that describes this very
    document); ``partial`` is whether the run was cut short; ``detail`` says why, in words.
    """

    verdict: str | None
    partial: bool
    detail: str


def result_standing(result_file: str, doc: dict[str, Any]) -> Standing:
    """The verdict of ``doc`` from the ``summary.json`` written beside it by the same run.

    The summary counts only when it describes this document (same cpid, duration and number of
    passed tests): a result edited or replaced after the run has no known verdict.
    """
    path = os.path.join(os.path.dirname(os.path.abspath(result_file)), SUMMARY_FILE)
    if not os.path.isfile(path):
        return Standing(None, False, f"there is no {SUMMARY_FILE} beside it, so nothing says "
                                     "whether its run passed")
    try:
        with open(path, encoding="utf-8") as handle:
            summary = json.load(handle)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return Standing(None, False, f"{path} cannot be read ({exc})")
    if (not isinstance(summary, dict) or summary.get("verdict") not in (PASS, FAIL)
            or not isinstance(summary.get("partial"), bool)):
        return Standing(None, False, f"{path} has no verdict and partial flag")
    run = summary.get("run") if isinstance(summary.get("run"), dict) else {}
    differ = [name for name, ours, theirs in (
        ("cpid", doc["cpid"], summary.get("cpid")),
        ("duration_seconds", doc["duration_seconds"], summary.get("duration_seconds")),
        ("number of passed tests", len(doc["results"]), run.get("passed_in_document")),
    ) if ours != theirs]
    if differ:
        return Standing(None, False, f"{path} describes another document "
                                     f"({', '.join(differ)} differ)")
    counts = summary.get("counts") if isinstance(summary.get("counts"), dict) else {}
    detail = (f"{counts.get('passed', '?')} of {counts.get('required', '?')} required tests "
              "passed")
    return Standing(str(summary["verdict"]), bool(summary["partial"]), detail)


def admit(result_file: str, standing: Standing, allow_partial: bool, allow_failed: bool,
          name: Callable[[str], str] = str) -> list[str]:
    """Refuse a result that is not a complete PASS unless allowed; return the warnings.

    ``name`` turns an option (``allow_failed``) into the name the user knows it by.
    """
    concerns: list[tuple[str, str]] = []
    if standing.verdict is None:
        concerns.append(("allow_failed", f"its verdict is unknown: {standing.detail}"))
    elif standing.verdict != PASS:
        concerns.append(("allow_failed",
                         f"its verdict is {standing.verdict} ({standing.detail})"))
    if standing.partial:
        concerns.append(("allow_partial", "it is a partial result (the run was interrupted "
                         "before every test had a result)"))
    allowed = {"allow_failed": allow_failed, "allow_partial": allow_partial}
    refused = [(option, why) for option, why in concerns if not allowed[option]]
    if refused:
        raise RefStackUploadError(
            f"refusing to upload {result_file}: "
            + "; ".join(why for _option, why in concerns)
            + ". Only complete PASS results are uploaded unless you ask for more: set "
            + " and ".join(f"{name(option)}=true" for option, _why in refused)
            + " to upload it anyway", option=None)
    return [f"uploading {result_file} although {why} ({name(option)}=true)"
            for option, why in concerns]


# --------------------------------------------------------------------------------------------
# Paths
# --------------------------------------------------------------------------------------------

def controller_path(value: str, cwd: str) -> str:
    """A path as the user meant it: ``~`` expanded, a relative one taken from ``cwd``.

    ``cwd`` is the directory ansible-playbook was started in; never the playbook's or the
    collection's directory, which is what Ansible's own search path would use.
    """
    path = os.path.expanduser(value)
    return os.path.normpath(os.path.join(cwd, path))


# --------------------------------------------------------------------------------------------
# The whole upload
# --------------------------------------------------------------------------------------------

@dataclass
class UploadRequest:
    """What to upload where, and how.

    ``cwd`` is the directory relative paths (``result``, ``private_key``, ``http.ca_cert``) are
    taken from: the one ansible-playbook runs in. ``names`` maps an option to the name the user
    gave it (a playbook variable) for messages; options not in it keep their own name.
    """

    result: str
    server: str = DEFAULT_SERVER
    private_key: str | None = None
    private_key_passphrase: str | None = None
    allow_anonymous: bool = False
    allow_partial: bool = False
    allow_failed: bool = False
    force: bool = False
    check_mode: bool = False
    http: HttpOptions = field(default_factory=HttpOptions)
    cwd: str = field(default_factory=os.getcwd)
    names: dict[str, str] = field(default_factory=dict)

    def name(self, option: str) -> str:
        return self.names.get(option, option)

    def path(self, option: str, value: str) -> str:
        """``value`` resolved from ``cwd``; a missing file or directory is named as given."""
        resolved = controller_path(value, self.cwd)
        if not os.path.exists(resolved):
            if not os.path.isabs(os.path.expanduser(value)):
                raise RefStackUploadError(
                    f"{value} does not exist (a relative path is taken from the current "
                    f"directory {self.cwd}: there is no {resolved})", option)
            raise RefStackUploadError(f"{resolved} does not exist", option)
        return resolved


def upload(req: UploadRequest, log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Validate, sign and upload one result; return the Ansible-style result dict.

    Nothing reaches the network before the server URL, the document and its verdict, the key
    and the receipt file have been checked. In check mode the document is validated and signed
    but nothing is sent or written. An error names the option (as ``req.names`` spells it).
    """
    try:
        return _upload(req, log)
    except ServerError:
        raise
    except RefStackUploadError as exc:
        if exc.option is None:
            raise
        raise type(exc)(f"{req.name(exc.option)}: {exc}", exc.option) from None


def _upload(req: UploadRequest, log: Callable[[str], None] | None) -> dict[str, Any]:
    server = normalize_server(req.server)
    if req.private_key is None and not req.allow_anonymous:
        raise RefStackUploadError(
            f"no {req.name('private_key')} given: RefStack certification needs a signed upload. "
            f"Give {req.name('private_key')} (an RSA key registered with the server), or set "
            f"{req.name('allow_anonymous')}=true to upload without a signature")
    # the user's inputs (the key) are checked before the result is judged
    key = None
    if req.private_key is not None:
        key = load_private_key(req.path("private_key", req.private_key),
                               req.private_key_passphrase, req.name("private_key_passphrase"))
    result_file, doc = load_result(req.path("result", req.result))
    warnings = admit(result_file, result_standing(result_file, doc), req.allow_partial,
                     req.allow_failed, req.name)
    body = request_body(doc)
    digest = body_digest(body)
    headers = {"Content-Type": "application/json", "Accept": "application/json",
               "User-Agent": USER_AGENT}
    public_key: str | None = None
    if key is not None:
        public_key = public_key_header(key)
        headers["X-Signature"] = sign_body(key, body)
        headers["X-Public-Key"] = public_key
    http = req.http
    if http.ca_cert:
        http = dataclasses.replace(http, ca_cert=req.path("ca_cert", http.ca_cert))
    receipts = Receipts.for_result(result_file)
    fingerprint = public_key_fingerprint(public_key) if public_key else None
    out: dict[str, Any] = {
        "server": server,
        "result": result_file,
        "receipt": receipts.path,
        "sha256": digest,
        "signed": public_key is not None,
        "public_key_fingerprint": fingerprint,
        "tests": len(doc["results"]),
        "warnings": [],
    }
    previous = None if req.force else receipts.find(server, digest)
    if previous is not None:
        earlier = previous.get("public_key_fingerprint")
        how = "" if earlier == fingerprint else (
            f", signed with {earlier}" if earlier else ", unsigned")
        out.update(changed=False, test_id=previous.get("test_id"), url=previous.get("url"),
                   uploaded_at=previous.get("uploaded_at"),
                   msg=f"{result_file} was already uploaded to {server} "
                       f"(test_id {previous.get('test_id')}{how}); nothing to do"
                       + (f" ({req.name('force')}=true uploads it again)" if how else ""))
        return out
    out["warnings"] = warnings
    if req.check_mode:
        out.update(changed=True, test_id=None, url=None,
                   msg=f"check mode: {result_file} is valid and "
                       f"{'signed' if public_key else 'unsigned'}; it would be uploaded to "
                       f"{server}")
        return out
    try:
        created = post_result(server, body, headers, http, log=log)
    except ServerError as exc:
        if exc.retryable:
            raise ServerError(
                f"{exc}. The result is unchanged on disk at {result_file}; upload it later, "
                "e.g. with playbooks/upload.yml", status=exc.status, retryable=True,
                attempts=exc.attempts) from None
        raise
    entry = receipts.record(server, digest, public_key, created["test_id"], created["url"],
                            result_file)
    out.update(changed=True, test_id=created["test_id"], url=created["url"],
               uploaded_at=entry["uploaded_at"],
               msg=f"uploaded {result_file} to {server}: test_id {created['test_id']}")
    return out
