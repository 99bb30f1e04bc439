// The ward official's console: the zone level and its history, today's arrivals and
// departures, the daily follow-up of people in quarantine (followups.js), the inbox (live),
// acknowledge, and who a person is (a reveal at the declaration service, audited, with a
// stated purpose). Called as the signed-in ward official (libs/web/signin.js); the wards
// are the account's.
import { initFollowups, loadFollowups, render as renderFollowups } from "./followups.js";
import { apply, lang, onChange, t, toggle } from "./i18n.js";
import { openFeed } from "./sse.js";
import { signIn } from "/shared/signin.js";
import { vnDateTime, vnToday } from "/shared/vn-time.js";

const $ = (id) => document.getElementById(id);
const state = { ward: "", zone: null, items: new Map(), cursor: null, closeFeed: null,
  today: { arriving: [], departing: [] }, todayShown: "" };
let session = null;
let declarationUrl = "";

async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (options.body) headers["content-type"] = "application/json";
  const response = await session.fetch(path, { ...options, headers });
  const body = response.status === 204 ? null : await response.json();
  if (!response.ok) throw Object.assign(new Error(body?.error?.message?.[lang()] || response.status), { status: response.status });
  return body;
}

const when = (iso) => vnDateTime(iso, lang());

function summary(n) {
  const d = n.detail;
  if (n.reason === "arriving") return `${t("from")} ${d.origin_ward_name || d.origin_ward} · ${t("expected")} ${d.expected_date}`;
  if (n.reason === "departing") return `${t("to")} ${d.destination_ward_name || d.destination_ward} · ${d.departure_date}`;
  if (n.reason === "passed") return `${t("checkpoint")} ${d.checkpoint_id} · ${when(d.at)}` + (n.facts.length > 1 ? ` (+${n.facts.length - 1})` : "");
  if (n.cause === "checkpoint_refused") return `${t("checkpoint")} ${d.checkpoint_id}: ${t("refusal")} (${d.refusal_reason})`;
  return `${t("identity")} (${(d.rejection_reasons || []).join(", ")})`;
}

function render() {
  const list = $("inbox");
  const items = [...state.items.values()]
    .filter((n) => !$("unread").checked || !n.read)
    .filter((n) => !$("reason").value || n.reason === $("reason").value)
    .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id));
  list.replaceChildren(...items.map(item));
  $("empty").hidden = items.length > 0;
  const unread = [...state.items.values()].filter((n) => !n.read).length;
  $("unread-count").textContent = t("unread_n", { n: unread });
}

function item(n) {
  const li = document.createElement("li");
  li.className = `note ${n.reason}` + (n.read ? " read" : "");
  li.dataset.id = n.id;
  const head = document.createElement("div");
  const badge = Object.assign(document.createElement("span"), { className: "badge", textContent: t(n.reason) });
  const time = Object.assign(document.createElement("time"), { dateTime: n.created_at, textContent: when(n.created_at) });
  head.append(badge, " ", time);
  const text = Object.assign(document.createElement("p"), { textContent: summary(n) });
  const who = Object.assign(document.createElement("p"), { className: "muted", textContent: `${t("person")} ${n.subject_id.slice(0, 10)}…` });
  li.append(head, text, who, revealForm(n));
  if (n.read) {
    li.append(Object.assign(document.createElement("p"), { className: "muted", textContent: `${t("acked")} ${when(n.acknowledged_at)}` }));
  } else {
    const button = Object.assign(document.createElement("button"), { type: "button", className: "ack", textContent: t("ack") });
    button.addEventListener("click", () => acknowledge([n.id]));
    li.append(button);
  }
  return li;
}

// "Who is this?": the name and phone come from the declaration service, which checks the
// ward was notified of this person, records the purpose and tells the person.
function revealForm(n) {
  const box = Object.assign(document.createElement("details"), { className: "reveal" });
  box.append(Object.assign(document.createElement("summary"), { textContent: t("reveal") }));
  const form = document.createElement("form");
  const purpose = Object.assign(document.createElement("input"), {
    name: "purpose", required: true, minLength: 3, maxLength: 300, placeholder: t("reveal_purpose") });
  purpose.setAttribute("aria-label", t("reveal_purpose"));
  const send = Object.assign(document.createElement("button"), { type: "submit", textContent: t("reveal_send") });
  const out = Object.assign(document.createElement("div"), { className: "revealed" });
  out.setAttribute("aria-live", "polite");
  form.append(purpose, send);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.replaceChildren();
    const answer = await session.fetch(`${declarationUrl}/v1/reveals`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ subject_id: n.subject_id, declaration_id: n.declaration_id, purpose: purpose.value.trim() }) });
    const body = await answer.json().catch(() => null);
    if (!answer.ok) {
      out.append(Object.assign(document.createElement("p"), { className: "error", textContent: body?.error?.message?.[lang()] || `HTTP ${answer.status}` }));
      return;
    }
    out.append(...revealed(body));
  });
  box.append(form, out);
  return box;
}

function revealed(person) {
  const here = person.residence.current || person.residence.permanent;
  const line = (label, value) => Object.assign(document.createElement("p"), { textContent: `${t(label)}: ${value || "—"}` });
  const phone = document.createElement("p");
  phone.append(`${t("phone")}: `);
  if (person.phone) phone.append(Object.assign(document.createElement("a"), { className: "phone", href: `tel:${person.phone}`, textContent: person.phone }));
  else phone.append("—");
  return [
    Object.assign(document.createElement("p"), { className: "name", textContent: person.full_name }),
    line("born", person.date_of_birth), phone,
    line("address", here ? `${here.address}, ${here.ward_name}, ${here.province_name}` : ""),
    Object.assign(document.createElement("p"), { className: "muted", textContent: t("reveal_logged") }),
  ];
}

async function acknowledge(ids) {
  if (!ids.length) return;
  await api("/v1/notifications/ack", { method: "POST", body: JSON.stringify({ ids }) });
  const now = new Date().toISOString();
  for (const id of ids) {
    const n = state.items.get(id);
    if (n) state.items.set(id, { ...n, read: true, acknowledged_at: n.acknowledged_at || now });
  }
  for (const reason of ["arriving", "departing"]) {
    state.today[reason] = state.today[reason].map((n) => (ids.includes(n.id) ? { ...n, read: true, acknowledged_at: n.acknowledged_at || now } : n));
  }
  render();
  renderToday();
}

async function loadPage() {
  const params = new URLSearchParams({ ward: state.ward, limit: "50" });
  if (state.cursor) params.set("cursor", state.cursor);
  const page = await api(`/v1/notifications?${params}`);
  for (const n of page.items) state.items.set(n.id, n);
  state.cursor = page.next_cursor;
  $("more").hidden = !state.cursor;
  render();
}

async function loadZone() {
  state.zone = await fetch(`/v1/zones/${state.ward}`).then((r) => r.json());
  renderZone();
}

function renderZone() {
  const zone = state.zone;
  if (!zone) return;
  $("zone").dataset.level = zone.level;
  $("zone-name").textContent = t(`level_${zone.level}`) + (zone.declared ? "" : ` — ${t("undeclared")}`);
  $("zone-since").textContent = zone.since ? `${t("since")} ${when(zone.since)}` : "";
  $("arrivals").textContent = t("arrivals", { n: zone.recent_arrivals.days, c: zone.recent_arrivals.count });
  const option = [...$("ward").options].find((o) => o.value === state.ward);
  if (option) option.textContent = `${zone.ward_name} (${zone.ward_code})`;
  $("zone-changes").replaceChildren(...zone.history.map((c) => {
    const li = document.createElement("li");
    li.dataset.level = c.level;
    li.textContent = `${when(c.effective_at)} — ${t(`level_${c.level}`)}` + (c.note ? ` (${c.note})` : "");
    return li;
  }));
  if (!zone.history.length) $("zone-changes").replaceChildren(Object.assign(document.createElement("li"), { textContent: t("zone_none") }));
}

// Today's arrivals (expected today) and departures (leaving today) of the ward, from the
// inbox's own API (the last 7 days of notifications, filtered on the day of the trip).
async function loadToday() {
  const today = vnToday();
  const [arriving, departing] = await Promise.all(["arriving", "departing"].map((reason) =>
    api(`/v1/notifications?${new URLSearchParams({ ward: state.ward, reason, limit: "200" })}`)));
  state.today = {
    arriving: arriving.items.filter((n) => n.detail.expected_date === today),
    departing: departing.items.filter((n) => n.detail.departure_date === today),
  };
  renderToday();
}

function renderToday() {
  for (const reason of ["arriving", "departing"]) {
    const button = $(`today-${reason}`);
    button.textContent = t(`today_${reason}`, { n: state.today[reason].length });
    button.setAttribute("aria-pressed", String(state.todayShown === reason));
  }
  const shown = state.today[state.todayShown] || [];
  $("today-list").replaceChildren(...shown.map(item));
}

function showToday(reason) {
  state.todayShown = state.todayShown === reason ? "" : reason;
  renderToday();
}

function live(kind) {
  $("live").dataset.state = kind;
  $("live").textContent = t(kind === "open" ? "live_open" : "live_closed");
}

async function selectWard(ward) {
  state.ward = ward;
  state.items.clear();
  state.cursor = null;
  if (state.closeFeed) state.closeFeed();
  state.closeFeed = openFeed(`/v1/feed?ward=${encodeURIComponent(ward)}`, () => session.token(), (event, data) => {
    if (event !== "notification") return;
    state.items.set(data.id, data);
    render();
    if (data.reason === "arriving") loadZone();  // the arrivals count moved
    if (data.reason === "arriving" || data.reason === "departing") loadToday();
  }, live);
  await Promise.all([loadPage(), loadZone(), loadToday(), loadFollowups(ward)]);
}

async function start() {
  apply();
  $("lang").addEventListener("click", toggle);
  session = await signIn({ roles: ["ward_official", "admin"], i18n: { lang, onChange } });
  $("admin-link").hidden = session.role() !== "admin";  // the admin console (web/admin/)
  declarationUrl = (await fetch("/v1/auth").then((r) => r.json())).declaration_url;
  onChange(() => { render(); renderZone(); renderToday(); renderFollowups(); live($("live").dataset.state); });

  $("today-arriving").addEventListener("click", () => showToday("arriving"));
  $("today-departing").addEventListener("click", () => showToday("departing"));
  $("ward").addEventListener("change", (e) => selectWard(e.target.value));
  $("unread").addEventListener("change", render);
  $("reason").addEventListener("change", render);
  $("more").addEventListener("click", loadPage);
  $("ack-all").addEventListener("click", () => acknowledge([...state.items.values()].filter((n) => !n.read).map((n) => n.id)));
  // The wards in the menu are the account's (claim khaibao_scope); the server checks each.
  const wards = session.claims()?.khaibao_scope || [];
  initFollowups({ api, session, declarationUrl }, wards);
  $("no-ward").hidden = wards.length > 0;
  if (!wards.length) return;
  $("ward").replaceChildren(...wards.map((w) => Object.assign(document.createElement("option"), { value: w, textContent: w })));
  for (const panel of ["ward-panel", "today-panel", "followup-panel", "inbox-panel"]) $(panel).hidden = false;
  await selectWard(wards[0]);
}

start();
