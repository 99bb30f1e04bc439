"""What the trace's use cases refuse, as exceptions; the routes map each one to its HTTP
answer (api/), a job or a command to its own."""

from __future__ import annotations


class CaseNotFound(Exception):
    pass


class QuarantineNotFound(Exception):
    pass


class PositiveTestInFuture(Exception):
    """A positive test dated after today (Viet Nam)."""


class PositiveTestTooOld(Exception):
    """A positive test older than the movements kept (the retention window)."""


class StartOutOfRange(Exception):
    """A quarantine start more than the quarantine length away from today."""

    def __init__(self, days: int) -> None:
        super().__init__(f"the start must be within {days} days of today")
        self.days = days


class TooMany(Exception):
    """More people in one bulk order than one call may order."""

    def __init__(self, most: int) -> None:
        super().__init__(f"at most {most} people per call")
        self.most = most


class NotAContact(Exception):
    """Subjects asked to be ordered that are not among the case's proposed contacts."""

    def __init__(self, subject_ids: list[str]) -> None:
        super().__init__("not among the proposed contacts")
        self.subject_ids = subject_ids


class WardUnknown(Exception):
    """Contacts whose ward of stay neither the trace nor the request knows."""

    def __init__(self, subject_ids: list[str]) -> None:
        super().__init__("ward of stay unknown")
        self.subject_ids = subject_ids


class NotMarked(Exception):
    """A country to unmark that was not marked."""


class RebuildRunning(Exception):
    """Another rebuild holds the lock."""

    def __init__(self, holder: object = None) -> None:
        super().__init__("a rebuild is already running")
        self.holder = holder
