// The citizen page: the form, its submission, and the declarations sent from this device.
import { apply, lang, onChange, pick, t, toggle } from "./i18n.js";
import { loadUnits, mountPlace, samePlace } from "./places.js";
import { EXPOSURES, SYMPTOMS, checkboxes, clearErrors, collect, rerenderErrors, showErrors } from "./form.js";
import { remember, remembered, showDeclarations } from "./status.js";
import { vnDate, vnToday } from "/shared/vn-time.js";

const $ = (selector) => document.querySelector(selector);
const form = $("#form");
const places = {};

function foreign() { return form.querySelector("[name=citizenship]:checked").value === "foreign"; }

function setupToggles() {
  for (const radio of form.querySelectorAll("[name=citizenship]")) {
    radio.addEventListener("change", () => {
      for (const label of form.querySelectorAll("[data-when]")) {
        label.hidden = label.dataset.when !== (foreign() ? "foreign" : "VN");
      }
    });
  }
  $("#has-temporary").addEventListener("change", (e) => {
    form.querySelector("[data-place='residence.temporary']").hidden = !e.target.checked;
  });
  $("#current-same").addEventListener("change", (e) => {
    form.querySelector("[data-place='residence.current']").hidden = e.target.checked;
    if (!e.target.checked) samePlace(places["residence.permanent"], places["residence.current"]);
  });
  $("#add-dependant").addEventListener("click", () => {
    const card = $("#dependant-template").content.cloneNode(true);
    card.querySelector(".remove").addEventListener("click", (e) => e.target.closest(".dependant").remove());
    $("#dependants").append(card);
    apply($("#dependants"));
  });
}

function banner(message) {
  const box = $("#form-error");
  box.textContent = message;
  box.hidden = !message;
  if (message) box.scrollIntoView({ block: "center" });
}

// One key per form as sent: pressing "send" again after a lost answer (a cheap phone
// losing its signal) gets the same declarations back instead of a second set.
let attempt = { body: "", key: "" };

function idempotencyKey(body) {
  if (attempt.body !== body) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    attempt = { body, key: Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("") };
  }
  return attempt.key;
}

async function submit(event) {
  event.preventDefault();
  clearErrors(form);
  banner("");
  const body = collect(form, {
    foreign: foreign(), currentSame: $("#current-same").checked, hasTemporary: $("#has-temporary").checked,
  });
  const button = $("#submit");
  button.disabled = true;
  button.textContent = t("sending");
  try {
    const json = JSON.stringify(body);
    const response = await fetch("/v1/declarations", {
      method: "POST", body: json,
      // The page's language is the one messages to this person are written in.
      headers: { "Content-Type": "application/json", "Idempotency-Key": idempotencyKey(json),
                 "Accept-Language": lang() },
    });
    const answer = await response.json().catch(() => ({}));
    if (response.status === 201) return done(answer);
    const error = answer.error || {};
    const unplaced = showErrors(form, error.fields);
    banner(pick(error.message) + (unplaced ? ` (${Object.keys(error.fields).join(", ")})` : ""));
  } catch {
    banner(t("network"));
  } finally {
    button.disabled = false;
    button.textContent = t("submit");
  }
}

async function done(answer) {
  const items = [answer, ...answer.dependants].map((d) => ({
    id: d.declaration_id, token: d.access_token, name: d.full_name, until: d.valid_until,
  }));
  remember(items);
  form.reset();
  $("#dependants").replaceChildren();
  await open(items);
}

async function open(items) {
  form.hidden = true;
  $("#mine").hidden = true;
  $("#result").hidden = false;
  location.hash = `d=${items[0].id}`;
  await showDeclarations($("#cards"), items);
  $("#result").scrollIntoView();
}

function listMine() {
  const mine = remembered().filter((d) => new Date(d.until) > Date.now() - 86400000);
  $("#mine").hidden = mine.length === 0;
  $("#mine-list").replaceChildren(...mine.reverse().map((item) => {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    const until = vnDate(item.until, "vi");
    button.textContent = `${item.name} — ${until}`;
    button.addEventListener("click", () => open([item]));
    li.append(button);
    return li;
  }));
}

function resetDeparture() {
  const departure = form.querySelector("[name='trip.departure_date']");
  // Viet Nam's dates, whatever zone the phone is set to: the service checks them so.
  departure.min = vnToday();
  departure.max = vnToday(14);
  departure.value = vnToday();
}

function newDeclaration() {
  resetDeparture();
  $("#result").hidden = true;
  form.hidden = false;
  history.replaceState(null, "", location.pathname);
  listMine();
}

async function main() {
  apply();
  $("#lang").addEventListener("click", toggle);
  onChange(() => { rerenderErrors(form); listMine(); });
  checkboxes($("#symptoms"), "health.symptoms", SYMPTOMS);
  checkboxes($("#exposures"), "health.exposures", EXPOSURES);
  resetDeparture();
  await loadUnits();
  for (const container of form.querySelectorAll(".place")) {
    places[container.dataset.place] = mountPlace(container);
  }
  apply(form);
  setupToggles();
  form.addEventListener("submit", submit);
  $("#again").addEventListener("click", newDeclaration);
  const reopen = /^#d=(.+)$/.exec(location.hash);
  const known = reopen && remembered().find((d) => d.id === reopen[1]);
  if (known) await open([known]); else listMine();
  document.body.dataset.ready = "true";
}

main().catch((error) => {
  banner(t("network"));
  console.error(error);
});
