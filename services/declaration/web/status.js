// The submitted declarations: QR, status (refreshing while pending), zone levels.
// Declarations are remembered on this device (id + access token), so they can be reopened.
import { lang, onChange, t } from "./i18n.js";
import { calendarDay, vnDateTime } from "/shared/vn-time.js";

const STORE = "khaibao.declarations";
// Pending: every 5 s (verification takes seconds). Verified: every 30 s, as zone levels change.
const REFRESH_MS = { pending: 5000, verified: 30000 };
const timers = new Map();

export function remembered() {
  try { return JSON.parse(localStorage.getItem(STORE) || "[]"); } catch { return []; }
}

export function remember(items) {
  const known = new Map(remembered().map((d) => [d.id, d]));
  for (const item of items) known.set(item.id, item);
  // Keep the 20 most recent: a shared family phone should not grow without end.
  localStorage.setItem(STORE, JSON.stringify([...known.values()].slice(-20)));
}

function forget(id) {
  localStorage.setItem(STORE, JSON.stringify(remembered().filter((d) => d.id !== id)));
}

const authorised = (token) => ({ headers: { Authorization: `Bearer ${token}` } });

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function zoneLine(label, zone) {
  const line = el("p", "zone");
  const level = zone.level ? t(`level${zone.level}`) : t("noLevel");
  line.append(el("span", "", `${t(label)}: ${zone.ward_name}, ${zone.province_name} — ${t("zone")}: `),
    el("strong", `level level-${zone.level || 0}`, level));
  return line;
}

function render(card, view) {
  const status = card.querySelector(".status");
  status.className = `status status-${view.status}`;
  status.textContent = t(view.status);
  card.querySelector(".polling").hidden = view.status !== "pending";
  const details = card.querySelector(".details");
  // Validity is defined in Viet Nam's time, whatever the phone's own zone.
  const until = vnDateTime(view.valid_until, lang());
  details.replaceChildren(
    el("p", "", `${t("validUntil")}: ${until}`),
    zoneLine("origin", view.origin), zoneLine("destination", view.destination));
  if (view.quarantine) {
    const until = calendarDay(view.quarantine.until, lang());
    details.append(el("p", "quarantine",
      `${t("quarantined")} ${until} (${t(`place_${view.quarantine.place}`)})`));
  }
  if (view.reasons.length) {
    details.append(el("p", "reasons", `${t("reasons")}: ${view.reasons.map(t).join(", ")}`));
  }
}

async function refresh(card, item) {
  let response;
  try {
    response = await fetch(`/v1/declarations/${item.id}`, authorised(item.token));
  } catch {
    return "pending"; // offline for a moment: keep the last view and try again
  }
  if (response.status === 401 || response.status === 403 || response.status === 404) {
    card.querySelector(".status").textContent = t("tokenGone");
    forget(item.id);
    return "gone";
  }
  if (!response.ok) return "pending";
  const view = await response.json();
  card._view = view;
  render(card, view);
  return view.status;
}

async function loadQr(card, item) {
  const response = await fetch(`/v1/declarations/${item.id}/qr.png`, authorised(item.token));
  if (!response.ok) return;
  const img = card.querySelector("img.qr");
  img.src = URL.createObjectURL(await response.blob());
}

function poll(card, item) {
  clearTimeout(timers.get(item.id));
  const tick = async () => {
    const status = await refresh(card, item);
    if (REFRESH_MS[status]) timers.set(item.id, setTimeout(tick, REFRESH_MS[status]));
  };
  return tick();
}

// "Who looked at my data": each trace query and reveal about this person, with the role,
// unit, purpose and time (never the staff member's name); fetched each time it is opened.
function accessesBox(item) {
  const box = el("details", "accesses");
  const summary = el("summary", "", t("accesses"));
  const list = el("ul", "access-list");
  box.append(summary, list);
  box.addEventListener("toggle", async () => {
    if (!box.open) return;
    const response = await fetch(`/v1/declarations/${item.id}/accesses`, authorised(item.token))
      .catch(() => null);
    if (!response?.ok) { list.replaceChildren(el("li", "muted", t("accessesUnavailable"))); return; }
    const { accesses } = await response.json();
    list.replaceChildren(...(accesses.length ? accesses.map((a) => el("li", `access access-${a.kind}`,
      `${vnDateTime(a.at, lang())} — ${t(`role_${a.role}`)}${a.unit ? ` (${a.unit})` : ""}: `
      + `${t(`access_${a.kind}`)} — ${a.purpose}`)) : [el("li", "muted", t("noAccesses"))]));
  });
  return box;
}

/** Shows one card per declaration (the submitter's first, then dependants'). */
export async function showDeclarations(container, items) {
  for (const timer of timers.values()) clearTimeout(timer);
  timers.clear();
  container.replaceChildren();
  await Promise.all(items.map((item) => {
    const card = el("article", "card");
    card.dataset.declarationId = item.id;
    const img = el("img", "qr");
    img.alt = `QR ${item.name}`;
    img.width = 232;
    img.height = 232;
    const head = el("div", "card-head");
    head.append(el("h3", "", item.name), el("span", "status", "…"),
      el("small", "polling", `(${t("refreshing")})`));
    card.append(head, img, el("div", "details"), accessesBox(item));
    container.append(card);
    return Promise.all([loadQr(card, item), poll(card, item)]);
  }));
}

onChange(() => {
  for (const card of document.querySelectorAll("article.card")) {
    if (card._view) render(card, card._view);
    const polling = card.querySelector(".polling");
    if (polling) polling.textContent = `(${t("refreshing")})`;
  }
});
