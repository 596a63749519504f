# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Census of the API tests no guideline tracks: candidates for the next guideline.

The Interop Working Group looked for Tempest API tests that no guideline tracked to decide
which to add. This module does that for the installed Tempest and plugins:

* the API tests of the services the chosen programs cover (``programs.SERVICE_API_TESTS``);
* minus every test a set of guidelines tracks, in any status, flagged or not, by idempotent id
  or by name (aliases included): inherited classes share idempotent ids, so a subclass of a
  tracked test is tracked too;
* grouped by service and module, as data and as a readable table;
* and, to try the candidates on a cloud, a candidate guideline: a copy of a base guideline
  whose program gets one ``advisory`` capability per test module of the chosen candidates,
  so a run with ``test_types: [required, advisory]`` reports pass/fail for each of them
  without changing the verdict.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from ansible_collections.openinfra.interop.plugins.module_utils.guideline import Guideline, GuidelineError
from ansible_collections.openinfra.interop.plugins.module_utils.programs import SERVICE_API_TESTS
from ansible_collections.openinfra.interop.plugins.module_utils.tempest_ids import InstalledTest
from ansible_collections.openinfra.interop.plugins.module_utils.tempest_tests import Listing

__all__ = ["CANDIDATE_PREFIX", "Census", "candidate_guideline", "take_census"]

#: Capabilities the candidate guideline adds are named ``untracked-<service>-<module>``.
CANDIDATE_PREFIX = "untracked-"


@dataclass
class Census:
    """Untracked API tests per service and module."""

    guidelines: list[str]
    services: list[str]
    by_service: dict[str, dict[str, list[InstalledTest]]]
    api_tests: dict[str, int]

    def counts(self) -> dict[str, int]:
        return {s: sum(len(t) for t in self.by_service[s].values()) for s in self.services}

    def tests(self) -> list[tuple[str, str, InstalledTest]]:
        """(service, module, test) of every untracked test, in table order."""
        return [(s, m, t) for s in self.services for m, tests in sorted(self.by_service[s].items()) for t in tests]

    def as_dict(self) -> dict[str, Any]:
        counts = self.counts()
        return {
            "guidelines": self.guidelines,
            "services": {
                service: {
                    "api_tests": self.api_tests[service],
                    "untracked": counts[service],
                    "modules": {
                        module: [{"name": t.name, "idempotent_id": t.idempotent_id, "test_id": t.test_id} for t in tests]
                        for module, tests in sorted(self.by_service[service].items())
                    },
                }
                for service in self.services
            },
            "untracked": sum(counts.values()),
        }

    def text(self) -> str:
        counts = self.counts()
        width = max([len("service / module")] + [len(m) + 2 for s in self.services for m in self.by_service[s]])
        lines = [
            "Untracked API tests (not in %s)" % ", ".join(self.guidelines),
            f"{'service / module':<{width}}  {'untracked':>9}  {'api tests':>9}",
        ]
        for service in self.services:
            lines.append(f"{service:<{width}}  {counts[service]:>9}  {self.api_tests[service]:>9}")
            for module, tests in sorted(self.by_service[service].items()):
                lines.append(f"  {module:<{width - 2}}  {len(tests):>9}")
        lines.append(f"{'total':<{width}}  {sum(counts.values()):>9}  {sum(self.api_tests.values()):>9}")
        return "\n".join(lines)


def _tracked(guidelines: Sequence[Guideline]) -> tuple[set[str], set[str]]:
    """(idempotent ids, names) of every test of the guidelines, all statuses, aliases too."""
    ids: set[str] = set()
    names: set[str] = set()
    for guideline in guidelines:
        for body in guideline.data["capabilities"].values():
            for name, ident, _flagged, aliases in guideline._cap_tests(body):
                names.add(name)
                names.update(aliases)
                if ident:
                    ident = ident.lower()
                    ids.add(ident if ident.startswith("id-") else "id-" + ident)
    return ids, names


def _service_of(name: str, services: Sequence[str]) -> str | None:
    for service in services:
        if name.startswith(SERVICE_API_TESTS[service]):
            return service
    return None


def take_census(
    listing: Listing | Sequence[InstalledTest],
    guidelines: Sequence[Guideline],
    services: Sequence[str],
    include: Iterable[str] = (),
) -> Census:
    """The untracked API tests of ``services`` in ``listing``.

    ``include``: regexes (``re.search`` in the test id); when given, only matching tests are
    kept (a sample to try on a cloud).
    """
    unknown = [s for s in services if s not in SERVICE_API_TESTS]
    if unknown or not services:
        raise GuidelineError(
            "unknown service %s for the census; accepted: %s"
            % (", ".join(unknown) or "(none given)", ", ".join(SERVICE_API_TESTS))
        )
    patterns = []
    for regex in include:
        try:
            patterns.append(re.compile(regex))
        except re.error as exc:
            raise GuidelineError("include: invalid regex %r: %s" % (regex, exc)) from None
    ids, names = _tracked(guidelines)
    installed = listing.tests if isinstance(listing, Listing) else list(listing)
    by_service: dict[str, dict[str, list[InstalledTest]]] = {s: {} for s in services}
    api_tests = {s: 0 for s in services}
    seen: set[str] = set()
    for test in installed:
        service = _service_of(test.name, services)
        if service is None or test.name in seen:
            continue  # scenarios of one test are one test
        seen.add(test.name)
        api_tests[service] += 1
        if test.name in names or (test.idempotent_id and test.idempotent_id in ids):
            continue
        if patterns and not any(p.search(test.test_id) for p in patterns):
            continue
        module = test.name.rsplit(".", 2)[0]
        by_service[service].setdefault(module, []).append(test)
    return Census([g.name for g in guidelines], list(services), by_service, api_tests)


def candidate_guideline(base: Guideline, program: str, census: Census, limit: int = 0) -> dict[str, Any]:
    """A copy of ``base`` whose ``program`` gets the census tests as ``advisory`` capabilities.

    ``limit`` > 0 keeps the first ``limit`` tests of the census (table order).
    """
    if not base._v2:
        raise GuidelineError(
            "a candidate guideline is built on a schema 2.0 guideline; %s has schema %s" % (base.name, base.schema)
        )
    components = base.components(program)
    data = copy.deepcopy(base.data)
    chosen = census.tests()[:limit] if limit > 0 else census.tests()
    if not chosen:
        raise GuidelineError("the census found no untracked test to add to %s" % base.name)
    statuses = data["components"][components[0]]["capabilities"]
    for service, module, test in chosen:
        cap = "%s%s-%s" % (CANDIDATE_PREFIX, service, module.rsplit(".", 1)[-1].replace("_", "-"))
        body = data["capabilities"].setdefault(cap, {
            "status": "advisory",
            "description": "Untracked %s API tests of %s (census of %s)" % (service, module, ", ".join(census.guidelines)),
            "project": service,
            "achievements": [],
            "admin": False,
            "tests": {},
        })
        body["tests"][test.name] = {"idempotent_id": test.idempotent_id or ""}
        if cap not in statuses.setdefault("advisory", []):
            statuses["advisory"].append(cap)
    data.setdefault("metadata", {})["id"] = "%s-candidates" % base.name
    return data
