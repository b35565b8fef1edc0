"""The sidebar's language switch: zh-CN or English, defaulting to ``ORGMAP_LANG``."""

from __future__ import annotations

import streamlit as st

from orgmap.i18n import LANGUAGES, normalize_lang

_NAMES = {"zh-CN": "中文", "en": "English"}


def show(key: str = "lang", *, default: str = "zh-CN") -> str:
    """Draw the switch in the sidebar and return the chosen language (``zh-CN`` or ``en``)."""
    if key not in st.session_state:
        st.session_state[key] = normalize_lang(default)
    # The label names itself in both languages: it is how you find the way back.
    chosen = st.sidebar.radio(
        "语言 / Language", LANGUAGES, format_func=_NAMES.__getitem__, key=key, horizontal=True
    )
    return normalize_lang(chosen)
