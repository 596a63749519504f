# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""WSGI entry point of a test RefStack API, served by gunicorn from the refstack server venv.

Equivalent of refstack's own ``app.wsgi``: refstack reads its oslo.config file from the
``REFSTACK_OSLO_CONFIG`` environment variable, which the functional test sets.
"""

from __future__ import annotations

import os

if not os.environ.get("REFSTACK_OSLO_CONFIG"):
    raise RuntimeError("set REFSTACK_OSLO_CONFIG to the refstack configuration file")

from refstack.api import app as _refstack_app  # noqa: E402
from refstack.api import config as _refstack_pecan_config  # noqa: E402

application = _refstack_app.setup_app(_refstack_pecan_config)
