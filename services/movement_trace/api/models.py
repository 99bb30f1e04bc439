"""Request and response bodies of the trace's routes (the answers about movements are
domain/answers.py; the casework's here: cases, F1 proposals, quarantine orders)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from libs.contracts.events.trace import QuarantinePlace
from libs.contracts.values import (
    ONE_DOCUMENT,
    Country,
    Day,
    Identifier,
    JsonInt,
    NationalIdInput,
    Passport,
    PlainText,
    WardCode,
)
from services.movement_trace.domain.answers import Contacts
from services.movement_trace.domain.contacts import Exposure
from services.movement_trace.domain.records import (
    ConfirmedCase,
    MarkedCountry,
    QuarantineOrder,
    Release,
)

SUBJECT = r"^[0-9a-fA-F]{64}$"
SubjectHex = Annotated[str, Field(pattern=SUBJECT)]  # a subject id in a body
Purpose = Field(min_length=3, max_length=300, description="why (written to the audit log)")


class CaseIn(BaseModel):
    # The person by exactly one of the two (subject_required), in the schema's words too.
    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"properties": {"subject_id": {"type": "string"}, "national_id": {"type": "null"}},
         "required": ["subject_id"]},
        {"properties": {"subject_id": {"type": "null"}, "national_id": {"type": "string"}},
         "required": ["national_id"]}]})

    purpose: PlainText = Purpose
    subject_id: str | None = Field(None, pattern=SUBJECT)
    national_id: NationalIdInput | None = Field(None, description="hashed at the edge")
    positive_test_date: Day


class Case(BaseModel):
    case_id: str
    subject_id: str
    positive_test_date: date
    confirmed_by: str
    confirmed_at: datetime
    ward_code: str | None = None
    window_start: datetime = Field(description="look-back of the contact search")
    window_end: datetime

    @classmethod
    def of(cls, case: ConfirmedCase) -> Case:
        return cls.model_validate(case.model_dump(include=set(cls.model_fields)))


class Proposed(BaseModel):
    subject_id: str
    first_exposure: datetime
    exposures: list[Exposure]
    ward_code: str | None = Field(None, description="ward of current stay, if known")
    quarantine_id: str | None = Field(None, description="already ordered for this case")


class Proposal(BaseModel):
    case: Case
    created: bool = Field(False, description="this call confirmed the case")
    contacts: Contacts = Field(description="the contacts feature's degree-1 answer")
    proposed: list[Proposed] = Field(description="the F1 to confirm")


class Terms(BaseModel):
    purpose: PlainText = Purpose
    start: Day | None = Field(None, description="first day (default: today, Viet Nam)")
    days: JsonInt | None = Field(None, ge=1, le=60, description="default: the service setting")
    place: QuarantinePlace = QuarantinePlace.home


class ContactOrderIn(Terms):
    subject_ids: list[SubjectHex] | None = Field(None, max_length=5000, description="the F1 to "
                                              "quarantine; omitted: all proposed")
    ward_codes: dict[SubjectHex, WardCode] = Field(
        default_factory=dict, json_schema_extra={"propertyNames": {"pattern": SUBJECT}},
        description="ward of stay per subject, where the trace does not know it")


class BulkOrderIn(Terms):
    reason: Literal["arrival", "red_zone"] = "arrival"
    declaration_ids: list[Identifier] = Field(default_factory=list, max_length=5000,
                                       description="e.g. the ids an arrivals manifest import "
                                                   "returned")
    subject_ids: list[SubjectHex] = Field(default_factory=list, max_length=5000)
    ward_code: WardCode | None = Field(None, description="for subjects whose ward is unknown")


class ReleaseIn(BaseModel):
    purpose: PlainText = Purpose


class QuarantineOut(BaseModel):
    quarantine_id: str
    subject_id: str
    start: date
    end: date = Field(description="release day: quarantined on start … end - 1")
    place: str
    reason: str
    ward_code: str | None = None
    case_id: str | None = None
    evidence: list[str] = Field(default_factory=list)
    ordered_by: str | None = None
    created: bool = Field(False, description="this call ordered it")
    released_at: datetime | None = None
    early: bool | None = None

    @classmethod
    def of(cls, order: QuarantineOrder, created: bool = False,
           release: Release | None = None) -> QuarantineOut:
        fields = order.model_dump(include=set(cls.model_fields))
        return cls(**fields, created=created, released_at=release.at if release else None,
                   early=release.early if release else None)


class OrdersOut(BaseModel):
    ordered: list[QuarantineOut]
    unknown: list[str] = Field(default_factory=list, description="ids not known here")


class DayCounts(BaseModel):
    day: date
    f0: int = 0
    f1: int = 0
    arrival: int = 0
    red_zone: int = 0
    suspected: int = Field(0, description="people suspected from a follow-up that day")


class FollowupReport(BaseModel):
    """A follow-up that reported symptoms or fever (codes only, never the words)."""

    id: str = Field(description="the followup.recorded event's id")
    at: datetime = Field(description="when the ward recorded it")
    on: date | None = Field(None, description="the quarantine day's date (Viet Nam)")
    followup_day: int = Field(description="day of the quarantine (day 1 = start)")
    reached: bool
    symptoms: list[str] = Field(description="symptom codes; `other` for words outside the "
                                "declaration's catalogue")
    temperature_c: float | None = None
    fever: bool = Field(description="temperature at or above the threshold, or fever reported")


class Suspected(BaseModel):
    subject_id: str
    reason: Literal["followup"] = Field("followup", description="suspected, from follow-up")
    ward_code: str | None = Field(None, description="the ward following the person up")
    quarantine_id: str
    quarantine_reason: str | None = Field(None, description="contact, arrival, red_zone")
    source_case_id: str | None = Field(None, description="the case they are a contact of")
    first_reported: datetime
    last_reported: datetime
    case_id: str | None = Field(None, description="already confirmed as a case (since the "
                                "first report): POST /v1/cases confirms one")
    reports: list[FollowupReport] = Field(description="newest first")


class SuspectedList(BaseModel):
    today: date
    days: int
    fever_c: float = Field(description="the fever threshold in force")
    suspected: list[Suspected] = Field(description="not yet confirmed first, then the "
                                       "latest report first")


class CaseStats(BaseModel):
    today: date
    active_quarantines: int
    per_day: list[DayCounts]


class DashboardRow(BaseModel):
    """One province's counts on one Viet Nam day (rows with nothing in them are left out)."""

    day: date
    province_code: int | None = Field(description="null: the facts that name no ward")
    cases: int = Field(description="cases (F0) confirmed")
    quarantines: int = Field(description="quarantine orders given (every reason)")
    f1: int = Field(description="of which for the contacts of a case")
    followups: int = Field(description="follow-up visits and calls recorded by the wards")
    arrivals: int = Field(description="arrivals from abroad, by their destination")
    arrivals_marked: int = Field(description="of which from a country marked for an arrival "
                                             "quarantine (the high-level zones the trace knows)")
    verified: int = Field(description="identities verified")
    rejected: int = Field(description="identities rejected")
    passed: int = Field(description="checkpoint passages")
    refused: int = Field(description="checkpoint refusals")


class DashboardHour(BaseModel):
    hour: str = Field(description="YYYY-MM-DDTHH, Viet Nam time", examples=["2026-12-07T09"])
    province_code: int | None
    passed: int
    refused: int


class Dashboard(BaseModel):
    today: date
    days: list[date] = Field(description="the Viet Nam days counted, oldest first")
    hours: list[str] = Field(description="the last 24 Viet Nam hours (YYYY-MM-DDTHH), "
                                         "oldest first")
    rows: list[DashboardRow]
    per_hour: list[DashboardHour]
    totals: dict[str, int] = Field(description="each count summed over the rows")
    province_names: dict[str, str] = Field(description="the name of each province counted, "
                                                       "by its code")


class NationalIdIn(BaseModel):
    """A citizen by CCCD or CMND, or a foreigner by passport and the country that issued it."""

    model_config = ConfigDict(json_schema_extra=ONE_DOCUMENT)

    national_id: NationalIdInput | None = Field(None, description="CCCD (12 digits) or CMND (9)",
                                                examples=["001085012345"])
    passport: Passport | None = None
    nationality: Country | None = Field(None, description="with `passport`")

    @model_validator(mode="after")
    def _one_document(self) -> NationalIdIn:
        if (self.national_id is None) == (self.passport is None) or \
                (self.passport is not None) != (self.nationality is not None):
            raise ValueError("give a national_id, or a passport with its nationality")
        return self


class Subject(BaseModel):
    subject_id: str = Field(description="the person's pseudonym in every service",
                            examples=["9f2c" + "0" * 60])


# --- the admins' routes: rebuild and audit ---


class RebuildStatus(BaseModel):
    state: str = "never"
    generation: int | None = None
    by: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    report: dict[str, object] | None = None
    error: str | None = None
    active_generation: int
    building_generation: int | None = None


class AuditEntry(BaseModel):
    id: str
    kind: Literal["trace", "reveal"] = Field(description="a trace query here, or a reveal "
                                             "of name and contacts at the declaration service")
    who: str = Field(description="the staff account")
    role: str
    unit: str | None = None
    purpose: str
    query: str
    subject_id: str | None = None
    at: datetime


class AuditPage(BaseModel):
    entries: list[AuditEntry] = Field(description="newest first")
    truncated: bool = Field(description="more entries match than `limit`")


# --- arrivals from abroad ---


class MarkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: Annotated[PlainText, Field(min_length=3, max_length=300)] = Field(
        examples=["ổ dịch biến chủng mới"], description="why its arrivals need a quarantine")


class Marked(BaseModel):
    country: Country
    marked_by: str
    purpose: str
    marked_at: datetime

    @classmethod
    def of(cls, marked: MarkedCountry) -> Marked:
        return cls(country=marked.country, marked_by=marked.marked_by, purpose=marked.purpose,
                   marked_at=marked.marked_at)


class ProposedArrival(BaseModel):
    subject_id: str
    arrival_date: date
    country_of_departure: str
    port_of_departure: str | None
    transport: str = Field(examples=["plane KE681"])
    entry_ward: str
    destination_ward: str | None
    evidence: str = Field(examples=["arrived 2026-12-06 on plane KE681 from KR (ICN)"])


class ArrivalProposal(BaseModel):
    marked: list[str] = Field(description="the countries marked now")
    proposed: list[ProposedArrival] = Field(description="arrived from one of them in the last "
                                            "`days`, with no arrival quarantine yet")
