"""Forms that edit a stored record: filled once, locked on the version they were filled from.

A form's widgets are keyed ``{prefix}_{field}``.  :func:`seed` fills them from the
record when the form is first shown (or after the page was left, which drops
widget state) and remembers the record's version; until the user saves or
reloads, a rerun keeps what they typed.  Saving passes :func:`version` to the
service, so a change made by someone else in between is refused
(:class:`~orgmap.store.StaleVersionError`) instead of silently overwritten.

When the record changed under an open form, :func:`seed` (given ``lang``) says
which fields the colleague changed, from what to what, keeps what this user
typed, and offers to base it on the new version (the fields they did not touch
take the colleague's values, the ones they did keep their input): saving then
applies it knowingly, and nothing is lost on either side without being seen.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import streamlit as st

from orgmap.i18n import label
from orgmap.ui.formatting import escape_markdown
from orgmap.ui.text import t

__all__ = ["forget", "seed", "version"]


def _marker(prefix: str) -> str:
    return f"{prefix}__version"


def _seeded(prefix: str) -> str:
    return f"{prefix}__seeded"


def seed(
    prefix: str,
    values: Mapping[str, Any],
    *,
    version: int | None = None,
    lang: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> None:
    """Fill the form's widgets from ``values`` unless they are already being edited.

    ``values`` and ``version`` are the record as stored now.  While the form is
    being edited and someone else has saved the record since it was filled, and
    ``lang`` is given, a warning lists their changes (field names from ``labels``)
    above the form, and a button bases the user's input on the new version.
    """
    editing = _marker(prefix) in st.session_state and all(
        f"{prefix}_{name}" in st.session_state for name in values
    )
    if editing:
        filled_from = st.session_state.get(_marker(prefix))
        if lang is not None and version is not None and filled_from != version:
            _show_changed_since(prefix, values, version=version, lang=lang, labels=labels or {})
        return
    for name, value in values.items():
        st.session_state[f"{prefix}_{name}"] = value
    st.session_state[_marker(prefix)] = version
    st.session_state[_seeded(prefix)] = dict(values)


def _show_changed_since(
    prefix: str, values: Mapping[str, Any], *, version: int, lang: str, labels: Mapping[str, str]
) -> None:
    before = st.session_state.get(_seeded(prefix), {})
    changed = [name for name in values if before.get(name) != values[name]]
    lines = [
        f"- {escape_markdown(labels.get(name, name))}: "
        f"{escape_markdown(_shown(before.get(name), lang))} → "
        f"{escape_markdown(_shown(values[name], lang))}"
        for name in changed
    ]
    st.warning("\n".join([t("form.changed_since", lang), *lines]))
    st.button(
        t("form.keep_mine", lang),
        key=f"{prefix}__rebase",
        on_click=_rebase,
        args=(prefix, dict(values), version),
    )


def _rebase(prefix: str, values: dict[str, Any], version: int) -> None:
    """Base the input on ``version``: a field this user left as it was takes the colleague's
    value; one they changed keeps their input, which the next save applies knowingly."""
    before = st.session_state.get(_seeded(prefix), {})
    for name, value in values.items():
        widget = f"{prefix}_{name}"
        if st.session_state.get(widget) == before.get(name):
            st.session_state[widget] = value
    st.session_state[_marker(prefix)] = version
    st.session_state[_seeded(prefix)] = values


def _shown(value: Any, lang: str) -> str:
    """A stored field value as one line of text."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, StrEnum):
        return label(value, lang)
    return " / ".join(str(value).splitlines()) or "—"


def version(prefix: str) -> int | None:
    """The version of the record the form was filled from."""
    return st.session_state.get(_marker(prefix))


def forget(prefix: str, names: tuple[str, ...] | list[str]) -> None:
    """Drop what was typed, so the next run fills the form afresh (after a save or a reload)."""
    for name in names:
        st.session_state.pop(f"{prefix}_{name}", None)
    st.session_state.pop(_marker(prefix), None)
    st.session_state.pop(_seeded(prefix), None)
