// This page's phrases, Vietnamese first; the translator is shared by every page.
import { translator } from "/shared/i18n.js";

const TEXT = {
  vi: {
    title: "Thông báo phường/xã", switch: "English", account: "Tài khoản cán bộ", ward: "Phường/xã", zone: "Cấp độ dịch",
    unread_only: "Chỉ chưa đọc", all_reasons: "Tất cả lý do", arriving: "Người đến",
    departing: "Người đi", passed: "Qua chốt", alert: "Cảnh báo", ack_all: "Đã xem tất cả",
    ack: "Đã xem", acked: "Đã xem lúc", more: "Xem thêm", empty: "Chưa có thông báo.",
    live_open: "● Trực tiếp", live_closed: "○ Mất kết nối, đang thử lại…",
    level_1: "Vùng xanh (cấp 1)", level_2: "Vùng vàng (cấp 2)", level_3: "Vùng cam (cấp 3)",
    level_4: "Vùng đỏ (cấp 4)", undeclared: "chưa công bố", since: "từ", arrivals: "người đến trong {n} ngày: {c}",
    from: "từ", to: "đến", expected: "dự kiến", checkpoint: "chốt", refusal: "bị từ chối",
    identity: "danh tính không khớp", unread_n: "{n} thông báo chưa đọc",
    no_ward: "Tài khoản này chưa được giao phường/xã nào.",
    person: "Người", new: "mới",
    reveal: "Xem họ tên, số điện thoại", reveal_purpose: "Lý do (được ghi lại, người dân xem được)",
    reveal_send: "Xem", reveal_logged: "Lần xem này đã được ghi lại kèm lý do.",
    phone: "Điện thoại", born: "Ngày sinh", address: "Nơi ở hiện tại",
  },
  en: {
    title: "Ward notifications", switch: "Tiếng Việt", account: "Staff account", ward: "Ward", zone: "Epidemic level",
    unread_only: "Unread only", all_reasons: "All reasons", arriving: "Arriving",
    departing: "Departing", passed: "Passed checkpoint", alert: "Alert", ack_all: "Acknowledge all",
    ack: "Acknowledge", acked: "Acknowledged at", more: "Load more", empty: "No notifications yet.",
    live_open: "● Live", live_closed: "○ Disconnected, retrying…",
    level_1: "Green (level 1)", level_2: "Yellow (level 2)", level_3: "Orange (level 3)",
    level_4: "Red (level 4)", undeclared: "not declared", since: "since", arrivals: "arrivals in {n} days: {c}",
    from: "from", to: "to", expected: "expected", checkpoint: "checkpoint", refusal: "refused",
    identity: "identity mismatch", unread_n: "{n} unread",
    no_ward: "This account has no ward assigned.",
    person: "Person", new: "new",
    reveal: "See name and phone", reveal_purpose: "Purpose (recorded, shown to the person)",
    reveal_send: "Show", reveal_logged: "This look has been recorded with its purpose.",
    phone: "Phone", born: "Born", address: "Current address",
  },
};

export const { t, apply, lang, pick, onChange, toggle } = translator(TEXT);
