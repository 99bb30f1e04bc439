// A CSV of paper forms, or an arrival manifest (a flight's or a ship's passengers, each
// also registered as an arrival): read in the browser and previewed (rows, missing
// columns) before anything is sent; then POST /v1/declarations/import, whose report names
// each bad row and what is wrong in it, in Vietnamese and English. The rows are checked by
// the server only (one set of rules); importing the same file again stores nothing twice.
import { t } from "../i18n.js";
import { isoDate } from "./cccd.js";
import { mountWardSearch } from "./wards.js";
import { vnToday } from "/shared/vn-time.js";

const $ = (id) => document.getElementById(id);
// The columns the import cannot do without (services/declaration/domain/csv_import.py).
const REQUIRED = {
  paper: ["full_name", "date_of_birth", "gender", "permanent_ward", "current_ward", "origin_ward",
    "destination_ward", "departure_date", "transport_mode", "consent"],
  manifest: ["full_name", "date_of_birth", "gender", "destination_ward"],
};
const kind = () => $("import-format").value;
const SHOWN = 20;
let session, afterImport;
let file = null;

/** RFC 4180: quoted fields, doubled quotes, CRLF or LF; a BOM dropped. */
export function parseCsv(text) {
  const rows = [];
  let row = [], field = "", quoted = false;
  const body = text.replace(/^\uFEFF/, "");
  for (let i = 0; i < body.length; i += 1) {
    const c = body[i];
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') { field += '"'; i += 1; } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && body[i + 1] === "\n") i += 1;
      row.push(field); field = "";
      if (row.some((cell) => cell !== "")) rows.push(row);
      row = [];
    } else field += c;
  }
  row.push(field);
  if (row.some((cell) => cell !== "")) rows.push(row);
  return rows;
}

function cell(tag, text) {
  return Object.assign(document.createElement(tag), { textContent: text });
}

function table(target, head, rows) {
  const thead = document.createElement("thead");
  thead.append(Object.assign(document.createElement("tr"), {}));
  thead.firstChild.append(...head.map((h) => cell("th", h)));
  const tbody = document.createElement("tbody");
  for (const row of rows) {
    const tr = document.createElement("tr");
    if (row.line) tr.dataset.line = row.line;
    tr.append(...row.cells.map((c) => cell("td", c)));
    tbody.append(tr);
  }
  target.replaceChildren(thead, tbody);
}

async function preview() {
  const chosen = $("import-file").files[0];
  $("report").hidden = true;
  if (!chosen) { $("preview").hidden = true; return; }
  const text = await chosen.text();
  const [header = [], ...rows] = parseCsv(text);
  const columns = header.map((h) => h.trim());
  const missing = REQUIRED[kind()].filter((c) => !columns.includes(c));
  if (!columns.includes("national_id") && !columns.includes("passport")) missing.push("national_id|passport");
  file = { name: chosen.name, text, rows: rows.length, missing };
  renderPreview(columns, rows);
}

function renderPreview(columns, rows) {
  $("preview-summary").textContent = t("previewRows", { n: file.rows, file: file.name, shown: Math.min(SHOWN, file.rows) }) +
    (file.missing.length ? ` ${t("missingColumns", { columns: file.missing.join(", ") })}` : "");
  $("preview-summary").className = file.missing.length ? "banner" : "";
  table($("preview-table"), [t("line"), ...columns],
    rows.slice(0, SHOWN).map((r, i) => ({ line: i + 2, cells: [String(i + 2), ...r] })));
  const send = $("import-send");
  send.textContent = t("importSend", { n: file.rows });
  send.disabled = file.missing.length > 0 || file.rows === 0;
  $("preview").hidden = false;
}

async function send() {
  const button = $("import-send");
  if (!file || button.disabled) return;
  button.disabled = true;
  button.textContent = t("importing");
  try {
    const response = await session.fetch(`/v1/declarations/import?${query()}`, {
      method: "POST", body: file.text, headers: { "content-type": "text/csv; charset=utf-8" },
    });
    const answer = await response.json().catch(() => ({}));
    report(response, answer);
    if (response.ok) afterImport();
  } finally {
    button.disabled = false;
    button.textContent = t("importSend", { n: file.rows });
  }
}

/** format=paper, or the manifest's arrival as typed above the file. */
function query() {
  const params = new URLSearchParams({ format: kind() });
  if (kind() === "manifest") {
    for (const el of $("manifest").querySelectorAll("[name]")) {
      const value = el.value.trim();
      if (value) params.set(el.name, el.name === "arrival_date" ? isoDate(value) : value);
    }
  }
  return params.toString();
}

function report(response, answer) {
  $("report").hidden = false;
  const summary = $("report-summary");
  if (!response.ok) {
    const message = answer.error?.message || {};
    summary.textContent = `${message.vi || response.status} / ${message.en || ""}`;
    summary.className = "banner";
    // The manifest's own fields (flight number, entry ward…) refused: each named.
    const rows = Object.entries(answer.error?.fields || {}).flatMap(([name, problems]) =>
      problems.map((p) => ({ cells: ["", name, p.message?.vi || "", p.message?.en || ""] })));
    table($("report-errors"), [t("line"), t("column"), t("problemVi"), t("problemEn")], rows);
    $("report-errors").hidden = rows.length === 0;
    return;
  }
  summary.className = "saved";
  summary.textContent = t("reportSummary", answer);
  const rows = [];
  for (const error of answer.errors) {
    for (const [column, problems] of Object.entries(error.fields || {})) {
      for (const problem of problems) {
        rows.push({ line: error.line, cells: [String(error.line), column, problem.message.vi, problem.message.en] });
      }
    }
  }
  table($("report-errors"), [t("line"), t("column"), t("problemVi"), t("problemEn")], rows);
  $("report-errors").hidden = rows.length === 0;
}

export function initImport(signedIn, onImported) {
  session = signedIn;
  afterImport = onImported;
  $("import-file").addEventListener("change", preview);
  mountWardSearch($("manifest").querySelector(".ward-search"));
  const [year, month, day] = vnToday().split("-");
  $("manifest").querySelector("[name=arrival_date]").value = `${day}/${month}/${year}`;
  $("import-format").addEventListener("change", () => {
    $("manifest").hidden = kind() !== "manifest";
    preview();
  });
  $("import-send").addEventListener("click", send);
}
