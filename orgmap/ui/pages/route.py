"""Route: who to call, in what order, why it costs what it does and what to ask."""

import streamlit as st

from orgmap.services.maps import debtor_map
from orgmap.services.routes import route_debtor
from orgmap.ui import state
from orgmap.ui.components import route_view
from orgmap.ui.formatting import escape_markdown
from orgmap.ui.text import t

lang, engine = state.lang(), state.engine()
st.title(t("page.route", lang))
if not (debtor_key := state.current_debtor()):
    st.info(t("debtor.none_chosen", lang))
    st.stop()

st.caption(escape_markdown(debtor_map(engine, debtor_key=debtor_key).debtor.name))
k = st.number_input(t("route.k", lang), min_value=1, max_value=10, value=3, key="route_k")
answer = route_debtor(engine, debtor_key=debtor_key, k=int(k), lang=lang)
route_view.show(answer, lang=lang)
