"""What the HTTP API takes and answers (pydantic models with examples); the scan's answer
itself is domain/scan_answer.py."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from libs.contracts import patterns
from libs.contracts.events.checkpoint import CheckpointKind, Direction, RefusalReason
from libs.contracts.patterns import Documented
from libs.contracts.values import (
    ONE_DOCUMENT,
    Country,
    IsoDate,
    JsonBool,
    JsonInt,
    JsonNumber,
    Moment,
    NationalId,
    Passport,
    PlainText,
    WardCode,
)
from libs.contracts.wards import ward_names
from services.checkpoint.domain.recommendation import Decision
from services.checkpoint.domain.records import (
    Checkpoint,
    CheckpointFields,
    DecisionRequest,
    Jwks,
    Passage,
)

CheckpointId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$",
                                    examples=["cp-hn-noibai-airport"])]
ScanId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{7,63}$",
                              description="made by the scanner (a UUID); a retry with the same "
                                          "id is the same scan",
                              examples=["0b6f1c9e-3b8a-4d0e-9a51-2c7d5e8f1a23"])]

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

    def request(self) -> DecisionRequest:
        return DecisionRequest(scan_id=self.scan_id, decision=self.decision, reason=self.reason,
                               direction=self.direction, vehicle_plate=self.vehicle_plate,
                               at=self.at, checkpoint_id=self.checkpoint_id, token=self.token)


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
    def of(cls, passage: Passage, duplicate: bool = False) -> PassageOut:
        return cls(passage_id=passage.passage_id, checkpoint_id=passage.checkpoint_id,
                   decision=passage.decision, reason=passage.reason,
                   direction=passage.direction, vehicle_plate=passage.vehicle_plate,
                   at=passage.at, officer_id=passage.officer_id, source=passage.source,
                   duplicate=duplicate,
                   events=[EventRef(type=e.type, passage_id=e.passage_id,
                                    declaration_id=e.declaration_id) for e in passage.refs])


# --- scanning ---------------------------------------------------------------------------

class ScanRequest(BaseModel):
    checkpoint_id: CheckpointId
    token: PlainText = Field(max_length=65536, description="the text read from the QR code",
                       examples=["AEBCAAAAAAAAAAAAAAAAA…"])
    scan_id: ScanId | None = Field(None, description="default: a new one")


class LookupRequest(BaseModel):
    """A citizen by national ID, or a foreigner by passport and the country that issued it."""

    model_config = ConfigDict(json_schema_extra=ONE_DOCUMENT)

    checkpoint_id: CheckpointId
    national_id: NationalId | None = None
    passport: Passport | None = None
    nationality: Country | None = Field(None, description="with `passport`")
    date_of_birth: IsoDate = Field(examples=["1985-03-14"])
    scan_id: ScanId | None = None

    @model_validator(mode="after")
    def _one_document(self) -> LookupRequest:
        if (self.national_id is None) == (self.passport is None) or \
                (self.passport is not None) != (self.nationality is not None):
            raise ValueError("give a national_id, or a passport with its nationality")
        return self


class KeySet(BaseModel):
    keys: list[Jwks]
    fetched_at: datetime | None = Field(None, description="when this service last fetched them")


# --- the registry -----------------------------------------------------------------------

class CheckpointIn(BaseModel):
    # Both coordinates or neither, in the schema's words.
    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"properties": {"latitude": {"type": "number"}, "longitude": {"type": "number"}},
         "required": ["latitude", "longitude"]},
        {"properties": {"latitude": {"type": "null"}, "longitude": {"type": "null"}}}]})

    name: PlainText = Field(min_length=2, max_length=200, examples=["Cảng hàng không quốc tế Nội Bài"])
    kind: CheckpointKind
    ward_code: WardCode
    latitude: JsonNumber | None = Field(None, ge=-90, le=90, examples=[21.221])
    longitude: JsonNumber | None = Field(None, ge=-180, le=180, examples=[105.807])
    active: JsonBool = True
    stay_max_minutes: JsonInt | None = Field(None, ge=5, le=24 * 60, description="venues: the "
                                             "automatic check-out after this (default: service's)")
    source: PlainText | None = Field(None, max_length=500, description="where the entry comes from")

    @model_validator(mode="after")
    def _both_coordinates(self) -> CheckpointIn:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("give both latitude and longitude, or neither")
        return self

    def fields(self) -> CheckpointFields:
        return CheckpointFields(name=self.name, kind=self.kind, ward_code=self.ward_code,
                                latitude=self.latitude, longitude=self.longitude,
                                active=self.active, stay_max_minutes=self.stay_max_minutes,
                                source=self.source)


class CheckpointOut(CheckpointIn):
    checkpoint_id: str
    ward_name: str
    province_code: int
    province_name: str
    updated_at: datetime
    updated_by: str | None = Field(None, description="the admin (or tool) who last wrote it")

    @classmethod
    def of(cls, c: Checkpoint) -> CheckpointOut:
        name, province = ward_names(c.ward_code)
        return cls(name=c.name, kind=c.kind, ward_code=c.ward_code, latitude=c.latitude,
                   longitude=c.longitude, active=c.active, stay_max_minutes=c.stay_max_minutes,
                   source=c.source, checkpoint_id=c.checkpoint_id, ward_name=name,
                   province_code=c.province_code, province_name=province,
                   updated_at=c.updated_at, updated_by=c.updated_by)


class CheckpointPage(BaseModel):
    total: int
    items: list[CheckpointOut]
