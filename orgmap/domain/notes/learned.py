"""A second, learned reading of a note: who sent us to whom, who approves, who is no one, the
outcome where the rules found none, which sum and which day are promised, and when to call back.

The rules tie each phrase they know to the people around it; a phrasing they have not seen is
lost ("小王说管付款的是财务小谭": no rule, no referral).  Here every person of the note and every
pair named near each other is described by the words around their mentions (the names
themselves masked), the relation phrases the rules know between them and what the rules made of
them; every amount and every day to come the rules weighed, and every moment a call-back may be
set for, by the words around it and what the rules made of it; and each is scored by a linear
model trained on the labelled notes (``bench.train_notes_model``, scikit-learn's logistic
regression).  Scoring is a sum of weights read from ``notes_model.json``; nothing is trained or
downloaded at run time.

What a rule says mostly stands: the model adds a relation the rules did not say, drops one of
theirs only when it gives it a probability under ``VETO`` and the rules read it from a phrase
the issue does not name (推给, 让我找, 说了算 … always stand), sets aside only people no relation
of the rules' names and who have no number, e-mail or contact, and gives an outcome only where
the rules gave none.  Of the promise it keeps the rules' amount and day unless it finds another
the rules weighed far likelier (``SWAP``) or theirs most unlikely (``AMOUNT_VETO``,
``DATE_VETO``, or a note it finds promises no sum), and the outcome is then the rules' for
the promise it keeps; it sets a call-back only where the rules set none.
``extract(..., learned=False)`` reads with the rules alone.

>>> m = NotesModel.load()
>>> m.pairs.classes
('none', 'passes_buck_to', 'refers_to')
>>> round(sum(m.pairs.probabilities({"bias": 1.0}).values()), 6)
1.0
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from orgmap.domain.notes.amounts import AmountMatch
from orgmap.domain.notes.clauses import SENTENCE, Clauses
from orgmap.domain.notes.dates import DateMatch, find_dates, find_times
from orgmap.domain.notes.linking import People, Relation, Span
from orgmap.domain.notes.promises import (
    CallbackSuggestion,
    PromiseReading,
    PromiseSuggestion,
    promise_of,
)
from orgmap.domain.notes.relations import Trigger

__all__ = [
    "AMOUNT_VETO",
    "CALLBACK",
    "DATE_VETO",
    "ISSUE_PHRASES",
    "MODEL_FILE",
    "NONE",
    "PROMISED",
    "SWAP",
    "VETO",
    "Candidate",
    "Head",
    "NotesModel",
    "amount_features",
    "callback_candidates",
    "callback_features",
    "candidates",
    "date_features",
    "outcome_features",
    "person_features",
    "promise_context",
    "promise_features",
    "second_callback",
    "second_promise",
    "second_reading",
]

MODEL_FILE = Path(__file__).with_name("notes_model.json")
NONE = "none"  # the pair class "no relation"
PROMISED = "promised"  # an amount or a day is the one promised; the note promises a sum
CALLBACK = "callback"  # a moment is the one to call back at
_MAX_MENTIONS = 4  # mentions of one person described (a long note names some people often)
_BETWEEN = 20  # characters between two people read, nearest the second
# a pair is read when the first person is named in the second's sentence or the one before
# (or is the called contact), so a long note costs its length, not the square of its people
_SENTENCES_BACK = 1
_PARTNERS = 6  # people named last before a mention who may be related to that person
# the people of a note the model reads (the first named); past them, the rules' reading alone:
# a real note names a handful, a pasted list of hundreds costs no more than this
_MAX_PEOPLE = 48
_MASK = "Ｐ"  # a person's mention, as the relation heads read the words around it
_OUTCOME_READ = 300  # characters of a note the outcome head reads
# the amounts, days or moments of a note the model weighs (past them, the rules' reading alone)
_MAX_MOMENTS = 48
# a relation of the rules' the model finds this unlikely is dropped (leave-one-wave-out over
# held-out 15 to 38: relations 0.734 / 0.722 kept, 0.757 / 0.718 dropped)
VETO = 0.1
# the phrasings the issue names: a relation read from one of these always stands
ISSUE_PHRASES = re.compile(
    r"让我找|说找|介绍|给了|推给|又说找|让我去问|是老板|说了算|负责审批|gave me"
)

Features = dict[str, float]
_Said = TypeVar("_Said", AmountMatch, DateMatch)


@dataclass(frozen=True, slots=True)
class Person:
    """One person of the note as the model sees them."""

    ref: str  # the contact key or the name as said, as the rules' relations name them
    title: str
    spans: tuple[Span, ...]  # their mentions in the note, in order (none: the called, unsaid)
    phone: bool
    called: bool


@dataclass(frozen=True, slots=True)
class Candidate:
    """A person who may authorize (``target`` None) or a pair who may be related."""

    source: str
    target: str | None
    span: Span  # where a relation found here is said to come from
    features: Features


def _grams(text: str, prefix: str, into: Features, sizes: tuple[int, ...] = (1, 2, 3)) -> None:
    text = text.lower()
    for n in sizes:
        for i in range(len(text) - n + 1):
            into[prefix + text[i : i + n]] = 1.0


class _Phrases:
    """The rules' relation phrases in order, for those said between two positions."""

    __slots__ = ("starts", "triggers")

    def __init__(self, triggers: tuple[Trigger, ...]) -> None:
        self.triggers = triggers
        self.starts = [t.span[0] for t in triggers]

    def between(self, lo: int, hi: int) -> tuple[Trigger, ...]:
        return self.triggers[bisect_left(self.starts, lo) : bisect_left(self.starts, hi)]

    def add(self, prefix: str, lo: int, hi: int, into: Features) -> None:
        for t in self.between(lo, hi):
            into[f"{prefix}{t.type}:{t.direction}"] = 1.0


def persons(people: People, called: str | None) -> list[Person]:
    """The note's people with all their mentions; the called contact added when unsaid."""
    spans: list[list[Span]] = [[] for _ in people.people]
    for span, i in zip(people.spans, people.index, strict=True):
        if span[0] >= 0:
            spans[i].append(span)
    found = [
        Person(
            p.ref,
            p.mention.title,
            tuple(spans[i]),
            bool(p.phones or p.email),
            p.ref == called,
        )
        for i, p in enumerate(people.people[:_MAX_PEOPLE])
    ]
    if called is not None and all(p.ref != called for p in found):
        found.append(Person(called, "", (), False, True))
    return found


def _person_features(
    c: Clauses, p: Person, rules: set[tuple[str, str | None, str]], phrases: _Phrases
) -> Features:
    text = c.text
    f: Features = {"bias": 1.0, "T:" + p.title: 1.0}
    if p.called:
        f["called"] = 1.0
    if not p.spans:
        f["unsaid"] = 1.0
    if (p.ref, None, "authorizes") in rules:
        f["rule"] = 1.0
    for start, end in p.spans[:_MAX_MENTIONS]:
        lo, hi = c.sentence(start)
        _grams(text[end : min(hi, end + 10)], "R:", f)
        _grams(text[max(lo, start - 6) : start], "L:", f)
        clause_lo, clause_hi = c.clause(start)
        _grams(text[clause_lo:clause_hi], "C:", f, (2,))
        phrases.add("P<", clause_lo, start, f)
        phrases.add("P>", end, clause_hi, f)
    return f


def _pair_features(
    c: Clauses,
    x: Person,
    y: Person,
    y_span: Span,
    rules: set[tuple[str, str | None, str]],
    phrases: _Phrases,
) -> Features:
    text = c.text
    f: Features = {"bias": 1.0, "XT:" + x.title: 1.0, "YT:" + y.title: 1.0}
    if x.called:
        f["xcalled"] = 1.0
    if not x.spans:
        f["xunsaid"] = 1.0
    if y.phone:
        f["yphone"] = 1.0
    if y_span != y.spans[0]:
        f["y_named_before"] = 1.0  # sent back to someone named earlier
    for kind in ("refers_to", "passes_buck_to"):
        if (x.ref, y.ref, kind) in rules:
            f["rule:" + kind] = 1.0
        if (y.ref, x.ref, kind) in rules:
            f["back:" + kind] = 1.0
    if any(t == y.ref and k != "authorizes" for _, t, k in rules):
        f["y_sent_to"] = 1.0
    if (y.ref, None, "authorizes") in rules:
        f["y_authorizes"] = 1.0
    y_start, y_end = y_span
    k = bisect_left(x.spans, (y_start,)) - 1  # x's mention last before y's (spans sort by start)
    if k >= 0 and x.spans[k][1] <= y_start:
        x_end = x.spans[k][1]
        between = text[x_end:y_start]
        f["x_first"] = 1.0
        f[f"sentences:{min(len(SENTENCE.findall(between)), 3)}"] = 1.0
        _grams(between[-_BETWEEN:], "B:", f)
        _grams(text[x_end : x_end + 4], "XR:", f, (1, 2))
        phrases.add("PB:", x_end, y_start, f)
    else:
        lo, _ = c.sentence(y_start)
        _grams(text[lo:y_start][-_BETWEEN:], "S:", f)
        phrases.add("PS:", lo, y_start, f)
        if x.spans:
            f["x_after"] = 1.0
    lo, hi = c.sentence(y_start)
    _grams(text[max(lo, y_start - 6) : y_start], "LY:", f)
    _grams(text[y_end : min(hi, y_end + 8)], "RY:", f)
    return f


def _window_start(c: Clauses, pos: int) -> int:
    """Where a pair said at ``pos`` may begin: the sentence before ``pos``'s."""
    lo, _ = c.sentence(pos)
    for _ in range(_SENTENCES_BACK):
        if lo > 0:
            lo, _ = c.sentence(lo - 1)
    return lo


def _partners(
    c: Clauses, found: list[Person], said: list[tuple[Span, int]]
) -> Iterator[tuple[int, int, Span]]:
    """``(x, y, span)`` for each pair that may be related: ``x`` named shortly before a mention
    of ``y`` (at ``span``: the first such mention, so "…又让我找孔老师" is a pair even when 孔老师
    was named first), or ``x`` the called contact (at ``y``'s first mention).  Only the
    ``_PARTNERS`` people named last before each mention count, so a note of hundreds of names
    costs its length, not its square."""
    starts = [span[0] for span, _ in said]
    for yi, y in enumerate(found):
        if not y.spans:
            continue
        partners: dict[int, Span] = {}
        for span in y.spans[:_MAX_MENTIONS]:
            lo = _window_start(c, span[0])
            k = bisect_left(starts, span[0]) - 1
            near: set[int] = set()
            while k >= 0 and starts[k] >= lo and len(near) < _PARTNERS:
                if (xi := said[k][1]) != yi:
                    near.add(xi)
                    partners.setdefault(xi, span)
                k -= 1
        for xi, x in enumerate(found):
            if x.called and xi != yi:
                partners.setdefault(xi, y.spans[0])
        for xi, span in partners.items():
            yield xi, yi, span


def _as_called(f: Features) -> Features:
    """``f`` and each of its features again as said of the called contact: the words that make
    the one we rang send us on or approve are not those that make a third person do so, and a
    linear model weighs them apart only so."""
    return f | {"c|" + k: v for k, v in f.items()}


def _masked(c: Clauses, found: list[Person]) -> Clauses:
    """The note with each mention of a person written as ``_MASK`` s of its length: the words
    around people say how they are related, their names do not (a name seen in training is
    no clue to a new author's people; leave-one-wave-out over held-out 15 to 42: relations
    0.746 / 0.701 → 0.768 / 0.703)."""
    chars = list(c.text)
    for p in found:
        for start, end in p.spans:
            chars[start:end] = _MASK * (end - start)
    return Clauses("".join(chars))


def candidates(
    c: Clauses,
    people: People,
    relations: list[Relation],
    called: str | None,
    triggers: tuple[Trigger, ...],
) -> Iterator[Candidate]:
    """Every person (may authorize) and every pair near each other (may be related)."""
    rules = {(r.source, r.target, r.type) for r in relations}
    phrases = _Phrases(triggers)
    found = persons(people, called)
    c = _masked(c, found)
    for p in found:
        span = p.spans[0] if p.spans else (0, 0)
        f = _person_features(c, p, rules, phrases)
        yield Candidate(p.ref, None, span, _as_called(f) if p.called else f)
    said = sorted((span, i) for i, p in enumerate(found) for span in p.spans)
    for xi, yi, span in _partners(c, found, said):
        x, y = found[xi], found[yi]
        f = _pair_features(c, x, y, span, rules, phrases)
        yield Candidate(x.ref, y.ref, span, _as_called(f) if x.called else f)


def person_features(
    c: Clauses, people: People, relations: list[Relation]
) -> Iterator[tuple[int, Features]]:
    """Each person the model may set aside (a role said alone, with no number, no e-mail, not
    on the map), with what is said around them: "财务的事" is no one, "财务说下周付" is someone.
    A name said (周经理, 小谭, Ms Fang) is someone."""
    text = c.text
    ends = {r.source for r in relations} | {r.target for r in relations}
    said = Counter(people.index)
    for i, p in enumerate(people.people[:_MAX_PEOPLE]):
        start, end = p.mention.span
        if p.phones or p.email or p.existing or start < 0:
            continue
        name, title = p.mention.name, p.mention.title
        if name and name != title:
            continue
        f: Features = {"bias": 1.0, "T:" + title: 1.0, "N:" + name: 1.0}
        if p.ref in ends:
            f["related"] = 1.0
        f[f"said:{min(said[i], 3)}"] = 1.0
        lo, hi = c.sentence(start)
        _grams(text[max(lo, start - 6) : start], "L:", f)
        _grams(text[end : min(hi, end + 6)], "R:", f)
        yield i, f


def outcome_features(
    c: Clauses,
    said: str | None,
    relations: list[Relation],
    promise: bool,
    amount: bool,
    callback: bool,
) -> Features:
    """The note as a whole: what the rules made of it, and its first words."""
    f: Features = {"bias": 1.0, "rule:" + (said or NONE): 1.0}
    for r in relations:
        f["relation:" + r.type] = 1.0
    if promise:
        f["promise"] = 1.0
    if amount:
        f["amount"] = 1.0
    if callback:
        f["callback"] = 1.0
    _grams(c.text[:_OUTCOME_READ], "G:", f, (1, 2))
    return f


@dataclass(frozen=True, slots=True)
class Head:
    """One logistic regression: a weight per feature per class (a class without weights
    scores 0, as the negative class of a two-class model), and the probability a finding
    needs to be kept."""

    classes: tuple[str, ...]
    weights: dict[str, dict[str, float]]
    threshold: float  # to add a finding where the rules say nothing

    def probabilities(self, features: Features) -> dict[str, float]:
        scores = {
            cls: sum(w.get(k, 0.0) * v for k, v in features.items())
            for cls in self.classes
            for w in (self.weights.get(cls, {}),)
        }
        top = max(scores.values())
        exp = {cls: math.exp(s - top) for cls, s in scores.items()}
        total = sum(exp.values())
        return {cls: e / total for cls, e in exp.items()}

    def finding(self, features: Features) -> str:
        """The likeliest class but ``none``, if likely enough; else ``none``."""
        p = self.probabilities(features)
        best = max((cls for cls in self.classes if cls != NONE), key=p.__getitem__)
        return best if p[best] > self.threshold else NONE


@dataclass(frozen=True, slots=True)
class NotesModel:
    """The heads: who authorizes, how a pair is related, who is no one, the outcome; which
    amount and which day are promised, whether a sum is promised at all, when to call back."""

    trained_on: tuple[str, ...]
    authorizes: Head
    pairs: Head
    people: Head
    outcome: Head
    amounts: Head
    dates: Head
    promises: Head
    callbacks: Head

    @staticmethod
    @lru_cache(maxsize=4)
    def load(path: Path = MODEL_FILE) -> NotesModel:
        return NotesModel.from_dict(json.loads(path.read_text("utf-8")))

    @staticmethod
    def from_dict(data: dict) -> NotesModel:
        """The model a training made (``bench.train_notes_model.train``), as the file holds it."""
        heads = {
            name: Head(tuple(h["classes"]), h["weights"], float(h["threshold"]))
            for name, h in data["heads"].items()
        }
        return NotesModel(tuple(data["trained_on"]), **heads)


def second_reading(
    c: Clauses,
    people: People,
    relations: list[Relation],
    called: str | None,
    triggers: tuple[Trigger, ...],
    model: NotesModel,
) -> tuple[list[Relation], set[str]]:
    """The rules' relations with those the model adds and without those it finds most unlikely,
    and the people it sets aside.

    The model adds a relation only for a pair (or an authorizer) the rules left unrelated, when
    it scores above the head's threshold; it drops a rules' relation only under ``VETO`` and
    never one read from a phrasing the issue names; it sets aside only people no relation of
    the rules' names ("财务的事跟行政没关系": no one called 财务)."""
    related: dict[tuple[str, str | None], list[Relation]] = {}
    for r in relations:
        related.setdefault((r.source, r.target), []).append(r)
    ends = {r.source for r in relations} | {r.target for r in relations}
    kept = list(relations)
    dropped: set[int] = set()
    for cand in candidates(c, people, relations, called, triggers):
        if (said := related.get((cand.source, cand.target))) is not None:
            head = model.authorizes if cand.target is None else model.pairs
            likely = head.probabilities(cand.features)
            dropped.update(
                id(r)
                for r in said
                if likely.get(r.type, 0.0) < VETO and not ISSUE_PHRASES.search(c.text, *r.span)
            )
            continue
        if cand.target is None:
            if model.authorizes.finding(cand.features) != NONE:
                kept.append(Relation(cand.source, None, "authorizes", cand.span))
        elif (kind := model.pairs.finding(cand.features)) != NONE:
            kept.append(Relation(cand.source, cand.target, kind, cand.span))
    no_one = {
        p.ref
        for i, f in person_features(c, people, relations)
        if (p := people.people[i]).ref not in ends and model.people.finding(f) != NONE
    }
    kept = [
        r
        for r in kept
        if id(r) not in dropped and r.source not in no_one and r.target not in no_one
    ]
    order = {id(r): i for i, r in enumerate(relations)}
    return sorted(kept, key=lambda r: (order.get(id(r), len(order)), r.span)), no_one


# -- the promise and the call-back ------------------------------------------------------------
# Each amount and each day the rules weighed, and each day or time a call-back may be set for,
# is described by the words around it and what the rules made of it, and scored; the
# thresholds were chosen by leave-one-wave-out over held-out 15 to 38 (README).
# a rules' amount or day is replaced by another the model finds this likely (and likelier) …
SWAP = 0.7
# … and dropped when the model finds it less likely than this (an amount, a day)
AMOUNT_VETO = 0.15
DATE_VETO = 0.3
_DAYS_AHEAD = (0, 1, 3, 7, 14, 31, 90)
_AFTER_DAY = 8  # characters after a day in which its time is said ("明天下午三点")
_CALLBACK_TIME = time(10, 0)  # a call-back said with a day alone (as the rules set it)


def _bucket(n: int, edges: tuple[int, ...]) -> str:
    return next((str(e) for e in edges if n <= e), "more")


def _around(c: Clauses, span: Span, before: int, after: int, f: Features) -> None:
    """The words just before and after ``span`` in its sentence, and its clause's."""
    text = c.text
    lo, hi = c.sentence(span[0])
    _grams(text[max(lo, span[0] - before) : span[0]], "L:", f)
    _grams(text[span[1] : min(hi, span[1] + after)], "R:", f)
    clause_lo, clause_hi = c.clause(span[0])
    _grams(text[clause_lo : min(clause_hi, clause_lo + 60)], "C:", f, (2,))


def _place(i: int, n: int, f: Features) -> None:
    f["n:" + _bucket(n, (1, 2, 3))] = 1.0
    if i == 0:
        f["first"] = 1.0
    if i == n - 1:
        f["last"] = 1.0


def promise_context(outcome: str | None, promise: PromiseSuggestion | None) -> Features:
    """What the rules made of the note as a whole, read beside every amount and day."""
    return {
        "out:" + (outcome or NONE): 1.0,
        ("hasdate" if promise and promise.date else "nodate"): 1.0,
        ("hasamt" if promise and promise.amount else "noamt"): 1.0,
    }


def promise_features(c: Clauses, context: Features) -> Features:
    """The note as a whole: does it promise a sum at all?"""
    f: Features = {"bias": 1.0} | context
    _grams(c.text[:_OUTCOME_READ], "G:", f, (1, 2))
    return f


def amount_features(c: Clauses, reading: PromiseReading, context: Features) -> list[Features]:
    """Each amount the rules weighed: the one promised, or a total, a sum paid, a threshold?"""
    found = []
    for i, (a, tags) in enumerate(reading.amounts):
        f: Features = {"bias": 1.0} | context
        f.update(("t:" + tag, 1.0) for tag in tags)
        _around(c, a.span, 10, 8, f)
        _grams(c.text[a.span[0] : a.span[1]], "A:", f, (1,))
        _place(i, len(reading.amounts), f)
        f["mag:" + str(len(str(int(a.value))))] = 1.0
        found.append(f)
    return found


def date_features(
    c: Clauses, reading: PromiseReading, today: date, context: Features
) -> list[Features]:
    """Each day to come the rules weighed: the day to pay by, or a meeting, a call-back?"""
    amount = next((a.span for a, tags in reading.amounts if "pick" in tags), None)
    found = []
    for i, (d, tags) in enumerate(reading.dates):
        f: Features = {"bias": 1.0} | context
        f.update(("t:" + tag, 1.0) for tag in tags)
        _around(c, d.span, 8, 8, f)
        _grams(d.text, "D:", f, (1, 2))
        f["ahead:" + _bucket((d.value - today).days, _DAYS_AHEAD)] = 1.0
        if d.weekday_said:
            f["weekday"] = 1.0
        _place(i, len(reading.dates), f)
        if amount is None:
            f["no_amount"] = 1.0
        else:
            gap = max(0, d.span[0] - amount[1], amount[0] - d.span[1])
            f["gap:" + _bucket(gap, (0, 2, 6, 15, 40))] = 1.0
            f["after_amount" if d.span[0] >= amount[1] else "before_amount"] = 1.0
            if c.clause(d.span[0]) == c.clause(amount[0]):
                f["amount_clause"] = 1.0
        found.append(f)
    return found


def _choose(
    found: tuple[tuple[_Said, frozenset[str]], ...],
    likely: list[float],
    head: Head,
    veto: float,
) -> _Said | None:
    """The rules' pick, unless the model finds another far likelier (``SWAP``) or the pick
    most unlikely (``veto``); where the rules picked none, the likeliest above the head's
    threshold."""
    if not found:
        return None
    best = max(range(len(found)), key=likely.__getitem__)
    pick = next((i for i, (_, tags) in enumerate(found) if "pick" in tags), None)
    if pick is None:
        return found[best][0] if likely[best] > head.threshold else None
    if found[best][0].value != found[pick][0].value and likely[best] > max(SWAP, likely[pick]):
        return found[best][0]
    return None if likely[pick] < veto else found[pick][0]


def second_promise(
    c: Clauses, reading: PromiseReading, today: date, context: Features, model: NotesModel
) -> PromiseSuggestion | None:
    """The promise with the amount and the day the model reads among those the rules weighed;
    no amount where it finds the note promises no sum (``promises`` head)."""
    if max(len(reading.amounts), len(reading.dates)) > _MAX_MOMENTS:
        return reading.promise  # a pasted list of sums: the rules' reading alone
    amount = _choose(
        reading.amounts,
        [model.amounts.probabilities(f)[PROMISED] for f in amount_features(c, reading, context)],
        model.amounts,
        AMOUNT_VETO,
    )
    if amount is not None:  # (a note with no amount is not read for one)
        gate = model.promises.probabilities(promise_features(c, context))[PROMISED]
        amount = amount if gate >= model.promises.threshold else None
    when = _choose(
        reading.dates,
        [model.dates.probabilities(f)[PROMISED] for f in date_features(c, reading, today, context)],
        model.dates,
        DATE_VETO,
    )
    return promise_of(amount, when)


def callback_candidates(
    c: Clauses, today: date, zone: ZoneInfo, now: datetime
) -> list[tuple[datetime, Span, DateMatch | None]]:
    """Each moment a call-back may be set for: each day to come said, at the time said right
    after it (else 10:00), and each time said alone later today."""
    text = c.text
    times = find_times(text)
    starts = [t.span[0] for t in times]
    found: list[tuple[datetime, Span, DateMatch | None]] = []
    for d in find_dates(text, today):
        if len(found) == _MAX_MOMENTS:
            return found
        if d.past:
            continue
        _, hi = c.clause(d.span[0])
        k = bisect_left(starts, d.span[1])
        t = times[k] if k < len(times) and starts[k] < min(hi, d.span[1] + _AFTER_DAY) else None
        at = datetime.combine(d.value, t.value if t else _CALLBACK_TIME, zone)
        found.append((at, (d.span[0], t.span[1] if t else d.span[1]), d))
    days = [span for _, span, _ in found]
    for t in times:
        if len(found) == _MAX_MOMENTS:
            break
        at = datetime.combine(today, t.value, zone)
        if at >= now and not any(a <= t.span[0] < b for a, b in days):
            found.append((at, t.span, None))
    return found


def callback_features(
    c: Clauses,
    found: list[tuple[datetime, Span, DateMatch | None]],
    rules: CallbackSuggestion | None,
    promised: date | None,
    today: date,
) -> list[Features]:
    """Each moment: the one to call back at, or when they pay, or when the boss is back?"""
    features = []
    for i, (at, span, d) in enumerate(found):
        f: Features = {"bias": 1.0}
        _around(c, span, 8, 10, f)
        if d is None:
            f["time_only"] = 1.0
        else:
            _grams(d.text, "D:", f, (1, 2))
            if d.span[1] < span[1]:
                f["has_time"] = 1.0
            if d.value == promised:
                f["promise_day"] = 1.0
        f["ahead:" + _bucket((at.date() - today).days, _DAYS_AHEAD)] = 1.0
        if rules is not None:
            f["rules"] = 1.0
            if rules.at == at:
                f["rules_pick"] = 1.0
        _place(i, len(found), f)
        features.append(f)
    return features


def second_callback(
    c: Clauses,
    rules: CallbackSuggestion | None,
    promised: date | None,
    today: date,
    zone: ZoneInfo,
    now: datetime,
    model: NotesModel,
) -> CallbackSuggestion | None:
    """The rules' call-back; where they found none, the moment the model finds likeliest, if
    likely enough ("周四上午他在" with no 再打: a call-back all the same)."""
    if rules is not None:
        return rules
    found = callback_candidates(c, today, zone, now)
    if not found:
        return None
    likely = [
        model.callbacks.probabilities(f)[CALLBACK]
        for f in callback_features(c, found, None, promised, today)
    ]
    best = max(range(len(found)), key=likely.__getitem__)
    if likely[best] <= model.callbacks.threshold:
        return None
    at, span, _ = found[best]
    return CallbackSuggestion(at, span)
