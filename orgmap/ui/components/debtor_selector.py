"""The sidebar's debtor picker, shared by every page through ``st.session_state``.

It offers a bounded list, not the whole team (which it would read on every run of
every page): the current debtor, the ones chosen lately in this session, and the
first :data:`FIRST` debtors by key, which on a small team is all of them.  Any
other debtor is found on the Debtors page (search, filters) and chosen there.
"""

from __future__ import annotations

import streamlit as st

from orgmap.services.debtor_list import debtor_choices
from orgmap.ui import state
from orgmap.ui.text import t

__all__ = ["FIRST", "RECENT", "show"]

#: How many debtors the picker lists besides the current and the recent ones.
FIRST = 50
#: How many debtors chosen lately stay in the list.
RECENT = 10
_RECENT_KEY = "_orgmap_recent_debtors"


def show(key: str, *, lang: str) -> str | None:
    """Draw the picker (type to search) and return the chosen debtor's key, if any.

    A page asks for another debtor with :func:`orgmap.ui.state.choose_debtor`;
    the request is applied here, before the picker is drawn.
    """
    pending = st.session_state.pop(state.PENDING_DEBTOR_KEY, None)
    recent: list[str] = st.session_state.get(_RECENT_KEY, [])
    choices = debtor_choices(
        state.engine(), keep=[pending, st.session_state.get(key), *recent], first=FIRST
    )
    names = {key_: f"{name} ({key_})" for key_, name in choices.names.items()}
    if not names:
        st.session_state.pop(key, None)
        st.sidebar.info(t("debtor.none_yet", lang))
        return None
    if pending in names:
        st.session_state[key] = pending
    if st.session_state.get(key) not in names:
        # First visit, or the remembered debtor is gone (another database, a rename).
        st.session_state[key] = next(iter(names))
    chosen = st.sidebar.selectbox(
        t("debtor.choose", lang), list(names), format_func=names.__getitem__, key=key
    )
    st.session_state[_RECENT_KEY] = [chosen, *(k for k in recent if k != chosen and k in names)][
        :RECENT
    ]
    if choices.more:
        st.sidebar.caption(t("debtor.more", lang))
    return chosen
