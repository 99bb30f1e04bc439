"""Retention (DESIGN.md §5): scans, passages and expired declarations past their days.

Documents carry their (Viet Nam) `day`; the job deletes day by day with
equality filters, which FerretDB pushes down, over a window of days just past
the retention, so a job that missed a few runs catches up. Passages whose
events are not yet published are kept until they are.
"""

from __future__ import annotations

from datetime import timedelta

from libs.contracts.envelope import utcnow
from libs.contracts.vietnam_time import vn_day
from libs.runtime.http import Hook
from libs.runtime.jobs import every
from services.checkpoint.store_passages import PassageStore
from services.checkpoint.store_views import ViewStore

CATCH_UP_DAYS = 14


async def purge_once(passages: PassageStore, views: ViewStore, retention_days: int) -> int:
    today = vn_day(utcnow())
    deleted = 0
    for back in range(retention_days + 1, retention_days + 1 + CATCH_UP_DAYS):
        day = (today - timedelta(days=back)).isoformat()
        deleted += await passages.purge_day(day) + await views.purge_day(day)
    return deleted


def purge_job(passages: PassageStore, views: ViewStore, retention_days: int,
              interval_s: float) -> Hook:
    return every(interval_s, lambda: purge_once(passages, views, retention_days),
                 "retention purge")
