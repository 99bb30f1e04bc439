"""Messages to citizens, the pure parts: words, addresses, keys, backoff; and the sender
against in-memory channels and queue (tests/support/fakes/declaration.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from services.declaration.domain.records import Declaration
from services.declaration.notices.domain import rules
from services.declaration.notices.domain.phrases import FIXES
from services.declaration.notices.domain.records import SENT, NewNotice, Outcome, Outgoing
from services.declaration.notices.domain.texts import Facts, Kind, render
from services.declaration.notices.service.sending import NoticeWorker
from services.declaration.notices.settings import NoticeSettings
from tests.support.declaration_samples import stored
from tests.support.fakes.declaration import FakeNotices

NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
ORDER = Facts(Kind.quarantine_ordered, given_name="An", link="http://x/#d=1",
              start=date(2026, 12, 6), last_day=date(2026, 12, 19), days=14, place="home",
              reason="contact")


def doc(person: dict[str, Any], **fields: Any) -> Declaration:
    return stored(person, **fields)


def test_a_known_language_gets_that_language_only_else_vietnamese_then_english() -> None:
    vi, en, both = render(ORDER, "vi"), render(ORDER, "en"), render(ORDER, None)
    assert vi.body.startswith("Chào An,") and "English" not in vi.body
    assert "06/12/2026" in vi.body and "19/12/2026" in vi.body and "tại nhà" in vi.body
    assert en.body.startswith("Hello An,") and "6 December 2026" in en.body
    assert "19 December 2026" in en.subject
    assert both.body.index("Chào An") < both.body.index("Hello An")
    assert both.subject == f"{vi.subject} / {en.subject}"
    assert vi.sms in both.sms and en.sms in both.sms
    for text in (vi, en, both):
        assert "http://x/#d=1" in text.body


@pytest.mark.parametrize("reason", [*FIXES["vi"]])
def test_every_rejection_reason_says_what_to_fix_in_both_languages(reason: str) -> None:
    text = render(Facts(Kind.rejected, reasons=(reason,)), None)
    assert FIXES["vi"][reason][0] in text.body and FIXES["en"][reason][0] in text.body
    assert FIXES["vi"][reason][1] in text.sms and FIXES["en"][reason][1] in text.sms


def test_a_reason_not_known_yet_still_says_what_to_check() -> None:
    text = render(Facts(Kind.rejected, reasons=("future_reason",)), "en")
    assert FIXES["en"][""][0] in text.body


def test_no_reason_names_a_death_or_a_revocation() -> None:
    """The number may be someone else's, typed wrongly: the message must not tell about them."""
    for lang in ("vi", "en"):
        text = render(Facts(Kind.rejected, reasons=("deceased", "revoked")), lang)
        assert not any(word in text.body.lower() for word in ("deceased", "died", "qua đời",
                                                              "đã mất", "revoked", "thu hồi"))


def test_an_f1_notice_says_nothing_about_the_case() -> None:
    text = render(Facts(Kind.contact, given_name="Bình"), None)
    assert "Chào Bình" in text.body and "COVID-19" in text.sms
    # What a message may say is Facts: nothing in it can name, place or date a case.
    assert not {"case", "case_id", "subject_id", "at", "place_of_contact"} & set(
        Facts.__dataclass_fields__)


def test_reminders_and_releases_carry_their_dates() -> None:
    reminder = render(Facts(Kind.followup_due, day=3, days=14, on=date(2026, 12, 8),
                            last_day=date(2026, 12, 19)), "vi")
    assert reminder.subject.startswith("Ngày 3/14 cách ly") and "08/12/2026" in reminder.body
    released = render(Facts(Kind.quarantine_released, on=date(2026, 12, 20), early=True), "en")
    assert "20 December 2026" in released.body and "health authority" in released.body


def test_contact_details_come_from_the_declaration_or_the_submitters() -> None:
    own = rules.contact_of(doc({"full_name": "Nguyễn Văn An", "phone": "0912345678",
                                "email": "an@example.vn", "nationality": "VN"}, language="en"))
    assert own is not None
    assert own.addresses == {"sms": "+84912345678", "email": "an@example.vn"}
    assert (own.given_name, own.language) == ("An", "en")
    child = doc({"full_name": "Nguyễn Minh Khôi", "nationality": "VN"})
    assert rules.contact_of(child) is None
    parent = doc({"full_name": "Nguyễn Văn An", "phone": "0912345678"})
    via = rules.contact_of(child, parent)
    assert via is not None and via.addresses == {"sms": "+84912345678"}
    assert via.given_name == "Khôi"  # the message is about the child
    foreign = rules.contact_of(doc({"full_name": "John Smith", "nationality": "GB",
                                    "email": "j@example.org"}, language="xx"))
    assert foreign is not None and (foreign.given_name, foreign.language) == (None, None)


@pytest.mark.parametrize(("header", "language"), [
    ("vi", "vi"), ("en", "en"), ("en-GB,en;q=0.9", "en"), ("vi-VN", "vi"), ("fr", None),
    ("", None), (None, None), ("*", None)])
def test_the_pages_language_is_read_from_accept_language(header: str | None,
                                                         language: str | None) -> None:
    assert rules.language_of(header) == language


def test_keys_addresses_and_backoff() -> None:
    assert rules.notice_id("ev-1", "a" * 64, "sms") == f"ev-1:{'a' * 16}:sms"
    assert rules.message_id("ev-1:x:email", "khaibao.local") == rules.message_id(
        "ev-1:x:email", "khaibao.local")
    assert rules.mask("email", "an.nguyen@example.vn") == "a•••@example.vn"
    assert rules.mask("sms", "+84912345678") == "•••••••••678"
    assert rules.sms_number("0912 345 678") == "+84912345678"
    assert rules.sms_number("+84912345678") == "+84912345678"
    assert [rules.backoff_s(n, 5, 30) for n in range(1, 6)] == [5, 10, 20, 30, 30]
    assert rules.card_link("http://127.0.0.1:8001/", "d-1") == "http://127.0.0.1:8001/#d=d-1"
    assert rules.too_old(NOW - timedelta(hours=49), NOW, timedelta(hours=48))
    assert not rules.too_old(NOW - timedelta(hours=1), NOW, timedelta(hours=48))


def test_production_needs_tls_to_a_remote_smtp_server_and_has_no_sms_sink() -> None:
    with pytest.raises(ValueError, match="DECLARATION_SMTP_TLS"):
        NoticeSettings(env="production", smtp_host="smtp.example.vn",
                       subject_secret="a-real-secret")
    fine = NoticeSettings(env="production", smtp_host="smtp.example.vn", smtp_tls="starttls",
                          subject_secret="a-real-secret")
    assert fine.sms_sink_file is None and fine.notices_on
    assert NoticeSettings(env="production", subject_secret="a-real-secret").smtp_tls == "none"
    assert not NoticeSettings(env="test").notices_on
    assert NoticeSettings(env="test", notices_enabled=True).notices_on


class Channel:
    def __init__(self, channel: str, answers: list[Outcome]) -> None:
        self.channel, self.answers, self.sent = channel, answers, list[Outgoing]()

    async def send(self, batch: list[Outgoing]) -> list[Outcome]:
        self.sent += batch
        return [self.answers.pop(0) if self.answers else SENT for _ in batch]


async def queued(channel: str, n: int = 1) -> FakeNotices:
    store = FakeNotices()
    await store.enqueue([NewNotice(
        notice_id=f"ev-{i}:s:{channel}", cause=f"ev-{i}", kind="contact", channel=channel,
        subject_id="s", declaration_id="d", language=None,
        to="an@example.vn" if channel == "email" else "+84912345678", subject="S", text="T",
        created_at=datetime.now(UTC) - timedelta(seconds=1)) for i in range(n)])
    return store


async def test_the_sender_retries_with_backoff_and_gives_up_on_a_permanent_refusal() -> None:
    settings = NoticeSettings(env="test", notices_backoff_base_s=60)
    store = await queued("email", 3)
    down = Outcome(False, error="SMTPConnectError")
    mail = Channel("email", [down, Outcome(False, permanent=True, error="SMTPRecipientsRefused 550"),
                             SENT])
    worker = NoticeWorker(store, {"email": mail}, settings)
    assert await worker.send_once() == 3
    states = {i: (q.state, q.attempts) for i, q in store.queued.items()}
    assert states == {"ev-0:s:email": ("pending", 1), "ev-1:s:email": ("failed", 1),
                      "ev-2:s:email": ("sent", 1)}
    waiting = store.queued["ev-0:s:email"]
    assert waiting.due_at > datetime.now(UTC) + timedelta(seconds=50)
    assert waiting.last_error == "SMTPConnectError"
    assert waiting.notice is not None and waiting.notice.text == "T"
    assert store.queued["ev-2:s:email"].notice is None  # address and text gone
    assert store.queued["ev-2:s:email"].to_hint == "a•••@example.vn"
    assert await worker.send_once() == 0  # nothing due before its backoff


async def test_a_channel_this_deployment_lacks_marks_its_messages_failed() -> None:
    store = await queued("sms")
    worker = NoticeWorker(store, {}, NoticeSettings(env="test"))
    await worker.send_once()
    assert store.queued["ev-0:s:sms"].state == "failed"
