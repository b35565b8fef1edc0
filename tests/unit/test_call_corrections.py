"""Corrections and voids of logged calls on the pure core: which calls stand, their
histories, the checks on a map, the file format, and what routing reads."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orgmap.domain.calls import (
    call_fingerprint,
    call_history,
    corrected,
    current_calls,
    voided,
)
from orgmap.domain.model import Channel, Interaction, Outcome
from orgmap.domain.validation import ValidationError, check_structure
from orgmap.interchange import dumps_document, parse_document
from orgmap.routing import summarize_history
from orgmap.services.routes import routing_weights
from tests.factories import make_interaction, make_map
from tests.ui.apptest_helpers import canonical_map

KEYS = ("desk", "sales", "finance", "boss")
NOW = datetime(2026, 11, 21, tzinfo=UTC)


@st.composite
def logs(draw) -> tuple[Interaction, ...]:
    """A few calls, then corrections and voids of whichever calls stand at each step."""
    n = draw(st.integers(0, 5))
    records: tuple[Interaction, ...] = tuple(
        make_interaction(draw(st.sampled_from(KEYS)), minutes=i, note=str(i)) for i in range(n)
    )
    for step in range(draw(st.integers(0, 8))):
        standing = current_calls(records)
        if not standing:
            break
        target = draw(st.sampled_from(standing))
        by = draw(st.sampled_from(["li", "wang"]))
        if draw(st.integers(0, 3)) == 0:
            record = voided(target, by=by, note=f"void {step}")
        else:
            record = corrected(
                target,
                by=by,
                contact=draw(st.sampled_from(KEYS)),
                outcome=draw(st.sampled_from([Outcome.REACHED, Outcome.NO_ANSWER])),
                note=f"fix {step}",
                at=target.at + timedelta(minutes=draw(st.integers(-90, 90))),
            )
        records = (*records, record)
    return tuple(draw(st.permutations(records)))  # the order a file or a query gives


def _successor(records: tuple[Interaction, ...]) -> dict[str, Interaction]:
    return {r.corrects: r for r in records if r.corrects is not None}


@settings(max_examples=200, deadline=None)
@given(logs())
def test_every_original_ends_in_exactly_one_standing_call_or_a_void(records):
    standing = current_calls(records)
    successor = _successor(records)
    originals = [r for r in records if r.corrects is None]
    ends = []
    for original in originals:
        record = original
        while (later := successor.get(call_fingerprint(record))) is not None:
            record = later
        ends.append(record)
    assert sorted(map(call_fingerprint, standing)) == sorted(
        call_fingerprint(end) for end in ends if not end.void
    )
    assert not any(r.void for r in standing)
    assert len(standing) == sum(1 for end in ends if not end.void)


@settings(max_examples=200, deadline=None)
@given(logs())
def test_current_calls_is_idempotent_keeps_order_and_the_map_stays_valid(records):
    standing = current_calls(records)
    assert current_calls(standing) == standing
    assert [r for r in records if r in set(standing)] == list(standing)
    assert check_structure(make_map(interactions=records)) == []


@settings(max_examples=200, deadline=None)
@given(logs())
def test_a_history_runs_from_its_original_to_the_call_as_it_stands(records):
    for call in current_calls(records):
        history = call_history(records, call_fingerprint(call))
        assert history[-1] == call
        assert history[0].corrects is None
        for earlier, later in pairwise(history):
            assert later.corrects == call_fingerprint(earlier)
        for record in history:  # any record of the chain gives the same chain
            assert call_history(records, call_fingerprint(record)) == history


def test_a_correction_shows_instead_of_the_call_and_a_void_hides_it():
    first = make_interaction("desk")
    second = make_interaction("boss", minutes=5)
    fixed = corrected(first, by="wang", outcome=Outcome.REACHED, note="she answered")
    again = corrected(fixed, by="li", note="she answered; call back Monday")
    gone = voided(second, by="li", note="logged at the wrong debtor")
    assert current_calls([first, second]) == (first, second)
    assert current_calls([first, second, fixed, again, gone]) == (again,)
    assert call_history([again, gone, first, second, fixed], call_fingerprint(first)) == (
        first,
        fixed,
        again,
    )
    assert call_history([first], "0" * 64) == ()


def test_a_correction_never_shares_its_originals_fingerprint():
    call = make_interaction("desk")
    same_values = replace(call, corrects=call_fingerprint(call))
    assert call_fingerprint(same_values) != call_fingerprint(call)
    assert call_fingerprint(voided(call, by=call.by)) != call_fingerprint(same_values)
    with pytest.raises(TypeError):
        corrected(call, by="li", void=True)


def test_fingerprints_of_calls_logged_before_corrections_are_unchanged():
    """Stored calls keep their fingerprint: the old recipe, written out here, still holds."""
    call = make_interaction(
        "boss",
        outcome=Outcome.PROMISED,
        note="周五付",
        promise_amount=Decimal("5000"),
        promise_date=NOW.date(),
        phone="+8613812345678",
    )
    parts = [
        "boss",
        call.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "phone",
        "promised",
        "li",
        "周五付",
        "5000.00",
        NOW.date().isoformat(),
        "+8613812345678",
    ]
    old = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    assert call_fingerprint(call) == hashlib.sha256(old.encode()).hexdigest()


def _codes(problems) -> list[tuple[str, str | None]]:
    return [(p.path, p.code) for p in problems]


def test_a_correction_must_name_a_call_of_the_same_debtor():
    elsewhere = make_interaction("desk", note="at another debtor")
    stray = corrected(elsewhere, by="li", note="fixed")
    problems = check_structure(make_map(interactions=(make_interaction("desk"), stray)))
    assert _codes(problems) == [
        ("debtors[acme].interactions[1].corrects", "correction.unknown_call")
    ]
    assert "corrects no call of this debtor" in problems[0].message
    assert "不是本债务人的通话记录" in problems[0].text("zh-CN")


def test_a_call_is_corrected_once_and_a_void_not_at_all():
    call = make_interaction("desk")
    one, two = corrected(call, by="li", note="a"), corrected(call, by="wang", note="b")
    gone = voided(call, by="li")
    twice = check_structure(make_map(interactions=(call, one, two)))
    assert _codes(twice) == [("debtors[acme].interactions[2].corrects", "correction.twice")]
    after_void = check_structure(
        make_map(interactions=(call, gone, corrected(gone, by="li", note="back")))
    )
    assert _codes(after_void) == [("debtors[acme].interactions[2].corrects", "correction.of_void")]
    lonely = check_structure(make_map(interactions=(replace(call, void=True),)))
    assert _codes(lonely) == [
        ("debtors[acme].interactions[0].void", "correction.void_needs_corrects")
    ]


def _document(*records: Interaction) -> bytes:
    return dumps_document([replace(canonical_map(), interactions=records)]).encode()


def test_a_file_keeps_corrections_and_voids_and_reads_back_the_same():
    call = make_interaction("desk", channel=Channel.SMS)
    fixed = corrected(call, by="wang", contact="finance", at=call.at - timedelta(hours=1))
    gone = voided(make_interaction("boss", minutes=3), by="li", note="wrong debtor")
    records = (call, fixed, make_interaction("boss", minutes=3), gone)
    text = _document(*records)
    assert f'"corrects":"{call_fingerprint(call)}"' in text.decode()
    assert '"void":true' in text.decode()
    parsed = parse_document(text, region="CN")
    assert set(parsed.maps[0].interactions) == set(records)
    assert dumps_document(parsed.maps).encode() == text


def test_a_file_whose_correction_names_no_call_of_its_debtor_is_refused():
    stray = corrected(make_interaction("desk", note="elsewhere"), by="li", note="fixed")
    text = _document(make_interaction("desk"), stray)
    with pytest.raises(ValidationError) as error:
        parse_document(text, region="CN")
    assert [p.code for p in error.value.problems] == ["correction.unknown_call"]
    bad = text.replace(call_fingerprint(make_interaction("desk", note="elsewhere")).encode(), b"x")
    with pytest.raises(ValidationError) as error:
        parse_document(bad, region="CN")
    [problem] = error.value.problems
    assert problem.code == "correction.not_fingerprint" and problem.path.endswith(".corrects")


def test_routing_reads_the_calls_as_they_stand():
    weights = routing_weights()
    wrong = make_interaction("finance", outcome=Outcome.WRONG_NUMBER, phone="+8613900001111")
    refused = make_interaction("boss", minutes=2, outcome=Outcome.REFUSED)
    logged = make_map(interactions=(wrong, refused))
    before = summarize_history(logged, now=NOW, weights=weights)
    assert not before["finance"].number_usable("+8613900001111")
    assert "boss" in before
    fixed = replace(
        logged,
        interactions=(
            wrong,
            refused,
            corrected(wrong, by="li", outcome=Outcome.NO_ANSWER),
            voided(refused, by="li", note="that was another company's boss"),
        ),
    )
    after = summarize_history(fixed, now=NOW, weights=weights)
    assert after["finance"].number_usable("+8613900001111")
    assert "boss" not in after
