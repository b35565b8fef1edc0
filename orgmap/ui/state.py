"""What every page shares: the database, the language, the chosen debtor, the user.

The engine is opened on the first page run, once per process and database URL
(``st.cache_resource``), never at import time.  Keying the cache by URL keeps
two databases apart in one process, which the AppTest suite relies on.
"""

from __future__ import annotations

import streamlit as st

from orgmap.i18n import normalize_lang
from orgmap.services.database import Database, open_database
from orgmap.services.transfer import load_demo
from orgmap.settings import Settings, load_settings

__all__ = [
    "DEBTOR_KEY",
    "LANG_KEY",
    "PENDING_DEBTOR_KEY",
    "SELECTED_CONTACT_KEY",
    "USER_KEY",
    "choose_debtor",
    "current_debtor",
    "database_url",
    "engine",
    "lang",
    "mark_changed",
    "revision",
    "select_contact",
    "selected_contact",
    "settings",
    "user",
]

#: Session-state keys shared between app.py and the pages.
LANG_KEY = "lang"
DEBTOR_KEY = "debtor"
USER_KEY = "user"
SELECTED_CONTACT_KEY = "selected_contact"
PENDING_DEBTOR_KEY = "_orgmap_pending_debtor"


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


def current_debtor() -> str | None:
    """Key of the debtor chosen in the sidebar, or ``None`` when there is none."""
    return st.session_state.get(DEBTOR_KEY)


def choose_debtor(debtor_key: str) -> None:
    """Make ``debtor_key`` the current debtor from the next run on.

    The sidebar picker is drawn before any page, so a page cannot set its value
    directly; the picker takes this request before it draws itself.
    """
    st.session_state[PENDING_DEBTOR_KEY] = debtor_key


def user() -> str:
    """Who is making changes: the sidebar's name, else ``ORGMAP_USER``, else ``app``."""
    typed = (st.session_state.get(USER_KEY) or "").strip()
    return typed or settings().user or "app"


def selected_contact() -> str | None:
    """The contact picked on the map (by click or list), shared with the call form."""
    return st.session_state.get(SELECTED_CONTACT_KEY)


def select_contact(contact_key: str | None) -> None:
    st.session_state[SELECTED_CONTACT_KEY] = contact_key


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
