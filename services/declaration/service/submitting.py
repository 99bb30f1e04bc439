"""Declaring: a citizen's web form, an officer's paper form, a CSV of forms or a manifest.

Each traveller's declaration is stored with its `declaration.submitted` in one document
(the relay publishes it); officer-entered ones get ids derived from what was declared
(domain.declarations.natural_id), so typing a form twice or uploading a file again
creates nothing new, and a web submit sent with an `Idempotency-Key` gets ids derived
from the key, so a retry lands on the declarations of its first attempt.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import Channel, DeclarationSubmitted
from libs.runtime.logs import correlation_id, log_fields
from services.declaration.domain.csv_import import CsvFormat, RowError, plan, read_rows
from services.declaration.domain.csv_rows import Manifest
from services.declaration.domain.declarations import (
    arrival_event,
    request_fingerprint,
    submitted_events,
)
from services.declaration.domain.errors import IdempotencyKeyReused
from services.declaration.domain.form import DeclarationForm, PaperForm
from services.declaration.service.ports import Declarations, Outbox
from services.declaration.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submission:
    """One form's declarations: the submitter's first, then the dependants'."""

    events: list[Envelope[DeclarationSubmitted]]
    duplicates: set[int] = field(default_factory=set)  # positions an officer entered before
    replayed: bool = False  # a retry of a submit that stored them already


@dataclass(frozen=True)
class Imported:
    """What an import stored: each declaration with the line it came from, and bad rows."""

    rows: int
    lines: list[int]
    events: list[Envelope[DeclarationSubmitted]]
    duplicates: set[int]
    errors: list[RowError]


class Submitting:
    def __init__(self, declarations: Declarations, relay: Outbox, settings: Settings) -> None:
        self.declarations, self.relay, self.settings = declarations, relay, settings

    async def submit(self, form: DeclarationForm, idempotency_key: str | None = None,
                     language: str | None = None) -> Submission:
        """A citizen's form. The same key with the same form answers the same declarations
        and stores nothing new; with another form, IdempotencyKeyReused."""
        events = self._events(form, Channel.web, idempotency_key=idempotency_key)
        ids = [e.payload.declaration_id for e in events]
        fingerprint = request_fingerprint(form) if idempotency_key else None
        # Checked before writing too, so a key sent again with another (say larger)
        # form is refused without storing any of it.
        replayed = bool(fingerprint) and await self._same_request(ids[:1], fingerprint)
        # A replay inserts what its first attempt did not get to; the rest are there.
        already = await self.declarations.add(events, fingerprint, family=True,
                                              language=language)
        if already:  # keyed ids only (fresh ones are UUIDv7); two attempts may have raced
            await self._same_request([ids[i] for i in sorted(already)], fingerprint)
        # Also on a replay: the first attempt may have died before its relay ran.
        self.relay.wake(*ids)
        # The attempt that stored the submitter's declaration is the original; every other
        # one is a replay, also one that raced it here after both found nothing stored.
        return Submission(events, replayed=replayed or 0 in already)

    async def _same_request(self, ids: list[str], fingerprint: str | None) -> bool:
        """True when these declarations were stored by this very request (a retry); False
        when none is stored; IdempotencyKeyReused when another form stored them."""
        stored = await self.declarations.fingerprints(ids)
        if any(earlier != fingerprint for earlier in stored.values()):
            raise IdempotencyKeyReused(ids)
        return bool(stored)

    async def enter_paper(self, form: PaperForm, officer: str) -> Submission:
        """A paper form typed in by an officer, recorded as `entered_by`."""
        events = self._events(form, Channel.paper, entered_by=officer)
        duplicates = await self.declarations.add(events, family=True)
        self.relay.wake(*(e.payload.declaration_id for e in events))
        # Who entered what (ids only: no name or number in the log).
        log.info("paper form entered", extra=log_fields(
            by=officer, declarations=[e.payload.declaration_id for e in events],
            duplicates=len(duplicates)))
        return Submission(events, duplicates)

    async def import_file(self, raw: bytes, fmt: CsvFormat, manifest: Manifest | None,
                          officer: str, today: date) -> Imported:
        """A CSV of paper forms, or a manifest's passengers (each also an arrival): good rows
        become declarations, bad rows are reported by line. CsvProblem: an unreadable file."""
        rows = read_rows(raw, fmt)
        result = plan(rows, fmt, manifest, today)
        lines, events = [], []
        for line, form in result.forms:
            for event in self._events(form, Channel.import_, entered_by=officer):
                lines.append(line)
                events.append(event)
        arrivals = {e.payload.declaration_id: arrival_event(e, manifest) for e in events} \
            if manifest else {}
        duplicates = await self.declarations.add(events, arrivals=arrivals)
        self.relay.wake(*(e.payload.declaration_id for e in events))
        log.info("file imported", extra=log_fields(
            by=officer, format=fmt.value, rows=len(rows), stored=len(events) - len(duplicates),
            duplicates=len(duplicates), rejected=len(result.errors)))
        return Imported(len(rows), lines, events, duplicates, result.errors)

    def _events(self, form: DeclarationForm | PaperForm, channel: Channel, *,
                entered_by: str | None = None, idempotency_key: str | None = None
                ) -> list[Envelope[DeclarationSubmitted]]:
        """Officers' forms get natural ids, citizens' new or keyed ones."""
        return submitted_events(form, channel=channel, secret=self.settings.subject_secret_bytes,
                                validity_hours=self.settings.validity_hours,
                                entered_by=entered_by, correlation_id=correlation_id.get(),
                                natural=entered_by is not None,
                                idempotency_key=idempotency_key)
