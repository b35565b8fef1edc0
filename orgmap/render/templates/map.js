/* orgmap: draw a debtor map (the spec from orgmap.render.mapspec) with vis-network.
 *
 * Shared by the standalone page (map.html) and the Streamlit component.
 * Safety rule: every string that may have been typed by a user reaches the DOM
 * through textContent, never parsed as markup; node labels are painted on the canvas.
 */

function orgmapText(tag, text, className) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  el.textContent = text == null ? "" : String(text);
  return el;
}

/* vis-network accepts an Element as a tooltip; ours holds text nodes only. */
function orgmapTooltip(text) {
  const box = document.createElement("div");
  box.className = "orgmap-tip";
  const lines = String(text).split("\n");
  box.appendChild(orgmapText("strong", lines[0], "orgmap-tip-head"));
  for (const line of lines.slice(1)) box.appendChild(orgmapText("div", line, "orgmap-tip-line"));
  return box;
}

function orgmapSwatch(item) {
  const sw = document.createElement("span");
  sw.className = "orgmap-swatch orgmap-swatch-" + item.kind;
  if (item.kind === "department") {
    sw.style.background = item.fill;
    sw.style.borderColor = item.stroke;
  } else if (item.kind === "marker") {
    sw.textContent = item.symbol;
    sw.style.borderColor = item.stroke;
    sw.style.borderStyle = item.dashed ? "dashed" : "solid";
  } else if (item.kind === "relation") {
    sw.style.borderTopColor = item.stroke;
    sw.style.borderTopStyle = item.dashed ? "dashed" : "solid";
    if (item.arrow) {
      const head = document.createElement("span");
      head.className = "orgmap-arrow";
      head.style.borderLeftColor = item.stroke;
      sw.appendChild(head);
    }
  }
  return sw;
}

/* Below this width (a phone) the map takes the whole width and the legend starts folded. */
const ORGMAP_NARROW = 720;

function orgmapLegend(host, spec, open, width) {
  const details = document.createElement("details");
  details.className = "orgmap-legend-box";
  // Open on small maps on a wide screen; otherwise the canvas needs the room and
  // one click opens it.
  const roomy = !(width > 0) || width >= ORGMAP_NARROW;
  details.open = open === undefined ? roomy && spec.nodes.length <= 40 : Boolean(open);
  details.appendChild(orgmapText("summary", spec.words.legend));
  const sections = [
    ["department", "departments"],
    ["marker", "markers"],
    ["disposition", "dispositions"],
    ["relation", "relations"],
  ];
  for (const [kind, heading] of sections) {
    const items = spec.legend.filter((item) => item.kind === kind);
    if (!items.length) continue;
    details.appendChild(orgmapText("div", spec.words[heading], "orgmap-legend-heading"));
    const list = document.createElement("ul");
    list.className = "orgmap-legend-" + kind;
    for (const item of items) {
      const row = document.createElement("li");
      row.dataset.legend = item.key;
      if (item.kind !== "disposition") row.appendChild(orgmapSwatch(item));
      row.appendChild(orgmapText("span", item.label, "orgmap-legend-label"));
      if (item.description) row.appendChild(orgmapText("span", item.description, "orgmap-legend-note"));
      list.appendChild(row);
    }
    details.appendChild(list);
  }
  host.replaceChildren(details);
}

function orgmapName(node) {
  return String(node.title || node.label || node.id).split("\n")[0];
}

/* Open on the whole map, fitted to its frame: every contact in view.  (Zooming
 * into the route instead left most of a big map outside the frame.) */
function orgmapFrame(network) {
  network.fit({ animation: false });
}

/* Draw spec into root (which holds [data-orgmap=network], and optionally
 * [data-orgmap=legend] and [data-orgmap=empty]).  hooks.onReady(network, ms)
 * runs once the layout is still; hooks.onSelect(key) on a click on a contact;
 * hooks.legendOpen overrides whether the legend starts open. */
function orgmapDraw(root, spec, hooks) {
  hooks = hooks || {};
  const container = root.querySelector("[data-orgmap=network]");
  const legendHost = root.querySelector("[data-orgmap=legend]");
  const emptyNote = root.querySelector("[data-orgmap=empty]");
  root.classList.toggle("orgmap-narrow", root.clientWidth > 0 && root.clientWidth < ORGMAP_NARROW);
  if (legendHost) orgmapLegend(legendHost, spec, hooks.legendOpen, root.clientWidth);
  if (emptyNote) {
    emptyNote.textContent = spec.words.empty;
    emptyNote.hidden = spec.nodes.length > 0;
  }
  const nodes = new vis.DataSet(
    spec.nodes.map((n) => Object.assign({}, n, { title: orgmapTooltip(n.title || orgmapName(n)) }))
  );
  const edges = new vis.DataSet(
    spec.edges.map((e) => (e.title ? Object.assign({}, e, { title: orgmapTooltip(e.title) }) : e))
  );
  const started = performance.now();
  // Data comes after the listeners so a fast stabilisation cannot be missed.
  const network = new vis.Network(container, { nodes: [], edges: [] }, spec.options);
  const physics = Boolean(spec.options.physics && spec.options.physics.enabled);
  let ready = false;
  let guard = null;
  const finish = () => {
    if (ready) return;
    ready = true;
    clearTimeout(guard);
    // Still after stabilisation: dragging one contact must not set the map swimming.
    if (physics) network.setOptions({ physics: { enabled: false } });
    orgmapFrame(network);
    if (hooks.onReady) hooks.onReady(network, performance.now() - started);
  };
  guard = setTimeout(finish, 6000);
  if (physics) network.once("stabilizationIterationsDone", finish);
  else network.once("afterDrawing", finish);
  network.on("click", (params) => {
    if (params.nodes.length && hooks.onSelect) hooks.onSelect(String(params.nodes[0]));
  });
  network.setData({ nodes, edges });
  if (!spec.nodes.length) finish();
  return network;
}
