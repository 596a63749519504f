# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Interop guidelines: load them and turn a program into its test list.

A guideline is the JSON document the Interop Working Group publishes (schema 1.x or 2.0). This
module loads one (bundled version name, local file or http(s) URL with an offline cache),
lists the programs it offers and builds, for a program, the list of Tempest tests with exactly
the rules of the RefStack server's ``GET /v1/guidelines/<file>/tests`` endpoint:

* schema 2.0 and later (``metadata.schema`` compared as a string, ``>= "2.0"``): the core
  programs ``platform``, ``compute`` and ``object`` are the ``platforms`` entries
  "OpenStack Powered Platform/Compute/Storage" and use their components; any other program
  ``X`` (the add-ons) is the component ``os_powered_X``; a component lists its capability
  names per status under ``capabilities``;
* schema 1.x (top-level ``schema``): ``platform`` uses the components named in
  ``platform.required``, any other program is the component of that name, and the statuses
  sit directly under the component;
* every test of a selected capability gives the line ``name[idempotent_id]`` (schema 1.2:
  the bare name); flagged tests only with ``flag``; with ``alias`` each alias of a kept test
  gives ``alias[idempotent_id]`` too; lines are sorted and joined by newlines, without a
  trailing newline and without de-duplication.

Pure Python, standard library only. Every bad input raises :class:`GuidelineError` with one
message that names the bad value and what is accepted.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import urllib.error
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence, Union

from ansible.module_utils.urls import open_url
from ansible_collections.openinfra.interop.plugins.module_utils.atomic import atomic_write
from ansible_collections.openinfra.interop.plugins.module_utils.programs import (
    CORE_PROGRAMS,
    LIST_PREFIX,
    PROGRAM_NAME_RE,
    PROGRAMS,
    GuidelineError,
    canonical_program,
    is_list_program,
    program_entry,
)
from ansible_collections.openinfra.interop.plugins.module_utils.tempest_ids import parse_test_id

__all__ = [
    "CORE_PROGRAMS",
    "STATUSES",
    "Guideline",
    "GuidelineError",
    "GuidelineTest",
    "bundled_guidelines_dir",
    "bundled_versions",
    "default_cache_dir",
    "default_version",
    "load_guideline",
]

#: Capability statuses of the guideline schemas, in the order they are reported.
STATUSES: tuple[str, ...] = ("required", "advisory", "deprecated", "removed")

#: Schema 2.0 ``platforms`` entry of each core program.
_PLATFORM_TITLES: dict[str, str] = {
    "platform": "OpenStack Powered Platform",
    "compute": "OpenStack Powered Compute",
    "object": "OpenStack Powered Storage",
}
#: Descriptions for schema 1.x guidelines, which carry none.
_V1_DESCRIPTIONS: dict[str, str] = {
    "platform": "OpenStack Powered Platform",
    "compute": "OpenStack Powered Compute",
    "object": "OpenStack Powered Object Storage",
}
_COMPONENT_PREFIX = "os_powered_"
_CORE_VERSION_RE = re.compile(r"[0-9]{4}\.[0-9]{2}\Z")
_URL_SCHEMES = ("http", "https")
_MAX_DOWNLOAD = 64 * 1024 * 1024
_ENV_HOME = "OPENINFRA_INTEROP_HOME"

PathLike = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class GuidelineTest:
    """One test of one capability (a test in two capabilities gives two entries)."""

    name: str
    idempotent_id: str | None
    capability: str
    status: str
    flagged: bool
    aliases: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON/Ansible results."""
        return {
            "name": self.name,
            "idempotent_id": self.idempotent_id,
            "capability": self.capability,
            "status": self.status,
            "flagged": self.flagged,
            "aliases": list(self.aliases),
        }


# --------------------------------------------------------------------------------------------
# Bundled guidelines


def bundled_guidelines_dir() -> Path:
    """``<collection root>/guidelines``, found relative to this file."""
    return Path(__file__).resolve().parents[2] / "guidelines"


def _version_sort_key(name: str) -> tuple[str, int, str]:
    """Core before add-ons, each program's dated versions in order, ``next`` last."""
    if name == "next":
        return ("", 1, "")
    if name.endswith(".next"):
        return (name[: -len(".next")], 1, "")
    match = re.match(r"(?:(.*)\.)?([0-9]{4}\.[0-9]{2})\Z", name)
    if match:
        return (match.group(1) or "", 0, match.group(2))
    return (name, 2, "")


def _bundled_files() -> dict[str, Path]:
    root = bundled_guidelines_dir()
    found: dict[str, Path] = {}
    for folder in (root, root / "add-ons"):
        if folder.is_dir():
            for path in folder.glob("*.json"):
                if path.is_file():
                    found[path.name[: -len(".json")]] = path
    return found


def bundled_versions() -> list[str]:
    """Names of the bundled guidelines: core ones first (oldest to newest, then ``next``),
    then the add-ons grouped by program (``dns.2018.02`` ... ``dns.next``)."""
    names = list(_bundled_files())
    core = [n for n in names if _is_core_version(n)]
    addons = [n for n in names if n not in core]
    return sorted(core, key=_version_sort_key) + sorted(addons, key=_version_sort_key)


def _is_core_version(name: str) -> bool:
    return name == "next" or bool(_CORE_VERSION_RE.match(name))


def default_version() -> str:
    """The newest bundled core guideline (a dated one, never ``next``)."""
    dated = sorted(n for n in _bundled_files() if _CORE_VERSION_RE.match(n))
    if not dated:
        raise GuidelineError("no bundled core guideline found in %s" % bundled_guidelines_dir())
    return dated[-1]


def default_cache_dir() -> Path:
    """``$OPENINFRA_INTEROP_HOME/guidelines``, else ``~/.cache/openinfra-interop/guidelines``."""
    home = os.environ.get(_ENV_HOME)
    base = Path(home).expanduser() if home else Path.home() / ".cache" / "openinfra-interop"
    return base / "guidelines"


# --------------------------------------------------------------------------------------------
# Validation helpers


def _fail_key(where: str, key: str, expected: str | None = None) -> GuidelineError:
    if expected:
        return GuidelineError(
            "guideline %s: key '%s' must be %s" % (where, key, expected)
        )
    return GuidelineError("guideline %s is missing required key '%s'" % (where, key))


def _require(container: Mapping[str, Any], key: str, kind: type, path: str, where: str) -> Any:
    if key not in container:
        raise _fail_key(where, path)
    value = container[key]
    if not isinstance(value, kind):
        expected = {dict: "an object", list: "a list", str: "a string"}.get(kind, kind.__name__)
        raise _fail_key(where, path, expected)
    return value


def _check_name_list(value: Any, path: str, where: str) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _fail_key(where, path, "a list of strings")


def _schema_of(data: Mapping[str, Any], where: str) -> tuple[str, bool]:
    """(schema, is_v2) decided the way the RefStack server decides it."""
    metadata = data.get("metadata")
    if isinstance(metadata, dict) and "schema" in metadata:
        schema = metadata["schema"]
        if not isinstance(schema, str):
            raise _fail_key(where, "metadata.schema", "a string")
        if schema >= "2.0":
            return schema, True
    if "schema" not in data:
        raise GuidelineError(
            "guideline %s is missing required key 'metadata.schema' (schema 2.0) or 'schema' "
            "(schema 1.x)" % where
        )
    schema = data["schema"]
    if not isinstance(schema, str):
        raise _fail_key(where, "schema", "a string")
    return schema, False


# --------------------------------------------------------------------------------------------
# Guideline


class Guideline:
    """One loaded and validated guideline document."""

    def __init__(self, data: Any, name: str, source: str) -> None:
        self.name = name
        self.source = source
        if not isinstance(data, dict):
            raise GuidelineError("guideline %s must contain a JSON object, not %s" % (source, type(data).__name__))
        self.data: dict[str, Any] = data
        self.schema, self._v2 = _schema_of(data, source)
        self._validate()
        self._programs = self._find_programs()
        if not self._programs:
            raise GuidelineError(
                "guideline %s offers no program: no 'platforms' entries (%s) and no "
                "'%s<name>' component" % (source, ", ".join(_PLATFORM_TITLES.values()), _COMPONENT_PREFIX)
            )

    def __repr__(self) -> str:
        return "Guideline(name=%r, source=%r, schema=%r)" % (self.name, self.source, self.schema)

    # ---- structure ------------------------------------------------------------------------

    def _validate(self) -> None:
        where = self.source
        data = self.data
        components = _require(data, "components", dict, "components", where)
        capabilities = _require(data, "capabilities", dict, "capabilities", where)
        for comp, body in components.items():
            path = "components.%s" % comp
            if not isinstance(body, dict):
                raise _fail_key(where, path, "an object")
            statuses = _require(body, "capabilities", dict, path + ".capabilities", where) if self._v2 else body
            for status, names in statuses.items():
                _check_name_list(names, "%s%s.%s" % (path, ".capabilities" if self._v2 else "", status), where)
        if self._v2:
            platforms = data.get("platforms", {})
            if not isinstance(platforms, dict):
                raise _fail_key(where, "platforms", "an object")
            for title, entry in platforms.items():
                path = "platforms.%s" % title
                if not isinstance(entry, dict):
                    raise _fail_key(where, path, "an object")
                comps = _require(entry, "components", list, path + ".components", where)
                for index, comp in enumerate(comps):
                    cpath = "%s.components[%d].name" % (path, index)
                    if not isinstance(comp, dict) or "name" not in comp:
                        raise _fail_key(where, cpath)
                    if comp["name"] not in components:
                        raise GuidelineError(
                            "guideline %s: %s names component %r, which is not in 'components' "
                            "(defined: %s)" % (where, cpath, comp["name"], ", ".join(sorted(components)))
                        )
        else:
            platform = _require(data, "platform", dict, "platform", where)
            required = _require(platform, "required", list, "platform.required", where)
            _check_name_list(required, "platform.required", where)
            for comp in required:
                if comp not in components:
                    raise GuidelineError(
                        "guideline %s: platform.required names component %r, which is not in "
                        "'components' (defined: %s)" % (where, comp, ", ".join(sorted(components)))
                    )
        bare = self.schema == "1.2"
        for cap, body in capabilities.items():
            path = "capabilities.%s" % cap
            if not isinstance(body, dict):
                raise _fail_key(where, path, "an object")
            if bare:
                tests = _require(body, "tests", list, path + ".tests", where)
                _check_name_list(tests, path + ".tests", where)
                if "flagged" in body:
                    _check_name_list(body["flagged"], path + ".flagged", where)
                continue
            tests = _require(body, "tests", dict, path + ".tests", where)
            for test, details in tests.items():
                tpath = "%s.tests.%s" % (path, test)
                if not isinstance(details, dict):
                    raise _fail_key(where, tpath, "an object")
                if "idempotent_id" in details and not isinstance(details["idempotent_id"], str):
                    raise _fail_key(where, tpath + ".idempotent_id", "a string")
                if "aliases" in details and details["aliases"] is not None:
                    _check_name_list(details["aliases"], tpath + ".aliases", where)

    def _find_programs(self) -> dict[str, str]:
        components = self.data["components"]
        programs: dict[str, str] = {}
        if not self._v2:
            if self.data["platform"]["required"]:
                programs["platform"] = "%s (components: %s)" % (
                    _V1_DESCRIPTIONS["platform"], ", ".join(self.data["platform"]["required"]))
            for comp in components:
                if PROGRAM_NAME_RE.match(comp) and comp != "platform":
                    programs[comp] = _V1_DESCRIPTIONS.get(comp, "Component %s" % comp)
            return programs
        platforms = self.data.get("platforms", {})
        for program, title in _PLATFORM_TITLES.items():
            if title in platforms:
                programs[program] = str(platforms[title].get("description") or title)
        described: dict[str, str] = {}
        addons = self.data.get("add-ons")
        if isinstance(addons, dict):
            for title, entry in addons.items():
                if isinstance(entry, dict) and isinstance(entry.get("components"), list):
                    for comp in entry["components"]:
                        if isinstance(comp, dict) and isinstance(comp.get("name"), str):
                            described[comp["name"]] = str(entry.get("description") or title)
        for comp in components:
            if not comp.startswith(_COMPONENT_PREFIX):
                continue
            program = comp[len(_COMPONENT_PREFIX):]
            # os_powered_compute/storage are reached through the core platforms only.
            if program in ("compute", "storage") or not (PROGRAM_NAME_RE.match(program) or is_list_program(program)):
                continue
            programs[program] = described.get(comp, "Component %s" % comp)
        return programs

    # ---- programs -------------------------------------------------------------------------

    def programs(self) -> dict[str, str]:
        """Program name (as users type it) -> description."""
        return dict(self._programs)

    def _program(self, program: str) -> str:
        name = canonical_program(program)
        if name not in self._programs:
            hint = ""
            if name in CORE_PROGRAMS and not any(p in CORE_PROGRAMS for p in self._programs):
                hint = "; %s is a core program: use a core guideline such as %s" % (name, default_version())
            elif name not in CORE_PROGRAMS and _is_core_version(self.name):
                hint = "; for an add-on use its guideline, e.g. %s.%s" % (name, self.name)
            raise GuidelineError(
                "unknown program %r for guideline %s; it offers: %s%s; test lists: %s"
                % (program, self.name, ", ".join(self._programs), hint, _test_lists_text())
            )
        return name

    def components(self, program: str) -> list[str]:
        """Component names a program is made of."""
        name = self._program(program)
        if self._v2:
            if name in _PLATFORM_TITLES:
                return [c["name"] for c in self.data["platforms"][_PLATFORM_TITLES[name]]["components"]]
            return [_COMPONENT_PREFIX + name]
        if name == "platform":
            return list(self.data["platform"]["required"])
        return [name]

    def _statuses(self, component: str) -> dict[str, list[str]]:
        body = self.data["components"][component]
        return body["capabilities"] if self._v2 else body

    def statuses(self) -> list[str]:
        """The ``type`` values this guideline accepts (the four statuses plus any other it uses)."""
        extra = {s for comp in self.data["components"] for s in self._statuses(comp)} - set(STATUSES)
        return list(STATUSES) + sorted(extra)

    def _types(self, types: str | Iterable[str] | None) -> set[str] | None:
        """None means every status, like the server without ``type``."""
        if types is None:
            return None
        items = [types] if isinstance(types, str) else list(types)
        wanted: list[str] = []
        for item in items:
            if not isinstance(item, str):
                raise GuidelineError(
                    "type values must be strings, got %r; accepted: %s" % (item, ", ".join(self.statuses()))
                )
            wanted.extend(part.strip().lower() for part in item.split(",") if part.strip())
        if not wanted:
            return None
        accepted = self.statuses()
        for value in wanted:
            if value not in accepted:
                raise GuidelineError("unknown type %r; accepted: %s" % (value, ", ".join(accepted)))
        return set(wanted)

    # ---- capabilities and tests -----------------------------------------------------------

    def _selected(self, program: str, types: str | Iterable[str] | None) -> dict[str, str]:
        """Capability name -> status for the program and statuses, in component order."""
        wanted = self._types(types)
        selected: dict[str, str] = {}
        for comp in self.components(program):
            for status, names in self._statuses(comp).items():
                if wanted is None or status in wanted:
                    for cap in names:
                        selected.setdefault(cap, status)
        return selected

    def capabilities(self, program: str, types: str | Iterable[str] | None = ("required",)) -> list[str]:
        """Sorted names of the program's capabilities with these statuses (None: all).

        Names a component lists but the guideline does not define (a few upstream guidelines
        have such leftovers) have no tests and are left out, as the server's test list does.
        """
        defined = self.data["capabilities"]
        return sorted(cap for cap in self._selected(program, types) if cap in defined)

    def tests(
        self,
        program: str,
        types: str | Iterable[str] | None = ("required",),
        flag: bool = False,
    ) -> list[GuidelineTest]:
        """One entry per test per capability, sorted by test name then capability.

        Flagged tests only when ``flag`` is true.
        """
        selected = self._selected(program, types)
        found: list[GuidelineTest] = []
        for cap, body in self.data["capabilities"].items():
            if cap not in selected:
                continue
            for test in self._cap_tests(body):
                if test[2] and not flag:
                    continue
                found.append(GuidelineTest(test[0], test[1], cap, selected[cap], test[2], test[3]))
        found.sort(key=lambda t: (t.name, t.capability))
        return found

    def _cap_tests(self, body: Mapping[str, Any]) -> list[tuple[str, str | None, bool, tuple[str, ...]]]:
        """(name, idempotent_id, flagged, aliases) of each test of one capability."""
        if self.schema == "1.2":
            flagged = set(body.get("flagged") or ())
            return [(name, None, name in flagged, ()) for name in body["tests"]]
        result = []
        for name, details in body["tests"].items():
            result.append((
                name,
                details.get("idempotent_id") or None,
                bool(details.get("flagged")),
                tuple(details.get("aliases") or ()),
            ))
        return result

    def test_lines(
        self,
        program: str,
        types: str | Iterable[str] | None = None,
        alias: bool = True,
        flag: bool = True,
    ) -> list[str]:
        """The lines of :meth:`test_list`, sorted."""
        selected = self._selected(program, types)
        lines: list[str] = []
        for cap, body in self.data["capabilities"].items():
            if cap not in selected:
                continue
            if self.schema == "1.2":
                flagged = set(body.get("flagged") or ())
                lines.extend(name for name in body["tests"] if flag or name not in flagged)
                continue
            for name, details in body["tests"].items():
                if details.get("flagged") and not flag:
                    continue
                ident = details.get("idempotent_id", "")
                lines.append("%s[%s]" % (name, ident))
                if alias:
                    lines.extend("%s[%s]" % (other, ident) for other in details.get("aliases") or ())
        lines.sort()
        return lines

    def test_list(
        self,
        program: str,
        types: str | Iterable[str] | None = None,
        alias: bool = True,
        flag: bool = True,
    ) -> str:
        """The test list exactly as ``GET /v1/guidelines/<file>/tests`` returns it.

        ``types=None``, ``alias=True`` and ``flag=True`` are the server's own defaults; the
        must-pass list of a program is ``types=("required",), alias=True, flag=False``.
        """
        return "\n".join(self.test_lines(program, types, alias, flag))


# --------------------------------------------------------------------------------------------
# Loading


def _parse(text: str, source: str, name: str) -> Guideline:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GuidelineError(
            "guideline %s is not valid JSON: line %d column %d: %s" % (source, exc.lineno, exc.colno, exc.msg)
        ) from None
    return Guideline(data, name, source)


def _read_file(path: Path, name: str) -> Guideline:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise GuidelineError("cannot read guideline file %s: %s" % (path, exc.strerror or exc)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GuidelineError("guideline %s is not UTF-8 text: %s" % (path, exc)) from None
    return _parse(text, str(path), name)


def _url_stem(url: str) -> str:
    base = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rstrip("/").rpartition("/")[2])
    if base.endswith(".json"):
        base = base[: -len(".json")]
    return base or "guideline"


def _cache_path(url: str, cache_dir: Path) -> Path:
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", _url_stem(url))[:80]
    return cache_dir / ("%s-%s.json" % (safe, digest))


def _load_url(url: str, cache_dir: PathLike | None, timeout: float) -> Guideline:
    return _fetch_cached(url, "guideline", timeout, _cache_path(url, _cache_root(cache_dir)),
                         lambda text: _parse(text, url, _url_stem(url)))


def _cache_root(cache_dir: PathLike | None) -> Path:
    return Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()


def _fetch_cached(url: str, what: str, timeout: float, cached: Path, parse: Any) -> Any:
    """``parse(text)`` of the document at ``url``: downloaded once into ``cached`` (only after
    it parsed: never cache a bad copy), read from there afterwards, also offline."""
    if cached.is_file():
        try:
            loaded = parse(cached.read_bytes().decode("utf-8-sig"))
        except (OSError, UnicodeDecodeError) as exc:
            raise GuidelineError("cannot read the cached copy %s of %s: %s" % (cached, url, exc)) from None
        loaded.source = url
        return loaded
    try:
        with open_url(url, timeout=timeout, http_agent="openinfra.interop guideline loader") as response:
            payload = response.read(_MAX_DOWNLOAD + 1)
    except urllib.error.HTTPError as exc:
        reason = "HTTP %s %s" % (exc.code, exc.reason)
    except urllib.error.URLError as exc:
        reason = str(exc.reason)
    except (OSError, ValueError) as exc:
        reason = str(exc) or type(exc).__name__
    else:
        if len(payload) > _MAX_DOWNLOAD:
            raise GuidelineError("%s %s is larger than %d bytes" % (what, url, _MAX_DOWNLOAD))
        try:
            text = payload.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise GuidelineError("%s %s is not UTF-8 text: %s" % (what, url, exc)) from None
        loaded = parse(text)
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(cached, payload)
        except OSError as exc:
            raise GuidelineError(
                "cannot write the cached copy of %s to %s: %s" % (url, cached, exc.strerror or exc)
            ) from None
        return loaded
    raise GuidelineError("cannot fetch %s %s (%s) and there is no cached copy at %s" % (what, url, reason, cached))


# --------------------------------------------------------------------------------------------
# Test lists as guidelines


def _test_lists_text() -> str:
    """The list programs, for messages that name what a user can choose."""
    return ", ".join([p for p in PROGRAMS if is_list_program(p)] + [LIST_PREFIX + "<file or URL>"])


def bundled_lists_dir() -> Path:
    """``<collection root>/guidelines/lists``: the bundled test lists (each with its provenance)."""
    return bundled_guidelines_dir() / "lists"


def _list_capability(name: str) -> str:
    """The part of Tempest a listed test belongs to, as its "capability" in reports:
    ``tempest.api.compute.servers.test_x...`` -> ``compute-servers``; a plugin's test -> its package."""
    parts = name.split(".")
    if parts[:2] in (["tempest", "api"], ["tempest", "scenario"]) and len(parts) > 3:
        area = parts[2]
        if len(parts) > 5 and not parts[3].startswith("test_"):
            area += "-" + parts[3]
        return area
    return parts[0]


def list_guideline(text: str, program: str, name: str, source: str) -> Guideline:
    """A test list as the guideline of one program whose every test is required.

    ``text``: one Tempest test id per line (``name[id-...,tags]`` or a bare name), the format of
    Tempest's ``--include-list``-free listing, refstack-client's ``--test-list`` and the RefStack
    server's ``/v1/guidelines/<version>/tests`` text; ``#`` starts a comment.
    """
    capabilities: dict[str, dict[str, Any]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        test = parse_test_id(line)
        if test is None:
            raise GuidelineError(
                "test list %s line %d: %r is not a Tempest test id (name or name[id-<uuid>,...])" % (source, number, line)
            )
        details = {"idempotent_id": test.idempotent_id} if test.idempotent_id else {}
        capabilities.setdefault(_list_capability(test.name), {"tests": {}})["tests"].setdefault(test.name, details)
    if not capabilities:
        raise GuidelineError("test list %s names no test" % source)
    component = _COMPONENT_PREFIX + program
    data = {
        "metadata": {"schema": "2.0", "id": name},
        "add-ons": {name: {"description": "test list %s" % name, "components": [{"name": component}]}},
        "components": {component: {"capabilities": {"required": sorted(capabilities)}}},
        "capabilities": {cap: capabilities[cap] for cap in sorted(capabilities)},
    }
    return Guideline(data, name, source)


def _load_list(program: str, cache_dir: PathLike | None, timeout: float) -> Guideline:
    """The guideline of a list program: its bundled list, or the file or URL of ``list:<ref>``."""
    entry = program_entry(program)
    if entry.test_list:
        path = bundled_lists_dir() / entry.test_list
        return list_guideline(_read_list(path, program), program, entry.version, str(path))
    ref = program[len(LIST_PREFIX):]
    scheme = urllib.parse.urlsplit(ref).scheme.lower() if "://" in ref else ""
    if scheme in _URL_SCHEMES:
        digest = hashlib.sha256(ref.encode("utf-8")).hexdigest()[:16]
        cached = _cache_root(cache_dir) / "lists" / ("%s-%s.txt" % (entry.version, digest))
        return _fetch_cached(ref, "test list", timeout, cached,
                             lambda text: list_guideline(text, program, entry.version, ref))
    path = Path(ref).expanduser()
    return list_guideline(_read_list(path, program), program, entry.version, str(path))


def _read_list(path: Path, program: str) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise GuidelineError(
            "program %s: cannot read the test list %s: %s" % (program, path, getattr(exc, "strerror", None) or exc)
        ) from None


def _looks_like_path(ref: str) -> bool:
    return (
        "/" in ref
        or os.sep in ref
        or (os.altsep is not None and os.altsep in ref)
        or ref.startswith(("~", "."))
        or ref.endswith(".json")
    )


def _unknown_version(ref: str) -> GuidelineError:
    hint = ""
    if re.match(r"(?:.*\.)?[0-9]{4}\.[0-9]\Z", ref):
        hint = " (quote version names in YAML: an unquoted 2022.10 becomes 2022.1)"
    return GuidelineError(
        "unknown guideline %r: not a bundled version, an existing file or an http(s) URL%s; "
        "bundled: %s" % (ref, hint, ", ".join(bundled_versions()))
    )


def _load_ref(ref: str, cache_dir: PathLike | None, timeout: float) -> Guideline:
    bundled = _bundled_files()
    scheme = urllib.parse.urlsplit(ref).scheme.lower() if "://" in ref else ""
    if scheme in _URL_SCHEMES:
        return _load_url(ref, cache_dir, timeout)
    if scheme == "file":
        parts = urllib.parse.urlsplit(ref)
        path = Path(urllib.parse.unquote(parts.path))
        if not path.is_file():
            raise GuidelineError("guideline file not found: %s" % path)
        return _read_file(path, path.name[:-5] if path.name.endswith(".json") else path.name)
    if scheme:
        raise GuidelineError("unsupported URL scheme in guideline %r; accepted: http, https, file" % ref)
    if ref in bundled:
        return _read_file(bundled[ref], ref)
    if _looks_like_path(ref):
        path = Path(ref).expanduser()
        if path.is_file():
            return _read_file(path, path.name[:-5] if path.name.endswith(".json") else path.name)
        stem = ref[:-5] if ref.endswith(".json") else ""
        if stem in bundled and not any(sep in ref for sep in ("/", os.sep)):
            return _read_file(bundled[stem], stem)
        if path.exists():
            raise GuidelineError("guideline %s is not a regular file" % path)
        raise GuidelineError(
            "guideline file not found: %s (bundled versions: %s)" % (path, ", ".join(bundled_versions()))
        )
    raise _unknown_version(ref)


def load_guideline(
    ref: PathLike | None = None,
    *,
    program: str | None = None,
    cache_dir: PathLike | None = None,
    timeout: float = 30,
) -> Guideline:
    """Load a guideline by bundled version name, local path or http(s) URL.

    ``ref`` None means :func:`default_version`. A URL is downloaded once into ``cache_dir``
    (default :func:`default_cache_dir`) and read from there afterwards, also offline.

    With ``program``, the guideline must offer it; an add-on program with a core version
    name (or no ``ref``) selects the add-on guideline of that version (``dns`` + ``2020.06``
    -> ``dns.2020.06``).
    """
    wanted = canonical_program(program) if program is not None else None
    if wanted is not None and is_list_program(wanted):
        # a list program's tests are its own data, whatever guideline the other programs use
        return _load_list(wanted, cache_dir, timeout)
    if ref is not None and not isinstance(ref, (str, os.PathLike)):
        raise GuidelineError(
            "guideline must be a version name, a path or a URL, got %r; bundled: %s"
            % (ref, ", ".join(bundled_versions()))
        )
    text = os.fspath(ref).strip() if ref is not None else None
    if text == "":
        raise GuidelineError("guideline must not be empty; bundled: %s" % ", ".join(bundled_versions()))
    version = text if text is not None else default_version()

    if wanted is not None and wanted not in CORE_PROGRAMS and _is_core_version(version):
        bundled = _bundled_files()
        addon = "%s.%s" % (wanted, version)
        if version not in bundled:
            raise _unknown_version(version)
        if addon in bundled:
            return _read_file(bundled[addon], addon)
        core = _read_file(bundled[version], version)
        if wanted in core.programs():
            return core
        same = [n for n in bundled_versions() if n.startswith(wanted + ".")]
        if same:
            raise GuidelineError(
                "no bundled %s add-on guideline for version %s; bundled %s guidelines: %s "
                "(or pass a guideline file or URL)" % (wanted, version, wanted, ", ".join(same))
            )
        offered = list(core.programs())
        addons = sorted(n[: -len(version) - 1] for n in bundled if n.endswith("." + version) and n != version)
        raise GuidelineError(
            "unknown program %r for guideline %s; it offers: %s; add-on programs bundled for %s: %s "
            "(for another add-on pass a guideline file or URL); test lists: %s"
            % (program, version, ", ".join(offered), version, ", ".join(addons) or "none", _test_lists_text())
        )

    guideline = _load_ref(version, cache_dir, timeout)
    if wanted is not None:
        guideline._program(wanted)
    return guideline


def program_summary(guideline: Guideline, program: str, types: Sequence[str] | None, alias: bool, flag: bool) -> dict[str, Any]:
    """Everything ``guideline_info`` returns for one program, as plain data."""
    name = guideline._program(program)
    lines = guideline.test_lines(name, types, alias, flag)
    return {
        "program": name,
        "components": guideline.components(name),
        "capabilities": guideline.capabilities(name, types),
        "tests": [t.as_dict() for t in guideline.tests(name, types, flag)],
        "test_list": "\n".join(lines),
        "test_count": len(lines),
    }
