"""The standalone, offline HTML map of one debtor, with its best route highlighted."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.engine import Engine

from orgmap.render import map_spec, render_html
from orgmap.services.maps import debtor_map
from orgmap.services.routes import route_debtor

__all__ = ["export_html"]


def export_html(
    engine: Engine,
    *,
    debtor_key: str,
    lang: str = "en",
    layout: Literal["hierarchical", "free"] = "hierarchical",
) -> str:
    m = debtor_map(engine, debtor_key=debtor_key)
    answer = route_debtor(engine, debtor_key=debtor_key, k=1, lang=lang)
    best = [s.contact for s in answer.routes[0].steps] if answer.routes else []
    spec = map_spec(m, route_steps=best, layout=layout, lang=lang)
    return render_html(spec, title=f"{m.debtor.name} ({m.debtor.key})", lang=lang)
