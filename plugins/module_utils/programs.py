# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Interop programs and the cloud services each of them needs.

One table, reused by the preflight module (catalog checks), the discovery module
(``[service_available]`` checks after python-tempestconf ran) and the roles (which
Tempest plugin to install for a program).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ansible_collections.openinfra.interop.plugins.module_utils.guideline import GuidelineError, canonical_program


@dataclass(frozen=True)
class ServiceNeed:
    """One service a program needs.

    ``types`` are the catalog service types that satisfy the need (aliases, the first is
    the preferred name); ``codename`` is the key python-tempestconf writes under
    ``[service_available]`` of tempest.conf.
    """

    name: str
    types: tuple[str, ...]
    codename: str


OBJECT_STORE = ServiceNeed("object-store", ("object-store",), "swift")
COMPUTE = ServiceNeed("compute", ("compute",), "nova")
IMAGE = ServiceNeed("image", ("image",), "glance")
NETWORK = ServiceNeed("network", ("network",), "neutron")
BLOCK_STORAGE = ServiceNeed("block-storage", ("block-storage", "volumev3"), "cinder")
DNS = ServiceNeed("dns", ("dns",), "designate")
ORCHESTRATION = ServiceNeed("orchestration", ("orchestration",), "heat")
SHARED_FILE_SYSTEM = ServiceNeed("sharev2", ("sharev2",), "manila")

#: program -> services it needs, in a stable order.
PROGRAM_SERVICES: dict[str, tuple[ServiceNeed, ...]] = {
    "platform": (COMPUTE, IMAGE, NETWORK, BLOCK_STORAGE, OBJECT_STORE),
    "compute": (COMPUTE, IMAGE, NETWORK, BLOCK_STORAGE),
    "object": (OBJECT_STORE,),
    "dns": (DNS,),
    "orchestration": (ORCHESTRATION,),
    "shared_file_system": (SHARED_FILE_SYSTEM,),
}

#: program -> the Tempest plugin distribution its tests live in (core programs: none).
PROGRAM_PLUGINS: dict[str, str] = {
    "dns": "designate-tempest-plugin",
    "orchestration": "heat-tempest-plugin",
    "shared_file_system": "manila-tempest-plugin",
}

#: Programs whose Tempest plugin logs in as the users python-tempestconf ``--create`` makes
#: (heat-tempest-plugin reads ``[heat_plugin] username``, the demo user, not Tempest's dynamic
#: credentials): those users must live until the end of the run.
PROGRAMS_USING_DISCOVERY_USERS: tuple[str, ...] = ("orchestration",)

PROGRAMS: tuple[str, ...] = tuple(PROGRAM_SERVICES)

#: Keystone: every core guideline has identity capabilities, but no program checks for it
#: in the catalog (nothing runs without it).
IDENTITY = ServiceNeed("identity", ("identity",), "keystone")

#: service name -> the packages of its API tests in Tempest or its plugin (the untracked-test
#: census looks for candidates there; scenario and RBAC tests are not API tests).
SERVICE_API_TESTS: dict[str, tuple[str, ...]] = {
    "identity": ("tempest.api.identity.",),
    "compute": ("tempest.api.compute.",),
    "image": ("tempest.api.image.",),
    "network": ("tempest.api.network.",),
    "block-storage": ("tempest.api.volume.",),
    "object-store": ("tempest.api.object_storage.",),
    "dns": ("designate_tempest_plugin.tests.api.",),
    "orchestration": ("heat_tempest_plugin.tests.api.",),
    "sharev2": ("manila_tempest_tests.tests.api.",),
}

#: Every catalog service type python-tempestconf knows, with its tempest.conf codename,
#: for reports of what a cloud offers beyond the selected programs.
KNOWN_CODENAMES: dict[str, str] = {
    "identity": "keystone",
    "compute": "nova",
    "image": "glance",
    "network": "neutron",
    "block-storage": "cinder",
    "volumev3": "cinder",
    "object-store": "swift",
    "dns": "designate",
    "orchestration": "heat",
    "sharev2": "manila",
    "share": "manila",
    "placement": "placement",
    "load-balancer": "octavia",
    "key-manager": "barbican",
    "baremetal": "ironic",
}


class UnknownProgramError(ValueError):
    """A program name that is not one of :data:`PROGRAMS`."""


def validate_programs(programs: Iterable[str]) -> list[str]:
    """Return the programs in canonical form (``Storage`` -> ``object``), de-duplicated in
    order; raise on an unknown name."""
    result: list[str] = []
    for program in programs:
        try:
            name = canonical_program(program)
        except GuidelineError:
            name = ""
        if name not in PROGRAM_SERVICES:
            raise UnknownProgramError(
                f"Unknown program {program!r}; accepted programs are: {', '.join(PROGRAMS)} "
                "(alias storage = object, case-insensitive)"
            )
        if name not in result:
            result.append(name)
    return result


def services_for(programs: Iterable[str]) -> list[ServiceNeed]:
    """The services the given programs need, de-duplicated, in program order."""
    needs: list[ServiceNeed] = []
    for program in validate_programs(programs):
        for need in PROGRAM_SERVICES[program]:
            if need not in needs:
                needs.append(need)
    return needs


def needs_by_program(programs: Iterable[str]) -> dict[str, list[ServiceNeed]]:
    """program -> its service needs (only the given programs)."""
    return {p: list(PROGRAM_SERVICES[p]) for p in validate_programs(programs)}


def plugins_for(programs: Iterable[str]) -> list[str]:
    """Names of the Tempest plugin distributions the given programs need."""
    return [PROGRAM_PLUGINS[p] for p in validate_programs(programs) if p in PROGRAM_PLUGINS]


def api_services(programs: Iterable[str]) -> list[str]:
    """Names of the services whose API tests the given programs cover, in program order.

    Programs whose tests live in Tempest itself (no plugin: the core programs) add identity.
    """
    names: list[str] = []
    for program in validate_programs(programs):
        extra = [] if program in PROGRAM_PLUGINS else [IDENTITY]
        for need in (*PROGRAM_SERVICES[program], *extra):
            if need.name not in names:
                names.append(need.name)
    return names


def need_from_spec(spec: str) -> ServiceNeed:
    """A need from a user string: ``type`` or ``type|alias|...`` (e.g. ``volumev3|block-storage``)."""
    types = tuple(t.strip() for t in spec.split("|") if t.strip())
    if not types:
        raise ValueError(f"Empty service type in {spec!r}")
    for need in (*PROGRAM_SERVICES["platform"], DNS, ORCHESTRATION, SHARED_FILE_SYSTEM):
        if set(types) & set(need.types):
            return ServiceNeed(need.name, tuple(dict.fromkeys(need.types + types)), need.codename)
    return ServiceNeed(types[0], types, KNOWN_CODENAMES.get(types[0], ""))


def uses_discovery_users(programs: Iterable[str]) -> bool:
    """Whether a program's tests log in as the users discovery's ``--create`` makes."""
    return any(p in PROGRAMS_USING_DISCOVERY_USERS for p in programs)
