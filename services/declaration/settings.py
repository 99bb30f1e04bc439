from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from services.declaration.keyring import DEFAULT_KEY_FILE
from services.declaration.notices.settings import NoticeSettings


class Settings(NoticeSettings):
    """The service's settings; those of messages to citizens come from NoticeSettings."""

    model_config = SettingsConfigDict(env_prefix="DECLARATION_", extra="ignore",
                                      populate_by_name=True)

    service_name: str = "declaration"
    port: int = 8001
    mongo_db: str = "khaibao_declaration"
    validity_hours: int = Field(72, ge=1, description="a declaration is valid this long "
                                                      "from the start of its departure day")
    qr_key_file: Path | None = Field(None, description="QR signing key ring; required in "
                                                       "production, created in development")
    rate_per_minute: float = Field(30, gt=0, description="anonymous submissions per client IP")
    rate_burst: int = Field(10, ge=1, description="submissions a client may make at once")
    trust_forwarded_for: bool = Field(False, description="take the client IP from "
                                                         "X-Forwarded-For (behind a proxy only)")
    reveal_scan_minutes: int = Field(15, ge=1, description="how long after a scan the officer "
                                     "may see the traveller's name and contact details")

    @model_validator(mode="after")
    def _key_file_in_production(self) -> Settings:
        if self.env == "production" and self.qr_key_file is None:
            raise ValueError("DECLARATION_QR_KEY_FILE must be set in production")
        return self

    @property
    def key_file(self) -> Path:
        return self.qr_key_file or DEFAULT_KEY_FILE
