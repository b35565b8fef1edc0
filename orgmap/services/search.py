"""Search the whole team: "who is this number calling me?" answered in one step.

One box takes a phone number in any format (``138 1234 5678``, ``+86 21 6123 4567``,
``021-61234567转801``), its last four or more digits, or part of a person's or a
company's name.  The answer lists the people found, each with their debtor, the
number and their last call: exact number matches first, then by most recent call
(see :mod:`orgmap.store.search` for the order and what each kind of search costs).

Text that cannot be searched raises :class:`QueryRefused` (a
:class:`~orgmap.domain.validation.ValidationError`), whose ``reason`` a page can
show in the collector's language: nothing typed, a number of fewer than four
digits, more than a name can hold, or control characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from sqlalchemy.engine import Engine

from orgmap import store
from orgmap.domain.access import Actor, mask_phone, masks_contact_details
from orgmap.domain.fields import NAME_MAX_CHARS, check_name, normalize_phone
from orgmap.domain.messages import FieldError
from orgmap.domain.validation import Problem, ValidationError
from orgmap.services.debtors import visible_team
from orgmap.store.search import Matched, TeamMatch
from orgmap.store.tables import LAST_DIGITS

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "MAX_QUERY_CHARS",
    "MIN_DIGITS",
    "Matched",
    "QueryRefused",
    "TeamMatch",
    "TeamQuery",
    "read_query",
    "search_team",
]

#: Results shown when the caller does not say; a screenful to read at a glance.
DEFAULT_LIMIT = 20
#: The most results one search returns.
MAX_LIMIT = 100
#: A query longer than the longest name could never match one.
MAX_QUERY_CHARS = NAME_MAX_CHARS
#: The fewest digits searched for: fewer would match a good part of the team.
MIN_DIGITS = LAST_DIGITS

# Chinese input methods type full-width digits and punctuation.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９＋－（）．／　", "0123456789+-()./ ")
# What a number is written with (digits, "+", spaces, - ( ) . /), and an extension
# after it as 转801, 分机 801, ext. 801 or x801: a query like this is a number.
_NUMBER_LIKE = re.compile(
    r"\+?[0-9 ()./-]*[0-9][0-9 ()./-]*"
    r"(?P<ext>\s*(?:[-]?\s*(?:转|轉|分机|分機)|;?\s*ext\.?|x)\s*[0-9]+)?",
    re.IGNORECASE,
)
# E.164 numbers have at most 15 digits: a longer suffix can never match.
_E164_MAX_DIGITS = 15
_REASONS = {
    "name.required": "empty",
    "text.too_long": "long",
    "name.multiline": "unprintable",
    "text.control_character": "unprintable",
}


class QueryRefused(ValidationError):
    """Search text that cannot be searched; ``reason`` says why, for a page to word.

    ``reason`` is ``"empty"``, ``"short"`` (a number of fewer than :data:`MIN_DIGITS`
    digits), ``"long"`` (more than :data:`MAX_QUERY_CHARS` characters) or
    ``"unprintable"`` (control characters or invisible reordering marks).
    """

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__((Problem("", message),))

    def __reduce__(self) -> tuple[type[QueryRefused], tuple[str, str]]:  # type: ignore[override]
        return (type(self), (self.reason, self.problems[0].message))


@dataclass(frozen=True, slots=True)
class TeamQuery:
    """What a search looks for, read from what was typed.

    A number query has ``digits`` (at least :data:`MIN_DIGITS`, searched as the end
    of a number) and, when the text is a whole valid number, its ``e164``; a name
    query has neither and searches ``text``.
    """

    text: str
    e164: str | None = None
    digits: str | None = None

    @property
    def is_number(self) -> bool:
        return self.digits is not None or self.e164 is not None


def read_query(text: str, *, region: str) -> TeamQuery:
    """Read search text: a number (whole, or its last digits) or part of a name.

    Numbers without ``+country`` are read as numbers of ``region`` (the team's
    ``ORGMAP_PHONE_REGION``).  Raises :class:`QueryRefused`.

    >>> read_query(" 138-1234-5678 ", region="CN")
    TeamQuery(text='138-1234-5678', e164='+8613812345678', digits='13812345678')
    >>> read_query("5678", region="CN")
    TeamQuery(text='5678', e164=None, digits='5678')
    >>> read_query("021-61234567转801", region="CN").e164
    '+862161234567'
    >>> read_query("王总", region="CN")
    TeamQuery(text='王总', e164=None, digits=None)
    >>> read_query("56", region="CN")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    orgmap.services.search.QueryRefused: '56' has 2 digits: type at least 4 (the end of ...
    """
    try:
        text = check_name(text, field="search", max_len=MAX_QUERY_CHARS)
    except FieldError as exc:
        reason = _REASONS.get(exc.code, "unprintable")
        raise QueryRefused(reason, _refusal(reason, text)) from None
    typed = text.translate(_FULL_WIDTH)
    shape = _NUMBER_LIKE.fullmatch(typed)
    if shape is None:
        return TeamQuery(text)
    digits = re.sub(r"[^0-9]", "", typed[: shape.start("ext")] if shape["ext"] else typed)
    if len(digits) < MIN_DIGITS:
        raise QueryRefused("short", _refusal("short", text, digits=len(digits)))
    try:
        e164: str | None = normalize_phone(typed, region=region).e164
    except FieldError:
        e164 = None
    return TeamQuery(text, e164, digits if len(digits) <= _E164_MAX_DIGITS else None)


def _refusal(reason: str, text: str, *, digits: int = 0) -> str:
    if reason == "empty":
        return f"type a phone number, its last {MIN_DIGITS} or more digits, or part of a name"
    if reason == "short":
        return (
            f"{text!r} has {digits} digit{'s' if digits != 1 else ''}: type at least "
            f"{MIN_DIGITS} (the end of a number), or a name"
        )
    if reason == "long":
        return f"the search text is {len(text)} characters long; at most {MAX_QUERY_CHARS}"
    return "the search text holds control characters or invisible marks; type plain text"


def search_team(
    engine: Engine, text: str, *, actor: Actor, region: str, limit: int = DEFAULT_LIMIT
) -> list[TeamMatch]:
    """The people across the team that ``text`` finds, at most ``limit`` (1 to :data:`MAX_LIMIT`).

    ``text`` is read by :func:`read_query` (``region`` for numbers without
    ``+country``): a number finds the people with that number first, then those
    whose number ends in the digits typed; a name finds people by their name, then
    by their company's.  Archived contacts are left out, and so are the debtors
    ``actor`` may not see (a condition of the query: a team's search costs what
    it finds).  A viewer gets the numbers masked.  Raises :class:`QueryRefused`.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be from 1 to {MAX_LIMIT}, got {limit}")
    query = read_query(text, region=region)
    team_id = visible_team(actor)
    with store.snapshot(engine) as connection:
        if query.is_number:
            found = store.find_by_number(
                connection, e164=query.e164, digits=query.digits, limit=limit, team_id=team_id
            )
        else:
            found = store.find_by_name(connection, text=query.text, limit=limit, team_id=team_id)
    if masks_contact_details(actor):
        return [replace(m, phone=mask_phone(m.phone)) if m.phone else m for m in found]
    return found
