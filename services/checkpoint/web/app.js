// The scanner page: officer sign-in (the realm's identity provider, kept for offline
// use), checkpoint choice, scan (camera or photo), offline signature check, the masked
// summary, and pass / refer / refuse — queued on the phone when the network is down
// (or the sign-in has lapsed) and sent when it returns.
import * as api from "./api.js";
import * as camera from "./camera.js";
import * as i18n from "./i18n.js";
import * as queue from "./queue.js";
import * as render from "./render.js";
import { TokenError, verifyToken } from "./qr-token.js";
import { signIn } from "/shared/signin.js";
import { vnDateTime } from "/shared/vn-time.js";

const $ = (id) => document.getElementById(id);
const t = i18n.t;
const KEYS = "kb.jwks";
const VENUE_KINDS = ["supermarket", "market", "bus_station", "railway_station", "port", "airport", "venue"];
const state = { scanId: null, token: null, lookup: false, answer: null };
let session = null;

const jwks = () => JSON.parse(localStorage.getItem(KEYS) || "null");

async function refreshKeys() {
  const answer = await api.call("GET", "/v1/keys", undefined, { anonymous: true });
  if (answer.ok && answer.data.keys.length) localStorage.setItem(KEYS, JSON.stringify(answer.data));
  showKeys();
  return Boolean(answer.ok);
}

function showKeys() {
  if (!session) return; // not signed in (or the wrong role): nothing of the scanner shows
  const set = jwks();
  $("keys-status").textContent = set
    ? `${set.keys.length} · ${vnDateTime(set.fetched_at || Date.now(), i18n.lang())}` : t("noKeys");
}

function showNetwork() {
  if (!session) return;
  const online = navigator.onLine;
  $("net").textContent = t(online ? "online" : "offline");
  $("net").className = `pill ${online ? "online" : "offline"}`;
  $("queue").textContent = String(queue.pending().length);
}

function mustSignIn() {
  render.notice("bad", t("signInToSend", { n: queue.pending().length }));
}

async function sendQueued() {
  if (!session || !queue.pending().length) return;
  const result = await queue.flush();
  showNetwork();
  if (result.signedOut) return mustSignIn();
  if (result.sent || result.failed) {
    render.notice(result.failed ? "bad" : "ok", result.failed ? `${t("failed")}: ${result.failed}` : `${t("sent")}: ${result.sent}`);
  }
}

// The officer's checkpoints: those of the token's scope (khaibao_scope), as the registry
// names them; an admin's, any. The list is kept for the days the page opens offline.
function inScope(items) {
  if (session.role() !== "officer") return items;
  const scope = session.claims()?.khaibao_scope || [];
  const known = items.filter((c) => scope.includes(c.checkpoint_id));
  if (known.length) return known;
  return scope.map((id) => ({ checkpoint_id: id, name: id, ward_name: "—", kind: "" }));
}

async function loadCheckpoints() {
  const answer = await api.call("GET", "/v1/checkpoints?active=true&limit=500");
  if (answer.ok) localStorage.setItem("kb.checkpoints", JSON.stringify(answer.data.items));
  const items = inScope(JSON.parse(localStorage.getItem("kb.checkpoints") || "[]"));
  $("checkpoint").replaceChildren(...items.map((c) => new Option(`${c.name} (${c.ward_name})`, c.checkpoint_id)));
  const remembered = localStorage.getItem("kb.checkpoint");
  if (items.some((c) => c.checkpoint_id === remembered)) $("checkpoint").value = remembered;
  chooseDirection(items);
}

function chooseDirection(items = JSON.parse(localStorage.getItem("kb.checkpoints") || "[]")) {
  const chosen = items.find((c) => c.checkpoint_id === $("checkpoint").value);
  if (!chosen) return;
  $("direction").value = VENUE_KINDS.includes(chosen.kind) ? "in" : chosen.kind === "depot" ? "out" : "through";
}

async function localVerify(text) {
  try {
    return await verifyToken(text, jwks());
  } catch (error) {
    // A key the phone has not seen yet (rotation): fetch once and try again.
    if (error instanceof TokenError && error.reason === "foreign_key" && navigator.onLine && await refreshKeys()) {
      return verifyToken(text, jwks());
    }
    throw error;
  }
}

async function onCode(text) {
  render.clear();
  $("result").hidden = false;
  Object.assign(state, { scanId: api.newScanId(), token: text, lookup: false, answer: null });
  let claims;
  try {
    claims = await localVerify(text);
  } catch (error) {
    const reason = error instanceof TokenError ? error.reason : "malformed";
    render.localCheck("bad", t(reason === "expired" ? "expiredToken" : reason));
    return;
  }
  render.localCheck("ok", `${t("signatureOk")} ${vnDateTime(claims.expiresAt, i18n.lang())}`);
  await askService("/v1/scans", { checkpoint_id: $("checkpoint").value, token: text, scan_id: state.scanId });
}

async function askService(path, body) {
  const answer = await api.call("POST", path, body);
  if (answer.offline) {
    if (state.lookup) return render.notice("bad", t("offline"));
    render.localCheck("warn", `${$("local-check").textContent} — ${t("offlineScan")}`);
    return enableDecisions(true);
  }
  if (!answer.ok) return render.notice("bad", i18n.pick(answer.error?.message));
  state.answer = answer.data;
  const rec = render.scan(answer.data);
  enableDecisions(rec.may_pass);
}

function enableDecisions(mayPass) {
  $("decide").hidden = false;
  for (const id of ["pass", "refer", "refuse"]) $(id).disabled = false;
  $("pass").disabled = !mayPass;
}

async function decide(decision) {
  const body = { scan_id: state.scanId, decision, direction: $("direction").value };
  if (decision === "refuse" && $("reason").value) body.reason = $("reason").value;
  if (decision === "refuse" && !body.reason && !state.answer) return render.notice("bad", t("reason"));
  for (const id of ["pass", "refer", "refuse"]) $(id).disabled = true;
  const answer = await api.call("POST", "/v1/passages", body);
  if ((answer.offline && !state.lookup) || answer.signedOut) {
    queue.enqueue({ ...body, checkpoint_id: $("checkpoint").value, token: state.token, at: new Date().toISOString() });
    showNetwork();
    return answer.signedOut ? mustSignIn() : render.notice("warn", t("savedOffline"));
  }
  if (answer.ok) return render.notice("ok", t(answer.status === 200 ? "recordedAgain" : "recorded"));
  render.notice("bad", answer.offline ? t("offline") : i18n.pick(answer.error?.message));
  for (const id of ["pass", "refer", "refuse"]) $(id).disabled = false;
}

async function scanWithCamera() {
  $("scan-start").hidden = true;
  $("scan-stop").hidden = false;
  $("camera-hint").hidden = false;
  const done = () => { $("scan-start").hidden = false; $("scan-stop").hidden = true; $("camera-hint").hidden = true; };
  try {
    await camera.start($("video"), (text) => { done(); onCode(text); });
  } catch {
    done();
    render.clear();
    $("result").hidden = false;
    render.notice("bad", t("noCamera"));
  }
}

async function scanPhoto(event) {
  const file = event.target.files[0];
  event.target.value = "";
  if (!file) return;
  const text = await camera.fromFile(file).catch(() => null);
  if (text) return onCode(text);
  render.clear();
  $("result").hidden = false;
  render.localCheck("bad", t("noCode"));
}

async function lookup(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  render.clear();
  $("result").hidden = false;
  Object.assign(state, { scanId: api.newScanId(), token: null, lookup: true, answer: null });
  await askService("/v1/scans/lookup", { checkpoint_id: $("checkpoint").value, scan_id: state.scanId,
    national_id: form.get("national_id"), date_of_birth: form.get("date_of_birth") });
}

function wire() {
  $("lang").addEventListener("click", () => {
    i18n.toggle();
    showNetwork();
    showKeys();
    if (state.answer) render.scan(state.answer);  // the summary too, in the new language
  });
  $("checkpoint").addEventListener("change", () => { localStorage.setItem("kb.checkpoint", $("checkpoint").value); chooseDirection(); });
  $("scan-start").addEventListener("click", scanWithCamera);
  $("scan-stop").addEventListener("click", () => { camera.stop($("video")); $("scan-start").hidden = false; $("scan-stop").hidden = true; });
  $("photo").addEventListener("change", scanPhoto);
  $("lookup-form").addEventListener("submit", lookup);
  for (const decision of ["pass", "refer", "refuse"]) $(decision).addEventListener("click", () => decide(decision));
  $("next").addEventListener("click", () => { render.clear(); $("result").hidden = true; scanWithCamera(); });
  window.addEventListener("online", () => { if (session) { showNetwork(); refreshKeys(); sendQueued(); } });
  window.addEventListener("offline", showNetwork);
  setInterval(sendQueued, 15000);
}

async function boot() {
  session = await signIn({ roles: ["officer", "admin"], i18n, offline: true });
  api.useSession(session);
  $("admin-link").hidden = session.role() !== "admin";  // the admin console (web/admin/)
  api.onBusy((seconds, attempt) => render.notice("warn", t("busy", { s: seconds, n: attempt })));
  session.onSignedOut(() => { if (queue.pending().length) mustSignIn(); });
  for (const id of ["setup", "scanner"]) $(id).hidden = false;
  showNetwork();
  showKeys();
  await Promise.all([refreshKeys(), loadCheckpoints()]);
  await sendQueued();
  document.body.dataset.ready = "yes";
}

i18n.apply();
wire();
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
document.body.dataset.decoder = await camera.setUp();
boot();
