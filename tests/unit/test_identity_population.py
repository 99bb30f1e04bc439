"""Properties of the synthetic population generator (pure, no servers)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from libs.contracts.values import cccd_contradictions, province_of_ward
from services.identity_verification.domain.residents import Resident
from synthetic.population.generator import AS_OF, PopulationGenerator

SAMPLE = 5000


@pytest.fixture(scope="module")
def people() -> list[dict[str, str]]:
    return list(PopulationGenerator(42).residents(SAMPLE))


def test_every_resident_is_a_valid_registry_row(people: list[dict[str, str]]) -> None:
    for row in people:
        resident = Resident.model_validate(row)  # CCCD structure, ward, name letters
        assert not cccd_contradictions(resident.national_id, resident.date_of_birth,
                                       resident.gender)
        assert resident.full_name == row["full_name"] and 3 <= len(row["full_name"].split()) <= 4


def test_ids_are_unique(people: list[dict[str, str]]) -> None:
    assert len({r["national_id"] for r in people}) == SAMPLE
    cmnds = [r["cmnd"] for r in people if "cmnd" in r]
    assert len(set(cmnds)) == len(cmnds) and all(len(c) == 9 for c in cmnds)


def test_same_seed_same_population_and_prefix_property() -> None:
    assert list(PopulationGenerator(7).residents(300)) == \
        list(PopulationGenerator(7).residents(500))[:300]
    assert list(PopulationGenerator(7).residents(50)) != list(PopulationGenerator(8).residents(50))


def test_family_names_are_weighted_as_in_vietnam(people: list[dict[str, str]]) -> None:
    families = Counter(r["full_name"].split()[0] for r in people)
    assert 0.35 <= families["Nguyễn"] / SAMPLE <= 0.43
    assert [name for name, _ in families.most_common(3)] == ["Nguyễn", "Trần", "Lê"]


def test_age_pyramid_and_genders_are_plausible(people: list[dict[str, str]]) -> None:
    ages = [(AS_OF - date.fromisoformat(r["date_of_birth"])).days // 365 for r in people]
    assert 0.18 <= sum(a < 15 for a in ages) / SAMPLE <= 0.30
    assert 0.02 <= sum(a >= 75 for a in ages) / SAMPLE <= 0.06
    assert max(ages) <= 100 and min(ages) >= 0
    women = sum(r["gender"] == "female" for r in people) / SAMPLE
    assert 0.46 <= women <= 0.54
    middle = Counter(r["full_name"].split()[1] for r in people if r["gender"] == "female")
    assert middle.most_common(1)[0][0] == "Thị"


def test_wards_spread_over_the_country(people: list[dict[str, str]]) -> None:
    provinces = Counter(province_of_ward(r["permanent_ward"]) for r in people)
    assert len(provinces) == 34
    assert provinces.most_common(1)[0][0] == 79  # Hồ Chí Minh City, the most populous
    assert len({r["permanent_ward"] for r in people}) > 1500


def test_cmnd_only_for_those_old_enough_before_the_chip_card(people: list[dict[str, str]]) -> None:
    holders = [r for r in people if "cmnd" in r]
    assert all(r["date_of_birth"] < "2007-07-01" for r in holders)
    assert 0.3 <= len(holders) / SAMPLE <= 0.6
