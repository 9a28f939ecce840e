"""The rendered reports in a real browser: headless Chromium, driven over the DevTools protocol.

Each page must load from disk (``file://``), log no console error (a failed resource load included) and
show its figures (every ``<img>`` decoded: ``naturalWidth > 0``); the contents links must lead to their
headings. Skipped only when Debian's ``chromium`` is not installed (``apt-get install chromium``).
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import websocket

from tests.reports_sample import rendered_sample

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [pytest.mark.notebook,
              pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: the browser test needs "
                                 "Debian's chromium package (apt-get install chromium)")]

PAGE_CHECKS = """JSON.stringify({
  ready: document.readyState,
  title: document.title,
  h1: Array.from(document.querySelectorAll('h1')).map(h => h.textContent),
  images: Array.from(document.images).map(i => ({complete: i.complete, width: i.naturalWidth,
                                                  height: i.naturalHeight})),
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')),
  contents: Array.from(document.querySelectorAll('nav.toc a')).map(
      a => document.getElementById(a.getAttribute('href').slice(1)) !== null),
})"""


class Chromium:
    """A headless Chromium and one page, over the DevTools protocol (websocket-client, no other package)."""

    def __init__(self, profile: Path) -> None:
        self.process = subprocess.Popen(
            [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
             f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                raise RuntimeError("chromium did not start its DevTools server")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as answer:
            page = next(t for t in json.load(answer) if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self.next_id, self.events = 0, []
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable")

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, event: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == event for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(event)
            self.events.append(json.loads(self.ws.recv()))

    def open(self, path: Path) -> dict:
        """Load ``path``; return what :data:`PAGE_CHECKS` finds there."""
        self.events.clear()
        self.call("Page.navigate", url=path.resolve().as_uri())
        self.wait_for("Page.loadEventFired")
        self.call("Runtime.evaluate", expression="new Promise(r => setTimeout(r, 300))", awaitPromise=True)
        return json.loads(self.call("Runtime.evaluate", expression=PAGE_CHECKS, returnByValue=True)["result"]["value"])

    def console_errors(self) -> list[str]:
        errors = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params["args"]))
            elif method == "Runtime.exceptionThrown":
                errors.append(params["exceptionDetails"].get("text", "exception"))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                errors.append(f"{params['entry'].get('source')}: {params['entry']['text']} {params['entry'].get('url', '')}")
        return errors

    def close(self) -> None:
        if getattr(self, "ws", None) is not None:
            self.ws.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    return rendered_sample(tmp_path_factory)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = Chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield chromium
    chromium.close()


def test_index_page_loads_without_errors(browser, rendered):
    found = browser.open(rendered.out_dir / "index.html")
    assert found["ready"] == "complete" and "NTM village reports" in found["title"]
    assert browser.console_errors() == []
    for job in rendered.jobs:
        assert f"{job.slug}.html" in found["links"]
    assert all((rendered.out_dir / link).exists() for link in found["links"])


@pytest.mark.parametrize("kind", ["commune", "district"])
def test_report_page_loads_and_shows_its_figures(browser, rendered, kind):
    job = next(j for j in rendered.jobs if j.kind == kind)
    found = browser.open(job.output(".html"))
    assert found["ready"] == "complete" and found["title"] and len(found["h1"]) == 1
    assert browser.console_errors() == []
    figures = list((rendered.out_dir / f"{job.slug}_files").glob("*.png"))
    assert len(found["images"]) == len(figures) > 0
    assert all(img["complete"] and img["width"] > 0 and img["height"] > 0 for img in found["images"])
    assert found["contents"] and all(found["contents"])  # every contents entry leads to its heading
