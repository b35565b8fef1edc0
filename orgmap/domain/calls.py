"""Calls as they stand: a correction supersedes a record, a void withdraws it, nothing is lost.

The call log is append-only.  A collector who logged the wrong outcome, note,
person or time adds a *correction*: a new :class:`~orgmap.domain.model.Interaction`
whose ``corrects`` names the record it supersedes by that record's
:func:`call_fingerprint`.  A call that did not happen as logged is withdrawn by
a *void* record (``void=True``), which supersedes it the same way and is itself
never a current call.  A correction can be corrected again, so each original
starts a chain ``original → correction → … → latest``; valid data (see
:func:`orgmap.domain.validation.check_structure`) corrects each record at most once.

:func:`current_calls` is what routing, the contact card and the call list read;
:func:`call_history` is one chain, original first, as the history shows it.

>>> from datetime import UTC, datetime
>>> from orgmap.domain.model import Channel, Outcome
>>> first = Interaction("desk", datetime(2026, 1, 5, 2, tzinfo=UTC), Channel.PHONE,
...                     Outcome.NO_ANSWER, by="li")
>>> fixed = corrected(first, by="wang", outcome=Outcome.REACHED, note="she answered")
>>> fixed.corrects == call_fingerprint(first)
True
>>> [c.outcome.value for c in current_calls([first, fixed])]
['reached']
>>> [c.by for c in call_history([first, fixed], call_fingerprint(fixed))]
['li', 'wang']
>>> current_calls([first, fixed, voided(fixed, by="wang")])
()
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC
from decimal import Decimal
from typing import Any

from orgmap.domain.model import Interaction

__all__ = [
    "FINGERPRINT_CHARS",
    "call_fingerprint",
    "call_history",
    "corrected",
    "current_calls",
    "is_fingerprint",
    "superseded",
    "voided",
]

#: A fingerprint is a SHA-256 in lowercase hex.
FINGERPRINT_CHARS = 64
_HEX = frozenset("0123456789abcdef")
_CENT = Decimal("0.01")


def call_fingerprint(interaction: Interaction) -> str:
    """The SHA-256 (hex) that identifies one logged record within its debtor.

    Made of the contact key, the instant in UTC, channel, outcome, who, note,
    the promise and, when recorded, the number used; the same call imported
    twice has the same fingerprint, so the store keeps it once.  A correction
    or void adds what it supersedes and the void flag, so it never collides
    with the record it corrects even when it carries the same values.  ``at``
    must be timezone-aware.

    >>> from datetime import UTC, datetime
    >>> from orgmap.domain.model import Channel, Outcome
    >>> call = Interaction("desk", datetime(2026, 1, 5, tzinfo=UTC), Channel.PHONE,
    ...                    Outcome.NO_ANSWER)
    >>> len(call_fingerprint(call)), call_fingerprint(call) == call_fingerprint(call)
    (64, True)
    """
    at = interaction.at
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"interaction time {at.isoformat()} has no time zone; give an offset")
    amount = interaction.promise_amount
    parts: list[Any] = [
        interaction.contact,
        at.astimezone(UTC).isoformat(timespec="microseconds"),
        str(interaction.channel),
        str(interaction.outcome),
        interaction.by,
        interaction.note,
        None if amount is None else f"{Decimal(amount).quantize(_CENT)}",
        None if interaction.promise_date is None else interaction.promise_date.isoformat(),
    ]
    # Only when recorded: calls stored before numbers (and corrections) were keep
    # their fingerprint.  An object, so it can never be read as a number.
    if interaction.phone is not None:
        parts.append(interaction.phone)
    if interaction.corrects is not None or interaction.void:
        parts.append({"corrects": interaction.corrects, "void": interaction.void})
    canonical = json.dumps(parts, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def is_fingerprint(text: str) -> bool:
    """Whether ``text`` has the form of a fingerprint (64 lowercase hex digits).

    >>> is_fingerprint("ab" * 32), is_fingerprint("AB" * 32), is_fingerprint("ab")
    (True, False, False)
    """
    return len(text) == FINGERPRINT_CHARS and _HEX.issuperset(text)


def corrected(original: Interaction, *, by: str, **changes: Any) -> Interaction:
    """The record that corrects ``original``: its values with ``changes``, logged ``by``.

    ``changes`` name :class:`~orgmap.domain.model.Interaction` fields (``contact``,
    ``at``, ``outcome``, ``note``, …); ``corrects`` and ``void`` are set here.
    """
    if {"corrects", "void"} & changes.keys():
        raise TypeError("corrects and void are set by corrected() itself")
    return replace(original, **changes, by=by, corrects=call_fingerprint(original), void=False)


def voided(original: Interaction, *, by: str, note: str = "") -> Interaction:
    """The record that withdraws ``original`` (why, in ``note``), logged ``by``."""
    return replace(original, by=by, note=note, corrects=call_fingerprint(original), void=True)


def superseded(interactions: Iterable[Interaction]) -> frozenset[str]:
    """The fingerprints of the records some record in ``interactions`` corrects or voids."""
    return frozenset(i.corrects for i in interactions if i.corrects is not None)


def current_calls(interactions: Iterable[Interaction]) -> tuple[Interaction, ...]:
    """The calls as they stand, in the given order: neither superseded nor voids.

    A record whose ``corrects`` names no record here (data cut short) still
    counts as current, so that nothing logged silently disappears.  Applying it
    twice changes nothing.
    """
    records = tuple(interactions)
    gone = superseded(records)
    if not gone and not any(i.void for i in records):  # the common case: no corrections
        return records
    return tuple(i for i in records if not i.void and call_fingerprint(i) not in gone)


def call_history(interactions: Sequence[Interaction], fingerprint: str) -> tuple[Interaction, ...]:
    """The chain holding the record ``fingerprint``: its original first, its latest last.

    Empty when no record has that fingerprint.  Should a record have been
    corrected twice (invalid data), the first correction in ``interactions`` is followed.
    """
    by_fingerprint = {call_fingerprint(i): i for i in interactions}
    if fingerprint not in by_fingerprint:
        return ()
    corrector: dict[str, str] = {}
    for fp, record in by_fingerprint.items():
        if record.corrects is not None:
            corrector.setdefault(record.corrects, fp)
    chain = [fingerprint]
    seen = {fingerprint}
    while (back := by_fingerprint[chain[0]].corrects) in by_fingerprint and back not in seen:
        chain.insert(0, back)
        seen.add(back)
    while (ahead := corrector.get(chain[-1])) is not None and ahead not in seen:
        chain.append(ahead)
        seen.add(ahead)
    return tuple(by_fingerprint[fp] for fp in chain)
