"""A debtor's people: the table, adding one, editing or archiving the one picked,
restoring an archived one."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

import streamlit as st

from orgmap.domain.model import DebtorMap
from orgmap.services import contacts
from orgmap.settings import Settings
from orgmap.ui import state
from orgmap.ui.components import contact_form, contact_picker, contact_table, form_state
from orgmap.ui.components.feedback import commit
from orgmap.ui.formatting import escape_markdown
from orgmap.ui.text import t


def show(
    key: str, *, m: DebtorMap, versions: Mapping[str, int], lang: str, settings: Settings
) -> None:
    """Draw the people tab for debtor ``m``; every change reruns the page.

    ``versions`` are the contacts' versions read with ``m``: an edit is refused when
    someone else changed the contact since.
    """
    debtor_key, engine, actor, region = (
        m.debtor.key,
        state.engine(),
        state.actor(),
        settings.phone_region,
    )
    contact_table.show(m, lang=lang)

    def forget(form_key: str):
        return lambda _result: form_state.forget(form_key, contact_form.FIELDS)

    with st.expander(t("contacts.add", lang), icon=":material/person_add:"):
        if draft := contact_form.show(f"{key}_new", lang=lang):
            commit(
                partial(
                    contacts.add_contact,
                    engine,
                    debtor_key=debtor_key,
                    draft=draft,
                    actor=actor,
                    region=region,
                ),
                lang=lang,
                debtor_key=debtor_key,
                message=t("contacts.added", lang, name=escape_markdown(draft.name)),
                after=forget(f"{key}_new"),
            )
    if archived := [c for c in m.contacts if c.archived]:
        with st.expander(t("contacts.archived_list", lang), icon=":material/inventory_2:"):
            for gone in archived:
                name, button = st.columns([3, 1], vertical_alignment="center")
                name.text(gone.name)  # as text: a name is what someone typed
                if button.button(
                    t("contacts.restore", lang),
                    key=f"{key}_restore_{gone.key}",
                    icon=":material/unarchive:",
                ):
                    commit(
                        partial(
                            contacts.restore_contact,
                            engine,
                            debtor_key=debtor_key,
                            contact_key=gone.key,
                            actor=actor,
                        ),
                        lang=lang,
                        debtor_key=debtor_key,
                        message=t("contacts.restored", lang, name=escape_markdown(gone.name)),
                    )
    picked = contact_picker.show(
        t("contacts.edit", lang), m.contacts, key=f"{key}_pick", lang=lang, placeholder=True
    )
    if not (picked and (contact := m.contact(picked))):
        return
    form_key = f"{key}_edit_{debtor_key}_{picked}"
    if draft := contact_form.show(form_key, lang=lang, contact=contact, version=versions[picked]):
        commit(
            partial(
                contacts.edit_contact,
                engine,
                debtor_key=debtor_key,
                draft=draft,
                actor=actor,
                expected_version=form_state.version(form_key),
                region=region,
            ),
            lang=lang,
            debtor_key=debtor_key,
            message=t("contacts.saved", lang, name=escape_markdown(draft.name)),
            after=forget(form_key),
        )
    if st.button(t("contacts.archive", lang), key=f"{key}_archive", icon=":material/archive:"):
        commit(
            partial(
                contacts.archive_contact,
                engine,
                debtor_key=debtor_key,
                contact_key=picked,
                actor=actor,
            ),
            lang=lang,
            debtor_key=debtor_key,
            message=t("contacts.archived", lang, name=escape_markdown(contact.name)),
        )
