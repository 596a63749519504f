#!/usr/bin/python
# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Match a program's guideline tests against the installed Tempest and write the include list."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: tempest_tests
short_description: Turn a program's guideline tests into an include list for the installed Tempest
version_added: 0.1.0
description:
  - Runs on the host that runs Tempest. Lists the tests of the installed Tempest and its
    plugins (C(tempest run --list-tests) in the workspace) B(once) per set of versions and
    keeps the listing in O(cache_dir), keyed by the versions of Tempest, stestr and every
    installed Tempest plugin (read from the virtualenv's C(*.dist-info) directories), so later
    runs resolve in milliseconds.
  - Matches each guideline test by idempotent id B(and) name first (the guideline name, then
    its aliases; inherited test classes share idempotent ids, so an id alone would select
    every subclass), then by idempotent id alone (a renamed test, reported in RV(renames)),
    then by name alone (reported in RV(id_mismatches)). Tests of plugins (names that do not
    start with C(tempest)) are kept.
  - Applies O(exclude) and writes O(dest), the include list for
    C(tempest run --include-list), one anchored regex per selected test name. The file is only
    rewritten, and the task only reports a change, when its content differs.
  - Required tests the installed Tempest lacks, and excluded tests, are returned with a reason
    in RV(missing_reasons), the form M(openinfra.interop.refstack_results) takes; they count as
    not passed.
author:
  - openinfra.interop contributors (!UNKNOWN)
options:
  workspace:
    description:
      - Tempest workspace (created by C(tempest init); holds C(.stestr.conf) and
        C(etc/tempest.conf)). The listing runs there, never in a directory that may hold
        another C(etc/tempest.conf).
    type: path
    required: true
  venv:
    description: Virtualenv Tempest and its plugins are installed in (C(<venv>/bin/tempest)).
    type: path
    required: true
  tests:
    description:
      - The program's guideline tests, as RV(openinfra.interop.guideline_info#module:tests)
        returns them (C(name), C(idempotent_id), C(capability), C(aliases), ...). A test listed
        under two capabilities is matched once.
    type: list
    elements: dict
    required: true
  exclude:
    description:
      - "Tests not to run. Each entry is a regex (searched in the full test id, as stestr does),
        as a string V(regex) or V(regex # reason), or a mapping with C(regex) and C(reason)."
      - Excluded required tests count as not passed; their reason is reported.
    type: list
    elements: raw
    default: []
  dest:
    description:
      - Path of the include list file to write. Its parent directory is created.
      - Without it nothing is written and only the match is returned.
    type: path
  label:
    description: Name of the program, written in the include list header.
    type: str
    default: ""
  cache_dir:
    description:
      - Directory of the cached listings (one file per set of versions).
      - Default is C(<workspace>/.interop/listings).
    type: path
  refresh:
    description: List the tests again even if a cached listing exists.
    type: bool
    default: false
  list_timeout:
    description: Seconds the listing may take.
    type: int
    default: 600
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The listing is run (it changes nothing) or read from the cache; no file is written.
  diff_mode:
    support: full
    details: Shows the change of O(dest).
  platform:
    platforms: [posix]
notes:
  - The include list selects exactly the intended tests; this is checked against the listing
    with stestr's own rule before the file is written.
seealso:
  - module: openinfra.interop.guideline_info
  - module: openinfra.interop.tempest_run
"""

EXAMPLES = r"""
- name: Must-pass tests of the object program
  openinfra.interop.guideline_info:
    guideline: "2020.06"
    program: object
  register: object_guideline

- name: Include list for the installed Tempest
  openinfra.interop.tempest_tests:
    workspace: /var/lib/interop/workspace
    venv: /var/lib/interop/venv
    tests: "{{ object_guideline.tests }}"
    label: object
    exclude:
      - regex: test_container_sync
        reason: container sync is not deployed in this region
    dest: /var/lib/interop/workspace/interop/object/include-list.txt
  register: object_tests
"""

RETURN = r"""
include_file:
  description: Path of the include list (O(dest)).
  returned: when O(dest) is set
  type: str
counts:
  description: Required tests (unique), matched, missing, excluded, renamed, selected test ids.
  returned: success
  type: dict
  sample: {required: 58, matched: 58, missing: 0, excluded: 0, renamed: 0, selected: 58}
selected:
  description: Full ids (with attributes) of the installed tests the include list selects.
  returned: success
  type: list
  elements: str
missing:
  description: Required tests the installed Tempest lacks, with their capabilities and a reason.
  returned: success
  type: list
  elements: dict
excluded:
  description: Required tests left out by O(exclude), with the regex and reason.
  returned: success
  type: list
  elements: dict
missing_reasons:
  description: Reason per test name for RV(missing) and RV(excluded) (for O(openinfra.interop.refstack_results#module:missing_reasons)).
  returned: success
  type: dict
renames:
  description: Guideline tests found only by idempotent id, under another name.
  returned: success
  type: list
  elements: dict
  sample:
    - guideline_name: designate_tempest_plugin.tests.api.v2.test_zones.ZonesTest.test_list_zone
      idempotent_id: id-5bfa3cfe-5bc8-443b-bf48-cfba44cbb247
      installed_names: [designate_tempest_plugin.tests.api.v2.test_zones.ZonesTest.test_list_zones]
      ambiguous: false
id_mismatches:
  description: Guideline tests found by name only, whose installed idempotent id differs.
  returned: success
  type: list
  elements: dict
tests:
  description: One row per guideline test, how it was matched and the installed ids.
  returned: success
  type: list
  elements: dict
versions:
  description: Versions the listing depends on (its cache key).
  returned: success
  type: dict
  sample: {python: python3.11, tempest: 47.0.0, stestr: 4.2.1, plugins: {designate-tempest-plugin: 0.30.0}}
listing:
  description: Where the listing came from and how long it took.
  returned: success
  type: dict
  sample: {cache_file: /w/.interop/listings/tests-1f2e.txt, cache_hit: true, tests: 4470, seconds: 0.004}
"""

import os
import subprocess
import time
from typing import Any

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.openinfra.interop.plugins.module_utils.tempest_tests import (
    TempestTestsError,
    atomic_write,
    include_file_text,
    installed_versions,
    listing_cache_key,
    match_tests,
    parse_exclude,
    parse_listing,
    versions_label,
)


def _listing(module: AnsibleModule, workspace: str, venv: str, cache_dir: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    started = time.monotonic()
    versions = installed_versions(venv, run=lambda argv: module.run_command(list(argv)))
    cache_file = os.path.join(cache_dir, "tests-%s.txt" % listing_cache_key(versions))
    info: dict[str, Any] = {"cache_file": cache_file, "cache_hit": False}
    if not module.params["refresh"] and os.path.isfile(cache_file):
        with open(cache_file, encoding="utf-8") as handle:
            text = handle.read()
        info["cache_hit"] = True
        info["seconds"] = round(time.monotonic() - started, 4)
        return text, versions, info
    tempest = os.path.join(venv, "bin", "tempest")
    if not os.access(tempest, os.X_OK):
        module.fail_json(msg="%s is not an executable: is %s the virtualenv Tempest was installed in?" % (tempest, venv))
    if not os.path.isfile(os.path.join(workspace, ".stestr.conf")):
        module.fail_json(msg="%s is not a Tempest workspace (no .stestr.conf; create it with 'tempest init')" % workspace)
    env = {"PATH": "%s:%s" % (os.path.join(venv, "bin"), os.environ.get("PATH", "/usr/bin:/bin"))}
    rc, out, err = _run_with_timeout(module, [tempest, "run", "--list-tests"], workspace, env)
    if rc != 0:
        module.fail_json(msg="'tempest run --list-tests' failed in %s (exit %s): %s" % (workspace, rc, _tail(err or out)))
    listing = parse_listing(out)
    if not listing.tests:
        module.fail_json(msg="'tempest run --list-tests' in %s listed no test: %s" % (workspace, _tail(err or out)))
    info["seconds"] = round(time.monotonic() - started, 4)
    if not module.check_mode:
        atomic_write(cache_file, ("\n".join(listing.ids()) + "\n").encode("utf-8"))
    return out, versions, info


def _run_with_timeout(module: AnsibleModule, cmd: list[str], cwd: str, env: dict[str, str]) -> tuple[int, str, str]:
    environ = dict(os.environ)
    environ.update(env)
    try:
        proc = subprocess.run(
            cmd, cwd=cwd, env=environ, stdin=subprocess.DEVNULL, capture_output=True,
            timeout=module.params["list_timeout"], check=False,
        )
    except subprocess.TimeoutExpired:
        module.fail_json(msg="'tempest run --list-tests' took more than %s seconds in %s (list_timeout)"
                         % (module.params["list_timeout"], cwd))
    except OSError as exc:
        module.fail_json(msg="cannot run %s: %s" % (cmd[0], exc))
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join((text or "").strip().splitlines()[-lines:])


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "workspace": {"type": "path", "required": True},
            "venv": {"type": "path", "required": True},
            "tests": {"type": "list", "elements": "dict", "required": True},
            "exclude": {"type": "list", "elements": "raw", "default": []},
            "dest": {"type": "path"},
            "label": {"type": "str", "default": ""},
            "cache_dir": {"type": "path"},
            "refresh": {"type": "bool", "default": False},
            "list_timeout": {"type": "int", "default": 600},
        },
        supports_check_mode=True,
    )
    params = module.params
    workspace = params["workspace"]
    if params["list_timeout"] <= 0:
        module.fail_json(msg="list_timeout must be a positive number of seconds, got %s" % params["list_timeout"])
    if not os.path.isdir(workspace):
        module.fail_json(msg="workspace %s does not exist (create it with the tempestconf role or 'tempest init')" % workspace)
    cache_dir = params["cache_dir"] or os.path.join(workspace, ".interop", "listings")
    try:
        rules = parse_exclude(params["exclude"])
        text, versions, info = _listing(module, workspace, params["venv"], cache_dir)
        listing = parse_listing(text)
        info["tests"] = len(listing.tests)
        result = match_tests(params["tests"], listing, rules, installed_label=versions_label(versions))
    except TempestTestsError as exc:
        module.fail_json(msg=str(exc))
    counts = result.counts()
    out: dict[str, Any] = dict(result.as_dict(), versions=versions, listing=info, changed=False)
    if params["dest"]:
        header = [
            "include list of program %s for %s" % (params["label"] or "-", versions_label(versions)),
            "written by openinfra.interop.tempest_tests: %d required tests, %d selected, %d missing, %d excluded"
            % (counts["required"], counts["selected"], counts["missing"], counts["excluded"]),
        ]
        content = include_file_text(result.include_lines, header)
        dest = params["dest"]
        try:
            with open(dest, encoding="utf-8") as handle:
                before = handle.read()
        except FileNotFoundError:
            before = None
        except OSError as exc:
            module.fail_json(msg="cannot read %s: %s" % (dest, exc))
        out["include_file"] = dest
        if before != content:
            out["changed"] = True
            if module._diff:
                out["diff"] = {"before": before or "", "after": content, "before_header": dest, "after_header": dest}
            if not module.check_mode:
                try:
                    atomic_write(dest, content.encode("utf-8"))
                except OSError as exc:
                    module.fail_json(msg="cannot write the include list %s: %s" % (dest, exc))
    module.exit_json(**out)


if __name__ == "__main__":
    main()
