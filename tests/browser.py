"""Headless Chromium for the review-page tests, driven over the DevTools protocol on a pipe.

Chromium comes from Debian (`apt-get install chromium`, done by `make browser`, which `make test`
runs). It is started with ``--remote-debugging-pipe``: the protocol's JSON messages go through
file descriptors 3 and 4, so nothing beyond the standard library is needed. Without Chromium the
browser tests are skipped, unless TOOLKIT_REQUIRE_BROWSER=1 (CI), where that is a failure.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
]


def chromium() -> str:
    """Path of the Chromium binary, or skip (fail under TOOLKIT_REQUIRE_BROWSER=1)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    message = "chromium is not installed (make browser, or apt-get install chromium)"
    if os.environ.get("TOOLKIT_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


def _high(fd: int) -> int:
    """``fd`` moved above 9, so putting the pipe on 3 and 4 in the child cannot clobber it."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class Browser:
    """One headless Chromium; :meth:`open` loads a page in a viewport of the given size."""

    def __init__(self, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self.profile = tempfile.TemporaryDirectory(prefix="toolkit-chromium-")
        to_child, from_parent = map(_high, os.pipe())
        from_child, to_parent = map(_high, os.pipe())

        def plumb() -> None:  # in the child: the protocol pipe on fds 3 (commands) and 4 (replies)
            os.dup2(to_child, 3)
            os.dup2(to_parent, 4)

        self.process = subprocess.Popen(
            [chromium(), *FLAGS, f"--user-data-dir={self.profile.name}", "about:blank"],
            preexec_fn=plumb,
            close_fds=False,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_child)
        os.close(to_parent)
        self.writer, self.reader = from_parent, from_child
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict] = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable", session=True)

    def _send(self, method: str, params: dict | None, session: bool) -> int:
        self.next_id += 1
        message: dict = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self.writer, json.dumps(message).encode() + b"\0")
        return self.next_id

    def _receive(self, deadline: float) -> dict:
        while b"\0" not in self.buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self.reader, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, params: dict | None = None, session: bool = False) -> dict:
        """Send a DevTools command and return its result (events seen meanwhile are kept)."""
        number = self._send(method, params, session)
        deadline = time.monotonic() + self.timeout
        while True:
            message = self._receive(deadline)
            if message.get("id") == number:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]
            self.events.append(message)

    def open(self, page: Path, width: int, height: int) -> None:
        """Load ``page`` (a file) in a ``width`` × ``height`` viewport and wait for its load event."""
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}
        self.call("Emulation.setDeviceMetricsOverride", metrics, session=True)
        self.events.clear()
        self.call("Page.navigate", {"url": page.resolve().as_uri()}, session=True)
        deadline = time.monotonic() + self.timeout
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            self.events.append(self._receive(deadline))

    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the page."""
        result = self.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def screenshot(self, target: Path) -> Path:
        """A PNG of the viewport."""
        data = self.call("Page.captureScreenshot", {"format": "png"}, session=True)["data"]
        target.write_bytes(base64.b64decode(data))
        return target

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (RuntimeError, OSError, TimeoutError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.writer)
        os.close(self.reader)
        self.profile.cleanup()


# Measures the rendered layout: page overflow, overlapping boxes, the two columns of each pair.
LAYOUT = """(() => {
  const box = el => el.getBoundingClientRect();
  const overlap = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const report = {width: window.innerWidth, scrollWidth: document.documentElement.scrollWidth,
                  pairs: 0, side_by_side: 0, stacked: 0, overlaps: [], outside: 0};
  const panels = [box(document.getElementById('original')), box(document.getElementById('repaired'))];
  if (overlap(panels[0], panels[1])) report.overlaps.push('panels');
  report.panels_side_by_side = panels[1].left >= panels[0].right;
  document.querySelectorAll('.pair').forEach((pair, i) => {
    const zh = box(pair.querySelector('.zh')), en = box(pair.querySelector('.en'));
    report.pairs += 1;
    if (overlap(zh, en)) report.overlaps.push('pair ' + i);
    if (en.left >= zh.right && Math.abs(en.top - zh.top) < 2) report.side_by_side += 1;
    if (en.top >= zh.bottom - 0.5) report.stacked += 1;
  });
  const chips = [...document.querySelectorAll('.rules li')];
  chips.forEach((a, i) => chips.slice(i + 1).forEach((b, j) => {
    if (overlap(box(a), box(b))) report.overlaps.push('chip ' + i + '/' + (i + j + 1));
  }));
  document.querySelectorAll('mark, .edit, .s, .qa-list li').forEach(el => {
    if (box(el).right > window.innerWidth + 1) report.outside += 1;
  });
  return report;
})()"""
