"""What a message to a citizen says, in Vietnamese and English (pure, no I/O).

A message is rendered from `Facts`, which hold everything it may say and nothing more:
a given name at most, dates, the order's place and reason, the rejection's reason codes,
a link to the person's own card. Never an ID number, a full name, an address, or anything
about another person (an F1 notice does not say who the case is, where or when).

In the person's language when the declaration says which (the page sends its own), else
Vietnamese first and English below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from services.declaration.notices.domain.phrases import FIXES, HOTLINE, PLACES, REASONS


class Kind(StrEnum):
    rejected = "rejected"
    contact = "contact"
    quarantine_ordered = "quarantine_ordered"
    quarantine_released = "quarantine_released"
    followup_due = "followup_due"


@dataclass(frozen=True)
class Facts:
    kind: Kind
    given_name: str | None = None
    link: str | None = None
    reasons: tuple[str, ...] = ()
    start: date | None = None
    last_day: date | None = None  # the last quarantine day (the order's end - 1)
    days: int = 0
    place: str = "home"
    reason: str = "contact"
    day: int = 0  # the quarantine day a reminder is for (day 1 = start)
    on: date | None = None  # a release's or a reminder's date
    early: bool = False


@dataclass(frozen=True)
class Text:
    subject: str
    body: str  # the e-mail
    sms: str


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
FOOTER = {"vi": "Đây là thư tự động của hệ thống khai báo y tế; vui lòng không trả lời.",
          "en": "This is an automatic message from the health-declaration system; please do "
                "not reply."}


def render(facts: Facts, language: str | None) -> Text:
    """The message in `language` ("vi" or "en"), else Vietnamese with English below."""
    if language in ("vi", "en"):
        return _one(facts, language)
    vi, en = _one(facts, "vi"), _one(facts, "en")
    return Text(subject=f"{vi.subject} / {en.subject}",
                body=f"{vi.body}\n\n---------- English ----------\n\n{en.body}",
                sms=f"{vi.sms}\n---\n{en.sms}")


def _one(facts: Facts, lang: str) -> Text:
    subject, lines, sms = WRITERS[facts.kind](facts, lang)
    greeting = (f"Chào {facts.given_name}," if facts.given_name else "Xin chào,") if lang == "vi" \
        else (f"Hello {facts.given_name}," if facts.given_name else "Hello,")
    card = ("Thẻ khai báo của bạn: " if lang == "vi" else "Your declaration card: ") + facts.link \
        if facts.link else ""
    body = "\n\n".join(part for part in [greeting, *lines, card, FOOTER[lang]] if part)
    return Text(subject, body, sms)


def day_text(day: date | None, lang: str) -> str:
    if day is None:
        return ""
    return f"{day:%d/%m/%Y}" if lang == "vi" else f"{day.day} {MONTHS[day.month - 1]} {day.year}"


Written = tuple[str, list[str], str]


def _rejected(f: Facts, lang: str) -> Written:
    fixes = [FIXES[lang].get(code, FIXES[lang][""]) for code in f.reasons or ("",)]
    listed = "\n".join(f"- {fix}" for fix, _ in fixes)
    short = ", ".join(dict.fromkeys(word for _, word in fixes))
    again = f" {f.link}" if f.link else ""
    if lang == "vi":
        return ("Tờ khai y tế chưa được xác minh", [
            "Tờ khai y tế của bạn chưa được xác minh với Cơ sở dữ liệu quốc gia về dân cư:",
            listed, "Mã QR của tờ khai này không dùng được tại chốt kiểm soát. Vui lòng gửi "
            "một tờ khai mới với thông tin đã sửa."],
            f"Tờ khai y tế của bạn chưa được xác minh ({short}). Vui lòng khai lại.{again}")
    return ("Your health declaration could not be verified", [
        "Your health declaration could not be verified against the national population "
        "database:", listed, "Its QR code will not be accepted at checkpoints. Please send a "
        "new declaration with the details corrected."],
        f"Your health declaration could not be verified ({short}). Please declare again.{again}")


def _contact(f: Facts, lang: str) -> Written:
    if lang == "vi":
        return ("Bạn có thể đã tiếp xúc gần với người mắc COVID-19", [
            "Theo kết quả truy vết, bạn có thể đã tiếp xúc gần với một người vừa được xác định "
            "mắc COVID-19. Để bảo vệ bạn và người thân:",
            "- tự theo dõi sức khoẻ trong 14 ngày, đo nhiệt độ buổi sáng và buổi chiều;\n"
            "- đeo khẩu trang, hạn chế tiếp xúc và đến nơi đông người;\n"
            f"- nếu sốt, ho, đau họng hoặc khó thở, báo ngay trạm y tế xã/phường hoặc gọi "
            f"{HOTLINE}.",
            "Cơ quan y tế sẽ liên hệ để hướng dẫn thêm."],
            "Bạn có thể đã tiếp xúc gần với người mắc COVID-19. Hãy tự theo dõi sức khoẻ 14 "
            f"ngày, đeo khẩu trang; nếu sốt, ho, khó thở gọi {HOTLINE}. Y tế sẽ liên hệ hướng dẫn.")
    return ("You may have been in close contact with a person with COVID-19", [
        "Contact tracing shows that you may have been in close contact with a person just "
        "confirmed to have COVID-19. To protect yourself and those around you:",
        "- watch your health for 14 days and take your temperature morning and evening;\n"
        "- wear a mask and avoid close contact and crowded places;\n"
        f"- if you have a fever, cough, sore throat or shortness of breath, tell your ward's "
        f"health station at once or call {HOTLINE}.",
        "The health authority will contact you with instructions."],
        "You may have been in close contact with a person with COVID-19. Watch your health for "
        f"14 days, wear a mask; fever, cough or short of breath: call {HOTLINE}. The health "
        "authority will contact you.")


def _ordered(f: Facts, lang: str) -> Written:
    start, last = day_text(f.start, lang), day_text(f.last_day, lang)
    place, reason = PLACES[lang].get(f.place, f.place), REASONS[lang].get(f.reason, f.reason)
    if lang == "vi":
        return (f"Cách ly y tế từ {start} đến hết {last}", [
            f"Bạn được yêu cầu cách ly y tế {place} trong {f.days} ngày, từ ngày {start} đến "
            f"hết ngày {last} (lý do: {reason}). Trong thời gian cách ly:",
            "- không rời nơi cách ly, không tiếp xúc với người khác;\n"
            "- đo nhiệt độ buổi sáng và buổi chiều; cán bộ y tế xã/phường sẽ gọi điện hoặc đến "
            "thăm hằng ngày;\n"
            f"- nếu sốt, ho, khó thở, báo ngay trạm y tế hoặc gọi {HOTLINE}."],
            f"Bạn phải cách ly y tế {place} từ {start} đến hết {last}. Y tế xã/phường sẽ liên "
            f"hệ hằng ngày; sốt, ho, khó thở gọi {HOTLINE}.")
    return (f"Quarantine from {start} to {last}", [
        f"You are to quarantine {place} for {f.days} days, from {start} to the end of {last} "
        f"(reason: {reason}). While in quarantine:",
        "- do not leave the place of quarantine or meet other people;\n"
        "- take your temperature morning and evening; your ward's health staff will call or "
        "visit every day;\n"
        f"- if you have a fever, cough or shortness of breath, tell the health station at once "
        f"or call {HOTLINE}."],
        f"You must quarantine {place} from {start} to the end of {last}. Your ward's health "
        f"staff will contact you daily; fever, cough or short of breath: call {HOTLINE}.")


def _released(f: Facts, lang: str) -> Written:
    on = day_text(f.on, lang)
    if lang == "vi":
        how = "theo quyết định của cơ quan y tế" if f.early else "khi hết thời hạn"
        return ("Kết thúc cách ly y tế", [
            f"Bạn đã kết thúc cách ly y tế từ ngày {on}, {how}. Hãy tiếp tục tự theo dõi sức "
            f"khoẻ trong 14 ngày; nếu sốt, ho, khó thở, báo trạm y tế hoặc gọi {HOTLINE}."],
            f"Bạn đã kết thúc cách ly y tế từ ngày {on}. Tiếp tục tự theo dõi sức khoẻ 14 ngày; "
            f"sốt, ho, khó thở gọi {HOTLINE}.")
    how = "by decision of the health authority" if f.early else "at the end of its term"
    return ("Your quarantine has ended", [
        f"Your quarantine ended on {on}, {how}. Keep watching your health for 14 days; if you "
        f"have a fever, cough or shortness of breath, tell the health station or call "
        f"{HOTLINE}."],
        f"Your quarantine ended on {on}. Keep watching your health for 14 days; fever, cough or "
        f"short of breath: call {HOTLINE}.")


def _followup(f: Facts, lang: str) -> Written:
    on, last = day_text(f.on, lang), day_text(f.last_day, lang)
    if lang == "vi":
        return (f"Ngày {f.day}/{f.days} cách ly: theo dõi sức khoẻ hôm nay", [
            f"Hôm nay, {on}, là ngày {f.day} trong {f.days} ngày cách ly của bạn (đến hết ngày "
            f"{last}). Cán bộ y tế xã/phường sẽ gọi điện hoặc đến thăm hôm nay: hãy giữ máy.",
            "- Đo nhiệt độ buổi sáng và buổi chiều;\n"
            "- báo ngay nếu sốt, ho, đau họng, khó thở, mất vị giác hoặc khứu giác "
            f"(khẩn cấp: {HOTLINE})."],
            f"Ngày {f.day}/{f.days} cách ly: y tế xã/phường sẽ liên hệ hôm nay, hãy giữ máy. Đo "
            f"nhiệt độ sáng, chiều; sốt, ho, khó thở gọi {HOTLINE}.")
    return (f"Quarantine day {f.day} of {f.days}: today's health check", [
        f"Today, {on}, is day {f.day} of your {f.days} days of quarantine (until the end of "
        f"{last}). Your ward's health staff will call or visit today: keep your phone at hand.",
        "- Take your temperature morning and evening;\n"
        "- report at once a fever, cough, sore throat, shortness of breath, or loss of taste or "
        f"smell (emergency: {HOTLINE})."],
        f"Quarantine day {f.day}/{f.days}: your ward's health staff will contact you today. Take "
        f"your temperature morning and evening; fever, cough or short of breath: call {HOTLINE}.")


WRITERS = {Kind.rejected: _rejected, Kind.contact: _contact,
           Kind.quarantine_ordered: _ordered, Kind.quarantine_released: _released,
           Kind.followup_due: _followup}
