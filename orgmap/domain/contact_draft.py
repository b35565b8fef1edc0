"""A person as typed or read, and the one way it becomes a :class:`~orgmap.domain.model.Contact`.

Every way a person enters orgmap builds a :class:`ContactDraft` and passes it to
:func:`contact_from_draft`: the contact form, "someone new" and the person
referred to in the after-call form, a contact in an ``orgmap/1`` document and a
row of a contacts CSV.  So one person meets one set of checks wherever they were
typed.  What is particular to a source (JSON types, CSV cell syntax, enum names
as text) is read by that source before the draft is built.

Pure: standard library and ``phonenumbers``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from orgmap.domain.fields import check_email, check_key, check_name, check_text, normalize_phone
from orgmap.domain.model import Contact, Department, Disposition, Phone
from orgmap.domain.validation import FieldProblems

__all__ = ["ContactDraft", "contact_from_draft", "split_phones"]


@dataclass(frozen=True, slots=True)
class ContactDraft:
    """A person as typed or read: text as given, enums already chosen."""

    name: str
    department: Department = Department.OTHER
    key: str = ""  # "" = let the caller make one from the name
    title: str = ""
    disposition: Disposition = Disposition.UNKNOWN
    authorizes_payment: bool = False
    phones: tuple[str, ...] = ()  # as typed, one number per item
    email: str = ""
    do_not_contact: bool = False
    notes: str = ""
    archived: bool = False


def contact_from_draft(draft: ContactDraft, *, region: str, path: str = "") -> Contact:
    """The contact ``draft`` describes, every field checked.

    Raises :class:`~orgmap.domain.validation.ValidationError` listing every bad
    field at once; each problem's path is the field (``name``, ``phones[1]``), after
    ``path`` and a dot when ``path`` is given.  Text is stripped; a blank email means
    none; phones are normalized (numbers without ``+country`` are read as
    ``region``'s) and a number listed twice is kept once, in the order typed.  A
    blank phone item is a problem: drop blanks first (see :func:`split_phones`).
    The key must be valid: a caller that lets the user leave it out makes one first.

    >>> draft = ContactDraft("王建国", key="boss", phones=("138 1688 2045", "+8613816882045"))
    >>> contact = contact_from_draft(draft, region="CN")
    >>> contact.name, [phone.e164 for phone in contact.phones]
    ('王建国', ['+8613816882045'])
    >>> from orgmap.domain.validation import ValidationError
    >>> try:
    ...     contact_from_draft(ContactDraft(" ", phones=("123",)), region="CN", path="new")
    ... except ValidationError as error:
    ...     print(error)
    new.key: key '' may use only a-z, 0-9, '_' and '-' (1 to 64 characters)
    new.name: name is required
    new.phones[0]: '123' is not a valid phone number (numbers without +country are read as CN)
    """
    if isinstance(draft.phones, str):  # would be read one character at a time
        raise TypeError("ContactDraft.phones is a tuple of numbers: see split_phones()")
    p = FieldProblems(path=path)
    key = p.check("key", check_key, draft.key)
    name = p.check("name", check_name, draft.name)
    title = p.check("title", check_name, draft.title, field="title", required=False)
    phones: dict[tuple[str, str | None], Phone] = {}
    for i, typed in enumerate(draft.phones):
        phone = p.check(f"phones[{i}]", normalize_phone, typed, region=region)
        if phone is not None:
            phones.setdefault((phone.e164, phone.extension), phone)
    email = p.check("email", check_email, draft.email) if draft.email.strip() else None
    notes = p.check("notes", check_text, draft.notes, field="notes")
    p.raise_any()
    return Contact(
        key=key,
        name=name,
        department=draft.department,
        title=title,
        disposition=draft.disposition,
        authorizes_payment=draft.authorizes_payment,
        phones=tuple(phones.values()),
        email=email,
        do_not_contact=draft.do_not_contact,
        notes=notes,
        archived=draft.archived,
    )


_PHONE_SEPARATORS = re.compile(r"[\n,，、/]+")


def split_phones(text: str) -> tuple[str, ...]:
    """The numbers in a phone text box: one per line, or separated by commas or slashes.

    >>> split_phones("138 1234 5678, 021-61234567转801\\n")
    ('138 1234 5678', '021-61234567转801')
    """
    return tuple(part.strip() for part in _PHONE_SEPARATORS.split(text) if part.strip())
