from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from libs.runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore",
                                      populate_by_name=True)

    service_name: str = "identity-verification"
    port: int = 8002
    mongo_db: str = "khaibao_identity"
    batched_lookup: bool = Field(False, description="one $in per registry partition instead of "
                                 "one query per ID (faster on MongoDB; FerretDB v1 scans)")
    registry_partitions: int = Field(100, ge=1, le=10_000, description="collections the registry "
                                     "is split into, when it is first loaded (then stored)")
    import_batch: int = Field(1000, ge=1, le=10_000, description="rows written together")
    arrival_grace_s: float = Field(600, ge=0, description="how long a passport declaration "
                                   "waits for its arrival record before `no_arrival_record`")
    consumer_group_id: str | None = Field(None, description="override, e.g. to replay the topic")

    def consumer_group(self) -> str:
        return self.consumer_group_id or super().consumer_group()
