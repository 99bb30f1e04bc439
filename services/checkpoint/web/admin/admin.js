// The checkpoint service's admin console: the registry of checkpoints and venues (a venue
// is a checkpoint of kind "venue": check-in / check-out). List with filters, create, edit,
// retire and bring back into service. Every write is PUT /v1/checkpoints/{id}, the same API
// scripts use, as the signed-in admin (libs/web/signin.js); retiring is `active: false`,
// so the passages recorded there stay attached to it.
import { apply, lang, onChange, pick, t, toggle } from "./i18n.js";
import { signIn } from "/shared/signin.js";
import { vnDateTime } from "/shared/vn-time.js";

const KINDS = ["road", "supermarket", "market", "bus_station", "railway_station", "port",
  "airport", "border_gate", "depot", "venue"];
const PAGE = 50;
const $ = (id) => document.getElementById(id);
const state = { items: [], total: 0, offset: 0, editing: null, pinned: null };
let session = null;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (options.body) headers["content-type"] = "application/json";
  const response = await session.fetch(path, { ...options, headers });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    throw Object.assign(new Error(pick(body?.error?.message) || `HTTP ${response.status}`),
      { status: response.status, body });
  }
  return body;
}

// --- the list ---

async function load() {
  const params = new URLSearchParams({ limit: String(PAGE), offset: String(state.offset) });
  if ($("filter-kind").value) params.set("kind", $("filter-kind").value);
  if ($("filter-active").value) params.set("active", $("filter-active").value);
  const province = Number($("filter-province").value);
  if (province >= 1 && province <= 99) params.set("province", String(province));
  const page = await api(`/v1/checkpoints?${params}`);
  state.items = page.items;
  state.total = page.total;
  render();
}

function render() {
  // The one just saved stays in sight, wherever its code sorts in a long list.
  const pinned = state.pinned && !state.items.some((c) => c.checkpoint_id === state.pinned.checkpoint_id)
    && String(state.pinned.active) === ($("filter-active").value || String(state.pinned.active)) ? [state.pinned] : [];
  $("checkpoints").replaceChildren(...[...pinned, ...state.items].map(row));
  $("count").textContent = state.items.length ? t("count", { shown: state.items.length, total: state.total }) : t("none");
  $("prev").hidden = state.offset === 0;
  $("next").hidden = state.offset + state.items.length >= state.total;
}

function row(c) {
  const li = el("li", `cp${c.active ? "" : " retired"}`);
  li.dataset.id = c.checkpoint_id;
  const where = `${c.ward_name}, ${c.province_name} (${c.ward_code})`
    + (c.latitude != null ? ` · ${c.latitude}, ${c.longitude}` : "");
  const kind = t(`k_${c.kind}`) + (c.kind === "venue" && c.stay_max_minutes ? ` · ${t("stay_n", { n: c.stay_max_minutes })}` : "");
  const actions = el("div", "actions");
  const edit = el("button", "small edit", t("edit"));
  edit.type = "button";
  edit.addEventListener("click", () => openForm(c));
  const flip = el("button", `small ${c.active ? "retire" : "restore"}`, c.active ? t("retire") : t("restore"));
  flip.type = "button";
  flip.addEventListener("click", () => setActive(c, !c.active));
  actions.append(edit, flip);
  li.append(el("p", "name", c.name), el("p", "", `${c.checkpoint_id} · ${kind}${c.active ? "" : ` · ${t("retired")}`}`),
    el("p", "hint", where), el("p", "hint", t("updated", { at: vnDateTime(c.updated_at, lang()), by: c.updated_by || "—" })),
    actions);
  return li;
}

// --- create, edit, retire ---

const FIELDS = ["name", "kind", "ward_code", "latitude", "longitude", "active", "stay_max_minutes", "source"];

function bodyOf(c) {
  return Object.fromEntries(FIELDS.map((f) => [f, c[f] ?? null]));
}

async function put(id, body) {
  return api(`/v1/checkpoints/${encodeURIComponent(id)}`, { method: "PUT", body: JSON.stringify(body) });
}

async function setActive(c, active) {
  if (!active && !confirm(t("retire_confirm", { name: c.name }))) return;
  try {
    state.pinned = await put(c.checkpoint_id, { ...bodyOf(c), active });
    $("done").textContent = t(active ? "restored_done" : "retired_done", { id: c.checkpoint_id });
    await load();
    document.querySelector(`.cp[data-id="${c.checkpoint_id}"] button.edit`)?.focus();
  } catch (error) {
    $("done").textContent = error.message;
  }
}

function openForm(c = null) {
  state.editing = c;
  const form = $("edit-form");
  form.reset();
  $("form-error").hidden = true;
  for (const input of form.elements) input.removeAttribute("aria-invalid");
  $("edit-title").textContent = c ? t("edit_title", { id: c.checkpoint_id }) : t("create_title");
  $("f-id").value = c?.checkpoint_id || "";
  $("f-id").readOnly = Boolean(c);
  $("f-name").value = c?.name || "";
  $("f-kind").value = c?.kind || "road";
  $("f-ward").value = c?.ward_code || "";
  $("f-lat").value = c?.latitude ?? "";
  $("f-lon").value = c?.longitude ?? "";
  $("f-stay").value = c?.stay_max_minutes ?? "";
  $("f-source").value = c?.source || "";
  $("f-active").checked = c ? c.active : true;
  showStay();
  $("edit-panel").hidden = false;
  $("list-panel").hidden = true;
  (c ? $("f-name") : $("f-id")).focus();
}

function closeForm() {
  $("edit-panel").hidden = true;
  $("list-panel").hidden = false;
  const back = state.editing && document.querySelector(`.cp[data-id="${state.editing.checkpoint_id}"] button.edit`);
  (back || $("new")).focus();
  state.editing = null;
}

function showStay() {
  $("stay-label").hidden = $("f-kind").value !== "venue";
}

function fail(message, fields = []) {
  $("form-error").textContent = message;
  $("form-error").hidden = false;
  for (const name of fields) $("edit-form").elements[name]?.setAttribute("aria-invalid", "true");
  ($("edit-form").elements[fields[0]] || $("form-error")).focus?.();
}

async function save(event) {
  event.preventDefault();
  const form = $("edit-form");
  for (const input of form.elements) input.removeAttribute("aria-invalid");
  const invalid = [...form.elements].filter((input) => input.name && !input.checkValidity()).map((input) => input.name);
  if (invalid.length) { fail(t("invalid"), invalid); return; }
  const number = (id) => ($(id).value === "" ? null : Number($(id).value));
  const body = {
    name: $("f-name").value.trim(), kind: $("f-kind").value, ward_code: $("f-ward").value.trim(),
    latitude: number("f-lat"), longitude: number("f-lon"), active: $("f-active").checked,
    stay_max_minutes: $("f-kind").value === "venue" ? number("f-stay") : null,
    source: $("f-source").value.trim() || null,
  };
  if ((body.latitude === null) !== (body.longitude === null)) { fail(t("both_coordinates"), ["latitude", "longitude"]); return; }
  const id = $("f-id").value.trim();
  $("save").disabled = true;
  try {
    if (!state.editing) {
      // PUT replaces: a new code must not overwrite a checkpoint that has it already.
      const taken = await session.fetch(`/v1/checkpoints/${encodeURIComponent(id)}`);
      if (taken.ok) { fail(t("exists", { id }), ["checkpoint_id"]); return; }
    }
    state.pinned = await put(id, body);
    $("done").textContent = t(state.editing ? "saved" : "created", { id });
    if (!state.editing) $("filter-active").value = body.active ? "true" : "false";
    await load();
    closeForm();
  } catch (error) {
    const fields = Object.keys(error.body?.error?.fields || {});
    fail(error.message, fields);
  } finally {
    $("save").disabled = false;
  }
}

async function start() {
  apply();
  $("lang").addEventListener("click", toggle);
  session = await signIn({ roles: ["admin"], i18n: { lang, onChange } });
  const options = () => KINDS.map((k) => Object.assign(el("option", "", t(`k_${k}`)), { value: k }));
  const fillKinds = () => {
    const keep = [$("filter-kind").value, $("f-kind").value];
    $("filter-kind").replaceChildren(Object.assign(el("option", "", t("all_kinds")), { value: "" }), ...options());
    $("f-kind").replaceChildren(...options());
    [$("filter-kind").value, $("f-kind").value] = [keep[0], keep[1] || "road"];
  };
  fillKinds();
  onChange(() => { fillKinds(); render(); $("done").textContent = ""; if (!$("edit-panel").hidden) $("edit-title").textContent = state.editing ? t("edit_title", { id: state.editing.checkpoint_id }) : t("create_title"); });
  for (const id of ["filter-kind", "filter-active", "filter-province"]) {
    $(id).addEventListener("change", () => { state.offset = 0; state.pinned = null; load(); });
  }
  $("prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - PAGE); load(); });
  $("next").addEventListener("click", () => { state.offset += PAGE; load(); });
  $("new").addEventListener("click", () => openForm());
  $("cancel").addEventListener("click", closeForm);
  $("f-kind").addEventListener("change", showStay);
  $("edit-form").addEventListener("submit", save);
  $("list-panel").hidden = false;
  await load();
}

start();
