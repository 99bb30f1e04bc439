"""What can go wrong in a use case, in the domain's words; `api/` maps each to an HTTP error."""

from __future__ import annotations


class DeclarationNotFound(LookupError):
    """No declaration has this id."""


class VehicleNotFound(LookupError):
    """No green-lane vehicle declaration has this id."""


class IdempotencyKeyReused(ValueError):
    """An Idempotency-Key that came before with another form."""


class RevealForbidden(PermissionError):
    """The caller has no grounds to see who this person is."""


class NoDeclarationOfPerson(LookupError):
    """A reveal found no declaration of the person (or the one named is someone else's)."""


class CsvProblem(ValueError):
    """The file as a whole cannot be read (encoding, header); no row is imported."""

    def __init__(self, code: str, vi: str, en: str, columns: list[str] | None = None) -> None:
        super().__init__(en)
        self.code, self.vi, self.en, self.columns = code, vi, en, columns or []


class KeyNotFound(LookupError):
    """No QR signing key has this kid."""


class ActiveKeyNotRetirable(ValueError):
    """The active key signs new codes: rotate first, then retire it."""


class KeyAlreadyRetired(ValueError):
    """The key was retired before."""


class KeysManagedByOperator(PermissionError):
    """The key file may not be written here (production: a mounted secret): the operator
    rotates and retires keys with the command line and replaces the file."""
