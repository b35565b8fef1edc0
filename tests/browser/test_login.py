"""Logging in, in Chromium, on a fresh install (issue 12, items 1 and 2).

The first visit shows the first-run form (no default password anywhere); it creates
the administrator and logs them in on the page they asked for; F5 keeps the session
(the HttpOnly cookie); "Log out" ends it and shows the login page; a wrong password
says one line and a right one logs back in.  Screenshots of the login page at
1280x800 and 390x844 in zh-CN and English go to ``test-artifacts/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.app_server import ARTIFACTS, open_page, playwright_or_skip, serve

pytestmark = pytest.mark.browser

sync_api = playwright_or_skip()
expect = sync_api.expect

ADMIN = "李明 boss"
PASSWORD = "amber falcon 42 quietly"
VIEWPORTS = [(1280, 800), (390, 844)]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('login') / 'app.db'}"
    with serve(url, lang="en", log_name="streamlit-login", user=None) as base:
        yield base


def _session_cookie(page: Any) -> dict[str, Any] | None:
    return next((c for c in page.context.cookies() if c["name"] == "orgmap_session"), None)


def _logged_in_line(page: Any):
    return page.get_by_text(re.compile(r"Logged in as|当前用户"))


def _shoot(page: Any, name: str) -> None:
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}x{height}.png"))
    page.set_viewport_size({"width": 1280, "height": 800})


def test_first_run_then_refresh_then_log_out_then_log_in_again(app_url: str):
    base = app_url
    with open_page(sync_api, logged_in=False) as page:
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto(f"{base}/calls?lang=zh-CN")
        expect(page.locator("h1").first).to_have_text("创建第一个管理员", timeout=30_000)
        _shoot(page, "first-run-zh-CN")
        page.goto(f"{base}/calls?lang=en")
        expect(page.locator("h1").first).to_have_text("Create the first administrator")
        _shoot(page, "first-run-en")
        assert not page.locator('[data-testid="stSidebarNav"]').count()  # no pages yet

        # A refused form says why and creates nobody.
        page.get_by_label("Username").fill(ADMIN)
        page.get_by_label("Password", exact=True).fill("short")
        page.get_by_label("Repeat password").fill("short")
        page.get_by_role("button", name="Create the administrator and log in").click()
        expect(page.get_by_text("The password needs at least 10 characters.")).to_be_visible(
            timeout=30_000
        )
        assert _session_cookie(page) is None

        page.get_by_label("Username").fill(ADMIN)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Repeat password").fill(PASSWORD)
        page.get_by_role("button", name="Create the administrator and log in").click()
        expect(_logged_in_line(page)).to_have_text(
            f"Logged in as {ADMIN} (administrator)", timeout=30_000
        )
        assert re.search(r"/calls\?", page.url) and "lang=en" in page.url  # where it asked
        cookie = _session_cookie(page)
        assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert page.evaluate("document.cookie").find("orgmap_session") == -1  # not for JS

        page.reload()  # F5 keeps the session
        expect(_logged_in_line(page)).to_have_text(
            f"Logged in as {ADMIN} (administrator)", timeout=30_000
        )
        expect(page.locator("h1").first).to_have_text("Calls")

        page.get_by_role("button", name="Log out").click()
        expect(page.locator("h1").first).to_have_text("Log in", timeout=30_000)
        assert _session_cookie(page) is None
        page.reload()  # still logged out: the session ended on the server
        expect(page.locator("h1").first).to_have_text("Log in", timeout=30_000)
        assert not _logged_in_line(page).count()

        # A wrong password: one line, no detail; then the right one.
        page.get_by_label("Username").fill(ADMIN)
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_text("Wrong user name or password.", exact=False)).to_be_visible(
            timeout=30_000
        )
        _shoot(page, "login-failed-en")
        page.goto(f"{base}/?lang=zh-CN")
        expect(page.locator("h1").first).to_have_text("登录", timeout=30_000)
        _shoot(page, "login-zh-CN")
        page.get_by_label("用户名").fill(ADMIN)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(_logged_in_line(page)).to_have_text(f"当前用户：{ADMIN}（管理员）", timeout=30_000)
        _shoot(page, "logged-in-zh-CN")
        assert page.outside_requests == [] and page.dialogs == []
