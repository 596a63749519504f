# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Consistency check of a (candidate) guideline against its JSON schema and the installed Tempest.

What the Interop Working Group's ``checktests.py`` (the ``interop-tempest-consistency`` job)
checked, as findings with a severity:

* ``schema``: the document does not validate against ``guidelines/schema/<schema>.json``
  (schemas 1.5, 1.6, 2.0; 1.2 to 1.4 have none and are checked by the loader only);
* ``missing``: a test is neither under its idempotent id nor under its name (or an alias) in
  the listing of the installed Tempest and plugins;
* ``renamed``: the idempotent id is listed under another name (the likely rename is named);
* ``id_drift``: the name is listed, with another idempotent id;
* ``alias_conflict``: an alias that is the test's own name or another test of the guideline
  (an alias is an older or subclass name, used only when the name itself is gone);
* ``duplicate_id``: two different tests (not aliases of each other) share an idempotent id;
* ``flag_without_reason``: a flagged test whose flag has no reason;
* ``empty_capability``: a capability without tests; ``undefined_capability``: a component
  names a capability the guideline does not define (a warning: upstream 2018.02 and next
  have such leftovers, and the RefStack server ignores them).

Drift that happened after a guideline was approved (Tempest removed or renamed the test) is
listed in ``guidelines/drift/known-drift.json`` and reported as ``known``, not as an error: the
bundled guidelines are historical documents and are never edited. A test of a ``removed``
capability that Tempest no longer has is a warning. Everything else is an error, so a
candidate guideline with a new problem fails the check.

Matching of guideline tests to installed tests is :func:`tempest_tests.match_tests`, the same
rule a certification run uses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Sequence

from ansible_collections.openinfra.interop.plugins.module_utils.guideline import (
    STATUSES,
    Guideline,
    GuidelineError,
    bundled_guidelines_dir,
)
from ansible_collections.openinfra.interop.plugins.module_utils.tempest_ids import InstalledTest
from ansible_collections.openinfra.interop.plugins.module_utils.tempest_tests import (
    Listing,
    match_tests,
)

__all__ = [
    "ERROR",
    "KNOWN",
    "WARNING",
    "CheckReport",
    "Finding",
    "check_guideline",
    "known_drift",
    "schema_errors",
]

ERROR = "error"
WARNING = "warning"
KNOWN = "known"
SEVERITIES = (ERROR, WARNING, KNOWN)
KNOWN_DRIFT_FILE = "drift/known-drift.json"
_MAX_SCHEMA_ERRORS = 50


@dataclass(frozen=True)
class Finding:
    """One problem of a guideline."""

    kind: str
    severity: str
    message: str
    test: str = ""
    idempotent_id: str = ""
    capability: str = ""
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "message": self.message,
            "test": self.test,
            "idempotent_id": self.idempotent_id,
            "capability": self.capability,
            "detail": self.detail,
        }


@dataclass
class CheckReport:
    """Findings of one guideline."""

    guideline: str
    source: str
    schema: str
    schema_file: str
    tests: int
    findings: list[Finding]

    @property
    def passed(self) -> bool:
        return not any(f.severity == ERROR for f in self.findings)

    def counts(self) -> dict[str, int]:
        counts = {s: 0 for s in SEVERITIES}
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts

    def as_dict(self) -> dict[str, Any]:
        return {
            "guideline": self.guideline,
            "source": self.source,
            "schema": self.schema,
            "schema_file": self.schema_file,
            "tests": self.tests,
            "passed": self.passed,
            "counts": self.counts(),
            "findings": [f.as_dict() for f in self.findings],
        }

    def text(self) -> str:
        """A readable report: one head line, then one line per finding, errors first."""
        counts = self.counts()
        head = "%s %s: %d tests, %d errors, %d warnings, %d known drift" % (
            "PASS" if self.passed else "FAIL", self.guideline, self.tests,
            counts[ERROR], counts[WARNING], counts[KNOWN])
        order = {s: n for n, s in enumerate(SEVERITIES)}
        lines = [head]
        for f in sorted(self.findings, key=lambda f: (order[f.severity], f.kind, f.test, f.capability)):
            lines.append("  %-7s %-20s %s" % (f.severity, f.kind, f.message))
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Schema


def schema_file_for(schema: str, schema_dir: Path | None = None) -> Path | None:
    """The bundled JSON schema of a guideline schema version (None when there is none).

    Only files that declare ``$schema`` are schemas: ``next.2.0.json`` upstream is a
    guideline document kept next to them, not a schema.
    """
    folder = schema_dir or bundled_guidelines_dir() / "schema"
    path = folder / ("%s.json" % schema)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return path if isinstance(data, dict) and "$schema" in data else None


def schema_errors(data: Any, schema_path: Path) -> list[str]:
    """Messages of every place ``data`` breaks the JSON schema (``path: message``)."""
    try:
        import jsonschema  # only this check needs it: imported here, so the engine works without it
    except ImportError:
        raise GuidelineError(
            "the Python package jsonschema is needed to check a guideline against its schema; "
            "install it on the controller (pip install jsonschema)"
        ) from None
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema)
    messages: list[str] = []
    try:
        for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
            where = ".".join(str(p) for p in error.absolute_path) or "(document)"
            messages.append("%s: %s" % (where, error.message[:300]))
    except Exception as exc:  # a schema with a broken $ref (jsonschema and referencing have no common base)
        if type(exc).__module__.split(".", maxsplit=1)[0] not in ("jsonschema", "referencing"):
            raise
        messages.append("the schema %s cannot be applied: %s" % (schema_path.name, str(exc)[:300]))
    return messages


# --------------------------------------------------------------------------------------------
# Known drift


def _subject(kind: str, test: str, capability: str) -> str:
    return capability if kind == "empty_capability" else test


def known_drift(path: Path | None = None) -> set[tuple[str, str, str, str]]:
    """(guideline, kind, test or capability, idempotent id) of every known finding.

    ``guidelines/drift/known-drift.json``: ``{"drift": [{"kind", "test" or "capability",
    "idempotent_id", "guidelines": [...]}, ...]}``. An entry is known only for the guidelines
    it names: a new guideline with the same problem fails.
    """
    source = path or bundled_guidelines_dir() / KNOWN_DRIFT_FILE
    if not source.is_file():
        return set()
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GuidelineError("cannot read the known drift list %s: %s" % (source, exc)) from None
    entries = data.get("drift") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise GuidelineError("%s must be an object with a list 'drift' of objects" % source)
    known: set[tuple[str, str, str, str]] = set()
    for entry in entries:
        subject = _subject(str(entry.get("kind")), str(entry.get("test") or ""), str(entry.get("capability") or ""))
        for name in entry.get("guidelines") or ():
            known.add((str(name), str(entry.get("kind")), subject, str(entry.get("idempotent_id") or "")))
    return known


# --------------------------------------------------------------------------------------------
# The check


def _flag_reason(details: Any) -> str:
    if isinstance(details, dict):
        flag = details.get("flagged")
        if isinstance(flag, dict):
            return str(flag.get("reason") or "").strip()
        if isinstance(flag, str):
            return flag.strip()
    return ""


def _structure_findings(guideline: Guideline) -> list[Finding]:
    """Duplicate ids, flags without reason, empty and undefined capabilities."""
    findings: list[Finding] = []
    data = guideline.data
    capabilities = data["capabilities"]
    names_by_id: dict[str, dict[str, str]] = {}
    alias_of: dict[str, set[str]] = {}
    for cap, body in capabilities.items():
        tests = body.get("tests") or {}
        if not tests:
            findings.append(Finding("empty_capability", ERROR, "capability %s has no tests" % cap, capability=cap))
        if guideline.schema == "1.2":
            continue  # bare names: no ids, flags are a plain list without reasons
        for name, details in tests.items():
            ident = str(details.get("idempotent_id") or "").lower()
            aliases = set(details.get("aliases") or ())
            alias_of.setdefault(name, set()).update(aliases)
            if ident:
                names_by_id.setdefault(ident, {}).setdefault(name, cap)
            if details.get("flagged") and not _flag_reason(details):
                findings.append(Finding(
                    "flag_without_reason", ERROR,
                    "%s (capability %s) is flagged without a reason" % (name, cap),
                    test=name, idempotent_id=ident, capability=cap))
    for ident, names in sorted(names_by_id.items()):
        if len(names) < 2:
            continue
        ordered = sorted(names)
        related = all(
            any(other in alias_of.get(name, set()) or name in alias_of.get(other, set()) for other in ordered if other != name)
            for name in ordered
        )
        if related:
            continue
        findings.append(Finding(
            "duplicate_id", ERROR,
            "idempotent id %s is given to %d different tests: %s" % (ident, len(ordered), ", ".join(ordered)),
            test=ordered[0], idempotent_id=ident, capability=", ".join(sorted(set(names.values())))))
    for comp, statuses in sorted((c, guideline._statuses(c)) for c in data["components"]):
        for status, caps in statuses.items():
            for cap in caps:
                if cap not in capabilities:
                    findings.append(Finding(
                        "undefined_capability", WARNING,
                        "component %s lists %s capability %s, which the guideline does not define"
                        % (comp, status, cap), capability=cap))
    return findings


def _status_of(guideline: Guideline) -> dict[str, str]:
    """Capability -> its strongest status over every component (required first)."""
    rank = {s: n for n, s in enumerate(STATUSES)}
    found: dict[str, str] = {}
    for comp in guideline.data["components"]:
        for status, caps in guideline._statuses(comp).items():
            for cap in caps:
                if cap not in found or rank.get(status, 99) < rank.get(found[cap], 99):
                    found[cap] = status
    return found


def _all_tests(guideline: Guideline) -> list[dict[str, Any]]:
    """Every test of every defined capability, like guideline_info's ``tests`` (flagged too)."""
    status = _status_of(guideline)
    entries: list[dict[str, Any]] = []
    for cap, body in guideline.data["capabilities"].items():
        for name, ident, flagged, aliases in guideline._cap_tests(body):
            entries.append({
                "name": name, "idempotent_id": ident, "capability": cap,
                "status": status.get(cap, "unlisted"), "flagged": flagged, "aliases": list(aliases),
            })
    return entries


def _mark_known(finding: Finding, guideline: str, known: set[tuple[str, str, str, str]]) -> Finding:
    """An error recorded in the known drift list for this guideline becomes ``known``."""
    key = (guideline, finding.kind, _subject(finding.kind, finding.test, finding.capability), finding.idempotent_id)
    if finding.severity == ERROR and key in known:
        return replace(finding, severity=KNOWN)
    return finding


def check_guideline(
    guideline: Guideline,
    listing: Listing | Sequence[InstalledTest],
    *,
    installed_label: str = "the installed Tempest and plugins",
    drift: set[tuple[str, str, str, str]] | None = None,
    schema_dir: Path | None = None,
) -> CheckReport:
    """Every finding of one guideline (see the module docstring)."""
    findings: list[Finding] = []
    schema_path = schema_file_for(guideline.schema, schema_dir)
    if schema_path is not None:
        for message in schema_errors(guideline.data, schema_path)[:_MAX_SCHEMA_ERRORS]:
            findings.append(Finding("schema", ERROR, "schema %s: %s" % (guideline.schema, message), detail=message))
    findings.extend(_structure_findings(guideline))

    known = drift if drift is not None else known_drift()
    entries = _all_tests(guideline)
    statuses: dict[str, set[str]] = {}
    for entry in entries:
        statuses.setdefault(entry["name"], set()).add(entry["status"])
    match = match_tests(entries, listing, installed_label=installed_label, include_list=False)

    def severity(name: str) -> str:
        if statuses.get(name, set()) <= {"removed"}:
            return WARNING  # no longer part of the guideline's program
        return ERROR

    for miss in match.missing:
        findings.append(Finding(
            "missing", severity(miss["name"]),
            "%s [%s] (%s) is %s" % (miss["name"], miss["idempotent_id"] or "no id",
                                    ", ".join(miss["capabilities"]), miss["reason"]),
            test=miss["name"], idempotent_id=miss["idempotent_id"] or "",
            capability=", ".join(miss["capabilities"])))
    for rename in match.renames:
        likely = ", ".join(rename["installed_names"])
        findings.append(Finding(
            "renamed", severity(rename["guideline_name"]),
            "%s [%s] is listed under another name: %s%s" % (
                rename["guideline_name"], rename["idempotent_id"], likely,
                " (ambiguous)" if rename["ambiguous"] else " (likely rename)"),
            test=rename["guideline_name"], idempotent_id=rename["idempotent_id"],
            capability=", ".join(rename["capabilities"]), detail=likely))
    for drift_entry in match.id_mismatches:
        ids = ", ".join(i or "no id" for i in drift_entry["installed_ids"])
        findings.append(Finding(
            "id_drift", severity(drift_entry["name"]),
            "%s has idempotent id %s in the guideline but %s installed" % (drift_entry["name"], drift_entry["guideline_id"], ids),
            test=drift_entry["name"], idempotent_id=drift_entry["guideline_id"], detail=ids))
    listed = {e["name"] for e in entries}
    for entry in entries:
        for alias in entry["aliases"]:
            if alias == entry["name"] or alias in listed:
                findings.append(Finding(
                    "alias_conflict", ERROR,
                    "alias %s of %s is %s" % (alias, entry["name"], "the test's own name" if alias == entry["name"]
                                              else "a test of the guideline itself"),
                    test=entry["name"], idempotent_id=entry["idempotent_id"] or "", capability=entry["capability"],
                    detail=alias))
    findings = [_mark_known(f, guideline.name, known) for f in findings]
    unique = {(e["name"], e["idempotent_id"]) for e in entries}
    return CheckReport(
        guideline=guideline.name,
        source=str(guideline.source),
        schema=guideline.schema,
        schema_file=str(schema_path) if schema_path else "",
        tests=len(unique),
        findings=findings,
    )


def drift_entries(reports: Iterable[CheckReport]) -> list[dict[str, Any]]:
    """Known-drift entries for every error of ``reports`` (how ``guidelines/drift/known-drift.json``
    is recorded from the bundled guidelines; see guidelines/README.md)."""
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    for report in reports:
        for f in report.findings:
            if f.severity not in (ERROR, KNOWN):
                continue
            key = (f.kind, _subject(f.kind, f.test, f.capability), f.idempotent_id)
            entry = found.setdefault(key, {"kind": f.kind, "guidelines": []})
            if f.kind == "empty_capability":
                entry["capability"] = f.capability
            else:
                entry.update(test=f.test, idempotent_id=f.idempotent_id)
            if f.detail:
                entry["installed"] = f.detail
            if report.guideline not in entry["guidelines"]:
                entry["guidelines"].append(report.guideline)
    return [found[k] for k in sorted(found)]
