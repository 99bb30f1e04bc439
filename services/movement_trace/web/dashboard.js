// The dashboard (GET /v1/dashboard): totals, a table per province and day, and three
// charts drawn with uPlot (vendored: web/vendor/, see docs/movement-trace.md for why
// uPlot). The x axis is the list of Viet Nam days (or hours) the service counted, by
// position, so no date is ever read in the device's zone.
//
// Live: while the box is ticked (the default) and the page is in view, the figures are
// asked for again every minute, and at once when the page comes back into view after
// that long. Each answer is an audited read under the purpose typed above, as a click is.
import { lang, onChange, t } from "./i18n.js";
import { calendarDay, vnDateTime } from "/shared/vn-time.js";

const $ = (id) => document.getElementById(id);
const FIGURES = ["cases", "quarantines", "f1", "followups", "arrivals", "arrivals_marked",
  "verified", "rejected", "passed", "refused"];
const COLORS = { cases: "#c62828", quarantines: "#0d47a1", followups: "#00838f", arrivals_marked: "#6a1b9a",
  verified: "#2e7d32", rejected: "#c62828", passed: "#1565c0", refused: "#ef6c00" };
const LIVE_EVERY_MS = 60_000;
const plots = new Map();
let api = null, last = null, loadedAt = 0, loading = null;

const provinceKey = (code) => (code == null ? "none" : String(code));
const provinceName = (code) => (code == null ? t("no_province") : last.province_names[code] || String(code));
const shortDay = (iso) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}`;

function selected(rows) {
  const chosen = $("dash-province").value;
  return chosen ? rows.filter((r) => provinceKey(r.province_code) === chosen) : rows;
}

function sumBy(rows, keys, key, field) {
  const sums = new Map(keys.map((k) => [k, 0]));
  for (const r of rows) sums.set(r[key], (sums.get(r[key]) || 0) + r[field]);
  return keys.map((k) => sums.get(k));
}

// One chart: x = positions 0…n-1 labelled from `labels`; bars for the hours, lines else.
function plot(id, labels, series, bars = false) {
  const container = $(id);
  plots.get(id)?.destroy();
  const width = Math.max(container.clientWidth, 280);
  const options = {
    width, height: 200, legend: { show: true },
    scales: { x: { time: false }, y: { range: (u, min, max) => [0, Math.max(max, 1)] } },
    axes: [{ values: (u, splits) => splits.map((i) => labels[i] ?? ""), space: 40 }, { space: 30 }],
    series: [{ label: "", value: (u, i) => labels[i] ?? "" }, ...series.map(([field, data]) => ({
      label: t(`n_${field}`), stroke: COLORS[field], width: 2, fill: bars ? `${COLORS[field]}55` : undefined,
      paths: bars ? window.uPlot.paths.bars({ size: [0.6, 30] }) : undefined, points: { show: !bars } }))],
  };
  const data = [labels.map((_, i) => i), ...series.map(([, values]) => values)];
  const chart = new window.uPlot(options, data, container);
  chart.root.dataset.points = String(series.reduce((n, [, values]) => n + values.reduce((a, b) => a + b, 0), 0));
  plots.set(id, chart);
}

function renderTable(rows) {
  const head = document.createElement("tr");
  for (const name of ["dash_day", "dash_prov", ...FIGURES.map((f) => `n_${f}`)]) {
    head.append(Object.assign(document.createElement("th"), { textContent: t(name) }));
  }
  $("dash-rows").tHead.replaceChildren(head);
  $("dash-rows").tBodies[0].replaceChildren(...rows.map((r) => {
    const tr = document.createElement("tr");
    tr.append(Object.assign(document.createElement("td"), { textContent: calendarDay(r.day, lang()) }),
      Object.assign(document.createElement("td"), { textContent: provinceName(r.province_code) }),
      ...FIGURES.map((f) => Object.assign(document.createElement("td"), { textContent: r[f] })));
    return tr;
  }));
}

function render() {
  const body = last;
  const rows = selected(body.rows);
  const hours = selected(body.per_hour);
  const where = $("dash-province").value ? provinceName(body.rows.concat(body.per_hour)
    .find((r) => provinceKey(r.province_code) === $("dash-province").value)?.province_code) : t("all_provinces");
  $("dash-summary").textContent = t("dash_summary", { from: calendarDay(body.days[0], lang()),
    to: calendarDay(body.days.at(-1), lang()), where, at: vnDateTime(loadedAt, lang()) });
  $("dash-totals").tBodies[0].replaceChildren(...FIGURES.map((f) => {
    const tr = document.createElement("tr");
    const value = Object.assign(document.createElement("td"), { textContent: rows.reduce((n, r) => n + r[f], 0) });
    value.dataset.count = f;
    tr.append(Object.assign(document.createElement("th"), { scope: "row", textContent: t(`n_${f}`) }), value);
    return tr;
  }));
  const days = body.days.map((d) => shortDay(d));
  const per = (field) => [field, sumBy(rows, body.days, "day", field)];
  plot("chart-days", days, [per("cases"), per("quarantines"), per("followups"), per("arrivals_marked")]);
  plot("chart-verify", days, [per("verified"), per("rejected")]);
  const hourLabels = body.hours.map((h) => `${h.slice(11, 13)}h`);
  plot("chart-hours", hourLabels, ["passed", "refused"].map((f) => [f, sumBy(hours, body.hours, "hour", f)]), true);
  renderTable(rows);
}

function fillProvinces(body) {
  const chosen = $("dash-province").value;
  const codes = [...new Set(body.rows.concat(body.per_hour).map((r) => provinceKey(r.province_code)))];
  const options = codes.map((key) => Object.assign(document.createElement("option"), {
    value: key, textContent: key === "none" ? t("no_province") : body.province_names[key] || key }));
  options.sort((a, b) => a.textContent.localeCompare(b.textContent, lang()));
  $("dash-province").replaceChildren(Object.assign(document.createElement("option"), { value: "", textContent: t("all_provinces") }), ...options);
  $("dash-province").value = codes.includes(chosen) ? chosen : "";
}

function load() {
  loading ??= (async () => {
    const query = new URLSearchParams({ purpose: $("purpose").value.trim() || t("dash_title"), days: $("dash-days").value || "14" });
    last = await (await api.call("/v1/dashboard", query)).json();
    loadedAt = Date.now();
    fillProvinces(last);
    render();
    $("dashboard-panel").dataset.loaded = String(Number($("dashboard-panel").dataset.loaded || 0) + 1);
  })().finally(() => { loading = null; });
  return loading;
}

function refreshIfDue() {
  if (!$("dash-live").checked || document.visibilityState !== "visible") return;
  if (Date.now() - loadedAt < LIVE_EVERY_MS - 1000) return;
  load().catch((error) => { $("dash-summary").textContent = error.message; });
}

export function showDashboard(calls) {
  api = calls;
  $("dashboard-panel").hidden = false;
  $("dash-form").addEventListener("submit", (event) => {
    event.preventDefault();
    load().catch((error) => { $("dash-summary").textContent = error.message; });
  });
  $("dash-province").addEventListener("change", () => last && render());
  setInterval(refreshIfDue, LIVE_EVERY_MS);
  document.addEventListener("visibilitychange", refreshIfDue);
  onChange(() => { if (last) { fillProvinces(last); render(); } });
  load().catch((error) => { $("dash-summary").textContent = error.message; });
}
