"""The demo seed set: real places with their 2025 ward codes (see docs/checkpoint.md).

Provenance, honestly: the places are real and well known; the ward each one is
assigned to is the 2025 ward/commune that, to the best of our knowledge, now
contains it (by the old ward of its published address and the 2025 merger
names) — it is a judgement, not an official gazetteer lookup, and entries marked
`~` are the least certain. Ward codes and names are checked against
`vietnam-provinces` by tests/unit/test_checkpoint_seed.py. Coordinates are
approximate (about 3 decimals, from general knowledge of where the landmark
is), good enough for maps and demos, not surveyed. Depots are demo green-lane
yards placed at real wholesale hubs.
"""

from __future__ import annotations

from typing import NamedTuple


class SeedCheckpoint(NamedTuple):
    checkpoint_id: str
    name: str
    kind: str
    ward_code: str
    ward_name: str  # must match vietnam-provinces for ward_code (checked by a test)
    latitude: float
    longitude: float
    certainty: str = ""  # "~": the ward assignment is the least certain kind


SEED: tuple[SeedCheckpoint, ...] = (
    # Airports
    SeedCheckpoint("cp-hn-noibai-airport", "Cảng hàng không quốc tế Nội Bài", "airport",
                   "00433", "Xã Nội Bài", 21.221, 105.807),
    SeedCheckpoint("cp-hcm-tansonnhat-airport", "Cảng hàng không quốc tế Tân Sơn Nhất",
                   "airport", "26968", "Phường Tân Sơn Nhất", 10.818, 106.659),
    SeedCheckpoint("cp-dn-danang-airport", "Cảng hàng không quốc tế Đà Nẵng", "airport",
                   "20257", "Phường Hòa Cường", 16.044, 108.199, "~"),
    SeedCheckpoint("cp-kh-camranh-airport", "Cảng hàng không quốc tế Cam Ranh", "airport",
                   "22408", "Phường Bắc Cam Ranh", 11.998, 109.219, "~"),
    SeedCheckpoint("cp-ag-phuquoc-airport", "Cảng hàng không quốc tế Phú Quốc", "airport",
                   "31078", "Đặc khu Phú Quốc", 10.170, 103.993),
    SeedCheckpoint("cp-hp-catbi-airport", "Cảng hàng không quốc tế Cát Bi", "airport",
                   "11413", "Phường Hải An", 20.819, 106.725),
    SeedCheckpoint("cp-qn-vandon-airport", "Cảng hàng không quốc tế Vân Đồn", "airport",
                   "06994", "Đặc khu Vân Đồn", 21.118, 107.414),
    SeedCheckpoint("cp-hue-phubai-airport", "Cảng hàng không quốc tế Phú Bài", "airport",
                   "19960", "Phường Phú Bài", 16.401, 107.703),
    SeedCheckpoint("cp-ct-cantho-airport", "Cảng hàng không quốc tế Cần Thơ", "airport",
                   "31168", "Phường Bình Thủy", 10.085, 105.712),
    # Railway stations
    SeedCheckpoint("cp-hn-hanoi-station", "Ga Hà Nội", "railway_station",
                   "00196", "Phường Văn Miếu - Quốc Tử Giám", 21.024, 105.841, "~"),
    SeedCheckpoint("cp-hcm-saigon-station", "Ga Sài Gòn", "railway_station",
                   "27142", "Phường Nhiêu Lộc", 10.782, 106.677),
    SeedCheckpoint("cp-dn-danang-station", "Ga Đà Nẵng", "railway_station",
                   "20209", "Phường Thanh Khê", 16.072, 108.209),
    SeedCheckpoint("cp-hue-hue-station", "Ga Huế", "railway_station",
                   "19786", "Phường Thuận Hóa", 16.457, 107.578),
    SeedCheckpoint("cp-kh-nhatrang-station", "Ga Nha Trang", "railway_station",
                   "22366", "Phường Nha Trang", 12.248, 109.184),
    SeedCheckpoint("cp-lc-laocai-station", "Ga Lào Cai", "railway_station",
                   "02647", "Phường Lào Cai", 22.498, 103.966, "~"),
    # Bus stations
    SeedCheckpoint("cp-hn-mydinh-bus", "Bến xe Mỹ Đình", "bus_station",
                   "00592", "Phường Từ Liêm", 21.028, 105.778),
    SeedCheckpoint("cp-hn-nuocngam-bus", "Bến xe Nước Ngầm", "bus_station",
                   "00337", "Phường Hoàng Liệt", 20.965, 105.843),
    SeedCheckpoint("cp-hcm-mientay-bus", "Bến xe Miền Tây", "bus_station",
                   "27460", "Phường An Lạc", 10.741, 106.619),
    SeedCheckpoint("cp-hcm-miendong-bus", "Bến xe Miền Đông mới", "bus_station",
                   "26833", "Phường Long Bình", 10.879, 106.816, "~"),
    SeedCheckpoint("cp-ct-cantho-bus", "Bến xe trung tâm Cần Thơ", "bus_station",
                   "31186", "Phường Cái Răng", 10.009, 105.771),
    # Markets
    SeedCheckpoint("cp-hn-dongxuan-market", "Chợ Đồng Xuân", "market",
                   "00070", "Phường Hoàn Kiếm", 21.038, 105.850),
    SeedCheckpoint("cp-hn-longbien-market", "Chợ đầu mối Long Biên", "market",
                   "00097", "Phường Hồng Hà", 21.043, 105.851, "~"),
    SeedCheckpoint("cp-hcm-benthanh-market", "Chợ Bến Thành", "market",
                   "26743", "Phường Bến Thành", 10.772, 106.698),
    SeedCheckpoint("cp-hcm-binhtay-market", "Chợ Bình Tây", "market",
                   "27367", "Phường Bình Tây", 10.750, 106.651),
    SeedCheckpoint("cp-hcm-thuduc-market", "Chợ đầu mối nông sản Thủ Đức", "market",
                   "26797", "Phường Tam Bình", 10.866, 106.734),
    SeedCheckpoint("cp-dn-han-market", "Chợ Hàn", "market",
                   "20242", "Phường Hải Châu", 16.068, 108.225),
    SeedCheckpoint("cp-ct-cantho-market", "Chợ Cần Thơ", "market",
                   "31135", "Phường Ninh Kiều", 10.034, 105.788),
    # Border gates
    SeedCheckpoint("cp-ls-huunghi-gate", "Cửa khẩu quốc tế Hữu Nghị", "border_gate",
                   "06184", "Xã Đồng Đăng", 21.973, 106.706, "~"),
    SeedCheckpoint("cp-lc-laocai-gate", "Cửa khẩu quốc tế Lào Cai", "border_gate",
                   "02647", "Phường Lào Cai", 22.506, 103.963),
    SeedCheckpoint("cp-qn-mongcai-gate", "Cửa khẩu quốc tế Móng Cái", "border_gate",
                   "06712", "Phường Móng Cái 1", 21.537, 107.966, "~"),
    SeedCheckpoint("cp-qt-laobao-gate", "Cửa khẩu quốc tế Lao Bảo", "border_gate",
                   "19432", "Xã Lao Bảo", 16.615, 106.590),
    SeedCheckpoint("cp-tn-mocbai-gate", "Cửa khẩu quốc tế Mộc Bài", "border_gate",
                   "25681", "Xã Bến Cầu", 11.081, 106.176, "~"),
    SeedCheckpoint("cp-ag-tinhbien-gate", "Cửa khẩu quốc tế Tịnh Biên", "border_gate",
                   "30520", "Phường Tịnh Biên", 10.594, 104.957),
    # Road checkpoints at provincial borders (2025 provinces)
    SeedCheckpoint("cp-hn-ql1-phuxuyen", "Chốt QL1A Hà Nội – Ninh Bình (Phú Xuyên)", "road",
                   "10273", "Xã Phú Xuyên", 20.721, 105.905),
    SeedCheckpoint("cp-hy-ql5-nhuquynh", "Chốt QL5 Hưng Yên – Hà Nội (Như Quỳnh)", "road",
                   "11986", "Xã Như Quỳnh", 20.985, 106.017),
    SeedCheckpoint("cp-nb-ql1-tamdiep", "Chốt QL1A Ninh Bình – Thanh Hóa (Tam Điệp)", "road",
                   "14362", "Phường Tam Điệp", 20.143, 105.903),
    SeedCheckpoint("cp-dn-haivan", "Chốt hầm Hải Vân (Đà Nẵng – Huế)", "road",
                   "20195", "Phường Hải Vân", 16.161, 108.133),
    SeedCheckpoint("cp-hcm-ql1-binhchanh", "Chốt QL1A TP.HCM – Tây Ninh (Bình Chánh)", "road",
                   "27637", "Xã Bình Chánh", 10.667, 106.574, "~"),
    SeedCheckpoint("cp-dni-ql1-longbinh", "Chốt QL1A Đồng Nai – TP.HCM (Long Bình)", "road",
                   "26020", "Phường Long Bình", 10.930, 106.880, "~"),
    SeedCheckpoint("cp-ct-cantho-bridge", "Chốt cầu Cần Thơ (Cần Thơ – Vĩnh Long)", "road",
                   "31186", "Phường Cái Răng", 10.036, 105.834, "~"),
    # Ports and green-lane depots
    SeedCheckpoint("cp-hcm-catlai-port", "Cảng Cát Lái", "port",
                   "27112", "Phường Cát Lái", 10.762, 106.792),
    SeedCheckpoint("cp-hp-hoangdieu-port", "Cảng Hải Phòng (Hoàng Diệu)", "port",
                   "11311", "Phường Hồng Bàng", 20.866, 106.677, "~"),
    SeedCheckpoint("cp-dn-tiensa-port", "Cảng Tiên Sa", "port",
                   "20263", "Phường Sơn Trà", 16.121, 108.213),
    SeedCheckpoint("cp-hcm-thuduc-depot", "Bãi tập kết xe luồng xanh chợ đầu mối Thủ Đức",
                   "depot", "26797", "Phường Tam Bình", 10.867, 106.735),
    SeedCheckpoint("cp-hn-longbien-depot", "Bãi tập kết xe luồng xanh Long Biên", "depot",
                   "00097", "Phường Hồng Hà", 21.044, 105.852, "~"),
)

SOURCE = ("khaibao seed set: real place; ward by best judgement from the 2025 units "
          "(vietnam-provinces); approximate coordinates (see docs/checkpoint.md)")
