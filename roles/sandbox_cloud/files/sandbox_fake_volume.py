# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Cinder volume driver of the openinfra.interop sandbox cloud.

Cinder's FakeLoggingVolumeDriver keeps volumes only in the database (no LVM, no iSCSI). On top
of it, the image <-> volume operations work without a block device, root helper or qemu-img:

* a volume created from an image is "cloned" from it (the image was already checked by the API;
  there is nothing to copy), so the volume becomes available and bootable with the image's
  metadata, as on a real backend;
* uploading a volume to an image sends a few KiB of zeros, so the image goes active.
"""

from __future__ import annotations

import io

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
