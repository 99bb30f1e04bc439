// The nationality picker of a foreigner's paper form: a country found by its name typed
// without accents, in Vietnamese or English ("han quoc", "korea"), or by its two-letter
// code ("kr"), the same kind of field as the ward pickers (search.js).
import { countries, countryName } from "../countries.js";
import { lang } from "../i18n.js";
import { fold, mountSearch } from "./search.js";

const LIMIT = 8;
let index = null;

function indexed() {
  index ??= countries().map((c) => ({
    code: c.code, key: fold(`${c.code} ${c.vi} ${c.en}`), vi: fold(c.vi), en: fold(c.en),
  }));
  return index;
}

export function nationalityLabel(code) {
  return `${countryName(code, lang())} (${code})`;
}

function matches(query) {
  const q = fold(query).trim().replace(/\s+/g, " ");
  if (!q) return [];
  const words = q.split(" ");
  const found = indexed().filter((c) => words.every((word) => c.key.includes(word)));
  // A code typed in full first ("kr"), then names that start with what was typed.
  const rank = (c) => (c.code.toLowerCase() === q ? 0 : c.vi.startsWith(q) || c.en.startsWith(q) ? 1 : 2);
  return found.sort((a, b) => rank(a) - rank(b) || a.code.localeCompare(b.code)).slice(0, LIMIT)
    .map((c) => ({ code: c.code, label: nationalityLabel(c.code) }));
}

const COUNTRIES = {
  matches, label: nationalityLabel,
  phrases: { placeholder: "countrySearch", none: "noCountry", found: "countriesFound" },
};

/** <div class="ward-search" data-name="person.nationality" data-label="…"> → the picker. */
export function mountNationality(container) {
  return mountSearch(container, COUNTRIES);
}
