"""Realistic debtor maps from a seed, for benchmarks and tests.

Each debtor looks like the companies of the seed's article 5: one or two
receptionists (sheep or fox) in front of an owner (eagle or donkey) and a few
managers; sales, purchasing and finance departments with a head and staff
reporting up (team leads once a department passes a dozen people); sales and
finance passing the buck to each other in about half the companies; sometimes
an external customer who influences the boss; colleagues, referrals, and a few
months of calls, promises and refusals.

Sizes follow a triangular distribution from :data:`MIN_CONTACTS` to
:data:`MAX_CONTACTS` (mode 25, mean 30): a team of 10,000 debtors has about
300,000 contacts.  ``contacts=`` forces a size (the benchmarks use 60, 500 and
2,000).

Phone numbers are valid Chinese numbers (mobiles, and city switchboards with
extensions), 1–2 a contact, unique across the team except on purpose: about a
third of the debtors belong to a *group company* whose boss (same name, number
and email) owns each of them, and debtors near each other in the team sell to
the same few *customers*.  The one other exception is deliberate too: in 40%
of companies the owner's and the managers' numbers are not known yet (finding
them is what routing is for), so those leaders have none.

Everything is a function of ``(seed, index, now)``: debtor ``i`` is the same
whatever the team size, so a 100-debtor and a 10,000-debtor team share their
first hundred debtors exactly.  String seeds make :class:`random.Random` use
SHA-512, which Python's hash randomization does not touch.

>>> from datetime import UTC, datetime
>>> m = generate_debtor(index=7, seed=1, now=datetime(2026, 11, 20, tzinfo=UTC))
>>> m.debtor.key, MIN_CONTACTS <= len(m.contacts) <= MAX_CONTACTS
('d00007', True)
>>> m == generate_debtor(index=7, seed=1, now=datetime(2026, 11, 20, tzinfo=UTC))
True
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from bench import vocabulary as V
from orgmap.domain.fields import credit_code_check_character
from orgmap.domain.model import (
    Channel,
    Contact,
    Debtor,
    DebtorFacts,
    DebtorMap,
    Department,
    Disposition,
    Interaction,
    Outcome,
    Phone,
    PhoneKind,
    Relation,
    RelationType,
)

__all__ = [
    "MAX_CONTACTS",
    "MAX_INTERACTIONS",
    "MIN_CONTACTS",
    "debtor_key",
    "generate_debtor",
    "generate_team",
]

MIN_CONTACTS = 5
MAX_CONTACTS = 60
_MODE_CONTACTS = 25
#: A forced size may go this high: each contact gets at most one mobile slot.
_MAX_FORCED_CONTACTS = 4096
MAX_INTERACTIONS = 30
HISTORY_DAYS = 180

GROUP_SIZE = 25  # consecutive debtors that may belong to one group company
GROUP_SHARE = 0.3  # of them, this share does
CUSTOMER_BAND = 100  # consecutive debtors that sell to the same customers …
CUSTOMERS_PER_BAND = 8  # … of whom there are this many
LEADERS_UNLISTED = 0.4  # companies whose owner's and managers' numbers we lack
DISCOVERY_SHARE = 0.15  # companies where nobody is known to authorize payment

D, Disp, R = Department, Disposition, RelationType
T = TypeVar("T")

_TAIL = 10**8
_SLOTS_PER_DEBTOR = _MAX_FORCED_CONTACTS
_CUSTOMER_SERIALS = 50_000_000  # customers after group bosses in the shared series
_CENT = Decimal("0.01")
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: no I, O, S, V, Z

# add(source, target, type, note="") records one relation of the map being made.
_Add = Callable[..., None]


def debtor_key(index: int) -> str:
    """The key of the ``index``-th generated debtor: ``d00000``, ``d00001`` …"""
    return f"d{index:05d}"


def generate_team(
    *,
    debtors: int,
    seed: int,
    now: datetime,
    sizes: Mapping[int, int] | None = None,
    group_members: Collection[int] = (),
) -> Iterator[DebtorMap]:
    """Debtors ``0 … debtors-1`` of the team, one at a time (a big team need not fit in memory).

    ``sizes`` forces the number of contacts of some debtors, by index;
    ``group_members`` are indexes whose owner is surely their group's boss.
    """
    forced = sizes or {}
    for index in range(debtors):
        yield generate_debtor(
            index=index,
            seed=seed,
            now=now,
            contacts=forced.get(index),
            group_member=True if index in group_members else None,
        )


def generate_debtor(
    *,
    index: int,
    seed: int,
    now: datetime,
    contacts: int | None = None,
    group_member: bool | None = None,
) -> DebtorMap:
    """The ``index``-th debtor of the team made from ``seed``; interactions end before ``now``.

    ``contacts`` forces its size (5 to 4,096: a company needs its core roles); by
    default it is drawn between 5 and 60.  ``group_member`` forces whether its
    owner is the boss of its group (debtors ``25 g … 25 g + 24`` form group ``g``),
    known at the group's other companies; by default 30% are.  ``now`` must be
    timezone-aware.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if contacts is not None and not MIN_CONTACTS <= contacts <= _MAX_FORCED_CONTACTS:
        raise ValueError(
            f"contacts must be between {MIN_CONTACTS} and {_MAX_FORCED_CONTACTS}, got {contacts}"
        )
    rng = random.Random(f"orgmap-bench:{seed}:debtor:{index}")
    size = contacts or round(rng.triangular(MIN_CONTACTS, MAX_CONTACTS, _MODE_CONTACTS))
    company = _Company.draw(rng, index=index)
    people = _people(rng, company, size=size, seed=seed, group_member=group_member)
    relations = _relations(rng, people)
    debtor = _debtor(rng, company, people, now=now)
    interactions = _interactions(rng, people, debtor, now=now)
    return DebtorMap(
        debtor=debtor,
        contacts=tuple(people),
        relations=tuple(relations),
        interactions=tuple(interactions),
    )


# -- the company -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Company:
    index: int
    city: str
    area_code: str
    region_code: str
    district: str
    brand: str
    domain: str
    trade: str
    switchboard: Phone

    @classmethod
    def draw(cls, rng: random.Random, *, index: int) -> _Company:
        city, area, region, districts = rng.choice(V.CITIES)
        brand, pinyin = rng.choice(V.BRANDS)
        # Eight digits starting 2–8 are a valid line in each of these cities.
        first = "2345678"[index % 7]
        tail = (index * 7919 + 1_234_567) % 10**7
        return cls(
            index=index,
            city=city,
            area_code=area,
            region_code=region,
            district=rng.choice(districts),
            brand=brand,
            domain=f"{pinyin}{index}.com.cn",
            trade=rng.choice(V.TRADES),
            switchboard=Phone(f"+86{area}{first}{tail:07d}", kind=PhoneKind.FIXED_LINE),
        )

    @property
    def name(self) -> str:
        return f"{self.city}{self.brand}{self.trade}有限公司"

    def mobile(self, slot: int) -> Phone:
        return _mobile(self.index * _SLOTS_PER_DEBTOR + slot)


def _mobile(serial: int) -> Phone:
    # 48271 is prime to 10, so serial -> tail is a bijection on 8 digits; the
    # prefix shift makes serials 10^8 apart differ (15 = 10^8 + 1 mod 31 is prime to 31).
    tail = (serial * 48271 + 13_579) % _TAIL
    prefix = V.MOBILE_PREFIXES[(serial + serial // _TAIL) % len(V.MOBILE_PREFIXES)]
    return Phone(f"+86{prefix}{tail:08d}", kind=PhoneKind.MOBILE)


def _shared_mobile(serial: int) -> Phone:
    tail = (serial * 48271 + 24_680) % _TAIL
    prefix = V.SHARED_PREFIXES[serial % len(V.SHARED_PREFIXES)]
    return Phone(f"+86{prefix}{tail:08d}", kind=PhoneKind.MOBILE)


def _person_name(rng: random.Random) -> tuple[str, str]:
    """A Chinese name and the pinyin of its surname (for e-mail addresses)."""
    surname, pinyin = rng.choice(V.SURNAMES)
    given = "".join(rng.choice(V.GIVEN_NAME_CHARS) for _ in range(rng.choice((1, 2))))
    return surname + given, pinyin


def _pick(rng: random.Random, weighted: Mapping[T, int]) -> T:
    return rng.choices(list(weighted), list(weighted.values()))[0]


# -- people ------------------------------------------------------------------------


def _plan_departments(rng: random.Random, *, size: int, owner: Disposition) -> list[Department]:
    plan = list(V.CORE_DEPARTMENTS[:size])
    if size >= 100 or (size >= 25 and rng.random() < 0.7):
        plan.append(D.RECEPTION)  # bigger companies have a second front desk
    # A donkey boss is best reached through his customers, so collectors find them.
    externals = 2 if size >= 200 else int(rng.random() < (0.8 if owner is Disp.DONKEY else 0.35))
    plan += [D.EXTERNAL] * externals
    if size >= 15 and rng.random() < 0.3:
        plan.append(D.LEGAL)
    missing = size - len(plan)
    if missing > 0:
        plan += rng.choices(list(V.STAFF), list(V.STAFF.values()), k=missing)
    return sorted(plan[:size], key=V.DEPARTMENT_ORDER.__getitem__)


def _people(
    rng: random.Random, company: _Company, *, size: int, seed: int, group_member: bool | None
) -> list[Contact]:
    owner_disposition = _pick(rng, V.DISPOSITIONS[D.OWNER])
    plan = _plan_departments(rng, size=size, owner=owner_disposition)
    leaders_unlisted = rng.random() < LEADERS_UNLISTED
    discovery = rng.random() < DISCOVERY_SHARE
    drawn = rng.random() < GROUP_SHARE  # drawn even when forced: the rest stays the same
    in_group = drawn if group_member is None else group_member
    group = company.index // GROUP_SIZE if in_group else None
    band = company.index // CUSTOMER_BAND
    customers = rng.sample(range(CUSTOMERS_PER_BAND), k=min(plan.count(D.EXTERNAL), 8))

    people: list[Contact] = []
    counters: dict[Department, int] = {}
    for slot, dept in enumerate(plan):
        n = counters[dept] = counters.get(dept, 0) + 1
        key = f"{dept.value}-{n}"
        if dept is D.OWNER and group is not None:
            contact = _group_boss(seed, group, key=key, disposition=owner_disposition)
        elif dept is D.EXTERNAL:
            contact = _customer(seed, band * CUSTOMERS_PER_BAND + customers[n - 1], key=key)
        else:
            contact = _employee(
                rng,
                company,
                dept=dept,
                key=key,
                head=n == 1,
                slot=slot,
                unlisted=leaders_unlisted and dept in (D.OWNER, D.MANAGEMENT),
                disposition=owner_disposition if dept is D.OWNER else None,
            )
        authorizes = not discovery and (
            dept is D.OWNER or (dept is D.FINANCE and n == 1 and rng.random() < 0.2)
        )
        # A few people asked us never to call again, or have left the company.
        do_not_contact = dept is not D.OWNER and rng.random() < 0.03
        archived = dept is not D.OWNER and rng.random() < 0.02
        people.append(
            replace(
                contact,
                authorizes_payment=authorizes,
                do_not_contact=do_not_contact,
                archived=archived,
            )
        )
    return people


def _employee(
    rng: random.Random,
    company: _Company,
    *,
    dept: Department,
    key: str,
    head: bool,
    slot: int,
    unlisted: bool,
    disposition: Disposition | None,
) -> Contact:
    name, pinyin = _person_name(rng)
    titles = V.TITLES[dept]
    title = titles[0] if head else rng.choice(titles[1:] or titles)
    extension = Phone(company.switchboard.e164, f"8{slot % 100:02d}", PhoneKind.FIXED_LINE)
    phones: tuple[Phone, ...]
    if dept is D.RECEPTION:
        phones = (company.switchboard,)
        if rng.random() < 0.3:
            phones += (company.mobile(slot),)
    elif unlisted:
        phones = ()  # the number of the boss is what the collector must find out
    else:
        roll = rng.random()
        if roll < 0.15:
            phones = (extension,)
        elif roll < 0.45:
            phones = (company.mobile(slot), extension)
        else:
            phones = (company.mobile(slot),)
    email = f"{pinyin}.{key}@{company.domain}" if rng.random() < 0.45 else None
    notes = rng.choice(V.CONTACT_NOTES)
    return Contact(
        key=key,
        name=name,
        department=dept,
        title=title,
        disposition=disposition or _pick(rng, V.DISPOSITIONS[dept]),
        phones=phones,
        email=email,
        notes=notes,
    )


def _group_boss(seed: int, group: int, *, key: str, disposition: Disposition) -> Contact:
    """The owner shared by the companies of one group: the same person at each of them."""
    rng = random.Random(f"orgmap-bench:{seed}:group:{group}")
    name, pinyin = _person_name(rng)
    return Contact(
        key=key,
        name=name,
        department=D.OWNER,
        title="集团董事长",
        disposition=disposition,
        phones=(_shared_mobile(group),),
        email=f"{pinyin}@group{group}.com.cn",
        notes="集团老板，名下多家公司",
    )


def _customer(seed: int, customer: int, *, key: str) -> Contact:
    """One of the debtor's customers, who can press its boss; known at several debtors."""
    rng = random.Random(f"orgmap-bench:{seed}:customer:{customer}")
    name, pinyin = _person_name(rng)
    return Contact(
        key=key,
        name=name,
        department=D.EXTERNAL,
        title=rng.choice(V.TITLES[D.EXTERNAL]),
        disposition=_pick(rng, V.DISPOSITIONS[D.EXTERNAL]),
        phones=(_shared_mobile(_CUSTOMER_SERIALS + customer),),
        email=f"{pinyin}@customer{customer}.cn",
        notes="债务人的大客户，能对老板施压",
    )


# -- relations ---------------------------------------------------------------------


def _relations(rng: random.Random, people: list[Contact]) -> list[Relation]:
    by_dept: dict[Department, list[str]] = {d: [] for d in Department}
    for c in people:
        by_dept[c.department].append(c.key)
    disposition_of = {c.key: c.disposition for c in people}
    made: dict[tuple[str, str, RelationType], Relation] = {}

    def add(source: str, target: str, type_: RelationType, note: str = "") -> None:
        if source != target and (source, target, type_) not in made:
            archived = rng.random() < 0.02  # relations that no longer hold
            made[source, target, type_] = Relation(source, target, type_, note, archived)

    owner = by_dept[D.OWNER][0]
    managers = by_dept[D.MANAGEMENT]
    for manager in managers:
        add(manager, owner, R.REPORTS_TO)
    top = managers or [owner]
    heads: dict[Department, str] = {}
    for dept in (D.FINANCE, D.SALES, D.PURCHASING, D.LEGAL, D.OTHER):
        if by_dept[dept]:
            heads[dept] = _report_up(rng, by_dept[dept], top, add)

    for desk in by_dept[D.RECEPTION]:
        add(desk, owner, R.GATEKEEPS)
        if managers:
            add(desk, rng.choice(managers), R.GATEKEEPS)
        # A cooperative receptionist gives the number of whoever is responsible.
        if disposition_of[desk] is Disp.SHEEP:
            known = [owner, *managers[:1], heads[D.FINANCE]]  # every company has finance
            add(desk, rng.choice(known), R.REFERS_TO, "前台给了电话")

    _buck_passing(rng, by_dept, heads, add)
    for customer in by_dept[D.EXTERNAL]:
        add(customer, owner, R.INFLUENCES, "大客户，老板很重视")
        if managers and rng.random() < 0.5:
            add(customer, rng.choice(managers), R.INFLUENCES)

    staff = [c.key for c in people if c.department is not D.EXTERNAL]
    teams = [keys for d, keys in by_dept.items() if len(keys) >= 2 and d is not D.EXTERNAL]
    for _ in range(len(people) // 5 if teams else 0):
        a, b = rng.sample(rng.choice(teams), 2)
        if (b, a, R.COLLEAGUE) not in made:  # colleague is symmetric: one edge is enough
            add(a, b, R.COLLEAGUE)
    for _ in range(len(people) // 10):
        source, target = rng.sample(staff, 2)
        add(source, target, R.REFERS_TO)
    return list(made.values())


def _report_up(rng: random.Random, people: list[str], top: list[str], add: _Add) -> str:
    """Wire one department's reporting lines; its head's key."""
    head, staff = people[0], people[1:]
    add(head, rng.choice(top), R.REPORTS_TO)
    leads = staff[: len(staff) // 10] if len(staff) > 12 else []
    for lead in leads:
        add(lead, head, R.REPORTS_TO)
    for person in staff[len(leads) :]:
        add(person, rng.choice(leads) if leads else head, R.REPORTS_TO)
    return head


def _buck_passing(
    rng: random.Random,
    by_dept: Mapping[Department, list[str]],
    heads: Mapping[Department, str],
    add: _Add,
) -> None:
    sales, finance, purchasing = (heads.get(d) for d in (D.SALES, D.FINANCE, D.PURCHASING))
    if sales and finance:
        roll = rng.random()
        if roll < 0.55:  # the classic loop: "ask finance" / "ask sales"
            add(sales, finance, R.PASSES_BUCK_TO, "说付款归财务管")
            add(finance, sales, R.PASSES_BUCK_TO, "说单据没到，让找销售")
        elif roll < 0.75 and purchasing:
            add(sales, finance, R.PASSES_BUCK_TO)
            add(finance, purchasing, R.PASSES_BUCK_TO)
            add(purchasing, sales, R.PASSES_BUCK_TO)
    # In big companies the staff push us around too.
    front = by_dept[D.SALES] + by_dept[D.PURCHASING]
    for _ in range(len(front) // 20):
        if by_dept[D.FINANCE]:
            a, b = rng.choice(front), rng.choice(by_dept[D.FINANCE])
            add(a, b, R.PASSES_BUCK_TO)
            if rng.random() < 0.5:
                add(b, a, R.PASSES_BUCK_TO)


# -- the debtor and its history ------------------------------------------------------


def _debtor(
    rng: random.Random, company: _Company, people: list[Contact], *, now: datetime
) -> Debtor:
    owner = next(c for c in people if c.department is D.OWNER)
    finance = next((c for c in people if c.department is D.FINANCE), None)
    facts = DebtorFacts()
    if rng.random() < 0.5:  # the article-5 checklist is half filled in on a typical case
        facts = DebtorFacts(
            reason_unpaid=rng.choice(V.REASONS_UNPAID),
            who_pays=f"财务 {finance.name}" if finance else "",
            money_in_account=rng.choice((None, True, False)),
            salaries_on_time=rng.choice((None, True)),
            leaders_aware=rng.choice((None, True, False)),
            top_leader=owner.name if owner.authorizes_payment else "",
            top_leader_mobile=next((p.e164 for p in owner.phones if p.kind == "mobile"), ""),
            top_leader_email=owner.email or "",
            address_verified=rng.random() < 0.5,
            registration_verified=rng.random() < 0.4,
        )
    # 统一社会信用代码: "91" (a company), the region, a 9-character organization code.
    code = "91" + company.region_code + "".join(rng.choices(_CREDIT_ALPHABET, k=9))
    street = f"{rng.choice(V.ROADS)}路{rng.randint(1, 999)}号"
    return Debtor(
        key=debtor_key(company.index),
        name=company.name,
        amount_owed=Decimal(rng.randint(5_000_00, 3_000_000_00)).scaleb(-2),
        credit_code=code + credit_code_check_character(code) if rng.random() < 0.8 else None,
        address=f"{company.city}市{company.district}区{street}",
        due_date=(now - timedelta(days=rng.randint(1, 200))).date(),
        status=_pick(rng, V.STATUSES),
        assigned_to=rng.choice(V.COLLECTORS),
        facts=facts,
    )


def _interactions(
    rng: random.Random, people: list[Contact], debtor: Debtor, *, now: datetime
) -> list[Interaction]:
    reachable = [c for c in people if (c.phones or c.email) and not c.archived]
    if not reachable:
        return []
    weights = [V.CALLED.get(c.department, 1) for c in reachable]
    calls = []
    for _ in range(rng.randint(0, MAX_INTERACTIONS)):
        contact = rng.choices(reachable, weights)[0]
        ago = timedelta(seconds=rng.randint(60, HISTORY_DAYS * 86400))
        at = (now - ago).replace(microsecond=0)
        outcome = _pick(rng, V.OUTCOMES)
        amount = promise_date = None
        if outcome is Outcome.PROMISED:
            amount = (debtor.amount_owed * Decimal(rng.choice(V.PROMISED_SHARES))).quantize(_CENT)
            promise_date = (at + timedelta(days=rng.randint(1, 14))).date()
        calls.append(
            Interaction(
                contact=contact.key,
                at=at,
                channel=_channel(rng, contact),
                outcome=outcome,
                by=debtor.assigned_to if rng.random() < 0.9 else rng.choice(V.COLLECTORS),
                note=rng.choice(V.CALL_NOTES[outcome]),
                promise_amount=amount,
                promise_date=promise_date,
            )
        )
    return sorted(calls, key=lambda i: i.at)


def _channel(rng: random.Random, contact: Contact) -> Channel:
    if not contact.phones:
        return Channel.EMAIL
    options = {**V.CHANNELS, Channel.LETTER: V.CHANNELS_LETTER}
    if contact.email:
        options[Channel.EMAIL] = V.CHANNELS_EMAIL
    return _pick(rng, options)
