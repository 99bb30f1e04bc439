from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from libs.runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TRACE_", extra="ignore", populate_by_name=True)

    service_name: str = "movement-trace"
    port: int = 8004
    mongo_db: str = "khaibao_trace"
