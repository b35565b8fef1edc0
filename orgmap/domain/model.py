"""The debtor map as plain values: no database, no UI, standard library only.

A *debtor* is one case: the company that owes money.  Its map is the people met
there (*contacts*), how they connect (*relations*, directed) and what happened on
every call (*interactions*, append-only: a correction is a new record that
supersedes the one it corrects, see :mod:`orgmap.domain.calls`).  Everything
else in orgmap converts to and from :class:`DebtorMap`: the store maps it to
tables, the interchange format to JSON, routing to a graph.

Keys are the stable identities: a debtor key is unique in the team, a contact
key is unique within its debtor, and relations and interactions name contacts by
key.  Values here are assumed valid; :mod:`orgmap.domain.validation` is what
turns untrusted input into them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "Channel",
    "Contact",
    "Debtor",
    "DebtorFacts",
    "DebtorMap",
    "DebtorStatus",
    "Department",
    "Disposition",
    "Interaction",
    "Outcome",
    "Phone",
    "PhoneKind",
    "Relation",
    "RelationType",
]


class Department(StrEnum):
    RECEPTION = "reception"
    SALES = "sales"
    PURCHASING = "purchasing"
    FINANCE = "finance"
    LEGAL = "legal"
    MANAGEMENT = "management"
    OWNER = "owner"
    EXTERNAL = "external"  # outside the debtor, e.g. one of its customers
    OTHER = "other"


class Disposition(StrEnum):
    """What a contact is like to deal with (seed, article 5)."""

    SHEEP = "sheep"  # cooperative gatekeeper: tells you who to talk to
    FOX = "fox"  # obstructive gatekeeper: blocks with excuses
    EAGLE = "eagle"  # decisive leader: usually settles once reached
    DONKEY = "donkey"  # face-saving leader: reach him through others
    UNKNOWN = "unknown"


class RelationType(StrEnum):
    REPORTS_TO = "reports_to"
    REFERS_TO = "refers_to"  # the source gave us the target's number
    GATEKEEPS = "gatekeeps"
    PASSES_BUCK_TO = "passes_buck_to"
    INFLUENCES = "influences"  # e.g. a customer of the debtor over its boss
    COLLEAGUE = "colleague"


class Channel(StrEnum):
    PHONE = "phone"
    SMS = "sms"
    EMAIL = "email"
    WECHAT = "wechat"
    LETTER = "letter"
    VISIT = "visit"


class Outcome(StrEnum):
    NO_ANSWER = "no_answer"
    REACHED = "reached"
    REFUSED = "refused"
    PROMISED = "promised"
    PAID = "paid"
    REFERRED = "referred"
    WRONG_NUMBER = "wrong_number"
    DISPUTED = "disputed"


class DebtorStatus(StrEnum):
    OPEN = "open"
    PROMISED = "promised"
    PAYING = "paying"
    DISPUTED = "disputed"
    LEGAL = "legal"
    PAID = "paid"
    CLOSED = "closed"


class PhoneKind(StrEnum):
    MOBILE = "mobile"
    FIXED_LINE = "fixed_line"
    OTHER = "other"  # VoIP, toll-free, or a number whose type the library can't tell


@dataclass(frozen=True, slots=True)
class Phone:
    """A normalized phone number.

    ``e164`` is the number in E.164 (``+8613812345678``).  E.164 has no room for
    an extension, so a switchboard extension is kept beside it.
    """

    e164: str
    extension: str | None = None
    kind: PhoneKind = PhoneKind.OTHER


@dataclass(frozen=True, slots=True)
class Contact:
    key: str
    name: str
    department: Department
    title: str = ""
    disposition: Disposition = Disposition.UNKNOWN
    authorizes_payment: bool = False
    phones: tuple[Phone, ...] = ()
    email: str | None = None
    do_not_contact: bool = False
    notes: str = ""
    archived: bool = False


@dataclass(frozen=True, slots=True)
class Relation:
    """A directed edge ``source -> target`` between two contacts of one debtor."""

    source: str
    target: str
    type: RelationType
    note: str = ""
    archived: bool = False


@dataclass(frozen=True, slots=True)
class Interaction:
    """One annotated call, SMS, email, letter or visit.  Never edited once logged.

    ``at`` is timezone-aware; the store keeps it in UTC.  ``phone`` is the
    number used (E.164) on a phone, SMS or WeChat interaction, so that a wrong
    number marks that number only; None when not recorded (older data).

    A mistake is fixed by a new record: ``corrects`` is the fingerprint
    (:func:`orgmap.domain.calls.call_fingerprint`) of the record this one
    supersedes, and ``void`` marks a record that withdraws it (the call did not
    happen as logged).  The original is kept; :func:`orgmap.domain.calls.current_calls`
    gives the calls as they stand.
    """

    contact: str
    at: datetime
    channel: Channel
    outcome: Outcome
    by: str = ""
    note: str = ""
    promise_amount: Decimal | None = None
    promise_date: date | None = None
    phone: str | None = None
    corrects: str | None = None
    void: bool = False


@dataclass(frozen=True, slots=True)
class DebtorFacts:
    """The facts article 5 of the seed tells a collector to establish.

    Free text where the answer is a story, ``None`` where it is not known yet.
    """

    reason_unpaid: str = ""
    who_pays: str = ""
    money_in_account: bool | None = None
    salaries_on_time: bool | None = None
    leaders_aware: bool | None = None
    top_leader: str = ""
    top_leader_mobile: str = ""
    top_leader_email: str = ""
    address_verified: bool = False
    registration_verified: bool = False


@dataclass(frozen=True, slots=True)
class Debtor:
    key: str
    name: str
    amount_owed: Decimal
    currency: str = "CNY"
    credit_code: str | None = None
    address: str = ""
    due_date: date | None = None
    status: DebtorStatus = DebtorStatus.OPEN
    assigned_to: str = ""
    facts: DebtorFacts = field(default_factory=DebtorFacts)


@dataclass(frozen=True, slots=True)
class DebtorMap:
    """One debtor with everything known about its people."""

    debtor: Debtor
    contacts: tuple[Contact, ...] = ()
    relations: tuple[Relation, ...] = ()
    interactions: tuple[Interaction, ...] = ()

    def contact(self, key: str) -> Contact | None:
        return next((c for c in self.contacts if c.key == key), None)
