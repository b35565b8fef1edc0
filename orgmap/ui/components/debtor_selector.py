"""The sidebar's debtor picker, shared by every page through ``st.session_state``.

It offers a bounded list, not the whole team (which it would read on every run of
every page): the current debtor, the ones chosen lately in this session, and the
first :data:`FIRST` debtors by key, which on a small team is all of them.  Any
other debtor is found on the Debtors page (search, filters) and chosen there.

A link (``?debtor=KEY``) chooses its debtor; one that names no debtor leaves
nothing chosen, says so in one line, and the pages ask for a debtor.
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
_LINK_REFUSED_KEY = "_orgmap_link_refused"


def show(key: str, *, lang: str, linked: str | None = None) -> str | None:
    """Draw the picker (type to search) and return the chosen debtor's key, if any.

    A page asks for another debtor with :func:`orgmap.ui.state.choose_debtor`;
    the request is applied here, before the picker is drawn.  ``linked`` is what
    a URL asks for (raw text, see :func:`orgmap.ui.state.linked`): it is checked
    as a key, then looked up; one that names no debtor leaves nothing chosen.
    """
    pending = st.session_state.pop(state.PENDING_DEBTOR_KEY, None)
    asked = state.link_debtor(linked) if linked is not None else None
    recent: list[str] = st.session_state.get(_RECENT_KEY, [])
    choices = debtor_choices(
        state.engine(),
        actor=state.actor(),
        keep=[asked, pending, st.session_state.get(key), *recent],
        first=FIRST,
    )
    names = {key_: f"{name} ({key_})" for key_, name in choices.names.items()}
    if linked is not None:
        # A link names its debtor, or nobody: never a debtor it did not ask for.
        st.session_state[key] = asked if asked in names else None
        st.session_state[_LINK_REFUSED_KEY] = asked not in names
    if not names:
        st.session_state.pop(key, None)
        st.sidebar.info(t("debtor.none_yet", lang))
        return None
    if pending in names:
        st.session_state[key] = pending
    current = st.session_state.get(key, "")
    if current is not None and current not in names:
        # First visit, or the remembered debtor is gone (another database, a rename).
        st.session_state[key] = next(iter(names))
    chosen = st.sidebar.selectbox(
        t("debtor.choose", lang),
        list(names),
        index=None,  # shows the session's choice; blank only when a link named nobody
        format_func=names.__getitem__,
        key=key,
        placeholder=t("common.choose", lang),
    )
    if chosen is None and st.session_state.get(_LINK_REFUSED_KEY):
        # Said until a debtor is chosen: the root URL redirects, pages change.
        st.warning(t("url.debtor_unknown", lang), icon=":material/link_off:")
    else:
        st.session_state.pop(_LINK_REFUSED_KEY, None)
    st.session_state[_RECENT_KEY] = [
        *([chosen] if chosen else []),
        *(k for k in recent if k != chosen and k in names),
    ][:RECENT]
    if choices.more:
        st.sidebar.caption(t("debtor.more", lang))
    return chosen
