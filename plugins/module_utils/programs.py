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

#: Program kinds: the core programs of the interop guidelines, add-ons (own guideline), and
#: test lists (a list of Tempest test ids, bundled or ``list:<file or URL>``).
CORE = "core"
ADDON = "addon"
LIST = "list"
#: ``program=list:<file or URL>``: any test list in Tempest's ``name[id-...]`` format (the
#: format of refstack-client's ``--test-list`` and of the RefStack server's ``/tests`` text).
LIST_PREFIX = "list:"

#: Verdict rules. Interop programs: every required test passed. Test lists (SCS-0128): Tempest
#: reported no failed test; skips are allowed and listed with their reasons, but a test that did
#: not run at all (missing) is no evidence and fails the list too.
ALL_REQUIRED_PASSED = "every required test passed"
NO_TEST_FAILED = "no test failed or is missing (skips allowed)"
#: The two verdicts a rule gives (a program's, a capability's); every reader and writer of a
#: verdict (results, known failures, upload gate) compares with these.
PASS = "PASS"
FAIL = "FAIL"


@dataclass(frozen=True)
class Program:
    """One program and everything the collection needs to know about it.

    ``plugin``: the Tempest plugin distribution its tests live in (core programs: none).
    ``uses_discovery_users``: its plugin logs in as the users python-tempestconf ``--create``
    makes (heat-tempest-plugin reads ``[heat_plugin] username``, the demo user, not Tempest's
    dynamic credentials), so those users must live until the end of the run.
    ``test_list``: a bundled list program's data, relative to ``guidelines/lists/``; ``version``
    its name in results (the list version SCS reviewers look for).
    """

    name: str
    kind: str
    services: tuple[ServiceNeed, ...]
    aliases: tuple[str, ...] = ()
    plugin: str = ""
    uses_discovery_users: bool = False
    test_list: str = ""
    version: str = ""
    verdict: str = ALL_REQUIRED_PASSED


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
        # SCS-0128 v1 "SCS end-to-end testing": 2022.11's tests minus the admin-only ones
        Program("scs_0128", LIST, (COMPUTE, IMAGE, NETWORK, BLOCK_STORAGE),
                test_list="scs-0128-v1/tempest-tests-non-admin.lst", version="scs-0128-v1",
                verdict=NO_TEST_FAILED),
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
    known = ", ".join(PROGRAMS) + ", " + LIST_PREFIX + "<file or URL>"
    if isinstance(name, str) and name.strip().lower().startswith(LIST_PREFIX):
        ref = name.strip()[len(LIST_PREFIX):].strip()
        if not ref:
            raise GuidelineError("program %r names no test list; give %s<file or URL>" % (name, LIST_PREFIX))
        return LIST_PREFIX + ref
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


def is_list_program(name: str) -> bool:
    """Whether a canonical program name is a test list program (bundled, or ``list:<ref>``)."""
    return name.startswith(LIST_PREFIX) or (name in REGISTRY and REGISTRY[name].kind == LIST)


def program_entry(name: str) -> Program:
    """The registry entry of a canonical program name. A ``list:`` program gets a generic list
    entry, another add-on a guideline defines a generic add-on entry: their services are unknown
    (tests of a service the cloud lacks skip, and the report says why)."""
    if name in REGISTRY:
        return REGISTRY[name]
    if name.startswith(LIST_PREFIX):
        return Program(name, LIST, (), version=program_dir(name), verdict=NO_TEST_FAILED)
    return Program(name, ADDON, ())


def program_dir(name: str) -> str:
    """The directory name of a program's workspace and results (``list:/a/b.lst`` -> ``list_b``)."""
    if not name.startswith(LIST_PREFIX):
        return name
    stem = name[len(LIST_PREFIX):].rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return "list_" + (re.sub(r"[^A-Za-z0-9_.-]", "_", stem) or "tests")


def validate_programs(programs: Iterable[str]) -> list[str]:
    """Return the programs in canonical form (``Storage`` -> ``object``), de-duplicated in
    order; raise on an unknown name."""
    result: list[str] = []
    for program in programs:
        try:
            name = canonical_program(program)
        except GuidelineError:
            name = ""
        if name not in PROGRAM_SERVICES and not name.startswith(LIST_PREFIX):
            raise UnknownProgramError(
                f"Unknown program {program!r}; accepted programs are: {', '.join(PROGRAMS)}, "
                f"{LIST_PREFIX}<file or URL> ({_aliases_text()}, case-insensitive)"
            )
        if name not in result:
            result.append(name)
    return result


def services_for(programs: Iterable[str]) -> list[ServiceNeed]:
    """The services the given programs need, de-duplicated, in program order."""
    needs: list[ServiceNeed] = []
    for program in validate_programs(programs):
        for need in program_entry(program).services:
            if need not in needs:
                needs.append(need)
    return needs


def needs_by_program(programs: Iterable[str]) -> dict[str, list[ServiceNeed]]:
    """program -> its service needs (only the given programs)."""
    return {p: list(program_entry(p).services) for p in validate_programs(programs)}


def plugins_for(programs: Iterable[str]) -> list[str]:
    """Names of the Tempest plugin distributions the given programs need."""
    return [program_entry(p).plugin for p in validate_programs(programs) if program_entry(p).plugin]


def api_services(programs: Iterable[str]) -> list[str]:
    """Names of the services whose API tests the given programs cover, in program order.

    Programs whose tests live in Tempest itself (no plugin: the core programs) add identity.
    """
    names: list[str] = []
    for program in validate_programs(programs):
        entry = program_entry(program)
        extra = [] if entry.plugin else [IDENTITY]
        for need in (*entry.services, *extra):
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
