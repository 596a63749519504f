# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""A dependency-free reader of subunit v2 byte streams (what ``tempest run --subunit`` writes).

Packet layout (all integers big-endian)::

    0xB3 | flags (16 bits) | length (varint, 1-3 bytes) | [timestamp] | [test id] | [tags]
         | [mime type] | [file name + content] | [route code] | CRC32 of everything before it

``flags``: version nibble ``0x2000``, test id ``0x0800``, route code ``0x0400``, timestamp
``0x0200``, runnable ``0x0100``, tags ``0x0080``, file content ``0x0040``, mime type ``0x0020``,
eof ``0x0010``, status in the low three bits. ``length`` counts the whole packet. Varints use
the two high bits of the first byte for the number of extra bytes (0-3). Strings are a varint
length followed by UTF-8; a timestamp is 32-bit seconds followed by varint nanoseconds.

:func:`parse` turns a stream into per-test :class:`TestRecord` objects (status, start/stop,
worker, tags, attachments such as ``traceback`` or ``reason``). It never raises on bad input:
packets with a bad checksum or garbage between packets are skipped (listed in ``errors``), a
stream cut in the middle of a packet keeps every complete packet and sets ``truncated``, and
tests that started but never finished are kept with status ``inprogress``; either sets
``partial``.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from typing import Callable, Iterator, NamedTuple

SIGNATURE = 0xB3
FLAG_TEST_ID = 0x0800
FLAG_ROUTE_CODE = 0x0400
FLAG_TIMESTAMP = 0x0200
FLAG_RUNNABLE = 0x0100
FLAG_TAGS = 0x0080
FLAG_FILE_CONTENT = 0x0040
FLAG_MIME_TYPE = 0x0020
FLAG_EOF = 0x0010
STATUS_NAMES: tuple[str | None, ...] = (
    None, "exists", "inprogress", "success", "uxsuccess", "skip", "fail", "xfail",
)
FINAL_STATUSES = frozenset({"success", "uxsuccess", "skip", "fail", "xfail"})
#: Smallest packet: signature, flags, one length byte, CRC32.
MIN_PACKET = 8


class Packet(NamedTuple):
    """One decoded packet, with the same fields as python-subunit's ``status()`` call."""

    offset: int
    test_id: str | None
    status: str | None
    tags: frozenset[str] | None
    timestamp: float | None
    mime_type: str | None
    file_name: str | None
    file_bytes: bytes | None
    eof: bool
    route_code: str | None
    runnable: bool


class _BadPacket(Exception):
    pass


@dataclass
class Attachment:
    name: str
    mime_type: str | None
    content: bytes

    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


@dataclass
class TestRecord:
    """Everything the stream said about one execution of one test."""

    test_id: str
    status: str | None = None
    start: float | None = None
    stop: float | None = None
    tags: set[str] = field(default_factory=set)
    route_code: str | None = None
    attachments: dict[str, Attachment] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def duration(self) -> float | None:
        if self.start is None or self.stop is None:
            return None
        return max(0.0, self.stop - self.start)

    @property
    def worker(self) -> str:
        """``worker-N`` tag (stestr), else the route code, else ``worker-0``."""
        for tag in sorted(self.tags):
            if tag.startswith("worker-"):
                return tag
        if self.route_code:
            return f"worker-{self.route_code}"
        return "worker-0"

    def text(self, name: str) -> str:
        attachment = self.attachments.get(name)
        return attachment.text() if attachment else ""


@dataclass
class ParsedStream:
    records: list[TestRecord]
    run_attachments: dict[str, Attachment]
    packets: int
    size: int
    errors: list[str]
    truncated: bool
    enumerated: int = 0

    @property
    def interrupted(self) -> list[TestRecord]:
        return [r for r in self.records if not r.finished]

    @property
    def partial(self) -> bool:
        return self.truncated or any(not r.finished for r in self.records)

    @property
    def start(self) -> float | None:
        starts = [r.start for r in self.records if r.start is not None]
        return min(starts) if starts else None

    @property
    def stop(self) -> float | None:
        stops = [r.stop if r.stop is not None else r.start for r in self.records]
        known = [s for s in stops if s is not None]
        return max(known) if known else None


def _varint(data: bytes | memoryview, pos: int, end: int) -> tuple[int, int]:
    if pos >= end:
        raise _BadPacket("number past end of packet")
    first = data[pos]
    kind = first & 0xC0
    if kind == 0x00:
        return first, pos + 1
    if kind == 0x40:
        if pos + 2 > end:
            raise _BadPacket("number past end of packet")
        return ((first & 0x3F) << 8) | data[pos + 1], pos + 2
    if kind == 0x80:
        if pos + 3 > end:
            raise _BadPacket("number past end of packet")
        return ((first & 0x3F) << 16) | (data[pos + 1] << 8) | data[pos + 2], pos + 3
    if pos + 4 > end:
        raise _BadPacket("number past end of packet")
    return (((first & 0x3F) << 24) | (data[pos + 1] << 16) | (data[pos + 2] << 8) | data[pos + 3]), pos + 4


def _utf8(data: bytes, pos: int, end: int) -> tuple[str, int]:
    if pos >= end:
        raise _BadPacket("string past end of packet")
    first = data[pos]
    if first < 0x40:
        length, pos = first, pos + 1
    elif first < 0x80:
        length, pos = ((first & 0x3F) << 8) | data[pos + 1], pos + 2
    else:
        length, pos = _varint(data, pos, end)
    stop = pos + length
    if stop > end:
        raise _BadPacket("string past end of packet")
    return data[pos:stop].decode("utf-8", "replace"), stop


_U32 = struct.Struct(">I").unpack_from


def _decode(data: bytes, pos: int, body: int, end: int, flags: int) -> Packet:
    """Decode the fields of a packet whose frame and CRC are already checked."""
    offset = pos
    pos = body
    timestamp = None
    if flags & FLAG_TIMESTAMP:
        if pos + 5 > end:
            raise _BadPacket("timestamp past end of packet")
        seconds = _U32(data, pos)[0]
        first = data[pos + 4]
        if first < 0x40:
            nanos, pos = first, pos + 5
        else:
            nanos, pos = _varint(data, pos + 4, end)
        timestamp = seconds + nanos / 1e9
    test_id = None
    if flags & FLAG_TEST_ID:
        test_id, pos = _utf8(data, pos, end)
    tags = None
    if flags & FLAG_TAGS:
        count, pos = _varint(data, pos, end)
        found = []
        for _index in range(count):
            tag, pos = _utf8(data, pos, end)
            found.append(tag)
        tags = frozenset(found)
    mime_type = None
    if flags & FLAG_MIME_TYPE:
        mime_type, pos = _utf8(data, pos, end)
    file_name = file_bytes = None
    if flags & FLAG_FILE_CONTENT:
        file_name, pos = _utf8(data, pos, end)
        length, pos = _varint(data, pos, end)
        if pos + length > end:
            raise _BadPacket("file content past end of packet")
        file_bytes = data[pos:pos + length]
        pos += length
    route_code = None
    if flags & FLAG_ROUTE_CODE:
        route_code, pos = _utf8(data, pos, end)
    return Packet(
        offset, test_id, STATUS_NAMES[flags & 0x7], tags, timestamp, mime_type, file_name, file_bytes,
        bool(flags & FLAG_EOF), route_code, bool(flags & FLAG_RUNNABLE),
    )


def iter_packets(data: bytes, errors: list[str] | None = None, state: dict | None = None) -> Iterator[Packet]:
    """Yield every valid packet of ``data``; problems go to ``errors``.

    ``state["truncated"]`` is set when the stream ends inside a packet (and no valid packet
    follows that point).
    """
    if errors is None:
        errors = []
    if state is None:
        state = {}
    state["truncated"] = False
    size = len(data)
    view = memoryview(data)
    crc32 = zlib.crc32
    pos = 0
    truncated_at = -1
    garbage_from = -1
    garbage_reason = ""
    while pos < size:
        if data[pos] != SIGNATURE:
            if garbage_from < 0:
                garbage_from, garbage_reason = pos, "not subunit v2 packets"
            nxt = data.find(b"\xb3", pos + 1)
            pos = size if nxt < 0 else nxt
            continue
        flags = 0
        length = 0
        try:
            flags = (data[pos + 1] << 8) | data[pos + 2]
            if flags & 0xF000 != 0x2000:
                raise _BadPacket(f"unsupported version 0x{flags >> 12:x}")
            first = data[pos + 3]
            kind = first & 0xC0
            if kind == 0x00:
                length, body = first, pos + 4
            elif kind == 0x40:
                length, body = ((first & 0x3F) << 8) | data[pos + 4], pos + 5
            elif kind == 0x80:
                length, body = (((first & 0x3F) << 16) | (data[pos + 4] << 8) | data[pos + 5]), pos + 6
            else:
                raise _BadPacket("packet length of 4 MiB or more")
            if length < MIN_PACKET or body + 4 > pos + length:
                raise _BadPacket(f"impossible packet length {length}")
            end = pos + length - 4
            if pos + length > size:
                # Not enough data: a cut stream, or a false signature inside garbage.
                raise IndexError
            if crc32(view[pos:end]) != int.from_bytes(data[end:end + 4], "big"):
                raise _BadPacket("bad checksum")
            packet = _decode(data, pos, body, end, flags)
        except IndexError:
            if truncated_at < 0:
                truncated_at = pos
            if garbage_from < 0:
                garbage_from, garbage_reason = pos, "incomplete packet"
            pos += 1
            continue
        except _BadPacket as exc:
            if garbage_from < 0:
                garbage_from, garbage_reason = pos, str(exc)
            pos += 1
            continue
        if garbage_from >= 0:
            errors.append(f"offset {garbage_from}: {pos - garbage_from} bytes skipped ({garbage_reason})")
            garbage_from = -1
        truncated_at = -1
        yield packet
        pos += length
    if truncated_at >= 0:
        state["truncated"] = True
        errors.append(f"offset {truncated_at}: the stream ends inside a packet ({size - truncated_at} bytes dropped)")
    elif garbage_from >= 0:
        errors.append(f"offset {garbage_from}: {size - garbage_from} bytes skipped ({garbage_reason})")


def parse(data: bytes) -> ParsedStream:
    """Per-test records of a subunit v2 stream, in the order the tests finished."""
    data = bytes(data)
    errors: list[str] = []
    state: dict = {}
    active: dict[tuple[str, str | None], TestRecord] = {}
    finished: list[TestRecord] = []
    run_attachments: dict[str, Attachment] = {}
    packets = 0
    for packet in iter_packets(data, errors, state):
        packets += 1
        test_id = packet.test_id
        if test_id is None:
            if packet.file_name is not None:
                _attach(run_attachments, packet)
            continue
        key = (test_id, packet.route_code)
        record = active.get(key)
        if record is None:
            record = TestRecord(test_id=test_id, route_code=packet.route_code)
            active[key] = record
        timestamp = packet.timestamp
        if timestamp is not None and record.start is None and packet.status != "exists":
            record.start = timestamp
        if packet.tags:
            record.tags.update(packet.tags)
        if packet.file_name is not None:
            _attach(record.attachments, packet)
        status = packet.status
        if status is not None:
            record.status = status
            if status in FINAL_STATUSES:
                record.stop = timestamp if timestamp is not None else record.start
                if record.start is None:
                    record.start = record.stop
                del active[key]
                finished.append(record)
    enumerated = 0
    for record in active.values():
        if record.status == "exists" and not record.attachments:
            enumerated += 1
            continue
        record.status = "inprogress"
        finished.append(record)
    return ParsedStream(
        records=finished,
        run_attachments=run_attachments,
        packets=packets,
        size=len(data),
        errors=errors,
        truncated=bool(state.get("truncated")),
        enumerated=enumerated,
    )


def _attach(attachments: dict[str, Attachment], packet: Packet) -> None:
    name = packet.file_name or ""
    existing = attachments.get(name)
    chunk = packet.file_bytes or b""
    if existing is None:
        attachments[name] = Attachment(name, packet.mime_type, bytes(chunk))
    else:
        existing.content += chunk
        if existing.mime_type is None:
            existing.mime_type = packet.mime_type


def parse_file(path: str) -> ParsedStream:
    with open(path, "rb") as handle:
        return parse(handle.read())


# ---------------------------------------------------------------------------- rewriting


def _encode_varint(value: int) -> bytes:
    """A subunit v2 number (1-4 bytes, the two high bits of the first byte say how many follow)."""
    if value < 0x40:
        return bytes([value])
    if value < 0x4000:
        return bytes([0x40 | (value >> 8), value & 0xFF])
    if value < 0x400000:
        return bytes([0x80 | (value >> 16), (value >> 8) & 0xFF, value & 0xFF])
    if value < 0x40000000:
        return bytes([0xC0 | (value >> 24), (value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF])
    raise ValueError(f"subunit v2 number too large: {value}")


def map_attachments(data: bytes, transform: Callable[[bytes], bytes]) -> bytes:
    """``data`` with the content of every file attachment passed through ``transform``.

    Packets whose content is unchanged, and bytes that are not valid packets, are kept as they
    are; a changed packet gets its new length and CRC32, so the stream stays valid.
    """
    out = bytearray()
    done = 0
    for packet in iter_packets(data):
        if packet.file_bytes is None:
            continue
        new = transform(packet.file_bytes)
        if new == packet.file_bytes:
            continue
        pos = packet.offset
        first = data[pos + 3]
        size_bytes = 1 + (first >> 6) if first & 0xC0 != 0xC0 else 4
        length = _varint(data, pos + 3, len(data))[0]
        body, end = pos + 3 + size_bytes, pos + length - 4
        needle = _encode_varint(len(packet.file_bytes)) + packet.file_bytes
        at = data.find(needle, body, end)
        fields = data[body:at] + _encode_varint(len(new)) + new + data[at + len(needle):end]
        # the length counts the whole packet, its own 1-4 bytes included
        total = next(n for n in (3 + len(fields) + 4 + k for k in (1, 2, 3, 4))
                     if len(_encode_varint(n)) == n - 3 - len(fields) - 4)
        frame = data[pos:pos + 3] + _encode_varint(total) + fields
        out += data[done:pos] + frame + zlib.crc32(frame).to_bytes(4, "big")
        done = pos + length
    return bytes(out + data[done:]) if done else data
