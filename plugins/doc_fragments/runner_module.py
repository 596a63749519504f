# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Attribute support shared by the modules that run on the test-runner host.

A module's own C(attributes) entries (its C(check_mode) above all) win over these keys, so a
module writes only what is its own.
"""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
attributes:
  diff_mode:
    support: none
    description: Returns no diff.
  platform:
    support: full
    description: Target platforms.
    platforms: [posix]
"""
