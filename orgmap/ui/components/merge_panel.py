"""Merging two contacts who are the same person: pairs sharing a phone are offered first."""

from __future__ import annotations

from functools import partial

import streamlit as st

from orgmap.domain.model import DebtorMap
from orgmap.services import contacts
from orgmap.ui import state
from orgmap.ui.components import contact_picker
from orgmap.ui.components.feedback import commit
from orgmap.ui.formatting import escape_markdown
from orgmap.ui.text import t


def show(key: str, *, m: DebtorMap, lang: str) -> None:
    """Draw the merge panel for debtor ``m``.  Both histories are kept: the dropped
    contact's calls and relations move over, and the contact itself is archived."""
    st.caption(t("merge.explain", lang))
    for i, pair in enumerate(contacts.same_phone_pairs(m)):
        first, second = pair.first, pair.second
        st.markdown(
            t(
                "merge.pair",
                lang,
                a=escape_markdown(first.name),
                b=escape_markdown(second.name),
                phone=escape_markdown(pair.phone),
            )
        )
        if st.button(
            t(
                "merge.into",
                lang,
                drop=escape_markdown(second.name),
                keep=escape_markdown(first.name),
            ),
            key=f"{key}_pair_{i}",
        ):
            _merge(m, keep=first.key, drop=second.key, lang=lang)
    with st.form(f"{key}_any", enter_to_submit=False):
        keep = contact_picker.show(t("merge.keep", lang), m.contacts, key=f"{key}_keep", lang=lang)
        drop = contact_picker.show(t("merge.drop", lang), m.contacts, key=f"{key}_drop", lang=lang)
        if st.form_submit_button(t("merge.submit", lang)):
            _merge(m, keep=keep or "", drop=drop or "", lang=lang)


def _merge(m: DebtorMap, *, keep: str, drop: str, lang: str) -> None:
    commit(
        partial(
            contacts.merge_contacts,
            state.engine(),
            debtor_key=m.debtor.key,
            keep=keep,
            drop=drop,
            actor=state.actor(),
        ),
        lang=lang,
        debtor_key=m.debtor.key,
        message=t("merge.done", lang),
    )
