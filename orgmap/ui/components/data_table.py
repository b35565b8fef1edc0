"""Every table of the app: rows of plain values, each text cell safe to open in a spreadsheet.

A table's toolbar offers "Download as CSV" and its cells can be copied; the browser
writes both exactly as the cells hold them, and a spreadsheet runs a cell such as
``=HYPERLINK(…)`` or ``+cmd|…`` as a formula.  So the pages draw tables only through
:func:`show`, which passes each text cell through
:func:`~orgmap.ui.formatting.spreadsheet_safe` (a test holds that rule).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st

from orgmap.ui.formatting import spreadsheet_safe

__all__ = ["safe_rows", "show"]


def show(
    rows: Sequence[Mapping[str, object]],
    *,
    key: str | None = None,
    column_config: Mapping[str, Any] | None = None,
    on_select: Callable[[], None] | None = None,
    link_text: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Draw ``rows`` (column name → value) without an index.

    With ``on_select`` one row can be picked; the callback reads the pick from
    ``st.session_state[key].selection.rows``.  ``link_text`` gives, for a link
    column, the text shown for each address (``tel:+8613912345678`` shown as
    ``139 1234 5678``); the cell still holds, copies and opens the address.
    """
    data: Any = safe_rows(rows)
    config = dict(column_config or {})
    if link_text and data:
        import pandas as pd  # Streamlit's own dependency; only for the shown text

        frame = pd.DataFrame(data)
        data = frame.style.format(
            {
                column: functools.partial(_shown, texts=texts)
                for column, texts in link_text.items()
                if column in frame.columns
            }
        )
    if on_select is None:
        st.dataframe(data, hide_index=True, key=key, column_config=config)
    else:
        st.dataframe(
            data,
            hide_index=True,
            key=key,
            column_config=config,
            on_select=on_select,
            selection_mode="single-row",
        )


def safe_rows(rows: Sequence[Mapping[str, object]]) -> list[dict[str, object]]:
    """``rows`` with every text cell made spreadsheet-safe; other values as they are."""
    return [{name: _safe(value) for name, value in row.items()} for row in rows]


def _shown(value: object, *, texts: Mapping[str, str]) -> str:
    if not isinstance(value, str):
        return ""
    return texts.get(value, value)


def _safe(value: object) -> object:
    return spreadsheet_safe(value) if isinstance(value, str) else value
