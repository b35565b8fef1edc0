/* The standalone page: read the embedded spec, draw it, wire the header.
 * Tests wait for document.body.dataset.orgmapReady === "1" and may use
 * window.orgmapNetwork (the vis.Network). */
(function () {
  "use strict";
  const spec = JSON.parse(document.getElementById("orgmap-data").textContent);
  const byId = new Map(spec.nodes.map((n) => [n.id, n]));
  const network = orgmapDraw(document.getElementById("orgmap-root"), spec, {
    onReady: (net, ms) => {
      document.body.dataset.orgmapStableMs = String(Math.round(ms));
      document.body.dataset.orgmapReady = "1";
    },
    onSelect: (key) => {
      document.body.dataset.orgmapSelected = key;
    },
  });
  window.orgmapNetwork = network;

  const routeList = document.getElementById("orgmap-route");
  if (spec.route.length) {
    routeList.appendChild(orgmapText("li", spec.words.route + ":", "orgmap-route-label"));
    spec.route.forEach((key, i) => {
      if (i) routeList.appendChild(orgmapText("li", "→", "orgmap-route-sep"));
      const step = orgmapText("li", i + 1 + ". " + orgmapName(byId.get(key)), "orgmap-route-step");
      step.addEventListener("click", () => {
        network.selectNodes([key]);
        network.focus(key, { scale: 1.1, animation: { duration: 300 } });
      });
      routeList.appendChild(step);
    });
  }

  const search = document.getElementById("orgmap-search");
  const status = document.getElementById("orgmap-search-status");
  search.placeholder = spec.words.search;
  search.addEventListener("input", () => {
    const query = search.value.trim().toLowerCase();
    status.textContent = "";
    if (!query) {
      network.unselectAll();
      return;
    }
    const hits = spec.nodes
      .filter((n) => (orgmapName(n) + " " + n.id).toLowerCase().includes(query))
      .map((n) => n.id);
    if (!hits.length) {
      status.textContent = spec.words.no_match;
      return;
    }
    network.selectNodes(hits);
    network.fit({ nodes: hits, maxZoomLevel: 1.2, animation: { duration: 300 } });
  });

  // The side panel: the debtor's calls (newest first), promises and facts, as text.
  const panel = spec.panel;
  const panelHost = document.getElementById("orgmap-panel");
  if (panel && panelHost) {
    const w = panel.words;
    const section = (heading, items, draw) => {
      panelHost.appendChild(orgmapText("h2", heading));
      if (!items.length) {
        panelHost.appendChild(orgmapText("p", w.none, "orgmap-panel-meta"));
        return;
      }
      const list = document.createElement("ol");
      for (const item of items) list.appendChild(draw(item));
      panelHost.appendChild(list);
    };
    section(w.calls, panel.calls, (call) => {
      const row = document.createElement("li");
      row.dataset.panel = "call";
      row.appendChild(orgmapText("div", call.at + " · " + call.who, "orgmap-panel-meta"));
      row.appendChild(orgmapText("div", call.channel + " · " + call.outcome));
      if (call.note) row.appendChild(orgmapText("div", call.note, "orgmap-panel-note"));
      return row;
    });
    section(w.promises, panel.promises, (promise) => {
      const row = document.createElement("li");
      row.dataset.panel = "promise";
      row.appendChild(orgmapText("div", promise.at + " · " + promise.who, "orgmap-panel-meta"));
      row.appendChild(
        orgmapText("div", promise.amount + (promise.date ? " · " + w.by + " " + promise.date : ""))
      );
      return row;
    });
    panelHost.appendChild(orgmapText("h2", w.facts));
    if (panel.facts.length) {
      const facts = document.createElement("dl");
      for (const fact of panel.facts) {
        facts.appendChild(orgmapText("dt", fact.label));
        facts.appendChild(orgmapText("dd", fact.value));
      }
      panelHost.appendChild(facts);
    } else {
      panelHost.appendChild(orgmapText("p", w.none, "orgmap-panel-meta"));
    }
    panelHost.hidden = false;
  }

  const fit = document.getElementById("orgmap-fit");
  fit.textContent = spec.words.fit;
  fit.addEventListener("click", () => network.fit({ animation: { duration: 300 } }));
})();
