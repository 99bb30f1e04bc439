// The case console: confirm a case (POST /v1/cases), see its proposed F1 with their
// evidence, order quarantine for the chosen ones (POST /v1/cases/{id}/quarantines),
// release an order early (POST /v1/quarantines/{id}/release), draw its network.
// Every call goes to the same /v1/ API scripts use, as the signed-in epidemiologist,
// with the purpose typed above (audited with the account by the service).
import { lang, onChange, t } from "./i18n.js";
import { exposureText, short, when } from "./evidence.js";
import { drawNetwork } from "./network.js";
import { calendarDay, vnToday } from "/shared/vn-time.js";

const $ = (id) => document.getElementById(id);
const state = { proposal: null, orders: new Map(), network: null };
let api = null;

function purpose() {
  if (!$("purpose").reportValidity()) throw new Error(t("purpose"));
  return $("purpose").value.trim();
}

async function run(action) {
  $("case-error").hidden = true;
  try {
    await action();
  } catch (error) {
    $("case-error").textContent = error.message;
    $("case-error").hidden = false;
  }
}

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

// One proposed F1: a checkbox (keyboard: Tab, Space), their ward, every exposure.
function proposedItem(p) {
  const id = `f1-${p.subject_id}`;
  const box = el("input", { type: "checkbox", id, value: p.subject_id, checked: !p.quarantine_id });
  box.dataset.subject = p.subject_id;
  const label = el("label", { htmlFor: id, className: "check" }, el("code", { textContent: short(p.subject_id) }),
    ` · ${p.ward_code || "?"}${p.quarantine_id ? ` · ${t("already_ordered")}` : ""}`);
  const item = el("li", {}, box, " ", label);
  item.dataset.subject = p.subject_id;
  if (!p.ward_code) {
    const ward = el("input", { className: "ward", inputMode: "numeric", pattern: "[0-9]{5}", maxLength: 5 });
    ward.dataset.subject = p.subject_id;
    item.append(el("label", { className: "inline" }, `${t("ward_needed")} `, ward));
  }
  item.append(el("ul", {}, ...p.exposures.map((e) => el("li", { className: `exposure ${e.rule}`, textContent: exposureText(e) }))));
  return item;
}

function renderProposal() {
  const body = state.proposal;
  const c = body.case;
  $("case-result").hidden = false;
  $("case-summary").textContent = `${t(body.created ? "case_new" : "case_known")} ` + t("case_line", {
    id: short(c.case_id), test: calendarDay(c.positive_test_date, lang()), by: c.confirmed_by,
    at: when(c.confirmed_at), from: when(c.window_start), n: body.proposed.length });
  const items = body.proposed.map(proposedItem);
  if (!items.length) items.push(el("li", { className: "muted", textContent: t("none") }));
  $("proposed").replaceChildren(...items);
  renderOrders();
  if (state.network) drawNetwork($("network"), state.network, $("network-summary"));
}

function orderItem(o) {
  const item = el("li", { className: "order" });
  item.dataset.quarantine = o.quarantine_id;
  item.dataset.subject = o.subject_id;
  const line = t("order_line", { from: calendarDay(o.start, lang()), to: calendarDay(o.end, lang()), place: t(`place_${o.place}`) });
  item.append(el("code", { textContent: short(o.subject_id) }), ` · ${line} · ${o.ward_code || "?"} · ${o.ordered_by || ""}`);
  if (o.released_at) {
    item.append(el("span", { className: "badge", textContent: t("released", { at: when(o.released_at) }) }));
  } else {
    const button = el("button", { type: "button", className: "secondary release", textContent: t("release") });
    button.addEventListener("click", () => run(async () => {
      const body = { purpose: purpose() };
      const released = await (await api.call(`/v1/quarantines/${o.quarantine_id}/release`, null, body)).json();
      state.orders.set(released.quarantine_id, released);
      renderOrders();
      $("order-status").textContent = t("release_done");
    }));
    item.append(" ", button);
  }
  return item;
}

function renderOrders() {
  const items = [...state.orders.values()].map(orderItem);
  if (!items.length) items.push(el("li", { className: "muted", textContent: t("none") }));
  $("orders").replaceChildren(...items);
}

// The orders already given for this case (from a second visit, or a colleague's).
async function loadOrders() {
  state.orders.clear();
  const caseId = state.proposal.case.case_id;
  for (const p of state.proposal.proposed.filter((x) => x.quarantine_id)) {
    const query = new URLSearchParams({ purpose: purpose(), subject_id: p.subject_id });
    for (const o of await (await api.call("/v1/quarantines", query)).json()) {
      if (o.case_id === caseId) state.orders.set(o.quarantine_id, o);
    }
  }
}

async function confirm() {
  const who = $("case-who").value.replace(/[\s.\-]/g, "");
  const body = { purpose: purpose(), positive_test_date: $("case-date").value };
  body.subject_id = await api.subjectOf(who);
  state.proposal = await (await api.call("/v1/cases", null, body)).json();
  state.network = null;
  $("network").replaceChildren();
  $("network-summary").textContent = "";
  await loadOrders();
  renderProposal();
}

async function order() {
  const chosen = [...$("proposed").querySelectorAll("input[type=checkbox]:checked")].map((b) => b.value);
  if (!chosen.length) {
    $("order-status").textContent = t("none_chosen");
    return;
  }
  const wardCodes = {};
  for (const input of $("proposed").querySelectorAll("input.ward")) {
    if (input.value && chosen.includes(input.dataset.subject)) wardCodes[input.dataset.subject] = input.value;
  }
  const body = { purpose: purpose(), subject_ids: chosen, ward_codes: wardCodes, place: $("q-place").value,
                 days: Number($("q-days").value) || undefined };
  const caseId = state.proposal.case.case_id;
  const done = await (await api.call(`/v1/cases/${caseId}/quarantines`, null, body)).json();
  for (const o of done.ordered) state.orders.set(o.quarantine_id, o);
  const ordered = new Set(done.ordered.map((o) => o.subject_id));
  state.proposal.proposed = state.proposal.proposed.map((p) => (ordered.has(p.subject_id)
    ? { ...p, quarantine_id: done.ordered.find((o) => o.subject_id === p.subject_id).quarantine_id } : p));
  renderProposal();
  const created = done.ordered.filter((o) => o.created).length;
  $("order-status").textContent = t("ordered_n", { n: created, m: done.ordered.length - created });
}

// F2: the contacts feature's degree-2 answer over the case's own window.
async function network() {
  const c = state.proposal.case;
  const query = new URLSearchParams({ purpose: purpose(), subject_id: c.subject_id, from: c.window_start,
                                      to: c.window_end, degree: "2" });
  const contacts = await (await api.call("/v1/contacts", query)).json();
  state.network = { case: c, contacts: contacts.contacts, orders: [...state.orders.values()] };
  drawNetwork($("network"), state.network, $("network-summary"));
}

export function showCases(calls) {
  api = calls;
  $("case-panel").hidden = false;
  $("case-date").value = vnToday();
  $("case-date").max = vnToday();
  $("case-form").addEventListener("submit", (event) => {
    event.preventDefault();
    run(confirm);
  });
  $("order-form").addEventListener("submit", (event) => {
    event.preventDefault();
    run(order);
  });
  for (const [id, checked] of [["choose-all", true], ["choose-none", false]]) {
    $(id).addEventListener("click", () => {
      for (const box of $("proposed").querySelectorAll("input[type=checkbox]")) box.checked = checked;
    });
  }
  $("draw-network").addEventListener("click", () => run(network));
  onChange(() => state.proposal && renderProposal());
}
