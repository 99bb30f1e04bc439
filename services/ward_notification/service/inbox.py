"""The ward officials' inbox: pages, counts per day, acknowledging.

`visible` is the caller's ward check (`Principal.may_see`): another ward's notification
is "not found", its existence is not the caller's business."""

from __future__ import annotations

import logging
from datetime import date

from libs.contracts.envelope import utcnow
from libs.contracts.events.notification import NotifyReason
from libs.contracts.vietnam_time import vn_day
from libs.runtime.logs import log_fields
from services.ward_notification.domain.errors import NotificationNotFound
from services.ward_notification.domain.notifications import (
    day_range,
    decode_cursor,
    encode_cursor,
)
from services.ward_notification.domain.records import DayCount, StoredNotification
from services.ward_notification.service.ports import Notifications, Visible

log = logging.getLogger(__name__)

class Inbox:
    def __init__(self, store: Notifications) -> None:
        self.store = store

    async def page(self, wards: list[str], first: date | None, last: date | None,
                   unread: bool | None, reason: NotifyReason | None, cursor: str | None,
                   limit: int) -> tuple[list[StoredNotification], str | None]:
        """Up to `limit` notifications, newest first, and the cursor of the next page if
        more follow."""
        days = day_range(first, last, vn_day(utcnow()))
        after = decode_cursor(cursor) if cursor else None
        found = await self.store.page(wards, days, unread, reason, after, limit + 1)
        if len(found) <= limit:
            return found, None
        last_shown = found[limit - 1]
        return found[:limit], encode_cursor(last_shown.created_at, last_shown.id)

    async def counts(self, wards: list[str], first: date | None,
                     last: date | None) -> list[DayCount]:
        """Per ward and local day, newest first: total, unread, by reason."""
        rows: dict[tuple[str, str], DayCount] = {}
        for group in await self.store.counts(wards, day_range(first, last, vn_day(utcnow()))):
            row = rows.setdefault((group.ward_code, group.day), DayCount(
                day=group.day, ward_code=group.ward_code, total=0, unread=0, by_reason={}))
            row.total += group.count
            row.unread += 0 if group.read else group.count
            row.by_reason[group.reason] = row.by_reason.get(group.reason, 0) + group.count
        return sorted(rows.values(), key=lambda r: (r.day, r.ward_code), reverse=True)

    async def one(self, notification_id: str, visible: Visible) -> StoredNotification:
        found = await self.store.get(notification_id)
        if found is None or not visible(found.ward_code):
            raise NotificationNotFound(notification_id)
        return found

    async def acknowledge(self, ids: list[str], by: str, visible: Visible
                          ) -> tuple[list[str], list[str], list[str]]:
        """(acknowledged now, acknowledged before, not found); repeating changes nothing."""
        ids = list(dict.fromkeys(ids))
        seen = {n.id: n for n in await self.store.many(ids) if visible(n.ward_code)}
        unread = [i for i in ids if i in seen and not seen[i].read]
        if unread:
            await self.store.acknowledge(unread, by, utcnow())
            acknowledged(unread, by)
        return (unread, [i for i in ids if i in seen and seen[i].read],
                [i for i in ids if i not in seen])

    async def acknowledge_one(self, notification_id: str, by: str,
                              visible: Visible) -> StoredNotification:
        found = await self.one(notification_id, visible)
        if not found.read:
            await self.store.acknowledge([notification_id], by, utcnow())
            acknowledged([notification_id], by)
            found = await self.store.get(notification_id) or found
        return found


def acknowledged(ids: list[str], by: str) -> None:
    # Who acknowledged is stored on each notification (`acknowledged_by`) and logged here:
    # each change a console makes is attributable in the service's log.
    log.info("notifications acknowledged", extra=log_fields(by=by, ids=ids[:200]))
