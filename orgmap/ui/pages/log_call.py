"""Log a call: the after-call note in one form; the next step updates as soon as it is saved."""

import streamlit as st

from orgmap.services.debtors import open_debtor
from orgmap.services.routes import routing_weights
from orgmap.ui import state
from orgmap.ui.components import call_form, route_view
from orgmap.ui.components.feedback import show_flash
from orgmap.ui.formatting import escape_markdown
from orgmap.ui.text import t

lang, settings = state.lang(), state.settings()
st.title(t("page.log_call", lang))
show_flash()
if not (debtor_key := state.current_debtor()):
    st.info(t("debtor.none_chosen", lang))
    st.stop()

view = open_debtor(
    state.engine(),
    debtor_key,
    actor=state.actor(),
    k=1,
    lang=lang,
    weights=routing_weights(settings.routing_weights),
)
st.caption(escape_markdown(view.map.debtor.name))
# One column: on a phone the form comes first, full width, then the next step.
if state.may_change():
    call_form.show("log_call", m=view.map, lang=lang, settings=settings)
else:
    st.info(t("access.read_only", lang))
st.subheader(t("route.next", lang))
assert view.route is not None
route_view.show(view.route, m=view.map, lang=lang, settings=settings)
