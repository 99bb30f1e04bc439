"""Registry import: NDJSON or CSV streamed line by line, written in batches.

Memory stays bounded by the batch size, whatever the input size. Every bad
row is reported with its line number (1-based, the CSV header is line 1) and
the rest of the file still loads; a re-import replaces rows by CCCD, so it
updates and never duplicates.
"""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterable, AsyncIterator

from pydantic import ValidationError

from services.identity_verification.domain.errors import EmptyImport
from services.identity_verification.domain.import_rows import (
    Format,
    ImportReport,
    RowError,
    check_header,
)
from services.identity_verification.domain.residents import Resident
from services.identity_verification.service.ports import ResidentWriter

# What a line holds before it is validated as a `Resident`: untrusted, so untyped.
RawRow = dict[str, object]

MAX_LINE = 64 * 1024


async def lines_of(chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    """Split a byte stream into lines without holding more than one line in memory."""
    rest = b""
    async for chunk in chunks:
        rest += chunk
        *complete, rest = rest.split(b"\n")
        for line in complete:
            yield line
        if len(rest) > MAX_LINE:
            yield rest  # reported as too long by the parser
            rest = b""
    if rest:
        yield rest


class Importer:
    def __init__(self, store: ResidentWriter, fmt: Format, batch_size: int = 1000) -> None:
        self.store, self.fmt, self.batch_size = store, fmt, batch_size
        self.report = ImportReport()
        self._batch: list[tuple[int, Resident]] = []
        self._seen: set[str] = set()
        self._cmnds: dict[str, str] = {}
        self._header: list[str] | None = None

    async def run(self, lines: AsyncIterable[bytes]) -> ImportReport:
        number = 0
        async for raw in lines:
            number += 1
            row = self._parse(number, raw)
            if row is not None:
                self._batch.append((number, row))
            if len(self._batch) >= self.batch_size:
                await self._flush()
        await self._flush()
        return self.report

    def _parse(self, number: int, raw: bytes) -> Resident | None:
        try:
            text = raw.decode("utf-8").strip().removeprefix("\ufeff")
        except UnicodeDecodeError:
            self.report.rows += 1
            self._reject(number, "not_utf8", "the line is not UTF-8 text")
            return None
        if not text:
            return None
        if self.fmt == Format.csv and self._header is None:
            self._header = check_header(next(csv.reader([text])))
            return None
        self.report.rows += 1
        if len(raw) > MAX_LINE:
            self._reject(number, "line_too_long", f"a line holds at most {MAX_LINE} bytes")
            return None
        fields = self._fields(number, text)
        return None if fields is None else self._validate(number, fields)

    def _fields(self, number: int, text: str) -> RawRow | None:
        if self.fmt == Format.csv:
            assert self._header is not None
            cells = next(csv.reader([text]))
            if len(cells) != len(self._header):
                self._reject(number, "invalid_row",
                                    f"expected {len(self._header)} columns, got {len(cells)}")
                return None
            return {k: v for k, v in zip(self._header, cells, strict=True) if v.strip()}
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            self._reject(number, "malformed_json", f"not valid JSON: {exc.msg}")
            return None
        except RecursionError:  # thousands of nested brackets: the parser's stack runs out
            self._reject(number, "malformed_json", "nested too deeply")
            return None
        if not isinstance(value, dict):
            self._reject(number, "malformed_json", "each line must be a JSON object")
            return None
        return value

    def _validate(self, number: int, fields: RawRow) -> Resident | None:
        try:
            resident = Resident.model_validate(fields)
        except ValidationError as exc:
            self._reject(number, "invalid_row", "some fields are not valid", {
                ".".join(map(str, e["loc"])) or "row": e["msg"] for e in exc.errors()})
            return None
        if resident.national_id in self._seen:
            self._reject(number, "duplicate_in_file",
                                "this CCCD already appeared earlier in the file")
            return None
        if resident.cmnd and self._cmnds.setdefault(resident.cmnd,
                                                     resident.national_id) != resident.national_id:
            self._reject(number, "cmnd_taken", "this CMND belongs to another CCCD",
                                {"cmnd": "given for another resident earlier in the file"})
            return None
        self._seen.add(resident.national_id)
        return resident

    def _reject(self, number: int, code: str, message: str,
                fields: dict[str, str] | None = None) -> None:
        self.report.reject(RowError(line=number, code=code, message=message, fields=fields or {}))

    async def _flush(self) -> None:
        if not self._batch:
            return
        batch, self._batch = self._batch, []
        owners = await self.store.cmnd_owners(r.cmnd for _, r in batch if r.cmnd)
        keep: list[Resident] = []
        for number, resident in batch:
            owner = owners.get(resident.cmnd or "")
            if owner is not None and owner != resident.national_id:
                self._reject(number, "cmnd_taken", "this CMND belongs to another CCCD",
                             {"cmnd": "already registered for another resident"})
            else:
                keep.append(resident)
        counts = await self.store.upsert_residents(keep)
        self.report.inserted += counts.inserted
        self.report.updated += counts.updated
        self.report.unchanged += counts.unchanged



async def import_rows(store: ResidentWriter, fmt: Format, batch_size: int,
                      lines: AsyncIterable[bytes]) -> ImportReport:
    """An import through the API: a body without a single row is a mistake, not a no-op."""
    report = await Importer(store, fmt, batch_size).run(lines)
    if report.rows == 0:
        raise EmptyImport("the body holds no rows")
    return report
