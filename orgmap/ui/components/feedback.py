"""Telling the collector what happened: errors without tracebacks, notes that survive a rerun."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import streamlit as st

from orgmap.domain.access import AccessDeniedError
from orgmap.domain.fields import NAME_MAX_CHARS
from orgmap.services.errors import (
    NotFoundError,
    Problem,
    StaleVersionError,
    StoreError,
    ValidationError,
)
from orgmap.settings import SettingsError
from orgmap.ui import state
from orgmap.ui.formatting import escape_markdown
from orgmap.ui.text import t

__all__ = [
    "EXPECTED_ERRORS",
    "commit",
    "flash",
    "problem_text",
    "setting_problem",
    "show_error",
    "show_flash",
    "show_unexpected",
]

#: What a page catches around a service call and shows with :func:`show_error`.
EXPECTED_ERRORS = (ValidationError, StoreError, AccessDeniedError)

_FLASH_KEY = "_orgmap_flash"
_log = logging.getLogger("orgmap.ui")


def problem_text(problem: Problem | str, *, lang: str) -> str:
    """A problem or warning in ``lang``, escaped for markdown (it quotes what the user typed).

    Plain strings and problems without a code read in English.
    """
    text = problem.text(lang) if isinstance(problem, Problem) else str(problem)
    return escape_markdown(text)


def show_error(exc: Exception, *, lang: str) -> None:
    """One ``st.error`` naming every problem in ``lang`` (user text escaped), no traceback."""
    if isinstance(exc, AccessDeniedError):  # visible, but not for this user to change
        st.error(escape_markdown(exc.text(lang)))
    elif isinstance(exc, ValidationError):
        lines = [f"- {problem_text(p, lang=lang)}" for p in exc.problems] or [
            escape_markdown(str(exc))
        ]
        st.error("\n".join([t("error.invalid", lang), *lines]))
    elif isinstance(exc, StaleVersionError | NotFoundError):
        stale = isinstance(exc, StaleVersionError)
        heading = t("error.stale", lang) if stale else t("error.not_found", lang)
        # The store names the record in English; the heading alone says it all in zh-CN.
        st.error(heading if lang == "zh-CN" else f"{heading}\n\n{escape_markdown(str(exc))}")
    else:
        st.error(f"{t('error.refused', lang)}\n\n{escape_markdown(str(exc))}")


def setting_problem(exc: SettingsError, *, lang: str) -> str:
    """Markdown for a setting the app cannot start with: in English the line the CLI
    prints (``ORGMAP_TIMEZONE='Mars' is not a time zone …``, for whoever runs orgmap);
    in zh-CN the setting named in words, never by its environment variable.

    >>> exc = SettingsError("…", variable="ORGMAP_TIMEZONE", value="'Mars'", reason="…")
    >>> print(setting_problem(exc, lang="zh-CN").split("（")[0])
    设置有误：时区为 'Mars'，这不是时区名称
    """
    if lang != "zh-CN":
        return escape_markdown(str(exc))
    # Literal keys, so the test that every key exists and is used can find them.
    named = {
        "ORGMAP_DATABASE_URL": (
            t("settings.name.database_url", lang),
            t("settings.why.database_url", lang),
        ),
        "ORGMAP_PHONE_REGION": (
            t("settings.name.phone_region", lang),
            t("settings.why.phone_region", lang),
        ),
        "ORGMAP_LANG": (t("settings.name.lang", lang), t("settings.why.lang", lang)),
        "ORGMAP_TIMEZONE": (t("settings.name.timezone", lang), t("settings.why.timezone", lang)),
        "ORGMAP_MAX_IMPORT_BYTES": (
            t("settings.name.max_import_bytes", lang),
            t("settings.why.max_import_bytes", lang),
        ),
        "ORGMAP_USER": (
            t("settings.name.user", lang),
            t("settings.why.user", lang, n=NAME_MAX_CHARS),
        ),
        "ORGMAP_ROUTING_WEIGHTS": (
            t("settings.name.routing_weights", lang),
            t("settings.why.routing_weights", lang),
        ),
    }
    other = (t("settings.name.other", lang), t("settings.why.other", lang))
    setting, why = named.get(exc.variable, other)  # "other": a setting added without words
    _log.error("bad setting: %s", exc)  # the operator's detail, e.g. a weights file's rule
    return escape_markdown(t("settings.problem", lang, setting=setting, value=exc.value, why=why))


def show_unexpected(exc: Exception, *, lang: str) -> None:
    """The last resort: log the traceback for the operator, show the user one calm line."""
    _log.exception("page failed", exc_info=exc)
    st.error(t("error.unexpected", lang))


def flash(message: str) -> None:
    """Keep ``message`` (markdown; escape user text) for the next run, e.g. after ``st.rerun()``."""
    st.session_state[_FLASH_KEY] = message


def show_flash() -> None:
    """Show and forget the message kept by :func:`flash`, if any."""
    message = st.session_state.pop(_FLASH_KEY, None)
    if message:
        st.success(message)


def commit(
    change: Callable[[], Any],
    *,
    lang: str,
    debtor_key: str,
    message: str,
    after: Callable[[Any], None] | None = None,
) -> None:
    """Run one change from a form or button, then rerun so every view shows it.

    Expected errors are shown in place and nothing is written.  On success
    ``after(result)`` runs (e.g. to clear the form), cached answers about the
    debtor are dropped, and ``message`` (markdown; escape user text) plus any
    warnings the change returned is shown after the rerun.
    """
    try:
        result = change()
    except EXPECTED_ERRORS as exc:
        show_error(exc, lang=lang)
        return
    if after is not None:
        after(result)
    state.mark_changed(debtor_key)
    warnings = getattr(result, "warnings", ())
    note = t("common.warning", lang)
    flash(message + "".join(f"\n\n**{note}** {problem_text(w, lang=lang)}" for w in warnings))
    st.rerun()
