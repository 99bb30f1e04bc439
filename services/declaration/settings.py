from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from libs.runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DECLARATION_", extra="ignore",
                                      populate_by_name=True)

    service_name: str = "declaration"
    port: int = 8001
    mongo_db: str = "khaibao_declaration"
    validity_hours: int = 72
