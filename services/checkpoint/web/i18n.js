// Vietnamese first, English on request; the choice is remembered on this device.
const TEXT = {
  vi: {
    title: "Quét mã QR — chốt kiểm soát", login: "Mã truy cập cán bộ", loginHint: "Dán mã truy cập (JWT) được cấp cho cán bộ.",
    save: "Lưu", logout: "Đổi cán bộ", checkpoint: "Chốt / địa điểm", direction: "Chiều",
    in: "Vào", out: "Ra", through: "Qua chốt", online: "Trực tuyến", offline: "Ngoại tuyến",
    queued: "Chờ gửi", keys: "Khoá kiểm tra chữ ký", noKeys: "chưa có — cần mạng lần đầu",
    scan: "Quét mã", stop: "Dừng", photo: "Chọn ảnh mã QR", lookup: "Tra cứu không có mã QR",
    nationalId: "Số CCCD / CMND", dob: "Ngày sinh", find: "Tìm tờ khai", next: "Quét người tiếp theo",
    pointCamera: "Đưa mã QR vào khung hình…", noCamera: "Không mở được camera — hãy chọn ảnh",
    noCode: "Không thấy mã QR trong ảnh",
    signatureOk: "Chữ ký hợp lệ — hạn đến", offlineScan: "Không có mạng: chỉ kiểm tra được chữ ký. Quyết định sẽ được gửi khi có mạng.",
    pass: "Cho qua", refuse: "Từ chối", refer: "Chuyển y tế", reason: "Lý do từ chối",
    recommended: "Đề xuất", mayNotPass: "Không được cho qua",
    verified: "Đã xác minh", pending: "Đang xác minh", rejected: "Không xác minh được", expired: "Hết hạn",
    document: "Giấy tờ", trip: "Hành trình", transport: "Phương tiện", symptoms: "Triệu chứng",
    exposures: "Yếu tố dịch tễ", none: "không", zone: "Cấp độ dịch nơi đi", noLevel: "chưa công bố",
    quarantine: "Cách ly đến", refusals: "Từ chối trước đây", crew: "Tổ lái", vehicle: "Phương tiện luồng xanh",
    recorded: "Đã ghi nhận", recordedAgain: "Đã ghi nhận trước đó (bấm hai lần)",
    savedOffline: "Đã lưu trên máy, sẽ gửi khi có mạng", sent: "Đã gửi các quyết định chờ",
    failed: "Không gửi được", level1: "Cấp 1 — xanh", level2: "Cấp 2 — vàng", level3: "Cấp 3 — cam", level4: "Cấp 4 — đỏ",
    symptomsR: "Triệu chứng", exposureR: "Yếu tố dịch tễ", expiredR: "Hết hạn", identity_rejectedR: "Nhân thân không khớp",
    quarantinedR: "Đang cách ly", not_verifiedR: "Chưa xác minh",
    // token reasons (checked on this phone)
    oversized: "Mã quá dài — không phải mã khai báo y tế", malformed: "Không phải mã khai báo y tế",
    truncated: "Mã đọc chưa hết — quét lại", foreign_key: "Mã không do hệ thống khai báo y tế cấp",
    tampered: "Mã đã bị sửa đổi (chữ ký không khớp)", not_yet_valid: "Mã chưa có hiệu lực (giờ máy sai?)",
    expiredToken: "Mã QR đã hết hạn — cần khai báo lại",
  },
  en: {
    title: "QR scanner — checkpoint", login: "Officer token", loginHint: "Paste the access token (JWT) issued to you.",
    save: "Save", logout: "Switch officer", checkpoint: "Checkpoint / venue", direction: "Direction",
    in: "In", out: "Out", through: "Through", online: "Online", offline: "Offline",
    queued: "Waiting to send", keys: "Signature keys", noKeys: "none yet — needs the network once",
    scan: "Scan", stop: "Stop", photo: "Pick a photo of the QR", lookup: "Look up without a QR",
    nationalId: "National ID (CCCD / CMND)", dob: "Date of birth", find: "Find the declaration", next: "Scan the next person",
    pointCamera: "Point the camera at the QR code…", noCamera: "The camera did not open — pick a photo",
    noCode: "No QR code in the picture",
    signatureOk: "Valid signature — valid until", offlineScan: "Offline: only the signature could be checked. The decision is sent when the network is back.",
    pass: "Pass", refuse: "Refuse", refer: "Medical check", reason: "Refusal reason",
    recommended: "Recommended", mayNotPass: "May not pass",
    verified: "Verified", pending: "Being verified", rejected: "Not verified", expired: "Expired",
    document: "Document", trip: "Trip", transport: "Transport", symptoms: "Symptoms",
    exposures: "Exposure", none: "none", zone: "Zone level at origin", noLevel: "not announced",
    quarantine: "Quarantine until", refusals: "Earlier refusals", crew: "Crew", vehicle: "Green-lane vehicle",
    recorded: "Recorded", recordedAgain: "Recorded before (double tap)",
    savedOffline: "Saved on this phone; sent when the network is back", sent: "Queued decisions sent",
    failed: "Could not send", level1: "Level 1 — green", level2: "Level 2 — yellow", level3: "Level 3 — orange", level4: "Level 4 — red",
    symptomsR: "Symptoms", exposureR: "Exposure", expiredR: "Expired", identity_rejectedR: "Identity mismatch",
    quarantinedR: "Under quarantine", not_verifiedR: "Not verified",
    oversized: "Too long — not a health-declaration code", malformed: "Not a health-declaration code",
    truncated: "Read only in part — scan again", foreign_key: "Not issued by the health-declaration system",
    tampered: "The code was altered (signature mismatch)", not_yet_valid: "Not valid yet (wrong clock?)",
    expiredToken: "The QR code has expired — the person must declare again",
  },
};

let lang = localStorage.getItem("kb.lang") === "en" ? "en" : "vi";

export const current = () => lang;
export const t = (key) => TEXT[lang][key] ?? TEXT.vi[key] ?? key;

export function apply(root = document) {
  document.documentElement.lang = lang;
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  const toggle = document.getElementById("lang");
  toggle.textContent = lang === "vi" ? "EN" : "VI";
  toggle.setAttribute("aria-label", lang === "vi" ? "English" : "Tiếng Việt");
}

export function toggle() {
  lang = lang === "vi" ? "en" : "vi";
  localStorage.setItem("kb.lang", lang);
  apply();
}

// A message from the API: {vi, en}
export const pick = (message) => (message ? message[lang] || message.vi : "");
