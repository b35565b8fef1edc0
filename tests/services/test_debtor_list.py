"""The debtor list a page at a time, on SQLite and PostgreSQL: paging, totals, search,
sorts with ties, filters, "my cases", the next step of a shown row, the sidebar's choices.

The central check is a property: for any search, filters, sort and page size,
reading every page in turn gives exactly the team's list as filtered and sorted
in Python from :func:`~orgmap.store.list_debtors` (the whole-team summary), with
the same per-debtor figures, no row twice and none missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from orgmap.domain.access import Actor, Role
from orgmap.domain.model import Department
from orgmap.services import debtor_list
from orgmap.services.debtor_list import DebtorFilters, DebtorSort, SortColumn
from orgmap.services.debtors import open_debtor, route_debtor
from orgmap.services.errors import NotFoundError
from orgmap.store import DebtorSummary, list_debtors, save_maps, snapshot, transaction
from orgmap.store.tables import debtor_table
from tests.factories import BASE_TIME, classic_contacts, make_contact, make_interaction, make_map

#: Who the tests act as where who acts does not matter: an administrator.
ADMIN = Actor("t", Role.ADMIN)

D = Decimal


def _debtor(
    key: str,
    name: str,
    *,
    amount: str = "100.00",
    due: date | None = date(2026, 10, 1),
    collector: str = "li",
    calls: tuple[int, ...] = (0,),
    authorizer: bool = True,
    archived_contact: bool = False,
) -> Any:
    """A small map; ``calls`` are minutes after the factories' base time."""
    contacts = classic_contacts() if authorizer else (make_contact("desk"),)
    if archived_contact:
        contacts = (*contacts, make_contact("gone", archived=True))
    return make_map(
        key,
        name=name,
        amount_owed=D(amount),
        due_date=due,
        assigned_to=collector,
        contacts=contacts,
        relations=() if not authorizer else None,
        interactions=tuple(make_interaction("desk", minutes=m) for m in calls),
    )


#: Twelve debtors with ties in every sortable column, a missing due date and
#: never-contacted debtors, names in two cases and two scripts, and a name holding
#: LIKE's own wildcards.
TEAM = (
    _debtor("a1", "acme", calls=(0, 60)),
    _debtor("a2", "Acme Two", due=None, collector="wang", calls=(), authorizer=False),
    _debtor("b1", "beta 50%_off", amount="5000.50", due=date(2026, 9, 1), calls=(600,)),
    _debtor("b2", "上海贝塔贸易有限公司", amount="0.00", collector="", calls=(60,)),
    _debtor("c1", "ceta", due=date(2026, 11, 1), collector="Li", archived_contact=True),
    _debtor("c2", "acme", amount="5000.50", due=None, collector="wang", calls=(600, 30)),
    _debtor("d1", "delta", amount="250.00", calls=()),
    _debtor("d2", "DELTA", amount="250.00", due=date(2026, 9, 1), collector="wang", calls=(5,)),
    _debtor("e1", "epsilon", amount="99999.99", calls=(60,)),
    _debtor("e2", "eta", amount="100.00", due=date(2026, 11, 1), calls=(-9000,)),
    _debtor("f1", "zeta 100%", amount="1.00", collector="zhou", calls=(0,)),
    _debtor("f2", "theta", amount="1.00", due=None, collector="zhou", calls=()),
)


def store_team(engine: Engine) -> None:
    # Stored out of key order, so ties never come out in key order by luck of storage.
    with transaction(engine) as connection:
        save_maps(connection, [*TEAM[1::2], *reversed(TEAM[::2])], by="seed")


@pytest.fixture
def team(engine: Engine) -> Engine:
    store_team(engine)
    return engine


def everything(engine: Engine) -> list[DebtorSummary]:
    with snapshot(engine) as connection:
        return list_debtors(connection)


def name_ranks(engine: Engine) -> dict[str, int]:
    """Each name's place in the database's own order of names (its collation's, which
    on a PostgreSQL server set up for a language may differ from Python's)."""
    with snapshot(engine) as connection:
        names = connection.execute(
            sa.select(debtor_table.c.name).distinct().order_by(debtor_table.c.name)
        ).scalars()
        return {name: rank for rank, name in enumerate(names)}


def expected(
    rows: list[DebtorSummary],
    *,
    query: str,
    sort: DebtorSort,
    filters: DebtorFilters,
    ranks: dict[str, int],
) -> list[DebtorSummary]:
    """The list filtered and sorted in Python: what every page together must equal."""
    needle = query.strip().lower()
    kept = [
        r
        for r in rows
        if (not needle or any(needle in f.lower() for f in (r.name, r.key, r.assigned_to)))
        and (filters.assigned_to is None or r.assigned_to == filters.assigned_to)
        and (filters.min_amount is None or r.amount_owed >= filters.min_amount)
        and (filters.max_amount is None or r.amount_owed <= filters.max_amount)
        and (
            filters.contacted_since is None
            or (r.last_contact_at is not None and r.last_contact_at >= filters.contacted_since)
        )
        and (
            filters.not_contacted_since is None
            or r.last_contact_at is None
            or r.last_contact_at < filters.not_contacted_since
        )
    ]
    kept.sort(key=lambda r: r.key, reverse=sort.column is SortColumn.KEY and sort.descending)
    if sort.column is SortColumn.KEY:
        return kept
    # Stable sorts (reverse=True keeps equal rows in key order): the key breaks ties.
    primary = {
        SortColumn.NAME: lambda r: ranks[r.name],
        SortColumn.AMOUNT: lambda r: r.amount_owed,
        # No due date sorts as due latest; never contacted as contacted longest ago.
        SortColumn.DUE_DATE: lambda r: (r.due_date is None, r.due_date or date.min),
        SortColumn.LAST_CONTACT: lambda r: (
            r.last_contact_at is not None,
            r.last_contact_at or BASE_TIME,
        ),
    }[sort.column]
    kept.sort(key=primary, reverse=sort.descending)
    return kept


def all_pages(engine: Engine, *, page_size: int, **asked: Any) -> tuple[list[DebtorSummary], int]:
    """Every page in turn; the rows, and the total each page reported (they must agree)."""
    first = debtor_list.list_page(engine, page=1, page_size=page_size, **asked, actor=ADMIN)
    rows, totals = list(first.rows), {first.total}
    for number in range(2, first.pages + 1):
        page = debtor_list.list_page(engine, page=number, page_size=page_size, **asked, actor=ADMIN)
        assert page.page == number and len(page.rows) <= page_size
        rows += page.rows
        totals.add(page.total)
    assert len(totals) == 1
    return rows, first.total


# --- paging and totals ---------------------------------------------------------------


def test_pages_cover_the_list_once_in_order(team: Engine):
    first = debtor_list.list_page(team, page=1, page_size=5, actor=ADMIN)
    assert (first.total, first.pages, first.page) == (12, 3, 1)
    assert [r.key for r in first.rows] == ["a1", "a2", "b1", "b2", "c1"]
    last = debtor_list.list_page(team, page=3, page_size=5, actor=ADMIN)
    assert [r.key for r in last.rows] == ["f1", "f2"]
    rows, total = all_pages(team, page_size=5)
    assert rows == everything(team) and total == 12


def test_a_page_past_the_end_shows_the_last_page(team: Engine):
    page = debtor_list.list_page(team, query="acme", page=9, page_size=2, actor=ADMIN)
    assert (page.total, page.page, [r.key for r in page.rows]) == (3, 2, ["c2"])


def test_an_empty_list_is_one_empty_page(engine: Engine):
    page = debtor_list.list_page(engine, page=4, actor=ADMIN)
    assert (page.rows, page.total, page.page, page.pages) == ((), 0, 1, 1)


@pytest.mark.parametrize("page, page_size", [(0, 25), (1, 0), (1, debtor_list.MAX_PAGE_SIZE + 1)])
def test_a_bad_page_or_size_is_refused(engine: Engine, page: int, page_size: int):
    with pytest.raises(ValueError):
        debtor_list.list_page(engine, page=page, page_size=page_size, actor=ADMIN)


def test_each_row_carries_the_same_figures_as_the_whole_team_summary(team: Engine):
    by_key = {r.key: r for r in everything(team)}
    rows, _ = all_pages(team, page_size=4)
    assert {r.key: r for r in rows} == by_key
    c1, a2 = by_key["c1"], by_key["a2"]
    assert c1.contact_count == 4  # the archived contact is not counted
    assert (a2.authorizer_known, a2.last_contact_at, a2.contact_count) == (False, None, 1)
    assert by_key["a1"].last_contact_at == BASE_TIME + timedelta(minutes=60)


def test_a_page_reads_three_statements_and_figures_only_its_own_debtors(team: Engine):
    statements: list[tuple[str, Any]] = []

    def seen(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    sa.event.listen(team, "before_cursor_execute", seen)
    try:
        page = debtor_list.list_page(
            team, sort=DebtorSort(SortColumn.LAST_CONTACT), page=2, page_size=4, actor=ADMIN
        )
    finally:
        sa.event.remove(team, "before_cursor_execute", seen)
    assert len(page.rows) == 4 and len(statements) == 3  # count, page, its figures
    # No grouping of the team's contacts or calls: each figure is for the page's ids.
    assert not any("GROUP BY" in s.upper() for s, _ in statements)
    figures, parameters = statements[-1]
    assert "contact_count" in figures and len(parameters) == 4


# --- search -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, keys",
    [
        ("ACME", ["a1", "a2", "c2"]),  # case-insensitive
        ("  delta ", ["d1", "d2"]),  # trimmed, both cases
        ("贝塔", ["b2"]),
        ("b1", ["b1"]),  # a key
        ("wang", ["a2", "c2", "d2"]),  # a collector
        ("%", ["b1", "f1"]),  # LIKE's wildcards match only themselves
        ("%_", ["b1"]),
        ("nobody", []),
    ],
)
def test_search_matches_name_key_or_collector(team: Engine, query: str, keys: list[str]):
    page = debtor_list.list_page(team, query=query, actor=ADMIN)
    assert [r.key for r in page.rows] == keys and page.total == len(keys)


# --- sorts -------------------------------------------------------------------------------


def keys_sorted(engine: Engine, column: SortColumn, descending: bool = False) -> list[str]:
    rows, _ = all_pages(engine, page_size=5, sort=DebtorSort(column, descending))
    return [r.key for r in rows]


def test_ties_in_amount_are_broken_by_key_in_either_direction(team: Engine):
    assert keys_sorted(team, SortColumn.AMOUNT) == [
        *("b2", "f1", "f2", "a1", "a2", "c1", "e2", "d1", "d2", "b1", "c2", "e1"),
    ]
    assert keys_sorted(team, SortColumn.AMOUNT, descending=True) == [
        *("e1", "b1", "c2", "d1", "d2", "a1", "a2", "c1", "e2", "f1", "f2", "b2"),
    ]


def test_a_missing_due_date_sorts_as_due_latest(team: Engine):
    ascending = keys_sorted(team, SortColumn.DUE_DATE)
    assert ascending[:2] == ["b1", "d2"] and ascending[-3:] == ["a2", "c2", "f2"]
    assert keys_sorted(team, SortColumn.DUE_DATE, descending=True)[:4] == ["a2", "c2", "f2", "c1"]


def test_never_contacted_sorts_as_contacted_longest_ago(team: Engine):
    ascending = keys_sorted(team, SortColumn.LAST_CONTACT)
    assert ascending[:4] == ["a2", "d1", "f2", "e2"]
    descending = keys_sorted(team, SortColumn.LAST_CONTACT, descending=True)
    assert descending[:2] == ["b1", "c2"] and descending[-3:] == ["a2", "d1", "f2"]


def test_names_sort_with_the_key_breaking_ties(team: Engine):
    by_name = keys_sorted(team, SortColumn.NAME)
    assert by_name.index("a1") + 1 == by_name.index("c2")  # both "acme"
    descending = keys_sorted(team, SortColumn.NAME, descending=True)
    assert descending.index("a1") + 1 == descending.index("c2")


# --- filters ------------------------------------------------------------------------


def test_my_cases_are_the_ones_assigned_to_me_exactly(team: Engine):
    mine = debtor_list.list_page(team, filters=DebtorFilters(assigned_to="wang"), actor=ADMIN)
    assert [r.key for r in mine.rows] == ["a2", "c2", "d2"] and mine.total == 3
    li = debtor_list.list_page(team, filters=DebtorFilters(assigned_to="li"), actor=ADMIN)
    assert "c1" not in [r.key for r in li.rows]  # assigned to "Li", someone else
    nobody = debtor_list.list_page(team, filters=DebtorFilters(assigned_to=""), actor=ADMIN)
    assert [r.key for r in nobody.rows] == ["b2"]


def test_amount_bounds_are_inclusive(team: Engine):
    page = debtor_list.list_page(
        team, filters=DebtorFilters(min_amount=D("250.00"), max_amount=D("5000.50")), actor=ADMIN
    )
    assert [r.key for r in page.rows] == ["b1", "c2", "d1", "d2"]


def test_last_contact_filters_count_never_contacted_as_not_contacted(team: Engine):
    since = BASE_TIME + timedelta(minutes=60)
    recent = debtor_list.list_page(team, filters=DebtorFilters(contacted_since=since), actor=ADMIN)
    assert [r.key for r in recent.rows] == ["a1", "b1", "b2", "c2", "e1"]
    quiet = debtor_list.list_page(
        team, filters=DebtorFilters(not_contacted_since=since), actor=ADMIN
    )
    assert [r.key for r in quiet.rows] == ["a2", "c1", "d1", "d2", "e2", "f1", "f2"]


def test_filters_search_and_sort_combine(team: Engine):
    page = debtor_list.list_page(
        team,
        query="a",
        sort=DebtorSort(SortColumn.AMOUNT, descending=True),
        filters=DebtorFilters(assigned_to="wang"),
        page_size=2,
        actor=ADMIN,
    )
    assert ([r.key for r in page.rows], page.total, page.pages) == (["c2", "d2"], 3, 2)


def mostly_none(values: list[Any]) -> st.SearchStrategy[Any]:
    """A filter left unset three times in four: set ones often leave nothing to order."""
    return st.one_of(st.none(), st.none(), st.none(), st.sampled_from(values))


QUERIES = st.sampled_from(["", "", "a", "ACME", "li", "%", "_", "贝塔", "e", " t", "zz"])
AMOUNTS = mostly_none([D("0.00"), D("1.00"), D("100.00"), D("250.00"), D("5000.50")])
INSTANTS = mostly_none([BASE_TIME + timedelta(minutes=m) for m in (-9000, 0, 60, 601)])
FILTERS = st.builds(
    DebtorFilters,
    assigned_to=mostly_none(["li", "wang", "zhou", "", "Li"]),
    min_amount=AMOUNTS,
    max_amount=AMOUNTS,
    contacted_since=INSTANTS,
    not_contacted_since=INSTANTS,
)
SORTS = st.builds(DebtorSort, st.sampled_from(list(SortColumn)), st.booleans())


@pytest.fixture
def team_once(engine: Engine) -> Iterator[tuple[Engine, list[DebtorSummary], dict[str, int]]]:
    store_team(engine)
    yield engine, everything(engine), name_ranks(engine)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=QUERIES, sort=SORTS, filters=FILTERS, page_size=st.integers(1, 5))
def test_every_page_together_is_the_list_filtered_and_sorted(
    team_once: tuple[Engine, list[DebtorSummary], dict[str, int]],
    query: str,
    sort: DebtorSort,
    filters: DebtorFilters,
    page_size: int,
):
    engine, whole, ranks = team_once  # only read: every example sees the same team
    rows, total = all_pages(engine, page_size=page_size, query=query, sort=sort, filters=filters)
    want = expected(whole, query=query, sort=sort, filters=filters, ranks=ranks)
    assert [r.key for r in rows] == [r.key for r in want]
    assert rows == want and total == len(want)


# --- the next step, collectors, the sidebar's choices ---------------------------------


def test_the_next_step_is_the_first_step_of_the_best_route(team: Engine):
    found = debtor_list.next_step(team, "a1", lang="en", actor=ADMIN)
    assert found is not None
    assert (
        found.step
        == route_debtor(team, debtor_key="a1", k=1, lang="en", actor=ADMIN).routes[0].steps[0]
    )
    person = open_debtor(team, "a1", k=0, actor=ADMIN).map.contact(found.step.contact)
    assert person is not None and person.phones
    assert [p.e164 for p in found.numbers] == list(dict.fromkeys(p.e164 for p in person.phones))


def test_no_next_step_without_anyone_to_route_to(engine: Engine):
    solo = make_map(
        "solo",
        contacts=(make_contact("zhang", department=Department.SALES, phones=()),),
        relations=(),
        interactions=(),
    )
    with transaction(engine) as connection:
        save_maps(connection, [solo], by="seed")
    assert debtor_list.next_step(engine, "solo", actor=ADMIN) is None
    with pytest.raises(NotFoundError):
        debtor_list.next_step(engine, "nobody", actor=ADMIN)


def test_collectors_are_listed_once_in_order(team: Engine):
    assert debtor_list.collectors(team, actor=ADMIN) == ["Li", "li", "wang", "zhou"]


def test_choices_are_bounded_and_keep_the_current_and_recent_debtors(team: Engine):
    choices = debtor_list.debtor_choices(
        team, keep=["f2", None, "gone", "a1"], first=3, actor=ADMIN
    )
    assert list(choices.names) == ["a1", "a2", "b1", "f2"] and choices.more
    assert choices.names["a2"] == "Acme Two"
    whole = debtor_list.debtor_choices(team, keep=[], first=12, actor=ADMIN)
    assert len(whole.names) == 12 and not whole.more
    assert debtor_list.debtor_choices(team, keep=["f2"], first=0, actor=ADMIN).names == {
        "f2": "theta"
    }
