"""Relations of one debtor: the list, a form to add one, buttons to archive or restore one."""

from __future__ import annotations

from functools import partial

import streamlit as st

from orgmap.domain.fields import NOTE_MAX_CHARS
from orgmap.domain.model import DebtorMap, Relation, RelationType
from orgmap.i18n import label
from orgmap.services import contacts
from orgmap.ui import state
from orgmap.ui.components import contact_picker, data_table
from orgmap.ui.components.feedback import commit
from orgmap.ui.text import t


def show(key: str, *, m: DebtorMap, lang: str) -> None:
    """Draw the relation list and editors for debtor ``m``; changes rerun the page."""
    names = {c.key: c.name for c in m.contacts}
    live = [r for r in m.relations if not r.archived and not _touches_archived(m, r)]

    def describe(r: Relation) -> str:  # plain text: shown in a table and a picker
        return f"{names[r.source]} → {label(r.type, lang)} → {names[r.target]}"

    if live:
        data_table.show(
            [{t("relation.what", lang): describe(r), t("col.note", lang): r.note} for r in live]
        )
    with st.form(f"{key}_add", enter_to_submit=False):
        st.markdown(f"**{t('relation.add', lang)}**")
        left, middle, right = st.columns(3)
        with left:
            source = contact_picker.show(
                t("relation.from", lang), m.contacts, key=f"{key}_from", lang=lang
            )
        kind = middle.selectbox(
            t("relation.type", lang),
            list(RelationType),
            key=f"{key}_type",
            format_func=lambda r: label(r, lang),
        )
        with right:
            target = contact_picker.show(
                t("relation.to", lang), m.contacts, key=f"{key}_to", lang=lang
            )
        note = st.text_input(t("col.note", lang), key=f"{key}_note", max_chars=NOTE_MAX_CHARS)
        if st.form_submit_button(t("relation.add", lang)):
            commit(
                partial(
                    contacts.add_relation,
                    state.engine(),
                    debtor_key=m.debtor.key,
                    source=source or "",
                    target=target or "",
                    type=kind
                    or RelationType.COLLEAGUE,  # a selectbox with a default never gives None
                    note=note,
                    actor=state.actor(),
                ),
                lang=lang,
                debtor_key=m.debtor.key,
                message=t("relation.added", lang),
                after=lambda _result: st.session_state.pop(f"{key}_note", None),
            )
    if live:
        _archive(key, live=live, describe=describe, m=m, lang=lang)
    gone = [r for r in m.relations if r.archived and not _touches_archived(m, r)]
    if gone:
        _restore(key, gone=gone, describe=describe, m=m, lang=lang)


def _archive(key: str, *, live: list[Relation], describe, m: DebtorMap, lang: str) -> None:
    chosen = st.selectbox(
        t("relation.archive_which", lang),
        range(len(live)),
        format_func=lambda i: describe(live[i]),
        key=f"{key}_archive_pick",
    )
    if chosen is None or not st.button(
        t("relation.archive", lang), key=f"{key}_archive", icon=":material/archive:"
    ):
        return
    _commit(
        contacts.archive_relation, live[chosen], m=m, lang=lang, done=t("relation.archived", lang)
    )


def _restore(key: str, *, gone: list[Relation], describe, m: DebtorMap, lang: str) -> None:
    """Archived relations between current people, each with a button to bring it back."""
    with st.expander(t("relation.archived_list", lang), icon=":material/inventory_2:"):
        for r in gone:
            what, button = st.columns([3, 1], vertical_alignment="center")
            what.text(describe(r))  # as text: names are what someone typed
            if button.button(
                t("relation.restore", lang),
                key=f"{key}_restore_{r.source}_{r.target}_{r.type.value}",
                icon=":material/unarchive:",
            ):
                _commit(
                    contacts.restore_relation, r, m=m, lang=lang, done=t("relation.restored", lang)
                )


def _commit(service, r: Relation, *, m: DebtorMap, lang: str, done: str) -> None:
    """Archive or restore relation ``r`` through ``service``; ``done`` is said when it did."""
    commit(
        partial(
            service,
            state.engine(),
            debtor_key=m.debtor.key,
            source=r.source,
            target=r.target,
            type=r.type,
            actor=state.actor(),
        ),
        lang=lang,
        debtor_key=m.debtor.key,
        message=done,
    )


def _touches_archived(m: DebtorMap, r: Relation) -> bool:
    return any((c := m.contact(k)) is None or c.archived for k in (r.source, r.target))
