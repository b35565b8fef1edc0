"""The team's debtor list at team scale: one page at a time, and the next step of the rows shown.

The database searches, filters, sorts and counts (:func:`list_page`); only the
page's debtors get their contact counts and last contact worked out, and only the
rows a collector sees are routed (:func:`next_step`, which the app caches per
debtor).  So the list's cost grows with the rows shown, not with the team: the
first page of a 10,000-debtor team costs about what it costs on 100 (see the
README's Performance section).

Paging is by offset (``LIMIT … OFFSET …``), not by keyset: the list sorts by
columns no index covers (name, amount, due date, last contact), so the database
sorts the matching rows whatever the paging, and a keyset cursor would only add
a "the rows after this one" condition while losing what a collector uses —
"page 7 of 400", a jump to any page, a page that survives a change of sort.  At
team scale the offset itself is cheap (the last page of 10,000 costs a few
milliseconds more than the first), and the key as the last sort column keeps
pages from overlapping when values tie.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from orgmap import store
from orgmap.domain.access import Actor
from orgmap.domain.model import Phone
from orgmap.routing import History, Step, Weights, summarize_history
from orgmap.routing.dialling import callable_phones
from orgmap.services.debtors import open_debtor, visible_team
from orgmap.services.routes import routing_weights
from orgmap.store import DebtorFilters, DebtorSort, DebtorSummary, SortColumn

__all__ = [
    "BY_KEY",
    "EVERYONE",
    "MAX_PAGE_SIZE",
    "PAGE_SIZES",
    "DebtorChoices",
    "DebtorFilters",
    "DebtorPage",
    "DebtorSort",
    "DebtorSummary",
    "SortColumn",
    "collectors",
    "debtor_choices",
    "list_page",
    "next_step",
]

#: The page sizes the app offers; the first is the default.
PAGE_SIZES = (25, 50, 100)
MAX_PAGE_SIZE = max(PAGE_SIZES)
#: The list's default order and filters: by key, everyone.
BY_KEY = DebtorSort()
EVERYONE = DebtorFilters()


@dataclass(frozen=True, slots=True)
class DebtorPage:
    """One page of the debtor list: its rows, and how many debtors the whole list holds.

    ``page`` counts from 1 and is the page actually shown: a page past the end
    (the list shrank since it was asked for) becomes the last one.

    >>> DebtorPage(rows=(), total=51, page=3, page_size=25).pages
    3
    >>> DebtorPage(rows=(), total=0, page=1, page_size=25).pages
    1
    """

    rows: tuple[DebtorSummary, ...]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        """How many pages the list fills (an empty list is one empty page)."""
        return max(1, -(-self.total // self.page_size))


def list_page(
    engine: Engine,
    *,
    actor: Actor,
    query: str = "",
    sort: DebtorSort = BY_KEY,
    filters: DebtorFilters = EVERYONE,
    page: int = 1,
    page_size: int = PAGE_SIZES[0],
) -> DebtorPage:
    """Page ``page`` of the debtors matching ``query`` and ``filters``, in ``sort`` order.

    ``query`` is a case-insensitive substring of a debtor's name, key or
    collector.  Only debtors ``actor`` may see are listed (their team's, every
    team's for an admin: a condition of the query, not a filter of its rows).
    The count and the page are read in one snapshot, so they agree.  Raises
    :class:`ValueError` for a page below 1 or a size outside 1 to :data:`MAX_PAGE_SIZE`.
    """
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page must be >= 1 and page_size 1 to {MAX_PAGE_SIZE}")
    team_id = visible_team(actor)
    with store.snapshot(engine) as connection:
        total = store.count_debtors(connection, search=query, filters=filters, team_id=team_id)
        page = min(page, max(1, -(-total // page_size)))
        rows = store.list_debtor_page(
            connection,
            search=query,
            sort=sort,
            filters=filters,
            offset=(page - 1) * page_size,
            limit=page_size,
            team_id=team_id,
        )
    return DebtorPage(tuple(rows), total, page, page_size)


@dataclass(frozen=True, slots=True)
class NextStep:
    """The first step of a debtor's best route, with the numbers to dial them on
    (a number whose last call hit a wrong number left out, as routing leaves it)."""

    step: Step
    numbers: tuple[Phone, ...]


def next_step(
    engine: Engine,
    debtor_key: str,
    *,
    actor: Actor,
    lang: str = "en",
    weights: Weights | None = None,
) -> NextStep | None:
    """Whom to reach first at ``debtor_key``, and how: the first step of its best route.

    ``None`` when no route reaches anyone who can authorize payment.  One
    debtor's answer (its map, read once and routed): the list asks for the rows
    it shows.  Raises :class:`~orgmap.store.NotFoundError` for an unknown key (or a
    debtor ``actor`` may not see); a viewer gets the numbers masked.
    """
    now = datetime.now(UTC)
    view = open_debtor(engine, debtor_key, actor=actor, k=1, lang=lang, now=now, weights=weights)
    assert view.route is not None
    if not view.route.routes:
        return None
    step = view.route.routes[0].steps[0]
    contact = view.map.contact(step.contact)
    if contact is None:
        return NextStep(step, ())
    histories = summarize_history(view.map, now=now, weights=weights or routing_weights())
    usable = histories.get(step.contact, History()).number_usable
    return NextStep(step, callable_phones(contact, usable=usable))


def collectors(engine: Engine, *, actor: Actor) -> list[str]:
    """The collectors the debtors ``actor`` may see are assigned to, each once, in order."""
    with store.snapshot(engine) as connection:
        return store.list_collectors(connection, team_id=visible_team(actor))


@dataclass(frozen=True, slots=True)
class DebtorChoices:
    """A bounded list of debtors to choose from: key → name, in key order.

    ``more`` says the team has debtors the list leaves out (find them on the
    Debtors page).
    """

    names: dict[str, str]
    more: bool


def debtor_choices(
    engine: Engine, *, actor: Actor, keep: Iterable[str | None], first: int
) -> DebtorChoices:
    """The debtors ``keep`` (those that still exist) and the ``first`` debtors by key,
    of those ``actor`` may see (a key kept from a URL that names another team's
    debtor is left out, as one that does not exist).

    Two indexed reads whatever the team's size: a picker that offers every
    debtor would read the whole team on every page.
    """
    kept = {key for key in keep if key}
    team_id = visible_team(actor)
    with store.snapshot(engine) as connection:
        leading = list(store.debtor_names(connection, first=first + 1, team_id=team_id).items())
        names = dict(leading[:first])
        if missing := kept - names.keys():
            names |= store.debtor_names(connection, keys=missing, team_id=team_id)
    return DebtorChoices(dict(sorted(names.items())), more=len(leading) > first)
