// How a contact's evidence reads (a checkpoint and a time, or a shared journey and seats),
// for the contacts list, the proposed F1 and the graph's edges alike.
import { lang, t } from "./i18n.js";
import { calendarDay, vnDateTime } from "/shared/vn-time.js";

export const when = (iso) => vnDateTime(iso, lang());
export const short = (id) => `${id.slice(0, 10)}…`;
const day = (iso) => calendarDay(iso, lang());

export function seatRule(label) {
  const rows = /^rows±(\d+)$/.exec(label);
  return rows ? t("rule_rows", { n: rows[1] }) : t(`rule_${label}`);
}

// A shared journey: which, which day, both seats, the rule that made it a contact.
function journeyText(e) {
  const j = e.journey;
  const unknown = j.seat_unknown ? ` · ${t("seat_unknown")}` : "";
  return `${t("shared_journey")}: ${t(`mode_${j.mode}`)} ${j.number} · ${day(j.departure_date)} · ` +
    `${t("seat")} ${j.seat || "?"} (${t("their_seat")} ${j.met_seat || "?"}) · ${seatRule(j.seat_rule)}${unknown} · ` +
    `${t("via")} ${short(e.met)}`;
}

export function exposureText(e) {
  if (e.journey) return journeyText(e);
  const rule = e.rule === "overlapping_stays" ? t("overlap", { m: e.minutes }) : t("near", { m: e.minutes });
  const capped = e.end_inferred ? ` (${t("no_out")})` : "";
  return `${e.checkpoint_id} (${e.ward_code || "?"}) · ${when(e.start)} · ${rule}${capped} · ${t("via")} ${short(e.met)}`;
}

