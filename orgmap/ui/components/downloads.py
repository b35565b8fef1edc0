"""Download buttons for exports; each file is made only when its button is pressed."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from orgmap.services.database import Database
from orgmap.services.routes import routing_weights
from orgmap.services.transfer import export_graphml, export_html, export_json
from orgmap.ui.formatting import escape_markdown
from orgmap.ui.text import t


def show(*, engine: Database, debtor_key: str | None, lang: str, weights_path: str | None) -> None:
    """The whole team as JSON, and the current debtor as JSON, GraphML and an offline HTML map."""
    st.download_button(
        t("transfer.all_json", lang),
        lambda: export_json(engine),
        file_name="orgmap.json",
        mime="application/json",
        icon=":material/download:",
    )
    if not debtor_key:
        return
    st.caption(t("transfer.this_debtor", lang, debtor=escape_markdown(debtor_key)))
    files: tuple[tuple[str, Callable[[], str | bytes], str, str], ...] = (
        ("JSON", lambda: export_json(engine, debtor_key=debtor_key), "json", "application/json"),
        (
            "GraphML",
            lambda: export_graphml(engine, debtor_key=debtor_key),
            "graphml",
            "application/xml",
        ),
        (
            t("transfer.html_map", lang),
            lambda: export_html(
                engine, debtor_key=debtor_key, lang=lang, weights=routing_weights(weights_path)
            ),
            "html",
            "text/html",
        ),
    )
    for column, (label, make, suffix, mime) in zip(st.columns(len(files)), files, strict=True):
        column.download_button(
            label, make, file_name=f"{debtor_key}.{suffix}", mime=mime, icon=":material/download:"
        )
