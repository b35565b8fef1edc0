"""Import and export: orgmap/1 JSON or contacts CSV in (all or nothing); JSON, GraphML, HTML out."""

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
from orgmap.ui.formatting import escape_markdown, upload_megabytes
from orgmap.ui.text import t


def report_text(report, lang: str) -> str:
    """What an import did, per kind of record, in ``lang`` (the report reads in English)."""
    kinds = {
        "debtors": t("transfer.kind.debtors", lang),
        "contacts": t("transfer.kind.contacts", lang),
        "relations": t("transfer.kind.relations", lang),
        "interactions": t("transfer.kind.interactions", lang),
    }
    parts = []
    for name, kind in kinds.items():
        counts = getattr(report, name)
        parts.append(
            t(
                "transfer.counts",
                lang,
                kind=kind,
                created=counts.created,
                updated=counts.updated,
                unchanged=counts.unchanged,
            )
        )
    return ("；" if lang == "zh-CN" else "; ").join(parts)


lang, settings, engine, actor = state.lang(), state.settings(), state.engine(), state.actor()
limit = settings.max_import_bytes  # documented: ORGMAP_MAX_IMPORT_BYTES, 10 MB by default
st.title(t("page.transfer", lang))
show_flash()

st.subheader(t("transfer.import", lang))
# Said in words: in zh-CN the uploader's own English lines are hidden (orgmap.ui.localize).
browse = t("upload.browse", lang)
st.caption(t("transfer.upload_help", lang, mb=f"{limit / 1_048_576:g}", browse=browse))
upload = st.file_uploader(
    t("transfer.file", lang),
    type=["json", "csv"],
    key="transfer_upload",
    max_upload_size=upload_megabytes(limit),  # the browser's limit, in MB
)
pressed = upload is not None and st.button(
    t("transfer.do_import", lang), type="primary", key="transfer_do_import"
)
if upload is not None and pressed:
    upload.seek(0)
    try:  # refused unread when its size is above the limit, and never read beyond it
        raw = read_upload(upload, name=upload.name, size=upload.size, settings=settings)
        result = import_file(engine, filename=upload.name, raw=raw, settings=settings, actor=actor)
    except FileTooLargeError as exc:
        size = f"{exc.size:,}" if exc.size is not None else f"> {limit:,}"
        st.error(t("transfer.too_big", lang, size=size, limit=f"{limit:,}"))
    except EXPECTED_ERRORS as exc:
        show_error(exc, lang=lang)
    else:
        note = t("common.warning", lang)
        warnings = "".join(f"\n- **{note}** {problem_text(w, lang=lang)}" for w in result.warnings)
        report = escape_markdown(report_text(result.report, lang))
        flash(t("transfer.imported", lang, report=report) + warnings)
        debtor_table.forget_next_steps()  # an import may change any debtor
        st.rerun()

st.subheader(t("transfer.export", lang))
downloads.show(
    engine=engine,
    actor=actor,
    debtor_key=state.current_debtor(),
    lang=lang,
    weights_path=settings.routing_weights,
)
