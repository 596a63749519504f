# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Unit tests of the guideline engine (plugins/module_utils/guideline.py)."""

from __future__ import annotations

import copy
import functools
import http.server
import json
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils import guideline as gl
from ansible_collections.openinfra.interop.plugins.module_utils import programs as P
from ansible_collections.openinfra.interop.plugins.module_utils.guideline import (
    Guideline,
    GuidelineError,
    GuidelineTest,
    bundled_versions,
    load_guideline,
)

BUNDLED = gl.bundled_guidelines_dir()
CORE_TITLES = {
    "platform": "OpenStack Powered Platform",
    "compute": "OpenStack Powered Compute",
    "object": "OpenStack Powered Storage",
}


# ---------------------------------------------------------------------------------------------
# An independent, straightforward reading of the rules of issue 2 (item 4), used as the oracle.


def expected_lines(data: dict[str, Any], target: str, types: list[str] | None, alias: bool, flag: bool) -> list[str]:
    metadata = data.get("metadata") or {}
    if "schema" in metadata and metadata["schema"] >= "2.0":
        schema = metadata["schema"]
        if target in CORE_TITLES:
            components = [c["name"] for c in data["platforms"][CORE_TITLES[target]]["components"]]
        else:
            components = ["os_powered_" + target]
        by_status = [data["components"][c]["capabilities"] for c in components]
    else:
        schema = data["schema"]
        components = list(data["platform"]["required"]) if target == "platform" else [target]
        by_status = [data["components"][c] for c in components]
    chosen = {cap for statuses in by_status for status, caps in statuses.items()
              if types is None or status in types for cap in caps}
    lines = []
    for cap in chosen:
        if cap not in data["capabilities"]:
            continue
        body = data["capabilities"][cap]
        if schema == "1.2":
            lines += [t for t in body["tests"] if flag or t not in body.get("flagged", [])]
            continue
        for name, details in body["tests"].items():
            if details.get("flagged") and not flag:
                continue
            ident = details.get("idempotent_id", "")
            lines.append(f"{name}[{ident}]")
            if alias:
                lines += [f"{other}[{ident}]" for other in details.get("aliases") or []]
    return sorted(lines)


def raw(name: str) -> dict[str, Any]:
    folder = BUNDLED if gl._is_core_version(name) else BUNDLED / "add-ons"
    return json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))


CASES = [(name, program) for name in bundled_versions() for program in load_guideline(name).programs()]


# ---------------------------------------------------------------------------------------------
# Bundled guidelines and defaults


def test_bundled_versions_and_default() -> None:
    names = bundled_versions()
    core = ["2015.03", "2015.04", "2015.05", "2015.07", "2016.01", "2016.08", "2017.01", "2017.09",
            "2018.02", "2018.11", "2019.06", "2019.11", "2020.06", "next"]
    assert names[: len(core)] == core
    for addon in ("dns", "orchestration"):
        assert [n for n in names if n.startswith(addon + ".")] == [
            f"{addon}.{v}" for v in ("2018.02", "2018.11", "2019.06", "2019.11", "2020.06", "next")]
    assert len(names) == len(core) + 12
    assert gl.default_version() == "2020.06"
    assert gl.bundled_guidelines_dir() == Path(gl.__file__).resolve().parents[2] / "guidelines"
    assert load_guideline().name == "2020.06"


def test_guideline_attributes() -> None:
    g = load_guideline("2020.06")
    assert (g.name, g.schema) == ("2020.06", "2.0")
    assert g.source == str(BUNDLED / "2020.06.json")
    assert g.data["metadata"]["id"] == "2020.06"
    assert load_guideline("2015.03").schema == "1.2"
    assert load_guideline("2017.09").schema == "1.6"
    # the upstream file carries a wrong metadata.id; the name is the bundled name
    assert load_guideline("orchestration.2018.02").name == "orchestration.2018.02"
    assert load_guideline("2020.06.json").name == "2020.06"


def test_programs() -> None:
    core = load_guideline("2020.06").programs()
    assert list(core) == ["platform", "compute", "object"]
    assert core["object"] == "Core OpenStack object storage services including identity and object storage."
    assert load_guideline("dns.2020.06").programs() == {"dns": "OpenStack Powered with DNS"}
    assert load_guideline("orchestration.next").programs() == {"orchestration": "OpenStack Powered with Orchestration"}
    old = load_guideline("2015.03").programs()
    assert list(old) == ["platform", "compute", "object"]
    assert "compute, object" in old["platform"]


def test_every_bundled_guideline_offers_programs() -> None:
    for name in bundled_versions():
        offered = list(load_guideline(name).programs())
        if gl._is_core_version(name):
            assert offered == ["platform", "compute", "object"], name
        else:
            assert offered == [name.split(".")[0]], name


# ---------------------------------------------------------------------------------------------
# The rules, for every bundled guideline and program


@pytest.mark.parametrize("name,program", CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_rules_every_guideline_and_program(name: str, program: str) -> None:
    g = load_guideline(name)
    data = raw(name)
    lists = {}
    for alias in (True, False):
        for flag in (True, False):
            text = g.test_list(program, ["required"], alias=alias, flag=flag)
            lines = expected_lines(data, program, ["required"], alias, flag)
            assert text == "\n".join(lines), (alias, flag)
            assert not text.endswith("\n")
            assert text.split("\n") == sorted(text.split("\n")) if text else True
            lists[alias, flag] = text.split("\n") if text else []
    # flagged tests only appear with flag=true; aliases only with alias=true
    for alias in (True, False):
        assert set(lists[alias, False]) <= set(lists[alias, True])
    for flag in (True, False):
        assert set(lists[False, flag]) <= set(lists[True, flag])
    flagged = {t.name for t in g.tests(program, ["required"], flag=True) if t.flagged}
    assert not {line.split("[")[0] for line in lists[False, False]} & flagged
    if g.schema != "1.2":
        # alias=false lines are exactly the tests() entries
        entries = g.tests(program, ["required"], flag=False)
        assert lists[False, False] == sorted(f"{t.name}[{t.idempotent_id or ''}]" for t in entries)
        with_aliases = sorted(f"{n}[{t.idempotent_id or ''}]" for t in entries for n in (t.name,) + t.aliases)
        assert lists[True, False] == with_aliases
        # the server's defaults: all statuses, aliases and flagged tests
        assert g.test_list(program) == "\n".join(expected_lines(data, program, None, True, True))
    else:
        assert lists[True, False] == lists[False, False]
        assert all("[" not in line for line in lists[True, True])


@pytest.mark.parametrize("program,size", [("platform", 377), ("compute", 318), ("object", 61),
                                          ("dns", 10), ("orchestration", 60)])
def test_pinned_sizes_2020_06(program: str, size: int) -> None:
    g = load_guideline("2020.06", program=program)
    text = g.test_list(program, ["required"], alias=True, flag=False)
    assert len(text.split("\n")) == size
    assert text.count("\n") == size - 1


def test_other_statuses_and_types() -> None:
    g = load_guideline("2018.02")
    data = raw("2018.02")
    for types in (["advisory"], ["removed"], ["required", "advisory"], "required,advisory", None, []):
        want = None if types in (None, []) else (types.split(",") if isinstance(types, str) else types)
        assert g.test_list("compute", types) == "\n".join(expected_lines(data, "compute", want, True, True))
    assert g.capabilities("compute", ["advisory"]) == sorted(data["components"]["os_powered_compute"]["capabilities"]["advisory"])
    assert g.capabilities("compute", "Required , ADVISORY") == g.capabilities("compute", ["required", "advisory"])
    assert g.statuses() == ["required", "advisory", "deprecated", "removed"]


def test_capabilities_and_tests_2020_06() -> None:
    g = load_guideline("2020.06")
    data = raw("2020.06")
    comp = data["components"]["os_powered_compute"]["capabilities"]["required"]
    stor = data["components"]["os_powered_storage"]["capabilities"]["required"]
    assert g.capabilities("compute") == sorted(comp)
    assert g.capabilities("storage") == sorted(stor)
    assert g.capabilities("platform") == sorted(set(comp) | set(stor))
    assert g.components("platform") == ["os_powered_compute", "os_powered_storage"]
    assert g.components("object") == ["os_powered_storage"]
    tests = g.tests("compute")
    assert all(isinstance(t, GuidelineTest) and t.status == "required" and not t.flagged for t in tests)
    assert {t.capability for t in tests} <= set(comp)
    flagged = [t for t in g.tests("compute", flag=True) if t.flagged]
    assert flagged and len(g.tests("compute", flag=True)) == len(tests) + len(flagged)
    first = tests[0].as_dict()
    assert set(first) == {"name", "idempotent_id", "capability", "status", "flagged", "aliases"}
    assert first["idempotent_id"].startswith("id-")
    with pytest.raises(Exception):
        tests[0].name = "x"  # frozen
    summary = gl.program_summary(g, "storage", ["required"], True, False)
    assert summary["program"] == "object" and summary["test_count"] == 61
    assert summary["test_list"] == g.test_list("object", ["required"], True, False)


def test_schema_1_2_bare_names_and_flag_list() -> None:
    g = load_guideline("2015.04")
    all_lines = g.test_list("compute", ["required"], alias=True, flag=True).split("\n")
    kept = g.test_list("compute", ["required"], alias=True, flag=False).split("\n")
    flagged = {t for c in raw("2015.04")["capabilities"].values() for t in c.get("flagged", [])}
    assert all("[" not in line for line in all_lines)
    assert set(all_lines) - set(kept) <= flagged and len(all_lines) > len(kept)
    assert all(t.idempotent_id is None and t.aliases == () for t in g.tests("compute", flag=True))


# ---------------------------------------------------------------------------------------------
# Synthetic guidelines: duplicates, aliases, flags, missing ids, string schema comparison


def v2_doc() -> dict[str, Any]:
    return {
        "metadata": {"id": "synthetic", "schema": "2.0"},
        "platforms": {
            "OpenStack Powered Platform": {"description": "all", "components": [{"name": "os_powered_compute"}, {"name": "os_powered_storage"}]},
            "OpenStack Powered Compute": {"description": "compute", "components": [{"name": "os_powered_compute"}]},
            "OpenStack Powered Storage": {"description": "storage", "components": [{"name": "os_powered_storage"}]},
        },
        "add-ons": {"Widgets": {"description": "OpenStack with widgets", "components": [{"name": "os_powered_widget"}]}},
        "components": {
            "os_powered_compute": {"capabilities": {"required": ["cap-a", "cap-b", "cap-ghost"], "advisory": ["cap-c"], "deprecated": [], "removed": []}},
            "os_powered_storage": {"capabilities": {"required": ["cap-b", "cap-s"], "advisory": [], "deprecated": [], "removed": []}},
            "os_powered_widget": {"capabilities": {"required": ["cap-w"]}},
        },
        "capabilities": {
            "cap-a": {"tests": {
                "t.z": {"idempotent_id": "id-1", "aliases": ["t.z_old", "t.a_alias"]},
                "t.flagged": {"idempotent_id": "id-2", "flagged": {"reason": "r"}, "aliases": ["t.flagged_alias"]},
                "t.noid": {},
            }},
            "cap-b": {"tests": {"t.z": {"idempotent_id": "id-1"}, "t.b": {"idempotent_id": "id-3"}}},
            "cap-c": {"tests": {"t.c": {"idempotent_id": "id-4"}}},
            "cap-s": {"tests": {"t.s": {"idempotent_id": "id-5", "flagged": {}}}},
            "cap-w": {"tests": {"t.w": {"idempotent_id": "id-6"}}},
        },
    }


def write(tmp_path: Path, doc: Any, name: str = "synthetic.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def test_synthetic_v2(tmp_path: Path) -> None:
    g = load_guideline(write(tmp_path, v2_doc()))
    assert g.name == "synthetic"
    assert g.programs() == {"platform": "all", "compute": "compute", "object": "storage", "widget": "OpenStack with widgets"}
    assert g.test_list("compute", ["required"], alias=False, flag=False) == "\n".join(
        ["t.b[id-3]", "t.noid[]", "t.z[id-1]", "t.z[id-1]"])  # t.z in two capabilities: twice
    assert g.test_list("compute", ["required"], alias=True, flag=True) == "\n".join(sorted(
        ["t.z[id-1]", "t.z_old[id-1]", "t.a_alias[id-1]", "t.flagged[id-2]", "t.flagged_alias[id-2]",
         "t.noid[]", "t.z[id-1]", "t.b[id-3]"]))
    # an alias of a flagged test is dropped with it; an empty flagged object is not a flag
    assert "t.flagged_alias" not in g.test_list("compute", ["required"], alias=True, flag=False)
    assert g.test_list("object", ["required"], flag=False) == "t.b[id-3]\nt.s[id-5]\nt.z[id-1]"
    assert g.test_list("widget", ["required"]) == "t.w[id-6]"
    assert g.test_list("platform", ["required"], alias=False, flag=False).count("t.z[id-1]") == 2
    # capabilities listed by a component but not defined have no tests and are not reported
    assert g.capabilities("compute") == ["cap-a", "cap-b"]
    assert [(t.name, t.capability) for t in g.tests("compute")] == [
        ("t.b", "cap-b"), ("t.noid", "cap-a"), ("t.z", "cap-a"), ("t.z", "cap-b")]
    assert g.tests("compute")[1].idempotent_id is None
    assert g.tests("compute")[2].aliases == ("t.z_old", "t.a_alias")
    assert g.test_list("compute", ["advisory"]) == "t.c[id-4]"
    assert load_guideline(write(tmp_path, v2_doc()), program="widget").name == "synthetic"


def test_schema_is_compared_as_string(tmp_path: Path) -> None:
    doc = v2_doc()
    doc["metadata"]["schema"] = "10.0"  # "10.0" < "2.0" as strings: treated as schema 1.x
    with pytest.raises(GuidelineError, match=r"missing required key 'metadata.schema' \(schema 2.0\) or 'schema'"):
        load_guideline(write(tmp_path, doc))
    doc["metadata"]["schema"] = "2.1"
    assert load_guideline(write(tmp_path, doc)).schema == "2.1"


def test_synthetic_v1(tmp_path: Path) -> None:
    doc = {
        "schema": "1.4",
        "platform": {"required": ["compute", "object"]},
        "components": {"compute": {"required": ["c1"], "advisory": ["c2"]}, "object": {"required": ["o1"]},
                       "network": {"required": ["n1"]}},
        "capabilities": {
            "c1": {"tests": {"a.b": {"idempotent_id": "id-a", "aliases": ["a.old"]}, "a.f": {"idempotent_id": "id-f", "flagged": {"r": 1}}}},
            "c2": {"tests": {"c.d": {"idempotent_id": "id-c"}}},
            "o1": {"tests": {"o.t": {"idempotent_id": "id-o"}}},
            "n1": {"tests": {"n.t": {"idempotent_id": "id-n"}}},
        },
    }
    g = load_guideline(write(tmp_path, doc, "v1.json"))
    assert list(g.programs()) == ["platform", "compute", "object", "network"]
    assert g.test_list("platform", ["required"], alias=True, flag=False) == "a.b[id-a]\na.old[id-a]\no.t[id-o]"
    assert g.test_list("compute") == "a.b[id-a]\na.f[id-f]\na.old[id-a]\nc.d[id-c]"
    assert g.test_list("network") == "n.t[id-n]"
    assert g.components("platform") == ["compute", "object"]


# ---------------------------------------------------------------------------------------------
# Program names and add-on selection


def test_canonical_program() -> None:
    assert P.canonical_program("storage") == "object"
    assert P.canonical_program(" Compute ") == "compute"
    assert P.canonical_program("shared-file-system") == "shared_file_system"
    assert P.canonical_program("load_balancer") == "load_balancer"
    assert P.PROGRAM_ALIASES["storage"] == "object"
    for bad in ("", "  ", None, 3, "dns!", "1abc"):
        with pytest.raises(GuidelineError, match="platform, compute, object, dns, orchestration, shared_file_system"):
            P.canonical_program(bad)  # type: ignore[arg-type]


def test_addon_program_selects_addon_guideline() -> None:
    assert load_guideline("2020.06", program="dns").name == "dns.2020.06"
    assert load_guideline(None, program="orchestration").name == "orchestration.2020.06"
    assert load_guideline("next", program="dns").name == "dns.next"
    assert load_guideline("2018.02", program="Orchestration").name == "orchestration.2018.02"
    assert load_guideline("dns.2019.06", program="dns").name == "dns.2019.06"
    assert load_guideline("2020.06", program="storage").name == "2020.06"


# ---------------------------------------------------------------------------------------------
# Bad input: one clear GuidelineError each


def test_unknown_program_lists_offered() -> None:
    g = load_guideline("2020.06")
    with pytest.raises(GuidelineError, match=r"unknown program 'bogus' for guideline 2020.06; it offers: platform, compute, object"):
        g.test_list("bogus")
    with pytest.raises(GuidelineError, match=r"unknown program 'bogus' for guideline 2020.06; it offers: platform, compute, object; "
                                             r"add-on programs bundled for 2020.06: dns, orchestration"):
        load_guideline("2020.06", program="bogus")
    with pytest.raises(GuidelineError, match=r"unknown program 'compute' for guideline dns.2020.06; it offers: dns; compute is a core program"):
        load_guideline("dns.2020.06", program="compute")
    with pytest.raises(GuidelineError, match=r"it offers: dns"):
        load_guideline("dns.2020.06").tests("orchestration")


def test_addon_missing_for_version() -> None:
    with pytest.raises(GuidelineError, match=r"no bundled dns add-on guideline for version 2015.03; "
                                             r"bundled dns guidelines: dns.2018.02, dns.2018.11, dns.2019.06, dns.2019.11, dns.2020.06, dns.next"):
        load_guideline("2015.03", program="dns")
    with pytest.raises(GuidelineError, match=r"unknown program 'shared_file_system' for guideline 2020.06; it offers: platform, compute, object; "
                                             r"add-on programs bundled for 2020.06: dns, orchestration"):
        load_guideline("2020.06", program="shared_file_system")


def test_unknown_version_lists_bundled() -> None:
    listing = ", ".join(bundled_versions())
    with pytest.raises(GuidelineError) as err:
        load_guideline("2099.01")
    assert str(err.value) == ("unknown guideline '2099.01': not a bundled version, an existing file or an "
                              "http(s) URL; bundled: " + listing)
    with pytest.raises(GuidelineError, match=r"quote version names in YAML"):
        load_guideline("2022.1")
    with pytest.raises(GuidelineError, match=r"unknown guideline '2099.01'.*bundled: 2015.03"):
        load_guideline("2099.01", program="dns")
    with pytest.raises(GuidelineError, match="must not be empty; bundled: 2015.03"):
        load_guideline("  ")
    with pytest.raises(GuidelineError, match="must be a version name, a path or a URL"):
        load_guideline(2020.06)  # type: ignore[arg-type]


def test_missing_file_and_bad_scheme(tmp_path: Path) -> None:
    with pytest.raises(GuidelineError, match=r"guideline file not found: .*nope.json \(bundled versions: 2015.03"):
        load_guideline(str(tmp_path / "nope.json"))
    with pytest.raises(GuidelineError, match=r"is not a regular file"):
        load_guideline(str(tmp_path) + "/")
    with pytest.raises(GuidelineError, match=r"unsupported URL scheme in guideline 'ftp://x/y.json'; accepted: http, https, file"):
        load_guideline("ftp://x/y.json")
    path = write(tmp_path, v2_doc())
    assert load_guideline(path.as_uri()).name == "synthetic"


def test_malformed_json_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "metadata": {"schema": "2.0"},\n  "components": {,\n}\n', encoding="utf-8")
    with pytest.raises(GuidelineError) as err:
        load_guideline(str(path))
    assert str(err.value).startswith(f"guideline {path} is not valid JSON: line 3 column 18: Expecting property name")
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(GuidelineError, match="is not UTF-8 text"):
        load_guideline(str(path))
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(GuidelineError, match="must contain a JSON object, not list"):
        load_guideline(str(path))


def _without(doc: dict[str, Any], *keys: str) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    node = doc
    for key in keys[:-1]:
        node = node[key]
    del node[keys[-1]]
    return doc


@pytest.mark.parametrize("keys,message", [
    (("components",), "is missing required key 'components'"),
    (("capabilities",), "is missing required key 'capabilities'"),
    (("metadata", "schema"), "is missing required key 'metadata.schema' (schema 2.0) or 'schema' (schema 1.x)"),
    (("components", "os_powered_compute", "capabilities"), "is missing required key 'components.os_powered_compute.capabilities'"),
    (("platforms", "OpenStack Powered Compute", "components"), "is missing required key 'platforms.OpenStack Powered Compute.components'"),
    (("capabilities", "cap-a", "tests"), "is missing required key 'capabilities.cap-a.tests'"),
])
def test_missing_required_keys_v2(tmp_path: Path, keys: tuple[str, ...], message: str) -> None:
    path = write(tmp_path, _without(v2_doc(), *keys))
    with pytest.raises(GuidelineError) as err:
        load_guideline(str(path))
    assert str(err.value) == f"guideline {path} {message}"


def test_wrong_types_and_dangling_components(tmp_path: Path) -> None:
    doc = v2_doc()
    doc["capabilities"]["cap-a"]["tests"]["t.z"]["aliases"] = "t.z_old"
    with pytest.raises(GuidelineError, match=r"key 'capabilities.cap-a.tests.t.z.aliases' must be a list of strings"):
        load_guideline(write(tmp_path, doc))
    doc = v2_doc()
    doc["platforms"]["OpenStack Powered Compute"]["components"] = [{"name": "os_powered_nothing"}]
    with pytest.raises(GuidelineError, match=r"names component 'os_powered_nothing', which is not in 'components' \(defined: os_powered_compute"):
        load_guideline(write(tmp_path, doc))
    doc = v2_doc()
    doc["components"]["os_powered_storage"]["capabilities"]["required"] = "cap-s"
    with pytest.raises(GuidelineError, match=r"key 'components.os_powered_storage.capabilities.required' must be a list of strings"):
        load_guideline(write(tmp_path, doc))
    doc = {"metadata": {"schema": "2.0"}, "components": {"x": {"capabilities": {}}}, "capabilities": {}}
    with pytest.raises(GuidelineError, match="offers no program"):
        load_guideline(write(tmp_path, doc))
    doc = {"schema": "1.5", "components": {}, "capabilities": {}}
    with pytest.raises(GuidelineError, match="is missing required key 'platform'"):
        load_guideline(write(tmp_path, doc))
    doc = {"schema": "1.5", "platform": {"required": ["compute"]}, "components": {}, "capabilities": {}}
    with pytest.raises(GuidelineError, match=r"platform.required names component 'compute', which is not in 'components'"):
        load_guideline(write(tmp_path, doc))
    doc = {"schema": 1.5, "platform": {"required": []}, "components": {}, "capabilities": {}}
    with pytest.raises(GuidelineError, match=r"key 'schema' must be a string"):
        load_guideline(write(tmp_path, doc))
    doc = {"schema": "1.2", "platform": {"required": ["c"]}, "components": {"c": {"required": ["x"]}},
           "capabilities": {"x": {"tests": {"a": {}}}}}
    with pytest.raises(GuidelineError, match=r"key 'capabilities.x.tests' must be a list"):
        load_guideline(write(tmp_path, doc))


def test_unknown_type_lists_accepted() -> None:
    g = load_guideline("2020.06")
    for method in (g.test_list, g.capabilities, g.tests):
        with pytest.raises(GuidelineError) as err:
            method("compute", ["required", "mandatory"])
        assert str(err.value) == "unknown type 'mandatory'; accepted: required, advisory, deprecated, removed"
    with pytest.raises(GuidelineError, match="type values must be strings"):
        g.test_list("compute", [1])  # type: ignore[list-item]


# ---------------------------------------------------------------------------------------------
# URL loading against a real local HTTP server


@pytest.fixture()
def http_root(tmp_path: Path) -> Iterator[tuple[str, Path, Any]]:
    """A real http.server on 127.0.0.1 (ephemeral port) serving tmp_path/www; stopped afterwards."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state = {"server": server}

    def stop() -> None:
        if state["server"] is not None:
            state["server"].shutdown()
            state["server"].server_close()
            state["server"] = None

    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root, stop
    finally:
        stop()
        thread.join(timeout=10)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    requests_seen: list[str] = []

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (signature of the base)
        _QuietHandler.requests_seen.append(self.path)


def test_url_download_cache_and_offline(http_root: tuple[str, Path, Any], tmp_path: Path) -> None:
    base, root, stop = http_root
    cache = tmp_path / "cache"
    (root / "2020.06.json").write_bytes((BUNDLED / "2020.06.json").read_bytes())
    url = f"{base}/guidelines/2020.06.json"
    (root / "guidelines").mkdir()
    (root / "guidelines" / "2020.06.json").write_bytes((BUNDLED / "2020.06.json").read_bytes())
    _QuietHandler.requests_seen.clear()
    g = load_guideline(url, cache_dir=cache, timeout=10)
    assert (g.name, g.source, g.schema) == ("2020.06", url, "2.0")
    assert g.test_list("compute", ["required"], flag=False) == load_guideline("2020.06").test_list("compute", ["required"], flag=False)
    cached = list(cache.glob("*.json"))
    assert len(cached) == 1 and cached[0].read_bytes() == (BUNDLED / "2020.06.json").read_bytes()
    assert not [p for p in cache.iterdir() if p.name.endswith(".tmp")]
    assert _QuietHandler.requests_seen == ["/guidelines/2020.06.json"]
    # second load: from the cache, no request
    load_guideline(url, cache_dir=cache)
    assert _QuietHandler.requests_seen == ["/guidelines/2020.06.json"]
    # offline: server gone, the cached copy still works; an uncached URL fails clearly
    stop()
    assert load_guideline(url, cache_dir=cache, program="object").test_list("object", ["required"], flag=False).count("\n") == 60
    other = f"{base}/guidelines/2019.11.json"
    with pytest.raises(GuidelineError) as err:
        load_guideline(other, cache_dir=cache, timeout=5)
    message = str(err.value)
    assert message.startswith(f"cannot fetch guideline {other} (")
    assert f"and there is no cached copy at {cache}" in message


def test_url_errors_are_not_cached(http_root: tuple[str, Path, Any], tmp_path: Path) -> None:
    base, root = http_root[:2]
    cache = tmp_path / "cache"
    with pytest.raises(GuidelineError, match=r"cannot fetch guideline .*/missing.json \(HTTP 404 .*\) and there is no cached copy"):
        load_guideline(f"{base}/missing.json", cache_dir=cache, timeout=10)
    (root / "bad.json").write_text("{\n\n  nope\n}", encoding="utf-8")
    with pytest.raises(GuidelineError, match=rf"guideline {base}/bad.json is not valid JSON: line 3 column 3"):
        load_guideline(f"{base}/bad.json", cache_dir=cache, timeout=10)
    (root / "keys.json").write_text(json.dumps({"metadata": {"schema": "2.0"}}), encoding="utf-8")
    with pytest.raises(GuidelineError, match=rf"guideline {base}/keys.json is missing required key 'components'"):
        load_guideline(f"{base}/keys.json", cache_dir=cache, timeout=10)
    assert not cache.exists() or not list(cache.iterdir())


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OPENINFRA_INTEROP_HOME", str(tmp_path))
    assert gl.default_cache_dir() == tmp_path / "guidelines"
    monkeypatch.delenv("OPENINFRA_INTEROP_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert gl.default_cache_dir() == tmp_path / "home" / ".cache" / "openinfra-interop" / "guidelines"


def test_guideline_constructor_validates() -> None:
    with pytest.raises(GuidelineError, match="must contain a JSON object"):
        Guideline("text", "x", "memory")
    g = Guideline(v2_doc(), "mem", "memory")
    assert repr(g) == "Guideline(name='mem', source='memory', schema='2.0')"
