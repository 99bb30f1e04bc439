"""What the scanner shows, in Vietnamese and English: the reasons behind a
recommendation and the refusals of a QR token (the API's errors are in api/errors.py)."""

from __future__ import annotations

# code → (Vietnamese, English); `{…}` fields are filled in by `text()`.
REASONS: dict[str, tuple[str, str]] = {
    "quarantined": ("Đang cách ly đến hết ngày {until}", "Under quarantine until {until}"),
    "expired": ("Tờ khai đã hết hạn", "The declaration has expired"),
    "identity_rejected": ("Thông tin nhân thân không khớp CSDL dân cư ({details})",
                          "Identity not confirmed by the population registry ({details})"),
    "not_verified": ("Nhân thân chưa được xác minh", "Identity not verified yet"),
    "identity_pending": ("Đang chờ xác minh nhân thân — kiểm tra giấy tờ",
                         "Identity check pending — look at the ID card"),
    "symptoms": ("Khai có triệu chứng: {details}", "Declared symptoms: {details}"),
    "exposure": ("Khai có yếu tố dịch tễ: {details}", "Declared exposure: {details}"),
    "red_zone_origin": ("Đi từ vùng dịch cấp 4 (đỏ)", "Coming from a level-4 (red) zone"),
    "refused_earlier": ("Đã bị từ chối {count} lần trước đây", "Refused {count} time(s) before"),
    "vehicle_expired": ("Tờ khai phương tiện đã hết hạn", "The vehicle declaration has expired"),
    "crew_failed": ("Tổ lái chưa đạt: {details_vi}", "Crew not cleared: {details_en}"),
    "all_clear": ("Đủ điều kiện", "Cleared"),
}


CREW_ROLES_VI = {"driver": "lái xe", "co_driver": "lái phụ", "assistant": "phụ xe"}
FAILURES_VI = {"not_verified": "chưa xác minh", "identity_rejected": "không khớp CSDL dân cư",
               "expired": "hết hạn", "quarantined": "đang cách ly"}


def text(code: str, **fields: object) -> tuple[str, str]:
    vi, en = REASONS[code]
    return vi.format(**fields), en.format(**fields)


# QR token errors (libs.runtime.qr_tokens.Reason) → (Vietnamese, English)
TOKEN_ERRORS: dict[str, tuple[str, str]] = {
    "oversized": ("Mã QR quá dài, không phải mã khai báo y tế", "The QR code is too long to be "
                  "a health-declaration code"),
    "malformed": ("Không phải mã QR khai báo y tế", "Not a health-declaration QR code"),
    "truncated": ("Mã QR bị thiếu (đọc chưa hết), quét lại", "The QR code was read only in "
                  "part; scan again"),
    "foreign_key": ("Mã QR không do hệ thống khai báo y tế cấp", "The QR code was not issued "
                    "by the health-declaration system"),
    "tampered": ("Mã QR đã bị sửa đổi (chữ ký không khớp)", "The QR code was altered (the "
                 "signature does not match)"),
    "expired": ("Mã QR đã hết hạn, cần khai báo lại", "The QR code has expired; declare again"),
    "not_yet_valid": ("Mã QR chưa có hiệu lực (giờ máy sai?)", "The QR code is not valid yet "
                      "(wrong clock?)"),
}


# The refusals of a QR token, for the OpenAPI document: a token is signed, so which texts
# are tokens is not something a schema can say.
TOKEN_RULES = {f"qr_{reason}": f"the QR token: {en}" for reason, (_, en) in TOKEN_ERRORS.items()}
