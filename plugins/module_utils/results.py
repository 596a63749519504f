# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Turn Tempest subunit v2 streams into the result artifacts of one interop program.

Inputs: the stream(s) of a run (a second attempt from ``rerun_failed`` is merged: the later
attempt wins for the tests it re-ran, both attempts are recorded), the required tests of the
program (objects with the attributes of ``guideline.GuidelineTest``), the CPID and metadata.

Artifacts (all built in memory as bytes, written atomically by :func:`write_results`):

``refstack-result.json``
    Byte-compatible with refstack-client: ``{"cpid", "duration_seconds", "results"}`` with one
    ``{"name", "uuid"}`` per passed test in the order the tests finished; ``name`` is the test
    id with everything from the first ``[`` to the last ``]`` removed (a ``(scenario)`` suffix
    stays), ``uuid`` the first ``id-`` attr of the first ``[...]`` group without the prefix
    (omitted when absent); ``json.dumps(..., indent=4)``, no trailing newline.
``junit.xml``, ``report.html`` (self-contained), ``summary.json``, ``results.subunit``
    (attempt 1 as produced; ``results.attempt-N.subunit`` for later attempts).

Matching a required test to the run: the include list's rule, ``tempest_ids.match_test``
(idempotent id with the guideline name, then with an alias, since inherited test classes share
ids; then the id alone, a rename; then the name alone, with or without a ``(scenario)``
suffix); then a failed or skipped ``setUpClass``/``setUpModule`` of its class or module. Several run tests for
one required test (e.g. ddt variants sharing an id) count as the worst of them. Required tests
without any result are ``missing`` (with the reason the caller gives, if any); missing is not
passed. The verdict is ``PASS`` only if every required test passed.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Protocol, Sequence

from ansible_collections.openinfra.interop.plugins.module_utils.subunit_v2 import ParsedStream, TestRecord, parse
from ansible_collections.openinfra.interop.plugins.module_utils.atomic import atomic_write, same_content
from ansible_collections.openinfra.interop.plugins.module_utils.explain import explain
from ansible_collections.openinfra.interop.plugins.module_utils.tempest_ids import (
    Index,
    match_test,
    normalize_id,
    refstack_name,
    refstack_uuid,
    strip_scenario,
)
from ansible_collections.openinfra.interop.plugins.module_utils.programs import ALL_REQUIRED_PASSED, FAIL, NO_TEST_FAILED, PASS
from ansible_collections.openinfra.interop.plugins.module_utils.known_failures import (
    KnownFailure,
    known_failures_report,
)

PASSED = "passed"
FAILED = "failed"
SKIPPED = "skipped"
MISSING = "missing"
OUTCOMES = (PASSED, FAILED, SKIPPED, MISSING)
# Several run tests matching one required test: the worst one counts.
_SEVERITY = {PASSED: 0, SKIPPED: 1, MISSING: 2, FAILED: 3}
_STATUS_OUTCOME = {
    "success": PASSED,
    "fail": FAILED,
    "uxsuccess": FAILED,
    "xfail": FAILED,
    "skip": SKIPPED,
    "inprogress": MISSING,
}

REFSTACK_FILE = "refstack-result.json"
JUNIT_FILE = "junit.xml"
HTML_FILE = "report.html"
SUMMARY_FILE = "summary.json"
SUBUNIT_FILE = "results.subunit"
#: When and from what a result was scored (guideline or list and its source, the streams by
#: digest). Beside the verdict artifacts, not in them: it is written with a result that changed
#: and left alone when the same input is scored again, so a rescoring that gives the same bytes
#: changes nothing and the file keeps the time that verdict was first written.
SCORING_FILE = "scoring.json"
SUMMARY_SCHEMA = 1

_FIXTURE = re.compile(r"^(setUpClass|setUpModule|tearDownClass|tearDownModule) \((?P<target>[^()]+)\)$")
_encode_json_str = json.encoder.encode_basestring_ascii  # what json.dumps uses for str
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class GuidelineTestLike(Protocol):
    """What is used of ``guideline.GuidelineTest``."""

    name: str
    idempotent_id: str | None
    capability: str
    aliases: tuple[str, ...]


class ResultsError(ValueError):
    """Bad input to the results builder (one clear message)."""


# ---------------------------------------------------------------------------------------------
# Names and ids
# ---------------------------------------------------------------------------------------------


def _first_line(text: str, limit: int = 300) -> str:
    for line in text.splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= limit else line[: limit - 1] + "\u2026"
    return ""


def failure_message(traceback: str, limit: int = 300) -> str:
    """The exception line of a Python traceback (the first unindented line after the frames)."""
    lines = traceback.rstrip().splitlines()
    last_frame = -1
    for index, line in enumerate(lines):
        if line.startswith("  File "):
            last_frame = index
    for line in lines[last_frame + 1:]:
        if line and not line[0].isspace() and not line.startswith("Traceback ("):
            return _first_line(line, limit)
    return _first_line(lines[-1], limit) if lines else ""


# ---------------------------------------------------------------------------------------------
# Attempts and merge
# ---------------------------------------------------------------------------------------------


@dataclass
class StreamInput:
    """One attempt: the raw subunit v2 bytes, whether the runner cut it short, and where the
    bytes came from (named in the error when they are not a stream or hold no test)."""

    data: bytes
    interrupted: bool = False
    source: str = ""


@dataclass
class Attempt:
    number: int
    data: bytes
    stream: ParsedStream
    interrupted: bool

    @property
    def file_name(self) -> str:
        return SUBUNIT_FILE if self.number == 1 else f"results.attempt-{self.number}.subunit"

    @property
    def partial(self) -> bool:
        return self.interrupted or self.stream.partial

    @property
    def duration(self) -> float:
        start, stop = self.stream.start, self.stream.stop
        return 0.0 if start is None or stop is None else max(0.0, stop - start)


@dataclass
class RunTest:
    """The final record of one test id over all attempts, with the statuses of each attempt."""

    record: TestRecord
    attempt: int
    history: list[tuple[int, str]] = field(default_factory=list)
    #: RefStack name and uuid of the test id (the id never changes between attempts).
    name: str = field(init=False)
    uuid: str | None = field(init=False)

    def __post_init__(self) -> None:
        self.name = refstack_name(self.record.test_id)
        self.uuid = refstack_uuid(self.record.test_id)

    @property
    def test_id(self) -> str:
        return self.record.test_id

    @property
    def outcome(self) -> str:
        return _STATUS_OUTCOME.get(self.record.status or "", MISSING)

    def reason(self) -> str:
        record = self.record
        if record.status == "inprogress":
            return "started but never finished (the run was interrupted)"
        if record.status == "skip":
            return _first_line(record.text("reason")) or "skipped"
        if record.status in ("fail", "uxsuccess", "xfail"):
            if record.status == "uxsuccess":
                return "unexpected success"
            if record.status == "xfail":
                return "expected failure (not a pass)"
            return failure_message(record.text("traceback")) or "failed"
        return ""

    def details(self) -> str:
        if self.record.status == "skip":
            return self.record.text("reason")
        return self.record.text("traceback")


def merge_attempts(attempts: Sequence[Attempt]) -> list[RunTest]:
    """Final result per test id; a later attempt replaces a test in place, both are recorded."""
    merged: list[RunTest] = []
    index: dict[str, int] = {}
    for attempt in attempts:
        for record in attempt.stream.records:
            status = record.status or "inprogress"
            position = index.get(record.test_id)
            if position is None:
                index[record.test_id] = len(merged)
                merged.append(RunTest(record, attempt.number, [(attempt.number, status)]))
            else:
                run_test = merged[position]
                run_test.record = record
                run_test.attempt = attempt.number
                run_test.history.append((attempt.number, status))
    return merged


#: The outcomes that fail a program (or a capability) under each verdict rule: a test list
#: allows skips. Both the verdict and the pipeline verdict (known failures) read it.
_FAILING_OUTCOMES: dict[str, tuple[str, ...]] = {
    ALL_REQUIRED_PASSED: (FAILED, SKIPPED, MISSING),
    NO_TEST_FAILED: (FAILED, MISSING),
}


def _failing_outcomes(rule: str) -> tuple[str, ...]:
    if rule not in _FAILING_OUTCOMES:
        raise ResultsError(f"unknown verdict rule {rule!r}")
    return _FAILING_OUTCOMES[rule]


def _passes(rule: str, counts: Mapping[str, int]) -> bool:
    """Whether counts (of a program or a capability) pass the program's verdict rule."""
    return not any(counts[outcome] for outcome in _failing_outcomes(rule))


def tests_of_program(run_tests: Sequence[RunTest], only_tests: Iterable[str]) -> list[RunTest]:
    """The run tests of one program out of a run shared by several programs.

    ``only_tests`` are the ids the program's include list selected. They are compared by name
    (:func:`refstack_name`, without the ``[...]`` attributes): the listing and the stream may
    disagree on the attributes (a ``slow`` tag). A class or module fixture
    (``setUpClass (module.Class)``) stays when it is the fixture of a selected test: its failure
    or skip is what that test's verdict reports. (Selected, not run: a class skipped in its
    setUpClass runs none of its tests, and the stream has only the fixture.)
    """
    wanted = {refstack_name(test_id) for test_id in only_tests}
    kept = [rt for rt in run_tests if rt.name in wanted]
    prefixes = {".".join(name.split(".")[:cut]) for name in wanted for cut in (-1, -2)}
    for rt in run_tests:
        fixture = _FIXTURE.match(rt.test_id)
        if fixture and fixture.group("target") in prefixes:
            kept.append(rt)
    order = {id(rt): n for n, rt in enumerate(run_tests)}
    return sorted(kept, key=lambda rt: order[id(rt)])


# ---------------------------------------------------------------------------------------------
# Matching required tests
# ---------------------------------------------------------------------------------------------


@dataclass
class Verdict:
    test: GuidelineTestLike
    outcome: str
    matched_by: str | None
    run_tests: list[RunTest]
    reason: str = ""
    details: str = ""
    explanation: str = ""
    #: missing on purpose: the caller gave its reason (excluded, not installed); an interrupted
    #: attempt that a later one completed leaves only such tests missing, and is not partial
    left_out: bool = False

    def as_dict(self) -> dict[str, Any]:
        history = [
            {"test": rt.test_id, "attempts": [{"attempt": n, "status": s} for n, s in rt.history]}
            for rt in self.run_tests
            if len(rt.history) > 1
        ]
        data: dict[str, Any] = {
            "name": self.test.name,
            "idempotent_id": self.test.idempotent_id,
            "capability": self.test.capability,
            "outcome": self.outcome,
            "matched_by": self.matched_by,
            "run_ids": [rt.test_id for rt in self.run_tests],
            "reason": self.reason,
            "explanation": self.explanation,
        }
        if history:
            data["attempts"] = history
        return data


def _worst(run_tests: Sequence[RunTest]) -> RunTest:
    return max(run_tests, key=lambda rt: _SEVERITY[rt.outcome])


def match_required(
    required: Sequence[GuidelineTestLike],
    run_tests: Sequence[RunTest],
    missing_reasons: Mapping[str, str] | None = None,
    interrupted: bool = False,
) -> list[Verdict]:
    """One :class:`Verdict` per required test (see the module docstring for the rules)."""
    # Keys: a test name (with or without its ``[...]`` attrs) or an idempotent id.
    reasons: dict[str, str] = {}
    for key, value in (missing_reasons or {}).items():
        key, value = str(key).strip(), str(value)
        reasons.setdefault(refstack_name(key), value)
        uuid_in_key = refstack_uuid(key)
        if uuid_in_key:
            reasons.setdefault(normalize_id(uuid_in_key) or "", value)
        if "." not in key:
            reasons.setdefault(normalize_id(key) or "", value)
    fixtures: dict[str, RunTest] = {}
    tests: list[RunTest] = []
    for rt in run_tests:
        fixture = _FIXTURE.match(rt.test_id)
        if fixture:
            if fixture.group(1).startswith("setUp") and rt.outcome in (FAILED, SKIPPED):
                fixtures[fixture.group("target")] = rt
            continue
        tests.append(rt)
    # the include list's own rule (tempest_ids.match_test); a run test answers to its name with
    # and without its (scenario)
    index = Index(tests, lambda rt: strip_scenario(rt.name), lambda rt: rt.uuid,
                  lambda rt: (rt.name, strip_scenario(rt.name)))

    verdicts: list[Verdict] = []
    for test in required:
        names = [refstack_name(n) for n in (test.name, *tuple(test.aliases or ()))]
        uuid = normalize_id(test.idempotent_id)
        match = match_test(names[0], uuid, names[1:], index)
        found: list[RunTest] = match.candidates
        matched_by = match.how
        if found:
            worst = _worst(found)
            verdicts.append(Verdict(test, worst.outcome, matched_by, found, worst.reason(), worst.details()))
            continue
        fixture_rt = None
        for name in names:
            parts = name.split(".")
            for cut in (len(parts) - 1, len(parts) - 2):
                if cut > 0 and ".".join(parts[:cut]) in fixtures:
                    fixture_rt = fixtures[".".join(parts[:cut])]
                    break
            if fixture_rt:
                break
        if fixture_rt is not None:
            verdicts.append(Verdict(
                test, fixture_rt.outcome, "fixture", [fixture_rt],
                f"{fixture_rt.test_id.split(' ', 1)[0]}: {fixture_rt.reason()}", fixture_rt.details(),
            ))
            continue
        reason = next((reasons[k] for k in [*names, uuid] if k and k in reasons), "")
        if reason:
            verdicts.append(Verdict(test, MISSING, None, [], reason, left_out=True))
            continue
        reason = "not in the test run" + (" (the run was interrupted)" if interrupted else "")
        verdicts.append(Verdict(test, MISSING, None, [], reason))
    return verdicts


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass
class Results:
    summary: dict[str, Any]
    files: dict[str, bytes]
    summary_text: str

    @property
    def verdict(self) -> str:
        return str(self.summary["verdict"])

    @property
    def partial(self) -> bool:
        return bool(self.summary["partial"])


def _coerce_attempts(attempts: Sequence[bytes | StreamInput]) -> list[Attempt]:
    if not attempts:
        raise ResultsError("At least one subunit stream (the first attempt) is required")
    out = []
    for number, item in enumerate(attempts, start=1):
        if isinstance(item, StreamInput):
            data, interrupted, source = item.data, item.interrupted, item.source
        elif isinstance(item, (bytes, bytearray, memoryview)):
            data, interrupted, source = bytes(item), False, ""
        else:
            raise ResultsError(f"Attempt {number}: expected subunit bytes, got {type(item).__name__}")
        attempt = Attempt(number, bytes(data), parse(data), interrupted)
        check_attempt(attempt, source or f"attempt {number}")
        out.append(attempt)
    return out


def check_attempt(attempt: Attempt, source: str) -> None:
    """Refuse bytes that are no result: a run that did not happen is an error, not a verdict.

    Bytes without one valid subunit v2 packet (an empty file, a text file, random bytes) are
    not a stream, whatever else is known of the run. A first attempt whose stream holds no test
    result means Tempest never ran a test (a usage error, nothing selected). A later attempt
    may be empty only when the runner cut it short before its first test: the earlier attempt
    still stands, and the result is partial.
    """
    stream = attempt.stream
    if stream.packets == 0 and not (attempt.number > 1 and attempt.interrupted and not attempt.data):
        detail = "empty file" if not attempt.data else (stream.errors[0] if stream.errors else "no packet")
        raise ResultsError(f"not a subunit v2 stream: {source} ({detail})")
    if attempt.number == 1 and not stream.records:
        raise ResultsError(
            f"no test ran: {source} is a subunit v2 stream without a single test result "
            f"({stream.packets} packets, {stream.enumerated} tests listed but not run)"
        )


def refstack_document(cpid: str, duration_seconds: int, run_tests: Iterable[RunTest]) -> bytes:
    """The RefStack result document, exactly as refstack-client writes it."""
    # The same bytes as json.dumps(content, indent=4, separators=(",", ": ")), written directly
    # because the pure-Python indenting encoder is the slowest step for thousands of tests.
    enc = _encode_json_str
    entries = []
    for rt in run_tests:
        if rt.record.status != "success":
            continue
        if rt.uuid:
            entries.append(f'        {{\n            "name": {enc(rt.name)},\n'
                           f'            "uuid": {enc(rt.uuid)}\n        }}')
        else:
            entries.append(f'        {{\n            "name": {enc(rt.name)}\n        }}')
    results = "[\n" + ",\n".join(entries) + "\n    ]" if entries else "[]"
    text = (f'{{\n    "cpid": {json.dumps(cpid)},\n    "duration_seconds": {json.dumps(duration_seconds)},\n'
            f'    "results": {results}\n}}')
    return text.encode("utf-8")


def build_results(
    attempts: Sequence[bytes | StreamInput],
    required: Sequence[GuidelineTestLike],
    *,
    program: str,
    guideline: str,
    cpid: str,
    cpid_method: str = "given",
    cpid_detail: str = "",
    cloud: str = "",
    guideline_source: str = "",
    duration_seconds: int | None = None,
    missing_reasons: Mapping[str, str] | None = None,
    metadata: Mapping[str, Any] | None = None,
    available_services: Iterable[str] | None = None,
    reported_features: Mapping[str, Iterable[str]] | None = None,
    trial: Sequence[GuidelineTestLike] = (),
    only_tests: Iterable[str] | None = None,
    verdict_rule: str = ALL_REQUIRED_PASSED,
    known_failures: Sequence[KnownFailure] = (),
    release: str = "",
) -> Results:
    """Every artifact of one program's run (pure: no I/O).

    ``cloud``: the clouds.yaml entry the run used (empty if none); with the CPID it says whose
    result this is (see :func:`store_results`).
    ``available_services``: Tempest codenames of the services the cloud offers (from discovery),
    used to explain tests that need a service the cloud lacks; ``reported_features``: extensions
    the cloud reports by service, to flag a skip that tempest.conf's feature flags caused.
    ``trial``: tests of the other statuses that ran (advisory, ...): reported per capability in
    ``summary["trial"]`` and every artifact, never counted in the verdict.
    ``only_tests``: the test ids this program's include list selected, when the streams are of
    one Tempest run shared by several programs: the other programs' tests are left out of the
    verdict, the counts and the RefStack document (see :func:`tests_of_program`).
    ``verdict_rule``: the program's rule (:data:`programs.ALL_REQUIRED_PASSED`, or
    :data:`programs.NO_TEST_FAILED` for a test list: skips pass), for the program and for each
    capability.
    ``known_failures``: entries of a known-failures file; they give ``summary["pipeline_verdict"]``
    and are listed in every artifact, while ``verdict`` and the RefStack document stay strict.
    ``release``: the cloud's OpenStack release, for entries limited to releases.
    """
    if not cpid or not isinstance(cpid, str):
        raise ResultsError(f"A CPID (non-empty string) is required, got {cpid!r}")
    if duration_seconds is not None and (not isinstance(duration_seconds, int) or duration_seconds < 0):
        raise ResultsError(f"duration_seconds must be a non-negative integer, got {duration_seconds!r}")
    runs = _coerce_attempts(attempts)
    run_tests = merge_attempts(runs)
    if only_tests is not None:
        run_tests = tests_of_program(run_tests, only_tests)
    last = runs[-1]
    verdicts = match_required(required, run_tests, missing_reasons, interrupted=any(a.partial for a in runs))
    available = None if available_services is None else list(available_services)
    for v in verdicts:
        v.explanation = explain(v.outcome, f"{v.reason}\n{v.details}", available, reported_features)
    # A test listed by two capabilities is one test for the totals.
    unique: dict[str, Verdict] = {}
    for v in verdicts:
        unique.setdefault(v.test.name, v)
    counts = {"required": len(unique), **{o: 0 for o in OUTCOMES}}
    for v in unique.values():
        counts[v.outcome] += 1
    partial = last.partial or (any(v.outcome == MISSING and not v.left_out for v in unique.values())
                               and any(a.partial for a in runs))
    verdict = PASS if unique and _passes(verdict_rule, counts) else FAIL
    if duration_seconds is None:
        duration_seconds = int(sum(a.duration for a in runs))

    capabilities: dict[str, dict[str, Any]] = {}
    for v in verdicts:
        row = capabilities.setdefault(
            v.test.capability, {"name": v.test.capability, "required": 0, **{o: 0 for o in OUTCOMES}}
        )
        row["required"] += 1
        row[v.outcome] += 1
    cap_rows = [capabilities[name] for name in sorted(capabilities)]
    for row in cap_rows:
        row["verdict"] = PASS if _passes(verdict_rule, row) else FAIL
    failing = [row["name"] for row in cap_rows if row["verdict"] == FAIL]

    renames = []
    for v in unique.values():
        if v.matched_by == "id":
            renames.append({
                "guideline_name": v.test.name,
                "idempotent_id": v.test.idempotent_id,
                "run_names": sorted({rt.name for rt in v.run_tests}),
            })
    matched_ids = {id(rt) for v in verdicts for rt in v.run_tests}
    other_failures = [
        {"test": rt.test_id, "status": rt.record.status, "reason": rt.reason()}
        for rt in run_tests
        if rt.outcome == FAILED and id(rt) not in matched_ids
    ]
    status_counts: dict[str, int] = {}
    for rt in run_tests:
        key = rt.record.status or "inprogress"
        status_counts[key] = status_counts.get(key, 0) + 1

    summary: dict[str, Any] = {
        "schema": SUMMARY_SCHEMA,
        "program": program,
        "guideline": guideline,
        "guideline_source": guideline_source,
        "verdict": verdict,
        "verdict_rule": verdict_rule,
        "partial": partial,
        "cloud": cloud,
        "cpid": cpid,
        "cpid_method": cpid_method,
        "cpid_detail": cpid_detail,
        "duration_seconds": duration_seconds,
        "counts": counts,
        "failing_capabilities": failing,
        "capabilities": cap_rows,
        "run": {
            "tests": len(run_tests),
            "statuses": dict(sorted(status_counts.items())),
            "passed_in_document": sum(1 for rt in run_tests if rt.record.status == "success"),
        },
        "attempts": [
            {
                "attempt": a.number,
                "file": a.file_name,
                "sha256": hashlib.sha256(a.data).hexdigest(),
                "bytes": len(a.data),
                "tests": len(a.stream.records),
                "partial": a.partial,
                "interrupted": a.interrupted,
                "truncated": a.stream.truncated,
                "unfinished": [r.test_id for r in a.stream.interrupted],
                "stream_errors": a.stream.errors,
                "duration_seconds": round(a.duration, 3),
            }
            for a in runs
        ],
        "renames": renames,
        "explanations": [
            {"name": v.test.name, "outcome": v.outcome, "explanation": v.explanation}
            for v in unique.values() if v.outcome != PASSED and v.explanation
        ],
        "other_failures": other_failures,
        "tests": [v.as_dict() for v in verdicts],
        "metadata": dict(metadata or {}),
    }
    summary["trial"] = trial_summary(trial, run_tests, missing_reasons, any(a.partial for a in runs))
    # only an outcome that fails the program's rule is a failure to excuse (a test list's skip is not)
    failing = _failing_outcomes(verdict_rule)
    counted = [v for v in unique.values() if v.outcome == PASSED or v.outcome in failing]
    summary.update(known_failures_report(
        known_failures, program, release,
        [(v.test.name, [refstack_name(a) for a in v.test.aliases or ()], v.outcome) for v in counted],
        verdict, partial,
    ))
    files: dict[str, bytes] = {
        REFSTACK_FILE: refstack_document(cpid, duration_seconds, run_tests),
        JUNIT_FILE: render_junit(summary, run_tests, verdicts),
        HTML_FILE: render_html(summary, runs, run_tests, verdicts),
        SUMMARY_FILE: (json.dumps(summary, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
    }
    for a in runs:
        files[a.file_name] = a.data
    return Results(summary=summary, files=files, summary_text=render_text(summary))


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------


def render_text(summary: Mapping[str, Any]) -> str:
    """Per-capability table for the playbook output."""
    counts = summary["counts"]
    head = f"Program {summary['program']} (guideline {summary['guideline']}): {summary['verdict']}"
    if summary["partial"]:
        head += " - PARTIAL (the run was interrupted; results are incomplete)"
    lines = [
        head,
        f"required {counts['required']}: passed {counts[PASSED]}, failed {counts[FAILED]}, "
        f"skipped {counts[SKIPPED]}, missing {counts[MISSING]}",
    ]
    rows = summary["capabilities"]
    width = max([len("capability")] + [len(r["name"]) for r in rows])
    lines.append(f"{'capability':<{width}}  required  passed  failed  skipped  missing  verdict")
    for r in rows:
        lines.append(
            f"{r['name']:<{width}}  {r['required']:>8}  {r[PASSED]:>6}  {r[FAILED]:>6}  "
            f"{r[SKIPPED]:>7}  {r[MISSING]:>7}  {r['verdict']}"
        )
    if summary["failing_capabilities"]:
        lines.append("failing capabilities: " + ", ".join(summary["failing_capabilities"]))
    why: dict[str, int] = {}
    for item in summary.get("explanations", ()):
        why[item["explanation"]] = why.get(item["explanation"], 0) + 1
    for explanation, count in sorted(why.items()):
        lines.append(f"not passed, {count} test{'s' if count > 1 else ''}: {explanation}")
    if summary.get("renames"):
        lines.append(f"renamed since the guideline (matched by idempotent id): {len(summary['renames'])}")
    lines.extend(_trial_text(summary.get("trial") or {}))
    lines.extend(_known_text(summary))
    validation = (summary.get("metadata") or {}).get("validation")
    if isinstance(validation, Mapping) and "run_validation" in validation:
        lines.append(
            f"validation (Tempest logs into guests over SSH): on, {validation.get('connect_method') or 'default'} IP, "
            f"user {validation.get('image_ssh_user') or '?'}" if validation["run_validation"]
            else "validation (Tempest logs into guests over SSH): off, the tests that need it skip")
    lines.append(f"CPID {summary['cpid']} ({summary['cpid_method']})")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# JUnit XML
# ---------------------------------------------------------------------------------------------


def _xml(text: Any) -> str:
    value = _XML_BAD.sub("\ufffd", str(text))
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xml_attr(text: Any) -> str:
    return (
        _xml(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    )


def _split_test_id(test_id: str) -> tuple[str, str]:
    fixture = _FIXTURE.match(test_id)
    if fixture:
        return fixture.group("target"), fixture.group(1)
    head = strip_scenario(refstack_name(test_id)).rpartition(".")[0]
    if not head:
        return "", test_id
    return head, test_id[len(head) + 1:]


def render_junit(summary: Mapping[str, Any], run_tests: Sequence[RunTest], verdicts: Sequence[Verdict]) -> bytes:
    cases: list[str] = []
    failures = errors = skipped = 0
    total_time = 0.0
    starts = []
    known = {k["name"]: k for k in (summary.get("known_failures") or {}).get("listed", ())}
    known_runs = {id(rt): known[v.test.name] for v in verdicts if v.test.name in known for rt in v.run_tests}
    for rt in run_tests:
        record = rt.record
        classname, name = _split_test_id(record.test_id)
        duration = record.duration or 0.0
        total_time += duration
        if record.start is not None:
            starts.append(record.start)
        head = f'    <testcase classname="{_xml_attr(classname)}" name="{_xml_attr(name)}" time="{duration:.3f}"'
        status = record.status
        if status == "success":
            cases.append(head + "/>")
            continue
        if status == "skip":
            skipped += 1
            body = f'<skipped message="{_xml_attr(rt.reason())}"/>'
        elif status == "xfail":
            skipped += 1
            body = '<skipped message="expected failure"/>'
        elif status == "inprogress":
            errors += 1
            body = f'<error type="interrupted" message="{_xml_attr(rt.reason())}"/>'
        elif _FIXTURE.match(record.test_id):
            errors += 1
            body = (f'<error type="fixture" message="{_xml_attr(rt.reason())}">'
                    f"{_xml(record.text('traceback'))}</error>")
        else:
            failures += 1
            body = (f'<failure type="{_xml_attr(status)}" message="{_xml_attr(rt.reason())}">'
                    f"{_xml(record.text('traceback'))}</failure>")
        if id(rt) in known_runs:
            body = _known_junit_properties(known_runs[id(rt)]) + "\n      " + body
        cases.append(f"{head}>\n      {body}\n    </testcase>")
    seen: set[str] = set()
    for v in verdicts:
        if v.outcome != MISSING or v.run_tests or v.test.name in seen:
            continue
        seen.add(v.test.name)
        errors += 1
        classname, _dot, name = refstack_name(v.test.name).rpartition(".")
        props = _known_junit_properties(known[v.test.name]) + "\n      " if v.test.name in known else ""
        cases.append(
            f'    <testcase classname="{_xml_attr(classname)}" name="{_xml_attr(name)}" time="0.000">\n'
            f'      {props}<error type="missing" message="{_xml_attr(v.reason)}"/>\n    </testcase>'
        )
    tests = len(cases)
    timestamp = ""
    if starts:
        import datetime  # local: only needed here

        timestamp = datetime.datetime.fromtimestamp(min(starts), datetime.timezone.utc).strftime(
            "%Y-%m-%dT%H:%M:%S"
        )
    props = [
        ("program", summary["program"]),
        ("guideline", summary["guideline"]),
        ("verdict", summary["verdict"]),
        ("partial", str(summary["partial"]).lower()),
        ("cpid", summary["cpid"]),
        ("cpid_method", summary["cpid_method"]),
        *_trial_properties(summary.get("trial") or {}),
        ("pipeline_verdict", summary.get("pipeline_verdict", summary["verdict"])),
        ("known_failures", str(len((summary.get("known_failures") or {}).get("listed", ())))),
    ]
    counts = f'tests="{tests}" failures="{failures}" errors="{errors}" skipped="{skipped}" time="{total_time:.3f}"'
    suite_name = _xml_attr(f"interop.{summary['program']}")
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name="{suite_name}" {counts}>',
        f'  <testsuite name="{suite_name}" {counts}' + (f' timestamp="{timestamp}"' if timestamp else "") + ">",
        "    <properties>",
        *[f'      <property name="{k}" value="{_xml_attr(v)}"/>' for k, v in props],
        "    </properties>",
        *cases,
        "  </testsuite>",
        "</testsuites>",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1200px;
padding:1rem 2rem;color:#1f2328;background:#fff}
h1{font-size:1.5rem}h2{font-size:1.2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem;margin-top:2rem}
.verdict{display:inline-block;padding:.4rem 1.4rem;border-radius:6px;color:#fff;font-size:2rem;font-weight:700}
.verdict.pass{background:#1a7f37}.verdict.fail{background:#cf222e}
.partial{background:#fff8c5;border:1px solid #d4a72c;padding:.6rem 1rem;border-radius:6px;margin:1rem 0}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.fail td{background:#ffebe9}tr.pass td.v{color:#1a7f37;font-weight:600}tr.fail td.v{color:#cf222e;font-weight:600}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dl.facts dt{font-weight:600}
dl.facts dd{margin:0;word-break:break-all}
.tiles{display:flex;gap:1rem;flex-wrap:wrap;margin-top:1rem}.tile{border:1px solid #d0d7de;border-radius:6px;padding:.5rem 1rem;
min-width:6rem}.tile .num{display:block;font-size:1.5rem;font-weight:700}
.o-passed{color:#1a7f37}.o-failed{color:#cf222e}.o-skipped{color:#9a6700}.o-missing{color:#57606a}
pre{background:#f6f8fa;padding:.5rem;overflow-x:auto;white-space:pre-wrap;word-break:break-word;font-size:.8rem}
details{margin:.4rem 0}summary{cursor:pointer;word-break:break-all}code{word-break:break-all}
.legend span{display:inline-block;margin-right:1rem}.sw{display:inline-block;width:.8rem;height:.8rem;
vertical-align:middle;margin-right:.3rem}
"""
_FILL = {"success": "#2da44e", "fail": "#cf222e", "uxsuccess": "#cf222e", "xfail": "#cf222e",
         "skip": "#d4a72c", "inprogress": "#8250df"}


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _timeline_svg(attempt: Attempt) -> str:
    records = [r for r in attempt.stream.records if r.start is not None]
    if not records:
        return "<p>No timed tests in this attempt.</p>"
    t0 = min(r.start for r in records if r.start is not None)
    t_end = max((r.stop if r.stop is not None else r.start) or t0 for r in records)
    span = max(t_end - t0, 1e-6)
    workers = sorted({r.worker for r in records}, key=lambda w: (len(w), w))
    label_w, chart_w, lane_h, top = 170, 800, 22, 24
    height = top + lane_h * len(workers) + 10
    width = label_w + chart_w + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="test durations per worker, attempt {attempt.number}">'
    ]
    for i in range(6):
        x = label_w + chart_w * i / 5
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 8}" stroke="#d0d7de"/>')
        tick = span * i / 5
        label = f"{tick:.0f}s" if span >= 10 else f"{tick:.1f}s"
        parts.append(f'<text x="{x:.1f}" y="{top - 8}" font-size="11" text-anchor="middle">{label}</text>')
    lanes = {w: n for n, w in enumerate(workers)}
    busy = {w: 0.0 for w in workers}
    count = {w: 0 for w in workers}
    for r in records:
        worker = r.worker
        lane = lanes[worker]
        start = (r.start or t0) - t0
        duration = r.duration if r.duration is not None else (t_end - (r.start or t0))
        busy[worker] += duration
        count[worker] += 1
        x = label_w + chart_w * start / span
        w = max(chart_w * duration / span, 0.8)
        y = top + lane * lane_h + 2
        fill = _FILL.get(r.status or "inprogress", "#8c959f")
        parts.append(
            f'<rect x="{x:.2f}" y="{y}" width="{w:.2f}" height="{lane_h - 6}" fill="{fill}">'
            f"<title>{_e(r.test_id)} ({_e(r.status)}, {duration:.2f}s)</title></rect>"
        )
    for worker, lane in lanes.items():
        y = top + lane * lane_h + lane_h / 2 + 2
        parts.append(
            f'<text x="4" y="{y:.1f}" font-size="11">{_e(worker)}: {count[worker]} tests, {busy[worker]:.1f}s</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def render_html(
    summary: Mapping[str, Any], attempts: Sequence[Attempt], run_tests: Sequence[RunTest], verdicts: Sequence[Verdict]
) -> bytes:
    verdict = summary["verdict"]
    counts = summary["counts"]
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(verdict)}: interop program {_e(summary['program'])}, guideline {_e(summary['guideline'])}"
        "</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Interop program <code>{_e(summary['program'])}</code>, guideline {_e(summary['guideline'])}</h1>",
        f'<div id="verdict" class="verdict {"pass" if verdict == PASS else "fail"}">{_e(verdict)}</div>',
    ]
    out.extend(_known_html(summary))
    if summary["partial"]:
        out.append(
            '<div id="partial" class="partial"><strong>Partial result:</strong> the run was interrupted '
            "or its stream is incomplete; tests without a result count as missing.</div>"
        )
    out.append('<div class="tiles" id="counts">')
    out.append(f'<div class="tile">required<span class="num">{counts["required"]}</span></div>')
    for outcome in OUTCOMES:
        out.append(f'<div class="tile o-{outcome}">{outcome}<span class="num" id="count-{outcome}">{counts[outcome]}</span></div>')
    out.append("</div>")
    facts = [
        ("Guideline source", summary.get("guideline_source") or summary["guideline"]),
        ("CPID", f"{summary['cpid']} (obtained by: {summary['cpid_method']})"),
        ("Duration", f"{summary['duration_seconds']} s"),
        ("Tests in the run", summary["run"]["tests"]),
        ("Attempts", len(attempts)),
    ]
    if summary.get("cpid_detail"):
        facts.insert(2, ("CPID detail", summary["cpid_detail"]))
    for key, value in sorted((summary.get("metadata") or {}).items()):
        facts.append((key, value if isinstance(value, str) else json.dumps(value, sort_keys=True)))
    out.append('<dl class="facts">')
    for key, value in facts:
        out.append(f"<dt>{_e(key)}</dt><dd>{_e(value)}</dd>")
    out.append("</dl>")

    out.append('<h2>Capabilities</h2><table id="capabilities"><thead><tr><th>capability</th><th>required</th>'
               "<th>passed</th><th>failed</th><th>skipped</th><th>missing</th><th>verdict</th></tr></thead><tbody>")
    for row in summary["capabilities"]:
        cls = "pass" if row["verdict"] == PASS else "fail"
        out.append(
            f'<tr class="{cls}"><td>{_e(row["name"])}</td><td class="n">{row["required"]}</td>'
            f'<td class="n">{row[PASSED]}</td><td class="n">{row[FAILED]}</td><td class="n">{row[SKIPPED]}</td>'
            f'<td class="n">{row[MISSING]}</td><td class="v">{_e(row["verdict"])}</td></tr>'
        )
    out.append("</tbody></table>")
    out.extend(_trial_html(summary.get("trial") or {}))

    failed = [rt for rt in run_tests if rt.outcome == FAILED]
    out.append(f'<h2 id="failures-title">Failures ({len(failed)})</h2><section id="failures">')
    for rt in failed:
        out.append(
            f'<details open class="failure"><summary><code>{_e(rt.test_id)}</code> - {_e(rt.reason())}</summary>'
            f"<pre>{_e(rt.record.text('traceback') or rt.reason())}</pre></details>"
        )
    if not failed:
        out.append("<p>No test failed.</p>")
    out.append("</section>")

    missing = [v for v in verdicts if v.outcome == MISSING]
    out.append(f'<h2>Missing required tests ({len(missing)})</h2><section id="missing">')
    if missing:
        out.append("<table><thead><tr><th>test</th><th>capability</th><th>reason</th></tr></thead><tbody>")
        for v in missing:
            out.append(f"<tr><td><code>{_e(v.test.name)}</code></td><td>{_e(v.test.capability)}</td>"
                       f"<td>{_e(v.reason)}</td></tr>")
        out.append("</tbody></table>")
    else:
        out.append("<p>Every required test has a result.</p>")
    out.append("</section>")

    skipped = [rt for rt in run_tests if rt.outcome == SKIPPED]
    out.append(f'<h2>Skipped tests ({len(skipped)})</h2><section id="skipped">')
    if skipped:
        out.append("<table><thead><tr><th>test</th><th>reason</th></tr></thead><tbody>")
        for rt in skipped:
            out.append(f"<tr><td><code>{_e(rt.test_id)}</code></td><td>{_e(rt.details() or rt.reason())}</td></tr>")
        out.append("</tbody></table>")
    else:
        out.append("<p>No test was skipped.</p>")
    out.append("</section>")

    if summary["renames"]:
        out.append('<h2>Renamed tests (matched by idempotent id)</h2><table id="renames"><thead><tr>'
                   "<th>guideline name</th><th>name in this run</th><th>idempotent id</th></tr></thead><tbody>")
        for r in summary["renames"]:
            out.append(f"<tr><td><code>{_e(r['guideline_name'])}</code></td>"
                       f"<td><code>{_e(', '.join(r['run_names']))}</code></td><td>{_e(r['idempotent_id'])}</td></tr>")
        out.append("</tbody></table>")

    explained = [v for v in verdicts if v.outcome != PASSED and v.explanation]
    if explained:
        out.append('<h2>Why required tests did not pass</h2><table id="explanations"><thead><tr><th>test</th>'
                   "<th>outcome</th><th>why</th></tr></thead><tbody>")
        for v in explained:
            out.append(f"<tr><td><code>{_e(v.test.name)}</code></td><td class=\"o-{v.outcome}\">{_e(v.outcome)}</td>"
                       f"<td>{_e(v.explanation)}</td></tr>")
        out.append("</tbody></table>")

    out.append('<h2>Required tests</h2><table id="required"><thead><tr><th>test</th><th>capability</th>'
               "<th>outcome</th><th>matched by</th><th>reason</th></tr></thead><tbody>")
    for v in verdicts:
        out.append(
            f"<tr><td><code>{_e(v.test.name)}</code></td><td>{_e(v.test.capability)}</td>"
            f'<td class="o-{v.outcome}">{_e(v.outcome)}</td><td>{_e(v.matched_by or "")}</td>'
            f"<td>{_e(' - '.join(x for x in (v.reason, v.explanation) if x))}</td></tr>"
        )
    out.append("</tbody></table>")

    out.append('<h2>Attempts</h2><table id="attempts"><thead><tr><th>attempt</th><th>file</th><th>tests</th>'
               "<th>partial</th><th>stream problems</th></tr></thead><tbody>")
    for a in attempts:
        problems = "; ".join(a.stream.errors) or ("interrupted by the runner" if a.interrupted else "none")
        out.append(f"<tr><td>{a.number}</td><td>{_e(a.file_name)}</td><td class=\"n\">{len(a.stream.records)}</td>"
                   f"<td>{'yes' if a.partial else 'no'}</td><td>{_e(problems)}</td></tr>")
    out.append("</tbody></table>")
    rerun = [rt for rt in run_tests if len(rt.history) > 1]
    if rerun:
        out.append('<p>Re-run tests (the last attempt counts):</p><ul id="reruns">')
        for rt in rerun:
            steps = ", ".join(f"attempt {n}: {s}" for n, s in rt.history)
            out.append(f"<li><code>{_e(rt.test_id)}</code> - {_e(steps)}</li>")
        out.append("</ul>")

    out.append('<h2>Test durations per worker</h2><section id="timeline"><p class="legend">')
    for label, key in (("passed", "success"), ("failed", "fail"), ("skipped", "skip"), ("unfinished", "inprogress")):
        out.append(f'<span><i class="sw" style="background:{_FILL[key]}"></i>{label}</span>')
    out.append("</p>")
    for a in attempts:
        if len(attempts) > 1:
            out.append(f"<h3>Attempt {a.number}</h3>")
        out.append(_timeline_svg(a))
    out.append("</section></body></html>\n")
    return "\n".join(out).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Known failures: the pipeline verdict beside the strict one (module_utils/known_failures.py)
# ---------------------------------------------------------------------------------------------


def _known_text(summary: Mapping[str, Any]) -> list[str]:
    known = summary.get("known_failures") or {}
    if not known.get("entries"):
        return []
    lines = [f"pipeline verdict: {summary['pipeline_verdict']} (known failures: {len(known['listed'])}; "
             f"the certification verdict {summary['verdict']} and the RefStack document stay strict)"]
    for row in known["listed"]:
        lines.append(f"known failure ({row['outcome']}): {row['name']} - {row['reason']} - {row['bug']}")
    for row in known["passed"]:
        lines.append(f"known failure that passed (its entry may be obsolete): {row['name']} - {row['bug']}")
    return lines


def _known_junit_properties(row: Mapping[str, Any]) -> str:
    return ('<properties><property name="known_failure" value="' + _xml_attr(row["bug"]) + '"/>'
            '<property name="known_failure_reason" value="' + _xml_attr(row["reason"]) + '"/></properties>')


def _known_html(summary: Mapping[str, Any]) -> list[str]:
    known = summary.get("known_failures") or {}
    if not known.get("entries"):
        return []
    pipeline = summary["pipeline_verdict"]
    out = [
        f'<p id="pipeline-verdict">Pipeline verdict: <strong>{_e(pipeline)}</strong> '
        f"({len(known['listed'])} known failure{'' if len(known['listed']) == 1 else 's'}). The certification "
        "verdict above and the RefStack document stay strict: a known failure is a required test that did "
        "not pass.</p>",
        f'<h2>Known failures ({len(known["listed"])})</h2><table id="known-failures"><thead><tr><th>test</th>'
        "<th>outcome</th><th>reason</th><th>bug</th></tr></thead><tbody>",
    ]
    for row in known["listed"]:
        out.append(f"<tr><td><code>{_e(row['name'])}</code></td><td class=\"o-{_e(row['outcome'])}\">"
                   f"{_e(row['outcome'])}</td><td>{_e(row['reason'])}</td>"
                   f"<td><a href=\"{_e(row['bug'])}\">{_e(row['bug'])}</a></td></tr>")
    for row in known["passed"]:
        out.append(f"<tr><td><code>{_e(row['name'])}</code></td><td class=\"o-passed\">passed (entry may be "
                   f"obsolete)</td><td>{_e(row['reason'])}</td><td><a href=\"{_e(row['bug'])}\">{_e(row['bug'])}"
                   "</a></td></tr>")
    out.append("</tbody></table>")
    return out


# ---------------------------------------------------------------------------------------------
# Trial: tests of the other statuses (advisory, ...) per capability, outside the verdict
# ---------------------------------------------------------------------------------------------


def trial_summary(
    trial: Sequence[GuidelineTestLike],
    run_tests: Sequence[RunTest],
    missing_reasons: Mapping[str, str] | None = None,
    interrupted: bool = False,
) -> dict[str, Any]:
    """Per-capability outcome of the non-required tests that ran (the same matching as the
    required tests; a capability passes when every one of its tests passed)."""
    verdicts = match_required(trial, run_tests, missing_reasons, interrupted=interrupted)
    rows: dict[str, dict[str, Any]] = {}
    for v in verdicts:
        status = str(getattr(v.test, "status", "") or "advisory")
        row = rows.setdefault(v.test.capability, {
            "name": v.test.capability, "status": status, "tests": 0, **{o: 0 for o in OUTCOMES}})
        row["tests"] += 1
        row[v.outcome] += 1
    ordered = [rows[name] for name in sorted(rows, key=lambda n: (rows[n]["status"], n))]
    for row in ordered:
        row["result"] = PASS if row[PASSED] == row["tests"] else FAIL
    return {
        "statuses": sorted({row["status"] for row in ordered}),
        "capabilities": ordered,
        "passing_capabilities": [row["name"] for row in ordered if row["result"] == PASS],
        "tests": [v.as_dict() for v in verdicts],
    }


def _trial_text(trial: Mapping[str, Any]) -> list[str]:
    rows = trial.get("capabilities") or []
    if not rows:
        return []
    width = max([len("trial capability")] + [len(r["name"]) for r in rows])
    lines = [f"not in the verdict: {', '.join(trial['statuses'])} capabilities that ran",
             f"{'trial capability':<{width}}  status    tests  passed  failed  skipped  missing  result"]
    for r in rows:
        lines.append(f"{r['name']:<{width}}  {r['status']:<8}  {r['tests']:>5}  {r[PASSED]:>6}  {r[FAILED]:>6}  "
                     f"{r[SKIPPED]:>7}  {r[MISSING]:>7}  {r['result']}")
    return lines


def _trial_properties(trial: Mapping[str, Any]) -> list[tuple[str, str]]:
    """One JUnit property per trial capability: ``trial.<status>.<capability>`` = ``PASS 2/2``."""
    return [(f"trial.{r['status']}.{r['name']}", f"{r['result']} {r[PASSED]}/{r['tests']}")
            for r in trial.get("capabilities") or []]


def _trial_html(trial: Mapping[str, Any]) -> list[str]:
    rows = trial.get("capabilities") or []
    if not rows:
        return []
    out = [f'<h2 id="trial-title">Trial capabilities ({_e(", ".join(trial["statuses"]))}, not in the verdict)</h2>',
           '<table id="trial-capabilities"><thead><tr><th>capability</th><th>status</th><th>tests</th><th>passed</th>'
           "<th>failed</th><th>skipped</th><th>missing</th><th>result</th></tr></thead><tbody>"]
    for r in rows:
        cls = "pass" if r["result"] == PASS else "fail"
        out.append(f'<tr class="{cls}"><td>{_e(r["name"])}</td><td>{_e(r["status"])}</td><td class="n">{r["tests"]}</td>'
                   f'<td class="n">{r[PASSED]}</td><td class="n">{r[FAILED]}</td><td class="n">{r[SKIPPED]}</td>'
                   f'<td class="n">{r[MISSING]}</td><td class="v">{_e(r["result"])}</td></tr>')
    out.append("</tbody></table>")
    out.append('<table id="trial-tests"><thead><tr><th>trial test</th><th>capability</th><th>outcome</th>'
               "<th>reason</th></tr></thead><tbody>")
    for t in trial.get("tests") or []:
        out.append(f"<tr><td><code>{_e(t['name'])}</code></td><td>{_e(t['capability'])}</td>"
                   f'<td class="o-{_e(t["outcome"])}">{_e(t["outcome"])}</td><td>{_e(t["reason"])}</td></tr>')
    out.append("</tbody></table>")
    return out


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


_ATTEMPT_FILE = re.compile(r"^results\.attempt-\d+\.subunit$")
#: Results hold logs of a cloud's API traffic: owner and group only, never the world.
RESULT_FILE_MODE = 0o640
RESULT_DIR_MODE = 0o750


def write_results(directory: str, files: Mapping[str, bytes], *, check_mode: bool = False) -> dict[str, list[str]]:
    """Write ``files`` into ``directory`` (created if needed), only those whose bytes differ.

    Attempt streams of an earlier run that this result does not have are removed. Returns
    ``{"changed": [...], "unchanged": [...], "removed": [...]}``; nothing is touched in check mode.
    """
    changed: list[str] = []
    unchanged: list[str] = []
    removed: list[str] = []
    for name in files:
        if os.sep in name or name in ("", ".", ".."):
            raise ResultsError(f"Invalid result file name {name!r}")
    for name, data in files.items():
        path = os.path.join(directory, name)
        if same_content(path, data) and (os.stat(path).st_mode & 0o777) == RESULT_FILE_MODE:
            unchanged.append(name)
        else:
            changed.append(name)
    if os.path.isdir(directory):
        for name in sorted(os.listdir(directory)):
            if _ATTEMPT_FILE.match(name) and name not in files:
                removed.append(name)
    if check_mode:
        return {"changed": changed, "unchanged": unchanged, "removed": removed}
    if changed:
        os.makedirs(directory, mode=RESULT_DIR_MODE, exist_ok=True)
        for path in (os.path.dirname(directory), directory):
            mode = os.stat(path).st_mode & 0o777
            if mode & 0o007:
                os.chmod(path, mode & ~0o007)
    for name in changed:
        atomic_write(os.path.join(directory, name), files[name], RESULT_FILE_MODE)
    for name in removed:
        os.unlink(os.path.join(directory, name))
    return {"changed": changed, "unchanged": unchanged, "removed": removed}


# ---------------------------------------------------------------------------------------------
# Append-only storage: one current result per program, every other one kept beside it
# ---------------------------------------------------------------------------------------------

#: ``<program>/previous-<UTC time the result was written>/``: a result a newer one replaced.
PREVIOUS_PREFIX = "previous-"
#: ``<program>/partial-<UTC time>/``: a partial result that did not replace a complete one.
PARTIAL_PREFIX = "partial-"
_STAMP = "%Y%m%dT%H%M%SZ"


def is_worse(new: Mapping[str, Any], old: Mapping[str, Any]) -> bool:
    """The one rule for "worse": a partial result is worse than a complete one.

    Among complete results (or among partial ones) neither is worse: both are kept, the newer
    one current. A summary without ``partial`` (not ours) counts as partial.
    """
    return bool(new.get("partial", True)) and not bool(old.get("partial", True))


def cloud_label(summary: Mapping[str, Any]) -> str:
    """How a result names its cloud in messages: clouds.yaml entry and CPID."""
    return f"cloud {summary.get('cloud') or '(no clouds.yaml entry)'} (CPID {summary.get('cpid') or '?'})"


def same_cloud(new: Mapping[str, Any], old: Mapping[str, Any]) -> bool:
    """Both results are of one cloud: same CPID and same clouds.yaml entry.

    A summary written before the entry was recorded (no ``cloud`` key) is compared by CPID.
    """
    if new.get("cpid") != old.get("cpid"):
        return False
    return "cloud" not in old or new.get("cloud", "") == old.get("cloud", "")


def _other_cloud(directory: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> ResultsError:
    return ResultsError(
        f"{os.path.dirname(directory) or directory} already holds the {old.get('program', '?')} result of "
        f"{cloud_label(old)}; this result is of {cloud_label(new)}. It is not written there, and the other "
        "cloud's result is left as it is: give each cloud its own results directory"
    )


def reusable_result(
    directory: str, *, program: str, guideline: str, required: Sequence[GuidelineTestLike], cloud: str, cpid: str
) -> tuple[dict[str, Any] | None, str]:
    """The result in ``directory`` that may stand for a new run, and why (not).

    Only a complete result of the same cloud (:func:`same_cloud`), program, guideline and set
    of required tests may; a result of another cloud is a :class:`ResultsError` (a new run
    could not be stored there). Returns ``(summary or None, reason)``.
    """
    old = read_summary(directory)
    if old is None:
        return None, f"no result in {directory}"
    new = {"program": program, "cloud": cloud, "cpid": cpid}
    if not same_cloud(new, old):
        raise _other_cloud(directory, old, new)
    names = sorted({t.name for t in required})
    for key, have, want in (("program", old.get("program"), program), ("guideline", old.get("guideline"), guideline),
                            ("required tests", sorted({t.get("name") for t in old.get("tests") or ()}), names)):
        if have != want:
            return None, f"the result in {directory} is of another {key}"
    if old.get("partial", True):
        return None, f"the result in {directory} is partial"
    return old, f"complete result of this cloud in {directory}"


def read_summary(directory: str) -> dict[str, Any] | None:
    """``summary.json`` of the result in ``directory``; None when there is none (or it is not JSON)."""
    try:
        with open(os.path.join(directory, SUMMARY_FILE), "rb") as handle:
            data = json.loads(handle.read().decode("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _result_files(directory: str) -> list[str]:
    """The files of the current result (not the kept results below it, not temporary files)."""
    if not os.path.isdir(directory):
        return []
    return sorted(n for n in os.listdir(directory)
                  if not n.startswith(".") and os.path.isfile(os.path.join(directory, n)))


def _free_name(directory: str, prefix: str, when: float) -> str:
    base = prefix + time.strftime(_STAMP, time.gmtime(when))
    name, number = base, 1
    while os.path.lexists(os.path.join(directory, name)):
        number += 1
        name = f"{base}-{number}"
    return name


def _publish_dir(parent: str, name: str, fill: Any) -> None:
    """Make ``parent/name`` appear whole: fill a hidden directory, then rename it."""
    os.makedirs(parent, exist_ok=True)
    work = tempfile.mkdtemp(prefix=f".{name}.", dir=parent)
    try:
        fill(work)
        # results may hold logs of a cloud's API traffic: not for the world
        os.chmod(work, 0o750)
        os.rename(work, os.path.join(parent, name))
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _keep_copy(source: str, target: str) -> None:
    """``target`` gets the bytes of ``source``: a hard link (the writers replace files by rename,
    so a linked file never changes), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def scoring_record(scoring: Mapping[str, Any], when: float) -> bytes:
    """The :data:`SCORING_FILE` of a result written at ``when``."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))
    return (json.dumps({"scored_at": stamp, **scoring}, indent=2, sort_keys=True) + "\n").encode("utf-8")


def store_results(
    directory: str,
    files: Mapping[str, bytes],
    *,
    check_mode: bool = False,
    now: float | None = None,
    scoring: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Store one result in ``directory`` (``<results_dir>/<program>``) without losing any other.

    * nothing there yet, or the same bytes: written as :func:`write_results` does;
    * a result of another cloud there (:func:`same_cloud`): :class:`ResultsError`, nothing written;
    * the new result is worse (:func:`is_worse`) than the one there: it goes to
      ``partial-<time>/`` below it and the current one stays;
    * otherwise the current one is first kept whole in ``previous-<time it was written>/``
      (hard links, published by one rename), then the new one replaces it (each file atomically,
      ``summary.json`` last, so it names a result whose files are all there).

    With ``scoring``, a result that is written gets :data:`SCORING_FILE` (``scoring`` and the
    time) beside it; the same bytes again leave the earlier one as it is.

    Returns :func:`write_results`' lists plus ``placement`` (``current`` or ``beside``),
    ``directory`` (where the new result is) and ``previous`` (where the replaced one went, or None).
    """
    when = time.time() if now is None else now
    new = json.loads(files[SUMMARY_FILE].decode("utf-8"))
    old = read_summary(directory)
    report: dict[str, Any] = {"placement": "current", "directory": directory, "previous": None}
    written_files = dict(files)
    if scoring is not None:
        written_files[SCORING_FILE] = scoring_record(scoring, when)
    ordered = dict(sorted(written_files.items(), key=lambda item: item[0] == SUMMARY_FILE))
    if old is None:
        return {**write_results(directory, ordered, check_mode=check_mode), **report}
    if not same_cloud(new, old):
        raise _other_cloud(directory, old, new)
    present = _result_files(directory)
    stale = [n for n in present if n not in files and _ATTEMPT_FILE.match(n)]
    if not stale and all(same_content(os.path.join(directory, n), d) for n, d in files.items()):
        return {"changed": [], "unchanged": sorted(files), "removed": [], **report}
    if is_worse(new, old):
        for name in sorted(os.listdir(directory), reverse=True):
            kept = os.path.join(directory, name)
            if name.startswith(PARTIAL_PREFIX) and os.path.isdir(kept) \
                    and [n for n in _result_files(kept) if n != SCORING_FILE] == sorted(files) \
                    and all(same_content(os.path.join(kept, n), d) for n, d in files.items()):
                return {"changed": [], "unchanged": sorted(files), "removed": [],
                        "placement": "beside", "directory": kept, "previous": None}
        name = _free_name(directory, PARTIAL_PREFIX, when)
        if not check_mode:
            _publish_dir(directory, name, lambda work: write_results(work, ordered))
        return {"changed": sorted(ordered), "unchanged": [], "removed": [],
                "placement": "beside", "directory": os.path.join(directory, name), "previous": None}
    written_at = os.path.getmtime(os.path.join(directory, SUMMARY_FILE))
    previous = _free_name(directory, PREVIOUS_PREFIX, written_at)
    report["previous"] = os.path.join(directory, previous)
    if check_mode:
        changed = [n for n, d in ordered.items() if not same_content(os.path.join(directory, n), d)]
        return {"changed": changed, "unchanged": [n for n in ordered if n not in changed],
                "removed": [n for n in present if n not in ordered], **report}

    def keep(work: str) -> None:
        for file_name in present:
            _keep_copy(os.path.join(directory, file_name), os.path.join(work, file_name))
    _publish_dir(directory, previous, keep)
    written = write_results(directory, ordered)
    removed = list(written["removed"])
    for name in present:
        if name not in ordered and name not in removed:
            os.unlink(os.path.join(directory, name))
            removed.append(name)
    return {"changed": written["changed"], "unchanged": written["unchanged"], "removed": removed, **report}
