# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""No result is ever lost or replaced by a worse one: bad streams, runs without tests, append-only storage."""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
from pathlib import Path

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils import results as R
from ansible_collections.openinfra.interop.plugins.module_utils.guideline import GuidelineTest
from ansible_collections.openinfra.interop.plugins.module_utils.results import StreamInput, build_results

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "subunit"
OBJ = "tempest.api.object_storage"
CPID = "d7f792d1c38e4caaa15f01da1fadab2a"
REQUIRED = [GuidelineTest(f"{OBJ}.test_account_services.AccountTest.test_list_containers",
                          "id-3499406a-ae53-4f8c-b43a-133d4dc6fe3f", "objectstore-account-list", "required", False, ())]
T0 = 1715000000.0


def data(name: str) -> bytes:
    return (FIXTURES / f"{name}.subunit").read_bytes()


def build(*attempts: bytes | StreamInput, cloud: str = "a", cpid: str = CPID) -> R.Results:
    return build_results(list(attempts), REQUIRED, program="object", guideline="2020.06", cpid=cpid,
                         cloud=cloud)


def checksums(directory: Path) -> dict[str, str]:
    """sha256 of every file below ``directory`` (kept results included)."""
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def enumeration_only() -> bytes:
    """A valid stream that lists a test (status exists) and runs none: what ``--list`` would give."""
    v2 = pytest.importorskip("subunit.v2")
    buf = io.BytesIO()
    v2.StreamResultToBytes(buf).status(test_id=REQUIRED[0].name, test_status="exists")
    return buf.getvalue()


BAD_STREAMS = {
    "empty file": (lambda: b"", "not a subunit v2 stream: {src} (empty file)"),
    "random bytes": (lambda: random.Random(19).randbytes(4096), "not a subunit v2 stream: {src} (offset 0"),
    "text file": (lambda: b"usage: tempest run [-h] ...\ntempest run: error: unrecognized arguments\n",
                  "not a subunit v2 stream: {src} (offset 0: 71 bytes skipped (not subunit v2 packets))"),
    "a subunit v1 stream": (lambda: b"test: t.a\nsuccess: t.a\n", "not a subunit v2 stream: {src}"),
    "listed, none run": (enumeration_only, "no test ran: {src} is a subunit v2 stream without a single test result"),
    "first packet cut": (lambda: data("tempest-run")[:20], "not a subunit v2 stream: {src} (offset 0"),
}


@pytest.mark.parametrize("case", sorted(BAD_STREAMS))
def test_bad_stream_is_an_error_and_the_good_result_stays(case: str, tmp_path: Path) -> None:
    make, message = BAD_STREAMS[case]
    directory = tmp_path / "object"
    good = build(data("tempest-run"))
    R.store_results(str(directory), good.files, now=T0)
    before = checksums(tmp_path)
    src = f"/runner/interop/object/attempt-1/{case.replace(' ', '-')}.subunit"
    for interrupted in (False, True):  # what the runner says changes nothing: it is no result
        with pytest.raises(R.ResultsError) as raised:
            build(StreamInput(make(), interrupted=interrupted, source=src))
        assert str(raised.value).startswith(message.format(src=src)), str(raised.value)
        assert "interrupted" not in str(raised.value)
    assert checksums(tmp_path) == before


def test_truncated_valid_stream_is_a_partial_result_kept_beside_the_complete_one(tmp_path: Path) -> None:
    directory = tmp_path / "object"
    good = build(data("tempest-run"))
    assert not good.partial
    R.store_results(str(directory), good.files, now=T0)
    before = checksums(directory)
    cut = build(StreamInput(data("tempest-truncated"), source="cut.subunit"))
    assert cut.partial and cut.summary["attempts"][0]["truncated"] is True
    stored = R.store_results(str(directory), cut.files, now=T0 + 60)
    assert stored["placement"] == "beside" and stored["previous"] is None
    assert stored["directory"] == str(directory / "partial-20240506T125420Z")
    assert {k: v for k, v in checksums(directory).items() if "/" not in k} == before
    assert (directory / "partial-20240506T125420Z" / "summary.json").read_bytes() == cut.files["summary.json"]
    assert (directory / "partial-20240506T125420Z").stat().st_mode & 0o777 == 0o750
    # the same partial result again changes nothing (a second run changes nothing)
    again = R.store_results(str(directory), cut.files, now=T0 + 120)
    assert again["changed"] == [] and again["directory"] == stored["directory"]
    assert sorted(os.listdir(directory)) == sorted([*good.files, "partial-20240506T125420Z"])
    # check mode says where it would go and writes nothing
    other = build(StreamInput(data("tempest-run"), interrupted=True))
    planned = R.store_results(str(directory), other.files, check_mode=True, now=T0 + 180)
    assert planned["placement"] == "beside" and not os.path.exists(planned["directory"])


def test_a_second_complete_result_keeps_the_first_whole(tmp_path: Path) -> None:
    directory = tmp_path / "object"
    first = build(data("tempest-run"))
    R.store_results(str(directory), first.files, now=T0)
    os.utime(directory / "summary.json", (T0, T0))
    with_rerun = build(data("tempest-run"), data("tempest-rerun"))
    planned = R.store_results(str(directory), with_rerun.files, check_mode=True)
    assert planned["previous"] == str(directory / "previous-20240506T125320Z")
    assert not os.path.exists(planned["previous"])
    stored = R.store_results(str(directory), with_rerun.files)
    assert stored["placement"] == "current" and stored["previous"] == planned["previous"]
    kept = Path(stored["previous"])
    assert sorted(os.listdir(kept)) == sorted(first.files)
    for name, content in first.files.items():
        assert (kept / name).read_bytes() == content
    for name, content in with_rerun.files.items():
        assert (directory / name).read_bytes() == content
    # back to a result without a second attempt: its stream leaves the current result,
    # and stays in the kept one
    os.utime(directory / "summary.json", (T0, T0))
    back = R.store_results(str(directory), first.files)
    assert back["removed"] == ["results.attempt-2.subunit"]
    assert back["previous"] == str(directory / "previous-20240506T125320Z-2")
    assert (Path(back["previous"]) / "results.attempt-2.subunit").read_bytes() == data("tempest-rerun")
    assert sorted(os.listdir(directory)) == sorted([*first.files, "previous-20240506T125320Z",
                                                    "previous-20240506T125320Z-2"])
    # a partial result is replaced by a complete one, and kept too
    directory2 = tmp_path / "other" / "object"
    killed = build(data("tempest-killed"))
    R.store_results(str(directory2), killed.files)
    moved = R.store_results(str(directory2), first.files)
    assert moved["placement"] == "current" and Path(moved["previous"], "summary.json").read_bytes() == \
        killed.files["summary.json"]


def test_another_clouds_result_is_never_overwritten(tmp_path: Path) -> None:
    directory = tmp_path / "object"
    R.store_results(str(directory), build(data("tempest-run"), cloud="a").files)
    before = checksums(tmp_path)
    for other in (build(data("tempest-run"), cloud="b"),
                  build(data("tempest-run"), cloud="a", cpid="0" * 32)):
        with pytest.raises(R.ResultsError) as raised:
            R.store_results(str(directory), other.files)
        message = str(raised.value)
        assert message.startswith(f"{tmp_path} already holds the object result of cloud a (CPID {CPID}); "
                                  f"this result is of cloud {other.summary['cloud']} (CPID {other.summary['cpid']})")
        assert "give each cloud its own results directory" in message
    assert checksums(tmp_path) == before


def test_worse_is_defined_once() -> None:
    complete, partial = {"partial": False}, {"partial": True}
    assert R.is_worse(partial, complete)
    assert not R.is_worse(complete, partial)
    assert not R.is_worse(complete, complete) and not R.is_worse(partial, partial)
    assert R.is_worse({}, complete)  # not ours: counts as partial


def test_summary_written_before_the_cloud_was_recorded_is_compared_by_cpid(tmp_path: Path) -> None:
    directory = tmp_path / "object"
    old = json.loads(build(data("tempest-run")).files["summary.json"])
    del old["cloud"]
    directory.mkdir()
    (directory / "summary.json").write_text(json.dumps(old))
    assert R.store_results(str(directory), build(data("tempest-run"), cloud="b").files)["placement"] == "current"
    with pytest.raises(R.ResultsError, match="CPID"):
        R.store_results(str(directory), build(data("tempest-run"), cloud="b", cpid="1" * 32).files)


def test_empty_second_attempt_cut_short_keeps_the_first() -> None:
    res = build(data("tempest-run"), StreamInput(b"", interrupted=True, source="attempt-2"))
    assert res.partial and res.summary["attempts"][1]["tests"] == 0
    with pytest.raises(R.ResultsError, match="not a subunit v2 stream: attempt-2"):
        build(data("tempest-run"), StreamInput(b"", source="attempt-2"))


def test_only_a_complete_result_of_the_same_cloud_program_guideline_and_tests_is_reusable(tmp_path: Path) -> None:
    directory = tmp_path / "object"
    ask = {"program": "object", "guideline": "2020.06", "required": REQUIRED, "cloud": "a", "cpid": CPID}
    assert R.reusable_result(str(directory), **ask) == (None, f"no result in {directory}")
    R.store_results(str(directory), build(data("tempest-killed")).files)
    assert R.reusable_result(str(directory), **ask)[1] == f"the result in {directory} is partial"
    R.store_results(str(directory), build(data("tempest-run")).files)
    kept, why = R.reusable_result(str(directory), **ask)
    assert kept is not None and kept["verdict"] == "PASS" and why == f"complete result of this cloud in {directory}"
    other_test = GuidelineTest(f"{OBJ}.test_object_services.ObjectTest.test_get_object", None, "objectstore-object-get",
                               "required", False, ())
    for change, key in (({"guideline": "2019.11"}, "guideline"), ({"program": "platform"}, "program"),
                        ({"required": [*REQUIRED, other_test]}, "required tests")):
        assert R.reusable_result(str(directory), **ask | change) == (None, f"the result in {directory} is of another {key}")
    before = checksums(tmp_path)
    with pytest.raises(R.ResultsError, match="already holds the object result of cloud a .* this result is of cloud b"):
        R.reusable_result(str(directory), **ask | {"cloud": "b"})
    assert checksums(tmp_path) == before


def test_scoring_record_is_written_with_a_result_and_kept_when_the_same_input_is_scored_again(tmp_path: Path) -> None:
    """Append-only idempotence: scoring the same input again changes no file (not even the
    scoring time); a result that changes gets its own record, and the replaced result keeps its."""
    directory = tmp_path / "object"
    scoring = {"program": "object", "guideline": "2020.06", "guideline_source": "bundled",
               "streams": [{"source": "run.subunit", "sha256": "0" * 64}]}
    first = build(data("tempest-run"))
    stored = R.store_results(str(directory), first.files, now=T0, scoring=scoring)
    assert R.SCORING_FILE in stored["changed"]
    record = json.loads((directory / R.SCORING_FILE).read_text())
    assert record == {"scored_at": "2024-05-06T12:53:20Z", **scoring}
    before = checksums(directory)
    again = R.store_results(str(directory), first.files, now=T0 + 3600, scoring=scoring)
    assert (again["changed"], again["removed"]) == ([], [])
    assert checksums(directory) == before
    os.utime(directory / "summary.json", (T0, T0))
    rerun = build(data("tempest-run"), data("tempest-rerun"))
    replaced = R.store_results(str(directory), rerun.files, now=T0 + 7200, scoring=scoring)
    assert json.loads((directory / R.SCORING_FILE).read_text())["scored_at"] == "2024-05-06T14:53:20Z"
    assert (Path(replaced["previous"]) / R.SCORING_FILE).read_bytes() == R.scoring_record(scoring, T0)
