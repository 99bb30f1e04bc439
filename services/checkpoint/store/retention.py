"""Retention (docs/retention.md): scans, passages and the views of declarations past their
window. Scans and passages go the window after their time, once their events are
published; a declaration, vehicle or verdict the window after it stopped mattering
(its validity's end). Every delete is bounded: by day, in chunks, by `_id`
(libs/runtime/retention.py).
"""

from __future__ import annotations

from datetime import datetime

from libs.contracts.envelope import utcnow
from libs.runtime.http import Hook
from libs.runtime.jobs import every
from libs.runtime.retention import PUBLISHED, Retention, purge_by_day
from services.checkpoint.store.passages import PassageStore
from services.checkpoint.store.views import ViewStore


async def purge_once(passages: PassageStore, views: ViewStore, retention: Retention,
                     now: datetime | None = None) -> dict[str, int]:
    cutoff = (now or utcnow()) - retention.window
    declarations = await views.purge_declarations(cutoff)
    gone = {
        "scans": await purge_by_day(passages.scans, "at", cutoff, PUBLISHED),
        "passages": await purge_by_day(passages.passages, "at", cutoff, PUBLISHED),
        "vehicles": await purge_by_day(views.vehicles, "valid_until", cutoff),
        # A verdict goes with its declaration, or alone once no declaration could need it.
        "verdicts": await purge_by_day(views.verdicts, "matters_until", cutoff),
        "people": await purge_by_day(views.people, "last_at", cutoff),
    }
    return {"declarations": declarations} | {name: len(ids) for name, ids in gone.items()}


def purge_job(passages: PassageStore, views: ViewStore, retention: Retention,
              interval_s: float) -> Hook:
    return every(interval_s, lambda: purge_once(passages, views, retention), "retention purge")
