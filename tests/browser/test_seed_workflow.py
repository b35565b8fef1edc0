"""The seed's workflow (article 5), walked in Chromium on the Log a call page.

Receptionist first; three unanswered calls; she refers us to finance; finance
passes us to sales and sales back to finance (the loop is warned); the
receptionist gives us the boss, who authorizes payment; the boss promises.  After
each step the test reads whom the route's first step names, as a collector
would, and reads back through the services that the call was stored against
the person chosen in the form.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest

from orgmap.domain.access import Actor, Role
from orgmap.domain.model import (
    DebtorMap,
    Department,
    Interaction,
    Outcome,
    PhoneKind,
    RelationType,
)
from orgmap.services.database import open_database
from orgmap.services.debtors import open_debtor
from tests.browser.app_server import ARTIFACTS, open_page, playwright_or_skip, serve
from tests.factories import make_contact, make_map, make_phone
from tests.ui.apptest_helpers import seed

#: Who the tests act as where who acts does not matter: an administrator.
ADMIN = Actor("t", Role.ADMIN)

pytestmark = pytest.mark.browser

sync_api = playwright_or_skip()

DEBTOR = "shunda"
WHO = "Who did you speak to?"
SECTIONS = {
    "referred": "If they referred you to someone",
    "passed": "If they passed you on to someone",
    "promised": "If they promised to pay",
}


@pytest.fixture(scope="module")
def seeded_url(tmp_path_factory) -> str:
    """A debtor where all we have is the switchboard: 前台小王."""
    url = f"sqlite:///{tmp_path_factory.mktemp('seed-workflow') / 'app.db'}"
    engine = open_database(url)
    receptionist = make_contact(
        "xiaowang",
        name="小王",
        department=Department.RECEPTION,
        phones=(make_phone("+867552345678", kind=PhoneKind.FIXED_LINE),),
    )
    seed(
        engine,
        make_map(DEBTOR, name="顺达贸易", contacts=(receptionist,), relations=(), interactions=()),
    )
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def app_url(seeded_url) -> Iterator[str]:
    with serve(seeded_url, log_name="streamlit-seed-workflow") as base:
        yield base


def stored(seeded_url: str) -> DebtorMap:
    engine = open_database(seeded_url)
    try:
        return open_debtor(engine, DEBTOR, k=0, actor=ADMIN).map
    finally:
        engine.dispose()


def call_with_note(seeded_url: str, note: str) -> Interaction:
    """The stored call with ``note``, once the app has written it."""
    deadline = time.monotonic() + 20
    while True:
        if found := [i for i in stored(seeded_url).interactions if i.note == note]:
            return found[-1]
        assert time.monotonic() < deadline, f"no call with the note {note!r} was logged"
        time.sleep(0.3)


def choose(scope, page, label: str, typed: str, *, has_value: bool = False) -> None:
    """Pick the option ``typed`` in a select box, as a collector does with the keyboard.

    Enter takes the first match in a box showing a placeholder; in a box that
    already holds a value the match must be moved to first (ArrowDown).
    """
    scope.get_by_label(label, exact=True).first.click()
    page.keyboard.type(typed)
    page.wait_for_timeout(300)
    if has_value:
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")


def section(page, name: str):
    """The form section ``name``, opened."""
    box = page.locator('[data-testid="stExpander"]').filter(has_text=SECTIONS[name]).first
    if box.locator("details[open]").count() == 0:  # a section stays open after a call
        box.locator("summary").first.click()
    return box


def log(
    page,
    seeded_url: str,
    *,
    who: str,
    outcome: str,
    note: str,
    referred: tuple[str, str, str] | None = None,
    authorizes: bool = False,
    passed_to_existing: str | None = None,
    passed_to: tuple[str, str, str] | None = None,
    promise: tuple[str, date] | None = None,
) -> Interaction:
    """Fill in the call form as a collector does and submit it; the stored call."""
    choose(page, page, WHO, who)
    choose(page, page, "Outcome", outcome)
    page.get_by_label("Note", exact=True).first.fill(note)
    for name, person in (("referred", referred), ("passed", passed_to)):
        if person is not None:
            box = section(page, name)
            typed_name, department, phone = person
            box.get_by_label("Name", exact=True).first.fill(typed_name)
            choose(box, page, "Department", department, has_value=True)
            box.get_by_label("Phone", exact=True).first.fill(phone)
            if name == "referred" and authorizes:
                box.get_by_text("They authorize payment").first.click()
    if passed_to_existing is not None:
        choose(section(page, "passed"), page, "Someone on the map", passed_to_existing)
    if promise is not None:
        box = section(page, "promised")
        amount, by = promise
        box.get_by_label("Promised amount", exact=True).first.fill(amount)
        # A date field of segments (year, month, day): typing fills one and moves on.
        box.get_by_label("Promised by", exact=True).first.locator(
            '[role="spinbutton"]'
        ).first.click()
        page.keyboard.type(by.strftime("%Y%m%d"))
        page.keyboard.press("Tab")
    page.get_by_role("button", name="Log the call").first.click()
    call = call_with_note(seeded_url, note)
    # The page reruns with a blank form: typing before that would be blanked too.
    sync_api.expect(page.get_by_text("Logged the call with").first).to_be_visible(timeout=20_000)
    sync_api.expect(page.get_by_label("Note", exact=True).first).to_have_value("")
    idle(page)
    return call


def idle(page) -> None:
    """Wait until the app has finished its run (Streamlit's status widget is gone)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=20_000
    )
    page.wait_for_timeout(300)


def expect_first_step(page, name: str) -> None:
    """The first step of route 1 names ``name``."""
    first = page.get_by_text(re.compile(r"^1\. ")).first
    sync_api.expect(first).to_have_text(re.compile(rf"^1\. {re.escape(name)} · "), timeout=20_000)


def test_the_seed_workflow_names_the_next_person_after_every_call(app_url, seeded_url):
    with open_page(sync_api) as page:
        page.goto(f"{app_url}/log_call?debtor={DEBTOR}&lang=en")
        expect_first_step(page, "小王")  # all we have: the switchboard

        # Three calls nobody answers: she is still the only way in.
        for n in range(1, 4):
            call = log(page, seeded_url, who="小王", outcome="no answer", note=f"没人接 {n}")
            assert (call.contact, call.outcome) == ("xiaowang", Outcome.NO_ANSWER)
            expect_first_step(page, "小王")
        sync_api.expect(page.get_by_text("近2天3次")).to_have_count(0)

        # She answers and gives us finance's mobile: finance is next, not her again.
        call = log(
            page,
            seeded_url,
            who="小王",
            outcome="referred",
            note="前台说付款找财务李姐",
            referred=("李姐", "finance", "13812345678"),
        )
        assert call.contact == "xiaowang"
        expect_first_step(page, "李姐")

        # Finance passes us to sales; sales sends us back: the loop is said.
        call = log(
            page,
            seeded_url,
            who="李姐",
            outcome="reached",
            note="李姐说单据没到，找销售张经理",
            passed_to=("张经理", "sales", "13912345678"),
        )
        finance = call.contact
        m = stored(seeded_url)
        assert m.contact(finance).name == "李姐"
        assert {(c.name, c.department) for c in m.contacts} >= {
            ("李姐", Department.FINANCE),
            ("张经理", Department.SALES),
        }
        expect_first_step(page, "张经理")  # the one we were passed to, not finance again
        call = log(
            page,
            seeded_url,
            who="张经理",
            outcome="reached",
            note="张经理说已经交给财务了",
            passed_to_existing="李姐",
        )
        assert stored(seeded_url).contact(call.contact).name == "张经理"
        sales_key = call.contact
        sync_api.expect(page.get_by_text("Buck-passing loop").first).to_be_visible(timeout=20_000)
        m = stored(seeded_url)
        passes = {
            (r.source, r.target) for r in m.relations if r.type is RelationType.PASSES_BUCK_TO
        }
        assert passes == {(finance, call.contact), (call.contact, finance)}

        # Back to the receptionist: she gives us the boss, who signs the payments.
        call = log(
            page,
            seeded_url,
            who="小王",
            outcome="referred",
            note="前台给了老板陈总的手机，付款他说了算",
            referred=("陈总", "management", "13712345678"),
            authorizes=True,
        )
        assert call.contact == "xiaowang"
        boss = next(c for c in stored(seeded_url).contacts if c.name == "陈总")
        assert boss.authorizes_payment and boss.phones[0].e164 == "+8613712345678"
        expect_first_step(page, "陈总")
        page.screenshot(path=str(ARTIFACTS / "seed-workflow-boss.png"), full_page=True)

        # The boss promises 5万 within ten days.
        by = date.today() + timedelta(days=10)
        call = log(
            page,
            seeded_url,
            who="陈总",
            outcome="promised",
            note="陈总答应月底前先付5万",
            promise=("5万", by),
        )
        assert call.contact == boss.key
        assert (call.promise_amount, call.promise_date) == (Decimal(50000), by)
        expect_first_step(page, "陈总")
        page.screenshot(path=str(ARTIFACTS / "seed-workflow-promise.png"), full_page=True)
        # Only what the calls said: a person picked in an earlier call's section is not
        # sent again with a later one (the blanked form once kept showing and sending it).
        m = stored(seeded_url)
        assert {(r.source, r.target, r.type) for r in m.relations} == {
            ("xiaowang", finance, RelationType.REFERS_TO),
            (finance, sales_key, RelationType.PASSES_BUCK_TO),
            (sales_key, finance, RelationType.PASSES_BUCK_TO),
            ("xiaowang", boss.key, RelationType.REFERS_TO),
        }
        assert page.outside_requests == [] and page.dialogs == []
