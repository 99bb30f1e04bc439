"""Retention (docs/retention.md): what the declaration service keeps, and for how long.

- declarations (with their verdicts) and vehicles: the window after their validity
  ended; a person's declarations are held while a quarantine of theirs lasts, or an
  epidemiologist works a case they are part of (a grant of the last window);
- reveal grants: the window after the event that gave them;
- reveals (the audit) and who-looked-at-whom: the audit window, once published;
- messages to citizens (their record: kind, pseudonym, masked address): the window after
  they were queued.
"""

from __future__ import annotations

from datetime import datetime

from libs.contracts.envelope import utcnow
from libs.runtime.http import Hook
from libs.runtime.jobs import every
from libs.runtime.retention import (
    CHUNK,
    PUBLISHED,
    Retention,
    days_to_purge,
    delete_ids,
    purge_by_day,
)
from services.declaration.notices.store import NoticeStore
from services.declaration.store import DeclarationStore
from services.declaration.store_reveals import RevealStore, grant_id


async def purge_once(store: DeclarationStore, reveals: RevealStore, notices: NoticeStore,
                     retention: Retention, now: datetime) -> dict[str, int]:
    cutoff, audit_cutoff = now - retention.window, now - retention.audit
    declarations = await _declarations(store, reveals, cutoff)
    return {
        "declarations": declarations,
        "vehicles": len(await purge_by_day(store.vehicles, "valid_until", cutoff)),
        "quarantines": len(await purge_by_day(store.quarantines, "until", cutoff)),
        "reveal_grants": len(await purge_by_day(reveals.grants, "last_at", cutoff)),
        "reveals": len(await purge_by_day(reveals.reveals, "at", audit_cutoff, PUBLISHED)),
        "accesses": len(await purge_by_day(reveals.accesses, "last_at", audit_cutoff)),
        "notices": await notices.purge(cutoff),
    }


async def _declarations(store: DeclarationStore, reveals: RevealStore,
                        cutoff: datetime) -> int:
    deleted, holds = 0, dict[str, bool]()
    for day in days_to_purge(cutoff):
        kept: list[str] = []
        while docs := await store.declarations.find(
                {"day": day.isoformat(), "valid_until": {"$lt": cutoff}, "_id": {"$nin": kept}},
                {"subject_id": 1}).limit(CHUNK).to_list():
            for subject in {d["subject_id"] for d in docs} - holds.keys():
                holds[subject] = await _held(store, reveals, subject, cutoff)
            kept += [d["_id"] for d in docs if holds[d["subject_id"]]]
            doomed = [d["_id"] for d in docs if not holds[d["subject_id"]]]
            if doomed:
                deleted += await delete_ids(store.declarations, doomed)
                await delete_ids(store.verdicts, doomed)
    return deleted


async def _held(store: DeclarationStore, reveals: RevealStore, subject_id: str,
                cutoff: datetime) -> bool:
    if await store.held(subject_id, cutoff):
        return True
    cases = await reveals.grants_of([grant_id(subject_id, "epidemiology")])
    return any(case["last_at"] >= cutoff for case in cases)


def purge_job(store: DeclarationStore, reveals: RevealStore, notices: NoticeStore,
              retention: Retention, interval_s: float) -> Hook:
    return every(interval_s, lambda: purge_once(store, reveals, notices, retention, utcnow()),
                 "retention purge")
