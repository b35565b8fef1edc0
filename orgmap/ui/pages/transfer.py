"""Import and export: orgmap/1 JSON or contacts CSV in (all or nothing); JSON, GraphML, HTML out."""

import math

import streamlit as st

from orgmap.file_input import FileTooLargeError
from orgmap.services.transfer import import_file, read_upload
from orgmap.ui import state
from orgmap.ui.components import debtor_table, downloads
from orgmap.ui.components.feedback import (
    EXPECTED_ERRORS,
    flash,
    problem_text,
    show_error,
    show_flash,
)
from orgmap.ui.formatting import escape_markdown
from orgmap.ui.text import t

lang, settings, engine = state.lang(), state.settings(), state.engine()
limit = settings.max_import_bytes  # documented: ORGMAP_MAX_IMPORT_BYTES, 10 MB by default
st.title(t("page.transfer", lang))
show_flash()

st.subheader(t("transfer.import", lang))
st.caption(t("transfer.import_help", lang, mb=f"{limit / 1_048_576:g}"))
upload = st.file_uploader(
    t("transfer.file", lang),
    type=["json", "csv"],
    key="transfer_upload",
    max_upload_size=max(1, math.ceil(limit / 1_048_576)),  # the browser's limit, in MB
)
pressed = upload is not None and st.button(
    t("transfer.do_import", lang), type="primary", key="transfer_do_import"
)
if upload is not None and pressed:
    upload.seek(0)
    try:  # refused unread when its size is above the limit, and never read beyond it
        raw = read_upload(upload, name=upload.name, size=upload.size, settings=settings)
        result = import_file(
            engine, filename=upload.name, raw=raw, settings=settings, by=state.user()
        )
    except FileTooLargeError as exc:
        size = f"{exc.size:,}" if exc.size is not None else f"> {limit:,}"
        st.error(t("transfer.too_big", lang, size=size, limit=f"{limit:,}"))
    except EXPECTED_ERRORS as exc:
        show_error(exc, lang=lang)
    else:
        note = t("common.warning", lang)
        warnings = "".join(f"\n- **{note}** {problem_text(w, lang=lang)}" for w in result.warnings)
        report = escape_markdown(str(result.report))
        flash(t("transfer.imported", lang, report=report) + warnings)
        debtor_table.forget_next_steps()  # an import may change any debtor
        st.rerun()

st.subheader(t("transfer.export", lang))
downloads.show(
    engine=engine,
    debtor_key=state.current_debtor(),
    lang=lang,
    weights_path=settings.routing_weights,
)
