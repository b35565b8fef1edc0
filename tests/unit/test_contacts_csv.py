"""CSV import of contacts."""

from __future__ import annotations

import pytest

from orgmap.domain.model import Department, Disposition, Phone, PhoneKind
from orgmap.domain.validation import ValidationError
from orgmap.interchange import parse_contacts_csv

HEADER = "debtor_key,key,name,title,department,disposition,authorizes_payment,phones,email\n"


def csv_bytes(*rows: str, header: str = HEADER, bom: bool = False) -> bytes:
    text = header + "".join(row + "\n" for row in rows)
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def errors_of(raw: bytes, *, region: str = "CN", **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_contacts_csv(raw, region=region, **kwargs)
    return str(caught.value)


def test_reads_contacts_grouped_by_debtor_in_file_order():
    raw = csv_bytes(
        "acme,qiantai,陈晓丽,前台,reception,sheep,否,021-64851230,",
        'acme,boss,王建国,总经理,management,eagle,是,"138 1688 2045/021-64851230转801",W@Ex.COM',
        "other,li,李梅,,finance,,,,",
    )
    found = parse_contacts_csv(raw, region="CN")
    assert list(found) == ["acme", "other"]
    reception, boss = found["acme"]
    assert reception.key == "qiantai" and reception.department is Department.RECEPTION
    assert reception.disposition is Disposition.SHEEP and not reception.authorizes_payment
    assert boss.authorizes_payment and boss.title == "总经理"
    assert boss.phones == (
        Phone("+8613816882045", None, PhoneKind.MOBILE),
        Phone("+862164851230", "801", PhoneKind.FIXED_LINE),
    )
    assert boss.email == "W@ex.com"
    (li,) = found["other"]
    assert li.disposition is Disposition.UNKNOWN and li.phones == () and li.email is None


def test_bom_and_header_case_and_column_order_do_not_matter():
    header = " Name ,KEY,Debtor_Key,Department\n"
    found = parse_contacts_csv(
        csv_bytes("王建国,boss,acme,owner", header=header, bom=True), region="CN"
    )
    assert found["acme"][0].name == "王建国"


@pytest.mark.parametrize(
    ("cell", "count"),
    [
        ("13816882045;021-64851230", 2),
        ("13816882045/021-64851230", 2),
        ("13816882045、021-64851230", 2),
        ("13816882045；021-64851230", 2),
        ("+862164851230;ext=801", 1),  # our own export form is one number
        ("+862164851230;ext=801; 13816882045", 2),
        (" ; 13816882045 ;", 1),
    ],
)
def test_phone_separators(cell, count):
    found = parse_contacts_csv(csv_bytes(f'acme,boss,王,,owner,,,"{cell}",'), region="CN")
    assert len(found["acme"][0].phones) == count


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("true", True),
        ("YES", True),
        ("1", True),
        ("是", True),
        ("y", True),
        ("false", False),
        ("no", False),
        ("0", False),
        ("否", False),
        ("", False),
    ],
)
def test_authorizes_payment_answers(cell, expected):
    found = parse_contacts_csv(csv_bytes(f"acme,boss,王,,owner,,{cell},,"), region="CN")
    assert found["acme"][0].authorizes_payment is expected


def test_bad_authorizes_payment_names_row_and_column():
    message = errors_of(csv_bytes("acme,boss,王,,owner,,maybe,,"))
    assert message.startswith("row 2, column authorizes_payment: ")


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        ("acme,boss,王,,boss,,,,", "department", "unknown department 'boss'; allowed: reception"),
        ("acme,boss,王,,,,,,", "department", "department is required"),
        ("acme,boss,王,,owner,wolf,,,", "disposition", "unknown disposition 'wolf'"),
        ("acme,boss,王,,owner,,,12345,", "phones", "'12345' is not a valid phone number"),
        ("acme,boss,王,,owner,,,13816882045/138 1688 2045,", "phones", "listed twice"),
        ("acme,boss,王,,owner,,,,not-an-email", "email", "is not an e-mail address"),
        ("ACME,boss,王,,owner,,,,", "debtor_key", "debtor_key 'ACME' may use only"),
        ("acme,Boss Wang,王,,owner,,,,", "key", "key 'Boss Wang' may use only"),
        ("acme,boss,,,owner,,,,", "name", "name is required"),
        ("acme,boss," + "王" * 201 + ",,owner,,,,", "name", "name is too long"),
    ],
)
def test_bad_cells_name_row_and_column(row, column, fragment):
    message = errors_of(csv_bytes("acme,ok,好,,owner,,,,", row))
    assert message.startswith(f"row 3, column {column}: ")
    assert fragment in message


def test_every_bad_row_is_reported():
    message = errors_of(
        csv_bytes("acme,a,甲,,boss,,,,", "acme,b,乙,,owner,,,123,", "acme,c,丙,,owner,,,,")
    )
    assert message.splitlines() == [
        "row 2, column department: unknown department 'boss'; allowed: reception, sales, "
        "purchasing, finance, legal, management, owner, external, other",
        "row 3, column phones: '123' is not a valid phone number (numbers without +country are "
        "read as CN)",
    ]


def test_duplicate_debtor_and_contact_key_rows():
    message = errors_of(
        csv_bytes(
            "acme,boss,王,,owner,,,,", "other,boss,王,,owner,,,,", "acme,boss,王二,,owner,,,,"
        )
    )
    assert message == "row 4, column key: contact 'boss' of debtor 'acme' is already on row 2"


def test_blank_rows_are_skipped_and_rows_numbered_like_a_spreadsheet():
    message = errors_of(csv_bytes("acme,a,甲,,owner,,,,", ",,,,,,,,", "", "acme,b,乙,,nope,,,,"))
    assert message.startswith("row 5, column department")


def test_quoted_cells_with_newlines_keep_row_numbers():
    raw = csv_bytes('acme,a,甲,"line one\nline two",owner,,,,', "acme,b,乙,,nope,,,,")
    assert errors_of(raw).splitlines() == [
        "row 2, column title: title must fit on one line",
        "row 3, column department: unknown department 'nope'; allowed: reception, sales, "
        "purchasing, finance, legal, management, owner, external, other",
    ]


def test_missing_and_unknown_columns():
    message = errors_of(csv_bytes("acme,王", header="debtor_key,name,phone\n"))
    assert "row 1: unknown column 'phone'; allowed: debtor_key, key" in message
    assert "row 1: missing required column 'key'" in message
    assert "row 1: missing required column 'department'" in message


def test_repeated_column():
    message = errors_of(csv_bytes("a,b,c,d,e", header="debtor_key,key,name,department,name\n"))
    assert message == "row 1: column 'name' appears more than once"


def test_header_required():
    assert errors_of(b"").startswith("row 1: the file is empty; expected a header: debtor_key")


def test_too_many_cells():
    message = errors_of(csv_bytes("acme,k,n,owner,x", header="debtor_key,key,name,department\n"))
    assert message == "row 2: has 5 cells but the header has 4 columns"


def test_short_rows_leave_optional_columns_empty():
    found = parse_contacts_csv(csv_bytes("acme,k,甲,,owner"), region="CN")
    assert found["acme"][0].phones == ()


def test_not_utf8_and_too_big():
    gbk = (HEADER + "acme,k,王建国,,owner,,,,\n").encode("gbk")
    assert "not UTF-8" in errors_of(gbk)
    raw = csv_bytes("acme,k,王,,owner,,,,")
    assert f"({len(raw) - 1:,} bytes)" in errors_of(raw, max_bytes=len(raw) - 1)


def test_nul_bytes_are_a_clean_error():
    message = errors_of(csv_bytes("acme,k,王\x00,,owner,,,,"))
    assert message.startswith("row 2")


def test_region_applies_to_local_numbers():
    found = parse_contacts_csv(csv_bytes("acme,k,Bob,,owner,,,(650) 253-0000,"), region="US")
    assert found["acme"][0].phones[0].e164 == "+16502530000"
