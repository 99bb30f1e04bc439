"""Arrivals from abroad (issue 21), pure: what the trace keeps of one, and whom to propose.

`arrival.registered` (a manifest imported at the declaration service) tells the
trace who arrived, when, on which flight or ship, from which country, and where
they go — by pseudonym only: the trace keeps no name or document number. An
epidemiologist marks the countries whose arrivals need a quarantine; the trace
then proposes `reason=arrival` orders for the people who arrived from a marked
country in the last days and have no such order yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ArrivalSeen:
    subject_id: str
    country: str
    port: str | None
    arrival_date: date
    transport: str
    entry_ward: str
    destination_ward: str | None

    @property
    def evidence(self) -> str:
        port = f" ({self.port})" if self.port else ""
        return f"arrived {self.arrival_date.isoformat()} on {self.transport} from {self.country}{port}"



def to_propose(arrivals: list[ArrivalSeen], marked: set[str],
               ordered: set[str]) -> list[ArrivalSeen]:
    """The arrivals from marked countries whose person has no arrival order yet (pure);
    one line per person, their latest arrival."""
    latest: dict[str, ArrivalSeen] = {}
    for arrival in arrivals:
        if arrival.country in marked and arrival.subject_id not in ordered:
            current = latest.get(arrival.subject_id)
            if current is None or arrival.arrival_date > current.arrival_date:
                latest[arrival.subject_id] = arrival
    return sorted(latest.values(), key=lambda a: (a.arrival_date, a.subject_id))
