# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Nova virt driver of the openinfra.interop sandbox cloud.

Nova loads ``compute_driver`` only from ``nova.virt.<module>``, so the role installs this file
as ``nova/virt/sandbox_fake_virt.py`` in the sandbox's virtualenv.

* FakeDriverWithoutFakeNodes keeps one stable node identity across restarts (the plain
  FakeDriver refuses a second start with "No local node identity found");
* a snapshot really uploads a few KiB to Glance, so the snapshot image goes active (the fake
  driver uploads nothing and the image would stay queued).
"""

from __future__ import annotations

import io

from nova.image import glance
from nova.virt import fake

SNAPSHOT_BYTES = 4096


class SandboxFakeDriver(fake.FakeDriverWithoutFakeNodes):
    """Fake hypervisor with a stable node and real (tiny) snapshot uploads."""

    def snapshot(self, context, instance, image_id, update_task_state):
        super().snapshot(context, instance, image_id, update_task_state)
        meta = {"disk_format": "raw", "container_format": "bare"}
        glance.API().update(context, image_id, meta, io.BytesIO(b"\0" * SNAPSHOT_BYTES),
                            purge_props=False)
