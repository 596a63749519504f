#!/usr/bin/python
# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Documentation of the refstack_results action (the work is done by plugins/action/refstack_results.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: refstack_results
short_description: Collect the results of a Tempest run of one interop program on the controller
version_added: 0.1.0
description:
  - Fetches the subunit v2 stream of a Tempest run (and optionally the stream of a second
    attempt and the Tempest logs) from the host that ran Tempest (the task's host, local or
    remote) and writes, on the controller, into C(<results_dir>/<program>/) the files
    C(refstack-result.json), C(junit.xml), C(report.html), C(summary.json) and
    C(results.subunit) (C(results.attempt-2.subunit) for a second attempt, C(tempest.log) when
    O(tempest_log) is given).
  - C(refstack-result.json) is byte-compatible with what refstack-client writes
    (C(cpid), C(duration_seconds), and one C(name)/C(uuid) per passed test, in the order the
    tests finished), ready to be signed and uploaded.
  - The verdict is V(PASS) only if every required test of the program passed. A required test
    is matched to the run by idempotent id and one of its guideline names, then by id alone (a
    renamed test), then by name alone; required tests without a result count as V(missing),
    which is not passed.
  - A stream cut short (Tempest killed, timeout) still gives valid files; they say the result
    is partial. With O(rerun_src) the second attempt wins for the tests it re-ran and both
    attempts are recorded.
  - A run that did not happen is an error, not a verdict. Bytes that are not a subunit v2
    stream (an empty file, a text file, random bytes) fail with the message C(not a subunit v2
    stream) and the path; a valid stream without a single test result fails with C(no test ran). Nothing is
    written then.
  - Results are append-only. A result already in C(<results_dir>/<program>/) is never
    overwritten by a worse one - a partial result is worse than a complete one - the partial
    one goes to C(<program>/partial-<UTC time>/) beside it. Otherwise the earlier result is first
    kept whole in C(<program>/previous-<UTC time it was written>/), then the new one replaces
    it. A result of another cloud (other O(cloud) or CPID) is never touched - the task fails
    naming the results directory and both clouds.
  - Every file is written atomically (temporary file in the same directory, then rename) and
    only when its bytes change, so the same inputs report no change. The stream is parsed
    without third-party libraries.
  - The task does not fail on a V(FAIL) verdict; test RV(verdict) at the end of the play.
author:
  - openinfra.interop contributors (!UNKNOWN)
options:
  state:
    description:
      - V(present) collects the run of O(src) and writes its result.
      - V(query) reads no stream and writes nothing - it says whether the result already in
        C(<results_dir>/<program>/) may stand for a new run (RV(reusable)) - a complete result of
        the same O(cloud), CPID, program, guideline and required tests - and fails if it is the
        result of another cloud.
    type: str
    choices: [present, query]
    default: present
  src:
    description:
      - Path of the subunit v2 stream of the (first) run on the task's host, e.g. the output
        of C(tempest run --subunit) or C(stestr last --subunit).
      - Required with O(state=present).
    type: str
  rerun_src:
    description:
      - Path of the subunit v2 stream of a second attempt that re-ran the tests that did not
        pass (C(rerun_failed)), on the task's host.
    type: str
  tempest_log:
    description:
      - Path of the Tempest log on the task's host, copied to C(tempest.log). Ignored if absent.
    type: str
  rerun_tempest_log:
    description: Tempest log of the second attempt, copied to C(tempest.attempt-2.log).
    type: str
  interrupted:
    description:
      - The runner knows the first attempt was cut short (killed, timed out). The result is
        then marked partial even if the stream ends on a packet boundary.
    type: bool
    default: false
  rerun_interrupted:
    description: Same as O(interrupted) for the second attempt.
    type: bool
    default: false
  missing_ok:
    description:
      - If O(src) does not exist, the run did not happen - succeed without collecting or writing
        anything (RV(collected) is V(false)) instead of failing. A missing O(rerun_src) is a
        second attempt cut short before its first test. Useful in an C(always) section after
        Tempest could not start.
    type: bool
    default: false
  program:
    description:
      - Program whose required tests are checked (V(platform), V(compute), V(object),
        V(dns), V(orchestration), V(shared_file_system), ...; V(storage) means V(object)).
      - The files go to the subdirectory of O(results_dir) named after the canonical program.
    type: str
    required: true
  guideline:
    description:
      - Guideline as M(openinfra.interop.guideline_info) takes it (bundled version name, file
        or URL); an add-on program with a core version selects the add-on guideline of that
        version. Default is the newest bundled core guideline.
    type: str
  guideline_cache_dir:
    description: Controller directory for guidelines downloaded from a URL.
    type: path
  include_flagged:
    description: Count flagged tests as required too (they are not must-pass).
    type: bool
    default: false
  test_types:
    description:
      - Capability statuses whose tests ran (as O(openinfra.interop.guideline_info#module:type) was given).
      - The tests of every status other than V(required) (a trial of V(advisory) tests of a
        candidate guideline) are reported per capability in RV(trial), C(summary.json),
        C(report.html) and C(junit.xml) properties (C(trial.<status>.<capability>)); they never
        change the verdict.
    type: list
    elements: str
    default: [required]
  cpid:
    description:
      - Cloud provider id written in the RefStack document, normally the C(cpid) that M(openinfra.interop.cloud_cpid) returns.
      - When omitted, the md5 hash of the host name of O(auth_url) is used (method
        V(hostname-hash)).
      - One of O(cpid) and O(auth_url) is required.
    type: str
  cpid_method:
    description: How O(cpid) was obtained, recorded in C(summary.json) and the report.
    type: str
    choices: [catalog, endpoint, hostname-hash, given]
    default: given
  cpid_detail:
    description: Free text on how the CPID was obtained (e.g. why it fell back to the hash).
    type: str
    default: ""
  cloud:
    description:
      - The clouds.yaml entry the run used (empty if none), recorded in C(summary.json). With the
        CPID it says whose result this is.
    type: str
    default: ""
  auth_url:
    description: Keystone auth URL, used to compute the CPID when O(cpid) is not given.
    type: str
  results_dir:
    description:
      - Directory on the controller; the files are written into C(<results_dir>/<program>/),
        which is created if needed (see the description for the results kept beside them).
    type: path
    required: true
  duration_seconds:
    description:
      - C(duration_seconds) of the RefStack document. Default is the time between the first
        test start and the last test end of each attempt, summed, truncated to an integer.
    type: int
  missing_reasons:
    description:
      - Why required tests have no result, by test name (with or without its C([...]) attrs)
        or idempotent id, e.g. tests the installed Tempest lacks or tests excluded on purpose.
        Shown for the tests that are missing from the run.
    type: dict
    default: {}
  available_services:
    description:
      - Tempest codenames (C(nova), C(neutron), C(glance), C(cinder), C(swift), C(designate),
        C(heat), ...) of the services the cloud offers, e.g. the C(available_services) of the
        tempestconf role's discovery report.
      - Required tests that did not pass because they need a service the cloud lacks (a Heat
        resource type such as C(OS::Nova::Server), a Tempest "not available" skip) are explained
        as such in the report, the summary (C(explanations)) and the text table. Without this
        option the need is still named, without saying whether the cloud offers it.
    type: list
    elements: str
  reported_features:
    description:
      - Extensions the cloud itself reports, by Tempest service name (C(object) - the keys of
        Swift's C(/info)), e.g. C(tempestconf_discovery.cloud_features) of the tempestconf role.
      - A test skipped because tempest.conf does not enable an extension the cloud reports is
        explained as a configuration problem (a stale or wrong tempest.conf).
    type: dict
  metadata:
    description:
      - Free-form data kept in C(summary.json) and shown in the report (e.g. Tempest version,
        runner, concurrency). Must not change between runs for the task to stay idempotent.
    type: dict
    default: {}
  only_tests:
    description:
      - When O(src) is the stream of one Tempest run shared by several programs (the union of
        their include lists, run once), the full ids of the tests this program's include list
        selected (C(selected) of M(openinfra.interop.tempest_tests)). The other tests of the
        stream, and the class fixtures of none of these tests, are left out of the verdict, the
        counts, the reports and the RefStack document, which are then the same as those of a
        run of this program alone.
      - Unset means every test of the stream belongs to this program.
    type: list
    elements: str
  known_failures:
    description:
      - A YAML file on the controller listing known failures, each C({test, reason, bug}) with
        optional C(programs) and C(releases) lists. C(test) is a regular expression searched in
        the test name (a plain name works); C(bug) is the http(s) URL that tracks the failure.
      - Known failures still run. They give the pipeline verdict (RV(pipeline_verdict)) and are
        listed in C(summary.json), C(junit.xml) (testcase properties C(known_failure)) and
        C(report.html); RV(verdict) and C(refstack-result.json) stay strict.
      - A bad file fails the task with one message naming the entry and the value.
    type: path
  release:
    description:
      - The OpenStack release of the cloud (e.g. V(2024.1)); a known failure with C(releases)
        applies only when this is one of them.
    type: str
    default: ''
  secret_files:
    description:
      - Credentials files on the task's host (tempest.conf, accounts.yaml, clouds.yaml) whose
        passwords, secrets and tokens are scrubbed (replaced by C(***)) from the Tempest logs and
        from the attachments of the subunit streams (captured logging) before anything is
        written. Values under secret-named keys the run did not know (Tempest's dynamic users'
        passwords in request bodies, tokens) are scrubbed regardless. Absent files are ignored.
    type: list
    elements: str
    default: []
  secrets:
    description: Further values to scrub the same way.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - openinfra.interop.controller_action
attributes:
  check_mode:
    details: Everything is fetched and computed, nothing is written; RV(files) says what would change.
  platform:
    platforms: posix
seealso:
  - module: openinfra.interop.cloud_cpid
  - module: openinfra.interop.guideline_info
"""

EXAMPLES = r"""
- name: Collect the object program results of the Tempest run on the runner host
  openinfra.interop.refstack_results:
    src: /var/lib/tempest/workspace/results.subunit
    tempest_log: /var/lib/tempest/workspace/tempest.log
    program: object
    guideline: "2020.06"
    cpid: "{{ cpid_result.cpid }}"
    cpid_method: "{{ cpid_result.method }}"
    cpid_detail: "{{ cpid_result.detail }}"
    results_dir: "{{ playbook_dir }}/results/{{ run_id }}"
    missing_reasons: "{{ tests_not_installed }}"
  register: object_results

- name: Show the per-capability table
  ansible.builtin.debug:
    msg: "{{ object_results.summary_lines }}"

- name: Merge a second attempt that re-ran the failed tests
  openinfra.interop.refstack_results:
    src: /var/lib/tempest/workspace/attempt-1.subunit
    rerun_src: /var/lib/tempest/workspace/attempt-2.subunit
    program: dns
    guideline: "2020.06"
    auth_url: https://keystone.example.com:5000/v3
    results_dir: /srv/interop-results/2024-05-06

- name: May the result already there stand for a new run of this cloud?
  openinfra.interop.refstack_results:
    state: query
    program: object
    guideline: "2020.06"
    cpid: "{{ cpid_result.cpid }}"
    cloud: mycloud
    results_dir: /srv/interop-results/mycloud
  register: object_previous

- name: Fail the play at the end (after everything is saved) when the verdict is FAIL
  ansible.builtin.assert:
    that: object_results.verdict == 'PASS'
    fail_msg: "{{ object_results.msg }}"
"""

RETURN = r"""
collected:
  description: A result was built (V(false) - O(src) did not exist and O(missing_ok) is set).
  returned: success with O(state=present)
  type: bool
placement:
  description:
    - V(current) - the result is the program's current result in C(<results_dir>/<program>/).
    - V(beside) - it is partial and a complete result is there, so it went to
      C(<program>/partial-<time>/) (RV(results_dir)) and the complete one stays.
  returned: when collected
  type: str
  sample: current
previous_dir:
  description: Where the result this one replaced was kept (V(null) - none was replaced).
  returned: when collected
  type: str
  sample: /srv/interop-results/2024-05-06/object/previous-20240506T070809Z
reusable:
  description: With O(state=query), the result already there may stand for a new run.
  returned: O(state=query)
  type: bool
previous:
  description: With O(state=query), the reusable result's verdict, partial flag, counts, failing capabilities, cloud, CPID, guideline.
  returned: O(state=query) and RV(reusable)
  type: dict
cloud:
  description: The clouds.yaml entry recorded with the result.
  returned: when collected
  type: str
pipeline_verdict:
  description:
    - V(PASS), V(PASS with known failures) (every required test that did not pass is a known
      failure of O(known_failures)) or V(FAIL). Equals RV(verdict) without known failures.
    - For pipelines; certification is RV(verdict).
  returned: when collected
  type: str
  sample: PASS with known failures
known_failures:
  description: >-
    The known failures of this run - C(entries) (how many the file has), C(release), C(listed)
    (required tests that did not pass and are known failures: name, outcome, test, reason, bug)
    and C(passed) (known failures that passed; their entry may be obsolete).
  returned: when collected
  type: dict
verdict:
  description: V(PASS) if every required test of the program passed, else V(FAIL) (the strict, certification verdict; known failures do not change it).
  returned: when collected
  type: str
  sample: PASS
partial:
  description: The run was interrupted or its stream is incomplete.
  returned: when collected
  type: bool
  sample: false
msg:
  description: One line with the program, guideline and verdict.
  returned: always
  type: str
  sample: "Program object (guideline 2020.06): PASS"
program:
  description: Canonical program name.
  returned: when collected
  type: str
  sample: object
guideline:
  description: Name and source of the guideline used.
  returned: when collected
  type: dict
  sample: {name: "2020.06", source: /usr/share/ansible/collections/ansible_collections/openinfra/interop/guidelines/2020.06.json}
counts:
  description: Required tests (a test in two capabilities counts once) by outcome.
  returned: when collected
  type: dict
  sample: {required: 58, passed: 57, failed: 0, skipped: 1, missing: 0}
capabilities:
  description: One row per capability of the program with its required tests by outcome and its verdict.
  returned: when collected
  type: list
  elements: dict
  sample:
    - {name: objectstore-container-list, required: 4, passed: 4, failed: 0, skipped: 0, missing: 0, verdict: PASS}
failing_capabilities:
  description: Names of the capabilities with a required test that did not pass.
  returned: when collected
  type: list
  elements: str
  sample: [objectstore-container-sync]
renames:
  description: Required tests found in the run only by idempotent id, under another name.
  returned: when collected
  type: list
  elements: dict
  sample:
    - guideline_name: tempest.api.object_storage.test_object_services.ObjectTest.test_object_upload_in_segments
      idempotent_id: id-e3e6a64a-9f50-4955-b987-6ce6767c97fb
      run_names: [tempest.api.object_storage.test_object_services.ObjectTest.test_upload_in_segments]
trial:
  description:
    - Capabilities of the non-required statuses that ran (O(test_types)), each with its tests'
      outcomes and C(result) (V(PASS) when every test passed); not part of the verdict.
  returned: success
  type: dict
  sample:
    statuses: [advisory]
    capabilities:
      - {name: identity-v3-tokens-delete, status: advisory, tests: 1, passed: 1, failed: 0, skipped: 0, missing: 0, result: PASS}
    passing_capabilities: [identity-v3-tokens-delete]
    tests: []
cpid:
  description: The CPID written in the RefStack document.
  returned: when collected
  type: str
  sample: d7f792d1c38e4caaa15f01da1fadab2a
cpid_method:
  description: How the CPID was obtained (V(catalog), V(endpoint), V(hostname-hash) or V(given)).
  returned: when collected
  type: str
  sample: catalog
cpid_detail:
  description: How the CPID was obtained, in words.
  returned: when collected
  type: str
duration_seconds:
  description: C(duration_seconds) of the RefStack document.
  returned: when collected
  type: int
  sample: 418
run:
  description: Tests in the run (all attempts merged) and their count per subunit status.
  returned: when collected
  type: dict
  sample: {tests: 60, statuses: {success: 58, skip: 2}, passed_in_document: 58}
attempts:
  description: Per attempt, its file, test count, partial flag and stream problems found.
  returned: when collected
  type: list
  elements: dict
results_dir:
  description: The directory the files were written to, C(<results_dir>/<program>) (or its C(partial-<time>) directory, see RV(placement)).
  returned: when collected
  type: str
  sample: /srv/interop-results/2024-05-06/object
paths:
  description: Paths of the files on the controller.
  returned: when collected
  type: dict
  contains:
    refstack_result:
      description: The RefStack result document.
      type: str
    junit:
      description: JUnit XML.
      type: str
    html:
      description: Self-contained HTML report.
      type: str
    summary:
      description: C(summary.json) (verdict, counts, capabilities, every required test, attempts, metadata).
      type: str
    subunit:
      description: The raw streams, one per attempt.
      type: list
      elements: str
    tempest_log:
      description: Copy of the Tempest log, when O(tempest_log) was found.
      type: str
files:
  description: Names of the files written (or that would be in check mode), left as they were, and removed.
  returned: when collected
  type: dict
  sample: {changed: [report.html, summary.json], unchanged: [refstack-result.json], removed: []}
summary_text:
  description: Human-readable summary with the per-capability table.
  returned: when collected
  type: str
summary_lines:
  description: RV(summary_text) as a list of lines, for M(ansible.builtin.debug).
  returned: when collected
  type: list
  elements: str
"""
