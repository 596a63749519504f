#!/usr/bin/python
# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Register a kernel-booted guest image (AKI + ARI + AMI) and its flavor."""

from __future__ import annotations

DOCUMENTATION = r"""
module: guest_image
short_description: Register a kernel + ramdisk guest image in Glance (AKI, ARI, AMI) and its flavor
version_added: 0.1.0
description:
  - Uploads a kernel (AKI), a ramdisk (ARI) and a root disk (AMI) as three public Glance images;
    the AMI's C(kernel_id) and C(ramdisk_id) properties name the other two, so Nova boots the AMI
    with that kernel and ramdisk.
  - Each image is matched by name and records the SHA-256 of its file (property
    C(openinfra_sha256)); an image whose file changed is replaced, an unchanged one is left
    alone, so a second run changes nothing.
  - Ensures a public flavor; one of the same name with other RAM, vCPUs or disk is replaced.
  - Needs admin credentials (public images and flavors). Used by the
    P(openinfra.interop.sandbox_cloud#role) role for its guest image.
author:
  - openinfra.interop contributors (!UNKNOWN)
extends_documentation_fragment:
  - openinfra.interop.runner_module
  - openinfra.interop.openstack
options:
  name:
    description: Name of the AMI; the kernel and ramdisk are named C(<name>-kernel) and C(<name>-ramdisk).
    type: str
    required: true
  kernel:
    description: Kernel file (AKI).
    type: path
    required: true
  ramdisk:
    description: Ramdisk file (ARI).
    type: path
    required: true
  disk:
    description: Root disk file (AMI, raw).
    type: path
    required: true
  properties:
    description: Extra properties of the AMI (e.g. C(os_command_line)).
    type: dict
    default: {}
  alternates:
    description:
      - Names of more AMIs of the same root disk, kernel, ramdisk and properties, so that a
        test runner has distinct images of the same guest (Tempest's C(compute.image_ref_alt)).
    type: list
    elements: str
    default: []
  flavor:
    description: Flavor for the guest.
    type: dict
    required: true
    suboptions:
      name:
        description: Flavor name.
        type: str
        required: true
      ram:
        description: RAM in MB.
        type: int
        required: true
      vcpus:
        description: Virtual CPUs.
        type: int
        default: 1
      disk:
        description: Root disk in GB.
        type: int
        default: 1
"""

EXAMPLES = r"""
- name: Register the guest image and its flavor
  openinfra.interop.guest_image:
    cloud: sandbox
    name: sandbox-guest
    kernel: /var/cache/guest/vmlinuz
    ramdisk: /var/cache/guest/initrd.gz
    disk: /var/cache/guest/disk.img
    properties:
      os_command_line: console=ttyS0
    flavor:
      name: sandbox-guest
      ram: 128
"""

RETURN = r"""
created:
  description: Names of the images and flavor that were (or would be) created.
  returned: always
  type: list
  elements: str
  sample: [sandbox-guest-kernel, sandbox-guest-ramdisk, sandbox-guest, sandbox-guest]
replaced:
  description: Names of the images and flavor that were (or would be) replaced.
  returned: always
  type: list
  elements: str
  sample: []
images:
  description: Id of each image, by name (C((would be created)) in check mode).
  returned: always
  type: dict
  sample: {sandbox-guest-kernel: 0d6c1d9a-7e0f-4a8e-b3c1-2f9f5a1e8c33}
flavor_id:
  description: Id of the flavor.
  returned: always
  type: str
  sample: 5f0c1b9e-1c6e-4e53-9a53-1b2f8f0c0a11
"""

from ansible_collections.openinfra.interop.plugins.module_utils.guest_image import GuestImage, GuestImageError
from ansible_collections.openinfra.interop.plugins.module_utils.openstack import OpenStackModule


class GuestImageModule(OpenStackModule):
    argument_spec = {
        "name": {"type": "str", "required": True},
        "kernel": {"type": "path", "required": True},
        "ramdisk": {"type": "path", "required": True},
        "disk": {"type": "path", "required": True},
        "properties": {"type": "dict", "default": {}},
        "alternates": {"type": "list", "elements": "str", "default": []},
        "flavor": {
            "type": "dict", "required": True,
            "options": {
                "name": {"type": "str", "required": True},
                "ram": {"type": "int", "required": True},
                "vcpus": {"type": "int", "default": 1},
                "disk": {"type": "int", "default": 1},
            },
        },
    }
    module_kwargs = {"supports_check_mode": True}

    def run(self) -> None:
        files = {part: self.params[part] for part in ("kernel", "ramdisk", "disk")}
        try:
            report = GuestImage(self.conn, check_mode=self.module.check_mode).ensure(
                self.params["name"], files, self.params["flavor"],
                {k: str(v) for k, v in self.params["properties"].items()}, self.params["alternates"])
        except GuestImageError as exc:
            self.module.fail_json(msg=str(exc))
        self.module.exit_json(**report)


def main() -> None:
    GuestImageModule()()


if __name__ == "__main__":
    main()
