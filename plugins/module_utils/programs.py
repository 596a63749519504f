# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The program registry: every program the collection certifies, and what each one needs.

One entry per program (:data:`REGISTRY`) owns its name and aliases, its kind (core program of
the guidelines or add-on), the cloud services and the Tempest plugin it needs, and whether its
plugin logs in as discovery's users. Everything else imports it: the guideline engine
(:func:`canonical_program`, :data:`CORE_PROGRAMS`), the input checks of certify.yml and of each
role (``certify_check``), the preflight module (catalog checks), the discovery module
(``[service_available]`` checks, tempest.conf needs) and the results (service explanations).
Adding a program is one :class:`Program` entry here plus its data (a guideline).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable


class GuidelineError(Exception):
    """A guideline, program, version or option value that cannot be used.

    Defined here, with the program names it mostly reports on, so the guideline engine can
    import the registry (``guideline.GuidelineError`` is this class).
    """


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

#: Program kinds: the core programs of the interop guidelines, and add-ons (own guideline).
CORE = "core"
ADDON = "addon"


@dataclass(frozen=True)
class Program:
    """One program and everything the collection needs to know about it.

    ``plugin``: the Tempest plugin distribution its tests live in (core programs: none).
    ``uses_discovery_users``: its plugin logs in as the users python-tempestconf ``--create``
    makes (heat-tempest-plugin reads ``[heat_plugin] username``, the demo user, not Tempest's
    dynamic credentials), so those users must live until the end of the run.
    """

    name: str
    kind: str
    services: tuple[ServiceNeed, ...]
    aliases: tuple[str, ...] = ()
    plugin: str = ""
    uses_discovery_users: bool = False


#: The registry, in the order programs are shown.
REGISTRY: dict[str, Program] = {
    p.name: p
    for p in (
        Program("platform", CORE, (COMPUTE, IMAGE, NETWORK, BLOCK_STORAGE, OBJECT_STORE)),
        Program("compute", CORE, (COMPUTE, IMAGE, NETWORK, BLOCK_STORAGE)),
        Program("object", CORE, (OBJECT_STORE,), aliases=("storage",)),
        Program("dns", ADDON, (DNS,), plugin="designate-tempest-plugin"),
        Program("orchestration", ADDON, (ORCHESTRATION,), plugin="heat-tempest-plugin",
                uses_discovery_users=True),
        Program("shared_file_system", ADDON, (SHARED_FILE_SYSTEM,), plugin="manila-tempest-plugin"),
    )
}

PROGRAMS: tuple[str, ...] = tuple(REGISTRY)
#: Programs of the core guidelines, in the order they are shown.
CORE_PROGRAMS: tuple[str, ...] = tuple(p.name for p in REGISTRY.values() if p.kind == CORE)
#: Add-on programs known to the RefStack server (a guideline may define more).
ADDON_PROGRAMS: tuple[str, ...] = tuple(p.name for p in REGISTRY.values() if p.kind == ADDON)
#: Other spellings users type for a program.
PROGRAM_ALIASES: dict[str, str] = {a: p.name for p in REGISTRY.values() for a in p.aliases}
#: program -> services it needs, in a stable order.
PROGRAM_SERVICES: dict[str, tuple[ServiceNeed, ...]] = {p.name: p.services for p in REGISTRY.values()}

#: A well-formed program name (also of the add-ons a guideline defines).
PROGRAM_NAME_RE = re.compile(r"[a-z][a-z0-9_]*\Z")


def _aliases_text() -> str:
    return ", ".join(f"{alias} is an alias of {name}" for alias, name in PROGRAM_ALIASES.items())


def canonical_program(name: str) -> str:
    """The program name as the guideline engine uses it (``storage`` -> ``object``).

    Case and ``-``/``_`` are not significant. Any well-formed name is returned (a guideline may
    define add-ons beyond :data:`ADDON_PROGRAMS`); whether a guideline offers it is checked by
    the guideline engine.
    """
    known = ", ".join(PROGRAMS)
    if not isinstance(name, str) or not name.strip():
        raise GuidelineError(
            "program must be a non-empty name, got %r; accepted: %s (%s)" % (name, known, _aliases_text())
        )
    program = name.strip().lower().replace("-", "_")
    program = PROGRAM_ALIASES.get(program, program)
    if not PROGRAM_NAME_RE.match(program):
        raise GuidelineError(
            "invalid program %r; accepted: %s (%s) or another add-on name the guideline defines"
            % (name, known, _aliases_text())
        )
    return program


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
                f"({_aliases_text()}, case-insensitive)"
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
    return [REGISTRY[p].plugin for p in validate_programs(programs) if REGISTRY[p].plugin]


def api_services(programs: Iterable[str]) -> list[str]:
    """Names of the services whose API tests the given programs cover, in program order.

    Programs whose tests live in Tempest itself (no plugin: the core programs) add identity.
    """
    names: list[str] = []
    for program in validate_programs(programs):
        extra = [] if REGISTRY[program].plugin else [IDENTITY]
        for need in (*PROGRAM_SERVICES[program], *extra):
            if need.name not in names:
                names.append(need.name)
    return names


def need_from_spec(spec: str) -> ServiceNeed:
    """A need from a user string: ``type`` or ``type|alias|...`` (e.g. ``volumev3|block-storage``)."""
    types = tuple(t.strip() for t in spec.split("|") if t.strip())
    if not types:
        raise ValueError(f"Empty service type in {spec!r}")
    for need in dict.fromkeys(n for p in REGISTRY.values() for n in p.services):
        if set(types) & set(need.types):
            return ServiceNeed(need.name, tuple(dict.fromkeys(need.types + types)), need.codename)
    return ServiceNeed(types[0], types, KNOWN_CODENAMES.get(types[0], ""))


def uses_discovery_users(programs: Iterable[str]) -> bool:
    """Whether a program's tests log in as the users discovery's ``--create`` makes."""
    return any(REGISTRY[p].uses_discovery_users for p in programs if p in REGISTRY)
