# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Guideline tests against a recorded listing of the installed Tempest 47 + plugins."""

from __future__ import annotations

import gzip
import json
import os
import time
from pathlib import Path

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils import tempest_tests as tt
from ansible_collections.openinfra.interop.plugins.module_utils import tempest_ids as ids
from ansible_collections.openinfra.interop.plugins.module_utils.guideline import load_guideline

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "tempest"
LISTING = FIXTURES / "tempest-47-plugins.list-tests.txt.gz"


@pytest.fixture(scope="module")
def listing() -> tt.Listing:
    return tt.parse_listing(gzip.decompress(LISTING.read_bytes()).decode("utf-8"))


def _tests(program: str) -> list[dict]:
    guideline = load_guideline("2020.06", program=program)
    return [t.as_dict() for t in guideline.tests(program)]


# ---------------------------------------------------------------- parsing


def test_parse_test_id_with_attributes() -> None:
    test = ids.parse_test_id(
        "tempest.scenario.test_volume_boot_pattern.TestVolumeBootPattern.test_create_server_from_volume_snapshot"
        "[compute,id-05795fb2-b2a7-4c9f-8fac-ff25aedb1489,image,slow,volume]"
    )
    assert test is not None
    assert test.name == "tempest.scenario.test_volume_boot_pattern.TestVolumeBootPattern.test_create_server_from_volume_snapshot"
    assert test.idempotent_id == "id-05795fb2-b2a7-4c9f-8fac-ff25aedb1489"
    assert test.attrs == ("compute", "id-05795fb2-b2a7-4c9f-8fac-ff25aedb1489", "image", "slow", "volume")
    assert not test.plugin


@pytest.mark.parametrize("line, name, scenario", [
    ("pkg.mod.Cls.test_x[id-aa,smoke](ipv6)", "pkg.mod.Cls.test_x", "ipv6"),
    ("pkg.mod.Cls.test_x(ipv6)[id-aa,smoke]", "pkg.mod.Cls.test_x", "ipv6"),
])
def test_parse_test_id_with_scenario_either_order(line: str, name: str, scenario: str) -> None:
    test = ids.parse_test_id(line)
    assert test is not None and test.name == name and test.scenario == scenario
    assert test.idempotent_id == "id-aa"
    assert test.plugin


def test_parse_test_id_without_attributes_and_non_ascii() -> None:
    bare = ids.parse_test_id("barbican_tempest_plugin.tests.rbac.v1.test_secrets.ProjectAdminTests.test_get_other_project_secret")
    assert bare is not None and bare.idempotent_id is None and bare.attrs == ()
    ddt = ids.parse_test_id("manila_tempest_tests.tests.api.test_rules_negative.X.test_cephx_id_2_björn[id-7b33c073,negative]")
    assert ddt is not None and ddt.name.endswith("björn")


@pytest.mark.parametrize("line", [
    "2026-11-25 09:25:52.005 15385 INFO tempest [-] Using tempest config file /etc/tempest/tempest.conf",
    "",
    "No .stestr.conf file was found for local execution",
    "single_word",
])
def test_parse_test_id_rejects_other_lines(line: str) -> None:
    assert ids.parse_test_id(line) is None


def test_recorded_listing(listing: tt.Listing) -> None:
    assert len(listing.tests) == 4471
    assert listing.ignored_lines == 0
    plugins = {t.name.split(".")[0] for t in listing.tests if t.plugin}
    assert plugins == {"barbican_tempest_plugin", "designate_tempest_plugin", "heat_tempest_plugin", "manila_tempest_tests"}


def test_listing_skips_log_lines_and_duplicates() -> None:
    text = "INFO something happened here\npkg.m.C.test_a[id-1]\npkg.m.C.test_a[id-1]\n\npkg.m.C.test_b\n"
    listing = tt.parse_listing(text)
    assert listing.ids() == ["pkg.m.C.test_a[id-1]", "pkg.m.C.test_b"]
    assert listing.ignored_lines == 1


# ---------------------------------------------------------------- matching the real guidelines


def test_object_program_matches_58_tests(listing: tt.Listing) -> None:
    result = tt.match_tests(_tests("object"), listing)
    assert result.counts() == {"required": 58, "matched": 58, "missing": 0, "excluded": 0, "renamed": 0, "selected": 58}
    assert len(result.include_lines) == 58
    assert set(tt.selected_by(result.include_lines, listing.ids())) == set(result.selected_ids)


def test_compute_program_selects_217_not_every_subclass(listing: tt.Listing) -> None:
    tests = _tests("compute")
    result = tt.match_tests(tests, listing)
    assert result.counts()["selected"] == 217
    ids = {t["idempotent_id"] for t in tests}
    by_id_alone = [t for t in listing.tests if t.idempotent_id in ids]
    assert len(by_id_alone) == 285  # what matching by idempotent id alone would run
    # the aliases (ServersTestManualDisk subclasses) are not run when the name exists
    assert not any("ServersTestManualDisk" in t for t in result.selected_ids)


def test_platform_program(listing: tt.Listing) -> None:
    result = tt.match_tests(_tests("platform"), listing)
    assert result.counts()["selected"] == 273 and not result.missing


def test_dns_plugin_tests_are_kept_and_renames_reported(listing: tt.Listing) -> None:
    result = tt.match_tests(_tests("dns"), listing)
    assert result.counts()["selected"] == 10
    assert all(t.startswith("designate_tempest_plugin.") for t in result.selected_ids)
    renamed = {r["guideline_name"].rsplit(".", 1)[1]: r["installed_names"] for r in result.renames}
    assert renamed == {
        "test_create_all_recordset_types": [
            "designate_tempest_plugin.tests.api.v2.test_recordset.RecordsetsTest.test_create_recordset_type_A"],
        "test_list_zone": ["designate_tempest_plugin.tests.api.v2.test_zones.ZonesTest.test_list_zones"],
    }
    assert all(not r["ambiguous"] for r in result.renames)


def test_orchestration_program(listing: tt.Listing) -> None:
    result = tt.match_tests(_tests("orchestration"), listing)
    assert result.counts()["selected"] == 60 and not result.missing
    assert [r["installed_names"] for r in result.renames] == [
        ["heat_tempest_plugin.tests.functional.test_preview.StackPreviewTest.test_res_group_with_nested_template"]]


def test_matching_a_large_program_is_fast(listing: tt.Listing) -> None:
    tests = _tests("platform")
    started = time.perf_counter()
    tt.match_tests(tests, listing)
    assert time.perf_counter() - started < 2.0


# ---------------------------------------------------------------- matching rules on small listings


def _listing(*ids: str) -> tt.Listing:
    return tt.parse_listing("\n".join(ids))


def test_id_and_name_beat_id_alone() -> None:
    listing = _listing("m.t.Base.test_a[id-1]", "m.t.Sub.test_a[id-1]")
    result = tt.match_tests([{"name": "m.t.Base.test_a", "idempotent_id": "id-1"}], listing)
    assert result.selected_ids == ["m.t.Base.test_a[id-1]"]
    assert result.tests[0]["how"] == ids.MATCH_ID_AND_NAME


def test_alias_used_only_when_the_name_is_gone() -> None:
    listing = _listing("m.t.Old.test_a[id-1]", "m.t.Other.test_a[id-1]")
    result = tt.match_tests([{"name": "m.t.New.test_a", "idempotent_id": "id-1", "aliases": ["m.t.Old.test_a"]}], listing)
    assert result.selected_ids == ["m.t.Old.test_a[id-1]"]
    assert not result.renames


def test_rename_by_id_prefers_the_same_class_then_reports_ambiguity() -> None:
    listing = _listing("m.t.Cls.test_renamed[id-1]", "m.t.SubCls.test_renamed[id-1]")
    result = tt.match_tests([{"name": "m.t.Cls.test_old", "idempotent_id": "id-1"}], listing)
    assert result.selected_ids == ["m.t.Cls.test_renamed[id-1]"]
    assert result.renames[0]["installed_names"] == ["m.t.Cls.test_renamed"] and not result.renames[0]["ambiguous"]
    listing = _listing("m.a.X.test_one[id-1]", "m.b.Y.test_two[id-1]")
    result = tt.match_tests([{"name": "m.t.Cls.test_old", "idempotent_id": "id-1"}], listing)
    assert result.renames[0]["ambiguous"] and len(result.selected_ids) == 2


def test_name_alone_reports_the_id_mismatch() -> None:
    listing = _listing("m.t.Cls.test_a[id-2,smoke]")
    result = tt.match_tests([{"name": "m.t.Cls.test_a", "idempotent_id": "1"}], listing)
    assert result.selected_ids == ["m.t.Cls.test_a[id-2,smoke]"]
    assert result.tests[0]["how"] == ids.MATCH_NAME
    assert result.id_mismatches == [{"name": "m.t.Cls.test_a", "guideline_id": "id-1", "installed_ids": ["id-2"]}]


def test_missing_tests_have_a_reason_and_count_once_across_capabilities() -> None:
    listing = _listing("m.t.Cls.test_a[id-1]")
    tests = [
        {"name": "m.t.Cls.test_gone", "idempotent_id": "id-9", "capability": "cap-one"},
        {"name": "m.t.Cls.test_gone", "idempotent_id": "id-9", "capability": "cap-two"},
    ]
    result = tt.match_tests(tests, listing, installed_label="tempest 47.0.0")
    assert result.counts()["required"] == 1 and result.counts()["missing"] == 1
    assert result.missing[0]["capabilities"] == ["cap-one", "cap-two"]
    assert "not in tempest 47.0.0" in result.missing_reasons()["m.t.Cls.test_gone"]
    assert result.include_lines == []


def test_exclusions_with_reasons() -> None:
    listing = _listing("m.t.Cls.test_a[id-1]", "m.t.Cls.test_b[id-2]", "m.t.Cls.test_c[id-3]")
    rules = tt.parse_exclude(["test_a # quotas are off", {"regex": "Cls\\.test_b", "reason": "no sync"}])
    tests = [{"name": "m.t.Cls.test_%s" % n, "idempotent_id": "id-%d" % i} for i, n in enumerate("abc", 1)]
    result = tt.match_tests(tests, listing, rules)
    assert result.selected_ids == ["m.t.Cls.test_c[id-3]"]
    assert result.missing_reasons() == {"m.t.Cls.test_a": "excluded: quotas are off", "m.t.Cls.test_b": "excluded: no sync"}
    assert tt.parse_exclude(["test_x"])[0].reason == "excluded by the operator (regex test_x)"


@pytest.mark.parametrize("bad, message", [
    (["("], "invalid regex"),
    ([42], "must be a string"),
    ([{"regex": "x", "why": "y"}], "unknown keys why"),
    ([" # only a reason"], "empty regex"),
])
def test_bad_exclusions(bad: list, message: str) -> None:
    with pytest.raises(tt.TempestTestsError, match=message):
        tt.parse_exclude(bad)


def test_bad_guideline_tests() -> None:
    with pytest.raises(tt.TempestTestsError, match=r"tests\[1\] must be a mapping"):
        tt.match_tests([{"name": "a.b"}, {"idempotent_id": "id-1"}], _listing("a.b[id-1]"))


def test_include_lines_are_anchored_and_exact() -> None:
    test_ids = ["m.t.C.test_x[id-1]", "m.t.C.test_x2[id-2]", "x.m.t.C.test_x[id-3]", "m.t.C.test_x(scn)[id-1]", "m.t.C.test_y"]
    lines = tt.build_include_lines([ids.parse_test_id(test_ids[0]), ids.parse_test_id(test_ids[4])])
    assert tt.selected_by(lines, test_ids) == ["m.t.C.test_x[id-1]", "m.t.C.test_x(scn)[id-1]", "m.t.C.test_y"]
    text = tt.include_file_text(lines, ["program object"])
    assert text.startswith("# program object\n") and text.endswith("\n")
    assert tt.selected_by(text.splitlines(), test_ids) == tt.selected_by(lines, test_ids)


# ---------------------------------------------------------------- versions and files


def _dist(site: Path, name: str, version: str, plugin: bool = False) -> None:
    info = site / ("%s-%s.dist-info" % (name.replace("-", "_"), version))
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: %s\nVersion: %s\n\nbody\nName: nope\n" % (name, version))
    if plugin:
        (info / "entry_points.txt").write_text("[console_scripts]\nx = y\n\n[tempest.test_plugins]\np = q:R\n")


def test_installed_versions(tmp_path: Path) -> None:
    site = tmp_path / "lib" / "python3.11" / "site-packages"
    _dist(site, "tempest", "47.0.0")
    _dist(site, "stestr", "4.2.1")
    _dist(site, "designate-tempest-plugin", "0.30.0", plugin=True)
    _dist(site, "requests", "2.32.0")
    versions = tt.installed_versions(str(tmp_path))
    assert versions == {"python": "python3.11", "tempest": "47.0.0", "stestr": "4.2.1",
                        "plugins": {"designate-tempest-plugin": "0.30.0"}}
    key = tt.listing_cache_key(versions)
    assert key == tt.listing_cache_key(json.loads(json.dumps(versions))) and len(key) == 16
    _dist(site, "heat_tempest_plugin", "3.0.0", plugin=True)
    assert tt.listing_cache_key(tt.installed_versions(str(tmp_path))) != key
    assert tt.versions_label(versions) == "tempest 47.0.0 + designate-tempest-plugin 0.30.0"


def test_installed_versions_errors(tmp_path: Path) -> None:
    with pytest.raises(tt.TempestTestsError, match="no lib/python3"):
        tt.installed_versions(str(tmp_path))
    _dist(tmp_path / "lib" / "python3.11" / "site-packages", "stestr", "4.2.1")
    with pytest.raises(tt.TempestTestsError, match="Tempest is not installed"):
        tt.installed_versions(str(tmp_path))


def test_recorded_versions_fixture_shape() -> None:
    versions = json.loads((FIXTURES / "tempest-47-plugins.versions.json").read_text())
    assert versions["tempest"] == "47.0.0" and "designate-tempest-plugin" in versions["plugins"]


def test_atomic_write(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "file.txt"
    tt.atomic_write(str(target), b"one")
    tt.atomic_write(str(target), b"two")
    assert target.read_bytes() == b"two"
    assert oct(target.stat().st_mode & 0o777) == "0o644"
    assert os.listdir(target.parent) == ["file.txt"]


# ---- versions of a distribution-packaged Tempest (install method system) --------------------


def _fake_system_python(tmp_path):
    """A prefix whose bin/python is a real Python that sees a packaged Tempest (egg-info, as
    Debian's python3-tempest ships it) and a plugin (dist-info) through PYTHONPATH."""
    import subprocess
    import sys

    site = tmp_path / "dist-packages"
    egg = site / "tempest-33.0.0.egg-info"
    egg.mkdir(parents=True)
    (egg / "PKG-INFO").write_text("Metadata-Version: 1.2\nName: tempest\nVersion: 33.0.0\n")
    conf = site / "python_tempestconf-2.5.0.egg-info"
    conf.mkdir()
    (conf / "PKG-INFO").write_text("Metadata-Version: 1.2\nName: python-tempestconf\nVersion: 2.5.0\n")
    plugin = site / "designate_tempest_plugin-0.16.0.dist-info"
    plugin.mkdir()
    (plugin / "METADATA").write_text("Metadata-Version: 2.1\nName: designate-tempest-plugin\nVersion: 0.16.0\n")
    (plugin / "entry_points.txt").write_text("[tempest.test_plugins]\ndesignate = designate_tempest_plugin.plugin:Plugin\n")
    prefix = tmp_path / "prefix"
    (prefix / "bin").mkdir(parents=True)
    (prefix / "bin" / "python").symlink_to(sys.executable)
    env = dict(os.environ, PYTHONPATH=str(site))

    def run(argv):
        proc = subprocess.run(list(argv), capture_output=True, text=True, env=env, check=False)
        return proc.returncode, proc.stdout, proc.stderr

    return prefix, run


def test_versions_of_a_packaged_tempest_come_from_its_python(tmp_path) -> None:
    import sys

    prefix, run = _fake_system_python(tmp_path)
    versions = tt.installed_versions(str(prefix), run=run)
    assert versions == {
        "python": "python%d.%d" % sys.version_info[:2],
        "tempest": "33.0.0",
        "stestr": versions["stestr"],  # whatever the controller's Python has
        "plugins": {"designate-tempest-plugin": "0.16.0"},
        "python_tempestconf": "2.5.0",
    }
    # without a way to start the Python, a prefix without site-packages is still refused
    with pytest.raises(tt.TempestTestsError, match="no lib/python3"):
        tt.installed_versions(str(prefix))


def test_a_python_without_tempest_is_one_clear_error(tmp_path) -> None:
    prefix, run = _fake_system_python(tmp_path)
    with pytest.raises(tt.TempestTestsError, match="Tempest is not installed for .*importlib.metadata"):
        tt.versions_from_python(str(prefix / "bin" / "python"), lambda argv: (0, '{"python": "python3.11", "plugins": {}}', ""))
    with pytest.raises(tt.TempestTestsError, match=r"could not read the installed versions \(exit 1\): boom"):
        tt.versions_from_python(str(prefix / "bin" / "python"), lambda argv: (1, "", "Traceback\nboom"))
