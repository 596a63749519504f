# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""List programs: the bundled SCS-0128 v1 list and ``list:<file>``, their names and their
verdict rule (no failed test; skips pass)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils import certify_check as cc
from ansible_collections.openinfra.interop.plugins.module_utils import programs as P
from ansible_collections.openinfra.interop.plugins.module_utils.guideline import GuidelineError, load_guideline
from ansible_collections.openinfra.interop.plugins.module_utils.results import build_results

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
STREAM = FIXTURES / "subunit" / "sandbox-platform-2020.06.subunit.gz"
RUN = FIXTURES / "subunit" / "tempest-run.subunit"


def test_scs_0128_is_a_bundled_list_of_258_required_tests() -> None:
    assert P.canonical_program("SCS-0128") == "scs_0128"
    assert P.is_list_program("scs_0128") and P.program_entry("scs_0128").verdict == P.NO_TEST_FAILED
    guideline = load_guideline("2020.06", program="scs-0128")
    assert guideline.name == "scs-0128-v1" and guideline.source.endswith("scs-0128-v1/tempest-tests-non-admin.lst")
    tests = guideline.tests("scs_0128", types=("required",))
    assert len(tests) == 258 and all(t.idempotent_id and t.status == "required" for t in tests)
    by_area: dict[str, int] = {}
    for t in tests:
        area = t.name.split(".")[2]
        by_area[area] = by_area.get(area, 0) + 1
    assert by_area == {"compute": 88, "identity": 16, "image": 23, "network": 66, "volume": 65}
    assert "compute-servers" in guideline.capabilities("scs_0128")
    # the list's own data, whatever guideline the other programs of the run use
    assert load_guideline(None, program="scs_0128").name == "scs-0128-v1"
    assert guideline.tests("scs_0128", types=("advisory",)) == []
    # an unknown program names the guideline's programs and the test lists
    with pytest.raises(GuidelineError, match=r"add-on programs bundled for 2020.06: .*; test lists: scs_0128, list:<file or URL>"):
        load_guideline("2020.06", program="bogus")


def test_list_file_program(tmp_path: Path) -> None:
    path = tmp_path / "my-list.txt"
    path.write_text("# my two tests\ntempest.api.identity.v3.test_tokens.TokensV3Test.test_rescope_token[id-9d8e1f5c-ab2e-44f7-b6d6-1a1cd0e1e6d8]\n\n"
                    "tempest.api.object_storage.test_healthcheck.HealthcheckTest.test_get_healthcheck\n", encoding="utf-8")
    program = P.canonical_program(f" list:{path} ")
    assert program == f"list:{path}" and P.program_dir(program) == "list_my-list"
    assert cc.normalise_programs(f"object,list:{path}") == ["object", program]
    guideline = load_guideline(None, program=program)
    assert [(t.name.rsplit(".", 1)[-1], t.idempotent_id) for t in guideline.tests(program, types=("required",))] == [
        ("test_rescope_token", "id-9d8e1f5c-ab2e-44f7-b6d6-1a1cd0e1e6d8"), ("test_get_healthcheck", None)]
    assert P.program_entry(program).services == () and P.services_for([program]) == []
    bad = tmp_path / "bad.txt"
    bad.write_text("tempest.api.x.Test.test_a\nnot a test id!\n", encoding="utf-8")
    with pytest.raises(GuidelineError, match=r"bad.txt line 2: 'not a test id!' is not a Tempest test id"):
        load_guideline(None, program=f"list:{bad}")
    with pytest.raises(GuidelineError, match="cannot read the test list"):
        load_guideline(None, program=f"list:{tmp_path}/absent.lst")
    with pytest.raises(cc.InputError, match="list:<file or URL of a test list>"):
        cc.normalise_programs("objects")


def test_the_list_rule_passes_skips_and_fails_on_failures_and_missing_tests() -> None:
    stream = gzip.decompress(STREAM.read_bytes())
    guideline = load_guideline(None, program="scs_0128")
    built = build_results([stream], guideline.tests("scs_0128", types=("required",)), program="scs_0128",
                          guideline=guideline.name, cpid="c" * 32, verdict_rule=P.NO_TEST_FAILED)
    counts = built.summary["counts"]
    # a 2020.06 platform run holds most, not all, of the list: the rest is missing -> FAIL
    assert counts["required"] == 258 and counts["failed"] == 0 and counts["missing"] > 0
    assert built.verdict == "FAIL" and built.summary["verdict_rule"] == P.NO_TEST_FAILED
    # the same tests with the skips only: the list passes where the interop rule fails
    ran = [t for t in guideline.tests("scs_0128", types=("required",))
           if t.name in {v["name"] for v in built.summary["tests"] if v["outcome"] != "missing"}]
    skips = build_results([stream], ran, program="scs_0128", guideline=guideline.name, cpid="c" * 32,
                          verdict_rule=P.NO_TEST_FAILED)
    interop = build_results([stream], ran, program="scs_0128", guideline=guideline.name, cpid="c" * 32)
    assert skips.summary["counts"]["skipped"] > 0 and skips.summary["counts"]["failed"] == 0
    assert (skips.verdict, interop.verdict) == ("PASS", "FAIL")
    assert all(row["verdict"] == "PASS" for row in skips.summary["capabilities"])
