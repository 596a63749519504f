# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Pure logic of guest_image: when an image is kept or replaced, when a flavor matches (the
upload itself runs against the sandbox cloud's real Glance and Nova)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils import guest_image as G

SHA = "a" * 64


def image(**kw: object) -> dict:
    base = {"id": "i1", "status": "active", "properties": {G.SHA_PROPERTY: SHA}}
    base.update(kw)
    return base


def test_file_sha256(tmp_path: Path) -> None:
    f = tmp_path / "k"
    f.write_bytes(b"abc")
    assert G.file_sha256(str(f)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_file_sha256_names_the_missing_file(tmp_path: Path) -> None:
    with pytest.raises(G.GuestImageError, match="cannot read the image file .*/nope"):
        G.file_sha256(str(tmp_path / "nope"))


@pytest.mark.parametrize(("current", "props", "action"), [
    (None, {}, "create"),
    (image(), {}, "keep"),
    (image(properties={G.SHA_PROPERTY: "b" * 64}), {}, "replace"),
    (image(status="queued"), {}, "replace"),
    (image(properties={G.SHA_PROPERTY: SHA, "kernel_id": "k1"}), {"kernel_id": "k1"}, "keep"),
    # the AMI must point at the kernel just registered
    (image(properties={G.SHA_PROPERTY: SHA, "kernel_id": "old"}), {"kernel_id": "k1"}, "replace"),
    # Glance may return extra properties as top-level attributes
    (image(kernel_id="k1"), {"kernel_id": "k1"}, "keep"),
])
def test_image_action(current: object, props: dict, action: str) -> None:
    assert G.image_action({"sha256": SHA, "properties": props}, current) == action


@pytest.mark.parametrize(("current", "matches"), [
    ({"ram": 128, "vcpus": 1, "disk": 1}, True),
    ({"ram": 64, "vcpus": 1, "disk": 1}, False),
    ({"ram": 128, "vcpus": 2, "disk": 1}, False),
    ({"ram": 128, "vcpus": 1, "disk": 0}, False),
])
def test_flavor_matches(current: dict, matches: bool) -> None:
    assert G.flavor_matches({"ram": 128, "vcpus": 1, "disk": 1}, current) is matches
