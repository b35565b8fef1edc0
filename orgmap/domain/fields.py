"""Field checks: one value as a user typed it in, the canonical domain value out.

Each function takes a value from a form, a CLI flag, or a JSON or CSV cell and
returns the canonical domain value, or raises :class:`FieldError` (a
:class:`ValueError`) with a message a collector can act on: ``str()`` is English,
its ``code`` and ``params`` render it in zh-CN too (:mod:`orgmap.domain.messages`).
They know nothing about where the value came from, so the message names no path;
callers (:mod:`orgmap.domain.validation`, the interchange readers, the services)
add it.  Pure: standard library and ``phonenumbers``.

Limits live here and nowhere else: the checks enforce them, the forms' ``max_chars``
and the store's column lengths are read from them.  Names, titles and similar one-line
fields at most :data:`NAME_MAX_CHARS` characters; notes at most :data:`NOTE_MAX_CHARS`;
keys at most :data:`KEY_MAX_CHARS`; e-mail addresses at most :data:`EMAIL_MAX_CHARS`;
amounts are non-negative with at most two decimal places and below :data:`AMOUNT_LIMIT`
(typed with at most one unit from :data:`AMOUNT_UNITS`);
dates from :data:`EARLIEST_DATE` to :data:`LATEST_DATE`, and times whose UTC date lies
between them.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

import phonenumbers

from orgmap.domain.messages import FieldError, FieldWarning
from orgmap.domain.model import Phone, PhoneKind

__all__ = [
    "AMOUNT_LIMIT",
    "AMOUNT_UNITS",
    "CREDIT_CODE_CHARS",
    "CURRENCY_CHARS",
    "E164_MAX_CHARS",
    "EARLIEST_DATE",
    "EMAIL_COLUMN_CHARS",
    "EMAIL_MAX_CHARS",
    "EXTENSION_MAX_CHARS",
    "KEY_MAX_CHARS",
    "LATEST_DATE",
    "NAME_MAX_CHARS",
    "NOTE_MAX_CHARS",
    "PHONE_INPUT_MAX_CHARS",
    "FieldError",
    "FieldWarning",
    "check_credit_code",
    "check_currency",
    "check_email",
    "check_key",
    "check_logged_time",
    "check_name",
    "check_text",
    "check_time_range",
    "credit_code_check_character",
    "format_phone",
    "normalize_credit_code",
    "normalize_phone",
    "parse_amount",
    "parse_aware_datetime",
    "parse_date",
    "parse_enum",
    "parse_logged_time",
    "shown",
]

#: Names, titles, addresses, who logged a call: one line of text.
NAME_MAX_CHARS = 200
#: Notes are free text written between calls; 5,000 characters is several pages.
NOTE_MAX_CHARS = 5_000
#: Debtor and contact keys: 1 to this many of ``a-z 0-9 _ -``.
KEY_MAX_CHARS = 64
#: The longest address :func:`check_email` accepts (the SMTP path limit, RFC 5321).
EMAIL_MAX_CHARS = 254
#: The e-mail column is wider than :data:`EMAIL_MAX_CHARS` (RFC 3696's 64 + 1 + 255);
#: kept so that no migration is needed.  Nothing longer than EMAIL_MAX_CHARS is written.
EMAIL_COLUMN_CHARS = 320
#: One phone number as typed, extension included ("+86 21 6123 4567 ext. 801"); a UI limit.
PHONE_INPUT_MAX_CHARS = 60
#: An ISO 4217 currency code.
CURRENCY_CHARS = 3
#: A stored E.164 number: "+" and at most 15 digits, with room to spare.
E164_MAX_CHARS = 20
#: A stored extension: phonenumbers reads at most 20 digits after "ext.".
EXTENSION_MAX_CHARS = 20
#: A unified social credit code (GB 32100-2015) has exactly this many characters.
CREDIT_CODE_CHARS = 18
#: Amounts must be below this (fits NUMERIC(17, 2) with room to spare).
AMOUNT_LIMIT = Decimal("1000000000000000")  # 10**15
_CENT = Decimal("0.01")
#: The earliest and latest date orgmap accepts: due dates, promise dates, and the UTC
#: date of every time (a call's ``at``).  No collection team has a record from before
#: 1970 or a promise after 2100, and both bounds stay far from the ends of Python's
#: calendar (years 1 and 9999): a time inside them can be shown in any time zone and a
#: date moved by days (the promise checks' day of slack, routing's grace days) without
#: an OverflowError.
EARLIEST_DATE = date(1970, 1, 1)
LATEST_DATE = date(2100, 12, 31)
_EARLIEST_TIME = datetime.combine(EARLIEST_DATE, time.min, UTC)
_LATEST_TIME = datetime.combine(LATEST_DATE, time.max, UTC)
_BOUNDS = {"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()}

# --- text ----------------------------------------------------------------------------

# C0/C1 control characters, lone surrogates (JSON "\ud800" decodes to one, and it cannot
# be encoded as UTF-8), U+FFFE/U+FFFF (not allowed in XML, so GraphML would break), and
# the invisible characters that change how the text around them is shown: bidirectional
# overrides and isolates (U+202A-U+202E, U+2066-U+2069: "ab\u202ecd" shows as "abdc"),
# line and paragraph separators (U+2028/U+2029) and a stray byte-order mark (U+FEFF).
_INVISIBLE_CONTROLS = "\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff"
_BAD_IN_NAME = re.compile(f"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff{_INVISIBLE_CONTROLS}]")
_BAD_IN_TEXT = re.compile(
    f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff{_INVISIBLE_CONTROLS}]"
)
_KEY = re.compile(f"[a-z0-9_-]{{1,{KEY_MAX_CHARS}}}")


def shown(value: object, limit: int = 40) -> str:
    """The value quoted for a message, cut short so a huge input makes a short message."""
    text = value if isinstance(value, str) else str(value)
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _require_str(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise FieldError("text.not_text", field=field, type=type(value).__name__)
    return value


def check_key(value: object, *, field: str = "key") -> str:
    """A stable identifier: 1 to :data:`KEY_MAX_CHARS` of ``a-z 0-9 _ -``, spaces around dropped.

    >>> check_key(" li_ming ")
    'li_ming'
    """
    text = _require_str(value, field).strip()
    if not _KEY.fullmatch(text):
        raise FieldError("key.invalid", field=field, value=shown(text))
    return text


def check_name(
    value: object, *, field: str = "name", required: bool = True, max_len: int = NAME_MAX_CHARS
) -> str:
    """A one-line name or title, stripped; empty is allowed only when not ``required``."""
    text = _require_str(value, field).strip()
    if required and not text:
        raise FieldError("name.required", field=field)
    if len(text) > max_len:
        raise FieldError("text.too_long", field=field, length=len(text), max=max_len)
    bad = _BAD_IN_NAME.search(text)
    if bad and bad.group() in "\r\n":
        raise FieldError("name.multiline", field=field)
    if bad:
        raise FieldError("text.control_character", field=field, codepoint=f"{ord(bad.group()):04X}")
    return text


def check_text(value: object, *, field: str = "note", max_len: int = NOTE_MAX_CHARS) -> str:
    """Free text such as a note: newlines and tabs allowed, line ends normalized to ``\\n``."""
    text = _require_str(value, field).replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > max_len:
        raise FieldError("text.too_long", field=field, length=len(text), max=max_len)
    bad = _BAD_IN_TEXT.search(text)
    if bad:
        raise FieldError("text.control_character", field=field, codepoint=f"{ord(bad.group()):04X}")
    return text


E = TypeVar("E", bound=StrEnum)


def parse_enum(value: object, enum_type: type[E], *, field: str) -> E:
    """One of ``enum_type``'s values; the message lists the allowed ones."""
    if isinstance(value, str):
        try:
            return enum_type(value.strip())
        except ValueError:
            pass
    allowed = ", ".join(member.value for member in enum_type)
    raise FieldError("enum.unknown", field=field, value=shown(value), allowed=allowed)


# --- money and time -----------------------------------------------------------------

_PLAIN_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")
# Thousands separators as collectors type them: "1,000", "12,345.60" (groups of three).
_GROUPED_NUMBER = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?")
# Chinese input methods type full-width digits, punctuation and spaces: "１，０００．５０".
_FULL_WIDTH = str.maketrans("０１２３４５６７８９，．－\u3000", "0123456789,.- ")
_YUAN_SIGNS = ("¥", "￥")
#: The counting units a collector may write after a number, as powers of ten: 12.8万 is
#: 128,000 and 1.5亿 is 150,000,000 (traditional 萬 and 億 too).  One unit at most:
#: "1万亿" and "12万8千" are refused rather than guessed at.
AMOUNT_UNITS = {"万": 4, "萬": 4, "亿": 8, "億": 8}
_YUAN_WORD = "元"


def _amount_text(value: str) -> tuple[bool, str, int]:
    """An amount as typed, taken apart: (negative, ASCII digits, the unit's power of ten).

    Full-width characters are made half-width; a leading minus, a leading yuan sign
    (either before or after the minus), a trailing 元 and one trailing unit are taken
    off, and thousands separators dropped.  The digits are returned for the caller to
    check: anything left over (a second dot, a second unit, letters) makes them fail.
    """
    text = value.translate(_FULL_WIDTH).strip()
    negative = text.startswith("-")
    text = text.removeprefix("-").lstrip()
    if text.startswith(_YUAN_SIGNS):
        text = text[1:].lstrip()
    if not negative and text.startswith("-"):  # "¥-5"
        negative, text = True, text[1:].lstrip()
    text = text.removesuffix(_YUAN_WORD).rstrip()
    power = 0
    if text and text[-1] in AMOUNT_UNITS:
        power, text = AMOUNT_UNITS[text[-1]], text[:-1].rstrip()
    if _GROUPED_NUMBER.fullmatch(text):
        text = text.replace(",", "")
    return negative, text, power


def parse_amount(value: object, *, field: str = "amount") -> Decimal:
    """A non-negative amount of money with at most two decimal places, as a Decimal.

    Strings are read digit by digit (never through float) and may be typed the way
    collectors type them: thousands separators in groups of three, full-width digits,
    a leading ¥ or ￥, a trailing 元, and one counting unit from :data:`AMOUNT_UNITS`
    (``12.8万`` is exactly 128000.00; ``1.5亿`` 150000000.00).  After the unit is
    applied the amount must still have at most two decimal places.  Exponents, other
    separators, signs and compound units (``12万8千``) are refused.  JSON numbers may
    arrive as int, float (read from its ``repr``) or Decimal.  The result has exactly
    two places.

    >>> parse_amount("12000.5")
    Decimal('12000.50')
    >>> parse_amount("¥12,345.6"), parse_amount("１０００")
    (Decimal('12345.60'), Decimal('1000.00'))
    >>> parse_amount("12.8万"), parse_amount("128000元"), parse_amount("1.5亿")
    (Decimal('128000.00'), Decimal('128000.00'), Decimal('150000000.00'))
    >>> parse_amount(-1)
    Traceback (most recent call last):
    ...
    orgmap.domain.messages.FieldError: amount must not be negative, got '-1'
    >>> parse_amount("1.2345678万")
    Traceback (most recent call last):
    ...
    orgmap.domain.messages.FieldError: amount '1.2345678万' is 12345.678: more than 2 decimal places
    """
    if isinstance(value, bool):
        raise FieldError("amount.boolean", field=field)
    power = 0
    if isinstance(value, str):
        text = value.strip()
        negative, digits, power = _amount_text(text)
        if not _PLAIN_NUMBER.fullmatch(digits):
            code = "amount.not_number_with_unit" if _names_a_unit(text) else "amount.not_number"
            raise FieldError(code, field=field, value=shown(text))
        if negative:
            raise FieldError("amount.negative", field=field, value=shown(text))
        amount = _scaled(Decimal(digits), power)
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))  # repr is the shortest text that reads back the same
    elif isinstance(value, Decimal):
        amount = value
    else:
        raise FieldError("amount.wrong_type", field=field, type=type(value).__name__)
    if not amount.is_finite():
        raise FieldError("amount.not_finite", field=field, value=shown(value))
    if amount < 0:
        raise FieldError("amount.negative", field=field, value=shown(value))
    if amount >= AMOUNT_LIMIT:
        raise FieldError("amount.too_large", field=field, value=shown(value))
    rounded = amount.quantize(_CENT)
    if rounded != amount and power:
        raise FieldError(
            "amount.unit_too_many_decimals",
            field=field,
            value=shown(value),
            amount=_cut(f"{amount:f}"),
        )
    if rounded != amount:
        raise FieldError("amount.too_many_decimals", field=field, value=shown(value))
    return rounded if rounded else Decimal("0.00")  # also turns -0.00 into 0.00


def _scaled(amount: Decimal, power: int) -> Decimal:
    """``amount`` times 10**power, exactly: ``Decimal.scaleb`` rounds to the context's 28
    digits, which could turn 0.00999…9万 (enough nines) into 100.00."""
    sign, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int)  # a finite number: it was read from digits
    return Decimal((sign, digits, exponent + power))


def _names_a_unit(text: str) -> bool:
    return any(unit in text for unit in AMOUNT_UNITS)


def _cut(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(value: object, *, field: str = "date") -> date:
    """A calendar date written ``YYYY-MM-DD`` (or already a :class:`date`), from
    :data:`EARLIEST_DATE` to :data:`LATEST_DATE`.

    >>> parse_date("2026-11-13")
    datetime.date(2026, 11, 13)
    >>> parse_date("0001-01-01", field="promise_date")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    orgmap.domain.messages.FieldError: promise_date is out of range: '0001-01-01' (dates from ...
    """
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    else:
        day = _read_iso_date(_require_str(value, field).strip(), field=field)
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise FieldError("date.out_of_range", field=field, value=shown(day.isoformat()), **_BOUNDS)
    return day


def _read_iso_date(text: str, *, field: str) -> date:
    try:
        if _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise FieldError("date.invalid", field=field, value=shown(text))


def check_time_range(moment: datetime, *, field: str, written: str | None = None) -> datetime:
    """``moment`` (aware) unless its UTC date is outside the accepted dates; the message
    quotes ``written`` (the text as typed) when given.

    Aware datetimes compare without converting, so this never overflows, even for
    ``0001-01-01T00:00:00+08:00``, which has no UTC time in Python's calendar.
    """
    if not _EARLIEST_TIME <= moment <= _LATEST_TIME:
        value = shown(moment.isoformat() if written is None else written)
        raise FieldError("datetime.out_of_range", field=field, value=value, **_BOUNDS)
    return moment


def parse_aware_datetime(value: object, *, field: str = "time") -> datetime:
    """An ISO-8601 date and time WITH a UTC offset, returned in UTC; its UTC date must lie
    from :data:`EARLIEST_DATE` to :data:`LATEST_DATE`.

    >>> parse_aware_datetime("2026-11-03T09:30:00+08:00").isoformat()
    '2026-11-03T01:30:00+00:00'
    """
    text = None
    if isinstance(value, datetime):
        moment = value
    else:
        text = _require_str(value, field).strip()
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise FieldError("datetime.invalid", field=field, value=shown(text)) from None
    if moment.utcoffset() is None:
        raise FieldError("datetime.no_offset", field=field, value=shown(str(value)))
    return check_time_range(moment, field=field, written=text).astimezone(UTC)


#: How far ahead of "now" a logged call may be: clocks and time zones differ a little,
#: but a call next week was typed wrong and would pass for the latest call until then.
FUTURE_SLACK = timedelta(days=1)


def check_logged_time(value: datetime, *, now: datetime, field: str = "at") -> datetime:
    """``value`` (aware) unless it lies more than :data:`FUTURE_SLACK` after ``now`` or
    outside the accepted dates (see :func:`parse_aware_datetime`).

    >>> from datetime import UTC, datetime
    >>> late, now = datetime(2099, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
    >>> check_logged_time(late, now=now)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    orgmap.domain.messages.FieldError: at 2099-01-01T00:00:00+00:00 is in the future; a call ...
    """
    check_time_range(value, field=field)
    if value > now + FUTURE_SLACK:
        raise FieldError("time.in_future", field=field, value=value.isoformat())
    return value


def parse_logged_time(value: object, *, now: datetime, field: str = "at") -> datetime:
    """:func:`parse_aware_datetime` then :func:`check_logged_time`."""
    return check_logged_time(parse_aware_datetime(value, field=field), now=now, field=field)


def check_currency(value: object, *, field: str = "currency") -> str:
    """An ISO 4217 code such as CNY, upper-cased."""
    text = _require_str(value, field).strip().upper()
    if not re.fullmatch(f"[A-Z]{{{CURRENCY_CHARS}}}", text):
        raise FieldError("currency.invalid", field=field, value=shown(text))
    return text


# --- contact details ----------------------------------------------------------------

# Chinese writes an extension as "转" (transfer) or "分机" (extension): "021-61234567转801".
_CHINESE_EXTENSION = re.compile(r"\s*[-－]?\s*(?:转|轉|分机|分機)\s*")
_KINDS = {
    phonenumbers.PhoneNumberType.MOBILE: PhoneKind.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE: PhoneKind.FIXED_LINE,
}


def normalize_phone(raw: object, *, region: str) -> Phone:
    """Parse a phone number as typed into a :class:`Phone` (E.164, extension, kind).

    Numbers without ``+country`` are read as numbers of ``region`` (an ISO 3166 code such
    as ``"CN"``; callers pass the configured ``Settings.phone_region``).  The number must
    be both possible and valid for its country.

    >>> normalize_phone("021-61234567转801", region="CN")
    Phone(e164='+862161234567', extension='801', kind=<PhoneKind.FIXED_LINE: 'fixed_line'>)
    >>> normalize_phone("138 1234 5678", region="CN").e164
    '+8613812345678'
    """
    text = _require_str(raw, "phone").strip()
    if not text:
        raise FieldError("phone.empty")
    prepared = _CHINESE_EXTENSION.sub(" ext. ", text)
    try:
        number = phonenumbers.parse(prepared, region)
    except phonenumbers.NumberParseException:
        raise FieldError("phone.unreadable", value=shown(text)) from None
    if not (phonenumbers.is_possible_number(number) and phonenumbers.is_valid_number(number)):
        raise FieldError("phone.invalid", value=shown(text), region=region)
    kind = _KINDS.get(phonenumbers.number_type(number), PhoneKind.OTHER)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Phone(e164=e164, extension=number.extension or None, kind=kind)


def format_phone(phone: Phone) -> str:
    """The export form, read back by :func:`normalize_phone` into the same Phone.

    >>> format_phone(normalize_phone("+86 21 6123 4567 ext. 801", region="CN"))
    '+862161234567;ext=801'
    """
    return f"{phone.e164};ext={phone.extension}" if phone.extension else phone.e164


_EMAIL = re.compile(r"[^@\s<>()\[\],;:\"]{1,64}@[\w-]+(\.[\w-]+)+")


def check_email(value: object, *, field: str = "email") -> str:
    """A plausible e-mail address (one ``@``, a dotted domain); the domain lower-cased."""
    text = _require_str(value, field).strip()
    if len(text) > EMAIL_MAX_CHARS or not _EMAIL.fullmatch(text) or _BAD_IN_NAME.search(text):
        raise FieldError("email.invalid", field=field, value=shown(text))
    local, domain = text.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


# 统一社会信用代码 (GB 32100-2015): 17 characters and a check character, all from this
# alphabet of 31 (no I, O, S, V, Z).  Weights are 3**i mod 31.
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_CREDIT_CODE = re.compile(f"[{_CREDIT_ALPHABET}]{{{CREDIT_CODE_CHARS}}}")


def credit_code_check_character(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a credit code.

    >>> credit_code_check_character("91350100M000100Y4")
    '3'
    """
    total = sum(
        _CREDIT_ALPHABET.index(char) * weight
        for char, weight in zip(first17, _CREDIT_WEIGHTS, strict=True)
    )
    return _CREDIT_ALPHABET[(31 - total % 31) % 31]


def normalize_credit_code(value: object, *, field: str = "credit_code") -> str:
    """A unified social credit code in canonical form (upper case, no spaces).

    Raises FieldError when it is malformed (length or characters); the checksum is
    not checked here: see :func:`check_credit_code`.
    """
    text = re.sub(r"\s+", "", _require_str(value, field)).upper()
    if len(text) != CREDIT_CODE_CHARS:
        raise FieldError("credit_code.length", field=field, length=len(text), value=shown(text))
    if not _CREDIT_CODE.fullmatch(text):
        wrong = sorted({c for c in text if c not in _CREDIT_ALPHABET})
        raise FieldError(
            "credit_code.characters",
            field=field,
            value=shown(text),
            wrong=", ".join(map(repr, wrong)),
        )
    return text


def check_credit_code(value: object, *, field: str = "credit_code") -> str | None:
    """Check a credit code: None when valid, else a warning naming the wrong check character.

    Malformed codes raise FieldError.  A wrong check character is only a warning
    (a :class:`FieldWarning`, which is a ``str``):
    some early codes fail the checksum but are real, so the value is kept as typed
    (store :func:`normalize_credit_code` of it).

    >>> check_credit_code("91350100m000100y43") is None
    True
    >>> check_credit_code("91350100M000100Y44")
    "credit_code check character is '4' but GB 32100-2015 gives '3'; kept as typed"
    """
    code = normalize_credit_code(value, field=field)
    expected = credit_code_check_character(code[:17])
    if code[17] == expected:
        return None
    return FieldWarning(
        "credit_code.check_character", field=field, found=repr(code[17]), expected=repr(expected)
    )
