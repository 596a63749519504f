#!/usr/bin/python
# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Documentation of the guideline_check action (the work is done by plugins/action/guideline_check.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: guideline_check
short_description: Check interop guidelines against their JSON schema and the installed Tempest
version_added: 0.2.0
description:
  - The consistency check the Interop Working Group ran as C(interop-tempest-consistency)
    (C(checktests.py)), for a candidate guideline or the bundled ones, on the controller.
  - Validates each guideline against its JSON schema (C(guidelines/schema/<schema>.json);
    schemas 1.2 to 1.4 have none) and matches every test, in every status, against a listing of
    the installed Tempest and plugins with the rule a certification run uses.
  - "Findings: C(schema), C(missing) (neither the idempotent id nor the name is installed),
    C(renamed) (the id is installed under another name, which is named), C(id_drift) (the name
    is installed with another id), C(duplicate_id), C(alias_conflict), C(flag_without_reason),
    C(empty_capability) (errors); C(undefined_capability) and problems of tests of V(removed)
    capabilities (warnings)."
  - Errors recorded for a guideline in the known drift list (O(known_drift)) are reported as
    C(known), because the bundled guidelines are historical documents whose tests Tempest later
    renamed or removed. A new guideline with the same problem fails.
author:
  - openinfra.interop contributors (!UNKNOWN)
options:
  guidelines:
    description:
      - Guidelines to check - bundled version names (V(next), V(dns.next)), files or http(s) URLs.
      - Empty means every bundled guideline.
    type: list
    elements: str
    default: []
  listing_file:
    description:
      - File on the controller with the output of C(tempest run --list-tests) (plain or gzip),
        for example the C(cache_file) of RV(openinfra.interop.tempest_tests#module:listing).
    type: path
    required: true
  listing_label:
    description: How the listing is named in the findings (the Tempest and plugin versions).
    type: str
    default: the installed Tempest and plugins
  known_drift:
    description:
      - Known drift list, a JSON object whose C(drift) list holds entries with C(kind), C(test) or
        C(capability), C(idempotent_id) and the C(guidelines) they apply to.
      - Default is the bundled C(guidelines/drift/known-drift.json).
    type: path
  dest:
    description: Directory on the controller that receives C(guideline-check.json) and C(guideline-check.txt) (written atomically, only when they change).
    type: path
  fail_on_error:
    description: Fail the task when a guideline has an error (after the reports are written).
    type: bool
    default: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - openinfra.interop.controller_action
attributes:
  check_mode:
    details: The check runs; no report is written.
requirements:
  - jsonschema (on the controller; ansible-lint and most Ansible tool sets already have it)
seealso:
  - module: openinfra.interop.guideline_census
  - module: openinfra.interop.tempest_tests
"""

EXAMPLES = r"""
- name: List the installed tests
  openinfra.interop.tempest_tests:
    workspace: /srv/tempest-workspace
    venv: /srv/tempest-venv
    tests: []
  register: listing

- name: Check the candidate guideline of this change
  openinfra.interop.guideline_check:
    guidelines: [guidelines/next.json, guidelines/add-ons/dns.next.json]
    listing_file: "{{ listing.listing.cache_file }}"
    dest: results/standards
"""

RETURN = r"""
passed:
  description: Whether every guideline is free of errors.
  returned: success
  type: bool
failing:
  description: Names of the guidelines with errors.
  returned: always
  type: list
  elements: str
reports:
  description: Per guideline - name, source, schema, schema file, number of tests, counts per severity and the findings.
  returned: success
  type: list
  elements: dict
  sample:
    - guideline: next
      schema: "2.0"
      tests: 287
      passed: true
      counts: {error: 0, warning: 14, known: 2}
      findings:
        - kind: renamed
          severity: known
          message: "... is listed under another name: ... (likely rename)"
unknown_drift:
  description: Known-drift entries for the errors found, to add to the known drift list if the errors are accepted as history.
  returned: success
  type: list
  elements: dict
report_lines:
  description: The readable report, one line per finding.
  returned: success
  type: list
  elements: str
paths:
  description: The report files.
  returned: when O(dest) is set
  type: dict
"""
