"""Every bad input ends with one clear error, before anything changes (issue 19).

The cases are data (:data:`CASES`): each runs the real ansible-playbook (certify.yml,
upload.yml, or one task of a module) and must end with exactly one failed task whose message
names the variable and the bad value, no traceback, within 10 s, with an earlier results
directory unchanged and no workspace created. The runs go two at a time.

With OII_BAD_INPUTS_CLOUDS_YAML set (tests/e2e/object.d/20_bad_inputs.sh, a running sandbox),
the cases that need a cloud run too: wrong password, user domain and project; they must also
create no user or project in the cloud.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CLOUD_CLOUDS_YAML = os.environ.get("OII_BAD_INPUTS_CLOUDS_YAML", "")
NO_CLOUD_SECONDS = 10
GOOD_AUTH = {"auth_url": "http://127.0.0.1:9/v3", "username": "admin", "password": "pw-s3cr3t",
             "project_name": "admin", "user_domain_name": "Default", "project_domain_name": "Default"}


@dataclass
class Case:
    """One bad input. ``extra`` are -e variables ({d} is the case's scratch directory)."""

    id: str
    expect: tuple[str, ...]
    extra: dict[str, Any] = field(default_factory=dict)
    playbook: str = "certify"  # certify | upload | results (one refstack_results task)
    env: dict[str, str] = field(default_factory=dict)
    cloud: bool = False  # needs the running sandbox


def _entry(**changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"auth": dict(GOOD_AUTH), "identity_api_version": 3}
    entry.update(changes)
    return entry


CASES: list[Case] = [
    # ---- programs and guidelines
    Case("program-unknown", ("program=", "'Foo'", "platform, compute, object"), {"program": "Foo"}),
    Case("program-empty", ("program=''", "names no program"), {"program": ""}),
    Case("program-only-commas", ("program=", "names no program"), {"program": " , ,"}),
    Case("program-one-bad-in-list", ("program=", "'bogus'", "offers"), {"program": "object,bogus"}),
    Case("program-not-a-name", ("program=", "'obj ect'"), {"program": "obj ect"}),
    Case("program-number-in-list", ("program=", "1"), {"program": ["object", 1]}),
    Case("program-mapping", ("program=", "must be a program name"), {"program": {"a": 1}}),
    Case("program-addon-not-in-guideline", ("program=", "'dns'", "2015.03"),
         {"program": "dns", "guideline": "2015.03"}),
    Case("guideline-unknown-version", ("guideline='2019.13'", "bundled: 2015.03"), {"guideline": "2019.13"}),
    Case("guideline-unquoted-number", ("guideline=2020.1", "quote version names"), {"guideline": 2020.1}),
    Case("guideline-missing-file", ("guideline=", "{d}/none.json", "not found"), {"guideline": "{d}/none.json"}),
    Case("guideline-bad-scheme", ("guideline='ftp://example.com/g.json'", "scheme"),
         {"guideline": "ftp://example.com/g.json"}),
    Case("guideline-not-json", ("guideline=", "{d}/broken.json"), {"guideline": "{d}/broken.json"}),
    Case("guideline-not-a-guideline", ("guideline=", "{d}/empty.json"), {"guideline": "{d}/empty.json"}),
    Case("guideline-a-directory", ("guideline=", "not a regular file"), {"guideline": "{d}/adir/"}),
    # ---- test types
    Case("test-types-unknown", ("test_types=", "'bogus'", "required, advisory"),
         {"test_types": ["required", "bogus"]}),
    Case("test-types-empty", ("test_types=[]", "names no status"), {"test_types": []}),
    Case("test-types-typo-string", ("test_types='requird'", "'requird'"), {"test_types": "requird"}),
    Case("test-types-number", ("test_types=5", "must be a list"), {"test_types": 5}),
    # ---- results directories
    Case("results-dir-is-a-file", ("results_dir=", "{d}/afile", "is a file"), {"results_dir": "{d}/afile"}),
    Case("results-dir-below-a-file", ("results_dir=", "cannot be created", "{d}/afile"),
         {"results_dir": "{d}/afile/sub"}),
    Case("results-dir-not-writable", ("results_dir=", "/proc/1/results", "not writable"),
         {"results_dir": "/proc/1/results"}),
    Case("results-dir-not-a-path", ("results_dir=", "must be a path"), {"results_dir": ["a"]}),
    # ---- clouds.yaml and the cloud entry
    Case("cloud-missing", ("cloud=''", "name the cloud to certify"), {"cloud": ""}),
    Case("cloud-not-in-file", ("cloud='nope'", "{d}/clouds.yaml", "authstr, badurl, cert, good"), {"cloud": "nope"}),
    Case("cloud-and-auth", ("cloud='good'", "both given"), {"auth": GOOD_AUTH}),
    Case("clouds-yaml-malformed", ("clouds_yaml=", "{d}/malformed.yaml", "not valid YAML"),
         env={"OS_CLIENT_CONFIG_FILE": "{d}/malformed.yaml"}),
    Case("clouds-yaml-a-list", ("clouds_yaml=", "{d}/list.yaml", "mapping"), {"clouds_yaml": "{d}/list.yaml"}),
    Case("clouds-yaml-clouds-a-list", ("clouds_yaml=", "{d}/clouds-list.yaml", "'clouds'"),
         {"clouds_yaml": "{d}/clouds-list.yaml"}),
    Case("clouds-yaml-missing", ("clouds_yaml=", "{d}/none.yaml", "does not exist"),
         {"clouds_yaml": "{d}/none.yaml"}),
    Case("clouds-yaml-env-missing", ("OS_CLIENT_CONFIG_FILE=", "{d}/gone.yaml", "does not exist"),
         env={"OS_CLIENT_CONFIG_FILE": "{d}/gone.yaml"}),
    Case("clouds-yaml-a-directory", ("clouds_yaml=", "not a regular file"), {"clouds_yaml": "{d}/adir"}),
    Case("cloud-entry-not-mapping", ("cloud='scalar'", "not a mapping"), {"cloud": "scalar"}),
    Case("cloud-entry-auth-string", ("cloud='authstr'", "'auth'"), {"cloud": "authstr"}),
    Case("cloud-entry-auth-url-bad", ("auth_url", "'keystone:5000'", "http(s) URL"), {"cloud": "badurl"}),
    Case("cloud-entry-cacert-missing", ("clouds.tls.cacert", "{d}/no-ca.pem", "does not exist"), {"cloud": "tls"}),
    Case("cloud-entry-cert-missing", ("clouds.cert.cert", "{d}/no-cert.pem"), {"cloud": "cert"}),
    Case("cloud-entry-key-missing", ("clouds.key.key", "{d}/no-key.pem"), {"cloud": "key"}),
    Case("ca-cert-variable-missing", ("ca_cert=", "{d}/no-ca.pem", "does not exist"), {"ca_cert": "{d}/no-ca.pem"}),
    Case("client-key-missing", ("client_key=", "{d}/no-key.pem", "does not exist"), {"client_key": "{d}/no-key.pem"}),
    Case("accounts-file-missing", ("accounts_file=", "{d}/no-accounts.yaml", "does not exist"),
         {"mode": "non_admin", "accounts_file": "{d}/no-accounts.yaml"}),
    Case("known-failures-missing", ("known_failures is", "{d}/no-known.yml", "cannot read it"),
         {"known_failures": "{d}/no-known.yml"}),
    Case("known-failures-bad-bug", ("known_failures ({d}/known-bad.yml) entry 1", "bug 'LP#1'", "http(s) URL"),
         {"known_failures": "{d}/known-bad.yml"}),
    Case("mode-unknown", ("mode=", "nonadmin", "admin, non_admin, non-admin"), {"mode": "nonadmin"}),
    Case("interface-unknown", ("interface=", "privat", "public, internal, admin"), {"interface": "privat"}),
    # ---- explicit credentials (never echoed)
    Case("auth-no-password", ("auth=", "lacks password"), {"cloud": "", "auth": {k: v for k, v in GOOD_AUTH.items() if k != "password"}}),
    Case("auth-unknown-option", ("auth=", "unknown option(s) pasword"),
         {"cloud": "", "auth": dict(GOOD_AUTH, pasword="x")}),
    Case("auth-a-string", ("auth=", "not a mapping"), {"cloud": "", "auth": "admin:secret"}),
    Case("auth-url-bad", ("auth.auth_url='keystone'", "http(s) URL"), {"cloud": "", "auth": dict(GOOD_AUTH, auth_url="keystone")}),
    Case("auth-password-a-number", ("auth.password=", "quote it"), {"cloud": "", "auth": dict(GOOD_AUTH, password=1234)}),
    # ---- upload from certify.yml
    Case("upload-without-key", ("refstack_key=", "needs a key"), {"upload": True}),
    Case("upload-key-missing", ("refstack_key=", "{d}/no-key.pem", "does not exist"),
         {"upload": True, "refstack_key": "{d}/no-key.pem"}),
    Case("upload-key-garbage", ("refstack_key=", "not a private key"), {"upload": True, "refstack_key": "{d}/afile"}),
    Case("upload-server-not-url", ("refstack_server='ftp://refstack'", "http(s) URL"),
         {"upload": True, "refstack_allow_anonymous": True, "refstack_server": "ftp://refstack"}),
    # ---- upload.yml on an earlier result
    Case("upload-yml-dir-missing", ("refstack_upload_results_dir", "{d}/no-results"),
         {"refstack_upload_results_dir": "{d}/no-results"}, playbook="upload"),
    Case("upload-yml-key-missing", ("refstack_upload_private_key", "{d}/no-key.pem"),
         {"refstack_upload_private_key": "{d}/no-key.pem"}, playbook="upload"),
    Case("upload-yml-server-not-url", ("refstack_upload_server", "not-a-url"),
         {"refstack_upload_server": "not-a-url", "refstack_upload_allow_anonymous": True},
         playbook="upload"),
    # ---- subunit streams collected into an earlier results directory
    Case("subunit-missing", ("{d}/none.subunit",), {"src": "{d}/none.subunit"}, playbook="results"),
    Case("subunit-garbage", ("{d}/garbage.subunit",), {"src": "{d}/garbage.subunit"}, playbook="results"),
    # ---- need the running sandbox: rejected credentials name whom they name
    Case("cloud-wrong-password", ("rejected", "cloud 'wrongpass'"), {"cloud": "wrongpass"}, cloud=True),
    Case("cloud-wrong-user-domain", ("rejected", "user_domain_name 'NoSuchDomain'"), {"cloud": "wrongdomain"}, cloud=True),
    Case("cloud-wrong-project", ("rejected", "project_name 'no-such-project'"), {"cloud": "wrongproject"}, cloud=True),
]


def _fill(value: Any, d: str) -> Any:
    if isinstance(value, str):
        return value.replace("{d}", d)
    if isinstance(value, dict):
        return {k: _fill(v, d) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, d) for v in value]
    return value


def _prior(case: Case, d: Path) -> Path:
    """The earlier results directory a case must leave alone (a copy of its own for a stream
    collected into it, so a failure there cannot hide behind another case)."""
    return d / "runs" / case.id / "prior" if case.playbook == "results" else d / "prior"


def _tree_digest(path: Path) -> dict[str, str]:
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file()}


def _sandbox_entry(name: str, change: dict[str, str]) -> dict[str, Any]:
    data = yaml.safe_load(Path(CLOUD_CLOUDS_YAML).read_text(encoding="utf-8"))
    entry = json.loads(json.dumps(data["clouds"]["sandbox"]))
    entry["auth"].update(change)
    return {name: entry}


def _prepare(d: Path) -> None:
    """The files the cases point at, and an earlier result that no case may change."""
    clouds: dict[str, Any] = {
        "good": _entry(),
        "tls": _entry(cacert=f"{d}/no-ca.pem"),
        "cert": _entry(cert=f"{d}/no-cert.pem"),
        "key": _entry(key=f"{d}/no-key.pem"),
        "scalar": "not an entry",
        "authstr": {"auth": "admin:secret"},
        "badurl": _entry(auth=dict(GOOD_AUTH, auth_url="keystone:5000")),
    }
    if CLOUD_CLOUDS_YAML:
        clouds.update(_sandbox_entry("wrongpass", {"password": "not-the-password"}))
        clouds.update(_sandbox_entry("wrongdomain", {"user_domain_name": "NoSuchDomain"}))
        clouds.update(_sandbox_entry("wrongproject", {"project_name": "no-such-project"}))
    (d / "clouds.yaml").write_text(yaml.safe_dump({"clouds": clouds}), encoding="utf-8")
    (d / "malformed.yaml").write_text("clouds:\n  good:\n    auth: {auth_url: [\n", encoding="utf-8")
    (d / "list.yaml").write_text("- clouds\n", encoding="utf-8")
    (d / "clouds-list.yaml").write_text("clouds: [good]\n", encoding="utf-8")
    (d / "broken.json").write_text("{not json", encoding="utf-8")
    (d / "empty.json").write_text("{}", encoding="utf-8")
    (d / "afile").write_text("just a file\n", encoding="utf-8")
    (d / "known-bad.yml").write_text("- test: x\n  reason: r\n  bug: LP#1\n", encoding="utf-8")
    (d / "adir").mkdir()
    (d / "garbage.subunit").write_bytes(b"\x00garbage, not a subunit v2 stream\n" * 4)
    prior = d / "prior" / "object"
    prior.mkdir(parents=True)
    shutil.copy(ROOT / "tests/unit/fixtures/refstack-result-object-2020.06.json", prior / "refstack-result.json")
    (prior / "summary.json").write_text(json.dumps({"verdict": "PASS", "program": "object"}), encoding="utf-8")
    for case in CASES:
        if case.playbook == "results":
            shutil.copytree(d / "prior", _prior(case, d))
    # a trap: a valid clouds.yaml in the working directory that a fallback would pick up
    (d / "cwd").mkdir()
    (d / "cwd" / "clouds.yaml").write_text(yaml.safe_dump({"clouds": {"good": _entry()}}), encoding="utf-8")


def _certify_variables(case: Case, d: Path) -> tuple[str, dict[str, Any]]:
    extra = _fill(case.extra, str(d))
    scratch = d / "runs" / case.id
    variables: dict[str, Any] = {
        "cloud": "good", "clouds_yaml": f"{d}/clouds.yaml", "program": "object",
        "results_dir": f"{d}/prior", "certify_state_dir": f"{scratch}/state",
        "tempestconf_venv": os.environ.get("OII_BAD_INPUTS_TEMPEST_VENV", f"{scratch}/venv")}
    if "clouds_yaml" in extra or case.env:
        variables.pop("clouds_yaml")
    variables.update(extra)
    return str(ROOT / "playbooks/certify.yml"), variables


def _env(d: Path, collections: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_NOCOLOR="1",
               ANSIBLE_FORCE_COLOR="0", ANSIBLE_RETRY_FILES_ENABLED="0",
               ANSIBLE_LOCAL_TEMP=str(d / "ansible-tmp"), HOME=str(d / "home"))
    env.pop("OS_CLIENT_CONFIG_FILE", None)
    env.pop("OS_CLOUD", None)
    env.update(_fill(extra or {}, str(d)))
    return env


def _command(case: Case, d: Path, collections: str) -> tuple[list[str], dict[str, str]]:
    extra = _fill(case.extra, str(d))
    scratch = d / "runs" / case.id
    if case.playbook == "certify":
        book, variables = _certify_variables(case, d)
    elif case.playbook == "upload":
        variables = {"refstack_upload_results_dir": f"{d}/prior",
                     "refstack_upload_server": "http://127.0.0.1:9/api"}
        variables.update(extra)
        book = str(ROOT / "playbooks/upload.yml")
    else:
        task = {"name": "collect", "openinfra.interop.refstack_results": {
            "src": extra["src"], "program": "object", "guideline": "2020.06", "results_dir": str(_prior(case, d)),
            "cpid": "0123456789abcdef0123456789abcdef"}}
        book = str(scratch / "play.yml")
        scratch.mkdir(parents=True, exist_ok=True)
        Path(book).write_text(json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": [task]}]),
                              encoding="utf-8")
        variables = {}
    variables["ansible_python_interpreter"] = sys.executable
    cmd = [sys.executable, "-m", "ansible.cli.playbook", "-i", "localhost,", "-c", "local",
           "-e", json.dumps(variables), book]
    return cmd, _env(d, collections, case.env)


@dataclass
class Outcome:
    rc: int
    output: str
    seconds: float


def _keystone_counts() -> dict[str, int]:
    """Users and projects in the sandbox (admin of its clouds.yaml), to prove none was created."""
    data = yaml.safe_load(Path(CLOUD_CLOUDS_YAML).read_text(encoding="utf-8"))
    entry = data["clouds"]["sandbox"]
    auth = entry["auth"]
    # a production-like sandbox is served over TLS by its own CA, which the entry names
    context = ssl.create_default_context(cafile=entry.get("cacert") or None)
    url = auth["auth_url"].rstrip("/")
    url = url if url.endswith("/v3") else url + "/v3"
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": auth["username"], "password": auth["password"],
        "domain": {"name": auth.get("user_domain_name", "Default")}}}},
        "scope": {"project": {"name": auth["project_name"],
                              "domain": {"name": auth.get("project_domain_name", "Default")}}}}}
    request = urllib.request.Request(url + "/auth/tokens", json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30, context=context) as response:
        token = response.headers["X-Subject-Token"]
    counts = {}
    for kind in ("users", "projects"):
        with urllib.request.urlopen(urllib.request.Request(url + "/" + kind, headers={"X-Auth-Token": token}),
                                    timeout=30, context=context) as response:
            counts[kind] = len(json.load(response)[kind])
    return counts


SELECTED = [c for c in CASES if c.cloud == bool(CLOUD_CLOUDS_YAML)]
#: certify.yml cases that run the whole playbook (one ansible-playbook each); the other certify
#: cases run the very same check task of certify.yml, all in one play (a playbook start costs
#: seconds on a loaded machine). Cases with their own environment and cloud cases run whole.
FULL_RUNS = {"program-unknown", "guideline-unknown-version", "test-types-unknown",
             "results-dir-is-a-file", "cloud-not-in-file", "clouds-yaml-malformed",
             "clouds-yaml-env-missing", "cloud-and-auth", "auth-no-password", "upload-without-key",
             "ca-cert-variable-missing"}


def _whole(case: Case) -> bool:
    return case.playbook != "certify" or case.cloud or bool(case.env) or case.id in FULL_RUNS


def _certify_check_task() -> dict[str, Any]:
    """The check task of certify.yml, exactly as the playbook has it."""
    play = yaml.safe_load((ROOT / "playbooks/certify.yml").read_text(encoding="utf-8"))[0]
    return next(t for t in play["tasks"] if "openinfra.interop.certify_check" in t)


def _batch(cases: list[Case], d: Path, collections: str) -> dict[str, Outcome]:
    """Run certify.yml's check task once per case in one play; each task's result is the outcome."""
    check = _certify_check_task()
    tasks = []
    for index, case in enumerate(cases):
        variables = _certify_variables(case, d)[1]
        tasks.append({"name": case.id, "openinfra.interop.certify_check": check["openinfra.interop.certify_check"],
                      "vars": variables, "ignore_errors": True, "register": f"case_{index}"})
    out = d / "batch.json"
    collect = "{{ [%s] | to_json }}" % ", ".join(f"case_{i}" for i in range(len(cases)))
    tasks.append({"name": "collect", "ansible.builtin.copy": {"content": collect, "dest": str(out)}})
    book = d / "batch.yml"
    book.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]), encoding="utf-8")
    env = _env(d, collections)
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "ansible.cli.playbook", "-i", "localhost,", "-c", "local",
                           "-e", json.dumps({"ansible_python_interpreter": sys.executable}), str(book)],
                          env=env, cwd=d / "cwd", capture_output=True, text=True, timeout=300, check=False)
    seconds = time.monotonic() - start
    results = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else [{}] * len(cases)
    outcomes = {}
    for case, result in zip(cases, results):
        # one task's result as a run of its own: rc 2 when it failed, its message as the error
        text = json.dumps(result)
        error = f"fatal: [localhost]: FAILED! => {text}" if result.get("failed") else ""
        outcomes[case.id] = Outcome(2 if result.get("failed") else 0,
                                    error + "\n" + ("Traceback" if "Traceback" in str(result.get("exception", "")) else ""),
                                    seconds / len(cases))
    if proc.returncode != 0:
        raise AssertionError(f"the batch play itself failed:\n{proc.stdout}\n{proc.stderr}")
    return outcomes


@pytest.fixture(scope="module")
def runs() -> Iterator[tuple[Path, dict[str, Outcome], dict[str, str], dict[str, int]]]:
    d = Path(tempfile.mkdtemp(prefix="oii-bad-inputs-"))
    top = d / "collections"
    (top / "ansible_collections" / "openinfra").mkdir(parents=True)
    os.symlink(ROOT, top / "ansible_collections" / "openinfra" / "interop")
    (d / "home").mkdir()
    _prepare(d)
    before = _tree_digest(d / "prior")
    counts = _keystone_counts() if CLOUD_CLOUDS_YAML else {}

    def run(case: Case) -> tuple[str, Outcome]:
        cmd, env = _command(case, d, str(top))
        start = time.monotonic()
        proc = subprocess.run(cmd, env=env, cwd=d / "cwd", capture_output=True, text=True,
                              timeout=900, check=False)
        return case.id, Outcome(proc.returncode, proc.stdout + proc.stderr, time.monotonic() - start)

    whole = [c for c in SELECTED if _whole(c)]
    batched = [c for c in SELECTED if not _whole(c)]
    outcomes = _batch(batched, d, str(top)) if batched else {}
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes.update(pool.map(run, whole))
    try:
        yield d, outcomes, before, counts
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_at_least_forty_cases() -> None:
    assert len([c for c in CASES if not c.cloud]) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", SELECTED, ids=[c.id for c in SELECTED])
def test_bad_input(case: Case, runs: tuple[Path, dict[str, Outcome], dict[str, str], dict[str, int]]) -> None:
    d, outcomes, before, counts = runs
    outcome = outcomes[case.id]
    out = outcome.output
    assert outcome.rc != 0, f"the run succeeded:\n{out}"
    # ansible-core 2.19 announces a failed task as "[ERROR]: Task failed: ..." before the
    # "fatal:" line with the same message: one error is one failed task and one message
    errors = [line for line in out.splitlines() if line.startswith(("fatal:", "failed: [", "ERROR!"))]
    assert len(errors) == 1, f"expected exactly one error, got {len(errors)}:\n{out}"
    announced = [line for line in out.splitlines() if line.startswith("[ERROR]")]
    assert len(announced) <= 1, f"the error was shown {len(announced)} times:\n{out}"
    assert "Traceback" not in out, out
    assert "argument_spec" not in out and "tempestconf_programs" not in out, f"an internal spec leaked:\n{out}"
    for text in case.expect:
        assert _fill(text, str(d)) in errors[0], f"{text!r} not in the error:\n{errors[0]}"
    for secret in ("pw-s3cr3t", "not-the-password"):
        assert secret not in out, "a password reached the output"
    if not case.cloud:
        assert outcome.seconds < NO_CLOUD_SECONDS, f"{outcome.seconds:.1f} s"
    assert _tree_digest(_prior(case, d)) == before, "an earlier result was changed"
    if not case.cloud:
        assert not (d / "runs" / case.id / "state").exists(), "a workspace was created"
        assert not (d / "runs" / case.id / "venv").exists(), "Tempest was installed"
    else:
        assert _keystone_counts() == counts, "users or projects were created in the cloud"


def test_password_is_data_not_a_template(tmp_path: Path) -> None:
    """A password with template syntax, quotes, % and $ and an emoji reaches the roles as typed."""
    password = "{{ 7*7 }}{% raw %}'\"%$\U0001F600"
    top = tmp_path / "collections"
    (top / "ansible_collections" / "openinfra").mkdir(parents=True)
    os.symlink(ROOT, top / "ansible_collections" / "openinfra" / "interop")
    (tmp_path / "home").mkdir()
    (tmp_path / "cwd").mkdir()
    out = tmp_path / "auth.json"
    check = _certify_check_task()
    tasks = [dict(check, name="check"),
             # the way certify.yml hands the credentials to the tempestconf role
             {"name": "use", "ansible.builtin.copy": {"content": "{{ _certify_check.auth | to_json }}", "dest": str(out)},
              "vars": {"tempestconf_auth": "{{ _certify_check.auth }}"}}]
    book = tmp_path / "play.yml"
    book.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]), encoding="utf-8")
    auth = dict(GOOD_AUTH, password=password)
    variables = {"auth": auth, "program": "object", "ansible_python_interpreter": sys.executable}
    proc = subprocess.run([sys.executable, "-m", "ansible.cli.playbook", "-i", "localhost,", "-c", "local",
                           "-e", json.dumps(variables), str(book)], env=_env(tmp_path, str(top)),
                          cwd=tmp_path / "cwd", capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["password"] == password
    assert "pw-s3cr3t" not in proc.stdout and password not in proc.stdout
