// The admins' panel: every trace query and every reveal of a person's identity, filtered by
// staff account, role, purpose, person, Viet Nam day and kind (GET /v1/audit).
import { lang, onChange, t } from "./i18n.js";
import { vnDateTime } from "/shared/vn-time.js";

const $ = (id) => document.getElementById(id);
let last = null;

function cell(text) {
  return Object.assign(document.createElement("td"), { textContent: text ?? "" });
}

function render(page) {
  last = page;
  $("audit-rows").replaceChildren(...page.entries.map((e) => {
    const row = document.createElement("tr");
    row.className = `audit-${e.kind}`;
    row.append(cell(vnDateTime(e.at, lang())), cell(t(`kind_${e.kind}`)), cell(e.who),
      cell(t(`role_${e.role}`)), cell(e.unit), cell(e.purpose),
      cell(e.subject_id ? `${e.subject_id.slice(0, 10)}…` : ""), cell(e.query));
    return row;
  }));
  $("audit-summary").textContent = t(page.truncated ? "audit_more" : "audit_n", { n: page.entries.length });
}

export function showAudit(session) {
  $("audit-panel").hidden = false;
  onChange(() => last && render(last));
  $("audit-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    for (const name of ["user", "role", "purpose", "subject_id", "day", "kind"]) {
      const value = $(`audit-${name}`).value.trim();
      if (value) query.set(name, value);
    }
    const response = await session.fetch(`/v1/audit?${query}`);
    const body = await response.json();
    if (!response.ok) {
      $("audit-summary").textContent = body?.error?.message?.[lang()] || `HTTP ${response.status}`;
      return;
    }
    render(body);
  });
  $("audit-form").requestSubmit();
}
