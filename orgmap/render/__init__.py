"""Drawing a debtor's map: a vis-network spec (pure) and a standalone offline HTML page.

>>> from orgmap.render import legend
>>> legend("en")[0]["label"]
'owner'
"""

from orgmap.render.html import json_for_html, map_assets, render_html
from orgmap.render.mapspec import LAYOUTS, map_spec
from orgmap.render.style import LegendItem, legend

__all__ = [
    "LAYOUTS",
    "LegendItem",
    "json_for_html",
    "legend",
    "map_assets",
    "map_spec",
    "render_html",
]
