"""The registry import's file format and its report (pure): the columns a CSV header
must name, and the row errors an import answers with, by line number."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from services.identity_verification.domain.errors import BadHeader
from services.identity_verification.domain.residents import Resident

MAX_REPORTED_ERRORS = 1000
CSV_COLUMNS = tuple(Resident.model_fields)
REQUIRED_COLUMNS = frozenset({"national_id", "full_name", "date_of_birth", "gender",
                              "permanent_ward"})


class Format(StrEnum):
    ndjson = "ndjson"
    csv = "csv"


class RowError(BaseModel):
    line: int
    code: str = Field(examples=["invalid_row"])
    message: str
    fields: dict[str, str] = Field(default_factory=dict)


class ImportReport(BaseModel):
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = Field(default_factory=list)
    errors_truncated: bool = False

    def reject(self, error: RowError) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)
        else:
            self.errors_truncated = True


def check_header(cells: list[str]) -> list[str]:
    """The CSV header's columns, lower-cased; `BadHeader` when they are not the registry's."""
    header = [c.strip().lower() for c in cells]
    unknown = sorted(set(header) - set(CSV_COLUMNS))
    missing = sorted(REQUIRED_COLUMNS - set(header))
    if unknown or missing or len(set(header)) != len(header):
        raise BadHeader(f"CSV header: missing {missing or 'none'}, unknown {unknown or 'none'}"
                        f"{', repeated columns' if len(set(header)) != len(header) else ''}")
    return header
