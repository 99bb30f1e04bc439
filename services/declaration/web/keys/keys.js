// The QR signing keys, for admins: the key that signs new codes, the older ones that still
// verify codes already issued, and the retired ones, with who made or retired each and
// when (GET /v1/admin/keys). Rotating (a confirm step) and retiring a verifying key (typing
// the last 4 characters of its kid) go through the same /v1/ API as scripts, as the
// signed-in admin (libs/web/signin.js); every replica signs with a new key within seconds.
// Where the key file is a mounted secret, the page says the operator manages the keys.
import { signIn } from "/shared/signin.js";
import { translator } from "/shared/i18n.js";
import { vnDateTime } from "/shared/vn-time.js";

const TEXT = {
  vi: {
    title: "Khoá ký mã QR", switch: "English", account: "Tài khoản cán bộ",
    active: "Khoá hiện tại", active_hint: "Ký mọi mã QR mới và mã truy cập của người khai. Máy quét tải các khoá đang công bố tại GET /v1/keys.",
    rotate: "Đổi khoá…", rotate_question: "Tạo khoá mới và dùng nó ký mọi mã QR mới? Khoá hiện tại chuyển sang chỉ kiểm tra: các mã đã cấp vẫn quét được.",
    rotate_yes: "Đổi khoá", cancel: "Huỷ",
    verifying: "Khoá cũ — chỉ còn kiểm tra mã đã cấp", verifying_hint: "Thu hồi một khoá khi mọi mã nó ký đã hết hạn, hoặc khi khoá có thể đã lộ.",
    retired: "Khoá đã thu hồi", retired_hint: "Không còn khoá bí mật, không còn công bố: mã do các khoá này ký không quét được nữa.",
    none: "Không có khoá nào.", made: "Tạo {when} bởi {who}", made_unknown: "Tạo {when}",
    gone: "Thu hồi {when} bởi {who}", nobody: "(không ghi)",
    retire: "Thu hồi…", retire_warning: "Thu hồi khoá {kid}: mọi mã QR và mã truy cập do khoá này ký sẽ KHÔNG quét được nữa khi các chốt cập nhật danh sách khoá (trong vài phút). Không hoàn tác được.",
    retire_type: "Gõ 4 ký tự cuối của mã khoá ({hint}) để xác nhận", retire_yes: "Thu hồi khoá",
    retire_mismatch: "4 ký tự cuối chưa khớp với mã khoá.",
    rotated: "Đã đổi khoá. Khoá mới {kid} ký mọi mã QR mới từ bây giờ; khoá cũ vẫn kiểm tra mã đã cấp.",
    retired_done: "Đã thu hồi khoá {kid}. Mã do khoá này ký sẽ không quét được nữa khi các chốt cập nhật danh sách khoá.",
    working: "Đang thực hiện…", failed: "Chưa tải được danh sách khoá: {why}",
    operator_title: "Khoá do người vận hành quản lý",
    operator_text: "Tệp khoá trên máy chủ này chỉ đọc (bí mật được gắn vào): không đổi hay thu hồi khoá từ trang này. Người vận hành dùng dòng lệnh rồi thay tệp khoá; trang này cho thấy kết quả sau vài giây.",
    cli: "Bằng dòng lệnh", cli_how: "Người vận hành cũng có thể đổi và thu hồi khoá trên máy chủ (bắt buộc khi tệp khoá chỉ đọc):",
  },
  en: {
    title: "QR signing keys", switch: "Tiếng Việt", account: "Staff account",
    active: "Current key", active_hint: "Signs every new QR code and citizen token. Scanners fetch the published keys at GET /v1/keys.",
    rotate: "Rotate key…", rotate_question: "Make a new key and sign every new QR code with it? The current key moves to verifying only: codes already issued still scan.",
    rotate_yes: "Rotate key", cancel: "Cancel",
    verifying: "Older keys — only verify codes already issued", verifying_hint: "Retire a key once every code it signed has expired, or when it may have leaked.",
    retired: "Retired keys", retired_hint: "No private key left, no longer published: codes these keys signed no longer scan.",
    none: "No keys.", made: "Made {when} by {who}", made_unknown: "Made {when}",
    gone: "Retired {when} by {who}", nobody: "(not recorded)",
    retire: "Retire…", retire_warning: "Retire key {kid}: every QR code and citizen token it signed will NO LONGER SCAN once the checkpoints refresh their keys (within minutes). This cannot be undone.",
    retire_type: "Type the last 4 characters of the key id ({hint}) to confirm", retire_yes: "Retire key",
    retire_mismatch: "The last 4 characters do not match the key id.",
    rotated: "Key rotated. The new key {kid} signs every new QR code from now on; the old one still verifies codes already issued.",
    retired_done: "Key {kid} retired. Codes it signed will no longer scan once the checkpoints refresh their keys.",
    working: "Working…", failed: "The key list could not be loaded: {why}",
    operator_title: "Keys managed by the operator",
    operator_text: "The key file on this server is read-only (a mounted secret): keys are not rotated or retired from this page. The operator uses the command line and replaces the key file; this page shows the result within seconds.",
    cli: "From the command line", cli_how: "The operator can also rotate and retire keys on the server (the only way when the key file is read-only):",
  },
};
const { t, apply, lang, pick, onChange, toggle } = translator(TEXT);
const $ = (id) => document.getElementById(id);
let session = null;
let listing = null; // GET /v1/admin/keys
let problem = "";
let said = null; // the last announcement, redrawn in the other language: [key, values, error]

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function say(key, values = {}, error = false) {
  said = [key, values, error];
  $("result").textContent = key === null ? values.text : t(key, values);
  $("result").classList.toggle("error", error);
}

function sayError(message) { say(null, { text: message }, true); }

async function api(path, options = {}) {
  const response = await session.fetch(path, { cache: "no-store", ...options });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    throw Object.assign(new Error(pick(body?.error?.message) || `HTTP ${response.status}`),
      { status: response.status });
  }
  return body;
}

const when = (iso) => (iso ? vnDateTime(iso, lang()) : "?");

function keyItem(key) {
  const li = el("li", `key ${key.status}`);
  li.dataset.kid = key.kid;
  li.append(el("p", "kid", key.kid));
  li.append(el("p", "made", key.created_by ? t("made", { when: when(key.created_at), who: key.created_by })
    : t("made_unknown", { when: when(key.created_at) })));
  if (key.status === "retired") {
    li.append(el("p", "gone", t("gone", { when: when(key.retired_at), who: key.retired_by || t("nobody") })));
  }
  if (key.status === "verifying" && !listing.managed_by_operator) li.append(retireControls(key));
  return li;
}

// Retiring cannot be undone and stops codes from scanning: a confirm that names this, and
// the last 4 characters of the kid typed, before the button does anything.
function retireControls(key) {
  const box = el("div", "retire");
  const open = el("button", "retire-open", t("retire"));
  open.type = "button";
  const form = el("form", "confirm");
  form.hidden = true;
  const warning = el("p", "warning", t("retire_warning", { kid: key.kid }));
  warning.id = `warn-${key.kid}`;
  const label = el("label", "", t("retire_type", { hint: `…${key.kid.slice(-4)}` }));
  const input = el("input", "retire-kid");
  Object.assign(input, { autocomplete: "off", spellcheck: false, maxLength: 4, required: true });
  input.setAttribute("aria-describedby", warning.id);
  input.setAttribute("autocapitalize", "none");
  label.append(input);
  const yes = el("button", "retire-yes danger", t("retire_yes"));
  yes.type = "submit";
  yes.disabled = true;
  const no = el("button", "retire-no", t("cancel"));
  no.type = "button";
  form.append(warning, label, yes, no);
  const matches = () => input.value.trim().toLowerCase() === key.kid.slice(-4);
  input.addEventListener("input", () => { yes.disabled = !matches(); });
  open.addEventListener("click", () => { form.hidden = false; open.hidden = true; input.focus(); });
  no.addEventListener("click", () => { form.hidden = true; open.hidden = false; input.value = ""; open.focus(); });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!matches()) { say("retire_mismatch", {}, true); input.focus(); return; }
    yes.disabled = true;
    say("working");
    try {
      const retired = await api(`/v1/admin/keys/${key.kid}/retire`, { method: "POST" });
      await load();
      say("retired_done", { kid: retired.kid });
      $("rotate").focus();
    } catch (error) {
      sayError(error.message);
      yes.disabled = !matches();
      if (error.status === 409 || error.status === 404) await load();
    }
  });
  box.append(open, form);
  return box;
}

function list(id, keys) {
  $(id).replaceChildren(...(keys.length ? keys.map(keyItem) : [el("li", "hint", t("none"))]));
}

function render() {
  if (problem) { sayError(t("failed", { why: problem })); return; }
  if (said && said[0] !== null) say(...said);
  if (!listing) return;
  const by = (status) => listing.keys.filter((k) => k.status === status).reverse(); // newest first
  list("active", by("active"));
  list("verifying", by("verifying"));
  list("retired", by("retired"));
  $("retired-panel").hidden = by("retired").length === 0;
  const managed = listing.managed_by_operator;
  $("operator-note").hidden = !managed;
  $("operator-text").textContent = t("operator_text");
  $("rotate").hidden = managed;
  if (managed) $("rotate-confirm").hidden = true;
}

async function load() {
  problem = "";
  try {
    listing = await api("/v1/admin/keys");
  } catch (error) {
    problem = error.message;
  }
  render();
}

function askRotate() {
  $("rotate-confirm").hidden = false;
  $("rotate").hidden = true;
  $("rotate-yes").focus();
}

function cancelRotate() {
  $("rotate-confirm").hidden = true;
  $("rotate").hidden = Boolean(listing?.managed_by_operator);
  $("rotate").focus();
}

async function rotate() {
  $("rotate-yes").disabled = true;
  say("working");
  try {
    const made = await api("/v1/admin/keys/rotate", { method: "POST" });
    $("rotate-confirm").hidden = true;
    await load();
    say("rotated", { kid: made.kid });
    $("rotate").focus();
  } catch (error) {
    sayError(error.message);
    if (error.status === 409) await load(); // the operator's file: the note now shows why
  } finally {
    $("rotate-yes").disabled = false;
  }
}

async function start() {
  apply();
  $("lang").addEventListener("click", toggle);
  session = await signIn({ roles: ["admin"], i18n: { lang, onChange } });
  onChange(render);
  $("rotate").addEventListener("click", askRotate);
  $("rotate-no").addEventListener("click", cancelRotate);
  $("rotate-yes").addEventListener("click", rotate);
  for (const id of ["keys-panel", "verifying-panel", "cli-panel"]) $(id).hidden = false;
  await load();
}

start();
