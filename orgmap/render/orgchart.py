"""Where each contact sits in the top-down org chart (the map's hierarchical layout).

vis-network draws a hierarchical layout from one number per node, its level
(0 at the top).  Here that number comes from the department (owner, then
management, finance and legal, sales and purchasing, reception), refined by
``reports_to`` inside a department, with wide rows wrapped so that a
200-contact map stays roughly as wide as it is tall instead of one long line.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from orgmap.domain.model import Contact, Department, Relation, RelationType
from orgmap.render.style import DEPARTMENT_BAND

__all__ = ["org_levels"]


def org_levels(
    contacts: Sequence[Contact], relations: Sequence[Relation], *, row_width: int | None = None
) -> dict[str, int]:
    """The level of every contact, by key; relations must join contacts in ``contacts``.

    * Departments stack in bands (see :data:`orgmap.render.style.DEPARTMENT_BAND`);
      empty bands take no room.
    * Within a band, someone who ``reports_to`` a colleague of the same band sits
      a level below them (cycles, which are bad data, are cut where they close).
    * A row holds at most ``row_width`` contacts (default: about 1.2 √n, at
      least 8); the rest wrap onto the next level.
    * An external contact with a relation into the company (a customer who can
      lean on the boss) joins the row of the highest person they are related to,
      at its end (``contacts`` order), wrapping with it when the row is full.

    >>> from orgmap.domain.model import Contact, Department as D, Relation, RelationType as T
    >>> people = [Contact("boss", "Wang", D.OWNER), Contact("cfo", "Zhang", D.FINANCE),
    ...           Contact("clerk", "Li", D.FINANCE), Contact("cust", "Chen", D.EXTERNAL)]
    >>> links = [Relation("clerk", "cfo", T.REPORTS_TO), Relation("cust", "boss", T.INFLUENCES)]
    >>> org_levels(people, links)
    {'boss': 0, 'cfo': 1, 'clerk': 2, 'cust': 0}
    """
    keys = [c.key for c in contacts]
    department = {c.key: c.department for c in contacts}
    band = {key: DEPARTMENT_BAND[department[key]] for key in keys}
    depth = _reporting_depth(keys, relations, band)
    group = {key: (band[key], depth[key]) for key in keys}
    for r in relations:
        inside = department[r.target] != Department.EXTERNAL
        if department[r.source] == Department.EXTERNAL and inside:
            # Joins the highest group it leans on; it wraps with that group.
            group[r.source] = min(group[r.source], group[r.target])

    width = row_width or max(8, math.ceil(1.2 * math.sqrt(len(keys))))
    rows: dict[tuple[int, int], list[str]] = defaultdict(list)
    for key in keys:
        rows[group[key]].append(key)
    levels: dict[str, int] = {}
    top = 0
    for row in sorted(rows):
        members = rows[row]
        for i, key in enumerate(members):
            levels[key] = top + i // width
        top += math.ceil(len(members) / width)
    return {key: levels[key] for key in keys}


def _reporting_depth(
    keys: list[str], relations: Sequence[Relation], band: dict[str, int]
) -> dict[str, int]:
    """How many same-band bosses are above each contact (0 for the band's top)."""
    bosses: dict[str, list[str]] = defaultdict(list)
    for r in relations:
        if r.type == RelationType.REPORTS_TO and band[r.source] == band[r.target]:
            bosses[r.source].append(r.target)
    # Iterative depth-first search: a 2,000-long chain must not hit the recursion limit.
    depth: dict[str, int] = {}
    deepest_boss: dict[str, int] = {}
    on_path: set[str] = set()
    for root in keys:
        if root in depth:
            continue
        stack = [(root, iter(bosses.get(root, ())))]
        on_path.add(root)
        deepest_boss[root] = -1
        while stack:
            key, pending = stack[-1]
            for boss in pending:
                if boss in on_path:  # a cycle closes here: cut it
                    continue
                if boss in depth:
                    deepest_boss[key] = max(deepest_boss[key], depth[boss])
                    continue
                on_path.add(boss)
                deepest_boss[boss] = -1
                stack.append((boss, iter(bosses.get(boss, ()))))
                break
            else:
                stack.pop()
                on_path.discard(key)
                depth[key] = deepest_boss[key] + 1
                if stack:
                    below = stack[-1][0]
                    deepest_boss[below] = max(deepest_boss[below], depth[key])
    return depth
