"""The rebuild as a command, beside the service (same settings: TRACE_*):

    python -m services.movement_trace.rebuild

prints the progress report (JSON) once the new generation serves.
"""

from __future__ import annotations

import asyncio
import json

from libs.runtime.logs import setup_logging
from libs.runtime.mongo import database, make_client
from services.movement_trace.service.rebuild import Rebuilder
from services.movement_trace.settings import Settings
from services.movement_trace.store.event_log import KafkaEventLog
from services.movement_trace.store.rebuild_lock import RebuildLock
from services.movement_trace.store.trace import TraceStore


def rebuilder(store: TraceStore, settings: Settings) -> Rebuilder:
    """The rebuild on the real stores and the Kafka log (the service's runner uses it too)."""
    return Rebuilder(store, RebuildLock(store.meta, settings.rebuild_stale_s),
                     KafkaEventLog(settings), settings)


async def main() -> int:
    settings = Settings()
    setup_logging(f"{settings.service_name}-rebuild", settings.log_level)
    mongo = make_client(settings)
    store = TraceStore(database(mongo, settings), settings.retention.window,
                       settings.generation_refresh_s)
    try:
        progress = await rebuilder(store, settings).run(by="cli")
    finally:
        await mongo.close()
    print(json.dumps(progress.report()))
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
