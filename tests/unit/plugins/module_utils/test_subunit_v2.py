# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The subunit v2 reader against streams written by python-subunit (fixtures + generated)."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils import subunit_v2
from ansible_collections.openinfra.interop.plugins.module_utils.subunit_v2 import iter_packets, parse

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "subunit"
STREAMS = ["tempest-run", "tempest-rerun", "tempest-killed", "tempest-truncated"]


def data(name: str) -> bytes:
    return (FIXTURES / f"{name}.subunit").read_bytes()


class Recorder:
    """A python-subunit StreamResult that keeps every status() call."""

    def __init__(self) -> None:
        self.events: list[tuple] = []

    def status(self, test_id=None, test_status=None, test_tags=None, runnable=True, file_name=None,
               file_bytes=None, eof=False, mime_type=None, route_code=None, timestamp=None):
        stamp = None if timestamp is None else round(timestamp.timestamp(), 6)
        self.events.append((test_id, test_status, frozenset(test_tags) if test_tags else None,
                            stamp, mime_type, file_name, bytes(file_bytes) if file_bytes is not None else None,
                            eof, route_code, runnable))


def reference_events(raw: bytes) -> list[tuple]:
    v2 = pytest.importorskip("subunit.v2")
    recorder = Recorder()
    v2.ByteStreamToStreamResult(io.BytesIO(raw)).run(recorder)
    return recorder.events


def own_events(raw: bytes) -> list[tuple]:
    return [
        (p.test_id, p.status, p.tags, None if p.timestamp is None else round(p.timestamp, 6), p.mime_type,
         p.file_name, p.file_bytes, p.eof, p.route_code, p.runnable)
        for p in iter_packets(raw)
    ]


@pytest.mark.parametrize("name", ["tempest-run", "tempest-rerun", "tempest-killed"])
def test_packets_equal_python_subunit(name: str) -> None:
    raw = data(name)
    assert own_events(raw) == reference_events(raw)


def write_stream(calls: list[dict]) -> bytes:
    v2 = pytest.importorskip("subunit.v2")
    buf = io.BytesIO()
    out = v2.StreamResultToBytes(buf)
    for call in calls:
        out.status(**call)
    return buf.getvalue()


def test_long_packets_and_route_codes_equal_python_subunit() -> None:
    t = datetime.datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.timezone.utc)
    big = ("x" * 70 + "\n").encode() * 2000  # 142 kB: a 3-byte length
    mid = b"y" * 1000  # a 2-byte length
    raw = write_stream([
        {"test_id": "a.b.C.test_big[id-1]", "test_status": "inprogress", "timestamp": t, "route_code": "3"},
        {"test_id": "a.b.C.test_big[id-1]", "file_name": "traceback", "file_bytes": big, "eof": True,
         "mime_type": "text/plain", "route_code": "3", "timestamp": t},
        {"test_id": "a.b.C.test_big[id-1]", "file_name": "stdout", "file_bytes": mid, "route_code": "3"},
        {"test_id": "a.b.C.test_big[id-1]", "test_status": "fail", "timestamp": t, "route_code": "3",
         "test_tags": {"worker-9", "x"}},
        {"file_name": "stderr", "file_bytes": b"run-level output", "runnable": False},
        {"test_id": "a.b.C.test_enumerated", "test_status": "exists"},
    ])
    assert own_events(raw) == reference_events(raw)
    parsed = parse(raw)
    assert [r.test_id for r in parsed.records] == ["a.b.C.test_big[id-1]"]
    record = parsed.records[0]
    assert record.attachments["traceback"].content == big
    assert record.attachments["stdout"].content == mid
    assert record.worker == "worker-9"
    assert record.route_code == "3"
    assert parsed.run_attachments["stderr"].content == b"run-level output"
    assert parsed.enumerated == 1
    assert not parsed.partial


def test_records_of_a_run() -> None:
    parsed = parse(data("tempest-run"))
    assert parsed.errors == [] and not parsed.truncated and not parsed.partial
    assert len(parsed.records) == 10
    statuses = [r.status for r in parsed.records]
    assert statuses.count("success") == 7 and statuses.count("fail") == 2 and statuses.count("skip") == 1
    failed = parsed.records[2]
    assert failed.status == "fail"
    assert failed.text("traceback").startswith("Traceback (most recent call last):")
    assert "pythonlogging:''" in failed.attachments
    assert failed.attachments["traceback"].mime_type.startswith("text/x-traceback")
    skipped = next(r for r in parsed.records if r.status == "skip")
    assert skipped.text("reason").startswith("Container sync is not available")
    assert {r.worker for r in parsed.records} == {"worker-0", "worker-1"}
    assert parsed.records[0].duration == pytest.approx(0.25)
    assert parsed.start == pytest.approx(datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc).timestamp())


def test_killed_run_keeps_unfinished_tests() -> None:
    parsed = parse(data("tempest-killed"))
    assert not parsed.truncated
    assert parsed.partial
    assert [r.status for r in parsed.records] == ["success", "inprogress", "inprogress"]
    assert [r.test_id for r in parsed.interrupted] == [r.test_id for r in parsed.records[1:]]
    assert parsed.records[1].stop is None and parsed.records[1].duration is None


def test_truncated_stream_keeps_complete_packets() -> None:
    full, cut = data("tempest-run"), data("tempest-truncated")
    assert full.startswith(cut)
    parsed = parse(cut)
    assert parsed.truncated and parsed.partial
    assert len(parsed.errors) == 1 and "ends inside a packet" in parsed.errors[0]
    complete = [p for p in iter_packets(full) if p.offset < len(cut)]
    assert parsed.packets == len(complete) - 1  # the cut packet is dropped
    assert [r.status for r in parsed.records][-1] == "inprogress"


def test_every_cut_point() -> None:
    """A stream cut anywhere parses without error and keeps exactly the complete packets."""
    full = data("tempest-run")
    ends = []
    for packet in iter_packets(full):
        ends.append(packet.offset)
    ends = ends[1:] + [len(full)]
    for cut in range(len(full) + 1):
        parsed = parse(full[:cut])
        complete = sum(1 for end in ends if end <= cut)
        assert parsed.packets == complete, cut
        assert parsed.truncated == (cut not in ends and cut != 0), cut


def test_corrupt_packet_is_skipped_and_reported() -> None:
    full = bytearray(data("tempest-run"))
    offsets = [p.offset for p in iter_packets(bytes(full))]
    target = offsets[5]
    full[target + 8] ^= 0xFF  # a byte inside the 6th packet: bad checksum
    errors: list[str] = []
    kept = list(iter_packets(bytes(full), errors))
    assert len(kept) == len(offsets) - 1
    assert target not in [p.offset for p in kept]
    assert len(errors) == 1 and errors[0].startswith(f"offset {target}:") and "bad checksum" in errors[0]
    assert not parse(bytes(full)).truncated


def test_garbage_between_packets() -> None:
    full = data("tempest-run")
    offsets = [p.offset for p in iter_packets(full)]
    noisy = full[: offsets[3]] + b"some stray output\n\xb3\x00" + full[offsets[3]:]
    parsed = parse(noisy)
    assert parsed.packets == len(offsets)
    assert len(parsed.errors) == 1 and "20 bytes skipped" in parsed.errors[0]
    assert not parsed.truncated
    assert parse(full).records[3].test_id == parsed.records[3].test_id


def test_empty_and_non_subunit_input() -> None:
    empty = parse(b"")
    assert empty.records == [] and empty.packets == 0 and not empty.partial
    text = parse(b"this is a subunit v1 or plain text stream\n")
    assert text.records == [] and len(text.errors) == 1 and not text.truncated


def test_unsupported_version_is_skipped() -> None:
    raw = data("tempest-rerun")
    bad = bytes([raw[0], (raw[1] & 0x0F) | 0x10]) + raw[2:]  # version 1 flags
    parsed = parse(bad + raw)
    assert parsed.packets == 3  # the first packet of the corrupt copy is skipped
    assert parsed.errors[0].startswith("offset 0:") and "unsupported version 0x1" in parsed.errors[0]


def test_parse_file(tmp_path: Path) -> None:
    path = tmp_path / "s.subunit"
    path.write_bytes(data("tempest-rerun"))
    assert subunit_v2.parse_file(str(path)).records[0].status == "success"
