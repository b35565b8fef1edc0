"""What the browser tests share: the app served on a free port, Chromium driven by Playwright.

``serve(url)`` runs ``streamlit run app.py`` over the database at ``url`` and waits for
``/_stcore/health`` (as streamlit's own ``e2e_playwright/conftest.py`` does); it adds
the administrator :data:`TEST_USER` to the database first (``user=None``: nobody, the
first run).  ``open_page()`` opens Debian's Chromium with every request outside this
machine blocked and recorded, logged in as that user the way a browser does it (the
login form's POST, whose cookie the page then carries; ``logged_in=False``: not).
A test module calls :func:`playwright_or_skip` first.
Screenshots and the server's log go to ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
TEST_USER = "tester"
TEST_PASSWORD = "orgmap-browser-passphrase"
_SERVED: list[str] = []  # the base URLs being served, the newest last


def add_user(database_url: str, name: str = TEST_USER, password: str = TEST_PASSWORD) -> None:
    """Make sure administrator ``name`` exists in the database at ``database_url``."""
    from orgmap.domain.access import cli_actor
    from orgmap.services.accounts import create_user, users
    from orgmap.services.database import open_database

    engine = open_database(database_url)
    try:
        admin = cli_actor("browser-test")
        if all(u.name != name for u in users(engine, actor=admin)):
            create_user(engine, actor=admin, name=name, password=password, role="admin")
    finally:
        engine.dispose()


def log_in(context: Any, base: str, name: str = TEST_USER, password: str = TEST_PASSWORD) -> None:
    """Post the login form from ``base``'s origin in browser ``context`` (its cookie jar)."""
    response = context.request.post(
        f"{base}/auth/login",
        form={"username": name, "password": password, "next": "/"},
        headers={"Origin": base},
        max_redirects=0,
    )
    location = response.headers.get("location", "")
    assert response.status == 303 and "login=failed" not in location, (response.status, location)


def playwright_or_skip() -> ModuleType:
    """``playwright.sync_api``; skips the calling module when Chromium or Playwright is
    missing, unless ``ORGMAP_REQUIRE_BROWSER`` is set (CI), where that is an error."""
    if not CHROMIUM.exists():
        if os.environ.get("ORGMAP_REQUIRE_BROWSER"):
            raise RuntimeError(
                "/usr/bin/chromium is missing: apt-get install chromium fonts-noto-cjk"
            )
        pytest.skip("Debian chromium is not installed", allow_module_level=True)
    return pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(
    database_url: str,
    *,
    lang: str = "en",
    log_name: str = "streamlit",
    user: str | None = TEST_USER,
) -> Iterator[str]:
    """The app's base URL, served over ``database_url`` until the block ends."""
    if user is not None:
        add_user(database_url, user)
    port = _free_port()
    env = {**os.environ, "ORGMAP_DATABASE_URL": database_url, "ORGMAP_LANG": lang}
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / f"{log_name}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start; see {log}")
                time.sleep(0.3)
            _SERVED.append(base)
            yield base
        finally:
            if base in _SERVED:
                _SERVED.remove(base)
            proc.terminate()
            proc.wait(timeout=20)


@contextmanager
def open_page(sync_api: ModuleType, *, logged_in: bool = True) -> Iterator[Any]:
    """A fresh Chromium page, logged in to the app served last (unless ``logged_in`` is
    false); ``page.outside_requests`` lists what it tried to fetch from elsewhere
    (blocked), ``page.dialogs`` the alerts it raised (dismissed)."""
    outside: list[str] = []
    dialogs: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(viewport={"width": 1500, "height": 1100})

        def only_local(route):
            host = urlparse(route.request.url).hostname
            if host in ("127.0.0.1", "localhost") or route.request.url.startswith("data:"):
                return route.continue_()
            outside.append(route.request.url)
            return route.abort()

        context.route("**/*", only_local)
        if logged_in and _SERVED:
            log_in(context, _SERVED[-1])
        page = context.new_page()

        def dismiss(dialog):
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", dismiss)
        page.outside_requests = outside
        page.dialogs = dialogs
        try:
            yield page
        finally:
            browser.close()


def choose_debtor(page: Any, label: str) -> None:
    """Pick the debtor whose name or key contains ``label`` in the sidebar."""
    box = page.get_by_label("Debtor")
    box.click()
    page.keyboard.type(label)
    page.keyboard.press("Enter")


def wait_for_map(page: Any) -> None:
    page.wait_for_function("() => document.body.dataset.orgmapReady === '1'", timeout=30_000)
