// The epidemiologist's page: timeline chart, contacts (degree 1 and 2: checkpoints and
// shared journeys), exports, and the people suspected from a quarantine follow-up.
// Only this service is called, as the signed-in epidemiologist (libs/web/signin.js).
import { apply, lang, onChange, t, toggle } from "./i18n.js";
import { showAudit } from "./audit.js";
import { drawTimeline } from "./chart.js";
import { exposureText, seatRule, short, when } from "./evidence.js";
import { showCases } from "./cases.js";
import { showDashboard } from "./dashboard.js";
import { signIn } from "/shared/signin.js";
import { calendarDay, fromVnLocal, vnToday } from "/shared/vn-time.js";

const $ = (id) => document.getElementById(id);
const state = { last: { timeline: null, contacts: null, suspected: null } };
let session = null;


function showError(message) {
  $("error").textContent = message || "";
  $("error").hidden = !message;
}

// A national ID is first turned into the person's pseudonym (POST /v1/subjects), so
// that the number never appears in a URL, where proxies and the browser keep it.
async function subjectOf(who) {
  if (/^[0-9a-fA-F]{64}$/.test(who)) return who;
  const response = await call("/v1/subjects", null, { national_id: who });
  return (await response.json()).subject_id;
}

async function params(extra = {}) {
  const who = $("who").value.replace(/[\s.\-]/g, "");
  const query = new URLSearchParams({ purpose: $("purpose").value.trim(), ...extra });
  query.set("subject_id", await subjectOf(who));
  for (const field of ["from", "to"]) {
    // The inputs are read as Viet Nam time (the labels say so), not the computer's zone.
    if ($(field).value) query.set(field, fromVnLocal($(field).value));
  }
  return query;
}

async function call(path, query, body = null) {
  const response = await (body === null
    ? session.fetch(`${path}?${query}`)
    : session.fetch(path, { method: "POST", body: JSON.stringify(body),
                            headers: { "content-type": "application/json" } }));
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    throw new Error(body?.error?.message?.[lang()] || `HTTP ${response.status}`);
  }
  return response;
}

const day = (iso) => calendarDay(iso, lang());
const symptoms = (codes) => (codes?.length ? codes.map((c) => t(`sym_${c}`)).join(", ") : t("no_symptoms"));

// A follow-up: day of the quarantine, reached, symptom codes, temperature (no free text).
function followup(m) {
  const temperature = m.temperature_c == null ? "" : ` · ${m.temperature_c} °C`;
  const fever = m.fever ? ` (${t("fever_flag")})` : "";
  const reached = m.reached ? `${t("reached")} · ${symptoms(m.symptoms)}` : t("not_reached");
  return ` · ${t("followup_day", { n: m.followup_day })} · ${reached}${temperature}${fever}`;
}

// A declared trip: the transport, and for a flight, train, coach or ship its number and seat.
function trip(m) {
  if (!m.transport_mode) return "";
  const number = m.transport_number ? ` ${m.transport_number}` : "";
  const seat = m.seat ? ` · ${t("seat")} ${m.seat}` : "";
  const departs = m.departure_date ? ` · ${t("departs")} ${day(m.departure_date)}` : "";
  return ` · ${t(`mode_${m.transport_mode}`)}${number}${seat}${departs}`;
}

function describe(m) {
  const where = m.checkpoint_id ? `${t("at")} ${m.checkpoint_id} (${m.ward_code})` : (m.ward_code || "");
  const direction = m.direction ? ` · ${t(m.direction)}` : "";
  const extra = m.kind === "followed_up" ? followup(m) : m.kind === "declared" ? trip(m) : "";
  return `${when(m.at)} — ${t(m.kind)}${direction} ${where}${m.reason ? ` · ${m.reason}` : ""}${extra}`;
}

function renderTimeline(body) {
  state.last.timeline = body;
  $("timeline-panel").hidden = false;
  $("timeline-summary").textContent = t("n_movements", { n: body.movements.length, from: when(body.start), to: when(body.end) });
  drawTimeline($("chart"), body, when);
  $("movements").replaceChildren(...body.movements.map((m) => Object.assign(document.createElement("li"), { textContent: describe(m) })));
}

function contactItem(c) {
  const li = document.createElement("li");
  li.dataset.subject = c.subject_id;
  const head = Object.assign(document.createElement("code"), { textContent: c.subject_id });
  const badge = Object.assign(document.createElement("span"), { className: "badge", textContent: `F${c.degree}` });
  const list = document.createElement("ul");
  list.append(...c.exposures.map((e) => Object.assign(document.createElement("li"),
    { className: `exposure ${e.rule}`, textContent: exposureText(e) })));
  li.append(badge, " ", head, list);
  return li;
}

function renderContacts(body) {
  state.last.contacts = body;
  $("contacts-panel").hidden = false;
  const by = (d) => body.contacts.filter((c) => c.degree === d);
  const rules = Object.entries(body.journey_rules || {}).map(([mode, rule]) => `${t(`mode_${mode}`)}: ${seatRule(rule)}`);
  $("contacts-summary").textContent = t("n_contacts", { one: by(1).length, two: by(2).length }) + (body.truncated ? t("truncated") : "") +
    (rules.length ? ` · ${t("journey_rules", { rules: rules.join("; ") })}` : "");
  for (const d of [1, 2]) {
    const items = by(d).map(contactItem);
    if (!items.length) items.push(Object.assign(document.createElement("li"), { className: "muted", textContent: t("none") }));
    $(`contacts-${d}`).replaceChildren(...items);
  }
  $("degree2-title").hidden = body.degree < 2;
  $("contacts-2").hidden = body.degree < 2;
}

function contactParams() {
  const extra = { window_minutes: $("window").value || "15", degree: $("degree2").checked ? "2" : "1" };
  if (!$("from").value) extra.days = $("days").value || "14";
  return params(extra);
}

async function run(action) {
  showError("");
  try { await action(); } catch (error) { showError(error.message); }
}

async function download(what, format) {
  const query = what === "timeline" ? await params({ format }) : await contactParams();
  query.set("format", format);
  const response = await call(`/v1/${what}/export`, query);
  const name = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") || "")?.[1] || `${what}.${format}`;
  const link = Object.assign(document.createElement("a"), { href: URL.createObjectURL(await response.blob()), download: name });
  document.body.append(link);
  link.click();
  link.remove();
}

// People suspected from a follow-up, each with the reports as evidence and a way to
// confirm them as a case (POST /v1/cases, which answers the proposed F1).
function suspectItem(s) {
  const li = document.createElement("li");
  li.dataset.subject = s.subject_id;
  const head = Object.assign(document.createElement("code"), { textContent: s.subject_id });
  const order = `${t("quarantine_of", { reason: t(`reason_${s.quarantine_reason || "contact"}`) })}` +
    `${s.source_case_id ? ` ${t("of_case", { id: short(s.source_case_id) })}` : ""} · ${s.ward_code || "?"}`;
  const reports = document.createElement("ul");
  reports.append(...s.reports.map((r) => Object.assign(document.createElement("li"), {
    className: "report", textContent: `${when(r.at)} · ${t("followup_day", { n: r.followup_day })} · ${symptoms(r.symptoms)}` +
      `${r.temperature_c == null ? "" : ` · ${r.temperature_c} °C`}${r.fever ? ` (${t("fever_flag")})` : ""}` })));
  li.append(head, ` · ${order}`, reports);
  if (s.case_id) {
    li.append(Object.assign(document.createElement("span"), { className: "badge", textContent: t("confirmed") }));
    return li;
  }
  const form = Object.assign(document.createElement("form"), { className: "row confirm" });
  const label = Object.assign(document.createElement("label"), { textContent: t("test_date") });
  const date = Object.assign(document.createElement("input"), { type: "date", required: true, value: vnToday(), max: vnToday() });
  label.append(date);
  const button = Object.assign(document.createElement("button"), { type: "submit", textContent: t("confirm_case") });
  const done = Object.assign(document.createElement("p"), { className: "muted", role: "status" });
  form.append(label, button, done);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(async () => {
      const body = { purpose: $("purpose").value.trim(), subject_id: s.subject_id, positive_test_date: date.value };
      const proposal = await (await call("/v1/cases", null, body)).json();
      done.textContent = t("confirmed_now", { id: short(proposal.case.case_id), n: proposal.proposed.length });
    });
  });
  li.append(form);
  return li;
}

function renderSuspected(body) {
  state.last.suspected = body;
  $("suspected-panel").hidden = false;
  $("suspected-summary").textContent = t("n_suspected", { n: body.suspected.length, days: body.days, c: body.fever_c });
  const items = body.suspected.map(suspectItem);
  if (!items.length) items.push(Object.assign(document.createElement("li"), { className: "muted", textContent: t("none") }));
  $("suspected").replaceChildren(...items);
}

function rerender() {
  if (state.last.timeline) renderTimeline(state.last.timeline);
  if (state.last.contacts) renderContacts(state.last.contacts);
  if (state.last.suspected) renderSuspected(state.last.suspected);
}

apply();
$("lang").addEventListener("click", toggle);
session = await signIn({ roles: ["epidemiologist", "admin"], i18n: { lang, onChange } });
// Admins watch the epidemiologists (the audit); only epidemiologists query movements.
if (session.role() === "admin") showAudit(session);
else {
  // Shown once signed in: a search before would have no token.
  for (const id of ["search", "console-nav"]) $(id).hidden = false;
  showCases({ call, subjectOf });
  showDashboard({ call });
}
onChange(rerender);
$("search").addEventListener("submit", (event) => {
  event.preventDefault();
  run(async () => renderTimeline(await (await call("/v1/timeline", await params())).json()));
});
$("show-contacts").addEventListener("click", () => {
  if (!$("search").reportValidity()) return;
  run(async () => renderContacts(await (await call("/v1/contacts", await contactParams())).json()));
});
$("show-suspected").addEventListener("click", () => {
  if (!$("purpose").reportValidity()) return;
  const query = new URLSearchParams({ purpose: $("purpose").value.trim(), days: $("days").value || "14" });
  run(async () => renderSuspected(await (await call("/v1/cases/suspected", query)).json()));
});
for (const button of document.querySelectorAll("[data-export]")) {
  button.addEventListener("click", () => run(() => download(button.dataset.export, button.dataset.format)));
}
