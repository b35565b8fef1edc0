"""Files in and out: the ``orgmap/1`` JSON format, CSV contact lists and GraphML.

Pure code: no database, no Streamlit.
"""

from orgmap.interchange.contacts_csv import parse_contacts_csv
from orgmap.interchange.document import (
    FORMAT,
    ParsedDocument,
    dump_document,
    dumps_document,
    parse_document,
)
from orgmap.interchange.graphml import graphml_bytes

__all__ = [
    "FORMAT",
    "ParsedDocument",
    "dump_document",
    "dumps_document",
    "graphml_bytes",
    "parse_contacts_csv",
    "parse_document",
]
