// A green-lane vehicle declared with its crew (POST /v1/vehicles, as the signed-in
// officer, who is recorded as `entered_by` on the vehicle and each crew declaration);
// then the vehicle's QR code, fetched as the officer and printed for the windscreen.
import { apply, pick, t } from "../i18n.js";
import { clearErrors, showErrors } from "../form.js";
import { isoDate } from "./cccd.js";
import { mountWardSearch } from "./wards.js";
import { vnToday } from "/shared/vn-time.js";

const $ = (id) => document.getElementById(id);
const MAX_CREW = 5;
let session, afterSave, form;
let qrUrl = "";

function setPath(target, path, value) {
  const keys = path.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) node = node[key] ??= {};
  node[keys.at(-1)] = value;
}

function addCrew() {
  const crew = $("crew");
  const n = crew.children.length;
  if (n >= MAX_CREW) return;
  const card = $("crew-template").content.firstElementChild.cloneNode(true);
  for (const el of card.querySelectorAll("[data-field]")) {
    if (el.classList.contains("ward-search")) el.dataset.name = `crew.${n}.${el.dataset.field}`;
    else el.name = `crew.${n}.${el.dataset.field}`;
  }
  if (n > 0) card.querySelector("[data-field=role]").value = n === 1 ? "co_driver" : "assistant";
  crew.append(card);
  mountWardSearch(card.querySelector(".ward-search"));
  apply(card);
  $("crew-add").disabled = crew.children.length >= MAX_CREW;
  return card;
}

function collectVehicle() {
  const body = { crew: [] };
  for (const el of form.querySelectorAll("[name]")) {
    if (el.type === "checkbox") { setPath(body, el.name, el.checked); continue; }
    const value = el.value.trim();
    if (value === "") continue;
    const crew = /^crew\.(\d+)\.(.+)$/.exec(el.name);
    if (crew) {
      const member = body.crew[Number(crew[1])] ??= {};
      setPath(member, crew[2], crew[2] === "person.date_of_birth" ? isoDate(value) : value);
    } else {
      setPath(body, el.name, el.name === "departure_date" ? isoDate(value) : value);
    }
  }
  for (const member of body.crew) {
    member.person = { nationality: "VN", ...member.person };
    member.residence ??= {};
    member.residence.current = member.residence.permanent;
  }
  return body;
}

function banner(message) {
  $("vehicle-error").textContent = message;
  $("vehicle-error").hidden = !message;
}

async function send(event) {
  event.preventDefault();
  const button = $("vehicle-submit");
  if (button.disabled) return;
  clearErrors(form);
  banner("");
  button.disabled = true;
  try {
    const response = await session.fetch("/v1/vehicles", {
      method: "POST", body: JSON.stringify(collectVehicle()), headers: { "content-type": "application/json" },
    });
    const answer = await response.json().catch(() => ({}));
    if (response.status === 201) { await done(answer); return; }
    const error = answer.error || {};
    const unplaced = error.fields ? showErrors(form, error.fields) : 0;
    banner(pick(error.message) + (unplaced ? ` (${Object.keys(error.fields).join(", ")})` : ""));
  } catch {
    banner(t("network"));
  } finally {
    button.disabled = false;
  }
}

async function done(answer) {
  form.hidden = true;
  $("vehicle-done").hidden = false;
  $("vehicle-saved").textContent = t("vehicleSaved", { plate: answer.plate, id: answer.vehicle_declaration_id });
  $("vehicle-saved").dataset.id = answer.vehicle_declaration_id;
  $("vehicle-crew").replaceChildren(...answer.crew.map((member) =>
    Object.assign(document.createElement("li"), { textContent: `${t(member.role)}: ${member.declaration_id}` })));
  const response = await session.fetch(answer.qr.svg);
  if (qrUrl) URL.revokeObjectURL(qrUrl);
  qrUrl = response.ok ? URL.createObjectURL(await response.blob()) : "";
  $("vehicle-qr").src = qrUrl;
  $("vehicle-qr").alt = `QR ${answer.plate}`;
  $("vehicle-print").focus();
  afterSave();
}

function print() {
  const sheet = $("qr-print");
  const img = Object.assign(document.createElement("img"), { src: qrUrl, alt: $("vehicle-qr").alt, className: "qr" });
  sheet.replaceChildren(Object.assign(document.createElement("p"), { textContent: $("vehicle-qr").alt }), img);
  window.print();
}

function again() {
  form.reset();
  $("crew").replaceChildren();
  addCrew();
  for (const search of form.querySelectorAll(":scope > fieldset > .ward-search input[type=hidden]")) search.value = "";
  setDeparture();
  $("vehicle-done").hidden = true;
  form.hidden = false;
  $("plate").focus();
}

function setDeparture() {
  const [year, month, day] = vnToday().split("-");
  $("vehicle-departure").value = `${day}/${month}/${year}`;
}

export function initVehicle(signedIn, onSaved) {
  session = signedIn;
  afterSave = onSaved;
  form = $("vehicle-form");
  for (const container of form.querySelectorAll(":scope > fieldset > .ward-search")) mountWardSearch(container);
  setDeparture();
  addCrew();
  $("crew-add").addEventListener("click", () => addCrew()?.querySelector("input")?.focus());
  form.addEventListener("submit", send);
  $("vehicle-print").addEventListener("click", print);
  $("vehicle-again").addEventListener("click", again);
}
