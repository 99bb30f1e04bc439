// Reading the form into the API's JSON, and showing the API's field errors beside fields.
import { pick, t } from "./i18n.js";

export const SYMPTOMS = ["fever", "cough", "shortness_of_breath", "sore_throat",
  "nausea_vomiting", "diarrhoea", "skin_haemorrhage", "skin_rash"];
export const EXPOSURES = ["close_contact", "lockdown_area", "outbreak_area_contact"];

function setPath(target, path, value) {
  const keys = path.split(".");
  let node = target;
  keys.slice(0, -1).forEach((key, i) => {
    const nextIsIndex = /^\d+$/.test(keys[i + 1]);
    node[key] ??= nextIsIndex ? [] : {};
    node = node[key];
  });
  node[keys.at(-1)] = value;
}

export function checkboxes(container, name, codes) {
  for (const code of codes) {
    const label = document.createElement("label");
    label.className = "check";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = name;
    box.value = code;
    const text = document.createElement("span");
    text.dataset.i18n = code;
    text.textContent = t(code);
    label.append(box, " ", text);
    container.append(label);
  }
}

/** Every named field; empty optional fields are left out so the server applies its defaults. */
export function collect(form, { foreign, currentSame, hasTemporary }) {
  const body = { health: { symptoms: [], exposures: [] } };
  for (const el of form.querySelectorAll("[name]")) {
    const name = el.name;
    if (name === "citizenship" || el.closest("[hidden]")) continue;
    if (name === "health.symptoms" || name === "health.exposures") {
      if (el.checked) body.health[name.slice("health.".length)].push(el.value);
      continue;
    }
    if (el.type === "checkbox") { setPath(body, name, el.checked); continue; }
    const value = el.value.trim();
    if (value === "") continue;
    setPath(body, name, el.type === "number" ? Number(value) : value);
  }
  body.person ??= {};
  body.person.nationality = foreign ? (body.person.nationality || "").toUpperCase() : "VN";
  if (foreign) delete body.person.national_id; else delete body.person.passport;
  body.residence ??= {};
  if (currentSame) body.residence.current = body.residence.permanent;
  if (!hasTemporary) delete body.residence.temporary;
  body.dependants = collectDependants(form);
  return body;
}

function collectDependants(form) {
  return [...form.querySelectorAll(".dependant")].map((card) => {
    const entry = {};
    for (const el of card.querySelectorAll("[data-field]")) {
      if (el.value.trim() !== "") setPath(entry, el.dataset.field, el.value.trim());
    }
    return entry;
  });
}

let shown = {};

/** Shows each field's messages beside it; returns how many could not be placed. */
export function showErrors(form, fields) {
  clearErrors(form);
  shown = fields || {};
  let unplaced = 0;
  for (const [path, errors] of Object.entries(shown)) {
    const slot = slotFor(form, path);
    if (!slot) { unplaced += 1; continue; }
    slot.textContent = errors.map((e) => pick(e.message)).join(" · ");
    slot.hidden = false;
    const input = slot.previousElementSibling?.querySelector?.("input, select") ||
      form.querySelector(`[name="${CSS.escape(path)}"]`);
    input?.setAttribute("aria-invalid", "true");
  }
  form.querySelector("[aria-invalid='true']")?.focus();
  return unplaced;
}

function slotFor(form, path) {
  let slot = form.querySelector(`[data-error-for="${CSS.escape(path)}"]`);
  if (slot) return slot;
  const field = form.querySelector(`[name="${CSS.escape(path)}"]`) || dependantField(form, path);
  if (!field) return null;
  slot = document.createElement("p");
  slot.className = "error";
  slot.dataset.errorFor = path;
  field.closest("label").after(slot);
  return slot;
}

function dependantField(form, path) {
  const match = /^dependants\.(\d+)\.(.+)$/.exec(path);
  if (!match) return null;
  const card = form.querySelectorAll(".dependant")[Number(match[1])];
  return card?.querySelector(`[data-field="${CSS.escape(match[2])}"]`) || null;
}

export function clearErrors(form) {
  for (const slot of form.querySelectorAll("[data-error-for]")) {
    slot.textContent = "";
    slot.hidden = true;
  }
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
}

/** Re-renders the messages in the other language after a toggle. */
export function rerenderErrors(form) { if (Object.keys(shown).length) showErrors(form, shown); }
