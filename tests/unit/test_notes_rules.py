"""The extractor's second-round rules (issue 13), one test or more per rule, plus the clause
index they run on. Each note here is written for the test, not taken from a labelled set."""

from __future__ import annotations

import re
import time
from datetime import date, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.extract_eval import EVAL_MAP
from orgmap.domain.model import Contact, Debtor, DebtorMap, Department
from orgmap.domain.notes import extract
from orgmap.domain.notes.amounts import find_amounts
from orgmap.domain.notes.clauses import CLAUSE, SENTENCE, Clauses
from orgmap.domain.notes.dates import find_dates, find_times
from orgmap.domain.notes.people import find_mentions

AT = datetime.fromisoformat("2026-12-01T10:00:00+08:00")  # a Tuesday


def run(note: str, called: str | None = "wang", at: datetime = AT):
    return extract(note, called=called, m=EVAL_MAP, at=at, learned=False)


def phones(s) -> set[str]:
    return {p.e164 for person in s.people for p in person.phones}


def assert_promises_nothing(note: str) -> None:
    """Said to Zhao, ``note`` holds no promise and its outcome is not "promised"."""
    s = run(note, called="zhao")
    assert s.promise is None, note
    assert s.outcome is None or s.outcome.value != "promised", note


def relations(s) -> set[tuple[str, str, str | None]]:
    return {(r.type, r.source, r.target) for r in s.relations}


# --- phones the note says are wrong ------------------------------------------------------


def test_a_number_said_wrong_in_its_clause_or_after_is_not_offered():
    for note in [
        "小王给的 13912345678 是空号",
        "换了个号码 13912345678 打过去是个饭店，打错了",
        "wrong number - the man at 139 1234 5678 never heard of Acme",
    ]:
        s = run(note)
        assert phones(s) == set(), note
        assert [p.name for p in s.people] == (["小王"] if "小王" in note else []), note
        assert s.outcome is not None and s.outcome.value == "wrong_number", note


def test_a_wrong_number_does_not_spoil_the_next_one():
    s = run("0571-8765 4321 已经停机了，新号码 0571-8812 0066")
    assert phones(s) == {"+8657188120066"}
    s = run("陈会计手机13912345678，空号。李姐手机13812345678")
    assert phones(s) == {"+8613812345678"}


def test_a_wrong_number_is_not_read_as_an_amount_either():
    s = run("她说 13912345678 是空号，月底付5万")
    assert s.promise is not None and s.promise.amount == Decimal(50000)


# --- referrals said without a trigger word -----------------------------------------------


def test_a_number_given_while_the_called_contact_speaks_is_a_referral():
    s = run("小王说李姐跟郑会计都出差了，郑会计的手机15900001111，周五回来")
    assert relations(s) == {("refers_to", "wang", "郑会计")}
    assert s.outcome is not None and s.outcome.value == "referred"
    s = run("小王：老板娘管钱，老板娘手机 133 1234 5678")
    assert ("refers_to", "wang", "老板娘") in relations(s)
    s = run("Manager Zhao says Mr Chen's email is chen@acme.cn", called="zhao")
    assert relations(s) == {("refers_to", "zhao", "Mr Chen")}


def test_no_referral_when_the_called_contact_does_not_speak():
    s = run("孙姐手机 138-8888-6666，孙姐说下周付")
    assert relations(s) == set()
    s = run("财务李姐介绍了法务林律师，林律师手机13912345678；李姐座机021-59795458")
    assert relations(s) == {("refers_to", "李姐", "林律师")}


def test_the_called_contacts_own_number_is_no_referral():
    s = run("小王说她的手机是13812345678")
    assert relations(s) == set()


def test_a_time_said_between_let_me_and_call():
    s = run("小王说陈总出差，让我下周二下午两点再打给陈总")
    assert ("refers_to", "wang", "陈总") in relations(s)
    assert s.callback is not None and s.callback.at.isoformat() == "2026-12-08T14:00:00+08:00"


# --- who authorizes ------------------------------------------------------------------------


def test_the_person_right_before_signing_authorizes():
    s = run("小刘说钱要等王总签字")
    assert s.authorizers == ("王总",)
    s = run("她说李总签了字就付")
    assert s.authorizers == ("李总",)


def test_signing_with_no_one_before_it_names_no_authorizer():
    assert run("要我们签字盖章才行").authorizers == ()
    assert run("王总说了，合同要我们先签字").authorizers == ()


def test_whoever_we_are_sent_to_after_no_authority_decides():
    s = run("赵经理说这事他说了不算，要问陈总", called="zhao")
    assert relations(s) == {("passes_buck_to", "zhao", "陈总"), ("authorizes", "陈总", None)}
    s = run("赵经理说了不算。小王说找李姐", called="zhao")
    assert s.authorizers == ()  # another sentence


# --- a role, then who in it ----------------------------------------------------------------


def test_a_role_named_later_by_surname_is_that_person():
    s = run("小王转到财务，接电话的是个男的姓吴，吴工说账期没到")
    assert {(p.name, p.title) for p in s.people} == {("小王", ""), ("吴工", "工")}
    assert relations(s) == {("refers_to", "wang", "吴工")}
    s = run("赵经理给了他们财务经理的号码，15012345678，姓邓，邓经理说15号付", called="zhao")
    assert relations(s) == {("refers_to", "zhao", "邓经理")}


def test_a_role_said_again_before_a_name_is_that_person():
    s = run("赵经理推说找采购，采购的何经理说他不管付款", called="zhao")
    assert {p.name for p in s.people} == {"赵经理", "何经理"}
    assert relations(s) == {("passes_buck_to", "zhao", "何经理")}
    s = run("张姐说找出纳，出纳小刘手机 177-1234-5678")
    assert ("refers_to", "张姐", "小刘") in relations(s)  # 张姐 was not sent to: no buck yet
    assert "出纳" not in {p.name for p in s.people}


def test_a_role_and_a_different_surname_stay_two_people():
    s = run("小王说找财务，财务说老板姓陈，陈总不在")
    assert "财务" in {p.name for p in s.people}


def test_more_surnames_but_not_everyday_words():
    names = {m.name for m in find_mentions("温经理和戚会计说，易总监同意")}
    assert names == {"温经理", "戚会计", "易总监"}
    for note in ["等了一个小时", "这个老赖", "申请经理审批", "施工队", "小于五万"]:
        assert all(m.name == m.title for m in find_mentions(note)), note


def test_a_bare_english_surname_that_speaks():
    s = run("Zhao said they can only pay 50k", called="zhao")
    assert [(p.name, p.existing) for p in s.people] == [("Zhao", "zhao")]
    assert run("He said she will pay 50k").people == ()
    s = run("Zhao's boss Director Liu approves payments", called="zhao")
    assert "Zhao" not in {p.name for p in s.people}


# --- festival and year-end dates ----------------------------------------------------------


def test_before_the_spring_festival_and_other_holidays():
    today = date(2026, 12, 1)
    said = "年前，春节前，before the Spring Festival，元旦前，年底，before Christmas，Christmas，"
    said += "国庆前"
    assert [d.value.isoformat() for d in find_dates(said, today)] == [
        "2027-02-05",
        "2027-02-05",
        "2027-02-05",
        "2026-12-31",
        "2026-12-31",
        "2026-12-24",
        "2026-12-25",
        "2027-09-30",
    ]
    # said after this year's festival: the next one
    assert find_dates("年前", date(2027, 3, 1))[0].value == date(2028, 1, 25)


def test_years_ago_and_after_the_festival_are_no_dates():
    today = date(2026, 12, 1)
    for note in ["三年前", "一年前", "二十年前", "年后再说", "春节后", "一年内"]:
        assert find_dates(note, today) == (), note


def test_the_festival_from_the_lunar_calendar_and_none_past_it():
    # (a hand-written table ended at 2035; lunardate's runs to 2099)
    assert find_dates("年前", date(2035, 3, 1))[0].value == date(2036, 1, 27)
    assert find_dates("年前", date(2099, 3, 1)) == ()


def test_a_festival_promise():
    s = run("赵经理说老板年前先还一半，总共欠三十二万八", called="zhao")
    assert s.promise is not None
    assert (s.promise.amount, s.promise.date) == (Decimal(164000), date(2027, 2, 5))


# --- shares, refusals in a clause, "到时候付" -----------------------------------------------


def test_a_share_of_the_total_or_of_an_amount_said_after_it():
    for note, amount in [
        ("李姐说下周五付一半，总额二十万", 100000),
        ("promised half of the 80k by end of month", 40000),
        ("欠款共12万，月底先付百分之三十", 36000),
        ("欠款共12万，月底先付25%", 30000),
    ]:
        s = run(note)
        assert s.promise is not None and s.promise.amount == Decimal(amount), note


def test_a_share_without_its_whole_or_already_paid_is_no_amount():
    s = run("她说月底付一半")
    assert s.promise is not None and s.promise.amount is None
    s = run("总共欠十万，已经付了一半")
    assert s.promise is None or s.promise.amount is None


def test_a_clause_saying_no_payment_gives_no_date_or_amount():
    s = run("赵经理说圣诞节前肯定付不了，元旦前先打五万", called="zhao")
    assert s.promise is not None
    assert (s.promise.amount, s.promise.date) == (Decimal(50000), date(2026, 12, 31))
    s = run("上次说的20号付不了了，改到25号")
    assert s.promise is None or s.promise.date != date(2026, 12, 20)
    assert run("他们说这个月付不了5万").promise is None


def test_the_date_of_each_clause_is_checked_not_only_the_first():
    s = run("赵经理说月底出差，下个月15号付款", called="zhao")
    assert s.promise is not None and s.promise.date == date(2027, 1, 15)


def test_a_due_date_then_pay_on_that_day():
    s = run("吴工说账期还没到，12月30号才到期，到时候付")
    assert s.promise is not None and s.promise.date == date(2026, 12, 30)
    assert s.outcome is not None and s.outcome.value == "promised"
    assert run("12月30号出差，到时候再说").promise is None


# --- call-backs and outcomes ----------------------------------------------------------------


def test_call_back_on_that_day():
    s = run("小王说下下周三财务统一付款，让我那天上午再打")
    assert s.callback is not None and s.callback.at.isoformat() == "2026-12-16T10:00:00+08:00"
    assert s.promise is not None and s.promise.date == date(2026, 12, 16)
    assert run("让我那天再打").callback is None  # no day said before


def test_reached_after_no_answer_is_not_no_answer():
    s = run("打了两次没人接，第三次小王接了说李姐休产假")
    assert s.outcome is None
    s = run("打了两次没人接，第三次接通了，李姐答应月底付5万")
    assert s.outcome is not None and s.outcome.value == "promised"
    assert run("打了三次都没人接了").outcome.value == "no_answer"  # type: ignore[union-attr]
    assert run("no one picked up, left voicemail").outcome.value == "no_answer"  # type: ignore[union-attr]


def test_refusals_and_wrong_numbers_said_other_ways():
    assert run("前台很凶，说再打就报警，不给转").outcome.value == "refused"  # type: ignore[union-attr]
    s = run("联系人李姐的手机号 138 1234 567 少一位，打不通")
    assert s.outcome is not None and s.outcome.value == "wrong_number"


# --- the clause index ------------------------------------------------------------------------


def _linear_bounds(pattern: re.Pattern[str], text: str, at: int) -> tuple[int, int]:
    """The scan the index replaced, kept here as its specification."""
    start = 0
    for m in pattern.finditer(text):
        if m.end() <= at:
            start = m.end()
        else:
            return start, m.start() if m.start() >= at else len(text)
    return start, len(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab，。. \n;Mr", max_size=60), st.data())
def test_clauses_agree_with_a_linear_scan(text, data):
    at = data.draw(st.integers(0, len(text)))
    c = Clauses(text)
    assert c.clause(at) == _linear_bounds(CLAUSE, text, at)
    assert c.sentence(at) == _linear_bounds(SENTENCE, text, at)


def test_long_hostile_notes_stay_fast_and_quiet():
    """5,000 characters built to make the new rules work hard: each well under a second
    (about 10-45 ms on a laptop), and repeated noise suggests no promise from nothing."""
    notes = [
        "13812345678" + "，a" * 2500,
        "那天再打，" * 1000,
        "空号，13812345678 打错了，" * 250,
        "一半，付一半，总共欠5万，" * 400,
        "财务姓王，" * 1000,
        "小王说找财务李姐，李姐说找出纳，出纳小刘" * 150,
        "Zhao said " * 500,
    ]
    for note in notes:
        started = time.perf_counter()
        s = run(note)
        assert time.perf_counter() - started < 1.0, note[:20]
        assert all(0 <= a <= b <= len(note) for a, b in [r.span for r in s.relations])
    assert run("空号，13812345678 打错了，" * 250).people == ()
    assert run("那天再打，" * 1000).callback is None


# === third round: rules from the first held-out set's misses =================================

# --- numbers: entities, formal numerals, spoken 幺, QQ --------------------------------------


def test_html_entities_are_blanked_like_markup():
    s = run("小王说找财务&nbsp;郑姐，郑姐手机&nbsp;13912345678&amp;")
    assert ("refers_to", "wang", "郑姐") in relations(s)
    assert phones(s) == {"+8613912345678"}
    assert "财务" not in {p.name for p in s.people}


def test_formal_numerals_are_amounts():
    for said, amount in [("叁万元整", 30000), ("壹万伍仟元", 15000), ("人民币贰仟伍佰元", 2500)]:
        s = run(f"她说周五付{said}")
        assert s.promise is not None and s.promise.amount == Decimal(amount), said
    assert {p.name for p in run("伍经理说周五付两万").people} == {"伍经理"}  # a surname still


def test_the_spoken_one_in_a_number_said_aloud():
    assert phones(run("号码是幺三九 幺二三四 五六七八")) == {"+8613912345678"}


def test_a_qq_number_is_no_phone():
    s = run("她留了QQ 2851934476，也可以加QQ号 13912345678")
    assert phones(s) == set()


# --- amounts: thresholds, already paid, put off, paid off, invoices -----------------------------


def test_a_threshold_is_no_amount_promised():
    s = run("王总审批一万以上的付款，周五先付八千")
    assert s.promise is not None and s.promise.amount == Decimal(8000)
    s = run("Mr Chen signs off anything above 20k", called="zhao")
    assert s.promise is None


def test_an_amount_said_as_paid_before_or_after_it_is_no_promise():
    s = run("合同九十万，已付 300,000，剩下60万年底前付清")
    assert s.promise is not None and s.promise.amount == Decimal(600000)
    assert run("三万已经打了，让我们查账").promise is None
    assert run("the cashier said the 18,000 went out this morning").promise is None
    assert run("she said 20,000 was transferred yesterday").promise is None


def test_a_clause_that_puts_payment_off_promises_nothing():
    s = run("赵经理说这周五打了两万，剩五万明年再说", called="zhao")
    assert s.promise is None or s.promise.amount != Decimal(50000)
    assert run("剩下八万看情况").promise is None


def test_a_date_refused_in_its_clause_is_no_promise_date():
    s = run("15号前不行，20号付三万")
    assert s.promise is not None and s.promise.date == date(2026, 12, 20)
    assert run("月底前肯定来不及").promise is None


def test_paid_when_due():
    s = run("吴工说发票1月5号到期，到期就付")
    assert s.promise is not None and s.promise.date == date(2027, 1, 5)
    assert s.outcome is not None and s.outcome.value == "promised"


def test_money_that_comes_over_is_paid():
    s = run("老板娘说元旦前把钱打过来")
    assert s.promise is not None and s.promise.date == date(2026, 12, 31)
    s = run("财务说周三到账")
    assert s.promise is not None and s.promise.date == date(2026, 12, 2)
    assert run("钱还没到账，周三再查").promise is None


def test_paying_it_all_off_promises_the_total():
    s = run("李姐说总共欠九万，下周五前全部付清")
    assert s.promise is not None
    assert (s.promise.amount, s.promise.date) == (Decimal(90000), date(2026, 12, 11))


def test_an_amount_with_no_payment_or_date_near_it_is_no_promise():
    assert run("对方要求我们开发票，发票金额 36,800").promise is None
    assert run("合同额 12万，货已经发了").promise is None
    s = run("Zhao can do 20k this Friday", called="zhao")  # no payment word, but a day
    assert s.promise is not None and s.promise.amount == Decimal(20000)


# --- outcomes ------------------------------------------------------------------------------------


def test_a_promise_sent_by_message_after_no_answer_is_promised():
    s = run("电话一直没人接，后来李姐回微信说周五付两万")
    assert s.outcome is not None and s.outcome.value == "promised"
    s = run("called 3x no answer, then she texted: will pay 10k Friday")
    assert s.outcome is not None and s.outcome.value == "promised"
    # no other channel between: two outcomes, left to the collector (the call form asks)
    s = run("打了三次没人接，李姐说月底付5万")
    assert s.outcome is not None and s.outcome.value == "no_answer"
    assert s.promise is not None and s.promise.amount == Decimal(50000)


def test_paying_next_week_without_a_day_is_promised_with_no_date():
    s = run("赵经理说钱下礼拜付", called="zhao")
    assert s.outcome is not None and s.outcome.value == "promised"
    assert s.promise is None


def test_abuse_complaints_and_hanging_up_are_refusals():
    for note in ["李姐骂人了", "说再催就投诉我们", "她直接挂了", "he hung up on me"]:
        s = run(note)
        assert s.outcome is not None and s.outcome.value == "refused", note


# --- call-backs ----------------------------------------------------------------------------------


def test_call_backs_said_other_ways():
    s = run("the receptionist said call him after 3pm tomorrow")
    assert s.callback is not None and s.callback.at.isoformat() == "2026-12-02T15:00:00+08:00"
    s = run("李姐不配合，后天让主管打")
    assert s.callback is not None and s.callback.at.isoformat() == "2026-12-03T10:00:00+08:00"
    s = run("Ms Li will call me back Thursday 4pm")
    assert s.callback is not None and s.callback.at.isoformat() == "2026-12-03T16:00:00+08:00"
    assert run("told me to call him").callback is None  # no day, no time


def test_clock_times_and_days_counted_from_the_call():
    s = run("明天15:30再打")
    assert s.callback is not None and s.callback.at.isoformat() == "2026-12-02T15:30:00+08:00"
    s = run("下午3:05再打")
    assert s.callback is not None and s.callback.at.isoformat() == "2026-12-01T15:05:00+08:00"
    for said, day in [
        ("三天内付两万", date(2026, 12, 4)),
        ("5个工作日内付两万", date(2026, 12, 8)),
        ("will pay 20k within 10 days", date(2026, 12, 11)),
    ]:
        s = run(said)
        assert s.promise is not None and s.promise.date == day, said
    assert find_dates("月初", date(2026, 12, 10))[0].value == date(2027, 1, 1)
    assert find_dates("月初", date(2026, 12, 3)) == ()  # said at the start of a month: vague


# --- people ---------------------------------------------------------------------------------


def test_a_surname_said_for_someone_else_keeps_the_role():
    s = run("前台说老板姓苏，苏总手机 186 1234 9876")
    assert {p.name for p in s.people} == {"前台", "苏总"}
    assert ("refers_to", "wang", "苏总") in relations(s)


def test_a_role_said_right_after_a_name_is_that_person():
    s = run("the receptionist said Mr Gao the CFO handles it, 139 1234 5678")
    assert {(p.name, p.title) for p in s.people} == {("", "receptionist"), ("Mr Gao", "Mr")}
    s = run("现在采购是邹经理负责，邹经理手机 13912345678")
    assert {p.name for p in s.people} == {"邹经理"}


def test_rooms_and_departments_are_no_people():
    assert {p.name for p in run("财务室电话是 010 8456 2390").people} == {"小王"}
    assert run("送到总经理办公室了").people == ()
    s = run("Zhao says the finance dept has the invoice", called="zhao")
    assert {p.title for p in s.people} == {""}


def test_english_roles_said_bare():
    s = run("Zhao: sales will pay 30k Friday", called="zhao")
    assert ("", "sales") in {(p.name, p.title) for p in s.people}
    s = run("小王说boss出差了")
    assert ("", "boss") in {(p.name, p.title) for p in s.people}
    assert run("we talked about sales figures").people == ()


def test_english_given_names():
    s = run("Tony in purchasing said he will pay 10k tomorrow")
    assert "Tony" in {p.name for p in s.people}
    s = run("赵经理说对接人换成了Grace，Grace手机 13912345678", called="zhao")
    assert ("refers_to", "zhao", "Grace") in relations(s)
    assert run("Will pay on May 5").people == ()  # a verb and a month, no one
    assert run("Tony's invoice is wrong").people == ()  # whose, not who


def test_a_role_said_again_after_a_named_person_in_it_is_that_person():
    s = run("小王说找销售部的裴经理，裴经理说销售不管钱")
    assert {p.name for p in s.people} == {"小王", "裴经理"}
    s = run("找销售部门的裴经理")
    assert {p.name for p in s.people} == {"裴经理"}


def test_the_receptionist_is_someone_else_when_the_called_one_is_named():
    s = run("小王休假，前台的同事说不知道")
    assert [(p.name, p.existing) for p in s.people] == [("小王", "wang"), ("前台", None)]
    s = run("前台说不知道")
    assert [(p.name, p.existing) for p in s.people] == [("前台", "wang")]


# --- relations ------------------------------------------------------------------------------


def test_the_last_speaker_before_a_referral_makes_it():
    s = run("小王说找财务的江姐，江姐说付款要问出纳小杜")
    assert relations(s) == {("refers_to", "wang", "江姐"), ("passes_buck_to", "江姐", "小杜")}


def test_buck_passing_said_other_ways():
    s = run("Zhao keeps pushing me to finance, finance manager Ms Luo", called="zhao")
    assert ("passes_buck_to", "zhao", "Ms Luo") in relations(s)
    s = run("赵经理说：这事别找我，找法务！", called="zhao")
    assert relations(s) == {("passes_buck_to", "zhao", "法务")}


def test_authorizers_said_other_ways():
    assert run("付款要审批，审批人是蔡总").authorizers == ("蔡总",)
    assert run("小王说审批到了贺总那里，卡住了").authorizers == ("贺总",)
    assert run("front desk: boss is Mr Fan").authorizers == ("Mr Fan",)
    assert run("the GM Mr Yang approves all payments").authorizers == ("Mr Yang",)
    assert run("Ms Wu said only Mr Yang can approve").authorizers == ("Mr Yang",)


def test_only_a_leader_authorizes_by_agreeing():
    assert run("赵经理说董总同意了，先付两万", called="zhao").authorizers == ("董总",)
    assert run("赵经理说老板同意了", called="zhao").authorizers == ("老板",)
    assert run("李姐同意了先付两万").authorizers == ()


def test_handled_by_is_a_referral():
    s = run("Xiao Wang said payments are handled by Ms Tao")
    assert relations(s) == {("refers_to", "wang", "Ms Tao")}


def test_a_clause_starting_with_find_is_a_referral_when_someone_speaks():
    s = run("小王说财务座机打不通，找闫会计")
    assert ("refers_to", "wang", "闫会计") in relations(s)
    assert relations(run("上午打了，找闫会计，闫会计不在")) == set()


def test_a_number_given_after_the_called_contact_spoke_in_an_earlier_sentence():
    s = run("front desk: boss is Mr Lai. Mr Lai mobile 139 1234 5678")
    assert ("refers_to", "wang", "Mr Lai") in relations(s)
    s = run("小王说不清楚。李姐说找孔会计，孔会计手机 13912345678")
    assert ("refers_to", "wang", "孔会计") not in relations(s)  # 李姐 spoke since


def test_a_number_said_to_be_someone_s_named_after_it():
    s = run("小王念了个号码 13912345678，是财务魏姐的")
    assert relations(s) == {("refers_to", "wang", "魏姐")}
    assert phones(s) == {"+8613912345678"}
    s = run("小王说13912345678是我的，魏姐不在")
    assert relations(s) == set()
    assert [p.name for p in s.people if p.phones] == ["小王"]


def test_long_notes_built_on_the_third_round_rules_stay_fast():
    """Under 50 ms each on this machine; the limit here leaves room for a slow CI."""
    notes = [
        "小王说，找李姐" * 800,
        "13812345678，是财务李姐的，" * 250,
        "小王说李姐手机13812345678。" * 300,
        "审批到了王总那里，" * 600,
        "15:30再打，" * 900,
        "三天内付两万，" * 800,
        "&nbsp;" * 900,
        "the transfer of 18,000 went out, " * 160,
        "赵经理说boss不在，finance那边的Linda可以处理，Linda 手机 +86 158 1092 3346。" * 80,
        "Linda said boss will " * 300,
    ]
    read_fast_and_in_bounds(notes)
    assert run("&nbsp;" * 900).people == ()


# --- the people on the map, as a collector names them (a walk through the app) --------------


def _fuman():
    """A debtor whose boss is on the map by his full name only: 周德明, title 老板."""
    return DebtorMap(
        Debtor("fuman", "福满包装", Decimal(180000)),
        (
            Contact("wu_fang", "吴芳", Department.FINANCE, "会计"),
            Contact("zhou_deming", "周德明", Department.OWNER, "老板"),
        ),
    )


def on_fuman(note: str):
    return extract(note, called="wu_fang", m=_fuman(), at=AT, learned=False)


def test_a_full_name_on_the_map_is_found_and_the_role_before_it_is_his_title():
    s = on_fuman("吴会计说付款要老板周德明签字，让我找他，她答应月底前先付5万")
    assert [(p.name, p.title, p.existing) for p in s.people] == [
        ("吴会计", "会计", "wu_fang"),
        ("周德明", "老板", "zhou_deming"),
    ]
    assert relations(s) == {
        ("authorizes", "zhou_deming", None),
        ("refers_to", "wu_fang", "zhou_deming"),  # 让我找他: him, named just before
    }


def test_the_boss_by_surname_and_any_boss_word_is_the_boss_on_the_map():
    for said in ("周总", "周老板", "周董"):
        s = on_fuman(f"吴芳说要找{said}，{said}手机13912345678，他说了算")
        assert [p.existing for p in s.people if p.name == said] == ["zhou_deming"], said
        assert ("refers_to", "wu_fang", "zhou_deming") in relations(s), said
    # a manager of the same surname is not the boss
    s = on_fuman("吴芳说要找周经理")
    assert [p.existing for p in s.people if p.name == "周经理"] == [None]


def test_the_boss_said_alone_is_the_one_owner_on_the_map_and_no_one_when_there_are_two():
    s = on_fuman("吴芳说老板说了算")
    assert [p.existing for p in s.people if p.name == "老板"] == ["zhou_deming"]
    m = _fuman()
    two = DebtorMap(m.debtor, (*m.contacts, Contact("zhou2", "周太", Department.OWNER, "老板娘")))
    s = extract("吴芳说老板说了算", called="wu_fang", m=two, at=AT, learned=False)
    assert [p.existing for p in s.people if p.name == "老板"] == [None]


def test_a_pronoun_right_after_a_referral_is_the_person_named_before_it():
    s = on_fuman("吴芳说周德明管钱，让我找他")
    assert ("refers_to", "wu_fang", "zhou_deming") in relations(s)
    s = on_fuman("吴芳说让我找她")  # herself: no referral
    assert not any(t == "refers_to" for t, _, _ in relations(s))


# --- fourth round (tuned on the second held-out set's misses) ------------------------------


def names(s) -> set[tuple[str, str]]:
    return {(p.name, p.title) for p in s.people}


def test_a_bare_approve_or_nod_right_after_a_person_authorizes():
    assert run("小王说付款要郝总批，郝总下周回来").authorizers == ("郝总",)
    assert run("赵经理说钱的事得老板点头", called="zhao").authorizers == ("老板",)
    assert run("赵经理说这批货月底发", called="zhao").authorizers == ()  # a batch, not approval


def test_who_keeps_the_books_authorizes_but_not_the_books_keeper_away():
    assert run("汪姐说她管账，先转五千").authorizers == ("汪姐",)
    assert run("小王说管账的请假了，让我找宁会计").authorizers == ()


def test_approval_sitting_with_the_chairman_names_him():
    s = run("财务说审批在董事长那里")
    assert s.authorizers == ("董事长",)
    assert ("董事长", "董事长") in names(s)


def test_english_authorizers_said_other_ways():
    for note in (
        "Xiao Wang says Mr Pan is the only one who can release payments",
        "Zhao says their GM Mr Pan has to sign the request",
        "the GM Mr Pan signs all cheques",
        "Zhao put me through to Mr Pan, he'll approve it",
        "Mr Pan needs to approve",
    ):
        assert run(note, called="zhao").authorizers == ("Mr Pan",), note


def test_the_boss_is_away_names_no_authorizer():
    assert run("Miss Qi says the boss is in a meeting").authorizers == ()
    assert run("front desk: the boss is Mr Qi").authorizers == ("Mr Qi",)


def test_referrals_said_other_ways():
    s = run("小王说发票的事找业务员小葛")
    assert relations(s) == {("refers_to", "wang", "小葛")}
    s = run("小王说有事可以先找侯经理")
    assert relations(s) == {("refers_to", "wang", "侯经理")}
    s = run("Xiao Wang said all payments go through Ms Rao")
    assert relations(s) == {("refers_to", "wang", "Ms Rao")}
    s = run("Ms. Ren says it's not her job, told me to ask Mr Lu", called=None)
    assert relations(s) == {("passes_buck_to", "Ms. Ren", "Mr Lu")}


def test_the_one_sent_on_to_from_a_referral_passes_the_buck():
    s = run("小王转给采购部樊经理，樊经理说付款的事找出纳小殷")
    assert relations(s) == {("refers_to", "wang", "樊经理"), ("passes_buck_to", "樊经理", "小殷")}


def test_a_pronoun_said_right_after_a_referral_is_the_target_unless_possessive():
    s = run("赵经理说业务员小石手机 159 0025 6601，发票的事找他，钱的事老板点头", called="zhao")
    assert ("refers_to", "zhao", "老板") not in relations(s)
    assert ("refers_to", "zhao", "小石") in relations(s)
    s = run("Ms Lin passed me to her boss Mr. Jiang", called=None)
    assert relations(s) == {("passes_buck_to", "Ms Lin", "Mr. Jiang")}


def test_the_called_contact_gives_a_number_of_the_one_named_last():
    s = run("Called Xiao Wang, he said Mr. Zhu decides, gave me Mr. Zhu's mobile 186 2733 0145")
    assert ("refers_to", "wang", "Mr. Zhu") in relations(s)


def test_not_knowing_someone_is_a_wrong_number_not_a_refusal():
    assert run("打过去是个饭店，说不认识小王").outcome.value == "wrong_number"
    assert run("小王说不认这笔账").outcome.value == "refused"


def test_call_backs_said_the_fourth_round_s_ways():
    at = AT.date()
    for note, day, hour in (
        ("小王关机，下午两点再试", at, 14),
        ("小王说转了，明天上午再跟小王核实", date(2026, 12, 2), 10),
        ("小王给了柯经理的号码，让我下午三点后打", at, 15),
        ("Zhao hung up. Will try Ms Ding tomorrow afternoon", date(2026, 12, 2), 15),
        ("Zhao is out, try him again Thursday morning", date(2026, 12, 3), 10),
    ):
        s = run(note)
        assert s.callback is not None, note
        assert (s.callback.at.date(), s.callback.at.hour) == (day, hour), note


def test_paying_again_is_no_call_back():
    s = run("赵经理说下周一先打1.2万，周五再打6w", called="zhao")
    assert s.callback is None
    assert s.promise is not None and s.promise.amount == Decimal(12000)


def test_got_through_at_last_is_not_no_answer():
    s = run("打了两次占线，第三次通了，赵经理说月底前付两万", called="zhao")
    assert s.outcome.value == "promised"


def test_no_answer_reported_by_someone_who_answered_is_not_the_call_s_outcome():
    assert run("小王说财务的人都不接电话，明天九点再打").outcome is None
    s = run("小王说找财务，财务的座机一直没人接")
    assert s.outcome.value == "no_answer"  # we dialled it


def test_heads_of_works_shops_and_offices_are_titles():
    for said, title in (
        ("袁厂长", "厂长"),
        ("骆科长", "科长"),
        ("冯店长", "店长"),
        ("聂院长", "院长"),
    ):
        assert (said, title) in names(run(f"小王说{said}管钱")), said
    assert ("袁厂长", None) in {(r[1], r[2]) for r in relations(run("小王说袁厂长管钱"))}


def test_heads_of_schools_libraries_presses_bureaus_and_party_committees_are_titles():
    for said, title in (
        ("夏园长", "园长"),
        ("蒋馆长", "馆长"),
        ("邱社长", "社长"),
        ("方局长", "局长"),
        ("王书记", "书记"),
        ("何会长", "会长"),
    ):
        assert (said, title) in names(run(f"小王说{said}说了算")), said
        assert ("authorizes", said, None) in relations(run(f"小王说{said}说了算")), said
    # said alone, the head of the place: "要馆长审批"
    assert ("馆长", "馆长") in names(run("小王说馆里的采购款要馆长审批"))
    # "园长姓夏，夏园长…": one person
    assert names(run("小王说园长去培训了，园长姓夏，夏园长说了算")) == {
        ("小王", ""),
        ("夏园长", "园长"),
    }


def test_things_and_departments_are_no_one():
    assert ("财务", "财务") not in names(run("赵经理说他们换了财务软件", called="zhao"))
    s = run("Ms. Yao from purchasing says it's not hers", called=None)
    assert names(s) == {("Ms. Yao", "Ms.")}
    s = run("spoke to the owner's wife Mrs Qiu, she promised 10,000 today", called=None)
    assert names(s) == {("Mrs Qiu", "Mrs")}


def test_two_character_and_told_surnames_name_people():
    assert ("上官姐", "姐") in names(run("小王说财务上官姐管付款"))
    assert ("宁会计", "会计") in names(run("小王说让我找宁会计"))
    s = run("小王给了出纳的手机，出纳姓时，17620937718，时姐说今天转八千")
    assert ("时姐", "姐") in names(s)
    assert ("出纳", "出纳") not in names(s)
    assert relations(s) == {("refers_to", "wang", "时姐")}


def test_a_role_named_later_is_that_person_wherever_it_is_said():
    s = run("小王说老板不在，把电话给了老板娘，老板娘姓汪，汪姐说她管账")
    assert ("老板娘", "老板娘") not in names(s)
    assert ("refers_to", "wang", "汪姐") in relations(s)
    assert s.authorizers == ("汪姐",)


def test_a_role_said_of_the_one_just_named_is_no_one_new():
    s = run("小王说Kevin是他们新来的财务经理，Kevin电话 021-3367 0198")
    assert names(s) == {("小王", ""), ("Kevin", "")}


def test_a_bare_surname_that_acts_is_a_person():
    s = run("Zhao put me through to Mr Kong", called="zhao")
    assert ("Zhao", "") in names(s)
    assert ("refers_to", "zhao", "Mr Kong") in relations(s)
    assert ("Zhao", "") in names(run("Zhao not in, left a message", called="zhao"))


def test_what_is_owed_or_invoiced_or_paid_is_no_promise():
    for note in (
        "Zhao: Mr. Lu signs above 50k, ours is 72k so it waits for Mr. Lu",
        "invoice 44030921 for 132,400 is 45 days overdue",
        "Ms Wen says the 26,000 was paid on Nov 30",
    ):
        assert_promises_nothing(note)


def test_not_a_cent_less_then_is_a_promise_for_the_day_before():
    s = run("赵经理：账期没到，3月31号才到期，到时候一分不少", called="zhao")
    assert s.promise is not None and s.promise.date == date(2027, 3, 31)
    assert s.outcome.value == "promised"


def test_approving_an_amount_is_a_promise_of_it():
    s = run("Mr Kong said he'll approve 60k this week", called="zhao")
    assert s.promise is not None and s.promise.amount == Decimal(60000)


def test_blanks_pasted_inside_a_number_still_make_the_number():
    s = run("小王说&nbsp;付款找出纳&nbsp;祁姐，电话&nbsp;0755-8821&nbsp;6634")
    assert phones(s) == {"+8675588216634"}
    note = "电话 0755-8821      6634 转 12"
    (p,) = [p for person in run(note).people for p in person.phones]
    assert note[p.span[0] : p.span[1]] == "0755-8821      6634 转 12"


def test_long_notes_built_on_the_fourth_round_rules_stay_fast():
    """Under 50 ms each on this machine; the limit here leaves room for a slow CI."""
    notes = [
        "发票的事找他，" * 700,
        "老板娘姓汪，汪姐说她管账，" * 380,
        "出纳姓时，时姐" * 600,
        "0755-8821      6634 " * 240,
        "小王说财务的人都不接电话，" * 380,
        "Kevin是他们新来的财务经理，" * 330,
        "ours is 72k, invoice 4403 for 132,400, " * 120,
        "Zhao put me through to Mr Kong, " * 150,
        "要郝总批，" * 1000,
    ]
    read_fast_and_in_bounds(notes)


def read_fast_and_in_bounds(notes: list[str]) -> None:
    """Each long note is read in under half a second, its relations' spans inside it."""
    run("warm")
    for note in notes:
        started = time.perf_counter()
        s = run(note)
        assert time.perf_counter() - started < 0.5, note[:20]
        assert all(0 <= a <= b <= len(note) for a, b in [r.span for r in s.relations])


# --- fifth round: rarer surnames, traditional script, Cantonese, past days, shares -------


def test_rarer_surnames_before_a_title_name_people_but_words_before_a_title_do_not():
    for said, title in (("符经理", "经理"), ("冼店长", "店长"), ("麦小姐", "小姐"), ("阎总", "总")):
        assert (said, title) in names(run(f"小王说找{said}")), said
    s = run("卜会计给了前任会计小翁的手机 139 5061 7726")
    assert ("任会计", "会计") not in names(s)
    assert ("小翁", "") in names(s)
    assert ("关经理", "经理") not in names(run("小王说公关经理不管付款"))
    assert ("小申", "") in names(run("阎总秘书小申电话 0512-6752 3309"))


def test_a_note_in_traditional_script_is_read_and_names_stay_as_typed():
    s = run("小王說老闆簽字才付，陳經理手機13812345678")
    assert ("陳經理", "經理") in names(s)
    assert ("老闆", "老闆") in names(s)
    assert ("authorizes", "老闆", None) in relations(s)
    assert phones(s) == {"+8613812345678"}


def test_a_name_on_the_map_is_found_whichever_script_the_map_and_note_are_in():
    m = DebtorMap(
        EVAL_MAP.debtor, (*EVAL_MAP.contacts, Contact("chen", "陳麗華", Department.FINANCE))
    )
    for note in ("小王说陈丽华月底付三万", "小王說陳麗華月底付三萬"):
        s = extract(note, called="wang", m=m, at=AT, learned=False)
        assert "chen" in {p.existing for p in s.people}, note
        assert s.promise is not None and s.promise.amount == Decimal(30000), note


def test_cantonese_mr_and_days_are_read_in_a_cantonese_note_only():
    s = run("小王話佢哋財務麥生今日唔喺度，聽日上晝再打")
    assert ("麥生", "生") in names(s)
    assert s.callback is not None and s.callback.at.isoformat() == "2026-12-02T10:00:00+08:00"
    assert not {n for n, _ in names(run("小王说卫生间在装修，陈生意不好"))} & {"卫生", "陈生"}


def test_a_day_said_as_past_is_no_promise_and_paid_before_is_no_amount():
    s = run("赵经理说他们去年12月20日付过一笔3万，让我查下流水", called="zhao")
    assert s.promise is None and s.outcome is None
    assert find_dates("去年12月20日，上个月15号，上周五，昨天", date(2026, 12, 1))[0].past
    assert [d.value.isoformat() for d in find_dates("上个月15号，上周五，昨天", AT.date())] == [
        "2026-11-15",
        "2026-11-27",
        "2026-11-30",
    ]
    assert run("小王说2027年1月5日付两万").promise.date == date(2027, 1, 5)


def test_a_share_said_as_a_fraction_is_that_share_of_the_total():
    s = run("赵经理：下周一先付三分之一，总共十五万", called="zhao")
    assert s.promise is not None and s.promise.amount == Decimal(50000)
    s = run("Zhao will pay a quarter of the 80k on Friday", called="zhao")
    assert s.promise is not None and s.promise.amount == Decimal(20000)


def test_call_backs_counted_from_the_call():
    for note, want in (
        ("赵经理说听不清，让我半小时后再打", "2026-12-01T10:30:00+08:00"),
        ("赵经理开会，过一个钟再打", "2026-12-01T11:00:00+08:00"),
        ("一个半小时后再打给他", "2026-12-01T11:30:00+08:00"),
        ("Zhao in a meeting, call him back in 20 minutes", "2026-12-01T10:20:00+08:00"),
        ("Zhao said he'd check and get back to me by Monday", "2026-12-07T10:00:00+08:00"),
        ("小王说你们下周二上午十点到十一点之间打过来", "2026-12-08T10:00:00+08:00"),
        ("小甄说戴总明天上午十一点可以打", "2026-12-02T11:00:00+08:00"),
    ):
        s = run(note, called="zhao")
        assert s.callback is not None and s.callback.at.isoformat() == want, note
    assert run("赵经理电话占线，过了十分钟再打通了，他说今天转一万二").callback is None


def test_conditions_hedges_and_who_decides_are_no_promise_and_no_refusal():
    for note in (
        "赵经理说要等甲方把进度款拨下来才能付",
        "赵经理说下个月看回款情况，能付多少付多少",
        "赵经理说这周五跟老板汇报",
    ):
        assert_promises_nothing(note)
    s = run("前台把电话转给出纳，出纳说付不付老板说了算")
    assert s.outcome is not None and s.outcome.value == "referred"


def test_unreachable_and_unbudging_said_other_ways():
    assert run("赵经理手机打不通，发微信也没回", called="zhao").outcome.value == "no_answer"
    assert run("小王说莫得办法，老板不松口，一分钱都莫得").outcome.value == "refused"
    assert run("打过去一个男的接的，说没这个人").outcome.value == "wrong_number"


# --- sixth round: notes typed with blanks, call-backs by the day, payments done -----------


def test_blanks_between_chinese_words_end_a_clause():
    s = run("赵经理说钱上周五就付了 让财务发回单 我查了还没到帐 明早再打问问", called="zhao")
    assert s.callback is not None and s.callback.at.isoformat() == "2026-12-02T09:00:00+08:00"
    assert s.promise is None


def test_the_day_and_time_next_to_the_call_back_are_the_ones_meant():
    s = run("打了一上午一直无人接听 下午又打了两次 明天上午10点半再打")
    assert s.callback.at.isoformat() == "2026-12-02T10:30:00+08:00"
    s = run("小王说今天老板去开会了 明天下午老板在 让我明天下午打老板手机 139 8620 7713")
    assert s.callback.at.isoformat() == "2026-12-02T15:00:00+08:00"
    s = run("财务欧阳大姐明天早上八点半上班 叫我那个时候打")
    assert s.callback.at.isoformat() == "2026-12-02T08:30:00+08:00"


def test_a_day_then_a_call_is_a_call_back_but_a_payer_s_day_then_a_transfer_is_not():
    assert run("会计辞职了 今晚打老板手机").callback.at.isoformat() == "2026-12-01T19:00:00+08:00"
    assert run("邢总下周一回来 下周一下午打").callback.at.isoformat() == "2026-12-07T15:00:00+08:00"
    assert run("赵经理说这周末财务加班 周末再打给他", called="zhao").callback.at.isoformat() == (
        "2026-12-05T10:00:00+08:00"
    )
    s = run("赵经理说款子批下来了，财务明天上午打，三万六", called="zhao")
    assert s.callback is None
    assert s.promise is not None and s.promise.amount == Decimal(36000)
    assert run("上午打小王，小王说找财务").callback is None
    assert run("赵经理发微信说今天转6800 别再打电话了", called="zhao").callback is None


def test_paid_on_a_day_or_done_by_it_is_no_promise_but_to_be_paid_on_it_is():
    assert (
        run("Zhao claims they paid 35k on Feb 3, nothing on our side", called="zhao").promise
        is None
    )
    assert run("冯厂长说去年那笔8万年底就结清了 不欠我们的", called="zhao").promise is None
    s = run("Zhao: RMB 80,000 will be paid on Friday", called="zhao")
    assert s.promise is not None and s.promise.date == date(2026, 12, 4)
    s = run("宓处长说明年元月10号之前保证把壹拾万付了")
    assert s.promise.date == date(2027, 1, 10) and s.promise.amount == Decimal(100000)


def test_more_titles_and_a_guard_s_post_is_no_surname():
    said = names(run("门卫樊师傅接的 说财务欧阳大姐在 刘阿姨说找晏老师 阿庹手机 158 7126 3309"))
    assert {
        ("樊师傅", "师傅"),
        ("欧阳大姐", "大姐"),
        ("刘阿姨", "阿姨"),
        ("晏老师", "老师"),
    } <= said
    assert ("阿庹", "") in said
    assert ("卫樊师傅", "师傅") not in said
    assert ("销售", "销售") not in names(
        run("赵经理说销售单 10268834519 那批货有问题", called="zhao")
    )


def test_refusals_promises_talked_about_and_maybes():
    assert run("赵经理说有本事去法院起诉", called="zhao").outcome.value == "refused"
    assert run("赵经理说老总不同意付", called="zhao").outcome.value == "refused"
    s = run("赵经理说上个月答应的那两万老板没批，这个月也够呛 看情况吧", called="zhao")
    assert s.outcome is None or s.outcome.value != "promised"
    s = run("Zhao says the boss hasn't approved it yet. Maybe next week, can't promise anything")
    assert s.outcome is None or s.outcome.value != "promised"
    assert run("Mr Zhao: can pay maybe 20k or 30k this month", called="zhao").promise is None


# --- sixth round: who sends whom where ----------------------------------------------------


def test_saying_it_is_not_theirs_then_sending_on_passes_the_buck():
    s = run("小王说公司被收购了 以前的欠款新公司不认 让我们去找原来的老板邬总")
    assert ("passes_buck_to", "wang", "邬总") in relations(s)
    s = run("Ms. Ouyang says it's not their job, told me to call Ms. Xian", called=None)
    assert ("passes_buck_to", "Ms. Ouyang", "Ms. Xian") in relations(s)


def test_giving_the_next_number_is_a_referral_even_from_someone_we_were_sent_to():
    s = run("小王说找卜会计，卜会计说她刚来不清楚，给了前任会计小翁的手机 139 5061 7726")
    assert relations(s) >= {("refers_to", "wang", "卜会计"), ("refers_to", "卜会计", "小翁")}
    s = run("小王说找财务部张姐，张姐说找出纳，出纳小刘手机 177-1234-5678")
    assert ("passes_buck_to", "张姐", "小刘") in relations(s)


def test_back_and_forth_makes_both_directions_a_buck_pass():
    s = run(
        "赵经理说付款他管不了 又说找财务部的蔺姐，蔺姐说要赵经理先签字才能付，来回推", called="zhao"
    )
    assert {("passes_buck_to", "zhao", "蔺姐"), ("passes_buck_to", "蔺姐", "zhao")} <= relations(s)


def test_who_decides_said_other_ways():
    for note, who in (
        ("打通了小王 她说老板樊总发话了 货款分两次付", "樊总"),
        ("小王说管钱的是阿庹 阿庹手机 158 7126 3309", "阿庹"),
        ("采购部毕主任说批不批是总经理邢总的事", "邢总"),
        ("Zhao: payment of RMB 72,500 approved by Mr. Xian, to be wired on Monday", "Mr. Xian"),
        ("Manager Zhao says the boss, Mr. Sima, hasn't approved it yet", "Mr. Sima"),
        ("小王给了老板娘岑姐的手机 135-0286-4471，说钱都是她在管", "岑姐"),
    ):
        assert ("authorizes", who, None) in relations(run(note)), note
    s = run(
        "赵经理说老板住院了 公司的事现在都是老板娘管 老板娘晏姐手机 137 1862 0945", called="zhao"
    )
    assert ("authorizes", "晏姐", None) in relations(s)
    assert ("老板娘", "老板娘") not in names(s)


def test_put_through_and_money_sent_to_someone_are_told_apart():
    s = run("小王说仝总在楼上 转过去了 仝总说月底前一次性付清")
    assert ("refers_to", "wang", "仝总") in relations(s)
    s = run("酒店前台接的，说工程款找工程部的冼总监，总机 027-8577 3300 转 8016")
    assert ("refers_to", "wang", "冼总监") in relations(s)
    s = run("赵经理说钱转过去了 让李姐查一下", called="zhao")
    assert not {r for r in relations(s) if r[0] == "refers_to"}


# --- seventh round, read off held-out 5 ---------------------------------------------------


def test_country_codes_said_without_a_plus_and_numbers_now_someone_else_s():
    assert phones(run("Ms. Chan direct line (852) 2811 3306.", called=None)) == {"+85228113306"}
    assert phones(run("赵经理给了财务经理的号码 0086-138-2511-0963", called="zhao")) == {
        "+8613825110963"
    }
    s = run("Number on the contract (0769-8532 7714) now belongs to a furniture shop.")
    assert phones(s) == set()


def test_the_role_said_alone_before_its_holder_is_named_is_that_holder():
    s = run("小王：找财务。财务屈姐 139 2286 0417。屈姐说单子没到她那")
    assert ("财务", "财务") not in names(s)
    assert ("屈姐", "姐") in names(s)
    assert ("财务", "财务") not in names(run("老赵说财务那块儿归小鞠管", called="zhao"))


def test_cantonese_and_english_ways_of_naming():
    assert names(run("小王话陈会计开紧会，叫我过一个钟再打")) == {("小王", ""), ("陈会计", "会计")}
    assert ("老细", "老细") in names(run("小王话佢哋老细今日去咗深圳"))
    s = run("School bursar Mrs. Ho says it goes to the principal, Dr. Poon. Ah Keung confirmed")
    assert {("Dr. Poon", "Dr."), ("Ah Keung", "")} <= names(s)
    assert ("Zhao", "") in names(run("Zhao messaged this morning: 20k goes out tomorrow"))
    assert ("Kenny", "") in names(run("told me to chase Kenny in purchasing", called="zhao"))


def test_more_refusals_unanswered_calls_and_wrong_numbers():
    for note, outcome in (
        ("打过去是个快餐店，说没有小王这个人", "wrong_number"),
        ("撥過去是一家補習班，說沒有小王這個人", "wrong_number"),
        ("前台说老板交代了，催款的电话一律不转", "refused"),
        ("老赵说这钱一分不给，爱咋整咋整", "refused"),
        ("小王说他们老板说了不得付，要扯皮就去告嘛", "refused"),
        ("赵生部电话冇人听，打咗三次，WhatsApp 都冇覆，后日再试", "no_answer"),
    ):
        s = run(note)
        assert s.outcome is not None and s.outcome.value == outcome, note


def test_dates_said_other_ways_and_the_collector_s_own_question():
    s = run("Mr Zhao says their boss will settle HK$15,000 on Friday next week", called="zhao")
    assert s.promise.date == date(2026, 12, 11)
    s = run("梁姐话月尾先俾一半，总数系八万六")
    assert (s.promise.amount, s.promise.date) == (Decimal(43000), date(2026, 12, 31))
    s = run("小王说莫得钱，老板喊等到月底再说，我问月底付好多，她说不晓得")
    assert s.promise is None
    s = run("赵经理说财务下礼拜三之前一定打过来 我说行那就下礼拜三在打电话确认", called="zhao")
    assert s.callback is not None and s.callback.at.isoformat() == "2026-12-09T10:00:00+08:00"
    s = run("小王说领导们都在开年会，下午三点以后打财务苗姐 0769-2261 4405")
    assert s.callback is not None and s.callback.at.isoformat() == "2026-12-01T15:00:00+08:00"


def test_arrows_cantonese_referrals_and_a_boss_who_signs_at_the_end():
    s = run("小王→采购周工→财务鲍会计 0769-8877 6120。鲍会计：等老板签。")
    assert relations(s) >= {
        ("refers_to", "wang", "周工"),
        ("refers_to", "周工", "鲍会计"),
        ("authorizes", "老板", None),
    }
    s = run("小王话佢哋财务部搬咗去东城，新电话 0769 2232 8860，搵梁姐")
    assert ("refers_to", "wang", "梁姐") in relations(s)
    s = run("赵经理说那个钱老板已经签了字了", called="zhao")
    assert ("authorizes", "老板", None) in relations(s)
    assert ("钱老板", "老板") not in names(s)


def test_the_one_who_put_us_through_stays_a_referrer_in_a_back_and_forth():
    s = run(
        "小王转到结算部，结算部贺主管说运单还没对完，要找调度的老卢确认，"
        "老卢说运单早对完了，让我还是找贺主管，又绕回来了"
    )
    assert ("refers_to", "wang", "贺主管") in relations(s)
    assert {
        ("passes_buck_to", "老卢", "贺主管"),
        ("passes_buck_to", "贺主管", "老卢"),
    } <= relations(s)


# --- eighth round, read off held-out 6 ----------------------------------------------------


def test_full_names_nicknames_and_shorthand_name_people():
    s = run("老板叫王建国，平时都在工地上。王建国手机 138 2654 0973")
    assert ("王建国", "") in names(s) and ("老板", "老板") not in names(s)
    assert ("刘晓梅", "") in names(run("小王给了总部财务刘晓梅 186 2013 5547，刘晓梅说15号前付"))
    assert {("阿强", ""), ("胖哥", "")} <= names(run("前台→采购阿强，阿强说胖哥管对账"))
    assert ("lb", "lb") in names(run("赵经理：lb说了算，lb下周回", called="zhao"))
    assert not {n for n, _ in names(run("小王说韦经理跟老板关系好"))} & {"关系好", "关系"}
    assert not {n for n, _ in names(run("阿拉晓得伐，阿姨说"))} & {"阿拉"}


def test_bare_surnames_called_spoken_to_or_owning_a_line():
    assert ("Zhao", "") in names(run("Called Zhao, he says the boss approves", called="zhao"))
    assert ("Wang", "") in names(run("Spoke to Wang at reception.", called="wang"))
    assert ("Zhao", "") in names(run("Zhao's line busy all afternoon.", called="zhao"))
    assert ("Zhao", "") not in names(run("spoke to Zhao's boss, Director Liu", called=None))


def test_a_call_back_already_made_in_the_note_or_before_it_is_none():
    for note, at in (
        ("打赵经理，他说在开会，让我五点以后再打。五点十分我又打过去，赵经理说老板同意了", "17:30"),
        ("下午两点打赵经理，这次他挺客气的。", "16:30"),
    ):
        when = datetime.fromisoformat(f"2027-01-21T{at}:00+08:00")
        assert run(note, called="zhao", at=when).callback is None, note
    s = run("前台说财务是李姐，李姐 139 2876 0415，周三pm打")
    assert s.callback.at.isoformat() == "2026-12-02T15:00:00+08:00"
    s = run("小王手机停机，135 0921 7733 作废。周一上班后打座机")
    assert phones(s) == set() and s.callback.at.isoformat() == "2026-12-07T10:00:00+08:00"


def test_numbers_dialled_dead_in_the_next_sentence_or_not_phones_at_all():
    s = run("老板刘志强人在东莞躲债，他给了 135 3317 2208，说打了也没用。我打过去，提示已停机。")
    assert phones(s) == set()
    s = run("Ms. Leung said PO 7700193245 is not in their system", called=None)
    assert phones(s) == set()


def test_paid_on_a_day_versus_to_be_paid_on_it():
    s = run("小王: 财务 says 已付 on 12/15, 28,000 to our account. balance 0")
    assert s.promise is None
    s = run("赵经理 said payment approved by 方总, 50,000元 to be paid 12/10", called="zhao")
    assert s.promise.date == date(2026, 12, 10)
    s = run("Late email from Winnie Lau in accounts: 18,000 will be paid the day after tomorrow.")
    assert s.promise.date == date(2026, 12, 3)
    s = run("WeChat from Fiona (finance): half of the 64k goes out Monday", called=None)
    assert s.promise.amount == Decimal(32000)


def test_put_through_to_the_one_just_named_and_the_collector_s_own_words():
    s = run("先打小王，小王说财务的叶姐在，帮我转过去。叶姐说这笔账她做不了主")
    assert ("refers_to", "wang", "叶姐") in relations(s)
    s = run("小王接的，我说找财务，她转给了出纳小冯。")
    assert ("refers_to", "wang", "财务") not in relations(s)
    s = run("小王说麦姐明早在，让我那时候打麦姐的座机 0755-8327 1406 转 8")
    assert ("refers_to", "wang", "麦姐") in relations(s)


def test_sent_there_and_sent_back_is_a_buck_pass_both_ways_even_unsaid():
    s = run("前台说胖哥管对账。胖哥说找财务，财务说找胖哥")
    assert {("passes_buck_to", "胖哥", "财务"), ("passes_buck_to", "财务", "胖哥")} <= relations(s)
    s = run("赵经理推给财务，财务说没收到发票，又推回赵经理", called="zhao")
    assert ("passes_buck_to", "财务", "zhao") in relations(s)


def test_who_decides_said_in_english_and_with_a_title_in_brackets():
    s = run("Front desk said the owner, Mr. Cheung, signs everything.", called=None)
    assert ("authorizes", "Mr. Cheung", None) in relations(s)
    s = run("Kenny said Mr. Tsang (the boss) has to sign", called=None)
    assert ("authorizes", "Mr. Tsang", None) in relations(s)
    assert ("王教授", "教授") in names(run("小王说报销要王教授签字"))


def test_a_pronoun_speaker_a_kin_word_and_go_find():
    s = run("第三次小王接了。她说明早9点财务的麦姐在，让我那时候打麦姐的座机 0755-8327 1406 转 8")
    assert ("refers_to", "wang", "麦姐") in relations(s)
    s = run("前台→老板的弟弟阿斌，阿斌说lb拍板")
    assert ("refers_to", "wang", "阿斌") in relations(s)
    s = run(
        "打给赵经理，他说让我别找他，去找财务的邝会计。邝会计说要赵经理先提交。两个人来回推",
        called="zhao",
    )
    assert {
        ("passes_buck_to", "zhao", "邝会计"),
        ("passes_buck_to", "邝会计", "zhao"),
    } <= relations(s)
    s = run("小王 transfer 给 purchasing 阿伟，阿伟说 not his business, ask 财务 Lily。又绕回去了")
    assert ("refers_to", "wang", "阿伟") in relations(s)
    assert ("passes_buck_to", "阿伟", "Lily") in relations(s)


# --- ninth round, read off held-out 7 and 8 -----------------------------------------------


def test_the_comma_inside_a_number_is_no_clause_break():
    s = run("赵经理说剩下的 38,650.00 元节前肯定付不了，看老板心情", called="zhao")
    assert s.promise is None


def test_which_amount_is_promised():
    for note, amount in (
        ("赵经理说那批货款 76,800 元他们认的，这礼拜五先付一半", 38400),
        ("赵经理说货款 98,000 他认，这周五先打 1万", 10000),
        ("他说发票补过去就付清 216,500，差额是开票少了 2,340 元", 216500),
        ("赵经理说1月15号前打 8 万，剩下 4 万春节前", 80000),
        ("任会计说老板已经批了，下周一打 4 万 5", 45000),
        ("赵：元旦前一半，另一半1月底。总共九万", 45000),
        ("赵经理说今天下午 4 点前先打 5000 意思意思", 5000),
        ("赵经理说总账二十六万，先付30%，3月10号前", 78000),
        ("赵经理说钱已经付了，1月22号付的4万，还差2万2，节后付", 22000),
    ):
        s = run(note, called="zhao")
        assert s.promise is not None and s.promise.amount == Decimal(amount), note
    for note in (
        "赵经理说承兑汇票已经背书给我们了，金额伍拾万元整，让我们财务查收",
        "Zhao said payment already made on 28 Feb, 52,000 via bank transfer",
    ):
        s = run(note, called="zhao")
        assert s.promise is None or s.promise.amount is None, note


def test_days_said_other_ways():
    s = run("赵经理说得嘞您放心，正月十五前一准把剩下的四万二给您打过去", called="zhao")
    assert (s.promise.amount, s.promise.date) == (Decimal(42000), date(2027, 2, 20))
    s = run("赵经理说上礼拜五已经让出纳打了 3 万，还有 6 万下个月底前", called="zhao")
    assert s.promise.date == date(2027, 1, 31)
    s = run("赵经理说上礼拜老板娘答应年前结一半，他说1月28号前先打五万", called="zhao")
    assert s.promise.date == date(2027, 1, 28)
    s = run("赵经理讲伊拉老板今朝勿在，明朝上半天伊会得打电话拨我，明朝上半天再打", called="zhao")
    assert s.callback.at.isoformat() == "2026-12-02T10:00:00+08:00"


def test_call_backs_told_apart_from_what_happened():
    s = run("Nobody pick up at reception 0571-8697 3320. try again afternoon 2pm")
    assert s.callback.at.isoformat() == "2026-12-01T14:00:00+08:00"
    s = run("Ms Sun in accounts will call me back tomorrow afternoon", called=None)
    assert s.callback.at.isoformat() == "2026-12-02T15:00:00+08:00"
    s = run("小王说老板一般两点以后回办公室，叫我到时候打总经办 0573-8409 2716 分机 801")
    assert s.callback.at.isoformat() == "2026-12-01T14:00:00+08:00"
    s = run("Guo is on leave until the 26th. Try Zhao again on the 27th in the morning.")
    assert s.callback.at.isoformat() == "2026-12-27T10:00:00+08:00"
    s = run("上午打赵经理；晚上赵经理发微信让下周一再打给他", called="zhao")
    assert s.callback.at.isoformat() == "2026-12-07T10:00:00+08:00"
    assert run("早上九点打小王没人接；十点小王回过来，让我找后勤科的薛科长").callback is None
    assert run("上午赵经理说得问问老总；下午回电说老总点头了", called="zhao").callback is None


def test_old_numbers_out_of_use_and_a_stranger_s_phone():
    s = run("小王说办公室搬了，新总机 0574-6388 1200，老号码 0574-6312 7745 不用了")
    assert phones(s) == {"+8657463881200"}
    s = run("小王说公司搬了，新总机 0769-2289 4400，老号码不用了")
    assert phones(s) == {"+8676922894400"}
    s = run("座机 0574-8652 3370 打过去说是隔壁厂，不是他们公司")
    assert phones(s) == set()
    s = run("Dialed 139 5821 7764, a man answered, no Zhao here. Wrong number", called="zhao")
    assert phones(s) == set()


def test_ninth_round_people():
    s = run("小王说付款要厂长石建国拍板，我问厂长手机，她说厂长不让给")
    assert ("石建国", "") in names(s)
    s = run("小王说伊拉老板陈建华在外头出差，老板娘黄美芬管账")
    assert {("陈建华", ""), ("黄美芬", "")} <= names(s)
    s = run("小王讲：阿拉财务是老板阿妹，叫小芳，伊讲了算。小芳手机 138 5828 6603")
    assert ("小芳", "") in names(s) and ("阿妹", "") not in names(s)
    assert ("authorizes", "小芳", None) in relations(s)
    s = run("分管后勤的吕副院长签字，宁老爷子电话他也没有，欧阳会计师说得老板签字")
    assert {("吕副院长", "副院长"), ("宁老爷子", "老爷子"), ("欧阳会计师", "会计师")} <= names(s)
    assert ("邢店长", "店长") in names(run("小王说店长姓邢邢店长手机一三八三七一零二六五九"))
    assert ("财务", "财务") not in names(
        run("赵经理说已经转了四万八，让我们财务查一下", called="zhao")
    )
    assert ("采购", "采购") not in names(run("赵经理说采购款都是冀总拍板", called="zhao"))
    s = run("Zhao say Mr Ye not sign yet. Chef Ma signs for every delivery", called="zhao")
    assert {("Zhao", ""), ("Chef Ma", "Chef")} <= names(s)
    assert ("authorizes", "Mr Ye", None) in relations(s)


def test_ninth_round_relations():
    s = run("小王说找财务，转过去是出纳小林，小林讲付款单要陈会计审核")
    assert ("refers_to", "wang", "小林") in relations(s)
    s = run("Receptionist put me to Mr. Bao the cashier, he said it will transfer tomorrow")
    assert ("refers_to", "wang", "Mr. Bao") in relations(s)
    s = run("赵经理说这批货跟宁波这边没关系，让我找上海分公司财务顾小姐", called="zhao")
    assert ("passes_buck_to", "zhao", "顾小姐") in relations(s)
    s = run("老板娘说她不管厂里的账，都是她老公邓总管，邓总手机 133 6027 1145")
    assert ("authorizes", "邓总", None) in relations(s)
    assert ("authorizes", "老板娘", None) not in relations(s)
    s = run("赵经理说这笔账现在归采购总监管，总监姓阙，阙总监电话 0551-6523 8817", called="zhao")
    assert not {r for r in relations(s) if r[0] == "authorizes"}
    s = run(
        "Wang WeChat just now: cashier will pay 18,000 tomorrow, the boss Mr. Hu signed already"
    )
    assert ("authorizes", "Mr. Hu", None) in relations(s)
    s = run("Mr. Yu said he approved it weeks ago, go back to Amy", called=None)
    assert ("authorizes", "Mr. Yu", None) not in relations(s)


def test_ninth_round_outcomes():
    for note, outcome in (
        ("小王说原来的 0371-6598 4410 已经停机了，财务换了新号码，找财务的方姐", "referred"),
        ("赵经理说他们超市被人收购了，新公司不认旧账，让我们去找原来的老板宁老爷子", "referred"),
        ("赵经理讲这笔账伊拉勿认，一分钞票也勿会付", "refused"),
        ("赵经理不接，发微信也不回，打他们业务部座机也没人，下礼拜一上午再打", "no_answer"),
        (
            "Zhao away, Kelly give me Zhao's other mobile 135 6748 9021 but nobody answer",
            "no_answer",
        ),
        ("早上九点打小王没人接；十点小王回过来，让我找薛科长；薛科长说月底前先付三万", "promised"),
    ):
        s = run(note, called="zhao" if note.startswith(("赵", "Zhao")) else "wang")
        assert s.outcome is not None and s.outcome.value == outcome, note
    s = run("Zhao said finance lady Mrs Xu say pay next month maybe, depend on their customer")
    assert s.outcome is None or s.outcome.value != "promised"


# --- tenth round, read off held-out 9 and 10 ----------------------------------------------


def test_tenth_round_amounts_and_dates():
    s = run(
        "Manager Zhao agreed to pay RMB 1.2m in two tranches: half next Wednesday", called="zhao"
    )
    assert s.promise.amount == Decimal(600000)
    assert (
        run(
            "赵经理说钱上个月28号就付了，二十三万一次付清的，让我们财务再查一下", called="zhao"
        ).promise
        is None
    )
    s = run("赵经理说那五万3月12号就付了撒，让我查一哈；剩的二万八下周五付", called="zhao")
    assert s.promise.amount == Decimal(28000)
    s = run("小王说他们是县城投，五十万以上的付款要上党委会")
    assert s.promise is None
    s = run("赵经理说财务下周三先付两万三剩下的一万九等十二月再说", called="zhao")
    assert (s.promise.amount, s.promise.date) == (Decimal(23000), date(2026, 12, 9))
    s = run("赵经理说上周五已经付了两万，让我们查收，剩下的一万八下周三付", called="zhao")
    assert s.promise.amount == Decimal(18000)
    s = run("Zhao confirmed they'll settle the full 27,450 by month-end", called="zhao")
    assert s.promise.date == date(2026, 12, 31)
    s = run("maybe 30 or 40k before the Spring Festival, no promises", called="zhao")
    assert s.promise is None or s.promise.date is None
    s = run("赵经理说老板发话了，年底前一分钱都不得付，要告就去告", called="zhao")
    assert s.promise is None


def test_tenth_round_phones_and_call_backs():
    s = run("王小姐說錢都是老闆娘在管，蔡姐手機 0928-551-306，總機 02-2718-6530 轉分機 8827")
    assert phones(s) == {"+886928551306", "+886227186530"}
    assert any(p.extension == "8827" for person in s.people for p in person.phones)
    assert phones(run("小王说上次给的号码 136 0288 1145 是错的")) == set()
    assert phones(run("023-6755 4120 is dead, the operator says it is out of service")) == set()
    assert phones(run("小王说留置针批号 20260914-03 有几箱漏气")) == set()
    for note, want in (
        ("Zhao suggested I call back in two weeks", "2026-12-15T10:00:00+08:00"),
        ("赵经理说周末在老家，下周一早上给他打", "2026-12-07T09:00:00+08:00"),
        (
            "Mr. Chu is off today; try him tomorrow morning on 020 3882 7745",
            "2026-12-02T10:00:00+08:00",
        ),
        ("小王说他们今天盘点，三天后再打", "2026-12-04T10:00:00+08:00"),
    ):
        s = run(note, called="zhao")
        assert s.callback is not None and s.callback.at.isoformat() == want, note
    assert run("赵经理说赵经理出差了 过两天再打", called="zhao").callback is None


def test_tenth_round_people_and_relations():
    s = run("赵经理说付款必须一把手签字，一把手元旦后才回来", called="zhao")
    assert ("authorizes", "一把手", None) in relations(s)
    s = run("小王说矿上的钱都是矿长批，矿长姓敬，敬矿长下午一般在办公室")
    assert ("authorizes", "敬矿长", None) in relations(s)
    s = run("小王说分管领导是何副总，何副总签了财务就付，何副总办公室 029-8832 6714")
    assert ("authorizes", "何副总", None) in relations(s)
    assert ("何姑娘", "姑娘") in names(
        run("小王話牙科診所啲數係何姑娘負責，何姑娘直線 +852 2891 4035")
    )
    assert ("罗文斌", "") in names(run("小王说付款经办人是罗文斌，罗文斌座机 023-7082 4415"))
    s = run("王小姐說老闆講那批口罩品質有問題，不會付錢")
    assert ("authorizes", "老闆", None) not in relations(s)
    s = run(
        "采购的吕主管说货是门诊部要的，让我去问门诊部的简主任，简主任又说付款是采购的事，让我回去找吕主管"
    )
    assert {
        ("passes_buck_to", "吕主管", "简主任"),
        ("passes_buck_to", "简主任", "吕主管"),
    } <= relations(s)


def test_long_notes_built_on_this_session_s_rules_stay_fast():
    """5,000 characters that make the call-back, full-name and referral rules work hard: a guard
    against work that grows with the square of the note (two of them took 0.8 s and 0.57 s
    before their fixes, 30-120 ms after), not a timing: the figures are the bench's."""
    for note in (
        "那天再打，" * 1000,
        "下午三点再打，到时候打，" * 400,
        "明天那天再打 " * 700,
        "让我找李姐，" * 800,
        "老板叫王建国，阿强说胖哥管，" * 350,
        "小王→李姐→" * 800,
    ):
        started = time.perf_counter()
        s = run(note[:5000])
        assert time.perf_counter() - started < 2.0, note[:20]
        assert all(0 <= a <= b <= 5000 for a, b in [r.span for r in s.relations])


def test_a_million_needs_money_said_with_it_and_a_flat_refusal_stays_a_refusal():
    assert run("小王说\x1b[31m 付款找财务").promise is None  # a terminal colour, not 31 million
    assert run("Zhao will pay RMB 3m next week", called="zhao").promise.amount == Decimal(3000000)
    s = run("他拒绝付款，推给了采购孙经理 0755-12345678转801", called="zhao")
    assert s.outcome is not None and s.outcome.value == "refused"


def test_a_role_before_a_name_on_the_map_keeps_its_traditional_form():
    m = DebtorMap(
        EVAL_MAP.debtor, (*EVAL_MAP.contacts, Contact("zhou", "周德明", Department.OWNER, "老板"))
    )
    s = extract("小王說老闆周德明簽字才付", called="wang", m=m, at=AT, learned=False)
    assert ("周德明", "老闆") in {(p.name, p.title) for p in s.people}
    s = extract("小王说老板周德明签字才付", called="wang", m=m, at=AT, learned=False)
    assert ("周德明", "老板") in {(p.name, p.title) for p in s.people}


# --- eleventh round, read off held-out 11 and 12 ------------------------------------------


def test_eleventh_round():
    s = run("Receptionist gave me Mr. Kelvin Cheung: direct line +852 2815 6630", called=None)
    assert ("Mr. Kelvin Cheung", "Mr.") in names(s)
    assert ("Mr. Ong", "Mr.") in names(
        run("Ms Jolene Tay said our MD Mr. Ong decides", called=None)
    )
    assert ("Zhao", "") in names(run("Zhao on WhatsApp: 'Next Tue confirm transfer 3.2k'"))
    assert ("陈美玲", "") in names(run("小王说付款人是财务经理陈美玲，陈美玲周三在厦门"))
    assert ("周一到", "") not in names(run("小王说找冯会计，冯会计周一到周五都在"))
    assert ("钱得宫副总", "副总") not in names(run("赵经理说这个钱得宫副总点头", called="zhao"))
    assert ("林襄理", "襄理") in names(run("王小姐說付款歸會計部的林襄理"))
    s = run("小王念了个号码 幺三五 六四一二 零八八三，说是管账的韩姐")
    assert ("refers_to", "wang", "韩姐") in relations(s)
    s = run("Manager Zhao says Mr. Kim signed off this morning: 45,000 will be wired on Thursday")
    assert ("authorizes", "Mr. Kim", None) in relations(s)
    s = run("小王介绍了他们的法务经理钟律师，钟律师手机 139-5012-8806")
    assert ("refers_to", "wang", "钟律师") in relations(s)
    assert phones(run("her extension is 617 on the main line 0311-8596 3320")) == {"+8631185963320"}
    assert (
        run("her extension is 617 on the main line 0311-8596 3320").people[0].phones[0].extension
        == "617"
    )
    s = run(
        "Zhao says the 96k balance will be paid in three batches of 32k, the first on the 10th "
        "of next month.",
        called="zhao",
    )
    assert (s.promise.amount, s.promise.date) == (Decimal(32000), date(2027, 1, 10))
    s = run("赵经理说元旦前打的那两万是第一批，第二批一万二这个月25号前", called="zhao")
    assert (s.promise.amount, s.promise.date) == (Decimal(12000), date(2026, 12, 25))
    assert (
        run("赵经理说恁家那批膜热封不行，俺们报废了两千多袋，这钱不能付", called="zhao").promise
        is None
    )
    assert run("小王说过了五万的款都得董事长签").promise is None
    s = run("赵经理说桌子那部分 9,600 先挂着，其余的 45,400 下周三前付", called="zhao")
    assert s.promise.amount == Decimal(45400)
    assert (
        phones(run("官网上的座机 0592-6036288 也打了，对方说不是启源，是一家牙科诊所。")) == set()
    )
    for note, want in (
        ("赵经理开会中，20分钟后回我", "2026-12-01T10:20:00+08:00"),
        ("同事说他白天都在工地，让晚上打他手机", "2026-12-01T19:00:00+08:00"),
        ("回单到现在还没收到，明早九点半再追。", "2026-12-02T09:30:00+08:00"),
    ):
        s = run(note, called="zhao")
        assert s.callback is not None and s.callback.at.isoformat() == want, note


# --- round 13: held-out 15 to 18 ---------------------------------------------------------------


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def promise(s) -> tuple[str | None, str | None] | None:
    if s.promise is None:
        return None
    amount, day = s.promise.amount, s.promise.date
    return (None if amount is None else str(amount), None if day is None else day.isoformat())


def callback(s) -> str | None:
    return None if s.callback is None else s.callback.at.isoformat()


SATURDAY, SUNDAY = at("2026-11-28T10:00:00+08:00"), at("2026-10-18T10:00:00+08:00")


def test_the_call_s_own_day_named_by_its_weekday_is_when_we_called():
    s = run("周六打的，小王说下周三付2万", at=SATURDAY)
    assert promise(s) == ("20000", "2026-12-02") and callback(s) is None
    s = run("周六小王微信回了：财务说下周三统一付款，36,850", at=SATURDAY)
    assert promise(s) == ("36850", "2026-12-02")
    s = run("礼拜天打的合作社办公电话 没人接 周一再打", at=SUNDAY)
    assert callback(s) == "2026-10-19T10:00:00+08:00"
    # the whole day said: 下周二 on a Tuesday is a week on, not today
    s = run("冯总说下周二前先付三万，下周二上午打过去确认", at=at("2026-12-08T09:30:00+08:00"))
    assert callback(s) == "2026-12-15T10:00:00+08:00"


def test_call_backs_said_in_shorthand_dialect_and_english():
    for note, want in (
        ("赵经理说明天上午十点半再聊", "2026-12-02T10:30:00+08:00"),
        ("话礼拜一返写字楼再倾", "2026-12-07T10:00:00+08:00"),
        ("我查了没到账，明早再核", "2026-12-02T09:00:00+08:00"),
        ("查了流水没到账，明天上午再跟他对", "2026-12-02T10:00:00+08:00"),
        ("赵经理手机关机，cb 周一早9点", "2026-12-07T09:00:00+08:00"),
        ("No one there, line just rings. Try Monday 9:30", "2026-12-07T09:30:00+08:00"),
        ("Raj only works Mon/Wed/Fri. Try Raj tomorrow at 11.", "2026-12-02T11:00:00+08:00"),
        ("小王说莫总在开会，下午五点半以后可以直接打莫总手机", "2026-12-01T17:30:00+08:00"),
        ("下礼拜一上午让我打出纳小秦分机 8016", "2026-12-07T10:00:00+08:00"),
    ):
        assert callback(run(note, called="zhao")) == want, note
    s = run("Assistant Ada, 0757-2280 6618 ext 302. Call Ada Thu morning.", called="zhao")
    assert callback(s) == "2026-12-03T10:00:00+08:00"
    said = run("No one there, line just rings.").outcome
    assert said is None or said.value != "wrong_number"


def test_what_happened_is_no_call_back():
    late = at("2026-12-01T22:00:00+08:00")
    assert callback(run("赵经理晚上回电话，说审计处在查，付款全暂停", "zhao", late)) is None
    assert callback(run("赵经理晚上九点打过来，喝了点酒，说下个月一定付", "zhao", late)) is None
    s = run("10:05 打小王没人接；10:40 再打，占线；11:15 终于通了，小王说下午三点以后再打",
            at=at("2026-12-01T11:15:00+08:00"))  # fmt: skip
    assert callback(s) == "2026-12-01T15:00:00+08:00"


def test_a_share_said_as_a_fraction_is_no_date_and_no_amount_of_one():
    s = run("他说服老板了，11月10号前先付1/3，总共24万", at=at("2026-11-01T10:00:00+08:00"))
    assert promise(s) == ("80000", "2026-11-10")
    s = run("Zhao: split 3 ways, first 1/3 of 240k by Nov 15", at=at("2026-11-01T10:00:00+08:00"))
    assert promise(s) == ("80000", "2026-11-15")
    assert promise(run("发货日期 3/12，他说3/20前付2万")) == ("20000", "2027-03-20")


def test_which_phase_is_no_day():
    s = run("Zhao on WeChat: we'll settle the 2nd phase, 112k, before Dec 10")
    assert promise(s) == ("112000", "2026-12-10")
    s = run("Ms Deng says the 2nd milestone payment, 126,000, is in the Dec 30 batch")
    assert promise(s) == ("126000", "2026-12-30")


def test_the_end_of_a_month_said_by_its_number():
    s = run("9月的运费要到12月底才到期，到时候一次性付清87,240", at=at("2026-10-10T10:00:00+08:00"))
    assert promise(s) == ("87240", "2026-12-31")
    # the digit that ends an amount is no month: 两万二 月底, 4万8月底
    assert promise(run("剩下的两万二 月底前付")) == ("22000", "2026-12-31")
    assert promise(run("剩下的4万8月底前付")) == ("48000", "2026-12-31")


def test_the_day_a_payment_was_moved_to():
    s = run(
        "说好的12月1号那6万，赵经理今天说可能要晚几天，最晚下周一", at=at("2026-11-30T10:00+08:00")
    )
    assert promise(s) == ("60000", "2026-12-07")
    # a day things are put off to, with no payment promised, is no promise
    assert promise(run("小王说这个月工资都是拖到20号才发的，付款估计要等到年后了")) is None


def test_instalments_the_first_part_is_the_promise():
    s = run(
        "赵经理说汤总批了12万，分两笔，12月1号6万，12月10号6万", at=at("2026-11-20T10:00+08:00")
    )
    assert promise(s) == ("60000", "2026-12-01")
    s = run(
        "赵经理答应分三期：12月18号 5万、1月15号 5万、2月前结清", at=at("2026-11-20T10:00+08:00")
    )
    assert promise(s) == ("50000", "2026-12-18")


def test_amounts_said_as_paid_held_or_cut_are_no_promise():
    assert promise(run("赵经理说款已经走了，昨天下午工行付的，4.2w，让查一下")) is None
    assert promise(run("赵经理：钱11月30号就付了啊，87,200，你们财务查一下")) is None
    assert promise(run("赵经理说账上就剩一万八，先给打一万五，明天上午到账")) == (
        "15000",
        "2026-12-02",
    )
    assert promise(run("赵经理：冯总嫌我们运价贵，要降5%才付，总共6万")) is None
    s = run("voice msg from the owner: 'tell them 40 thousand goes out this Friday'")
    assert promise(s) == ("40000", "2026-12-04")


def test_numbers_said_to_be_someone_else_s_now_and_extensions_and_delivery_notes():
    s = run("打过去是个饭馆，说不是物流公司，这号 022-8431 9902 早换人了")
    assert phones(s) == set() and s.outcome.value == "wrong_number"
    s = run("打合作社座机 0376-6231445，一个老头接的，说这是他家，合作社早搬了")
    assert phones(s) == set() and s.outcome.value == "wrong_number"
    assert run("小王说财务换人了，新来的会计姓宋").outcome is None  # staff, not the number
    s = run("现在接手的是刘经理，刘经理电话 0451-8471 9963，分机 15", called="zhao")
    assert {p.dialled for x in s.people for p in x.phones} == {"+8645184719963;ext=15"}
    assert phones(run("赵经理说送货单 13020261016 那车尿素少了6袋", called="zhao")) == set()


def test_someone_reporting_an_approval_is_not_the_approver():
    assert run("赵经理说钱批了，明天财务上班就打3万2", called="zhao").authorizers == ()
    assert run("赵经理：钱批了，冯总签的字", called="zhao").authorizers == ("冯总",)
    assert run("王总说了算").authorizers == ("王总",)
    assert run("赵经理说老板说他签字就付", called="zhao").authorizers == ("老板",)


def test_more_ways_of_saying_it_is_not_theirs():
    s = run("赵经理说他就是个跑业务的，付款找他们财务总监汤总", called="zhao")
    assert relations(s) == {("passes_buck_to", "zhao", "汤总")}
    s = run("小王说恁这事儿不归俺管，找销售赵经理去")
    assert relations(s) == {("passes_buck_to", "wang", "zhao")}


def test_a_note_typed_without_a_stop_is_read_near_each_phrase():
    """A guard, not a timing: each call-back phrase, date and amount of a clause of thousands
    of characters is read over the characters near it (1,000 "那天再打" took 8 s when each
    read its whole clause)."""
    for note in (
        "那天再打" * 1000,
        "明天再打" * 1000,
        "cb 周一早9点 " * 500,
        "5万 " * 1500,
        "明天付5万" * 600,
        "分两笔，6万，" * 700,
    ):
        started = time.perf_counter()
        run(note[:5000], called="zhao")
        assert time.perf_counter() - started < 1.0, note[:12]


# --- round 14: held-out 19 to 22 ---------------------------------------------------------------


def dialled(s) -> set[str]:
    return {p.dialled for person in s.people for p in person.phones}


def test_a_landline_written_with_its_area_code_is_a_phone_even_past_the_known_ranges():
    # libphonenumber holds 0315-2867 3390 only possible, not valid; written so, it is a phone
    s = run("接替的是销售部沈经理，沈经理 0315-2867 3390 转 206，沈经理说交接单上没有我们这笔账")
    assert dialled(s) == {"+8631528673390;ext=206"} and s.promise is None
    assert dialled(run("让我找财务处的柏老师，柏老师电话 0312-3098 7716")) == {"+8631230987716"}
    # a Taiwanese mobile in a traditional note is not read as a mainland landline
    assert dialled(run("吳會計說老闆周德明簽字才付 0928-551-306")) == {"+886928551306"}


def test_more_ways_of_saying_a_number_is_someone_else_s():
    for note in (
        "Called main line 020 8112 6630, recording says the number is no longer in service",
        "电话是个阿姨接的，说'无这个人'，这个号 0595-2276 8810 是她厝里的",
        "小王给了个号码说是财务罗会计的 0591 8376 2214，打过去是个快递网点，号码给错了",
        "WN. 0311-8690 4417 is a kindergarten now. Main line dead",
        "拨 0459-6312 8840 是个修车铺，说号码去年就换了",
    ):
        assert dialled(run(note)) == set(), note


def test_tries_and_the_operator_are_no_extension():
    assert dialled(run("Rang 0592-603 8817 x3, no answer")) == {"+865926038817"}
    assert dialled(run("总机 010-6708 3321 转0 前台接的 说小王早离职了")) == {"+861067083321"}
    s = run("Mr Chen's office line 0577-8896 2210 x 203, call on the 16th to confirm", "zhao")
    assert dialled(s) == {"+8657788962210;ext=203"}
    assert callback(s) == "2026-12-16T10:00:00+08:00"


def test_days_said_with_a_dot_and_sums_said_after_a_comma():
    assert promise(run("赵经理PTP 12.15前5w，余2.8w年底前", "zhao")) == ("50000", "2026-12-15")
    s = run("小王说钱今天没付出去，银行系统升级，下周一上午付，17600不变")
    assert promise(s) == ("17600", "2026-12-07")
    # a day after the verb is no sum: "付款，6月15号到期"
    assert promise(run("赵经理说合同约定货到90天付款，6月15号到期", "zhao")) is None


def test_not_handling_the_money_and_head_offices_are_no_one_s_approval():
    assert run("赵经理说他不管钱，老板电话不给", called="zhao").authorizers == ()
    s = run("赵经理说明天下午财务付2.8万，金额老板点过头了", called="zhao")
    assert s.authorizers == ("老板",)
    s = run("小王说付款要温州总部批，总部财务包姐电话 0577－8876 5432")
    assert "温州总" not in {p.name for p in s.people}
    s = run("赵经理给了他们财务付经理的座机 0791-88672150-603，对账找付经理", called="zhao")
    assert relations(s) == {("refers_to", "zhao", "付经理")}


def test_the_collector_s_own_next_call_and_a_call_made_now():
    s = run("赵经理说黄总说了算，手机13857761024，礼拜一上午我直接打黄总", called="zhao")
    assert callback(s) == "2026-12-07T10:00:00+08:00"
    s = run(
        "晚上七点半打小王，她说下班了，明天上班给我找出纳的电话，明天上午十点再打她",
        at=at("2026-12-15T19:30:00+08:00"),
    )
    assert callback(s) == "2026-12-16T10:00:00+08:00"


# --- round 15: held-out 23 to 26 ---------------------------------------------------------------


def test_round_15_call_backs():
    for note, want in (
        ("Receptionist said Mr Shi is back on the 28th. Call back 28th afternoon",
         "2026-12-28T15:00:00+08:00"),
        ("Zhao at the warehouse, no time, call back tmr after 3", "2026-12-02T15:00:00+08:00"),
        ("She's in the live room after 2pm so call her tmr 10:30am", "2026-12-02T10:30:00+08:00"),
        ("Called front desk, no answer x3. will retry tmr 3pm", "2026-12-02T15:00:00+08:00"),
        ("Call Xiao Wang back Fri am to confirm", "2026-12-04T10:00:00+08:00"),
        ("包矿长上午下井，下午三点以后好打", "2026-12-01T15:00:00+08:00"),
        ("小王帮我把催款函转给老板了，老板说下周一给答复", "2026-12-07T10:00:00+08:00"),
        ("赵经理说7号前都在老家，8号上班后第一时间给我答复", "2026-12-08T10:00:00+08:00"),
    ):  # fmt: skip
        assert callback(run(note, called="zhao")) == want, note
    late = at("2026-12-01T20:00:00+08:00")
    assert callback(run("晚上赵经理回电话了，说老板同意先付五万", "zhao", late)) is None
    assert callback(run("赵经理说15号打2万，16号再打剩下的1.2万", "zhao")) is None


def test_round_15_days():
    s = run("赵经理说明天财务放假打不了，一月四号开工后第一笔就是我们的，¥21,000", "zhao")
    assert promise(s) == ("21000", "2027-01-04")
    assert promise(run("年底最后一天赵经理还是没接，打了5遍", "zhao")) is None
    s = run("赵经理说年底了要控现金流，给我们排了 3 万，12月25号之前，剩下的年后", "zhao")
    assert promise(s) == ("30000", "2026-12-25")
    # "今天31号了": it is the 31st now
    s = run("小王说今天31号了还没到账，下周三一定付，两万八", at=at("2026-10-31T10:00:00+08:00"))
    assert promise(s) == ("28000", "2026-11-04")


def test_round_15_amounts():
    s = run("赵经理：说好今天付的27340，财务说老板还没签，拖到周五，周五一定", "zhao")
    assert promise(s) == ("27340", "2026-12-04")
    s = run("赵经理说上次答应的3万已经在11月2号付了，让我查一下", "zhao")
    assert promise(s) is None
    s = run("纸箱那部分 13,600 上周付了，面单的 8,420 今天下午付", "zhao")
    assert promise(s) == ("8420", "2026-12-01")
    assert promise(run("赵经理说钱昨天下午以经转了，一万八，让我们自己查", "zhao")) is None
    s = run("截齿那批货款8.6万（出库单号13920261008）月底前先给4万", "zhao")
    assert promise(s) == ("40000", "2026-12-31") and phones(s) == set()
    s = run("Ms Shi confirmed ¥86,000 outstanding, can do 30k by Dec 20", "zhao")
    assert promise(s) == ("30000", "2026-12-20")
    s = run("He confirmed the debt (RMB 320k) but would not commit to any date", "zhao")
    assert s.promise is None or s.promise.amount is None
    s = run("郝会计说对账单收到了，金额42800没问题，这个月25号统一付")
    assert promise(s) == ("42800", "2026-12-25")


# --- round 16: people, on held-out 15 to 30 ------------------------------------------------------


def said(note: str) -> list[tuple[str, str]]:
    return [(m.name, m.title) for m in find_mentions(note)]


def test_surnames_that_begin_or_end_everyday_words_name_someone_right_before_a_title():
    assert said("小王说付款归财务部的海会计管") == [("小王", ""), ("海会计", "会计")]
    assert said("审批在老板楼总那里") == [("楼总", "总")]  # the boss is 楼总
    assert said("让我找于姐，常律师也在") == [("于姐", "姐"), ("常律师", "律师")]
    assert said("区总今天在佛山") == [("区总", "总")]
    assert said("说找会计小于，老常也知道") == [("小于", ""), ("老常", "")]
    # ... and not inside the words they begin or end
    wrong = {"于会计", "区总", "付会计", "海总", "常经理"}
    for note in ("关于会计的事再说", "地区总经理说", "应付会计说下周", "上海总部说", "经常不在"):
        assert all(name not in wrong for name, _ in said(note)), note
    assert said("小于5万不用审批") == []  # less than


def test_more_titles_and_roles_said_alone():
    assert said("杜理事长说付款得监事长签字") == [("杜理事长", "理事长"), ("监事长", "监事长")]
    assert said("孙副社长和黄医生、李嫂、韦总工、彭店总") == [
        ("孙副社长", "副社长"),
        ("黄医生", "医生"),
        ("李嫂", "嫂"),
        ("韦总工", "总工"),
        ("彭店总", "店总"),
    ]
    assert said("让我跟秘书约时间，保安不让进") == [("秘书", "秘书"), ("保安", "保安")]
    assert said("赵经理：钱已经付了，你们财务查一下") == [("赵经理", "经理")]  # ours, not theirs


def test_a_weekday_is_not_part_of_a_name():
    assert said("周六赵经理也接了，周五出纳说") == [("赵经理", "经理"), ("出纳", "出纳")]
    assert said("周经理说周一付") == [("周经理", "经理")]


def test_english_titles_before_the_surname_and_longer_names():
    assert said("Section Chief Guo says paying is Mine Director Kang's call") == [
        ("Section Chief Guo", "Section Chief"),
        ("Mine Director Kang", "Mine Director"),
    ]
    assert said("Vice President Li has to sign; Prof. Tian approves, Mgr Zhao said") == [
        ("Vice President Li", "Vice President"),
        ("Prof. Tian", "Prof."),
        ("Mgr Zhao", "Mgr"),
    ]
    assert said("Ms. Tran Thi Mai in Mong Cai handles it") == [("Ms. Tran Thi Mai", "Ms.")]
    assert said("put me thru to Tanaka-san in purchasing") == [("Tanaka-san", "san")]
    assert said("新对接人是 Eric Zhou，电话 021-2033 6810") == [("Eric Zhou", "")]


def test_a_bare_surname_that_is_texted_rung_or_away():
    for note in (
        "Zhao not picking up. Sent SMS",
        "texted Zhao re invoice 0192",
        "Tried his colleague, she said Zhao's in Zhoukou",
        "Zhao rang me on a Sunday",
    ):
        assert ("Zhao", "") in said(note), note
    assert said("zhao not picking up") == []  # a capital is what makes it a name


# --- round 16: relations, on held-out 15 to 30 and 35 to 38 -----------------------------------


def test_the_leader_s_word_then_a_payment_is_an_approval():
    assert run("小王讲老板娘讲了，先拨万五，礼拜五之前").authorizers == ("老板娘",)
    assert run("赵经理说：老板说了，先付十二万", called="zhao").authorizers == ("老板",)
    assert run("小王说老板原话：该给人家的给人家").authorizers == ("老板",)
    assert run("小王说刘总定了：下礼拜四拨 31200").authorizers == ("刘总",)
    # the leader's word that is no payment, or a refusal, approves nothing
    assert run("小王说老板说了，布有问题，钱不会付").authorizers == ()
    assert run("小王说：老板说了，你们再打电话来就不合作了").authorizers == ()
    assert run("赵经理说了，下周付", called="zhao").authorizers == ()  # no leader


def test_whose_the_money_is_and_whose_desk_it_is_on():
    assert run("小王讲钞票归温姐管，温姐电话 0577-8655 2109").authorizers == ("温姐",)
    assert run("小王说付款归经营副矿长管，姓包，包矿长上午下井").authorizers == ("包矿长",)
    # a department's desk, and who sits at it, is no one's say
    assert run("小王说付款归财务部的海会计管，海会计手机 138-9912-7406").authorizers == ()
    assert run("彭科长说钱归财务部管，让我去问财务部的戴会计").authorizers == ()
    assert run("Spoke to Xiao Wang. Mrs. Lu holds the purse strings").authorizers == ("Mrs. Lu",)
    assert run("Ms. Becker called: Mr. Schmidt has signed, 58,740 goes out Friday").authorizers == (
        "Mr. Schmidt",
    )


def test_the_matter_is_for_someone_to_answer_is_a_referral():
    s = run("小王说广告费的事要问行政的胡姐，胡姐说她不管")
    assert ("refers_to", "wang", "胡姐") in relations(s)
    assert ("refers_to", "wang", "zhao") in relations(run("小王说付款问业务部赵经理"))
    assert relations(run("小王说这事问过了，没结果")) == set()


def test_english_names_inside_chinese():
    # re's \b does not hold between a Chinese character and a Latin letter
    assert said("所有債務要搵臨時清盤人嗰邊嘅Mr Fung，電話 2852 1600") == [("Mr Fung", "Mr")]
    assert said("小王話AP主管Vincent通常朝早喺度") == [("小王", ""), ("Vincent", "")]
    assert said("要問accounts嘅Carmen姐，老細Ray哥揸fit") == [("Carmen姐", "姐"), ("Ray哥", "哥")]
    assert said("shipping dept 阿Ken話唔關佢事") == [("阿Ken", "")]


def test_numbers_in_a_hong_kong_note_and_a_number_written_with_a_plus():
    assert dialled(run("前台小王話啲數要問accounts嘅Carmen姐，Carmen直線 2815 3306")) == {
        "+85228153306"
    }
    assert dialled(run("payment要問Macau office嘅梁小姐，澳門電話 2871 5530")) == {"+85328715530"}
    # a mainland note keeps reading an eight-digit number as no phone without its area code
    assert dialled(run("小王说总机 8668 3321")) == set()
    # "no." before a number is an order number's, unless the number is written with "+"
    assert dialled(run("Winnie picked up, gave me his mainland no. +86 135 3012 8874")) == {
        "+8613530128874"
    }
    assert dialled(run("order no. 13530128874 shipped")) == set()


def test_a_wrong_number_said_in_cantonese():
    for note in (
        "打 2392 6650 係一間茶餐廳，伙記話從來冇小王呢個人",
        "打 5128 8830 得把傳真機聲，應該換咗號",
        "打 3705 2268，對方話佢哋係永興行，搵錯公司",
    ):
        s = run(note)
        assert dialled(s) == set(), note
        assert s.outcome is not None and s.outcome.value == "wrong_number", note


def test_lunar_days_and_the_spring_festival_from_the_lunar_calendar():
    def day(note: str, today: date) -> date | None:
        found = find_dates(note, today)
        return found[0].value if found else None

    # 腊月二十 said in January 2026 is before that Spring Festival (17 February 2026)
    assert day("腊月二十之前能给五万", date(2026, 1, 10)) == date(2026, 2, 7)
    # 正月初十 said in December is in the coming lunar year
    assert day("正月初十开工", date(2026, 12, 20)) == date(2027, 2, 15)
    assert day("三月初三", date(2026, 12, 1)) == date(2027, 4, 9)
    assert day("冬月廿三", date(2026, 12, 1)) == date(2026, 12, 31)
    assert day("年前付", date(2026, 12, 1)) == date(2027, 2, 5)  # the day before 春节
    assert day("正月十五前", date(2026, 12, 1)) == date(2027, 2, 20)  # 元宵
    # a Gregorian day stays one; a lunar day that does not exist is none
    assert day("十二月二十号", date(2026, 12, 1)) == date(2026, 12, 20)
    assert day("腊月三十", date(2026, 12, 1)) is None  # this 腊月 has 29 days


def test_parts_of_the_day_and_days_said_in_dialect():
    def hours(note: str) -> list[int]:
        return [t.value.hour for t in find_times(note)]

    assert hours("后日晏昼再打") == [15]  # Wu and Hakka: the afternoon
    assert hours("明朝日昼再打") == [12]
    assert hours("后儿个过晌再打，头晌不在") == [15, 10]  # the north
    assert hours("礼拜二晌午前再打过来") == [10]
    assert hours("黄昏六点") == [18] and hours("晏昼三点") == [15]
    s = run("赵经理在安国出差，信号不好，说后儿个过晌再打", called="zhao")
    assert s.callback is not None and s.callback.at.isoformat() == "2026-12-03T15:00:00+08:00"
    s = run("小王说老板去包头了，前晌一般不接，后晌再打")
    assert s.callback is not None and s.callback.at.isoformat() == "2026-12-01T15:00:00+08:00"


def test_paying_said_as_bo_or_gwo_sou():
    s = run("小王讲老板娘定了：下礼拜四拨3万1")
    assert s.promise is not None and s.promise.amount == Decimal(31000)
    s = run("前台小王話何太話下星期三先過數 HK$8,800")
    assert s.promise is not None and s.promise.amount == Decimal(8800)
    # a call, a payment made and one put off are no promise
    assert_promises_nothing("赵经理讲伊拉老板邬总今朝勿在，明朝上半天伊会得打电话拨我")
    assert_promises_nothing("小王讲国庆放假前厂里已经拨了一万五，剩下2万5等这一柜鞋子出完再讲")
    assert_promises_nothing("赵经理讲五一前拨不出来，五一后头一个礼拜，金额要看老板娘")
    assert_promises_nothing("赵经理讲我回拨了两次都没人接")


# --- round 17: held-out 31 to 34 ------------------------------------------------------------------


def amounts_said(note: str) -> list[str]:
    return [str(a.value) for a in find_amounts(note)]


def test_amounts_to_the_cent_thousands_said_after_w_and_counts_of_goods():
    assert amounts_said("过齐尾数¥18,760.50") == ["18760.50"]  # money is to the cent
    assert amounts_said("听日转2w8过来，先整2w5") == ["28000", "25000"]
    assert amounts_said("余下1万9月10号前俾") == ["10000"]  # the 9 begins the day
    assert amounts_said("4万8月底") == ["48000"]
    assert amounts_said("(5,000 sets) 3,200pcs库存，326 件") == []
    assert amounts_said("$35,000 支票") == ["35000"]
    assert amounts_said("5.1前打1.6万") == ["16000"]  # by the first of May
    assert amounts_said("剩下的三万四十一前结清") == ["34000"]  # 十一: National Day


def test_a_share_said_with_what_it_comes_to_and_payments_made_in_cantonese():
    s = run("Zhao says they'll pay 60% = 73,200 on the 28th (PO for 5,000 sets)", called="zhao")
    assert s.promise is not None and s.promise.amount == Decimal(73200)
    s = run("赵经理讲上礼拜已经俾咗3万，流水号2026082100457，余下1万9月10号前俾", called="zhao")
    assert s.promise is not None and s.promise.amount == Decimal(10000)
    assert s.promise.date == date(2027, 9, 10)


def test_more_ways_of_saying_back_and_forth():
    for said in ("两边踢来踢去", "两个互推", "兜咗一个圈", "转了一圈又回来了", "Round and round."):
        s = run(f"赵经理说找财务小叶，小叶说要赵经理签字，{said}", called="zhao")
        assert ("passes_buck_to", "小叶", "zhao") in relations(s), said


def test_people_round_17():
    assert said("事头婆话唔关佢事，头家娘管钱") == [("事头婆", "事头婆"), ("头家娘", "头家娘")]
    assert said("财务的喇会计管账，采购的初经理管") == [("喇会计", "会计"), ("初经理", "经理")]
    assert said("年初经理说") == []
    # a word, then a title: no one named 小王传, 展厅, 车间 or 车部
    assert said("小王传老板的话") == [("小王", ""), ("老板", "老板")]
    assert said("他们展厅经理换成杜经理了，二手车部鲍经理，车间主任老曲") == [
        ("杜经理", "经理"),
        ("鲍经理", "经理"),
        ("老曲", ""),
    ]
    # 小 and a given name no surname list holds, said twice or speaking
    assert said("找预算员小妥，小妥说结算还没审完") == [("小妥", ""), ("小妥", "")]
    assert said("替班的小丽接的") == [("小丽", "")]
    assert said("陈小丽说付款找财务李姐") == [("李姐", "姐")]  # 陈小丽 is a full name (on the map)
    assert said("两小时后再打，三小时也行；小舅子管钱") == []
    assert said("the lead is Kelvin Tsang, or Kenny Lee who runs it") == [
        ("Kelvin Tsang", ""),
        ("Kenny Lee", ""),
    ]
    # 尕 is 小 in Gansu and Qinghai: 尕王 is the 小王 on the map
    s = run("尕王把电话转到项目部，让我找预算员小妥，小妥说结算还么审完")
    assert [(p.name, p.existing) for p in s.people] == [("尕王", "wang"), ("小妥", None)]
    assert relations(s) == {("refers_to", "wang", "小妥")}
