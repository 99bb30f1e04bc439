"""Every event payload of the catalogue, registered for `parse_event`."""

from libs.contracts.envelope import register
from libs.contracts.events.checkpoint import CheckpointPassed, CheckpointRefused, CheckpointScanned
from libs.contracts.events.declaration import (
    ArrivalRegistered,
    DeclarationSubmitted,
    PersonRevealed,
    VehicleDeclared,
)
from libs.contracts.events.identity import IdentityRejected, IdentityVerified
from libs.contracts.events.notification import FollowupRecorded, WardNotified, ZoneLevelChanged
from libs.contracts.events.trace import (
    CaseConfirmed,
    QuarantineOrdered,
    QuarantineReleased,
    TraceAccessed,
)

ALL_PAYLOADS = (
    DeclarationSubmitted,
    IdentityVerified,
    IdentityRejected,
    CheckpointPassed,
    CheckpointRefused,
    ZoneLevelChanged,
    WardNotified,
    FollowupRecorded,
    TraceAccessed,
    CaseConfirmed,
    QuarantineOrdered,
    QuarantineReleased,
    VehicleDeclared,
    CheckpointScanned,
    PersonRevealed,
    ArrivalRegistered,
)
register(*ALL_PAYLOADS)

__all__ = [cls.__name__ for cls in ALL_PAYLOADS] + ["ALL_PAYLOADS"]
