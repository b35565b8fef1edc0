"""What the typed call note says, offered to the call form on the collector's word (issue 13).

"Suggest from the note" runs the pure extractor (:mod:`orgmap.domain.notes`) on the
note as typed, for the person chosen in the form, at the time of the press in the
team's zone.  What the form can carry comes back as ticked lines, each with the
note's own words it was read from: who they referred you to (and whether that
person authorizes payment), who they passed you on to, the promise, the outcome,
and, for a call with someone new, who that was.  One press puts the ticked lines
into the form's fields, where they can still be edited; the form's own submit then
logs them with the call.  Nothing is written before that submit, and an unticked
line never reaches a field.

What one call cannot carry (a call-back time, a third person's number, what one
colleague said about another) is listed as information only, under one line that
says it is not saved.

A call is logged with one outcome.  A referral alone is "referred"; being passed on, when
the note says nothing else happened, "reached" (giving way to any other); with a promise
ticked too the call is "promised" and the referral its relation (as
:func:`orgmap.services.calls.log_call` takes it).  When the ticked lines need
outcomes that cannot go together (a refusal and a promise) the form says so and
fills nothing.

Everything taken from the note is shown as text (escaped markdown), never as markup.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import streamlit as st

from orgmap.domain.fields import NAME_MAX_CHARS
from orgmap.domain.model import DebtorMap, Department, Outcome, Phone, RelationType
from orgmap.i18n import label
from orgmap.settings import Settings
from orgmap.ui.components import contact_picker
from orgmap.ui.formatting import (
    escape_markdown,
    format_local_time,
    format_money,
    format_phone_number,
)
from orgmap.ui.text import t

if TYPE_CHECKING:
    from orgmap.domain.notes import PersonSuggestion, Suggestions

__all__ = ["clear", "plan", "show"]

_log = logging.getLogger("orgmap.ui")

# The outcomes a suggested outcome may fill in on its own: the others need the
# details only a referral or a promise line brings.
_PLAIN_OUTCOMES = frozenset({Outcome.REFUSED, Outcome.NO_ANSWER, Outcome.WRONG_NUMBER})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_WORDS_MAX = 80  # characters of the note shown beside a line


@dataclass(frozen=True, slots=True)
class Person:
    """Someone the note names, as the form would take them."""

    name: str
    title: str
    department: Department
    phones: tuple[Phone, ...]
    email: str | None
    existing: str | None  # their contact key, when they are on the map


@dataclass(frozen=True, slots=True)
class Line:
    """One suggestion the form can carry.  ``kind`` is one of ``speaker`` (the new
    person the call was with), ``referral``, ``passed``, ``promise``, ``outcome``."""

    kind: str
    words: str  # the note's words it was read from, as typed (control characters blanked)
    person: Person | None = None
    authorizes: bool = False  # the person referred to authorizes payment
    amount: Decimal | None = None
    by: date | None = None
    outcome: Outcome | None = None  # the outcome the call must have to carry it


@dataclass(frozen=True, slots=True)
class Aside:
    """What the note says that one call cannot carry: shown, not saved.  ``kind`` is one
    of ``callback``, ``person``, ``relation``, ``authorizes``."""

    kind: str
    words: str
    person: Person | None = None
    source: str = ""  # names, as shown
    target: str = ""
    relation: RelationType | None = None
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class _Panel:
    """What the form shows under the note: ``status`` is ``empty``, ``failed``,
    ``nothing``, ``found``, ``clash`` (the ticked lines need two outcomes) or ``used``."""

    status: str
    debtor: str  # whose map the note was read against: another debtor's form shows nothing
    lines: tuple[Line, ...] = ()
    asides: tuple[Aside, ...] = ()
    used: int = 0


def plan(
    found: Suggestions, note: str, *, called: str | None, someone_new: bool, m: DebtorMap
) -> tuple[tuple[Line, ...], tuple[Aside, ...]]:
    """Split what the extractor ``found`` in ``note`` into lines the form can carry and
    asides it cannot, for a call with contact ``called`` (or with someone new).

    Only what the person called said about themselves and whom they sent us to fits
    one call: the first referral and the first passing-on from them.  With someone new
    on the line, that person is whoever the note has referring or passing us on.
    """
    people: dict[str, PersonSuggestion] = {}
    for p in found.people:
        people.setdefault(p.ref, p)
    speaker = called
    if someone_new:
        speaker = next(
            (
                r.source
                for r in found.relations
                if r.type != "authorizes" and r.source in people and not people[r.source].existing
            ),
            None,
        )
    lines: list[Line] = []
    used: set[int] = set()  # indexes into found.relations
    placed: set[str] = set()  # people (refs) put into a line
    if someone_new and speaker is not None:
        p = people[speaker]
        lines.append(Line("speaker", _words(note, p.span, *_phone_spans(p)), _person(p)))
        placed.add(speaker)
    for kind, type_ in (("referral", "refers_to"), ("passed", "passes_buck_to")):
        index = next(
            (
                i
                for i, r in enumerate(found.relations)
                if speaker is not None and (r.source, r.type) == (speaker, type_) and r.target
            ),
            None,
        )
        line = None if index is None else _relation_line(kind, found, index, note, people, m)
        if index is None or line is None:
            continue
        lines.append(line)
        target = found.relations[index].target or ""
        placed.add(target)
        used.add(index)
        if line.authorizes:  # said of the person referred to: it rides on their line
            used |= {
                i
                for i, r in enumerate(found.relations)
                if r.type == "authorizes" and r.source == target
            }
    if found.promise is not None:
        lines.append(
            Line(
                "promise",
                _words(note, found.promise.span),
                amount=found.promise.amount,
                by=found.promise.date,
                outcome=Outcome.PROMISED,
            )
        )
    said = _outcome(found.outcome.value) if found.outcome else None
    if found.outcome and (
        said in _PLAIN_OUTCOMES or (said is Outcome.PROMISED and found.promise is None)
    ):
        lines.append(Line("outcome", _words(note, found.outcome.span), outcome=said))
    return tuple(lines), _asides(found, note, used=used, placed=placed, people=people, m=m)


def _relation_line(
    kind: str,
    found: Suggestions,
    index: int,
    note: str,
    people: dict[str, PersonSuggestion],
    m: DebtorMap,
) -> Line | None:
    """The ``referral`` or ``passed`` line for relation ``index`` of ``found``."""
    r = found.relations[index]
    target = people.get(r.target or "")
    person = _person(target) if target else _known(r.target or "", m)
    if person is None:
        return None
    spans = (target.span, *_phone_spans(target)) if target else ()
    return Line(
        kind,
        _words(note, r.span, *spans),
        person,
        authorizes=kind == "referral" and r.target in found.authorizers,
        outcome=_relation_outcome(kind, found),
    )


def _relation_outcome(kind: str, found: Suggestions) -> Outcome | None:
    """A referral is a referred call.  Being passed on, where the note says nothing else
    happened ("这事她管不了，推给采购部王建国": the extractor's "referred"), is a call that
    reached someone (a referred call names who referred us); a refusal that passes us on is
    the refusal."""
    if kind == "referral":
        return Outcome.REFERRED
    said = found.outcome.value if found.outcome else None
    return Outcome.REACHED if said == Outcome.REFERRED.value else None


def _asides(
    found: Suggestions,
    note: str,
    *,
    used: set[int],
    placed: set[str],
    people: dict[str, PersonSuggestion],
    m: DebtorMap,
) -> tuple[Aside, ...]:
    """What the note says beyond the lines: other relations, numbers and e-mails no
    field takes, the call-back time."""
    asides: list[Aside] = []
    for i, r in enumerate(found.relations):
        if i in used:
            continue
        words = _words(note, r.span)
        if r.type == "authorizes":
            asides.append(Aside("authorizes", words, source=_name(r.source, m)))
        elif r.target and (relation := _relation_type(r.type)) is not None:
            source, target = _name(r.source, m), _name(r.target, m)
            asides.append(Aside("relation", words, source=source, target=target, relation=relation))
    for ref, p in people.items():
        rest = _not_carried(p, in_a_line=ref in placed, m=m)
        if rest is not None:
            asides.append(Aside("person", _words(note, p.span, *_phone_spans(p)), rest))
    if found.callback is not None:
        asides.append(Aside("callback", _words(note, found.callback.span), at=found.callback.at))
    return tuple(asides)


def _outcome(value: str) -> Outcome | None:
    try:
        return Outcome(value)
    except ValueError:
        return None


def _relation_type(value: str) -> RelationType | None:
    try:
        return RelationType(value)
    except ValueError:
        return None


def _person(p: PersonSuggestion) -> Person:
    try:
        department = Department(p.department) if p.department else Department.OTHER
    except ValueError:
        department = Department.OTHER
    name = (p.name or p.title)[:NAME_MAX_CHARS]
    # "李姐" said with the honorific "姐": the title box is for titles the name lacks.
    title = p.title if p.title and p.title not in name else ""
    phones = tuple(Phone(x.e164, x.extension, x.kind) for x in p.phones)
    return Person(name, title[:NAME_MAX_CHARS], department, phones, p.email, p.existing)


def _known(key: str, m: DebtorMap) -> Person | None:
    contact = m.contact(key)
    if contact is None:
        return None
    return Person(contact.name, "", contact.department, (), None, contact.key)


def _not_carried(p: PersonSuggestion, *, in_a_line: bool, m: DebtorMap) -> Person | None:
    """What the note says about ``p`` that no field takes: numbers and e-mail of someone
    on the map (a pick carries none), a second number, any e-mail; None for nothing."""
    person = _person(p)
    contact = m.contact(p.existing) if p.existing else None
    if contact is not None:
        on_map = {x.e164 for x in contact.phones}
        phones = tuple(x for x in person.phones if x.e164 not in on_map)
        known_email = (contact.email or "").lower()
        email = person.email if person.email and person.email.lower() != known_email else None
        person = replace(person, name=contact.name, title="", department=contact.department)
    else:
        phones = person.phones[1:] if in_a_line else person.phones
        email = person.email
    if not phones and not email:
        return None
    return replace(person, phones=phones, email=email)


def _phone_spans(p: PersonSuggestion) -> tuple[tuple[int, int], ...]:
    return tuple(x.span for x in p.phones)


def _name(ref: str, m: DebtorMap) -> str:
    contact = m.contact(ref)
    return contact.name if contact else ref


def _words(note: str, *spans: tuple[int, int]) -> str:
    """The stretch of ``note`` the spans cover, control characters blanked, cut short."""
    spans = tuple(s for s in spans if 0 <= s[0] < s[1])
    if not spans:
        return ""
    text = note[min(a for a, _ in spans) : max(b for _, b in spans)]
    text = _CONTROL.sub(" ", text).strip()
    return text if len(text) <= _WORDS_MAX else text[: _WORDS_MAX - 1] + "…"


# --- the form's fields ------------------------------------------------------------------


def _fields(line: Line, *, m: DebtorMap, region: str, lang: str) -> dict[str, object]:
    """The form fields (names after ``{key}_``) that ``line`` fills, and their values."""
    if line.kind == "promise":
        values: dict[str, object] = {}
        if line.amount is not None:
            values["amount"] = format(line.amount, "f")
        if line.by is not None:
            values["promise_date"] = line.by
        return values
    if line.kind == "outcome" or line.person is None:
        return {}
    prefix = {"referral": "ref", "passed": "pass", "speaker": "new"}[line.kind]
    person = line.person
    contact = m.contact(person.existing) if person.existing else None
    values = {}
    if prefix != "new" and contact is not None and not contact.archived:
        values = {f"{prefix}_pick": contact.key, **_typed(prefix, "", "", Department.OTHER, "")}
    else:
        first = person.phones[:1]
        phone = format_phone_number(first[0], region=region, lang=lang) if first else ""
        values = _typed(prefix, person.name, person.title, person.department, phone)
        if prefix != "new":
            values[f"{prefix}_pick"] = None  # picked and typed at once: the form would ask
    if line.authorizes:
        values["ref_authorizes"] = True
    return values


def _typed(prefix: str, name: str, title: str, department: Department, phone: str) -> dict:
    return {
        f"{prefix}_name": name,
        f"{prefix}_title": title,
        f"{prefix}_department": department,
        f"{prefix}_phone": phone,
    }


# --- session state and the two buttons ---------------------------------------------------


def _panel_key(key: str) -> str:
    return f"{key}_suggested"


def _tick(key: str, kind: str) -> str:
    return f"{key}_suggest_{kind}"


def clear(key: str) -> None:
    """Forget the suggestions shown with form ``key`` (the call was logged)."""
    st.session_state.pop(_panel_key(key), None)


def _suggest(key: str, m: DebtorMap, settings: Settings) -> None:
    """The "Suggest from the note" button: read the note as typed, for the person chosen."""
    note = st.session_state.get(f"{key}_note") or ""
    who = st.session_state.get(f"{key}_contact")
    if not isinstance(note, str) or not note.strip():
        st.session_state[_panel_key(key)] = _Panel("empty", m.debtor.key)
        return
    someone_new = who == contact_picker.NEW
    contact = m.contact(who) if isinstance(who, str) and not someone_new else None
    called = contact.key if contact is not None else None
    try:
        # Loaded on the first press, not with the form: the form logs calls without it.
        from orgmap.domain.notes import extract

        found = extract(
            note,
            called=called,
            m=m,
            at=datetime.now(UTC),
            timezone=settings.timezone,
            region=settings.phone_region,
        )
        lines, asides = plan(found, note, called=called, someone_new=someone_new, m=m)
    except Exception:  # a helper that fails leaves the form as it was, never a traceback
        _log.exception("reading suggestions from a call note failed")
        st.session_state[_panel_key(key)] = _Panel("failed", m.debtor.key)
        return
    for line in lines:
        st.session_state[_tick(key, line.kind)] = True
    status = "found" if lines or asides else "nothing"
    st.session_state[_panel_key(key)] = _Panel(status, m.debtor.key, lines, asides)


def _use(key: str, m: DebtorMap, region: str, lang: str) -> None:
    """The confirm button: the ticked lines into the form's fields, or nothing at all."""
    panel = st.session_state.get(_panel_key(key))
    if not isinstance(panel, _Panel) or panel.debtor != m.debtor.key:
        return
    ticked = [line for line in panel.lines if st.session_state.get(_tick(key, line.kind))]
    outcomes = _outcomes(ticked)
    if len(outcomes) > 1:
        st.session_state[_panel_key(key)] = replace(panel, status="clash")
        return
    for line in ticked:
        for name, value in _fields(line, m=m, region=region, lang=lang).items():
            st.session_state[f"{key}_{name}"] = value
    if outcomes:
        st.session_state[f"{key}_outcome"] = outcomes.pop()
    st.session_state[_panel_key(key)] = replace(panel, status="used", lines=(), used=len(ticked))


# --- drawing -----------------------------------------------------------------------------


def show(key: str, *, m: DebtorMap, lang: str, settings: Settings) -> None:
    """The button under the note of form ``key`` and what it found; fills the form's
    fields (``{key}_…``) on the collector's confirm, before the form is drawn."""
    st.button(
        t("suggest.button", lang),
        key=f"{key}_suggest",
        on_click=_suggest,
        args=(key, m, settings),
        icon=":material/auto_awesome:",
        width="stretch",
    )
    panel = st.session_state.get(_panel_key(key))
    if not isinstance(panel, _Panel) or panel.debtor != m.debtor.key:
        return
    if panel.status == "empty":
        st.info(t("suggest.empty", lang))
        return
    if panel.status == "nothing":
        st.info(t("suggest.nothing", lang))
        return
    if panel.status == "failed":
        st.warning(t("suggest.failed", lang))
        return
    region = settings.phone_region
    if panel.status == "used":
        if panel.used:
            st.success(t("suggest.used", lang, n=panel.used))
        else:
            st.info(t("suggest.none_ticked", lang))
    elif panel.lines:
        st.markdown(t("suggest.found", lang))
        for line in panel.lines:
            st.checkbox(
                _line_text(line, m=m, lang=lang, region=region, currency=m.debtor.currency),
                key=_tick(key, line.kind),
                on_change="ignore",  # a tick is read when the lines are used, not rerun
            )
            if line.words:
                st.caption(t("suggest.words", lang, words=escape_markdown(line.words)))
        outcomes = _outcomes(panel.lines)
        if len(outcomes) > 1:
            said = t("suggest.clash", lang, outcomes=_outcome_list(outcomes, lang))
            (st.error if panel.status == "clash" else st.warning)(said)
        st.button(
            t("suggest.use", lang),
            key=f"{key}_suggest_use",
            on_click=_use,
            args=(key, m, region, lang),
            icon=":material/done_all:",
            width="stretch",
        )
    if panel.asides:
        lines = [
            f"- {_aside_text(a, m=m, lang=lang, region=region, zone=settings.timezone)}"
            for a in panel.asides
        ]
        st.caption(t("suggest.not_saved", lang))
        st.markdown("\n".join(lines))


def _outcomes(lines: Iterable[Line]) -> set[Outcome]:
    """The outcomes ``lines`` need, a referral's giving way to a promise (the call is
    then "promised", the referral its relation) and being passed on giving way to any other;
    more than one is a clash."""
    outcomes = {line.outcome for line in lines if line.outcome is not None}
    if len(outcomes) > 1:
        outcomes.discard(Outcome.REACHED)
    if outcomes == {Outcome.REFERRED, Outcome.PROMISED}:
        return {Outcome.PROMISED}
    return outcomes


def _outcome_list(outcomes: set[Outcome], lang: str) -> str:
    order = list(Outcome)
    return " / ".join(label(o, lang) for o in sorted(outcomes, key=order.index))


def _line_text(line: Line, *, m: DebtorMap, lang: str, region: str, currency: str) -> str:
    """The tick's label, markdown with the note's text escaped."""
    if line.kind == "promise":
        not_said = t("suggest.not_said", lang)
        amount = format_money(line.amount, currency) if line.amount is not None else not_said
        by = line.by.isoformat() if line.by is not None else not_said
        return t("suggest.line.promise", lang, amount=escape_markdown(amount), date=by)
    if line.kind == "outcome" and line.outcome is not None:
        return t("suggest.line.outcome", lang, outcome=label(line.outcome, lang))
    assert line.person is not None
    person = _person_text(line.person, m=m, lang=lang, region=region)
    if line.kind == "speaker":
        return t("suggest.line.speaker", lang, person=person)
    if line.kind == "passed":
        return t("suggest.line.passed", lang, person=person)
    if line.authorizes:
        return t("suggest.line.referral_authorizes", lang, person=person)
    return t("suggest.line.referral", lang, person=person)


def _person_text(person: Person, *, m: DebtorMap, lang: str, region: str) -> str:
    """ "李姐 · 财务部 · 138 1234 5678 (new)" or "财务陈姐 (on the map)", escaped."""
    contact = m.contact(person.existing) if person.existing else None
    if contact is not None:
        return t("suggest.on_map", lang, person=escape_markdown(contact.name))
    return t("suggest.new", lang, person=escape_markdown(_details(person, lang, region)))


def _details(person: Person, lang: str, region: str) -> str:
    parts = [person.name]
    if person.department is not Department.OTHER:
        parts.append(label(person.department, lang))
    parts += [format_phone_number(p, region=region, lang=lang) for p in person.phones]
    parts += [person.email] if person.email else []
    return " · ".join(x for x in parts if x)


def _aside_text(aside: Aside, *, m: DebtorMap, lang: str, region: str, zone: str) -> str:
    if aside.kind == "callback" and aside.at is not None:
        return t("suggest.aside.callback", lang, at=format_local_time(aside.at, zone))
    if aside.kind == "person" and aside.person is not None:
        shown = escape_markdown(_details(aside.person, lang, region))
        return t("suggest.aside.person", lang, person=shown)
    if aside.kind == "relation" and aside.relation is not None:
        return t(
            "suggest.aside.relation",
            lang,
            source=escape_markdown(aside.source),
            target=escape_markdown(aside.target),
            relation=label(aside.relation, lang),
        )
    return t("suggest.aside.authorizes", lang, person=escape_markdown(aside.source))
