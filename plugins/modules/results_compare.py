#!/usr/bin/python
# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Documentation of the results_compare action (the work is done by plugins/action/results_compare.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: results_compare
short_description: Compare interop results of one cloud over time or of several clouds
version_added: 0.2.0
description:
  - Reads two or more results directories written by M(openinfra.interop.refstack_results)
    (C(<dir>/<program>/summary.json) and the subunit streams) on the controller.
  - For each program, between each run and the one before it - regressions (passed, now
    failed, skipped or missing), fixes, tests still failing, new and gone tests, renames, and
    duration changes (at least 50 % and 1 s); a matrix of tests x runs; and per capability
    (required and trial) the share of runs that pass it.
  - Writes C(comparison.json) and a self-contained C(comparison.html) to O(dest).
author:
  - openinfra.interop contributors (!UNKNOWN)
options:
  results_dirs:
    description: Two or more results directories, oldest first (or one per cloud).
    type: list
    elements: path
    required: true
  labels:
    description: A name per directory (default - the directory names).
    type: list
    elements: str
    default: []
  dest:
    description: Directory on the controller for the comparison (written atomically, only when it changes).
    type: path
    required: true
  fail_on_regression:
    description: Fail the task when there is a regression (after the comparison is written).
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - openinfra.interop.controller_action
attributes:
  check_mode:
    details: The comparison is built; nothing is written.
seealso:
  - module: openinfra.interop.refstack_results
"""

EXAMPLES = r"""
- name: Yesterday against today
  openinfra.interop.results_compare:
    results_dirs: [results/2026-11-29, results/2026-11-30]
    dest: results/comparison
    fail_on_regression: true

- name: Three clouds of a multi-cloud inventory run
  openinfra.interop.results_compare:
    results_dirs: [results/run-cloud-a, results/run-cloud-b, results/run-cloud-c]
    labels: [cloud-a, cloud-b, cloud-c]
    dest: results/clouds
"""

RETURN = r"""
regressions:
  description: Every regression, with its program and the two runs.
  returned: success
  type: list
  elements: dict
  sample:
    - {program: object, before_run: monday, after_run: tuesday, test: tempest.api.object_storage.test_x.T.test_y, before: passed, after: missing}
comparison:
  description: What C(comparison.json) holds - the runs and, per program, the verdicts, the pairs of runs, the matrix and the capabilities with C(pass_ratio).
  returned: success
  type: dict
paths:
  description: C(json) and C(html) paths of the comparison.
  returned: success
  type: dict
"""
