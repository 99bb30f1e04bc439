// The epidemiologist's page: timeline chart, contacts (degree 1 and 2), exports.
// Only this service is called, as the signed-in epidemiologist (libs/web/signin.js).
import { apply, lang, onChange, t, toggle } from "./i18n.js";
import { showAudit } from "./audit.js";
import { drawTimeline } from "./chart.js";
import { signIn } from "/shared/signin.js";
import { fromVnLocal, vnDateTime } from "/shared/vn-time.js";

const $ = (id) => document.getElementById(id);
const state = { last: { timeline: null, contacts: null } };
let session = null;

const when = (iso) => vnDateTime(iso, lang());
const short = (id) => `${id.slice(0, 10)}…`;

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

function describe(m) {
  const where = m.checkpoint_id ? `${t("at")} ${m.checkpoint_id} (${m.ward_code})` : (m.ward_code || "");
  const direction = m.direction ? ` · ${t(m.direction)}` : "";
  return `${when(m.at)} — ${t(m.kind)}${direction} ${where}${m.reason ? ` · ${m.reason}` : ""}`;
}

function renderTimeline(body) {
  state.last.timeline = body;
  $("timeline-panel").hidden = false;
  $("timeline-summary").textContent = t("n_movements", { n: body.movements.length, from: when(body.start), to: when(body.end) });
  drawTimeline($("chart"), body, when);
  $("movements").replaceChildren(...body.movements.map((m) => Object.assign(document.createElement("li"), { textContent: describe(m) })));
}

function exposureText(e) {
  const rule = e.rule === "overlapping_stays" ? t("overlap", { m: e.minutes }) : t("near", { m: e.minutes });
  const capped = e.end_inferred ? ` (${t("no_out")})` : "";
  return `${e.checkpoint_id} (${e.ward_code || "?"}) · ${when(e.start)} · ${rule}${capped} · ${t("via")} ${short(e.met)}`;
}

function contactItem(c) {
  const li = document.createElement("li");
  li.dataset.subject = c.subject_id;
  const head = Object.assign(document.createElement("code"), { textContent: c.subject_id });
  const badge = Object.assign(document.createElement("span"), { className: "badge", textContent: `F${c.degree}` });
  const list = document.createElement("ul");
  list.append(...c.exposures.map((e) => Object.assign(document.createElement("li"), { textContent: exposureText(e) })));
  li.append(badge, " ", head, list);
  return li;
}

function renderContacts(body) {
  state.last.contacts = body;
  $("contacts-panel").hidden = false;
  const by = (d) => body.contacts.filter((c) => c.degree === d);
  $("contacts-summary").textContent = t("n_contacts", { one: by(1).length, two: by(2).length }) + (body.truncated ? t("truncated") : "");
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

function rerender() {
  if (state.last.timeline) renderTimeline(state.last.timeline);
  if (state.last.contacts) renderContacts(state.last.contacts);
}

apply();
$("lang").addEventListener("click", toggle);
session = await signIn({ roles: ["epidemiologist", "admin"], i18n: { lang, onChange } });
// Admins watch the epidemiologists (the audit); only epidemiologists query movements.
if (session.role() === "admin") showAudit(session);
else $("search").hidden = false; // shown once signed in: a search before would have no token
onChange(rerender);
$("search").addEventListener("submit", (event) => {
  event.preventDefault();
  run(async () => renderTimeline(await (await call("/v1/timeline", await params())).json()));
});
$("show-contacts").addEventListener("click", () => {
  if (!$("search").reportValidity()) return;
  run(async () => renderContacts(await (await call("/v1/contacts", await contactParams())).json()));
});
for (const button of document.querySelectorAll("[data-export]")) {
  button.addEventListener("click", () => run(() => download(button.dataset.export, button.dataset.format)));
}
