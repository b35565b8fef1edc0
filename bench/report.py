"""The benchmark's results as a compact table, and the issues' goals checked against them.

Both read the results document that ``python -m bench`` writes to
``bench/results/latest.json``, so an old run can be reprinted.
"""

from __future__ import annotations

from typing import Any

__all__ = ["GOALS_MS", "format_report", "judge_goals"]

#: Issue 3: one 60-contact answer, median (ms).
GOALS_MS = {"sqlite": 3.0, "postgres": 5.0}
RATIO_GOAL = 1.3  # the whole team against 100 debtors, same debtor
COLD_START_GOAL_MS = 800.0  # issue 9: at most 0.8 s with SQLModel loaded
# Issue 4, at 200 contacts.
MAP_WARM_GOAL_MS = 20.0
MAP_HTML_GOAL_KB = 800.0
MAP_LAYOUT_GOAL_MS = 2000.0

_NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def judge_goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each goal the results can speak to: what, the value measured, the limit, met or not."""
    goals: list[dict[str, Any]] = []

    def check(what: str, value: float, limit: float, unit: str) -> None:
        goals.append(
            {
                "what": what,
                "value": round(value, 3),
                "limit": limit,
                "unit": unit,
                "met": value < limit,
            }
        )

    for kind, figures in results.get("routing", {}).items():
        name = _NAMES[kind]
        sixty = figures["debtors"].get("60")
        if sixty and kind in GOALS_MS:
            check(
                f"{name}: 60-contact answer, median",
                sixty["team"]["median_ms"],
                GOALS_MS[kind],
                "ms",
            )
        for size, by_team in figures["debtors"].items():
            check(
                f"{name}: {size}-contact answer, whole team vs 100 debtors",
                by_team["ratio"],
                RATIO_GOAL,
                "x",
            )
        cold = figures["cold_start"]
        check(f"{name}: cold start of `orgmap route`", cold["median_ms"], COLD_START_GOAL_MS, "ms")
        check(
            f"{name}: modules of streamlit or pyvis imported by `orgmap route`",
            len(cold["forbidden_imported"]),
            1,
            "modules",
        )
    for m in results.get("maps", []):
        if m["contacts"] != 200:
            continue
        check("map of 200 contacts, warm, median", m["warm"]["median_ms"], MAP_WARM_GOAL_MS, "ms")
        check("map of 200 contacts, HTML size", m["html_kb"], MAP_HTML_GOAL_KB, "KB")
        if m.get("browser_layout_ms") is not None:
            check(
                "map of 200 contacts, layout still in Chromium",
                m["browser_layout_ms"],
                MAP_LAYOUT_GOAL_MS,
                "ms",
            )
    return goals


def format_report(results: dict[str, Any]) -> str:
    """A compact plain-text table of ``results`` (times in ms)."""
    lines: list[str] = []
    routing = results.get("routing", {})
    if routing:
        plan = results["plan"]
        lines += [
            f"Routing: route_debtor(k=3) = load one debtor + same-person look-up + graph + top-3"
            f" routes; {plan['runs']} runs each",
            f"{'database':<11}{'debtor':<13}{plan['small']:>8,} debtors    "
            f"{plan['team']:>8,} debtors    ratio   floor   phases, whole team (median ms)",
            f"{'':<24}{'median':>9}{'p95':>8}  {'median':>10}{'p95':>8}",
        ]
        for kind, figures in routing.items():
            for size, by_team in figures["debtors"].items():
                small, team = by_team["small"], by_team["team"]
                floor = by_team["floor"]["team"]["median_ms"]
                phases = " ".join(f"{k} {v:.2f}" for k, v in team["phases_median_ms"].items())
                lines.append(
                    f"{_NAMES[kind]:<11}{size + ' contacts':<13}"
                    f"{small['median_ms']:>9.2f}{small['p95_ms']:>8.2f}  "
                    f"{team['median_ms']:>10.2f}{team['p95_ms']:>8.2f}"
                    f"{by_team['ratio']:>8.2f}{floor:>8.2f}   {phases}"
                )
        lines.append("")
        for kind, figures in routing.items():
            cold = figures["cold_start"]
            loaded = figures["loads"]["team"]
            forbidden = ", ".join(cold["forbidden_imported"]) or "neither streamlit nor pyvis"
            lines.append(
                f"{_NAMES[kind]:<11}cold start `python -m orgmap route`: {cold['median_ms']:.0f} ms"
                f" (bare interpreter {cold['interpreter_ms']:.0f} ms; imports {forbidden})"
            )
            lines.append(
                f"{'':<11}loaded {loaded['debtors']:,} debtors / {loaded['contacts']:,} contacts"
                f" / {loaded['phones']:,} phones / {loaded['relations']:,} relations"
                f" / {loaded['interactions']:,} calls in {loaded['seconds']:.0f} s"
            )
    maps = results.get("maps", [])
    if maps:
        lines += [
            "",
            "Map: map_spec + render_html, hierarchical layout (ms; each size in a fresh process)",
            f"{'contacts':>8}{'first':>9}{'warm':>9}{'p95':>8}{'spec':>8}{'html':>8}"
            f"{'HTML KB':>9}{'layout in Chromium':>20}",
        ]
        for m in maps:
            layout = m.get("browser_layout_ms")
            lines.append(
                f"{m['contacts']:>8,}{m['first_ms']:>9.1f}{m['warm']['median_ms']:>9.1f}"
                f"{m['warm']['p95_ms']:>8.1f}{m['spec_ms']:>8.1f}{m['html_ms']:>8.1f}"
                f"{m['html_kb']:>9.0f}{'-' if layout is None else f'{layout:.0f}':>20}"
            )
    goals = results.get("goals", [])
    if goals:
        lines += ["", "Goals"]
        for g in goals:
            mark = "met   " if g["met"] else "MISSED"
            lines.append(f"  {mark} {g['what']}: {g['value']:g} {g['unit']} (< {g['limit']:g})")
    machine = results.get("machine", {})
    lines += [
        "",
        f"{machine.get('cpus')} CPUs ({machine.get('cpu_model')}), Python {machine.get('python')},"
        f" load average {machine.get('load_average_before')} -> "
        f"{machine.get('load_average_after')}; {results.get('command')}",
    ]
    return "\n".join(lines)
