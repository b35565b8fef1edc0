"""Which of a contact's numbers a collector may dial, as routing sees them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from orgmap.domain.model import Contact, DebtorMap, Phone
from orgmap.routing.costs import History, summarize_history
from orgmap.routing.weights import Weights

__all__ = ["callable_phones", "phones_to_call"]


def callable_phones(contact: Contact, *, usable: Callable[[str], bool]) -> tuple[Phone, ...]:
    """The numbers of ``contact`` a collector may dial: none for a do-not-contact or an
    archived contact, and not a number ``usable`` refuses (one last marked wrong; see
    ``orgmap.routing.History.number_usable``).  Each number once.

    >>> from orgmap.domain.model import Department
    >>> one, two = Phone("+8613800000001"), Phone("+8613800000002")
    >>> boss = Contact("boss", "Wang", Department.OWNER, phones=(one, two, one))
    >>> [p.e164 for p in callable_phones(boss, usable=lambda e164: e164 != two.e164)]
    ['+8613800000001']
    """
    if contact.do_not_contact or contact.archived:
        return ()
    numbers: dict[str, Phone] = {}
    for phone in contact.phones:
        if phone.e164 not in numbers and usable(phone.e164):
            numbers[phone.e164] = phone
    return tuple(numbers.values())


def phones_to_call(
    m: DebtorMap, *, weights: Weights, now: datetime
) -> dict[str, tuple[Phone, ...]]:
    """Each contact's numbers to dial (see :func:`callable_phones`): a number whose latest
    call on ``m`` hit a wrong number is left out, as routing leaves it out."""
    histories = summarize_history(m, now=now, weights=weights)
    return {
        c.key: callable_phones(c, usable=histories.get(c.key, History()).number_usable)
        for c in m.contacts
    }
