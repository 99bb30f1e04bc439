"""The domain's exceptions: a use case raises them, `api/` maps each to its HTTP answer."""

from __future__ import annotations


class NotificationNotFound(Exception):
    """No such notification, or one of a ward the caller may not see."""


class RangeInvalid(Exception):
    """The first day of a range is after its last."""


class RangeTooLong(Exception):
    def __init__(self, max_days: int) -> None:
        super().__init__(f"at most {max_days} days")
        self.max_days = max_days


class CursorInvalid(Exception):
    """A paging cursor this service did not give."""


class WardForbidden(Exception):
    """Something of a ward outside the caller's scope."""

    def __init__(self, wards: list[str]) -> None:
        super().__init__(", ".join(wards))
        self.wards = wards


class EffectiveAtInvalid(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


class QuarantineNotFound(Exception):
    pass


class NotUnderQuarantine(Exception):
    pass


class WebhookNotFound(Exception):
    """No such subscription, or one of a ward the caller may not see."""


class UrlInvalid(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


class UrlNotPublic(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


class TooManyWebhooks(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} webhooks a ward")
        self.limit = limit
