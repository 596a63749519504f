# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Comparison of results directories (module_utils/compare.py) built from recorded streams."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils.compare import (
    CompareError,
    ProgramRun,
    compare_runs,
    load_run,
    render_compare_html,
)
from ansible_collections.openinfra.interop.plugins.module_utils.results import write_results
from test_results import REQUIRED, build, data

RERUN_FIXED = "tempest.api.object_storage.test_container_services.ContainerTest.test_list_container_contents"


def results_dir(tmp: Path, name: str, attempts: list[bytes]) -> str:
    directory = tmp / name
    write_results(str(directory / "object"), build(attempts, required=REQUIRED).files)
    return str(directory)


@pytest.fixture()
def two_runs(tmp_path: Path) -> tuple[str, str]:
    # monday: the failed test passed on its second attempt; tuesday: no second attempt
    monday = results_dir(tmp_path, "monday", [data("tempest-run"), data("tempest-rerun")])
    tuesday = results_dir(tmp_path, "tuesday", [data("tempest-run")])
    return monday, tuesday


def test_regression_fix_and_still_failing(two_runs: tuple[str, str]) -> None:
    monday, tuesday = two_runs
    forward = compare_runs([load_run(monday, "monday"), load_run(tuesday, "tuesday")])
    pair = forward["programs"]["object"]["pairs"][0]
    assert [r["test"] for r in pair["regressions"]] == [RERUN_FIXED]
    assert pair["regressions"][0] == {"test": RERUN_FIXED, "before": "passed", "after": "failed"}
    assert pair["fixes"] == []
    still = {r["test"] for r in pair["still_failing"]}
    assert "tempest.api.object_storage.test_object_services.ObjectTest.test_never_ran" in still  # missing twice
    assert forward["regressions"] == 1
    backward = compare_runs([load_run(tuesday, "tuesday"), load_run(monday, "monday")])
    assert [r["test"] for r in backward["programs"]["object"]["pairs"][0]["fixes"]] == [RERUN_FIXED]


def test_matrix_and_capability_pass_ratio(two_runs: tuple[str, str]) -> None:
    monday, tuesday = two_runs
    out = compare_runs([load_run(monday, "monday"), load_run(tuesday, "tuesday")])
    program = out["programs"]["object"]
    matrix = {row["test"]: row["outcomes"] for row in program["matrix"]}
    assert matrix[RERUN_FIXED] == {"monday": "passed", "tuesday": "failed"}
    caps = {row["capability"]: row for row in program["capabilities"]}
    assert caps["objectstore-container-list"]["pass_ratio"] == 0.5
    assert caps["objectstore-object-upload"]["pass_ratio"] == 1.0
    assert caps["objectstore-container-sync"]["passed"] == 0 and caps["objectstore-container-sync"]["runs"] == 2
    page = render_compare_html(out).decode("utf-8")
    assert 'id="regressions-object-0"' in page and 'id="matrix-object"' in page and 'id="capabilities-object"' in page
    assert "1/2 (50%)" in page
    json.dumps(out)  # plain data


def test_a_program_directory_is_a_run_too(two_runs: tuple[str, str]) -> None:
    monday, tuesday = two_runs
    out = compare_runs([load_run(monday + "/object", "a"), load_run(tuesday, "b")])
    assert out["programs"]["object"]["runs"] == ["a", "b"]


def test_bad_directories(tmp_path: Path, two_runs: tuple[str, str]) -> None:
    with pytest.raises(CompareError, match="holds no summary.json"):
        load_run(str(tmp_path / "nothing"), "x")
    with pytest.raises(CompareError, match="two or more results directories"):
        compare_runs([load_run(two_runs[0], "only")])
    broken = tmp_path / "broken" / "object"
    broken.mkdir(parents=True)
    (broken / "summary.json").write_text("{", encoding="utf-8")
    with pytest.raises(CompareError, match="cannot read"):
        load_run(str(tmp_path / "broken"), "broken")


def test_duration_changes_renames_new_and_gone_tests() -> None:
    def run(label: str, durations: dict[str, float], renames: list[dict]) -> dict[str, ProgramRun]:
        summary = {"verdict": "PASS", "renames": renames, "capabilities": []}
        outcomes = {name: "passed" for name in durations}
        return {"object": ProgramRun(label, "object", "/" + label, summary, outcomes, durations)}

    rename = {"guideline_name": "t.old", "idempotent_id": "id-1", "run_names": ["t.new"]}
    before = run("a", {"t.slow": 2.0, "t.same": 10.0, "t.tiny": 0.1, "t.gone": 1.0}, [])
    after = run("b", {"t.slow": 3.5, "t.same": 10.9, "t.tiny": 0.9, "t.new": 1.0}, [rename])
    pair = compare_runs([before, after])["programs"]["object"]["pairs"][0]
    # 50 % and 1 s: t.same (9 %) and t.tiny (0.8 s) are not changes
    assert pair["duration_changes"] == [{"test": "t.slow", "before": 2.0, "after": 3.5}]
    assert pair["renames"] == [rename]
    assert pair["new_tests"] == ["t.new"] and pair["gone_tests"] == ["t.gone"]
    # a rename both runs report is not news
    assert compare_runs([after, run("c", {}, [rename])])["programs"]["object"]["pairs"][0]["renames"] == []
