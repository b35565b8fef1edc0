"""Contacts and relations: add, edit, archive; link people; merge a person entered twice."""

import streamlit as st

from orgmap.services.debtors import open_debtor
from orgmap.ui import state
from orgmap.ui.components import contact_editor, merge_panel, relation_editor
from orgmap.ui.components.feedback import show_flash
from orgmap.ui.text import t

lang, settings = state.lang(), state.settings()
st.title(t("page.contacts", lang))
show_flash()
if not (debtor_key := state.current_debtor()):
    st.info(t("debtor.none_chosen", lang))
    st.stop()

view = open_debtor(state.engine(), debtor_key, actor=state.actor(), k=0)
if not state.may_change():
    st.info(t("access.read_only", lang))
tabs = st.tabs([t(f"contacts.tab.{name}", lang) for name in ("people", "relations", "merge")])
with tabs[0]:
    contact_editor.show(
        "contacts", m=view.map, versions=view.versions.contacts, lang=lang, settings=settings
    )
with tabs[1]:
    relation_editor.show("relations", m=view.map, lang=lang)
with tabs[2]:
    merge_panel.show("merge", m=view.map, lang=lang)
