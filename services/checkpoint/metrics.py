"""Checkpoint metrics, beside the shared ones at `/metrics`."""

from __future__ import annotations

from prometheus_client import Counter

SCANS = Counter("khaibao_checkpoint_scans_total", "scans answered",
                ["kind", "outcome"])
PASSAGES = Counter("khaibao_checkpoint_passages_total", "passages recorded",
                   ["decision", "source"])

