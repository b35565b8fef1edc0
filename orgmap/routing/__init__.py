"""Routing: the cheapest, explained route to whoever authorizes payment.

Pure functions over one debtor's :class:`~orgmap.domain.model.DebtorMap`: no
database, no UI.  The usual entry is :func:`cheapest_routes`; the service
loads the map and the weights (honouring ``ORGMAP_ROUTING_WEIGHTS``), and the
CLI prints :func:`answer_to_json` or :func:`format_plan`.
"""

from orgmap.routing.costs import (
    Cost,
    History,
    Reason,
    contact_cost,
    entry_cost,
    first_channel,
    start_cost,
    summarize_history,
)
from orgmap.routing.graph import Targets, build_graph, select_targets
from orgmap.routing.plan import answer_to_json, format_plan
from orgmap.routing.routes import (
    Route,
    RouteAnswer,
    Step,
    cheapest_routes,
    find_buck_loops,
    note_known_elsewhere,
    route_contacts,
)
from orgmap.routing.tactics import LANGUAGES
from orgmap.routing.weights import Weights, WeightsError, load_weights

__all__ = [
    "LANGUAGES",
    "Cost",
    "History",
    "Reason",
    "Route",
    "RouteAnswer",
    "Step",
    "Targets",
    "Weights",
    "WeightsError",
    "answer_to_json",
    "build_graph",
    "cheapest_routes",
    "contact_cost",
    "entry_cost",
    "find_buck_loops",
    "first_channel",
    "format_plan",
    "load_weights",
    "note_known_elsewhere",
    "route_contacts",
    "select_targets",
    "start_cost",
    "summarize_history",
]
