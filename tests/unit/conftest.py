"""Make ``ansible_collections.openinfra.interop`` importable when pytest runs from a checkout.

ansible-test copies the collection under ``ansible_collections/openinfra/interop``; a plain
checkout has no such parent, so a temporary one is made with a symlink to the checkout.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _make_importable() -> None:
    try:
        import ansible_collections.openinfra.interop  # noqa: F401
        return
    except ImportError:
        pass
    if ROOT.parent.name == "openinfra" and ROOT.parent.parent.name == "ansible_collections":
        sys.path.insert(0, str(ROOT.parents[2]))
        return
    tree = Path(tempfile.mkdtemp(prefix="oii-unit-")) / "ansible_collections" / "openinfra"
    tree.mkdir(parents=True)
    os.symlink(ROOT, tree / "interop")
    sys.path.insert(0, str(tree.parent.parent))
    # ansible's collection loader is not installed here, so drop any cached namespace miss.
    for name in [m for m in sys.modules if m.startswith("ansible_collections")]:
        del sys.modules[name]


_make_importable()
