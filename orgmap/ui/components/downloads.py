"""Download buttons for exports; each file is made only when its button is pressed."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from orgmap.domain.access import Actor
from orgmap.services.database import Database
from orgmap.services.routes import routing_weights
from orgmap.services.transfer import export_graphml, export_html, export_json, may_export
from orgmap.ui.formatting import escape_markdown
from orgmap.ui.text import t


def show(
    *,
    engine: Database,
    actor: Actor,
    debtor_key: str | None,
    lang: str,
    weights_path: str | None,
) -> None:
    """The team's debtors ``actor`` sees as JSON, and the current debtor as JSON, GraphML and
    an offline HTML map; each export is recorded in the history.  Those who may not
    export (collectors, viewers) are told so instead."""
    if not may_export(actor):
        st.caption(t("transfer.export_not_allowed", lang))
        return
    st.download_button(
        t("transfer.all_json", lang),
        lambda: export_json(engine, actor=actor),
        file_name="orgmap.json",
        mime="application/json",
        icon=":material/download:",
    )
    if not debtor_key:
        return
    st.caption(t("transfer.this_debtor", lang, debtor=escape_markdown(debtor_key)))
    files: tuple[tuple[str, Callable[[], str | bytes], str, str], ...] = (
        (
            "JSON",
            lambda: export_json(engine, actor=actor, debtor_key=debtor_key),
            "json",
            "application/json",
        ),
        (
            "GraphML",
            lambda: export_graphml(engine, debtor_key=debtor_key, actor=actor),
            "graphml",
            "application/xml",
        ),
        (
            t("transfer.html_map", lang),
            lambda: export_html(
                engine,
                debtor_key=debtor_key,
                actor=actor,
                lang=lang,
                weights=routing_weights(weights_path),
            ),
            "html",
            "text/html",
        ),
    )
    for column, (label, make, suffix, mime) in zip(st.columns(len(files)), files, strict=True):
        column.download_button(
            label, make, file_name=f"{debtor_key}.{suffix}", mime=mime, icon=":material/download:"
        )
