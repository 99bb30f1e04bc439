// Vietnamese first, English on request; the choice is remembered on this device.
const TEXT = {
  vi: {
    title: "Khai báo y tế", mine: "Tờ khai đã gửi trên máy này", result: "Tờ khai của bạn",
    qrHint: "Xuất trình mã QR tại chốt kiểm soát. Mã không chứa thông tin cá nhân.",
    again: "Khai báo mới", person: "Thông tin cá nhân", fullName: "Họ và tên",
    dob: "Ngày sinh", gender: "Giới tính", choose: "— chọn —", male: "Nam", female: "Nữ",
    citizen: "Công dân Việt Nam", foreigner: "Người nước ngoài",
    nationalId: "Số CCCD / CMND", nationality: "Quốc tịch (mã 2 chữ, ví dụ KR)",
    passport: "Số hộ chiếu", phone: "Số điện thoại di động", email: "Email (không bắt buộc)",
    residence: "Nơi cư trú", permanent: "Nơi thường trú", temporary: "Nơi tạm trú",
    current: "Nơi ở hiện tại", hasTemporary: "Có nơi tạm trú",
    currentSame: "Nơi ở hiện tại là nơi thường trú", trip: "Chuyến đi",
    origin: "Nơi đi", destination: "Nơi đến", departure: "Ngày khởi hành",
    mode: "Phương tiện", car: "Ô tô", motorbike: "Xe máy", bus: "Xe khách",
    train: "Tàu hoả", plane: "Máy bay", ship: "Tàu thuỷ", truck: "Xe tải", other: "Khác",
    number: "Biển số / số hiệu chuyến", seat: "Số ghế (nếu có)", health: "Trong 14 ngày qua",
    symptomsHint: "Bạn có thấy xuất hiện dấu hiệu nào sau đây không?", exposuresHint: "Bạn có:",
    doses: "Số mũi vắc xin COVID-19 đã tiêm", lastDose: "Ngày tiêm mũi gần nhất",
    dependants: "Người đi cùng (trẻ em, người thân)", addDependant: "+ Thêm người đi cùng",
    personalId: "Số định danh cá nhân (12 số)", remove: "Bỏ người này",
    consent: "Tôi cam kết thông tin trên là đúng và đồng ý cho cơ quan y tế sử dụng để phòng chống dịch.",
    submit: "Gửi tờ khai", sending: "Đang gửi…", province: "Tỉnh / thành phố",
    ward: "Phường / xã", address: "Số nhà, đường, thôn/ấp", pickProvince: "— chọn tỉnh —",
    pickWard: "— chọn phường/xã —",
    fever: "Sốt", cough: "Ho", shortness_of_breath: "Khó thở", sore_throat: "Đau họng",
    nausea_vomiting: "Buồn nôn / nôn", diarrhoea: "Tiêu chảy", skin_haemorrhage: "Xuất huyết ngoài da",
    skin_rash: "Nổi ban ngoài da",
    close_contact: "Tiếp xúc gần với người mắc hoặc nghi mắc COVID-19",
    lockdown_area: "Ở trong khu vực đang phong toả",
    outbreak_area_contact: "Tiếp xúc với người từ nơi có dịch",
    status: "Trạng thái", pending: "Đang xác minh", verified: "Đã xác minh",
    rejected: "Không xác minh được", expired: "Hết hạn", validUntil: "Hiệu lực đến",
    zone: "Cấp độ dịch", noLevel: "chưa công bố", level1: "Cấp 1 — xanh",
    level2: "Cấp 2 — vàng", level3: "Cấp 3 — cam", level4: "Cấp 4 — đỏ",
    reasons: "Lý do", not_found: "không có trong CSDL dân cư", name_mismatch: "họ tên không khớp",
    dob_mismatch: "ngày sinh không khớp", gender_mismatch: "giới tính không khớp",
    id_format: "số định danh sai định dạng", deceased: "đã khai tử", revoked: "giấy tờ đã thu hồi",
    network: "Không kết nối được máy chủ, vui lòng thử lại", open: "Mở",
    tokenGone: "Không mở được tờ khai này nữa", refreshing: "tự cập nhật",
    quarantined: "Bạn đang trong thời gian cách ly đến hết ngày", place_home: "tại nhà",
    place_facility: "tại cơ sở cách ly",
  },
  en: {
    title: "Health declaration", mine: "Declarations sent from this device", result: "Your declaration",
    qrHint: "Show the QR code at checkpoints. It holds no personal data.",
    again: "New declaration", person: "Personal details", fullName: "Full name",
    dob: "Date of birth", gender: "Gender", choose: "— choose —", male: "Male", female: "Female",
    citizen: "Vietnamese citizen", foreigner: "Foreigner",
    nationalId: "National ID (CCCD / CMND)", nationality: "Nationality (2-letter code, e.g. KR)",
    passport: "Passport number", phone: "Mobile phone", email: "Email (optional)",
    residence: "Residence", permanent: "Permanent residence", temporary: "Temporary residence",
    current: "Current place of stay", hasTemporary: "I have a temporary residence",
    currentSame: "I currently stay at my permanent residence", trip: "Trip",
    origin: "From", destination: "To", departure: "Departure date",
    mode: "Transport", car: "Car", motorbike: "Motorbike", bus: "Bus / coach",
    train: "Train", plane: "Plane", ship: "Ship", truck: "Truck", other: "Other",
    number: "Plate / flight / train number", seat: "Seat (if any)", health: "In the last 14 days",
    symptomsHint: "Have you had any of these?", exposuresHint: "Have you:",
    doses: "COVID-19 vaccine doses received", lastDose: "Date of the last dose",
    dependants: "Travelling with you (children, relatives)", addDependant: "+ Add a person",
    personalId: "Personal ID number (12 digits)", remove: "Remove",
    consent: "I confirm the above is true and consent to its use by the health authorities for epidemic control.",
    submit: "Send declaration", sending: "Sending…", province: "Province / city",
    ward: "Ward / commune", address: "House number, street, hamlet", pickProvince: "— province —",
    pickWard: "— ward / commune —",
    fever: "Fever", cough: "Cough", shortness_of_breath: "Shortness of breath", sore_throat: "Sore throat",
    nausea_vomiting: "Nausea / vomiting", diarrhoea: "Diarrhoea", skin_haemorrhage: "Skin haemorrhage",
    skin_rash: "Skin rash",
    close_contact: "Been in close contact with a confirmed or suspected COVID-19 case",
    lockdown_area: "Stayed in a locked-down area",
    outbreak_area_contact: "Been in contact with people from an outbreak area",
    status: "Status", pending: "Being verified", verified: "Verified",
    rejected: "Could not be verified", expired: "Expired", validUntil: "Valid until",
    zone: "Epidemic level", noLevel: "not announced", level1: "Level 1 — green",
    level2: "Level 2 — yellow", level3: "Level 3 — orange", level4: "Level 4 — red",
    reasons: "Reasons", not_found: "not in the population registry", name_mismatch: "name does not match",
    dob_mismatch: "date of birth does not match", gender_mismatch: "gender does not match",
    id_format: "malformed ID number", deceased: "registered as deceased", revoked: "document revoked",
    network: "Cannot reach the server, please retry", open: "Open",
    tokenGone: "This declaration can no longer be opened", refreshing: "updates itself",
    quarantined: "You are under quarantine until the end of", place_home: "at home",
    place_facility: "at a quarantine facility",
  },
};

const KEY = "khaibao.lang";
let lang = localStorage.getItem(KEY) === "en" ? "en" : "vi";
const listeners = [];

export const t = (key) => TEXT[lang][key] ?? TEXT.vi[key] ?? key;
export const current = () => lang;

/** A server message {vi, en} in the reader's language. */
export const pick = (message) => (message && (message[lang] || message.vi)) || "";

export function apply(root = document) {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  const toggle = document.getElementById("lang");
  if (toggle) {
    toggle.textContent = lang === "vi" ? "EN" : "VI";
    toggle.setAttribute("aria-label", lang === "vi" ? "English" : "Tiếng Việt");
  }
  document.title = t("title");
}

export function onChange(listener) { listeners.push(listener); }

export function toggle() {
  lang = lang === "vi" ? "en" : "vi";
  localStorage.setItem(KEY, lang);
  apply();
  for (const listener of listeners) listener(lang);
}
