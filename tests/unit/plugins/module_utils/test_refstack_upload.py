# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Unit tests of module_utils/refstack_upload.py.

HTTP behaviour (retries, backoff, error classification, receipts) is exercised against a real
``http.server`` on 127.0.0.1 that this file starts and scripts; signing is checked with the
public key; keys are made with ``cryptography`` and, when present, ``ssh-keygen``.
"""

from __future__ import annotations

import base64
import copy
import datetime
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from ansible_collections.openinfra.interop.plugins.module_utils import refstack_upload as ru

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "refstack-result-object-2020.06.json"
# Result directories as a run writes them (see fixtures/upload/make_fixtures.py)
RUNS = Path(__file__).resolve().parents[2] / "fixtures" / "upload"
PASSPHRASE = "s3cret passphrase"


# --------------------------------------------------------------------------------------------
# keys
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rsa_key() -> Any:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _write(path: Path, key: Any, fmt: str, passphrase: str | None = None) -> Path:
    formats = {
        "pkcs1": serialization.PrivateFormat.TraditionalOpenSSL,
        "pkcs8": serialization.PrivateFormat.PKCS8,
        "openssh": serialization.PrivateFormat.OpenSSH,
    }
    enc: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode()) if passphrase
        else serialization.NoEncryption())
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, formats[fmt], enc))
    return path


def _expected_public(key: Any) -> str:
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                         serialization.PublicFormat.OpenSSH).decode()


def _needs_encrypted_openssh(fmt: str, passphrase: str | None) -> None:
    if fmt == "openssh" and passphrase:
        pytest.importorskip("bcrypt", reason="encrypted OpenSSH keys need bcrypt")


@pytest.mark.parametrize("fmt", ["pkcs1", "pkcs8", "openssh"])
@pytest.mark.parametrize("passphrase", [None, PASSPHRASE])
def test_load_private_key_formats(tmp_path: Path, rsa_key: Any, fmt: str,
                                  passphrase: str | None) -> None:
    _needs_encrypted_openssh(fmt, passphrase)
    path = _write(tmp_path / f"key-{fmt}", rsa_key, fmt, passphrase)
    marker = {"pkcs1": b"BEGIN RSA PRIVATE KEY", "pkcs8": b"PRIVATE KEY-----",
              "openssh": b"BEGIN OPENSSH PRIVATE KEY"}[fmt]
    assert marker in path.read_bytes()
    loaded = ru.load_private_key(str(path), passphrase)
    assert ru.public_key_header(loaded) == _expected_public(rsa_key)


@pytest.mark.parametrize("fmt", ["pkcs1", "pkcs8", "openssh"])
def test_wrong_passphrase_is_a_clear_error(tmp_path: Path, rsa_key: Any, fmt: str) -> None:
    _needs_encrypted_openssh(fmt, PASSPHRASE)
    path = _write(tmp_path / "key", rsa_key, fmt, PASSPHRASE)
    with pytest.raises(ru.PrivateKeyError, match=r"^wrong passphrase for private key .*key"):
        ru.load_private_key(str(path), "not the passphrase")


def test_wrong_passphrase_message_is_stable(tmp_path: Path) -> None:
    """With a wrong passphrase PKCS#1 decryption sometimes "succeeds" into garbage (~1 in 200
    salts): that must still read as a wrong passphrase, not as an unsupported format."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    path = tmp_path / "key"
    for _attempt in range(800):
        _write(path, key, "pkcs1", PASSPHRASE)
        with pytest.raises(ru.PrivateKeyError, match="^wrong passphrase"):
            ru.load_private_key(str(path), "wrong")


@pytest.mark.parametrize("fmt", ["pkcs1", "pkcs8", "openssh"])
def test_missing_passphrase_is_a_clear_error(tmp_path: Path, rsa_key: Any, fmt: str) -> None:
    _needs_encrypted_openssh(fmt, PASSPHRASE)
    path = _write(tmp_path / "key", rsa_key, fmt, PASSPHRASE)
    with pytest.raises(ru.PrivateKeyError, match="is encrypted; give its passphrase"):
        ru.load_private_key(str(path))


def test_passphrase_for_plain_key_is_a_clear_error(tmp_path: Path, rsa_key: Any) -> None:
    path = _write(tmp_path / "key", rsa_key, "pkcs8")
    with pytest.raises(ru.PrivateKeyError, match="not encrypted but a passphrase was given"):
        ru.load_private_key(str(path), "x")
    # an empty passphrase means none
    assert ru.load_private_key(str(path), "")


def test_bad_key_files(tmp_path: Path) -> None:
    with pytest.raises(ru.PrivateKeyError, match="cannot read private key"):
        ru.load_private_key(str(tmp_path / "missing"))
    garbage = tmp_path / "garbage"
    garbage.write_text("ssh-rsa AAAA this is a public key, not a private one\n")
    with pytest.raises(ru.PrivateKeyError, match="not a private key in a supported format"):
        ru.load_private_key(str(garbage))
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_path = tmp_path / "ec"
    ec_path.write_bytes(ec_key.private_bytes(serialization.Encoding.PEM,
                                             serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()))
    with pytest.raises(ru.PrivateKeyError, match="RefStack verifies RSA signatures only"):
        ru.load_private_key(str(ec_path))


@pytest.mark.skipif(not shutil.which("ssh-keygen"), reason="ssh-keygen not installed")
@pytest.mark.parametrize("keygen_format", ["RFC4716", "PEM", "PKCS8"])
def test_keys_made_by_ssh_keygen(tmp_path: Path, keygen_format: str) -> None:
    """Keys as vendors make them; public header and fingerprint agree with ssh-keygen."""
    key = tmp_path / "id_rsa"
    subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", PASSPHRASE,
                    "-m", keygen_format, "-C", "vendor@example.org", "-f", str(key)],
                   check=True)
    if keygen_format == "RFC4716":  # OpenSSH's own format, encrypted with bcrypt-pbkdf
        pytest.importorskip("bcrypt", reason="encrypted OpenSSH keys need bcrypt")
    loaded = ru.load_private_key(str(key), PASSPHRASE)
    header = ru.public_key_header(loaded)
    pub_fields = Path(f"{key}.pub").read_text().split()
    assert header == f"{pub_fields[0]} {pub_fields[1]}"  # same key, comment dropped
    listing = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", f"{key}.pub"],
                             check=True, capture_output=True, text=True).stdout.split()
    assert ru.public_key_fingerprint(header) == listing[1]


# --------------------------------------------------------------------------------------------
# signing
# --------------------------------------------------------------------------------------------

def test_body_is_json_dumps_with_default_separators() -> None:
    doc = json.loads(FIXTURE.read_text())
    body = ru.request_body(doc)
    assert body == json.dumps(doc).encode("utf-8")
    assert body.startswith(b'{"cpid": "') and b'"duration_seconds": 418, ' in body


def test_signature_verifies_with_public_key(rsa_key: Any) -> None:
    body = ru.request_body(json.loads(FIXTURE.read_text()))
    signature = ru.sign_body(rsa_key, body)
    assert all(c in "0123456789abcdef" for c in signature) and len(signature) == 512
    header = ru.public_key_header(rsa_key)
    public = serialization.load_ssh_public_key(header.encode())
    public.verify(bytes.fromhex(signature), body, padding.PKCS1v15(), hashes.SHA256())
    assert ru.verify_signature(header, body, signature)
    with pytest.raises(InvalidSignature):
        public.verify(bytes.fromhex(signature), body + b" ", padding.PKCS1v15(),
                      hashes.SHA256())
    assert not ru.verify_signature(header, body.replace(b"418", b"419"), signature)


def test_public_key_header_format(rsa_key: Any) -> None:
    header = ru.public_key_header(rsa_key)
    kind, blob = header.split(" ")  # exactly two fields: no comment
    assert kind == "ssh-rsa"
    raw = base64.b64decode(blob, validate=True)
    assert raw[:11] == b"\x00\x00\x00\x07ssh-rsa"
    assert "\n" not in header
    assert ru.public_key_fingerprint(header).startswith("SHA256:")


def test_jwt_is_rs256_signed_with_the_key(rsa_key: Any) -> None:
    token = ru.make_jwt(rsa_key, "https://openstackid.org/vendor", lifetime=600, now=1000)
    head, claims, sig = token.split(".")

    def dec(part: str) -> bytes:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))

    assert json.loads(dec(head)) == {"alg": "RS256", "typ": "JWT"}
    assert json.loads(dec(claims)) == {"user_openid": "https://openstackid.org/vendor",
                                       "exp": 1600}
    rsa_key.public_key().verify(dec(sig), f"{head}.{claims}".encode(), padding.PKCS1v15(),
                                hashes.SHA256())


# --------------------------------------------------------------------------------------------
# document validation
# --------------------------------------------------------------------------------------------

GOOD: dict[str, Any] = {"cpid": "abc", "duration_seconds": 3,
                        "results": [{"name": "tempest.api.x.Test.test_a",
                                     "uuid": "a22ef352-a342-4587-8f47-3bbdb5b039c4"}]}


def _bad(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(GOOD)
    for key, value in changes.items():
        if value is KeyError:
            del doc[key]
        else:
            doc[key] = value
    return doc


BAD_DOCUMENTS = [
    pytest.param([GOOD], "must be a JSON object", id="not-an-object"),
    pytest.param("cpid", "must be a JSON object", id="a-string"),
    pytest.param(_bad(cpid=KeyError), "missing key(s) cpid", id="no-cpid"),
    pytest.param(_bad(duration_seconds=KeyError), "missing key(s) duration_seconds",
                 id="no-duration"),
    pytest.param(_bad(results=KeyError), "missing key(s) results", id="no-results"),
    pytest.param({}, "missing key(s) cpid, duration_seconds, results", id="empty"),
    pytest.param(_bad(meta={"x": 1}), "unexpected key(s) meta", id="extra-key"),
    pytest.param(_bad(cpid=42), "cpid must be a string, got int 42", id="cpid-int"),
    pytest.param(_bad(cpid=None), "cpid must be a string, got NoneType", id="cpid-null"),
    pytest.param(_bad(duration_seconds="12"), "duration_seconds must be an integer, got str",
                 id="duration-str"),
    pytest.param(_bad(duration_seconds=12.5), "duration_seconds must be an integer, got float",
                 id="duration-float"),
    pytest.param(_bad(duration_seconds=True), "duration_seconds must be an integer, got bool",
                 id="duration-bool"),
    pytest.param(_bad(duration_seconds=-1), "duration_seconds must not be negative",
                 id="duration-negative"),
    pytest.param(_bad(results={"name": "x"}), "results must be a list, got dict",
                 id="results-dict"),
    pytest.param(_bad(results=[]), "results is empty", id="results-empty"),
    pytest.param(_bad(results=["tempest.api.x"]), "results[0] must be an object",
                 id="item-string"),
    pytest.param(_bad(results=[{"uuid": GOOD["results"][0]["uuid"]}]),
                 "results[0].name must be a non-empty string, got None", id="item-no-name"),
    pytest.param(_bad(results=[{"name": "  "}]), "results[0].name must be a non-empty string",
                 id="item-blank-name"),
    pytest.param(_bad(results=[{"name": 3}]), "results[0].name must be a non-empty string",
                 id="item-name-int"),
    pytest.param(_bad(results=[GOOD["results"][0], {"name": "t", "uuid": "id-1234"}]),
                 "results[1].uuid must be a UUID", id="item-bad-uuid"),
    pytest.param(_bad(results=[{"name": "t", "uuid": 7}]), "results[0].uuid must be a UUID",
                 id="item-uuid-int"),
]


@pytest.mark.parametrize(("doc", "message"), BAD_DOCUMENTS)
def test_bad_documents(doc: Any, message: str) -> None:
    with pytest.raises(ru.ResultDocumentError) as err:
        ru.validate_result(doc, source="r.json")
    assert message in str(err.value)
    assert str(err.value).startswith("r.json")


def test_all_problems_in_one_message() -> None:
    with pytest.raises(ru.ResultDocumentError) as err:
        ru.validate_result({"cpid": 1, "duration_seconds": "x", "results": [], "extra": 1})
    text = str(err.value)
    for part in ("unexpected key(s) extra", "cpid must be", "duration_seconds must",
                 "results is empty"):
        assert part in text


def test_good_documents() -> None:
    ru.validate_result(json.loads(FIXTURE.read_text()))
    ru.validate_result(GOOD)
    ru.validate_result(_bad(results=[{"name": "t"}, {"name": "u", "uuid": None}]))
    ru.validate_result(_bad(cpid=""))  # the server accepts an empty cpid


def test_load_result_paths(tmp_path: Path) -> None:
    program = tmp_path / "object"
    program.mkdir()
    with pytest.raises(ru.ResultDocumentError, match="has no refstack-result.json"):
        ru.load_result(str(program))
    with pytest.raises(ru.ResultDocumentError, match="does not exist"):
        ru.load_result(str(tmp_path / "nope.json"))
    target = program / "refstack-result.json"
    target.write_text("{not json")
    with pytest.raises(ru.ResultDocumentError, match="is not valid JSON"):
        ru.load_result(str(program))
    shutil.copy(FIXTURE, target)
    for path in (program, target):
        found, doc = ru.load_result(str(path))
        assert found == str(target) and len(doc["results"]) == 58


@pytest.mark.parametrize(("given", "expected"), [
    ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
    ("http://127.0.0.1:8000/", "http://127.0.0.1:8000"),
    ("http://127.0.0.1:8000/v1/", "http://127.0.0.1:8000"),
    ("HTTPS://RefStack.Example.org/api/", "https://refstack.example.org/api"),
])
def test_normalize_server(given: str, expected: str) -> None:
    assert ru.normalize_server(given) == expected
    assert ru.results_endpoint(given) == expected + "/v1/results/"


@pytest.mark.parametrize("bad", ["", "refstack.example.org", "ftp://x/", "http://", "http://x/?a=1",
                                 "http://x:99999", "http://x:port/", "http://a b/", "http://:80",
                                 "http://x:/"])
def test_bad_server(bad: str) -> None:
    with pytest.raises(ru.RefStackUploadError, match="expected the URL of a RefStack API"
                       if bad != "http://x/?a=1" else "must not contain") as err:
        ru.normalize_server(bad)
    assert err.value.option == "server"


# --------------------------------------------------------------------------------------------
# a real local HTTP server, scripted per test
# --------------------------------------------------------------------------------------------

class Script:
    """Answers to give, in order (the last one repeats), and the requests received."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, Any, float]] = [(201, {"test_id": "t-1", "url": "u"}, 0)]
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def set(self, *answers: tuple[int, Any] | tuple[int, Any, float]) -> None:
        self.answers = [(a[0], a[1], a[2] if len(a) > 2 else 0.0) for a in answers]
        self.requests = []

    @property
    def posts(self) -> int:
        return sum(1 for r in self.requests if r["method"] == "POST")


@pytest.fixture()
def http(tmp_path: Path) -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with script.lock:
                script.requests.append({"method": method, "path": self.path,
                                        "headers": dict(self.headers), "body": body})
                index = min(len(script.requests) - 1, len(script.answers) - 1)
                status, payload, delay = script.answers[index]
            if delay:
                time.sleep(delay)
            if status == 201 and isinstance(payload, dict) and payload.get("test_id") == "auto":
                payload = {"test_id": f"test-{len(script.requests)}",
                           "url": f"http://ui/#/results/test-{len(script.requests)}"}
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def do_POST(self) -> None:  # noqa: N802
            self._answer("POST")

        def do_GET(self) -> None:  # noqa: N802
            self._answer("GET")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", script
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _options(retries: int = 3, delay: float = 1.0, timeout: float = 5.0) -> ru.HttpOptions:
    return ru.HttpOptions(timeout=timeout, retries=retries, retry_delay=delay, sleep=Sleeps())


HEADERS = {"Content-Type": "application/json"}


def test_500_then_201_is_retried_once(http: tuple[str, Script]) -> None:
    url, script = http
    script.set((500, {"title": "Internal Server Error", "code": 500}),
               (201, {"test_id": "abc", "url": "http://ui/#/results/abc"}))
    options = _options()
    logged: list[str] = []
    assert ru.post_result(url, b"{}", HEADERS, options, log=logged.append) == {
        "test_id": "abc", "url": "http://ui/#/results/abc"}
    assert script.posts == 2 and options.sleep == [1.0]
    assert script.requests[0]["path"] == "/v1/results/"
    assert "answered 500: Internal Server Error; retry 1/3 in 1s" in logged[0]


def test_5xx_exhausts_retries_with_exponential_backoff(http: tuple[str, Script]) -> None:
    url, script = http
    script.set((503, b"<html>Service Unavailable</html>"))
    options = _options(retries=3, delay=0.5)
    with pytest.raises(ru.ServerError) as err:
        ru.post_result(url, b"{}", HEADERS, options)
    assert script.posts == 4 and options.sleep == [0.5, 1.0, 2.0]
    assert err.value.retryable and err.value.status == 503 and err.value.attempts == 4
    assert "upload failed after 4 attempt(s)" in str(err.value)
    assert "answered 503: <html>Service Unavailable</html>" in str(err.value)


def test_backoff_is_capped() -> None:
    options = ru.HttpOptions(retry_delay=10, max_delay=60)
    assert [options.delay(n) for n in range(1, 6)] == [10, 20, 40, 60, 60]


def test_zero_retries_means_one_attempt(http: tuple[str, Script]) -> None:
    url, script = http
    script.set((502, {"title": "Bad Gateway"}))
    options = _options(retries=0)
    with pytest.raises(ru.ServerError, match="after 1 attempt"):
        ru.post_result(url, b"{}", HEADERS, options)
    assert script.posts == 1 and options.sleep == []


def test_400_shows_server_message_not_retried(http: tuple[str, Script]) -> None:
    url, script = http
    script.set((400, {"title": "Signature verification failed", "code": 400}))
    options = _options()
    with pytest.raises(ru.ServerError) as err:
        ru.post_result(url, b"{}", HEADERS, options)
    assert str(err.value) == f"{url} rejected the result (400): Signature verification failed"
    assert script.posts == 1 and options.sleep == [] and not err.value.retryable


def test_401_signed_explains_registration(http: tuple[str, Script], rsa_key: Any) -> None:
    url, script = http
    script.set((401, {"code": 401, "title": "Unauthorized",
                      "detail": "User with specified key not found."}))
    headers = dict(HEADERS, **{"X-Public-Key": ru.public_key_header(rsa_key),
                               "X-Signature": "00"})
    with pytest.raises(ru.ServerError) as err:
        ru.post_result(url + "/api", b"{}", headers, _options())
    text = str(err.value)
    assert script.posts == 1 and err.value.status == 401
    assert "User with specified key not found." in text
    assert ru.public_key_fingerprint(ru.public_key_header(rsa_key)) in text
    assert "is not registered with this RefStack server" in text
    assert f"({url}/#/profile)" in text and f"{url}/api/v1/profile/pubkeys" in text


def test_401_anonymous_asks_for_a_key(http: tuple[str, Script]) -> None:
    url, script = http
    script.set((401, {"code": 401, "detail": "Anonymous result uploads are disabled."}))
    with pytest.raises(ru.ServerError, match="accepts signed uploads only; give private_key"):
        ru.post_result(url, b"{}", HEADERS, _options())


@pytest.mark.parametrize("status", [403, 404, 405, 409, 413, 422])
def test_other_4xx_not_retried(http: tuple[str, Script], status: int) -> None:
    url, script = http
    script.set((status, {"title": "nope"}))
    options = _options()
    with pytest.raises(ru.ServerError, match=f"answered {status}: nope \\(not retried\\)"):
        ru.post_result(url, b"{}", HEADERS, options)
    assert script.posts == 1 and options.sleep == []


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_connection_refused_is_retried() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    options = _options(retries=2, delay=0.25)
    with pytest.raises(ru.ServerError) as err:
        ru.post_result(url, b"{}", HEADERS, options)
    assert options.sleep == [0.25, 0.5] and err.value.status is None
    assert "cannot connect to" in str(err.value) and "after 3 attempt(s)" in str(err.value)


def test_timeout_is_retried(http: tuple[str, Script]) -> None:
    url, script = http
    script.set((201, {"test_id": "late"}, 1.0), (201, {"test_id": "t2", "url": "u2"}))
    options = _options(retries=1, timeout=0.3)
    assert ru.post_result(url, b"{}", HEADERS, options)["test_id"] == "t2"
    assert script.posts == 2 and options.sleep == [1.0]


def test_201_without_test_id_is_an_error(http: tuple[str, Script]) -> None:
    url, script = http
    script.set((201, {"ok": True}))
    with pytest.raises(ru.ServerError, match="has no test_id"):
        ru.post_result(url, b"{}", HEADERS, _options())


def test_list_results_pages_with_token(http: tuple[str, Script], rsa_key: Any) -> None:
    url, script = http
    script.set((200, {"results": [{"id": "a"}], "pagination": {"current_page": 1,
                                                               "total_pages": 2}}),
               (200, {"results": [{"id": "b"}], "pagination": {"current_page": 2,
                                                               "total_pages": 2}}))
    found = ru.list_results(url, rsa_key, "https://openstackid.org/v", options=_options())
    assert [r["id"] for r in found] == ["a", "b"]
    assert [r["path"] for r in script.requests] == [
        "/v1/results?signed=true&page=1",
        "/v1/results?signed=true&page=2",
    ]
    assert script.requests[0]["headers"]["Authorization"].startswith("Bearer ey")


# --------------------------------------------------------------------------------------------
# receipts and the whole upload
# --------------------------------------------------------------------------------------------

def test_receipts_keyed_by_server_and_document(tmp_path: Path, rsa_key: Any) -> None:
    result = tmp_path / "refstack-result.json"
    receipts = ru.Receipts.for_result(str(result))
    assert receipts.path == str(tmp_path / "upload-receipt.json") and receipts.uploads == []
    key = ru.public_key_header(rsa_key)
    moment = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    receipts.record("http://a:1/", "s1", key, "id-a", "url-a", str(result), now=moment)
    receipts.record("https://b/api", "s1", None, "id-b", "url-b", str(result), now=moment)
    receipts.record("http://a:1", "s2", None, "id-c", "url-c", str(result), now=moment)
    assert sorted(os.listdir(tmp_path)) == ["upload-receipt.json"]  # no temp file left

    again = ru.Receipts(receipts.path)
    entry = again.find("http://a:1/v1", "s1")
    assert entry == {"server": "http://a:1", "test_id": "id-a", "url": "url-a", "sha256": "s1",
                     "signed": True, "public_key_fingerprint": ru.public_key_fingerprint(key),
                     "result": "refstack-result.json", "uploaded_at": "2025-01-02T03:04:05Z"}
    # one server keeps every document uploaded to it; another key does not matter
    assert again.find("HTTP://A:1/", "s2")["test_id"] == "id-c"
    assert again.find("http://a:1", "s3") is None               # result changed
    assert again.find("http://c:1", "s1") is None               # another server
    assert again.find("https://b/api/", "s1")["test_id"] == "id-b"
    data = json.loads(Path(receipts.path).read_text())
    assert data["version"] == 2 and [e["test_id"] for e in data["uploads"]] == ["id-a", "id-b",
                                                                                "id-c"]
    # a forced upload is appended; the latest one is found
    again.record("http://a:1", "s1", None, "id-d", "url-d", str(result), now=moment)
    assert ru.Receipts(receipts.path).find("http://a:1", "s1")["test_id"] == "id-d"
    assert len(ru.Receipts(receipts.path).uploads) == 4


def test_version_1_receipt_is_still_read(tmp_path: Path, rsa_key: Any) -> None:
    key = ru.public_key_header(rsa_key)
    old = {"version": 1, "uploads": {"http://a:1": {
        "server": "http://a:1", "test_id": "id-old", "url": "u", "sha256": "s1", "signed": True,
        "public_key_fingerprint": ru.public_key_fingerprint(key),
        "result": "refstack-result.json", "uploaded_at": "2025-01-02T03:04:05Z"}}}
    path = tmp_path / "upload-receipt.json"
    path.write_text(json.dumps(old))
    receipts = ru.Receipts(str(path))
    assert receipts.find("http://a:1/", "s1")["test_id"] == "id-old"
    receipts.record("http://b:1", "s1", None, "id-new", "u2", str(tmp_path / "r.json"))
    data = json.loads(path.read_text())
    assert data["version"] == 2 and [e["test_id"] for e in data["uploads"]] == ["id-old", "id-new"]


@pytest.mark.parametrize("content", ["{broken", "[]", '{"uploads": 1}', '{"uploads": {"x": 1}}',
                                     '{"uploads": [{"server": "http://a"}]}'])
def test_bad_receipt_is_a_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "upload-receipt.json"
    path.write_text(content)
    with pytest.raises(ru.ReceiptError, match="fix or remove it"):
        ru.Receipts(str(path))


def _run(tmp_path: Path, name: str, program: str = "object") -> Path:
    """A copy of the result directory ``name`` (pass, fail, partial, fail-partial)."""
    target = tmp_path / "results" / program
    shutil.copytree(RUNS / name, target)
    return target


@pytest.fixture()
def result_dir(tmp_path: Path) -> Path:
    return _run(tmp_path, "pass")


def test_upload_signs_and_is_idempotent(http: tuple[str, Script], result_dir: Path,
                                        rsa_key: Any) -> None:
    url, script = http
    script.set((201, {"test_id": "auto"}))
    key_file = _write(result_dir.parent / "key.pem", rsa_key, "pkcs8")
    req = ru.UploadRequest(result=str(result_dir), server=url, private_key=str(key_file),
                           http=_options())
    first = ru.upload(req)
    assert first["changed"] and first["signed"] and first["test_id"] == "test-1"
    assert first["receipt"] == str(result_dir / "upload-receipt.json")
    sent = script.requests[0]
    body = (result_dir / "refstack-result.json").read_bytes()
    assert sent["body"] == json.dumps(json.loads(body)).encode()
    assert sent["headers"]["Content-Type"] == "application/json"
    assert sent["headers"]["X-Public-Key"] == _expected_public(rsa_key)
    assert ru.verify_signature(sent["headers"]["X-Public-Key"], sent["body"],
                               sent["headers"]["X-Signature"])
    assert first["sha256"] == ru.body_digest(sent["body"])

    second = ru.upload(req)
    assert second["changed"] is False and second["test_id"] == "test-1"
    assert script.posts == 1

    check = ru.upload(ru.UploadRequest(**{**req.__dict__, "check_mode": True}))
    assert check["changed"] is False and script.posts == 1

    forced = ru.upload(ru.UploadRequest(**{**req.__dict__, "force": True}))
    assert forced["changed"] and forced["test_id"] == "test-2" and script.posts == 2

    # an edited document: a new upload, but its verdict is no longer known
    doc = json.loads(body)
    doc["duration_seconds"] += 1
    (result_dir / "refstack-result.json").write_text(json.dumps(doc, indent=1))
    with pytest.raises(ru.RefStackUploadError, match="describes another document "
                                                     r"\(duration_seconds differ\)"):
        ru.upload(req)
    third = ru.upload(ru.UploadRequest(**{**req.__dict__, "allow_failed": True}))
    assert third["changed"] and third["test_id"] == "test-3" and script.posts == 3
    assert "its verdict is unknown" in third["warnings"][0]
    receipt = json.loads((result_dir / "upload-receipt.json").read_text())
    assert [e["test_id"] for e in receipt["uploads"]] == ["test-1", "test-2", "test-3"]


def test_check_mode_signs_but_sends_nothing(http: tuple[str, Script], result_dir: Path,
                                            rsa_key: Any) -> None:
    url, script = http
    key_file = _write(result_dir.parent / "key", rsa_key, "pkcs1", PASSPHRASE)
    out = ru.upload(ru.UploadRequest(result=str(result_dir), server=url,
                                     private_key=str(key_file), private_key_passphrase=PASSPHRASE,
                                     check_mode=True, http=_options()))
    assert out["changed"] is True and out["signed"] and out["test_id"] is None
    assert script.requests == [] and not (result_dir / "upload-receipt.json").exists()
    # check mode still loads the key: a wrong passphrase fails
    with pytest.raises(ru.PrivateKeyError, match="wrong passphrase"):
        ru.upload(ru.UploadRequest(result=str(result_dir), server=url, private_key=str(key_file),
                                   private_key_passphrase="bad", check_mode=True))


def test_anonymous_only_when_allowed(http: tuple[str, Script], result_dir: Path) -> None:
    url, script = http
    script.set((201, {"test_id": "anon", "url": "u"}))
    with pytest.raises(ru.RefStackUploadError, match="allow_anonymous=true"):
        ru.upload(ru.UploadRequest(result=str(result_dir), server=url, http=_options()))
    assert script.requests == []
    out = ru.upload(ru.UploadRequest(result=str(result_dir), server=url, allow_anonymous=True,
                                     http=_options()))
    assert out["signed"] is False and out["test_id"] == "anon"
    headers = script.requests[0]["headers"]
    assert "X-Signature" not in headers and "X-Public-Key" not in headers


def test_bad_document_fails_before_network(http: tuple[str, Script], result_dir: Path,
                                           rsa_key: Any) -> None:
    url, script = http
    (result_dir / "refstack-result.json").write_text(json.dumps(_bad(results=[])))
    key_file = _write(result_dir.parent / "key", rsa_key, "pkcs8")
    with pytest.raises(ru.ResultDocumentError, match="results is empty"):
        ru.upload(ru.UploadRequest(result=str(result_dir), server=url,
                                   private_key=str(key_file), http=_options()))
    assert script.requests == []


def test_server_down_keeps_result_and_says_so(result_dir: Path, rsa_key: Any) -> None:
    key_file = _write(result_dir.parent / "key", rsa_key, "pkcs8")
    before = (result_dir / "refstack-result.json").read_bytes()
    options = _options(retries=2, delay=0.1)
    with pytest.raises(ru.ServerError) as err:
        ru.upload(ru.UploadRequest(result=str(result_dir), server=f"http://127.0.0.1:"
                                   f"{_closed_port()}", private_key=str(key_file), http=options))
    assert "unchanged on disk at" in str(err.value) and options.sleep == [0.1, 0.2]
    assert (result_dir / "refstack-result.json").read_bytes() == before
    assert sorted(os.listdir(result_dir)) == ["refstack-result.json", "summary.json"]


# --------------------------------------------------------------------------------------------
# only complete PASS results, unless asked
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("run", "why", "options"), [
    ("fail", r"its verdict is FAIL \(1 of 2 required tests passed\)", ["allow_failed"]),
    ("partial", r"it is a partial result \(the run was interrupted", ["allow_partial"]),
    ("fail-partial", r"its verdict is FAIL \(1 of 2 required tests passed\); it is a partial",
     ["allow_failed", "allow_partial"]),
])
def test_not_a_complete_pass_is_refused_then_allowed_with_a_warning(
        http: tuple[str, Script], tmp_path: Path, rsa_key: Any, run: str, why: str,
        options: list[str]) -> None:
    url, script = http
    result_dir = _run(tmp_path, run)
    key_file = _write(tmp_path / "key", rsa_key, "pkcs8")
    req = ru.UploadRequest(result=str(result_dir), server=url, private_key=str(key_file),
                           http=_options())
    result_file = str(result_dir / "refstack-result.json")
    for given in [[], *([[o] for o in options] if len(options) > 1 else [])]:
        with pytest.raises(ru.RefStackUploadError) as err:
            ru.upload(ru.UploadRequest(**{**req.__dict__, **{o: True for o in given}}))
        msg = str(err.value)
        assert msg.startswith(f"refusing to upload {result_file}: ")
        assert re.search(why, msg), msg
        missing = [o for o in options if o not in given]
        assert msg.endswith(" and ".join(f"{o}=true" for o in missing) + " to upload it anyway")
    # check mode refuses the same way, and sends nothing
    with pytest.raises(ru.RefStackUploadError, match="refusing to upload"):
        ru.upload(ru.UploadRequest(**{**req.__dict__, "check_mode": True}))
    assert script.requests == [] and not (result_dir / "upload-receipt.json").exists()

    out = ru.upload(ru.UploadRequest(**{**req.__dict__, **{o: True for o in options}}))
    assert out["changed"] is True and script.posts == 1
    assert len(out["warnings"]) == len(options)
    for warning, option in zip(out["warnings"], sorted(options)):
        assert warning.startswith(f"uploading {result_file} although ")
        assert warning.endswith(f"({option}=true)")
    # the same document again: nothing sent, and nothing to warn about
    again = ru.upload(ru.UploadRequest(**{**req.__dict__, **{o: True for o in options}}))
    assert again["changed"] is False and again["warnings"] == [] and script.posts == 1


def test_complete_pass_needs_no_option(http: tuple[str, Script], result_dir: Path) -> None:
    url, script = http
    out = ru.upload(ru.UploadRequest(result=str(result_dir), server=url, allow_anonymous=True,
                                     http=_options()))
    assert out["changed"] is True and out["warnings"] == [] and script.posts == 1


@pytest.mark.parametrize(("summary", "detail"), [
    (None, "there is no summary.json beside it"),
    ("{broken", "cannot be read"),
    ('{"verdict": "MAYBE", "partial": false}', "has no verdict and partial flag"),
    ('{"verdict": "PASS"}', "has no verdict and partial flag"),
])
def test_unknown_verdict_counts_as_not_pass(tmp_path: Path, summary: str | None,
                                            detail: str) -> None:
    result_dir = _run(tmp_path, "pass")
    if summary is None:
        (result_dir / "summary.json").unlink()
    else:
        (result_dir / "summary.json").write_text(summary)
    result_file, doc = ru.load_result(str(result_dir))
    standing = ru.result_standing(result_file, doc)
    assert standing.verdict is None and detail in standing.detail
    with pytest.raises(ru.RefStackUploadError, match="its verdict is unknown: .*allow_failed=true"):
        ru.admit(result_file, standing, allow_partial=True, allow_failed=False)
    assert "its verdict is unknown" in ru.admit(result_file, standing, False, True)[0]


def test_summary_of_another_document_is_not_trusted(tmp_path: Path) -> None:
    result_dir = _run(tmp_path, "pass")
    shutil.copy(RUNS / "partial" / "refstack-result.json", result_dir / "refstack-result.json")
    standing = ru.result_standing(*ru.load_result(str(result_dir)))
    assert standing.verdict is None
    assert standing.detail.endswith("describes another document (duration_seconds, number of "
                                    "passed tests differ)")
    assert ru.result_standing(*ru.load_result(str(RUNS / "pass"))) == ru.Standing(
        "PASS", False, "1 of 1 required tests passed")


def test_refusal_names_the_playbook_variables(tmp_path: Path) -> None:
    result_file, doc = ru.load_result(str(RUNS / "fail-partial"))
    names = {"allow_failed": "refstack_upload_allow_failed",
             "allow_partial": "refstack_upload_allow_partial"}
    with pytest.raises(ru.RefStackUploadError) as err:
        ru.admit(result_file, ru.result_standing(result_file, doc), False, False, names.get)
    assert str(err.value).endswith("set refstack_upload_allow_failed=true and "
                                   "refstack_upload_allow_partial=true to upload it anyway")


# --------------------------------------------------------------------------------------------
# one document, one upload per server, whatever the key
# --------------------------------------------------------------------------------------------

def test_another_key_does_not_upload_the_same_document_again(
        http: tuple[str, Script], result_dir: Path, rsa_key: Any) -> None:
    url, script = http
    first_key = _write(result_dir.parent / "first", rsa_key, "pkcs8")
    other = _write(result_dir.parent / "second", rsa.generate_private_key(65537, 2048), "pkcs8")
    first = ru.upload(ru.UploadRequest(result=str(result_dir), server=url,
                                       private_key=str(first_key), http=_options()))
    assert first["changed"] and script.posts == 1
    second = ru.upload(ru.UploadRequest(result=str(result_dir), server=url,
                                        private_key=str(other), http=_options()))
    assert second["changed"] is False and second["test_id"] == first["test_id"]
    assert f"signed with {first['public_key_fingerprint']}" in second["msg"]
    assert "force=true uploads it again" in second["msg"]
    anonymous = ru.upload(ru.UploadRequest(result=str(result_dir), server=url,
                                           allow_anonymous=True, http=_options()))
    assert anonymous["changed"] is False
    again = ru.upload(ru.UploadRequest(result=str(result_dir), server=url,
                                       private_key=str(first_key), http=_options()))
    assert again["changed"] is False and "force" not in again["msg"]
    assert script.posts == 1
    receipt = json.loads((result_dir / "upload-receipt.json").read_text())
    assert len(receipt["uploads"]) == 1


# --------------------------------------------------------------------------------------------
# paths and names as the user gave them
# --------------------------------------------------------------------------------------------

def test_controller_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert ru.controller_path("keys/k", "/work/dir") == "/work/dir/keys/k"
    assert ru.controller_path("../k", "/work/dir") == "/work/k"
    assert ru.controller_path("/abs/k", "/work/dir") == "/abs/k"
    assert ru.controller_path("~/k", "/work/dir") == str(tmp_path / "home" / "k")


def test_relative_paths_are_taken_from_cwd(http: tuple[str, Script], tmp_path: Path,
                                           rsa_key: Any) -> None:
    url, script = http
    cwd = tmp_path / "operator"
    _run(cwd, "pass")
    _write(cwd / "key", rsa_key, "pkcs8")
    out = ru.upload(ru.UploadRequest(result="results/object", server=url, private_key="key",
                                     cwd=str(cwd), http=_options()))
    assert out["changed"] and out["result"] == str(cwd / "results/object/refstack-result.json")
    assert out["receipt"] == str(cwd / "results/object/upload-receipt.json")


@pytest.mark.parametrize(("change", "message"), [
    ({"private_key": "keys/missing"},
     "refstack_upload_private_key: keys/missing does not exist (a relative path is taken from "
     "the current directory {cwd}: there is no {cwd}/keys/missing)"),
    ({"result": "nowhere"},
     "refstack_upload_results_dir: nowhere does not exist (a relative path is taken from the "
     "current directory {cwd}: there is no {cwd}/nowhere)"),
    ({"result": "/nowhere/at/all"}, "refstack_upload_results_dir: /nowhere/at/all does not exist"),
    ({"server": "ftp://x"}, "refstack_upload_server: 'ftp://x' is not an http(s) URL"),
    ({"private_key": None},
     "no refstack_upload_private_key given: RefStack certification needs a signed upload. Give "
     "refstack_upload_private_key (an RSA key registered with the server), or set "
     "refstack_upload_allow_anonymous=true"),
    ({"private_key_passphrase": "wrong"},
     "refstack_upload_private_key_passphrase: private key {cwd}/key is not encrypted"),
    ({"http": ru.HttpOptions(ca_cert="ca.pem")}, "ca_cert: ca.pem does not exist"),
])
def test_errors_name_the_variable_the_user_set(tmp_path: Path, rsa_key: Any,
                                               change: dict[str, Any], message: str) -> None:
    cwd = tmp_path / "operator"
    _run(cwd, "pass")
    _write(cwd / "key", rsa_key, "pkcs8")
    names = {o: f"refstack_upload_{o}" for o in ("server", "private_key", "allow_anonymous",
                                                 "private_key_passphrase")}
    names["result"] = "refstack_upload_results_dir"
    req = ru.UploadRequest(**{"result": "results/object", "server": "http://127.0.0.1:1",
                              "private_key": "key", "cwd": str(cwd), "names": names,
                              "http": _options(retries=0), **change})
    with pytest.raises(ru.RefStackUploadError) as err:
        ru.upload(req)
    assert str(err.value).startswith(message.format(cwd=cwd)), str(err.value)
