// Vietnamese first, English on request, for every service's page (served by each at
// /shared/i18n.js). A page keeps its own phrases and gets its translator from here:
//
//   export const { t, apply, lang, pick, onChange, toggle } = translator(TEXT);
//
// `apply` writes each [data-i18n] element's text and each [data-i18n-label]
// element's aria-label, the page's lang attribute and, when the page has a
// `title` phrase, its title. The choice is remembered on this device.
const KEY = "khaibao.lang";

export function translator(text) {
  let lang = localStorage.getItem(KEY) === "en" ? "en" : "vi";
  const listeners = [];

  /** A phrase; `{name}` placeholders are filled from `values` when given. */
  const t = (key, values) => {
    const phrase = text[lang][key] ?? text.vi[key] ?? key;
    return values ? phrase.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? "")) : phrase;
  };

  function apply(root = document) {
    document.documentElement.lang = lang;
    for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    for (const el of root.querySelectorAll("[data-i18n-label]")) {
      el.setAttribute("aria-label", t(el.dataset.i18nLabel));
    }
    if (text.vi.title) document.title = t("title");
  }

  return {
    t,
    apply,
    lang: () => lang,
    /** A server message {vi, en} in the reader's language. */
    pick: (message) => (message && (message[lang] || message.vi)) || "",
    /** Called after each switch, for what `apply` cannot redraw (dates, errors). */
    onChange: (listener) => listeners.push(listener),
    toggle() {
      lang = lang === "vi" ? "en" : "vi";
      localStorage.setItem(KEY, lang);
      apply();
      for (const listener of listeners) listener(lang);
    },
  };
}
