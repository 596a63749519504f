# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""openinfra.interop.refstack_upload through a real ansible-playbook run on localhost.

The "server" is a local ``http.server`` on 127.0.0.1 that answers 201 and records what it got
(the real RefStack server is exercised by tests/functional/test_refstack_upload.py).
"""

from __future__ import annotations

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ansible_collections.openinfra.interop.plugins.module_utils import refstack_upload as ru

ROOT = Path(__file__).resolve().parents[4]
RUNS = ROOT / "tests" / "unit" / "fixtures" / "upload"  # result directories as a run writes them


@pytest.fixture()
def server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received.append({"path": self.path, "headers": dict(self.headers), "body": body})
            test_id = f"id-{len(received)}"
            data = json.dumps({"test_id": test_id, "url": f"http://ui/#/results/{test_id}"})
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data.encode())

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", received
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def test_action_uploads_once_and_honours_check_mode(ansible_tasks: Callable[..., Any], tmp_path: Path,
                                                    server: tuple[str, list[dict[str, Any]]]
                                                    ) -> None:
    url, received = server
    program = tmp_path / "results" / "object"
    shutil.copytree(RUNS / "pass", program)
    failed = tmp_path / "results" / "compute"
    shutil.copytree(RUNS / "fail", failed)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = tmp_path / "vendor_key"
    key_file.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption()))
    args = {"result": str(program), "server": url, "private_key": str(key_file),
            "retries": 0}
    secret = "p4ss-must-not-leak"
    locked_key = tmp_path / "vendor_key_encrypted"
    locked_key.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.BestAvailableEncryption(secret.encode())))
    run = ansible_tasks([
        {"name": "check", "openinfra.interop.refstack_upload": args, "check_mode": True},
        {"name": "upload", "openinfra.interop.refstack_upload": args},
        {"name": "again", "openinfra.interop.refstack_upload": args},
        {"name": "bad retries", "openinfra.interop.refstack_upload": dict(args, retries=-1),
         "ignore_errors": True},
        {"name": "unknown option", "openinfra.interop.refstack_upload": dict(args, color="red"),
         "ignore_errors": True},
        {"name": "encrypted key", "openinfra.interop.refstack_upload": dict(
            args, private_key=str(locked_key), private_key_passphrase=secret, force=True)},
        {"name": "failed result", "openinfra.interop.refstack_upload": dict(
            args, result=str(failed), variable_names={"allow_failed": "upload_failed_too",
                                                      "retries": "upload_retries"}),
         "ignore_errors": True},
        {"name": "named retries", "openinfra.interop.refstack_upload": dict(
            args, retries=-2, variable_names={"retries": "upload_retries"}),
         "ignore_errors": True},
        {"name": "bad names", "openinfra.interop.refstack_upload": dict(
            args, variable_names={"colour": "x"}), "ignore_errors": True},
        {"name": "failed result allowed", "openinfra.interop.refstack_upload": dict(
            args, result=str(failed), allow_failed=True)},
    ], "-vvv")
    (check, first, again, bad, unknown, forced, refused, named, bad_names,
     allowed) = run.results
    assert run.rc == 0, run.stdout
    assert check["changed"] is True and check["test_id"] is None and check["signed"] is True
    assert first["changed"] is True and first["test_id"] == "id-1"
    assert first["url"] == "http://ui/#/results/id-1"
    assert first["receipt"] == str(program / "upload-receipt.json")
    assert again["changed"] is False and again["test_id"] == "id-1"
    assert len(received) == 3 and received[0]["path"] == "/v1/results/"  # upload, forced, FAIL
    headers = received[0]["headers"]
    assert headers["X-Public-Key"] == ru.public_key_header(key)
    assert ru.verify_signature(headers["X-Public-Key"], received[0]["body"],
                               headers["X-Signature"])
    assert bad["failed"] is True and bad["msg"] == "retries must be zero or more, got -1"
    assert unknown["failed"] is True and "color" in unknown["msg"]
    assert forced["changed"] is True and forced["test_id"] == "id-2"
    assert received[1]["headers"]["X-Signature"] == headers["X-Signature"]  # same key, body
    assert secret not in json.dumps(run.results) and secret not in run.stdout
    assert refused["failed"] is True and refused["msg"] == (
        f"refusing to upload {failed}/refstack-result.json: its verdict is FAIL (1 of 2 required "
        "tests passed). Only complete PASS results are uploaded unless you ask for more: set "
        "upload_failed_too=true to upload it anyway")
    assert named["msg"] == "upload_retries must be zero or more, got -2"
    assert bad_names["failed"] is True and "variable_names" in bad_names["msg"]
    assert allowed["changed"] is True and allowed["test_id"] == "id-3" and len(received) == 3
    warning = (f"uploading {failed}/refstack-result.json although its verdict is FAIL (1 of 2 "
               "required tests passed) (allow_failed=true)")
    assert allowed["warnings"] == [warning]
    assert f"[WARNING]: {warning}" in " ".join((run.stdout + run.stderr).split())
