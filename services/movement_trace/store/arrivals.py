"""Arrivals from abroad, and the countries an epidemiologist marks (issue 21).

`arrival.registered` (a manifest imported at the declaration service) tells the
trace who arrived, when, on which flight or ship, from which country, and where
they go — by pseudonym only: the trace keeps no name or document number. An
epidemiologist marks the countries (or unmarks them) whose arrivals need a
quarantine; the trace then proposes `reason=arrival` orders for the people who
arrived from a marked country in the last days and have no such order yet; the
order itself is the existing bulk order (`POST /v1/quarantines`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from pymongo.asynchronous.database import AsyncDatabase

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import ArrivalRegistered
from libs.contracts.vietnam_time import VN_TZ
from libs.runtime.mongo import Document, insert_new
from libs.runtime.retention import day_of, purge_by_day


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


class ArrivalStore:
    """`arrivals`: one document per registered arrival (by arrival id), filed by arrival day;
    `arrival_rules`: one per marked country."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.arrivals = db["arrivals"]
        self.rules = db["arrival_rules"]

    async def create_indexes(self) -> None:
        await self.arrivals.create_index("arrival_date")
        await self.arrivals.create_index("day")
        await self.rules.create_index("marked_at")

    async def add(self, events: list[Envelope[ArrivalRegistered]]) -> int:
        docs = []
        for event in events:
            p = event.payload
            arrived = datetime.combine(p.arrival_date, time(0), VN_TZ)
            transport = " ".join(x for x in (p.transport.mode.value, p.transport.number) if x)
            docs.append({"_id": p.arrival_id, "subject_id": p.subject_id,
                         "country": p.country_of_departure, "port": p.port_of_departure,
                         "arrival_date": p.arrival_date.isoformat(), "transport": transport,
                         "entry_ward": p.entry_ward, "destination_ward": p.destination_ward,
                         "arrived_at": arrived, "day": day_of(arrived)})
        return len(await insert_new(self.arrivals, docs))

    async def since(self, first: date, last: date) -> list[ArrivalSeen]:
        """Arrivals day by day (equality on an indexed field: FerretDB answers from it)."""
        found: list[ArrivalSeen] = []
        day = first
        while day <= last:
            for doc in await self.arrivals.find({"arrival_date": day.isoformat()}).to_list():
                found.append(ArrivalSeen(
                    doc["subject_id"], doc["country"], doc.get("port"),
                    date.fromisoformat(doc["arrival_date"]), doc["transport"],
                    doc["entry_ward"], doc.get("destination_ward")))
            day += timedelta(days=1)
        return found

    async def mark(self, country: str, by: str, purpose: str, now: datetime) -> Document:
        doc = {"_id": country, "marked_by": by, "purpose": purpose, "marked_at": now}
        await self.rules.replace_one({"_id": country}, doc, upsert=True)
        return doc

    async def unmark(self, country: str) -> bool:
        return bool((await self.rules.delete_one({"_id": country})).deleted_count)

    async def marked(self) -> list[Document]:
        return await self.rules.find({}).sort("_id", 1).to_list()

    async def purge(self, cutoff: datetime) -> int:
        return len(await purge_by_day(self.arrivals, "arrived_at", cutoff))


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
