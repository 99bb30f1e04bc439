// A passport number checked as it is typed, by the service's own rule (services/
// declaration/domain/form_rules.py passport): spaces, dots, dashes and brackets dropped,
// ASCII upper-cased, then 5 to 20 letters or digits. What the service will store is shown.

const SEPARATORS = /[\s.\-()]/g;
const MIN = 5;
const MAX = 20;

/** { ok, key, values, number } for the line under the field; `ok` null while still typing. */
export function checkPassport(typed) {
  const compact = typed.replace(SEPARATORS, "");
  // Only ASCII is upper-cased, as on the server: "ß".toUpperCase() is "SS", which nobody typed.
  const number = /^[ -~]*$/.test(compact) ? compact.toUpperCase() : compact;
  if (number === "") return { ok: null, key: "", values: {}, number };
  if (!/^[A-Z0-9]+$/.test(number)) return { ok: false, key: "passportChars", values: {}, number };
  if (number.length > MAX) return { ok: false, key: "passportLong", values: { max: MAX }, number };
  if (number.length < MIN) return { ok: null, key: "passportShort", values: { n: MIN - number.length }, number };
  return { ok: true, key: "passportOk", values: { number }, number };
}
