// The identity service's page: officers look residents up, admins import and read stats,
// as the signed-in officer or admin (libs/web/signin.js).
import { translator } from "/shared/i18n.js";
import { signIn } from "/shared/signin.js";

const TEXT = {
  vi: { title: "Xác minh danh tính", account: "Tài khoản cán bộ", lookup: "Tra cứu cư dân (cán bộ)",
        nid: "Số CCCD hoặc CMND", search: "Tra cứu", send: "Gửi", stats: "Thống kê",
        import: "Nhập dữ liệu dân cư (quản trị, NDJSON hoặc CSV)", switch: "English" },
  en: { title: "Identity verification", account: "Staff account", lookup: "Resident lookup (officers)",
        nid: "CCCD or CMND number", search: "Look up", send: "Send", stats: "Statistics",
        import: "Registry import (admins, NDJSON or CSV)", switch: "Tiếng Việt" },
};
const { apply, lang, onChange, pick, toggle } = translator(TEXT);
const $ = (id) => document.getElementById(id);
let session = null;

async function call(path, options = {}) {
  const response = await session.fetch(path, options);
  const body = await response.json().catch(() => ({}));
  const out = $("out");
  out.className = response.ok ? "" : "error";
  out.textContent = response.ok ? JSON.stringify(body, null, 2)
    : `${response.status} ${pick(body.error?.message)}\n${JSON.stringify(body.error?.fields ?? {}, null, 2)}`;
}

apply();
$("lang").addEventListener("click", toggle);
session = await signIn({ roles: ["officer", "admin"], i18n: { lang, onChange } });
$("lookup").addEventListener("submit", (event) => {
  event.preventDefault();
  call("/v1/residents/lookup", { method: "POST", body: JSON.stringify({ national_id: $("nid").value.trim() }),
                                 headers: { "content-type": "application/json" } });
});
$("import").addEventListener("submit", (event) => {
  event.preventDefault();
  const file = $("file").files[0];
  const type = file.name.toLowerCase().endsWith(".csv") ? "text/csv" : "application/x-ndjson";
  call("/v1/residents/import", { method: "POST", body: file, headers: { "content-type": type } });
});
$("stats").addEventListener("click", () => call("/v1/stats"));
$("work").hidden = false; // shown once signed in: a lookup before would have no token
