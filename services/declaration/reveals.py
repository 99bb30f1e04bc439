"""Re-identification: a staff member sees who a pseudonym is, when they have grounds to.

Other services know people only by subject id. This service holds the declarations,
so it alone answers "who is this?", and only to staff responsible for that person:

- a ward official, for people notified to one of their wards (arriving, departing,
  passed a checkpoint there, an alert), quarantined or followed up there, within the
  retention window;
- an epidemiologist, for a confirmed case, the contacts proposed with a case, or a
  person under a quarantine order, within the retention window;
- an officer, for the traveller whose QR code they scanned in the last minutes.

Everyone else, and a ward outside the caller's scope, gets 403. Each reveal states a
purpose, is stored and published (`person.revealed`, with no personal data), and
shows on the person's own declaration card (`accesses`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from libs.contracts.envelope import Envelope, new_event_id
from libs.contracts.events.declaration import PersonRevealed
from libs.runtime.auth import Principal, Role
from libs.runtime.errors import ApiError
from libs.runtime.logs import correlation_id
from libs.runtime.outbox import OutboxRelay
from services.declaration.store import DeclarationStore
from services.declaration.store_reveals import RevealStore, grant_id
from services.declaration.units import names

PRODUCER = "declaration"


@dataclass(frozen=True)
class Windows:
    responsibility: timedelta  # wards and epidemiologists: the retention window
    scan: timedelta  # officers: minutes after the scan


def candidate_grants(who: Principal, subject_id: str) -> list[str]:
    """The grant ids that would let this caller see this person."""
    if who.role == Role.ward_official:
        return [grant_id(subject_id, "ward", ward) for ward in who.scope]
    if who.role == Role.officer:
        return [grant_id(subject_id, "officer", who.subject)]
    if who.role == Role.epidemiologist:
        return [grant_id(subject_id, "epidemiology")]
    return []


def usable(grant: dict[str, Any], windows: Windows, now: datetime) -> bool:
    window = windows.scan if grant["kind"] == "officer" else windows.responsibility
    return bool(now - grant["last_at"] <= window)


def forbidden() -> ApiError:
    return ApiError(403, "reveal_forbidden",
                    "Không có căn cứ để xem thông tin người này (chỉ người được thông báo cho "
                    "phường/xã của mình, ca bệnh, cách ly hoặc người vừa quét mã)",
                    "No grounds to see this person (only people notified to your wards, your "
                    "cases and quarantines, or a traveller you just scanned)")


def place(part: dict[str, Any] | None) -> dict[str, str] | None:
    if not part:
        return None
    ward, province = names().get(part["ward_code"], (part["ward_code"], ""))
    return {"ward_code": part["ward_code"], "ward_name": ward, "province_name": province,
            "address": part.get("address", "")}


def person_details(declaration: dict[str, Any]) -> dict[str, Any]:
    """What a reveal shows: who the person is and how to reach them, nothing about health."""
    person, residence = declaration["person"], declaration.get("residence", {})
    return {"full_name": person["full_name"], "date_of_birth": person["date_of_birth"],
            "gender": person.get("gender"), "phone": person.get("phone"),
            "email": person.get("email"),
            "residence": {kind: place(residence.get(kind))
                          for kind in ("permanent", "temporary", "current")}}


@dataclass
class Revealing:
    store: DeclarationStore
    reveals: RevealStore
    relay: OutboxRelay
    windows: Windows

    async def reveal(self, who: Principal, subject_id: str, declaration_id: str | None,
                     purpose: str, now: datetime) -> dict[str, Any]:
        grants = [g for g in await self.reveals.grants_of(candidate_grants(who, subject_id))
                  if usable(g, self.windows, now)]
        if not grants:
            raise forbidden()
        doc = await self._declaration(subject_id, declaration_id or _latest(grants))
        event = Envelope.wrap(PersonRevealed(
            reveal_id=new_event_id(), subject_id=subject_id, declaration_id=doc["_id"],
            who=who.subject, role=who.role.value, unit=who.unit or None, purpose=purpose,
            grounds="; ".join(sorted({g["grounds"] for g in grants})), at=now),
            producer=PRODUCER, correlation_id=correlation_id.get())
        # Stored (with its event) before anything is shown: no reveal leaves unaudited.
        await self.reveals.record(event)
        self.relay.wake(event.payload.reveal_id)
        return {"reveal_id": event.payload.reveal_id, "subject_id": subject_id,
                "declaration_id": doc["_id"], "grounds": event.payload.grounds,
                **person_details(doc["declaration"])}

    async def _declaration(self, subject_id: str, declaration_id: str | None) -> dict[str, Any]:
        doc = await (self.store.get(declaration_id) if declaration_id
                     else self.store.latest_of(subject_id))
        if doc is None or doc["subject_id"] != subject_id:
            raise ApiError(404, "not_found", "Không tìm thấy tờ khai của người này",
                           "No declaration of this person")
        return doc


def _latest(grants: list[dict[str, Any]]) -> str | None:
    with_declaration = [g for g in grants if g.get("declaration_id")]
    if not with_declaration:
        return None
    return str(max(with_declaration, key=lambda g: g["last_at"])["declaration_id"])
