"""GraphML export, read back with networkx."""

from __future__ import annotations

import io
from decimal import Decimal

import networkx as nx

from orgmap.domain.model import (
    Contact,
    Debtor,
    DebtorMap,
    Department,
    Disposition,
    Phone,
    PhoneKind,
    Relation,
    RelationType,
)
from orgmap.interchange.graphml import graphml_bytes

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_NOTE = '</script><script>alert("x")</script> & <!-- --> ]]>'


def make_map() -> DebtorMap:
    return DebtorMap(
        debtor=Debtor(key="acme", name="恒达 </script>", amount_owed=Decimal("1.00")),
        contacts=(
            Contact(
                key="qiantai",
                name=HOSTILE_NAME,
                title="前台",
                department=Department.RECEPTION,
                disposition=Disposition.SHEEP,
                phones=(
                    Phone("+862164851230", "801", PhoneKind.FIXED_LINE),
                    Phone("+8613816882045", None, PhoneKind.MOBILE),
                ),
                notes="not exported",
            ),
            Contact(
                key="boss",
                name="王建国",
                department=Department.MANAGEMENT,
                disposition=Disposition.EAGLE,
                authorizes_payment=True,
                email="wang@example.com",
                do_not_contact=True,
            ),
            Contact(key="gone", name="离职", department=Department.SALES, archived=True),
        ),
        relations=(
            Relation("qiantai", "boss", RelationType.REFERS_TO, note=HOSTILE_NOTE),
            Relation("qiantai", "boss", RelationType.GATEKEEPS),
            Relation("boss", "qiantai", RelationType.COLLEAGUE, archived=True),
            Relation("gone", "boss", RelationType.REPORTS_TO),
        ),
    )


def read_back(m: DebtorMap) -> nx.MultiDiGraph:
    return nx.read_graphml(io.BytesIO(graphml_bytes(m)))


def test_nodes_carry_contact_attributes():
    graph = read_back(make_map())
    assert sorted(graph.nodes) == ["boss", "qiantai"]  # archived contact left out
    reception = graph.nodes["qiantai"]
    assert reception["name"] == HOSTILE_NAME
    assert reception["title"] == "前台"
    assert reception["department"] == "reception"
    assert reception["disposition"] == "sheep"
    assert reception["authorizes_payment"] is False
    assert reception["phones"] == "+862164851230;ext=801, +8613816882045"
    assert "notes" not in reception
    boss = graph.nodes["boss"]
    assert boss["authorizes_payment"] is True and boss["do_not_contact"] is True
    assert boss["email"] == "wang@example.com"


def test_edges_keep_every_relation_type_between_two_contacts():
    graph = read_back(make_map())
    edges = sorted((u, v, data["type"], data["note"]) for u, v, data in graph.edges(data=True))
    assert edges == [
        ("qiantai", "boss", "gatekeeps", ""),
        ("qiantai", "boss", "refers_to", HOSTILE_NOTE),
    ]  # archived relation and relations of archived contacts left out


def test_hostile_text_is_escaped_not_markup():
    raw = graphml_bytes(make_map())
    assert b"<img" not in raw and b"</script>" not in raw
    assert b"&lt;img src=x onerror=alert(1)&gt;" in raw
    graph = read_back(make_map())
    assert graph.graph["debtor_name"] == "恒达 </script>"
    assert graph.graph["debtor_key"] == "acme"


def test_output_is_utf8_xml_and_stable():
    raw = graphml_bytes(make_map())
    assert raw.startswith(b"<?xml") and "王建国".encode() in raw
    assert graphml_bytes(make_map()) == raw


def test_empty_map():
    graph = read_back(DebtorMap(debtor=Debtor(key="e", name="空", amount_owed=Decimal(0))))
    assert graph.number_of_nodes() == 0
