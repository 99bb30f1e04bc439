// The ward picker: finds a ward by its name typed without accents ("hoan kiem", "vung
// tau"), or by its 5-digit code, over the units the service serves (../places.js loads
// GET /v1/units); the typing and choosing are search.js's.
import { fold, mountSearch } from "./search.js";

export { fold };

const bare = (name) => name.replace(/^(Thành phố|Tỉnh|Phường|Xã|Đặc khu)\s+/u, "");
const LIMIT = 8;
let index = [];

export function indexUnits(units) {
  index = units.flatMap((p) => p.wards.map(([code, name]) => ({
    code, name, province: p.name, label: `${name}, ${p.name}`,
    key: fold(`${name} ${bare(name)} ${p.name} ${bare(p.name)}`), own: fold(bare(name)),
  })));
}

export function wardLabel(code) {
  return index.find((w) => w.code === code)?.label || code;
}

function matches(query) {
  const q = fold(query).trim().replace(/\s+/g, " ");
  if (!q) return [];
  if (/^\d{5}$/.test(q)) return index.filter((w) => w.code === q);
  const words = q.split(" ");
  const found = index.filter((w) => words.every((word) => w.key.includes(word)));
  const rank = (w) => (w.own === q ? 0 : w.own.startsWith(q) ? 1 : w.key.startsWith(q) ? 2 : 3);
  return found.sort((a, b) => rank(a) - rank(b) || a.own.localeCompare(b.own)).slice(0, LIMIT);
}

const WARDS = {
  matches, label: wardLabel,
  phrases: { placeholder: "wardSearch", none: "noWard", found: "wardsFound" },
};

/**
 * Turns <div class="ward-search" data-name="trip.origin_ward" data-label="origin"> into a
 * ward combobox. Returns { set(code), clear(), value(), input }.
 */
export function mountWardSearch(container) {
  return mountSearch(container, WARDS);
}
