#!/usr/bin/python
# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Documentation of the guideline_census action (the work is done by plugins/action/guideline_census.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: guideline_census
short_description: List the Tempest API tests no interop guideline tracks
version_added: 0.2.0
description:
  - Finds the API tests of the installed Tempest and plugins, for the services of O(programs),
    that none of O(guidelines) tracks in any status (by idempotent id or name, aliases
    included), grouped by service and module, on the controller.
  - Writes C(census.json) and C(census.txt) (a table with the count per service and module) to
    O(dest).
  - With O(candidate_base) and O(candidate_program), also writes C(candidate-guideline.json),
    the base guideline with the census tests added as V(advisory) capabilities
    (C(untracked-<service>-<module>)) of the program, to try them on a cloud with
    C(openinfra.interop.certify) and C(test_types=[required, advisory]); their pass/fail is
    reported per capability without changing the verdict.
author:
  - openinfra.interop contributors (!UNKNOWN)
options:
  listing_file:
    description: File on the controller with the output of C(tempest run --list-tests) (plain or gzip).
    type: path
    required: true
  guidelines:
    description: Guidelines whose tests count as tracked (names, files or URLs). Empty means every bundled guideline.
    type: list
    elements: str
    default: []
  programs:
    description: Programs whose services are searched (core programs add identity).
    type: list
    elements: str
    default: [compute, object, dns, orchestration]
  include:
    description: Regexes searched in the test id; when given, only matching untracked tests are kept (a sample).
    type: list
    elements: str
    default: []
  dest:
    description: Directory on the controller for the files (written atomically, only when they change).
    type: path
    required: true
  candidate_base:
    description: Guideline (schema 2.0) the candidate guideline is built on.
    type: str
  candidate_program:
    description: Program of O(candidate_base) that gets the census tests as advisory capabilities.
    type: str
  candidate_limit:
    description: Add only the first N census tests (V(0) - all).
    type: int
    default: 0
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - openinfra.interop.controller_action
attributes:
  check_mode:
    details: The census runs; nothing is written.
seealso:
  - module: openinfra.interop.guideline_check
"""

EXAMPLES = r"""
- name: Untracked API tests of 2020.06 for compute, object, dns and orchestration
  openinfra.interop.guideline_census:
    listing_file: "{{ listing.listing.cache_file }}"
    guidelines: ["2020.06", dns.2020.06, orchestration.2020.06]
    dest: results/census

- name: Three untracked object tests as advisory capabilities of next.json, to try on a cloud
  openinfra.interop.guideline_census:
    listing_file: "{{ listing.listing.cache_file }}"
    programs: [object]
    include: [test_account_services]
    dest: results/census
    candidate_base: next
    candidate_program: object
    candidate_limit: 3
"""

RETURN = r"""
services:
  description: The services searched.
  returned: success
  type: list
  elements: str
counts:
  description: Untracked API tests per service.
  returned: success
  type: dict
  sample: {object-store: 92, identity: 130}
api_tests:
  description: API tests per service in the listing.
  returned: success
  type: dict
untracked:
  description: Total of RV(counts).
  returned: success
  type: int
census:
  description: What C(census.json) holds - per service the counts and, per module, each test's name, idempotent id and test id.
  returned: success
  type: dict
table_lines:
  description: The readable table.
  returned: success
  type: list
  elements: str
paths:
  description: File name -> path of every file written.
  returned: success
  type: dict
"""
