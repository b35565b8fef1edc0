"""Every word the app shows, in zh-CN and English, kept in ``messages.json``.

Names of enum values (departments, outcomes …) come from :mod:`orgmap.i18n`;
everything else on screen comes from here.  Translators edit the JSON file, a
test checks that both languages have the same keys and that every key the code
asks for exists.

>>> t("page.debtors", "en")
'Debtors'
>>> t("debtors.count", "zh-CN", n=3)
'共 3 个债务人'
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from orgmap.i18n import LANGUAGES, normalize_lang

__all__ = ["LANGUAGES", "messages", "t"]


@functools.cache
def messages() -> dict[str, dict[str, str]]:
    """``{language: {key: text}}`` as shipped in ``orgmap/ui/messages.json``."""
    raw = resources.files("orgmap.ui").joinpath("messages.json").read_text(encoding="utf-8")
    return json.loads(raw)


def t(key: str, lang: str, /, **values: Any) -> str:
    """The text for ``key`` in ``lang``, with ``{name}`` placeholders filled from ``values``.

    An unknown key raises :class:`KeyError` (a test keeps that from shipping).
    Values are inserted as given: escape user-typed ones before putting the
    result into markdown.
    """
    text = messages()[normalize_lang(lang)][key]
    return text.format(**values) if values else text
