"""What every epidemiologist route shares: purpose, subject, time range."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator

from libs.contracts.envelope import utcnow
from libs.contracts.values import Moment, PlainText, subject_id_for
from libs.runtime.errors import ApiError, valid_national_id
from services.movement_trace.domain.movements import utc
from services.movement_trace.settings import Settings

# Only epidemiologists query people's movements (libs.runtime.auth.Epidemiologist);
# admins run rebuilds, not queries.
Purpose = Annotated[PlainText, Query(min_length=3, max_length=300,
                                     description="why this is needed (written to the audit log)")]
# A person is named in a URL only by their pseudonym: query strings end up in proxies'
# and browsers' logs. `POST /v1/subjects` turns a national ID into one.
SubjectParam = Annotated[str, Query(pattern="^[0-9a-fA-F]{64}$",
                                    description="pseudonymous subject id (hex), from "
                                                "POST /v1/subjects for a national ID"),
                         AfterValidator(str.lower)]
From = Annotated[Moment | None, Query(alias="from", description="start (ISO 8601; UTC if no zone)")]
To = Annotated[Moment | None, Query(alias="to", description="end, exclusive (default: now)")]


def _field_error(field: str, code: str, vi: str, en: str) -> ApiError:
    return ApiError(422, code, vi, en, {field: [{"code": code, "message": en}]})


def subject_of(settings: Settings, national_id: str) -> str:
    """The pseudonym of a CCCD or CMND (hashed here, never stored or logged)."""
    return subject_id_for(settings.subject_secret_bytes, valid_national_id(national_id))


def resolve_subject(settings: Settings, subject_id: str | None, national_id: str | None) -> str:
    """A request body names its person by exactly one of the two."""
    if (subject_id is None) == (national_id is None):
        raise ApiError(422, "subject_required", "Cần đúng một trong subject_id hoặc national_id",
                       "Give exactly one of subject_id or national_id")
    if national_id is None:
        assert subject_id is not None
        return subject_id.lower()
    return subject_of(settings, national_id)


def time_range(start: datetime | None, end: datetime | None, default: timedelta,
               longest: timedelta) -> tuple[datetime, datetime]:
    end = utc(end) if end else utcnow()
    start = utc(start) if start else end - default
    if start >= end:
        raise _field_error("from", "range_invalid", "Thời điểm bắt đầu phải trước thời điểm kết thúc",
                           "'from' must be before 'to'")
    if end - start > longest:
        raise _field_error("from", "range_too_long",
                           f"Khoảng thời gian tối đa {longest.days} ngày",
                           f"The range may span {longest.days} days at most")
    return start, end


def span(start: datetime, end: datetime) -> str:
    return f"from={start.isoformat()} to={end.isoformat()}"
