"""CSV imports (pure): paper forms typed into a sheet, and arrivals manifests.

Every row is validated by the same form model as the web form; a bad row is
reported with its line number in the file (the header is line 1) and its
errors by column name, and the good rows go ahead.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TypedDict

from pydantic import ValidationError

from services.declaration.domain.csv_rows import (
    HEALTH,
    PERSON,
    Manifest,
    Row,
    by_column,
    manifest_form,
    paper_form,
)
from services.declaration.domain.errors import CsvProblem
from services.declaration.domain.field_errors import FieldErrors
from services.declaration.domain.form import PaperForm

MAX_ROWS = 5000
PAPER_COLUMNS = [*PERSON, "permanent_ward", "permanent_address", "temporary_ward",
                 "temporary_address", "current_ward", "current_address", "origin_ward",
                 "destination_ward", "departure_date", "transport_mode", "transport_number",
                 "seat", *HEALTH, "consent"]
MANIFEST_COLUMNS = [*PERSON, "seat", "destination_ward", "destination_address",
                    "permanent_ward", "permanent_address", *HEALTH]
REQUIRED = {
    "paper": {"full_name", "date_of_birth", "gender", "permanent_ward", "current_ward",
              "origin_ward", "destination_ward", "departure_date", "transport_mode", "consent"},
    "manifest": {"full_name", "date_of_birth", "gender", "destination_ward"},
}


class CsvFormat(StrEnum):
    paper = "paper"
    manifest = "manifest"


class RowError(TypedDict):
    """A bad row: its line in the file (the header is line 1) and its errors by column."""

    line: int
    fields: FieldErrors


@dataclass
class Plan:
    forms: list[tuple[int, PaperForm]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def read_rows(raw: bytes, fmt: CsvFormat) -> list[tuple[int, Row]]:
    """(line, row) for each data row; raises CsvProblem for an unreadable file."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvProblem("csv_encoding", "Tệp CSV phải mã hoá UTF-8",
                         "The CSV file must be UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in next(reader, [])]
    _check_header(header, fmt)
    rows: list[tuple[int, Row]] = []
    line = reader.line_num + 1
    try:
        for values in reader:
            if any(value.strip() for value in values):
                if len(rows) >= MAX_ROWS:
                    raise CsvProblem("csv_too_many_rows", f"Tối đa {MAX_ROWS} dòng mỗi tệp",
                                     f"At most {MAX_ROWS} rows a file")
                rows.append((line, _row(header, values)))
            line = reader.line_num + 1
    except csv.Error as error:
        raise CsvProblem("csv_malformed", f"Tệp CSV lỗi ở dòng {line}",
                         f"The CSV is malformed at line {line}: {error}") from None
    return rows


def _check_header(header: list[str], fmt: CsvFormat) -> None:
    if not any(header):
        raise CsvProblem("csv_empty", "Tệp CSV trống", "The CSV file is empty")
    known = PAPER_COLUMNS if fmt == CsvFormat.paper else MANIFEST_COLUMNS
    unknown = [name for name in header if name not in known]
    missing = sorted(REQUIRED[fmt.value] - set(header))
    if not {"national_id", "passport"} & set(header):
        missing.append("national_id|passport")
    if unknown or missing or len(set(header)) != len(header):
        raise CsvProblem("csv_columns", "Tiêu đề cột của tệp CSV không đúng",
                         f"Wrong CSV columns: unknown {unknown}, missing {missing}",
                         unknown + missing)


def _row(header: list[str], values: list[str]) -> Row:
    row = {name: value.strip() for name, value in zip(header, values, strict=False)}
    if len(values) > len(header):
        row["__extra__"] = ",".join(values[len(header):])
    return {name: value for name, value in row.items() if value}


def plan(rows: list[tuple[int, Row]], fmt: CsvFormat, manifest: Manifest | None,
         today: date) -> Plan:
    result = Plan()
    for line, row in rows:
        if "__extra__" in row:
            result.errors.append(RowError(line=line, fields={"row": [
                {"code": "csv_extra_values", "message": {
                    "vi": "Dòng có nhiều giá trị hơn số cột", "en": "More values than columns"}}]}))
            continue
        data = paper_form(row) if fmt == CsvFormat.paper else manifest_form(row, manifest)
        try:
            result.forms.append((line, PaperForm.model_validate(data, context={"today": today})))
        except ValidationError as error:
            result.errors.append(RowError(line=line, fields=by_column(
                error, fmt == CsvFormat.manifest, row)))
    return result


