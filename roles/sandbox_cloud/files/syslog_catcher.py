# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Receive syslog datagrams on a loopback UDP port and append them to a file.

Swift's servers log only through syslog; with ``log_udp_host``/``log_udp_port`` they send to
this catcher, which is started and stopped by the sandbox_cloud role.
"""

from __future__ import annotations

import argparse
import re
import signal
import socket
import sys

PRIORITY = re.compile(rb"^<\d{1,3}>")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *args: sys.exit(0))
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.bind((args.host, args.port))
    with open(args.output, "ab", buffering=0) as out:
        while True:
            data = sock.recvfrom(65535)[0]
            # drop the <priority> prefix and trailing NUL/newline; '#012' is syslog's newline
            line = PRIORITY.sub(b"", data).rstrip(b"\x00\n").replace(b"#012", b"\n  ")
            out.write(line + b"\n")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
