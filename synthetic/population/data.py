"""Reference data for the synthetic population: names and the age pyramid.

Shares are approximate figures for Vietnam (family names from surname surveys, the
age pyramid from the 2019 census); close enough for realistic tests and demos.
"""

from __future__ import annotations

# Family names with their share of the population (per mille).
FAMILY_NAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 384), ("Trần", 121), ("Lê", 95), ("Phạm", 70), ("Hoàng", 30), ("Huỳnh", 21),
    ("Phan", 45), ("Vũ", 20), ("Võ", 19), ("Đặng", 21), ("Bùi", 20), ("Đỗ", 14), ("Hồ", 13),
    ("Ngô", 13), ("Dương", 10), ("Lý", 5), ("Đinh", 5), ("Đoàn", 4), ("Trịnh", 4), ("Trương", 4),
    ("Đào", 4), ("Lâm", 4), ("Mai", 3), ("Cao", 3), ("Lương", 3), ("Hà", 3), ("Tô", 2),
    ("Tạ", 2), ("Lưu", 2), ("Triệu", 2), ("Thái", 2), ("Nông", 2), ("Chu", 1), ("Quách", 1),
    ("Kiều", 1), ("Châu", 1), ("Vương", 1), ("Phùng", 1), ("La", 1), ("Lò", 1), ("Hứa", 1),
    ("Tống", 1), ("Giáp", 1), ("Khổng", 1), ("Âu", 1),
)

MALE_MIDDLE = ("Văn", "Hữu", "Đức", "Minh", "Quốc", "Thành", "Công", "Xuân", "Quang", "Ngọc",
               "Gia", "Anh", "Hoàng", "Đình", "Trọng", "Mạnh", "Tuấn", "Bảo", "Thanh", "Việt")
FEMALE_MIDDLE = ("Thị", "Ngọc", "Thu", "Thanh", "Kim", "Phương", "Bích", "Mai", "Hồng", "Diệu",
                 "Minh", "Khánh", "Bảo", "Thùy", "Hoài", "Quỳnh", "Tường", "Như", "Hải", "Ánh")
MALE_GIVEN = ("An", "Anh", "Bảo", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Đức", "Hải", "Hiếu",
              "Hoàng", "Hùng", "Huy", "Khang", "Khánh", "Khoa", "Kiên", "Lâm", "Long", "Lộc",
              "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài", "Thắng",
              "Thành", "Thịnh", "Tiến", "Toàn", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ")
FEMALE_GIVEN = ("An", "Anh", "Châu", "Chi", "Diệp", "Dung", "Giang", "Hà", "Hạnh", "Hằng",
                "Hiền", "Hoa", "Huyền", "Hương", "Lan", "Linh", "Loan", "Mai", "My", "Nga",
                "Ngân", "Ngọc", "Nhi", "Nhung", "Oanh", "Phương", "Quỳnh", "Tâm", "Thảo", "Thu",
                "Thủy", "Trang", "Trinh", "Uyên", "Vân", "Vy", "Xuân", "Yến", "Hồng", "Lệ")

# Five-year age bands from 0–4 to 85+ with their share of the population (%).
AGE_BANDS: tuple[float, ...] = (7.9, 8.5, 7.4, 6.8, 7.1, 8.2, 8.4, 8.0, 7.4, 6.7, 6.0, 5.4,
                                4.5, 3.3, 2.1, 1.3, 0.9, 0.9)
OLDEST_AGE = 100

# Province populations (for where residents live) are in
# services/identity_verification/domain/provinces.py, beside the CCCD rule that needs them.
