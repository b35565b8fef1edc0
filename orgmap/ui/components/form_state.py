"""Forms that edit a stored record: filled once, locked on the version they were filled from.

A form's widgets are keyed ``{prefix}_{field}``.  :func:`seed` fills them from the
record when the form is first shown (or after the page was left, which drops
widget state) and remembers the record's version; until the user saves or
reloads, a rerun keeps what they typed.  Saving passes :func:`version` to the
service, so a change made by someone else in between is refused
(:class:`~orgmap.store.StaleVersionError`) instead of silently overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

__all__ = ["forget", "seed", "version"]


def _marker(prefix: str) -> str:
    return f"{prefix}__version"


def seed(prefix: str, values: Mapping[str, Any], *, version: int | None = None) -> None:
    """Fill the form's widgets from ``values`` unless they are already being edited."""
    editing = _marker(prefix) in st.session_state and all(
        f"{prefix}_{name}" in st.session_state for name in values
    )
    if editing:
        return
    for name, value in values.items():
        st.session_state[f"{prefix}_{name}"] = value
    st.session_state[_marker(prefix)] = version


def version(prefix: str) -> int | None:
    """The version of the record the form was filled from."""
    return st.session_state.get(_marker(prefix))


def forget(prefix: str, names: tuple[str, ...] | list[str]) -> None:
    """Drop what was typed, so the next run fills the form afresh (after a save or a reload)."""
    for name in names:
        st.session_state.pop(f"{prefix}_{name}", None)
    st.session_state.pop(_marker(prefix), None)
