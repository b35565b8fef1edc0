"""Problem messages in the two languages collectors read: zh-CN and English.

Every check that rejects input names what went wrong with a *code* (``phone.invalid``)
and *params* (``value="'12345'"``, ``region="CN"``); the templates for each code live
in ``problem_messages.json`` beside this module, one per language.  The English
template reproduces the text the CLI has always printed, so ``str()`` of an error
is unchanged; :func:`render_message` gives the same message in zh-CN.

Field names and paths stay machine names in the data (``referred_to.phone``,
``debtors[acme].contacts[li_ming].phones[0]``); :func:`describe_path` turns them into
words for a collector.  Pure: standard library only.

>>> render_message("phone.invalid", "zh-CN", {"value": "'12345'", "region": "CN"})
"'12345' 不是有效的电话号码（不带 +国家码的号码按 CN 地区解读）"
>>> describe_path("referred_to.phone", "zh-CN")
'被引荐人的电话'
>>> describe_path("debtors[acme].contacts[li_ming].phones[0]", "en")
'debtor acme › contact li_ming › phone 1'
>>> str(FieldError("name.required", field="name"))
'name is required'
"""

from __future__ import annotations

import functools
import json
import re
import string
from collections.abc import Mapping
from pathlib import Path

__all__ = [
    "LOCALIZED_PARAMS",
    "FieldError",
    "FieldWarning",
    "catalogue",
    "describe_path",
    "placeholders",
    "render_message",
]

CATALOGUE_FILE = Path(__file__).parent / "problem_messages.json"

#: Params whose values are words, not data: rendered in the reader's language.
#: ``field`` is a field name or path; the others are looked up in the "terms" table.
LOCALIZED_PARAMS = ("field", "kind", "type", "outcome")

_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[([^\]]*)\])?")
_CSV_PLACE = re.compile(r"row ([0-9]+)(?:, column ([A-Za-z_]+))?")


@functools.cache
def catalogue() -> dict[str, dict[str, dict[str, str]]]:
    """``{"messages"|"fields"|"terms": {language: {name: text}}}`` from the JSON file."""
    data: dict[str, dict[str, dict[str, str]]] = json.loads(
        CATALOGUE_FILE.read_text(encoding="utf-8")
    )
    return data


def _lang(lang: str | None) -> str:
    # The same rule as orgmap.i18n.normalize_lang, kept here so the domain imports nothing.
    return "zh-CN" if (lang or "").lower().replace("_", "-").startswith("zh") else "en"


def placeholders(template: str) -> set[str]:
    """The ``{name}`` placeholders of a template (``{{`` is a literal brace)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def render_message(
    code: str, lang: str, params: Mapping[str, str], *, localize: bool = False
) -> str:
    """The message for ``code`` in ``lang`` with ``params`` filled in.

    With ``localize`` the word-like params (:data:`LOCALIZED_PARAMS`) are translated
    too; without it they are inserted exactly as given, which is how the English
    text of :class:`FieldError` matches what the CLI printed before codes existed.
    Raises KeyError for an unknown code or a missing param (callers fall back).
    """
    language = _lang(lang)
    template = catalogue()["messages"][language][code]
    values = dict(params)
    if localize:
        for name in LOCALIZED_PARAMS:
            if name in values:
                values[name] = _localize_param(name, values[name], language)
    return template.format(**values)


def _localize_param(name: str, value: str, lang: str) -> str:
    if name == "field":
        return describe_path(value, lang)
    return catalogue()["terms"][lang].get(value, value)


def describe_path(path: str, lang: str) -> str:
    """A machine path in words: ``referred_to.phone`` → "referred person › phone"
    (en) or "被引荐人的电话" (zh-CN).  Indexes count from 1; keys are kept as written.

    A path it cannot read is returned unchanged.
    """
    language = _lang(lang)
    labels = catalogue()["fields"][language]
    place = _CSV_PLACE.fullmatch(path)
    if place:  # the CSV reader's "row 3, column phones"
        row, column = place.groups()
        template = labels["@row_column" if column else "@row"]
        return template.format(row=row, column=_field_label(column or "", labels, language))
    words = []
    for segment in path.split("."):
        match = _SEGMENT.fullmatch(segment)
        if match is None:
            return path
        name, index = match.groups()
        word = _field_label(name, labels, language)
        if index is not None:
            word += f" {int(index) + 1}" if index.isdigit() else f" {index}"
        words.append(word)
    return labels["@join"].join(words)


def _field_label(name: str, labels: Mapping[str, str], lang: str) -> str:
    if name in labels:
        return labels[name]
    return name.replace("_", " ") if lang == "en" else name


class FieldError(ValueError):
    """A value was rejected: ``code`` names why, ``params`` fill the message.

    ``str()`` is the English message.  Params are text, already quoted where the
    message quotes them (see :func:`orgmap.domain.fields.shown`).
    """

    def __init__(self, code: str, /, **params: object) -> None:
        self.code = code
        self.params: dict[str, str] = {name: str(value) for name, value in params.items()}
        super().__init__(render_message(code, "en", self.params))

    def __reduce__(self) -> tuple[object, ...]:
        # ValueError pickles its args (the English text); rebuild from code and params.
        return (_rebuild_field_error, (self.code, self.params))

    def text(self, lang: str) -> str:
        """The message in ``lang``, field names included in that language."""
        return render_message(self.code, lang, self.params, localize=True)


def _rebuild_field_error(code: str, params: dict[str, str]) -> FieldError:
    return FieldError(code, **params)


class FieldWarning(str):
    """A value was kept but looks wrong: the English message, with ``code`` and ``params``.

    A ``str`` (so callers that print or search it keep working) that also carries
    what :meth:`text` needs to say it in another language.
    """

    code: str
    params: dict[str, str]

    def __new__(cls, code: str, /, **params: object) -> FieldWarning:
        values = {name: str(value) for name, value in params.items()}
        warning = super().__new__(cls, render_message(code, "en", values))
        warning.code, warning.params = code, values
        return warning

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_field_warning, (self.code, self.params))

    def text(self, lang: str) -> str:
        """The warning in ``lang``, field names included in that language."""
        return render_message(self.code, lang, self.params, localize=True)


def _rebuild_field_warning(code: str, params: dict[str, str]) -> FieldWarning:
    return FieldWarning(code, **params)
