"""Activity: who changed what on the chosen debtor, and when, newest first, a page at a time.

The entries come from the append-only history (``services.accounts.debtor_history``),
which answers "not found" for a debtor the user may not see and masks phone
numbers and e-mails for a viewer.  Everything recorded is shown as plain text.
Below the table, each edit on the page that can be reverted has a "Revert" button
(``services.reverts.revert_edit``, itself a new entry) for whoever may change it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import streamlit as st

from orgmap.domain.messages import describe_path
from orgmap.domain.model import (
    Channel,
    DebtorStatus,
    Department,
    Disposition,
    Outcome,
    PhoneKind,
    RelationType,
)
from orgmap.i18n import label
from orgmap.services.accounts import debtor_history
from orgmap.services.errors import NotFoundError
from orgmap.services.reverts import is_revertible, revert_edit
from orgmap.ui import state
from orgmap.ui.components import data_table
from orgmap.ui.components.feedback import commit, show_flash
from orgmap.ui.formatting import escape_markdown, format_local_time
from orgmap.ui.text import t

PAGE_SIZE = 50
#: Fields whose recorded values are the names of a domain enum: shown as the app names them.
_ENUM_FIELDS: dict[str, type[StrEnum]] = {
    "channel": Channel,
    "department": Department,
    "disposition": Disposition,
    "kind": PhoneKind,
    "outcome": Outcome,
    "status": DebtorStatus,
    "type": RelationType,
}
#: Fields holding a moment (ISO 8601, UTC): shown in the collectors' time like every time.
_TIME_FIELDS = frozenset({"at", "created_at", "updated_at", "last_contact_at"})

lang, settings = state.lang(), state.settings()
st.title(t("page.activity", lang))
show_flash()
if not (debtor_key := state.current_debtor()):
    st.info(t("debtor.none_chosen", lang))
    st.stop()
debtor: str = debtor_key
page_key = f"activity_page_{debtor}"
page = max(0, int(st.session_state.get(page_key, 0)))
try:
    # The page's entries and one more, which tells whether there is an older page.
    entries = debtor_history(
        state.engine(),
        actor=state.actor(),
        debtor_key=debtor,
        limit=PAGE_SIZE + 1,
        offset=page * PAGE_SIZE,
    )
except NotFoundError:  # missing, or another team's: the same words for both
    st.error(t("activity.not_found", lang))
    st.stop()
shown, older = entries[:PAGE_SIZE], len(entries) > PAGE_SIZE
if not shown:
    st.caption(t("activity.none", lang))
    st.stop()


# Spelled out, not built from the recorded word: a test finds every key the app uses.
WORDS = {
    "action": {
        "create": t("activity.action.create", lang),
        "edit": t("activity.action.edit", lang),
        "archive": t("activity.action.archive", lang),
        "restore": t("activity.action.restore", lang),
        "merge": t("activity.action.merge", lang),
        "import": t("activity.action.import", lang),
        "assign": t("activity.action.assign", lang),
        "correct": t("activity.action.correct", lang),
        "void": t("activity.action.void", lang),
        "export": t("activity.action.export", lang),
        "revert": t("activity.action.revert", lang),
    },
    "entity": {
        "debtor": t("activity.entity.debtor", lang),
        "facts": t("activity.entity.facts", lang),
        "contact": t("activity.entity.contact", lang),
        "relation": t("activity.entity.relation", lang),
        "call": t("activity.entity.call", lang),
        "owner": t("activity.entity.owner", lang),
    },
}


def _word(kind: str, value: str) -> str:
    """An action or a record kind in ``lang``; one the app has no word for, as recorded."""
    return WORDS[kind].get(value, value)


#: Record fields named as the catalogue of field names calls them.
_FIELD_NAMES = {"source": "from", "target": "to"}


def _field(name: str) -> str:
    return describe_path(_FIELD_NAMES.get(name, name), lang)


def _phone(phone: dict[str, Any]) -> str:
    """``+862161234567 ext. 801 (landline)``: a recorded phone as a collector reads it."""
    text = str(phone.get("e164") or phone.get("number") or "")
    if phone.get("extension"):
        text += f" ext. {phone['extension']}"
    kind = phone.get("kind")
    if isinstance(kind, str) and kind in PhoneKind._value2member_map_:
        text += f" ({label(PhoneKind(kind), lang)})"
    return text


def _value(field: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return t("facts.yes" if value else "facts.no", lang)
    if field in _TIME_FIELDS and isinstance(value, str):
        try:
            return format_local_time(datetime.fromisoformat(value), settings.timezone)
        except ValueError:
            return value
    enum = _ENUM_FIELDS.get(field)
    if enum is not None and isinstance(value, str) and value in enum._value2member_map_:
        return label(enum(value), lang)
    if isinstance(value, list):
        items = (
            _phone(v) if field == "phones" and isinstance(v, dict) else _value(field, v)
            for v in value
        )
        return ", ".join(items) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{_field(k)}: {_value(k, v)}" for k, v in value.items())
    return str(value)


def _changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """``field: old → new`` per changed field; a created or archived record's fields."""
    if before is None or after is None:
        whole = after if before is None else before
        return "\n".join(f"{_field(f)}: {_value(f, v)}" for f, v in (whole or {}).items())
    fields = dict.fromkeys([*before, *after])
    return "\n".join(
        f"{_field(f)}: {_value(f, before.get(f))} → {_value(f, after.get(f))}" for f in fields
    )


def _key(entity: str, key: str, record: dict[str, Any]) -> str:
    """Which record: a relation as ``from → to (type)``, a call by the person called (its
    fingerprint means nothing to a reader), anything else by its key."""
    if entity == "relation":
        ends, _, kind = key.rpartition(":")
        source, _, target = ends.partition(">")
        if source and target and kind in RelationType._value2member_map_:
            return f"{source} → {target} ({label(RelationType(kind), lang)})"
    if entity == "call" and isinstance(record.get("contact"), str):
        return record["contact"]
    return key


data_table.show(
    [
        {
            t("col.when", lang): format_local_time(e.at, settings.timezone),
            t("col.by", lang): e.by,
            t("col.action", lang): _word("action", e.action),
            t("col.record", lang): _word("entity", e.entity),
            t("col.key", lang): _key(e.entity, e.key, e.after or e.before or {}),
            t("col.changes", lang): _changes(e.before, e.after),
        }
        for e in shown
    ],
    key="activity_table",
)


def _revert(record_key: str, entry_id: int) -> None:
    commit(
        lambda: revert_edit(
            state.engine(),
            debtor_key=debtor,
            entry_id=entry_id,
            actor=state.actor(),
            region=settings.phone_region,
        ),
        lang=lang,
        debtor_key=debtor,
        message=t("activity.reverted", lang, key=escape_markdown(record_key)),
    )


revertible = [e for e in shown if e.id is not None and is_revertible(e)]
if revertible and state.may_change():
    st.subheader(t("activity.revertible", lang))
    for e in revertible:
        assert e.id is not None
        what, act = st.columns([5, 1], vertical_alignment="center")
        # st.text: recorded values are shown as typed, never as markdown.
        what.text(
            f"{format_local_time(e.at, settings.timezone)} · {e.by} · "
            f"{_word('entity', e.entity)} {_key(e.entity, e.key, e.after or {})}\n"
            f"{_changes(e.before, e.after)}"
        )
        if act.button(t("activity.revert", lang), key=f"activity_revert_{e.id}"):
            _revert(e.key, e.id)


def _turn(to: int) -> None:
    st.session_state[page_key] = to


newer_column, where, older_column = st.columns([1, 2, 1], vertical_alignment="center")
where.caption(t("activity.page", lang, n=page + 1))
if page > 0:
    newer_column.button(
        t("activity.newer", lang), key="activity_newer", on_click=_turn, args=(page - 1,)
    )
if older:
    older_column.button(
        t("activity.older", lang), key="activity_older", on_click=_turn, args=(page + 1,)
    )
