"""What every page shares: the database, the language, the chosen debtor, the
logged-in user, and the person the collector chose (on the map, and in each call form).

Who acts is the user of the session whose token the browser sends in the HttpOnly
cookie ``orgmap_session`` (set by ``POST /auth/login``, :mod:`orgmap.web.auth`):
:func:`session_token` reads it, :func:`account` resolves it once per script run,
:func:`actor` gives it to the services.  No open session: ``app.py`` shows the
login page (or the first-run page) and nothing else.

The address bar holds the debtor and the language (``/map?debtor=KEY&lang=en``), so
a refresh keeps them and a link opens the same view: :func:`linked` reads what a URL
asks for, :func:`keep_in_url` writes the session's choice back on every run.

The engine is opened on the first page run, once per process and database URL
(``st.cache_resource``), never at import time.  Keying the cache by URL keeps
two databases apart in one process, which the AppTest suite relies on.
"""

from __future__ import annotations

import os
from urllib.parse import urlencode

import streamlit as st

from orgmap.domain.access import Actor, Role
from orgmap.domain.fields import check_key
from orgmap.i18n import normalize_lang
from orgmap.services import login
from orgmap.services.accounts import Account
from orgmap.services.database import Database, open_database
from orgmap.services.transfer import load_demo
from orgmap.settings import Settings, load_settings
from orgmap.web.auth import SESSION_COOKIE

__all__ = [
    "CALL_CONTACTS_KEY",
    "DEBTOR_KEY",
    "DEBTOR_PARAM",
    "LANG_KEY",
    "LANG_PARAM",
    "PENDING_DEBTOR_KEY",
    "RETURN_DROPPED_PARAMS",
    "SELECTED_CONTACT_KEY",
    "NotLoggedInError",
    "account",
    "actor",
    "begin_run",
    "call_contact",
    "choose_call_contact",
    "choose_debtor",
    "current_debtor",
    "database_url",
    "engine",
    "has_users",
    "keep_in_url",
    "lang",
    "lang_of_environment",
    "link_debtor",
    "link_language",
    "linked",
    "mark_changed",
    "may_change",
    "remember_address",
    "return_address",
    "revision",
    "select_contact",
    "selected_contact",
    "session_token",
    "settings",
    "user",
]

#: Session-state keys shared between app.py and the pages.
LANG_KEY = "lang"
DEBTOR_KEY = "debtor"
SELECTED_CONTACT_KEY = "_orgmap_picked_contacts"
PENDING_DEBTOR_KEY = "_orgmap_pending_debtor"
CALL_CONTACTS_KEY = "_orgmap_call_contacts"
#: Query parameters of the app's URLs; the page is the URL's path (``/map``).
DEBTOR_PARAM = "debtor"
LANG_PARAM = "lang"
_URL_KEY = "_orgmap_url"  # the parameters as this session last wrote them
_ADDRESS_KEY = "_orgmap_address"  # the page path asked for, before logging in
#: Parameters a login's way back drops: the last form's outcome.
RETURN_DROPPED_PARAMS = ("login", "setup")
_ACCOUNT_KEY = "_orgmap_account"  # (token, account) resolved in this script run
_URL_LANGUAGES = {"zh-cn": "zh-CN", "zh": "zh-CN", "en": "en"}


def settings() -> Settings:
    """The settings from the environment, checked (a few ``os.environ`` reads, and a
    team's weights file read and checked: well under a millisecond).

    Raises :class:`orgmap.settings.SettingsError`; ``app.py`` shows it before
    drawing anything, so the pages never see it.
    """
    return load_settings()


@st.cache_resource(show_spinner=False)
def _open(url: str) -> Database:
    engine = open_database(url)
    # A fresh install shows the demo debtors instead of an empty screen.
    load_demo(engine, settings=load_settings(), if_empty=True)
    return engine


def database_url() -> str:
    return settings().database_url


def engine() -> Database:
    """The process's engine for the configured database, migrated, demo loaded if empty.

    Pass it to the services (``orgmap.services.*``); the UI never uses it itself.
    """
    return _open(database_url())


def lang() -> str:
    """The language chosen in the sidebar, else the configured default."""
    return normalize_lang(st.session_state.get(LANG_KEY) or settings().language)


def lang_of_environment() -> str:
    """The language to speak when the settings cannot be read: ``ORGMAP_LANG`` if it
    names one, else zh-CN (the default of :func:`orgmap.settings.load_settings`)."""
    return link_language(os.environ.get("ORGMAP_LANG")) or "zh-CN"


def current_debtor() -> str | None:
    """Key of the debtor chosen in the sidebar, or ``None`` when there is none."""
    return st.session_state.get(DEBTOR_KEY)


def choose_debtor(debtor_key: str) -> None:
    """Make ``debtor_key`` the current debtor from the next run on.

    The sidebar picker is drawn before any page, so a page cannot set its value
    directly; the picker takes this request before it draws itself.
    """
    st.session_state[PENDING_DEBTOR_KEY] = debtor_key


class NotLoggedInError(Exception):
    """A page asked who acts in a run without an open session (``app.py`` prevents it)."""


def session_token() -> str | None:
    """The session token the browser sent: the ``orgmap_session`` cookie.

    The one seam between a request and the logged-in user.  It is the cookie
    and nothing else in production (no header, parameter or widget can stand
    in for it); AppTest cannot send cookies (``st.context.cookies`` is empty
    there), so ``tests/ui/conftest.py`` replaces this function in-process
    with one returning a token from a real session it opened.
    """
    value = st.context.cookies.get(SESSION_COOKIE)
    return value if isinstance(value, str) else None


def begin_run() -> None:
    """Forget the account resolved in the previous run (``app.py`` calls it first):
    a session revoked or expired since is noticed on the very next run."""
    st.session_state.pop(_ACCOUNT_KEY, None)


def account() -> Account | None:
    """The logged-in user's account, or ``None`` without an open session.

    Resolved once per script run (the session's idle expiry moves on at most
    once a minute): unknown, forged, revoked and expired tokens and a disabled
    user's sessions all give ``None``.
    """
    token = session_token()
    cached = st.session_state.get(_ACCOUNT_KEY)
    if cached is None or cached[0] != token:
        cached = (token, login.resolve_session(engine(), token))
        st.session_state[_ACCOUNT_KEY] = cached
    return cached[1]


def has_users() -> bool:
    """Whether any account exists (none: the first run, which creates the admin)."""
    return login.has_users(engine())


def actor() -> Actor:
    """The logged-in user, to pass to every service (``actor=``).

    Raises :class:`NotLoggedInError` without an open session; ``app.py`` shows
    the login page instead of any page, so pages never see it.
    """
    found = account()
    if found is None:
        raise NotLoggedInError()
    return Actor(found.name, found.role, found.team_id)


def may_change() -> bool:
    """Whether the logged-in user may change what they see (not a viewer): pages offer
    forms only then; the services decide either way."""
    return actor().role is not Role.VIEWER


def remember_address(url_path: str) -> None:
    """Note the page path the browser asked for (``""``: the root) for :func:`return_address`."""
    st.session_state[_ADDRESS_KEY] = url_path


def return_address(lang: str) -> str:
    """Where a login form sends the browser back to: the page asked for, with its
    parameters (a shared link's debtor) and the language shown."""
    params = {
        name: value
        for name, value in st.query_params.to_dict().items()
        if name not in RETURN_DROPPED_PARAMS and name != LANG_PARAM
    }
    params[LANG_PARAM] = lang
    path = st.session_state.get(_ADDRESS_KEY, "")
    return f"/{path}?{urlencode(params)}"


def user() -> str:
    """The logged-in user's name (recorded as the author of changes)."""
    return actor().name


# Who the collector chose lives in plain session-state keys, never only in a widget:
# Streamlit forgets a widget's value on a run that does not draw it (another page), and a
# picker left without its value falls back to its first option, a person nobody chose.
# Choices are kept per debtor, so that a key picked at one debtor never preselects a
# contact of the same key at another.


def selected_contact() -> str | None:
    """The contact picked on the map (by click or list) at the current debtor, or the
    one a call was last logged with there; ``None`` when nobody was picked."""
    picks = st.session_state.get(SELECTED_CONTACT_KEY) or {}
    return picks.get(current_debtor())


def select_contact(contact_key: str | None) -> None:
    """Make ``contact_key`` the current debtor's picked contact (``None``: nobody)."""
    picks = st.session_state.setdefault(SELECTED_CONTACT_KEY, {})
    picks[current_debtor()] = contact_key


def call_contact(form_key: str) -> str | None:
    """Who the call form ``form_key`` logs the call with, at the current debtor.

    The latest choice wins: one made in that form (see :func:`choose_call_contact`),
    or a contact picked on the map since.  ``None`` when neither was made: the form
    then asks, it never offers someone by default.  The value may also be the
    form's "someone new" option.
    """
    choices = st.session_state.setdefault(CALL_CONTACTS_KEY, {})
    where = (form_key, current_debtor())
    chosen, picked_then = choices.get(where, (None, None))
    picked = selected_contact()
    if picked is not None and picked != picked_then:  # picked on the map since
        chosen, picked_then = picked, picked
        choices[where] = (chosen, picked_then)
    return chosen


def choose_call_contact(form_key: str, contact_key: str | None) -> None:
    """Record the person chosen in the call form ``form_key`` at the current debtor."""
    choices = st.session_state.setdefault(CALL_CONTACTS_KEY, {})
    choices[(form_key, current_debtor())] = (contact_key, selected_contact())


def mark_changed(debtor_key: str) -> None:
    """Note that ``debtor_key`` changed, so cached answers about it are stale.

    Cached next steps are keyed on :func:`revision`, shared by every session of
    the process; a write from elsewhere (the CLI, another server process) shows
    through the debtor's summary fields, or the next day at the latest.
    """
    revisions = _revisions()
    revisions[debtor_key] = revisions.get(debtor_key, 0) + 1


def revision(debtor_key: str) -> int:
    """How many times this process has changed ``debtor_key`` (part of cache keys)."""
    return _revisions().get(debtor_key, 0)


@st.cache_resource(show_spinner=False)
def _shared_revisions(url: str) -> dict[str, int]:
    # Shared by every session of the process: one collector's change must
    # refresh what the others see, not only their own cache entries.
    return {}


def _revisions() -> dict[str, int]:
    return _shared_revisions(database_url())


# The URL.  Streamlit clears the query string when the sidebar changes pages, and
# keeps it when the user changes a widget; so a parameter counts as asked for only
# when it differs from what this session last wrote (a new tab, F5, a pasted link,
# the browser's back button), and the session's choice is written back on every run.


def linked(name: str) -> str | None:
    """The raw value the URL gives parameter ``name``, if this session has not written
    it itself: what a link or a refresh asks for.  Check it before use."""
    value = st.query_params.get(name)
    if value is None or value == st.session_state.get(_URL_KEY, {}).get(name):
        return None
    return value


def link_language(value: str | None) -> str | None:
    """``value`` as one of orgmap's languages, or ``None`` when it names none.

    >>> link_language("EN"), link_language("zh-cn"), link_language("<b>")
    ('en', 'zh-CN', None)
    """
    return _URL_LANGUAGES.get((value or "").strip().lower().replace("_", "-"))


def link_debtor(value: str | None) -> str | None:
    """``value`` as a debtor key, or ``None`` when it cannot be one (any text may
    arrive in a URL: it is checked like a typed key before anything looks it up).

    >>> link_debtor("fuman-baozhuang"), link_debtor("<script>"), link_debtor("x" * 500)
    ('fuman-baozhuang', None, None)
    """
    try:
        return check_key(value or "")
    except ValueError:
        return None


def keep_in_url(*, debtor: str | None, lang: str) -> None:
    """Write the current debtor and language into the URL (other parameters stay)."""
    wanted = {DEBTOR_PARAM: debtor, LANG_PARAM: lang}
    for name, value in wanted.items():
        if value is None:
            if name in st.query_params:
                del st.query_params[name]
        elif st.query_params.get(name) != value:
            st.query_params[name] = value
    st.session_state[_URL_KEY] = {name: value for name, value in wanted.items() if value}
