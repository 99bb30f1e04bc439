// Viet Nam's clock for every page (served by each service at /shared/vn-time.js).
// The services count days in Viet Nam time (UTC+7, no daylight saving since 1975:
// libs/contracts/vietnam_time.py). A phone or computer may be set to any other zone
// — a traveller about to fly home, a machine in UTC — so no page takes "today" from
// the device's calendar, and every date or time it shows is Viet Nam's.
// tests/unit/test_calendar_rule.py keeps other page code from asking the device.
export const VN_ZONE = "Asia/Ho_Chi_Minh";
const VN_OFFSET_MS = 7 * 3600 * 1000;
const DAY_MS = 86400 * 1000;

const locale = (lang) => (lang === "en" ? "en-GB" : "vi-VN");

/** Viet Nam's date, `offsetDays` from today (1 = tomorrow), as YYYY-MM-DD. */
export function vnToday(offsetDays = 0, now = Date.now()) {
  return new Date(now + VN_OFFSET_MS + offsetDays * DAY_MS).toISOString().slice(0, 10);
}

/** A moment (ISO string, Date or ms) as Viet Nam's date and time, in the page's language. */
export function vnDateTime(moment, lang) {
  return new Date(moment).toLocaleString(locale(lang),
    { timeZone: VN_ZONE, dateStyle: "short", timeStyle: "short" });
}

/** A moment as Viet Nam's date alone. */
export function vnDate(moment, lang) {
  return new Date(moment).toLocaleDateString(locale(lang), { timeZone: VN_ZONE });
}

/** A calendar day ("2026-12-07", no time) shown as the same day in every zone. */
export function calendarDay(isoDay, lang) {
  return new Date(`${isoDay}T00:00:00Z`).toLocaleDateString(locale(lang), { timeZone: "UTC" });
}

/** A datetime-local input's value ("2026-12-07T08:30"), read as Viet Nam time, as an ISO moment. */
export function fromVnLocal(value) {
  const seconds = value.length === 16 ? ":00" : "";
  return new Date(`${value}${seconds}+07:00`).toISOString();
}

/** Viet Nam midnights (ms) from `startMs` to `endMs`, for day lines on a chart. */
export function vnMidnights(startMs, endMs) {
  const first = Date.parse(`${vnToday(0, startMs)}T00:00:00+07:00`);
  const days = [];
  for (let day = first < startMs ? first + DAY_MS : first; day <= endMs; day += DAY_MS) days.push(day);
  return days;
}
