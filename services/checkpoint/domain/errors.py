"""What can go wrong in a use case, in the domain's words; `api/errors.py` maps each to
its HTTP status and bilingual message."""

from __future__ import annotations


class CheckpointError(Exception):
    """A use case refused; `code` is the error code the API answers with."""

    code: str = "checkpoint_error"


class CheckpointUnknown(CheckpointError, LookupError):
    code = "checkpoint_unknown"


class CheckpointForbidden(CheckpointError, PermissionError):
    """The officer is not assigned to that checkpoint."""

    code = "checkpoint_forbidden"


class CheckpointInactive(CheckpointError):
    code = "checkpoint_inactive"


class TokenRefused(CheckpointError):
    """The QR token did not verify (`reason`: libs.runtime.qr_tokens.Reason's value)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail
        self.code = f"qr_{reason}"


class KeysUnavailable(CheckpointError, RuntimeError):
    """No QR public key was ever fetched and the issuer does not answer."""

    code = "keys_unavailable"


class DeclarationUnknown(CheckpointError, LookupError):
    """The declaration has not reached this service (yet)."""

    code = "declaration_unknown"


class VehicleUnknown(CheckpointError, LookupError):
    code = "vehicle_unknown"


class LookupNotFound(CheckpointError, LookupError):
    """No declaration for this ID and date of birth."""

    code = "lookup_not_found"


class ScanIdReused(CheckpointError):
    def __init__(self, scan_id: str) -> None:
        super().__init__(scan_id)
        self.scan_id = scan_id

    code = "scan_id_reused"


class ScanNotFound(CheckpointError, LookupError):
    code = "scan_not_found"


class PassageNotFound(CheckpointError, LookupError):
    code = "passage_not_found"


class AlreadyDecided(CheckpointError):
    """The scan was decided otherwise before."""

    code = "already_decided"

    def __init__(self, decision: str, direction: str) -> None:
        super().__init__(decision, direction)
        self.decision, self.direction = decision, direction


class PassBlocked(CheckpointError):
    """A pass that the scan's reasons block."""

    code = "pass_blocked"


class InvalidDecision(CheckpointError, ValueError):
    """A decision that cannot be taken as sent; `field` is the request's field at fault and
    `code` one of at_in_future, at_too_old, at_before_issue, direction_required,
    reason_with_pass, reason_required."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(field, code)
        self.field, self.code = field, code
