"""Route: who to call, in what order, why it costs what it does and what to ask."""

import streamlit as st

from orgmap.services.debtors import open_debtor
from orgmap.services.routes import routing_weights
from orgmap.ui import state
from orgmap.ui.components import route_view
from orgmap.ui.formatting import escape_markdown
from orgmap.ui.text import t

lang, settings = state.lang(), state.settings()
st.title(t("page.route", lang))
if not (debtor_key := state.current_debtor()):
    st.info(t("debtor.none_chosen", lang))
    st.stop()

caption = st.empty()  # the debtor's name, once the one read below has it
k = st.number_input(t("route.k", lang), min_value=1, max_value=10, value=3, key="route_k")
view = open_debtor(
    state.engine(),
    debtor_key,
    actor=state.actor(),
    k=int(k),
    lang=lang,
    weights=routing_weights(settings.routing_weights),
)
caption.caption(escape_markdown(view.map.debtor.name))
assert view.route is not None
route_view.show(view.route, m=view.map, lang=lang, settings=settings)
