"""GraphML export of one debtor's map, for networkx, Gephi, yEd or Cytoscape.

Nodes are the contacts (id = contact key), edges the relations; archived ones are
left out, as on the map in the app.  Two contacts may be joined by relations of
several types (she reports to him *and* referred us to him), so the graph is a
MultiDiGraph whose edge ids are ``type:from:to``.  Text is written as text:
escaping is the XML writer's job, and user input is never put into markup here.
"""

from __future__ import annotations

import io

import networkx as nx

from orgmap.domain.fields import format_phone
from orgmap.domain.model import DebtorMap

__all__ = ["build_export_graph", "graphml_bytes"]


def build_export_graph(m: DebtorMap) -> nx.MultiDiGraph:
    """The non-archived contacts and relations of ``m`` as an attributed graph."""
    graph = nx.MultiDiGraph(debtor_key=m.debtor.key, debtor_name=m.debtor.name)
    for contact in sorted(m.contacts, key=lambda c: c.key):
        if contact.archived:
            continue
        graph.add_node(
            contact.key,
            name=contact.name,
            title=contact.title,
            department=contact.department.value,
            disposition=contact.disposition.value,
            authorizes_payment=contact.authorizes_payment,
            do_not_contact=contact.do_not_contact,
            # ", " and not ";": our phone form uses ";ext=" for extensions.
            phones=", ".join(format_phone(p) for p in contact.phones),
            email=contact.email or "",
        )
    for relation in sorted(m.relations, key=lambda r: (r.source, r.target, r.type.value)):
        # A relation to an archived contact is hidden with the contact.
        if relation.archived or not (
            graph.has_node(relation.source) and graph.has_node(relation.target)
        ):
            continue
        graph.add_edge(
            relation.source,
            relation.target,
            key=f"{relation.type.value}:{relation.source}:{relation.target}",
            type=relation.type.value,
            note=relation.note,
        )
    return graph


def graphml_bytes(m: DebtorMap) -> bytes:
    """The GraphML document (UTF-8 XML) for one debtor's map."""
    buffer = io.BytesIO()
    nx.write_graphml(build_export_graph(m), buffer, encoding="utf-8")
    return buffer.getvalue()
