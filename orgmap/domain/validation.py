"""Turn untrusted values into domain values, and check a whole map before it is written.

Two kinds of function, both pure (standard library and ``phonenumbers``):

* **Field checks** (``check_*``, ``parse_*``, ``normalize_phone``) live in
  :mod:`orgmap.domain.fields`: one value in, the canonical value out, or
  :class:`ValueError` with a message a collector can act on.
* **Map checks** (:func:`validate_map`, :func:`check_structure`): look at a whole
  :class:`~orgmap.domain.model.DebtorMap` and return every :class:`Problem` found, each
  with a path such as ``debtors[acme].contacts[li_ming].phones[0]``.  The service runs
  :func:`check_change` (the records a change touches) before a bulk write; the
  interchange reader runs :func:`validate_map`.

A :class:`Problem` reads in English through ``str()`` (what the CLI prints) and in
the collector's language through :meth:`Problem.text`; :class:`FieldProblems` collects
them while one input is checked field by field, so every bad field is reported at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from orgmap.domain.calls import call_fingerprint, is_fingerprint
from orgmap.domain.fields import (
    EARLIEST_DATE,
    LATEST_DATE,
    check_currency,
    check_email,
    check_key,
    check_name,
    check_text,
    check_time_range,
    format_phone,
    normalize_credit_code,
    normalize_phone,
    parse_amount,
    parse_date,
    shown,
)
from orgmap.domain.messages import FieldError, FieldWarning, describe_path, render_message
from orgmap.domain.model import (
    Contact,
    DebtorFacts,
    DebtorMap,
    Interaction,
    Outcome,
    Relation,
)

__all__ = [
    "FieldProblems",
    "Problem",
    "ValidationError",
    "check_change",
    "check_structure",
    "validate_map",
]

_ERROR_LINES_SHOWN = 50
T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where (``path``) and what (``message``, English).

    ``code`` and ``params`` (see :mod:`orgmap.domain.messages`) let :meth:`text` say
    the same in zh-CN; a problem without a code reads in English in every language.
    Two problems are equal when path and message are.

    >>> p = Problem.coded("referred_to.phone", "phone.invalid", value="'12345'", region="CN")
    >>> p.path, p.code
    ('referred_to.phone', 'phone.invalid')
    >>> p.text("zh-CN")
    "被引荐人的电话：'12345' 不是有效的电话号码（不带 +国家码的号码按 CN 地区解读）"
    """

    path: str
    message: str
    code: str | None = field(default=None, compare=False)
    params: Mapping[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def coded(cls, path: str, code: str, /, **params: object) -> Problem:
        """The problem ``code`` at ``path``; the English message is made from the catalogue."""
        values = {name: str(value) for name, value in params.items()}
        return cls(path, render_message(code, "en", values), code, values)

    @classmethod
    def from_error(cls, path: str, error: ValueError | str) -> Problem:
        """``error`` (a field check's exception or warning) as a problem at ``path``,
        keeping its code when it has one."""
        if isinstance(error, FieldError | FieldWarning):
            return cls(path, str(error), error.code, dict(error.params))
        return cls(path, str(error))

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def text(self, lang: str) -> str:
        """The problem for a collector reading ``lang`` (``"zh-CN"`` or ``"en"``).

        The path becomes words (``referred_to.phone`` → 被引荐人的电话); when the
        message itself starts from the field, the path is not repeated.  Never
        raises: a problem without a (known) code gives its English text.
        """
        if self.code is None:
            return str(self)
        try:
            if self.path and self.params.get("field") == self.path:
                return render_message(self.code, lang, self.params, localize=True)
            params = dict(self.params)
            if self.path and "field" in params:
                # The path already says where; the message names just the field.
                params["field"] = params["field"].rsplit(".", 1)[-1]
            message = render_message(self.code, lang, params, localize=True)
        except (KeyError, IndexError, ValueError):
            return str(self)
        if not self.path:
            return message
        separator = "：" if lang.lower().startswith("zh") else ": "
        return f"{describe_path(self.path, lang)}{separator}{message}"


class ValidationError(ValueError):
    """Input was rejected; ``problems`` lists every reason found, first problem first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._summary())

    def __reduce__(self) -> tuple[type[ValidationError], tuple[tuple[Problem, ...]]]:
        return (type(self), (self.problems,))  # so it survives pickling (worker processes)

    def _summary(self) -> str:
        lines = [str(p) for p in self.problems[:_ERROR_LINES_SHOWN]]
        hidden = len(self.problems) - _ERROR_LINES_SHOWN
        if hidden > 0:
            lines.append(f"… and {hidden} more")
        return "\n".join(lines) or "invalid input"


class FieldProblems:
    """Collects what is wrong with one input, so every bad field is reported at once.

    Each problem's path is the field's name, after ``path`` and a dot when ``path``
    is given (``debtors[acme].contacts[boss]`` → ``debtors[acme].contacts[boss].name``).

    >>> p = FieldProblems()
    >>> p.check("amount", parse_amount, "12,5")
    >>> [str(problem) for problem in p.found]
    ["amount: amount is not a number: '12,5' (write e.g. 12000.50)"]
    >>> FieldProblems(path="referred_to").where("phones[0]")
    'referred_to.phones[0]'
    """

    def __init__(self, *, path: str = "") -> None:
        self.path = path
        self.found: list[Problem] = []

    def where(self, name: str) -> str:
        """The path of the field ``name``."""
        return f"{self.path}.{name}" if self.path else name

    def check(self, name: str, check: Callable[..., T], value: Any, /, **kwargs: Any) -> T:
        """``check(value, **kwargs)``; on ValueError note a problem at the field ``name``.

        After a problem the returned value is meaningless: call :meth:`raise_any`
        before using it.
        """
        try:
            return check(value, **kwargs)
        except ValueError as exc:
            self.found.append(Problem.from_error(self.where(name), exc))
            return None  # type: ignore[return-value]

    def raise_any(self) -> None:
        """Raise :class:`ValidationError` with every problem found, if there is one."""
        if self.found:
            raise ValidationError(self.found)


# --- whole maps ---------------------------------------------------------------------


def check_change(before: DebtorMap, after: DebtorMap, *, region: str) -> None:
    """Raise :class:`ValidationError` for the problems the change from ``before`` to ``after``
    brings.

    Only the records the change touches are checked: the debtor if it changed, and
    each contact, relation and interaction of ``after`` that ``before`` does not
    hold as it is, field by field, plus the map's structure where it concerns
    them (a new contact's key already taken, a relation to a missing contact).
    So a map stored before a validation rule tightened stays editable: logging a
    call or fixing one contact need not wait until every other record is perfect,
    and the check costs what the change touches, not the whole map twice.
    """
    where = f"debtors[{after.debtor.key}]"
    old_contacts, old_relations = set(before.contacts), set(before.relations)
    old_interactions = set(before.interactions)
    contacts = [c for c in after.contacts if c not in old_contacts]
    relations = [(i, r) for i, r in enumerate(after.relations) if r not in old_relations]
    interactions = [(i, x) for i, x in enumerate(after.interactions) if x not in old_interactions]
    problems: list[Problem] = []
    if after.debtor != before.debtor:
        _check_debtor_fields(after, where, problems, region=region)
    _check_records(where, contacts, relations, interactions, problems, region=region)
    touched = (
        *(f"{where}.contacts[{c.key}]" for c in contacts),
        *(f"{where}.relations[{i}]" for i, _ in relations),
        *(f"{where}.interactions[{i}]" for i, _ in interactions),
    )
    problems.extend(p for p in check_structure(after) if any(_within(p.path, t) for t in touched))
    if problems:
        raise ValidationError(tuple(problems))


def _within(path: str, record: str) -> bool:
    return path == record or path.startswith((f"{record}.", f"{record}["))


def validate_map(m: DebtorMap, *, region: str) -> list[Problem]:
    """Every problem in ``m``: field values (as the field checks above would judge them,
    including that they are in canonical form) plus :func:`check_structure`.

    An empty list means the map may be written.  ``region`` reads the facts' mobile.
    """
    problems: list[Problem] = []
    where = f"debtors[{m.debtor.key}]"
    _check_debtor_fields(m, where, problems, region=region)
    _check_records(
        where,
        m.contacts,
        enumerate(m.relations),
        enumerate(m.interactions),
        problems,
        region=region,
    )
    problems.extend(check_structure(m))
    return problems


def _check_records(
    where: str,
    contacts: Iterable[Contact],
    relations: Iterable[tuple[int, Relation]],
    interactions: Iterable[tuple[int, Interaction]],
    problems: list[Problem],
    *,
    region: str,
) -> None:
    """The field checks of these records, each at its path under ``where``."""
    for contact in contacts:
        _check_contact_fields(contact, f"{where}.contacts[{contact.key}]", problems, region=region)
    for i, relation in relations:
        _recheck(problems, f"{where}.relations[{i}].note", check_text, relation.note)
    for i, interaction in interactions:
        path = f"{where}.interactions[{i}]"
        _recheck(problems, f"{path}.by", check_name, interaction.by, field="by", required=False)
        _recheck(problems, f"{path}.note", check_text, interaction.note)
        if interaction.at.utcoffset() is not None:  # (no offset: check_structure says so)
            _recheck(problems, f"{path}.at", check_time_range, interaction.at, field="at")
        if interaction.promise_amount is not None:
            _recheck(problems, f"{path}.promise_amount", parse_amount, interaction.promise_amount)
        if interaction.promise_date is not None:
            _recheck(
                problems,
                f"{path}.promise_date",
                parse_date,
                interaction.promise_date,
                field="promise_date",
            )


def check_structure(
    m: DebtorMap,
    *,
    path: str | None = None,
    relation_positions: Sequence[int] | None = None,
    interaction_positions: Sequence[int] | None = None,
) -> list[Problem]:
    """Problems between the parts of a map: duplicate contact keys, relations and
    interactions naming missing contacts, self-loops, duplicate relations or
    interactions, timestamps without an offset, promises that don't make sense, and
    corrections that supersede no record of this debtor, a void, or a record
    already superseded.

    ``path`` and the ``*_positions`` (each item's index in a source document) only
    change how problems are reported; by default the debtor key and tuple indexes.
    """
    where = path or f"debtors[{m.debtor.key}]"
    problems: list[Problem] = []
    counts = Counter(c.key for c in m.contacts)
    for key, count in counts.items():
        if count > 1:
            problems.append(
                Problem.coded(
                    f"{where}.contacts[{key}]", "contact.key_repeated", key=repr(key), count=count
                )
            )
    r_pos = relation_positions or range(len(m.relations))
    seen_relations: dict[tuple[str, str, str], int] = {}
    for pos, relation in zip(r_pos, m.relations, strict=True):
        _check_relation(relation, f"{where}.relations[{pos}]", counts, problems)
        triple = (relation.source, relation.target, relation.type.value)
        if triple in seen_relations:
            problems.append(
                Problem.coded(
                    f"{where}.relations[{pos}]",
                    "relation.duplicate",
                    source=relation.source,
                    relation_type=relation.type.value,
                    target=relation.target,
                    first=seen_relations[triple],
                )
            )
        seen_relations.setdefault(triple, pos)
    i_pos = interaction_positions or range(len(m.interactions))
    seen_interactions: dict[Interaction, int] = {}
    for pos, interaction in zip(i_pos, m.interactions, strict=True):
        at = f"{where}.interactions[{pos}]"
        _check_interaction(interaction, at, counts, problems)
        if interaction in seen_interactions:
            problems.append(
                Problem.coded(at, "interaction.duplicate", first=seen_interactions[interaction])
            )
        seen_interactions.setdefault(interaction, pos)
    _check_corrections(m.interactions, i_pos, where, problems)
    return problems


def _check_corrections(
    interactions: Sequence[Interaction], positions: Iterable[int], where: str, out: list[Problem]
) -> None:
    """Each correction or void supersedes one record of the same debtor, once, and not a void.

    A chain ``original → correction → …`` is therefore linear, and a record
    another debtor holds can never be superseded from here.
    """
    if not any(i.corrects is not None or i.void for i in interactions):
        return  # the common case: no fingerprints to compute
    placed = list(zip(positions, interactions, strict=True))
    by_fingerprint = {call_fingerprint(i): i for _, i in placed}
    first_to_correct: dict[str, int] = {}
    for pos, interaction in placed:
        at = f"{where}.interactions[{pos}]"
        target = interaction.corrects
        if target is None:
            if interaction.void:
                out.append(Problem.coded(f"{at}.void", "correction.void_needs_corrects"))
            continue
        if not is_fingerprint(target):
            out.append(
                Problem.coded(
                    f"{at}.corrects",
                    "correction.not_fingerprint",
                    field="corrects",
                    value=shown(target),
                )
            )
        elif target not in by_fingerprint:
            out.append(
                Problem.coded(f"{at}.corrects", "correction.unknown_call", value=target[:12] + "…")
            )
        elif by_fingerprint[target].void:
            out.append(Problem.coded(f"{at}.corrects", "correction.of_void"))
        if target in first_to_correct:
            out.append(
                Problem.coded(f"{at}.corrects", "correction.twice", first=first_to_correct[target])
            )
        first_to_correct.setdefault(target, pos)


def _check_relation(
    relation: Relation, at: str, contacts: Counter[str], out: list[Problem]
) -> None:
    for end, key in (("from", relation.source), ("to", relation.target)):
        if key not in contacts:
            out.append(Problem.coded(f"{at}.{end}", "contact.no_such_key", value=shown(key)))
    if relation.source == relation.target:
        out.append(Problem.coded(f"{at}.to", "relation.to_itself", source=repr(relation.source)))


def _check_interaction(
    interaction: Interaction, at: str, contacts: Counter[str], out: list[Problem]
) -> None:
    if interaction.contact not in contacts:
        out.append(
            Problem.coded(f"{at}.contact", "contact.no_such_key", value=shown(interaction.contact))
        )
    if interaction.at.utcoffset() is None:
        out.append(Problem.coded(f"{at}.at", "time.no_offset"))
        return
    amount, promised_by = interaction.promise_amount, interaction.promise_date
    if amount is None and promised_by is None:
        return
    if amount is None or promised_by is None:
        missing = "promise_amount" if amount is None else "promise_date"
        out.append(Problem.coded(f"{at}.{missing}", "promise.incomplete"))
    if interaction.outcome is not Outcome.PROMISED:
        out.append(
            Problem.coded(
                f"{at}.outcome", "promise.needs_promised", outcome=interaction.outcome.value
            )
        )
    if amount is not None and amount <= 0:
        out.append(Problem.coded(f"{at}.promise_amount", "promise.not_positive"))
    # One day of slack: a call late in the evening west of UTC is already "tomorrow" in UTC.
    # Compared only when both lie in the accepted range (out of it, the field checks say
    # so), where neither the conversion to UTC nor the day's arithmetic can overflow.
    if (
        promised_by is not None
        and EARLIEST_DATE <= promised_by <= LATEST_DATE
        and _within_accepted_times(interaction.at)
        and promised_by < interaction.at.astimezone(UTC).date() - timedelta(days=1)
    ):
        out.append(
            Problem.coded(
                f"{at}.promise_date",
                "promise.before_call",
                promise_date=promised_by.isoformat(),
                call_date=interaction.at.date().isoformat(),
            )
        )


def _within_accepted_times(moment: datetime) -> bool:
    try:
        check_time_range(moment, field="at")
    except ValueError:
        return False
    return True


def _recheck(
    problems: list[Problem],
    path: str,
    check: Callable[..., object],
    value: object,
    **kwargs: object,
) -> None:
    """Run a field check on an already-built value: it must pass and be canonical."""
    try:
        canonical = check(value, **kwargs)
    except ValueError as error:
        problems.append(Problem.from_error(path, error))
        return
    if canonical != value:
        problems.append(Problem.coded(path, "value.not_canonical", expected=shown(canonical)))


def _check_debtor_fields(m: DebtorMap, where: str, out: list[Problem], *, region: str) -> None:
    debtor = m.debtor
    _recheck(out, f"{where}.key", check_key, debtor.key)
    _recheck(out, f"{where}.name", check_name, debtor.name)
    _recheck(out, f"{where}.amount_owed", parse_amount, debtor.amount_owed, field="amount_owed")
    _recheck(out, f"{where}.currency", check_currency, debtor.currency)
    if debtor.due_date is not None:
        _recheck(out, f"{where}.due_date", parse_date, debtor.due_date, field="due_date")
    if debtor.credit_code is not None:
        _recheck(out, f"{where}.credit_code", normalize_credit_code, debtor.credit_code)
    _recheck(out, f"{where}.address", check_name, debtor.address, field="address", required=False)
    _recheck(
        out,
        f"{where}.assigned_to",
        check_name,
        debtor.assigned_to,
        field="assigned_to",
        required=False,
    )
    _check_facts(debtor.facts, f"{where}.facts", out, region=region)


def _check_facts(facts: DebtorFacts, where: str, out: list[Problem], *, region: str) -> None:
    _recheck(out, f"{where}.reason_unpaid", check_text, facts.reason_unpaid, field="reason_unpaid")
    _recheck(out, f"{where}.who_pays", check_text, facts.who_pays, field="who_pays")
    _recheck(
        out, f"{where}.top_leader", check_name, facts.top_leader, field="top_leader", required=False
    )
    if facts.top_leader_mobile:
        _recheck(
            out,
            f"{where}.top_leader_mobile",
            _canonical_phone,
            facts.top_leader_mobile,
            region=region,
        )
    if facts.top_leader_email:
        _recheck(out, f"{where}.top_leader_email", check_email, facts.top_leader_email)


def _canonical_phone(value: object, *, region: str) -> str:
    return format_phone(normalize_phone(value, region=region))


def _check_contact_fields(contact: Contact, where: str, out: list[Problem], *, region: str) -> None:
    _recheck(out, f"{where}.key", check_key, contact.key)
    _recheck(out, f"{where}.name", check_name, contact.name)
    _recheck(out, f"{where}.title", check_name, contact.title, field="title", required=False)
    _recheck(out, f"{where}.notes", check_text, contact.notes, field="notes")
    if contact.email is not None:
        _recheck(out, f"{where}.email", check_email, contact.email)
    seen: set[tuple[str, str | None]] = set()
    for i, phone in enumerate(contact.phones):
        # Compare number and extension only: the kind comes from phonenumbers' metadata,
        # which may reclassify a number after an upgrade; that must not block a write.
        # A stored number is E.164 ("+country..."), so ``region`` only changes how one
        # that is not gets reported; it is a problem either way.
        try:
            again = normalize_phone(format_phone(phone), region=region)
        except ValueError as error:
            out.append(Problem.from_error(f"{where}.phones[{i}]", error))
            continue
        if (again.e164, again.extension) != (phone.e164, phone.extension):
            out.append(
                Problem.coded(f"{where}.phones[{i}]", "phone.not_e164", value=repr(phone.e164))
            )
        if (phone.e164, phone.extension) in seen:
            out.append(
                Problem.coded(
                    f"{where}.phones[{i}]", "phone.listed_twice", value=format_phone(phone)
                )
            )
        seen.add((phone.e164, phone.extension))
