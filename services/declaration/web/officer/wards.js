// A ward picker for typing: one field that finds a ward by its name typed without
// accents ("hoan kiem", "vung tau"), or by its 5-digit code, over the units the service
// serves (../places.js loads GET /v1/units). Enter or Tab takes the highlighted match.
import { t, onChange } from "../i18n.js";

/** Lower case, no marks, đ → d: what an officer types at 2 a.m. is found. */
export function fold(text) {
  return text.normalize("NFD").replace(/\p{M}/gu, "").replace(/[đĐ]/g, "d").toLowerCase();
}

const bare = (name) => name.replace(/^(Thành phố|Tỉnh|Phường|Xã|Đặc khu)\s+/u, "");
const LIMIT = 8;
let index = [];
let counter = 0;

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

/**
 * Turns <div class="ward-search" data-name="trip.origin_ward" data-label="origin"> into a
 * combobox; the chosen code is in a hidden input named `data-name` (so collect() and the
 * server's field errors find it). Returns { set(code), clear(), value(), input }.
 */
export function mountWardSearch(container) {
  const id = `wards-${++counter}`;
  const label = document.createElement("label");
  const caption = document.createElement("span");
  caption.dataset.i18n = container.dataset.label;
  const input = Object.assign(document.createElement("input"), { autocomplete: "off", spellcheck: false });
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", `${id}-list`);
  input.className = "ward-input";
  const hidden = Object.assign(document.createElement("input"), { type: "hidden", name: container.dataset.name });
  label.append(caption, input, hidden);
  const list = Object.assign(document.createElement("ul"), { id: `${id}-list`, className: "ward-list" });
  list.setAttribute("role", "listbox");
  list.hidden = true;
  const count = Object.assign(document.createElement("p"), { className: "sr-only" });
  count.setAttribute("aria-live", "polite");
  container.append(label, list, count);
  const placeholder = () => { input.placeholder = t("wardSearch"); };
  placeholder();
  onChange(placeholder);

  let shown = [];
  let active = -1;
  let chosen = null;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }
  function highlight(i) {
    active = i;
    for (const [n, li] of [...list.children].entries()) li.setAttribute("aria-selected", String(n === i));
    if (i >= 0 && list.children[i]) input.setAttribute("aria-activedescendant", list.children[i].id);
  }
  function choose(ward) {
    chosen = ward;
    hidden.value = ward.code;
    input.value = ward.label;
    input.removeAttribute("aria-invalid");
    close();
    container.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function render() {
    shown = matches(input.value);
    list.replaceChildren(...shown.map((ward, n) => {
      const li = Object.assign(document.createElement("li"), { id: `${id}-${n}`, textContent: ward.label });
      li.setAttribute("role", "option");
      li.addEventListener("mousedown", (e) => { e.preventDefault(); choose(ward); });
      return li;
    }));
    const open = input.value.trim() !== "";
    list.hidden = !open;
    if (open && !shown.length) {
      list.append(Object.assign(document.createElement("li"), { className: "none", textContent: t("noWard") }));
    }
    input.setAttribute("aria-expanded", String(open));
    count.textContent = open ? t("wardsFound", { n: shown.length }) : "";
    highlight(shown.length ? 0 : -1);
  }
  input.addEventListener("input", () => {
    chosen = null;
    hidden.value = "";
    render();
  });
  input.addEventListener("keydown", (event) => {
    const open = !list.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!open) render();
      const step = event.key === "ArrowDown" ? 1 : -1;
      if (shown.length) highlight((active + step + shown.length) % shown.length);
      event.preventDefault();
    } else if (event.key === "Enter" && open) {
      event.preventDefault(); // choosing, not saving the form
      if (active >= 0) choose(shown[active]);
    } else if (event.key === "Tab" && open && active >= 0 && !chosen) {
      choose(shown[active]); // and the focus moves on
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", close);

  return {
    input,
    set(code) {
      const ward = index.find((w) => w.code === code);
      if (ward) choose(ward);
    },
    clear() { chosen = null; hidden.value = ""; input.value = ""; close(); },
    value: () => hidden.value,
  };
}
