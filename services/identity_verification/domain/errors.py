"""What can go wrong in a use case, in the domain's words; `api/` maps each to an HTTP error."""

from __future__ import annotations


class ResidentNotFound(LookupError):
    """Nobody in the registry has this CCCD or CMND."""


class VerificationNotFound(LookupError):
    """This declaration has not been verified (yet)."""


class BadHeader(ValueError):
    """The CSV header lacks required columns or names unknown ones."""


class EmptyImport(ValueError):
    """An import body without a single row."""
