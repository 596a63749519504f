# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The HTML report rendered by a real browser (Debian's headless chromium).

What a person sees is checked twice: the DOM chromium built from the file (--dump-dom: the
verdict, the per-capability table, the tracebacks as text, the per-worker chart, the partial
banner) and the pixels of a screenshot (the verdict badge is painted in its colour at the top).
Skipped only when chromium is not installed (``apt-get install -y chromium``).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# tests/unit/conftest.py makes ansible_collections.openinfra.interop importable from a checkout.
_spec = importlib.util.spec_from_file_location("oii_unit_conftest", ROOT / "tests" / "unit" / "conftest.py")
assert _spec and _spec.loader
_spec.loader.exec_module(importlib.util.module_from_spec(_spec))

from ansible_collections.openinfra.interop.plugins.module_utils.guideline import GuidelineTest  # noqa: E402
from ansible_collections.openinfra.interop.plugins.module_utils.results import build_results  # noqa: E402

FIXTURES = ROOT / "tests" / "unit" / "fixtures" / "subunit"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install -y chromium)"
)
OBJ = "tempest.api.object_storage"
FAIL_RGB = (0xCF, 0x22, 0x2E)
PASS_RGB = (0x1A, 0x7F, 0x37)


def required(*names: str) -> list[GuidelineTest]:
    table = {
        "list": (f"{OBJ}.test_account_services.AccountTest.test_list_containers",
                 "id-3499406a-ae53-4f8c-b43a-133d4dc6fe3f", "objectstore-account-list"),
        "contents": (f"{OBJ}.test_container_services.ContainerTest.test_list_container_contents",
                     "id-ab8c6eb4-9e26-4a4d-9ec8-ea7bf6ddc0e3", "objectstore-container-list"),
        "sync": (f"{OBJ}.test_container_sync.ContainerSyncTest.test_container_synchronization",
                 "id-be008325-1bba-4925-b7dd-93b58f22ce9b", "objectstore-container-sync"),
        "get": (f"{OBJ}.test_object_services.ObjectTest.test_get_object",
                "id-02610ba7-86b7-4272-9ed8-aa8d417cb3cd", "objectstore-object-get"),
    }
    return [GuidelineTest(*table[n], "required", False, ()) for n in names]


def chromium(url: str, tmp: Path, *args: str) -> bytes:
    """Run headless chromium in its own session; always stop that session's processes."""
    profile = tmp / f"profile-{len(list(tmp.iterdir()))}"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
           "--force-color-profile=srgb", "--hide-scrollbars", f"--user-data-dir={profile}", *args, url]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=120)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the process group chromium's session started
        except ProcessLookupError:
            pass
        proc.wait()
    if proc.returncode not in (0, None):
        raise AssertionError(f"chromium failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    return out


class Dom(HTMLParser):
    """Text by element id and the list of elements of a serialized DOM."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str | None]] = []
        self.by_id: dict[str, list[str]] = {}
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.void = {"meta", "br", "img", "input", "link", "hr"}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if tag in self.void:
            return
        self.stack.append((tag, attrs.get("id")))
        if attrs.get("id"):
            self.by_id.setdefault(attrs["id"], [])

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        while self.stack:
            name = self.stack.pop()[0]
            if name == tag:
                break

    def handle_data(self, data):
        for _tag, ident in self.stack:
            if ident:
                self.by_id[ident].append(data)

    def text(self, ident: str) -> str:
        return re.sub(r"\s+", " ", " ".join(self.by_id.get(ident, []))).strip()


def dom_of(path: Path, tmp: Path) -> tuple[str, Dom]:
    html = chromium(path.as_uri(), tmp, "--dump-dom").decode("utf-8")
    dom = Dom()
    dom.feed(html)
    return html, dom


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA non-interlaced PNG (what chromium writes) into rows of RGB(A)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, color, _compression, _filter, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, header
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + a) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + b) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + ((a + b) >> 1)) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[x] = (line[x] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, bpp, rows


def count_colour(shot: bytes, rgb: tuple[int, int, int], top_rows: int) -> int:
    width, bpp, rows = png_pixels(shot)
    target = bytes(rgb)
    return sum(1 for row in rows[:top_rows] for x in range(0, width * bpp, bpp) if row[x:x + 3] == target)


def write_report(tmp: Path, name: str, streams: list[str], tests: list[GuidelineTest]) -> Path:
    res = build_results([(FIXTURES / f"{s}.subunit").read_bytes() for s in streams], tests, program="object",
                        guideline="2020.06", cpid="d7f792d1c38e4caaa15f01da1fadab2a", cpid_method="catalog",
                        missing_reasons={tests[-1].name: "needs dynamic credentials"})
    path = tmp / f"{name}.html"
    path.write_bytes(res.files["report.html"])
    return path


def test_fail_report_in_chromium(tmp_path: Path) -> None:
    report = write_report(tmp_path, "fail", ["tempest-run"], required("list", "contents", "sync", "get"))
    html, dom = dom_of(report, tmp_path)
    assert dom.text("verdict") == "FAIL"
    assert ("div", {"id": "verdict", "class": "verdict fail"}) in dom.elements
    table = dom.text("capabilities")
    for row in ("objectstore-account-list 1 1 0 0 0 PASS", "objectstore-container-list 1 0 1 0 0 FAIL",
                "objectstore-container-sync 1 0 0 1 0 FAIL", "objectstore-object-get 1 0 0 0 1 FAIL"):
        assert row in table
    failures = dom.text("failures")
    assert "MismatchError: 'Objekt-\u00fcber-<b>&amp;</b>' != ''" in failures
    assert "tempest.lib.exceptions.Forbidden: Forbidden" in failures
    assert "needs dynamic credentials" in dom.text("missing")
    assert 'Container sync is not available: <no container-sync realm> & "quotes"' in dom.text("skipped")
    tags = [element[0] for element in dom.elements]
    assert tags.count("rect") == 10 and "svg" in tags and "b" not in tags and "script" not in tags
    assert "worker-0: 5 tests" in dom.text("timeline")
    assert "partial" not in dom.by_id
    shot = tmp_path / "fail.png"
    chromium(report.as_uri(), tmp_path, "--window-size=1200,900", f"--screenshot={shot}")
    # the red FAIL badge near the top (a filled block, not just coloured text)
    assert count_colour(shot.read_bytes(), FAIL_RGB, 200) > 1500
    assert count_colour(shot.read_bytes(), PASS_RGB, 200) < 400  # at most the "passed" tile text


def test_pass_report_in_chromium(tmp_path: Path) -> None:
    report = write_report(tmp_path, "pass", ["tempest-run", "tempest-rerun"], required("list", "contents"))
    dom = dom_of(report, tmp_path)[1]
    assert dom.text("verdict") == "PASS"
    assert "objectstore-container-list 1 1 0 0 0 PASS" in dom.text("capabilities")
    assert "attempt 1: fail, attempt 2: success" in dom.text("reruns")
    assert dom.text("attempts").count("results.attempt-2.subunit") == 1
    shot = tmp_path / "pass.png"
    chromium(report.as_uri(), tmp_path, "--window-size=1200,900", f"--screenshot={shot}")
    assert count_colour(shot.read_bytes(), PASS_RGB, 200) > 1500
    assert count_colour(shot.read_bytes(), FAIL_RGB, 200) < 400  # at most the "failed" tile text


def test_partial_report_in_chromium(tmp_path: Path) -> None:
    report = write_report(tmp_path, "partial", ["tempest-killed"], required("list", "get"))
    dom = dom_of(report, tmp_path)[1]
    assert dom.text("verdict") == "FAIL"
    assert dom.text("partial").startswith("Partial result: the run was interrupted")
    assert "started but never finished" in dom.text("required")
