"""Map: a debtor's people and how they connect; click someone to see them and log a call."""

import streamlit as st

from orgmap.render import LAYOUTS
from orgmap.services.debtors import open_debtor
from orgmap.services.routes import routing_weights
from orgmap.ui import state
from orgmap.ui.components import call_form, contact_card, contact_picker
from orgmap.ui.components.feedback import show_flash
from orgmap.ui.map_component import cached_map_spec, show_map
from orgmap.ui.text import t

lang, settings = state.lang(), state.settings()
st.title(t("page.map", lang))
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
m, routes = view.map, view.route.routes if view.route else ()
best = [step.contact for step in routes[0].steps] if routes else []
layout = st.segmented_control(
    t("map.layout", lang),
    LAYOUTS,
    format_func=lambda name: t(f"map.layout.{name}", lang),
    default=LAYOUTS[0],
    required=True,
    key="map_layout",
)
spec = cached_map_spec(
    view,
    database=state.database_url(),
    route_steps=best,
    layout="free" if layout == "free" else "hierarchical",
    lang=lang,
)
selected = state.selected_contact() if m.contact(state.selected_contact() or "") else None
# The map draws its own legend.  A click comes back once, on the rerun it caused; run
# again so that the map, the picker and the card all show the new choice.
clicked = show_map(spec, key=f"map_canvas_{debtor_key}", height=600, selected=selected)
if clicked and clicked != selected:
    state.select_contact(clicked)
    st.rerun()

# The same choice without a mouse (keyboard, screen readers, tests): one selection, two ways.
st.session_state["map_pick"] = selected
picked = contact_picker.show(
    t("map.pick", lang),
    m.contacts,
    key="map_pick",
    lang=lang,
    placeholder=True,
    on_change=lambda: state.select_contact(st.session_state.get("map_pick")),
)
if picked and (contact := m.contact(picked)):
    left, right = st.columns([3, 2])
    with left:
        contact_card.show(contact, m=m, lang=lang, settings=settings)
    with right:
        st.markdown(f"**{t('page.log_call', lang)}**")
        if state.may_change():
            call_form.show("map_call", m=m, lang=lang, settings=settings)
        else:
            st.info(t("access.read_only", lang))
