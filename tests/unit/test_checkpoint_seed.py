"""The seed set: real 2025 wards (code and name agree), plausible positions, every kind
the issue names."""

from __future__ import annotations

from collections import Counter

from libs.contracts.events.checkpoint import CheckpointKind
from libs.contracts.wards import ward_names
from services.checkpoint.api.models import CheckpointIn
from services.checkpoint.seed import body
from services.checkpoint.seed_data import SEED

# Viet Nam's mainland and islands, roughly (Phú Quốc to Lũng Cú, Cà Mau to Vân Đồn).
LATITUDES, LONGITUDES = (8.3, 23.4), (102.1, 109.5)


def test_every_entry_names_a_current_ward_by_its_code_and_name() -> None:
    for entry in SEED:
        assert ward_names(entry.ward_code)[0] == entry.ward_name, entry.checkpoint_id
        CheckpointIn.model_validate(body(entry))


def test_ids_are_unique_and_positions_inside_viet_nam() -> None:
    assert len({e.checkpoint_id for e in SEED}) == len(SEED)
    for entry in SEED:
        assert LATITUDES[0] < entry.latitude < LATITUDES[1], entry.checkpoint_id
        assert LONGITUDES[0] < entry.longitude < LONGITUDES[1], entry.checkpoint_id


def test_the_set_covers_roads_stations_markets_airports_gates_and_depots() -> None:
    kinds = Counter(e.kind for e in SEED)
    for kind in ("road", "bus_station", "railway_station", "market", "airport",
                 "border_gate", "port", "depot"):
        assert kinds[CheckpointKind(kind)] >= 1, kind
    provinces = {ward_names(e.ward_code)[1] for e in SEED}
    assert len(provinces) >= 15
