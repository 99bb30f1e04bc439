"""Epidemic zone levels: set by the health authority, read by everyone."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from libs.contracts.envelope import Envelope, utcnow
from libs.contracts.events.notification import ZoneLevel, ZoneLevelChanged
from libs.contracts.vietnam_time import vn_day
from services.ward_notification.domain import zones as rules
from services.ward_notification.domain.errors import EffectiveAtInvalid
from services.ward_notification.domain.notifications import PRODUCER, days_between
from services.ward_notification.domain.records import ZoneChange, ZoneOverview
from services.ward_notification.service.ports import Notifications, Outbox, Zones
from services.ward_notification.settings import Settings

log = logging.getLogger(__name__)


class ZoneLevels:
    def __init__(self, zones: Zones, notifications: Notifications, outbox: Outbox,
                 settings: Settings) -> None:
        self.zones = zones
        self.notifications = notifications
        self.outbox = outbox
        self.settings = settings
        # (ward, days) -> (valid until, by time.monotonic(), count): the public count is
        # asked by every visitor of a ward's page.
        self._arrivals: dict[tuple[str, int], tuple[float, int]] = {}

    async def set_level(self, ward_code: str, level: ZoneLevel, effective_at: datetime | None,
                        note: str | None, by: str, correlation_id: str | None) -> ZoneChange:
        """A ward's level from a time on (default: now), with its `zone.level_changed`."""
        now = rules.to_stored_precision(utcnow())
        effective_at = effective_at or now
        problem = rules.effective_time_problem(effective_at, now)
        if problem:
            raise EffectiveAtInvalid(problem)
        event = Envelope.wrap(ZoneLevelChanged(
            ward_code=ward_code, level=level, set_by=by,
            effective_at=rules.to_stored_precision(effective_at)),
                              producer=PRODUCER, correlation_id=correlation_id, occurred_at=now)
        change = await self.zones.add(event, note)
        self.outbox.wake()
        log.info("zone level of ward %s set to %d from %s by %s", ward_code, level,
                 change.effective_at.isoformat(), by)
        return change

    async def overview(self, ward_code: str, days: int | None,
                       history_limit: int) -> ZoneOverview:
        now = utcnow()
        changes = await self.zones.for_ward(ward_code)
        current = rules.in_force(changes, now)
        window = days or self.settings.arrivals_window_days
        return ZoneOverview(
            ward_code=ward_code, level=current.level if current else rules.DEFAULT_LEVEL,
            in_force=current, upcoming=rules.upcoming(changes, now),
            history=rules.history(changes, history_limit), arrivals_days=window,
            arrivals=await self.arrivals(ward_code, window))

    async def arrivals(self, ward_code: str, days: int) -> int:
        """Arrivals declared for the ward in the last `days` local days (cached a while)."""
        cached = self._arrivals.get((ward_code, days))
        if cached and cached[0] > time.monotonic():
            return cached[1]
        today = vn_day(utcnow())
        count = await self.notifications.arrivals(
            ward_code, days_between(today - timedelta(days=days - 1), today))
        self._arrivals[(ward_code, days)] = (time.monotonic() + self.settings.arrivals_cache_s,
                                             count)
        return count
