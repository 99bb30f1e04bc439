// The timeline drawn as inline SVG: one lane for declarations, one for checkpoints;
// stays (in → out at the same checkpoint) as bars, everything else as dots.
import { t } from "./i18n.js";
import { vnMidnights } from "/shared/vn-time.js";

const NS = "http://www.w3.org/2000/svg";
const COLORS = { declared: "#1565c0", identity_verified: "#2e7d32", identity_rejected: "#c62828",
  passed: "#6a1b9a", refused: "#c62828", ward_notified: "#ef6c00", followed_up: "#00838f" };

function el(name, attrs, text) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text) node.textContent = text;
  return node;
}

function stays(movements) {
  const open = new Map();
  const bars = [];
  for (const m of movements) {
    if (m.kind !== "passed" || !m.checkpoint_id) continue;
    if (m.direction === "in") open.set(m.checkpoint_id, m);
    else if (m.direction === "out" && open.has(m.checkpoint_id)) {
      bars.push([open.get(m.checkpoint_id), m]);
      open.delete(m.checkpoint_id);
    }
  }
  return bars;
}

export function drawTimeline(container, timeline, when) {
  const width = Math.max(container.clientWidth, 300), height = 150, left = 8, right = 8;
  const start = Date.parse(timeline.start), end = Date.parse(timeline.end);
  const x = (iso) => left + ((Date.parse(iso) - start) / Math.max(end - start, 1)) * (width - left - right);
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", height, "data-points": timeline.movements.length });
  const lanes = { status: 40, place: 100 };
  for (const [lane, y] of Object.entries(lanes)) {
    svg.append(el("line", { x1: left, x2: width - right, y1: y, y2: y, stroke: "#bbb" }));
    svg.append(el("text", { x: left, y: y - 14, "font-size": 11, fill: "#555" }, t(`lane_${lane}`)));
  }
  for (const midnight of vnMidnights(start, end)) {
    const iso = new Date(midnight).toISOString();
    svg.append(el("line", { x1: x(iso), x2: x(iso), y1: 20, y2: 120, stroke: "#eee" }));
  }
  svg.append(el("text", { x: left, y: height - 8, "font-size": 11, fill: "#555" }, when(timeline.start)));
  svg.append(el("text", { x: width - right, y: height - 8, "font-size": 11, fill: "#555", "text-anchor": "end" }, when(timeline.end)));
  for (const [a, b] of stays(timeline.movements)) {
    svg.append(el("rect", { class: "stay", x: x(a.at), y: lanes.place - 6, height: 12, rx: 3,
      width: Math.max(x(b.at) - x(a.at), 2), fill: COLORS.passed, opacity: 0.35 }));
  }
  for (const m of timeline.movements) {
    const y = m.checkpoint_id ? lanes.place : lanes.status;
    const dot = el("circle", { class: "point", cx: x(m.at), cy: y, r: 5, fill: COLORS[m.kind] || "#333" });
    dot.append(el("title", {}, `${t(m.kind)} ${m.checkpoint_id || m.ward_code || ""} ${when(m.at)}`));
    svg.append(dot);
  }
  container.replaceChildren(svg);
}
