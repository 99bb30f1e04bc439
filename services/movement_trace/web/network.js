// A case's network as inline SVG, no library: the case on the left, its F1 in the middle,
// their F2 on the right; each edge names where and when they met (the checkpoint or the
// journey, and the time of the first exposure). A quarantined person is outlined.
// Wider than a phone: it scrolls sideways in its box (which takes the focus, so that the
// arrow keys scroll it too).
import { t } from "./i18n.js";
import { short, when } from "./evidence.js";

const NS = "http://www.w3.org/2000/svg";
const ROW = 64, COLUMN = 250, WIDTH = 760, TOP = 30;

function el(name, attrs, text) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text) node.textContent = text;
  return node;
}

// What an edge says: the first exposure's place (checkpoint, or flight/train and seat) and time.
function edgeLabel(exposures) {
  const first = [...exposures].sort((a, b) => Date.parse(a.start) - Date.parse(b.start))[0];
  if (!first) return "";
  const where = first.journey ? `${first.journey.number} ${first.journey.seat || ""}`.trim() : first.checkpoint_id;
  return `${where} · ${when(first.met_start > first.start ? first.met_start : first.start)}`;
}

export function drawNetwork(container, net, summary) {
  const ones = net.contacts.filter((c) => c.degree === 1);
  const twos = net.contacts.filter((c) => c.degree === 2);
  const quarantined = new Set(net.orders.filter((o) => !o.released_at).map((o) => o.subject_id));
  const height = TOP * 2 + Math.max(ones.length, twos.length, 1) * ROW;
  const y = (i, n) => TOP + (height - 2 * TOP) * ((i + 0.5) / Math.max(n, 1));
  const where = new Map([[net.case.subject_id, { x: 70, y: height / 2 }]]);
  ones.forEach((c, i) => where.set(c.subject_id, { x: 70 + COLUMN, y: y(i, ones.length) }));
  twos.forEach((c, i) => where.set(c.subject_id, { x: 70 + 2 * COLUMN, y: y(i, twos.length) }));
  const svg = el("svg", { viewBox: `0 0 ${WIDTH} ${height}`, width: WIDTH, height, role: "img",
                          "aria-label": t("network_n", { one: ones.length, two: twos.length }) });
  const edges = el("g", { class: "edges" }), nodes = el("g", { class: "nodes" });
  for (const c of net.contacts) {
    // An F1's edge comes from the case; an F2's from each F1 they met.
    const sources = new Map();
    for (const e of c.exposures) if (where.has(e.met)) sources.set(e.met, [...(sources.get(e.met) || []), e]);
    const to = where.get(c.subject_id);
    for (const [met, exposures] of sources) {
      const from = where.get(met);
      const edge = el("g", { class: "edge" });
      edge.dataset.from = met;
      edge.dataset.to = c.subject_id;
      edge.append(el("line", { x1: from.x, y1: from.y, x2: to.x, y2: to.y, stroke: "#78909c", "stroke-width": 1.5 }));
      const label = edgeLabel(exposures);
      edge.append(el("text", { x: (from.x + to.x) / 2, y: (from.y + to.y) / 2 - 5, "text-anchor": "middle",
                               "font-size": 11, fill: "#37474f", class: "evidence" }, label));
      edge.append(el("title", {}, label));
      edges.append(edge);
    }
  }
  for (const [subject, { x, y: top }] of where) {
    const degree = subject === net.case.subject_id ? 0 : net.contacts.find((c) => c.subject_id === subject).degree;
    const node = el("g", { class: `node f${degree}` });
    node.dataset.subject = subject;
    const fill = ["#c62828", "#ef6c00", "#f9a825"][degree];
    node.append(el("circle", { cx: x, cy: top, r: 14, fill, stroke: quarantined.has(subject) ? "#0d47a1" : "#fff",
                               "stroke-width": quarantined.has(subject) ? 4 : 2 }));
    node.append(el("text", { x, y: top + 4, "text-anchor": "middle", "font-size": 10, fill: "#fff" }, `F${degree}`));
    node.append(el("text", { x, y: top + 28, "text-anchor": "middle", "font-size": 10, fill: "#263238" }, short(subject)));
    node.append(el("title", {}, subject));
    nodes.append(node);
  }
  svg.append(edges, nodes);
  container.replaceChildren(svg);
  summary.textContent = t("network_n", { one: ones.length, two: twos.length });
}
