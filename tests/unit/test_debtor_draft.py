"""A debtor and its article-5 facts as typed in the forms: orgmap.domain.debtor_draft."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from orgmap.domain.debtor_draft import DebtorDraft, debtor_from_draft, facts_from_form
from orgmap.domain.model import DebtorFacts, DebtorStatus
from orgmap.domain.validation import ValidationError


def test_a_good_draft_gives_the_canonical_debtor():
    draft = DebtorDraft(
        key=" acme ",
        name=" 恒达机电 ",
        amount_owed="¥12,000.5",
        currency="cny",
        credit_code="91350100 m000100y43",
        due_date=date(2026, 10, 15),
        status=DebtorStatus.PROMISED,
        assigned_to=" li ",
    )
    facts = DebtorFacts(who_pays="财务")
    debtor, warnings = debtor_from_draft(draft, facts=facts)
    assert (debtor.key, debtor.name, debtor.amount_owed) == (
        "acme",
        "恒达机电",
        Decimal("12000.50"),
    )
    assert (debtor.currency, debtor.credit_code) == ("CNY", "91350100M000100Y43")
    assert (debtor.status, debtor.assigned_to, debtor.facts) == (DebtorStatus.PROMISED, "li", facts)
    assert warnings == ()


def test_every_bad_field_is_reported_at_once():
    draft = DebtorDraft(key="Bad Key", name="", amount_owed="-5", currency="yuan", credit_code="1")
    with pytest.raises(ValidationError) as caught:
        debtor_from_draft(draft, facts=DebtorFacts())
    paths = [problem.path for problem in caught.value.problems]
    assert paths == ["key", "name", "amount_owed", "currency", "credit_code"]


def test_a_wrong_check_character_is_a_warning_and_kept_as_typed():
    draft = DebtorDraft(key="acme", name="A", amount_owed="1", credit_code="91350100M000100Y44")
    debtor, (warning,) = debtor_from_draft(draft, facts=DebtorFacts())
    assert debtor.credit_code == "91350100M000100Y44"
    assert warning.path == "credit_code" and "'3'" in warning.message


def test_facts_are_cleaned_and_checked():
    typed = DebtorFacts(
        reason_unpaid=" 资金紧张 ", top_leader_mobile=" 138 1688 2045 ", top_leader_email="B@X.CN"
    )
    clean = facts_from_form(typed, region="CN")
    assert clean.reason_unpaid == "资金紧张"
    assert (clean.top_leader_mobile, clean.top_leader_email) == ("+8613816882045", "B@x.cn")
    with pytest.raises(ValidationError) as caught:
        facts_from_form(DebtorFacts(top_leader_mobile="123", top_leader_email="x"), region="CN")
    paths = [problem.path for problem in caught.value.problems]
    assert paths == ["top_leader_mobile", "top_leader_email"]
