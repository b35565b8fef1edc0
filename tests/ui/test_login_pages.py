"""Logging in under AppTest: without an open session the app shows the login page (the
first-run page while nobody exists) and nothing else, in English and in Chinese; forged,
expired, revoked and disabled users' cookies land there too; the sidebar says who is
logged in; the change-password page checks the current password and ends the other
sessions.  The HTTP side (cookies, origins, lockout) is tests/web/test_auth_routes.py."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from orgmap.domain.access import Role, cli_actor
from orgmap.services import login
from orgmap.services.accounts import disable_user
from orgmap.services.database import open_database
from orgmap.store import now_utc
from tests.ui.apptest_helpers import (
    APP,
    HOSTILE,
    TEST_PASSWORD,
    SeededDb,
    SessionCookie,
    add_user,
    assert_clean,
    fast_hasher,
    open_page,
    open_session,
    texts,
)

WORDS = {
    "en": ("Username", "Password", "Log in", "Log out"),
    "zh-CN": ("用户名", "密码", "登录", "退出登录"),
}


class _Form(HTMLParser):
    """What a person sees in an HTML form: its action, labels, field names, button."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.action = ""
        self.labels: list[str] = []
        self.fields: dict[str, str] = {}
        self.buttons: list[str] = []
        self._in: str | None = None
        self.feed(source)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.action = a.get("action") or ""
        elif tag == "input":
            self.fields[a.get("name") or ""] = a.get("value") or a.get("type") or ""
        elif tag in ("label", "button"):
            self._in = tag

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "label":
            self.labels.append(data)
        elif self._in == "button":
            self.buttons.append(data)


def forms(at: AppTest, where: str = "main") -> list[_Form]:
    """The HTML forms on the page (``where="sidebar"``: in the sidebar)."""
    root = at.sidebar if where == "sidebar" else at.main
    return [_Form(h.proto.body) for h in root.get("html")]


def logged_out_app(lang: str = "en", **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params.update({"lang": lang, **params})
    return at.run()


def assert_nothing_of_the_app(at: AppTest) -> None:
    """The login/first-run page alone: no debtor picker, no data, no page links."""
    assert_clean(at)
    assert not at.selectbox, [s.label for s in at.selectbox]
    assert not at.dataframe and not at.get("page_link")
    assert "acme" not in texts(at).lower()
    sidebar = at.sidebar
    assert [w.key for w in sidebar.radio] == ["lang"] and not sidebar.get("html")


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_without_a_session_only_the_login_form_shows(db: SeededDb, cookie, lang):
    add_user(db.engine, "wang")
    cookie.logged_out = True
    at = logged_out_app(lang, debtor="acme")
    assert_nothing_of_the_app(at)
    username, password, log_in, _ = WORDS[lang]
    assert at.title[0].value == log_in
    (form,) = forms(at)
    assert form.action == "/auth/login"
    assert form.labels == [username, password] and form.buttons == [log_in]
    assert set(form.fields) == {"username", "password", "next"}
    # Logging in comes back to what was asked for: a shared link's debtor included.
    assert form.fields["next"] == f"/?debtor=acme&lang={lang}"
    assert not at.error


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_refused_login_comes_back_with_one_localized_line(db: SeededDb, cookie, lang):
    add_user(db.engine, "wang")
    cookie.logged_out = True
    at = logged_out_app(lang, login="failed")
    assert_nothing_of_the_app(at)
    expected = {
        "en": "Wrong user name or password. After 5 failed attempts in a row an account is "
        "locked for 15 minutes.",
        "zh-CN": "用户名或密码错误。连续失败 5 次后，账户将锁定 15 分钟。",
    }[lang]
    assert [e.value for e in at.error] == [expected]
    assert "login=" not in forms(at)[0].fields["next"]  # not carried into the next try


def _fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SeededDb:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("ORGMAP_DATABASE_URL", url)
    return SeededDb(url, open_database(url))


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_first_run_page_creates_the_administrator(tmp_path, monkeypatch, cookie, lang):
    fresh = _fresh(tmp_path, monkeypatch)
    cookie.logged_out = True
    at = logged_out_app(lang)
    assert_nothing_of_the_app(at)
    title = {"en": "Create the first administrator", "zh-CN": "创建第一个管理员"}[lang]
    assert at.title[0].value == title
    (form,) = forms(at)
    assert form.action == "/auth/first-admin"
    assert form.labels[:2] == list(WORDS[lang][:2]) and len(form.labels) == 3
    assert set(form.fields) == {"username", "password", "repeat", "next"}
    assert not login.has_users(fresh.engine)  # showing the page creates nobody
    fresh.engine.dispose()


@pytest.mark.parametrize(
    ("lang", "reason", "expected"),
    [
        ("en", "short", "The password needs at least 10 characters."),
        ("zh-CN", "short", "密码至少需要 10 个字符。"),
        ("en", "mismatch", "The two passwords differ; nothing was created."),
        ("zh-CN", "common", "这是最常见的密码之一，请换一个。"),
    ],
)
def test_a_refused_first_run_form_says_why(tmp_path, monkeypatch, cookie, lang, reason, expected):
    fresh = _fresh(tmp_path, monkeypatch)
    cookie.logged_out = True
    at = logged_out_app(lang, setup=reason)
    assert [e.value for e in at.error] == [expected]
    fresh.engine.dispose()


def test_a_made_up_reason_in_the_url_shows_nothing(tmp_path, monkeypatch, cookie):
    fresh = _fresh(tmp_path, monkeypatch)
    cookie.logged_out = True
    at = logged_out_app("en", setup="<b>call 555</b>")
    assert not at.error and "555" not in texts(at)
    fresh.engine.dispose()


def test_once_the_administrator_exists_the_first_run_page_is_gone(db: SeededDb, cookie):
    add_user(db.engine, "boss")
    cookie.logged_out = True
    at = logged_out_app("en", setup="short")
    assert [f.action for f in forms(at)] == ["/auth/login"] and not at.error


def _expired(engine) -> str:
    account = add_user(engine, "wang")
    return login.start_session(engine, account=account, now=now_utc() - timedelta(hours=13))


def _revoked(engine) -> str:
    account = add_user(engine, "wang")
    token = login.start_session(engine, account=account)
    login.log_out(engine, token)
    return token


def _disabled(engine) -> str:
    token = open_session(engine, "wang", role=Role.COLLECTOR)
    disable_user(engine, actor=cli_actor("t"), name="wang")
    return token


@pytest.mark.parametrize(
    "make_token",
    [
        lambda engine: "forged-" + "x" * 40,
        lambda engine: "ä" * 20,
        lambda engine: "x" * 5000,
        _expired,
        _revoked,
        _disabled,
    ],
    ids=["forged", "non-ascii", "huge", "expired", "revoked", "disabled-user"],
)
def test_a_cookie_without_an_open_session_gets_the_login_page(db: SeededDb, cookie, make_token):
    add_user(db.engine, "li")  # not the first run
    cookie.token = make_token(db.engine)
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert_nothing_of_the_app(at)
    assert [f.action for f in forms(at)] == ["/auth/login"]


def test_a_session_revoked_while_the_page_is_open_is_noticed_on_the_next_run(db: SeededDb, cookie):
    token = open_session(db.engine, "wang")
    cookie.token = token
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert_clean(at)
    assert at.selectbox(key="debtor").options
    login.log_out(db.engine, token)  # logged out in another tab
    at.run()
    assert_nothing_of_the_app(at)


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_sidebar_says_who_is_logged_in_and_offers_log_out(db: SeededDb, cookie, lang):
    cookie.token = open_session(db.engine, "wang", role=Role.VIEWER)
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["lang"] = lang
    at.run()
    assert_clean(at)
    sidebar = "\n".join(m.value for m in at.sidebar.markdown)
    expected = {"en": "Logged in as **wang** (viewer)", "zh-CN": "当前用户：**wang**（只读）"}
    assert expected[lang] in sidebar
    (logout,) = forms(at, "sidebar")
    assert logout.action == "/auth/logout" and logout.buttons == [WORDS[lang][3]]
    assert all(w.key != "user" for w in at.sidebar.text_input)  # no "your name" box any more
    links = [link.proto.page for link in at.sidebar.get("page_link")]
    assert links == ["account"]


def test_a_hostile_user_name_is_shown_as_text(db: SeededDb, cookie):
    cookie.token = open_session(db.engine, HOSTILE)
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert_clean(at)
    sidebar = "\n".join(m.value for m in at.sidebar.markdown)
    assert re.search(r"(?<!\\)[<>]", sidebar) is None  # every bracket escaped
    assert "\\<img src\\=x onerror\\=alert\\(1\\)\\>" in sidebar


@pytest.fixture
def account(app: AppTest) -> AppTest:
    return open_page(app, "account")


def _change(at: AppTest, current: str, new: str, repeat: str | None = None) -> AppTest:
    at.text_input(key="account_password_current").input(current)
    at.text_input(key="account_password_new").input(new)
    at.text_input(key="account_password_repeat").input(new if repeat is None else repeat)
    at.button(key="account_password_submit").click().run()
    assert_clean(at)
    return at


def _password_works(engine, password: str) -> bool:
    try:
        login.verify_login(engine, name="tester", password=password, hasher=fast_hasher())
    except login.LoginRefusedError:
        return False
    return True


NEW = "amber falcon 42 quietly"


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(
    db: SeededDb, account: AppTest, cookie: SessionCookie
):
    elsewhere = open_session(db.engine, "tester")
    at = _change(account, TEST_PASSWORD, NEW)
    assert [s.value for s in at.success] == [
        "Password changed. Your other sessions were logged out (1)."
    ]
    assert login.resolve_session(db.engine, elsewhere) is None
    assert login.resolve_session(db.engine, cookie()) is not None
    assert _password_works(db.engine, NEW) and not _password_works(db.engine, TEST_PASSWORD)
    at.run()
    assert_clean(at)
    assert at.selectbox(key="debtor").options  # still logged in


@pytest.mark.parametrize(
    ("current", "new", "repeat", "expected"),
    [
        ("wrong password 9", NEW, None, "The current password is wrong"),
        (TEST_PASSWORD, NEW, NEW + "!", "The two new passwords differ"),
        (TEST_PASSWORD, "short", None, "password must have at least 10 characters"),
        (TEST_PASSWORD, "tester tester 2", None, "password must not contain the user name"),
    ],
)
def test_a_refused_change_says_why_and_changes_nothing(
    db: SeededDb, account: AppTest, current, new, repeat, expected
):
    elsewhere = open_session(db.engine, "tester")
    at = _change(account, current, new, repeat)
    assert len(at.error) == 1 and expected in at.error[0].value
    assert not at.success
    assert _password_works(db.engine, TEST_PASSWORD)
    assert login.resolve_session(db.engine, elsewhere) is not None


def test_the_change_password_page_reads_in_chinese(db: SeededDb, account: AppTest):
    account.sidebar.radio(key="lang").set_value("zh-CN").run()
    assert_clean(account)
    assert account.title[0].value == "修改密码"
    labels = [w.label for w in account.main.text_input]
    assert labels == ["当前密码", "新密码", "再次输入新密码"]
    at = _change(account, "wrong password 9", NEW)
    assert at.error[0].value == "当前密码错误（或账户暂时被锁定）；未作任何修改。"
