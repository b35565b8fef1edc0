"""One shape for a typed person: ContactDraft, contact_from_draft, and the readers built on it."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from orgmap.domain.contact_draft import ContactDraft, contact_from_draft, split_phones
from orgmap.domain.fields import (
    EMAIL_MAX_CHARS,
    KEY_MAX_CHARS,
    NAME_MAX_CHARS,
    NOTE_MAX_CHARS,
    check_key,
    check_name,
    check_text,
    format_phone,
    normalize_phone,
)
from orgmap.domain.model import Contact, Department, Disposition, Phone, PhoneKind
from orgmap.domain.validation import FieldProblems, ValidationError
from orgmap.interchange import parse_contacts_csv, parse_document

CSV_COLUMNS = ("debtor_key", "key", "name", "title", "department", "disposition")
CSV_COLUMNS += ("authorizes_payment", "phones", "email")


def problems_of(draft: ContactDraft, *, path: str = "", region: str = "CN") -> list[str]:
    with pytest.raises(ValidationError) as caught:
        contact_from_draft(draft, region=region, path=path)
    return [str(problem) for problem in caught.value.problems]


# --- contact_from_draft ------------------------------------------------------------


def test_a_good_draft_gives_the_canonical_contact():
    draft = ContactDraft(
        name=" 王建国 ",
        department=Department.MANAGEMENT,
        key=" boss ",
        title="总经理 ",
        disposition=Disposition.EAGLE,
        authorizes_payment=True,
        phones=("138 1688 2045",),
        email=" W@Ex.COM ",
        do_not_contact=True,
        notes=" 只在上午接电话\r\n周五不在 ",
        archived=True,
    )
    assert contact_from_draft(draft, region="CN") == Contact(
        key="boss",
        name="王建国",
        department=Department.MANAGEMENT,
        title="总经理",
        disposition=Disposition.EAGLE,
        authorizes_payment=True,
        phones=(Phone("+8613816882045", None, PhoneKind.MOBILE),),
        email="W@ex.com",
        do_not_contact=True,
        notes="只在上午接电话\n周五不在",
        archived=True,
    )


def test_defaults_are_a_plain_person():
    contact = contact_from_draft(ContactDraft("王", key="wang"), region="CN")
    assert contact == Contact(key="wang", name="王", department=Department.OTHER)
    assert contact.email is None and contact.phones == ()


def test_every_bad_field_is_reported_at_once_named_by_field():
    draft = ContactDraft(
        name="王" * (NAME_MAX_CHARS + 1),
        key="Boss Wang",
        title="line one\nline two",
        phones=("021-64851230", "12345", "not a phone"),
        email="no-at",
        notes="bell \x07",
    )
    assert problems_of(draft) == [
        "key: key 'Boss Wang' may use only a-z, 0-9, '_' and '-' (1 to 64 characters)",
        f"name: name is too long: {NAME_MAX_CHARS + 1} characters (at most {NAME_MAX_CHARS})",
        "title: title must fit on one line",
        "phones[1]: '12345' is not a valid phone number (numbers without +country are read as CN)",
        "phones[2]: 'not a phone' is not a phone number",
        "email: email 'no-at' is not an e-mail address",
        "notes: notes contains a control character (U+0007)",
    ]


def test_path_prefixes_every_problem():
    draft = ContactDraft("", key="", phones=("123",), email="x@")
    paths = [line.split(": ", 1)[0] for line in problems_of(draft, path="referred_to")]
    expected = ["key", "name", "phones[0]", "email"]
    assert paths == [f"referred_to.{field}" for field in expected]
    deep = problems_of(replace(draft, name="ok"), path="debtors[acme].contacts[boss]")
    assert deep[0].startswith("debtors[acme].contacts[boss].key: ")


def test_problems_keep_their_code_for_the_collectors_language():
    with pytest.raises(ValidationError) as caught:
        contact_from_draft(ContactDraft("", key="x"), region="CN", path="new_person")
    (problem,) = caught.value.problems
    assert problem.code == "name.required"
    assert problem.text("zh-CN").startswith("新联系人的名称")


def test_phones_are_normalized_and_a_number_listed_twice_is_kept_once_in_order():
    draft = ContactDraft(
        "王",
        key="wang",
        phones=(
            "021-64851230转801",
            "138 1688 2045",
            "+862164851230;ext=801",  # the first one again, in the export form
            "+86 138-1688-2045",  # the second one again
            "021-64851230",  # the switchboard without the extension: another number
        ),
    )
    phones = contact_from_draft(draft, region="CN").phones
    assert [format_phone(p) for p in phones] == [
        "+862164851230;ext=801",
        "+8613816882045",
        "+862164851230",
    ]
    assert [p.kind for p in phones] == [
        PhoneKind.FIXED_LINE,
        PhoneKind.MOBILE,
        PhoneKind.FIXED_LINE,
    ]


def test_numbers_without_country_are_read_in_the_region():
    draft = ContactDraft("Bob", key="bob", phones=("(650) 253-0000",))
    assert contact_from_draft(draft, region="US").phones[0].e164 == "+16502530000"
    assert "read as CN" in problems_of(draft, region="CN")[0]


def test_a_blank_phone_item_is_a_problem_and_a_blank_email_is_none():
    assert problems_of(ContactDraft("王", key="wang", phones=(" ",))) == [
        "phones[0]: phone number is empty"
    ]
    assert contact_from_draft(ContactDraft("王", key="w", email="  "), region="CN").email is None


def test_phones_as_one_text_is_a_programming_error_not_a_list_of_bad_numbers():
    with pytest.raises(TypeError, match="split_phones"):
        contact_from_draft(ContactDraft("王", key="w", phones="13816882045"), region="CN")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "limit", "fill"),
    [
        ("name", NAME_MAX_CHARS, "王"),
        ("title", NAME_MAX_CHARS, "职"),
        ("notes", NOTE_MAX_CHARS, "记"),
        ("key", KEY_MAX_CHARS, "k"),
    ],
)
def test_limits_come_from_the_field_constants(field, limit, fill):
    at_limit = {"name": "王", "key": "k", field: fill * limit}
    assert getattr(contact_from_draft(ContactDraft(**at_limit), region="CN"), field) == fill * limit
    over = {**at_limit, field: fill * (limit + 1)}
    (problem,) = problems_of(ContactDraft(**over))
    assert problem.startswith(f"{field}: ")


def test_email_limit():
    local = "a" * 64
    domain = "b" * (EMAIL_MAX_CHARS - len(local) - len("@.cn")) + ".cn"
    longest = f"{local}@{domain}"
    assert len(longest) == EMAIL_MAX_CHARS
    assert contact_from_draft(ContactDraft("王", key="w", email=longest), region="CN").email
    (problem,) = problems_of(ContactDraft("王", key="w", email="c" + longest))
    assert problem.startswith("email: ")


def test_split_phones_reads_the_forms_text_box():
    text = "138 1688 2045\n021-64851230转801, +1 650 253 0000，0755-26543210/ 、\n\n"
    assert split_phones(text) == (
        "138 1688 2045",
        "021-64851230转801",
        "+1 650 253 0000",
        "0755-26543210",
    )
    assert split_phones("  \n ") == ()


def test_field_problems_name_fields_after_the_path():
    p = FieldProblems(path="debtors[acme]")
    assert p.check("key", check_key, " acme ") == "acme"
    p.check("name", check_name, "")
    assert [problem.path for problem in p.found] == ["debtors[acme].name"]
    with pytest.raises(ValidationError):
        p.raise_any()
    FieldProblems().raise_any()  # nothing found: no error


# --- the round trip and the readers, on generated people -----------------------------

_letters = st.characters(
    codec="utf-8", categories=["L", "M", "N", "P", "S", "Zs"], exclude_characters="\ufffe\uffff"
)


def _canonical(check, text: str) -> bool:
    try:
        return check(text) == text
    except ValueError:
        return False


keys = st.text("abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=KEY_MAX_CHARS)
names = st.text(_letters, min_size=1, max_size=30).filter(lambda s: _canonical(check_name, s))
optional_names = st.just("") | names
notes = st.just("") | st.text(_letters | st.sampled_from("\n\t"), max_size=60).filter(
    lambda s: _canonical(check_text, s)
)
emails = st.builds(lambda user, host: f"{user}@{host}.example", keys, keys.map(str.lower))
# Distinct numbers, each in the ways people type it; the last two are not numbers at all.
TYPED_NUMBERS = [
    ["021-64851230", "+86 21 6485 1230", "(021) 6485 1230"],
    ["021-64851230转801", "+862164851230;ext=801", "021 6485 1230 ext. 801"],
    ["13816882045", "138 1688 2045", "+86 138-1688-2045"],
    ["0755-26543210转8011", "+86 755 2654 3210 ext. 8011"],
    ["+1 650 253 0000", "+16502530000"],
    ["12345"],
    ["not a phone"],
]
VALID_PHONES = [normalize_phone(forms[0], region="CN") for forms in TYPED_NUMBERS[:5]]


def contacts():
    return st.builds(
        Contact,
        key=keys,
        name=names,
        department=st.sampled_from(Department),
        title=optional_names,
        disposition=st.sampled_from(Disposition),
        authorizes_payment=st.booleans(),
        phones=st.lists(st.sampled_from(VALID_PHONES), unique=True, max_size=3).map(tuple),
        email=st.none() | emails,
        do_not_contact=st.booleans(),
        notes=notes,
        archived=st.booleans(),
    )


def draft_of(contact: Contact) -> ContactDraft:
    """The draft a form filled from ``contact`` gives back unchanged."""
    return ContactDraft(
        name=contact.name,
        department=contact.department,
        key=contact.key,
        title=contact.title,
        disposition=contact.disposition,
        authorizes_payment=contact.authorizes_payment,
        phones=tuple(format_phone(phone) for phone in contact.phones),
        email=contact.email or "",
        do_not_contact=contact.do_not_contact,
        notes=contact.notes,
        archived=contact.archived,
    )


@settings(max_examples=150, deadline=None)
@given(contacts())
def test_round_trip_through_a_draft(contact):
    assert contact_from_draft(draft_of(contact), region="CN") == contact


def padded(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Text as a person types it: sometimes with spaces around."""
    spaces = st.sampled_from(["", " ", "\u3000"])
    return st.builds(lambda before, s, after: before + s + after, spaces, text, spaces)


@st.composite
def typed_phones(draw) -> tuple[str, ...]:
    groups = draw(st.lists(st.sampled_from(TYPED_NUMBERS), unique_by=id, max_size=3))
    return tuple(draw(st.sampled_from(forms)) for forms in groups)


@st.composite
def typed_people(draw) -> ContactDraft:
    """A person as typed into a CSV row: mostly valid, sometimes not."""
    bad = st.sampled_from
    return ContactDraft(
        key=draw(padded(keys) | bad(["", "Boss Wang", "k" * (KEY_MAX_CHARS + 1)])),
        name=draw(padded(names) | bad(["", "王" * (NAME_MAX_CHARS + 1), "two\nlines"])),
        title=draw(padded(optional_names) | bad(["a\nb"])),
        department=draw(st.sampled_from(Department)),
        disposition=draw(st.sampled_from(Disposition)),
        authorizes_payment=draw(st.booleans()),
        phones=draw(typed_phones()),
        email=draw(st.just("") | emails | emails.map(str.upper) | bad(["no-at", " a@B.CN "])),
    )


def json_document(person: ContactDraft) -> bytes:
    contact = {
        "key": person.key,
        "name": person.name,
        "title": person.title,
        "department": person.department.value,
        "disposition": person.disposition.value,
        "authorizes_payment": person.authorizes_payment,
        "phones": list(person.phones),
        "email": person.email,
    }
    debtor = {"key": "acme", "name": "恒达", "amount_owed": "1", "contacts": [contact]}
    return json.dumps({"format": "orgmap/1", "debtors": [debtor]}).encode()


def csv_file(person: ContactDraft) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerow(
        [
            "acme",
            person.key,
            person.name,
            person.title,
            person.department.value,
            person.disposition.value,
            "yes" if person.authorizes_payment else "no",
            "/".join(person.phones),
            person.email,
        ]
    )
    return out.getvalue().encode()


def json_contact_path(person: ContactDraft) -> str:
    try:
        return f"debtors[acme].contacts[{check_key(person.key)}]"
    except ValueError:
        return "debtors[acme].contacts[0]"


@settings(max_examples=150, deadline=None)
@given(typed_people())
def test_json_reader_csv_reader_and_draft_agree_on_a_person(person):
    """Accepted alike as the same Contact, or refused alike for the same fields and reasons."""
    try:
        contact = contact_from_draft(person, region="CN")
        problems = []
    except ValidationError as error:
        contact, problems = None, list(error.problems)
    try:
        (m,) = parse_document(json_document(person), region="CN").maps
        from_json: Contact | list[str] = m.contacts[0]
    except ValidationError as error:
        from_json = [str(p) for p in error.problems]
    try:
        from_csv: Contact | list[str] = parse_contacts_csv(csv_file(person), region="CN")["acme"][0]
    except ValidationError as error:
        from_csv = [str(p) for p in error.problems]

    event("accepted" if contact is not None else "refused")
    if contact is not None:
        assert from_json == contact
        assert from_csv == contact
    else:
        path = json_contact_path(person)
        assert from_json == [f"{path}.{p.path}: {p.message}" for p in problems]
        column = [p.path.split("[")[0] for p in problems]
        assert from_csv == [f"row 2, column {c}: {p.message}" for c, p in zip(column, problems)]
