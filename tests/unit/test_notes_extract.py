"""The call-note extractor (issue 13): the issue's examples, bad input, invariants."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.extract_eval import (
    AGREEMENT,
    EVAL_MAP,
    FIELDS,
    SETS,
    UNSEEN,
    agreement,
    evaluate,
    load_notes,
)
from orgmap.domain.notes import extract

AT = datetime.fromisoformat("2026-12-01T10:00:00+08:00")  # a Tuesday


def run(note: str, called: str | None = "wang"):
    return extract(note, called=called, m=EVAL_MAP, at=AT)


def test_the_issue_example():
    s = run("前台小王说付款找财务李姐，手机13812345678，她月底前先付5万")
    li = next(p for p in s.people if p.name == "李姐")
    assert li.department == "finance" and [p.e164 for p in li.phones] == ["+8613812345678"]
    assert next(p for p in s.people if p.name == "小王").existing == "wang"
    assert [(r.source, r.target, r.type) for r in s.relations] == [("wang", "李姐", "refers_to")]
    assert s.outcome is not None and s.outcome.value == "promised"
    assert s.promise is not None
    assert (s.promise.amount, s.promise.date) == (Decimal(50000), date(2026, 12, 31))


def test_amounts_and_dates_from_the_issue():
    for text, amount in [("五万元", 50000), ("50,000", 50000), ("12.8万", 128000), ("50k", 50000)]:
        s = run(f"她答应付{text}")
        assert s.promise is not None and s.promise.amount == Decimal(amount), text
    for text, day in [
        ("下周五", date(2026, 12, 11)),
        ("15号", date(2026, 12, 15)),
        ("12月20日前", date(2026, 12, 20)),
        ("明天", date(2026, 12, 2)),
    ]:
        s = run(f"她说{text}付5万")
        assert s.promise is not None and s.promise.date == day, text


def test_callback_chinese_and_english():
    s = run("明天下午三点再打")
    assert s.callback is not None and s.callback.at.isoformat() == "2026-12-02T15:00:00+08:00"
    s = run("call back tomorrow 3pm")
    assert s.callback is not None and s.callback.at.isoformat() == "2026-12-02T15:00:00+08:00"


def test_landline_with_extension_and_plus86():
    s = run("财务李姐座机010-62345678转8021，王总手机+86 139 1234 5678")
    phones = {p.e164: p.extension for person in s.people for p in person.phones}
    assert phones == {"+861062345678": "8021", "+8613912345678": None}


def test_relations_buck_passing_and_authorizer():
    s = run("前台小王让我找采购刘经理，刘经理又推给财务张会计。王总是老板")
    kinds = {(r.type, r.source, r.target) for r in s.relations}
    assert ("refers_to", "wang", "刘经理") in kinds
    assert ("passes_buck_to", "刘经理", "张会计") in kinds
    assert s.authorizers == ("王总",)


def test_numbers_that_are_not_phones():
    s = run("订单号20231201001，对公账号6222021234567890123，欠款共30万，发票号44031234")
    assert not any(p.phones for p in s.people)
    assert s.promise is None


def test_impossible_date_gives_no_date():
    s = run("她说2月30日付5万")
    assert s.promise is not None and s.promise.date is None and s.promise.amount == Decimal(50000)


def test_bad_input_gives_nothing():
    for note in ["", "   ", "<script>alert(1)</script>", "</script>\x00\x07\x1b[31m", "x" * 5000]:
        s = run(note)
        assert (s.people, s.relations, s.outcome, s.promise, s.callback) == (
            (),
            (),
            None,
            None,
            None,
        )


def test_a_long_note_does_not_crash():
    run("前台小王说付款找财务李姐，手机13812345678。" * 400)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.sampled_from([None, "wang", "zhao", "nobody"]))
def test_never_crashes_and_spans_lie_in_the_note(note, called):
    s = extract(note, called=called, m=EVAL_MAP, at=AT)
    spans = [p.span for p in s.people] + [r.span for r in s.relations]
    spans += [x.span for x in (s.outcome, s.promise, s.callback) if x is not None]
    spans += [ph.span for p in s.people for ph in p.phones]
    for start, end in spans:
        assert 0 <= start <= end <= len(note)
    for p in s.people:
        if p.name and p.span not in [ph.span for ph in p.phones]:
            assert p.name in note[p.span[0] : p.span[1]]


@given(st.sampled_from(load_notes()), st.text(max_size=20))
@settings(max_examples=100, deadline=None)
def test_spans_hold_on_labelled_notes_with_junk_appended(row, junk):
    note = row["note"] + junk
    s = extract(note, called=row["called"], m=EVAL_MAP, at=datetime.fromisoformat(row["at"]))
    for p in s.people:
        if p.span not in [ph.span for ph in p.phones]:  # else: the called contact's number
            assert (p.name or p.title).lower() in note[p.span[0] : p.span[1]].lower()


def test_goals_on_the_labelled_set():
    rows = load_notes()
    assert len(rows) >= 150
    scores, per_note, _ = evaluate(rows)
    goals = {
        "phones": (0.98, 0.98),
        "people": (0.90, 0.85),
        "relations": (0.85, 0.75),
        "promise_amount": (0.95, 0.90),
        "promise_date": (0.95, 0.90),
        "callback": (0.90, 0.85),
    }
    for field, (p, r) in goals.items():
        assert scores[field].precision >= p and scores[field].recall >= r, field
    assert per_note < 0.020


def test_irregular_forms_from_handwritten_notes():
    s = run("黄姐手机一八六一二三四五六七八，座机010-6234 5678-8012")
    phones = {p.e164: p.extension for person in s.people for p in person.phones}
    assert phones == {"+8618612345678": None, "+861062345678": "8012"}
    for text, day in [("下下周三", date(2026, 12, 16)), ("月中", date(2026, 12, 15))]:
        s = run(f"她说{text}付5万")
        assert s.promise is not None and s.promise.date == day, text
    for note, amount in [
        ("赵经理说月中能付8万8", 88000),
        ("李姐说十二万太多了，只能先付两万", 20000),
        ("已经付了两万，剩三万周五前付", 30000),
        ("总额二十万，下周五付十万", 100000),
        ("total outstanding is 320k but they can only pay 50k", 50000),
    ]:
        s = run(note)
        assert s.promise is not None and s.promise.amount == Decimal(amount), note
    s = run("王总说一分钱都不会付")
    assert s.outcome is not None and s.outcome.value == "refused"


def _holds_floors(rows: list[dict], floors: dict[str, tuple[float, float]]) -> None:
    scores, per_note, _ = evaluate(rows)
    for field, (p, r) in floors.items():
        assert scores[field].precision >= p, (field, scores[field].precision)
        assert scores[field].recall >= r, (field, scores[field].recall)
    assert per_note < 0.020


# The hand-written set and held-out 1 to 42: each written before a round of rules (held-out 4 to
# 42 by thirty-nine other authors who never saw the rules), measured once, then tuned on or (35
# to 42) only trained on, and the notes model trained on them; the README keeps the figures from
# before each round (held-out 1
# before its round: relations 0.889 / 0.667, call-back 1.000 / 0.818; held-out 2: relations
# 0.692 / 0.450, call-back 0.750 / 0.462).  Floors = the figures now minus about 0.03, capped at
# 0.97: a guard, not a measure (the model has seen these notes).
# P and R per field, in this order: phones, people, relations, amount, date, call-back, outcome
_TUNED_FLOORS_TABLE = """
handwritten 0.97 0.97 0.97 0.97 0.97 0.97 0.97 0.97 0.97 0.97 0.97 0.97 0.97 0.97
heldout     0.97 0.97 0.96 0.97 0.97 0.97 0.97 0.97 0.97 0.97 0.97 0.97 0.97 0.97
heldout2    0.97 0.97 0.96 0.97 0.92 0.95 0.97 0.97 0.93 0.97 0.97 0.97 0.91 0.93
heldout3    0.97 0.97 0.94 0.95 0.86 0.92 0.90 0.90 0.97 0.97 0.97 0.90 0.91 0.95
heldout4    0.97 0.97 0.94 0.95 0.86 0.94 0.97 0.97 0.93 0.97 0.97 0.97 0.89 0.94
heldout5    0.97 0.94 0.95 0.94 0.92 0.96 0.97 0.86 0.93 0.97 0.91 0.86 0.93 0.93
heldout6    0.97 0.97 0.93 0.96 0.80 0.92 0.97 0.97 0.94 0.94 0.89 0.93 0.93 0.94
heldout7    0.97 0.97 0.93 0.96 0.87 0.97 0.97 0.97 0.90 0.97 0.97 0.91 0.92 0.97
heldout8    0.97 0.97 0.91 0.91 0.86 0.90 0.94 0.97 0.87 0.97 0.97 0.97 0.89 0.92
heldout9    0.97 0.97 0.92 0.94 0.83 0.87 0.93 0.97 0.85 0.89 0.97 0.90 0.92 0.97
heldout10   0.97 0.97 0.94 0.94 0.89 0.94 0.97 0.97 0.93 0.93 0.90 0.85 0.92 0.94
heldout11   0.97 0.97 0.89 0.93 0.84 0.91 0.90 0.97 0.94 0.97 0.97 0.97 0.88 0.91
heldout12   0.93 0.97 0.92 0.95 0.89 0.94 0.97 0.97 0.97 0.93 0.97 0.91 0.91 0.93
heldout13   0.94 0.91 0.89 0.89 0.86 0.91 0.88 0.81 0.93 0.85 0.97 0.86 0.87 0.90
heldout14   0.94 0.97 0.88 0.89 0.82 0.84 0.88 0.97 0.68 0.78 0.97 0.97 0.86 0.90
heldout15   0.97 0.97 0.91 0.90 0.79 0.72 0.93 0.89 0.89 0.93 0.97 0.97 0.91 0.93
heldout16   0.97 0.94 0.89 0.90 0.77 0.79 0.93 0.97 0.90 0.93 0.97 0.97 0.93 0.97
heldout17   0.97 0.97 0.92 0.89 0.88 0.74 0.89 0.93 0.82 0.89 0.91 0.91 0.88 0.94
heldout18   0.97 0.97 0.89 0.85 0.74 0.69 0.93 0.90 0.90 0.86 0.97 0.88 0.93 0.94
heldout19   0.97 0.97 0.94 0.92 0.84 0.93 0.97 0.89 0.93 0.89 0.91 0.82 0.90 0.96
heldout20   0.94 0.97 0.88 0.88 0.87 0.82 0.86 0.93 0.90 0.97 0.97 0.91 0.89 0.94
heldout21   0.97 0.97 0.90 0.92 0.85 0.85 0.85 0.89 0.93 0.97 0.90 0.90 0.89 0.90
heldout22   0.97 0.97 0.87 0.84 0.73 0.67 0.85 0.85 0.97 0.97 0.92 0.87 0.88 0.93
heldout23   0.94 0.97 0.92 0.91 0.79 0.78 0.97 0.93 0.97 0.93 0.97 0.97 0.96 0.96
heldout24   0.97 0.97 0.90 0.87 0.76 0.74 0.97 0.93 0.93 0.97 0.97 0.87 0.92 0.94
heldout25   0.93 0.97 0.85 0.88 0.78 0.85 0.90 0.93 0.90 0.97 0.97 0.92 0.91 0.97
heldout26   0.94 0.97 0.92 0.89 0.83 0.85 0.90 0.97 0.90 0.90 0.92 0.84 0.86 0.91
heldout27   0.97 0.97 0.93 0.93 0.92 0.88 0.89 0.85 0.85 0.89 0.97 0.87 0.86 0.89
heldout28   0.97 0.97 0.93 0.94 0.86 0.93 0.79 0.83 0.75 0.78 0.83 0.73 0.87 0.92
heldout29   0.87 0.97 0.91 0.90 0.91 0.84 0.93 0.85 0.85 0.82 0.90 0.79 0.92 0.95
heldout30   0.93 0.93 0.88 0.88 0.80 0.77 0.77 0.89 0.72 0.89 0.91 0.77 0.80 0.86
heldout31   0.93 0.97 0.92 0.95 0.97 0.92 0.81 0.88 0.77 0.81 0.97 0.61 0.92 0.95
heldout32   0.97 0.97 0.93 0.93 0.85 0.79 0.87 0.93 0.80 0.83 0.97 0.73 0.90 0.94
heldout33   0.93 0.97 0.90 0.90 0.86 0.76 0.76 0.92 0.66 0.72 0.87 0.56 0.81 0.89
heldout34   0.87 0.87 0.91 0.91 0.85 0.76 0.83 0.93 0.79 0.82 0.77 0.85 0.87 0.90
heldout35   0.93 0.97 0.92 0.93 0.86 0.88 0.76 0.85 0.73 0.73 0.90 0.79 0.84 0.92
heldout36   0.92 0.92 0.93 0.90 0.86 0.79 0.78 0.87 0.67 0.78 0.97 0.82 0.83 0.94
heldout37   0.88 0.75 0.90 0.89 0.95 0.84 0.79 0.82 0.67 0.59 0.54 0.37 0.88 0.91
heldout38   0.97 0.97 0.93 0.90 0.82 0.73 0.85 0.85 0.89 0.89 0.91 0.91 0.88 0.94
heldout39   0.97 0.97 0.88 0.89 0.84 0.84 0.97 0.97 0.97 0.81 0.81 0.70 0.83 0.89
heldout40   0.97 0.97 0.93 0.92 0.93 0.87 0.97 0.88 0.97 0.89 0.89 0.82 0.84 0.91
heldout41   0.86 0.86 0.90 0.89 0.88 0.82 0.93 0.89 0.97 0.97 0.97 0.97 0.89 0.92
heldout42   0.97 0.93 0.94 0.89 0.88 0.87 0.92 0.88 0.89 0.93 0.97 0.97 0.85 0.93
"""
TUNED_FLOORS = {
    name: {f: (float(p), float(r)) for f, p, r in zip(FIELDS, nums[0::2], nums[1::2], strict=True)}
    for name, *nums in (line.split() for line in _TUNED_FLOORS_TABLE.strip().splitlines())
}


# at least this many notes, and this many in English (the hand-written set and held-out 1 are
# smaller, and held-out 1 has few English notes; held-out 17, 20, 23, 26 and 27 mix English into
# Chinese more than they write English alone)
_SIZES = {
    "handwritten": (50, 0),
    "heldout": (60, 0),
    "heldout2": (60, 15),
    "heldout17": (70, 13),
    "heldout20": (70, 10),
    "heldout23": (70, 11),
    "heldout26": (70, 12),
    "heldout27": (70, 12),
}


@pytest.mark.parametrize("name", sorted(TUNED_FLOORS))
def test_non_regression_on_the_tuned_sets(name):
    rows = load_notes(SETS[name])
    notes, english = _SIZES.get(name, (70, 14))
    assert len(rows) >= notes
    assert sum(row["note"].isascii() for row in rows) >= english  # English notes too
    _holds_floors(rows, TUNED_FLOORS[name])


@pytest.mark.parametrize("second_file, first_sets, _", AGREEMENT)
def test_a_second_labeller_agrees_with_the_first(second_file, first_sets, _):
    """80 notes of held-out 7 and 8, and 80 of held-out 15 to 18, labelled again by someone who
    did not see the first labels; two people agree far more than the extractor does, so a miss
    on those sets is the extractor's, not a matter of taste (figures in the README)."""
    rows = load_notes(second_file)
    assert len(rows) == 80
    scores = agreement(second_file, first_sets)
    for field, (human, _machine) in scores.items():
        assert human.precision >= 0.95 and human.recall >= 0.95, field


def test_non_regression_on_the_unseen_sets():
    """Held-out 43 to 46: 360 notes by four more authors, written blind (they reported only a
    path and a line count) and never tuned or trained on. Floors = their figures (README) minus
    about 0.03, so that a change that makes unseen notes worse shows here; relations, amounts
    and phones do not meet their goals on these sets (README)."""
    rows = [row for name in UNSEEN for row in load_notes(SETS[name])]
    assert len(rows) == 360
    assert sum(row["note"].isascii() for row in rows) >= 24  # (and more mixed with Chinese)
    _holds_floors(
        rows,
        {
            "phones": (0.94, 0.95),
            "people": (0.92, 0.93),
            "relations": (0.75, 0.80),
            "promise_amount": (0.89, 0.89),
            "promise_date": (0.92, 0.93),
            "callback": (0.93, 0.89),
            "outcome": (0.89, 0.93),
        },
    )
