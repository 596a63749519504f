# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Time certify.yml on a running sandbox: one union run vs one run per program, and the fixed
cost of a warm run outside Tempest, at a baseline commit vs this checkout, side by side.

Usage: python benchmarks/certify_runs.py --state DIR [--union compute,platform]
           [--fixed-program object] [--baseline REF] [--runs 2] [--scope REGEX] [-e VAR=VALUE ...]

The sandbox must be up (``playbooks/sandbox.yml``) and ``OS_CLIENT_CONFIG_FILE`` must name its
``clouds.yaml`` (entry ``--cloud``, default ``sandbox``); ``-e`` passes certify variables on
(``tempestconf_venv=...``, ``@<sandbox>/tempest-vars.yml`` on a compute sandbox).

(a) Union: ``program=<union>`` once, then each program of it alone, every run into a new results
    directory (nothing kept from before); prints the Tempest wall (the ``tempest_run`` task) and
    the number of tests each Tempest run selected. The shared tests run once in the union.
(b) Fixed cost: ``program=<fixed-program>`` with the collection as it was at ``--baseline``
    (``git archive``, default ``main``) and as it is in this checkout, each in its own warm
    workspace (one unmeasured warm-up run each), then ``--runs`` measured runs alternating
    between the two, so both see the same load; prints the wall of ``ansible-playbook`` minus
    the ``tempest_run`` task (median) and the ratio.

``--scope REGEX`` keeps only the tests whose id matches (``refstack_client_exclude`` of the
others) to make a busy machine's runs shorter: the fixed cost barely depends on it, the union
figures do. Runs are not tests: a failed verdict is fine (``fail_on_verdict=false``), a failed
playbook stops the benchmark.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# A callback plugin (not part of the collection) that records, per run, how long the
# tempest_run task took and how many tests it was given.
TIMER = '''
from __future__ import annotations
import json, os, time
from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "certify_runs_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.started = {}
        self.runs = []

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.started[task._uuid] = time.monotonic()

    def v2_runner_on_ok(self, result):
        task = result._task
        if task.action.endswith("tempest_run"):
            self.runs.append({"seconds": time.monotonic() - self.started[task._uuid],
                              "tests": len(task.args.get("tests") or [])})

    v2_runner_on_failed = v2_runner_on_ok

    def v2_playbook_on_stats(self, stats):
        with open(os.environ["CERTIFY_RUNS_TIMER"], "w") as handle:
            json.dump(self.runs, handle)
'''


def collection_tree(base: Path, label: str, ref: str | None) -> Path:
    """``<base>/<label>/ansible_collections/openinfra/interop``: this checkout (a link) or the
    tree of ``ref`` (``git archive``)."""
    target = base / label / "ansible_collections" / "openinfra" / "interop"
    target.parent.mkdir(parents=True)
    if ref is None:
        os.symlink(ROOT, target)
    else:
        archive = base / f"{label}.tar"
        subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), ref], check=True)
        target.mkdir()
        with tarfile.open(archive) as tar:
            tar.extractall(target, filter="data")
    return base / label


class Runner:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.count = 0
        callbacks = work / "callbacks"
        callbacks.mkdir()
        (callbacks / "certify_runs_timer.py").write_text(TIMER)
        self.env = dict(os.environ, ANSIBLE_CALLBACK_PLUGINS=str(callbacks),
                        ANSIBLE_CALLBACKS_ENABLED="certify_runs_timer")

    def certify(self, tree: Path, workspace: str, program: str) -> dict[str, float]:
        """One certify.yml run into a new results directory: wall, Tempest wall, tests run."""
        self.count += 1
        timer = self.work / f"timer-{self.count}.json"
        log = self.work / f"run-{self.count}-{re.sub(r'[^A-Za-z0-9_.-]+', '+', program)}.log"
        command = [
            "ansible-playbook", "-e", f"ansible_python_interpreter={self.args.python}",
            str(tree / "ansible_collections/openinfra/interop/playbooks/certify.yml"),
            "-e", f"cloud={self.args.cloud}", "-e", f"program={program}", "-e", "fail_on_verdict=false",
            "-e", f"results_dir={self.work}/results-{self.count}",
            "-e", f"certify_state_dir={self.args.state}/{workspace}",
        ]
        if self.args.scope:
            exclude = [{"regex": f"^(?!{self.args.scope})", "reason": "outside the benchmark's scope"}]
            command += ["-e", json.dumps({"refstack_client_exclude": exclude})]
        for extra in self.args.extra:
            command += ["-e", extra]
        env = dict(self.env, ANSIBLE_COLLECTIONS_PATH=str(tree), CERTIFY_RUNS_TIMER=str(timer))
        start = time.monotonic()
        with open(log, "wb") as out:
            done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, env=env, check=False)
        wall = time.monotonic() - start
        if done.returncode:
            sys.exit(f"certify.yml failed (exit {done.returncode}): see {log}")
        runs = json.loads(timer.read_text())
        tempest = sum(r["seconds"] for r in runs)
        return {"wall": wall, "tempest": tempest, "outside": wall - tempest,
                "tests": sum(r["tests"] for r in runs)}


def union(runner: Runner, after: Path, programs: list[str]) -> None:
    together = runner.certify(after, "after", ",".join(programs))
    alone = [runner.certify(after, "after", program) for program in programs]
    tempest_alone = sum(r["tempest"] for r in alone)
    tests_alone = sum(r["tests"] for r in alone)
    print(f"(a) Tempest wall of {','.join(programs)}:")
    print(f"    one union run   {together['tempest']:7.1f} s  {together['tests']:4.0f} tests")
    for program, r in zip(programs, alone):
        print(f"    {program:<15} {r['tempest']:7.1f} s  {r['tests']:4.0f} tests")
    print(f"    separate runs   {tempest_alone:7.1f} s  {tests_alone:4.0f} tests")
    print(f"    union / separate: Tempest wall {together['tempest'] / tempest_alone:.2f}, "
          f"tests {together['tests'] / tests_alone:.2f} ({tests_alone - together['tests']:.0f} shared tests run once)")


def fixed_cost(runner: Runner, before: Path, after: Path, program: str, runs: int, baseline: str) -> None:
    for tree, workspace in ((before, "before"), (after, "after")):
        runner.certify(tree, workspace, program)  # warm-up: install, workspace, discovery
    measured: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    for _round in range(runs):
        for tree, workspace in ((before, "before"), (after, "after")):
            measured[workspace].append(runner.certify(tree, workspace, program))
    print(f"(b) warm program={program}, outside Tempest (wall - tempest_run), median of {runs}:")
    medians = {}
    for label, rows in measured.items():
        medians[label] = statistics.median(r["outside"] for r in rows)
        name = f"{label} ({baseline})" if label == "before" else f"{label} (this checkout)"
        print(f"    {name:<28} {medians[label]:6.1f} s   runs: "
              + ", ".join(f"{r['outside']:.1f} of {r['wall']:.1f}" for r in rows))
    print(f"    after / before: {medians['after'] / medians['before']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--state", required=True, help="directory for the workspaces (kept for warm reruns)")
    parser.add_argument("--cloud", default="sandbox")
    parser.add_argument("--union", default="compute,platform", help="programs of the union run ('' skips (a))")
    parser.add_argument("--fixed-program", default="object", help="program of the fixed-cost runs ('' skips (b))")
    parser.add_argument("--baseline", default="main", help="git ref of the 'before' collection")
    parser.add_argument("--runs", type=int, default=2, help="measured runs per variant in (b)")
    parser.add_argument("--scope", default="", help="regex: only the tests whose id matches run")
    parser.add_argument("--python", default=sys.executable, help="Python of the controller's modules")
    parser.add_argument("-e", dest="extra", action="append", default=[], help="certify variable, passed on")
    args = parser.parse_args()
    if not os.environ.get("OS_CLIENT_CONFIG_FILE"):
        sys.exit("OS_CLIENT_CONFIG_FILE must name the sandbox's clouds.yaml")
    if shutil.which("ansible-playbook") is None:
        sys.exit("ansible-playbook is not on PATH (the controller venv's bin)")
    args.state = str(Path(args.state).resolve())
    work = Path(tempfile.mkdtemp(prefix="certify-runs-", dir=args.state if os.path.isdir(args.state) else None))
    print(f"logs and results: {work}")
    runner = Runner(args, work)
    after = collection_tree(work, "after", None)
    if args.union:
        union(runner, after, [p.strip() for p in args.union.split(",") if p.strip()])
    if args.fixed_program:
        before = collection_tree(work, "before", args.baseline)
        fixed_cost(runner, before, after, args.fixed_program, args.runs, args.baseline)


if __name__ == "__main__":
    main()
