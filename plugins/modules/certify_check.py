#!/usr/bin/python
# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Documentation of the certify_check action (the work is done by plugins/action/certify_check.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: certify_check
short_description: Check the inputs of a certification run before anything touches the cloud
version_added: 0.1.0
description:
  - Runs on the controller at the very start of the C(openinfra.interop.certify) playbook and
    checks everything that can be checked without the cloud. Each problem ends the run with
    one message naming the variable, the bad value and what is accepted.
  - Only the options that are given are checked, so the roles use it for their own variables
    (with O(names) naming the role variables in the messages).
  - Program names are normalised (case-insensitive, V(storage) is V(object), a list or a comma
    string) and must be offered by the guideline.
  - The clouds.yaml is the one given with O(clouds_yaml), else the first file openstacksdk
    reads (C(OS_CLIENT_CONFIG_FILE), the current directory, C(~/.config/openstack),
    C(/etc/openstack)). It must be well-formed and define O(cloud); the file is returned so
    the run reads exactly that file and never falls back to another clouds.yaml. With a
    connection other than C(local) the clouds.yaml is on the runner host and is checked there
    by the preflight instead.
  - Explicit credentials are read from the variable named by O(auth_from) as they were given,
    never rendered as templates, and returned as plain data in RV(auth); the task output is
    hidden when it holds them.
author:
  - openinfra.interop contributors (!UNKNOWN)
options:
  program:
    description: Programs - a name, a comma string or a list.
    type: raw
  any_addon:
    description:
      - Keep a well-formed program name this collection does not know (an add-on a guideline
        may define) instead of refusing it.
    type: bool
    default: false
  guideline:
    description:
      - Guideline (bundled version name, file or http(s) URL; empty for the newest bundled core
        guideline) that must offer every O(program). Only checked together with O(program).
    type: raw
  guideline_cache_dir:
    description: Controller directory for guidelines downloaded from a URL.
    type: path
  test_types:
    description: Capability statuses - a list or comma string of V(required), V(advisory), V(deprecated), V(removed).
    type: raw
  results_dir:
    description: Results directory on the controller - a writable directory or a path that can be created. Empty is accepted.
    type: raw
  cloud:
    description: The clouds.yaml entry of the cloud.
    type: raw
  clouds_yaml:
    description: The clouds.yaml file to read O(cloud) from; empty for openstacksdk's search path.
    type: str
  auth_from:
    description:
      - Name of the variable that holds explicit credentials (the C(auth) section of a
        clouds.yaml entry). A mapping is taken as given (no template in it is rendered); a
        template that yields the mapping is rendered once and its result taken as data.
      - With O(cloud) given, exactly one of O(cloud) and these credentials is required.
    type: str
  ca_cert:
    description: A CA bundle file that must be readable.
    type: raw
  client_cert:
    description: A client certificate file (mutual TLS) that must be readable.
    type: raw
  client_key:
    description: The key file of O(client_cert) that must be readable.
    type: raw
  accounts_file:
    description: A Tempest accounts file (pre-provisioned accounts) that must be readable.
    type: raw
  known_failures:
    description:
      - A known-failures file on the controller (see M(openinfra.interop.refstack_results)) that
        must be readable, valid YAML and a list of valid entries. Empty means none.
    type: raw
  mode:
    description: The discovery mode; V(admin), V(non_admin) or V(non-admin). Empty means not given.
    type: raw
  interface:
    description: The endpoint interface; V(public), V(internal) or V(admin). Empty means not given.
    type: raw
  upload:
    description: Whether the results will be uploaded; then O(refstack_server) and O(refstack_key) are checked.
    type: bool
    default: false
  refstack_server:
    description: RefStack API URL.
    type: raw
  refstack_key:
    description: Private key that signs the upload; it must load (with O(refstack_key_passphrase)).
    type: raw
  refstack_key_passphrase:
    description: Passphrase of O(refstack_key).
    type: str
  refstack_allow_anonymous:
    description: Accept an upload without O(refstack_key).
    type: bool
    default: false
  names:
    description: Variable names to use in the messages instead of the option names, option -> variable.
    type: dict
    default: {}
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - openinfra.interop.controller_action
attributes:
  check_mode:
    details: Nothing is ever changed.
"""

EXAMPLES = r"""
- name: Check the certify variables first
  openinfra.interop.certify_check:
    program: "{{ program | default('platform') }}"
    guideline: "{{ guideline | default('') }}"
    test_types: "{{ test_types | default(['required']) }}"
    results_dir: "{{ results_dir | default('') }}"
    cloud: "{{ cloud | default('') }}"
    auth_from: auth
  register: checked

- name: Normalise a role's programs, naming the role variable in errors
  openinfra.interop.certify_check:
    program: "{{ tempestconf_programs }}"
    names:
      program: tempestconf_programs
"""

RETURN = r"""
programs:
  description: The programs, canonical and de-duplicated.
  returned: when O(program) is given
  type: list
  elements: str
  sample: [object, dns]
program_dirs:
  description:
    - Program -> the name of its directory in the Tempest workspace and the results directory
      (the program itself; C(list_<file stem>) for a V(list:<file or URL>) program).
  returned: when O(program) is given
  type: dict
  sample: {object: object, "list:/srv/lists/mine.lst": list_mine}
guidelines:
  description: Program -> the name of the guideline that defines it.
  returned: when O(program) and O(guideline) are given
  type: dict
  sample: {object: "2020.06", dns: dns.2020.06}
test_types:
  description: The statuses, lower case and de-duplicated.
  returned: when O(test_types) is given
  type: list
  elements: str
  sample: [required]
results_dir:
  description: The absolute results directory (empty when none was given).
  returned: when O(results_dir) is given
  type: str
known_failures:
  description: The absolute path of O(known_failures), after its entries were checked.
  returned: when O(known_failures) is given
  type: str
clouds_yaml:
  description: The clouds.yaml file that defines O(cloud), to pass on to every later step.
  returned: when O(cloud) is given
  type: str
  sample: /home/user/.config/openstack/clouds.yaml
auth:
  description: The explicit credentials as plain data (no template is ever rendered in them).
  returned: when the variable named by O(auth_from) is set
  type: dict
ca_cert:
  description: The absolute path of O(ca_cert).
  returned: when O(ca_cert) is given
  type: str
client_cert:
  description: The absolute path of O(client_cert).
  returned: when O(client_cert) is given
  type: str
client_key:
  description: The absolute path of O(client_key).
  returned: when O(client_key) is given
  type: str
accounts_file:
  description: The absolute path of O(accounts_file).
  returned: when O(accounts_file) is given
  type: str
mode:
  description: O(mode) as given, once checked.
  returned: when O(mode) is given
  type: str
interface:
  description: O(interface) as given, once checked.
  returned: when O(interface) is given
  type: str
variable:
  description: The variable whose value was refused.
  returned: failure
  type: str
  sample: program
"""
