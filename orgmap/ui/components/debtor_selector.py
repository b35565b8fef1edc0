"""The sidebar's debtor picker, shared by every page through ``st.session_state``."""

from __future__ import annotations

import streamlit as st

from orgmap.services.debtors import debtor_summaries
from orgmap.ui import state
from orgmap.ui.text import t


def show(key: str, *, lang: str) -> str | None:
    """Draw the picker (type to search) and return the chosen debtor's key, if any.

    A page asks for another debtor with :func:`orgmap.ui.state.choose_debtor`;
    the request is applied here, before the picker is drawn.
    """
    debtors = debtor_summaries(state.engine())
    if not debtors:
        st.session_state.pop(key, None)
        st.sidebar.info(t("debtor.none_yet", lang))
        return None
    names = {d.key: f"{d.name} ({d.key})" for d in debtors}
    pending = st.session_state.pop(state.PENDING_DEBTOR_KEY, None)
    if pending in names:
        st.session_state[key] = pending
    if st.session_state.get(key) not in names:
        # First visit, or the remembered debtor is gone (another database, a rename).
        st.session_state[key] = debtors[0].key
    return st.sidebar.selectbox(
        t("debtor.choose", lang), list(names), format_func=names.__getitem__, key=key
    )
