"""Venue check-in/out: the move-on check-out, the periodic automatic check-out,
and an explicit check-out that leaves nothing for the automatic one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import DeclarationSubmitted
from tests.conftest import ServerSlice
from tests.integration.test_checkpoint_scan import scan_when_known
from tests.support.checkpoint_kit import (
    ADMIN,
    MARKET,
    MARKET_2,
    OFFICER,
    Keys,
    add_checkpoints,
    checkpoint_service,
    decided,
    declaration,
    passages_on,
    scan_id,
    verified,
)

AUTO, MOVE_ON, OFFICER_ID = "system:auto-checkout", "system:move-on", "officer-7"


async def venue(client: httpx.AsyncClient, keys: Keys, decl: Envelope[DeclarationSubmitted],
                checkpoint: str, direction: str, at: datetime) -> dict[str, Any]:
    """A check-in or check-out decided at `at` (queued offline, sent now)."""
    token = keys.token(decl.payload.declaration_id, issued=at - timedelta(hours=1))
    answer = await client.post("/v1/passages", headers=OFFICER, json={
        "scan_id": scan_id(), "decision": "pass", "checkpoint_id": checkpoint, "token": token,
        "direction": direction, "at": at.isoformat()})
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_checking_in_elsewhere_checks_out_and_stays_end_on_their_own(
        env: ServerSlice) -> None:
    keys = Keys()
    moving, leaving = declaration("001085012360"), declaration("001085012361")
    now = datetime.now(UTC)
    async with checkpoint_service(env, keys, venue_stay_max_s=60,
                                  autocheckout_interval_s=0.2) as client:
        await add_checkpoints(client)
        # The market keeps people up to an hour; the supermarket the service's 60 s.
        longer = await client.put(f"/v1/checkpoints/{MARKET}", headers=ADMIN, json={
            "name": "Chợ test", "kind": "market", "ward_code": "00070", "stay_max_minutes": 60})
        assert longer.status_code == 200 and longer.json()["stay_max_minutes"] == 60
        await env.publish(moving, verified(moving), leaving, verified(leaving))
        await scan_when_known(client, keys.token(moving.payload.declaration_id), "verified",
                              checkpoint=MARKET)
        await scan_when_known(client, keys.token(leaving.payload.declaration_id), "verified",
                              checkpoint=MARKET)
        first, second = now - timedelta(minutes=10), now - timedelta(minutes=9)
        await venue(client, keys, moving, MARKET, "in", first)
        await venue(client, keys, moving, MARKET_2, "in", second)  # moved on: out of MARKET
        # Checked in 30 s ago and out now: closed before its 60 s ran out.
        await venue(client, keys, leaving, MARKET, "in", now - timedelta(seconds=30))
        await venue(client, keys, leaving, MARKET, "out", now)
        missing = await client.post("/v1/passages", headers=OFFICER, json={
            "scan_id": scan_id(), "decision": "pass", "checkpoint_id": MARKET,
            "token": keys.token(leaving.payload.declaration_id)})
        assert missing.json()["error"]["code"] == "direction_required"
        events = await passages_on(env, at_least=6, settle_s=2.0)
    assert decided(events, moving.payload.subject_id) == [
        (MARKET, "in", OFFICER_ID), (MARKET, "out", MOVE_ON), (MARKET_2, "in", OFFICER_ID),
        (MARKET_2, "out", AUTO)]
    auto_out = next(e.payload for e in events if e.payload.officer_id == AUTO)
    # When the stay ran out (stored to the millisecond), not when the job noticed.
    assert abs(auto_out.at - (second + timedelta(seconds=60))) < timedelta(milliseconds=1)
    assert decided(events, leaving.payload.subject_id) == [
        (MARKET, "in", OFFICER_ID), (MARKET, "out", OFFICER_ID)]
    assert len({e.payload.passage_id for e in events}) == len(events) == 6
