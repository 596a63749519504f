#!/usr/bin/python
# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Documentation of the guideline_info action (the work is done by plugins/action/guideline_info.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: guideline_info
short_description: Programs, capabilities and must-pass test list of an interop guideline
version_added: 0.1.0
description:
  - Loads an Interop Working Group guideline (a bundled version, a local file or an http(s) URL)
    on the controller and returns the programs it offers and, for one O(program), its
    capabilities, its tests and the test list.
  - The test list is built exactly as the RefStack server's
    C(GET /v1/guidelines/<file>/tests?target=&type=&alias=&flag=) builds it. The options are
    named after that API; their defaults give the must-pass list of the program
    (O(type=[required]), O(alias=true), O(flag=false)); note that the server's own defaults are
    all statuses, C(alias=true) and C(flag=true).
  - Runs on the controller, where the bundled guidelines and the download cache are. With
    O(dest), the test list is written on the managed host (the host that runs Tempest) through
    M(ansible.builtin.copy), so use C(delegate_to) to write it somewhere else.
  - See C(docs/guidelines.md) in the collection for how programs and guidelines are chosen.
author:
  - openinfra.interop contributors (!UNKNOWN)
options:
  guideline:
    description:
      - Bundled version name (V(2020.06), V(next), V(dns.2020.06); see the collection's
        C(guidelines/) directory), a path to a guideline JSON file on the controller, or an
        http(s) URL.
      - A URL is downloaded once into O(cache_dir) and read from there afterwards, also
        offline. Remove the cached file to download it again.
      - With an add-on O(program) (V(dns), V(orchestration), V(shared_file_system)) a core
        version name selects the add-on guideline of the same version (V(dns) + V(2020.06)
        uses V(dns.2020.06)).
      - Quote version names in YAML (an unquoted V(2022.10) is the number 2022.1).
      - Default is the newest bundled core guideline (V(2020.06)).
    type: str
  program:
    description:
      - The program (RefStack C(target)) to build the test list for. V(platform),
        V(compute), V(object) (V(storage) is accepted for V(object)), or an add-on offered by
        the guideline (V(dns), V(orchestration), V(shared_file_system), ...).
      - When omitted, only the guideline and its programs are returned.
    type: str
  type:
    description:
      - Capability statuses to include (RefStack C(type)).
      - An empty list means all statuses, like the server when C(type) is omitted.
    type: list
    elements: str
    choices: [required, advisory, deprecated, removed]
    default: [required]
  alias:
    description:
      - Also list each alias of a kept test, with the same idempotent id (RefStack C(alias)).
    type: bool
    default: true
  flag:
    description:
      - Include flagged tests (RefStack C(flag)). Flagged tests are not must-pass.
    type: bool
    default: false
  dest:
    description:
      - Write the test list to this file on the managed host, exactly the bytes of RV(test_list)
        (lines joined by newlines, no trailing newline).
      - The file is only rewritten, and the task only reports a change, when its content
        differs. Supports check mode and diff mode. The parent directory must exist.
      - Needs O(program).
    type: str
  mode:
    description:
      - Permissions of O(dest), as for M(ansible.builtin.copy).
    type: raw
  cache_dir:
    description:
      - Controller directory for guidelines downloaded from a URL.
      - Default is C($OPENINFRA_INTEROP_HOME/guidelines) when that variable is set, else
        C(~/.cache/openinfra-interop/guidelines).
    type: path
  timeout:
    description:
      - Seconds to wait when downloading a guideline from a URL.
    type: float
    default: 30
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - openinfra.interop.controller_action
attributes:
  diff_mode:
    support: full
    details: Only O(dest) can change; its diff is shown.
seealso:
  - name: Interop guidelines (OpenInfra interop repository)
    description: Where newer guidelines are published.
    link: https://opendev.org/openinfra/interop
"""

EXAMPLES = r"""
- name: Must-pass list of the OpenStack Powered Compute program of the newest bundled guideline
  openinfra.interop.guideline_info:
    program: compute
  register: compute_list

- name: Write the must-pass list of the DNS add-on 2020.06 on the test runner
  openinfra.interop.guideline_info:
    guideline: "2020.06"
    program: dns
    dest: /var/lib/refstack/dns-2020.06.txt
    mode: "0644"

- name: Which programs does a newer guideline offer?
  openinfra.interop.guideline_info:
    guideline: https://opendev.org/openinfra/interop/raw/branch/master/guidelines/2022.11.json
  register: newer

- name: Same list as the RefStack server's defaults (all statuses, aliases, flagged tests)
  openinfra.interop.guideline_info:
    guideline: /srv/interop/2020.06.json
    program: platform
    type: []
    flag: true
"""

RETURN = r"""
guideline:
  description: The guideline used.
  returned: always
  type: dict
  contains:
    name:
      description: Bundled version name, or the file name without C(.json).
      type: str
      sample: "2020.06"
    source:
      description: Path or URL the guideline was read from.
      type: str
      sample: /usr/share/ansible/collections/ansible_collections/openinfra/interop/guidelines/2020.06.json
    schema:
      description: Guideline schema version.
      type: str
      sample: "2.0"
programs:
  description: Programs the guideline offers, name (as accepted by O(program)) to description.
  returned: always
  type: dict
  sample:
    platform: Core OpenStack services including identity, compute, networking, block storage, and object storage.
    compute: Core OpenStack compute services including identity, compute, networking, and block storage.
    object: Core OpenStack object storage services including identity and object storage.
program:
  description: The program, canonical name (V(storage) is reported as V(object)).
  returned: when O(program) is set
  type: str
  sample: compute
components:
  description: Guideline components the program is made of.
  returned: when O(program) is set
  type: list
  elements: str
  sample: [os_powered_compute]
capabilities:
  description: Sorted names of the program's capabilities with the selected statuses.
  returned: when O(program) is set
  type: list
  elements: str
  sample: [compute-auth-get-token, compute-flavors-list]
tests:
  description:
    - One entry per test per capability (a test in two capabilities appears twice), sorted by
      test name. Flagged tests only with O(flag=true).
  returned: when O(program) is set
  type: list
  elements: dict
  contains:
    name:
      description: Tempest test name.
      type: str
    idempotent_id:
      description: Tempest idempotent id (C(id-<uuid>)), null for schema 1.2.
      type: str
    capability:
      description: The capability the test belongs to.
      type: str
    status:
      description: The capability's status in the program (V(required), V(advisory), ...).
      type: str
    flagged:
      description: Whether the test is flagged.
      type: bool
    aliases:
      description: Other names of the same test.
      type: list
      elements: str
test_list:
  description:
    - The test list, C(name[idempotent_id]) per line (bare names for schema 1.2), sorted,
      joined by newlines without a trailing newline, as the RefStack server returns it.
  returned: when O(program) is set
  type: str
  sample: "tempest.api.compute.flavors.test_flavors.FlavorsV2TestJSON.test_get_flavor[id-1f12046b-753d-40d2-abb6-d8eb8b30cb2f]"
test_count:
  description: Number of lines of RV(test_list).
  returned: when O(program) is set
  type: int
  sample: 318
dest:
  description: The file the test list was written to on the managed host.
  returned: when O(dest) is set
  type: str
  sample: /var/lib/refstack/compute-2020.06.txt
"""
