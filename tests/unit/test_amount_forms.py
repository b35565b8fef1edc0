"""Amounts as collectors type them (issue 11): every written form of an amount reads back
to exactly that amount, through Decimal and never float."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from orgmap.domain.fields import AMOUNT_LIMIT, AMOUNT_UNITS, FieldError, parse_amount

CENT = Decimal("0.01")
#: Every amount parse_amount accepts: 0 to just below the limit, two places.
amounts = st.decimals(
    min_value=0, max_value=AMOUNT_LIMIT - CENT, places=2, allow_nan=False, allow_infinity=False
)
units = st.sampled_from(sorted(AMOUNT_UNITS.items()))
FULL_WIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


def in_units(amount: Decimal, power: int, *, trim: bool) -> str:
    """``amount`` divided by 10**power, written out in plain digits ("12.8" or "12.800000")."""
    scaled = amount.scaleb(-power)
    return f"{scaled.normalize() if trim else scaled:f}"


@given(amounts, units, st.booleans())
@example(Decimal("128000.00"), ("万", 4), True)
@example(Decimal("150000000.00"), ("亿", 8), True)
@example(Decimal("0.01"), ("亿", 8), True)
@example(Decimal("999999999999999.99"), ("亿", 8), False)
def test_an_amount_written_in_units_reads_back_exactly(amount, unit, trim):
    name, power = unit
    assert parse_amount(in_units(amount, power, trim=trim) + name) == amount


@given(amounts)
def test_an_amount_written_the_usual_ways_reads_back_exactly(amount):
    grouped = f"{amount:,.2f}"  # 128,000.50
    for written in (
        f"{amount:f}",
        grouped,
        f"¥{grouped}",
        f"￥ {grouped}",
        f"{amount:f}元",
        f"¥{grouped}元",
        grouped.translate(FULL_WIDTH),
        f"  {in_units(amount, 4, trim=True)} 万元  ",
    ):
        parsed = parse_amount(written)
        assert parsed == amount, written
        assert parsed.as_tuple().exponent == -2, written  # always two places


@given(
    st.decimals(
        min_value=0, max_value=Decimal("99999"), places=8, allow_nan=False, allow_infinity=False
    ),
    units,
)
@example(Decimal("12.8"), ("万", 4))
@example(Decimal("1.2345678"), ("万", 4))
def test_a_unit_reading_is_accepted_only_when_it_has_two_places(number, unit):
    """Whatever is written before 万 or 亿, the reading is the exact product; it is refused
    (saying what it came to) exactly when that product has more than two places."""
    name, power = unit
    written = f"{number:f}{name}"
    exact = number.scaleb(power)
    if exact == exact.quantize(CENT):
        assert parse_amount(written) == exact
    else:
        with pytest.raises(FieldError) as caught:
            parse_amount(written)
        assert caught.value.code == "amount.unit_too_many_decimals"
        assert f"is {exact:f}:" in str(caught.value)


@given(amounts.filter(bool), units)
def test_a_negative_amount_in_units_is_refused_as_negative(amount, unit):
    name, power = unit
    with pytest.raises(FieldError) as caught:
        parse_amount(f"-{in_units(amount, power, trim=True)}{name}")
    assert caught.value.code == "amount.negative"


@given(st.text(max_size=12))
def test_any_text_is_an_amount_or_a_coded_refusal(text):
    """No input escapes as anything but a FieldError, and an accepted one is canonical."""
    try:
        amount = parse_amount(text)
    except FieldError as error:
        assert error.code.startswith("amount.")
        assert error.text("zh-CN")
    else:
        assert 0 <= amount < AMOUNT_LIMIT
        assert amount.as_tuple().exponent == -2
