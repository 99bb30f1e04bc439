"""What the OpenAPI document says beyond the bodies' schemas: links between operations, the
CSV body of an import and the rules an import applies inside it."""

from __future__ import annotations

from libs.runtime.openapi import Responses, beyond_schema, link, links, responses
from services.declaration.domain import form_rules


def declared_links(status: int, ids: str = "$response.body#/declaration_id") -> Responses:
    """`responses=`: the links of an answer naming a declaration (`ids`): to read it back."""
    named = {"declaration_id": ids}
    return links(status, GetDeclaration=link(
        "/v1/declarations/{declaration_id}", "GET", "the declaration as stored", **named),
        GetQr=link("/v1/declarations/{declaration_id}/qr.{fmt}", "GET", "its QR code", **named),
        GetAccesses=link("/v1/declarations/{declaration_id}/accesses", "GET",
                         "who looked at it", **named))


# A CSV file: its schema names no JSON type (any text is a file; what is wrong in it is
# reported, below), so that no JSON "of the wrong type" stands for text on the wire.
CSV_BODY = {"requestBody": {"required": True, "content": {"text/csv": {"schema": {
    "description": "UTF-8, a header row, then one form (or passenger) a row",
    "example": "full_name,date_of_birth,gender,national_id,phone,permanent_ward,current_ward,"
               "origin_ward,destination_ward,departure_date,transport_mode,consent\r\n"}}}}}
IMPORT_RULES = responses(
    beyond_schema(status=400, csv_empty="a file without a row", csv_encoding="a file that is not UTF-8",
                  csv_malformed="a file that does not read as CSV",
                  csv_columns="a header that is not the format's columns",
                  csv_too_many_rows="more rows than one import takes"),
    beyond_schema(
        missing="with `format=manifest`: mode, number, arrival_date, entry_ward or "
                "country_of_departure not given",
        literal_error="with `format=manifest`: a mode other than plane or ship",
        string_pattern_mismatch="with `format=manifest`: a country_of_departure that is not "
                                "two capital letters",
        string_too_long="with `format=manifest`: a port_of_departure over 60 characters",
        date_from_datetime_parsing="with `format=manifest`: an arrival_date that is no date",
        date_from_datetime_inexact="with `format=manifest`: an arrival_date with a time",
        date_parsing="with `format=manifest`: an arrival_date that is no date",
        ward_format="with `format=manifest`: an entry_ward that is not a ward code",
        ward_unknown="with `format=manifest`: an entry_ward that is no current ward",
        flight_number_required="with `format=manifest&mode=plane`: no number",
        flight_number_format="with `format=manifest&mode=plane`: a number that is not a "
                             "flight number",
        transport_number_length="with `format=manifest&mode=ship`: a number over 30 "
                                "characters",
        departure_past="with `format=manifest`: an arrival_date before today",
        departure_too_far=f"with `format=manifest`: an arrival_date more than "
                          f"{form_rules.MAX_DAYS_AHEAD} days ahead"))
