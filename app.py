"""orgmap's web app: ``streamlit run app.py``.  Only routing lives here.

This file is two things.  Imported (``streamlit run`` finds the ``st.App`` below
and serves it), it is the web server: Streamlit plus the login routes of
:mod:`orgmap.web.auth`, which set the HttpOnly session cookie that scripts cannot.
Run as the script (each page view), it draws the app: without an open session
only the login page (the first-run page while there is no user at all); with one,
the sidebar (language, debtor, who is logged in) and the pages in
``orgmap/ui/pages``, which do the work through ``orgmap.services``.

Every view has an address: the page is the path, the debtor and the language
are query parameters (``/map?debtor=KEY&lang=en``), so F5 and links keep them,
through a login too.
"""

from pathlib import Path

import streamlit as st

from orgmap.settings import SettingsError
from orgmap.ui import state
from orgmap.ui.components import account_box, debtor_selector, language_switch
from orgmap.ui.components.feedback import setting_problem, show_unexpected
from orgmap.ui.formatting import upload_megabytes
from orgmap.ui.localize import localize_widgets
from orgmap.ui.text import t
from orgmap.web.auth import auth_routes

FAVICON = Path(__file__).parent / "orgmap" / "ui" / "static" / "favicon.png"
PAGES = (  # (name: its file, URL path and title, icon); the root URL opens the first
    ("debtors", ":material/list:"),
    ("map", ":material/account_tree:"),
    ("log_call", ":material/call:"),
    ("calls", ":material/history:"),
    ("activity", ":material/manage_history:"),
    ("route", ":material/route:"),
    ("contacts", ":material/group:"),
    ("facts", ":material/checklist:"),
    ("transfer", ":material/swap_vert:"),
    ("search", ":material/search:"),
)
ROOT_PATH = "home"  # the hidden page behind "/"


def _gate(lang: str) -> None:
    """Without an open session: the login (or first-run) page at whatever address was
    asked for, so that logging in lands on it.  No sidebar pages, no data."""
    title = t("login.title", lang)
    paths = (ROOT_PATH, *(name for name, _ in PAGES), "account", "login")
    gate = [
        st.Page("orgmap/ui/pages/login.py", title=title, url_path=path, default=path == ROOT_PATH)
        for path in paths
    ]
    asked = st.navigation(gate, position="hidden")
    state.remember_address("" if asked.url_path == ROOT_PATH else asked.url_path)
    asked.run()


def main() -> None:
    # A local icon: a :material: page icon makes the browser fetch the favicon from Google's CDN.
    st.set_page_config(page_title="orgmap", page_icon=str(FAVICON), layout="wide")
    state.begin_run()
    linked_lang = state.link_language(state.linked(state.LANG_PARAM))
    try:
        settings = state.settings()
    except SettingsError as exc:  # a bad ORGMAP_* variable: which one, and nothing else
        st.error(setting_problem(exc, lang=linked_lang or state.lang_of_environment()))
        st.stop()
    if linked_lang:
        st.session_state[state.LANG_KEY] = linked_lang
    lang = language_switch.show(state.LANG_KEY, default=settings.language)
    localize_widgets(lang, upload_mb=upload_megabytes(settings.max_import_bytes))
    try:
        who = state.account()
    except Exception as exc:  # an unreachable database: say so, no traceback
        show_unexpected(exc, lang=lang)
        st.stop()
    if who is None:
        _gate(lang)
        st.stop()
    try:
        debtor = debtor_selector.show(
            state.DEBTOR_KEY, lang=lang, linked=state.linked(state.DEBTOR_PARAM)
        )
    except Exception as exc:  # an unreachable database: say so, no traceback
        show_unexpected(exc, lang=lang)
        st.stop()
    state.keep_in_url(debtor=debtor, lang=lang)

    pages = [
        st.Page(
            f"orgmap/ui/pages/{name}.py", title=t(f"page.{name}", lang), icon=icon, url_path=name
        )
        for name, icon in PAGES
    ]
    account = st.Page(
        "orgmap/ui/pages/account.py",
        title=t("page.account", lang),
        icon=":material/key:",
        url_path="account",
        visibility="hidden",
    )
    # Logging in as someone else: the login form at /login (hidden from the menu).
    relogin = st.Page(
        "orgmap/ui/pages/login.py",
        title=t("login.title", lang),
        url_path="login",
        visibility="hidden",
    )
    account_box.show(who, account_page=account, lang=lang)

    def _root() -> None:
        # The root URL is only a way in: each page, the first too, lives at its own path
        # (Streamlit serves the default page at "/" alone, so "/debtors" would not exist).
        st.switch_page(pages[0], query_params=st.query_params.to_dict())

    root = st.Page(
        _root, title=pages[0].title, url_path=ROOT_PATH, default=True, visibility="hidden"
    )
    navigation = st.navigation([root, *pages, account, relogin])
    try:
        navigation.run()
    except Exception as exc:  # the last resort: log it, show one calm line
        show_unexpected(exc, lang=lang)


if __name__ == "__main__":  # a script run: Streamlit executes this file as __main__
    main()
else:  # imported by `streamlit run app.py` (uvicorn serves "app:app")
    app = st.App(__file__, routes=auth_routes())
