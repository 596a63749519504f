# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""What a Tempest test id is, in one place: parsing, normalising, RefStack's rendering, and the
one rule that finds the test (of a listing or of a run) a guideline test stands for.

A test id as Tempest lists and runs it: ``tempest.api.x.test_y.Cls.test_z[id-<uuid>,smoke]``,
sometimes with a ``(scenario)`` suffix, the attributes before or after it. A guideline names the
test by its dotted name and its idempotent id (``id-<uuid>`` or a bare uuid), with aliases for
older names.

* :func:`parse_test_id`: the parts of a listed id (name, attributes, idempotent id, scenario);
* :func:`refstack_name`, :func:`refstack_uuid`: the ``name`` and ``uuid`` of a test in a RefStack
  result document, byte-exact as refstack-client renders them;
* :func:`normalize_id`: an idempotent id as a bare lower-case uuid, however it is written;
* :func:`match_test`: which candidates a guideline test matches, in this order:

  1. idempotent id **and** name - the guideline name first, then its aliases (often subclasses
     sharing the id, e.g. ``ServersTestManualDisk``, used only when the name itself is gone);
     inherited classes share idempotent ids, so the id alone would credit every subclass;
  2. idempotent id alone: the test was renamed; among several, the same class, then the same
     method and module, the same method, the same module (still several: ambiguous, all kept);
  3. name alone (the guideline name, else the first alias that has one): the id differs or the
     guideline has none.

  ``tempest_tests.match_tests`` (which installed tests go into the include list) and
  ``results.match_required`` (which test of the run credits which required test) both call it,
  so the include list and the verdict cannot disagree.

Standard library only: shipped to the test-runner host with the modules that list tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence, TypeVar

#: A test id: dotted Python name (identifiers may be non-ASCII: ddt names tests after their
#: data, e.g. manila's ``..._björn``), optional ``[attrs]`` and ``(scenario)`` in either order.
_TEST_ID_RE = re.compile(
    r"(?P<name>[^\W\d]\w*(?:\.\w+)+)"
    r"(?P<a1>\[[^\]\s]*\])?"
    r"(?P<scenario>\([^)\s]*\))?"
    r"(?P<a2>\[[^\]\s]*\])?\Z"
)
_ID_ATTR_RE = re.compile(r"id-[0-9a-fA-F-]+\Z")
# refstack-client's rendering: everything from the first "[" to the last "]" goes
_BRACKETS = re.compile(r"\[.*\]")
_SCENARIO = re.compile(r"\([^()]*\)$")

MATCH_ID_AND_NAME = "id+name"
MATCH_ID = "id"
MATCH_NAME = "name"


@dataclass(frozen=True)
class InstalledTest:
    """One test id as the installed Tempest lists (and runs) it."""

    test_id: str
    name: str
    idempotent_id: str | None
    attrs: tuple[str, ...]
    scenario: str | None

    @property
    def plugin(self) -> bool:
        return not self.name.startswith("tempest.")


def parse_test_id(line: str) -> InstalledTest | None:
    """The parts of one listed test id, or None for a line that is not a test id."""
    text = line.strip()
    match = _TEST_ID_RE.match(text)
    if not match:
        return None
    attrs_text = (match.group("a1") or match.group("a2") or "[]")[1:-1]
    attrs = tuple(a for a in attrs_text.split(",") if a)
    ident = next((a for a in attrs if _ID_ATTR_RE.match(a)), None)
    scenario = match.group("scenario")
    return InstalledTest(
        test_id=text,
        name=match.group("name"),
        idempotent_id=ident.lower() if ident else None,
        attrs=attrs,
        scenario=scenario[1:-1] if scenario else None,
    )


def refstack_name(test_id: str) -> str:
    """The test id without its attrs: everything from the first ``[`` to the last ``]``."""
    return _BRACKETS.sub("", test_id)


def refstack_uuid(test_id: str) -> str | None:
    """The idempotent id of the first ``[...]`` group (``id-<uuid>`` attr), without ``id-``."""
    parts = test_id.split("[", 1)
    if len(parts) < 2:
        return None
    for attr in parts[1].split("]", 1)[0].split(","):
        if attr.startswith("id-"):
            return attr[3:] or None
    return None


def normalize_id(value: str | None) -> str | None:
    """Idempotent id as a bare lower-case uuid (guidelines write it with or without ``id-``)."""
    if not value:
        return None
    value = value.strip().lower()
    if value.startswith("id-"):
        value = value[3:]
    return value or None


def strip_scenario(name: str) -> str:
    """A name without its ``(scenario)`` suffix."""
    return _SCENARIO.sub("", name)


def _class_and_module(name: str) -> tuple[str, str]:
    parts = name.split(".")
    return (".".join(parts[:-1]), ".".join(parts[:-2]))


C = TypeVar("C")


def _best_renamed(name: str, candidates: list[C], name_of: Callable[[C], str]) -> tuple[list[C], bool]:
    """Among candidates sharing the idempotent id (none with the guideline name), the rename."""
    if len({name_of(c) for c in candidates}) == 1:
        return candidates, False
    klass, module = _class_and_module(name)
    method = name.rsplit(".", 1)[-1]
    for keep in (
        lambda n: _class_and_module(n)[0] == klass,
        lambda n: n.rsplit(".", 1)[-1] == method and _class_and_module(n)[1] == module,
        lambda n: n.rsplit(".", 1)[-1] == method,
        lambda n: _class_and_module(n)[1] == module,
    ):
        chosen = [c for c in candidates if keep(name_of(c))]
        if chosen and len({name_of(c) for c in chosen}) == 1:
            return chosen, False
    return candidates, True


@dataclass
class Found:
    """What :func:`match_test` found for one guideline test."""

    candidates: list
    how: str | None = None
    ambiguous: bool = False


class Index:
    """Candidates (installed tests or run tests) by idempotent id and by name, for :func:`match_test`.

    ``name_of`` gives a candidate's dotted name without attributes or scenario; ``names_of`` every
    name it answers to (a run test's name with its scenario too); ``uuid_of`` its idempotent id
    in any spelling.
    """

    def __init__(self, candidates: Iterable[C], name_of: Callable[[C], str],
                 uuid_of: Callable[[C], str | None], names_of: Callable[[C], Iterable[str]] | None = None) -> None:
        self.name_of = name_of
        self.names_of = names_of or (lambda c: (name_of(c),))
        self.by_id: dict[str, list] = {}
        self.by_name: dict[str, list] = {}
        for candidate in candidates:
            uuid = normalize_id(uuid_of(candidate))
            if uuid:
                self.by_id.setdefault(uuid, []).append(candidate)
            for name in dict.fromkeys(self.names_of(candidate)):
                self.by_name.setdefault(name, []).append(candidate)


def match_test(name: str, idempotent_id: str | None, aliases: Sequence[str], index: Index) -> Found:
    """The candidates of ``index`` a guideline test (name, id, aliases) stands for (module doc)."""
    uuid = normalize_id(idempotent_id)
    if uuid:
        same_id = index.by_id.get(uuid, [])
        for wanted in ((name,), tuple(aliases)):
            found = [c for c in same_id if any(n in wanted for n in index.names_of(c))]
            if found:
                return Found(found, MATCH_ID_AND_NAME)
        if same_id:
            found, ambiguous = _best_renamed(name, list(same_id), index.name_of)
            return Found(found, MATCH_ID, ambiguous)
    for wanted_name in (name, *aliases):
        found = list(index.by_name.get(wanted_name, ()))
        if found:
            return Found(found, MATCH_NAME)
    return Found([])


def id_attr(value: str | None) -> str | None:
    """An idempotent id as Tempest writes it in a test id's attributes (``id-<uuid>``)."""
    uuid = normalize_id(value)
    return "id-" + uuid if uuid else None


__all__ = [
    "Found",
    "Index",
    "InstalledTest",
    "MATCH_ID",
    "MATCH_ID_AND_NAME",
    "MATCH_NAME",
    "id_attr",
    "match_test",
    "normalize_id",
    "parse_test_id",
    "refstack_name",
    "refstack_uuid",
    "strip_scenario",
]
