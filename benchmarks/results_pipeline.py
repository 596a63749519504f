# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Time the conversion of a 5,000-test subunit v2 stream into every result artifact.

Usage: python benchmarks/results_pipeline.py [--tests 5000] [--runs 7] [--workers 4]

Generates a Tempest-like stream (per test: ``inprogress``, attachments, final status, with
``worker-N`` tags and timestamps; 4% failures with a traceback and captured logging, 6% skips
with a reason), a required-test list of 300 of those tests, then times ``build_results`` +
``write_results`` (RefStack document, JUnit, HTML, summary, stream copy, all written atomically
to a temporary directory) and prints the median. If python-subunit is importable, it also
times parsing the same stream with python-subunit's ``ByteStreamToStreamResult`` into
testtools' ``StreamToDict`` (what a python-subunit based reader would do) next to the
built-in reader.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import struct
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _importable() -> None:
    try:
        import ansible_collections.openinfra.interop  # noqa: F401
        return
    except ImportError:
        pass
    if ROOT.parent.name == "openinfra" and ROOT.parent.parent.name == "ansible_collections":
        sys.path.insert(0, str(ROOT.parents[2]))
        return
    tree = Path(tempfile.mkdtemp(prefix="oii-bench-")) / "ansible_collections" / "openinfra"
    tree.mkdir(parents=True)
    os.symlink(ROOT, tree / "interop")
    sys.path.insert(0, str(tree.parent.parent))
    for name in [m for m in sys.modules if m.startswith("ansible_collections")]:
        del sys.modules[name]


_importable()

from ansible_collections.openinfra.interop.plugins.module_utils import results as R  # noqa: E402
from ansible_collections.openinfra.interop.plugins.module_utils.subunit_v2 import parse  # noqa: E402

STATUS = {"inprogress": 2, "success": 3, "skip": 5, "fail": 6}


def _number(value: int) -> bytes:
    if value < 0x40:
        return bytes([value])
    if value < 0x4000:
        return struct.pack(">H", value | 0x4000)
    if value < 0x400000:
        return struct.pack(">I", value | 0x800000)[1:]
    return struct.pack(">I", value | 0xC0000000)


def _text(value: str) -> bytes:
    raw = value.encode("utf-8")
    return _number(len(raw)) + raw


def packet(test_id: str, status: str | None, when: float, tags: tuple[str, ...] = (),
           file_name: str | None = None, content: bytes = b"", mime: str | None = None) -> bytes:
    """One subunit v2 packet (same layout as python-subunit's StreamResultToBytes)."""
    flags = 0x2000 | 0x0200 | 0x0800 | 0x0100
    seconds = int(when)
    body = struct.pack(">I", seconds) + _number(int((when - seconds) * 1e6) * 1000) + _text(test_id)
    if tags:
        flags |= 0x0080
        body += _number(len(tags)) + b"".join(_text(t) for t in tags)
    if mime:
        flags |= 0x0020
        body += _text(mime)
    if file_name is not None:
        flags |= 0x0040 | 0x0010
        body += _text(file_name) + _number(len(content)) + content
    if status:
        flags |= STATUS[status]
    base = 3 + len(body) + 4
    length = base + (1 if base <= 62 else 2 if base <= 16381 else 3)
    head = b"\xb3" + struct.pack(">H", flags) + _number(length)
    data = head + body
    return data + struct.pack(">I", zlib.crc32(data) & 0xFFFFFFFF)


@dataclass(frozen=True)
class Test:
    name: str
    idempotent_id: str
    capability: str
    status: str = "required"
    flagged: bool = False
    aliases: tuple[str, ...] = ()


def make_stream(count: int, workers: int) -> tuple[bytes, list[Test]]:
    traceback = ("Traceback (most recent call last):\n"
                 + '  File "/opt/tempest/tempest/lib/common/rest_client.py", line 900, in _error_checker\n'
                 "    raise exceptions.NotFound(resp_body, resp=resp)\n" * 12
                 + "tempest.lib.exceptions.NotFound: Object not found\nDetails: {'code': 404}\n").encode()
    logging = ("2024-05-06 07:08:09.123 1234 INFO tempest.lib.common.rest_client [req-1 ] Request: GET "
               "http://127.0.0.1:8080/v1/AUTH_x 200 0.012s\n" * 20).encode()
    clock = [1_714_979_289.0 + w * 0.01 for w in range(workers)]
    out = io.BytesIO()
    required: list[Test] = []
    for i in range(count):
        worker = i % workers
        uuid = f"{i:08x}-0000-4000-8000-{i:012x}"
        name = f"tempest.api.module_{i // 50}.test_group.Group{i // 10}Test.test_case_{i}"
        test_id = f"{name}[id-{uuid},smoke]"
        tags = (f"worker-{worker}",)
        start = clock[worker]
        stop = start + 0.05 + (i % 17) * 0.03
        clock[worker] = stop + 0.002
        status = "fail" if i % 25 == 7 else "skip" if i % 16 == 3 else "success"
        out.write(packet(test_id, "inprogress", start, tags))
        if status == "fail":
            out.write(packet(test_id, None, stop, (), "pythonlogging:''", logging, "text/plain; charset=utf8"))
            out.write(packet(test_id, None, stop, (), "traceback", traceback,
                             'text/x-traceback; charset="utf8"; language="python"'))
        elif status == "skip":
            out.write(packet(test_id, None, stop, (), "reason", b"Feature not enabled in tempest.conf",
                             "text/plain; charset=utf8"))
        out.write(packet(test_id, status, stop, tags))
        if i % (count // 300 or 1) == 0 and len(required) < 300:
            required.append(Test(name, f"id-{uuid}", f"capability-{len(required) // 6}"))
    return out.getvalue(), required


def pipeline(stream: bytes, required: list[Test], directory: str) -> R.Results:
    built = R.build_results([stream], required, program="platform", guideline="2020.06", cpid="0" * 32,
                            cpid_method="catalog", metadata={"benchmark": True})
    R.write_results(directory, built.files)
    return built


def median_time(func, runs: int) -> float:
    times = []
    for _run in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    stream, required = make_stream(args.tests, args.workers)
    parsed = parse(stream)
    if len(parsed.records) != args.tests or parsed.errors:
        print(f"generated stream is wrong: {len(parsed.records)} records, errors {parsed.errors[:3]}")
        return 1
    with tempfile.TemporaryDirectory(prefix="oii-bench-") as tmp:
        built = pipeline(stream, required, tmp)  # warm-up; also shows the sizes
        sizes = {name: len(data) for name, data in built.files.items()}
        total = median_time(lambda: pipeline(stream, required, os.path.join(tmp, "out")), args.runs)
    parse_time = median_time(lambda: parse(stream), args.runs)
    print(f"stream: {args.tests} tests, {parsed.packets} packets, {len(stream) / 1e6:.2f} MB, "
          f"{args.workers} workers; required tests: {len(required)}")
    print("artifacts: " + ", ".join(f"{name} {size / 1e3:.0f} kB" for name, size in sizes.items()))
    print(f"median of {args.runs} runs, stream -> all artifacts written: {total * 1000:.1f} ms")
    print(f"median of {args.runs} runs, built-in subunit v2 reader only: {parse_time * 1000:.1f} ms")
    try:
        import subunit
        import testtools
    except ImportError:
        print("python-subunit not installed: no side-by-side comparison")
        return 0

    def with_python_subunit() -> int:
        tests: list[dict] = []
        sink = testtools.StreamToDict(tests.append)
        sink.startTestRun()
        subunit.ByteStreamToStreamResult(io.BytesIO(stream)).run(sink)
        sink.stopTestRun()
        assert len(tests) == args.tests
        return len(tests)

    reference = median_time(with_python_subunit, args.runs)
    print(f"median of {args.runs} runs, python-subunit ByteStreamToStreamResult -> StreamToDict: "
          f"{reference * 1000:.1f} ms ({reference / parse_time:.1f}x the built-in reader)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
