# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Write files so that a reader never sees a half-written one and an error never loses the old one."""

from __future__ import annotations

import os
import tempfile
from typing import Union

PathLike = Union[str, "os.PathLike[str]"]


def atomic_write(path: PathLike, data: bytes | str, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory and ``os.replace``.

    On any error the temporary file is removed and an existing ``path`` is left untouched.
    The mode is set before the rename, so a secret is never readable by others, not even briefly.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def same_content(path: PathLike, data: bytes | str) -> bool:
    """True when ``path`` exists and holds exactly ``data``."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        if os.path.getsize(path) != len(data):
            return False
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False
