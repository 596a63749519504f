#!/usr/bin/python
# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Merge named entries into a clouds.yaml file, or remove them, leaving other entries alone."""

from __future__ import annotations

DOCUMENTATION = r"""
module: clouds_yaml
short_description: Add, update or remove named entries of a clouds.yaml file
version_added: 0.1.0
description:
  - Merges the entries of O(clouds) into the C(clouds) mapping of O(path) (an entry with the same
    name is replaced as a whole), or removes the entries named in O(names).
  - Other entries and other top-level keys stay as they are. The file is written atomically with
    mode 0600 (and its directory is created with mode 0700); an existing file with another mode
    is set to 0600 on O(state=present).
  - Comments in the file are lost when it has to be rewritten; a file that needs no change is not
    rewritten.
author:
  - openinfra.interop contributors (!UNKNOWN)
options:
  path:
    description: The clouds.yaml file.
    type: path
    default: ~/.config/openstack/clouds.yaml
  state:
    description: V(present) merges O(clouds); V(absent) removes the entries named in O(names).
    type: str
    choices: [present, absent]
    default: present
  clouds:
    description: Entries to merge, by cloud name (each the mapping C(openstack --os-cloud) reads).
    type: dict
    default: {}
  names:
    description: Names of the entries to remove with O(state=absent).
    type: list
    elements: str
    default: []
attributes:
  check_mode:
    support: full
    description: Can run in check mode and report which entries would change; nothing is written.
  diff_mode:
    support: none
    description: Returns no diff.
    details: The entries carry passwords; only their names are reported.
  platform:
    support: full
    description: Target platforms.
    platforms: [posix]
requirements:
  - PyYAML
"""

EXAMPLES = r"""
- name: Add the sandbox entries
  openinfra.interop.clouds_yaml:
    clouds:
      sandbox:
        auth:
          auth_url: http://127.0.0.1:5000/v3
          username: admin
          password: "{{ admin_password }}"
          project_name: admin
          user_domain_name: Default
          project_domain_name: Default
        region_name: RegionOne
  no_log: true

- name: Remove them again
  openinfra.interop.clouds_yaml:
    state: absent
    names: [sandbox, sandbox-demo]
"""

RETURN = r"""
entries:
  description: Names of the entries added, changed or removed.
  returned: always
  type: list
  elements: str
  sample: [sandbox, sandbox-demo]
mode_changed:
  description: Whether only the file mode had to be set to 0600.
  returned: always
  type: bool
path:
  description: The file.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.openinfra.interop.plugins.module_utils.clouds_yaml import (
    HAS_YAML,
    YAML_IMPORT_ERROR,
    CloudsYamlError,
    ensure,
)


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "default": "~/.config/openstack/clouds.yaml"},
            "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
            "clouds": {"type": "dict", "default": {}, "no_log": True},
            "names": {"type": "list", "elements": "str", "default": []},
        },
        supports_check_mode=True,
    )
    if not HAS_YAML:
        module.fail_json(msg=missing_required_lib("PyYAML"), exception=YAML_IMPORT_ERROR)
    p = module.params
    try:
        result = ensure(p["path"], p["state"], p["clouds"], p["names"],
                        check_mode=module.check_mode)
    except (CloudsYamlError, OSError) as exc:
        module.fail_json(msg=str(exc), path=p["path"])
    module.exit_json(path=p["path"], **result)


if __name__ == "__main__":
    main()
