"""The phrases messages to citizens are made of that vary with a code: what to fix per
rejection reason, the place and reason of a quarantine (Vietnamese and English)."""

from __future__ import annotations

HOTLINE = "1900 9095"  # the Ministry of Health's line

# Reason code → (what to fix, in an e-mail; in a few words, for an SMS). "deceased" and
# "revoked" are not named as such: the number may be someone else's, typed wrongly.
FIXES: dict[str, dict[str, tuple[str, str]]] = {
    "vi": {
        "not_found": ("Không tìm thấy số giấy tờ trong Cơ sở dữ liệu quốc gia về dân cư: kiểm "
                      "tra lại số CCCD/CMND.", "không tìm thấy số giấy tờ"),
        "name_mismatch": ("Họ tên không khớp: ghi đầy đủ họ tên như trên CCCD, có dấu.",
                          "họ tên không khớp"),
        "dob_mismatch": ("Ngày sinh không khớp: ghi ngày sinh như trên CCCD.",
                         "ngày sinh không khớp"),
        "gender_mismatch": ("Giới tính không khớp: chọn giới tính như trên CCCD.",
                            "giới tính không khớp"),
        "id_format": ("Số giấy tờ không đúng định dạng: CCCD gồm 12 chữ số, CMND gồm 9 chữ số.",
                      "số giấy tờ sai định dạng"),
        "deceased": ("Số giấy tờ này không dùng được: kiểm tra lại bạn đã ghi đúng số của mình "
                     "chưa; nếu đúng, liên hệ công an xã/phường nơi cư trú.",
                     "số giấy tờ không dùng được"),
        "revoked": ("Giấy tờ này không còn hiệu lực: kiểm tra lại số; nếu đúng là của bạn, dùng "
                    "CCCD đang có hiệu lực hoặc liên hệ công an xã/phường nơi cư trú.",
                    "giấy tờ hết hiệu lực"),
        "no_arrival_record": ("Không tìm thấy thông tin nhập cảnh của hộ chiếu này: kiểm tra số "
                              "hộ chiếu và chuyến bay.", "không có thông tin nhập cảnh"),
        "passport_mismatch": ("Thông tin hộ chiếu không khớp với hồ sơ nhập cảnh: kiểm tra số "
                              "hộ chiếu, họ tên, ngày sinh.", "hộ chiếu không khớp"),
        "": ("Thông tin không khớp với Cơ sở dữ liệu dân cư: kiểm tra lại họ tên, ngày sinh, "
             "giới tính và số giấy tờ.", "thông tin không khớp"),
    },
    "en": {
        "not_found": ("The ID number was not found in the national population database: check "
                      "your CCCD/CMND number.", "ID number not found"),
        "name_mismatch": ("The name does not match: write your full name exactly as on your ID "
                          "card, with its diacritics.", "name does not match"),
        "dob_mismatch": ("The date of birth does not match: write it as on your ID card.",
                         "date of birth does not match"),
        "gender_mismatch": ("The gender does not match: choose it as on your ID card.",
                            "gender does not match"),
        "id_format": ("The ID number is not valid: a CCCD has 12 digits, a CMND 9.",
                      "ID number not valid"),
        "deceased": ("This ID number cannot be used: check that you wrote your own number; if "
                     "it is yours, contact the police of your ward or commune.",
                     "ID number cannot be used"),
        "revoked": ("This ID document is no longer valid: check the number; if it is yours, use "
                    "your valid CCCD or contact the police of your ward or commune.",
                    "ID document no longer valid"),
        "no_arrival_record": ("No arrival was registered for this passport: check the passport "
                              "number and your flight.", "no arrival record"),
        "passport_mismatch": ("The passport details do not match the arrival record: check the "
                              "number, name and date of birth.", "passport does not match"),
        "": ("The details do not match the population database: check your name, date of "
             "birth, gender and ID number.", "details do not match"),
    },
}
PLACES = {"vi": {"home": "tại nhà", "facility": "tại cơ sở cách ly tập trung"},
          "en": {"home": "at home", "facility": "at a quarantine facility"}}
REASONS = {"vi": {"contact": "tiếp xúc gần với người mắc bệnh", "arrival": "nhập cảnh",
                  "red_zone": "ở vùng có nguy cơ rất cao"},
           "en": {"contact": "close contact with a case", "arrival": "arrival from abroad",
                  "red_zone": "stay in a very high-risk zone"}}
