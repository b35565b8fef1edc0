"""orgmap's web app: ``streamlit run app.py``.  Only routing lives here.

The sidebar holds what every page shares (language, debtor, who is typing);
the pages in ``orgmap/ui/pages`` do the work through ``orgmap.services``.
"""

from pathlib import Path

import streamlit as st

from orgmap.settings import SettingsError
from orgmap.ui import state
from orgmap.ui.components import collector_name, debtor_selector, language_switch
from orgmap.ui.components.feedback import show_unexpected
from orgmap.ui.formatting import escape_markdown
from orgmap.ui.text import t

FAVICON = Path(__file__).parent / "orgmap" / "ui" / "static" / "favicon.png"
PAGES = (  # (name: its file, URL path and title, icon); the first is the home page
    ("debtors", ":material/list:"),
    ("map", ":material/account_tree:"),
    ("log_call", ":material/call:"),
    ("route", ":material/route:"),
    ("contacts", ":material/group:"),
    ("facts", ":material/checklist:"),
    ("transfer", ":material/swap_vert:"),
    ("search", ":material/search:"),
)

# A local icon: a :material: page icon makes the browser fetch the favicon from Google's CDN.
st.set_page_config(page_title="orgmap", page_icon=str(FAVICON), layout="wide")
try:
    settings = state.settings()
except SettingsError as exc:  # a bad ORGMAP_* variable: the line the CLI prints, nothing else
    st.error(escape_markdown(str(exc)))
    st.stop()
lang = language_switch.show(state.LANG_KEY, default=settings.language)
try:
    debtor_selector.show(state.DEBTOR_KEY, lang=lang)
except Exception as exc:  # an unreachable database: say so, no traceback
    show_unexpected(exc, lang=lang)
    st.stop()
collector_name.show(state.USER_KEY, default=settings.user, lang=lang)

navigation = st.navigation(
    [
        st.Page(
            f"orgmap/ui/pages/{name}.py",
            title=t(f"page.{name}", lang),
            icon=icon,
            url_path=name,
            default=i == 0,
        )
        for i, (name, icon) in enumerate(PAGES)
    ]
)
try:
    navigation.run()
except Exception as exc:  # the last resort: log it, show one calm line
    show_unexpected(exc, lang=lang)
