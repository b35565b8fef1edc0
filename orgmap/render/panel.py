"""The exported map's side panel: the debtor's calls (newest first), promises and facts.

Pure and JSON-ready, like the map spec: every string is plain text that the page
puts into the DOM with ``textContent`` (and :func:`orgmap.render.html.json_for_html`
keeps it inside its ``<script>`` element), so nothing here is escaped.

>>> from decimal import Decimal
>>> from orgmap.domain.model import Debtor
>>> panel = debtor_panel(DebtorMap(Debtor("acme", "Acme", Decimal("10"))), lang="en")
>>> panel["calls"], panel["words"]["calls"]
([], 'Calls')
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from orgmap.domain.calls import current_calls
from orgmap.domain.model import DebtorFacts, DebtorMap
from orgmap.i18n import label, normalize_lang

__all__ = ["debtor_panel"]

_WORDS = {
    "en": {
        "calls": "Calls",
        "promises": "Promises",
        "facts": "Facts",
        "none": "None yet.",
        "yes": "yes",
        "no": "no",
        "unknown": "not known",
        "by": "due",
        "reason_unpaid": "Why not paid",
        "who_pays": "Who pays",
        "money_in_account": "Money in the account",
        "salaries_on_time": "Salaries paid on time",
        "leaders_aware": "Leaders know of the debt",
        "top_leader": "Highest leader responsible",
        "top_leader_mobile": "Leader's mobile",
        "top_leader_email": "Leader's email",
        "address_verified": "Address verified",
        "registration_verified": "Business registration verified",
    },
    "zh-CN": {
        "calls": "通话记录",
        "promises": "还款承诺",
        "facts": "事实清单",
        "none": "暂无。",
        "yes": "是",
        "no": "否",
        "unknown": "未知",
        "by": "截止",
        "reason_unpaid": "未付款原因",
        "who_pays": "谁负责付款",
        "money_in_account": "账上有钱",
        "salaries_on_time": "工资按时发放",
        "leaders_aware": "领导知道欠款",
        "top_leader": "负责付款的最高领导",
        "top_leader_mobile": "领导手机",
        "top_leader_email": "领导邮箱",
        "address_verified": "地址已核实",
        "registration_verified": "工商登记已核实",
    },
}

_FACTS = (
    "reason_unpaid",
    "who_pays",
    "money_in_account",
    "salaries_on_time",
    "leaders_aware",
    "top_leader",
    "top_leader_mobile",
    "top_leader_email",
    "address_verified",
    "registration_verified",
)


def debtor_panel(
    m: DebtorMap, *, lang: str, timezone: str = "Asia/Shanghai", limit: int = 200
) -> dict[str, Any]:
    """What the exported page shows beside the map: ``calls`` (as they stand after
    corrections, newest first, at most ``limit``), ``promises`` (newest first),
    ``facts`` (label and value, in the checklist's order) and the panel's ``words``.
    Times are shown in ``timezone``."""
    lang = normalize_lang(lang)
    words = _WORDS[lang]
    zone = ZoneInfo(timezone)
    names = {c.key: c.name for c in m.contacts}
    calls = sorted(current_calls(m.interactions), key=lambda i: i.at, reverse=True)

    def when(at: Any) -> str:
        return str(at.astimezone(zone).strftime("%Y-%m-%d %H:%M"))

    shown = [
        {
            "at": when(i.at),
            "who": names.get(i.contact, i.contact),
            "channel": label(i.channel, lang),
            "outcome": label(i.outcome, lang),
            "note": i.note,
        }
        for i in calls[:limit]
    ]
    promises = [
        {
            "at": when(i.at),
            "who": names.get(i.contact, i.contact),
            "amount": f"{i.promise_amount:,.2f} {m.debtor.currency}",
            "date": i.promise_date.isoformat() if i.promise_date else "",
        }
        for i in calls
        if i.promise_amount is not None
    ]
    return {
        "calls": shown,
        "more_calls": max(0, len(calls) - limit),
        "promises": promises,
        "facts": _facts(m.debtor.facts, words),
        "words": words,
    }


def _facts(facts: DebtorFacts, words: dict[str, str]) -> list[dict[str, str]]:
    rows = []
    for name in _FACTS:
        value = getattr(facts, name)
        if isinstance(value, bool):
            text = words["yes"] if value else words["no"]
        elif value is None:
            text = words["unknown"]
        else:
            text = str(value)
        if text:
            rows.append({"label": words[name], "value": text})
    return rows
