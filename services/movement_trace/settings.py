from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from libs.runtime.settings import ServiceSettings
from services.movement_trace.domain.journeys import DEFAULT_RULES, JourneyMode, Rules, SeatRule


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TRACE_", extra="ignore", populate_by_name=True)

    service_name: str = "movement-trace"
    port: int = 8004
    mongo_db: str = "khaibao_trace"


    # max_stay + window stay under a day: stays are paired from the day before and after a window.
    max_stay_minutes: int = Field(240, ge=1, le=720, description="a venue check-in without a "
                                  "check-out counts as a stay of this length")
    contact_window_minutes: int = Field(15, ge=0, le=240, description="default ±W at a checkpoint")
    contact_days: int = Field(14, ge=1, le=28, description="default look-back of a contact search")
    max_expand: int = Field(200, ge=1, le=5000, description="degree-1 contacts expanded for "
                            "degree 2; more are reported as truncated")
    timeline_max_days: int = Field(62, ge=1, le=400)
    visits_max_days: int = Field(7, ge=1, le=31)

    generation_refresh_s: float = Field(1.0, gt=0, description="how long a replica trusts its "
                                        "cached 'active generation' pointer")
    # Larger batches gather more of a bucket's entries into one upsert: FerretDB rewrites
    # a bucket whole on each (its profile: two thirds of its CPU in a replay went to them);
    # 45,024 events replayed at 1,086 events/s with 500, 1,863 with 5,000, 2,036 with 10,000.
    rebuild_batch: int = Field(10000, ge=1, le=10000, description="events per replay write")
    rebuild_stale_s: float = Field(120.0, gt=0, description="a rebuild without a heartbeat this "
                                   "long is taken over")

    quarantine_days: int = Field(14, ge=1, le=60, description="length of a quarantine order; "
                                 "its end (release day) is start + this")
    quarantine_max_batch: int = Field(500, ge=1, le=5000, description="people in one order")
    release_interval_s: float = Field(60.0, gt=0, description="how often quarantines that "
                                      "reached their end date are released at term")

    # Fellow passengers (domain/journeys.py): the seat rule of each mode; a mode left out is not
    # traced by journey. TRACE_JOURNEY_RULES='{"plane": "rows", "bus": "vehicle"}' replaces
    # the whole mapping.
    journey_rules: dict[JourneyMode, SeatRule] = Field(
        default_factory=lambda: dict(DEFAULT_RULES),
        description="seat rule per mode: rows (± journey_row_span), carriage, vehicle, none")
    journey_row_span: int = Field(2, ge=0, le=20, description="rows either side of the "
                                  "index's row that count on a `rows` journey")
    journey_unknown_seat_is_contact: bool = Field(True, description="an unknown or unreadable "
                                                  "seat on a rows/carriage journey: a contact "
                                                  "of everyone on it (flagged seat_unknown)")
    journey_lead_days: int = Field(14, ge=0, le=30, description="how long before departure a "
                                   "declaration may be made (the declaration service allows "
                                   "14 days): a contact search reads the person's declarations "
                                   "back this far for journeys in its window")

    # Follow-up (domain/followups.py): a temperature at or above this is fever.
    fever_c: float = Field(37.5, ge=35, le=42, description="fever threshold of a follow-up")

    @property
    def journeys(self) -> Rules:
        return Rules({str(mode): rule for mode, rule in self.journey_rules.items()},
                     self.journey_row_span,
                     self.journey_unknown_seat_is_contact)
