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
from typing import Iterable, Mapping, Optional


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


#: Tests Tempest skips by itself when credentials are pre-provisioned (use_dynamic_credentials
#: = False, the non-admin mode), with the skip message it gives.
PREPROVISIONED_SKIPS: tuple[dict[str, str], ...] = (
    {
        "test": "tempest.api.object_storage.test_account_services.AccountTest.test_list_containers_with_marker",
        "id": "638f876d-6a43-482a-bbb3-0840bca101c6",
        "program": "object",
        "message": "Skipped because of bug#2147232",
        "reason": "Tempest skips it when auth.use_dynamic_credentials is False, i.e. with pre-provisioned "
        "accounts (skip message 'Skipped because of bug#2147232'); a non-admin run of the object program "
        "therefore has one required test fewer (57 of 58 in guideline 2020.06). Run in admin mode "
        "(dynamic credentials) to include it.",
    },
)

# tempest.common.utils.requires_ext: "Skipped because object extension: account_quotas is not enabled"
_EXTENSION_SKIP = re.compile(r"(?P<service>[a-z_-]+) extension: (?P<extension>[\w.-]+) is not enabled")
#: Where tempest.conf lists the enabled extensions of each service requires_ext names.
EXTENSION_OPTIONS = {
    "object": "[object-storage-feature-enabled] discoverable_apis",
    "network": "[network-feature-enabled] api_extensions",
    "volume": "[volume-feature-enabled] api_extensions",
    "compute": "[compute-feature-enabled] api_extensions",
    "identity": "[identity-feature-enabled] api_extensions",
}


def preprovisioned_skip(text: str) -> Optional[dict[str, str]]:
    """The entry of :data:`PREPROVISIONED_SKIPS` whose skip message the text holds."""
    for skip in PREPROVISIONED_SKIPS:
        if skip["message"] in (text or ""):
            return skip
    return None


def contradicted_feature(text: str, reported: Optional[Mapping[str, Iterable[str]]]) -> str:
    """A configuration problem: the skip says an extension is off that the cloud reports ("" if none).

    ``reported``: the extensions the cloud itself reports, by Tempest's service name (``object``:
    the keys of Swift's ``/info``).
    """
    match = _EXTENSION_SKIP.search(text or "")
    if not match or not reported:
        return ""
    service, extension = match.group("service"), match.group("extension")
    if extension not in set(reported.get(service) or ()):
        return ""
    option = EXTENSION_OPTIONS.get(service, f"the {service} extension list")
    return (f"configuration problem: tempest.conf ({option}) does not enable the {service} extension "
            f"{extension}, but the cloud reports it; tempest.conf is stale or wrong - run discovery "
            "again (tempestconf_force_discovery) or fix the override")


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


def explain(outcome: str, text: str, available: Optional[Iterable[str]] = None,
            reported: Optional[Mapping[str, Iterable[str]]] = None) -> str:
    """One sentence on why a test with this outcome and failure/skip text did not pass ("" if unknown).

    ``available``: the Tempest service codenames the cloud offers (None: not known).
    ``reported``: the extensions the cloud reports by service (see :func:`contradicted_feature`).
    """
    if outcome == "passed":
        return ""
    skip = preprovisioned_skip(text)
    if skip:
        return ("Tempest skips this test with pre-provisioned accounts (non-admin mode, "
                "use_dynamic_credentials = False); only admin mode (dynamic credentials) can run it")
    contradiction = contradicted_feature(text, reported)
    if contradiction:
        return contradiction
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
