"""A searchable picker of a debtor's current contacts, optionally with "someone new"."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import streamlit as st

from orgmap.domain.model import Contact
from orgmap.ui.formatting import contact_label
from orgmap.ui.text import t

#: The option that stands for a person not yet on the map.
NEW = "\x00new"


def show(
    label: str,
    contacts: Sequence[Contact],
    *,
    key: str,
    lang: str,
    offer_new: bool = False,
    placeholder: bool = False,
    on_change: Callable[[], None] | Literal["ignore"] | None = None,
) -> str | None:
    """Draw the picker; return the chosen contact key, :data:`NEW`, or ``None``.

    Archived contacts are never offered.  With ``placeholder`` nothing is chosen
    until the user picks.  Works inside a form (then without ``on_change``);
    ``on_change="ignore"`` keeps the pick without a rerun, sent with the next press.
    """
    labels = {c.key: contact_label(c, lang) for c in contacts if not c.archived}
    if offer_new:
        labels[NEW] = t("contact.someone_new", lang)
    current = st.session_state.get(key)
    if current is not None and current not in labels:  # since archived or merged away
        if placeholder:
            st.session_state[key] = None
        else:
            st.session_state.pop(key, None)
    # A value of None (a blanked form) stays set: a deleted key would leave the browser
    # showing, and sending with the next submit, the person picked before.
    return st.selectbox(
        label,
        list(labels),
        index=None if placeholder else 0,
        format_func=labels.__getitem__,
        key=key,
        placeholder=t("common.choose", lang),
        on_change=on_change,
    )
