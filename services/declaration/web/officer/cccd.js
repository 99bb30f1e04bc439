// The CCCD checked as it is typed, by the service's own rules (services/declaration/
// domain/form_rules.py and libs/contracts/values.py): 12 digits (or an old 9-digit CMND),
// a province code 001–096 first, digit 4 the century and gender, digits 5–6 the birth
// year — against the date of birth and gender already typed above it on the paper form.

/** { ok, key, values } for the message under the field; `ok` null while still typing. */
export function checkCccd(typed, born, gender) {
  const digits = typed.replace(/[\s.\-()]/g, "");
  if (digits === "") return { ok: null, key: "", values: {} };
  if (!/^\d+$/.test(digits)) return { ok: false, key: "cccdDigits", values: {} };
  if (digits.length > 12) return { ok: false, key: "cccdLength", values: {} };
  if (digits.length < 12) {
    if (digits.length === 9) return { ok: true, key: "cmndOk", values: {} };
    return { ok: null, key: "cccdShort", values: { n: 12 - digits.length } };
  }
  const province = Number(digits.slice(0, 3));
  if (province < 1 || province > 96) return { ok: false, key: "cccdProvince", values: {} };
  const code = Number(digits[3]);
  const year = 1900 + Math.floor(code / 2) * 100 + Number(digits.slice(4, 6));
  const encoded = code % 2 ? "female" : "male";
  const bornYear = /^(\d{4})-/.exec(born || "")?.[1];
  if (bornYear && Number(bornYear) !== year) return { ok: false, key: "cccdYear", values: { year } };
  if (gender && gender !== encoded) return { ok: false, key: "cccdGender", values: { gender: encoded } };
  return { ok: true, key: "cccdOk", values: { year, gender: encoded } };
}

/** "14/03/1985", "14031985", "14-3-1985", "1985-03-14" → "1985-03-14"; else what was typed. */
export function isoDate(typed) {
  const text = typed.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return text;
  let match = /^(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})$/.exec(text);
  if (!match && /^\d{8}$/.test(text)) match = [text, text.slice(0, 2), text.slice(2, 4), text.slice(4)];
  if (!match) return text;
  const [, d, m, y] = match;
  return `${y}-${m.padStart(2, "0")}-${d.padStart(2, "0")}`;
}
