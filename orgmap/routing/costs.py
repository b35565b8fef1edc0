"""The cost model: what each step of a route costs, and why.

A step costs *getting there* (:func:`entry_cost`: the channel of a first call,
or the relation of a hop, plus facing a donkey boss head-on) plus *the contact*
(:func:`contact_cost`: one call, their disposition, and penalties from their
history).  Every part is a :class:`Reason` that the answer puts in words, so
a step's cost is always the sum of its reasons.

History (:func:`summarize_history`) reads a debtor's interactions once:

- unanswered attempts since the contact last answered (``no_answer``);
- refusals (``refused``) and disputes (``disputed``);
- referrals (``referred``): a contact who referred us onward has told us what
  they know, so calling them again costs more than going to whoever they
  named (issue 11);
- broken promises: a ``promised`` interaction whose promise date has passed in
  the collectors' time zone (``history.timezone``, Asia/Shanghai by default)
  with no ``paid`` outcome logged for the debtor since the promise was made.
  A promise without a date is due ``promise_grace_days`` after it was made;
- wrong numbers (:meth:`History.number_usable`): a number whose latest call or
  SMS logged with that number ended ``wrong_number`` stops counting; the
  contact's other numbers and email still do.  A ``wrong_number`` logged
  without the number (data from before numbers were recorded) makes every
  number of the contact suspect, except numbers called since (each then
  counts by its own latest call), until a newer call logged without a number
  ends any other way.

Each penalty fades exponentially from the moment it happened (for a broken
promise: the day after it fell due): it weighs ``0.5 ** (age / half_life)``
of its full value, so half after ``half_life_days`` (14 by default) and a
quarter after four weeks; interactions older than ``horizon_days`` (90) are
ignored altogether.

Reasons name days as the collectors count them: calendar days in their time
zone, so a call at 23:00 last night was "yesterday" at noon today, three
calls in the same minute are "3 unanswered calls today", and "in the last
4 days" means today and the three days before it.
"""

from __future__ import annotations

import functools
import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from orgmap.domain.calls import current_calls
from orgmap.domain.model import (
    Channel,
    Contact,
    DebtorMap,
    Disposition,
    Interaction,
    Outcome,
    RelationType,
)
from orgmap.routing.weights import Weights

__all__ = [
    "Cost",
    "History",
    "Reason",
    "contact_cost",
    "entry_cost",
    "first_channel",
    "has_usable_phone",
    "start_cost",
    "summarize_history",
]

_DAY = 86400.0
_PHONE, _EMAIL = Channel.PHONE.value, Channel.EMAIL.value
_WHEN = operator.attrgetter("at")
# Channels that dial the contact's number: a wrong number shows on either.
_NUMBER_CHANNELS = frozenset({Channel.PHONE, Channel.SMS})


@dataclass(frozen=True, slots=True)
class Reason:
    """One part of a step's cost: a message key in tactics.json, its amount, its words."""

    code: str
    amount: float
    params: tuple[tuple[str, int | str], ...] = ()


@dataclass(frozen=True, slots=True)
class Cost:
    """A sum of reasons; ``amount`` is exactly the sum of the reasons' amounts."""

    amount: float
    reasons: tuple[Reason, ...]

    @classmethod
    def of(cls, reasons: Iterable[Reason]) -> Cost:
        """Add up ``reasons``, leaving out those that cost nothing."""
        kept = tuple(r for r in reasons if r.amount > 0)
        return cls(amount=sum(r.amount for r in kept), reasons=kept)

    def __add__(self, other: Cost) -> Cost:
        return Cost(amount=self.amount + other.amount, reasons=self.reasons + other.reasons)


@dataclass(frozen=True, slots=True)
class History:
    """What a contact's past interactions still weigh, at one moment."""

    penalties: tuple[Reason, ...] = ()
    #: Numbers (E.164) whose latest call logged with that number hit a wrong number.
    wrong_numbers: frozenset[str] = frozenset()
    #: The latest call logged without its number hit a wrong number: every number
    #: not in ``numbers_called_since`` is suspect.
    unrecorded_wrong: bool = False
    #: Numbers called (logged with the number) after that unrecorded wrong number.
    numbers_called_since: frozenset[str] = frozenset()
    #: Which penalties are present (``no_answer``, ``refused``, ...), for hints.
    flags: frozenset[str] = frozenset()
    #: The sum of the penalties' amounts.
    amount: float = 0.0

    def number_usable(self, e164: str) -> bool:
        """Whether the number may be dialled: not known, or suspected, to be wrong.

        >>> History(wrong_numbers=frozenset({"+8613800000000"})).number_usable("+8613800000000")
        False
        >>> History(unrecorded_wrong=True).number_usable("+8613800000001")
        False
        """
        if e164 in self.wrong_numbers:
            return False
        return not self.unrecorded_wrong or e164 in self.numbers_called_since


NO_HISTORY = History()


def has_usable_phone(contact: Contact, history: History) -> bool:
    """Whether any of ``contact``'s numbers may be dialled (see :meth:`History.number_usable`)."""
    if not history.wrong_numbers and not history.unrecorded_wrong:
        return bool(contact.phones)  # nothing is suspect: the usual case, asked per contact
    return any(history.number_usable(p.e164) for p in contact.phones)


def contact_cost(contact: Contact, history: History, weights: Weights) -> Cost:
    """What talking to ``contact`` costs once we reach them, however we do.

    >>> from orgmap.domain.model import Department, Disposition
    >>> from orgmap.routing.weights import load_weights
    >>> fox = Contact("f", "Fang", Department.RECEPTION, disposition=Disposition.FOX)
    >>> contact_cost(fox, NO_HISTORY, load_weights()).amount
    4.5
    """
    base = _base_cost(weights, contact.disposition)
    if not history.penalties:
        return base
    return Cost(base.amount + history.amount, base.reasons + history.penalties)


def entry_cost(via: str, contact: Contact, weights: Weights) -> Cost:
    """What getting to ``contact`` costs: ``via`` is a channel or a relation type.

    A donkey boss reached any way but through an ``influences`` relation (his
    customer, say) is faced directly, which the seed says rarely works.
    """
    return _entry_cost(weights, via, contact.disposition is Disposition.DONKEY)


def start_cost(channel: str, contact: Contact, history: History, weights: Weights) -> Cost:
    """What a first step to ``contact`` by ``channel`` costs: the channel plus the contact."""
    if not history.penalties:
        return _plain_start_cost(weights, channel, contact.disposition)
    return entry_cost(channel, contact, weights) + contact_cost(contact, history, weights)


# These depend on a handful of values only; caching them keeps building a graph
# at a dictionary lookup per contact and relation (creating a frozen dataclass
# costs more than the arithmetic).  Weights hash by identity.
@functools.lru_cache(maxsize=256)
def _base_cost(weights: Weights, disposition: Disposition) -> Cost:
    return Cost.of(
        (
            Reason("call", weights.call),
            Reason(f"disposition.{disposition.value}", weights.disposition[disposition]),
        )
    )


@functools.lru_cache(maxsize=256)
def _plain_start_cost(weights: Weights, channel: str, disposition: Disposition) -> Cost:
    donkey = disposition is Disposition.DONKEY
    return _entry_cost(weights, channel, donkey) + _base_cost(weights, disposition)


@functools.lru_cache(maxsize=256)
def _entry_cost(weights: Weights, via: str, donkey: bool) -> Cost:
    if via in weights.channel:
        reasons = [Reason(f"channel.{via}", weights.channel[via])]
    else:
        relation = RelationType(via)
        reasons = [Reason(f"relation.{relation.value}", weights.relation[relation])]
    if donkey and via != RelationType.INFLUENCES:
        reasons.append(Reason("disposition.donkey_faced_directly", weights.donkey_faced_directly))
    return Cost.of(reasons)


def first_channel(contact: Contact, history: History, weights: Weights) -> str | None:
    """The cheapest way to contact ``contact`` first-hand, or None if we have none.

    A phone counts when one of the contact's numbers is usable (see
    :meth:`History.number_usable`); an email counts when there is one.
    Do-not-contact and archived contacts have none.
    """
    if contact.do_not_contact or contact.archived:
        return None
    phone = has_usable_phone(contact, history)
    if phone and contact.email:
        cheaper_by_email = weights.channel[_EMAIL] < weights.channel[_PHONE]
        return _EMAIL if cheaper_by_email else _PHONE
    if phone:
        return _PHONE
    return _EMAIL if contact.email else None


def summarize_history(m: DebtorMap, *, now: datetime, weights: Weights) -> dict[str, History]:
    """Each contact's :class:`History` at ``now``, reading the interactions once.

    Contacts whose history weighs nothing are left out; use ``NO_HISTORY``.
    """
    # Newest first.  Of two logged at the same moment the one logged later is
    # newer: the sort is stable, and reversed() flips the logging order too.
    # Only the calls as they stand: a correction replaces what it corrects, a void hides it.
    calls = current_calls(m.interactions)
    by_contact: dict[str, list[Interaction]] = defaultdict(list)
    for interaction in reversed(sorted(calls, key=_WHEN)):
        by_contact[interaction.contact].append(interaction)
    paid = [i.at for i in calls if i.outcome is Outcome.PAID]
    last_paid = max(paid, default=None)
    today = now.astimezone(weights.timezone).date()
    histories = {}
    for key, items in by_contact.items():
        history = _history(items, now=now, today=today, last_paid=last_paid, weights=weights)
        if history is not NO_HISTORY:
            histories[key] = history
    return histories


def _history(
    newest_first: list[Interaction],
    *,
    now: datetime,
    today: date,
    last_paid: datetime | None,
    weights: Weights,
) -> History:
    """One contact's history from their interactions, newest first."""
    # Numbers decided by their newest call or SMS: whether it hit a wrong number.
    numbers: dict[str, bool] = {}
    unrecorded: bool | None = None  # decided by the newest call logged without a number
    called_since: frozenset[str] = frozenset()
    answered = False  # the contact answered after the interaction at hand
    unanswered: list[datetime] = []
    refused: list[datetime] = []
    disputed: list[datetime] = []
    referred: list[datetime] = []
    promised: list[Interaction] = []
    for i in newest_first:
        outcome = i.outcome
        if i.channel in _NUMBER_CHANNELS:
            if i.phone is not None:
                numbers.setdefault(i.phone, outcome is Outcome.WRONG_NUMBER)
            elif unrecorded is None:
                unrecorded = outcome is Outcome.WRONG_NUMBER
                called_since = frozenset(numbers)
        if outcome is Outcome.NO_ANSWER:
            if not answered:
                unanswered.append(i.at)
            continue
        answered = answered or outcome is not Outcome.WRONG_NUMBER
        if outcome is Outcome.REFUSED:
            refused.append(i.at)
        elif outcome is Outcome.DISPUTED:
            disputed.append(i.at)
        elif outcome is Outcome.REFERRED:
            referred.append(i.at)
        elif outcome is Outcome.PROMISED:
            promised.append(i)
    penalties: list[Reason] = []
    for name, times, penalty in (
        ("no_answer", unanswered, weights.no_answer),
        ("refused", refused, weights.refused),
        ("disputed", disputed, weights.disputed),
        ("referred", referred, weights.referred),
    ):
        if times:
            penalties += _grouped(name, times, penalty, now=now, today=today, weights=weights)
    if promised:
        penalties += _broken_promises(
            promised, now=now, today=today, last_paid=last_paid, weights=weights
        )
    penalties = [r for r in penalties if r.amount > 0]
    wrong = frozenset(number for number, hit in numbers.items() if hit)
    if not penalties and not wrong and not unrecorded:
        return NO_HISTORY
    return History(
        penalties=tuple(penalties),
        wrong_numbers=wrong,
        unrecorded_wrong=bool(unrecorded),
        numbers_called_since=called_since if unrecorded else frozenset(),
        flags=frozenset(r.code.split(".")[1] for r in penalties),
        amount=sum(r.amount for r in penalties),
    )


def _grouped(
    name: str,
    times: list[datetime],
    penalty: float,
    *,
    now: datetime,
    today: date,
    weights: Weights,
) -> list[Reason]:
    """One reason for all events of a kind, e.g. "3 unanswered calls in the last 4 days".

    The amount fades with each event's exact age; the words count calendar days
    in the collectors' time zone (see the module docstring).
    """
    live = [at for at in times if weights.fade((now - at).total_seconds() / _DAY) > 0]
    if not live:
        return []
    amount = penalty * sum(weights.fade((now - at).total_seconds() / _DAY) for at in live)
    # A time after `now` (a clock ahead of ours) counts as today.
    days_ago = [(today - min(at, now).astimezone(weights.timezone).date()).days for at in live]
    latest, oldest = min(days_ago), max(days_ago)
    if len(live) == 1:
        return [Reason(f"history.{name}.one", amount, (("ago", latest),))]
    params: tuple[tuple[str, int | str], ...] = (("n", len(live)), ("ago", latest))
    if latest == oldest:
        return [Reason(f"history.{name}.same_day", amount, params)]
    # Today and the days before it, back to the oldest: "in the last 4 days".
    return [Reason(f"history.{name}.many", amount, (*params, ("days", oldest + 1)))]


def _broken_promises(
    promised: list[Interaction],
    *,
    now: datetime,
    today: date,
    last_paid: datetime | None,
    weights: Weights,
) -> list[Reason]:
    reasons = []
    zone = weights.timezone
    for promise in reversed(promised):  # oldest first, as the collector would list them
        if last_paid is not None and last_paid > promise.at:
            continue  # paid since: kept (or at least acted on)
        try:
            due = promise.promise_date or (
                promise.at.astimezone(zone).date() + timedelta(days=weights.promise_grace_days)
            )
            broken_at = datetime.combine(due + timedelta(days=1), time(0), tzinfo=zone)
        except OverflowError:
            # A time at the calendar's very edge, stored before accepted times were
            # bounded (1970-2100): no promise anyone can judge.
            continue
        if due >= today:
            continue  # not due yet, or due today
        fade = weights.fade((now - broken_at).total_seconds() / _DAY)
        if fade > 0:
            reasons.append(
                Reason(
                    "history.broken_promise",
                    weights.broken_promise * fade,
                    (("date", due.isoformat()),),
                )
            )
    return reasons
