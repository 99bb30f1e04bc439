"""Settings every service shares, read from the environment (pydantic-settings).

Shared infrastructure uses the names of DESIGN.md §11 (`KAFKA_BOOTSTRAP`,
`MONGO_URL`, `ENV`, …); what differs per service (port, database) carries the
service's own prefix, e.g. `DECLARATION_PORT`.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from libs.runtime.retention import Retention

# Where development keeps what it makes at run time (keys, logs, server data).
STATE = Path(os.environ.get("KHAIBAO_STATE", Path(__file__).resolve().parents[2] / ".state"))
# Development defaults: fine on a laptop, refused in production.
DEV_SUBJECT_SECRET = "khaibao-development-subject-secret"
# The local stack's identity provider (deploy/local/identity_provider.py).
DEFAULT_OIDC_ISSUER = "http://127.0.0.1:8080/realms/khaibao"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    service_name: str = "khaibao"
    env: Literal["development", "test", "production"] = Field(
        "development", validation_alias="ENV")
    kafka_bootstrap: str = Field("127.0.0.1:9092", validation_alias="KAFKA_BOOTSTRAP")
    mongo_url: str = Field("mongodb://127.0.0.1:27017", validation_alias="MONGO_URL")
    topic_prefix: str = Field("", validation_alias="KHAIBAO_TOPIC_PREFIX",
                              description="put before every topic name; tests use one each")
    subject_secret: SecretStr = Field(SecretStr(DEV_SUBJECT_SECRET),
                                      validation_alias="KHAIBAO_SUBJECT_SECRET")
    log_level: str = Field("INFO", validation_alias="LOG_LEVEL")
    oidc_issuer: str = Field(DEFAULT_OIDC_ISSUER, validation_alias="KHAIBAO_OIDC_ISSUER",
                             description="the staff realm's issuer, as tokens and browsers see it")
    oidc_audience: str = Field("khaibao", validation_alias="KHAIBAO_OIDC_AUDIENCE",
                               description="what a staff token's `aud` must hold")
    oidc_client_id: str = Field("khaibao-web", validation_alias="KHAIBAO_OIDC_CLIENT_ID",
                                description="the public client the staff pages sign in with")
    declaration_url: str = Field("http://127.0.0.1:8001", validation_alias="KHAIBAO_DECLARATION_URL",
                                 description="the declaration service as browsers reach it (the "
                                 "ward page reveals people there)")
    cors_origins: str = Field("", validation_alias="KHAIBAO_CORS_ORIGINS",
                              description="comma-separated origins whose pages may call this "
                              "API; empty: any 127.0.0.1/localhost port outside production")
    oidc_jwks_url: str | None = Field(None, validation_alias="KHAIBAO_OIDC_JWKS_URL",
                                      description="where this service reads the realm's keys, "
                                      "when the issuer's host is not reachable from it "
                                      "(default: the issuer's discovery document)")

    host: str = "127.0.0.1"
    port: int = 8000
    mongo_db: str = "khaibao"
    consumer_max_attempts: int = Field(5, ge=1, description="tries before a message is dead-lettered")
    batch_max_records: int = Field(200, ge=1, le=5000,
                                   description="events a batch consumer handles together")
    batch_timeout_ms: int = Field(50, ge=1, description="how long a batch waits to fill")
    outbox_poll_s: float = Field(1.0, gt=0, description="how often the relay looks for leftovers")
    consumer_watch_s: float = Field(15.0, gt=0, description="how often the consumer watchdog "
                                    "compares the group's committed offsets with the log's end")
    consumer_stall_s: float = Field(180.0, gt=0, description="a group behind the log whose "
                                    "committed offsets have not moved this long is restarted")
    retention_days: float = Field(28, gt=0, validation_alias="KHAIBAO_RETENTION_DAYS",
                                  description="personal data is kept this long after it stops "
                                  "being needed (docs/retention.md); fractions for tests")
    audit_retention_days: float = Field(730, gt=0, validation_alias="KHAIBAO_AUDIT_RETENTION_DAYS",
                                        description="who looked at whom is kept this long")
    purge_interval_s: float = Field(3600, gt=0, validation_alias="KHAIBAO_PURGE_INTERVAL_S",
                                    description="how often each service runs its retention purge")
    max_in_flight: int = Field(64, ge=1, validation_alias="KHAIBAO_MAX_IN_FLIGHT",
                               description="requests a process works on at once; beyond, "
                               "503 with Retry-After at once (libs/runtime/shedding.py)")
    mongo_socket_timeout_s: float = Field(120.0, gt=0, description="a store command unanswered "
                                          "this long fails (and is retried) instead of hanging")

    @model_validator(mode="after")
    def _no_dev_secrets_in_production(self) -> ServiceSettings:
        if self.env == "production" and self.subject_secret.get_secret_value() == DEV_SUBJECT_SECRET:
            raise ValueError("KHAIBAO_SUBJECT_SECRET must be set in production")
        return self

    @property
    def retention(self) -> Retention:
        return Retention(timedelta(days=self.retention_days),
                         timedelta(days=self.audit_retention_days))

    @property
    def subject_secret_bytes(self) -> bytes:
        return self.subject_secret.get_secret_value().encode()

    def consumer_group(self) -> str:
        return f"{self.topic_prefix}{self.service_name}"
