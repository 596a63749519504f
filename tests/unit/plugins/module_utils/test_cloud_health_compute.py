# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The pure summary behind the compute health check (the check itself runs against the
sandbox cloud's real Nova)."""

from __future__ import annotations

from types import SimpleNamespace

from ansible_collections.openinfra.interop.plugins.module_utils import cloud_health as H


def service(binary: str, host: str, state: str = "up", status: str = "enabled") -> SimpleNamespace:
    return SimpleNamespace(binary=binary, host=host, state=state, status=status)


def test_compute_state_counts_only_enabled_and_up_computes() -> None:
    services = [service("nova-scheduler", "a"), service("nova-compute", "c1"),
                service("nova-compute", "c2", state="down"),
                service("nova-compute", "c3", status="disabled")]
    hypervisors = [SimpleNamespace(name="c1", id="1"), SimpleNamespace(name=None, id="2")]
    state = H.compute_state(services, hypervisors)
    assert state == {"compute_hosts": ["c1", "c2", "c3"], "compute_hosts_up": ["c1"],
                     "hypervisors": ["2", "c1"]}


def test_compute_state_of_an_empty_cloud() -> None:
    assert H.compute_state([], []) == {"compute_hosts": [], "compute_hosts_up": [], "hypervisors": []}


def test_compute_is_a_known_read_only_check() -> None:
    assert "compute" in H.CHECKS and "compute" not in H.WRITING_CHECKS
