"""What the route engine says, in every language it speaks.

All text lives in ``tactics.json`` beside this module: tactic hints drawn from
the seed (article 5: receptionists, foxes, sales/finance buck-passing, eagle
and donkey bosses; article 4 for broken promises, refusals and silence), the
words behind each cost, "what to learn next", warnings and the plan's labels.
Translators and team leads edit that file, not this code.

A hint is chosen by the first rule in ``hints`` whose ``when`` matches the
step: the contact's department and disposition, ``via`` (the channel or
relation type used to reach them) and ``buck`` (reached by passing the buck,
or sitting on a buck-passing loop).  One sentence about recent history (a
broken promise, a refusal, a dispute, silence) may follow.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from orgmap.domain.model import Contact

__all__ = ["LANGUAGES", "check_language", "choose_hint", "format_amount", "format_reason", "say"]

#: Languages every text in tactics.json is written in.
LANGUAGES = ("en", "zh-CN")

_CONDITIONS = {"department", "disposition", "via", "buck"}


@dataclass(frozen=True, slots=True)
class _Hint:
    when: Mapping[str, Any]
    text: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class _Catalogue:
    hints: tuple[_Hint, ...]
    history_hints: tuple[tuple[str, Mapping[str, str]], ...]
    messages: Mapping[str, Mapping[str, str]]


def check_language(lang: str) -> str:
    """Return ``lang`` if the engine speaks it, else raise a ValueError naming it.

    >>> check_language("zh-CN")
    'zh-CN'
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}; got {lang!r}")
    return lang


def say(key: str, lang: str, **params: object) -> str:
    """The message ``key`` in ``lang`` with ``params`` filled in.

    >>> say("ago.days", "zh-CN", n=3)
    '3天前'
    """
    return _catalogue().messages[key][lang].format(**params)


def format_amount(amount: float) -> str:
    """A cost for people: at most two decimals, no trailing zeros.

    >>> format_amount(3.0), format_amount(1.2000001), format_amount(0.125)
    ('3', '1.2', '0.12')
    """
    text = f"{amount:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_reason(code: str, amount: float, params: Sequence[tuple[str, object]], lang: str) -> str:
    """One reason in words with its share of the cost, e.g. ``fox gatekeeper +3.5``.

    A parameter named ``ago`` is an age in whole days and is put in words.

    >>> format_reason("history.refused.one", 2.0, [("ago", 3)], "en")
    'refused 3 days ago +2'
    """
    values = {name: _ago(value, lang) if name == "ago" else value for name, value in params}
    return f"{say(code, lang, **values)} +{format_amount(amount)}"


def choose_hint(*, contact: Contact, via: str, buck: bool, flags: frozenset[str], lang: str) -> str:
    """The tactic hint for talking to ``contact`` reached by ``via``.

    ``flags`` names what the contact's recent history still weighs with
    (``broken_promise``, ``refused``, ``disputed``, ``no_answer``, ``referred``).

    >>> from orgmap.domain.model import Department, Disposition
    >>> fox = Contact("f", "Fang", Department.RECEPTION, disposition=Disposition.FOX)
    >>> choose_hint(contact=fox, via="phone", buck=False, flags=frozenset(), lang="en")[:6]
    'A fox '
    """
    catalogue = _catalogue()
    situation = {
        "department": contact.department.value,
        "disposition": contact.disposition.value,
        "via": via,
        "buck": buck,
    }
    hint = next(h for h in catalogue.hints if _matches(h.when, situation))
    text = hint.text[lang]
    extra = next((t for flag, t in catalogue.history_hints if flag in flags), None)
    if extra is None:
        return text
    return text + say("sep.sentence", lang) + extra[lang]


def _matches(when: Mapping[str, Any], situation: Mapping[str, Any]) -> bool:
    for name, wanted in when.items():
        value = situation[name]
        if isinstance(wanted, list):
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True


def _ago(days: object, lang: str) -> str:
    if days == 0:
        return say("ago.today", lang)
    if days == 1:
        return say("ago.yesterday", lang)
    return say("ago.days", lang, n=days)


@functools.cache
def _catalogue() -> _Catalogue:
    raw = json.loads(resources.files("orgmap.routing").joinpath("tactics.json").read_text("utf-8"))
    return _parse_catalogue(raw)


def _parse_catalogue(raw: Mapping[str, Any]) -> _Catalogue:
    """Check the data file once, so a missing translation fails loudly at first use."""
    hints = []
    for i, entry in enumerate(raw["hints"]):
        unknown = set(entry["when"]) - _CONDITIONS
        if unknown:
            raise ValueError(f"tactics.json hints[{i}]: unknown condition {sorted(unknown)}")
        hints.append(_Hint(when=entry["when"], text=_translations(entry, f"hints[{i}]")))
    if not hints or hints[-1].when:
        raise ValueError("tactics.json: the last hint must match everything (empty 'when')")
    history = tuple(
        (entry["flag"], _translations(entry, f"history_hints[{i}]"))
        for i, entry in enumerate(raw["history_hints"])
    )
    messages = {key: _translations(value, key) for key, value in raw["messages"].items()}
    return _Catalogue(hints=tuple(hints), history_hints=history, messages=messages)


def _translations(entry: Mapping[str, Any], where: str) -> Mapping[str, str]:
    # Empty text is allowed (Chinese needs no space between sentences).
    missing = [lang for lang in LANGUAGES if not isinstance(entry.get(lang), str)]
    if missing:
        raise ValueError(f"tactics.json {where}: no text for {', '.join(missing)}")
    return {lang: entry[lang] for lang in LANGUAGES}
