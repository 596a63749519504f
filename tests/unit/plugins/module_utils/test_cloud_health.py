# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Check selection, retries and error wording of cloud_health (the checks themselves run
against a real cloud in tests/functional and the sandbox_cloud Molecule scenario)."""

from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils import cloud_health as H


class Flaky(Exception):
    pass


@pytest.fixture
def fake_checks(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Replace the registered checks by counters (no cloud is involved at all)."""
    calls = {"token": 0, "object_store": 0}

    def token(conn: Any, options: dict[str, Any]) -> dict[str, Any]:
        calls["token"] += 1
        if calls["token"] < 3:
            raise Flaky("connection refused")
        return {"project_id": "p"}

    def object_store(conn: Any, options: dict[str, Any]) -> dict[str, Any]:
        calls["object_store"] += 1
        return {"container": f"{options['container_prefix']}-x"}

    monkeypatch.setitem(H.CHECKS, "token", token)
    monkeypatch.setitem(H.CHECKS, "object_store", object_store)
    return calls


def test_transient_failures_are_retried(fake_checks: dict[str, int]) -> None:
    result = H.run_checks(None, ["token", "object_store"], {"container_prefix": "h"},
                          retries=3, transient=(Flaky,), sleep=lambda _: None)
    assert result == {"token": {"project_id": "p"}, "object_store": {"container": "h-x"}}
    assert fake_checks == {"token": 3, "object_store": 1}


def test_retries_run_out_with_the_check_named(fake_checks: dict[str, int]) -> None:
    with pytest.raises(H.HealthError, match=r"health check 'token' failed after 2 attempt\(s\)"):
        H.run_checks(None, ["token"], {}, retries=1, transient=(Flaky,), sleep=lambda _: None)


def test_other_errors_are_not_retried(fake_checks: dict[str, int]) -> None:
    with pytest.raises(H.HealthError, match="health check 'token' failed: Flaky: connection"):
        H.run_checks(None, ["token"], {}, retries=5, transient=(), sleep=lambda _: None)
    assert fake_checks["token"] == 1


def test_check_mode_skips_writing_checks(fake_checks: dict[str, int]) -> None:
    result = H.run_checks(None, ["object_store"], {"container_prefix": "h"}, check_mode=True)
    assert result == {"object_store": {"skipped": True, "reason": "check mode"}}
    assert fake_checks["object_store"] == 0


def test_unknown_checks_are_named() -> None:
    with pytest.raises(H.HealthError, match="unknown health check.*volume; known: .*object_store.*token"):
        H.run_checks(None, ["token", "volume"], {})


def test_check_mode_skips_the_dns_orchestration_and_share_round_trips() -> None:
    result = H.run_checks(None, ["dns", "orchestration", "shared_file_system"], {}, check_mode=True)
    assert result == {"dns": {"skipped": True, "reason": "check mode"},
                      "orchestration": {"skipped": True, "reason": "check mode"},
                      "shared_file_system": {"skipped": True, "reason": "check mode"}}


@pytest.mark.parametrize("prefix, start", [
    ("sandbox-health", "sandbox-health-"),
    ("Sandbox_Health!", "sandbox-health-"),
    ("", "health-"),
    ("---", "health-"),
])
def test_zone_and_stack_names_are_dns_labels(prefix: str, start: str) -> None:
    label = H._dns_label(prefix)
    assert label.startswith(start)
    assert len(label) <= 63
    assert all(c.isalnum() or c == "-" for c in label) and label == label.lower()


def test_wait_returns_the_first_true_result_and_times_out_with_the_reason() -> None:
    answers = iter([None, [], ["192.0.2.10"]])
    assert H._wait("never", lambda: next(answers), 10, sleep=lambda _: None) == ["192.0.2.10"]
    with pytest.raises(H.HealthError, match=r"zone z did not become ACTIVE \(waited 0s\)"):
        H._wait("zone z did not become ACTIVE", lambda: False, 0, sleep=lambda _: None)
