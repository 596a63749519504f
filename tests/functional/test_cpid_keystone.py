# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""CPID from a live Keystone (the one the unit-test fixtures were recorded from, or any other).

Needs ``OII_KEYSTONE_URL`` (v3 URL of a throwaway Keystone bootstrapped with
``keystone-manage bootstrap``) and ``OII_KEYSTONE_ADMIN_PASSWORD``; skipped otherwise. The test
adds a ``demo`` user (member of project ``demo``) and a role-less ``demo_tempestconf`` user
through the API with tests/unit/fixtures/keystone/record_keystone.py, records fresh token
responses into a temporary directory and checks that a real request gives the same CPIDs.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("oii_unit_conftest", ROOT / "tests" / "unit" / "conftest.py")
assert _spec and _spec.loader
_spec.loader.exec_module(importlib.util.module_from_spec(_spec))

from ansible_collections.openinfra.interop.plugins.module_utils import cpid as C  # noqa: E402

URL = os.environ.get("OII_KEYSTONE_URL", "")
PASSWORD = os.environ.get("OII_KEYSTONE_ADMIN_PASSWORD", "")
pytestmark = pytest.mark.skipif(
    not (URL and PASSWORD),
    reason="set OII_KEYSTONE_URL and OII_KEYSTONE_ADMIN_PASSWORD to a throwaway Keystone "
           "(see tests/unit/fixtures/keystone/record_keystone.py)",
)


def test_cpid_from_live_keystone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location(
        "record_keystone", ROOT / "tests" / "unit" / "fixtures" / "keystone" / "record_keystone.py")
    recorder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(recorder)
    monkeypatch.setattr(sys, "argv", ["record_keystone.py", URL, PASSWORD, str(tmp_path)])
    recorder.main()
    scoped = json.loads((tmp_path / "v3-project-scoped-201.json").read_text())
    service_id = next(s["id"] for s in scoped["body"]["token"]["catalog"] if s["type"] == "identity")

    demo = {"username": "demo", "password": "demopass", "project_name": "demo",
            "user_domain_name": "Default", "project_domain_name": "Default"}
    found = C.get_cpid(URL, demo)
    assert (found.cpid, found.method) == (service_id, C.METHOD_CATALOG)

    roleless = dict(demo, username="demo_tempestconf", password="tempestconfpass")
    fallback = C.get_cpid(URL, roleless)
    assert fallback.method == C.METHOD_HOSTNAME
    assert fallback.cpid == hashlib.md5(urlsplit(URL).hostname.encode()).hexdigest()
    assert fallback.fallback_reason.startswith("Keystone answered HTTP 401")

    unscoped = {k: v for k, v in demo.items() if not k.startswith("project")}
    assert "no catalog" in C.get_cpid(URL, unscoped).fallback_reason
