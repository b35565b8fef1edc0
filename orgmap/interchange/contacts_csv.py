"""Import contacts from a CSV spreadsheet, since many teams start from one.

The first row is the header; column names are matched ignoring case and
surrounding spaces.  Columns (any order):

=================== ======== ==========================================================
column              required content
=================== ======== ==========================================================
debtor_key          yes      key of the debtor the contact belongs to
key                 yes      the contact's key, unique within the debtor
name                yes      the contact's name
department          yes      reception, sales, purchasing, finance, legal, management,
                             owner, external or other
title               no       job title
disposition         no       sheep, fox, eagle, donkey or unknown (empty: unknown)
authorizes_payment  no       true/false, yes/no, 1/0, 是/否 (empty: false)
phones              no       several numbers separated by ``;``, ``/`` or ``、``
email               no       e-mail address
=================== ======== ==========================================================

UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8").  Rows are numbered
as a spreadsheet shows them: the header is row 1.  Blank rows are skipped.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from orgmap.domain.contact_draft import ContactDraft, contact_from_draft
from orgmap.domain.fields import FieldError, check_key, parse_enum
from orgmap.domain.model import Contact, Department, Disposition
from orgmap.domain.validation import Problem, ValidationError
from orgmap.interchange.document import decode_upload
from orgmap.interchange.document_reader import repeated_phones
from orgmap.settings import DEFAULT_MAX_IMPORT_BYTES

__all__ = ["COLUMNS", "REQUIRED_COLUMNS", "ContactRow", "parse_contact_rows", "parse_contacts_csv"]

COLUMNS = (
    "debtor_key",
    "key",
    "name",
    "title",
    "department",
    "disposition",
    "authorizes_payment",
    "phones",
    "email",
)
REQUIRED_COLUMNS = ("debtor_key", "key", "name", "department")
# Optional columns, each named as the Contact field it fills.
_OPTIONAL_COLUMNS = ("title", "disposition", "authorizes_payment", "phones", "email")
_TRUE = frozenset({"true", "yes", "y", "1", "是"})
_FALSE = frozenset({"false", "no", "n", "0", "否", ""})
# ";" separates numbers, except in our own export form "+862161234567;ext=801".
_PHONE_SEPARATORS = re.compile(r"[/、；]|;(?!\s*ext=)")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ContactRow:
    """One CSV row: the contact it describes and which of its optional fields had a value.

    A blank cell or a missing column says nothing about an existing contact, so an
    update must keep what was known for every optional field not in ``given``.
    """

    contact: Contact
    given: frozenset[str]

    def applied_to(self, existing: Contact) -> Contact:
        """``existing`` updated with this row's name, department and non-blank fields."""
        changes = {f: getattr(self.contact, f) for f in ("name", "department", *self.given)}
        return replace(existing, **changes)


def parse_contacts_csv(
    raw: bytes, *, region: str, max_bytes: int = DEFAULT_MAX_IMPORT_BYTES
) -> dict[str, tuple[Contact, ...]]:
    """Read a contacts CSV into ``{debtor_key: contacts in file order}``.

    Raises :class:`ValidationError` listing every problem, each naming the row and
    column.  Whether the debtors exist is for the caller (the import service) to check.
    """
    rows = parse_contact_rows(raw, region=region, max_bytes=max_bytes)
    return {debtor: tuple(r.contact for r in found) for debtor, found in rows.items()}


def parse_contact_rows(
    raw: bytes, *, region: str, max_bytes: int = DEFAULT_MAX_IMPORT_BYTES
) -> dict[str, tuple[ContactRow, ...]]:
    """Like :func:`parse_contacts_csv`, keeping which optional cells had a value."""
    text = decode_upload(raw, max_bytes=max_bytes)
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[Problem] = []
    contacts: dict[str, list[ContactRow]] = {}
    first_row: dict[tuple[str, str], int] = {}
    try:
        header = _read_header(next(reader, None))
        for row_number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                problems.append(
                    Problem.coded(
                        f"row {row_number}",
                        "csv.too_many_cells",
                        cells=len(cells),
                        columns=len(header),
                    )
                )
                continue
            row = dict(zip(header, cells, strict=False))
            read = _read_row(row, f"row {row_number}", problems, region=region)
            if read is None:
                continue
            debtor_key, contact = read
            given = frozenset(c for c in _OPTIONAL_COLUMNS if row.get(c, "").strip())
            if (debtor_key, contact.key) in first_row:
                problems.append(
                    Problem.coded(
                        f"row {row_number}, column key",
                        "csv.contact_repeated",
                        key=repr(contact.key),
                        debtor=repr(debtor_key),
                        row=first_row[debtor_key, contact.key],
                    )
                )
                continue
            first_row[debtor_key, contact.key] = row_number
            contacts.setdefault(debtor_key, []).append(ContactRow(contact, given))
    except csv.Error as error:
        problems.append(Problem.coded(f"row {reader.line_num}", "csv.unreadable", error=error))
    if problems:
        raise ValidationError(problems)
    return {debtor: tuple(found) for debtor, found in contacts.items()}


def _read_header(cells: list[str] | None) -> list[str]:
    expected = ", ".join(COLUMNS)
    if cells is None:
        raise ValidationError([Problem.coded("row 1", "csv.empty", expected=expected)])
    header = [cell.strip().lower() for cell in cells]
    problems = [
        Problem.coded("row 1", "csv.unknown_column", name=repr(name), expected=expected)
        for name in header
        if name not in COLUMNS
    ]
    problems += [
        Problem.coded("row 1", "csv.repeated_column", name=repr(name))
        for name in sorted({n for n in header if header.count(n) > 1})
    ]
    problems += [
        Problem.coded("row 1", "csv.missing_column", name=repr(name))
        for name in REQUIRED_COLUMNS
        if name not in header
    ]
    if problems:
        raise ValidationError(problems)
    return header


def _read_row(
    row: dict[str, str], where: str, problems: list[Problem], *, region: str
) -> tuple[str, Contact] | None:
    """One data row as (debtor key, contact); None (with problems recorded) if it is bad.

    The cells become a :class:`ContactDraft`, checked by :func:`contact_from_draft` like a
    person typed in a form; its problems are named by row and column.
    """
    count = len(problems)

    def cell(column: str, convert: Callable[[str], T], default: T) -> T:
        try:
            return convert(row.get(column, ""))
        except ValueError as error:
            problems.append(Problem.from_error(f"{where}, column {column}", error))
            return default

    debtor_key = cell("debtor_key", lambda v: check_key(v, field="debtor_key"), "")
    draft = ContactDraft(
        key=row.get("key", ""),
        name=row.get("name", ""),
        title=row.get("title", ""),
        department=cell("department", _department, Department.OTHER),
        disposition=cell("disposition", _disposition, Disposition.UNKNOWN),
        authorizes_payment=cell("authorizes_payment", _yes_no, False),
        phones=_split_phones(row.get("phones", "")),
        email=row.get("email", ""),
    )
    try:
        contact: Contact | None = contact_from_draft(draft, region=region)
    except ValidationError as error:
        contact = None
        problems.extend(replace(p, path=_place(where, p.path)) for p in error.problems)
    maybe_repeated = contact is None or len(contact.phones) < len(draft.phones)
    if maybe_repeated and (repeated := repeated_phones(draft.phones, region=region)):
        problems.append(
            Problem.coded(
                _place(where, "phones"), "phone.listed_twice", value=repr(draft.phones[repeated[0]])
            )
        )
    # Cells read first, the draft checked second; reported in the order of the columns.
    problems[count:] = sorted(problems[count:], key=lambda p: _column_rank(p.path))
    if contact is None or len(problems) > count:
        return None
    return debtor_key, contact


def _column_rank(path: str) -> int:
    column = path.rpartition(", column ")[2]
    return COLUMNS.index(column) if column in COLUMNS else -1


def _place(row: str, field_path: str) -> str:
    """Where a draft's field came from: ``row 3`` and ``phones[1]`` → ``row 3, column phones``."""
    return f"{row}, column {field_path.split('[', 1)[0]}"


def _department(value: str) -> Department:
    if not value.strip():
        raise FieldError("name.required", field="department")
    return parse_enum(value.strip().lower(), Department, field="department")


def _disposition(value: str) -> Disposition:
    if not value.strip():
        return Disposition.UNKNOWN
    return parse_enum(value.strip().lower(), Disposition, field="disposition")


def _yes_no(value: str) -> bool:
    answer = value.strip().lower()
    if answer in _TRUE:
        return True
    if answer in _FALSE:
        return False
    raise FieldError("flag.yes_no", field="authorizes_payment", value=repr(value))


def _split_phones(cell: str) -> tuple[str, ...]:
    """The numbers in a ``phones`` cell (blank pieces dropped)."""
    return tuple(piece.strip() for piece in _PHONE_SEPARATORS.split(cell) if piece.strip())
