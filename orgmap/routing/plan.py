"""A route answer for the outside world: the ``--json`` document and a readable plan."""

from __future__ import annotations

from typing import Any

from orgmap.routing.routes import RouteAnswer
from orgmap.routing.tactics import check_language, format_amount, say

__all__ = ["answer_to_json", "format_plan"]


def answer_to_json(answer: RouteAnswer) -> dict[str, Any]:
    """The answer as the ``route --json`` document of issue 3 (costs to 2 decimals).

    Examples
    --------
    >>> from orgmap.routing.routes import Route, Step
    >>> step = Step("li", "Li", "phone", 1.0, ("a call +1",), "Ask who pays.")
    >>> answer = RouteAnswer("acme", False, (Route(1.0, "li", (step,)),), (), ())
    >>> answer_to_json(answer)["routes"][0]["steps"][0]["via"]
    'phone'
    """
    return {
        "debtor": answer.debtor,
        "discovery": answer.discovery,
        "routes": [
            {
                "cost": round(route.cost, 2),
                "target": route.target,
                "steps": [
                    {
                        "contact": step.contact,
                        "name": step.name,
                        "via": step.via,
                        "cost": round(step.cost, 2),
                        "reasons": list(step.reasons),
                        "hint": step.hint,
                    }
                    for step in route.steps
                ],
            }
            for route in answer.routes
        ],
        "learn_next": list(answer.learn_next),
        "warnings": list(answer.warnings),
    }


def format_plan(answer: RouteAnswer, lang: str) -> str:
    """The answer as a numbered plan for a terminal, labels in ``lang``.

    ``lang`` should be the language the answer was made in, since reasons
    and hints come from the answer as they are.

    Examples
    --------
    >>> from orgmap.routing.routes import Route, Step
    >>> step = Step("li", "Li", "phone", 1.0, ("a call +1",), "Ask who pays.")
    >>> answer = RouteAnswer("acme", False, (Route(1.0, "li", (step,)),), (), ())
    >>> print(format_plan(answer, "en"))
    Route plan for acme
    <BLANKLINE>
    Route 1 — cost 1 — reaches Li
      1. Contact Li by phone
         cost 1: a call +1
         tip: Ask who pays.
    """
    check_language(lang)
    lines = [say("plan.title", lang, debtor=answer.debtor)]
    if answer.discovery:
        lines.append(say("plan.discovery", lang))
    if not answer.routes:
        lines += ["", say("plan.no_routes", lang)]
    for n, route in enumerate(answer.routes, start=1):
        target = route.steps[-1].name
        cost = format_amount(route.cost)
        lines += ["", say("plan.route", lang, n=n, cost=cost, target=target)]
        for i, step in enumerate(route.steps, start=1):
            via = say(f"via.{step.via}", lang)
            key = "plan.step_first" if i == 1 else "plan.step_next"
            reasons = say("sep.reasons", lang).join(step.reasons)
            lines += [
                "  " + say(key, lang, n=i, name=step.name, via=via),
                "     " + say("plan.cost", lang, cost=format_amount(step.cost), reasons=reasons),
                "     " + say("plan.hint", lang, hint=step.hint),
            ]
    for title, items in (
        ("plan.learn_next", answer.learn_next),
        ("plan.warnings", answer.warnings),
    ):
        if items:
            lines += ["", say(title, lang), *(f"  - {item}" for item in items)]
    return "\n".join(lines)
