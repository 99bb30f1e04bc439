"""The 34 provinces of 2025 and the 63 former ones a CCCD can name.

A CCCD's first three digits are the code of the (former) province where the birth
was registered; the 2025 merger kept those codes valid on the cards already issued.
"""

from __future__ import annotations

# The 34 provinces of 2025 (their official code) with population in thousands and the
# codes of the 63 former provinces they merged; a CCCD's first three digits are one of
# these former codes (the province where the birth was registered).
PROVINCES: dict[int, tuple[int, tuple[int, ...]]] = {
    1: (8700, (1,)), 4: (570, (4,)), 8: (1870, (8, 2)), 11: (650, (11,)), 12: (490, (12,)),
    14: (1300, (14,)), 15: (1780, (15, 10)), 19: (1800, (19, 6)), 20: (800, (20,)),
    22: (1400, (22,)), 24: (3600, (24, 27)), 25: (4000, (25, 26, 17)), 31: (4700, (31, 30)),
    33: (3600, (33, 34)), 37: (4400, (37, 35, 36)), 38: (4300, (38,)), 40: (3800, (40,)),
    42: (1600, (42,)), 44: (1900, (44, 45)), 46: (1400, (46,)), 48: (3100, (48, 49)),
    51: (2200, (51, 62)), 52: (3600, (52, 64)), 56: (2200, (56, 58)), 66: (3300, (66, 54)),
    68: (3900, (68, 67, 60)), 75: (4500, (75, 70)), 79: (14000, (79, 74, 77)),
    80: (3300, (80, 72)), 82: (4400, (82, 87)), 86: (4300, (86, 83, 84)),
    91: (5000, (91, 89)), 92: (4200, (92, 93, 94)), 96: (2600, (96, 95)),
}

BIRTH_PROVINCE_CODES: frozenset[int] = frozenset(
    code for _, former in PROVINCES.values() for code in former)
