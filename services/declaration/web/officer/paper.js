// A paper form typed in, fields in the paper's order (the CSV import's column order):
// person, residence, trip, health, the signed pledge. Enter anywhere saves it
// (POST /v1/declarations/paper, as the signed-in officer) and opens the next form with
// the trip kept; the same form saved twice is the same declaration (ids are derived from
// what was declared), so a retry after a lost answer stores nothing new.
//
// A foreigner's form (person.passport and person.nationality, no CCCD: the API's and the
// citizen page's shape, ../form.js collect) is chosen by the box above the name: the
// focus starts on the name, so a citizen's form — most of them — costs no key more, and
// a foreigner's is Shift+Tab, Space, Tab, once for a whole bus, as the kind of form is
// kept for the next ones like the trip (the box is highlighted while ticked). Letters
// typed into the CCCD do not switch by themselves: some passports are all digits, 9 of
// them like an old CMND, so only the officer, looking at the paper, can tell; the CCCD's
// line says to switch, and the letters move into the passport field when they do.
import { pick, t, onChange } from "../i18n.js";
import { EXPOSURES, SYMPTOMS, checkboxes, clearErrors, collect, rerenderErrors, showErrors } from "../form.js";
import { checkCccd, isoDate } from "./cccd.js";
import { mountNationality } from "./nationality.js";
import { checkPassport } from "./passport.js";
import { mountWardSearch, wardLabel } from "./wards.js";
import { vnToday } from "/shared/vn-time.js";

const $ = (id) => document.getElementById(id);
const TRIP = ["trip.origin_ward", "trip.destination_ward", "trip.departure_date",
  "trip.transport.mode", "trip.transport.number"];
let form, session, afterSave, nationality;
const wards = {};
let saved = 0;

const foreign = () => $("foreigner").checked;

/** One Tab stop for a group of boxes: arrows move inside it, Space ticks (roving tabindex). */
function rove(group) {
  const boxes = [...group.querySelectorAll("input[type=checkbox]")];
  boxes.forEach((box, i) => { box.tabIndex = i === 0 ? 0 : -1; });
  group.addEventListener("keydown", (event) => {
    const step = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 }[event.key];
    if (!step) return;
    event.preventDefault();
    const at = boxes.indexOf(document.activeElement);
    const next = boxes[(at + step + boxes.length) % boxes.length];
    for (const box of boxes) box.tabIndex = box === next ? 0 : -1;
    next.focus();
  });
}

function showCccd() {
  const out = $("cccd-check");
  const typed = $("national-id").value;
  const { ok, key, values } = checkCccd(typed, isoDate($("dob").value), $("gender").value);
  out.textContent = /\p{L}/u.test(typed) ? t("cccdLetters")
    : key ? t(key, { ...values, gender: values.gender ? t(values.gender) : "" }) : "";
  out.className = `cccd ${ok === true ? "ok" : ok === false ? "bad" : ""}`;
  if (ok === false) $("national-id").setAttribute("aria-invalid", "true");
  else $("national-id").removeAttribute("aria-invalid");
}

function showPassport() {
  const out = $("passport-check");
  const { ok, key, values } = checkPassport($("passport").value);
  out.textContent = key ? t(key, values) : "";
  out.className = `cccd ${ok === true ? "ok" : ok === false ? "bad" : ""}`;
  if (ok === false) $("passport").setAttribute("aria-invalid", "true");
  else $("passport").removeAttribute("aria-invalid");
}

/** The form as a citizen's (CCCD) or a foreigner's (passport, nationality, a place of stay). */
function showKind() {
  const kind = foreign() ? "foreign" : "citizen";
  for (const el of form.querySelectorAll("[data-when]")) el.hidden = el.dataset.when !== kind;
  const stay = form.querySelector(".ward-search[data-name='residence.permanent.ward_code'] span");
  stay.dataset.i18n = foreign() ? "stayWard" : "permanentWard";
  stay.textContent = t(stay.dataset.i18n);
  // What was typed into the CCCD before the switch (letters: a passport) is not lost.
  const id = $("national-id");
  if (foreign() && id.value && !$("passport").value) {
    $("passport").value = id.value;
    id.value = "";
  }
  clearErrors(form); // a refusal of the other kind's fields no longer applies
  banner("");
  refusal = null;
  showCccd();
  showPassport();
}

// 1/m → male, 2/f/u → female, whatever the browser's own type-ahead does with "Nữ".
function genderKeys(event) {
  const value = { 1: "male", m: "male", 2: "female", f: "female", u: "female" }[event.key.toLowerCase()];
  if (!value || event.ctrlKey || event.altKey || event.metaKey) return;
  event.preventDefault();
  $("gender").value = value;
  showCccd();
}

let refusal = null; // the server's last answer, shown again after a language switch

function banner(message) {
  const box = $("form-error");
  box.textContent = message;
  box.hidden = !message;
}

function tripKept() {
  const values = Object.fromEntries(TRIP.map((name) => [name, form.elements[name].value]));
  return values["trip.origin_ward"] && values["trip.destination_ward"] ? values : null;
}

function keepTrip(keep) {
  const trip = $("trip");
  const values = keep ? tripKept() : null;
  trip.classList.toggle("kept", Boolean(values));
  $("trip-kept").hidden = !values;
  if (values) {
    const mode = form.elements["trip.transport.mode"];
    $("trip-summary").textContent = `${t("tripKept")} ${wardLabel(values["trip.origin_ward"])} → ` +
      `${wardLabel(values["trip.destination_ward"])} · ${values["trip.departure_date"]} · ` +
      `${mode.options[mode.selectedIndex].textContent} ${values["trip.transport.number"]}`.trim();
  }
}

function nextForm() {
  refusal = null;
  for (const name of ["person.full_name", "person.date_of_birth", "person.national_id",
    "person.passport", "person.phone", "residence.permanent.address", "residence.current.address",
    "health.vaccination_doses"]) {
    form.elements[name].value = "";
  }
  $("gender").value = "";
  // Every tick goes but the kind of form, which the next paper of a bus shares.
  for (const box of form.querySelectorAll("input[type=checkbox]:not(#foreigner)")) box.checked = false;
  $("current").hidden = true;
  wards["residence.permanent.ward_code"].clear();
  wards["residence.current.ward_code"].clear();
  nationality.clear(); // each passport's own: a tour group is not always of one country
  showCccd();
  showPassport();
  keepTrip(true);
  $("full-name").focus();
}

async function save(event) {
  event.preventDefault();
  const button = $("submit");
  if (button.disabled) return; // a second Enter while the first is on its way
  clearErrors(form);
  banner("");
  refusal = null;
  const body = collect(form, { foreign: foreign(), currentSame: !$("current-differs").checked, hasTemporary: false });
  body.person.date_of_birth = isoDate(body.person.date_of_birth || "") || undefined;
  if (body.trip?.departure_date) body.trip.departure_date = isoDate(body.trip.departure_date);
  delete body.dependants;
  button.disabled = true;
  button.textContent = t("saving");
  try {
    const response = await session.fetch("/v1/declarations/paper", {
      method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" },
    });
    const answer = await response.json().catch(() => ({}));
    if (response.status === 201) {
      done(answer, body);
      return;
    }
    const error = answer.error || {};
    refusal = error;
    if (error.fields && foreign() && error.fields["person.national_id"]) {
      // "A national ID or a passport is required": on a foreigner's form, the passport's field.
      const fields = { ...error.fields };
      fields["person.passport"] = [...(fields["person.passport"] || []), ...fields["person.national_id"]];
      delete fields["person.national_id"];
      error.fields = fields;
    }
    if (error.fields) {
      // A field error in the kept trip: open it, so the field can be shown and fixed.
      if (Object.keys(error.fields).some((path) => path.startsWith("trip."))) keepTrip(false);
      const unplaced = showErrors(form, error.fields);
      banner(pick(error.message) + (unplaced ? ` (${Object.keys(error.fields).join(", ")})` : ""));
    } else {
      banner(pick(error.message) || `HTTP ${response.status}`);
    }
  } catch {
    banner(t("network"));
  } finally {
    button.disabled = false;
    button.textContent = t("saveNext");
  }
}

/** The QR for someone without a phone: fetched as the officer, printed on its own. */
async function printQr(path, name) {
  const response = await session.fetch(path);
  if (!response.ok) { banner(`HTTP ${response.status}`); return; }
  const url = URL.createObjectURL(await response.blob());
  const sheet = $("qr-print");
  const img = Object.assign(document.createElement("img"), { src: url, alt: name, className: "qr" });
  sheet.replaceChildren(Object.assign(document.createElement("p"), { textContent: name }), img);
  await img.decode();
  window.print();
}

function done(answer, body) {
  const duplicate = answer.duplicate === true;
  if (!duplicate) saved += 1;
  const line = $("saved");
  line.replaceChildren();
  const text = duplicate
    ? t("savedAgain", { name: body.person.full_name, id: answer.declaration_id })
    : t("savedOne", { n: saved, name: body.person.full_name, id: answer.declaration_id });
  line.append(text, " ");
  const qr = Object.assign(document.createElement("button"), {
    type: "button", textContent: t("printQr"), className: "print-qr" });
  qr.addEventListener("click", () => printQr(answer.qr.svg, answer.full_name));
  line.append(qr);
  line.dataset.id = answer.declaration_id;
  line.dataset.duplicate = String(duplicate);
  line.hidden = false;
  nextForm();
  afterSave();
}

export function initPaper(signedIn, onSaved) {
  session = signedIn;
  afterSave = onSaved;
  form = $("form");
  checkboxes($("symptoms"), "health.symptoms", SYMPTOMS);
  checkboxes($("exposures"), "health.exposures", EXPOSURES);
  rove($("symptoms"));
  rove($("exposures"));
  for (const container of form.querySelectorAll(".ward-search")) {
    wards[container.dataset.name] = mountWardSearch(container);
  }
  nationality = mountNationality(form.querySelector(".country-search"));
  // Typed like the paper's dates (a date field's Tab walks its day, month and year).
  const [year, month, day] = vnToday().split("-");
  $("departure").value = `${day}/${month}/${year}`;
  for (const id of ["national-id", "dob"]) $(id).addEventListener("input", showCccd);
  $("gender").addEventListener("change", showCccd);
  $("passport").addEventListener("input", showPassport);
  $("foreigner").addEventListener("change", showKind);
  $("gender").addEventListener("keydown", genderKeys);
  $("current-differs").addEventListener("change", (e) => { $("current").hidden = !e.target.checked; });
  $("trip-edit").addEventListener("click", () => {
    keepTrip(false);
    wards["trip.origin_ward"].input.focus();
  });
  // Enter saves from a tick box too (the signed pledge is the paper's last box), and
  // Ctrl+Enter from anywhere (a list, the ward search).
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.id === "foreigner") {
      event.preventDefault(); // Enter on the kind of form ticks it, as Space does: no empty save
      event.target.click();
      return;
    }
    const box = event.target.type === "checkbox";
    if (event.key === "Enter" && (box || event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", save);
  onChange(() => {
    if (refusal) {
      rerenderErrors(form);
      banner(pick(refusal.message));
    }
    showCccd();
    showPassport();
    keepTrip(!$("trip-kept").hidden);
  });
}
