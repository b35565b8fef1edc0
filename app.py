"""orgmap's web app: ``streamlit run app.py``.  Only routing lives here.

The sidebar holds what every page shares (language, debtor, who is typing);
the pages in ``orgmap/ui/pages`` do the work through ``orgmap.services``.
Every view has an address: the page is the path, the debtor and the language
are query parameters (``/map?debtor=KEY&lang=en``), so F5 and links keep them.
"""

from pathlib import Path

import streamlit as st

from orgmap.settings import SettingsError
from orgmap.ui import state
from orgmap.ui.components import collector_name, debtor_selector, language_switch
from orgmap.ui.components.feedback import setting_problem, show_unexpected
from orgmap.ui.formatting import upload_megabytes
from orgmap.ui.localize import localize_widgets
from orgmap.ui.text import t

FAVICON = Path(__file__).parent / "orgmap" / "ui" / "static" / "favicon.png"
PAGES = (  # (name: its file, URL path and title, icon); the root URL opens the first
    ("debtors", ":material/list:"),
    ("map", ":material/account_tree:"),
    ("log_call", ":material/call:"),
    ("calls", ":material/history:"),
    ("route", ":material/route:"),
    ("contacts", ":material/group:"),
    ("facts", ":material/checklist:"),
    ("transfer", ":material/swap_vert:"),
    ("search", ":material/search:"),
)

# A local icon: a :material: page icon makes the browser fetch the favicon from Google's CDN.
st.set_page_config(page_title="orgmap", page_icon=str(FAVICON), layout="wide")
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
    debtor = debtor_selector.show(
        state.DEBTOR_KEY, lang=lang, linked=state.linked(state.DEBTOR_PARAM)
    )
except Exception as exc:  # an unreachable database: say so, no traceback
    show_unexpected(exc, lang=lang)
    st.stop()
state.keep_in_url(debtor=debtor, lang=lang)
collector_name.show(state.USER_KEY, default=settings.user, lang=lang)

pages = [
    st.Page(f"orgmap/ui/pages/{name}.py", title=t(f"page.{name}", lang), icon=icon, url_path=name)
    for name, icon in PAGES
]


def _root() -> None:
    # The root URL is only a way in: each page, the first too, lives at its own path
    # (Streamlit serves the default page at "/" alone, so "/debtors" would not exist).
    st.switch_page(pages[0], query_params=st.query_params.to_dict())


root = st.Page(_root, title=pages[0].title, url_path="home", default=True, visibility="hidden")
navigation = st.navigation([root, *pages])
try:
    navigation.run()
except Exception as exc:  # the last resort: log it, show one calm line
    show_unexpected(exc, lang=lang)
