// The admin console's phrases, Vietnamese first; the translator is shared by every page.
import { translator } from "/shared/i18n.js";

const TEXT = {
  vi: {
    title: "Quản trị cấp độ dịch và webhook", switch: "English", account: "Tài khoản cán bộ",
    ward_code: "Mã phường/xã (5 số)", open: "Mở", ward_unknown: "Không có phường/xã mã {code}.",
    zone: "Cấp độ dịch", zone_now: "Hiện tại", since: "từ", undeclared: "chưa công bố",
    level_1: "Vùng xanh (cấp 1)", level_2: "Vùng vàng (cấp 2)", level_3: "Vùng cam (cấp 3)", level_4: "Vùng đỏ (cấp 4)",
    next: "Đã hẹn: {level} từ {at}", set_level: "Đặt cấp độ", when: "Hiệu lực", when_now: "Ngay bây giờ",
    when_later: "Từ thời điểm (giờ Việt Nam)", note: "Ghi chú (công khai)", save_level: "Lưu cấp độ",
    saved_now: "Đã đặt {level} từ bây giờ.", saved_later: "Đã hẹn {level} từ {at}.",
    pick_time: "Chọn thời điểm hiệu lực.", history: "Lịch sử", history_none: "Chưa có thay đổi nào.",
    scheduled: "đã hẹn", set_at: "đặt lúc {at}",
    webhooks: "Webhook của phường/xã", webhooks_none: "Chưa có webhook nào.", webhook_new: "Thêm webhook",
    webhook_url: "Địa chỉ nhận (https://…)", webhook_description: "Mô tả", webhook_create: "Thêm",
    secret_once: "Khoá ký (chỉ hiện một lần, hãy lưu lại):", created: "Đã thêm webhook.",
    active: "Đang gửi", paused: "Tạm dừng", pause: "Tạm dừng", resume: "Gửi lại",
    rotate: "Đổi khoá ký", rotate_confirm: "Đổi khoá ký? Hệ thống nhận phải dùng khoá mới ngay.", rotated: "Đã đổi khoá ký.",
    remove: "Xoá", remove_confirm: "Xoá webhook này? Các lần gửi đang chờ sẽ bị huỷ.",
    deliveries: "Lịch sử gửi", deliveries_none: "Chưa gửi lần nào.", failures: "{n} lần lỗi liên tiếp",
    paused_since: "tạm dừng từ {at}", created_at: "tạo lúc {at}",
    state_pending: "đang chờ", state_delivered: "đã nhận", state_failed: "lỗi", state_paused: "tạm dừng", state_cancelled: "đã huỷ",
    attempts: "{n} lần thử", latency: "{ms} ms",
  },
  en: {
    title: "Zone levels and webhooks — admin", switch: "Tiếng Việt", account: "Staff account",
    ward_code: "Ward code (5 digits)", open: "Open", ward_unknown: "No ward has the code {code}.",
    zone: "Epidemic level", zone_now: "Now", since: "since", undeclared: "not declared",
    level_1: "Green (level 1)", level_2: "Yellow (level 2)", level_3: "Orange (level 3)", level_4: "Red (level 4)",
    next: "Scheduled: {level} from {at}", set_level: "Set the level", when: "In force", when_now: "Now",
    when_later: "From a time (Viet Nam time)", note: "Note (public)", save_level: "Save the level",
    saved_now: "{level} set from now.", saved_later: "{level} scheduled from {at}.",
    pick_time: "Pick the time it comes into force.", history: "History", history_none: "No change yet.",
    scheduled: "scheduled", set_at: "set at {at}",
    webhooks: "The ward's webhooks", webhooks_none: "No webhook yet.", webhook_new: "Add a webhook",
    webhook_url: "Receiving address (https://…)", webhook_description: "Description", webhook_create: "Add",
    secret_once: "Signing key (shown only once, keep it):", created: "Webhook added.",
    active: "Delivering", paused: "Paused", pause: "Pause", resume: "Resume",
    rotate: "Rotate the key", rotate_confirm: "Rotate the signing key? The receiver must use the new one at once.", rotated: "Signing key rotated.",
    remove: "Delete", remove_confirm: "Delete this webhook? Its waiting deliveries are cancelled.",
    deliveries: "Deliveries", deliveries_none: "Nothing delivered yet.", failures: "{n} failures in a row",
    paused_since: "paused since {at}", created_at: "created {at}",
    state_pending: "pending", state_delivered: "delivered", state_failed: "failed", state_paused: "paused", state_cancelled: "cancelled",
    attempts: "{n} attempts", latency: "{ms} ms",
  },
};

export const { t, apply, lang, pick, onChange, toggle } = translator(TEXT);
