// The daily follow-up of people under quarantine in the chosen ward: who is due today
// (lost to follow-up first, highlighted), one tap per person to record it, who the person
// is (a reveal at the declaration service, audited, with the follow-up as its purpose),
// and the list as a CSV file. Every read and write is the /v1/followups API the scripts use.
import { lang, t } from "./i18n.js";
import { download, toCsv } from "./csv.js";
import { vnDateTime, vnToday } from "/shared/vn-time.js";

const $ = (id) => document.getElementById(id);
// Common symptoms as one tap each (anything else goes in the free-text field), sent in
// the citizen form's Vietnamese words whatever the page's language, which the movement
// trace reads as its symptom codes (services/movement_trace/domain/followups.py).
const SYMPTOMS = { fever: "sốt", cough: "ho", shortness_of_breath: "khó thở", sore_throat: "đau họng",
  diarrhoea: "tiêu chảy", nausea_vomiting: "buồn nôn / nôn" };
const CHANNEL_KEY = "khaibao.ward.channel";

let ctx = null;  // { api, session, declarationUrl }
const state = { ward: "", due: [], revealed: new Map() };

export function initFollowups(context, wards) {
  ctx = context;
  // An official of several wards may go through all of them in one list.
  $("due-all-wards-label").hidden = wards.length < 2;
  $("due-all-wards").addEventListener("change", () => loadFollowups(state.ward));
  const channel = $("channel");
  channel.value = localStorage.getItem(CHANNEL_KEY) === "visit" ? "visit" : "call";
  channel.addEventListener("change", () => localStorage.setItem(CHANNEL_KEY, channel.value));
  $("due-pending").addEventListener("change", render);
  $("export").addEventListener("click", () => download(`${fileName()}.csv`, toCsv(exportRows())));
  $("export-xlsx").addEventListener("click", async () => {
    const { toXlsx } = await import("./xlsx.js");  // loaded when asked for, not on every visit
    download(`${fileName()}.xlsx`, toXlsx(exportRows(), fileName()));
  });
  $("due-reload").addEventListener("click", () => loadFollowups(state.ward));
}

export async function loadFollowups(ward) {
  state.ward = ward;
  // Without `ward`, the API answers for every ward of the account.
  state.due = await ctx.api(allWards() ? "/v1/followups" : `/v1/followups?ward=${encodeURIComponent(ward)}`);
  render();
}

const allWards = () => $("due-all-wards").checked;

// A ward's name as the ward menu shows it (names come with each ward's zone).
const wardName = (code) => [...$("ward").options].find((o) => o.value === code)?.textContent || code;

export function render() {
  if (!ctx) return;
  const due = state.due;
  const left = due.filter((d) => !d.reached_today).length;
  const lost = due.filter((d) => d.lost_to_followup).length;
  $("due-summary").textContent = t("due_summary", { left, n: due.length, lost });
  $("due-summary").classList.toggle("alarm", lost > 0);
  const shown = $("due-pending").checked ? due.filter((d) => !d.reached_today) : due;
  $("due").replaceChildren(...shown.map(row));
  $("due-empty").hidden = shown.length > 0;
  $("due-empty").textContent = due.length ? t("due_all_done") : t("due_none");
}

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function row(d) {
  const li = el("li", { className: "due" + (d.lost_to_followup ? " lost" : "") + (d.reached_today ? " done" : "") });
  li.dataset.id = d.quarantine_id;
  const days = Math.round((Date.parse(d.end) - Date.parse(d.start)) / 86400000);
  const head = el("div", { className: "due-head" },
    el("strong", { textContent: t("day_n", { n: d.day, of: days }) }),
    ` · ${t(`place_${d.place}`)} · ${t(`reason_${d.reason}`)}`);
  if (allWards()) head.prepend(el("span", { className: "ward-of", textContent: wardName(d.ward_code) }), " · ");
  if (d.lost_to_followup) head.append(" ", el("span", { className: "flag", textContent: t("lost", { n: d.missed_days }) }));
  li.append(head, who(d), status(d), actions(d));
  return li;
}

// Who the person is: a pseudonym until the official asks; then name and a phone link.
function who(d) {
  const box = el("div", { className: "who-is" });
  const person = state.revealed.get(d.subject_id);
  if (person) {
    const phone = person.phone
      ? el("a", { className: "phone", href: `tel:${person.phone}`, textContent: person.phone }) : "—";
    box.append(el("span", { className: "name", textContent: person.full_name }), " · ", phone);
    return box;
  }
  const button = el("button", { type: "button", className: "reveal-one", textContent: t("reveal_short") });
  button.title = t("reveal_why");
  button.addEventListener("click", () => reveal(d, box, button));
  box.append(el("span", { className: "muted", textContent: `${t("person")} ${d.subject_id.slice(0, 10)}…` }), " ", button);
  return box;
}

async function reveal(d, box, button) {
  button.disabled = true;
  // The purpose is the job at hand: it is recorded and shown to the person.
  const answer = await ctx.session.fetch(`${ctx.declarationUrl}/v1/reveals`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ subject_id: d.subject_id, purpose: t("reveal_purpose_followup", { n: d.day }) }) });
  const body = await answer.json().catch(() => null);
  if (!answer.ok) {
    button.disabled = false;
    box.append(el("p", { className: "error", textContent: body?.error?.message?.[lang()] || `HTTP ${answer.status}` }));
    return;
  }
  state.revealed.set(d.subject_id, body);
  box.replaceWith(who(d));
}

function status(d) {
  const last = d.latest_today;
  let text;
  if (last) text = `${t("recorded_at")} ${last.at ? vnDateTime(last.at, lang()) : ""}: ${describe(last)}`;
  else if (d.reached_today) text = t("reached_today");
  else if (d.attempts_today) text = t("tried_today", { n: d.attempts_today });
  else text = t("not_yet");
  return el("p", { className: "due-status", textContent: text });
}

function describe(f) {
  const parts = [t(f.reached ? "reached" : "not_reached"), f.channel ? t(`channel_${f.channel}`) : ""];
  if (f.temperature_c != null) parts.push(`${f.temperature_c} °C`);
  parts.push(f.symptoms.length ? f.symptoms.join(", ") : (f.reached ? t("no_symptoms") : ""));
  return parts.filter(Boolean).join(" · ");
}

// One tap for the common answers ("reached, well" and "not reached"); the details form
// for a temperature or symptoms.
function actions(d) {
  const box = el("div", { className: "due-actions" });
  const well = el("button", { type: "button", className: "record-well", textContent: t("record_well") });
  well.addEventListener("click", () => record(d, { reached: true, symptoms: [], temperature_c: null }, box));
  const missed = el("button", { type: "button", className: "record-missed", textContent: t("record_missed") });
  missed.addEventListener("click", () => record(d, { reached: false, symptoms: [], temperature_c: null }, box));
  box.append(well, missed, details(d, box));
  return box;
}

function details(d, box) {
  const more = el("details", { className: "more" }, el("summary", { textContent: t("record_more") }));
  const form = el("form");
  const temp = el("input", { name: "temperature", type: "text", inputMode: "decimal", autocomplete: "off",
    pattern: "\\d{2}([.,]\\d)?", placeholder: "37.5" });
  const tempLabel = el("label", {}, `${t("temperature")} `, temp);
  const checks = Object.keys(SYMPTOMS).map((key) => el("label", { className: "check" },
    el("input", { type: "checkbox", name: "symptom", value: key }), ` ${t(`sym_${key}`)}`));
  const other = el("input", { name: "other", type: "text", maxLength: 100, placeholder: t("sym_other") });
  other.setAttribute("aria-label", t("sym_other"));
  const reached = el("input", { type: "checkbox", name: "reached", checked: true });
  form.append(tempLabel, el("fieldset", {}, el("legend", { textContent: t("symptoms") }), ...checks, other),
    el("label", { className: "check" }, reached, ` ${t("reached")}`),
    el("button", { type: "submit", className: "record-save", textContent: t("record_save") }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = temp.value.trim().replace(",", ".");
    const symptoms = [...form.querySelectorAll("input[name=symptom]:checked")].map((c) => SYMPTOMS[c.value]);
    if (other.value.trim()) symptoms.push(other.value.trim());
    record(d, { reached: reached.checked, symptoms, temperature_c: value ? Number(value) : null }, box);
  });
  more.append(form);
  return more;
}

// The id of a follow-up not confirmed yet, by person and answer: tapping the same answer
// again after an error (no network at 2 a.m.) resends the same id, which the API records once.
const pending = new Map();

async function record(d, answer, box) {
  const hadFocus = box.contains(document.activeElement);
  for (const button of box.querySelectorAll("button")) button.disabled = true;
  const key = `${d.quarantine_id}|${$("channel").value}|${JSON.stringify(answer)}`;
  if (!pending.has(key)) pending.set(key, `f-${crypto.randomUUID()}`);
  const followupId = pending.get(key);
  try {
    const recorded = await ctx.api("/v1/followups", { method: "POST", body: JSON.stringify({
      quarantine_id: d.quarantine_id, channel: $("channel").value, followup_id: followupId, ...answer }) });
    pending.delete(key);
    // Updated in place, not re-sorted: the next person stays where the finger is.
    const { reached, channel, temperature_c, symptoms, at, by } = recorded;
    Object.assign(d, { attempts_today: d.attempts_today + 1,
      latest_today: { reached, channel, temperature_c, symptoms, at, by },
      reached_today: d.reached_today || recorded.reached,
      lost_to_followup: d.lost_to_followup && !recorded.reached });
    render();
    // By keyboard, the focus goes on to the next person still to reach.
    if (hadFocus) nextToReach(d)?.focus();
  } catch (error) {
    for (const button of box.querySelectorAll("button")) button.disabled = false;
    box.querySelector(".error")?.remove();
    box.append(el("p", { className: "error", role: "alert", textContent: `${t("record_failed")} ${error.message}` }));
  }
}

function nextToReach(d) {
  const rows = [...$("due").querySelectorAll("li.due")];
  const at = rows.findIndex((li) => li.dataset.id === d.quarantine_id);
  const next = [...rows.slice(at + 1), ...rows.slice(0, at + 1)].find((li) => !li.classList.contains("done"));
  return (next || rows[at])?.querySelector("button.record-well");
}

// The file (CSV or XLSX) is built here from the same /v1/followups answer the page shows
// (plus the people revealed on it): no second route to keep in step, and names
// appear only for the people this official revealed (each reveal audited).
function exportRows() {
  const header = ["quarantine_id", "subject_id", "full_name", "phone", "ward_code", "place", "reason",
    "start", "end_release", "day", "reached_today", "attempts_today", "missed_days",
    "lost_to_followup", "latest_at", "latest_reached", "latest_channel", "temperature_c",
    "symptoms", "recorded_by"];
  const rows = state.due.map((d) => {
    const person = state.revealed.get(d.subject_id);
    const last = d.latest_today;
    return [d.quarantine_id, d.subject_id, person?.full_name || "", person?.phone || "", d.ward_code,
      d.place, d.reason, d.start, d.end, d.day, d.reached_today ? "yes" : "no", d.attempts_today,
      d.missed_days, d.lost_to_followup ? "yes" : "no", last?.at || "",
      last ? (last.reached ? "yes" : "no") : "", last?.channel || "", last?.temperature_c ?? "",
      last ? last.symptoms.join("; ") : "", last?.by || ""];
  });
  return [header, ...rows];
}

const fileName = () => `theo-doi-${allWards() ? "tat-ca" : state.ward}-${vnToday()}`;
