# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Register a kernel-booted guest image (Glance AKI + ARI + AMI) and its flavor.

A guest booted from a separate kernel and ramdisk is three Glance images: the kernel (AKI), the
ramdisk (ARI) and a root disk (AMI) whose ``kernel_id`` and ``ramdisk_id`` properties name the
other two; Nova boots the AMI. Each image is matched by name and carries the SHA-256 of the file
it was made from (property ``openinfra_sha256``): an image whose file changed is replaced, an
unchanged one is kept, so a second run changes nothing. A flavor is matched by name; one whose
RAM, vCPUs or disk differ is replaced (Nova flavors cannot be changed in place).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

SHA_PROPERTY = "openinfra_sha256"
# role of each part: (name suffix, disk and container format)
PARTS = {"kernel": ("-kernel", "aki"), "ramdisk": ("-ramdisk", "ari"), "disk": ("", "ami")}


class GuestImageError(Exception):
    """A clear, user-facing failure about the requested image or flavor."""


def file_sha256(path: str) -> str:
    """SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise GuestImageError(f"cannot read the image file {path}: {exc.strerror}") from None
    return digest.hexdigest()


def image_action(wanted: dict[str, Any], current: Optional[Any]) -> str:
    """``create``, ``keep`` or ``replace`` for one part (pure).

    ``wanted`` has ``sha256`` and the expected ``properties``; ``current`` is the Glance image
    of that name or None. An image is kept only when it is active, made from the same file and
    has the wanted properties (the AMI's kernel and ramdisk ids).
    """
    if current is None:
        return "create"
    props = _properties(current)
    if _get(current, "status") != "active" or props.get(SHA_PROPERTY) != wanted["sha256"]:
        return "replace"
    for key, value in wanted.get("properties", {}).items():
        if str(props.get(key, _get(current, key))) != str(value):
            return "replace"
    return "keep"


def flavor_matches(wanted: dict[str, Any], current: Any) -> bool:
    """Whether an existing flavor has the wanted RAM, vCPUs and disk (pure)."""
    return all(int(_get(current, key) or 0) == int(wanted[key]) for key in ("ram", "vcpus", "disk"))


def _get(resource: Any, key: str) -> Any:
    if isinstance(resource, dict) and not hasattr(type(resource), key):
        return resource.get(key)
    return getattr(resource, key, None)


def _properties(image: Any) -> dict[str, Any]:
    props = _get(image, "properties") or {}
    return dict(props) if isinstance(props, dict) else {}


@dataclass
class Report:
    created: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    images: dict[str, str] = field(default_factory=dict)
    flavor_id: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"changed": bool(self.created or self.replaced), "created": self.created,
                "replaced": self.replaced, "images": self.images, "flavor_id": self.flavor_id}


class GuestImage:
    """Reconcile the three images and the flavor with one openstacksdk ``Connection``."""

    def __init__(self, conn: Any, check_mode: bool = False) -> None:
        self.conn = conn
        self.check_mode = check_mode
        self.report = Report()

    def _find_image(self, name: str) -> Optional[Any]:
        found = list(self.conn.image.images(name=name))
        if len(found) > 1:
            raise GuestImageError(f"there are {len(found)} images named {name!r}; delete the extra ones")
        return found[0] if found else None

    def ensure(self, name: str, files: dict[str, str], flavor: dict[str, Any],
               properties: Optional[dict[str, str]] = None,
               alternates: Sequence[str] = ()) -> dict[str, Any]:
        """Reconcile the images and the flavor; ``alternates`` are more AMIs of the same disk,
        kernel and ramdisk under other names (distinct image ids for the same guest)."""
        ids: dict[str, str] = {}
        for part in ("kernel", "ramdisk", "disk"):
            suffix, fmt = PARTS[part]
            extra: dict[str, str] = {}
            if part == "disk":
                extra = {"kernel_id": ids["kernel"], "ramdisk_id": ids["ramdisk"], **(properties or {})}
            ids[part] = self._ensure_image(name + suffix, fmt, files[part], extra)
            self.report.images[name + suffix] = ids[part]
        for alternate in alternates:
            self.report.images[alternate] = self._ensure_image(alternate, PARTS["disk"][1], files["disk"], extra)
        self._ensure_flavor(flavor)
        return self.report.as_dict()

    def _ensure_image(self, name: str, fmt: str, path: str, properties: dict[str, str]) -> str:
        wanted = {"sha256": file_sha256(path), "properties": properties}
        current = self._find_image(name)
        action = image_action(wanted, current)
        if action == "keep":
            return str(_get(current, "id"))
        (self.report.created if action == "create" else self.report.replaced).append(name)
        if self.check_mode:
            return "(would be created)"
        if current is not None:
            self.conn.image.delete_image(current)
        image = self.conn.image.create_image(
            name=name, filename=path, disk_format=fmt, container_format=fmt,
            visibility="public", wait=True, validate_checksum=False,
            **{SHA_PROPERTY: wanted["sha256"], **properties})
        return str(image.id)

    def _ensure_flavor(self, flavor: dict[str, Any]) -> None:
        current = self.conn.compute.find_flavor(flavor["name"], ignore_missing=True)
        if current is not None and flavor_matches(flavor, current):
            self.report.flavor_id = str(_get(current, "id"))
            return
        (self.report.created if current is None else self.report.replaced).append(flavor["name"])
        if self.check_mode:
            self.report.flavor_id = "(would be created)"
            return
        if current is not None:
            self.conn.compute.delete_flavor(current)
        created = self.conn.compute.create_flavor(
            name=flavor["name"], ram=int(flavor["ram"]), vcpus=int(flavor["vcpus"]),
            disk=int(flavor["disk"]), is_public=True)
        self.report.flavor_id = str(created.id)
