"""Read one debtor of an ``orgmap/1`` document, recording problems instead of raising.

The reader keeps going after a bad field so that one import reports every
problem at once.  A field that fails leaves a harmless default in its place;
those placeholder values never escape, because :func:`~orgmap.interchange.document.parse_document`
raises when any problem was recorded.  A contact with a bad field is still
counted as present, so relations to it don't produce follow-on "no such contact"
noise; a relation or interaction with a bad field is left out of the
cross-checks (a second fault in it shows up once the first is fixed).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from orgmap.domain.calls import is_fingerprint
from orgmap.domain.contact_draft import ContactDraft, contact_from_draft
from orgmap.domain.fields import (
    FieldError,
    check_credit_code,
    check_currency,
    check_email,
    check_key,
    check_name,
    check_text,
    format_phone,
    normalize_credit_code,
    normalize_phone,
    parse_amount,
    parse_date,
    parse_enum,
    parse_logged_time,
    shown,
)
from orgmap.domain.model import (
    Channel,
    Contact,
    Debtor,
    DebtorFacts,
    DebtorMap,
    DebtorStatus,
    Department,
    Disposition,
    Interaction,
    Outcome,
    Relation,
    RelationType,
)
from orgmap.domain.validation import Problem, ValidationError, check_structure

__all__ = ["DuplicateKeysObject", "Report", "json_type", "read_debtor", "repeated_phones"]

T = TypeVar("T")
_DEBTOR_FIELDS = (
    "key", "name", "credit_code", "address", "amount_owed", "currency", "due_date", "status",
    "assigned_to", "facts", "contacts", "relations", "interactions",
)  # fmt: skip
_CONTACT_FIELDS = (
    "key", "name", "title", "department", "disposition", "authorizes_payment", "phones",
    "email", "do_not_contact", "notes", "archived",
)  # fmt: skip
_RELATION_FIELDS = ("from", "to", "type", "note", "archived")
_INTERACTION_FIELDS = (
    "contact", "at", "channel", "outcome", "by", "note", "promise_amount", "promise_date",
    "phone", "corrects", "void",
)  # fmt: skip
_FACT_FIELDS = tuple(f.name for f in fields(DebtorFacts))
# Stands in for a time that failed to parse; such an interaction is dropped anyway.
_NO_TIME = datetime(1970, 1, 1, tzinfo=UTC)


class DuplicateKeysObject(dict[str, Any]):
    """A JSON object that remembers member names it saw more than once.

    ``json`` keeps the last of duplicate names silently; we report them instead,
    because the dropped value is data the user meant to import.
    """

    duplicates: tuple[str, ...] = ()


@dataclass(kw_only=True)
class Report:
    """Problems (errors) and warnings collected while reading."""

    region: str  # the country assumed for numbers written without +country
    # Read once per document: a call logged after "now" is refused (see check_logged_time).
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def json_type(value: object) -> str:
    """The JSON name of a parsed value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "an array"
    return "an object"


class _Fields:
    """The members of one JSON object, read one by one; each failure becomes a Problem."""

    def __init__(
        self,
        raw: object,
        path: str,
        report: Report,
        *,
        allowed: tuple[str, ...],
        required: tuple[str, ...] = (),
    ) -> None:
        self.path, self.report, self.failed = path, report, False
        # Members whose value could not be read (e.g. "name", "phones[1]"): a check made
        # later on the default left in their place must not report them again.
        self.unread: set[str] = set()
        self.values: dict[str, Any] = raw if isinstance(raw, dict) else {}
        if not isinstance(raw, dict):
            self.fail(None, Problem.coded("", "json.expected_object", kind=json_type(raw)))
            return
        for name in getattr(raw, "duplicates", ()):
            self.fail(name, Problem.coded("", "json.repeated_member"))
        for name in raw:
            if name not in allowed:
                close = difflib.get_close_matches(name, allowed, n=1)
                known = {"name": repr(name), "allowed": ", ".join(allowed)}
                unknown = (
                    Problem.coded("", "json.unknown_member_close", close=repr(close[0]), **known)
                    if close
                    else Problem.coded("", "json.unknown_member", **known)
                )
                self.fail(None, unknown)
        for name in required:
            if raw.get(name) is None:
                code = "json.required" if name not in raw else "json.required_not_null"
                self.fail(name, Problem.coded("", code), unread=True)

    def fail(self, name: str | None, what: Problem | ValueError, *, unread: bool = False) -> None:
        """Note ``what`` (a problem without a path, or a field check's error) at ``name``;
        ``unread``: the member's value could not be read."""
        self.failed = True
        if name and unread:
            self.unread.add(name)
        path = f"{self.path}.{name}" if name else self.path
        if isinstance(what, Problem):
            self.report.problems.append(replace(what, path=path))
        else:
            self.report.problems.append(Problem.from_error(path, what))

    def get(self, name: str, convert: Callable[[Any], T], default: T) -> T:
        """``convert`` the member ``name``; absent or null gives ``default``."""
        raw = self.values.get(name)
        if raw is None:
            return default
        try:
            return convert(raw)
        except ValueError as error:
            self.fail(name, error, unread=True)
            return default


def _string(value: Any) -> str:
    """A JSON string as written (a draft checks it later)."""
    if not isinstance(value, str):
        raise FieldError("json.expected_text", kind=json_type(value))
    return value


def _text(check: Callable[..., T], **kwargs: Any) -> Callable[[Any], T]:
    def convert(value: Any) -> T:
        return check(_string(value), **kwargs)

    return convert


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise FieldError("json.expected_flag", kind=json_type(value))
    return value


def _maybe_flag(value: Any) -> bool | None:
    return _flag(value)


def _optional_email(value: str) -> str:
    return check_email(value) if value.strip() else ""


def _amount(name: str) -> Callable[[Any], Decimal]:
    def convert(value: Any) -> Decimal:
        if not isinstance(value, str | int | Decimal) or isinstance(value, bool):
            raise FieldError("json.expected_amount", kind=json_type(value))
        return parse_amount(value, field=name)

    return convert


def _list(value: Any, path: str, report: Report) -> list[Any]:
    if isinstance(value, list):
        return value
    if value is not None:
        report.problems.append(Problem.coded(path, "json.expected_array", kind=json_type(value)))
    return []


def _path_for(raw: object, kind: str, index: int, prefix: str) -> str:
    """``prefix + kind[key]`` when the item has a valid key, else ``prefix + kind[index]``."""
    key = raw.get("key") if isinstance(raw, dict) else None
    if isinstance(key, str):
        try:
            return f"{prefix}{kind}[{check_key(key)}]"
        except ValueError:
            pass
    return f"{prefix}{kind}[{index}]"


def read_debtor(raw: object, index: int, report: Report) -> DebtorMap | None:
    """Read ``debtors[index]``; None when it is too broken to name (no usable key)."""
    path = _path_for(raw, "debtors", index, "")
    f = _Fields(raw, path, report, allowed=_DEBTOR_FIELDS, required=("key", "name", "amount_owed"))
    if not isinstance(raw, dict):
        return None
    key = f.get("key", _text(check_key), "")
    credit_code = f.get("credit_code", _text(_read_credit_code, report=report, path=path), None)
    debtor = Debtor(
        key=key,
        name=f.get("name", _text(check_name), ""),
        credit_code=credit_code or None,
        address=f.get("address", _text(check_name, field="address", required=False), ""),
        amount_owed=f.get("amount_owed", _amount("amount_owed"), Decimal(0)),
        currency=f.get("currency", _text(check_currency), "CNY"),
        due_date=f.get("due_date", _text(parse_date, field="due_date"), None),
        status=f.get(
            "status", _text(parse_enum, enum_type=DebtorStatus, field="status"), DebtorStatus.OPEN
        ),
        assigned_to=f.get(
            "assigned_to", _text(check_name, field="assigned_to", required=False), ""
        ),
        facts=_read_facts(f.values.get("facts"), f"{path}.facts", report),
    )
    contacts = [
        contact
        for i, item in enumerate(_list(f.values.get("contacts"), f"{path}.contacts", report))
        if (contact := _read_contact(item, i, path, report)) is not None
    ]
    relations: list[tuple[int, Relation]] = []
    for i, item in enumerate(_list(f.values.get("relations"), f"{path}.relations", report)):
        relation = _read_relation(item, f"{path}.relations[{i}]", report)
        if relation is not None:
            relations.append((i, relation))
    interactions: list[tuple[int, Interaction]] = []
    for i, item in enumerate(_list(f.values.get("interactions"), f"{path}.interactions", report)):
        interaction = _read_interaction(item, f"{path}.interactions[{i}]", report)
        if interaction is not None:
            interactions.append((i, interaction))
    m = DebtorMap(
        debtor=debtor,
        contacts=tuple(contacts),
        relations=tuple(r for _, r in relations),
        interactions=tuple(i for _, i in interactions),
    )
    report.problems.extend(
        check_structure(
            m,
            path=path,
            relation_positions=[pos for pos, _ in relations],
            interaction_positions=[pos for pos, _ in interactions],
        )
    )
    return m if key else None


def _read_credit_code(value: str, *, report: Report, path: str) -> str:
    if not value.strip():
        return ""  # an empty cell means "not known", like an absent field
    warning = check_credit_code(value)
    if warning:
        report.warnings.append(Problem.from_error(f"{path}.credit_code", warning))
    return normalize_credit_code(value)


def _read_facts(raw: object, path: str, report: Report) -> DebtorFacts:
    if raw is None:
        return DebtorFacts()
    f = _Fields(raw, path, report, allowed=_FACT_FIELDS)

    def phone(value: str) -> str:
        return format_phone(normalize_phone(value, region=report.region)) if value.strip() else ""

    return DebtorFacts(
        reason_unpaid=f.get("reason_unpaid", _text(check_text, field="reason_unpaid"), ""),
        who_pays=f.get("who_pays", _text(check_text, field="who_pays"), ""),
        money_in_account=f.get("money_in_account", _maybe_flag, None),
        salaries_on_time=f.get("salaries_on_time", _maybe_flag, None),
        leaders_aware=f.get("leaders_aware", _maybe_flag, None),
        top_leader=f.get("top_leader", _text(check_name, field="top_leader", required=False), ""),
        top_leader_mobile=f.get("top_leader_mobile", _text(phone), ""),
        top_leader_email=f.get("top_leader_email", _text(_optional_email), ""),
        address_verified=f.get("address_verified", _flag, False),
        registration_verified=f.get("registration_verified", _flag, False),
    )


def _read_contact(raw: object, index: int, parent: str, report: Report) -> Contact | None:
    """The contact at ``contacts[index]``: its JSON read into a :class:`ContactDraft`, which
    :func:`contact_from_draft` checks like a person typed in a form.

    With a problem, a placeholder with the contact's key stands in (so relations to it
    add no noise), or None when the key itself is bad.
    """
    path = _path_for(raw, "contacts", index, f"{parent}.")
    first_problem = len(report.problems)
    contact = _contact_or_placeholder(raw, path, report)
    # Members are read first and checked second; report in the order they are listed.
    report.problems[first_problem:] = sorted(
        report.problems[first_problem:], key=lambda p: _member_rank(p.path, path)
    )
    return contact


def _contact_or_placeholder(raw: object, path: str, report: Report) -> Contact | None:
    f = _Fields(raw, path, report, allowed=_CONTACT_FIELDS, required=("key", "name", "department"))
    if not isinstance(raw, dict):
        return None
    draft = ContactDraft(
        key=f.get("key", _string, ""),
        name=f.get("name", _string, ""),
        title=f.get("title", _string, ""),
        department=f.get(
            "department",
            _text(parse_enum, enum_type=Department, field="department"),
            Department.OTHER,
        ),
        disposition=f.get(
            "disposition",
            _text(parse_enum, enum_type=Disposition, field="disposition"),
            Disposition.UNKNOWN,
        ),
        authorizes_payment=f.get("authorizes_payment", _flag, False),
        phones=_read_phones(f),
        email=f.get("email", _string, ""),
        do_not_contact=f.get("do_not_contact", _flag, False),
        notes=f.get("notes", _string, ""),
        archived=f.get("archived", _flag, False),
    )
    try:
        contact = contact_from_draft(draft, region=report.region, path=path)
    except ValidationError as error:
        contact = None
        report.problems.extend(p for p in error.problems if not _unread(f, p))
    if contact is None or len(contact.phones) < len(draft.phones):
        report.problems.extend(
            Problem.coded(f"{path}.phones[{i}]", "phone.listed_twice", value=repr(draft.phones[i]))
            for i in repeated_phones(draft.phones, region=report.region)
        )
    if contact is not None:
        return contact
    try:
        return Contact(key=check_key(draft.key), name="", department=draft.department)
    except ValueError:
        return None


def _member_rank(problem_path: str, path: str) -> tuple[int, int]:
    """Sorts a contact's problems: the object itself first, then by member, then by index."""
    member, _, index = problem_path.removeprefix(path).lstrip(".").partition("[")
    rank = _CONTACT_FIELDS.index(member) + 1 if member in _CONTACT_FIELDS else 0
    return rank, int(index.rstrip("]")) if index.rstrip("]").isdigit() else -1


def _read_phones(f: _Fields) -> tuple[str, ...]:
    """The phones as written.  An item that is not text is reported and leaves "" in its
    place, so the others keep their index (:func:`_unread` skips it)."""
    raw = f.values.get("phones")
    if raw is not None and not isinstance(raw, list):
        f.fail("phones", Problem.coded("", "json.expected_array", kind=json_type(raw)), unread=True)
        return ()
    texts: list[str] = []
    for i, item in enumerate(raw or ()):
        try:
            texts.append(_string(item))
        except FieldError as error:
            f.fail(f"phones[{i}]", error, unread=True)
            texts.append("")
    return tuple(texts)


def _unread(f: _Fields, problem: Problem) -> bool:
    """Whether ``problem`` is about a member (``name``, ``phones[1]``) that was not read."""
    member = problem.path.removeprefix(f"{f.path}.")
    return member in f.unread or member.split("[")[0] in f.unread


def repeated_phones(texts: Sequence[str], *, region: str) -> list[int]:
    """The indexes of numbers an earlier item already gave (unreadable items are skipped).

    A draft keeps such a number once, silently; a file that lists it twice is probably
    wrong, so the readers refuse it.

    >>> repeated_phones(["138 1688 2045", "021-64851230", "+86 138-1688-2045"], region="CN")
    [2]
    """
    seen: set[tuple[str, str | None]] = set()
    repeated = []
    for i, text in enumerate(texts):
        try:
            phone = normalize_phone(text, region=region)
        except ValueError:
            continue
        if (phone.e164, phone.extension) in seen:
            repeated.append(i)
        seen.add((phone.e164, phone.extension))
    return repeated


def _read_relation(raw: object, path: str, report: Report) -> Relation | None:
    f = _Fields(raw, path, report, allowed=_RELATION_FIELDS, required=("from", "to", "type"))
    relation = Relation(
        source=f.get("from", _text(check_key, field="from"), ""),
        target=f.get("to", _text(check_key, field="to"), ""),
        type=f.get(
            "type", _text(parse_enum, enum_type=RelationType, field="type"), RelationType.COLLEAGUE
        ),
        note=f.get("note", _text(check_text, field="note"), ""),
        archived=f.get("archived", _flag, False),
    )
    return None if f.failed else relation


def _read_interaction(raw: object, path: str, report: Report) -> Interaction | None:
    f = _Fields(
        raw,
        path,
        report,
        allowed=_INTERACTION_FIELDS,
        required=("contact", "at", "channel", "outcome"),
    )
    interaction = Interaction(
        contact=f.get("contact", _text(check_key, field="contact"), ""),
        at=f.get("at", _text(parse_logged_time, now=report.now, field="at"), _NO_TIME),
        channel=f.get(
            "channel", _text(parse_enum, enum_type=Channel, field="channel"), Channel.PHONE
        ),
        outcome=f.get(
            "outcome", _text(parse_enum, enum_type=Outcome, field="outcome"), Outcome.NO_ANSWER
        ),
        by=f.get("by", _text(check_name, field="by", required=False), ""),
        note=f.get("note", _text(check_text, field="note"), ""),
        promise_amount=f.get("promise_amount", _amount("promise_amount"), None),
        promise_date=f.get("promise_date", _text(parse_date, field="promise_date"), None),
        phone=f.get("phone", _text(_number, region=report.region), None),
        corrects=f.get("corrects", _text(_fingerprint), None),
        void=f.get("void", _flag, False),
    )
    return None if f.failed else interaction


def _fingerprint(value: str) -> str:
    """The fingerprint of the call a correction or void supersedes (checked against the
    debtor's other calls by :func:`~orgmap.domain.validation.check_structure`)."""
    if not is_fingerprint(value):
        raise FieldError("correction.not_fingerprint", field="corrects", value=shown(value))
    return value


def _number(value: str, *, region: str) -> str:
    """The E.164 number a call used.  Not checked against the contact's phones: the
    number may have been removed from the contact since the call."""
    return normalize_phone(value, region=region).e164
