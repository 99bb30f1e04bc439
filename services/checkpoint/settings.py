"""Settings of the checkpoint service (env prefix `CHECKPOINT_`)."""

from __future__ import annotations

import os

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from libs.runtime.settings import ServiceSettings


def _default_keys_url() -> str:
    # Follows the declaration service's port, so a second system on other ports
    # (the e2e tests) finds its own declaration service without more settings.
    return f"http://127.0.0.1:{os.environ.get('DECLARATION_PORT', '8001')}/v1/keys"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CHECKPOINT_", extra="ignore",
                                      populate_by_name=True)

    service_name: str = "checkpoint"
    port: int = 8003
    mongo_db: str = "khaibao_checkpoint"

    keys_url: str = Field(default_factory=_default_keys_url,
                          description="JWKS of the declaration service (QR public keys)")
    keys_timeout_s: float = Field(3.0, gt=0)
    keys_max_age_s: float = Field(300.0, gt=0, description="keys are re-fetched this often")
    keys_min_refresh_s: float = Field(30.0, ge=0, description="an unknown kid triggers at most "
                                      "one fetch per this many seconds")

    venue_stay_max_s: int = Field(4 * 3600, ge=60, description="a venue stay without a "
                                  "check-out ends this long after the check-in")
    autocheckout_interval_s: float = Field(60.0, gt=0, description="how often open stays "
                                           "are checked for their automatic check-out")
    offline_max_age_h: int = Field(72, ge=1, description="a decision queued offline is "
                                   "accepted this long after it was made")
    earlier_refusals_shown: int = Field(5, ge=0, le=50)
    zone_cache_s: float = Field(5.0, ge=0, description="zone levels are re-read this often")

