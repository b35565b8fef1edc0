"""Streamlit's own words in the collector's language, where Streamlit has no option for it.

Streamlit draws a few texts itself, in English only: "Press Enter to apply" under a
text box, the file uploader's "Upload", "200MB per file • JSON", "Drag and drop a
file here" and its refusals, the status corner's "Running…" and "Stop".  Forms get
``enter_to_submit=False`` where that option exists; the rest is hidden by a style
sheet in zh-CN, and the uploader gets its words back from ``messages.json`` (the
transfer page also says, in words, what to upload and how big it may be).

>>> "stFileUploaderDropzoneInstructions" in style_sheet("zh-CN", upload_mb=10)
True
>>> style_sheet("en", upload_mb=10)
''
"""

from __future__ import annotations

import string

import streamlit as st

from orgmap.ui.text import t

__all__ = ["localize_widgets", "style_sheet"]

_UPLOADER = '[data-testid="stFileUploaderDropzone"]'


def _css_string(text: str) -> str:
    """``text`` as a quoted CSS string: every character but ASCII letters, digits and
    spaces as a CSS escape (``\\9009 ``), so no text can end the string, the rule or
    the ``<style>`` element it sits in.

    >>> print(_css_string('选 "x"</style>'))
    "\\9009  \\22 x\\22 \\3c \\2f style\\3e "
    """
    safe = set(string.ascii_letters + string.digits + " ")
    return '"' + "".join(c if c in safe else f"\\{ord(c):x} " for c in text) + '"'


def style_sheet(lang: str, *, upload_mb: int) -> str:
    """The CSS that hides or replaces Streamlit's English in ``lang`` (none in English)."""
    if lang != "zh-CN":
        return ""
    browse = _css_string(t("upload.browse", lang))
    drop = _css_string(t("upload.drop", lang))
    refused = _css_string(t("upload.refused", lang, mb=upload_mb))
    return f"""
/* "Press Enter to apply / submit form": no option outside forms; labels say it where it matters */
[data-testid="InputInstructions"] {{ display: none; }}
/* The uploader: its own limits line is said by the page, in words */
[data-testid="stFileUploaderDropzoneInstructions"] {{ display: none; }}
{_UPLOADER} [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] p {{
  font-size: 0;
}}
{_UPLOADER} [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] p::after {{
  content: {browse}; font-size: 0.875rem;
}}
{_UPLOADER} > div > span {{ font-size: 0; }}
{_UPLOADER} > div > span::after {{ content: {drop}; font-size: 0.875rem; }}
[data-testid="stTooltipErrorContent"] {{ display: none; }}
[data-testid="stFileChip"][aria-invalid="true"]::after {{
  content: {refused}; font-size: 0.75rem; color: var(--st-red-text-color, #bd4043);
  margin-left: 0.5rem;
}}
/* "Running…", "Stop", "File change. Rerun": the page shows its own progress */
[data-testid="stStatusWidget"] {{ display: none; }}
"""


def localize_widgets(lang: str, *, upload_mb: int = 10) -> None:
    """Apply :func:`style_sheet` to the page (call once per run, from ``app.py``)."""
    if sheet := style_sheet(lang, upload_mb=upload_mb):
        st.html(f"<style>{sheet}</style>")
