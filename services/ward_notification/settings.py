from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from libs.runtime.settings import ServiceSettings
from services.ward_notification.domain.webhooks import host_key


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATION_", extra="ignore",
                                      populate_by_name=True)

    service_name: str = "ward-notification"
    port: int = 8005
    mongo_db: str = "khaibao_notification"

    arrivals_window_days: int = Field(14, ge=1, le=28, description="'recent arrivals' window")
    arrivals_cache_s: float = Field(30.0, ge=0, description="the public count is cached this long")

    # Live feed: notifications are announced into (ward, time bucket) documents; see service/feed.py.
    feed_bucket_s: int = Field(5, ge=1, le=300)
    feed_lookback_buckets: int = Field(3, ge=1, le=60, description="how late an announce may land")
    feed_poll_s: float = Field(1.0, gt=0)
    feed_max_replay_s: int = Field(600, ge=0, description="how far Last-Event-ID may reach back")
    feed_max_connection_s: float = Field(3600.0, gt=0, description="a stream ends, the client "
                                         "reconnects with Last-Event-ID")

    webhook_poll_s: float = Field(1.0, gt=0)
    webhook_timeout_s: float = Field(5.0, gt=0)
    webhook_backoff_base_s: float = Field(2.0, gt=0)
    webhook_backoff_max_s: float = Field(600.0, gt=0)
    webhook_max_attempts: int = Field(8, ge=1, description="tries of one delivery before giving up")
    webhook_disable_after: int = Field(5, ge=1, description="consecutive failed attempts of a "
                                       "subscription before it is disabled")
    webhook_concurrency: int = Field(8, ge=1, le=64)
    webhook_batch: int = Field(100, ge=1, le=1000)
    webhook_lease_s: float = Field(60.0, gt=0, description="a claimed delivery is retried by "
                                   "another replica after this")
    webhook_require_https: bool = False
    webhooks_per_ward: int = Field(10, ge=1)
    webhook_allowed_hosts: str = Field(
        "", description="comma-separated host names or IP addresses a webhook may reach "
        "although they are (or resolve to) loopback, private, link-local or other non-public "
        "addresses, e.g. a ward system inside the operator's network "
        "(NOTIFICATION_WEBHOOK_ALLOWED_HOSTS); every other host must resolve to public "
        "addresses only, at registration and at each delivery")

    lost_after_days: int = Field(2, ge=1, le=14, description="quarantine days in a row without "
                                 "reaching a person before they are lost to follow-up")

    @model_validator(mode="after")
    def _https_in_production(self) -> Settings:
        if self.env == "production":
            self.webhook_require_https = True
        if self.webhook_lease_s <= self.webhook_timeout_s:
            raise ValueError("webhook_lease_s must be longer than webhook_timeout_s")
        return self

    @property
    def webhook_allowed(self) -> frozenset[str]:
        """The allow-listed hosts, as domain/webhooks.host_key writes them."""
        return frozenset(host_key(h) for h in self.webhook_allowed_hosts.split(",") if h.strip())
