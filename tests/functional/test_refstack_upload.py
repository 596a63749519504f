# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Signed uploads to the REAL RefStack server (PyPI ``refstack`` 2.1.0) on 127.0.0.1.

What runs, all started here and stopped by PID in fixture finalizers (also when a test fails):

* MariaDB from Debian's ``mariadb-server`` (installed with apt-get if missing), data dir under
  the test's temp directory, ``mariadbd --no-defaults --bind-address=127.0.0.1`` on a free port
  of 26000-26099;
* the RefStack API from its own venv
  (``${OPENINFRA_INTEROP_HOME:-~/.cache/openinfra-interop}/refstack-server-venv``, created if
  missing under a lock, shared with other tests), schema by ``refstack-manage upgrade``, served by
  gunicorn from ``refstack_server_wsgi.py`` in this directory;
* a user and public keys registered through refstack's db API
  (``refstack_server_register_key.py``), as the OpenStackID sign-in + profile page would.

Run: ``pytest tests/functional/test_refstack_upload.py`` with the dev venv's pytest.
"""

from __future__ import annotations

import fcntl
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
# Result directories as a run writes them (refstack-result.json + summary.json), made from
# recorded Tempest streams by tests/unit/fixtures/upload/make_fixtures.py
RUNS = ROOT / "tests" / "unit" / "fixtures" / "upload"
INTEROP_HOME = Path(os.environ.get("OPENINFRA_INTEROP_HOME")
                    or Path.home() / ".cache" / "openinfra-interop")
SERVER_VENV = INTEROP_HOME / "refstack-server-venv"
SERVER_PACKAGES = ["refstack==2.1.0", "oslo.db<13", "SQLAlchemy<2", "gunicorn==22.0.0"]
SERVER_VENV_MARKER = SERVER_VENV / ".openinfra-interop-ready"
PORT_RANGE = range(26000, 26100)
OPENID = "https://openstackid.org/interop.test.vendor"
PASSPHRASE = "vendor key passphrase"


def _collection_tree() -> Path:
    """An ``ansible_collections/openinfra/interop`` tree pointing at this checkout."""
    tree = Path(tempfile.mkdtemp(prefix="oii-functional-"))
    (tree / "ansible_collections" / "openinfra").mkdir(parents=True)
    os.symlink(ROOT, tree / "ansible_collections" / "openinfra" / "interop")
    return tree


COLLECTIONS = _collection_tree()
try:
    import ansible_collections.openinfra.interop  # noqa: F401  pylint: disable=unused-import
except ImportError:
    sys.path.insert(0, str(COLLECTIONS))
    for _name in [m for m in sys.modules if m.startswith("ansible_collections")]:
        del sys.modules[_name]

from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402

from ansible_collections.openinfra.interop.plugins.module_utils import (  # noqa: E402
    refstack_upload as ru,
)

# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _log(msg: str) -> None:
    sys.stderr.write(f"[refstack-functional] {msg}\n")


def _free_port(exclude: set[int]) -> int:
    ports = list(PORT_RANGE)
    random.shuffle(ports)
    for port in ports:
        if port in exclude:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        exclude.add(port)
        return port
    raise RuntimeError(f"no free port in {PORT_RANGE.start}-{PORT_RANGE.stop - 1}")


def _run(cmd: list[str], log: Path, **kwargs: Any) -> None:
    with open(log, "ab") as out:
        out.write(f"\n$ {' '.join(cmd)}\n".encode())
        out.flush()
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=False, **kwargs)
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}); log {log}:\n{tail}")


def _stop(proc: subprocess.Popen[bytes], name: str, timeout: float = 30) -> None:
    """Stop a process started here by its PID (and its own session, for gunicorn workers)."""
    if proc.poll() is not None:
        return
    _log(f"stopping {name} pid {proc.pid}")
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    # Workers left behind by a killed master are in the session started for this process.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _mariadb_binaries() -> dict[str, str]:
    found = {}
    for name in ("mariadbd", "mariadb-install-db", "mariadb"):
        path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
        if path:
            found[name] = path
    return found


def _ensure_mariadb(log: Path) -> dict[str, str]:
    found = _mariadb_binaries()
    if len(found) == 3:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.fail("MariaDB is not installed: apt-get install mariadb-server")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "--no-install-recommends",
               "-o", "DPkg::Lock::Timeout=300", "mariadb-server"]
    try:
        _run(install, log, env=env)
    except RuntimeError:
        _run(["apt-get", "update", "-o", "DPkg::Lock::Timeout=300"], log, env=env)
        _run(install, log, env=env)
    found = _mariadb_binaries()
    if len(found) != 3:
        pytest.fail(f"mariadb-server installed but binaries missing: {found}")
    return found


def _ensure_server_venv() -> Path:
    """Create the RefStack server venv once (lock + marker; other tests may share it)."""
    INTEROP_HOME.mkdir(parents=True, exist_ok=True)
    spec = " ".join(SERVER_PACKAGES)
    python = SERVER_VENV / "bin" / "python"
    with open(INTEROP_HOME / "refstack-server-venv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (SERVER_VENV_MARKER.is_file() and SERVER_VENV_MARKER.read_text().strip() == spec
                and python.exists()):
            return SERVER_VENV
        log = INTEROP_HOME / "refstack-server-venv-install.log"
        _log(f"creating {SERVER_VENV} ({spec}); log {log}")
        if not python.exists():
            base = getattr(sys, "_base_executable", None) or sys.executable
            _run([base, "-m", "venv", str(SERVER_VENV)], log)
        pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        _run(pip + ["-U", "pip", "setuptools", "wheel"], log)
        _run(pip + SERVER_PACKAGES, log)
        _run([str(python), "-c", "import refstack.api.app, pymysql, jwt"], log)
        SERVER_VENV_MARKER.write_text(spec + "\n")
    return SERVER_VENV


def _http_json(url: str, token: str | None = None) -> tuple[int, Any]:
    req = urllib.request.Request(url, headers={"Accept": "application/json"})
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def _wait_http(url: str, proc: subprocess.Popen[bytes], name: str, log: Path,
               timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}; log {log}:\n"
                               + log.read_text(errors="replace")[-3000:])
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{name} did not answer {url} within {timeout}s; log {log}")


def _write_key(path: Path, key: Any, fmt: str, passphrase: str | None = None) -> Path:
    formats = {
        "pkcs1": serialization.PrivateFormat.TraditionalOpenSSL,
        "pkcs8": serialization.PrivateFormat.PKCS8,
        "openssh": serialization.PrivateFormat.OpenSSH,
    }
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode()) if passphrase
        else serialization.NoEncryption())
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, formats[fmt], encryption))
    path.chmod(0o600)
    pub = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                        serialization.PublicFormat.OpenSSH)
    Path(f"{path}.pub").write_bytes(pub + f" {path.name}@interop-test\n".encode())
    return path


# --------------------------------------------------------------------------------------------
# fixtures: MariaDB, RefStack API, keys
# --------------------------------------------------------------------------------------------


class MariaDB:
    def __init__(self, client: str, socket_path: Path, port: int) -> None:
        self.client = client
        self.socket = socket_path
        self.port = port

    def sql(self, statement: str) -> str:
        out = subprocess.run(
            [self.client, "--no-defaults", f"--socket={self.socket}", "-u", "root", "-N", "-B",
             "-e", statement], capture_output=True, text=True, timeout=60, check=False)
        if out.returncode != 0:
            raise RuntimeError(f"SQL failed: {statement}: {out.stderr}")
        return out.stdout.strip()

    def count_results(self) -> int:
        return int(self.sql("SELECT COUNT(*) FROM refstack.test"))


class RefStackServer:
    def __init__(self, url: str, config: Path, venv: Path, db: MariaDB, workdir: Path) -> None:
        self.url = url
        self.config = config
        self.venv = venv
        self.db = db
        self.workdir = workdir

    def register(self, pubkey_file: Path, openid: str = OPENID) -> None:
        _run([str(self.venv / "bin" / "python"), str(HERE / "refstack_server_register_key.py"),
              str(self.config), openid, str(pubkey_file)], self.workdir / "register.log")


@pytest.fixture(scope="module")
def timing() -> Iterator[None]:
    start = time.monotonic()
    yield
    _log(f"module total {time.monotonic() - start:.1f}s")


@pytest.fixture(scope="module")
def ports() -> set[int]:
    return set()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("refstack")


@pytest.fixture(scope="module")
def mariadb(workdir: Path, ports: set[int], timing: None) -> Iterator[MariaDB]:
    log = workdir / "mariadb-setup.log"
    bins = _ensure_mariadb(log)
    datadir = workdir / "mysql"
    sock = workdir / "mysql.sock"
    port = _free_port(ports)
    _run([bins["mariadb-install-db"], "--no-defaults", "--user=root", f"--datadir={datadir}",
          "--auth-root-authentication-method=socket", "--skip-test-db",
          "--innodb-log-file-size=8M", "--innodb-buffer-pool-size=32M"], log)
    errlog = workdir / "mariadb.err"
    proc = subprocess.Popen(
        [bins["mariadbd"], "--no-defaults", "--user=root", f"--datadir={datadir}",
         f"--socket={sock}", f"--port={port}", "--bind-address=127.0.0.1",
         f"--pid-file={workdir / 'mariadb.pid'}", f"--log-error={errlog}",
         "--innodb-log-file-size=8M", "--innodb-buffer-pool-size=32M", "--skip-name-resolve"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        db = MariaDB(bins["mariadb"], sock, port)
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"mariadbd exited {proc.returncode}: "
                                   + errlog.read_text(errors="replace")[-2000:])
            try:
                db.sql("SELECT 1")
                break
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        db.sql("CREATE DATABASE refstack CHARACTER SET utf8; "
               "CREATE USER 'refstack'@'127.0.0.1' IDENTIFIED BY 'refstack-test-pw'; "
               "GRANT ALL ON refstack.* TO 'refstack'@'127.0.0.1';")
        _log(f"mariadb pid {proc.pid} on 127.0.0.1:{port}")
        yield db
    finally:
        _stop(proc, "mariadbd", timeout=60)


def _write_config(path: Path, port: int, db: MariaDB, workdir: Path, closed_port: int) -> None:
    url = f"http://127.0.0.1:{port}"
    # Guideline URLs point at a closed local port: nothing here may reach the internet.
    nowhere = f"http://127.0.0.1:{closed_port}/api/v1/repos/openinfra/interop"
    path.write_text(
        "[DEFAULT]\n"
        f"ui_url = {url}\n"
        "debug = false\n"
        f"log_file = {workdir / 'refstack-api.log'}\n"
        "\n[api]\n"
        f"api_url = {url}\n"
        "app_dev_mode = true\n"
        "enable_anonymous_upload = true\n"
        f"opendev_api_capabilities_url = {nowhere}/contents/guidelines\n"
        f"additional_capability_urls = {nowhere}/contents/add-ons/guidelines\n"
        f"opendev_raw_base_url = {nowhere}/raw/\n"
        "\n[database]\n"
        f"connection = mysql+pymysql://refstack:refstack-test-pw@127.0.0.1:{db.port}/refstack\n")


def _start_gunicorn(venv: Path, config: Path, port: int, workdir: Path,
                    name: str) -> subprocess.Popen[bytes]:
    log = workdir / f"{name}.log"
    env = dict(os.environ, REFSTACK_OSLO_CONFIG=str(config))
    env.pop("PYTHONPATH", None)
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [str(venv / "bin" / "gunicorn"), "-b", f"127.0.0.1:{port}", "-w", "2",
             "--chdir", str(HERE), "--timeout", "60", "refstack_server_wsgi:application"],
            stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        _wait_http(f"http://127.0.0.1:{port}/v1/results", proc, name, log)
    except BaseException:
        _stop(proc, name)
        raise
    _log(f"{name} pid {proc.pid} on 127.0.0.1:{port}")
    return proc


@pytest.fixture(scope="module")
def refstack(mariadb: MariaDB, workdir: Path, ports: set[int]) -> Iterator[RefStackServer]:
    venv = _ensure_server_venv()
    port = _free_port(ports)
    config = workdir / "refstack.conf"
    _write_config(config, port, mariadb, workdir, _free_port(ports))
    _run([str(venv / "bin" / "refstack-manage"), "--config-file", str(config), "upgrade",
          "--revision", "head"], workdir / "refstack-manage.log")
    proc = _start_gunicorn(venv, config, port, workdir, "refstack-api")
    try:
        yield RefStackServer(f"http://127.0.0.1:{port}", config, venv, mariadb, workdir)
    finally:
        _stop(proc, "refstack-api gunicorn")


@pytest.fixture(scope="module")
def keys(refstack: RefStackServer, workdir: Path) -> dict[str, Path]:
    kdir = workdir / "keys"
    kdir.mkdir()
    made = {
        # registered, PEM PKCS#1, passphrase-protected
        "pkcs1": _write_key(kdir / "vendor_pkcs1", rsa.generate_private_key(65537, 2048),
                            "pkcs1", PASSPHRASE),
        # registered, OpenSSH format (ssh-keygen's default), used through the playbook
        "openssh": _write_key(kdir / "vendor_openssh", rsa.generate_private_key(65537, 2048),
                              "openssh"),
        # never registered
        "stranger": _write_key(kdir / "stranger_pkcs8", rsa.generate_private_key(65537, 2048),
                               "pkcs8"),
    }
    refstack.register(Path(f"{made['pkcs1']}.pub"))
    refstack.register(Path(f"{made['openssh']}.pub"))
    return made


def _copy_run(target: Path, run: str = "pass", duration: int | None = None) -> Path:
    """A copy of a recorded result directory; ``duration`` makes it another document (the
    summary is changed with it, so it still describes the document)."""
    shutil.copytree(RUNS / run, target, dirs_exist_ok=True)
    if duration is not None:
        for name in ("refstack-result.json", "summary.json"):
            data = json.loads((target / name).read_text())
            data["duration_seconds"] = duration
            (target / name).write_text(json.dumps(data, indent=2))
    return target


@pytest.fixture()
def result_dir(tmp_path: Path) -> Path:
    return _copy_run(tmp_path / "results" / "object")


def _names(result: Path) -> list[str]:
    return sorted(r["name"] for r in json.loads((result / "refstack-result.json").read_text())[
        "results"])


def _owner_token(key_file: Path, passphrase: str | None = None) -> str:
    return ru.make_jwt(ru.load_private_key(str(key_file), passphrase), OPENID)


def _fast(retries: int = 2) -> ru.HttpOptions:
    return ru.HttpOptions(timeout=20, retries=retries, retry_delay=0.2)


# --------------------------------------------------------------------------------------------
# tests
# --------------------------------------------------------------------------------------------


def test_signed_upload_reads_back(refstack: RefStackServer, keys: dict[str, Path],
                                  result_dir: Path) -> None:
    before = refstack.db.count_results()
    out = ru.upload(ru.UploadRequest(result=str(result_dir), server=refstack.url,
                                     private_key=str(keys["pkcs1"]),
                                     private_key_passphrase=PASSPHRASE, http=_fast()))
    assert out["changed"] is True and out["signed"] is True
    assert re.fullmatch(r"[0-9a-f-]{36}", out["test_id"])
    assert out["url"] == f"{refstack.url}/#/results/{out['test_id']}"
    assert refstack.db.count_results() == before + 1

    token = _owner_token(keys["pkcs1"], PASSPHRASE)
    status, stored = _http_json(f"{refstack.url}/v1/results/{out['test_id']}", token)
    assert status == 200, stored
    doc = json.loads((result_dir / "refstack-result.json").read_text())
    assert sorted(stored["results"]) == _names(result_dir)
    assert stored["cpid"] == doc["cpid"]
    assert stored["duration_seconds"] == doc["duration_seconds"] == 301
    assert stored["meta"]["user"] == OPENID
    # signed results are private: without the owner's token the server refuses
    status = _http_json(f"{refstack.url}/v1/results/{out['test_id']}")[0]
    assert status in (401, 403)

    receipt = json.loads((result_dir / "upload-receipt.json").read_text())
    [entry] = receipt["uploads"]
    assert entry["server"] == refstack.url
    assert entry["test_id"] == out["test_id"] and entry["url"] == out["url"]
    assert entry["sha256"] == ru.body_digest(ru.request_body(doc))

    owned = ru.list_results(refstack.url, ru.load_private_key(str(keys["pkcs1"]), PASSPHRASE),
                            OPENID, options=_fast())
    assert out["test_id"] in [r["id"] for r in owned]


def test_second_upload_makes_no_post(refstack: RefStackServer, keys: dict[str, Path],
                                     result_dir: Path) -> None:
    req = ru.UploadRequest(result=str(result_dir / "refstack-result.json"), server=refstack.url,
                           private_key=str(keys["pkcs1"]), private_key_passphrase=PASSPHRASE,
                           http=_fast())
    first = ru.upload(req)
    count = refstack.db.count_results()
    again = ru.upload(req)
    assert again["changed"] is False and again["test_id"] == first["test_id"]
    assert refstack.db.count_results() == count
    # A trailing slash or /v1 names the same server: still no POST.
    req.server = refstack.url + "/v1/"
    assert ru.upload(req)["changed"] is False
    assert refstack.db.count_results() == count
    # A changed result is a new upload (a new run into the same directory: its summary
    # changes with it, the receipt stays).
    _copy_run(result_dir, duration=302)
    third = ru.upload(req)
    assert third["changed"] is True and third["test_id"] != first["test_id"]
    assert refstack.db.count_results() == count + 1
    assert len(json.loads((result_dir / "upload-receipt.json").read_text())["uploads"]) == 2


def test_another_key_does_not_upload_the_same_document_again(
        refstack: RefStackServer, keys: dict[str, Path], result_dir: Path) -> None:
    first = ru.upload(ru.UploadRequest(result=str(result_dir), server=refstack.url,
                                       private_key=str(keys["pkcs1"]),
                                       private_key_passphrase=PASSPHRASE, http=_fast()))
    count = refstack.db.count_results()
    second = ru.upload(ru.UploadRequest(result=str(result_dir), server=refstack.url + "/",
                                        private_key=str(keys["openssh"]), http=_fast()))
    assert second["changed"] is False and second["test_id"] == first["test_id"]
    assert f"signed with {first['public_key_fingerprint']}" in second["msg"]
    # ... and back to the first key: still the one upload
    again = ru.upload(ru.UploadRequest(result=str(result_dir), server=refstack.url,
                                       private_key=str(keys["pkcs1"]),
                                       private_key_passphrase=PASSPHRASE, http=_fast()))
    assert again["changed"] is False and refstack.db.count_results() == count
    assert len(json.loads((result_dir / "upload-receipt.json").read_text())["uploads"]) == 1
    # the second key's owner has nothing on the server; the first key's owner has the result
    owned = ru.list_results(refstack.url, ru.load_private_key(str(keys["pkcs1"]), PASSPHRASE),
                            OPENID, options=_fast())
    assert [r["id"] for r in owned].count(first["test_id"]) == 1


def test_unregistered_key_gets_clear_401(refstack: RefStackServer, keys: dict[str, Path],
                                         result_dir: Path) -> None:
    count = refstack.db.count_results()
    with pytest.raises(ru.ServerError) as err:
        ru.upload(ru.UploadRequest(result=str(result_dir), server=refstack.url,
                                   private_key=str(keys["stranger"]), http=_fast()))
    msg = str(err.value)
    assert err.value.status == 401 and err.value.attempts == 1
    assert "is not registered with this RefStack server" in msg
    assert "/v1/profile/pubkeys" in msg and "profile page" in msg
    assert "User with specified key not found" in msg  # the server's own words
    assert not (result_dir / "upload-receipt.json").exists()
    assert refstack.db.count_results() == count


def test_tampered_body_gets_server_400(refstack: RefStackServer, keys: dict[str, Path]) -> None:
    key = ru.load_private_key(str(keys["pkcs1"]), PASSPHRASE)
    doc = json.loads((RUNS / "pass" / "refstack-result.json").read_text())
    body = ru.request_body(doc)
    tampered = body.replace(b'"duration_seconds": 301', b'"duration_seconds": 302')
    assert tampered != body
    headers = {"Content-Type": "application/json", "X-Signature": ru.sign_body(key, body),
               "X-Public-Key": ru.public_key_header(key)}
    count = refstack.db.count_results()
    with pytest.raises(ru.ServerError) as err:
        ru.post_result(refstack.url, tampered, headers, _fast())
    assert err.value.status == 400 and err.value.attempts == 1
    assert "Signature verification failed" in str(err.value)
    assert refstack.db.count_results() == count


def test_stopped_server_retries_then_fails(refstack: RefStackServer, keys: dict[str, Path],
                                           result_dir: Path, ports: set[int]) -> None:
    # A second API process on the same database, really started and then stopped.
    port = _free_port(ports)
    proc = _start_gunicorn(refstack.venv, refstack.config, port, refstack.workdir,
                           "refstack-api-stopped")
    try:
        url = f"http://127.0.0.1:{port}"
        assert _http_json(f"{url}/v1/results")[0] == 200
    finally:
        _stop(proc, "refstack-api-stopped gunicorn")
    original = (result_dir / "refstack-result.json").read_bytes()
    retries: list[str] = []
    with pytest.raises(ru.ServerError) as err:
        ru.upload(ru.UploadRequest(result=str(result_dir), server=url,
                                   private_key=str(keys["pkcs1"]),
                                   private_key_passphrase=PASSPHRASE, http=_fast(retries=2)),
                  log=retries.append)
    msg = str(err.value)
    assert err.value.attempts == 3 and len(retries) == 2
    assert "upload failed after 3 attempt(s)" in msg and "cannot connect" in msg
    assert "unchanged on disk" in msg and str(result_dir / "refstack-result.json") in msg
    assert (result_dir / "refstack-result.json").read_bytes() == original
    assert not (result_dir / "upload-receipt.json").exists()


def test_anonymous_upload(refstack: RefStackServer, result_dir: Path) -> None:
    with pytest.raises(ru.RefStackUploadError, match="allow_anonymous"):
        ru.upload(ru.UploadRequest(result=str(result_dir), server=refstack.url, http=_fast()))
    out = ru.upload(ru.UploadRequest(result=str(result_dir), server=refstack.url,
                                     allow_anonymous=True, http=_fast()))
    assert out["changed"] is True and out["signed"] is False
    status, stored = _http_json(f"{refstack.url}/v1/results/{out['test_id']}")
    assert status == 200
    assert sorted(stored["results"]) == _names(result_dir)


def _playbook(refstack: RefStackServer, extra: dict[str, Any], *flags: str,
              cwd: Path | None = None, path: str | None = None
              ) -> tuple[subprocess.CompletedProcess[str], dict[str, int]]:
    """Run the documented command ``ansible-playbook -i localhost, -c local
    openinfra.interop.upload`` (no interpreter given: the playbook picks it) from ``cwd``."""
    bindir = Path(sys.executable).parent
    playbook_bin = bindir / "ansible-playbook"
    cmd = [str(playbook_bin) if playbook_bin.exists() else "ansible-playbook",
           "-i", "localhost,", "-c", "local", "openinfra.interop.upload",
           "-e", json.dumps(extra), *flags]
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_NOCOLOR="1",
               ANSIBLE_FORCE_COLOR="0", ANSIBLE_STDOUT_CALLBACK="default",
               ANSIBLE_LOCAL_TEMP=str(refstack.workdir / "ansible-tmp"))
    if path is not None:
        env["PATH"] = path
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300,
                          check=False, cwd=cwd)
    runs = len(list(refstack.workdir.glob("playbook-*.log")))
    (refstack.workdir / f"playbook-{runs + 1}.log").write_text(
        f"$ {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}")
    recap = re.search(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+"
                      r"failed=(\d+)", proc.stdout)
    counts = ({"ok": int(recap[1]), "changed": int(recap[2]), "failed": int(recap[4])}
              if recap else {})
    return proc, counts


def test_playbook_upload(refstack: RefStackServer, keys: dict[str, Path],
                         tmp_path: Path) -> None:
    results = tmp_path / "results"
    for program in ("object", "platform"):
        _copy_run(results / program, duration=400 + len(program))  # two different documents
    extra = {"refstack_upload_results_dir": str(results),
             "refstack_upload_server": refstack.url,
             "refstack_upload_private_key": str(keys["openssh"]),
             "refstack_upload_retries": 1, "refstack_upload_retry_delay": 0.5}
    count = refstack.db.count_results()

    proc, recap = _playbook(refstack, extra, "--check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert recap["changed"] == 1 and recap["failed"] == 0
    assert refstack.db.count_results() == count
    assert not list(results.glob("*/upload-receipt.json"))

    proc, recap = _playbook(refstack, extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert recap["changed"] == 1 and recap["failed"] == 0
    assert refstack.db.count_results() == count + 2
    token = _owner_token(keys["openssh"])
    for program in ("object", "platform"):
        [entry] = json.loads((results / program / "upload-receipt.json").read_text())["uploads"]
        assert entry["signed"] is True and entry["server"] == refstack.url
        status, stored = _http_json(f"{refstack.url}/v1/results/{entry['test_id']}", token)
        assert status == 200 and sorted(stored["results"]) == _names(results / program)

    proc, recap = _playbook(refstack, extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert recap["changed"] == 0 and recap["failed"] == 0
    assert refstack.db.count_results() == count + 2

    # One program only, with an unregistered key (forced: the document is on the server
    # already): the clear 401 reaches the user.
    proc, recap = _playbook(refstack, dict(extra, refstack_upload_programs=["object"],
                                           refstack_upload_private_key=str(keys["stranger"]),
                                           refstack_upload_force=True))
    assert proc.returncode != 0 and recap["failed"] == 1
    assert "is not registered with this RefStack server" in proc.stdout
    assert refstack.db.count_results() == count + 2


def test_playbook_refuses_partial_and_failed_then_allows_with_a_warning(
        refstack: RefStackServer, keys: dict[str, Path], tmp_path: Path) -> None:
    results = tmp_path / "results"
    for program, run in (("object", "fail"), ("dns", "partial"), ("platform", "fail-partial")):
        _copy_run(results / program, run)
    extra = {"refstack_upload_results_dir": str(results), "refstack_upload_server": refstack.url,
             "refstack_upload_private_key": str(keys["openssh"]), "refstack_upload_retries": 0}
    count = refstack.db.count_results()

    proc, recap = _playbook(refstack, extra)
    out = " ".join(proc.stdout.split())
    assert proc.returncode != 0 and recap["failed"] == 1, proc.stdout + proc.stderr
    prefix = "refusing to upload {}/refstack-result.json: "
    for program, why, options in (
            ("object", "its verdict is FAIL (1 of 2 required tests passed).",
             "set refstack_upload_allow_failed=true to upload it anyway"),
            ("dns", "it is a partial result (the run was interrupted before every test had a "
                    "result).", "set refstack_upload_allow_partial=true to upload it anyway"),
            ("platform", "its verdict is FAIL (1 of 2 required tests passed); it is a partial",
             "set refstack_upload_allow_failed=true and refstack_upload_allow_partial=true")):
        assert prefix.format(results / program) + why in out, out
        assert options in out
    assert refstack.db.count_results() == count
    assert not list(results.glob("*/upload-receipt.json"))

    proc, recap = _playbook(refstack, dict(extra, refstack_upload_allow_failed=True,
                                           refstack_upload_allow_partial="true"))
    out = " ".join((proc.stdout + proc.stderr).split())
    assert proc.returncode == 0 and recap["changed"] == 1, proc.stdout + proc.stderr
    assert refstack.db.count_results() == count + 3
    for program, why in (
            ("object", "its verdict is FAIL (1 of 2 required tests passed) "
                       "(refstack_upload_allow_failed=true)"),
            ("dns", "it is a partial result (the run was interrupted before every test had a "
                    "result) (refstack_upload_allow_partial=true)"),
            ("platform", "its verdict is FAIL (1 of 2 required tests passed) "
                         "(refstack_upload_allow_failed=true)")):
        assert f"[WARNING]: uploading {results / program}/refstack-result.json although {why}" \
            in out, out
    token = _owner_token(keys["openssh"])
    [entry] = json.loads((results / "dns" / "upload-receipt.json").read_text())["uploads"]
    status, stored = _http_json(f"{refstack.url}/v1/results/{entry['test_id']}", token)
    assert status == 200 and sorted(stored["results"]) == _names(results / "dns")


def test_playbook_from_another_directory_with_relative_paths(
        refstack: RefStackServer, keys: dict[str, Path], tmp_path: Path) -> None:
    operator = tmp_path / "operator"
    _copy_run(operator / "interop" / "results" / "object", duration=501)
    (operator / "keys").mkdir()
    shutil.copy(keys["openssh"], operator / "keys" / "vendor")
    extra = {"refstack_upload_results_dir": "interop/results",
             "refstack_upload_private_key": "keys/vendor", "refstack_upload_server": refstack.url,
             "refstack_upload_retries": 0}
    count = refstack.db.count_results()
    proc, recap = _playbook(refstack, extra, cwd=operator)
    assert proc.returncode == 0 and recap["changed"] == 1, proc.stdout + proc.stderr
    assert refstack.db.count_results() == count + 1
    receipt = operator / "interop" / "results" / "object" / "upload-receipt.json"
    [entry] = json.loads(receipt.read_text())["uploads"]
    assert entry["public_key_fingerprint"] == ru.public_key_fingerprint(
        ru.public_key_header(ru.load_private_key(str(keys["openssh"]))))
    # a key that is not there is looked for in the current directory, and said so
    proc, recap = _playbook(refstack, dict(extra, refstack_upload_private_key="keys/missing",
                                           refstack_upload_force=True), cwd=operator)
    assert proc.returncode != 0 and recap["failed"] == 1
    assert (f"refstack_upload_private_key: keys/missing does not exist (a relative path is "
            f"taken from the current directory {operator}: there is no {operator}/keys/missing)"
            in " ".join(proc.stdout.split()))
    assert refstack.db.count_results() == count + 1


def _bare_path(tmp_path: Path) -> str:
    """A PATH whose python3 is the system's, without Ansible or cryptography, and whose first
    versioned python3 is a pyenv-style shim of a Python that is not installed: the one
    interpreter discovery would pick."""
    bare = tmp_path / "bin"
    bare.mkdir()
    os.symlink("/usr/bin/python3", bare / "python3")
    shim = bare / "python3.13"
    shim.write_text("#!/bin/sh\necho 'pyenv: python3.13: command not found' >&2\nexit 127\n")
    shim.chmod(0o755)
    check = subprocess.run([str(bare / "python3"), "-c", "import ansible"], capture_output=True,
                           check=False)
    assert check.returncode != 0  # really bare
    return f"{bare}:/usr/bin:/bin"


def test_playbook_with_a_bare_python3_on_path(refstack: RefStackServer, keys: dict[str, Path],
                                              tmp_path: Path) -> None:
    path = _bare_path(tmp_path)
    _copy_run(tmp_path / "results" / "object", duration=601)
    extra = {"refstack_upload_results_dir": str(tmp_path / "results"),
             "refstack_upload_private_key": str(keys["openssh"]),
             "refstack_upload_server": refstack.url, "refstack_upload_retries": 0}
    count = refstack.db.count_results()
    proc, recap = _playbook(refstack, extra, path=path)
    assert proc.returncode == 0 and recap["changed"] == 1, proc.stdout + proc.stderr
    assert "discovered Python interpreter" not in proc.stdout + proc.stderr
    assert refstack.db.count_results() == count + 1


def test_certify_on_the_controller_uses_the_python_running_ansible(tmp_path: Path) -> None:
    """certify.yml on an explicit localhost gathers facts with ansible_playbook_python, not
    the broken python3.13 first on PATH. The input check runs on the controller before facts,
    so the run starts at the fact gathering (and stops right after it: nothing was checked).
    Facts are gathered for a play of several hosts only, hence two local hosts."""
    bindir = Path(sys.executable).parent
    inventory = tmp_path / "hosts"
    inventory.write_text("runner-a ansible_connection=local\nrunner-b ansible_connection=local\n")
    cmd = [str(bindir / "ansible-playbook"), "-i", str(inventory), "-e", "certify_hosts=all",
           "--start-at-task", "Gather facts (several hosts)", "openinfra.interop.certify"]
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_NOCOLOR="1",
               ANSIBLE_STDOUT_CALLBACK="default", ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"),
               PATH=_bare_path(tmp_path))
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120,
                          check=False, cwd=tmp_path)
    facts = re.search(r"TASK \[Gather facts \(several hosts\)\] \**\n((?:\S+: \[\S+\]\n)+)", proc.stdout)
    assert facts, proc.stdout + proc.stderr
    assert sorted(facts[1].splitlines()) == ["ok: [runner-a]", "ok: [runner-b]"], proc.stdout + proc.stderr
    assert "discovered_interpreter_python" not in proc.stdout
