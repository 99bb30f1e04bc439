// The checkpoint admin console's phrases, Vietnamese first; the translator is shared.
import { translator } from "/shared/i18n.js";

const TEXT = {
  vi: {
    title: "Quản trị chốt và địa điểm", switch: "English", account: "Tài khoản cán bộ",
    list: "Chốt và địa điểm", new: "+ Thêm chốt / địa điểm", kind: "Loại", all_kinds: "Mọi loại",
    status: "Trạng thái", in_service: "Đang hoạt động", retired_many: "Đã ngừng", all: "Tất cả",
    province: "Mã tỉnh/thành (1–99)", prev: "← Trước", next: "Sau →",
    count: "{shown}/{total} chốt, địa điểm", none: "Không có chốt, địa điểm nào.",
    id: "Mã (chữ thường, số, dấu -)", name: "Tên", ward: "Mã phường/xã (5 số)", latitude: "Vĩ độ",
    longitude: "Kinh độ", stay: "Tự động ra sau (phút, địa điểm)", source: "Nguồn", active: "Đang hoạt động",
    save: "Lưu", cancel: "Huỷ", create_title: "Thêm chốt / địa điểm", edit_title: "Sửa {id}",
    edit: "Sửa", retire: "Ngừng hoạt động", restore: "Hoạt động lại", retired: "Đã ngừng",
    retire_confirm: "Ngừng hoạt động {name}? Cán bộ chốt sẽ không chọn được chốt này nữa.",
    exists: "Mã {id} đã có. Hãy sửa chốt đó, hoặc chọn mã khác.", invalid: "Kiểm tra lại các ô được đánh dấu.",
    both_coordinates: "Cần cả vĩ độ và kinh độ, hoặc bỏ trống cả hai.",
    created: "Đã thêm {id}.", saved: "Đã lưu {id}.", retired_done: "Đã ngừng {id}.", restored_done: "{id} hoạt động lại.",
    updated: "cập nhật {at} bởi {by}", stay_n: "tự động ra sau {n} phút",
    k_road: "đường bộ", k_supermarket: "siêu thị", k_market: "chợ", k_bus_station: "bến xe",
    k_railway_station: "ga tàu", k_port: "cảng", k_airport: "sân bay", k_border_gate: "cửa khẩu",
    k_depot: "kho, bãi", k_venue: "địa điểm (vào / ra)",
  },
  en: {
    title: "Checkpoints and venues — admin", switch: "Tiếng Việt", account: "Staff account",
    list: "Checkpoints and venues", new: "+ Add a checkpoint / venue", kind: "Kind", all_kinds: "All kinds",
    status: "Status", in_service: "In service", retired_many: "Retired", all: "All",
    province: "Province code (1–99)", prev: "← Previous", next: "Next →",
    count: "{shown} of {total} checkpoints and venues", none: "No checkpoint or venue.",
    id: "Code (lower-case letters, digits, -)", name: "Name", ward: "Ward code (5 digits)", latitude: "Latitude",
    longitude: "Longitude", stay: "Automatic check-out after (minutes, venues)", source: "Source", active: "In service",
    save: "Save", cancel: "Cancel", create_title: "Add a checkpoint / venue", edit_title: "Edit {id}",
    edit: "Edit", retire: "Retire", restore: "Back in service", retired: "Retired",
    retire_confirm: "Retire {name}? Officers will no longer be able to pick it.",
    exists: "The code {id} is taken. Edit that checkpoint, or pick another code.", invalid: "Check the marked fields.",
    both_coordinates: "Give both latitude and longitude, or neither.",
    created: "{id} added.", saved: "{id} saved.", retired_done: "{id} retired.", restored_done: "{id} is back in service.",
    updated: "updated {at} by {by}", stay_n: "automatic check-out after {n} min",
    k_road: "road", k_supermarket: "supermarket", k_market: "market", k_bus_station: "bus station",
    k_railway_station: "railway station", k_port: "port", k_airport: "airport", k_border_gate: "border gate",
    k_depot: "depot", k_venue: "venue (check-in / out)",
  },
};

export const { t, apply, lang, pick, onChange, toggle } = translator(TEXT);
