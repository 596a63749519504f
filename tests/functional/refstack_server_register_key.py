# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Create a RefStack user and register an OpenSSH public key for it, via refstack's db API.

Stands in for the OpenStackID sign-in and the profile page's "import public key" on a test
server. Runs with the refstack server venv's Python:

    python refstack_server_register_key.py CONFIG_FILE OPENID PUBLIC_KEY_FILE
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    config_file, openid, pubkey_file = argv
    from oslo_config import cfg
    from refstack import db

    cfg.CONF(["--config-file", config_file], project="refstack")
    try:
        db.user_get(openid)
    except db.NotFound:
        db.user_save({"openid": openid, "email": "interop-test@example.org",
                      "fullname": "Interop Test Vendor"})
    with open(pubkey_file, encoding="ascii") as handle:
        fields = handle.read().split()
    key_format, key_body, comment = fields[0], fields[1], " ".join(fields[2:])
    try:
        db.store_pubkey({"openid": openid, "format": key_format, "pubkey": key_body,
                         "comment": comment})
    except db.Duplication:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
