// A picker for typing (the console's ward and country pickers): one field that finds an
// item by what is typed without accents, or by its code; Enter or Tab takes the highlighted
// match. The chosen code is in a hidden input named after the container's `data-name`, so
// collect() and the server's field errors find it.
import { t, onChange } from "../i18n.js";

/** Lower case, no marks, đ → d: what an officer types at 2 a.m. is found. */
export function fold(text) {
  return text.normalize("NFD").replace(/\p{M}/gu, "").replace(/[đĐ]/g, "d").toLowerCase();
}

let counter = 0;

/**
 * Turns <div data-name="…" data-label="phrase key"> into a combobox over `source`:
 * { matches(query) → [{ code, label }], label(code) → text (in the page's language),
 *   phrases: { placeholder, none, found } } (phrase keys; `found` takes {n}).
 * Returns { set(code), clear(), value(), input }.
 */
export function mountSearch(container, source) {
  const id = `search-${++counter}`;
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

  let shown = [];
  let active = -1;
  let chosen = null;

  const relabel = () => {
    input.placeholder = t(source.phrases.placeholder);
    if (chosen) input.value = source.label(chosen.code); // a country's name is the page's language's
  };
  relabel();
  onChange(relabel);

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
  function choose(item) {
    chosen = item;
    hidden.value = item.code;
    input.value = source.label(item.code);
    input.removeAttribute("aria-invalid");
    close();
    container.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function render() {
    shown = source.matches(input.value);
    list.replaceChildren(...shown.map((item, n) => {
      const li = Object.assign(document.createElement("li"), { id: `${id}-${n}`, textContent: item.label });
      li.setAttribute("role", "option");
      li.addEventListener("mousedown", (e) => { e.preventDefault(); choose(item); });
      return li;
    }));
    const open = input.value.trim() !== "";
    list.hidden = !open;
    if (open && !shown.length) {
      list.append(Object.assign(document.createElement("li"), { className: "none", textContent: t(source.phrases.none) }));
    }
    input.setAttribute("aria-expanded", String(open));
    count.textContent = open ? t(source.phrases.found, { n: shown.length }) : "";
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
      const item = source.matches(code).find((found) => found.code === code);
      if (item) choose(item);
    },
    clear() { chosen = null; hidden.value = ""; input.value = ""; close(); },
    value: () => hidden.value,
  };
}
