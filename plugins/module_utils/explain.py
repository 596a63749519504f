# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Say why a required test did not pass, in terms of the cloud rather than of Tempest.

A test of one program can need a service of another: a Heat test that boots a server needs
Nova, a Tempest test that logs into a guest needs a reachable guest. The failure text or skip
reason names such a need (a Heat resource type such as ``OS::Nova::Server``, Tempest's
"... is not available" skip messages, the validation skip); :func:`explain` turns it into one
sentence and says whether the cloud offers that service (the ``[service_available]`` codenames
that discovery found). It only explains: the outcome of a test never changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional


@dataclass(frozen=True)
class Need:
    codename: str  # Tempest's [service_available] option
    label: str


SERVICES: dict[str, Need] = {
    need.codename: need
    for need in (
        Need("nova", "compute (Nova)"),
        Need("neutron", "networking (Neutron)"),
        Need("glance", "images (Glance)"),
        Need("cinder", "block storage (Cinder)"),
        Need("swift", "object storage (Swift)"),
        Need("designate", "DNS (Designate)"),
        Need("heat", "orchestration (Heat)"),
        Need("manila", "shared file systems (Manila)"),
    )
}

# Heat resource types by the service that implements them
_RESOURCE_NAMESPACES = {
    "Nova": "nova",
    "Neutron": "neutron",
    "Glance": "glance",
    "Cinder": "cinder",
    "Swift": "swift",
    "Designate": "designate",
    "Manila": "manila",
}
_AWS_RESOURCES = {"EC2::Instance": "nova", "EC2::Volume": "cinder", "EC2::VolumeAttachment": "cinder",
                  "EC2::EIP": "neutron", "EC2::SecurityGroup": "neutron", "S3::Bucket": "swift"}
_RESOURCE = re.compile(r"\b(?:OS::(?P<os>[A-Z][A-Za-z]+)::[A-Za-z]+|AWS::(?P<aws>[A-Za-z0-9]+::[A-Za-z]+))\b")
# Tempest's own skip messages: "Nova is not available", "cinder is not available.", ...
_NOT_AVAILABLE = re.compile(r"\b(?P<name>" + "|".join(SERVICES) + r")\b[^.\n]{0,40}\bnot (?:available|enabled)",
                            re.IGNORECASE)
_VALIDATION = re.compile(r"validation (?:tests )?(?:are |is )?(?:disabled|not enabled)|run_validation",
                         re.IGNORECASE)


def needed_services(text: str) -> list[tuple[str, str]]:
    """(codename, evidence phrase) for each service the failure text or skip reason says it needs."""
    found: dict[str, str] = {}
    for match in _RESOURCE.finditer(text or ""):
        if match.group("os"):
            codename = _RESOURCE_NAMESPACES.get(match.group("os"))
        else:
            codename = _AWS_RESOURCES.get(match.group("aws"))
        if codename:
            found.setdefault(codename, f"for {match.group(0)}")
    for match in _NOT_AVAILABLE.finditer(text or ""):
        found.setdefault(match.group("name").lower(), f"(Tempest: \"{match.group(0)}\")")
    return sorted(found.items())


def explain(outcome: str, text: str, available: Optional[Iterable[str]] = None) -> str:
    """One sentence on why a test with this outcome and failure/skip text did not pass ("" if unknown).

    ``available``: the Tempest service codenames the cloud offers (None: not known).
    """
    if outcome == "passed":
        return ""
    offered = None if available is None else {name.lower() for name in available}
    needs = needed_services(text)
    missing = [(c, e) for c, e in needs if offered is not None and c not in offered]
    if missing:
        names = ", ".join(f"{SERVICES[c].label} {e}" for c, e in missing)
        return f"needs {names}, which this cloud does not offer"
    if _VALIDATION.search(text or ""):
        return ("needs SSH into a guest (Tempest's validation is off: the cloud offers no guest "
                "reachable from the test runner)")
    if needs:
        names = ", ".join(f"{SERVICES[c].label} {e}" for c, e in needs)
        return f"uses {names}"
    return ""
