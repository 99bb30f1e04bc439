"""What `POST /v1/passages` takes and answers."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from libs.contracts import patterns
from libs.contracts.events.checkpoint import Direction, RefusalReason
from libs.contracts.patterns import Documented
from libs.contracts.values import Moment, PlainText
from services.checkpoint.domain import Decision
from services.checkpoint.schemas import CheckpointId, ScanId

_SEPARATORS = re.compile(r"[\s.\-]")
_PLATE = re.compile(r"^[A-Z0-9]{4,12}$")


def _normalise_plate(value: object) -> object:
    if not isinstance(value, str):
        return value
    compact = _SEPARATORS.sub("", value)
    # Only ASCII letters are upper-cased: "ß".upper() is "SS", and a plate is not spelled so.
    return compact.upper() if compact.isascii() else compact


def _plate_pattern() -> str:
    separators = f"[{patterns.whitespace(False)}.\\-]*"
    return f"^{separators}(?:[A-Za-z0-9]{separators}){{4,12}}$"


def _check_plate(value: str) -> str:
    if not _PLATE.match(value):
        raise ValueError("a plate is 4–12 letters and digits, e.g. 29A-123.45")
    return value


Plate = Annotated[str, BeforeValidator(_normalise_plate), AfterValidator(_check_plate),
                  Field(examples=["29A-123.45"], description="4–12 letters and digits; spaces, "
                        "dots and dashes between them are left out when stored"),
                  Documented(pattern=_plate_pattern)]


class PassageRequest(BaseModel):
    # A pass takes no reason (reason_with_pass), in the schema's words.
    model_config = ConfigDict(json_schema_extra={
        "if": {"properties": {"decision": {"const": "pass"}}, "required": ["decision"]},
        "then": {"properties": {"reason": {"type": "null"}}}})

    scan_id: ScanId
    decision: Decision = Field(examples=["pass"])
    reason: RefusalReason | None = Field(None, description="for a refusal; default: the "
                                         "reason the scan suggested")
    direction: Direction | None = Field(None, description="in / out / through; required at "
                                        "venues (check-in / check-out), default 'through'")
    vehicle_plate: Plate | None = None
    at: Moment | None = Field(None, description="when the officer decided (a decision "
                                "queued offline); default: now")
    checkpoint_id: CheckpointId | None = Field(None, description="with `token`: a scan made "
                                               "offline that the service has not seen")
    token: PlainText | None = Field(None, max_length=4096, description="the QR token, for a scan "
                              "made offline")


class EventRef(BaseModel):
    type: str = Field(examples=["checkpoint.passed"])
    passage_id: str
    declaration_id: str


class PassageOut(BaseModel):
    passage_id: str
    checkpoint_id: str
    decision: Decision
    reason: str | None = Field(None, examples=[None])
    direction: Direction
    vehicle_plate: str | None = None
    at: datetime
    officer_id: str
    source: str = Field(examples=["officer"], description="officer, or system for automatic "
                                                         "and move-on check-outs")
    duplicate: bool = Field(description="this scan was decided before; nothing new recorded")
    events: list[EventRef]

    @classmethod
    def of(cls, doc: dict[str, Any], duplicate: bool = False) -> PassageOut:
        return cls(passage_id=doc["_id"], checkpoint_id=doc["checkpoint_id"],
                   decision=doc["decision"], reason=doc.get("reason"),
                   direction=doc["direction"], vehicle_plate=doc.get("vehicle_plate"),
                   at=doc["at"], officer_id=doc["officer_id"], source=doc["source"],
                   duplicate=duplicate,
                   events=[EventRef(type=e["type"], passage_id=e["passage_id"],
                                    declaration_id=e["declaration_id"]) for e in doc["events"]])
