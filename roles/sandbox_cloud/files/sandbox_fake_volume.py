# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Cinder volume driver of the openinfra.interop sandbox cloud.

Cinder's FakeLoggingVolumeDriver keeps volumes only in the database (no LVM, no iSCSI). On top
of it, the image <-> volume operations work without a block device, root helper or qemu-img:

* a volume created from an image is "cloned" from it (the image was already checked by the API;
  there is nothing to copy), so the volume becomes available and bootable with the image's
  metadata, as on a real backend;
* uploading a volume to an image sends a few KiB of zeros, so the image goes active.

SandboxLoopVolumeDriver (with real guests, sandbox_cloud_nova_virt_driver=libvirt) also gives
every volume a sparse file under <state_path>/loop-volumes and attaches it as a loop device:
the kernel here has loop devices but no iSCSI or NFS client, so the connection is Cinder's
"local" type (a block device path on the compute host, which is this host), which Nova's
libvirt driver hands to the guest as a disk. cinder-volume runs as root, so losetup needs no
root helper.
"""

from __future__ import annotations

import io
import os
import subprocess

from oslo_config import cfg

from cinder.tests import fake_driver

UPLOAD_BYTES = 4096


class SandboxFakeVolumeDriver(fake_driver.FakeLoggingVolumeDriver):
    """Database-only volumes whose image operations need no block device."""

    def clone_image(self, context, volume, image_location, image_meta, image_service):
        # returning cloned=True skips the download to a temporary file and its qemu-img checks
        return {"provider_location": None}, True

    def copy_image_to_volume(self, context, volume, image_service, image_id,
                             disable_sparse=False):
        return None

    def copy_volume_to_image(self, context, volume, image_service, image_meta):
        image_service.update(context, image_meta["id"], {}, io.BytesIO(b"\0" * UPLOAD_BYTES),
                             purge_props=False)


LOSETUP = "/usr/sbin/losetup"
GIB = 1024 ** 3


class SandboxLoopVolumeDriver(SandboxFakeVolumeDriver):
    """Volumes backed by sparse files, attached as loop devices ("local" connections)."""

    @staticmethod
    def _path(volume) -> str:
        return os.path.join(cfg.CONF.state_path, "loop-volumes", f"{volume['id']}.img")

    def _allocate(self, volume) -> None:
        path = self._path(volume)
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        with open(path, "ab") as handle:
            handle.truncate(int(volume["size"]) * GIB)

    def _loops(self, volume) -> list[str]:
        out = subprocess.run([LOSETUP, "--associated", self._path(volume), "--noheadings",
                              "--output", "NAME"], check=True, capture_output=True, text=True).stdout
        return out.split()

    def create_volume(self, volume):
        update = super().create_volume(volume)
        self._allocate(volume)
        return update

    def create_cloned_volume(self, volume, src_vol):
        self._allocate(volume)

    def create_volume_from_snapshot(self, volume, snapshot):
        self._allocate(volume)

    def clone_image(self, context, volume, image_location, image_meta, image_service):
        self._allocate(volume)
        return super().clone_image(context, volume, image_location, image_meta, image_service)

    def extend_volume(self, volume, new_size):
        with open(self._path(volume), "ab") as handle:
            handle.truncate(int(new_size) * GIB)
        for loop in self._loops(volume):
            subprocess.run([LOSETUP, "--set-capacity", loop], check=True)

    def delete_volume(self, volume):
        if os.path.exists(self._path(volume)):
            self.terminate_connection(volume, None)
            os.unlink(self._path(volume))

    def validate_connector(self, connector):
        # a "local" connection needs nothing from the compute host's connector; the base
        # driver's iSCSI check asks for an initiator, which a host without iSCSI does not have
        return None

    def initialize_connection(self, volume, connector):
        info = super().initialize_connection(volume, connector)
        if not os.path.exists(self._path(volume)):
            # a volume created before the sandbox switched to real guests
            self._allocate(volume)
        loops = self._loops(volume)
        device = loops[0] if loops else subprocess.run(
            [LOSETUP, "--find", "--show", self._path(volume)],
            check=True, capture_output=True, text=True).stdout.strip()
        return {"driver_volume_type": "local",
                "data": {"device_path": device, "access_mode": info["data"]["access_mode"]}}

    def terminate_connection(self, volume, connector, **kwargs):
        # a loop device still open by a guest being detached is freed when it closes
        for loop in self._loops(volume):
            subprocess.run([LOSETUP, "--detach", loop], check=False)
