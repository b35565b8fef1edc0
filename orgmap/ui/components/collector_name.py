"""Who is at the keyboard: recorded as ``by`` on every change and call."""

from __future__ import annotations

import streamlit as st

from orgmap.domain.fields import NAME_MAX_CHARS
from orgmap.ui.text import t


def show(key: str, *, default: str, lang: str) -> str:
    """Draw the name field in the sidebar and return the name (``default`` until typed)."""
    if key not in st.session_state:
        st.session_state[key] = default
    return st.sidebar.text_input(t("sidebar.user", lang), key=key, max_chars=NAME_MAX_CHARS).strip()
