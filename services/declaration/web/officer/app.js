// The officers' console (GET /officer/): paper forms typed in, a citizen's or a foreigner's (paper.js), a CSV of paper
// forms imported after a preview (imports.js), a green-lane vehicle with its crew and its
// QR to print (vehicle.js), and the officer's own entries of the day (GET /v1/entries). Signed in as an officer or an admin (/shared/signin.js); every
// write is a /v1/ call made as that account, which the service records as `entered_by`.
import { addPhrases, apply, lang, onChange, t, toggle } from "../i18n.js";
import { loadUnits } from "../places.js";
import { initImport } from "./imports.js";
import { nationalityLabel } from "./nationality.js";
import { initPaper } from "./paper.js";
import { initVehicle } from "./vehicle.js";
import { PHRASES } from "./phrases.js";
import { indexUnits, wardLabel } from "./wards.js";
import { signIn } from "/shared/signin.js";
import { vnDateTime } from "/shared/vn-time.js";

addPhrases(PHRASES);
const $ = (id) => document.getElementById(id);
let session = null;
let entries = [];

function show(tab) {
  for (const button of document.querySelectorAll("[data-tab]")) {
    button.setAttribute("aria-pressed", String(button.dataset.tab === tab));
  }
  for (const panel of document.querySelectorAll("[data-panel]")) panel.hidden = panel.dataset.panel !== tab;
  if (tab === "entries") loadEntries();
}

function cell(text, className = "") {
  return Object.assign(document.createElement("td"), { textContent: text, className });
}

function renderEntries() {
  $("entries-count").textContent = `(${entries.length})`;
  $("entries-empty").hidden = entries.length > 0;
  const head = document.createElement("tr");
  head.append(...["at", "who", "doc", "route", "channel", "status"].map((key) =>
    Object.assign(document.createElement("th"), { textContent: t(key) })));
  const rows = entries.map((e) => {
    const tr = document.createElement("tr");
    tr.dataset.id = e.declaration_id;
    // A foreigner by the masked passport and the country that issued it.
    const documentText = e.document_type === "passport"
      ? t("passportDoc", { doc: e.document, country: nationalityLabel(e.nationality) }) : e.document;
    tr.append(cell(vnDateTime(e.submitted_at, lang())), cell(e.full_name), cell(documentText),
      cell(`${wardLabel(e.origin_ward)} → ${wardLabel(e.destination_ward)}`),
      cell(t({ paper: "paperChannel", import: "importChannel" }[e.channel] || "crewChannel")),
      cell(t(e.status) + (e.reasons.length ? ` (${e.reasons.map((r) => t(r)).join(", ")})` : ""),
        `status status-${e.status}`));
    return tr;
  });
  const thead = document.createElement("thead");
  thead.append(head);
  const tbody = document.createElement("tbody");
  tbody.append(...rows);
  $("entries-table").replaceChildren(thead, tbody);
  $("entries-table").hidden = entries.length === 0;
}

async function loadEntries() {
  const response = await session.fetch("/v1/entries");
  if (!response.ok) return;
  entries = await response.json();
  renderEntries();
}

async function main() {
  apply();
  $("lang").addEventListener("click", toggle);
  session = await signIn({ roles: ["officer", "admin"], i18n: { lang, onChange } });
  indexUnits(await loadUnits());
  initPaper(session, loadEntries);
  initImport(session, loadEntries);
  initVehicle(session, loadEntries);
  apply($("work")); // after the pickers and boxes are made: their captions too
  for (const button of document.querySelectorAll("[data-tab]")) {
    button.addEventListener("click", () => show(button.dataset.tab));
  }
  $("entries-reload").addEventListener("click", loadEntries);
  onChange(renderEntries);
  $("work").hidden = false;
  await loadEntries();
  $("full-name").focus();
  document.body.dataset.ready = "yes";
}

main().catch((error) => {
  console.error(error);
});
