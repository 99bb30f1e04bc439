// The admin console of the ward-notification service: a ward's epidemic zone level (set
// now or from a later time, with its history) and the ward's webhooks (add, pause and
// resume, rotate the signing key, delete, see the deliveries). Every write goes through
// the same /v1/ API as scripts, as the signed-in admin (libs/web/signin.js).
import { apply, lang, onChange, pick, t, toggle } from "./i18n.js";
import { signIn } from "/shared/signin.js";
import { fromVnLocal, vnDateTime, vnToday } from "/shared/vn-time.js";

const $ = (id) => document.getElementById(id);
const state = { ward: "", zone: null, hooks: [], secret: "" };
let session = null;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const when = (iso) => vnDateTime(iso, lang());

async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (options.body) headers["content-type"] = "application/json";
  const response = await session.fetch(path, { ...options, headers });
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    throw Object.assign(new Error(pick(body?.error?.message) || `HTTP ${response.status}`),
      { status: response.status });
  }
  return body;
}

function say(id, text, error = false) {
  $(id).textContent = text;
  $(id).classList.toggle("error", error);
}

// --- the zone level ---

async function loadZone() {
  const answer = await fetch(`/v1/zones/${state.ward}`);
  const zone = answer.ok ? await answer.json() : null;
  // An unknown code has no province: nobody would be told of a level set there.
  if (!zone?.province_name) throw new Error(t("ward_unknown", { code: state.ward }));
  state.zone = zone;
  renderZone();
}

function renderZone() {
  const zone = state.zone;
  if (!zone) return;
  $("ward-name").textContent = `${zone.ward_name}, ${zone.province_name} (${zone.ward_code})`;
  $("zone").dataset.level = zone.level;
  $("zone-name").textContent = t(`level_${zone.level}`) + (zone.declared ? "" : ` — ${t("undeclared")}`);
  $("zone-since").textContent = zone.since ? `${t("since")} ${when(zone.since)}` : "";
  $("zone-next").hidden = !zone.next;
  if (zone.next) $("zone-next").textContent = t("next", { level: t(`level_${zone.next.level}`), at: when(zone.next.effective_at) });
  const now = Date.now();
  const items = zone.history.map((c) => {
    const later = Date.parse(c.effective_at) > now;
    const li = el("li", later ? "scheduled" : "", `${when(c.effective_at)} — ${t(`level_${c.level}`)}`
      + (later ? ` (${t("scheduled")})` : "") + (c.note ? ` · ${c.note}` : "")
      + ` · ${t("set_at", { at: when(c.set_at) })}`);
    li.dataset.level = c.level;
    return li;
  });
  $("zone-changes").replaceChildren(...(items.length ? items : [el("li", "", t("history_none"))]));
}

async function setLevel(event) {
  event.preventDefault();
  const form = $("level-form");
  const level = Number(form.elements.level.value);
  const later = form.elements.when.value === "later";
  const body = { level };
  if (later) {
    if (!$("effective-at").value) { say("level-result", t("pick_time"), true); $("effective-at").focus(); return; }
    body.effective_at = fromVnLocal($("effective-at").value);
  }
  const note = $("note").value.trim();
  if (note) body.note = note;
  $("set-level").disabled = true;
  try {
    const change = await api(`/v1/zones/${state.ward}/levels`, { method: "POST", body: JSON.stringify(body) });
    say("level-result", later
      ? t("saved_later", { level: t(`level_${change.level}`), at: when(change.effective_at) })
      : t("saved_now", { level: t(`level_${change.level}`) }));
    $("note").value = "";
    await loadZone();
  } catch (error) {
    say("level-result", error.message, true);
  } finally {
    $("set-level").disabled = false;
  }
}

function whenChanged() {
  const later = $("level-form").elements.when.value === "later";
  $("effective-at").disabled = !later;
  if (later && !$("effective-at").value) $("effective-at").value = `${vnToday(1)}T00:00`;
}

// --- webhooks ---

async function loadHooks() {
  state.hooks = await api(`/v1/webhooks?${new URLSearchParams({ ward: state.ward })}`);
  renderHooks();
}

function renderHooks() {
  $("webhooks").replaceChildren(...state.hooks.map(hook));
  $("webhooks-empty").hidden = state.hooks.length > 0;
}

function button(text, className, action) {
  const b = el("button", className, text);
  b.type = "button";
  b.addEventListener("click", action);
  return b;
}

function hook(w) {
  const li = el("li", `hook${w.enabled ? "" : " paused"}`);
  li.dataset.id = w.id;
  const status = el("p", "hook-state", (w.enabled ? t("active") : t("paused"))
    + (w.disabled_at ? ` · ${t("paused_since", { at: when(w.disabled_at) })}` : "")
    + (w.consecutive_failures ? ` · ${t("failures", { n: w.consecutive_failures })}` : ""));
  const actions = el("div", "actions");
  actions.append(
    button(w.enabled ? t("pause") : t("resume"), "toggle", () => act(w, w.enabled ? "disable" : "enable")),
    button(t("rotate"), "rotate", () => rotate(w)),
    button(t("remove"), "remove", () => remove(w)));
  const log = el("details", "log");
  const list = el("ul", "deliveries");
  log.append(el("summary", "", t("deliveries")), list);
  log.addEventListener("toggle", () => { if (log.open) deliveries(w, list); });
  li.append(el("p", "url", w.url), el("p", "muted", `${w.description || ""} · ${t("created_at", { at: when(w.created_at) })}`),
    status, actions, log);
  return li;
}

async function act(w, action) {
  try {
    const changed = await api(`/v1/webhooks/${w.id}/${action}`, { method: "POST" });
    state.hooks = state.hooks.map((h) => (h.id === w.id ? changed : h));
    renderHooks();
    document.querySelector(`.hook[data-id="${w.id}"] button.toggle`)?.focus();
  } catch (error) {
    say("webhook-result", error.message, true);
  }
}

function showSecret(secret) {
  $("secret").textContent = secret;
  $("secret-box").hidden = false;
}

async function rotate(w) {
  if (!confirm(t("rotate_confirm"))) return;
  try {
    const rotated = await api(`/v1/webhooks/${w.id}/secret`, { method: "POST" });
    say("webhook-result", t("rotated"));
    showSecret(rotated.secret);
  } catch (error) {
    say("webhook-result", error.message, true);
  }
}

async function remove(w) {
  if (!confirm(t("remove_confirm"))) return;
  try {
    await api(`/v1/webhooks/${w.id}`, { method: "DELETE" });
    await loadHooks();
  } catch (error) {
    say("webhook-result", error.message, true);
  }
}

async function deliveries(w, list) {
  try {
    const items = await api(`/v1/webhooks/${w.id}/deliveries?limit=20`);
    list.replaceChildren(...(items.length ? items.map((d) => {
      const last = d.log[d.log.length - 1];
      return el("li", `delivery ${d.state}`, `${when(d.created_at)} · ${t(`state_${d.state}`)} · ${t("attempts", { n: d.attempts })}`
        + (last ? ` · ${last.status ?? last.error ?? ""}` : "") + (d.latency_ms != null ? ` · ${t("latency", { ms: Math.round(d.latency_ms) })}` : ""));
    }) : [el("li", "muted", t("deliveries_none"))]));
  } catch (error) {
    list.replaceChildren(el("li", "error", error.message));
  }
}

async function createHook(event) {
  event.preventDefault();
  const body = { ward_code: state.ward, url: $("webhook-url").value.trim() };
  const description = $("webhook-description").value.trim();
  if (description) body.description = description;
  $("webhook-create").disabled = true;
  try {
    const created = await api("/v1/webhooks", { method: "POST", body: JSON.stringify(body) });
    say("webhook-result", t("created"));
    showSecret(created.secret);
    $("webhook-form").reset();
    await loadHooks();
  } catch (error) {
    say("webhook-result", error.message, true);
  } finally {
    $("webhook-create").disabled = false;
  }
}

// --- the ward ---

async function openWard(event) {
  event?.preventDefault();
  const code = $("ward").value.trim();
  if (!/^[0-9]{5}$/.test(code)) return;
  state.ward = code;
  $("secret-box").hidden = true;
  for (const id of ["level-result", "webhook-result"]) say(id, "");
  history.replaceState(null, "", `#ward=${code}`);
  try {
    await loadZone();
    $("ward-error").hidden = true;
    for (const panel of ["zone-panel", "webhook-panel"]) $(panel).hidden = false;
    await loadHooks();
  } catch (error) {
    $("ward-error").textContent = error.message;
    $("ward-error").hidden = false;
    $("ward-name").textContent = "";
    for (const panel of ["zone-panel", "webhook-panel"]) $(panel).hidden = true;
  }
}

async function start() {
  apply();
  $("lang").addEventListener("click", toggle);
  session = await signIn({ roles: ["admin"], i18n: { lang, onChange } });
  // Redrawn in the new language; the last action's message (in the old one) is cleared.
  onChange(() => { renderZone(); renderHooks(); for (const id of ["level-result", "webhook-result"]) say(id, ""); });
  $("ward-panel").hidden = false;
  $("ward-form").addEventListener("submit", openWard);
  $("level-form").addEventListener("submit", setLevel);
  for (const radio of $("level-form").elements.when) radio.addEventListener("change", whenChanged);
  $("webhook-form").addEventListener("submit", createHook);
  const asked = /^#ward=([0-9]{5})$/.exec(location.hash);
  if (asked) {
    $("ward").value = asked[1];
    await openWard();
  }
}

start();
