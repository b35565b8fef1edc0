"""The login, first-run and logout forms: fixed HTML forms posting to ``orgmap.web.auth``.

Streamlit widgets talk over the websocket and cannot set a cookie, so these three
are plain ``<form method="post">`` elements; the page reloads on the route's
redirect and the script reads the new cookie.  They are the only HTML orgmap
writes itself: every value put in them is escaped (:func:`html.escape`), and the
labels come from ``messages.json``.
"""

from __future__ import annotations

from html import escape

from orgmap.domain.fields import NAME_MAX_CHARS
from orgmap.domain.passwords import PASSWORD_MAX_CHARS
from orgmap.ui.text import t
from orgmap.web.auth import FIRST_ADMIN_PATH, LOGIN_PATH, LOGOUT_PATH

__all__ = ["first_admin_form", "login_form", "logout_form"]

# Streamlit's look: its own CSS variables where it sets them, sane fallbacks otherwise.
_STYLE = """<style>
form.orgmap-auth{display:flex;flex-direction:column;gap:.35rem;max-width:24rem}
form.orgmap-auth label{font-size:.875rem;margin-top:.4rem}
form.orgmap-auth input{font:inherit;padding:.5rem .75rem;border-radius:.5rem;
 border:1px solid rgba(49,51,63,.2);background:var(--st-secondary-background-color,#f0f2f6)}
form.orgmap-auth button,form.orgmap-logout button{font:inherit;cursor:pointer;
 padding:.4rem .9rem;border-radius:.5rem;border:1px solid rgba(49,51,63,.2);background:#fff}
form.orgmap-auth button{margin-top:.9rem;align-self:flex-start;background:#ff4b4b;
 color:#fff;border-color:#ff4b4b}
</style>"""


def _field(form: str, name: str, label: str, *, kind: str, complete: str, limit: int) -> str:
    ident = f"orgmap-{form}-{name}"
    return (
        f'<label for="{ident}">{escape(label)}</label>'
        f'<input id="{ident}" name="{name}" type="{kind}" autocomplete="{complete}"'
        f' maxlength="{limit}" required>'
    )


def _form(css: str, action: str, fields: str, *, submit: str, target: str) -> str:
    """A POST form to ``action``: ``fields``, where to go next, and its button."""
    hidden = f'<input type="hidden" name="next" value="{escape(target, quote=True)}">'
    return (
        f'{_STYLE}<form class="{css}" method="post" action="{action}">{fields}{hidden}'
        f'<button type="submit">{escape(submit)}</button></form>'
    )


def _user_name(form: str, lang: str) -> str:
    return _field(
        form,
        "username",
        t("login.username", lang),
        kind="text",
        complete="username",
        limit=NAME_MAX_CHARS,
    )


def _password(form: str, name: str, label: str, *, complete: str) -> str:
    return _field(form, name, label, kind="password", complete=complete, limit=PASSWORD_MAX_CHARS)


def login_form(*, target: str, lang: str) -> str:
    """The login form: "Username", "Password", "Log in" (用户名, 密码, 登录)."""
    fields = _user_name("login", lang) + _password(
        "login", "password", t("login.password", lang), complete="current-password"
    )
    return _form("orgmap-auth", LOGIN_PATH, fields, submit=t("login.submit", lang), target=target)


def first_admin_form(*, target: str, lang: str) -> str:
    """The first-run form: the administrator's user name and password, twice."""
    fields = (
        _user_name("setup", lang)
        + _password("setup", "password", t("login.password", lang), complete="new-password")
        + _password("setup", "repeat", t("first_run.repeat", lang), complete="new-password")
    )
    return _form(
        "orgmap-auth", FIRST_ADMIN_PATH, fields, submit=t("first_run.submit", lang), target=target
    )


def logout_form(*, target: str, lang: str) -> str:
    """The sidebar's "Log out" button (a POST: a link could be followed by anyone's page)."""
    return _form("orgmap-logout", LOGOUT_PATH, "", submit=t("sidebar.logout", lang), target=target)
