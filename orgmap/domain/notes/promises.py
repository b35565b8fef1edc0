"""The promise to pay and the call-back a note states, resolved against the call's local date.

>>> from datetime import date
>>> from zoneinfo import ZoneInfo
>>> today, free = date(2026, 12, 1), lambda span: True
>>> p = find_promise(Clauses("总共欠二十四万，老赵说年前先还一半"), today, free, [])
>>> str(p.amount), p.date.isoformat()
('120000', '2027-02-05')
>>> p = find_promise(Clauses("上次说的20号付不了了，改到25号，金额还是3万5"), today, free, [])
>>> str(p.amount), p.date.isoformat()
('35000', '2026-12-25')
>>> c = Clauses("下下周三付款，让我那天上午再打")
>>> find_callback(c, today, ZoneInfo("Asia/Shanghai"))[0].at.isoformat()
'2026-12-16T10:00:00+08:00'
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from orgmap.domain.notes.amounts import AmountMatch, find_amounts, find_shares
from orgmap.domain.notes.clauses import Clauses
from orgmap.domain.notes.dates import DateMatch, TimeMatch, find_dates, find_times, the_call_day
from orgmap.domain.notes.numerals import small_int
from orgmap.domain.notes.relations import (
    ACKNOWLEDGED_AFTER,
    ALREADY_PAID,
    ALREADY_PAID_AFTER,
    CALLBACK,
    CALLBACK_DAY_THEN_CALL,
    CALLBACK_LATER,
    CALLBACK_THAT_DAY,
    CALLED_AGAIN,
    DONE_AFTER,
    INSTALMENTS,
    INVOICE_FOR,
    NEGATED_PAY,
    NOT_PROMISE,
    PAY_BEFORE,
    PAY_OFF,
    PAY_THEN,
    PAYER_BEFORE,
    PROMISE_WORDS,
    PUT_OFF,
    THRESHOLD_AFTER,
)

__all__ = [
    "CallbackSuggestion",
    "PromiseReading",
    "PromiseSuggestion",
    "find_callback",
    "find_promise",
    "promise_of",
    "read_promise",
]

Span = tuple[int, int]
_Said = TypeVar("_Said", DateMatch, TimeMatch)
_DEFAULT_CALLBACK_TIME = time(10, 0)
# a call-back time this long before the call is one already made ("下午两点打赵经理")
_MADE_ALREADY = timedelta(hours=1)
# a time then 打, with no 再, this close to the call is the call itself
_SOON = timedelta(minutes=15)
_PART_OF_DAY = re.compile(r"\s*(?:[上下中]午|早上|晚上|傍晚|morning|afternoon|evening)\s*$", re.I)
_WHAT_HAPPENED = re.compile(
    r"[^，,。；;\s]{0,8}?(?:没人接|没接|无人接|接了|接的|通了|关机|占线|回过来)"
)
_THE_REST = re.compile(r"剩下|剩的|另外|另一半|the rest|the other half", re.IGNORECASE)
# a clause in which the collector asks or answers: no promise of theirs
_ASKED = re.compile(r"\s*我问")
_NEAR = 160  # characters either side of a span its clause is read over
_PROMISED = re.compile(r"说好|答应|承诺|约好|promised", re.IGNORECASE)
_SAID_PAID = re.compile(r"[付转打汇]的")  # "付的": paid, or to be paid as promised
_CUT = re.compile(r"[降减扣少]|打折|discount", re.IGNORECASE)
# a day the payment was moved to: "最晚下周一", "改到25号", "推到3月底"
_REVISED = re.compile(r"(?:最晚|最迟|改到|改成|推到|延到|拖到|顺延到|at the latest)\s*$", re.I)
# "half of the 80k": the amount a share is taken of, said right after it
_SHARE_OF = re.compile(r"\s*(?:of|的)\s*(?:the\s+)?$", re.IGNORECASE)
# the share said with what it comes to: "60% = 73,200", "一半即4.3万"
_SHARE_IS = re.compile(r"\s*(?:=|＝|即|也就是|就是|i\.e\.|which is|comes to)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PromiseSuggestion:
    amount: Decimal | None
    date: date | None
    span: Span  # from the first to the last part said


@dataclass(frozen=True, slots=True)
class PromiseReading:
    """What :func:`read_promise` weighed: every amount and every day to come the note says,
    each with what the rules made of it (``pick``: the one chosen; ``kept``, ``ok``: a
    promise's by the rules' reading; ``total``, ``paid_after``, ``pay_before``, ``paying``,
    ``revised``, ``callback``: the words around it), and the promise the rules chose."""

    amounts: tuple[tuple[AmountMatch, frozenset[str]], ...]
    dates: tuple[tuple[DateMatch, frozenset[str]], ...]
    promise: PromiseSuggestion | None


@dataclass(frozen=True, slots=True)
class CallbackSuggestion:
    at: datetime
    span: Span


def _later(m: re.Match[str]) -> timedelta | None:
    """How long "半小时后", "过两个钟", "in 30 minutes" is."""
    if m.group("half"):
        return timedelta(minutes=30)
    if m.group("enunit"):
        n = int(m.group("en") or 1)  # "in an hour"
        unit = m.group("enunit").lower()
        return timedelta(hours=n) if unit.startswith("hour") else timedelta(minutes=n)
    if m.group("enlong") or m.group("cnlong"):  # "in two weeks", "三天后": the day, not the hour
        said_n = m.group("ennum") or m.group("cnn") or ""
        if said_n in ("两", "几"):  # "过两天再打": some day soon, no day to put down
            return None
        days: int | None = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4}.get(said_n)
        days = days or small_int(said_n)
        if not days:
            return None
        unit = (m.group("enlong") or m.group("cnlong")).lower()
        return timedelta(days=days * 7 if unit[:1] in ("w", "星", "礼", "周") else days)
    said = m.group("n")
    whole = 0 if said == "半" else small_int(said)
    if whole is None:
        return None
    if m.group("unit") == "分钟":
        return timedelta(minutes=whole) if whole >= 5 else None
    # "半小时", "一个半小时": the half is said before the unit
    minutes = 60 * whole + (30 if "半" in m.group() else 0)
    return timedelta(minutes=minutes) if 0 < minutes <= 12 * 60 else None


def _callback_triggers(c: Clauses, today: date) -> list[re.Match[str]]:
    """The call-back phrases in order; a day then 打 counts unless a payer or an amount says
    it is a transfer ("财务明天上午打，三万六"), or the day is the call's own ("周六打的")."""
    found = list(CALLBACK.finditer(c.text))
    call_days: list[Span] | None = None  # read once, when a day then 打 is said
    for m in CALLBACK_DAY_THEN_CALL.finditer(c.text):
        if call_days is None:  # the whole day said ("下周二", not its "周二")
            call_days = [d.span for d in find_dates(c.text, today) if the_call_day(d, today)]
        k = bisect_right(call_days, (m.start(), len(c.text))) - 1
        if k >= 0 and call_days[k][0] <= m.start() < call_days[k][1]:
            continue
        lo, _ = c.clause(m.start())
        if PAYER_BEFORE.search(c.text, lo, m.start()):
            continue
        _, clause_end = c.clause(m.start())
        rest = c.text[m.end() : min(clause_end, m.end() + _NEAR)]
        if find_amounts(rest + c.next_clause_text(m.end())[:_NEAR]):
            continue
        if _WHAT_HAPPENED.match(c.text, m.end()):
            continue  # "早上九点打小王没人接": a call made
        found.append(m)
    return sorted(found, key=lambda m: m.start())


def _nearest(found: Sequence[_Said], at: int, *, after: bool = False) -> _Said | None:
    """The last of ``found`` said before ``at``, else the first said after it (``after``: the
    first said after it, else the last before)."""
    before = [x for x in found if x.span[1] <= at]
    later = [x for x in found if x.span[0] >= at]
    if after and later:
        return later[0]
    return before[-1] if before else (found[0] if found else None)


def find_callback(
    c: Clauses, today: date, zone: ZoneInfo, now: datetime | None = None
) -> tuple[CallbackSuggestion | None, list[Span]]:
    """The first call-back said with a day or a time, and the spans of its day and time;
    ``now``, the moment of the call, counts "半小时后再打"."""
    text = c.text
    triggers = _callback_triggers(c, today)
    if not triggers:
        return None, []
    # the days and times of the note, read once; each trigger takes those of its clause
    every_date, every_time = find_dates(text, today), find_times(text)
    date_starts = [d.span[0] for d in every_date]
    date_ends = [d.span[1] for d in every_date]
    time_starts = [t.span[0] for t in every_time]
    time_ends = [t.span[1] for t in every_time]
    for trigger in triggers:
        lo, hi = c.clause(trigger.start())
        # (a clause of thousands of characters, typed without a stop, is read near the trigger)
        lo, hi = max(lo, trigger.start() - _NEAR), min(hi, trigger.end() + _NEAR)
        dates = [
            replace(d, span=(d.span[0] - lo, d.span[1] - lo))
            for d in every_date[bisect_left(date_starts, lo) : bisect_left(date_starts, hi)]
            if d.span[1] <= hi and not d.past and not the_call_day(d, today)
        ]
        times = tuple(
            replace(t, span=(t.span[0] - lo, t.span[1] - lo))
            for t in every_time[bisect_left(time_starts, lo) : bisect_left(time_starts, hi)]
            if t.span[1] <= hi
        )
        later = CALLBACK_LATER.search(text, lo, hi) if now is not None else None
        wait = _later(later) if later is not None else None
        if wait is not None and later is not None and now is not None and not dates and not times:
            at = (now.astimezone(zone) + wait).replace(second=0, microsecond=0)
            if wait >= timedelta(days=1):
                at = datetime.combine(at.date(), _DEFAULT_CALLBACK_TIME, zone)
            span = (min(later.start(), trigger.start()), max(later.end(), trigger.end()))
            return CallbackSuggestion(at, span), [later.span()]
        # the day and time said next to the trigger: "打了一上午 … 明天上午10点半再打"; in
        # English, said after it ("after 2pm … so call her tmr 10:30am")
        english = trigger.group().isascii()
        said_day = _nearest(dates, trigger.start() - lo, after=english)
        if said_day is not None:  # "晚上赵经理发微信让下周一再打": 晚上 is when he wrote
            times = tuple(
                t for t in times if t.span[0] >= said_day.span[0] or not _PART_OF_DAY.match(t.text)
            )
        said_time = _nearest(times, trigger.start() - lo, after=english)
        day: date | None = said_day.value if said_day else None
        parts = [(lo + d.span[0], lo + d.span[1]) for d in dates if d is said_day]
        that_day = None if dates else CALLBACK_THAT_DAY.search(text, lo, hi)
        if that_day is not None:
            k = bisect_right(date_ends, lo)  # "那天": the day said last
            earlier = every_date[k - 1] if k else None
            if earlier is not None:
                day = earlier.value
                parts = [that_day.span()]
            if earlier is not None and not times:  # "明天早上八点半上班，叫我那个时候打": its time
                j = bisect_left(time_starts, earlier.span[0])
                said_time = every_time[j] if j < len(every_time) and time_starts[j] < lo else None
            elif earlier is None and not times:  # "两点以后回办公室，叫我到时候打": today, then
                s_lo, _ = c.sentence(lo)
                j = bisect_right(time_ends, lo)  # the last time said before, in the sentence
                if j and every_time[j - 1].span[0] >= s_lo:
                    said_time, parts = every_time[j - 1], [that_day.span()]
        if day is None and said_time is None:
            continue
        moment = said_time.value if said_time else _DEFAULT_CALLBACK_TIME
        parts += [(lo + t.span[0], lo + t.span[1]) for t in times if t is said_time]
        every = [*parts, trigger.span()]
        span = (min(a for a, _ in every), max(b for _, b in every))
        at = datetime.combine(day or today, moment, zone)
        if now is not None and at < now - _MADE_ALREADY:
            continue  # "下午两点打赵经理，…" written at four: a call made, not one to make
        if now is not None and trigger.re is CALLBACK_DAY_THEN_CALL and at <= now + _SOON:
            continue  # "晚上七点半打小王，她说下班了…", written at half past seven: this call
        if CALLED_AGAIN.search(text, c.sentence(trigger.start())[1]):
            continue  # "让我五点以后再打。五点十分我又打过去…": made, later in the note
        return CallbackSuggestion(at, span), parts
    return None, []


def _gap(a: Span, b: Span) -> int:
    """Characters between two spans (0 when they touch or overlap)."""
    return max(0, a[0] - b[1], b[0] - a[1])


def _before(text: str, span: Span, n: int) -> str:
    return text[max(0, span[0] - n) : span[0]]


def _pays_near(c: Clauses, span: Span) -> bool:
    """A payment word in the clause, or in the next one when it points back ("到时候付");
    a clause of thousands of characters is read near the span."""
    lo, hi = c.clause(span[0])
    if PROMISE_WORDS.search(c.text, max(lo, span[0] - _NEAR), min(hi, span[1] + _NEAR)):
        return True
    after = c.next_clause_text(span[0])[:_NEAR]
    return bool(PAY_THEN.match(after) and PROMISE_WORDS.search(after))


def _pays_in_sentence(c: Clauses, span: Span, date_starts: list[int]) -> bool:
    """A payment word or a date in the sentence ("20k this Friday"): "发票金额 36,800" alone
    is no promise.  (A sentence of thousands of characters is read near the span.)"""
    lo, hi = c.sentence(span[0])
    lo, hi = max(lo, span[0] - _NEAR), min(hi, span[1] + _NEAR)
    k = bisect_left(date_starts, lo)
    return PROMISE_WORDS.search(c.text, lo, hi) is not None or (
        k < len(date_starts) and date_starts[k] < hi
    )


def _share_amount(
    c: Clauses,
    all_amounts: list[AmountMatch],
    totals: list[AmountMatch],
    ok: Callable[[Span], bool],
    today: date,
) -> tuple[AmountMatch, AmountMatch] | None:
    """``(the share as an amount, the amount it is a share of)`` for "先还一半，总共欠24万"; the
    amount said as the share itself for "60% = 73,200"."""
    text = c.text
    for share in find_shares(text):
        clause = c.clause_text(share.span[0])
        if _CUT.search(_before(text, share.span, 3)):
            continue  # "要降5%才付": a discount asked, not a part paid
        # "先付一半", or "元旦前一半" (a day said with it)
        if not ok(share.span) or not (PROMISE_WORDS.search(clause) or find_dates(clause, today)):
            continue
        after = next((a for a in all_amounts if a.span[0] >= share.span[1]), None)
        if after is not None and _SHARE_IS.match(text[share.span[1] : after.span[0]]):
            return after, after  # "60% = 73,200"
        if after is not None and _SHARE_OF.match(text[share.span[1] : after.span[0]]):
            base: AmountMatch | None = after  # "half of the 80k"
        else:  # the total, else the one amount said before ("货款 76,800 元…先付一半")
            earlier = [a for a in all_amounts if a.span[1] <= share.span[0]]
            base = totals[0] if totals else (earlier[0] if len(earlier) == 1 else None)
        if base is None:
            continue
        value = (base.value * share.fraction).quantize(Decimal("0.01"))
        value = value.quantize(Decimal(1)) if value % 1 == 0 else value
        return AmountMatch(value, share.span), base
    return None


def find_promise(
    c: Clauses, today: date, free: Callable[[Span], bool], callback_spans: list[Span]
) -> PromiseSuggestion | None:
    """The amount and date promised; ``free`` says a span is not a phone or an e-mail."""
    return read_promise(c, today, free, callback_spans).promise


def read_promise(
    c: Clauses, today: date, free: Callable[[Span], bool], callback_spans: list[Span]
) -> PromiseReading:
    """The promise, with every amount and day weighed and what the rules made of each."""
    text = c.text

    def ok(span: Span) -> bool:
        # not a phone, not already paid, not in a clause that says it will not be paid or
        # puts it off ("剩7万年后再说")
        said_lo, said_hi = c.clause(span[0])
        if _ASKED.match(text, said_lo):
            return False  # "我问月底付好多": the collector asking
        # (a clause of thousands of characters, typed without a stop, is read near the span)
        lo, hi = max(said_lo, span[0] - _NEAR), min(said_hi, span[1] + _NEAR)
        # a hedge said about a later amount is not about this one ("下周三先付两万三剩下的一万九
        # 等十二月再说")
        k = bisect_left(amount_starts, span[1])
        nxt = amount_starts[k] if k < len(amount_starts) else hi
        rest = _THE_REST.search(text, span[1], hi)
        nxt = min(nxt, rest.start()) if rest is not None else nxt
        before = _before(text, span, 24)
        paid = ALREADY_PAID.search(before)
        # ("说好今天付的27340", "梁总答应的年前付的那 9.8万": promised, not paid; but "上次答应的3万
        # 已经在4月2号付了" was paid)
        promised = paid is not None and _SAID_PAID.match(paid.group()) and _PROMISED.search(before)
        return (
            free(span)
            and (paid is None or bool(promised))
            and not DONE_AFTER.match(text, span[1])
            and not NEGATED_PAY.search(text, lo, hi)
            and not PUT_OFF.search(text, lo, min(hi, nxt))
        )

    all_amounts = [a for a in find_amounts(text) if free(a.span)]
    amount_starts = [a.span[0] for a in all_amounts]
    totals = [
        a
        for a in all_amounts
        if NOT_PROMISE.search(_before(text, a.span, 8))
        or INVOICE_FOR.search(_before(text, a.span, 30))
        or THRESHOLD_AFTER.match(text, a.span[1], a.span[1] + 12)
        or ACKNOWLEDGED_AFTER.match(text, a.span[1], a.span[1] + 14)
    ]
    split = INSTALMENTS.search(text)
    if split is not None and sum(a.span[0] >= split.end() for a in all_amounts) >= 2:
        # "批了12万，分两笔，12月1号6万，12月10号6万": the first part is the one promised
        said = {a.span for a in totals}
        totals += [a for a in all_amounts if a.span[1] <= split.start() and a.span not in said]
    total_spans = {a.span for a in totals}
    # a day already gone ("去年12月20日付过", "上周五转了") is no day to pay by
    # nor is the call's own day named by its weekday ("周六小王回了：财务说下周三付")
    every_date = tuple(
        d for d in find_dates(text, today) if not d.past and not the_call_day(d, today)
    )
    date_starts = [d.span[0] for d in every_date]
    amounts = [
        a
        for a in all_amounts
        if a.span not in total_spans
        and ok(a.span)
        and not ALREADY_PAID_AFTER.match(text, a.span[1])
        and _pays_in_sentence(c, a.span, date_starts)
    ]
    if not amounts and totals and (paid_off := PAY_OFF.search(text)) and ok(paid_off.span()):
        # "下个月15号以前付清，一共十八万六": all of it is promised
        whole = next((a for a in totals if not THRESHOLD_AFTER.match(text, a.span[1])), None)
        amounts = [whole] if whole is not None else []
    share = _share_amount(c, all_amounts, totals, ok, today)
    if share is not None:
        amounts = [share[0], *(a for a in amounts if a is not share[1])]
    # the amount said right after a payment verb is the one promised, else the first
    amounts.sort(key=lambda a: not PAY_BEFORE.search(_before(text, a.span, 12)))
    dates = [
        d
        for d in every_date
        if ok(d.span) and not any(a < d.span[1] and d.span[0] < b for a, b in callback_spans)
    ]
    paying = [d for d in dates if _pays_near(c, d.span)]
    amount = amounts[0] if amounts else None
    when: DateMatch | None
    if amount is None:
        when = paying[0] if paying else None  # a date alone is a promise only near a payment
    else:
        lo, hi = c.clause(amount.span[0])
        same = [d for d in dates if lo <= d.span[0] < hi]
        # the day said nearest the amount ("…年前结一半…他说1月28号前先打五万")
        # (by the nearer edge: "12月18号 5万、1月15号 5万" is the 18th's five)
        near = sorted(same, key=lambda d: _gap(d.span, amount.span))
        # else the paying day said nearest the amount ("今天…还没到账，下周三一定付，两万八")
        nearest_paying = sorted(paying, key=lambda d: _gap(d.span, amount.span))
        when = next(iter(near or nearest_paying or dates), None)
    revised = [d for d in dates if _REVISED.search(_before(text, d.span, 4))]
    if revised and when is not None:  # "说好的12月1号那6万…最晚下周一": the day it moved to
        when = revised[-1]
    kept, chosen = {a.span for a in amounts}, {d.span for d in dates}
    paying_spans, revised_spans = {d.span for d in paying}, {d.span for d in revised}
    weighed = [*all_amounts, *(a for a in amounts[:1] if a not in all_amounts)]  # (a share)
    return PromiseReading(
        tuple(
            (
                a,
                _tags(
                    ("pick", a is amount),
                    ("kept", a.span in kept),
                    ("total", a.span in total_spans),
                    ("ok", ok(a.span)),
                    ("pay_before", PAY_BEFORE.search(_before(text, a.span, 12)) is not None),
                    ("paid_after", ALREADY_PAID_AFTER.match(text, a.span[1]) is not None),
                ),
            )
            for a in weighed
        ),
        tuple(
            (
                d,
                _tags(
                    ("pick", d is when),
                    ("ok", d.span in chosen),
                    ("paying", d.span in paying_spans),
                    ("revised", d.span in revised_spans),
                    ("callback", any(a < d.span[1] and d.span[0] < b for a, b in callback_spans)),
                ),
            )
            for d in every_date
        ),
        promise_of(amount, when),
    )


def _tags(*said: tuple[str, bool]) -> frozenset[str]:
    """The tags said true."""
    return frozenset(tag for tag, true in said if true)


def promise_of(amount: AmountMatch | None, when: DateMatch | None) -> PromiseSuggestion | None:
    """The promise of ``amount`` by ``when``, spanning both; none without either."""
    if amount is None and when is None:
        return None
    parts = [x.span for x in (amount, when) if x is not None]
    return PromiseSuggestion(
        amount.value if amount else None,
        when.value if when else None,
        (min(a for a, _ in parts), max(b for _, b in parts)),
    )
