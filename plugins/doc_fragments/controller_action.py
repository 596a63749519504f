# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Attribute support shared by the modules that run as controller action plugins.

Extend it after C(ansible.builtin.action_common_attributes) and its C(.flow) variant (they
give the descriptions); a module's own C(attributes) entries win over these keys, so a
module writes only its own C(details) and any support that differs.
"""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: all
"""
