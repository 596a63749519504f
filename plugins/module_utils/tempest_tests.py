# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Match a program's guideline tests against the tests the installed Tempest really has.

The guideline names each test by its Tempest name and idempotent id
(``tempest.api.object_storage.test_x.Cls.test_y`` + ``id-<uuid>``); the installed Tempest and
its plugins list test ids with attributes (``...Cls.test_y[id-<uuid>,smoke]``, sometimes a
``(scenario)`` suffix). This module:

* parses a listing (``tempest run --list-tests`` / ``stestr list``), ignoring log lines, with
  the one test-id parser (``tempest_ids.parse_test_id``);
* matches every guideline test with the one matcher the verdict uses too
  (``tempest_ids.match_test``: idempotent id and name, then the id alone - reported in
  ``renames`` - then the name alone - reported in ``id_mismatches`` when the ids differ);
* keeps plugin tests (names that do not start with ``tempest``), unlike refstack-client;
* applies an exclusion list (regexes with reasons);
* builds the include list for ``tempest run --include-list`` (one anchored regex per test:
  ``^<escaped name>(?:\\[|\\(|$)``, so attribute changes do not matter and no other test
  matches) and checks, with stestr's own rule (``re.search`` of any line), that it selects
  exactly the intended tests;
* reports required tests the installed Tempest lacks (they count as not passed), with a
  reason for each.

It also reads the versions of Tempest and its plugins from a virtualenv's ``*.dist-info``
directories (a few milliseconds), used as the key of the cached listing. A Tempest installed
by the distribution (``dist-packages``, ``*.egg-info``) is read by its own Python with
``importlib.metadata`` instead.

Standard library only: this file is shipped to the test-runner host with the
``openinfra.interop.tempest_tests`` module.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence
from ansible_collections.openinfra.interop.plugins.module_utils.atomic import atomic_write as _write_atomically
from ansible_collections.openinfra.interop.plugins.module_utils.tempest_ids import (
    MATCH_ID,
    MATCH_NAME,
    Index,
    InstalledTest,
    id_attr,
    match_test,
    parse_test_id,
)

__all__ = [
    "ExcludeRule",
    "Listing",
    "MatchResult",
    "TempestTestsError",
    "atomic_write",
    "build_include_lines",
    "installed_versions",
    "listing_cache_key",
    "match_tests",
    "parse_exclude",
    "parse_listing",
    "read_listing",
    "selected_by",
]


class TempestTestsError(Exception):
    """Bad input (one message naming the bad value and what is accepted)."""


@dataclass
class Listing:
    """Parsed output of ``tempest run --list-tests``."""

    tests: list[InstalledTest]
    ignored_lines: int

    def ids(self) -> list[str]:
        return [t.test_id for t in self.tests]


def parse_listing(text: str) -> Listing:
    """Every test id of a listing, in listed order, without duplicates.

    Lines that are not test ids (log lines, warnings, blank lines) are counted and ignored.
    """
    tests: list[InstalledTest] = []
    seen: set[str] = set()
    ignored = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        test = parse_test_id(line)
        if test is None:
            ignored += 1
            continue
        if test.test_id in seen:
            continue
        seen.add(test.test_id)
        tests.append(test)
    return Listing(tests, ignored)


# --------------------------------------------------------------------------------------------
# Exclusions


@dataclass(frozen=True)
class ExcludeRule:
    """Tests whose id matches ``regex`` (``re.search``, like stestr) are not run."""

    regex: str
    reason: str
    pattern: re.Pattern[str] = field(compare=False, repr=False)


def parse_exclude(items: Iterable[Any] | None) -> list[ExcludeRule]:
    """Exclusion rules from strings (``regex`` or ``regex # reason``, stestr's exclude-list
    format) or mappings ``{regex: ..., reason: ...}``."""
    rules: list[ExcludeRule] = []
    for index, item in enumerate(items or ()):
        if isinstance(item, str):
            regex, dummy, reason = item.partition("#")
            regex, reason = regex.strip(), reason.strip()
        elif isinstance(item, Mapping):
            unknown = sorted(set(item) - {"regex", "reason"})
            if unknown:
                raise TempestTestsError(
                    "exclude[%d] has unknown keys %s; accepted keys: regex, reason" % (index, ", ".join(unknown))
                )
            regex = str(item.get("regex") or "").strip()
            reason = str(item.get("reason") or "").strip()
        else:
            raise TempestTestsError(
                "exclude[%d] must be a string ('regex' or 'regex # reason') or a mapping with "
                "'regex' and 'reason', got %r" % (index, item)
            )
        if not regex:
            raise TempestTestsError("exclude[%d] has an empty regex: %r" % (index, item))
        try:
            pattern = re.compile(regex)
        except re.error as exc:
            raise TempestTestsError("exclude[%d]: invalid regex %r: %s" % (index, regex, exc)) from None
        rules.append(ExcludeRule(regex, reason or "excluded by the operator (regex %s)" % regex, pattern))
    return rules


# --------------------------------------------------------------------------------------------
# Matching


@dataclass
class _Wanted:
    """One guideline test (name + id), with every capability that lists it."""

    name: str
    idempotent_id: str | None
    aliases: tuple[str, ...]
    capabilities: list[str]
    flagged: bool


def _wanted_tests(tests: Sequence[Mapping[str, Any]]) -> list[_Wanted]:
    """Guideline entries (one per test per capability) grouped per test."""
    grouped: dict[tuple[str, str | None], _Wanted] = {}
    for index, entry in enumerate(tests):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise TempestTestsError(
                "tests[%d] must be a mapping with at least a 'name' (as guideline_info returns "
                "them: name, idempotent_id, capability, aliases), got %r" % (index, entry)
            )
        name = entry["name"].strip()
        ident = id_attr(str(entry.get("idempotent_id") or ""))
        aliases = tuple(str(a).strip() for a in (entry.get("aliases") or ()) if str(a).strip())
        key = (name, ident)
        wanted = grouped.get(key)
        if wanted is None:
            wanted = grouped[key] = _Wanted(name, ident, aliases, [], bool(entry.get("flagged")))
        capability = entry.get("capability")
        if capability and capability not in wanted.capabilities:
            wanted.capabilities.append(str(capability))
        for alias in aliases:
            if alias not in wanted.aliases:
                wanted.aliases = wanted.aliases + (alias,)
    return list(grouped.values())


@dataclass
class MatchResult:
    """What to run for a program and what the installed Tempest cannot run."""

    tests: list[dict[str, Any]]
    selected: list[InstalledTest]
    missing: list[dict[str, Any]]
    excluded: list[dict[str, Any]]
    renames: list[dict[str, Any]]
    id_mismatches: list[dict[str, Any]]
    include_lines: list[str]

    @property
    def selected_ids(self) -> list[str]:
        return [t.test_id for t in self.selected]

    def missing_reasons(self) -> dict[str, str]:
        """Reason per guideline test name (the form ``refstack_results`` takes)."""
        reasons: dict[str, str] = {}
        for entry in self.missing + self.excluded:
            reasons[entry["name"]] = entry["reason"]
        return reasons

    def counts(self) -> dict[str, int]:
        return {
            "required": len(self.tests),
            "matched": sum(1 for t in self.tests if t["matched"]),
            "missing": len(self.missing),
            "excluded": len(self.excluded),
            "renamed": len(self.renames),
            "selected": len(self.selected),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "counts": self.counts(),
            "tests": self.tests,
            "selected": self.selected_ids,
            "missing": self.missing,
            "excluded": self.excluded,
            "renames": self.renames,
            "id_mismatches": self.id_mismatches,
            "missing_reasons": self.missing_reasons(),
        }


def match_tests(
    guideline_tests: Sequence[Mapping[str, Any]],
    listing: Listing | Sequence[InstalledTest],
    exclude: Sequence[ExcludeRule] = (),
    installed_label: str = "the installed Tempest and plugins",
    include_list: bool = True,
) -> MatchResult:
    """Match the guideline tests of a program against the installed tests.

    ``guideline_tests`` are mappings like ``guideline_info``'s ``tests`` (``name``,
    ``idempotent_id``, ``capability``, ``aliases``, ...); a test listed under two capabilities
    is matched once. ``include_list=False`` leaves ``include_lines`` empty.
    """
    installed = listing.tests if isinstance(listing, Listing) else list(listing)
    index = Index(installed, lambda t: t.name, lambda t: t.idempotent_id)

    rows: list[dict[str, Any]] = []
    chosen: dict[str, InstalledTest] = {}
    missing: list[dict[str, Any]] = []
    excluded: list[dict[str, Any]] = []
    renames: list[dict[str, Any]] = []
    mismatches: list[dict[str, Any]] = []
    for wanted in _wanted_tests(guideline_tests):
        match = match_test(wanted.name, wanted.idempotent_id, wanted.aliases, index)
        found: list[InstalledTest] = match.candidates
        how = match.how
        if how == MATCH_ID:
            renames.append({
                "guideline_name": wanted.name,
                "idempotent_id": wanted.idempotent_id,
                "installed_names": sorted({t.name for t in found}),
                "ambiguous": match.ambiguous,
                "capabilities": list(wanted.capabilities),
            })
        elif how == MATCH_NAME and wanted.idempotent_id:
            mismatches.append({
                "name": wanted.name,
                "guideline_id": wanted.idempotent_id,
                "installed_ids": sorted({t.idempotent_id or "" for t in found}),
            })
        row = {
            "name": wanted.name,
            "idempotent_id": wanted.idempotent_id,
            "capabilities": list(wanted.capabilities),
            "matched": bool(found),
            "how": how,
            "installed": sorted({t.test_id for t in found}),
        }
        rows.append(row)
        if not found:
            missing.append({
                "name": wanted.name,
                "idempotent_id": wanted.idempotent_id,
                "capabilities": list(wanted.capabilities),
                "reason": "not in %s (no test with idempotent id %s or name %s)"
                % (installed_label, wanted.idempotent_id or "-", wanted.name),
            })
            continue
        kept = []
        for test in found:
            rule = next((r for r in exclude if r.pattern.search(test.test_id)), None)
            if rule is None:
                kept.append(test)
        if not kept:
            rule = next(r for r in exclude if r.pattern.search(found[0].test_id))
            row["excluded"] = rule.reason
            excluded.append({
                "name": wanted.name,
                "idempotent_id": wanted.idempotent_id,
                "capabilities": list(wanted.capabilities),
                "regex": rule.regex,
                "reason": "excluded: %s" % rule.reason,
            })
            continue
        for test in kept:
            chosen.setdefault(test.test_id, test)

    selected = [t for t in installed if t.test_id in chosen]
    if not include_list:  # only the match is wanted (guideline_check): skip the costly regex check
        return MatchResult(rows, selected, missing, excluded, renames, mismatches, [])
    lines = build_include_lines(selected)
    picked = set(selected_by(lines, [t.test_id for t in installed]))
    if picked != set(chosen):
        # A regex by name would select a test it should not (never seen, kept as a guard):
        # fall back to exact ids.
        lines = sorted("^%s$" % re.escape(t.test_id) for t in selected)
    return MatchResult(rows, selected, missing, excluded, renames, mismatches, lines)


def build_include_lines(tests: Iterable[InstalledTest]) -> list[str]:
    """One anchored regex per test name (scenarios of a test share it), sorted."""
    return sorted({"^%s(?:\\[|\\(|$)" % re.escape(t.name) for t in tests})


def selected_by(lines: Iterable[str], test_ids: Iterable[str]) -> list[str]:
    """The test ids an include list selects, with stestr's rule (``re.search`` of any line;
    text after ``#`` is a comment)."""
    patterns = []
    for line in lines:
        regex = line.split("#", 1)[0].strip()
        if regex:
            patterns.append(re.compile(regex))
    return [t for t in test_ids if any(p.search(t) for p in patterns)]


def include_file_text(lines: Sequence[str], header: Sequence[str] = ()) -> str:
    """The include list file: ``# `` comment lines, then one regex per line."""
    out = ["# %s" % h.replace("\n", " ") for h in header]
    out.extend(lines)
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------
# Installed versions (cache key of the listing)


def _dist_name(metadata_path: str) -> tuple[str, str] | None:
    name = version = None
    try:
        with open(metadata_path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if not line.strip():
                    break
                if line.startswith("Name:") and name is None:
                    name = line[5:].strip()
                elif line.startswith("Version:") and version is None:
                    version = line[8:].strip()
    except OSError:
        return None
    if not name or not version:
        return None
    return name, version


def _has_tempest_plugin(dist_info: str) -> bool:
    try:
        with open(os.path.join(dist_info, "entry_points.txt"), encoding="utf-8", errors="replace") as handle:
            return any(line.strip() == "[tempest.test_plugins]" for line in handle)
    except OSError:
        return False


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


#: Run by the Python Tempest is installed for: the same versions as the dist-info reading,
#: for any installation (dist-packages, egg-info) that Python sees.
VERSIONS_SCRIPT = r"""
import json, sys
from importlib import metadata
out = {"python": "python%d.%d" % sys.version_info[:2], "plugins": {}}
for dist in metadata.distributions():
    name = (dist.metadata["Name"] or "").lower().replace("_", "-").replace(".", "-")
    if name in ("tempest", "stestr", "python-tempestconf"):
        out[name] = dist.version
    elif any(ep.group == "tempest.test_plugins" for ep in dist.entry_points):
        out["plugins"][name] = dist.version
print(json.dumps(out))
"""


#: Runs argv, returns (rc, stdout, stderr): the module's ``run_command``.
Runner = Callable[[Sequence[str]], "tuple[int, str, str]"]


def versions_from_python(python: str, run: Runner) -> dict[str, Any]:
    """:func:`installed_versions` for a Python without a virtualenv layout (distribution packages)."""
    rc, out, err = run([python, "-c", VERSIONS_SCRIPT])
    try:
        found = json.loads(out)
    except ValueError:
        raise TempestTestsError("%s could not read the installed versions (exit %d): %s"
                                % (python, rc, " ".join((err or "").strip().splitlines()[-1:])[-300:])) from None
    if not found.get("tempest"):
        raise TempestTestsError("Tempest is not installed for %s (importlib.metadata finds no tempest)" % python)
    versions = {
        "python": found["python"],
        "tempest": found["tempest"],
        "stestr": found.get("stestr"),
        "plugins": dict(sorted(found["plugins"].items())),
    }
    if found.get("python-tempestconf"):
        versions["python_tempestconf"] = found["python-tempestconf"]
    return versions


def installed_versions(venv: str, run: Runner | None = None) -> dict[str, Any]:
    """Versions that decide what ``tempest run --list-tests`` prints in ``venv``.

    ``tempest``, ``stestr`` and every distribution registering a ``tempest.test_plugins``
    entry point, read from the ``*.dist-info`` directories (no interpreter started). A
    directory without a virtualenv layout whose ``bin/python`` is the distribution's Python
    (the tempestconf role's prefix for ``tempestconf_install_method: system``) is asked with
    :func:`versions_from_python` (``run``: how to start it).
    """
    site_dirs = sorted(glob.glob(os.path.join(venv, "lib", "python3*", "site-packages")))
    site_dirs += sorted(glob.glob(os.path.join(venv, "lib64", "python3*", "site-packages")))
    if not site_dirs and run is not None and os.access(os.path.join(venv, "bin", "python"), os.X_OK):
        return versions_from_python(os.path.join(venv, "bin", "python"), run)
    if not site_dirs:
        raise TempestTestsError(
            "no lib/python3*/site-packages under %s: is it the virtualenv Tempest was installed in?" % venv
        )
    tempest: str | None = None
    stestr: str | None = None
    plugins: dict[str, str] = {}
    python = os.path.basename(os.path.dirname(site_dirs[0]))
    for site in site_dirs:
        for dist_info in glob.glob(os.path.join(site, "*.dist-info")):
            found = _dist_name(os.path.join(dist_info, "METADATA"))
            if found is None:
                continue
            name, version = found
            key = _normalise(name)
            if key == "tempest":
                tempest = version
            elif key == "stestr":
                stestr = version
            elif _has_tempest_plugin(dist_info):
                plugins[key] = version
    if tempest is None:
        raise TempestTestsError("Tempest is not installed in %s (no tempest-*.dist-info found)" % venv)
    return {
        "python": python,
        "tempest": tempest,
        "stestr": stestr,
        "plugins": dict(sorted(plugins.items())),
    }


def listing_cache_key(versions: Mapping[str, Any]) -> str:
    """Short stable digest of :func:`installed_versions`."""
    payload = json.dumps(versions, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()[:16]


def versions_label(versions: Mapping[str, Any]) -> str:
    """``tempest 47.0.0 + designate-tempest-plugin 0.30.0`` style label."""
    parts = ["tempest %s" % versions.get("tempest")]
    parts.extend("%s %s" % item for item in (versions.get("plugins") or {}).items())
    return " + ".join(parts)


def atomic_write(path: str, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` atomically, creating its directory first."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    _write_atomically(path, data, mode)


def read_listing(path: str) -> Listing:
    """A saved listing (``tempest run --list-tests`` output, e.g. the cached one), gzip or not."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise TempestTestsError("listing_file: cannot read %s: %s" % (path, exc.strerror or exc)) from None
    if raw[:2] == b"\x1f\x8b":
        import gzip  # local: only recorded fixtures are compressed

        raw = gzip.decompress(raw)
    listing = parse_listing(raw.decode("utf-8", "replace"))
    if not listing.tests:
        raise TempestTestsError("listing_file: %s lists no test id (is it 'tempest run --list-tests' output?)" % path)
    return listing
