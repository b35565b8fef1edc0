"""Search the team: who is this number?  One box; the people found at every debtor.

Choosing a result's debtor opens it on "Log a call" with that person picked.
"""

import streamlit as st

from orgmap.domain.model import Phone
from orgmap.services.search import MAX_QUERY_CHARS, MIN_DIGITS, QueryRefused
from orgmap.services.search import search_team as search
from orgmap.ui import state
from orgmap.ui.formatting import escape_markdown, format_local_time, phone_link
from orgmap.ui.text import t

# A result chosen on the last run: the sidebar has now switched to its debtor, so the
# person can be picked there (a pick belongs to the current debtor), and the call logged.
PICKED = "_orgmap_search_picked"
lang, settings = state.lang(), state.settings()
if (picked := st.session_state.pop(PICKED, None)) and picked[0] == state.current_debtor():
    state.select_contact(picked[1])
    st.switch_page("orgmap/ui/pages/log_call.py")
st.title(t("page.search", lang))
text = st.text_input(t("search.box", lang), key="search_text", max_chars=MAX_QUERY_CHARS)
if not text.strip():
    st.caption(t("search.hint", lang))
    st.stop()
try:
    found = search(state.engine(), text, actor=state.actor(), region=settings.phone_region)
except QueryRefused as refused:
    reasons = {
        "short": t("search.refused_short", lang, min=MIN_DIGITS),
        "long": t("search.refused_long", lang, max=MAX_QUERY_CHARS),
        "unprintable": t("search.refused_unprintable", lang),
    }
    st.warning(reasons.get(refused.reason, t("search.hint", lang)))
    st.stop()

st.caption(t("search.count", lang, n=len(found)) if found else t("search.none", lang))
for m in found:
    debtor, person, number, called = st.columns([3, 2, 2, 2], vertical_alignment="center")
    key = f"search_open_{m.debtor_key}_{m.contact_key or ''}"
    if debtor.button(escape_markdown(m.debtor_name), key=key, help=t("search.open", lang)):
        state.choose_debtor(m.debtor_key)
        st.session_state[PICKED] = (m.debtor_key, m.contact_key)
        st.rerun()
    person.markdown(escape_markdown(m.contact_name or t("search.no_person", lang)))
    if m.phone:  # one way to show a number: formatted for the team's region, a tel: link
        number.markdown(phone_link(Phone(m.phone), region=settings.phone_region, lang=lang))
    else:
        number.markdown(escape_markdown(t("search.no_number", lang)))
    at = format_local_time(m.last_call, settings.timezone)
    called.markdown(t("search.last_call", lang, at=at) if at else t("search.never", lang))
