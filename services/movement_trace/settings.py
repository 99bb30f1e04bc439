from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from libs.runtime.settings import ServiceSettings


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
    rebuild_batch: int = Field(500, ge=1, le=10000, description="events per replay write")
    rebuild_stale_s: float = Field(120.0, gt=0, description="a rebuild without a heartbeat this "
                                   "long is taken over")

    quarantine_days: int = Field(14, ge=1, le=60, description="length of a quarantine order; "
                                 "its end (release day) is start + this")
    quarantine_max_batch: int = Field(500, ge=1, le=5000, description="people in one order")
    release_interval_s: float = Field(60.0, gt=0, description="how often quarantines that "
                                      "reached their end date are released at term")
