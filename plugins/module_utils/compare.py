# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Compare results directories: one cloud over time, or several clouds.

Each results directory is what ``refstack_results`` wrote: ``<dir>/<program>/summary.json``
with its subunit streams (or a program directory itself). For every program the runs share:

* between each run and the one before it: **regressions** (passed, now not passed: failed,
  skipped or missing, e.g. excluded), **fixes**, tests **still failing**, tests **new** or
  **gone** from the run, **renames** the later run reports that the earlier did not, and
  **duration changes** (at least 50 % and 1 s);
* a **matrix** of tests x runs (the outcome of each test in each run);
* per capability (required and trial), the **share of runs that pass it** - across clouds,
  the "widely deployed" criterion of capability scoring.

A test's outcome in a run is its guideline verdict when the guideline lists it (``missing``
included: an excluded or lost test is not a pass), else its outcome in the stream. Only
reading: nothing is run, and the comparison is built in memory (the caller writes it).
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from ansible_collections.openinfra.interop.plugins.module_utils.results import (
    PASSED,
    SUBUNIT_FILE,
    SUMMARY_FILE,
    Attempt,
    merge_attempts,
    refstack_name,
)
from ansible_collections.openinfra.interop.plugins.module_utils.subunit_v2 import parse

__all__ = ["CompareError", "ProgramRun", "compare_runs", "load_run", "render_compare_html"]

COMPARISON_SCHEMA = 1
_DURATION_RATIO = 0.5
_DURATION_SECONDS = 1.0


class CompareError(ValueError):
    """A results directory that cannot be compared (one message naming it)."""


@dataclass
class ProgramRun:
    """One program's result in one results directory."""

    label: str
    program: str
    directory: str
    summary: dict[str, Any]
    outcomes: dict[str, str]
    durations: dict[str, float]


def _program_dirs(directory: str) -> dict[str, str]:
    if os.path.isfile(os.path.join(directory, SUMMARY_FILE)):
        return {"": directory}
    found = {}
    if os.path.isdir(directory):
        for name in sorted(os.listdir(directory)):
            if os.path.isfile(os.path.join(directory, name, SUMMARY_FILE)):
                found[name] = os.path.join(directory, name)
    return found


def _streams(directory: str, summary: Mapping[str, Any]) -> list[Attempt]:
    attempts = []
    files = [a.get("file") for a in summary.get("attempts") or []] or [SUBUNIT_FILE]
    for number, name in enumerate(files, start=1):
        path = os.path.join(directory, str(name))
        if not os.path.isfile(path):
            continue
        with open(path, "rb") as handle:
            data = handle.read()
        attempts.append(Attempt(number, data, parse(data), False))
    return attempts


def load_run(directory: str, label: str) -> dict[str, ProgramRun]:
    """program -> its result in ``directory``."""
    dirs = _program_dirs(directory)
    if not dirs:
        raise CompareError(
            "results_dirs: %s holds no summary.json (neither <dir>/summary.json nor "
            "<dir>/<program>/summary.json); give the directory a certify run wrote" % directory
        )
    runs: dict[str, ProgramRun] = {}
    for name, path in dirs.items():
        try:
            with open(os.path.join(path, SUMMARY_FILE), encoding="utf-8") as handle:
                summary = json.load(handle)
        except (OSError, ValueError) as exc:
            raise CompareError("results_dirs: cannot read %s: %s" % (os.path.join(path, SUMMARY_FILE), exc)) from None
        program = str(summary.get("program") or name)
        outcomes: dict[str, str] = {}
        durations: dict[str, float] = {}
        for rt in merge_attempts(_streams(path, summary)):
            if " " in rt.test_id:  # setUpClass (...) fixtures are not tests
                continue
            outcomes[rt.name] = rt.outcome
            if rt.record.duration is not None:
                durations[rt.name] = round(rt.record.duration, 3)
        for verdict in list(summary.get("tests") or []) + list((summary.get("trial") or {}).get("tests") or []):
            # the guideline's name: a renamed test is one test in every run
            for run_name in verdict.get("run_ids") or ():
                outcomes.pop(refstack_name(run_name), None)
            outcomes[verdict["name"]] = verdict["outcome"]
        runs[program] = ProgramRun(label, program, path, summary, outcomes, durations)
    return runs


def _capabilities(run: ProgramRun) -> dict[str, str]:
    """capability -> PASS/FAIL, required and trial ones."""
    found = {row["name"]: row["verdict"] for row in run.summary.get("capabilities") or []}
    for row in (run.summary.get("trial") or {}).get("capabilities") or []:
        found.setdefault(row["name"], row["result"])
    return found


def _pair(old: ProgramRun, new: ProgramRun) -> dict[str, Any]:
    both = sorted(set(old.outcomes) & set(new.outcomes))
    regressions = [{"test": t, "before": old.outcomes[t], "after": new.outcomes[t]}
                   for t in both if old.outcomes[t] == PASSED and new.outcomes[t] != PASSED]
    fixes = [{"test": t, "before": old.outcomes[t], "after": new.outcomes[t]}
             for t in both if old.outcomes[t] != PASSED and new.outcomes[t] == PASSED]
    still = [{"test": t, "before": old.outcomes[t], "after": new.outcomes[t]}
             for t in both if old.outcomes[t] != PASSED and new.outcomes[t] != PASSED]
    durations = []
    for test in sorted(set(old.durations) & set(new.durations)):
        before, after = old.durations[test], new.durations[test]
        if abs(after - before) >= _DURATION_SECONDS and abs(after - before) >= _DURATION_RATIO * max(before, 1e-6):
            durations.append({"test": test, "before": before, "after": after})
    old_renames = {r["guideline_name"] for r in old.summary.get("renames") or []}
    return {
        "program": new.program,
        "before": old.label,
        "after": new.label,
        "regressions": regressions,
        "fixes": fixes,
        "still_failing": still,
        "new_tests": sorted(set(new.outcomes) - set(old.outcomes)),
        "gone_tests": sorted(set(old.outcomes) - set(new.outcomes)),
        "renames": [r for r in new.summary.get("renames") or [] if r["guideline_name"] not in old_renames],
        "duration_changes": durations,
        "verdicts": {"before": old.summary.get("verdict"), "after": new.summary.get("verdict")},
    }


def compare_runs(runs: Sequence[Mapping[str, ProgramRun]]) -> dict[str, Any]:
    """The comparison of two or more loaded runs (see the module docstring)."""
    if len(runs) < 2:
        raise CompareError("results_dirs: give two or more results directories to compare, got %d" % len(runs))
    labels = [next(iter(r.values())).label for r in runs]
    programs = sorted({p for r in runs for p in r})
    out: dict[str, Any] = {"schema": COMPARISON_SCHEMA, "runs": labels, "programs": {}}
    for program in programs:
        present = [r[program] for r in runs if program in r]
        pairs = [_pair(a, b) for a, b in zip(present, present[1:])]
        tests = sorted({t for r in present for t in r.outcomes})
        caps: dict[str, dict[str, Any]] = {}
        for run in present:
            for cap, result in _capabilities(run).items():
                row = caps.setdefault(cap, {"capability": cap, "runs": 0, "passed": 0, "results": {}})
                row["runs"] += 1
                row["passed"] += result == "PASS"
                row["results"][run.label] = result
        for row in caps.values():
            row["pass_ratio"] = round(row["passed"] / row["runs"], 4)
        out["programs"][program] = {
            "runs": [r.label for r in present],
            "verdicts": {r.label: r.summary.get("verdict") for r in present},
            "directories": {r.label: r.directory for r in present},
            "pairs": pairs,
            "matrix": [{"test": t, "outcomes": {r.label: r.outcomes.get(t, "") for r in present}} for t in tests],
            "capabilities": [caps[c] for c in sorted(caps)],
        }
    out["regressions"] = sum(len(p["regressions"]) for prog in out["programs"].values() for p in prog["pairs"])
    return out


# --------------------------------------------------------------------------------------------
# HTML

_CSS = """
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:1400px;padding:1rem 2rem;color:#1f2328}
h2{border-bottom:1px solid #d0d7de;padding-bottom:.3rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.2rem .5rem;text-align:left}
th{background:#f6f8fa}td.passed{background:#dafbe1}td.failed,td.missing{background:#ffebe9}td.skipped{background:#fff8c5}
td.n{text-align:right}code{word-break:break-all}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _rows(table_id: str, head: Sequence[str], rows: Sequence[Sequence[Any]], empty: str) -> str:
    if not rows:
        return '<p id="%s">%s</p>' % (_e(table_id), _e(empty))
    out = ['<table id="%s"><thead><tr>%s</tr></thead><tbody>' % (_e(table_id), "".join("<th>%s</th>" % _e(h) for h in head))]
    for row in rows:
        out.append("<tr>%s</tr>" % "".join(str(cell) for cell in row))
    out.append("</tbody></table>")
    return "".join(out)


def _cell(outcome: str) -> str:
    return '<td class="%s">%s</td>' % (_e(outcome or "absent"), _e(outcome or "-"))


def render_compare_html(comparison: Mapping[str, Any]) -> bytes:
    """A self-contained page: per program, the changes between runs, the matrix, the ratios."""
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           "<title>Comparison of %s</title><style>%s</style></head><body>" % (_e(", ".join(comparison["runs"])), _CSS),
           "<h1>Comparison of %d runs</h1><p>%s</p>" % (len(comparison["runs"]), _e(" \u2192 ".join(comparison["runs"])))]
    for program, data in comparison["programs"].items():
        pid = program.replace(" ", "_")
        out.append('<h2 id="program-%s">Program %s</h2>' % (_e(pid), _e(program)))
        out.append("<p>verdicts: %s</p>" % _e(", ".join("%s %s" % kv for kv in data["verdicts"].items())))
        for n, pair in enumerate(data["pairs"]):
            out.append("<h3>%s \u2192 %s</h3>" % (_e(pair["before"]), _e(pair["after"])))
            for key, title in (("regressions", "Regressions"), ("fixes", "Fixed"), ("still_failing", "Still failing")):
                out.append("<h4>%s (%d)</h4>" % (title, len(pair[key])))
                out.append(_rows("%s-%s-%d" % (key.replace("_", "-"), pid, n), ("test", "before", "after"),
                                 [("<td><code>%s</code></td>" % _e(r["test"]), _cell(r["before"]), _cell(r["after"]))
                                  for r in pair[key]], "none"))
            out.append("<h4>Renamed (%d)</h4>" % len(pair["renames"]))
            out.append(_rows("renames-%s-%d" % (pid, n), ("guideline name", "name in the run"),
                             [("<td><code>%s</code></td>" % _e(r["guideline_name"]),
                               "<td><code>%s</code></td>" % _e(", ".join(r.get("run_names") or ()))) for r in pair["renames"]],
                             "none"))
            out.append("<h4>Duration changes (%d)</h4>" % len(pair["duration_changes"]))
            out.append(_rows("durations-%s-%d" % (pid, n), ("test", "before (s)", "after (s)"),
                             [("<td><code>%s</code></td>" % _e(r["test"]), '<td class="n">%.3f</td>' % r["before"],
                               '<td class="n">%.3f</td>' % r["after"]) for r in pair["duration_changes"]], "none"))
            out.append("<p>new tests: %d, gone: %d</p>" % (len(pair["new_tests"]), len(pair["gone_tests"])))
        out.append("<h3>Capabilities: share of runs that pass</h3>")
        out.append(_rows("capabilities-%s" % pid, ["capability", "pass ratio", *data["runs"]],
                         [("<td>%s</td>" % _e(r["capability"]), '<td class="n">%d/%d (%.0f%%)</td>'
                           % (r["passed"], r["runs"], 100 * r["pass_ratio"]),
                           *(_cell({"PASS": PASSED, "FAIL": "failed"}.get(r["results"].get(lab, ""), "")) for lab in data["runs"]))
                          for r in data["capabilities"]], "no capability"))
        out.append("<h3>Tests x runs</h3>")
        out.append(_rows("matrix-%s" % pid, ["test", *data["runs"]],
                         [("<td><code>%s</code></td>" % _e(r["test"]), *(_cell(r["outcomes"][lab]) for lab in data["runs"]))
                          for r in data["matrix"]], "no test"))
    out.append("</body></html>\n")
    return "\n".join(out).encode("utf-8")
