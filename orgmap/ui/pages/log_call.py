"""Log a call: the after-call note in one form; the next step updates as soon as it is saved."""

import streamlit as st

from orgmap.services.maps import debtor_map
from orgmap.services.routes import route_debtor
from orgmap.ui import state
from orgmap.ui.components import call_form, route_view
from orgmap.ui.components.feedback import show_flash
from orgmap.ui.formatting import escape_markdown
from orgmap.ui.text import t

lang, settings, engine = state.lang(), state.settings(), state.engine()
st.title(t("page.log_call", lang))
show_flash()
if not (debtor_key := state.current_debtor()):
    st.info(t("debtor.none_chosen", lang))
    st.stop()

m = debtor_map(engine, debtor_key=debtor_key)
st.caption(escape_markdown(m.debtor.name))
form_side, route_side = st.columns([3, 2])
with form_side:
    call_form.show("log_call", m=m, lang=lang, settings=settings)
with route_side:
    st.subheader(t("route.next", lang))
    answer = route_debtor(engine, debtor_key=debtor_key, k=1, lang=lang)
    route_view.show(answer, lang=lang)
