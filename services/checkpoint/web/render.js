// Showing a scan: only what the API answered (masked), built with textContent.
import { lang, pick, t } from "./i18n.js";
import { calendarDay, vnDate } from "/shared/vn-time.js";

const $ = (id) => document.getElementById(id);

function item(parent, label, value) {
  const dt = document.createElement("dt");
  const dd = document.createElement("dd");
  dt.textContent = label;
  dd.textContent = value;
  parent.append(dt, dd);
}

const place = (zone) => `${zone.ward_name}, ${zone.province_name}`;
const level = (zone) => (zone.level ? t(`level${zone.level}`) : t("noLevel"));
const day = (isoDay) => calendarDay(isoDay, lang());
const list = (values) => (values.length ? values.join(", ") : t("none"));

function clearSummary() {
  for (const id of ["who", "status", "doc", "rec-decision"]) $(id).textContent = "";
  for (const id of ["facts", "crew", "reasons"]) $(id).replaceChildren();
  $("status").className = "badge";
}

export function clear() {
  clearSummary();
  for (const id of ["local-check", "notice"]) $(id).textContent = "";
  $("local-check").className = "check";
  $("notice").className = "";
  for (const id of ["summary", "recommendation", "decide"]) $(id).hidden = true;
}

export function localCheck(kind, text) {
  $("local-check").className = `check ${kind}`;
  $("local-check").textContent = text;
}

export function notice(kind, text) {
  $("notice").className = kind;
  $("notice").textContent = text;
}

function person(p) {
  $("who").textContent = p.masked_name;
  $("status").textContent = t(p.status);
  $("status").className = `badge ${p.status}`;
  $("doc").textContent = `${t("document")}: ${p.masked_document}`;
  const facts = $("facts");
  item(facts, t("trip"), `${place(p.trip.origin)} → ${place(p.trip.destination)} (${day(p.trip.departure_date)})`);
  item(facts, t("transport"), [p.trip.transport_mode, p.trip.transport_number].filter(Boolean).join(" "));
  item(facts, t("symptoms"), list(p.symptoms));
  item(facts, t("exposures"), list(p.exposures));
  item(facts, t("zone"), level(p.trip.origin));
  if (p.quarantine) item(facts, t("quarantine"), day(p.quarantine.until));
  if (p.earlier_refusals.length) {
    const last = p.earlier_refusals[0];
    item(facts, t("refusals"), `${p.earlier_refusals.length} (${vnDate(last.at, lang())}, ${last.checkpoint_id}, ${last.reason || ""})`);
  }
}

function vehicle(v) {
  $("who").textContent = `${v.plate} — ${t("vehicle")}`;
  $("doc").textContent = `${v.vehicle_type} · ${v.cargo} · ${v.permit_number}`;
  item($("facts"), t("trip"), `${place(v.depot)} → ${place(v.destination)} (${day(v.departure_date)})`);
  for (const member of v.crew) {
    const li = document.createElement("li");
    const failures = member.failures.map((f) => pick(f.message)).join("; ");
    li.textContent = `${member.cleared ? "✓" : "✗"} ${member.role}: ${member.masked_name || member.declaration_id.slice(0, 8)}`
      + (member.status ? ` (${t(member.status)})` : "") + (failures ? ` — ${failures}` : "");
    $("crew").append(li);
  }
}

export function scan(answer) {
  clearSummary();
  $("summary").hidden = false;
  if (answer.person) person(answer.person);
  if (answer.vehicle) vehicle(answer.vehicle);
  const rec = answer.recommendation;
  $("recommendation").hidden = false;
  $("recommendation").className = `rec ${rec.decision}`;
  $("rec-decision").textContent = t(rec.decision) + (rec.may_pass ? "" : ` — ${t("mayNotPass")}`);
  for (const reason of rec.reasons) {
    const li = document.createElement("li");
    li.textContent = pick(reason.message);
    $("reasons").append(li);
  }
  const suggested = rec.reasons.find((r) => r.refusal_reason && r.refusal_reason !== "referred_to_medical");
  $("reason").value = suggested ? suggested.refusal_reason : "";
  return rec;
}
