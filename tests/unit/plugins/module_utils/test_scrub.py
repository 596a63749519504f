# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Secret scrubbing: by known value (and its escaped forms) and by secret-named keys."""

from __future__ import annotations

from pathlib import Path

from ansible_collections.openinfra.interop.plugins.module_utils import subunit_v2
from ansible_collections.openinfra.interop.plugins.module_utils.scrub import (
    MARKER,
    Scrubber,
    find_secrets,
    scrub_text,
    secrets_in_file_text,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
NASTY = "Pc%t$x%(y)s%"

# What Tempest 47 writes at DEBUG (rest_client request/response logging) and in its
# pre-provisioned accounts dump, and what python-tempestconf logs with --create.
TEMPEST_LOG = """\
2026-11-29 10:00:00.001 4242 DEBUG tempest.lib.common.rest_client Request - Headers: {'Content-Type': 'application/json', 'X-Auth-Token': '<omitted>'}
        Body: {"user": {"name": "tempest-AccountTest-1", "password": "dyn-Secret%1", "project_id": "p1", "email": "x@example.com"}}
    Response - Headers: {'x-subject-token': 'gAAAAABnotomittedtoken', 'status': '201'}
        Body: b'{"token": {"methods": ["password"], "user": {"name": "tempest-AccountTest-1", "password_expires_at": null}}}'
2026-11-29 10:00:00.002 4242 DEBUG tempest.common.preprov_creds Accounts: [{'username': 'acct1', 'password': 'pre-Prov$2', 'project_name': 'p'}]
2026-11-29 10:00:00.003 4242 INFO config_tempest.users Creating user 'demo_tempestconf' with project 'demo' and password 'secrete'
"""


def test_unknown_secrets_are_found_by_their_key_and_replaced() -> None:
    out = scrub_text(TEMPEST_LOG)
    for secret in ("dyn-Secret%1", "gAAAAABnotomittedtoken", "pre-Prov$2", "secrete"):
        assert secret not in out
    # the logs stay useful: names, structure and non-secret values are kept
    assert '"name": "tempest-AccountTest-1"' in out and f'"password": "{MARKER}"' in out
    assert "'X-Auth-Token': '<omitted>'" in out and '"password_expires_at": null' in out
    assert '"methods": ["password"]' in out
    assert find_secrets(TEMPEST_LOG) == {"dyn-Secret%1", "gAAAAABnotomittedtoken", "pre-Prov$2", "secrete"}


def test_known_secrets_go_in_every_escaped_form() -> None:
    text = f"ValueError: bad interpolation '{NASTY}' / {NASTY.replace('%', '%%')} / {NASTY.replace('$', '$$')} / ab"
    out = scrub_text(text, [NASTY, "ab", ""])
    assert NASTY not in out and NASTY.replace("%", "%%") not in out and NASTY.replace("$", "$$") not in out
    assert out.endswith("/ ab")  # too short to replace by value: it would shred the text


def test_credentials_files_give_their_secrets() -> None:
    clouds = "clouds:\n  sandbox:\n    auth:\n      password: 'cl%oud'\n      application_credential_secret: appsecret\n"
    accounts = "- username: a\n  password: \"acc$1\"\n  project_name: p\n"
    conf = "[auth]\nadmin_password = adm%in\nuse_dynamic_credentials = True\n[identity]\nalt_password = alt1\n"
    assert secrets_in_file_text(clouds) >= {"cl%oud", "appsecret"}
    assert secrets_in_file_text(accounts) >= {"acc$1"}
    assert secrets_in_file_text(conf) == {"adm%in", "alt1"}
    scrub = Scrubber(["given-one"], [clouds, accounts, conf, None])
    out = scrub.text("cl%oud appsecret acc$1 adm%%in alt1 given-one kept")
    assert out == " ".join([MARKER] * 6) + " kept"


def test_command_lines_ini_and_yaml_lines() -> None:
    text = "run --os-password clipw --password=x2\nadmin_password = a b\n  - password: plain\n"
    out = scrub_text(text)
    assert out == f"run --os-password {MARKER} --password={MARKER}\nadmin_password = {MARKER}\n  - password: {MARKER}\n"


def test_subunit_attachments_are_scrubbed_and_the_stream_stays_valid() -> None:
    data = (FIXTURES / "subunit" / "tempest-run.subunit").read_bytes()
    secret = b"rest_client GET"
    assert Scrubber().subunit(data) is data  # nothing to scrub: the very same bytes
    rewritten = subunit_v2.map_attachments(data, lambda b: b.replace(secret, b"rest_client " + b"x" * 300))
    errors: list[str] = []
    before, after = list(subunit_v2.iter_packets(data)), list(subunit_v2.iter_packets(rewritten, errors))
    assert not errors and len(before) == len(after)
    assert [p.test_id for p in before] == [p.test_id for p in after]
    assert [p.status for p in before] == [p.status for p in after]
    logged = [p.file_bytes for p in after if p.file_name == "pythonlogging:''"]
    assert logged and b"x" * 300 in logged[0] and secret not in logged[0]
    scrubbed = Scrubber(["rest_client"]).subunit(data)
    assert b"rest_client" not in scrubbed and not subunit_v2.parse(scrubbed).errors
