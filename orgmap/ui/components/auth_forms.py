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


def _hidden_next(target: str) -> str:
    return f'<input type="hidden" name="next" value="{escape(target, quote=True)}">'


def login_form(*, target: str, lang: str) -> str:
    """The login form: "Username", "Password", "Log in" (用户名, 密码, 登录)."""
    return (
        f'{_STYLE}<form class="orgmap-auth" method="post" action="{LOGIN_PATH}">'
        + _field(
            "login",
            "username",
            t("login.username", lang),
            kind="text",
            complete="username",
            limit=NAME_MAX_CHARS,
        )
        + _field(
            "login",
            "password",
            t("login.password", lang),
            kind="password",
            complete="current-password",
            limit=PASSWORD_MAX_CHARS,
        )
        + _hidden_next(target)
        + f'<button type="submit">{escape(t("login.submit", lang))}</button></form>'
    )


def first_admin_form(*, target: str, lang: str) -> str:
    """The first-run form: the administrator's user name and password, twice."""
    return (
        f'{_STYLE}<form class="orgmap-auth" method="post" action="{FIRST_ADMIN_PATH}">'
        + _field(
            "setup",
            "username",
            t("login.username", lang),
            kind="text",
            complete="username",
            limit=NAME_MAX_CHARS,
        )
        + _field(
            "setup",
            "password",
            t("login.password", lang),
            kind="password",
            complete="new-password",
            limit=PASSWORD_MAX_CHARS,
        )
        + _field(
            "setup",
            "repeat",
            t("first_run.repeat", lang),
            kind="password",
            complete="new-password",
            limit=PASSWORD_MAX_CHARS,
        )
        + _hidden_next(target)
        + f'<button type="submit">{escape(t("first_run.submit", lang))}</button></form>'
    )


def logout_form(*, target: str, lang: str) -> str:
    """The sidebar's "Log out" button (a POST: a link could be followed by anyone's page)."""
    return (
        f'{_STYLE}<form class="orgmap-logout" method="post" action="{LOGOUT_PATH}">'
        + _hidden_next(target)
        + f'<button type="submit">{escape(t("sidebar.logout", lang))}</button></form>'
    )
