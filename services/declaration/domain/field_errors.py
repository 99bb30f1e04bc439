"""Field error messages in Vietnamese and English, by machine code.

The form's own rules raise `PydanticCustomError(code, ...)` with the codes
below; pydantic's built-in checks (missing, wrong type, …) keep their own
codes and get a message here too, so every field error a citizen sees says
what is wrong in both languages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypedDict

from pydantic_core import ErrorDetails

Message = tuple[str, str]  # (vi, en); may hold {placeholders} filled from the error context


class Bilingual(TypedDict):
    vi: str
    en: str


class FieldError(TypedDict):
    code: str
    message: Bilingual


# A field's dotted path ("person.full_name") → what is wrong with it.
FieldErrors = dict[str, list[FieldError]]

RULES: dict[str, Message] = {
    "name_length": ("Họ tên cần từ 2 đến 100 ký tự", "A name has 2 to 100 characters"),
    "name_letters": ("Họ tên chỉ gồm chữ cái và khoảng trắng",
                     "A name may only contain letters and spaces"),
    "national_id_format": ("Số CCCD gồm 12 chữ số (hoặc CMND cũ 9 chữ số)",
                           "A national ID is 12 digits (CCCD) or 9 digits (old CMND)"),
    "national_id_province": ("3 chữ số đầu của CCCD là mã tỉnh từ 001 đến 096",
                             "The first 3 digits of a CCCD are a province code from 001 to 096"),
    "cccd_birth_year": ("Số CCCD cho biết năm sinh {year}, khác với ngày sinh đã khai",
                        "The CCCD digits say born in {year}, not the declared date of birth"),
    "cccd_gender": ("Số CCCD cho biết giới tính {gender_vi}, khác với giới tính đã khai",
                    "The CCCD digits say {gender_en}, not the declared gender"),
    "identity_document_required": ("Cần số CCCD/CMND, hoặc số hộ chiếu với người nước ngoài",
                                   "A national ID, or a passport number for a foreigner, "
                                   "is required"),
    "national_id_citizens_only": ("Người nước ngoài khai số hộ chiếu, không khai CCCD",
                                  "A foreigner declares a passport number, not a national ID"),
    "passport_format": ("Số hộ chiếu gồm 5 đến 20 chữ cái hoặc chữ số",
                        "A passport number has 5 to 20 letters or digits"),
    "nationality_format": ("Quốc tịch là mã 2 chữ cái (ví dụ VN)",
                           "Nationality is a 2-letter code (e.g. VN)"),
    "phone_format": ("Số điện thoại di động Việt Nam không hợp lệ (ví dụ 0912345678)",
                     "Not a Vietnamese mobile number (e.g. 0912345678)"),
    "email_format": ("Địa chỉ email không hợp lệ", "Not an email address"),
    "dob_future": ("Ngày sinh không thể ở tương lai", "The date of birth is in the future"),
    "dob_too_old": ("Ngày sinh phải từ năm 1900", "The date of birth is before 1900"),
    "ward_format": ("Mã phường/xã gồm 5 chữ số", "A ward code has 5 digits"),
    "ward_unknown": ("Không có phường/xã mang mã này (đơn vị hành chính từ 7/2025)",
                     "No current ward or commune has this code (units since July 2025)"),
    "address_length": ("Địa chỉ tối đa 200 ký tự", "An address has at most 200 characters"),
    "departure_past": ("Ngày khởi hành không thể trong quá khứ",
                       "The departure date is in the past"),
    "departure_too_far": ("Chỉ khai báo trước tối đa {days} ngày",
                          "Declare at most {days} days before departure"),
    "plate_format": ("Biển số xe không hợp lệ (ví dụ 29A-123.45)",
                     "Not a Vietnamese plate number (e.g. 29A-123.45)"),
    "flight_number_required": ("Cần số hiệu chuyến bay", "The flight number is required"),
    "flight_number_format": ("Số hiệu chuyến bay không hợp lệ (ví dụ VN213)",
                             "Not a flight number (e.g. VN213)"),
    "train_number_required": ("Cần số hiệu tàu", "The train number is required"),
    "train_number_format": ("Số hiệu tàu không hợp lệ (ví dụ SE1)",
                            "Not a train number (e.g. SE1)"),
    "transport_number_length": ("Số hiệu phương tiện tối đa 30 ký tự",
                                "A vehicle or vessel number has at most 30 characters"),
    "seat_format": ("Số ghế gồm tối đa 8 chữ cái hoặc chữ số", "A seat has up to 8 letters or digits"),
    "last_dose_future": ("Ngày tiêm mũi gần nhất không thể ở tương lai",
                         "The last dose date is in the future"),
    "last_dose_too_early": ("Việt Nam bắt đầu tiêm vắc xin COVID-19 từ 08/3/2021",
                            "Vaccination in Viet Nam started on 8 March 2021"),
    "last_dose_without_dose": ("Có ngày tiêm nhưng số mũi là 0",
                               "A last dose date is given with 0 doses"),
    "consent_required": ("Cần đồng ý cho phép sử dụng dữ liệu để phòng chống dịch",
                         "Consent to the use of the data for epidemic control is required"),
    "cargo_length": ("Hàng hoá cần từ 2 đến 200 ký tự", "Cargo has 2 to 200 characters"),
    "permit_format": ("Số giấy phép luồng xanh không hợp lệ", "Not a green-lane permit number"),
    # the shared plain-text rule (libs/contracts/values.py)
    "hidden_characters": ("Có ký tự điều khiển hoặc ký tự ẩn ({characters}), hãy gõ lại",
                          "Control or invisible characters ({characters}) are not allowed"),
    "stacked_marks": ("Mỗi chữ cái chỉ mang tối đa {max} dấu",
                      "At most {max} combining marks on one letter"),
}

# pydantic's own error types
BUILT_IN: dict[str, Message] = {
    "missing": ("Thông tin bắt buộc", "This field is required"),
    "extra_forbidden": ("Trường không có trong tờ khai", "This field is not part of the form"),
    "string_type": ("Cần một chuỗi ký tự", "A text value is expected"),
    "bool_type": ("Cần giá trị đúng/sai", "A true/false value is expected"),
    "bool_parsing": ("Cần giá trị đúng/sai", "A true/false value is expected"),
    "int_type": ("Cần một số nguyên", "A whole number is expected"),
    "int_parsing": ("Cần một số nguyên", "A whole number is expected"),
    "int_from_float": ("Cần một số nguyên", "A whole number is expected"),
    "date_type": ("Cần một ngày (YYYY-MM-DD)", "A date (YYYY-MM-DD) is expected"),
    "date_parsing": ("Ngày không hợp lệ (YYYY-MM-DD)", "Not a valid date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": ("Ngày không hợp lệ (YYYY-MM-DD)",
                                   "Not a valid date (YYYY-MM-DD)"),
    "date_from_datetime_inexact": ("Chỉ cần ngày, không cần giờ", "A date without a time is expected"),
    "enum": ("Giá trị không nằm trong danh sách: {expected}", "Not one of: {expected}"),
    "literal_error": ("Giá trị không nằm trong danh sách: {expected}", "Not one of: {expected}"),
    "list_type": ("Cần một danh sách", "A list is expected"),
    "model_type": ("Cần một nhóm thông tin (đối tượng JSON)", "An object is expected"),
    "model_attributes_type": ("Cần một nhóm thông tin (đối tượng JSON)", "An object is expected"),
    "dict_type": ("Cần một nhóm thông tin (đối tượng JSON)", "An object is expected"),
    "too_long": ("Danh sách quá dài (tối đa {max_length})", "Too many items (at most {max_length})"),
    "too_short": ("Danh sách quá ngắn (tối thiểu {min_length})",
                  "Too few items (at least {min_length})"),
    "string_too_long": ("Tối đa {max_length} ký tự", "At most {max_length} characters"),
    "string_too_short": ("Tối thiểu {min_length} ký tự", "At least {min_length} characters"),
    "string_pattern_mismatch": ("Không đúng định dạng", "Not in the expected format"),
    "greater_than_equal": ("Giá trị tối thiểu là {ge}", "The smallest allowed value is {ge}"),
    "less_than_equal": ("Giá trị tối đa là {le}", "The largest allowed value is {le}"),
}

FALLBACK: Message = ("Giá trị không hợp lệ", "Not a valid value")


def message(code: str, context: Mapping[str, object] | None = None) -> Bilingual:
    vi, en = RULES.get(code) or BUILT_IN.get(code) or FALLBACK
    values = {key: str(value) for key, value in (context or {}).items()}
    try:
        return {"vi": vi.format(**values), "en": en.format(**values)}
    except (KeyError, IndexError):
        return {"vi": vi, "en": en}


def field_errors(errors: Iterable[ErrorDetails]) -> FieldErrors:
    """pydantic's error list → {"person.full_name": [{"code", "message": {"vi", "en"}}]}."""
    fields: FieldErrors = {}
    for err in errors:
        loc = [str(part) for part in err["loc"] if part not in ("body", "query", "path", "header")]
        entry = FieldError(code=err["type"], message=message(err["type"], err.get("ctx")))
        fields.setdefault(".".join(loc) or "body", []).append(entry)
    return fields
