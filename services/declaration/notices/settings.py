"""The settings of messages to citizens (env prefix DECLARATION_, like the service's own)."""

from __future__ import annotations

from ipaddress import ip_address
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator

from libs.runtime.settings import STATE, ServiceSettings

DEV_SMS_SINK = STATE / "sms" / "sms.jsonl"


class NoticeSettings(ServiceSettings):
    notices_enabled: bool | None = Field(
        None, description="send messages to citizens; default: yes, except with ENV=test (the "
        "tests of other things would fill the developer's inbox; the notice tests turn it on)")
    smtp_host: str = Field("127.0.0.1", description="the SMTP server e-mail goes through "
                           "(development: the mail sink `make run` starts)")
    smtp_port: int = Field(1025, ge=1, le=65535)
    smtp_tls: Literal["none", "starttls", "tls"] = Field(
        "none", description="none (a relay on this host only, in production), STARTTLS, or "
        "TLS from the first byte (port 465)")
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_s: float = Field(10.0, gt=0)
    mail_from: str = Field("Khai báo y tế <no-reply@khaibao.local>",
                           description="the From of every e-mail")
    sms_sink: Path | None = Field(
        None, description="the development SMS sink, a JSON-lines file; default "
        ".state/sms/sms.jsonl outside production, none (no SMS) in production: the only SMS "
        "adapter here is the sink, a provider's is to be written against the SmsGateway "
        "interface")
    notices_poll_s: float = Field(1.0, gt=0, description="how often the sender looks for "
                                  "messages due (it is also woken when one is queued)")
    notices_batch: int = Field(50, ge=1, le=50, description="messages one pass sends over one "
                               "SMTP connection (at most 50: one store command claims them, and "
                               "FerretDB 1.24 deadlocks on 100 statements in one)")
    notices_lease_s: float = Field(60.0, gt=0, description="a message claimed by a sender that "
                                   "died is tried again after this")
    notices_backoff_base_s: float = Field(5.0, gt=0)
    notices_backoff_max_s: float = Field(600.0, gt=0)
    notices_max_attempts: int = Field(20, ge=1, description="tries before a message is marked "
                                      "failed (20 with the default backoff: about 2.5 hours)")
    notices_max_event_age_h: float = Field(
        48.0, gt=0, description="an event older than this sends nothing: a replay of the log "
        "(kept 45 days, message records 28) must not message people again about old news")
    followup_hour: int = Field(7, ge=0, le=23, description="Viet Nam hour from which the daily "
                               "follow-up reminder of a quarantine day goes out")
    followup_interval_s: float = Field(900.0, gt=0, description="how often the reminder job runs")

    @model_validator(mode="after")
    def _secure_mail_in_production(self) -> NoticeSettings:
        if (self.env == "production" and self.smtp_tls == "none"
                and not _loopback(self.smtp_host)):
            raise ValueError("DECLARATION_SMTP_TLS must be starttls or tls in production "
                             "unless the SMTP relay runs on this host")
        return self

    @property
    def notices_on(self) -> bool:
        return self.notices_enabled if self.notices_enabled is not None else self.env != "test"

    @property
    def sms_sink_file(self) -> Path | None:
        if self.sms_sink is not None:
            return self.sms_sink
        return None if self.env == "production" else DEV_SMS_SINK


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False
