// This page's phrases, Vietnamese first; the translator is shared by every page.
import { translator } from "/shared/i18n.js";

const TEXT = {
  vi: {
    title: "Truy vết di chuyển", switch: "English", account: "Tài khoản cán bộ",
    who: "Số định danh (CCCD/CMND) hoặc mã đối tượng", purpose: "Mục đích tra cứu (ghi vào nhật ký)",
    from: "Từ (giờ Việt Nam)", to: "Đến (giờ Việt Nam)", window: "Cửa sổ ±phút", days: "Số ngày", degree2: "Cả tiếp xúc bậc 2",
    timeline_btn: "Xem hành trình", contacts_btn: "Tìm người tiếp xúc", timeline: "Hành trình",
    contacts: "Người tiếp xúc", degree1: "Tiếp xúc bậc 1 (F1)", degree2_title: "Tiếp xúc bậc 2 (F2)",
    n_movements: "{n} sự kiện từ {from} đến {to}", n_contacts: "{one} người bậc 1, {two} người bậc 2",
    truncated: " (đã cắt bớt bậc 2)", none: "Không có.",
    via: "qua", at: "tại", overlap: "ở cùng lúc {m} phút", near: "cách {m} phút",
    declared: "Khai báo", identity_verified: "Xác minh danh tính", identity_rejected: "Danh tính không khớp",
    passed: "Qua chốt", refused: "Bị từ chối", ward_notified: "Báo phường/xã",
    in: "vào", out: "ra", through: "qua", no_out: "không ghi nhận ra",
    lane_status: "Khai báo", lane_place: "Chốt / địa điểm",
    audit: "Nhật ký truy cập dữ liệu", audit_user: "Tài khoản", audit_role: "Vai trò",
    audit_purpose: "Mục đích có chữ", audit_purpose_col: "Mục đích", audit_subject: "Mã đối tượng",
    audit_day: "Ngày (giờ Việt Nam)", audit_kind: "Loại", audit_search: "Lọc", audit_at: "Lúc",
    audit_unit: "Đơn vị", audit_query: "Nội dung", any: "Tất cả",
    kind_trace: "Tra cứu lịch trình", kind_reveal: "Xem danh tính",
    role_epidemiologist: "Dịch tễ", role_ward_official: "Cán bộ phường/xã", role_officer: "Cán bộ chốt",
    role_admin: "Quản trị", audit_n: "{n} mục", audit_more: "{n} mục mới nhất (còn nữa: lọc hẹp hơn)",
  },
  en: {
    title: "Movement trace", switch: "Tiếng Việt", account: "Staff account",
    who: "National ID (CCCD/CMND) or subject id", purpose: "Purpose of the search (audited)",
    from: "From (Viet Nam time)", to: "To (Viet Nam time)", window: "Window ±min", days: "Days", degree2: "Include degree 2",
    timeline_btn: "Show timeline", contacts_btn: "Find contacts", timeline: "Timeline",
    contacts: "Contacts", degree1: "Degree 1 contacts", degree2_title: "Degree 2 contacts",
    n_movements: "{n} events from {from} to {to}", n_contacts: "{one} degree-1, {two} degree-2",
    truncated: " (degree 2 truncated)", none: "None.",
    via: "via", at: "at", overlap: "together {m} min", near: "{m} min apart",
    declared: "Declared", identity_verified: "Identity verified", identity_rejected: "Identity rejected",
    passed: "Passed checkpoint", refused: "Refused", ward_notified: "Ward notified",
    in: "in", out: "out", through: "through", no_out: "no check-out",
    lane_status: "Declarations", lane_place: "Checkpoints / venues",
    audit: "Data access log", audit_user: "Account", audit_role: "Role",
    audit_purpose: "Purpose contains", audit_purpose_col: "Purpose", audit_subject: "Subject id",
    audit_day: "Day (Viet Nam time)", audit_kind: "Kind", audit_search: "Filter", audit_at: "At",
    audit_unit: "Unit", audit_query: "What", any: "All",
    kind_trace: "Trace query", kind_reveal: "Identity revealed",
    role_epidemiologist: "Epidemiologist", role_ward_official: "Ward official", role_officer: "Checkpoint officer",
    role_admin: "Administrator", audit_n: "{n} entries", audit_more: "the newest {n} entries (more: narrow the filter)",
  },
};

export const { t, apply, lang, pick, onChange, toggle } = translator(TEXT);
