"""playbooks/results.yml scores a saved run with no cloud and no Tempest (issue 13).

The stream is the subunit file of a real sandbox run of the 2020.06 platform program
(tests/unit/fixtures/subunit/sandbox-platform-2020.06.subunit.gz, attachments over 400 bytes
emptied). Scored for platform, compute and object (spelled ``Storage``) it gives the counts the
sandbox runs of those programs gave; a second run changes nothing; a missing CPID is one clear
error.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STREAM = ROOT / "tests/unit/fixtures/subunit/sandbox-platform-2020.06.subunit.gz"
CPID = "0123456789abcdef0123456789abcdef"


def _play(tmp: Path, **variables: object) -> subprocess.CompletedProcess[str]:
    top = tmp / "collections"
    if not top.exists():
        (top / "ansible_collections" / "openinfra").mkdir(parents=True)
        os.symlink(ROOT, top / "ansible_collections" / "openinfra" / "interop")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(top), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
               ANSIBLE_LOCAL_TEMP=str(tmp / "ansible-tmp"))
    variables["ansible_python_interpreter"] = sys.executable
    cmd = [sys.executable, "-m", "ansible.cli.playbook", "-i", "localhost,", "-c", "local",
           "-e", json.dumps(variables), str(ROOT / "playbooks/results.yml")]
    return subprocess.run(cmd, env=env, cwd=tmp, capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    tmp = tmp_path_factory.mktemp("results-playbook")
    (tmp / "run.subunit").write_bytes(gzip.decompress(STREAM.read_bytes()))
    proc = _play(tmp, subunit=str(tmp / "run.subunit"), program="platform,compute,Storage",
                 guideline="2020.06", cpid=CPID, results_dir=str(tmp / "results"))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return tmp, proc


@pytest.mark.parametrize(("program", "required", "passed", "skipped"), [
    ("platform", 273, 271, 2), ("compute", 217, 215, 2), ("object", 58, 58, 0),
])
def test_each_program_is_scored_from_the_saved_stream(
    scored: tuple[Path, subprocess.CompletedProcess[str]], program: str, required: int, passed: int, skipped: int
) -> None:
    tmp, _proc = scored
    summary = json.loads((tmp / "results" / program / "summary.json").read_text(encoding="utf-8"))
    counts = summary["counts"]
    assert (counts["required"], counts["passed"], counts["skipped"], counts["failed"], counts["missing"]) == (
        required, passed, skipped, 0, 0)
    assert summary["guideline"] == "2020.06" and summary["cpid"] == CPID
    assert summary["metadata"]["scored_from"] == [str(tmp / "run.subunit")]
    document = json.loads((tmp / "results" / program / "refstack-result.json").read_text(encoding="utf-8"))
    assert document["cpid"] == CPID and len(document["results"]) == 271


def test_a_second_run_changes_nothing(scored: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    tmp, _proc = scored
    scorings = {p: (tmp / "results" / p / "scoring.json").read_bytes() for p in ("platform", "compute", "object")}
    assert all(json.loads(s)["guideline"] == "2020.06" for s in scorings.values())
    proc = _play(tmp, subunit=str(tmp / "run.subunit"), program="platform,compute,Storage",
                 guideline="2020.06", cpid=CPID, results_dir=str(tmp / "results"))
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert re.search(r"localhost +: ok=\d+ +changed=0 ", proc.stdout), proc.stdout[-2000:]
    # the scoring time too stays that of the first scoring of these verdicts
    assert scorings == {p: (tmp / "results" / p / "scoring.json").read_bytes() for p in scorings}


def test_no_cpid_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "run.subunit").write_bytes(b"")
    proc = _play(tmp_path, subunit=str(tmp_path / "run.subunit"), program="object")
    assert proc.returncode != 0
    assert "give exactly one of cpid" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr
    assert not (tmp_path / "results").exists()
