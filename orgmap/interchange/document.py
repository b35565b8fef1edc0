"""The ``orgmap/1`` interchange format: JSON in UTF-8, one document for many debtors.

::

    {"format": "orgmap/1",
     "debtors": [{"key", "name", "credit_code"?, "address"?, "amount_owed" (string or number),
                  "currency"?, "due_date"? (YYYY-MM-DD), "status"?, "assigned_to"?, "facts"?,
                  "contacts": [{"key", "name", "title"?, "department", "disposition"?,
                                "authorizes_payment"?, "phones"? [str], "email"?,
                                "do_not_contact"?, "notes"?, "archived"?}],
                  "relations": [{"from", "to", "type", "note"?, "archived"?}],
                  "interactions": [{"contact", "at" (ISO-8601 with offset), "channel",
                                    "outcome", "by"?, "note"?, "promise_amount"?,
                                    "promise_date"?, "phone"?, "corrects"?, "void"?}]}]}

Beyond the issue's format, four optional members make export lossless:
``assigned_to`` (the collector's user name) and ``facts`` (the article-5 checklist,
members named as in :class:`~orgmap.domain.model.DebtorFacts`) on a debtor,
``"archived": true`` on a contact or relation, and ``phone`` on an interaction:
the number the call used, read like a contact's phones and kept in E.164 (it
need not be one of the contact's numbers now: it may have been removed since).
A call corrected later stays in the file: its correction is one more interaction
whose ``corrects`` is the corrected record's fingerprint (64 hex digits, see
:func:`~orgmap.domain.calls.call_fingerprint`; it names an interaction of the same
debtor in the same file), and ``"void": true`` marks a record that withdraws it.
Importing the file twice adds nothing: corrections are recognised by content too.
A null optional member means "absent"; empty ``contacts``/``relations``/``interactions``
arrays may be left out.

Reading is strict: unknown members are errors (a typo must not silently drop data),
and :func:`parse_document` reports every problem it finds in one
:class:`~orgmap.domain.validation.ValidationError`.  Writing is canonical: see
:mod:`orgmap.interchange.document_writer` for the order and omitted defaults, and
:func:`dumps_document` for the layout (one record per line).

The size limit holds both for the file and for what it holds as :func:`dumps_document`
writes it, so a file that is accepted always exports to a file that is accepted again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NoReturn

from orgmap.domain.model import DebtorMap
from orgmap.domain.validation import Problem, ValidationError
from orgmap.interchange.document_reader import DuplicateKeysObject, Report, json_type, read_debtor
from orgmap.interchange.document_writer import sort_map, write_debtor
from orgmap.settings import DEFAULT_MAX_IMPORT_BYTES

__all__ = [
    "FORMAT",
    "ParsedDocument",
    "decode_upload",
    "dump_document",
    "dumps_document",
    "parse_document",
]

FORMAT = "orgmap/1"


@dataclass(frozen=True)
class ParsedDocument:
    """A valid document: its debtor maps (in export order) and any warnings."""

    maps: tuple[DebtorMap, ...]
    warnings: tuple[Problem, ...]


def parse_document(
    raw: bytes, *, region: str, max_bytes: int = DEFAULT_MAX_IMPORT_BYTES
) -> ParsedDocument:
    """Read an ``orgmap/1`` document; raise :class:`ValidationError` listing every problem.

    ``region`` is the country assumed for phone numbers written without ``+country``.
    Contacts, relations and interactions come back sorted as :func:`dump_document`
    writes them, so ``parse_document(dumps_document(maps), region=...)`` gives the maps back.
    A credit code with a wrong check character is kept and reported in ``warnings``.
    """
    report = Report(region=region)
    document = _load_json(decode_upload(raw, max_bytes=max_bytes))
    maps = _read_debtors(_read_envelope(document, report), report)
    if report.problems:
        raise ValidationError(report.problems)
    ordered = tuple(sorted((sort_map(m) for m in maps), key=lambda m: m.debtor.key))
    _check_written_size(ordered, max_bytes=max_bytes)
    return ParsedDocument(maps=ordered, warnings=tuple(report.warnings))


def _check_written_size(maps: tuple[DebtorMap, ...], *, max_bytes: int) -> None:
    """Refuse a document whose export would be larger than the limit.

    A team expects what orgmap accepted to come back from ``export`` and be accepted
    again.  The file's own bytes cannot promise that: the export writes every phone in
    E.164 (``13812345678`` becomes ``+8613812345678``), every amount with two decimals
    and every time in UTC with seconds, so it can be larger than a file typed tersely.
    Measuring the data as :func:`dumps_document` writes it makes "fits the limit" a
    property of the data, which export → import keeps (and the export's own bytes are
    that measure, so it also passes the byte check the CLI and the upload page make
    before reading).  Only a file close to the limit and written more tersely than
    orgmap writes is refused here rather than at its re-import.
    """
    written = len(dumps_document(maps).encode("utf-8"))
    if written > max_bytes:
        _fail(
            "",
            "file.too_large_written",
            size=_size(written),
            limit=_size(max_bytes),
            limit_bytes=f"{max_bytes:,}",
        )


def _read_envelope(document: object, report: Report) -> list[Any]:
    """The ``debtors`` array, after checking the members around it.

    A wrong or missing ``format`` stops the reading at once: another version's
    fields would only produce a flood of misleading errors.
    """
    if not isinstance(document, dict):
        _fail("", "file.not_object", type=json_type(document))
    if document.get("format") != FORMAT:
        shown = repr(document["format"])[:60] if "format" in document else "missing"
        _fail("format", "file.wrong_format", found=shown, expected=FORMAT)
    for name in getattr(document, "duplicates", ()):
        report.problems.append(Problem.coded(name, "file.duplicate_member"))
    for name in sorted(set(document) - {"format", "debtors"}):
        report.problems.append(Problem.coded(name, "file.unknown_member"))
    debtors = document.get("debtors")
    if isinstance(debtors, list):
        return debtors
    got = json_type(debtors) if "debtors" in document else "nothing"
    report.problems.append(Problem.coded("debtors", "file.debtors_not_array", type=got))
    return []


def _read_debtors(debtors: list[Any], report: Report) -> list[DebtorMap]:
    maps: list[DebtorMap] = []
    first_index: dict[str, int] = {}
    for index, item in enumerate(debtors):
        m = read_debtor(item, index, report)
        if m is None:
            continue
        key = m.debtor.key
        if key in first_index:
            report.problems.append(
                Problem.coded(
                    f"debtors[{index}].key",
                    "debtor.duplicate_key",
                    key=repr(key),
                    first=first_index[key],
                )
            )
            continue
        first_index[key] = index
        maps.append(m)
    return maps


def dump_document(maps: Iterable[DebtorMap]) -> dict[str, Any]:
    """The ``orgmap/1`` document for ``maps`` as JSON-ready values, debtors by key."""
    ordered = sorted(maps, key=lambda m: m.debtor.key)
    return {"format": FORMAT, "debtors": [write_debtor(m) for m in ordered]}


def dumps_document(maps: Iterable[DebtorMap]) -> str:
    """:func:`dump_document` as text: UTF-8-ready JSON, Chinese unescaped, one record per line.

    Each debtor starts a line and each of its contacts, relations and interactions has
    a line of its own, written without spaces::

        {
          "format": "orgmap/1",
          "debtors": [
        {"key":"acme","name":"恒达","amount_owed":"12000.00","contacts":[
        {"key":"boss","name":"王建国","department":"owner"}
        ],"relations":[],"interactions":[]}
        ]
        }

    Not ``indent=2``: indenting every member made a 50,000-contact file under 10 MB
    export to 10.7 MB, over the import limit.  One record per line costs a byte a record and
    still diffs line by line and opens in an ordinary editor, which one 10 MB line
    would not.  :func:`parse_document` measures a document's size in this form.
    """
    debtors = [_debtor_text(debtor) for debtor in dump_document(maps)["debtors"]]
    listed = "[\n" + ",\n".join(debtors) + "\n]" if debtors else "[]"
    return f'{{\n  "format": {_compact(FORMAT)},\n  "debtors": {listed}\n}}\n'


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _debtor_text(debtor: dict[str, Any]) -> str:
    """One debtor: its own members compact, each record of its arrays on a line."""
    members = []
    for name, value in debtor.items():
        if isinstance(value, list) and value:
            records = ",\n".join(_compact(record) for record in value)
            members.append(f"{_compact(name)}:[\n{records}\n]")
        else:
            members.append(f"{_compact(name)}:{_compact(value)}")
    return "{" + ",".join(members) + "}"


def decode_upload(raw: bytes, *, max_bytes: int = DEFAULT_MAX_IMPORT_BYTES) -> str:
    """Check an uploaded file's size and decode it as UTF-8 (a leading BOM is dropped).

    Raises :class:`ValidationError` naming the limit or the first bad byte.
    """
    if len(raw) > max_bytes:
        _fail(
            "",
            "file.too_large",
            size=_size(len(raw)),
            limit=_size(max_bytes),
            limit_bytes=f"{max_bytes:,}",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        _fail("", "file.not_utf8", byte=f"{raw[error.start]:02x}", offset=error.start)


def _load_json(text: str) -> object:
    try:
        # Decimal keeps amounts exactly as written; NaN/Infinity are not JSON.
        return json.loads(
            text,
            object_pairs_hook=_object_with_duplicates,
            parse_float=Decimal,
            parse_constant=_reject_constant,
        )
    except json.JSONDecodeError as error:
        _fail("", "file.bad_json", detail=error.msg, line=error.lineno, column=error.colno)
    except RecursionError:
        _fail("", "file.too_deep")
    except ValueError as error:  # from _reject_constant, or an integer too long to read
        _fail("", "file.bad_json_value", detail=error)


def _object_with_duplicates(pairs: list[tuple[str, Any]]) -> DuplicateKeysObject:
    obj = DuplicateKeysObject(pairs)
    if len(obj) != len(pairs):
        names = [name for name, _ in pairs]
        obj.duplicates = tuple(sorted({n for n in names if names.count(n) > 1}))
    return obj


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number in JSON")


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    return f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} bytes"


def _fail(path: str, code: str, /, **params: object) -> NoReturn:
    raise ValidationError([Problem.coded(path, code, **params)])
