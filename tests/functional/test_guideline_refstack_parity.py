# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Parity of the guideline engine with the real RefStack 2.1.0 server.

Starts, on 127.0.0.1 and ephemeral ports only:

* a static HTTP server that plays the opendev "raw" file endpoint the RefStack server reads
  guidelines from (``guidelines/<file>.json`` and ``add-ons/guidelines/<file>.json``), serving
  the bundled guidelines;
* the RefStack API (refstack 2.1.0 under gunicorn, sqlite database; the test-list endpoint
  does not touch the database).

Then, for every bundled guideline and every program it offers, compares byte for byte
``GET /v1/guidelines/<file>/tests?target=&type=&alias=&flag=`` with
``Guideline.test_list()``. The server's virtualenv is created on first use under
``${OPENINFRA_INTEROP_HOME:-~/.cache/openinfra-interop}/refstack-server-venv`` (PyPI only).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import http.server
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
# guideline.py is standard-library only: load it straight from the checkout.
_SPEC = importlib.util.spec_from_file_location(
    "oii_guideline_under_test", ROOT / "plugins" / "module_utils" / "guideline.py")
assert _SPEC is not None and _SPEC.loader is not None
guideline_lib = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = guideline_lib
_SPEC.loader.exec_module(guideline_lib)
GuidelineError = guideline_lib.GuidelineError
bundled_guidelines_dir = guideline_lib.bundled_guidelines_dir
bundled_versions = guideline_lib.bundled_versions
load_guideline = guideline_lib.load_guideline

SERVER_PACKAGES = ["refstack==2.1.0", "oslo.db<13", "SQLAlchemy<2", "gunicorn==22.0.0"]
HOME = Path(os.environ.get("OPENINFRA_INTEROP_HOME") or "~/.cache/openinfra-interop").expanduser()
VENV = HOME / "refstack-server-venv"
# Shared with tests/functional/test_refstack_upload.py: same lock file and ready marker.
MARKER = VENV / ".openinfra-interop-ready"
CASES = [(name, program) for name in bundled_versions() for program in load_guideline(name).programs()]


def _venv_ready() -> bool:
    python = VENV / "bin" / "python"
    if not python.is_file() or not (VENV / "bin" / "gunicorn").is_file():
        return False
    probe = subprocess.run([str(python), "-c", "import refstack.api.app, gunicorn"],
                           capture_output=True, check=False, timeout=120)
    return probe.returncode == 0


@pytest.fixture(scope="session")
def server_venv() -> Path:
    """The RefStack server virtualenv, created (under the shared lock) when missing."""
    HOME.mkdir(parents=True, exist_ok=True)
    spec = " ".join(SERVER_PACKAGES)
    with open(HOME / "refstack-server-venv.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _venv_ready():
            python = VENV / "bin" / "python"
            if not python.is_file():
                base = getattr(sys, "_base_executable", None) or sys.executable
                subprocess.run([base, "-m", "venv", str(VENV)], check=True, timeout=300)
            pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
            subprocess.run(pip + ["-U", "pip", "setuptools", "wheel"], check=True, timeout=900)
            subprocess.run(pip + SERVER_PACKAGES, check=True, timeout=1800)
            assert _venv_ready(), f"{VENV} cannot import refstack and gunicorn"
            MARKER.write_text(spec + "\n", encoding="utf-8")
    return VENV


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="session")
def raw_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Static file server with the opendev raw layout the RefStack server expects."""
    root = tmp_path_factory.mktemp("opendev-raw")
    (root / "guidelines").mkdir()
    (root / "add-ons" / "guidelines").mkdir(parents=True)
    bundled = bundled_guidelines_dir()
    for path in bundled.glob("*.json"):
        shutil.copy(path, root / "guidelines" / path.name)
    for path in (bundled / "add-ons").glob("*.json"):
        shutil.copy(path, root / "add-ons" / "guidelines" / path.name)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "http://127.0.0.1:%d/" % server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def refstack_url(server_venv: Path, raw_base: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real RefStack API under gunicorn on an ephemeral 127.0.0.1 port; stopped by PID."""
    work = tmp_path_factory.mktemp("refstack-server")
    (work / "parity_wsgi.py").write_text(
        "from refstack.api import app, config\napplication = app.setup_app(config)\n", encoding="utf-8")
    conf = work / "refstack.conf"
    conf.write_text(
        "[DEFAULT]\nlog_file = %s\n\n[api]\napp_dev_mode = false\n"
        "opendev_api_capabilities_url = %sguidelines\nadditional_capability_urls = %sadd-ons/guidelines\n"
        "opendev_raw_base_url = %s\n\n[database]\nconnection = sqlite:///%s\n"
        % (work / "refstack-api.log", raw_base, raw_base, raw_base, work / "refstack.db"),
        encoding="utf-8",
    )
    log = work / "gunicorn.log"
    env = dict(os.environ, REFSTACK_OSLO_CONFIG=str(conf))
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(server_venv / "bin" / "gunicorn"), "-b", "127.0.0.1:0", "-w", "2", "--chdir", str(work),
             "parity_wsgi:application"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        url = _wait_for_listener(proc, log)
        _wait_until_serving(url, proc, log)
        yield url
    finally:
        _stop(proc)


def _wait_for_listener(proc: subprocess.Popen, log: Path, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", log.read_text(errors="replace"))
        if match:
            return match.group(1)
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    raise AssertionError("gunicorn did not start:\n" + log.read_text(errors="replace"))


def _wait_until_serving(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if _get(url, "2020.06", {"target": "object"}):
                return
        if proc.poll() is not None:
            break
        time.sleep(0.5)
    raise AssertionError("RefStack API does not answer:\n" + log.read_text(errors="replace"))


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _get(base: str, name: str, params: dict[str, str]) -> str:
    url = "%s/v1/guidelines/%s/tests?%s" % (base, name, urllib.parse.urlencode(params))
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


@pytest.mark.parametrize("name,program", CASES, ids=["%s-%s" % case for case in CASES])
def test_test_list_matches_refstack_server(refstack_url: str, name: str, program: str) -> None:
    guideline = load_guideline(name)
    for alias in (True, False):
        for flag in (True, False):
            params = {"target": program, "type": "required", "alias": str(alias).lower(), "flag": str(flag).lower()}
            served = _get(refstack_url, name, params)
            assert guideline.test_list(program, ["required"], alias=alias, flag=flag) == served, params
    # the server's defaults (all statuses, aliases, flagged tests) and a multi-status type
    assert guideline.test_list(program) == _get(refstack_url, name, {"target": program})
    assert guideline.test_list(program, ["advisory", "removed"], alias=False, flag=False) == _get(
        refstack_url, name, {"target": program, "type": "advisory,removed", "alias": "false", "flag": "false"})


@pytest.mark.parametrize("program,size", [("platform", 377), ("compute", 318), ("object", 61),
                                          ("dns", 10), ("orchestration", 60)])
def test_pinned_sizes_served(refstack_url: str, program: str, size: int) -> None:
    name = "2020.06" if program in ("platform", "compute", "object") else "%s.2020.06" % program
    served = _get(refstack_url, name, {"target": program, "type": "required", "alias": "true", "flag": "false"})
    assert len(served.split("\n")) == size


def test_unknown_target_rejected_by_both(refstack_url: str) -> None:
    assert _get(refstack_url, "2020.06", {"target": "bogus"}) == "Invalid target: bogus"
    with pytest.raises(GuidelineError, match="unknown program 'bogus'"):
        load_guideline("2020.06").test_list("bogus")
