"""A real server with a real demo city, driven by Debian's Chromium through Playwright.

The server is started the way a new user starts it (migrate, demo_city, serve) in a throw-away ``var``
directory, so these tests see what ``make demo`` shows. Screenshots land in ``var/artifacts/browser``.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import require_component

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "var" / "node" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS", ROOT / "var" / "artifacts" / "browser"))


DEMO: dict = {}  # the demo server's environment, for a test that runs its management commands (the clock)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def demo_server():
    var = Path(tempfile.mkdtemp(prefix="gongzhi-browser-"))
    # people make every decision in these walk-throughs: the classifier suggests, it never applies
    env = dict(os.environ, GONGZHI_VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="gongzhi.settings.dev",
               GONGZHI_TRIAGE_AUTO_APPLY="1.01", GONGZHI_TRIAGE_RECHECK_SECONDS="0")
    env.pop("DATABASE_URL", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    port = _free_port()
    env["PUBLIC_URL"] = f"http://127.0.0.1:{port}"  # the links in SMS lead back to this server
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "demo_city", "--scale", "3000", "--quiet"], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    server = subprocess.Popen([*manage, "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    DEMO.update(env=env, manage=manage)
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    else:
        server.kill()
        raise RuntimeError("the demo server did not start")
    yield base
    server.terminate()
    server.wait(10)
    shutil.rmtree(var, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    require_component(Path(CHROMIUM).exists(), f"Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        new_context = b.new_context

        def watched_context(*args, **kwargs):
            """Every page of every test reports what the Content-Security-Policy refused (_csp_clean fails it)."""
            context = new_context(*args, **kwargs)
            context.on("console", lambda m: CSP_REFUSED.append(f"{m.text} at {m.location.get('url')}")
                       if "Content Security Policy" in m.text else None)
            return context

        b.new_context = watched_context
        yield b
        b.close()


CSP_REFUSED: list[str] = []


@pytest.fixture(autouse=True)
def _csp_clean():
    """The pages run whole under the policy: a script, style or handler it refuses is a failure, not a warning."""
    CSP_REFUSED.clear()
    yield
    assert CSP_REFUSED == []


@pytest.fixture
def shoot():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def axe():
    """Run axe-core inside the page; returns the serious and critical violations."""
    require_component(AXE.exists(), f"axe-core at {AXE} (make axe / npm install axe-core)")
    source = AXE.read_text()

    def check(page) -> list[dict]:
        page.evaluate(source)  # through the DevTools protocol: an inline script tag is refused by the CSP
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                 "nodes": [n["target"] for n in v["nodes"]][:5]}
                for v in result["violations"] if v["impact"] in ("serious", "critical")]

    return check
