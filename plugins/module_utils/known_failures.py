# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Known failures: tracked required tests a pipeline accepts, for a second, pipeline verdict.

A known-failures file is a YAML list; each entry names a test (a regular expression searched in
the test name, so a plain name works too), why it fails (``reason``) and the bug that tracks it
(``bug``, an http(s) URL), and optionally the ``programs`` and ``releases`` (OpenStack releases
of the cloud, e.g. ``2024.1``) it applies to. An entry with ``releases`` applies only to a run
that names its release.

Known failures still run. The certification verdict and the RefStack document stay strict: a
required test that did not pass fails the program. The pipeline verdict is ``PASS with known
failures`` when every required test that did not pass is a known failure (rally's
``--xfail-list``, test-operator's ``expectedFailuresList``, tripleo's skip lists).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from ansible_collections.openinfra.interop.plugins.module_utils.programs import FAIL, PASS, GuidelineError, canonical_program

#: The pipeline verdict of a run whose only non-passing required tests are known failures
#: (PASS and FAIL are the verdict rule's own, from programs).
PASS_KNOWN = "PASS with known failures"
_KEYS = {"test": "required", "reason": "required", "bug": "required", "programs": "optional",
         "releases": "optional"}
_ACCEPTED = ("a YAML list of {test: <name or regex>, reason: <why>, bug: <http(s) URL>, "
             "programs: [<program>, ...] (optional), releases: [<release>, ...] (optional)}")


class KnownFailuresError(ValueError):
    """A known-failures file that cannot be used; the message names the variable and the value."""


@dataclass(frozen=True)
class KnownFailure:
    test: str
    reason: str
    bug: str
    programs: tuple[str, ...] = ()
    releases: tuple[str, ...] = ()

    def applies(self, program: str, release: str) -> bool:
        if self.programs and program not in self.programs:
            return False
        return not self.releases or release in self.releases

    def matches(self, name: str) -> bool:
        return re.search(self.test, name) is not None

    def as_dict(self) -> dict[str, Any]:
        return {"test": self.test, "reason": self.reason, "bug": self.bug,
                "programs": list(self.programs), "releases": list(self.releases)}


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) and str(v).strip() for v in value):
        raise KnownFailuresError(f"{where} is {value!r}: a list of non-empty strings is accepted")
    return tuple(str(v).strip() for v in value)


def parse_known_failures(data: Any, *, variable: str, source: str) -> list[KnownFailure]:
    """Validate the loaded YAML of a known-failures file; one error names the entry and the value."""
    where = f"{variable} ({source})"
    if data is None:
        return []
    if not isinstance(data, list):
        raise KnownFailuresError(f"{where} holds a {type(data).__name__}: {_ACCEPTED} is accepted")
    entries: list[KnownFailure] = []
    for index, item in enumerate(data):
        at = f"{where} entry {index + 1}"
        if not isinstance(item, Mapping):
            raise KnownFailuresError(f"{at} is {item!r}: {_ACCEPTED} is accepted")
        unknown = sorted(set(map(str, item)) - set(_KEYS))
        if unknown:
            raise KnownFailuresError(f"{at} has unknown key(s) {', '.join(unknown)}: the keys are {', '.join(_KEYS)}")
        for key in ("test", "reason", "bug"):
            value = item.get(key)
            if not isinstance(value, str) or not value.strip():
                raise KnownFailuresError(f"{at}: {key} is {value!r}: a non-empty string is required")
        test = item["test"].strip()
        try:
            re.compile(test)
        except re.error as exc:
            raise KnownFailuresError(f"{at}: test {test!r} is not a valid regular expression ({exc})") from exc
        bug = item["bug"].strip()
        if not re.match(r"https?://[^\s/]+", bug):
            raise KnownFailuresError(f"{at}: bug {bug!r} is not an http(s) URL of the bug that tracks the failure")
        programs = _strings(item["programs"], f"{at}: programs") if "programs" in item else ()
        try:
            programs = tuple(canonical_program(p) for p in programs)
        except GuidelineError as exc:
            raise KnownFailuresError(f"{at}: programs: {exc}") from exc
        releases = _strings(item["releases"], f"{at}: releases") if "releases" in item else ()
        entries.append(KnownFailure(test, item["reason"].strip(), bug, programs, releases))
    return entries


def load_known_failures(path: Any, variable: str) -> list[KnownFailure]:
    """Read and validate a known-failures file on the controller (an empty path: none)."""
    import yaml  # controller side only (the action plugins); ansible-core depends on PyYAML

    if path in (None, ""):
        return []
    if not isinstance(path, str):
        raise KnownFailuresError(f"{variable} is {path!r}: the path of a YAML file is accepted")
    full = os.path.abspath(os.path.expanduser(path))
    try:
        with open(full, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except OSError as exc:
        raise KnownFailuresError(f"{variable} is {path!r}: cannot read it ({exc.strerror or exc})") from exc
    except yaml.YAMLError as exc:
        raise KnownFailuresError(f"{variable} is {path!r}: not valid YAML ({exc})") from exc
    return parse_known_failures(data, variable=variable, source=full)


def find_known(entries: Sequence[KnownFailure], program: str, release: str, names: Iterable[str]) -> KnownFailure | None:
    """The first entry that applies to this run and matches one of the test's names."""
    names = list(names)
    for entry in entries:
        if entry.applies(program, release) and any(entry.matches(n) for n in names):
            return entry
    return None


def pipeline_verdict(verdict: str, partial: bool, not_passed: Sequence[str], known: Iterable[str]) -> str:
    """PASS, PASS with known failures, or FAIL. A partial run is never a pass."""
    if verdict == PASS:
        return PASS
    if partial or not not_passed:
        return FAIL
    known_names = set(known)
    return PASS_KNOWN if all(name in known_names for name in not_passed) else FAIL


def known_failures_report(
    entries: Sequence[KnownFailure],
    program: str,
    release: str,
    required: Iterable[tuple[str, Sequence[str], str]],
    verdict: str,
    partial: bool,
) -> dict[str, Any]:
    """The pipeline verdict and the known failures of one program's run.

    ``required``: (name, other names, outcome) of each required test, once per test.
    ``listed``: required tests that did not pass and are known failures; ``passed``: known
    failures that passed this time (their entry may be obsolete).
    """
    listed: list[dict[str, Any]] = []
    passed: list[dict[str, Any]] = []
    not_passed: list[str] = []
    for name, aliases, outcome in required:
        entry = find_known(entries, program, release, [name, *aliases])
        if outcome != "passed":
            not_passed.append(name)
        if entry is None:
            continue
        row = {"name": name, "outcome": outcome, "test": entry.test, "reason": entry.reason, "bug": entry.bug}
        (passed if outcome == "passed" else listed).append(row)
    return {
        "pipeline_verdict": pipeline_verdict(verdict, partial, not_passed, [r["name"] for r in listed]),
        "known_failures": {"entries": len(entries), "release": release, "listed": listed, "passed": passed},
    }
