// The QR signing keys, for admins: the key that signs new codes and the older ones that
// still verify codes already issued, as the scanners get them (GET /v1/keys, a JWKS).
// Rotating and retiring stay with the operator on the server (the key file is the
// server's secret, services/declaration/keyring.py); the page says how.
import { signIn } from "/shared/signin.js";
import { translator } from "/shared/i18n.js";

const TEXT = {
  vi: {
    title: "Khoá ký mã QR", switch: "English", account: "Tài khoản cán bộ", keys: "Khoá đang công bố",
    keys_hint: "Mã QR mới được ký bằng khoá hiện tại; các khoá cũ vẫn dùng để kiểm tra mã đã cấp cho đến khi được thu hồi. Máy quét tải danh sách này (GET /v1/keys).",
    reload: "Tải lại", current: "Khoá hiện tại — ký mọi mã QR mới", older: "Khoá cũ — chỉ còn dùng để kiểm tra mã đã cấp",
    algorithm: "Thuật toán: {alg}", count: "{n} khoá", failed: "Chưa tải được danh sách khoá: {why}",
    rotate: "Đổi khoá, thu hồi khoá",
    rotate_how: "Khoá nằm trong tệp khoá của máy chủ (chỉ máy chủ đọc được), không đổi qua trang web. Người vận hành chạy trên máy chủ:",
    rotate_when: "Việc đổi khoá có hiệu lực khi các bản chạy của dịch vụ khai báo khởi động lại; trang này khi đó cho thấy khoá mới là khoá hiện tại.",
  },
  en: {
    title: "QR signing keys", switch: "Tiếng Việt", account: "Staff account", keys: "Published keys",
    keys_hint: "New QR codes are signed with the current key; older keys still verify codes already issued until they are retired. Scanners fetch this list (GET /v1/keys).",
    reload: "Reload", current: "Current key — signs every new QR code", older: "Older key — only verifies codes already issued",
    algorithm: "Algorithm: {alg}", count: "{n} keys", failed: "The key list could not be loaded: {why}",
    rotate: "Rotating and retiring keys",
    rotate_how: "The keys live in the server's key file (readable by the server only) and are not changed from a web page. The operator runs, on the server:",
    rotate_when: "A rotation takes effect when the declaration service's replicas restart; this page then shows the new key as the current one.",
  },
};
const { t, apply, lang, onChange, toggle } = translator(TEXT);
const $ = (id) => document.getElementById(id);
let keySet = null;
let problem = "";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function render() {
  if (problem) { $("keys").replaceChildren(el("li", "error", t("failed", { why: problem }))); return; }
  if (!keySet) return;
  const ordered = [...keySet.keys].sort((a, b) => (b.kid === keySet.active) - (a.kid === keySet.active));
  $("keys").replaceChildren(...ordered.map((key) => {
    const active = key.kid === keySet.active;
    const li = el("li", `key${active ? " active" : ""}`);
    li.dataset.kid = key.kid;
    li.append(el("p", "kid", key.kid), el("p", "role", active ? t("current") : t("older")),
      el("p", "hint", t("algorithm", { alg: [key.kty, key.crv, key.alg].filter(Boolean).join(" · ") })));
    return li;
  }));
}

async function load() {
  problem = "";
  try {
    const answer = await fetch("/v1/keys", { cache: "no-store" });
    if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
    keySet = await answer.json();
  } catch (error) {
    problem = error.message;
  }
  render();
}

async function start() {
  apply();
  $("lang").addEventListener("click", toggle);
  await signIn({ roles: ["admin"], i18n: { lang, onChange } });
  onChange(render);
  $("reload").addEventListener("click", load);
  for (const id of ["keys-panel", "rotate-panel"]) $(id).hidden = false;
  await load();
}

start();
