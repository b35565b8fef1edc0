"""The k cheapest paths through a routing graph, none of them a detour.

A *path* is a list of contact keys: it starts at a contact we can call
first-hand (node attribute ``start``, the cost of that first call), follows the
graph's edges (attribute ``weight``, the whole hop) and ends at the first
target it reaches.  Its cost is the first call plus the hops.

A path is a *detour* when it reaches a contact through others for no less
than calling that contact directly would cost (issue 11): calling them first
and going on from there the same way is no dearer.  Detours are never
returned.  Leaving them out never loses the cheapest cost: cut a detour at its
last such contact and it becomes a path at most as dear, so the cheapest path
is never (only) a detour.

:func:`cheapest_paths` is Yen's k-shortest loop-free paths, as networkx's
``shortest_simple_paths``, over a search that networkx does not offer: each
contact reached by a hop must be reached for less than its direct call, a
deadline the search checks as it goes.  Because the deadline depends only on
the cost so far, and a cheaper arrival is both better and more likely to meet
it, Dijkstra's search with the deadlines stays exact, and so does Yen's
algorithm over it.  Filtering a plain k-shortest enumeration instead could
walk thousands of detours on a large map before finding k routes.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Collection, Hashable, Sequence
from itertools import count, pairwise

import networkx as nx

__all__ = ["DETOUR_SLACK", "cheapest_paths"]

#: Costs are sums of floats: a hop arriving within this of the direct call counts
#: as "no cheaper" (the rule says "for no more than"), whatever the rounding.
DETOUR_SLACK = 1e-9

_Key = Hashable


def cheapest_paths(G: nx.DiGraph, targets: Collection[_Key], k: int) -> list[list[_Key]]:
    """Up to ``k`` cheapest loop-free paths to a target that are not detours, cheapest first.

    Parameters
    ----------
    G : networkx.DiGraph
        Nodes may carry ``start`` (an object with an ``amount``, or None);
        edges carry ``weight`` (a number at least 0).
    targets : collection
        Where paths end: a path stops at the first target it reaches.
    k : int
        How many paths at most.

    Returns
    -------
    list of lists
        Distinct node lists, each costing at least as much as the one
        before; paths that cost the same come in a fixed order.

    Examples
    --------
    >>> from types import SimpleNamespace as Cost
    >>> G = nx.DiGraph()
    >>> G.add_node("desk", start=Cost(amount=1.0))
    >>> G.add_node("boss", start=Cost(amount=1.0))
    >>> G.add_node("cfo", start=None)
    >>> G.add_edge("desk", "boss", weight=1.2)  # dearer than the boss's own number
    >>> G.add_edge("desk", "cfo", weight=1.5)
    >>> cheapest_paths(G, {"boss", "cfo"}, k=5)
    [['boss'], ['desk', 'cfo']]
    """
    search = _Search(G, frozenset(targets))
    first = search.cheapest(root=(), root_cost=0.0, banned_next=frozenset())
    if first is None:
        return []
    found: list[tuple[float, tuple[_Key, ...]]] = [first]
    seen = {first[1]}
    candidates: list[tuple[float, int, tuple[int, ...], int, tuple[_Key, ...]]] = []
    tiebreak = count()
    while len(found) < k:
        _, path = found[-1]
        costs = search.costs_so_far(path)
        # Yen: every way of leaving the last path after each of its prefixes
        # (the empty prefix: another first call), avoiding the ways already taken.
        for i in range(len(path)):
            root = path[:i]
            banned_next = frozenset(p[i] for _, p in found if len(p) > i and p[:i] == root)
            spur = search.cheapest(
                root=root, root_cost=costs[i - 1] if i else 0.0, banned_next=banned_next
            )
            if spur is not None and spur[1] not in seen:
                seen.add(spur[1])
                cost, keys = spur
                order = search.order_of(keys)
                heapq.heappush(candidates, (cost, len(keys), order, next(tiebreak), keys))
        if not candidates:
            break
        cost, _, _, _, keys = heapq.heappop(candidates)
        found.append((cost, keys))
    return [list(path) for _, path in found]


class _Search:
    """Dijkstra's search for the cheapest completion of a path, with detours pruned."""

    def __init__(self, G: nx.DiGraph, targets: frozenset[_Key]) -> None:
        self.targets = targets
        self.index = {key: i for i, key in enumerate(G)}
        self.direct: dict[_Key, float] = {
            key: start.amount for key, start in G.nodes(data="start") if start is not None
        }
        # A route ends at the first target it reaches: no hop leaves a target.
        self.hops: dict[_Key, list[tuple[_Key, float]]] = {
            key: [] if key in targets else [(v, data["weight"]) for v, data in nbrs.items()]
            for key, nbrs in G.adjacency()
        }

    def order_of(self, path: Sequence[_Key]) -> tuple[int, ...]:
        return tuple(self.index[key] for key in path)

    def costs_so_far(self, path: Sequence[_Key]) -> list[float]:
        costs = [self.direct[path[0]]]
        for u, v in pairwise(path):
            costs.append(costs[-1] + next(w for x, w in self.hops[u] if x == v))
        return costs

    def cheapest(
        self, *, root: tuple[_Key, ...], root_cost: float, banned_next: frozenset[_Key]
    ) -> tuple[float, tuple[_Key, ...]] | None:
        """The cheapest path that begins with ``root`` and then goes on to none of ``banned_next``.

        ``root`` is a prefix of a path already found (so neither a detour nor at
        a target), ``root_cost`` its cost; the path never comes back to it.
        """
        inf = math.inf
        dist: dict[_Key, float] = {}
        before: dict[_Key, _Key | None] = {}
        heap: list[tuple[float, int, _Key]] = []
        if root:
            spur = root[-1]
            dist[spur] = root_cost
            heap.append((root_cost, self.index[spur], spur))
            taken = set(root[:-1])
        else:
            spur = None
            taken = set()
            for key, cost in self.direct.items():
                if key not in banned_next:
                    dist[key] = cost
                    before[key] = None
                    heap.append((cost, self.index[key], key))
            heapq.heapify(heap)
        done: set[_Key] = set()
        while heap:
            d, _, u = heapq.heappop(heap)
            if u in done:
                continue
            done.add(u)
            if u in self.targets:
                return d, (*root[:-1], *self._walk_back(before, u, stop=spur))
            for v, w in self.hops[u]:
                if v in taken or v in done or (u == spur and v in banned_next):
                    continue
                nd = d + w
                # Not a detour: a hop must beat the direct call to whoever it reaches.
                if nd >= self.direct.get(v, inf) - DETOUR_SLACK or nd >= dist.get(v, inf):
                    continue
                dist[v] = nd
                before[v] = u
                heapq.heappush(heap, (nd, self.index[v], v))
        return None

    @staticmethod
    def _walk_back(before: dict[_Key, _Key | None], key: _Key, *, stop: _Key | None) -> list[_Key]:
        path = [key]
        while key != stop and (key := before.get(key)) is not None:
            path.append(key)
        path.reverse()
        return path
