"""A file import accepts exports to a file import accepts again (issue 10, item 3).

With ``indent=2`` a 50,000-contact file under the 10 MB limit exported to 10.7 MB, which
the import then refused.  Now the export writes one compact record per line, and the
limit holds both for a file's bytes and for its data as the export writes it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from orgmap.domain.validation import ValidationError
from orgmap.interchange import dump_document, dumps_document, parse_document
from orgmap.settings import DEFAULT_MAX_IMPORT_BYTES

LIMIT = DEFAULT_MAX_IMPORT_BYTES
PER_DEBTOR = 400
NOTE = "对方说账上钱不多，老板出差下周回来，让我们月底前再打。"  # 27 characters


def terse(doc: object) -> bytes:
    """The densest JSON the reader accepts: no whitespace at all, Chinese unescaped."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def team(contacts: int, *, padding: int = 0) -> dict[str, Any]:
    """A team's file as collectors' tools write it, tersely: phones typed without +86
    (mobiles, landlines with an extension), amounts as bare numbers, times to the minute
    in Beijing time.  Every contact has a long Chinese name, title and note, three phones
    and a promise; ``padding`` more ASCII characters go into the last contacts' notes."""
    debtors = []
    for first in range(0, contacts, PER_DEBTOR):
        people = range(first, min(contacts, first + PER_DEBTOR))
        debtors.append(
            {
                "key": f"d{first}",
                "name": "上海恒达机电设备有限公司",
                "amount_owed": 128000,
                "contacts": [
                    {
                        "key": f"c{n}",
                        "name": f"欧阳{n}" + "建国" * 40,
                        "title": "财务部副经理兼出纳（负责对账）" * 3,
                        "department": "finance",
                        "phones": [f"138{n:08d}", f"021-6{n:07d}转8{n % 100}", f"139{n:08d}"],
                        "notes": NOTE * 20 + "x" * _share(padding, contacts - 1 - n),
                    }
                    for n in people
                ],
                "relations": [
                    {"from": f"c{n}", "to": f"c{n + 1}", "type": "refers_to", "note": "引荐"}
                    for n in people[:-1]
                ],
                "interactions": [
                    {
                        "contact": f"c{n}",
                        "at": "2026-11-02T09:35+08:00",
                        "channel": "phone",
                        "outcome": "promised",
                        "note": NOTE * 4,
                        "promise_amount": 6000,
                        "promise_date": "2026-11-13",
                        "phone": f"138{n:08d}",
                    }
                    for n in people
                ],
            }
        )
    return {"format": "orgmap/1", "debtors": debtors}


def _share(padding: int, from_last: int) -> int:
    """The padding characters of the contact ``from_last`` places before the last one:
    4,000 each (a note holds 5,000) until the padding is used up."""
    return max(0, min(4_000, padding - 4_000 * from_last))


def written_size(raw: bytes) -> int:
    """The size of ``raw``'s data as the export writes it."""
    maps = parse_document(raw, region="CN", max_bytes=2 * len(raw)).maps
    return len(dumps_document(maps).encode("utf-8"))


def test_a_file_at_the_limit_exports_to_a_file_the_import_accepts_again():
    # Calibrate: size one contact as exported, fill the limit with whole contacts, then pad
    # the last note so the export (larger than the terse file) is just under the limit.
    one_debtor = written_size(terse(team(PER_DEBTOR)))
    sample = (written_size(terse(team(2 * PER_DEBTOR))) - one_debtor) // PER_DEBTOR
    count = PER_DEBTOR + (LIMIT - one_debtor) // sample - 10
    room = LIMIT - written_size(terse(team(count)))
    assert 0 < room < 20 * sample
    raw = terse(team(count, padding=room - 10))
    assert LIMIT - 200_000 < len(raw) < LIMIT  # just under the limit, and under its export

    parsed = parse_document(raw, region="CN")
    exported = dumps_document(parsed.maps).encode("utf-8")
    assert len(exported) == LIMIT - 10
    again = parse_document(exported, region="CN")
    assert again.maps == parsed.maps
    assert dumps_document(again.maps).encode("utf-8") == exported
    # What broke before: the indented export of the same maps is over the limit.
    indented = json.dumps(dump_document(parsed.maps), ensure_ascii=False, indent=2)
    assert len(indented.encode("utf-8")) > LIMIT


def test_a_file_whose_export_would_be_over_the_limit_is_refused_at_once():
    raw = terse(team(30))
    written = written_size(raw)
    assert len(raw) < written
    with pytest.raises(ValidationError) as caught:
        parse_document(raw, region="CN", max_bytes=written - 1)
    (problem,) = caught.value.problems
    assert (problem.path, problem.code) == ("", "file.too_large_written")
    assert f"({written - 1:,} bytes)" in str(problem)
    assert "ORGMAP_MAX_IMPORT_BYTES" in problem.text("zh-CN")
    assert len(parse_document(raw, region="CN", max_bytes=written).maps) == 1


def test_the_export_puts_each_record_on_a_line_of_its_own():
    maps = parse_document(terse(team(3)), region="CN").maps
    text = dumps_document(maps)
    assert text.startswith('{\n  "format": "orgmap/1",\n  "debtors": [\n{"key":"d0",')
    lines = [line for line in text.splitlines() if not line.startswith('{"key":"d')]
    written = dump_document(maps)["debtors"][0]
    records = [*written["contacts"], *written["relations"], *written["interactions"]]
    assert [json.loads(line.rstrip(",")) for line in lines if line.startswith('{"')] == records
    assert json.loads(text) == dump_document(maps)
    assert dumps_document([]) == '{\n  "format": "orgmap/1",\n  "debtors": []\n}\n'
